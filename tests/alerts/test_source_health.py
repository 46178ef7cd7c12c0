"""Source health alerts: one when a source starts failing, one when it recovers, none between."""

from __future__ import annotations

import pytest

from monitor.alerts import HealthTransition, health_transition
from monitor.models import Health


@pytest.mark.parametrize(
    ("alerted", "streak", "threshold", "expected"),
    [
        (Health.OK, 0, 3, None),
        (Health.OK, 2, 3, None),
        (Health.OK, 3, 3, HealthTransition.FAILING),
        (Health.OK, 9, 3, HealthTransition.FAILING),
        (Health.FAILING, 4, 3, None),
        (Health.FAILING, 1, 3, None),
        (Health.FAILING, 0, 3, HealthTransition.RECOVERED),
        (Health.OK, 1, 1, HealthTransition.FAILING),
    ],
)
def test_transitions(
    alerted: Health, streak: int, threshold: int, expected: HealthTransition | None
) -> None:
    assert health_transition(alerted, streak, threshold) is expected


def test_a_failure_streak_yields_one_failing_and_one_recovered() -> None:
    alerted, transitions = Health.OK, []
    for streak in [1, 2, 3, 4, 5, 6, 0, 0, 1, 0]:
        transition = health_transition(alerted, streak, 3)
        if transition is not None:
            transitions.append(transition)
            alerted = Health.FAILING if transition is HealthTransition.FAILING else Health.OK
    assert transitions == [HealthTransition.FAILING, HealthTransition.RECOVERED]
