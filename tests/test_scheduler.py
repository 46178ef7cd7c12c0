"""Scheduler wiring: one job per enabled source, reload adds/changes/removes jobs in place."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from monitor.config import Settings, SourceConfig
from monitor.scheduler import DELIVERY_JOB, RECHECK_JOB, build_scheduler, sync_jobs

NOW = datetime(2025, 10, 6, 12, 0, tzinfo=UTC)


def settings(*sources: SourceConfig) -> Settings:
    return Settings(sources=list(sources))


def source(name: str, interval: float = 300, enabled: bool = True) -> SourceConfig:
    return SourceConfig(
        name=name, url=f"https://{name}.example.com/rss", interval=interval, enabled=enabled
    )


async def noop(*_args: object) -> None:
    await asyncio.sleep(0)


def sync(scheduler: object, config: Settings) -> dict[str, list[str]]:
    return sync_jobs(scheduler, config, check_source=noop, recheck=noop, deliver=noop, now=NOW)  # type: ignore[arg-type]


async def test_jobs_follow_the_configuration() -> None:
    scheduler = build_scheduler()
    scheduler.start(paused=True)  # job defaults apply once the scheduler has started
    changes = sync(scheduler, settings(source("a"), source("b"), source("off", enabled=False)))
    assert sorted(changes["added"]) == ["source:a", "source:b"]
    ids = {job.id for job in scheduler.get_jobs()}
    assert ids == {"source:a", "source:b", RECHECK_JOB, DELIVERY_JOB}
    job = scheduler.get_job("source:a")
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time > 0
    assert job.trigger.interval.total_seconds() == 300
    assert job.trigger.jitter == 30  # 10% of the interval by default

    changes = sync(scheduler, settings(source("a", interval=60), source("c")))
    assert changes == {"added": ["source:c"], "changed": ["source:a"], "removed": ["source:b"]}
    assert scheduler.get_job("source:a").trigger.interval.total_seconds() == 60
    assert sync(scheduler, settings(source("a", interval=60), source("c"))) == {
        "added": [],
        "changed": [],
        "removed": [],
    }
    scheduler.shutdown(wait=False)


async def test_jobs_run_on_the_event_loop() -> None:
    ran: list[str] = []
    done = asyncio.Event()

    async def check(name: str) -> None:
        ran.append(name)
        done.set()

    scheduler = build_scheduler()
    sync_jobs(
        scheduler,
        settings(source("a")),
        check_source=check,
        recheck=noop,
        deliver=noop,
        now=datetime.now(UTC),
    )
    scheduler.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=60)
    finally:
        scheduler.shutdown(wait=False)
    assert ran == ["a"]


async def test_a_restart_keeps_the_planned_next_check() -> None:
    scheduler = build_scheduler()
    scheduler.start(paused=True)
    later = datetime(2025, 10, 6, 12, 30, tzinfo=UTC)
    sync_jobs(
        scheduler,
        settings(source("a"), source("b")),
        check_source=noop,
        recheck=noop,
        deliver=noop,
        now=NOW,
        first_runs={"a": later, "b": datetime(2025, 10, 6, 11, 0, tzinfo=UTC)},
    )
    assert scheduler.get_job("source:a").next_run_time == later
    assert scheduler.get_job("source:b").next_run_time == NOW  # overdue: check now
    scheduler.shutdown(wait=False)
