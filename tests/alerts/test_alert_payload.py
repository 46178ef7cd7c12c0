"""Payloads: every documented field is there, JSON-clean, and merging keeps every development."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from monitor.alerts import (
    ArticleInfo,
    StoryInfo,
    build_payload,
    build_source_health_payload,
    merge_payloads,
    short_diff,
)
from monitor.alerts.payload import summarise
from monitor.models import ChangedFact, Development, DevelopmentKind

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
STORY = StoryInfo("st_1", "Ceasefire talks in Cairo", T0, 3, ("bbc", "reuters"))
ARTICLES = (ArticleInfo("https://bbc.test/1", "bbc", "Talks resume", T0, None),)


def development(
    kind: DevelopmentKind = DevelopmentKind.NEW_ARTICLE, **fields: object
) -> Development:
    values: dict[str, object] = {
        "kind": kind,
        "story_id": "st_1",
        "article_url": "https://bbc.test/1",
        "source": "bbc",
        "occurred_at": T0,
        "novelty": 0.4,
        "title": "Talks resume",
    }
    values.update(fields)
    return Development(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        (DevelopmentKind.NEW_STORY, "story.created"),
        (DevelopmentKind.NEW_ARTICLE, "story.developed"),
        (DevelopmentKind.REVISION, "article.revised"),
        (DevelopmentKind.CORRECTION, "article.corrected"),
        (DevelopmentKind.LIVE_UPDATE, "story.live_update"),
    ],
)
def test_event_type_follows_development_kind(kind: DevelopmentKind, event: str) -> None:
    payload = build_payload(
        alert_id="msg_1", topic="gaza", development=development(kind), story=STORY
    )
    assert payload["type"] == event


def test_payload_has_every_documented_field() -> None:
    dev = development(
        new_sentences=("Two hostages were freed on Tuesday.", "Talks continue in Cairo"),
        changed_facts=(ChangedFact("40", "52", "52 people were killed"),),
        new_entities=("Cairo",),
        revision=2,
    )
    payload = build_payload(
        alert_id="msg_1",
        topic="gaza",
        development=dev,
        story=STORY,
        articles=ARTICLES,
        diff="- 40 killed\n+ 52 killed",
    )
    assert json.loads(json.dumps(payload)) == payload
    assert payload["version"] == 1
    assert payload["id"] == "msg_1"
    assert payload["occurred_at"] == "2026-11-26T04:00:00Z"
    assert payload["topic"] == "gaza"
    assert payload["story"] == {
        "id": "st_1",
        "title": "Ceasefire talks in Cairo",
        "first_seen": "2026-11-26T04:00:00Z",
        "article_count": 3,
        "outlets": ["bbc", "reuters"],
    }
    development_json = payload["development"]
    assert development_json["kind"] == "new_article"
    assert development_json["novelty"] == 0.4
    assert development_json["summary"] == (
        "Two hostages were freed on Tuesday. Talks continue in Cairo. Changed figure: 40 → 52."
    )
    assert development_json["new_sentences"] == list(dev.new_sentences)
    assert development_json["changed_facts"] == [
        {"before": "40", "after": "52", "context": "52 people were killed"}
    ]
    assert development_json["new_names"] == ["Cairo"]
    assert development_json["language"] is None
    assert payload["articles"] == [
        {
            "url": "https://bbc.test/1",
            "source": "bbc",
            "title": "Talks resume",
            "published": "2026-11-26T04:00:00Z",
            "modified": None,
        }
    ]
    assert payload["diff"] == "- 40 killed\n+ 52 killed"
    assert len(payload["developments"]) == 1


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"kind": "new_story", "title": "Quake", "new_sentences": [], "changed_facts": []},
            "New story: “Quake”.",
        ),
        (
            {"kind": "revision", "title": None, "new_sentences": [], "changed_facts": []},
            "The article was revised, with no new sentences.",
        ),
        (
            {"kind": "correction", "title": "Quake", "new_sentences": [], "changed_facts": []},
            "A correction was published to “Quake”.",
        ),
        (
            {
                "kind": "new_article",
                "title": "X",
                "new_sentences": ["a", "b", "c", "d"],
                "changed_facts": [],
            },
            "a. b. c.",
        ),
        (
            {
                "kind": "revision",
                "title": "X",
                "new_sentences": ["a", "b", "c"],
                "changed_facts": [{"before": "1", "after": "2", "context": ""}] * 5,
            },
            "a. b. Changed figures: 1 → 2; 1 → 2; 1 → 2 and 2 more.",
        ),
    ],
)
def test_summary_is_one_to_three_sentences(entry: dict[str, object], expected: str) -> None:
    assert summarise(entry) == expected


def test_merge_lists_all_developments_and_keeps_first_id() -> None:
    first = build_payload(
        alert_id="msg_a",
        topic="gaza",
        development=development(DevelopmentKind.REVISION, new_sentences=("One.",)),
        story=STORY,
        articles=ARTICLES,
    )
    second = build_payload(
        alert_id="msg_b",
        topic="gaza",
        development=development(
            DevelopmentKind.NEW_ARTICLE,
            article_url="https://reuters.test/2",
            source="reuters",
            novelty=0.9,
            new_sentences=("Two.", "One."),
            new_entities=("Qatar",),
        ),
        story=StoryInfo("st_1", "Ceasefire talks in Cairo", T0, 4, ("bbc", "reuters")),
        articles=(ArticleInfo("https://reuters.test/2", "reuters", "Qatar joins"),),
    )
    merged = merge_payloads(first, second)
    assert merged["id"] == "msg_a"
    assert merged["type"] == "story.developed"
    assert [d["kind"] for d in merged["developments"]] == ["revision", "new_article"]
    assert merged["development"]["count"] == 2
    assert merged["development"]["novelty"] == 0.9
    assert merged["development"]["new_sentences"] == ["One.", "Two."]
    assert merged["development"]["new_names"] == ["Qatar"]
    assert merged["story"]["article_count"] == 4
    assert [a["url"] for a in merged["articles"]] == [
        "https://bbc.test/1",
        "https://reuters.test/2",
    ]


def test_the_language_of_the_article_is_in_the_payload() -> None:
    """Each development says the language of its article; merged ones say it when they share one."""
    german = development(language="de", new_sentences=("Eins.",))
    arabic = development(language="ar", new_sentences=("اثنان.",))
    first = build_payload(alert_id="a", topic="gaza", development=german, story=STORY)
    assert first["development"]["language"] == "de"
    assert first["developments"][0]["language"] == "de"
    again = build_payload(alert_id="b", topic="gaza", development=german, story=STORY)
    assert merge_payloads(first, again)["development"]["language"] == "de"
    other = build_payload(alert_id="c", topic="gaza", development=arabic, story=STORY)
    merged = merge_payloads(first, other)
    assert merged["development"]["language"] is None
    assert [d["language"] for d in merged["developments"]] == ["de", "ar"]


def test_source_health_payload() -> None:
    payload = build_source_health_payload(
        alert_id="msg_s",
        transition="failing",
        source="bbc",
        occurred_at=T0,
        consecutive_failures=3,
        error="connection refused\n  (port 443)",
        failing_since=T0,
    )
    assert payload["type"] == "source.failing"
    assert payload["source"]["error"] == "connection refused (port 443)"
    with pytest.raises(ValueError, match="unknown source transition"):
        build_source_health_payload(
            alert_id="x",
            transition="sad",
            source="bbc",
            occurred_at=T0,
            consecutive_failures=0,
            error=None,
        )


def test_short_diff_shows_removed_and_added_paragraphs() -> None:
    diff = short_diff(["Intro.", "40 killed.", "End."], ["Intro.", "52 killed.", "End."])
    assert diff == "-40 killed.\n+52 killed."
    long = short_diff([], [f"p{i}" for i in range(100)], max_lines=5)
    assert long.splitlines()[-1] == "… 95 more lines"
