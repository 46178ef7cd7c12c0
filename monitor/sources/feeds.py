"""Feeds → ``Feed`` values, and the article links the pipeline follows from them.

``parse_feed`` tries the fast lxml path (``feed_xml``) on XML, reads JSON Feed directly, and hands
whatever the fast path declines to feedparser (``feed_fallback``). Every entry comes out with a
plain-text title, an absolute link and timezone-aware dates, whichever path read it.
"""

from __future__ import annotations

from monitor.errors import ParseError
from monitor.models import ArticleLink, Feed
from monitor.sources.feed_fallback import parse_with_feedparser
from monitor.sources.feed_json import looks_like_json, parse_json_feed
from monitor.sources.feed_xml import NotClean, parse_xml_feed
from monitor.sources.kinds import sniff_document_kind
from monitor.sources.urls import canonicalize_url, is_web_url


def parse_feed(content: bytes, url: str, content_type: str | None = None) -> Feed:
    """Parse an RSS 0.9x/1.0/2.0, Atom or JSON Feed document fetched from ``url``.

    ``content_type`` is the HTTP Content-Type (its charset, if any, is honoured). Raises
    ``ParseError`` naming the URL when the document is not a feed at all.
    """
    if not content.strip():
        raise ParseError(f"{url}: not a feed: the document is empty")
    if looks_like_json(content):
        return parse_json_feed(content, url)
    try:
        return parse_xml_feed(content, url, charset_parameter(content_type))
    except NotClean:
        pass
    kind = sniff_document_kind(content)
    if kind is not None and kind != "feed":
        raise ParseError(f"{url}: not a feed: the document is {_KIND_NAMES[kind]}")
    return parse_with_feedparser(content, url, content_type)


def feed_article_links(feed: Feed, strip_params: frozenset[str] | None = None) -> list[ArticleLink]:
    """The feed's entries as canonical article links, first occurrence of each URL kept."""
    links: dict[str, ArticleLink] = {}
    for entry in feed.entries:
        if not entry.link or not is_web_url(entry.link):
            continue
        url = canonicalize_url(entry.link, base=feed.link, strip_params=strip_params)
        if url not in links:
            links[url] = ArticleLink(url, entry.title, entry.published, entry.updated)
    return list(links.values())


_KIND_NAMES = {"sitemap": "a sitemap", "html": "an HTML page", "feed": "a feed"}


def charset_parameter(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'") or None
    return None
