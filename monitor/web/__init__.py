"""The web edge: pages, Atom feeds, the sources/alerts JSON API and token access.

Reads through the store's query functions and renders; it decides nothing.
"""

from monitor.web.access import token_middleware
from monitor.web.api import api_routes, json_errors
from monitor.web.pages import TopicLike, WebDeps, mount

__all__ = [
    "TopicLike",
    "WebDeps",
    "api_routes",
    "json_errors",
    "mount",
    "token_middleware",
]
