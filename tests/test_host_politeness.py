"""Per-host politeness across instances on the real PostgreSQL: three instances (each its own
``Coordinator``, ``Fetcher`` and politeness) checking sources spread over three hosts never
exceed a host's concurrency together, and keep its spacing, because one instance at a time
holds a host's lease.

Judged from the hosts' own request log. Concurrency is counted by the server, which holds
each request a little and counts it from its arrival until just before it answers — a window
inside the client's own — so a count above the limit is a real overlap, whatever the load. A
request's spacing is measured between arrivals, so transit time may shorten it: a violation
(two instances starting together) shows as a gap near zero (0.06 s with the guard removed), far
below a quarter of the spacing, while a loaded machine's late first arrival (a new connection,
a thread switch) has been seen to take 0.21 s off a gap that was kept.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from monitor.config import TrackingConfig
from monitor.coordination import Coordinator
from monitor.deliver import utc_now
from monitor.errors import FetchError
from monitor.fetch import Fetcher, FetchOptions, build_client, host_key
from monitor.store import Store

pytestmark = pytest.mark.postgres

HOSTS = [f"127.0.0.{number}" for number in (1, 2, 3)]
CONCURRENCY = 2
DELAY = 0.4
LEASE = timedelta(seconds=3)
SOURCES = 24
WANTED = 12  # requests per host before the instances stop
CLAIM_BATCH = 2
HOLD = threading.Event()  # never set: the server holds a request by waiting on it


@dataclass
class RequestLog:
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrivals: dict[str, list[float]] = field(default_factory=dict)
    running: dict[str, int] = field(default_factory=dict)
    most: dict[str, int] = field(default_factory=dict)
    enough: threading.Event = field(default_factory=threading.Event)  # WANTED from every host

    def arrive(self, host: str) -> None:
        with self.lock:
            self.arrivals.setdefault(host, []).append(time.monotonic())
            self.running[host] = self.running.get(host, 0) + 1
            self.most[host] = max(self.most.get(host, 0), self.running[host])
            if all(len(self.arrivals.get(name, [])) >= WANTED for name in HOSTS):
                self.enough.set()

    def leave(self, host: str) -> None:
        with self.lock:
            self.running[host] -= 1

    def count(self, host: str) -> int:
        with self.lock:
            return len(self.arrivals.get(host, []))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def hosts() -> Iterator[tuple[RequestLog, int]]:
    """The same small site on three loopback addresses (three hosts to politeness)."""
    log = RequestLog()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            host = self.server.server_address[0]
            log.arrive(host)
            HOLD.wait(0.05)  # long enough for concurrent requests to overlap here
            log.leave(host)  # before answering: the client's slot is still held
            body = b"<html><body><p>ok</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    port = free_port()
    servers = [ThreadingHTTPServer((host, port), Handler) for host in HOSTS]
    for server in servers:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield log, port
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


class Instance:
    """What a ``monitor run`` does with claims, reduced to fetching: claim due sources, fetch
    each source's page and an article on the next host, hand the source back due at once."""

    def __init__(self, store: Store, urls: dict[str, list[str]]) -> None:
        self.coordinator = Coordinator(store, TrackingConfig, lease=LEASE, clock=utc_now)
        options = FetchOptions(
            per_host_concurrency=CONCURRENCY,
            per_host_delay=DELAY,
            retries=0,
            obey_robots=False,
            allow_private_networks=True,
            transport="httpx",
        )
        self.client = build_client(options)
        self.fetcher = Fetcher(self.client, options)
        self.fetcher.politeness.guard = self.coordinator
        self.urls = urls
        self.refused: list[FetchError] = []
        self.errors: list[FetchError] = []

    async def run(self, done: asyncio.Event, first: list[str]) -> None:
        checks: set[asyncio.Task[None]] = set()
        idle = asyncio.Event()  # its checks are over: it may stop beating
        beat = asyncio.create_task(self.beat(idle))
        claimed = first
        while True:
            for name in claimed:
                task = asyncio.create_task(self.check(name))
                checks.add(task)
                task.add_done_callback(checks.discard)
            await asyncio.sleep(0.05)
            if done.is_set():
                break
            finished = self.coordinator.take_finished()
            claimed = await asyncio.to_thread(self.coordinator.claim, CLAIM_BATCH, finished)
        await asyncio.gather(*checks)
        idle.set()
        await beat
        await asyncio.to_thread(self.coordinator.stop)
        await self.client.aclose()

    async def beat(self, idle: asyncio.Event) -> None:
        while not idle.is_set():
            running = frozenset(self.coordinator.in_flight)
            await asyncio.to_thread(self.coordinator.beat, running)
            await asyncio.sleep(LEASE.total_seconds() / 3)

    async def check(self, name: str) -> None:
        try:
            for url in self.urls[name]:
                try:
                    await self.fetcher.fetch(url, discovered=False)
                except FetchError as exc:  # the host is another instance's: later
                    (self.refused if "another instance" in str(exc) else self.errors).append(exc)
        finally:
            self.coordinator.finish(name, 0.0)


def test_three_instances_keep_each_hosts_politeness_together(
    database_url: str, hosts: tuple[RequestLog, int]
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL")
    log, port = hosts
    urls = {
        f"s{number:02d}": [
            f"http://{HOSTS[number % 3]}:{port}/feed/{number}",
            f"http://{HOSTS[(number + 1) % 3]}:{port}/article/{number}",
        ]
        for number in range(SOURCES)
    }
    store = Store.open(database_url)
    try:
        instances = [Instance(store, urls) for _ in range(3)]
        instances[0].coordinator.plan(
            dict.fromkeys(urls), {name: host_key(pair[0]) or "" for name, pair in urls.items()}
        )
        asyncio.run(run_until_enough(instances, log))
    finally:
        store.close()

    assert [error for instance in instances for error in instance.errors] == []
    for host in HOSTS:
        assert log.count(host) >= WANTED, (host, log.count(host))
        assert log.most[host] <= CONCURRENCY, (host, log.most)
        # one politeness spaces every start by ``DELAY``; two at once would start ~together
        starts = log.arrivals[host]
        gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
        assert min(gaps) >= DELAY / 4, (host, [round(gap, 3) for gap in gaps])


async def run_until_enough(instances: list[Instance], log: RequestLog) -> None:
    done = asyncio.Event()
    firsts = []
    for instance in instances:  # one after the other: each starts with a host of its own
        instance.coordinator.start()
        firsts.append(instance.coordinator.claim(1))
    runs = [
        asyncio.create_task(instance.run(done, first))
        for instance, first in zip(instances, firsts, strict=True)
    ]
    await asyncio.to_thread(log.enough.wait, 120)
    done.set()
    await asyncio.gather(*runs)
