"""APScheduler wiring: one job per source, the article recheck job and the delivery job.

Only wiring lives here: what a job does is passed in as a coroutine function. ``sync_jobs``
brings the jobs in line with a (re)loaded configuration without restarting the scheduler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.config import Settings, SourceConfig

SOURCE_JOB_PREFIX = "source:"
RECHECK_JOB = "recheck"
DELIVERY_JOB = "deliver"
MISFIRE_GRACE_SECONDS = 300

CLAIM_JOB = "claim"
HEARTBEAT_JOB = "heartbeat"

SourceJob = Callable[[str], Awaitable[object]]
PlainJob = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class SharedJobs:
    """The jobs of an instance sharing its database with others (seconds between runs)."""

    claim: PlainJob
    heartbeat: PlainJob
    claim_interval: float
    heartbeat_interval: float


def build_scheduler() -> AsyncIOScheduler:
    return AsyncIOScheduler(
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
        timezone="UTC",
    )


def sync_jobs(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    *,
    check_source: SourceJob,
    recheck: PlainJob,
    deliver: PlainJob,
    now: datetime,
    first_runs: Mapping[str, datetime] | None = None,
    shared: SharedJobs | None = None,
) -> dict[str, list[str]]:
    """Add, change and remove jobs to match ``settings``; returns what changed, by job id.

    A new source job first runs at ``first_runs[name]`` when that is ahead (the check a
    previous run planned), else now: a restart does not re-check every source at once.
    With ``shared`` (several instances on one database) there is no job per source: a claim
    job takes due sources from the database, and a heartbeat job keeps this instance known.
    """
    wanted = {
        SOURCE_JOB_PREFIX + source.name: source
        for source in settings.sources
        if source.enabled and shared is None
    }
    changes: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    for job in scheduler.get_jobs():
        if job.id.startswith(SOURCE_JOB_PREFIX) and job.id not in wanted:
            job.remove()
            changes["removed"].append(job.id)
    for job_id, source in wanted.items():
        first = max(now, (first_runs or {}).get(source.name, now))
        _sync_source_job(scheduler, job_id, source, check_source, first, changes)
    _ensure_interval_job(scheduler, RECHECK_JOB, recheck, settings.tracking.recheck_interval, now)
    _ensure_interval_job(scheduler, DELIVERY_JOB, deliver, settings.alerts.delivery_interval, now)
    if shared is not None:
        _ensure_interval_job(scheduler, CLAIM_JOB, shared.claim, shared.claim_interval, now)
        _ensure_interval_job(
            scheduler, HEARTBEAT_JOB, shared.heartbeat, shared.heartbeat_interval, now
        )
    return changes


def _sync_source_job(
    scheduler: AsyncIOScheduler,
    job_id: str,
    source: SourceConfig,
    check_source: SourceJob,
    now: datetime,
    changes: dict[str, list[str]],
) -> None:
    trigger = IntervalTrigger(seconds=source.interval, jitter=source.effective_jitter or None)
    existing = scheduler.get_job(job_id)
    if existing is None:
        scheduler.add_job(
            check_source,
            trigger,
            args=[source.name],
            id=job_id,
            name=f"check {source.name}",
            next_run_time=now,
        )
        changes["added"].append(job_id)
    elif (_interval_of(existing.trigger), getattr(existing.trigger, "jitter", None)) != (
        source.interval,
        source.effective_jitter or None,
    ):
        existing.reschedule(trigger)
        changes["changed"].append(job_id)


def _ensure_interval_job(
    scheduler: AsyncIOScheduler, job_id: str, func: PlainJob, seconds: float, now: datetime
) -> None:
    existing = scheduler.get_job(job_id)
    if existing is None:
        scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds),
            id=job_id,
            name=job_id,
            next_run_time=now + timedelta(seconds=min(seconds, 1.0)),
        )
    elif _interval_of(existing.trigger) != seconds:
        existing.reschedule(IntervalTrigger(seconds=seconds))


def _interval_of(trigger: object) -> float | None:
    interval = getattr(trigger, "interval", None)
    return interval.total_seconds() if isinstance(interval, timedelta) else None
