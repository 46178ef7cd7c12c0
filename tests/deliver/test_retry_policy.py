"""Retry decisions as tables: the schedule, jitter, Retry-After, and what each answer means."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from monitor.defaults import RETRY_SCHEDULE
from monitor.deliver import (
    DeliveryPolicy,
    lease_seconds,
    outcome_for,
    retry_delay,
)
from monitor.retry_after import parse_retry_after
from monitor.store.outbox import AttemptOutcome, AttemptResult

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("attempts", "retry_after", "expected"),
    [
        (1, None, 5.0),
        (2, None, 300.0),
        (3, None, 1800.0),
        (7, None, 36000.0),
        (8, None, None),
        (1, 60.0, 60.0),
        (2, 60.0, 300.0),
        (1, 10**9, 86400.0),
    ],
)
def test_schedule_without_jitter(
    attempts: int, retry_after: float | None, expected: float | None
) -> None:
    assert retry_delay(attempts, RETRY_SCHEDULE, retry_after, jitter=0) == expected


def test_jitter_spreads_within_bounds_and_keeps_zero() -> None:
    rng = random.Random(7)
    delays = [retry_delay(2, RETRY_SCHEDULE, rng=rng) or 0 for _ in range(500)]
    assert min(delays) >= 240
    assert max(delays) <= 360
    assert len({round(d) for d in delays}) > 50
    assert retry_delay(0, RETRY_SCHEDULE, rng=rng) == 0.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (" 3 ", 3.0),
        ("Thu, 26 Nov 2026 04:01:00 GMT", 60.0),
        ("Thu, 26 Nov 2026 03:00:00 GMT", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize(
    ("status", "attempts", "expected"),
    [
        (200, 1, (AttemptOutcome.DELIVERED, None)),
        (204, 8, (AttemptOutcome.DELIVERED, None)),
        (410, 1, (AttemptOutcome.GONE, None)),
        (500, 1, (AttemptOutcome.RETRY, 5.0)),
        (404, 1, (AttemptOutcome.RETRY, 5.0)),
        (302, 1, (AttemptOutcome.RETRY, 5.0)),
        (None, 2, (AttemptOutcome.RETRY, 300.0)),
        (500, 8, (AttemptOutcome.DEAD, None)),
    ],
)
def test_outcome_for_each_answer(
    status: int | None, attempts: int, expected: tuple[AttemptOutcome, float | None]
) -> None:
    result = AttemptResult(NOW, 0.1, status, None if status else "could not connect")
    assert outcome_for(result, attempts, DeliveryPolicy(jitter=0), None) == expected


def test_lease_covers_a_whole_batch_waiting_its_turn() -> None:
    policy = DeliveryPolicy(batch_size=20, max_in_flight_per_endpoint=4)
    assert lease_seconds(10.0, policy) == 5 * 10.0 + 30.0
