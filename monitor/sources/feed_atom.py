"""Atom 1.0 on the fast path: text constructs, the alternate-link rule, ids as links."""

from __future__ import annotations

import re

from lxml import etree

from monitor.models import Feed, FeedEntry
from monitor.sources.feed_elements import (
    ATOM,
    DC,
    DCTERMS,
    EntryParts,
    Handler,
    NotClean,
    add_dc_creator,
    all_text,
    alternate_href,
    set_published,
    set_updated,
)
from monitor.sources.text import collapse_whitespace, html_to_text, optional_text

_WEB_URL = re.compile(r"https?://[^\s/]", re.IGNORECASE)


def parse_atom(root: etree._Element) -> Feed:
    head = EntryParts()
    entries: list[FeedEntry] = []
    for child in root:
        if child.tag == _ATOM_ENTRY:
            entries.append(_atom_entry(child))
            continue
        handler = _ATOM_FEED_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, head)
    return Feed(
        title=head.title,
        link=head.link or head.fallback_link,
        entries=tuple(entries),
        format="atom10",
    )


def _atom_entry(element: etree._Element) -> FeedEntry:
    parts = EntryParts()
    for child in element:
        handler = _ATOM_ENTRY_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, parts)
    return parts.entry()


def _atom_text(element: etree._Element) -> str | None:
    """An Atom text construct as plain text: ``text`` as is, ``html`` and ``xhtml`` unmarked."""
    kind = (element.get("type") or "text").strip().lower()
    if kind in ("html", "text/html"):
        return optional_text(html_to_text(all_text(element)))
    if kind not in ("text", "xhtml", "text/plain"):
        raise NotClean(f"text construct of type {kind!r}")
    return optional_text(collapse_whitespace(all_text(element)))


def _atom_title(element: etree._Element, parts: EntryParts) -> None:
    if parts.title is None:
        parts.title = _atom_text(element)


def _atom_summary(element: etree._Element, parts: EntryParts) -> None:
    if parts.summary is None:
        parts.summary = optional_text(all_text(element))


def _atom_content(element: etree._Element, parts: EntryParts) -> None:
    if parts.content is None:
        parts.content = optional_text(all_text(element))


def _atom_link(element: etree._Element, parts: EntryParts) -> None:
    """The alternate HTML link; the last one wins, as in feedparser."""
    href = alternate_href(element)
    if href is not None:
        parts.link = href


def _atom_id(element: etree._Element, parts: EntryParts) -> None:
    """The id; an http(s) id is also the link when the entry has no alternate link."""
    parts.id = optional_text(all_text(element))
    if parts.id is not None and _WEB_URL.match(parts.id):
        parts.fallback_link = parts.id


def _atom_author(element: etree._Element, parts: EntryParts) -> None:
    for child in element:
        if child.tag == _ATOM_NAME:
            name = collapse_whitespace(all_text(child))
            if name:
                parts.authors.append(name)


_ATOM_ENTRY = f"{{{ATOM}}}entry"
_ATOM_NAME = f"{{{ATOM}}}name"
_ATOM_ENTRY_HANDLERS: dict[str, Handler] = {
    f"{{{ATOM}}}title": _atom_title,
    f"{{{ATOM}}}link": _atom_link,
    f"{{{ATOM}}}id": _atom_id,
    f"{{{ATOM}}}summary": _atom_summary,
    f"{{{ATOM}}}content": _atom_content,
    f"{{{ATOM}}}published": set_published,
    f"{{{ATOM}}}updated": set_updated,
    f"{{{ATOM}}}author": _atom_author,
    f"{{{DC}}}creator": add_dc_creator,
    f"{{{DCTERMS}}}issued": set_published,
    f"{{{DC}}}date": set_updated,
}
_ATOM_FEED_HANDLERS: dict[str, Handler] = {
    f"{{{ATOM}}}title": _atom_title,
    f"{{{ATOM}}}link": _atom_link,
    f"{{{ATOM}}}id": _atom_id,
}
