"""Soak: the real daemon for N minutes against a local site where hostile and healthy sources mix.

Serves on 127.0.0.1: healthy feeds whose articles gain a paragraph every few minutes, and hostile
sources — a page of 200,000 nested ``<div>``, a server that sends headers then hangs, a page of
several MB, a feed that answers 500, a 600 KB robots.txt — and a webhook receiver. Starts
``monitor run`` on that, probes ``/healthz`` every 100 ms, samples the daemon's RSS and CPU every
second, and at the end reports:

- RSS (first minute vs last minute, max) and CPU %,
- ``/healthz`` latency (max, p99) — an upper bound of the event loop's lag, since the endpoint
  runs on the daemon's loop,
- healthy checks on time (the gap between two checks of a source within interval + 2 s),
- alerts received.

There is no peer for this one: the figures stand against the goals (loop lag p99 < 100 ms,
RSS flat). Nothing is asserted; it is a program, not a test.

    python benchmarks/soak.py                 # 30 minutes
    python benchmarks/soak.py --minutes 3     # a short run
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import httpx
import psutil
from aiohttp import web

REPO = Path(__file__).resolve().parents[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HEALTHY = 8
INTERVAL = 10  # seconds between checks of a source
NESTING = 200_000
PARAGRAPH = (
    "<p>Delegations met again in Cairo on {day} as mediators pressed for a longer truce, and "
    "officials said {count} people had been moved to safety since the talks began.</p>"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """The local web: healthy feeds and articles that grow, hostile pages, a webhook receiver."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.alerts = 0
        self.deep = b"<html><body>" + b"<div>" * NESTING + b"x" + b"</div>" * NESTING + b"</body>"
        self.big = b"<html><body>" + b"<p>" + b"filler text " * 400_000 + b"</p></body></html>"

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthy/{n}/feed.xml", self.feed)
        app.router.add_get("/healthy/{n}/article.html", self.article)
        app.router.add_get("/hostile/feed.xml", self.hostile_feed)
        app.router.add_get("/hostile/deep.html", lambda _r: self.html(self.deep))
        app.router.add_get("/hostile/big.html", lambda _r: self.html(self.big))
        app.router.add_get("/hostile/hang.html", self.hang)
        app.router.add_get("/broken/feed.xml", lambda _r: web.Response(status=500))
        app.router.add_get("/robots.txt", self.robots)
        app.router.add_post("/hook", self.hook)
        return app

    def html(self, body: bytes) -> web.Response:
        return web.Response(body=body, content_type="text/html")

    async def feed(self, request: web.Request) -> web.Response:
        n = request.match_info["n"]
        link = f"http://{request.host}/healthy/{n}/article.html"
        body = (
            f'<rss version="2.0"><channel><title>wire {n}</title><item><title>Talks {n}</title>'
            f"<link>{link}</link></item></channel></rss>"
        )
        return web.Response(text=body, content_type="application/rss+xml")

    async def article(self, request: web.Request) -> web.Response:
        n = request.match_info["n"]
        grown = 3 + int((time.monotonic() - self.started) // 120)  # a paragraph every 2 minutes
        paragraphs = "".join(PARAGRAPH.format(day=i, count=10 * i) for i in range(grown))
        body = (
            f"<html><head><title>Talks in Cairo, part {n}</title></head><body><article>"
            f"<h1>Talks in Cairo, part {n}</h1>{paragraphs}</article></body></html>"
        )
        return web.Response(text=body, content_type="text/html")

    async def hostile_feed(self, request: web.Request) -> web.Response:
        items = "".join(
            f"<item><title>{name}</title><link>http://{request.host}/hostile/{name}.html</link></item>"
            for name in ("deep", "big", "hang")
        )
        body = f'<rss version="2.0"><channel><title>hostile</title>{items}</channel></rss>'
        return web.Response(text=body, content_type="application/rss+xml")

    async def hang(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b"<html><body>")
        await asyncio.sleep(3600)  # headers, then nothing
        return response

    async def robots(self, _request: web.Request) -> web.Response:
        text = "User-agent: *\nDisallow: /private\n" + "# padding line\n" * 40_000
        return web.Response(text=text, content_type="text/plain")

    async def hook(self, request: web.Request) -> web.Response:
        await request.read()
        self.alerts += 1
        return web.Response(status=204)


def write_config(folder: Path, site: str, server_port: int) -> Path:
    sources = [(f"wire-{n}", f"{site}/healthy/{n}/feed.xml") for n in range(HEALTHY)]
    sources += [("hostile", f"{site}/hostile/feed.xml"), ("broken", f"{site}/broken/feed.xml")]
    lines = [
        "storage:",
        f"  database_url: sqlite:///{folder / 'monitor.db'}",
        "fetch:",
        "  total_timeout: 10s",
        "  read_timeout: 5s",
        "  retries: 1",
        "  per_host_delay: 0s",
        "  per_host_concurrency: 16",
        "  allow_private_networks: true",
        "sources:",
    ]
    for name, url in sources:
        lines += [
            f"  - name: {name}",
            f"    url: {url}",
            f"    interval: {INTERVAL}s",
            "    jitter: 0s",
        ]
    lines += [
        "topics:",
        "  - name: talks",
        "    query: {any: [talks, cairo]}",
        "    webhooks: [hook]",
        "webhooks:",
        "  - name: hook",
        f"    url: {site}/hook",
        f"    secret: {SECRET}",
        "server:",
        f"  port: {server_port}",
        "logging:",
        "  level: debug  # one source_checked line per check, unchanged ones included",
    ]
    path = folder / "monitor.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


async def answering(port: int, within: float = 60.0) -> None:
    """Wait until the daemon's endpoint answers (start-up is not part of the soak)."""
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                await client.get(f"http://127.0.0.1:{port}/healthz")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.2)
    raise SystemExit(f"the daemon did not answer on port {port} within {within:g} s")


async def probe(port: int, until: float, latencies: list[float], failures: list[str]) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < until:
            began = time.perf_counter()
            try:
                await client.get(f"http://127.0.0.1:{port}/healthz")
            except httpx.HTTPError as exc:
                failures.append(type(exc).__name__)
            latencies.append(time.perf_counter() - began)
            await asyncio.sleep(0.1)


async def sample(
    pid: int, until: float, rss: list[tuple[float, int]], cpu: list[float], load: list[float]
) -> None:
    process = psutil.Process(pid)
    process.cpu_percent()
    started = time.monotonic()
    while time.monotonic() < until:
        await asyncio.sleep(1)
        with_children = [process, *process.children(recursive=True)]
        rss.append((time.monotonic() - started, sum(p.memory_info().rss for p in with_children)))
        cpu.append(process.cpu_percent())
        load.append(os.getloadavg()[0])


def checks_on_time(log: Path) -> tuple[int, int]:
    """(gaps within interval + 2 s, all gaps) between checks of each healthy source."""
    seen: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event.get("event") == "source_checked" and str(event.get("source")).startswith("wire-"):
            moment = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            seen.setdefault(event["source"], []).append(moment.timestamp())
    gaps = [b - a for times in seen.values() for a, b in itertools.pairwise(times)]
    return sum(gap <= INTERVAL + 2 for gap in gaps), len(gaps)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def soak(minutes: float, keep: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="monitor-soak-"))
    site = Site(time.monotonic())
    runner = web.AppRunner(site.app(), access_log=None)
    await runner.setup()
    site_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", site_port).start()
    server_port = free_port()
    config = write_config(folder, f"http://127.0.0.1:{site_port}", server_port)
    log = folder / "daemon.log"
    with log.open("w") as stderr:
        daemon = subprocess.Popen(  # noqa: ASYNC220  (started once; the loop has nothing else yet)
            [sys.executable, "-m", "monitor", "run", "--config", str(config)],
            cwd=folder,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stderr=stderr,
            stdout=subprocess.DEVNULL,
        )
        await answering(server_port)
        until = time.monotonic() + minutes * 60
        latencies: list[float] = []
        failures: list[str] = []
        rss: list[tuple[float, int]] = []
        cpu: list[float] = []
        load: list[float] = []  # the machine's 1-minute load average: lag means more on a busy one
        await asyncio.gather(
            probe(server_port, until, latencies, failures),
            sample(daemon.pid, until, rss, cpu, load),
        )
        stop_began = time.monotonic()
        daemon.terminate()
        code = daemon.wait(timeout=30)
        stop_seconds = time.monotonic() - stop_began
    await runner.cleanup()
    report(
        minutes, latencies, failures, rss, cpu, checks_on_time(log), site.alerts, code, stop_seconds
    )
    cores = os.cpu_count() or 1
    print(
        f"  machine load average (1 min): mean {statistics.mean(load or [0]):.1f}, max "
        f"{max(load, default=0):.1f} on {cores} cores"
    )
    print(f"logs: {log}" if keep else "", end="")


def report(
    minutes: float,
    latencies: list[float],
    failures: list[str],
    rss: list[tuple[float, int]],
    cpu: list[float],
    on_time: tuple[int, int],
    alerts: int,
    code: int,
    stop_seconds: float,
) -> None:
    first = [size for moment, size in rss if moment <= 60] or [0]
    last = [size for moment, size in rss if moment >= rss[-1][0] - 60] or [0]
    mb = 1024 * 1024
    print(f"soak: {minutes:g} min, {HEALTHY} healthy + 2 hostile sources every {INTERVAL}s")
    print(
        f"  /healthz latency (loop lag bound): p99 {percentile(latencies, 0.99) * 1000:.1f} ms,"
        f" max {max(latencies, default=0) * 1000:.1f} ms, median "
        f"{statistics.median(latencies or [0]) * 1000:.1f} ms over {len(latencies)} probes,"
        f" {len(failures)} failed {dict(Counter(failures)) or ''}"
    )
    print(
        f"  RSS (daemon + workers): first minute {statistics.mean(first) / mb:.0f} MB, last minute "
        f"{statistics.mean(last) / mb:.0f} MB, max {max(s for _, s in rss) / mb:.0f} MB"
    )
    print(f"  CPU: mean {statistics.mean(cpu or [0]):.1f} %, max {max(cpu, default=0):.0f} %")
    print(f"  healthy checks on time: {on_time[0]} of {on_time[1]}")
    print(f"  alerts received: {alerts}; SIGTERM: exit {code} in {stop_seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--keep", action="store_true", help="print where the daemon's log is")
    args = parser.parse_args()
    asyncio.run(soak(args.minutes, args.keep))


if __name__ == "__main__":
    main()
