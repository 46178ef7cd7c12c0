"""Sitemaps → article links: urlset, sitemap indexes, Google News sitemaps, gzip-compressed bodies.

Elements are matched by local name, so sitemaps that get the namespace wrong (or leave it out)
still read. Google News entries carry ``news:publication_date`` and ``news:title``; ``lastmod``
becomes the link's ``updated``. Every URL is canonicalised; non-http(s) and unparseable ``loc``
values are skipped.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from lxml import etree

from monitor.errors import ParseError
from monitor.models import ArticleLink
from monitor.sources.dates import parse_date
from monitor.sources.text import collapse_whitespace, optional_text
from monitor.sources.urls import canonical_web_url

GZIP_MAGIC = b"\x1f\x8b"
MAX_SITEMAP_BYTES = 64 * 1024 * 1024  # the protocol allows 50 MB uncompressed; some overshoot


@dataclass(frozen=True, slots=True)
class Sitemap:
    """What one sitemap document lists: article links (urlset) or further sitemaps (index)."""

    links: tuple[ArticleLink, ...] = ()
    sitemaps: tuple[str, ...] = ()


def parse_sitemap(content: bytes, url: str, strip_params: frozenset[str] | None = None) -> Sitemap:
    """Read a sitemap or sitemap index fetched from ``url``; ``ParseError`` when it is neither."""
    root = _parse_xml(_decompress(content, url), url)
    name = _local_name(root)
    if name == "urlset":
        return Sitemap(links=tuple(_dedupe(_url_entries(root, url, strip_params))))
    if name == "sitemapindex":
        locations = (_loc(child, url, strip_params) for child in _children(root, "sitemap"))
        return Sitemap(sitemaps=tuple(dict.fromkeys(loc for loc in locations if loc)))
    raise ParseError(f"{url}: not a sitemap: the root element is <{name}>")


def _decompress(content: bytes, url: str) -> bytes:
    if content[:2] != GZIP_MAGIC:
        return content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        body = inflater.decompress(content, MAX_SITEMAP_BYTES)
    except zlib.error as exc:
        raise ParseError(f"{url}: broken gzip sitemap: {exc}") from exc
    if inflater.unconsumed_tail:
        raise ParseError(f"{url}: sitemap larger than {MAX_SITEMAP_BYTES} bytes uncompressed")
    return body


def _parse_xml(content: bytes, url: str) -> etree._Element:
    """Parse strictly; on a syntax error, once more in recovery mode (sitemaps are often sloppy)."""
    error: Exception | None = None
    for recover in (False, True):
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            recover=recover,
            huge_tree=True,
        )
        try:
            root = etree.fromstring(content, parser, base_url=url)
        except (etree.XMLSyntaxError, ValueError) as exc:
            error = exc
            continue
        if root is not None:
            return root
    raise ParseError(f"{url}: not a sitemap: the document is not XML ({error})")


def _url_entries(
    root: etree._Element, base: str, strip_params: frozenset[str] | None
) -> Iterator[ArticleLink]:
    for entry in _children(root, "url"):
        link = _loc(entry, base, strip_params)
        if link is None:
            continue
        news = _first(entry, "news")
        yield ArticleLink(
            url=link,
            title=_news_title(news),
            published=parse_date(_child_text(news, "publication_date")),
            updated=parse_date(_child_text(entry, "lastmod")),
        )


def _news_title(news: etree._Element | None) -> str | None:
    if news is None:
        return None
    title = _child_text(news, "title")
    return optional_text(collapse_whitespace(title)) if title else None


def _loc(entry: etree._Element, base: str, strip_params: frozenset[str] | None) -> str | None:
    location = _child_text(entry, "loc")
    if not location:
        return None
    return canonical_web_url(location, base=base, strip_params=strip_params)


def _dedupe(links: Iterator[ArticleLink]) -> list[ArticleLink]:
    seen: dict[str, ArticleLink] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return list(seen.values())


def _local_name(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(parent: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in parent if _local_name(child) == name)


def _first(parent: etree._Element, name: str) -> etree._Element | None:
    return next(_children(parent, name), None)


def _child_text(parent: etree._Element | None, name: str) -> str | None:
    if parent is None:
        return None
    child = _first(parent, name)
    if child is None:
        return None
    return optional_text("".join(cast("Iterator[str]", child.itertext())))
