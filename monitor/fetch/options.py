"""Plain settings for fetching: what the service builds from config, and per-source overrides.

``FetchOptions`` holds the service-wide values (one per process, shared by every source);
``SourceFetchPolicy`` holds the few things a single source may override. Both are frozen plain
values so that they can be built in ``config.py``/``service.py`` and passed down unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from monitor import __version__
from monitor.defaults import TOTAL_TIMEOUT

DEFAULT_ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8,*/*;q=0.1"
)
MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Service-wide fetch settings. Times are in seconds, sizes in bytes.

    ``total_timeout`` bounds one attempt from the first byte sent to the last byte read,
    redirects included; retries come on top (see ``Fetcher.fetch``). ``max_decompressed_ratio``
    refuses a compressed body that inflates to more than that many times its wire size
    (once it is past ``ratio_guard_floor`` bytes), so a bomb stops long before ``max_bytes``.
    """

    user_agent: str = f"monitor/{__version__}"
    contact_url: str | None = None
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = TOTAL_TIMEOUT
    max_bytes: int = 10 * MEGABYTE
    max_redirects: int = 5
    max_connections: int = 100
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0
    retries: int = 2
    backoff_base: float = 0.5
    max_backoff: float = 10.0
    obey_robots: bool = True
    allow_private_networks: bool = False
    accept: str = DEFAULT_ACCEPT
    accept_language: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    robots_ttl: float = 86_400.0
    robots_error_ttl: float = 600.0
    max_robots_bytes: int = 500 * 1024  # RFC 9309: at least 500 KiB are parsed, the rest ignored
    max_crawl_delay: float = 60.0
    max_retry_after: float = 86_400.0
    max_decompressed_ratio: float = 100.0
    ratio_guard_floor: int = MEGABYTE
    transport: Literal["aiohttp", "httpx"] = "aiohttp"

    @property
    def user_agent_header(self) -> str:
        """The User-Agent we send: the product token, plus the contact URL when there is one."""
        if self.contact_url:
            return f"{self.user_agent} (+{self.contact_url})"
        return self.user_agent

    @property
    def robots_token(self) -> str:
        """The product token robots.txt groups are matched against: ``monitor`` in ``monitor/1``."""
        return self.user_agent.split("/", 1)[0].split(" ", 1)[0].strip().lower() or "*"


@dataclass(frozen=True, slots=True)
class SourceFetchPolicy:
    """What one source may override; ``None`` means "as in ``FetchOptions``".

    ``headers`` are added to (and win over) ``FetchOptions.extra_headers``.
    """

    obey_robots: bool | None = None
    allow_private_networks: bool | None = None
    accept_language: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def obeys_robots(self, options: FetchOptions) -> bool:
        return options.obey_robots if self.obey_robots is None else self.obey_robots

    def allows_private_networks(self, options: FetchOptions) -> bool:
        if self.allow_private_networks is None:
            return options.allow_private_networks
        return self.allow_private_networks


DEFAULT_POLICY = SourceFetchPolicy()
