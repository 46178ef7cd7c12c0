"""A bound on the HTTP endpoint's connections, so that idle clients cannot exhaust the daemon.

Every connection the endpoint accepts goes through a ``ConnectionGuard``: one silent for
``idle_seconds`` is closed, and at most ``limit`` are open at once (well below the process's file
limit, which the daemon's fetches, database and webhooks share). At the limit a new connection
makes room by closing the one quiet the longest, so ``/healthz`` still answers while a thousand
idle sockets try to hold the door; that is logged once a minute with a count, not per connection.
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import structlog
from aiohttp import web

log = structlog.get_logger("monitor.server")

IDLE_SECONDS = 15.0
LOG_EVERY_SECONDS = 60.0


def connection_limit() -> int:
    """A quarter of the soft file limit, between 16 and 512."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 512
    return max(16, min(512, soft // 4))


class _Guarded(asyncio.Protocol):
    """One connection: the aiohttp handler behind it, and when it was last heard from."""

    def __init__(self, guard: ConnectionGuard, inner: Any) -> None:
        self.guard, self.inner = guard, inner
        self.transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.guard.opened(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.guard.heard(self)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()  # type: ignore[no-any-return]

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class ConnectionGuard:
    """Wraps the aiohttp protocol factory; see the module docstring."""

    def __init__(
        self,
        limit: int | None = None,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit or connection_limit()
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._open: OrderedDict[_Guarded, float] = OrderedDict()  # quietest first
        self._sweeper: asyncio.TimerHandle | None = None
        self._evicted = 0
        self._logged_at: float | None = None

    def wrap(self, factory: Callable[[], Any]) -> Callable[[], asyncio.Protocol]:
        return lambda: _Guarded(self, factory())

    @property
    def open_connections(self) -> int:
        return len(self._open)

    def opened(self, connection: _Guarded) -> None:
        while len(self._open) >= self.limit:
            quietest, _ = self._open.popitem(last=False)
            quietest.close()
            self._evicted += 1
            self._log_eviction()
        self._open[connection] = self.clock()
        self._schedule_sweep()

    def heard(self, connection: _Guarded) -> None:
        if connection in self._open:
            self._open[connection] = self.clock()
            self._open.move_to_end(connection)

    def closed(self, connection: _Guarded) -> None:
        self._open.pop(connection, None)

    def close_all(self) -> None:
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        if self._sweeper is not None:
            self._sweeper.cancel()

    def sweep(self) -> int:
        """Close connections silent for ``idle_seconds``; how many."""
        self._sweeper = None
        cutoff = self.clock() - self.idle_seconds
        closed = 0
        while self._open:
            connection, heard = next(iter(self._open.items()))
            if heard > cutoff:
                break
            self._open.popitem(last=False)
            connection.close()
            closed += 1
        self._schedule_sweep()
        return closed

    def _schedule_sweep(self) -> None:
        if self._sweeper is None and self._open:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(self.idle_seconds / 3, self.sweep)

    def _log_eviction(self) -> None:
        now = self.clock()
        if self._logged_at is not None and now - self._logged_at < LOG_EVERY_SECONDS:
            return
        log.warning(
            "connections_at_limit",
            limit=self.limit,
            closed_quietest=self._evicted,
            note="logged at most once a minute",
        )
        self._logged_at, self._evicted = now, 0


class GuardedSite(web.BaseSite):
    """``web.TCPSite`` with every connection going through a ``ConnectionGuard``."""

    def __init__(self, runner: web.BaseRunner, host: str, port: int, guard: ConnectionGuard):
        super().__init__(runner)
        self._host, self._port, self.guard = host, port, guard

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.guard.wrap(server), self._host, self._port)

    async def stop(self) -> None:
        self.guard.close_all()
        await super().stop()
