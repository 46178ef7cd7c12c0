"""monitor: a self-hosted news monitoring daemon that tells you what is new in a story.

The public API is the pure core — parsing, extraction, the story engine, topics and payloads —
which works on plain values and can be used without the daemon.
"""

__version__ = "0.1.0"  # before the imports: submodules read it while the package loads

from monitor.alerts import build_payload, format_for, sign
from monitor.errors import ConfigError, FetchError, MonitorError, ParseError, StoreError
from monitor.extract import ExtractRules, extract_article
from monitor.models import (
    Article,
    ArticleLink,
    ChangedFact,
    Development,
    DevelopmentKind,
    Feed,
    FeedEntry,
    Page,
)
from monitor.sources import (
    Sitemap,
    canonicalize_url,
    detect_document_kind,
    feed_article_links,
    find_article_links,
    parse_feed,
    parse_sitemap,
)
from monitor.topics import matching_topics, parse_query
from monitor.track import Observation, TrackConfig, Tracker, TrackEvent, TrackResult, replay

__all__ = [
    "Article",
    "ArticleLink",
    "ChangedFact",
    "ConfigError",
    "Development",
    "DevelopmentKind",
    "ExtractRules",
    "Feed",
    "FeedEntry",
    "FetchError",
    "MonitorError",
    "Observation",
    "Page",
    "ParseError",
    "Sitemap",
    "StoreError",
    "TrackConfig",
    "TrackEvent",
    "TrackResult",
    "Tracker",
    "__version__",
    "build_payload",
    "canonicalize_url",
    "detect_document_kind",
    "extract_article",
    "feed_article_links",
    "find_article_links",
    "format_for",
    "matching_topics",
    "parse_feed",
    "parse_query",
    "parse_sitemap",
    "replay",
    "sign",
]
