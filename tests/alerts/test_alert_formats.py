"""Slack and Discord bodies: readable, linked, and inside those apps' size limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.alerts import ArticleInfo, StoryInfo, build_payload, build_source_health_payload
from monitor.alerts.formats import format_for
from monitor.models import Development, DevelopmentKind

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def payload(title: str = "Ceasefire <talks> & more", sentences: int = 2) -> dict[str, object]:
    dev = Development(
        kind=DevelopmentKind.NEW_ARTICLE,
        story_id="st_1",
        article_url="https://bbc.test/1",
        source="bbc",
        occurred_at=T0,
        novelty=0.75,
        new_sentences=tuple(f"Sentence {i} " + "x" * 400 for i in range(sentences)),
        new_entities=("Cairo", "Doha"),
    )
    articles = [ArticleInfo(f"https://bbc.test/{i}", "bbc", f"Article [{i}]|x") for i in range(9)]
    return build_payload(
        alert_id="msg_1",
        topic="gaza",
        development=dev,
        story=StoryInfo("st_1", title, T0, 9, ("bbc",)),
        articles=articles,
        diff="-40 killed\n+52 killed",
    )


def test_json_is_the_payload_itself() -> None:
    body = payload()
    assert format_for("json", body) is body


def test_slack_block_kit() -> None:
    body = format_for("slack", payload(title="T" * 300))
    blocks = body["blocks"]
    assert body["text"].startswith("Story developed: TTT")
    assert blocks[0]["type"] == "header"
    assert len(blocks[0]["text"]["text"]) <= 150
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    links = blocks[2]["text"]["text"]
    assert links.count("• <https://bbc.test/") == 5
    assert "<https://bbc.test/8|Article [8]¦x> — bbc" in links
    assert blocks[3]["text"]["text"].startswith("```")
    assert "novelty 0.75" in blocks[-1]["elements"][0]["text"]


def test_slack_escapes_control_characters() -> None:
    body = format_for("slack", payload())
    assert body["blocks"][0]["text"]["text"] == "Story developed: Ceasefire <talks> & more"
    assert "&lt;" not in body["blocks"][0]["text"]["text"]  # plain_text needs no escaping
    assert "<talks>" not in body["blocks"][-1]["elements"][0]["text"]


def test_discord_embed() -> None:
    body = format_for("discord", payload(sentences=3))
    embed = body["embeds"][0]
    assert len(embed["title"]) <= 256
    assert len(embed["description"]) <= 4096
    assert embed["url"] == "https://bbc.test/8"
    assert embed["timestamp"] == "2026-11-26T04:00:00Z"
    names = [field["name"] for field in embed["fields"]]
    assert names == ["Articles", "New names", "Diff"]
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])
    assert body["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("fmt", ["slack", "discord"])
def test_source_health_formats(fmt: str) -> None:
    source_payload = build_source_health_payload(
        alert_id="msg_s",
        transition="failing",
        source="bbc",
        occurred_at=T0,
        consecutive_failures=3,
        error="HTTP 503",
    )
    text = str(format_for(fmt, source_payload))
    assert "Source failing: bbc" in text
    assert "3 checks in a row failed. Last error: HTTP 503" in text


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown webhook format"):
        format_for("teams", payload())
