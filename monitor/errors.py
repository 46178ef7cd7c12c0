"""The exception tree of monitor.

Every error the service raises on purpose is a ``MonitorError``; anything else is a bug.
Messages are meant for the user: they name the source, the URL or the file:line and the cause.

    MonitorError
    ├── ConfigError          configuration file problems (all of them, with file:line:column)
    │   └── QueryError       a topic query that does not parse (points at the column)
    ├── FetchError           anything that went wrong getting a URL (always names the URL)
    │   ├── FetchTimeout     connect / read / total time limit exceeded
    │   ├── ConnectError     DNS, refused, reset
    │   ├── HTTPStatusError  4xx/5xx answers (carries the status and Retry-After)
    │   ├── TooLarge         body over the size cap, or a decompression bomb
    │   ├── TooManyRedirects more than the allowed redirects, or a redirect loop
    │   ├── BlockedURL       refused before sending: robots.txt, SSRF guard, bad scheme
    │   └── UnsupportedContent  a content type we do not parse
    ├── ParseError           a document that cannot be turned into values (names the URL)
    └── StoreError           the database refused or is of an unknown (newer) schema
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration is invalid; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class QueryError(ConfigError):
    """A topic query that does not parse; ``column`` is 1-based within the query text."""

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        self.reason = message
        super().__init__(f"column {column}: {message}")


class FetchError(MonitorError):
    """Getting a URL failed. ``url`` names it; the message says why in plain words."""

    retryable: bool = False

    def __init__(self, message: str, url: str) -> None:
        self.url = url
        super().__init__(message)


class FetchTimeout(FetchError):
    retryable = True


class ConnectError(FetchError):
    retryable = True


class HTTPStatusError(FetchError):
    def __init__(
        self, message: str, url: str, status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status >= 500 or self.status == 429


class TooLarge(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class BlockedURL(FetchError):
    pass


class UnsupportedContent(FetchError):
    pass


class ParseError(MonitorError):
    """A document could not be parsed into values."""


class StoreError(MonitorError):
    """The database failed, or its schema is not one this version knows."""
