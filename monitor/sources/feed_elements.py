"""What feed elements say, shared by the RSS and Atom readers of the fast path.

``EntryParts`` gathers what an item or entry has said so far; element handlers fill it in, one
element at a time. Here live the namespaces, the handlers both formats use (dates, Dublin Core
creators, alternate links) and the text and URL helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast
from urllib.parse import urljoin

from lxml import etree

from monitor.models import FeedEntry
from monitor.sources.dates import parse_date
from monitor.sources.text import collapse_whitespace

ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
MEDIA = "http://search.yahoo.com/mrss/"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
RSS_NAMESPACES = ("", RSS10, RSS090, "http://backend.userland.com/rss2")
HTML_LINK_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_UNSAFE_SCHEME = re.compile(r"\s*(?:javascript|vbscript|data):", re.IGNORECASE)
_PLAIN_ABSOLUTE = re.compile(r"https?://")


class NotClean(Exception):
    """The fast path declines this document; the fallback parser reads it instead."""


@dataclass(slots=True)
class EntryParts:
    """What one item or entry has said so far, before it becomes a ``FeedEntry``."""

    id: str | None = None
    link: str | None = None
    fallback_link: str | None = None
    title: str | None = None
    fallback_title: str | None = None
    summary: str | None = None
    content: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)

    def entry(self) -> FeedEntry:
        return FeedEntry(
            id=self.id,
            link=self.link or self.fallback_link,
            title=self.title or self.fallback_title,
            summary=self.summary or self.content,
            published=self.published,
            updated=self.updated,
            authors=tuple(dict.fromkeys(self.authors)),
        )


Handler = Callable[[etree._Element, EntryParts], None]


def add_dc_creator(element: etree._Element, parts: EntryParts) -> None:
    value = collapse_whitespace(all_text(element))
    if value:
        parts.authors.append(value)


def set_published(element: etree._Element, parts: EntryParts) -> None:
    parts.published = parse_date(all_text(element)) or parts.published


def set_updated(element: etree._Element, parts: EntryParts) -> None:
    parts.updated = parse_date(all_text(element)) or parts.updated


def alternate_href(element: etree._Element) -> str | None:
    """``href`` of an alternate link to an HTML page (no ``rel`` means alternate), else None."""
    rel = (element.get("rel") or "alternate").strip().lower()
    if rel not in ("alternate", "http://www.iana.org/assignments/relation/alternate"):
        return None
    kind = (element.get("type") or "text/html").strip().lower()
    if kind not in HTML_LINK_TYPES:
        return None
    return resolve(element, element.get("href") or all_text(element))


def split_tag(tag: object) -> tuple[str, str, str]:
    """``("{ns}name")`` → ``(ns, "}", name)``; a comment or PI gives an empty name."""
    if not isinstance(tag, str):
        return "", "", ""
    if tag[0] == "{":
        namespace, _, name = tag[1:].partition("}")
        return namespace, "}", name
    return "", "", tag


def all_text(element: etree._Element) -> str:
    """The element's character data, nested markup included (CDATA is merged by the parser)."""
    if len(element) == 0:
        return element.text or ""
    return "".join(cast("Iterator[str]", element.itertext()))


def resolve(element: etree._Element, reference: str) -> str | None:
    """``reference`` made absolute against the element's xml:base / document URL; no scripts."""
    reference = reference.strip()
    if not reference:
        return None
    if _PLAIN_ABSOLUTE.match(reference) and "/." not in reference:
        return reference  # nothing for urljoin to do, and it is the costliest step here
    base = element.base
    try:
        url = urljoin(base, reference) if base else reference
    except ValueError:
        return None
    return None if _UNSAFE_SCHEME.match(url) else url
