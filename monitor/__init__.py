"""monitor: a self-hosted news monitoring daemon that tells you what is new in a story."""

from monitor.errors import ConfigError, FetchError, MonitorError, ParseError, StoreError
from monitor.models import Article, Development, DevelopmentKind, Feed, FeedEntry, Page

__version__ = "0.1.0"

__all__ = [
    "Article",
    "ConfigError",
    "Development",
    "DevelopmentKind",
    "Feed",
    "FeedEntry",
    "FetchError",
    "MonitorError",
    "Page",
    "ParseError",
    "StoreError",
    "__version__",
]
