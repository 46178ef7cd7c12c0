"""RSS 0.91–2.0 and RSS 1.0 (RDF) on the fast path: one pass over each item's children."""

from __future__ import annotations

import re

from lxml import etree

from monitor.models import Feed, FeedEntry
from monitor.sources.feed_elements import (
    ATOM,
    CONTENT,
    DC,
    DCTERMS,
    MEDIA,
    RDF,
    RSS090,
    RSS10,
    RSS_NAMESPACES,
    EntryParts,
    Handler,
    NotClean,
    add_dc_creator,
    all_text,
    alternate_href,
    resolve,
    set_published,
    set_updated,
    split_tag,
)
from monitor.sources.text import collapse_whitespace, html_to_text, optional_text

_RSS_AUTHOR_NAME = re.compile(r"\(([^()]+)\)\s*$")


def parse_rss(root: etree._Element) -> Feed:
    channel = _first_child(root, "channel", RSS_NAMESPACES)
    if channel is None:
        raise NotClean("rss without a channel")
    items = [child for child in channel if _is_rss(child, "item")]
    items += [child for child in root if _is_rss(child, "item")]
    version = (root.get("version") or "").replace(".", "")
    return _rss_feed(channel, items, f"rss{version}" if version.isdigit() else "rss")


def parse_rdf(root: etree._Element) -> Feed:
    channel = _first_child(root, "channel", (RSS10, RSS090))
    if channel is None:
        raise NotClean("RDF without an RSS channel")
    items = [child for child in root if _is_rss(child, "item")]
    items += [child for child in channel if _is_rss(child, "item")]
    namespace = split_tag(channel.tag)[0]
    return _rss_feed(channel, items, "rss10" if namespace == RSS10 else "rss090")


def _rss_feed(channel: etree._Element, items: list[etree._Element], version: str) -> Feed:
    head = EntryParts()
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
    parts = EntryParts(id=optional_text(item.get(f"{{{RDF}}}about")))
    for child in item:
        handler = _RSS_ITEM_HANDLERS.get(child.tag)
        if handler is not None:
            handler(child, parts)
    return parts.entry()


def _is_rss(element: etree._Element, name: str) -> bool:
    namespace, _, local = split_tag(element.tag)
    return local == name and namespace in RSS_NAMESPACES


def _first_child(
    parent: etree._Element, name: str, namespaces: tuple[str, ...]
) -> etree._Element | None:
    for child in parent:
        namespace, _, local = split_tag(child.tag)
        if local == name and namespace in namespaces:
            return child
    return None


def _rss_title(element: etree._Element, parts: EntryParts) -> None:
    if parts.title is None:
        parts.title = optional_text(html_to_text(all_text(element)))


def _rss_link(element: etree._Element, parts: EntryParts) -> None:
    if parts.link is None:
        href = element.get("href")
        parts.link = alternate_href(element) if href else resolve(element, all_text(element))


def _rss_guid(element: etree._Element, parts: EntryParts) -> None:
    value = optional_text(all_text(element))
    if value is None:
        return
    parts.id = value
    permalink = element.get("isPermaLink", element.get("ispermalink", "true"))
    if permalink.strip().lower() == "true":
        parts.fallback_link = resolve(element, value)


def _rss_description(element: etree._Element, parts: EntryParts) -> None:
    if parts.summary is None:
        parts.summary = optional_text(all_text(element))


def _rss_content(element: etree._Element, parts: EntryParts) -> None:
    if parts.content is None:
        parts.content = optional_text(all_text(element))


def _rss_author(element: etree._Element, parts: EntryParts) -> None:
    value = collapse_whitespace(all_text(element))
    named = _RSS_AUTHOR_NAME.search(value)
    if named:
        value = named.group(1).strip()
    if value:
        parts.authors.append(value)


def _media_title(element: etree._Element, parts: EntryParts) -> None:
    if parts.fallback_title is None:
        parts.fallback_title = optional_text(collapse_whitespace(all_text(element)))


def _atom_link_in_rss(element: etree._Element, parts: EntryParts) -> None:
    href = alternate_href(element)
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
        "published": set_published,
        "updated": set_updated,
        f"{{{MEDIA}}}title": _media_title,
        "description": _rss_description,
        f"{{{DC}}}description": _rss_description,
        f"{{{CONTENT}}}encoded": _rss_content,
        "pubDate": set_published,
        f"{{{DCTERMS}}}issued": set_published,
        f"{{{ATOM}}}published": set_published,
        f"{{{DC}}}date": set_updated,
        f"{{{DCTERMS}}}modified": set_updated,
        f"{{{ATOM}}}updated": set_updated,
        "author": _rss_author,
        f"{{{DC}}}creator": add_dc_creator,
        f"{{{DC}}}author": add_dc_creator,
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
