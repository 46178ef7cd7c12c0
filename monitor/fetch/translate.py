"""Turn whatever httpx, aiohttp, the ssl module or the OS raised into one of our ``FetchError``s,
with a message that names the URL and says what happened in plain words."""

from __future__ import annotations

import os
import socket
import ssl

import aiohttp
import httpx

from monitor.errors import BlockedURL, ConnectError, FetchError, FetchTimeout
from monitor.fetch.options import FetchOptions

FOREIGN_ERRORS = (httpx.HTTPError, httpx.InvalidURL, aiohttp.ClientError, OSError, ssl.SSLError)


def total_timeout(url: str, seconds: float) -> FetchTimeout:
    """The attempt ran past ``total_timeout``; not worth retrying at once (the server drips)."""
    error = FetchTimeout(f"timed out after {seconds:g}s (total) fetching {url}", url)
    error.retryable = False
    return error


def translate(exc: BaseException, url: str, options: FetchOptions) -> FetchError:
    """Our error for a foreign exception raised while fetching ``url``."""
    if isinstance(exc.__cause__, aiohttp.ClientError):
        # httpx-aiohttp's own mapping is lossy (a refused connection becomes ConnectTimeout)
        return _from_aiohttp(exc.__cause__, url, options)
    if isinstance(exc, aiohttp.ClientError):
        return _from_aiohttp(exc, url, options)
    if isinstance(exc, httpx.TimeoutException):
        return _timeout(exc, url, options)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return BlockedURL(f"refused {url}: not a URL we can fetch ({_cause(exc)})", url)
    if isinstance(exc, httpx.ConnectError):
        return ConnectError(f"could not connect for {url}: {_cause(exc)}", url)
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc):
        return FetchError(f"{url} redirects to an invalid URL: {exc}", url)
    if isinstance(exc, httpx.ReadError | httpx.RemoteProtocolError | httpx.WriteError):
        return _lost(exc, url)
    if isinstance(exc, ConnectionError):
        return _lost(exc, url)
    if isinstance(exc, ssl.SSLError):
        return ConnectError(f"TLS failed for {url}: {_cause(exc)}", url)
    if isinstance(exc, OSError):
        return ConnectError(f"could not connect for {url}: {_cause(exc)}", url)
    return FetchError(f"fetching {url} failed: {_cause(exc)}", url)


def _from_aiohttp(exc: aiohttp.ClientError, url: str, options: FetchOptions) -> FetchError:
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return FetchTimeout(
            f"timed out after {options.connect_timeout:g}s connecting to {url}", url
        )
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return FetchTimeout(f"timed out after {options.read_timeout:g}s reading {url}", url)
    if isinstance(exc, aiohttp.ClientSSLError):
        return ConnectError(f"TLS failed for {url}: {_cause(exc)}", url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = _os_reason(exc.os_error)
        return ConnectError(f"could not connect to {exc.host}:{exc.port} for {url}: {reason}", url)
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError(f"the server sent an invalid HTTP answer for {url}: {exc.message}", url)
    if isinstance(exc, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
        return _lost(exc, url)
    return FetchError(f"fetching {url} failed: {_cause(exc)}", url)


def _timeout(exc: httpx.TimeoutException, url: str, options: FetchOptions) -> FetchTimeout:
    if isinstance(exc, httpx.ConnectTimeout):
        phase, seconds = "connecting to", options.connect_timeout
    elif isinstance(exc, httpx.PoolTimeout):
        phase, seconds = "waiting for a free connection for", options.total_timeout
    elif isinstance(exc, httpx.WriteTimeout):
        phase, seconds = "sending the request to", options.read_timeout
    else:
        phase, seconds = "reading", options.read_timeout
    return FetchTimeout(f"timed out after {seconds:g}s {phase} {url}", url)


def _os_reason(error: OSError) -> str:
    """``Connection refused`` / ``Name or service not known`` rather than errno soup."""
    if isinstance(error, socket.gaierror) and error.strerror:
        return f"DNS lookup failed ({error.strerror})"
    if error.errno and error.errno > 0:
        return os.strerror(error.errno)
    return str(error) or type(error).__name__


def _lost(exc: BaseException, url: str) -> ConnectError:
    return ConnectError(f"connection lost while reading {url}: {_cause(exc)}", url)


def _cause(exc: BaseException) -> str:
    """The innermost readable reason: ``connection reset by peer`` rather than a class name."""
    reasons: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(reasons) < 5:
        if isinstance(current, ConnectionResetError):
            return "the server reset the connection"
        text = str(current).strip()
        if text and text not in reasons:
            reasons.append(text)
        current = current.__cause__ or current.__context__
    return reasons[-1] if reasons else type(exc).__name__
