"""Where article links come from: feeds, sitemaps, listing pages, and URL identity."""

from monitor.sources.feeds import feed_article_links, parse_feed
from monitor.sources.kinds import DocumentKind, detect_document_kind
from monitor.sources.listing import find_article_links
from monitor.sources.sitemaps import Sitemap, parse_sitemap
from monitor.sources.urls import (
    canonical_web_url,
    canonicalize_url,
    preferred_canonical_url,
    same_site,
)

__all__ = [
    "DocumentKind",
    "Sitemap",
    "canonical_web_url",
    "canonicalize_url",
    "detect_document_kind",
    "feed_article_links",
    "find_article_links",
    "parse_feed",
    "parse_sitemap",
    "preferred_canonical_url",
    "same_site",
]
