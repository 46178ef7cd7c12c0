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
import collections
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

SWEEP_ABOVE = 1024


class _Slots:
    """A host's concurrent slots, handed out first come, first served.

    ``asyncio.Semaphore`` (Python 3.11) scans its queue on every release and takes each woken
    waiter out of it with ``deque.remove``: quadratic in the requests queued for one host, which
    is every source of a site checked at once (``monitor once``, a daemon's start). Here a
    release hands the slot straight to the next live waiter, O(1). A waiter cancelled before
    its turn is skipped; one cancelled after being handed the slot passes it on."""

    __slots__ = ("free", "waiters")

    def __init__(self, value: int) -> None:
        self.free = value
        self.waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> None:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed the slot, then cancelled
                self.release()
            raise

    def release(self) -> None:
        waiters = self.waiters
        while waiters:
            turn = waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes to this waiter as it is
                return
        self.free += 1


@dataclass(slots=True)
class _HostGate:
    semaphore: _Slots
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


class HostSlot:
    """One request's hold on a host (``Politeness.slot``): a concurrent slot, then the guard
    (several instances: its database round trip comes first, else it delayed one request's
    start and not the next one's, which then reached the host less than the spacing after
    it), then the spacing turn. A plain class rather than an ``asynccontextmanager``: it is
    entered for every request, and a generator-based one cost more than the rest of it."""

    __slots__ = ("_delay", "_gate", "_guard", "_host", "_politeness")

    def __init__(self, politeness: Politeness, host: str, delay: float) -> None:
        self._politeness, self._host, self._delay = politeness, host, delay
        self._gate: _HostGate | None = None
        self._guard: HostGuard | None = None

    async def __aenter__(self) -> None:
        politeness = self._politeness
        gate = self._gate = politeness._gate(self._host)
        gate.users += 1
        try:
            await gate.semaphore.acquire()
        except BaseException:
            gate.users -= 1
            raise
        try:
            guard = self._guard = politeness.guard
            if guard is not None and not await guard.enter_host(self._host, self._delay):
                self._guard = None
                raise HostTaken(self._host)
            try:
                await politeness._take_turn(gate, self._delay)
            except BaseException:
                self._leave_guard()
                raise
        except BaseException:
            gate.semaphore.release()
            gate.users -= 1
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        gate = self._gate
        assert gate is not None
        try:
            self._leave_guard()
        finally:
            gate.semaphore.release()
            gate.users -= 1

    def _leave_guard(self) -> None:
        """Tell the guard (if any) the request ended and how long the host must stay quiet."""
        guard, gate = self._guard, self._gate
        if guard is None or gate is None:
            return
        self._guard = None
        quiet_until = max(gate.next_allowed, gate.blocked_until)
        guard.leave_host(self._host, max(0.0, quiet_until - self._politeness._clock()))


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
            gate = self._gates[host] = _HostGate(_Slots(self._concurrency))
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

    def slot(self, host: str, crawl_delay: float | None = None) -> HostSlot:
        """``async with`` it to hold one of ``host``'s concurrent slots, starting no earlier
        than its spacing allows; ``HostTaken`` when the guard says another instance holds the
        host."""
        return HostSlot(self, host, max(self._delay, crawl_delay or 0.0))

    async def _take_turn(self, gate: _HostGate, delay: float) -> None:
        if delay <= 0:
            return
        async with gate.spacing:
            wait = gate.next_allowed - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            gate.next_allowed = self._clock() + delay
