"""The fast path for feeds: well-formed RSS 0.91–2.0, RSS 1.0 and Atom 1.0 read with lxml.etree.

One pass over each item's children, dispatching on the element's qualified name. Whatever this path
does not read cleanly — XML that is not well formed, internal DTDs and entities, Atom 0.3, CDF, an
HTTP charset that contradicts the document — raises ``NotClean`` and goes to feedparser instead.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast
from urllib.parse import urljoin

from lxml import etree

from monitor.errors import ParseError
from monitor.models import Feed, FeedEntry
from monitor.sources.dates import parse_date
from monitor.sources.text import collapse_whitespace, html_to_text, optional_text

ATOM = "http://www.w3.org/2005/Atom"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XHTML = "http://www.w3.org/1999/xhtml"
MEDIA = "http://search.yahoo.com/mrss/"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
RSS_NAMESPACES = ("", RSS10, RSS090, "http://backend.userland.com/rss2")
HTML_LINK_TYPES = frozenset({"text/html", "application/xhtml+xml"})
NOT_FEED_ROOTS = {"urlset": "a sitemap", "sitemapindex": "a sitemap index", "html": "an HTML page"}
_UNSAFE_SCHEME = re.compile(r"\s*(?:javascript|vbscript|data):", re.IGNORECASE)
_PLAIN_ABSOLUTE = re.compile(r"https?://")
_WEB_URL = re.compile(r"https?://[^\s/]", re.IGNORECASE)
_RSS_AUTHOR_NAME = re.compile(r"\(([^()]+)\)\s*$")
_local = threading.local()


class NotClean(Exception):
    """The fast path declines this document; the fallback parser reads it instead."""


@dataclass(slots=True)
class _Parts:
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


Handler = Callable[[etree._Element, _Parts], None]


def parse_xml_feed(content: bytes, url: str, http_charset: str | None = None) -> Feed:
    """Read a well-formed RSS or Atom 1.0 document, or raise ``NotClean`` / ``ParseError``."""
    root = _parse_document(content, url, http_charset)
    namespace, _, name = _split_tag(root.tag)
    if name in NOT_FEED_ROOTS:
        raise ParseError(f"{url}: not a feed: the document is {NOT_FEED_ROOTS[name]}")
    if name == "rss" and namespace in RSS_NAMESPACES:
        return _parse_rss(root)
    if name == "RDF" and namespace == RDF:
        return _parse_rdf(root)
    if name == "feed" and namespace == ATOM:
        return _parse_atom(root)
    raise NotClean(f"root element {root.tag!r}")


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def _parse_document(content: bytes, url: str, http_charset: str | None) -> etree._Element:
    try:
        root = etree.fromstring(content, _parser(), base_url=url)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotClean(str(exc)) from exc
    if root is None:
        raise NotClean("empty document")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None:
        raise NotClean("internal DTD (entities are left to the fallback parser)")
    if http_charset and _codec(http_charset) != _codec(docinfo.encoding or "utf-8"):
        raise NotClean(f"HTTP charset {http_charset} contradicts the document")
    return root


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _split_tag(tag: object) -> tuple[str, str, str]:
    """``("{ns}name")`` → ``(ns, "}", name)``; a comment or PI gives an empty name."""
    if not isinstance(tag, str):
        return "", "", ""
    if tag[0] == "{":
        namespace, _, name = tag[1:].partition("}")
        return namespace, "}", name
    return "", "", tag


# --- RSS 0.91–2.0 and RSS 1.0 -------------------------------------------------------------


def _parse_rss(root: etree._Element) -> Feed:
    channel = _first_child(root, "channel", RSS_NAMESPACES)
    if channel is None:
        raise NotClean("rss without a channel")
    items = [child for child in channel if _is_rss(child, "item")]
    items += [child for child in root if _is_rss(child, "item")]
    version = (root.get("version") or "").replace(".", "")
    return _rss_feed(channel, items, f"rss{version}" if version.isdigit() else "rss")


def _parse_rdf(root: etree._Element) -> Feed:
    channel = _first_child(root, "channel", (RSS10, RSS090))
    if channel is None:
        raise NotClean("RDF without an RSS channel")
    items = [child for child in root if _is_rss(child, "item")]
    items += [child for child in channel if _is_rss(child, "item")]
    namespace = _split_tag(channel.tag)[0]
    return _rss_feed(channel, items, "rss10" if namespace == RSS10 else "rss090")


def _rss_feed(channel: etree._Element, items: list[etree._Element], version: str) -> Feed:
    head = _Parts()
    for child in channel:
        handler = _RSS_CHANNEL_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, head)
    return Feed(
        title=head.title,
        link=head.link or head.fallback_link,
        entries=tuple(_rss_entry(item) for item in items),
        format=version,
    )


def _rss_entry(item: etree._Element) -> FeedEntry:
    parts = _Parts(id=optional_text(item.get(f"{{{RDF}}}about")))
    for child in item:
        handler = _RSS_ITEM_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, parts)
    return parts.entry()


def _is_rss(element: etree._Element, name: str) -> bool:
    namespace, _, local = _split_tag(element.tag)
    return local == name and namespace in RSS_NAMESPACES


def _first_child(
    parent: etree._Element, name: str, namespaces: tuple[str, ...]
) -> etree._Element | None:
    for child in parent:
        namespace, _, local = _split_tag(child.tag)
        if local == name and namespace in namespaces:
            return child
    return None


def _rss_title(element: etree._Element, parts: _Parts) -> None:
    if parts.title is None:
        parts.title = optional_text(html_to_text(_all_text(element)))


def _rss_link(element: etree._Element, parts: _Parts) -> None:
    if parts.link is None:
        href = element.get("href")
        parts.link = _alternate_href(element) if href else _resolve(element, _all_text(element))


def _rss_guid(element: etree._Element, parts: _Parts) -> None:
    value = optional_text(_all_text(element))
    if value is None:
        return
    parts.id = value
    permalink = element.get("isPermaLink", element.get("ispermalink", "true"))
    if permalink.strip().lower() == "true":
        parts.fallback_link = _resolve(element, value)


def _rss_description(element: etree._Element, parts: _Parts) -> None:
    if parts.summary is None:
        parts.summary = optional_text(_all_text(element))


def _rss_content(element: etree._Element, parts: _Parts) -> None:
    if parts.content is None:
        parts.content = optional_text(_all_text(element))


def _rss_author(element: etree._Element, parts: _Parts) -> None:
    value = collapse_whitespace(_all_text(element))
    named = _RSS_AUTHOR_NAME.search(value)
    if named:
        value = named.group(1).strip()
    if value:
        parts.authors.append(value)


def _dc_creator(element: etree._Element, parts: _Parts) -> None:
    value = collapse_whitespace(_all_text(element))
    if value:
        parts.authors.append(value)


def _published(element: etree._Element, parts: _Parts) -> None:
    parts.published = parse_date(_all_text(element)) or parts.published


def _updated(element: etree._Element, parts: _Parts) -> None:
    parts.updated = parse_date(_all_text(element)) or parts.updated


def _media_title(element: etree._Element, parts: _Parts) -> None:
    if parts.fallback_title is None:
        parts.fallback_title = optional_text(collapse_whitespace(_all_text(element)))


def _atom_link_in_rss(element: etree._Element, parts: _Parts) -> None:
    href = _alternate_href(element)
    if href is not None and parts.fallback_link is None:
        parts.fallback_link = href


def _rss_names(local: str) -> list[str]:
    return [f"{{{namespace}}}{local}" if namespace else local for namespace in RSS_NAMESPACES]


def _handlers(table: dict[str, Handler]) -> dict[str, Handler]:
    """Expand plain RSS names to every RSS namespace; keep qualified names as given."""
    expanded: dict[str, Handler] = {}
    for name, handler in table.items():
        for qualified in [name] if name.startswith("{") else _rss_names(name):
            expanded[qualified] = handler
    return expanded


_RSS_ITEM_HANDLERS = _handlers(
    {
        "title": _rss_title,
        f"{{{DC}}}title": _rss_title,
        "link": _rss_link,
        "guid": _rss_guid,
        "id": _rss_guid,
        "published": _published,
        "updated": _updated,
        f"{{{MEDIA}}}title": _media_title,
        "description": _rss_description,
        f"{{{DC}}}description": _rss_description,
        f"{{{CONTENT}}}encoded": _rss_content,
        "pubDate": _published,
        f"{{{DCTERMS}}}issued": _published,
        f"{{{ATOM}}}published": _published,
        f"{{{DC}}}date": _updated,
        f"{{{DCTERMS}}}modified": _updated,
        f"{{{ATOM}}}updated": _updated,
        "author": _rss_author,
        f"{{{DC}}}creator": _dc_creator,
        f"{{{DC}}}author": _dc_creator,
        f"{{{ATOM}}}link": _atom_link_in_rss,
    }
)
_RSS_CHANNEL_HANDLERS = _handlers(
    {
        "title": _rss_title,
        f"{{{DC}}}title": _rss_title,
        "link": _rss_link,
        f"{{{ATOM}}}link": _atom_link_in_rss,
    }
)


# --- Atom 1.0 -----------------------------------------------------------------------------


def _parse_atom(root: etree._Element) -> Feed:
    head = _Parts()
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
    parts = _Parts()
    for child in element:
        handler = _ATOM_ENTRY_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, parts)
    return parts.entry()


def _atom_text(element: etree._Element) -> str | None:
    """An Atom text construct as plain text: ``text`` as is, ``html`` and ``xhtml`` unmarked."""
    kind = (element.get("type") or "text").strip().lower()
    if kind in ("html", "text/html"):
        return optional_text(html_to_text(_all_text(element)))
    if kind not in ("text", "xhtml", "text/plain"):
        raise NotClean(f"text construct of type {kind!r}")
    return optional_text(collapse_whitespace(_all_text(element)))


def _atom_title(element: etree._Element, parts: _Parts) -> None:
    if parts.title is None:
        parts.title = _atom_text(element)


def _atom_summary(element: etree._Element, parts: _Parts) -> None:
    if parts.summary is None:
        parts.summary = optional_text(_all_text(element))


def _atom_content(element: etree._Element, parts: _Parts) -> None:
    if parts.content is None:
        parts.content = optional_text(_all_text(element))


def _atom_link(element: etree._Element, parts: _Parts) -> None:
    """The alternate HTML link; the last one wins, as in feedparser."""
    href = _alternate_href(element)
    if href is not None:
        parts.link = href


def _alternate_href(element: etree._Element) -> str | None:
    """``href`` of an alternate link to an HTML page (no ``rel`` means alternate), else None."""
    rel = (element.get("rel") or "alternate").strip().lower()
    if rel not in ("alternate", "http://www.iana.org/assignments/relation/alternate"):
        return None
    kind = (element.get("type") or "text/html").strip().lower()
    if kind not in HTML_LINK_TYPES:
        return None
    return _resolve(element, element.get("href") or _all_text(element))


def _atom_id(element: etree._Element, parts: _Parts) -> None:
    """The id; an http(s) id is also the link when the entry has no alternate link."""
    parts.id = optional_text(_all_text(element))
    if parts.id is not None and _WEB_URL.match(parts.id):
        parts.fallback_link = parts.id


def _atom_author(element: etree._Element, parts: _Parts) -> None:
    for child in element:
        if child.tag == _ATOM_NAME:
            name = collapse_whitespace(_all_text(child))
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
    f"{{{ATOM}}}published": _published,
    f"{{{ATOM}}}updated": _updated,
    f"{{{ATOM}}}author": _atom_author,
    f"{{{DC}}}creator": _dc_creator,
    f"{{{DCTERMS}}}issued": _published,
    f"{{{DC}}}date": _updated,
}
_ATOM_FEED_HANDLERS: dict[str, Handler] = {
    f"{{{ATOM}}}title": _atom_title,
    f"{{{ATOM}}}link": _atom_link,
    f"{{{ATOM}}}id": _atom_id,
}


# --- shared -------------------------------------------------------------------------------


def _all_text(element: etree._Element) -> str:
    """The element's character data, nested markup included (CDATA is merged by the parser)."""
    if len(element) == 0:
        return element.text or ""
    return "".join(cast("Iterator[str]", element.itertext()))


def _resolve(element: etree._Element, reference: str) -> str | None:
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
