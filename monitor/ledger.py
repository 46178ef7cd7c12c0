"""Reads and writes of per-source check state, shared by the checks running at one time.

Checks that start together (``monitor once``, the daemon's start-up, every source falling due
in the same scheduler tick) read what the store knows of their sources in one query per batch,
and checks that end without a change of health write their outcome (last checked, next check,
failure count) in one transaction per batch — the group commit of a database log. A check
awaits its write, so nothing is acknowledged before it is committed; a check that runs alone
is a batch of one and pays a few milliseconds of waiting (``linger``), no CPU. Everything
else a check writes (new articles, listing validators, a change of health and its alerts)
keeps its own transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import structlog

from monitor.store import Store
from monitor.store import sources as source_store
from monitor.store.repository import ACTIVITY

log = structlog.get_logger("monitor.ledger")
T = TypeVar("T")
K = TypeVar("K")

WRITE_LINGER_SECONDS = 0.05  # how long a write waits for others to share its transaction
MAX_BATCH = 500
SUMMARY_EVERY_SECONDS = 60.0  # unchanged checks are counted and logged at most this often


async def in_thread(what: str, function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a thread, so that a slow or locked database never stalls the event
    loop (the endpoint, the other checks); ``what`` names it in ``Store.waiting``."""
    token = ACTIVITY.set(what)
    try:
        return await asyncio.to_thread(function, *args)
    finally:
        ACTIVITY.reset(token)


class _Batcher(Generic[K, T]):
    """Requests queued by many tasks, served ``MAX_BATCH`` at a time by one drain task."""

    def __init__(
        self,
        what: Callable[[list[K]], str],
        serve: Callable[[list[K]], dict[K, T] | None],
        linger: float,
    ) -> None:
        self.what = what
        self.serve = serve
        self.linger = linger
        self.queue: list[tuple[K, asyncio.Future[T | None]]] = []
        self.drain: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def ask(self, item: K) -> T | None:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new event loop (tests run several): start afresh
            self.loop, self.queue, self.drain = loop, [], None
        future: asyncio.Future[T | None] = loop.create_future()
        self.queue.append((item, future))
        if self.drain is None:
            self.drain = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.queue:
                if len(self.queue) < MAX_BATCH:
                    await asyncio.sleep(self.linger)  # 0: after every task ready now has asked
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                await self._serve(batch)
        finally:
            self.drain = None

    async def _serve(self, batch: list[tuple[K, asyncio.Future[T | None]]]) -> None:
        items = [item for item, _ in batch]
        try:
            found = await in_thread(self.what(items), self.serve, items)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for item, future in batch:
            if not future.done():
                future.set_result(None if found is None else found[item])


class CheckLedger:
    """The batched reads and writes of check state for one store."""

    def __init__(self, store: Store, *, linger: float = WRITE_LINGER_SECONDS) -> None:
        self.store = store
        self._reads: _Batcher[tuple[str, str], source_store.SourceCheck] = _Batcher(
            lambda wanted: _naming("reading", [name for name, _ in wanted]), self._read, 0.0
        )
        self._writes: _Batcher[source_store.CheckRecord, None] = _Batcher(
            lambda records: _naming("recording the check of", [r.name for r in records]),
            self._write,
            linger,
        )
        self.unchanged = 0
        self._summarised_at = time.monotonic()

    async def read(self, name: str, listing_key: str) -> source_store.SourceCheck:
        """What the store knows of source ``name`` and of the listing kept under ``listing_key``."""
        found = await self._reads.ask((name, listing_key))
        assert found is not None
        return found

    async def record(self, record: source_store.CheckRecord) -> None:
        """Write the outcome of a check that changed no health; returns once committed."""
        await self._writes.ask(record)

    def count_unchanged(self) -> None:
        """One more check that found nothing new; logged as a count now and then."""
        self.unchanged += 1
        if time.monotonic() - self._summarised_at >= SUMMARY_EVERY_SECONDS:
            self.summarise()

    def summarise(self) -> None:
        """Log how many checks found nothing new since the last summary."""
        if self.unchanged:
            log.info("sources_unchanged", checks=self.unchanged)
        self.unchanged, self._summarised_at = 0, time.monotonic()

    def _read(
        self, wanted: list[tuple[str, str]]
    ) -> dict[tuple[str, str], source_store.SourceCheck]:
        with self.store.connection() as connection:
            return source_store.read_checks(connection, wanted)

    def _write(self, records: list[source_store.CheckRecord]) -> None:
        with self.store.connection() as connection:
            source_store.record_checks(connection, records)


def _naming(doing: str, sources: list[str]) -> str:
    """What a batch does, for ``Store.waiting``: ``recording the check of wire and 41 others``."""
    others = f" and {len(sources) - 1} others" if len(sources) > 1 else ""
    return f"{doing} {sources[0]}{others}"
