"""Per-host politeness: how many requests run at once, how far apart they start, and hosts that
asked us (429/503 with ``Retry-After``) to leave them alone for a while.

Requests to one host take turns to start: each waits (holding the host's spacing lock) until
``delay`` seconds after the previous one *actually* started, so that a late wake-up of one request
never shortens the gap before the next. The delay is the larger of the configured one and the
host's robots.txt ``Crawl-delay`` (capped).

Among several instances a ``HostGuard`` makes this the politeness of them all: a request goes
out only while this instance holds the host's lease (one instance at a time per host), and
when it ends the guard learns how long the host must still be left alone (spacing, block).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

SWEEP_ABOVE = 1024


@dataclass(slots=True)
class _HostGate:
    semaphore: asyncio.Semaphore
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_allowed: float = float("-inf")  # when the next request may start
    blocked_until: float = 0.0
    blocked_status: int = 0
    users: int = field(default=0)


@dataclass(frozen=True, slots=True)
class HostBlock:
    """A host we must not contact for ``remaining`` more seconds, and the status that said so."""

    remaining: float
    status: int


class HostGuard(Protocol):
    """Who else may fetch from a host: another instance sharing the database."""

    async def enter_host(self, host: str, spacing: float) -> bool:
        """Whether this instance may start a request to ``host`` now (it holds the host for
        at least ``spacing`` more seconds); False: another instance holds it."""

    def leave_host(self, host: str, quiet_for: float) -> None:
        """A request to ``host`` ended; the host must be left alone ``quiet_for`` seconds."""


class HostTaken(Exception):
    """The host is another instance's for now: nothing was sent."""


class Politeness:
    """Concurrency, spacing and back-off per host, shared by every fetch of one ``Fetcher``."""

    def __init__(
        self, concurrency: int, delay: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = max(0.0, delay)
        self._clock = clock
        self._gates: dict[str, _HostGate] = {}
        self.guard: HostGuard | None = None  # several instances: the host's lease

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            if len(self._gates) > SWEEP_ABOVE:
                self._sweep()
            gate = self._gates[host] = _HostGate(asyncio.Semaphore(self._concurrency))
        return gate

    def _sweep(self) -> None:
        now = self._clock()
        idle = [
            host
            for host, gate in self._gates.items()
            if gate.users == 0 and gate.next_allowed <= now and gate.blocked_until <= now
        ]
        for host in idle:
            del self._gates[host]

    def block(self, host: str, seconds: float, status: int) -> None:
        """Leave ``host`` alone for ``seconds`` (a longer block already in place stays)."""
        gate = self._gate(host)
        until = self._clock() + seconds
        if until > gate.blocked_until:
            gate.blocked_until, gate.blocked_status = until, status

    def blocked(self, host: str) -> HostBlock | None:
        gate = self._gates.get(host)
        if gate is None:
            return None
        remaining = gate.blocked_until - self._clock()
        return HostBlock(remaining, gate.blocked_status) if remaining > 0 else None

    @asynccontextmanager
    async def slot(self, host: str, crawl_delay: float | None = None) -> AsyncIterator[None]:
        """Hold one of ``host``'s concurrent slots, starting no earlier than its spacing allows;
        ``HostTaken`` when the guard says another instance holds the host."""
        delay = max(self._delay, crawl_delay or 0.0)
        gate = self._gate(host)
        gate.users += 1
        try:
            async with gate.semaphore:
                if self.guard is None:
                    await self._take_turn(gate, delay)
                    yield
                    return
                # the guard first (it holds the host for the spacing more): its database round
                # trip, taken after the turn, delayed one request's start and not the next one's,
                # which then reached the host less than the spacing after it
                if not await self.guard.enter_host(host, delay):
                    raise HostTaken(host)
                try:
                    await self._take_turn(gate, delay)
                    yield
                finally:
                    quiet_until = max(gate.next_allowed, gate.blocked_until)
                    self.guard.leave_host(host, max(0.0, quiet_until - self._clock()))
        finally:
            gate.users -= 1

    async def _take_turn(self, gate: _HostGate, delay: float) -> None:
        if delay <= 0:
            return
        async with gate.spacing:
            wait = gate.next_allowed - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            gate.next_allowed = self._clock() + delay
