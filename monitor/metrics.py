"""Prometheus metrics of one monitor instance.

Counters and histograms are updated by the shell as work happens; the gauges that describe
stored state (sources by health, alerts by status) are read from the database at scrape time,
so they are right after a restart too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

# The *_created series only add noise to every scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]

FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class StoredStateCollector(Collector):
    """Gauges computed from the store when Prometheus scrapes."""

    def __init__(
        self,
        sources_by_health: Callable[[], Mapping[str, int]],
        alerts_by_status: Callable[[], Mapping[str, int]],
    ) -> None:
        self._sources_by_health = sources_by_health
        self._alerts_by_status = alerts_by_status

    def collect(self) -> Iterator[GaugeMetricFamily]:
        sources = GaugeMetricFamily("monitor_sources", "Sources by health", labels=["health"])
        for health, count in self._sources_by_health().items():
            sources.add_metric([health], count)
        yield sources
        alerts = GaugeMetricFamily(
            "monitor_alerts", "Alerts in the outbox by status", labels=["status"]
        )
        for status, count in self._alerts_by_status().items():
            alerts.add_metric([status], count)
        yield alerts


class Metrics:
    """The instruments the pipeline, the delivery worker and the server update."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
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
        sources_by_health: Callable[[], Mapping[str, int]],
        alerts_by_status: Callable[[], Mapping[str, int]],
    ) -> None:
        self.registry.register(StoredStateCollector(sources_by_health, alerts_by_status))

    def render(self) -> bytes:
        return generate_latest(self.registry)
