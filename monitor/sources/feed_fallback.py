"""The fallback for feeds the fast path declines: feedparser, which reads almost anything.

Ill-formed XML, undeclared entities, legacy encodings, Atom 0.3, CDF, HTTP charset rules:
feedparser has twenty years of answers to them. Its result is mapped to the same ``Feed`` values as
the fast path (plain-text titles, aware datetimes); a document it finds no feed in becomes
``ParseError``.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Mapping
from typing import Any

from monitor.errors import ParseError
from monitor.models import Feed, FeedEntry
from monitor.sources.dates import from_struct_time
from monitor.sources.text import collapse_whitespace, html_to_text, optional_text

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def parse_with_feedparser(content: bytes, url: str, content_type: str | None) -> Feed:
    """Parse with feedparser; ``ParseError`` when the document holds no feed."""
    import feedparser  # lazy: most feeds never need it

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = feedparser.parse(io.BytesIO(content), response_headers=headers)
    except Exception as exc:  # a bug in feedparser must not take the source down
        raise ParseError(f"{url}: feed parser failed: {type(exc).__name__}: {exc}") from exc
    if not _holds_a_feed(result):
        cause = result.get("bozo_exception") or "no RSS, Atom or JSON Feed elements"
        raise ParseError(f"{url}: not a feed: {cause}")
    return _feed(result)


def _holds_a_feed(result: Mapping[str, Any]) -> bool:
    head = result.get("feed") or {}
    return bool(
        result.get("version") or result.get("entries") or head.get("title") or head.get("link")
    )


def _feed(result: Mapping[str, Any]) -> Feed:
    head = result.get("feed") or {}
    return Feed(
        title=_title(head.get("title"), head.get("title_detail")),
        link=optional_text(head.get("link")),
        entries=tuple(_entry(entry) for entry in result.get("entries", ())),
        format=result.get("version") or "unknown",
    )


def _entry(entry: dict[str, Any]) -> FeedEntry:
    return FeedEntry(
        id=optional_text(entry.get("id")),
        link=optional_text(entry.get("link")),
        title=_title(entry.get("title"), entry.get("title_detail")),
        summary=optional_text(entry.get("summary")),
        # dict.get: feedparser's own .get("updated*") falls back to "published*" with a warning
        published=from_struct_time(dict.get(entry, "published_parsed")),
        updated=from_struct_time(dict.get(entry, "updated_parsed")),
        authors=_authors(entry.get("authors")),
    )


def _title(value: str | None, detail: Mapping[str, Any] | None) -> str | None:
    """feedparser's title as plain text: HTML titles unmarked, text titles tidied."""
    if not value:
        return None
    kind = (detail or {}).get("type", "text/html")
    if kind in HTML_TYPES:
        return optional_text(html_to_text(value))
    return optional_text(collapse_whitespace(value))


def _authors(people: object) -> tuple[str, ...]:
    if not isinstance(people, list):
        return ()
    names = [optional_text(person.get("name")) for person in people if isinstance(person, Mapping)]
    return tuple(dict.fromkeys(name for name in names if name))
