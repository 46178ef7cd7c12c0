"""Names where capital letters say nothing: German nouns, and the page's own keywords.

The texts are TEST CONTENT written for these tests, not real articles.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.lang import language_for
from monitor.models import MemoryItem
from monitor.track import replay
from monitor.track.novelty import KNOWN_SIMILARITY, RareTerms, StoryMemory
from monitor.track.text import names_in

T0 = datetime(2025, 10, 6, 8, 0, tzinfo=UTC)


def test_german_nouns_common_in_the_language_are_not_names_even_without_an_article() -> None:
    """No article marks "Verhandlungen" or "Wochenende" as nouns here; they are common German
    words, so they are not names; "Hamas" and "Scharm el-Scheich" are rare, so they are."""
    sentences = [
        "Ägypten lädt Israel und Hamas zu Verhandlungen nach Scharm el-Scheich.",
        "Seit Wochenende laufen dort Gespräche.",
        "Verhandlungen über Geiseln sollen bis Wochenende dauern, sagte ein Sprecher der Hamas.",
    ]
    names = set(names_in(sentences, language_for("de")))
    assert {"Hamas", "Scharm el-Scheich"} <= names
    assert names.isdisjoint({"Verhandlungen", "Wochenende", "Gespräche"})
    assert not any("Verhandlungen" in name for name in names)


def _line(**fields: Any) -> dict[str, Any]:
    return {"source": "outlet-a", "published": None, "fetched_at": T0.isoformat(), **fields}


def test_the_pages_keywords_are_names_of_the_first_report() -> None:
    """One Arabic report: no term recurs yet, but the page's keywords are names at once."""
    line = _line(
        url="https://outlet-a.example/ar/1",
        title="إسرائيل وحماس تبدآن محادثات في مصر",
        text="وصل وفدا إسرائيل وحماس إلى شرم الشيخ لإجراء محادثات غير مباشرة بوساطة مصر وقطر.",
        keywords=["حماس", "شرم الشيخ"],
    )
    [result] = replay([line])
    assert result["development"]["new_entities"] == ["حماس", "شرم الشيخ"]


def test_keywords_of_an_html_page_reach_the_story() -> None:
    html = (
        '<html lang="en"><head><title>Talks open</title>'
        '<meta name="keywords" content="Hamas, Sharm el-Sheikh, ceasefire"></head><body><article>'
        + "<p>Negotiators began indirect talks in the resort on Monday, officials said.</p>" * 3
        + "</article></body></html>"
    )
    [result] = replay([_line(url="https://outlet-a.example/en/1", html=html)])
    names = result["development"]["new_entities"]
    assert names == ["Hamas", "Sharm el-Sheikh", "ceasefire"]


def test_a_keyword_is_a_new_name_only_when_new_and_in_the_new_text() -> None:
    first = _line(
        url="https://outlet-a.example/en/1",
        title="Hamas and Israel open talks",
        text="Delegations of Hamas and Israel arrived for indirect talks in Egypt on Monday.",
    )
    second = _line(
        url="https://outlet-a.example/en/1",
        fetched_at=(T0 + timedelta(hours=1)).isoformat(),
        title="Hamas and Israel open talks",
        text="Delegations of Hamas and Israel arrived for indirect talks in Egypt on Monday.\n"
        "Mediators from Qatar joined them in the evening.",
        keywords=["Hamas", "Qatar talks"],
    )
    _, revised = replay([first, second])
    assert revised["development"]["new_entities"] == ["Qatar"]


def test_rare_terms_survive_a_snapshot_and_recur_after_it() -> None:
    """A restart between two outlets' reports still finds the name both use."""
    memory = StoryMemory(language="zh")
    memory.learn(["哈马斯代表团抵达。"], (), language_for("zh"), RareTerms(("哈马斯",), "outlet-a"))
    stored = json.loads(json.dumps([[i.kind, i.value, i.seq] for i in memory.drain().upserts]))
    restored = StoryMemory.from_items(
        [MemoryItem(*item) for item in stored], KNOWN_SIMILARITY, "zh"
    )
    assert restored.recurring(RareTerms(("哈马斯",), "outlet-b")) == ["哈马斯"]
    assert restored.recurring(RareTerms(("哈马斯",), "outlet-a")) == []


def test_snapshots_without_rare_terms_keep_their_form() -> None:
    memory = StoryMemory()
    memory.learn(["Hamas and Israel met."], ["Hamas", "Israel"])
    assert {item.kind for item in memory.drain().upserts} == {"sentence", "name"}
