"""Alert payloads: the versioned JSON document a webhook receives.

One payload describes what happened to one story for one topic (``story.created``,
``story.developed``, ``story.live_update``, ``article.revised``, ``article.corrected``) or to one
source (``source.failing``, ``source.recovered``). Debounced developments are merged into one
payload that lists each of them under ``developments`` and sums them up under ``development``.
Payloads are plain dicts of JSON values, built from plain values; nothing here does I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.models import ArticleInfo, ChangedFact, Development, DevelopmentKind, StoryInfo

PAYLOAD_VERSION = 1
MAX_SENTENCES = 20
MAX_SUMMARY_SENTENCES = 3
MAX_SENTENCE_CHARS = 300
MAX_DIFF_LINES = 40
MAX_DIFF_CHARS = 4000

EVENT_TYPES: Mapping[DevelopmentKind, str] = {
    DevelopmentKind.NEW_STORY: "story.created",
    DevelopmentKind.NEW_ARTICLE: "story.developed",
    DevelopmentKind.REVISION: "article.revised",
    DevelopmentKind.CORRECTION: "article.corrected",
    DevelopmentKind.LIVE_UPDATE: "story.live_update",
}
# When developments are merged, the alert is named after the weightiest of them.
KIND_WEIGHT: Mapping[str, int] = {
    DevelopmentKind.NEW_STORY: 4,
    DevelopmentKind.CORRECTION: 3,
    DevelopmentKind.NEW_ARTICLE: 2,
    DevelopmentKind.LIVE_UPDATE: 2,
    DevelopmentKind.REVISION: 1,
}
SOURCE_EVENT_TYPES = ("source.failing", "source.recovered")

JSON = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; naive datetimes are taken to be UTC."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --------------------------------------------------------------------------- story alerts


def build_payload(
    *,
    alert_id: str,
    topic: str,
    development: Development,
    story: StoryInfo,
    articles: Sequence[ArticleInfo] = (),
    diff: str | None = None,
) -> JSON:
    """The payload announcing one development of ``story`` to the subscribers of ``topic``."""
    entry = development_entry(development)
    return {
        "version": PAYLOAD_VERSION,
        "type": EVENT_TYPES[development.kind],
        "id": alert_id,
        "occurred_at": iso(development.occurred_at),
        "topic": topic,
        "story": story_entry(story, development.story_title),
        "development": summarise_developments([entry]),
        "developments": [entry],
        "articles": [article_entry(article) for article in articles],
        "diff": short_text(diff, MAX_DIFF_CHARS) if diff else None,
    }


def merge_payloads(earlier: JSON, later: JSON) -> JSON:
    """One payload listing the developments of both; keeps the id of ``earlier``.

    Used by debounce: developments of one story inside the window become one alert.
    """
    developments = [*earlier["developments"], *later["developments"]]
    diffs = [text for text in (earlier.get("diff"), later.get("diff")) if text]
    merged = dict(later)
    merged.update(
        id=earlier["id"],
        type=_weightiest_type(developments),
        developments=developments,
        development=summarise_developments(developments),
        articles=_merge_articles(earlier["articles"], later["articles"]),
        diff=short_text("\n".join(diffs), MAX_DIFF_CHARS) if diffs else None,
    )
    return merged


def _weightiest_type(developments: Sequence[JSON]) -> str:
    kind = max((entry["kind"] for entry in developments), key=lambda k: KIND_WEIGHT[k])
    return EVENT_TYPES[DevelopmentKind(kind)]


def _merge_articles(earlier: Sequence[JSON], later: Sequence[JSON]) -> list[JSON]:
    by_url = {article["url"]: article for article in earlier}
    by_url.update((article["url"], article) for article in later)
    return list(by_url.values())


def story_entry(story: StoryInfo, fallback_title: str | None = None) -> JSON:
    return {
        "id": story.id,
        "title": story.title or fallback_title,
        "first_seen": iso(story.first_seen),
        "article_count": story.article_count,
        "outlets": list(story.outlets),
    }


def article_entry(article: ArticleInfo) -> JSON:
    return {
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "published": iso(article.published),
        "modified": iso(article.modified),
    }


def development_entry(development: Development) -> JSON:
    """One development as JSON, with its own summary."""
    details: JSON = {
        "new_sentences": [short_text(s, 1000) for s in development.new_sentences[:MAX_SENTENCES]],
        "changed_facts": [fact_entry(fact) for fact in development.changed_facts],
        "new_names": list(development.new_entities),
    }
    return {
        "kind": str(development.kind),
        "occurred_at": iso(development.occurred_at),
        "source": development.source,
        "article_url": development.article_url,
        "title": development.title,
        "revision": development.revision,
        "novelty": round(development.novelty, 3),
        "language": development.language,
        "summary": summarise({"kind": development.kind, "title": development.title, **details}),
        **details,
        **_merged(development.merged_stories),
        **_split(development.split_stories),
    }


def _merged(story_ids: Sequence[str]) -> JSON:
    """Stories found to be this one since its last alert, said once, in the alert that follows."""
    if not story_ids:
        return {}
    listed = ", ".join(story_ids)
    return {
        "merged_stories": list(story_ids),
        "merged_note": f"Story {listed} turned out to be this story and was merged into it.",
    }


def _split(pairs: Sequence[Sequence[str]]) -> JSON:
    """Stories found to be two since this story's last alert, said once, in the alert that
    follows: which story the articles of the other event left, and the story they are now."""
    if not pairs:
        return {}
    listed = "; ".join(f"story {new} was split off story {old}" for old, new in pairs)
    return {
        "split_stories": [{"from": old, "into": new} for old, new in pairs],
        "split_note": f"Two events had been told as one: {listed}.",
    }


def fact_entry(fact: ChangedFact) -> JSON:
    return {"before": fact.before, "after": fact.after, "context": short_text(fact.context, 300)}


def summarise_developments(entries: Sequence[JSON]) -> JSON:
    """The ``development`` object: one development, or the sum of several merged ones."""
    if len(entries) == 1:
        single = {key: value for key, value in entries[0].items() if key != "occurred_at"}
        return {**single, "count": 1}
    kind = max((entry["kind"] for entry in entries), key=lambda k: KIND_WEIGHT[k])
    details: JSON = {
        "new_sentences": _unique(s for entry in entries for s in entry["new_sentences"])[
            :MAX_SENTENCES
        ],
        "changed_facts": [fact for entry in entries for fact in entry["changed_facts"]],
        "new_names": _unique(name for entry in entries for name in entry["new_names"]),
    }
    title = entries[-1]["title"]
    return {
        "kind": kind,
        "title": title,
        "novelty": max(entry["novelty"] for entry in entries),
        "language": _one_language(entries),
        "summary": summarise({"kind": kind, "title": title, **details}, count=len(entries)),
        **details,
        **_merged(_unique(i for entry in entries for i in entry.get("merged_stories", ()))),
        **_split(
            list(
                dict.fromkeys(
                    (pair["from"], pair["into"])
                    for entry in entries
                    for pair in entry.get("split_stories", ())
                )
            )
        ),
        "count": len(entries),
    }


def _one_language(entries: Sequence[JSON]) -> str | None:
    """The language of merged developments when they share one, else None."""
    languages = {entry.get("language") for entry in entries}
    return languages.pop() if len(languages) == 1 else None


def summarise(entry: Mapping[str, Any], count: int = 1) -> str:
    """One to three sentences saying what is new: new sentences first, then changed figures."""
    sentences: list[str] = []
    facts = entry["changed_facts"]
    if facts:
        sentences.append(_facts_sentence(facts))
    room = MAX_SUMMARY_SENTENCES - len(sentences)
    sentences[:0] = [_as_sentence(s) for s in entry["new_sentences"][:room]]
    if not sentences:
        sentences.append(_fallback_sentence(entry["kind"], entry.get("title"), count))
    return " ".join(sentences[:MAX_SUMMARY_SENTENCES])


def _facts_sentence(facts: Sequence[Mapping[str, str]]) -> str:
    shown = "; ".join(f"{fact['before']} → {fact['after']}" for fact in facts[:3])
    more = f" and {len(facts) - 3} more" if len(facts) > 3 else ""
    noun = "figure" if len(facts) == 1 else "figures"
    return f"Changed {noun}: {shown}{more}."


def _fallback_sentence(kind: str, title: str | None, count: int) -> str:
    subject = f"“{title}”" if title else "the article"
    if kind == DevelopmentKind.NEW_STORY:
        return f"New story: {subject}."
    if kind == DevelopmentKind.CORRECTION:
        return f"A correction was published to {subject}."
    if kind == DevelopmentKind.LIVE_UPDATE:
        return f"A new post on the live blog {subject}."
    if kind == DevelopmentKind.REVISION:
        return f"{subject[0].upper()}{subject[1:]} was revised, with no new sentences."
    many = f"{count} new reports" if count > 1 else "Another report"
    return f"{many} on the story: {subject}."


def _as_sentence(text: str) -> str:
    text = short_text(" ".join(text.split()), MAX_SENTENCE_CHARS)
    return text if text.endswith((".", "!", "?", "…", '"', "”", "’")) else text + "."


def short_text(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def short_diff(before: Sequence[str], after: Sequence[str], max_lines: int = MAX_DIFF_LINES) -> str:
    """A compact unified diff of two paragraph lists: what a revision removed and added."""
    lines = [
        line
        for line in difflib.unified_diff(list(before), list(after), lineterm="", n=0)
        if not line.startswith(("---", "+++", "@@"))
    ]
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"… {len(lines) - max_lines} more lines"]
    return short_text("\n".join(lines), MAX_DIFF_CHARS)


# --------------------------------------------------------------------------- source alerts


def build_source_health_payload(
    *,
    alert_id: str,
    transition: str,
    source: str,
    occurred_at: datetime,
    consecutive_failures: int,
    error: str | None,
    failing_since: datetime | None = None,
) -> JSON:
    """The payload of ``source.failing`` / ``source.recovered``."""
    event = f"source.{transition}"
    if event not in SOURCE_EVENT_TYPES:
        raise ValueError(f"unknown source transition {transition!r}")
    return {
        "version": PAYLOAD_VERSION,
        "type": event,
        "id": alert_id,
        "occurred_at": iso(occurred_at),
        "topic": None,
        "source": {
            "name": source,
            "consecutive_failures": consecutive_failures,
            "error": _one_line(error) if error else None,
            "failing_since": iso(failing_since),
        },
    }


def _one_line(text: str) -> str:
    return short_text(re.sub(r"\s+", " ", text).strip(), 500)
