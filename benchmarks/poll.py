"""Polling cost: 1,000 unchanged feeds checked by monitor and by urlwatch, and an idle daemon.

A local web server on 127.0.0.1 (nginx when installed, else an aiohttp static server) serves
1,000 small RSS feeds, ``/feed/N.xml``, and the articles they link to, with ETag and
Last-Modified, answering ``304 Not Modified`` to conditional requests. Everything is measured
through the command line only, so the figures hold whatever the internals are:

* ``monitor once`` on a fresh SQLite database: the first pass fills the store and the stored
  validators; further passes run until one sees exactly 1,000 × 304 (work left from the first
  pass, such as an article that failed, is done first), and that unchanged pass is reported;
* urlwatch on the same 1,000 URLs, its cache filled by a first pass, then the same passes;
* the start-up cost of each (monitor with no sources, urlwatch with no jobs), to show what is
  per-check cost and what is process start; start-up and the unchanged pass each run
  ``--repeats`` times (3), alternately, and their medians are reported;
* the marginal cost of a check, which leaves start-up out without measuring it: each tool's
  unchanged pass over the first 500 feeds and over all 1,000 (the store or cache of the main
  measurement, which holds the 1,000), run back to back ``--marginal-pairs`` times (5);
  (CPU over 1,000 − CPU over 500) / 500 per pair, and the median of the pairs
  (``--skip-marginal`` leaves it out);
* ``monitor run`` with the same 1,000 sources at a 1 h interval, once its first checks are
  over (no request and under 5 % CPU for ``--quiet-seconds``): CPU % and RSS over
  ``--idle-seconds`` (60 s), then SIGTERM and the time to exit.

CPU is the child's user + system time from ``wait4`` (everything the process did, storage
included); idle CPU and RSS come from psutil, the daemon's children included. The server's own
CPU is never counted. Goals (issue 7): ≤ 0.5 CPU-s per 1,000 unchanged checks, idle < 2 % CPU,
< 150 MB RSS.

    python benchmarks/poll.py [--feeds 1000] [--idle-seconds 60] [--server auto|nginx|aiohttp]
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
GOAL_CPU_MS_PER_CHECK = 0.5  # issue 17: net of start-up, storage included
GOAL_TIMES_BETTER = 5.0
GOAL_STATEMENTS_PER_CHECK = 2
GOAL_IDLE_CPU_PERCENT = 2.0
GOAL_IDLE_RSS_MB = 150.0
RUN_TIMEOUT_S = 900.0
IDLE_SETTLE_CPU_SHARE = 0.05  # the idle window starts once the daemon uses less than this
SOURCE_INTERVAL = "1h"
ACCESS_LOG_FORMAT = "$status $request_uri"  # one "STATUS /path" line per request
CHILD_ENV_DROP = (
    # Both tools start from bytecode, as installed packages do: urlwatch's was compiled when pip
    # installed it, monitor's (an editable install) is written by its first, uncounted, run.
    "PYTHONDONTWRITEBYTECODE",
    "MONITOR_DATABASE_URL",
    "MONITOR_CONFIG",
    "MONITOR_SERVER_HOST",
    "MONITOR_SERVER_PORT",
)

# --------------------------------------------------------------------------- the site


def article_words(feed: int, item: int) -> str:
    """A few deterministic sentences, so that each article has a real text body."""
    return (
        f"Officials in region {feed} confirmed on day {item} that talks would resume next week. "
        f"Negotiators said the draft covered {feed % 7 + 2} points, including aid deliveries and "
        f"the release of detainees. Observers called the meeting number {item} constructive, "
        "while warning that several questions remained open and that a final text could "
        "still take days."
    )


def write_site(root: Path, feeds: int, items: int, base_url: str) -> None:
    """``feed/N.xml`` (RSS 2.0, ``items`` entries each) and the ``article/N-K.html`` they link."""
    (root / "feed").mkdir(parents=True)
    (root / "article").mkdir()
    published = formatdate(time.time() - 30 * 86400, usegmt=True)
    for feed in range(feeds):
        entries = []
        for item in range(items):
            link = f"{base_url}/article/{feed}-{item}.html"
            title = f"Talks resume in region {feed}, round {item}"
            entries.append(
                f"<item><title>{title}</title><link>{link}</link>"
                f'<guid isPermaLink="true">{link}</guid><pubDate>{published}</pubDate>'
                f"<description>{article_words(feed, item)[:120]}</description></item>"
            )
            (root / "article" / f"{feed}-{item}.html").write_text(
                "<!doctype html><html lang=en><head><meta charset=utf-8>"
                f"<title>{title}</title>"
                f'<meta property="article:published_time" content="{published}">'
                f"</head><body><article><h1>{title}</h1>"
                f"<p>{article_words(feed, item)}</p><p>{article_words(item, feed)}</p>"
                "</article></body></html>",
                encoding="utf-8",
            )
        (root / "feed" / f"{feed}.xml").write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {feed}</title><link>{base_url}/</link>"
            f"<description>Benchmark feed {feed}</description>{''.join(entries)}"
            "</channel></rss>",
            encoding="utf-8",
        )


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


NGINX_CONF = """\
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ application/rss+xml xml; text/html html; }}
    default_type application/octet-stream;
    log_format bench '{log_format}';
    access_log {log} bench;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    keepalive_requests 100000;
    keepalive_timeout 120s;
    etag on;
    # RFC 9110 semantics, as most servers: a resource not modified since the given date is
    # "304" (nginx's default, "exact", answers 200 unless the date equals Last-Modified).
    if_modified_since before;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
    }}
}}
"""


@dataclass
class FeedServer:
    """A static server for the site; every request is logged as ``STATUS /path``."""

    root: Path
    work: Path
    port: int
    kind: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.work / "access.log"

    def start(self, preference: str) -> None:
        nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if preference == "nginx" and nginx is None:
            raise SystemExit("poll.py: --server nginx, but nginx is not installed")
        self.work.mkdir(parents=True, exist_ok=True)
        self.log.touch()
        if nginx and preference in ("auto", "nginx"):
            self.kind = "nginx"
            self._start_nginx(nginx)
        else:
            self.kind = "aiohttp"
            self._start_aiohttp()
        self._wait_until_serving()

    def _start_nginx(self, nginx: str) -> None:
        config = self.work / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                work=self.work,
                log=self.log,
                log_format=ACCESS_LOG_FORMAT,
                port=self.port,
                root=self.root,
            ),
            encoding="utf-8",
        )
        # nginx workers may run as "nobody" when we are root: let them read the site.
        for path in (self.root.parent, self.root, *self.root.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.process = subprocess.Popen(
            [
                nginx,
                "-p",
                str(self.work),
                "-e",
                str(self.work / "error.log"),
                "-c",
                str(config),
                "-g",
                "daemon off;",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def _start_aiohttp(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(self.root), str(self.port), str(self.log)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                error = (
                    self.process.stderr.read().decode(errors="replace")
                    if self.process.stderr
                    else ""
                )
                raise SystemExit(f"poll.py: the {self.kind} server did not start: {error.strip()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/feed/0.xml", timeout=2) as response:
                    if response.status == 200 and response.headers.get("ETag"):
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        raise SystemExit(f"poll.py: the {self.kind} server did not answer within 20 s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT if self.kind == "nginx" else signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_offset(self) -> int:
        return self.log.stat().st_size

    def statuses_since(self, offset: int) -> collections.Counter[str]:
        with self.log.open("rb") as log:
            log.seek(offset)
            return collections.Counter(
                line.split(b" ", 1)[0].decode() for line in log.read().splitlines() if line
            )


def serve_static(root: str, port: int, log_path: str) -> None:
    """The aiohttp fallback server (run as a child process): ETag, Last-Modified, 304."""
    from aiohttp import web

    log = open(log_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - open for the process lifetime

    async def access_log(request: web.Request, response: web.StreamResponse) -> None:
        # A file response's status (200 or 304) is only known when it is prepared.
        log.write(f"{response.status} {request.path_qs}\n")

    app = web.Application()
    app.on_response_prepare.append(access_log)
    app.router.add_static("/", root)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None, backlog=4096)


# --------------------------------------------------------------------------- configs


def monitor_config(
    path: Path, database: str, sources: Sequence[str], *, server_port: int | None
) -> None:
    """A monitor config: these feed URLs as ``type: feed`` sources, no topics, no webhooks."""
    lines = [
        "storage:",
        f'  database_url: "{database}"',
        "fetch:",
        "  allow_private_networks: true",
        "  obey_robots: false",
        "  max_connections: 100",
        "  per_host_concurrency: 100",
        "  per_host_delay: 0s",
        "  retries: 0",
        "sources:" if sources else "sources: []",
    ]
    for index, url in enumerate(sources):
        lines += [
            f"  - name: feed-{index:04d}",
            "    type: feed",
            f'    url: "{url}"',
            f"    interval: {SOURCE_INTERVAL}",
        ]
    if server_port is None:
        lines += ["server:", "  enabled: false"]
    else:
        lines += ["server:", "  enabled: true", "  host: 127.0.0.1", f"  port: {server_port}"]
    lines += ["logging:", "  level: info", "  format: json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def urlwatch_files(directory: Path, urls: Sequence[str]) -> tuple[Path, Path, Path]:
    """urlwatch's job list, a config with the console report off, and its cache path."""
    directory.mkdir(parents=True, exist_ok=True)
    jobs = directory / "urls.yaml"
    jobs.write_text("".join(f'---\nurl: "{url}"\n' for url in urls), encoding="utf-8")
    config = directory / "urlwatch.yaml"
    config.write_text(
        "report:\n  stdout:\n    enabled: false\n    color: false\n", encoding="utf-8"
    )
    return jobs, config, directory / "cache.db"


# --------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    """One command run to completion: exit code, wall time, CPU time, peak RSS, responses."""

    label: str
    exit_code: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    statuses: collections.Counter[str] = field(default_factory=collections.Counter)
    log: Path | None = None

    def tail(self, lines: int = 15) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def child_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in CHILD_ENV_DROP}
    environment["NO_COLOR"] = "1"
    environment.update(extra or {})
    return environment


def run_measured(
    label: str,
    argv: Sequence[str],
    server: FeedServer,
    log: Path,
    environment: dict[str, str],
) -> Measured:
    """Run ``argv`` to completion; CPU and peak RSS of that child alone, from ``wait4``."""
    offset = server.log_offset()
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        timer = threading.Timer(RUN_TIMEOUT_S, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        label=label,
        exit_code=process.returncode,
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        max_rss_mb=usage.ru_maxrss / 1024,
        statuses=server.statuses_since(offset),
        log=log,
    )


@dataclass
class Idle:
    """The daemon left alone: CPU %, RSS, requests it made, how it stopped."""

    seconds: float
    settled_after_s: float
    settled: bool
    cpu_percent: float
    rss_mb_max: float
    rss_mb_last: float
    statuses: collections.Counter[str]
    healthz: str
    stop_s: float | None
    exit_code: int | None
    log: Path


def process_tree(process: psutil.Process) -> list[psutil.Process]:
    """The process and its descendants; empty once it has gone."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu_seconds(process: psutil.Process) -> float:
    total = 0.0
    for member in process_tree(process):
        with suppress(psutil.NoSuchProcess):
            times = member.cpu_times()
            total += times.user + times.system
    return total


def tree_rss_mb(process: psutil.Process) -> float:
    total = 0
    for member in process_tree(process):
        with suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total / 2**20


def probe_healthz(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return f"unreachable ({getattr(error, 'reason', error)})"


def wait_until_quiet(
    server: FeedServer,
    process: subprocess.Popen[bytes],
    watched: psutil.Process,
    quiet_s: float,
    limit_s: float,
) -> tuple[float, bool]:
    """Wait until the daemon's first checks are over: for ``quiet_s``, no request reached the
    server and the daemon used under 5 % of a CPU (it may still be working on what it fetched).
    """
    started = time.monotonic()
    history: collections.deque[tuple[float, int, float]] = collections.deque()
    while process.poll() is None:
        now = time.monotonic()
        history.append((now, server.log_offset(), tree_cpu_seconds(watched)))
        while len(history) > 1 and now - history[1][0] >= quiet_s:
            history.popleft()
        oldest_time, oldest_size, oldest_cpu = history[0]
        if now - oldest_time >= quiet_s:
            requests_quiet = history[-1][1] == oldest_size
            cpu_quiet = history[-1][2] - oldest_cpu < IDLE_SETTLE_CPU_SHARE * (now - oldest_time)
            if requests_quiet and cpu_quiet:
                return now - started, True
        if now - started >= limit_s:
            return now - started, False
        time.sleep(0.5)
    return time.monotonic() - started, False


def measure_idle(
    argv: Sequence[str],
    server: FeedServer,
    port: int,
    seconds: float,
    quiet_s: float,
    log: Path,
    environment: dict[str, str],
) -> Idle:
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        watched = psutil.Process(process.pid)
        wait_for_endpoint(process, port, limit_s=60)
        settled_after, settled = wait_until_quiet(server, process, watched, quiet_s, limit_s=600)
        healthz = probe_healthz(port)
        offset = server.log_offset()
        cpu_before, started = tree_cpu_seconds(watched), time.monotonic()
        rss_samples = []
        while time.monotonic() - started < seconds and process.poll() is None:
            rss_samples.append(tree_rss_mb(watched))
            time.sleep(1.0)
        elapsed = time.monotonic() - started
        alive = process.poll() is None
        cpu = tree_cpu_seconds(watched) - cpu_before if alive else 0.0
        statuses = server.statuses_since(offset)
        stop_s, exit_code = stop_daemon(process)
        return Idle(
            seconds=elapsed,
            settled_after_s=settled_after,
            settled=settled,
            cpu_percent=100 * cpu / elapsed if elapsed else 0.0,
            rss_mb_max=max(rss_samples, default=0.0),
            rss_mb_last=rss_samples[-1] if rss_samples else 0.0,
            statuses=statuses,
            healthz=healthz if alive else f"exited early with code {process.returncode}",
            stop_s=stop_s,
            exit_code=exit_code,
            log=log,
        )
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_for_endpoint(process: subprocess.Popen[bytes], port: int, limit_s: float) -> None:
    """Until /healthz answers at all (the daemon has started), the process exits, or a limit."""
    deadline = time.monotonic() + limit_s
    while process.poll() is None and time.monotonic() < deadline:
        if not probe_healthz(port).startswith("unreachable"):
            return
        time.sleep(0.5)


def stop_daemon(process: subprocess.Popen[bytes]) -> tuple[float | None, int | None]:
    """SIGTERM, then the time it took to exit (None if it had to be killed after 15 s)."""
    if process.poll() is not None:
        return None, process.returncode
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None, None
    return time.monotonic() - started, code


# --------------------------------------------------------------------------- report


def describe_statuses(statuses: collections.Counter[str]) -> str:
    if not statuses:
        return "no requests"
    return ", ".join(f"{count}×{status}" for status, count in sorted(statuses.items()))


def per_thousand(measured: Measured, checks: int) -> float:
    return measured.cpu_s / checks * 1000


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "MISSED"


def cpu_verdict(value: float) -> str:
    """A CPU figure per check at or below zero is noise (a start-up that cost more than the
    whole pass, on a few feeds or a busy machine), not a result."""
    if value <= 0:
        return "not measured: within the noise, use more feeds"
    return verdict(value, GOAL_CPU_MS_PER_CHECK)


def ratio_verdict(theirs: float, ours: float) -> str:
    if ours <= 0:
        return "not measured: ours within the noise"
    ratio = theirs / ours
    return f"{ratio:.1f}× ({'met' if ratio >= GOAL_TIMES_BETTER else 'MISSED'})"


def print_table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def report_runs(checks: int, ours: Passes | None, theirs: Passes | None, version: str) -> None:
    rows: list[tuple[str, ...]] = [("", "monitor", f"urlwatch {version}")]

    def row(title: str, show: Callable[[Passes], str]) -> None:
        rows.append((title, *(show(p) if p is not None else "n/a" for p in (ours, theirs))))

    def settled(passes: Passes) -> str:
        if not passes.settled:
            return f"{passes.number} (never all 304)"
        median = f", median of {passes.samples}" if passes.samples > 1 else ""
        return f"{passes.number}{median}"

    row("start-up only (no sources): CPU", lambda p: f"{p.startup.cpu_s:.2f} s")
    row("pass 1, fills the store: wall", lambda p: f"{p.first.wall_s:.2f} s")
    row("pass 1: CPU", lambda p: f"{p.first.cpu_s:.2f} s")
    row("pass 1: responses", lambda p: describe_statuses(p.first.statuses))
    row("pass 1: exit code", lambda p: str(p.first.exit_code))
    row("unchanged pass: which one", settled)
    row("unchanged: wall", lambda p: f"{p.unchanged.wall_s:.2f} s")
    row("unchanged: CPU-s per 1,000 checks", lambda p: f"{per_thousand(p.unchanged, checks):.2f} s")
    row("unchanged: CPU per check", lambda p: f"{p.unchanged.cpu_s / checks * 1000:.2f} ms")
    row(
        "unchanged: CPU-s per 1,000, net of start-up",
        lambda p: f"{p.net_cpu_s() / checks * 1000:.2f} s",
    )
    row(
        "  the same, median of back-to-back pairs",
        lambda p: f"{p.paired_net_cpu_s() / checks * 1000:.2f} s",
    )
    row("unchanged: peak RSS", lambda p: f"{p.unchanged.max_rss_mb:.0f} MB")
    row("unchanged: responses", lambda p: describe_statuses(p.unchanged.statuses))
    row("unchanged: exit code", lambda p: str(p.unchanged.exit_code))
    print_table(rows)


def report_marginal(
    margins: tuple[Marginal | None, Marginal | None], version: str, *, skipped: bool
) -> None:
    if skipped:
        return
    ours, theirs = margins
    print()
    if ours is None:
        print("marginal cost: not measured (a pass failed or was not all 304)")
        return
    small, large = ours.feeds - ours.step, ours.feeds
    print(
        f"marginal cost of an unchanged check: passes over {small} and {large} feeds, back to "
        f"back, on the store of {large} (start-up cancels out):"
    )
    rows: list[tuple[str, ...]] = [("", "monitor", f"urlwatch {version}")]

    def row(title: str, show: Callable[[Marginal], str]) -> None:
        rows.append((title, *(show(m) if m is not None else "n/a" for m in (ours, theirs))))

    row("pairs counted", lambda m: str(len(m.pairs)))
    row(
        f"CPU over {small} / {large} feeds (medians)",
        lambda m: (
            f"{statistics.median(s.cpu_s for s, _ in m.pairs):.2f} s / "
            f"{statistics.median(b.cpu_s for _, b in m.pairs):.2f} s"
        ),
    )
    row("CPU per check, median of the pairs", lambda m: f"{m.per_check_ms():.2f} ms")
    row("CPU per check, from the medians", lambda m: f"{m.medians_s() / m.step * 1000:.2f} ms")
    row(
        "each pair's difference per check",
        lambda m: " ".join(f"{(b.cpu_s - s.cpu_s) / m.step * 1000:.2f}" for s, b in m.pairs),
    )
    print_table(rows)


def report_idle(idle: Idle | None, sources: int) -> None:
    if idle is None:
        return
    print()
    print(f"idle daemon, {sources} sources at {SOURCE_INTERVAL}, over {idle.seconds:.0f} s:")
    state = "quiet" if idle.settled else "NOT quiet: still fetching or busy after 600 s"
    print(
        f"  first checks over after {idle.settled_after_s:.0f} s ({state}); "
        f"/healthz: {idle.healthz}"
    )
    print(
        f"  CPU {idle.cpu_percent:.2f} % (goal < {GOAL_IDLE_CPU_PERCENT} %: "
        f"{verdict(idle.cpu_percent, GOAL_IDLE_CPU_PERCENT)}), "
        f"RSS max {idle.rss_mb_max:.0f} MB, last {idle.rss_mb_last:.0f} MB "
        f"(goal < {GOAL_IDLE_RSS_MB:.0f} MB: {verdict(idle.rss_mb_max, GOAL_IDLE_RSS_MB)})"
    )
    print(f"  requests during the window: {describe_statuses(idle.statuses)}")
    stop = f"{idle.stop_s:.2f} s" if idle.stop_s is not None else "did not stop within 15 s"
    print(f"  SIGTERM → exit {idle.exit_code} after {stop}")


# --------------------------------------------------------------------------- layers, goals


def fresh_database(args: argparse.Namespace, directory: Path, name: str) -> str:
    """A new SQLite file in ``directory``, or a new database on ``--database-url``'s server."""
    if not args.database_url:
        return f"sqlite:///{directory / (name + '.db')}"
    from sqlalchemy.engine import make_url

    server = make_url(args.database_url)
    database = f"bench_poll_{os.getpid()}_{name}".replace("-", "_")
    _on_server(args.database_url, f'DROP DATABASE IF EXISTS "{database}"')
    _on_server(args.database_url, f'CREATE DATABASE "{database}"')
    CREATED_DATABASES.append(database)
    return server.set(database=database).render_as_string(hide_password=False)


CREATED_DATABASES: list[str] = []


def _on_server(url: str, statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def drop_created_databases(args: argparse.Namespace) -> None:
    """The databases ``fresh_database`` made on ``--database-url``'s server, dropped."""
    while CREATED_DATABASES:
        name = CREATED_DATABASES.pop()
        with suppress(Exception):  # one that cannot be dropped is left, never a failed run
            _on_server(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class LayerRuns:
    unchanged: Any
    first: Any
    new_articles: int
    at_once: Any


def measure_layers(
    args: argparse.Namespace, work: Path, urls: list[str], database: str
) -> LayerRuns | None:
    """In this process: an unchanged pass over the CLI's database, then a first pass of
    ``--layer-feeds`` feeds into a fresh database, both timed by layer."""
    sys.path.insert(0, str(Path(__file__).parent))
    import poll_layers

    directory = work / "monitor"
    config = directory / "layers.yaml"
    monitor_config(config, database, urls, server_port=None)
    print("monitor in this process: an unchanged pass, by layer …", flush=True)
    unchanged = poll_layers.measure(config)
    print("monitor in this process: an unchanged pass, all checks at once …", flush=True)
    at_once = poll_layers.measure_all_at_once(config)
    first_config = directory / "layers-first.yaml"
    fresh = fresh_database(args, directory, "layers_first")
    monitor_config(first_config, fresh, urls[: args.layer_feeds], server_port=None)
    print(f"monitor in this process: a first pass of {args.layer_feeds} feeds …", flush=True)
    first = poll_layers.measure(first_config)
    new_articles = sum(report.new_articles for report in first.reports)
    return LayerRuns(unchanged, first, new_articles, at_once)


def report_layers(layers: LayerRuns | None) -> None:
    if layers is None:
        return
    import poll_layers

    unchanged = layers.unchanged
    not_modified = sum(report.not_modified for report in unchanged.reports)
    poll_layers.print_breakdown(
        f"unchanged pass ({not_modified} × 304), one check at a time",
        unchanged,
        "check",
        unchanged.checks,
    )
    poll_layers.print_all_at_once(layers.at_once)
    poll_layers.print_breakdown(
        "first pass", layers.first, "new article", max(layers.new_articles, 1)
    )


def report_goals(
    ours: Passes,
    theirs: Passes | None,
    feeds: int,
    layers: LayerRuns | None,
    margins: tuple[Marginal | None, Marginal | None] = (None, None),
) -> None:
    for how, net_of in (
        ("medians", Passes.net_cpu_s),
        ("median of back-to-back pairs", Passes.paired_net_cpu_s),
    ):
        net = net_of(ours) / feeds * 1000
        print(
            f"\ngoal ≤ {GOAL_CPU_MS_PER_CHECK} CPU-ms per unchanged check with storage, net of "
            f"start-up ({how}): {net:.2f} ms ({cpu_verdict(net)})"
        )
        if theirs is not None:
            their_net = net_of(theirs) / feeds * 1000
            print(
                f"goal ≥ {GOAL_TIMES_BETTER:.0f}× better than urlwatch ({their_net:.2f} ms net): "
                f"{ratio_verdict(their_net, net)}"
            )
    ours_marginal, theirs_marginal = margins
    if ours_marginal is not None:
        net = ours_marginal.per_check_ms()
        small = ours_marginal.feeds - ours_marginal.step
        print(
            f"\ngoal ≤ {GOAL_CPU_MS_PER_CHECK} CPU-ms per unchanged check with storage, "
            f"marginal ({small} → {ours_marginal.feeds} feeds, median of back-to-back pairs): "
            f"{net:.2f} ms ({cpu_verdict(net)})"
        )
        if theirs_marginal is not None:
            their_net = theirs_marginal.per_check_ms()
            print(
                f"goal ≥ {GOAL_TIMES_BETTER:.0f}× better than urlwatch ({their_net:.2f} ms "
                f"marginal): {ratio_verdict(their_net, net)}"
            )
    if layers is not None:
        statements = layers.unchanged.layers.statements / layers.unchanged.checks
        print(
            f"goal ≤ {GOAL_STATEMENTS_PER_CHECK} SQL statements per unchanged check: "
            f"{statements:.3f} ({verdict(statements, GOAL_STATEMENTS_PER_CHECK)}; on PostgreSQL, "
            "plus one per host lease taken, not per check)"
        )


# --------------------------------------------------------------------------- main


def monitor_command(python: str, *arguments: str) -> list[str]:
    return [python, "-m", "monitor", *arguments]


def urlwatch_command() -> list[str] | None:
    beside = Path(sys.executable).parent / "urlwatch"
    found = str(beside) if beside.exists() else shutil.which("urlwatch")
    return [found] if found else None


def urlwatch_version(command: list[str]) -> str:
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    return result.stdout.strip().split()[-1] if result.returncode == 0 else "?"


def explain_failure(run: Measured, what: str) -> None:
    print(f"\n{what}; its last lines (--keep keeps {run.log}):", file=sys.stderr)
    print(run.tail(), file=sys.stderr)


def monitor_run_problem(run: Measured, expected_requests: int) -> str | None:
    """Why a ``monitor once`` run cannot be counted as a complete pass, or None.

    Exit code 1 means "some source failed" but is also what Python exits with on a traceback,
    so a pass only counts when it ran to its end and asked the server for every feed.
    """
    output = run.tail(200)
    if "invalid choice: 'once'" in output:
        return "`monitor once` does not exist in this tree yet (issue 7)"
    if run.exit_code not in (0, 1):
        return f"exit code {run.exit_code}"
    if "Traceback (most recent call last)" in output:
        return "it crashed"
    requests = sum(run.statuses.values())
    if requests < expected_requests:
        return f"the server saw {requests} requests for {expected_requests} feeds"
    return None


@dataclass
class Passes:
    """One tool's runs: start-up alone, the first pass, and the unchanged pass that is reported.

    Passes after the first are repeated (up to ``--max-passes``) until one sees nothing but 304
    for every feed: a tool that left work unfinished in its first pass (a failed article, say)
    finishes it in the next, and that pass is not an unchanged one.
    """

    startup: Measured
    first: Measured
    unchanged: Measured
    number: int  # which pass is ``unchanged``
    settled: bool  # it saw exactly one 304 per feed and nothing else
    samples: int = 1  # start-up and unchanged pass: the median of this many runs each
    # each unchanged pass's CPU less that of the start-up run just before it, in seconds
    paired_net: list[float] = field(default_factory=list)

    def net_cpu_s(self) -> float:
        """The unchanged pass's CPU net of start-up: the difference of the two medians."""
        return self.unchanged.cpu_s - self.startup.cpu_s

    def paired_net_cpu_s(self) -> float:
        """The same, as the median of the differences within each start-up / unchanged pair
        (run back to back, so they share the machine's load; the medians of a shared machine
        may come from runs minutes apart)."""
        return statistics.median(self.paired_net) if self.paired_net else self.net_cpu_s()


def only_not_modified(run: Measured, feeds: int) -> bool:
    return run.statuses == collections.Counter({"304": feeds})


def median_run(runs: list[Measured]) -> Measured:
    """The run with the median CPU time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run.cpu_s)[(len(runs) - 1) // 2]


def run_passes(
    run_once: Callable[[str, bool], Measured | None],
    feeds: int,
    max_passes: int,
    repeats: int = 1,
) -> Passes | None:
    """``run_once(label, with_sources)`` for start-up, pass 1, then until an all-304 pass.

    Start-up runs twice and the second counts: the first also creates the empty database's
    schema, which no later pass pays for. With ``repeats`` > 1, start-up and the all-304 pass
    each run that many times, alternately, and the median of each counts: on a shared machine
    one run's CPU time varies by more than the difference being measured.
    """
    startup = run_once("start-up", False) and run_once("start-up again", False)
    first = run_once("pass 1", True) if startup else None
    if startup is None or first is None:
        return None
    number, latest = 1, first
    while number < max_passes:
        number += 1
        run = run_once(f"pass {number}", True)
        if run is None:
            return None
        latest = run
        if only_not_modified(run, feeds):
            break
    settled = only_not_modified(latest, feeds)
    if not settled or repeats <= 1:
        return Passes(startup, first, latest, number, settled)
    startups, unchanged = [startup], [latest]
    paired = [latest.cpu_s - startup.cpu_s]
    for sample in range(2, repeats + 1):
        again = run_once(f"start-up, sample {sample}", False)
        run = run_once(f"unchanged pass, sample {sample}", True)
        if again is None or run is None:
            return None
        startups.append(again)
        if only_not_modified(run, feeds):
            unchanged.append(run)
            paired.append(run.cpu_s - again.cpu_s)
    return Passes(
        median_run(startups), first, median_run(unchanged), number, True, len(unchanged), paired
    )


@dataclass
class Marginal:
    """Unchanged passes over ``feeds − step`` and over ``feeds``, run in back-to-back pairs on
    the store (or cache) that holds the ``feeds``: the difference is the cost of ``step`` more
    checks with start-up and every fixed cost of a run left out, and nothing measured apart is
    subtracted. Both runs read the same store, so a tool whose lookups grow with its store
    (urlwatch's cache has no index: each job's read scans it) is measured at its 1,000 entries,
    as in the main measurement, not at a larger store."""

    feeds: int
    step: int
    pairs: list[tuple[Measured, Measured]] = field(default_factory=list)

    def paired_s(self) -> float:
        """CPU-s of ``step`` more checks: the median of the pairs' differences."""
        return statistics.median(large.cpu_s - small.cpu_s for small, large in self.pairs)

    def medians_s(self) -> float:
        """The same from the medians of each size."""
        small = statistics.median(small.cpu_s for small, _ in self.pairs)
        large = statistics.median(large.cpu_s for _, large in self.pairs)
        return large - small

    def per_check_ms(self) -> float:
        return self.paired_s() / self.step * 1000


def run_marginal(
    run_count: Callable[[str, int], Measured | None], feeds: int, pairs: int
) -> Marginal | None:
    """``run_count(label, n)`` runs the tool over the first ``n`` feeds: ``pairs`` pairs of
    (half the feeds, all of them), each pair back to back so that both share the machine's load.
    A pair counts only if both of its passes saw nothing but 304."""
    marginal = Marginal(feeds, feeds - feeds // 2)
    for sample in range(1, max(pairs, 1) + 1):
        small = run_count(f"{feeds // 2} feeds, sample {sample}", feeds // 2)
        large = run_count(f"{feeds} feeds, sample {sample}", feeds)
        if small is None or large is None:
            return None
        if only_not_modified(small, feeds // 2) and only_not_modified(large, feeds):
            marginal.pairs.append((small, large))
    return marginal if marginal.pairs else None


def measure_monitor_marginal(
    args: argparse.Namespace, work: Path, server: FeedServer, urls: list[str], database: str
) -> Marginal | None:
    """The marginal cost of a check for monitor: ``monitor once`` over the first half of the
    sources and over all of them, on the database of the main measurement."""
    directory = work / "monitor"
    environment = child_environment()
    configs: dict[int, Path] = {}
    for count in (len(urls) // 2, len(urls)):
        configs[count] = directory / f"marginal-{count}.yaml"
        monitor_config(configs[count], database, urls[:count], server_port=None)

    def run_count(label: str, count: int) -> Measured | None:
        print(f"monitor once (marginal): {label} …", flush=True)
        argv = monitor_command(args.python, "once", "--config", str(configs[count]))
        log = directory / f"marginal-{label.replace(' ', '').replace(',', '-')}.log"
        run = run_measured(label, argv, server, log, environment)
        problem = monitor_run_problem(run, expected_requests=count)
        if problem:
            explain_failure(run, f"`monitor once` ({label}): {problem}")
            return None
        return run

    return run_marginal(run_count, len(urls), args.marginal_pairs)


def run_urlwatch(
    label: str,
    argv: list[str],
    config: Path,
    cache: Path,
    log: Path,
    server: FeedServer,
    environment: dict[str, str],
) -> Measured | None:
    """One urlwatch run of ``argv`` (command and job file) on ``config`` and ``cache``; None,
    after saying why, when it failed."""
    run = run_measured(
        label, [*argv, "--config", str(config), "--cache", str(cache)], server, log, environment
    )
    if run.exit_code != 0:
        explain_failure(run, f"urlwatch ({label}) failed with exit code {run.exit_code}")
        return None
    return run


def measure_urlwatch_marginal(
    args: argparse.Namespace, command: list[str], work: Path, server: FeedServer, urls: list[str]
) -> Marginal | None:
    """The same for urlwatch: the first half of the jobs and all of them, on its one cache."""
    directory = work / "urlwatch"
    config, cache = directory / "urlwatch.yaml", directory / "cache.db"
    jobs: dict[int, Path] = {}
    for count in (len(urls) // 2, len(urls)):
        jobs[count], _, _ = urlwatch_files(directory / f"marginal-{count}", urls[:count])
    environment = child_environment(
        {key: str(directory / "home") for key in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME")}
    )

    def run_count(label: str, count: int) -> Measured | None:
        print(f"urlwatch (marginal): {label} …", flush=True)
        log = directory / f"marginal-{label.replace(' ', '').replace(',', '-')}.log"
        return run_urlwatch(
            label, [*command, "--urls", str(jobs[count])], config, cache, log, server, environment
        )

    return run_marginal(run_count, len(urls), args.marginal_pairs)


def measure_monitor(
    args: argparse.Namespace, work: Path, server: FeedServer, urls: list[str]
) -> tuple[Passes | None, str]:
    directory = work / "monitor"
    directory.mkdir(parents=True)
    database = fresh_database(args, directory, "monitor")
    empty, config = directory / "empty.yaml", directory / "monitor.yaml"
    monitor_config(empty, fresh_database(args, directory, "empty"), [], server_port=None)
    monitor_config(config, database, urls, server_port=None)
    environment = child_environment()

    def run_once(label: str, with_sources: bool) -> Measured | None:
        print(f"monitor once: {label} …", flush=True)
        path = config if with_sources else empty
        argv = monitor_command(args.python, "once", "--config", str(path))
        log = directory / f"once-{label.replace(' ', '')}.log"
        run = run_measured(label, argv, server, log, environment)
        problem = monitor_run_problem(run, expected_requests=len(urls) if with_sources else 0)
        if problem:
            explain_failure(run, f"`monitor once` ({label}): {problem}")
            return None
        return run

    return run_passes(run_once, len(urls), args.max_passes, args.repeats), database


def measure_urlwatch(
    args: argparse.Namespace, command: list[str], work: Path, server: FeedServer, urls: list[str]
) -> Passes | None:
    directory = work / "urlwatch"
    empty_jobs, _, empty_cache = urlwatch_files(directory / "empty", [])
    jobs, config, cache = urlwatch_files(directory, urls)
    home = directory / "home"
    home.mkdir()
    environment = child_environment(
        {"HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_CACHE_HOME": str(home)}
    )

    def run_once(label: str, with_sources: bool) -> Measured | None:
        print(f"urlwatch: {label} …", flush=True)
        job_file, cache_file = (jobs, cache) if with_sources else (empty_jobs, empty_cache)
        log = directory / f"{label.replace(' ', '')}.log"
        return run_urlwatch(
            label, [*command, "--urls", str(job_file)], config, cache_file, log, server, environment
        )

    return run_passes(run_once, len(urls), args.max_passes, args.repeats)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--feeds", type=int, default=1000, help="number of feeds (default 1000)")
    parser.add_argument("--items", type=int, default=2, help="entries per feed (default 2)")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="idle window (60)")
    parser.add_argument(
        "--quiet-seconds",
        type=float,
        default=10.0,
        help="the daemon counts as idle after this long without a request and under 5 %% CPU (10)",
    )
    parser.add_argument(
        "--max-passes",
        type=int,
        default=4,
        help="passes after which the last one is reported even if not all 304 (4)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="start-up and unchanged pass each run this many times; the medians count (3)",
    )
    parser.add_argument("--server", choices=["auto", "nginx", "aiohttp"], default="auto")
    parser.add_argument("--python", default=sys.executable, help="Python that runs monitor")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL: monitor stores into fresh databases there (default SQLite)",
    )
    parser.add_argument(
        "--layer-feeds",
        type=int,
        default=100,
        help="feeds of the in-process first pass that splits CPU per new article (100)",
    )
    parser.add_argument("--skip-layers", action="store_true", help="no per-layer breakdown")
    parser.add_argument("--skip-urlwatch", action="store_true")
    parser.add_argument("--skip-idle", action="store_true")
    parser.add_argument(
        "--skip-marginal",
        action="store_true",
        help="no passes over half the feeds (the marginal cost of a check)",
    )
    parser.add_argument(
        "--marginal-pairs",
        type=int,
        default=5,
        help="back-to-back pairs of passes over half the feeds and all of them (5)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--serve", nargs=3, metavar=("ROOT", "PORT", "LOG"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@contextmanager
def work_directory(keep: bool) -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="monitor-bench-poll-"))
    try:
        yield path
    finally:
        if keep:
            print(f"work directory kept: {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve:
        serve_static(args.serve[0], int(args.serve[1]), args.serve[2])
        return 0
    with work_directory(args.keep) as work:
        server = FeedServer(root=work / "site", work=work / "server", port=free_port())
        write_site(server.root, args.feeds, args.items, server.base_url)
        server.start(args.server)
        try:
            return run_benchmark(args, work, server)
        finally:
            server.stop()
            if args.database_url:
                drop_created_databases(args)


def run_benchmark(args: argparse.Namespace, work: Path, server: FeedServer) -> int:
    urls = [f"{server.base_url}/feed/{index}.xml" for index in range(args.feeds)]
    print(
        f"{args.feeds} feeds × {args.items} entries on {server.base_url} ({server.kind}, "
        f"ETag + Last-Modified, 304 on If-None-Match); {psutil.cpu_count()} CPUs",
        flush=True,
    )
    ours, database = measure_monitor(args, work, server, urls)
    margins: tuple[Marginal | None, Marginal | None] = (None, None)
    if ours is not None and not args.skip_marginal:
        margins = (measure_monitor_marginal(args, work, server, urls, database), None)
    theirs, version = None, "(skipped)"
    if not args.skip_urlwatch:
        command = urlwatch_command()
        if command is None:
            print("urlwatch is not installed (pip install urlwatch); skipping it", file=sys.stderr)
        else:
            version = urlwatch_version(command)
            theirs = measure_urlwatch(args, command, work, server, urls)
            if theirs is not None and not args.skip_marginal:
                margins = (margins[0], measure_urlwatch_marginal(args, command, work, server, urls))
    layers = None
    if ours is not None and not args.skip_layers:
        layers = measure_layers(args, work, urls, database)
    idle = None
    if ours is not None and not args.skip_idle:
        port = free_port()
        config = work / "monitor" / "daemon.yaml"
        monitor_config(config, database, urls, server_port=port)
        print(f"monitor run: waiting for quiet, then {args.idle_seconds:.0f} s idle …", flush=True)
        idle = measure_idle(
            monitor_command(args.python, "run", "--config", str(config)),
            server,
            port,
            args.idle_seconds,
            args.quiet_seconds,
            work / "monitor" / "daemon.log",
            child_environment(),
        )
    print()
    report_runs(args.feeds, ours, theirs, version)
    report_marginal(margins, version, skipped=args.skip_marginal)
    report_layers(layers)
    report_idle(idle, args.feeds)
    if ours is not None:
        report_goals(ours, theirs, args.feeds, layers, margins)
    if idle is not None and idle.healthz.startswith("exited"):
        print(f"\nthe daemon {idle.healthz}; its log: {idle.log}", file=sys.stderr)
    return 0 if ours is not None else 1


if __name__ == "__main__":
    sys.exit(main())
