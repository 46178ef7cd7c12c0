"""Prometheus metrics of one monitor instance.

Counters and histograms are updated by the shell as work happens; the gauges that describe
stored state (sources by health, each source's last success and failure run, alerts by status)
are read from the database at scrape time, so they are right after a restart too. When the
database cannot be read, a scrape still answers: every in-memory series, the process metrics,
and ``monitor_store_up 0`` instead of the stored-state gauges.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Protocol

import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from monitor import __version__
from monitor.models import Health, Page

log = structlog.get_logger(__name__)

# The *_created series only add noise to every scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]

FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def fetch_status_label(page: Page) -> str:
    """The ``status`` label of ``monitor_fetches_total`` for an answer.

    ``304`` only for a real 304 Not Modified; ``unchanged`` for a 200 whose body hashes the
    same as last time (nothing new, but the bytes were downloaded); else the HTTP status.
    """
    if page.conditional_hit:
        return "304"
    if page.not_modified:
        return "unchanged"
    return str(page.status)


class SourceGauges(Protocol):
    """What the per-source gauges read of one source (``store.sources.SourceState`` fits)."""

    @property
    def name(self) -> str: ...
    @property
    def health(self) -> Health: ...
    @property
    def consecutive_failures(self) -> int: ...
    @property
    def last_success_at(self) -> datetime | None: ...


class StoredStateCollector(Collector):
    """Gauges computed from the store when Prometheus scrapes; never fails a scrape."""

    def __init__(
        self,
        sources: Callable[[], Iterable[SourceGauges]],
        alerts_by_status: Callable[[], Mapping[str, int]],
    ) -> None:
        self._sources = sources
        self._alerts_by_status = alerts_by_status

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            states = list(self._sources())
            alert_counts = dict(self._alerts_by_status())
        except Exception as exc:  # an outage must not take the in-memory series with it
            log.warning("metrics_store_unreadable", error=f"{type(exc).__name__}: {exc}")
            yield _store_up(False)
            return
        yield _store_up(True)
        yield from _source_gauges(states)
        alerts = GaugeMetricFamily(
            "monitor_alerts", "Alerts in the outbox by status", labels=["status"]
        )
        for status, count in alert_counts.items():
            alerts.add_metric([status], count)
        yield alerts


def _store_up(up: bool) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "monitor_store_up", "Whether the database answered this scrape (1) or not (0)", value=up
    )


def _source_gauges(states: list[SourceGauges]) -> Iterator[GaugeMetricFamily]:
    by_health = {health.value: 0 for health in Health}
    last_success = GaugeMetricFamily(
        "monitor_source_last_success_timestamp_seconds",
        "When each source was last checked successfully (Unix time; absent: never)",
        labels=["source"],
    )
    failures = GaugeMetricFamily(
        "monitor_source_consecutive_failures",
        "Failed checks in a row of each source (0 after a success)",
        labels=["source"],
    )
    for state in states:
        by_health[state.health.value] = by_health.get(state.health.value, 0) + 1
        failures.add_metric([state.name], state.consecutive_failures)
        if state.last_success_at is not None:
            last_success.add_metric([state.name], state.last_success_at.timestamp())
    sources = GaugeMetricFamily("monitor_sources", "Sources by health", labels=["health"])
    for health, count in by_health.items():
        sources.add_metric([health], count)
    yield sources
    yield last_success
    yield failures


class Metrics:
    """The instruments the pipeline, the delivery worker and the server update."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_resident_memory_bytes, cpu seconds, open fds
        PlatformCollector(registry=r)  # python_info
        build = Info("monitor_build", "The running version of monitor", registry=r)
        build.info({"version": __version__, "python": platform.python_version()})
        self.fetches = Counter("monitor_fetches", "HTTP fetches by outcome", ["status"], registry=r)
        self.fetch_seconds = Histogram(
            "monitor_fetch_seconds", "Time to fetch one URL", buckets=FETCH_BUCKETS, registry=r
        )
        self.source_checks = Counter(
            "monitor_source_checks", "Source checks by outcome", ["outcome"], registry=r
        )
        self.articles = Counter("monitor_articles", "New articles stored", registry=r)
        self.revisions = Counter("monitor_revisions", "New article revisions stored", registry=r)
        self.developments = Counter(
            "monitor_developments", "Story developments by kind", ["kind"], registry=r
        )
        self.alerts_enqueued = Counter(
            "monitor_alerts_enqueued", "Alerts written to the outbox", ["type"], registry=r
        )
        self.deliveries = Counter(
            "monitor_deliveries", "Webhook delivery attempts by outcome", ["outcome"], registry=r
        )
        self.delivery_seconds = Histogram(
            "monitor_delivery_seconds",
            "Time of one webhook delivery attempt",
            buckets=FETCH_BUCKETS,
            registry=r,
        )

    def watch_store(
        self,
        sources: Callable[[], Iterable[SourceGauges]],
        alerts_by_status: Callable[[], Mapping[str, int]],
    ) -> None:
        self.registry.register(StoredStateCollector(sources, alerts_by_status))

    def render(self) -> bytes:
        return generate_latest(self.registry)
