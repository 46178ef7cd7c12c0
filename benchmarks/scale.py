"""Several instances on one PostgreSQL database: throughput, CPU per check, coordination cost.

Two parts, on the real PostgreSQL of ``MONITOR_TEST_DATABASE_URL`` (each run in a schema of its
own, dropped afterwards):

1. **Processes.** 1, 2 and 3 ``monitor run`` on one database against the same local site of
   ``--feeds`` feeds on ``--hosts`` loopback hosts (``tests/news_site.py``; its articles are
   fetched and tracked during the warm-up; one instance at a time fetches from a host), every
   source at a ``--interval`` short enough to keep the instances busy; then for
   ``--seconds`` the feed fetches in the site's own request log (checks per second) and the
   CPU of the instances, their worker processes included (psutil), give CPU per check. Next to
   them, one ``monitor run`` on SQLite: one instance, no coordination (a job per source).
2. **Coordination alone, in-process.** What a check costs in coordination: claiming due sources
   in batches (``--batch``) and handing the checked ones back, as the daemon's ``Coordinator``
   does (one statement a tick: finish, claim with ``FOR UPDATE SKIP LOCKED``, take the sources'
   hosts), each check's request passing the host guard; counted in SQL statements, client CPU
   ms (``time.process_time``) and wall ms (PostgreSQL's time included); and the tracking gate
   (lock + epoch) per tracked article. Next to it, the same cycle with pgqueuer (dequeue a
   batch, log each job done, enqueue the next check ``interval`` ahead with the source as
   dedupe key).

CPU, not wall time, is the figure to read: the machine is shared. Goal (issue 14): coordination
≤ 0.2 ms of CPU per check.

    python benchmarks/scale.py [--feeds 200] [--hosts 6] [--seconds 20] [--interval 2]
        [--cycles 2000] [--batch 5] [--skip-processes]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from sqlalchemy import event

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.config import TrackingConfig  # noqa: E402
from monitor.coordination import Coordinator  # noqa: E402
from monitor.store import Store, claims  # noqa: E402
from tests.conftest import _fresh_postgres_schema  # noqa: E402
from tests.news_site import NewsSite, monitor_config, serve_receiver, serve_site  # noqa: E402

# --------------------------------------------------------------------------- schemas


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A schema of its own, dropped afterwards (the tests' fixture does the work)."""
    yield from _fresh_postgres_schema(url)


# --------------------------------------------------------------------------- part 1


def write_config(folder: Path, site: NewsSite, hook: str, database: str, interval: float) -> Path:
    limits = {"lease": "10s", "claim_batch": 10, "concurrent_checks": 20}
    path = folder / "monitor.yaml"
    path.write_text(monitor_config(site, hook, database, interval=interval, instances=limits))
    return path


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            family = [process, *process.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for member in family:
            try:
                times = member.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
    return total


def run_fleet(count: int, database: str, args: argparse.Namespace) -> tuple[float, float]:
    """(checks per second, CPU ms per check) of ``count`` instances on ``database``."""
    site = NewsSite(feeds=args.feeds, articles=40, generations=1, hosts=args.hosts)
    site.generation = 1  # every article shown from the start, never changing
    server = serve_site(site)
    receiver = serve_receiver([])
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), site, hook, database, args.interval)
        env = {**os.environ, "PYTHONPATH": str(REPO), "MONITOR_ENV_FILE": ""}
        popens = [
            subprocess.Popen(
                [sys.executable, "-m", "monitor", "run", "--config", str(config)],
                cwd=tmp,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(count)
        ]
        try:
            deadline = time.monotonic() + 300
            while len(site.fetches("/feed/")) < site.feeds or len(site.fetches("/a/")) < 40:
                if time.monotonic() > deadline:
                    raise SystemExit("warm-up did not finish in 300 s")
                time.sleep(0.5)
            time.sleep(args.interval * 2)  # the articles' first tracking is over
            processes = [psutil.Process(p.pid) for p in popens]
            before_cpu, before_checks = cpu_seconds(processes), feed_fetches(site)
            started = time.monotonic()
            time.sleep(args.seconds)
            cpu = cpu_seconds(processes) - before_cpu
            checks = feed_fetches(site) - before_checks
            elapsed = time.monotonic() - started
        finally:
            for p in popens:
                p.send_signal(signal.SIGTERM)
            for p in popens:
                p.wait(timeout=30)
            for http in (server, receiver):
                http.shutdown()
                http.server_close()
    return checks / elapsed, cpu * 1000 / max(checks, 1)


def feed_fetches(site: NewsSite) -> int:
    return sum(len(times) for times in site.fetches("/feed/").values())


# --------------------------------------------------------------------------- part 2

HOSTS = 50  # the sources' hosts: each claim takes (or extends) their leases


class Counter:
    """SQL statements sent (an executemany counts one per row: each is a statement)."""

    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *args: object) -> None:
        parameters, executemany = args[3], args[5]
        self.statements += len(parameters) if executemany else 1  # type: ignore[arg-type]


def coordination_cost(database: str, cycles: int, batch: int) -> dict[str, float]:
    """Claim/finish cost per check (host leases and the host guard included), and the
    tracking gate's per article."""
    store = Store.open(database)
    names = [f"s{number:04d}" for number in range(cycles)]
    hosts = {name: f"host{number % HOSTS}.example" for number, name in enumerate(names)}
    now = datetime.now(UTC)
    with store.session() as session:
        claims.plan_sources(session, dict.fromkeys(names), now, hosts)
    counter = Counter()
    event.listen(store.engine, "before_cursor_execute", counter)
    clock = lambda: now  # noqa: E731  (every source stays due: each tick claims a full batch)
    coordinator = Coordinator(store, TrackingConfig, lease=timedelta(seconds=30), clock=clock)

    async def cycle() -> None:
        done = 0
        while done < cycles:
            checks = coordinator.claim(batch)
            for name in checks:  # the check's request goes through the host guard
                if not await coordinator.enter_host(hosts[name], 0.0):
                    raise SystemExit(f"{hosts[name]} refused to its own holder")
                coordinator.leave_host(hosts[name], 0.0)
                coordinator.finish(name, 3600.0)
            done += len(checks)

    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(cycle())
    per_check = {
        "statements": counter.statements / cycles,
        "cpu_ms": (time.process_time() - cpu) * 1000 / cycles,
        "wall_ms": (time.perf_counter() - wall) * 1000 / cycles,
    }
    counter.statements = 0
    cpu, wall = time.process_time(), time.perf_counter()
    with store.session() as session:  # the gate runs inside the article's own transaction
        for _ in range(cycles):
            claims.enter_tracking(session, "bench")
    per_check["gate_statements"] = counter.statements / cycles
    per_check["gate_cpu_ms"] = (time.process_time() - cpu) * 1000 / cycles
    per_check["gate_wall_ms"] = (time.perf_counter() - wall) * 1000 / cycles
    coordinator.stop()
    store.close()
    return per_check


async def pgqueuer_cost(database: str, cycles: int, batch: int) -> dict[str, float] | None:
    try:
        import psycopg
        from pgqueuer.db import PsycopgDriver
        from pgqueuer.queries import EntrypointExecutionParameter, Queries
    except ImportError:
        return None
    import uuid as _uuid

    conninfo = database.replace("postgresql+psycopg://", "postgresql://")
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as connection:
        queries = Queries(PsycopgDriver(connection))
        await queries.install()
        names = [f"s{number:04d}" for number in range(cycles)]
        await queries.enqueue(["check"] * cycles, [n.encode() for n in names], [0] * cycles)
        manager = _uuid.uuid4()
        entry = {"check": EntrypointExecutionParameter(concurrency_limit=0)}
        cpu, wall = time.process_time(), time.perf_counter()
        done = 0
        while done < cycles:
            jobs = await queries.dequeue(batch, entry, manager, None, timedelta(seconds=30))
            if not jobs:
                break
            for job in jobs:
                await queries.log_jobs([(job, "successful", None)])
                await queries.enqueue(
                    "check",
                    job.payload,
                    execute_after=timedelta(hours=1),
                    dedupe_key=(job.payload or b"").decode(),
                )
            done += len(jobs)
        return {
            "cpu_ms": (time.process_time() - cpu) * 1000 / max(done, 1),
            "wall_ms": (time.perf_counter() - wall) * 1000 / max(done, 1),
            "done": done,
        }


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=5, help="sources claimed a tick")
    parser.add_argument("--hosts", type=int, default=6, help="the local site's hosts")
    parser.add_argument("--skip-processes", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("MONITOR_TEST_DATABASE_URL")
    if not url:
        raise SystemExit("set MONITOR_TEST_DATABASE_URL to a PostgreSQL database")

    print("coordination alone, per check (in-process, PostgreSQL):")
    with fresh_schema(url) as database:
        ours = coordination_cost(database, args.cycles, args.batch)
    with fresh_schema(url) as database:
        peer = asyncio.run(pgqueuer_cost(database, args.cycles, args.batch))
    print(
        f"  monitor claims   {ours['statements']:.1f} statements, {ours['cpu_ms']:.3f} ms CPU, "
        f"{ours['wall_ms']:.3f} ms wall"
    )
    if peer is None:
        print("  pgqueuer         not installed (pip install pgqueuer)")
    else:
        print(
            f"  pgqueuer 1.6     {peer['cpu_ms']:.3f} ms CPU, {peer['wall_ms']:.3f} ms wall "
            f"(dequeue batch of {args.batch}, log done, enqueue next)"
        )
    print(
        f"  tracking gate    {ours['gate_statements']:.1f} statements, "
        f"{ours['gate_cpu_ms']:.3f} ms CPU, {ours['gate_wall_ms']:.3f} ms wall per article "
        "(inside its transaction; a reload of the engine when another instance decided last "
        "comes on top)"
    )
    if args.skip_processes:
        return
    print(f"\nmonitor run processes, {args.feeds} feeds every {args.interval:g}s:")
    print(f"  {'instances':<28} {'checks/s':>9} {'CPU ms/check':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        rate, cpu = run_fleet(1, f"sqlite:///{tmp}/monitor.db", args)
    print(f"  {'1, SQLite, no coordination':<28} {rate:>9.1f} {cpu:>13.2f}")
    for count in (1, 2, 3):
        with fresh_schema(url) as database:
            rate, cpu = run_fleet(count, database, args)
        print(f"  {f'{count}, PostgreSQL, shared':<28} {rate:>9.1f} {cpu:>13.2f}")


if __name__ == "__main__":
    main()
