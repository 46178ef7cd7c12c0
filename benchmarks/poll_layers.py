"""Where a check's CPU goes, by layer: fetch, decide, store, log — and how many SQL statements.

Used by ``poll.py`` after its command-line passes. It runs the daemon's own pipeline in this
process (``check_source`` for each source, one after the other so that CPU can be attributed)
against the same server and a database that already holds the first pass, and times each layer
with ``time.process_time`` (exclusive: a layer nested in another is not counted twice):

* fetch: ``Fetcher.fetch`` (HTTP, validators, robots, politeness);
* store: every ``Store.session`` and ``Store.connection`` block (SQL, ORM, commit);
* log: the ``source_checked`` event (at debug level for a check that found nothing new);
* decide: everything else in ``check_source`` (health, fetch policy, glue, metrics);
* for new articles: extract (``extract_article``) and track (``Tracker.observe``, topics,
  alert drafts) are split out of "decide".

SQL statements are counted with a SQLAlchemy ``before_cursor_execute`` listener.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event


@dataclass
class Layers:
    """Exclusive CPU seconds per layer and SQL statements, for a number of checks."""

    cpu: collections.Counter[str] = field(default_factory=collections.Counter)
    statements: int = 0
    stack: list[tuple[str, float]] = field(default_factory=list)

    def enter(self, layer: str) -> None:
        now = time.process_time()
        if self.stack:
            outer, since = self.stack[-1]
            self.cpu[outer] += now - since
        self.stack.append((layer, now))

    def leave(self) -> None:
        now = time.process_time()
        layer, since = self.stack.pop()
        self.cpu[layer] += now - since
        if self.stack:
            self.stack[-1] = (self.stack[-1][0], now)

    @contextlib.contextmanager
    def layer(self, name: str) -> Iterator[None]:
        self.enter(name)
        try:
            yield
        finally:
            self.leave()


def _wrap_sync(layers: Layers, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with layers.layer(name):
            return function(*args, **kwargs)

    return wrapped


def _wrap_async(
    layers: Layers, name: str, function: Callable[..., Awaitable[Any]]
) -> Callable[..., Awaitable[Any]]:
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        with layers.layer(name):
            return await function(*args, **kwargs)

    return wrapped


@contextlib.contextmanager
def instrumented(layers: Layers, deps: Any) -> Iterator[None]:
    """Patch the layer boundaries of the pipeline for the duration of the block."""
    import monitor.extract
    import monitor.observe
    import monitor.pipeline
    from monitor.fetch import Fetcher
    from monitor.track import Tracker

    patches: list[tuple[Any, str, Any]] = [
        (Fetcher, "fetch", _wrap_async(layers, "fetch", Fetcher.fetch)),
        (monitor.pipeline, "_log_report", _wrap_sync(layers, "log", monitor.pipeline._log_report)),
        (  # the pipeline imports it from the package when it first extracts a page
            monitor.extract,
            "extract_article",
            _wrap_sync(layers, "extract", monitor.extract.extract_article),
        ),
        (Tracker, "observe", _wrap_sync(layers, "track", Tracker.observe)),
        (
            monitor.observe,
            "matching_topics",
            _wrap_sync(layers, "track", monitor.observe.matching_topics),
        ),
        (
            monitor.observe,
            "story_alert_drafts",
            _wrap_sync(layers, "track", monitor.observe.story_alert_drafts),
        ),
    ]
    store = deps.store
    plain_session, plain_connection = store.session, store.connection

    @contextlib.contextmanager
    def session() -> Iterator[Any]:
        with layers.layer("store"), plain_session() as opened:
            yield opened

    @contextlib.contextmanager
    def connection() -> Iterator[Any]:
        with layers.layer("store"), plain_connection() as opened:
            yield opened

    def count(*_: Any) -> None:
        layers.statements += 1

    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    store.session, store.connection = session, connection
    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
        store.session, store.connection = plain_session, plain_connection
        for owner, name, original in saved:
            setattr(owner, name, original)


@dataclass
class Breakdown:
    checks: int
    total_cpu: float
    layers: Layers
    reports: list[Any]


@contextlib.asynccontextmanager
async def opened_deps(config: Path, database_url: str | None) -> AsyncIterator[Any]:
    from monitor.config import load_config
    from monitor.ledger import CheckLedger
    from monitor.logging import configure_logging
    from monitor.service import Service

    settings = load_config(config)
    if database_url is not None:
        settings = settings.model_copy(
            update={"storage": settings.storage.model_copy(update={"database_url": database_url})}
        )
    configure_logging("info", "json")  # as the daemon logs (into /dev/null: see ``measure``)
    service = Service(settings)
    deps = await service.open()
    gc.freeze()  # as ``monitor once`` and the daemon do after start-up
    deps.workers = None  # parse and extract in this process, so that CPU is attributed
    # One check at a time, so each is a batch of one (a daemon's lone check): no waiting for
    # others to share its write. ``monitor once`` batches; the CLI figures show that.
    deps.loaded_ledger = CheckLedger(deps.store, linger=0.0)
    try:
        yield deps
    finally:
        await service.close()


async def _measure(config: Path, database_url: str | None) -> Breakdown:
    from monitor.pipeline import check_source

    async with opened_deps(config, database_url) as deps:
        sources = [source for source in deps.settings.sources if source.enabled]
        layers, reports = Layers(), []
        with instrumented(layers, deps):
            started = time.process_time()
            for source in sources:
                layers.enter("decide")
                try:
                    reports.append(await check_source(source, deps, datetime.now(UTC)))
                finally:
                    layers.leave()
            total = time.process_time() - started
        return Breakdown(len(sources), total, layers, reports)


@dataclass
class AllAtOnce:
    """An unchanged pass with every check started at once, as ``monitor once`` runs them:
    CPU of the fetches alone, then of the whole checks (batched reads and writes included)."""

    checks: int
    fetch_cpu: float
    check_cpu: float
    statements: int


async def _measure_all_at_once(config: Path) -> AllAtOnce:
    from monitor.pipeline import _listing_key, _policy, check_source

    async with opened_deps(config, None) as deps:
        sources = [source for source in deps.settings.sources if source.enabled]
        known = await asyncio.gather(
            *(deps.ledger.read(s.name, _listing_key(s.url, s, deps)) for s in sources)
        )
        fetcher = deps.fetcher
        started = time.process_time()
        await asyncio.gather(
            *(
                fetcher.fetch(s.url, k.validators, discovered=False, policy=_policy(s))
                for s, k in zip(sources, known, strict=True)
            )
        )
        fetched = time.process_time()
        layers = Layers()
        with instrumented(layers, deps):
            now = datetime.now(UTC)
            await asyncio.gather(*(check_source(source, deps, now) for source in sources))
        checked = time.process_time()
        return AllAtOnce(len(sources), fetched - started, checked - fetched, layers.statements)


def measure_all_at_once(config: Path) -> AllAtOnce:
    """Every source of ``config`` fetched at once, then checked at once, in this process."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        return asyncio.run(_measure_all_at_once(config))


def print_all_at_once(result: AllAtOnce) -> None:
    per = max(result.checks, 1)
    print(f"\nunchanged pass, {result.checks} checks at once (as `monitor once`), in this process")
    print(f"  CPU per check: {result.check_cpu / per * 1000:.3f} ms in all")
    print(f"    the fetcher alone, same requests at once: {result.fetch_cpu / per * 1000:.3f} ms")
    print(f"  SQL statements per check: {result.statements / per:.3f}")


def measure(config: Path, database_url: str | None = None) -> Breakdown:
    """One pass of every source of ``config`` in this process, timed by layer."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        return asyncio.run(_measure(config, database_url))


LAYERS = ("fetch", "decide", "extract", "track", "store", "log")


def print_breakdown(title: str, result: Breakdown, per: str, count: int) -> None:
    print(f"\n{title}: {result.checks} checks, {count} {per}s, in this process")
    print(f"  CPU per {per}: {result.total_cpu / max(count, 1) * 1000:.3f} ms in all")
    for layer in LAYERS:
        if result.layers.cpu[layer]:
            value = result.layers.cpu[layer] / max(count, 1) * 1000
            print(f"    {layer:<8} {value:8.3f} ms")
    print(f"  SQL statements per {per}: {result.layers.statements / max(count, 1):.2f}")


if __name__ == "__main__":  # python benchmarks/poll_layers.py CONFIG [DATABASE_URL]
    outcome = measure(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
    print_breakdown("pass", outcome, "check", outcome.checks)
