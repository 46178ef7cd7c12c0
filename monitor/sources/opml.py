"""OPML, the list of feeds every feed reader imports and exports: read one into sources, write one.

Reading is strict about what it cannot use and says so by line: an outline without ``xmlUrl``
is a folder, and its title becomes the category of the feeds inside it; an ``xmlUrl`` that is
not http(s) is skipped with a reason. Names are made from titles so that they fit the
configuration's rules (letters, digits, ``-``, ``_``, ``.``) and are unique.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from urllib.parse import urlsplit

from lxml import etree

from monitor.errors import MonitorError

MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed of an OPML file."""

    name: str
    url: str
    title: str | None = None
    site_url: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class OpmlImport:
    feeds: tuple[OpmlFeed, ...]
    skipped: tuple[str, ...]  # "line N: why", one per outline that could not be used


def read_opml(content: bytes, filename: str, taken: Iterable[str] = ()) -> OpmlImport:
    """The feeds of an OPML document; names avoid ``taken`` (the sources already configured)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else 1
        raise MonitorError(f"{filename}:{line}: not an OPML file: {exc.msg}") from None
    if etree.QName(root).localname != "opml" or root.find("body") is None:
        raise MonitorError(
            f"{filename}:{root.sourceline or 1}: not an OPML file "
            f"(the document is <{etree.QName(root).localname}>, expected <opml> with a <body>)"
        )
    names = _Names(taken)
    feeds: list[OpmlFeed] = []
    skipped: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue  # a folder
        title = _title(outline)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            skipped.append(f"line {outline.sourceline}: {url!r} is not an http(s) URL")
            continue
        feeds.append(
            OpmlFeed(
                name=names.make(title or urlsplit(url).hostname or "feed"),
                url=url,
                title=title,
                site_url=(outline.get("htmlUrl") or "").strip() or None,
                category=_category(outline),
            )
        )
    return OpmlImport(tuple(feeds), tuple(skipped))


def _title(outline: etree._Element) -> str | None:
    text = outline.get("title") or outline.get("text") or ""
    return " ".join(text.split()) or None


def _category(outline: etree._Element) -> str | None:
    parent = outline.getparent()
    if parent is not None and parent.tag == "outline" and not parent.get("xmlUrl"):
        return _title(parent)
    return None


class _Names:
    def __init__(self, taken: Iterable[str]) -> None:
        self.taken = set(taken)

    def make(self, title: str) -> str:
        base = slug(title)
        name, number = base, 2
        while name in self.taken:
            suffix = f"-{number}"
            name = base[: MAX_NAME - len(suffix)] + suffix
            number += 1
        self.taken.add(name)
        return name


def slug(text: str) -> str:
    """A source name from a title: ``Le Monde – International`` → ``le-monde-international``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return name[:MAX_NAME].rstrip("-") or "feed"


def write_opml(feeds: Sequence[OpmlFeed], title: str, created: datetime) -> bytes:
    """An OPML 2.0 document listing ``feeds`` (grouped under their category, if any)."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(created)
    body = etree.SubElement(root, "body")
    folders: dict[str, etree._Element] = {}
    for feed in feeds:
        parent = body
        if feed.category:
            if feed.category not in folders:
                folders[feed.category] = etree.SubElement(
                    body, "outline", text=feed.category, title=feed.category
                )
            parent = folders[feed.category]
        outline = etree.SubElement(
            parent,
            "outline",
            type="rss",
            text=feed.title or feed.name,
            title=feed.title or feed.name,
            xmlUrl=feed.url,
        )
        if feed.site_url:
            outline.set("htmlUrl", feed.site_url)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))
