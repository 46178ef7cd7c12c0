"""Where article links come from: feeds, sitemaps, listing pages, and URL identity."""

from monitor.sources.feeds import feed_article_links, parse_feed
from monitor.sources.kinds import detect_document_kind
from monitor.sources.urls import canonical_web_url, canonicalize_url, same_site

__all__ = [
    "canonical_web_url",
    "canonicalize_url",
    "detect_document_kind",
    "feed_article_links",
    "parse_feed",
    "same_site",
]
