"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org) → ``Feed``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from monitor.errors import ParseError
from monitor.models import Feed, FeedEntry
from monitor.sources.dates import parse_date
from monitor.sources.text import html_to_text, optional_text


def looks_like_json(content: bytes) -> bool:
    """Whether the body starts like a JSON object (after a BOM and whitespace)."""
    return content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(content: bytes, url: str) -> Feed:
    """Read a JSON Feed, or raise ``ParseError`` naming ``url`` when it is not one."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"{url}: not a JSON Feed: {exc}") from exc
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise ParseError(f"{url}: not a JSON Feed: no jsonfeed.org version")
    items = data.get("items")
    if not isinstance(items, list):
        raise ParseError(f"{url}: not a JSON Feed: 'items' is not a list")
    return Feed(
        title=_string(data.get("title")),
        link=_url(data.get("home_page_url"), url),
        entries=tuple(_entry(item, url) for item in items if isinstance(item, Mapping)),
        format="json" + _version_suffix(str(data.get("version"))),
    )


def _entry(item: Mapping[str, Any], url: str) -> FeedEntry:
    title = _string(item.get("title"))
    return FeedEntry(
        id=_string(item.get("id")),
        link=_url(item.get("url"), url) or _url(item.get("external_url"), url),
        title=optional_text(html_to_text(title)) if title else None,
        summary=_string(item.get("summary")) or _string(item.get("content_text")),
        published=parse_date(_string(item.get("date_published"))),
        updated=parse_date(_string(item.get("date_modified"))),
        authors=_authors(item),
    )


def _authors(item: Mapping[str, Any]) -> tuple[str, ...]:
    people = item.get("authors")
    if not isinstance(people, list):
        people = [item.get("author")]
    names = [_string(person.get("name")) for person in people if isinstance(person, Mapping)]
    return tuple(name for name in names if name)


def _string(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return optional_text(str(value))


def _url(value: object, base: str) -> str | None:
    text = _string(value)
    if text is None:
        return None
    try:
        return urljoin(base, text)
    except ValueError:
        return None


def _version_suffix(version: str) -> str:
    return version.rstrip("/").rsplit("/", 1)[-1].replace("version", "").replace(".", "")
