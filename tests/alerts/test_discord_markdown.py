"""Discord renders Markdown: text from pages must not become a clickable masked link there."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from monitor.alerts import ArticleInfo, StoryInfo, build_payload
from monitor.alerts.formats import discord_escape, format_for
from monitor.models import Development, DevelopmentKind

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
HOSTILE = "Read [the full story](https://evil.example/x) **now**"
MASKED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\((?!https://bbc\.test/)")


def test_page_text_cannot_make_a_masked_link() -> None:
    development = Development(
        kind=DevelopmentKind.NEW_ARTICLE,
        story_id="st_1",
        article_url="https://bbc.test/1",
        source="bbc",
        occurred_at=T0,
        novelty=0.5,
        new_sentences=(HOSTILE,),
        new_entities=("[Doha](https://evil.example/n)",),
    )
    body = format_for(
        "discord",
        build_payload(
            alert_id="msg_1",
            topic="gaza",
            development=development,
            story=StoryInfo("st_1", HOSTILE, T0, 1, ("bbc",)),
            articles=[ArticleInfo("https://bbc.test/1", "bbc", HOSTILE)],
            diff=None,
        ),
    )
    embed = body["embeds"][0]
    rendered = [embed["description"], *(field["value"] for field in embed["fields"])]
    for text in rendered:
        assert not MASKED_LINK.search(text), text
    articles = next(f["value"] for f in embed["fields"] if f["name"] == "Articles")
    assert articles.startswith("[Read \\[the full story\\]")  # our own link stays a link
    assert articles.count("](https://bbc.test/1)") == 1


def test_escaping_keeps_the_words() -> None:
    assert discord_escape("a *b* [c](d) `e`") == "a \\*b\\* \\[c\\]\\(d\\) \\`e\\`"
    assert discord_escape("at least 24 killed") == "at least 24 killed"
