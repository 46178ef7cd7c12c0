"""When a source's health deserves an alert: once when it starts failing, once when it recovers."""

from __future__ import annotations

from enum import StrEnum

from monitor.models import Health


class HealthTransition(StrEnum):
    FAILING = "failing"
    RECOVERED = "recovered"


def health_transition(
    alerted: Health, consecutive_failures: int, threshold: int
) -> HealthTransition | None:
    """The transition to alert on, given what was last alerted and the current failure streak.

    ``alerted`` is the health the last source alert announced (``OK`` when none was sent).
    A source that has failed ``threshold`` times in a row turns failing; a failing source whose
    latest check succeeded (streak 0) recovers. Anything else is not news.
    """
    if alerted is Health.OK and consecutive_failures >= threshold:
        return HealthTransition.FAILING
    if alerted is Health.FAILING and consecutive_failures == 0:
        return HealthTransition.RECOVERED
    return None
