"""The fetch edge: the only part of monitor that talks HTTP to news sources.

``build_client(options)`` makes the one shared ``httpx.AsyncClient``; ``Fetcher(client, options)``
does polite, conditional, bounded GETs with it and returns ``Page`` values; ``fetch_url_once`` is
the one-shot version for CLI commands. Everything that goes wrong is a ``FetchError``.
"""

from monitor.fetch.client import build_client
from monitor.fetch.fetcher import (
    Fetcher,
    content_hash,
    fetch_url_once,
    host_key,
    supported_content_type,
)
from monitor.fetch.options import DEFAULT_POLICY, FetchOptions, SourceFetchPolicy
from monitor.fetch.politeness import HostGuard

__all__ = [
    "DEFAULT_POLICY",
    "FetchOptions",
    "Fetcher",
    "HostGuard",
    "SourceFetchPolicy",
    "build_client",
    "content_hash",
    "fetch_url_once",
    "host_key",
    "supported_content_type",
]
