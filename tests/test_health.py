"""Health transitions and backoff: a table of check outcomes, and properties over any sequence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from monitor.health import SourceHealthState, backoff, next_health
from monitor.models import Health

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INTERVAL = timedelta(minutes=10)
CAP = timedelta(hours=1)


def run(outcomes: list[bool], threshold: int = 3):  # type: ignore[no-untyped-def]
    state = SourceHealthState()
    updates = []
    for step, succeeded in enumerate(outcomes):
        update = next_health(
            state, succeeded, NOW + timedelta(minutes=step), INTERVAL, threshold, CAP
        )
        updates.append(update)
        state = update.state
    return updates


def test_ok_until_the_threshold_then_failing_then_ok_again() -> None:
    updates = run([False, False, False, False, True, True])
    assert [u.state.health for u in updates] == [Health.OK] * 2 + [Health.FAILING] * 2 + [
        Health.OK
    ] * 2
    transitions = [u.transition for u in updates if u.transition is not None]
    assert [(t.before, t.after, t.consecutive_failures) for t in transitions] == [
        (Health.OK, Health.FAILING, 3),
        (Health.FAILING, Health.OK, 4),
    ]
    assert transitions[0].at == NOW + timedelta(minutes=2)
    assert updates[2].state.since == NOW + timedelta(minutes=2)


def test_a_success_resets_the_count_without_a_transition() -> None:
    updates = run([False, False, True, False, False])
    assert all(u.transition is None for u in updates)
    assert updates[-1].state.consecutive_failures == 2


def test_backoff_doubles_after_failures_and_is_capped() -> None:
    updates = run([False] * 6 + [True])
    delays = [u.next_check_at - (NOW + timedelta(minutes=step)) for step, u in enumerate(updates)]
    minutes = [int(d.total_seconds() // 60) for d in delays]
    assert minutes == [10, 20, 40, 60, 60, 60, 10]


def test_retry_after_pushes_the_next_check_back() -> None:
    update = next_health(
        SourceHealthState(), False, NOW, INTERVAL, 3, CAP, retry_after=timedelta(hours=2)
    )
    assert update.next_check_at == NOW + timedelta(hours=2)


def test_threshold_of_one_fails_at_once() -> None:
    assert run([False], threshold=1)[0].is_transition


def test_cap_below_the_interval_keeps_the_interval() -> None:
    assert backoff(INTERVAL, 5, timedelta(minutes=1)) == INTERVAL


@given(st.lists(st.booleans(), max_size=40), st.integers(min_value=1, max_value=5))
def test_transitions_alternate_and_match_health_changes(
    outcomes: list[bool], threshold: int
) -> None:
    updates = run(outcomes, threshold)
    previous = Health.OK
    expected_after = Health.FAILING
    for step, update in enumerate(updates):
        changed = update.state.health != previous
        assert update.is_transition == changed
        if update.transition is not None:
            assert update.transition.after == expected_after
            expected_after = Health.OK if expected_after == Health.FAILING else Health.FAILING
        now = NOW + timedelta(minutes=step)
        assert now + INTERVAL <= update.next_check_at <= now + CAP
        previous = update.state.health
