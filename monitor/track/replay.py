"""Replay: run the engine over recorded observations, one JSON object in, one JSON object out.

An observation is ``{"source", "url", "fetched_at", "html"}`` or, in place of ``html``,
``{"title", "text", "published"}`` and optionally ``"language"`` (else it is detected) and
``"keywords"`` (the page's own subject terms, a list). The
output line for each says which story the page went to, what kind of event it was, the
development (if any) and why the story matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from monitor.errors import ParseError
from monitor.models import Article, Development
from monitor.sources.urls import canonicalize_url
from monitor.track.tracker import Observation, TrackConfig, Tracker, TrackResult

TopicMatcher = Callable[[Development, Article], list[str]]


def replay(
    lines: Iterable[dict[str, Any]],
    config: TrackConfig | None = None,
    topics: TopicMatcher | None = None,
) -> Iterator[dict[str, Any]]:
    """Track each observation in order on a fresh in-memory tracker; yield one result each."""
    tracker = Tracker(config or TrackConfig())
    for number, line in enumerate(lines, start=1):
        observation = observation_from_json(line, number)
        result = tracker.observe(observation)
        output = result_to_json(result)
        if topics is not None:
            development = result.development
            output["topics"] = topics(development, observation.article) if development else []
        yield output


def observation_from_json(line: dict[str, Any], number: int = 0) -> Observation:
    """Turn one replay input object into an ``Observation``; ``ParseError`` names the line."""
    where = f"observation {number}" if number else "observation"
    try:
        url = canonicalize_url(str(line["url"]))
        fetched_at = _timestamp(line["fetched_at"])
        source = str(line.get("source") or "")
        has_html = "html" in line
        article = (
            _extract(str(line["html"]), url, fetched_at) if has_html else _text_article(line, url)
        )
    except KeyError as exc:
        raise ParseError(f"{where}: missing field {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise ParseError(f"{where}: {exc}") from exc
    return Observation(source, article.canonical_url or url, fetched_at, article)


def _timestamp(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text_article(line: dict[str, Any], url: str) -> Article:
    text = str(line.get("text") or "")
    published = line.get("published")
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    return Article(
        url=url,
        canonical_url=url,
        title=line.get("title"),
        published=_timestamp(published) if published else None,
        language=line.get("language") or None,
        paragraphs=paragraphs,
        keywords=tuple(str(k) for k in line.get("keywords") or ()),
    )


def _extract(html: str, url: str, fetched_at: datetime) -> Article:
    from monitor.extract import extract_article  # the extraction stack, only for HTML lines

    article = extract_article(html, url, fetched_at=fetched_at)
    return replace(article, canonical_url=canonicalize_url(article.canonical_url or url))


def result_to_json(result: TrackResult) -> dict[str, Any]:
    """The replay output object for one result."""
    output: dict[str, Any] = {
        "url": result.url,
        "story_id": result.story_id,
        "event": result.event.value,
        "development": development_to_json(result.development),
        "match": result.match.to_json(),
    }
    if result.merged:
        output["merged"] = list(result.merged)
    if result.split is not None:
        output["split"] = {
            "story_id": result.split.story_id,
            "new_story_id": result.split.new_id,
            "urls": list(result.split.urls),
        }
    return output


def development_to_json(development: Development | None) -> dict[str, Any] | None:
    if development is None:
        return None
    return {
        "kind": development.kind.value,
        "novelty": development.novelty,
        "new_sentences": list(development.new_sentences),
        "changed_facts": [
            {"before": f.before, "after": f.after, "context": f.context}
            for f in development.changed_facts
        ],
        "new_entities": list(development.new_entities),
    }
