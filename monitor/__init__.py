"""monitor: a self-hosted news monitoring daemon that tells you what is new in a story.

The public API is the pure core — parsing, extraction, the story engine, topics and payloads —
which works on plain values and can be used without the daemon. Its names are imported on first
use (PEP 562), so ``monitor --version`` and every command start without loading the whole stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
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

# Where the public names live, lightest first: a name is looked up in these in turn.
_MODULES = (
    "monitor.errors",
    "monitor.models",
    "monitor.topics",
    "monitor.extract",
    "monitor.sources",
    "monitor.track",
    "monitor.alerts",
)

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


def __getattr__(name: str) -> Any:
    """Import a public name from its module the first time it is asked for."""
    if name in __all__:
        for module in _MODULES:
            value = getattr(importlib.import_module(module), name, None)
            if value is not None:
                globals()[name] = value
                return value
    raise AttributeError(f"module 'monitor' has no attribute {name!r}")
