"""Topic queries in the article's own script, and the ``language:`` filter (test content)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.config import TopicConfig, load_config
from monitor.errors import ConfigError
from monitor.models import Development, DevelopmentKind
from monitor.topics import TextIndex, matching_topics, parse_query

HAMAS = parse_query("hamas OR حماس OR 哈马斯 OR ハマス OR חמאס")


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("以色列和哈马斯代表团已抵达埃及沙姆沙伊赫。", True),
        ("イスラエルとハマスの代表団がエジプトに到着した。", True),
        ("وصل وفدا إسرائيل وحماس إلى شرم الشيخ.", True),
        ("נציגי חמאס וישראל החלו בשיחות.", True),
        ("Hamas delegations arrived in Egypt.", True),
        ("以色列代表团已抵达埃及。", False),
        ("وصل وفد إسرائيل إلى شرم الشيخ.", False),
    ],
)
def test_a_query_matches_in_the_articles_script(text: str, wanted: bool) -> None:
    assert HAMAS.matches(TextIndex(text)) is wanted


def test_a_chinese_term_is_a_run_of_characters_not_scattered_ones() -> None:
    assert not parse_query("哈马斯").matches(TextIndex("哈尔滨的马路上有斯文的人"))


def _development(language: str | None) -> Development:
    return Development(
        kind=DevelopmentKind.NEW_ARTICLE,
        story_id="st_1",
        article_url="https://news.test/a",
        source="wire",
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
        novelty=0.5,
        new_sentences=("Hamas delegations arrived in Egypt.",),
        language=language,
    )


@pytest.mark.parametrize(
    ("language", "wanted"), [("de", True), ("pt-BR", True), ("en", False), (None, False)]
)
def test_a_topic_language_list_filters_developments(language: str | None, wanted: bool) -> None:
    topic = TopicConfig(name="t", query="hamas", language=["de", "pt"], webhooks=["w"])
    found = matching_topics(_development(language), "", "wire", [topic])
    assert (found == [topic]) is wanted


def test_a_topic_without_a_language_list_takes_every_language() -> None:
    topic = TopicConfig(name="t", query="hamas", webhooks=["w"])
    assert matching_topics(_development(None), "", "wire", [topic]) == [topic]


def test_a_bad_language_code_is_reported_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(
        "sources: []\n"
        "webhooks:\n  - {name: w, url: 'https://hooks.test/x', secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw}\n"
        "topics:\n  - {name: t, query: hamas, language: [de, 'Deutsch!'], webhooks: [w]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"topics\[0\]\.language\[1\].*not a language code"):
        load_config(path)
