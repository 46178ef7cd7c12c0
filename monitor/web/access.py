"""Who may read the pages, feeds and API: anyone on a loopback address, a token holder otherwise.

The token comes as ``Authorization: Bearer <token>``, as ``?token=<token>`` (feed readers cannot
send headers) or as the cookie a browser got after opening a page with ``?token=``, so that the
links of a page keep working. ``/healthz`` stays open for probes.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

OPEN_PATHS = frozenset({"/healthz"})
COOKIE = "monitor_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def presented_token(request: web.Request) -> str | None:
    """The token a request carries, from the header, the query or the cookie (in that order)."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.query.get("token") or request.cookies.get(COOKIE)


def token_middleware(token: str) -> Middleware:
    """Answer 401 to every request (but ``/healthz``) that does not carry ``token``."""
    expected = token.encode()

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path in OPEN_PATHS:
            return await handler(request)
        given = presented_token(request)
        if given is None or not hmac.compare_digest(given.encode(), expected):
            raise web.HTTPUnauthorized(
                text="a token is needed: send 'Authorization: Bearer TOKEN' or add ?token=TOKEN",
                headers={"WWW-Authenticate": 'Bearer realm="monitor"'},
            )
        response = await handler(request)
        if request.query.get("token") and request.cookies.get(COOKIE) != given:
            response.set_cookie(COOKIE, given, httponly=True, samesite="Strict", path="/")
        return response

    return require_token
