"""The composition root: builds the store, the HTTP clients, the tracker, the scheduler and the
endpoint, runs them, reloads on SIGHUP and stops gracefully on SIGTERM/SIGINT.

Nothing else in the package builds long-lived resources; everything below receives them.
"""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from monitor.config import Settings, SourceConfig, load_config, open_server_problem
from monitor.coordination import DELIVERY_ROLE, Coordinator, lock_if_sqlite
from monitor.deliver import DeliveryWorker, utc_now
from monitor.errors import ConfigError, MonitorError
from monitor.fetch import Fetcher, FetchOptions, build_client, host_key
from monitor.metrics import Metrics
from monitor.offload import WorkerPool
from monitor.pipeline import (
    Deps,
    SourceReport,
    check_due_source,
    check_source,
    recheck_articles,
)
from monitor.sources.urls import DEFAULT_TRACKING_PARAMS
from monitor.store import Store
from monitor.store import articles as article_store
from monitor.store import sources as source_store
from monitor.store.alert_views import count_alerts_by_status
from monitor.store.claims import serialise_setup
from monitor.store.instances import FileLock
from monitor.systemd import notify, watchdog_interval
from monitor.track.recheck import RecheckPolicy, recheck_plan

if TYPE_CHECKING:  # the daemon's scheduler and endpoint: imported when built
    from aiohttp import web
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from monitor.scheduler import SharedJobs

log = structlog.get_logger("monitor.service")
CLAIM_INTERVAL_SECONDS = 1.0

SHUTDOWN_GRACE_SECONDS = 3.0


def fetch_options(settings: Settings) -> FetchOptions:
    """The fetch edge's plain options, from the ``fetch:`` section."""
    fetch = settings.fetch
    return FetchOptions(
        user_agent=fetch.user_agent,
        contact_url=fetch.contact_url,
        connect_timeout=fetch.connect_timeout,
        read_timeout=fetch.read_timeout,
        total_timeout=fetch.total_timeout,
        max_bytes=fetch.max_bytes,
        max_redirects=fetch.max_redirects,
        max_connections=fetch.max_connections,
        per_host_concurrency=fetch.per_host_concurrency,
        per_host_delay=fetch.per_host_delay,
        retries=fetch.retries,
        obey_robots=fetch.obey_robots,
        allow_private_networks=fetch.allow_private_networks,
        accept_language=fetch.accept_language,
        extra_headers=dict(fetch.headers),
    )


def strip_params(settings: Settings) -> frozenset[str]:
    return DEFAULT_TRACKING_PARAMS | {name.lower() for name in settings.fetch.strip_params}


def source_definitions(settings: Settings) -> list[source_store.SourceDefinition]:
    return [
        source_store.SourceDefinition(name=s.name, url=s.url, kind=s.type) for s in settings.sources
    ]


@dataclass
class _Inflight:
    """Jobs running now, so that shutdown can wait for them (or cancel them) within a grace."""

    accepting: bool = True
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def wrap(
        self, name: str, func: Callable[..., Awaitable[object]]
    ) -> Callable[..., Coroutine[Any, Any, None]]:
        async def job(*args: Any) -> None:
            if not self.accepting:
                return
            task = asyncio.current_task()
            assert task is not None
            self.tasks.add(task)
            try:
                await func(*args)
            except asyncio.CancelledError:
                log.info("job_abandoned", job=name, args=list(args))
                raise
            except Exception:  # a bug: log it with its traceback, keep the daemon running
                log.exception("job_crashed", job=name, args=list(args))
            finally:
                self.tasks.discard(task)

        return job

    async def drain(self, grace: float) -> None:
        self.accepting = False
        if not self.tasks:
            return
        _done, pending = await asyncio.wait(set(self.tasks), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


class Service:
    """One running monitor: holds every long-lived resource and the jobs that use them."""

    def __init__(self, settings: Settings, config_path: str | None = None) -> None:
        self.settings = settings
        self.config_path = config_path
        self.metrics = Metrics()
        self.inflight = _Inflight()
        self._scheduler: AsyncIOScheduler | None = None
        self.runner: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._deps: Deps | None = None
        self._delivery: DeliveryWorker | None = None
        self._clients: list[httpx.AsyncClient] = []
        self._store: Store | None = None
        self.workers = WorkerPool()
        self._claimed: set[asyncio.Task[None]] = set()
        self.coordinator: Coordinator | None = None  # on PostgreSQL: shared with other instances
        self._file_lock: FileLock | None = None  # on SQLite: this instance alone
        self._sources_by_name: tuple[Settings | None, dict[str, SourceConfig]] = (None, {})

    @property
    def scheduler(self) -> AsyncIOScheduler:
        """APScheduler, built when first asked for (``monitor once`` never needs it)."""
        if self._scheduler is None:
            from monitor.scheduler import build_scheduler

            self._scheduler = build_scheduler()
        return self._scheduler

    # ---------------------------------------------------------------- set-up

    async def open(self) -> Deps:
        """Open the store and build the clients (the story engine loads when first needed)."""
        if self._deps is not None:
            return self._deps
        store = Store.open(self.settings.storage.database_url)
        self._store = store
        if store.migrated_from != store.schema_revision:
            log.info(
                "database_migrated",
                from_revision=store.migrated_from,
                to_revision=store.schema_revision,
            )
        with store.session() as session:
            serialise_setup(session)
            source_store.sync_sources(session, source_definitions(self.settings), utc_now())
        options = fetch_options(self.settings)
        fetch_client = build_client(options)
        self._clients = [fetch_client]
        self.metrics.watch_store(lambda: _source_states(store), lambda: _alerts_by_status(store))
        if store.engine.dialect.name == "postgresql":
            self.coordinator = Coordinator(
                store,
                lambda: self.settings.tracking,
                lease=timedelta(seconds=self.settings.instances.lease),
                clock=utc_now,
            )
        fetcher = Fetcher(fetch_client, options)
        fetcher.politeness.guard = self.coordinator  # several instances: one per host at a time
        self._deps = Deps(
            settings=self.settings,
            store=store,
            fetcher=fetcher,
            metrics=self.metrics,
            clock=utc_now,
            strip_params=strip_params(self.settings),
            workers=self.workers,
            tracking_gate=self.coordinator,
            claim_rechecks=self.coordinator.claim_rechecks if self.coordinator else None,
        )
        self._delivery = DeliveryWorker(
            store.session,
            self._delivery_client,
            self.settings.webhooks,
            self.settings.alerts,
            self.metrics,
            pages_url=self.settings.server.public_url,
        )
        return self._deps

    def _delivery_client(self) -> httpx.AsyncClient:
        """Built by the first delivery pass: a daemon without endpoints never needs one."""
        client = httpx.AsyncClient(follow_redirects=False)
        self._clients.append(client)
        return client

    async def close(self) -> None:
        if self.coordinator is not None:
            stop = self.coordinator.stop if self.coordinator.started else self.coordinator.leave
            await asyncio.to_thread(stop)
        for client in self._clients:
            await client.aclose()
        if self.runner is not None:
            await self.runner.cleanup()
        if self._store is not None:
            self._store.close()
        self.workers.close()
        if self._file_lock is not None:
            self._file_lock.release()

    # ---------------------------------------------------------------- jobs

    async def check_source_by_name(
        self, name: str, respect_backoff: bool = True
    ) -> SourceReport | None:
        """One check of source ``name``; a failing source inside its backoff is skipped."""
        deps = await self.open()
        source = self._source_named(deps.settings, name)
        now = utc_now()
        if source is None:
            return None
        if respect_backoff:
            return await check_due_source(source, deps, now)
        return await check_source(source, deps, now)

    def _source_named(self, settings: Settings, name: str) -> SourceConfig | None:
        """The source called ``name`` in ``settings`` (an index kept per settings object)."""
        if self._sources_by_name[0] is not settings:
            self._sources_by_name = (settings, {source.name: source for source in settings.sources})
        return self._sources_by_name[1].get(name)

    async def recheck(self) -> None:
        deps = await self.open()
        await recheck_articles(deps, utc_now())

    async def deliver(self) -> None:
        """Start a delivery pass for every idle endpoint; a slow endpoint holds up no other.

        Among several instances only the one holding the delivery role delivers (and, taking
        the role over, releases the leases its dead predecessor left)."""
        await self.open()
        assert self._delivery is not None
        if self.coordinator is not None and not self.coordinator.holds(DELIVERY_ROLE):
            return
        await self._delivery.kick(utc_now())

    def _sync_jobs(self) -> dict[str, list[str]]:
        from monitor.scheduler import sync_jobs

        assert self._deps is not None
        with self._deps.store.session() as session:
            planned = {
                state.name: state.next_check_at
                for state in source_store.list_source_states(session)
                if state.next_check_at is not None
            }
        return sync_jobs(
            self.scheduler,
            self.settings,
            check_source=self.inflight.wrap("check_source", self.check_source_by_name),
            recheck=self.inflight.wrap("recheck", self.recheck),
            deliver=self.inflight.wrap("deliver", self.deliver),
            now=utc_now(),
            first_runs=planned,
            shared=self._shared_jobs(planned),
        )

    def _shared_jobs(self, planned: dict[str, datetime]) -> SharedJobs | None:
        """Among several instances: claim due sources instead of a job per source."""
        if self.coordinator is None:
            return None
        enabled = [source for source in self.settings.sources if source.enabled]
        hosts = {source.name: host_key(source.url) for source in enabled}
        self.coordinator.plan(
            {source.name: planned.get(source.name) for source in enabled},
            {name: host for name, host in hosts.items() if host is not None},
        )
        from monitor.scheduler import SharedJobs

        lease = self.settings.instances.lease
        return SharedJobs(
            claim=self.inflight.wrap("claim", self.claim_checks),
            heartbeat=self.inflight.wrap("heartbeat", self.heartbeat),
            claim_interval=min(CLAIM_INTERVAL_SECONDS, lease / 4),
            heartbeat_interval=lease / 3,
        )

    async def claim_checks(self) -> None:
        """Claim due sources, a batch at a time while there is room and more are due, and
        start their checks."""
        coordinator = self.coordinator
        assert coordinator is not None
        limits = self.settings.instances
        while (room := limits.concurrent_checks - len(coordinator.in_flight)) > 0:
            wanted = min(limits.claim_batch, room)
            finished = coordinator.take_finished()  # here, on the loop that adds to it
            claimed = await asyncio.to_thread(coordinator.claim, wanted, finished)
            for name in claimed:
                task = asyncio.create_task(
                    self.inflight.wrap("check_source", self._claimed_check)(name)
                )
                self._claimed.add(task)
                task.add_done_callback(self._claimed.discard)
            if len(claimed) < wanted:  # nothing more is due: until the next tick
                return

    async def _claimed_check(self, name: str) -> None:
        assert self.coordinator is not None
        source = self._source_named(self.settings, name)
        try:
            await self.check_source_by_name(name, respect_backoff=False)
        finally:
            interval = source.interval if source is not None else CLAIM_INTERVAL_SECONDS
            self.coordinator.finish(name, interval)

    async def heartbeat(self) -> None:
        assert self.coordinator is not None
        running = frozenset(self.coordinator.in_flight)  # a copy made on the loop
        await asyncio.to_thread(self.coordinator.beat, running)

    def roles(self) -> dict[str, object]:
        """Which instance this is and which roles it holds (for /healthz)."""
        if self.coordinator is None:
            return {"mode": "single", "roles": ["checks", "tracking", DELIVERY_ROLE]}
        return {
            "mode": "shared",
            "instance": self.coordinator.id,
            "roles": ["checks", "tracking", *sorted(self.coordinator.roles)],
        }

    # ---------------------------------------------------------------- running

    async def run(self) -> int:
        """Run until SIGTERM/SIGINT; exit code 0 after a clean stop."""
        self._file_lock = lock_if_sqlite(self.settings.storage.database_url)
        try:
            deps = await self.open()
            if self.coordinator is not None:
                await asyncio.to_thread(self.coordinator.start)
            self._install_signal_handlers()
            self._sync_jobs()
            self.scheduler.start()
            await self._start_server(deps)
        except BaseException:  # e.g. refusing to serve: release the lock, the store, the clients
            await self.shutdown()
            raise
        log.info(
            "started",
            config=self.config_path,
            sources=len(self.settings.sources),
            topics=len(self.settings.topics),
            webhooks=len(self.settings.webhooks),
            database=deps.store.engine.url.render_as_string(hide_password=True),
            server=self.server_address(),
        )
        notify(f"READY=1\nSTATUS=checking {len(self.settings.sources)} sources")
        gc.freeze()  # start-up's objects live as long as the process: no collection walks them
        watchdog = asyncio.create_task(_watchdog_pings(watchdog_interval()))
        try:
            await self._stop.wait()
        finally:
            notify("STOPPING=1")
            watchdog.cancel()
            await self.shutdown()
        return 0

    async def _start_server(self, deps: Deps) -> None:
        server = self.settings.server
        if not server.enabled:
            return
        if problem := open_server_problem(server):
            raise MonitorError(f"refusing to serve: server.host {problem}")
        from monitor.server import ServerDeps, build_app, start_server

        app = build_app(
            ServerDeps(
                deps.store,
                self.metrics,
                lambda: self.scheduler.running,
                topics=lambda: self.settings.topics,
                token=server.token,
                roles=self.roles,
            )
        )
        try:
            self.runner = await start_server(app, server.host, server.port)
        except OSError as exc:
            raise MonitorError(
                f"cannot listen on {server.host}:{server.port}: {exc.strerror or exc}"
            ) from exc

    async def wait_for_running_jobs(self, patience: float) -> None:
        """Wait, at most ``patience`` seconds, for the jobs running now (not later ones) to end."""
        running = self.inflight.tasks - {asyncio.current_task()}
        if running:
            await asyncio.wait(set(running), timeout=patience)

    def alert_counts(self) -> dict[str, int]:
        """Alerts in the outbox by status."""
        if self._store is None:
            return {}
        return _alerts_by_status(self._store)

    def server_address(self) -> str | None:
        if self.runner is None:
            return None
        from monitor.server import bound_port

        return f"http://{self.settings.server.host}:{bound_port(self.runner)}"

    def request_stop(self, reason: str = "requested") -> None:
        log.info("stopping", reason=reason)
        self._stop.set()

    async def shutdown(self) -> None:
        """Stop taking work, give in-flight jobs a grace period, then release everything."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await asyncio.gather(
            self.inflight.drain(SHUTDOWN_GRACE_SECONDS),
            self._delivery.close(SHUTDOWN_GRACE_SECONDS) if self._delivery else asyncio.sleep(0),
        )
        if self._deps is not None:
            self._deps.ledger.summarise()
        await self.close()
        gc.freeze()  # nothing is left to free that matters: exit without a last full collection
        log.info("stopped")

    def reload(self) -> None:
        """Re-read the configuration; on success add, change or remove jobs in place."""
        if self.config_path is None or self._deps is None:
            return
        try:
            settings = load_config(self.config_path)
        except ConfigError as exc:
            log.error("reload_failed", config=self.config_path, problems=exc.problems)
            return
        replan = settings.tracking.recheck != self.settings.tracking.recheck
        self.settings = settings
        self._deps.settings = settings
        self._deps.strip_params = strip_params(settings)
        if self._delivery is not None:
            self._delivery.configure(settings.webhooks, settings.alerts)
        with self._deps.store.session() as session:
            serialise_setup(session)
            source_store.sync_sources(session, source_definitions(settings), utc_now())
            if replan:
                replanned = article_store.replan_rechecks(
                    session,
                    utc_now(),
                    recheck_plan(settings.tracking.recheck),
                    RecheckPolicy.from_config(settings.tracking.recheck).horizon,
                )
                log.info("rechecks_replanned", articles=replanned)
        changes = self._sync_jobs()
        log.info("reloaded", config=self.config_path, **changes)

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop, "SIGTERM")
        loop.add_signal_handler(signal.SIGINT, self.request_stop, "SIGINT")
        loop.add_signal_handler(signal.SIGHUP, self.reload)

    # ---------------------------------------------------------------- one-shot

    async def run_once(
        self, on_done: Callable[[SourceReport], None] | None = None
    ) -> list[SourceReport]:
        """Check every enabled source once, deliver what is due, and return the reports."""
        await self.open()
        gc.freeze()  # as the daemon does: start-up's objects are never walked by a collection
        sources = [source for source in self.settings.sources if source.enabled]

        async def one(name: str) -> SourceReport | None:
            report = await self.check_source_by_name(name, respect_backoff=False)
            if report is not None and on_done is not None:
                on_done(report)
            return report

        try:
            results = await asyncio.gather(*(one(source.name) for source in sources))
            assert self._deps is not None
            self._deps.ledger.summarise()
            assert self._delivery is not None
            await self._delivery.deliver_due(utc_now())
        finally:
            await self.close()
        return [report for report in results if report is not None]


async def _watchdog_pings(interval: float | None) -> None:
    """Tell systemd's watchdog the event loop is alive, while it is."""
    if interval is None:
        return
    while True:
        notify("WATCHDOG=1")
        await asyncio.sleep(interval)


def _source_states(store: Store) -> list[source_store.SourceState]:
    with store.session() as session:
        return source_store.list_source_states(session)


def _alerts_by_status(store: Store) -> dict[str, int]:
    with store.session() as session:
        return count_alerts_by_status(session)


async def run_daemon(settings: Settings, config_path: str) -> int:
    """``monitor run``."""
    return await Service(settings, config_path).run()
