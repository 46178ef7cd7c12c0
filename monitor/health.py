"""Source health, as a pure function of the last check's outcome.

A source is ``ok`` until ``failure_threshold`` checks in a row fail; then it is ``failing`` until
one succeeds. Each change of state is a ``HealthTransition`` — the store records it and the alerts
send one message per transition, never one per failed check. This is the one place source health
is decided. After failures the next check is
pushed back exponentially (one interval after the first failure, two after the second, four, …)
up to ``max_backoff``, and never before a ``Retry-After`` the server gave.

    update = next_health(state, succeeded=False, now=now, interval=timedelta(minutes=10),
                         failure_threshold=3, max_backoff=timedelta(hours=6))
    if update.transition: queue source_health_drafts(update.transition, ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.models import Health, HealthTransition, SourceHealthState

__all__ = [
    "HealthTransition",
    "HealthUpdate",
    "SourceHealthState",
    "backoff",
    "next_health",
]

MAX_DOUBLINGS = 32  # beyond this the cap always applies; keeps 2**n small


@dataclass(frozen=True, slots=True)
class HealthUpdate:
    state: SourceHealthState
    transition: HealthTransition | None
    next_check_at: datetime

    @property
    def is_transition(self) -> bool:
        return self.transition is not None


def backoff(interval: timedelta, consecutive_failures: int, max_backoff: timedelta) -> timedelta:
    """How long to wait before the next check: the interval, doubled per failure after the first,
    capped at ``max_backoff`` (but never shorter than the interval itself)."""
    if consecutive_failures <= 1:
        return interval
    doublings = min(consecutive_failures - 1, MAX_DOUBLINGS)
    return min(interval * (1 << doublings), max(max_backoff, interval))


def next_health(
    state: SourceHealthState,
    succeeded: bool,
    now: datetime,
    interval: timedelta,
    failure_threshold: int,
    max_backoff: timedelta,
    retry_after: timedelta | None = None,
) -> HealthUpdate:
    """The state after one check, the transition it caused (if any) and when to check next."""
    failures = 0 if succeeded else state.consecutive_failures + 1
    health = _health_after(state.health, succeeded, failures, max(1, failure_threshold))
    transition = None
    since = state.since
    if health != state.health:
        run = state.consecutive_failures if succeeded else failures
        transition = HealthTransition(state.health, health, now, run)
        since = now
    next_check_at = now + backoff(interval, failures, max_backoff)
    if retry_after is not None:
        next_check_at = max(next_check_at, now + retry_after)
    return HealthUpdate(SourceHealthState(health, failures, since), transition, next_check_at)


def _health_after(current: Health, succeeded: bool, failures: int, threshold: int) -> Health:
    if succeeded:
        return Health.OK
    if failures >= threshold:
        return Health.FAILING
    return current
