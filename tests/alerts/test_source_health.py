"""Source health alerts: one when a source starts failing, one when it recovers, none between.

Health is decided in one place (``monitor.health.next_health``); its transitions are what
``source_health_drafts`` turns into alerts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.alerts.drafts import source_health_drafts
from monitor.health import next_health
from monitor.models import Health, SourceHealthState, source_order_key

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def run(outcomes: list[bool], threshold: int = 3) -> list[tuple[int, str, str, dict[str, object]]]:
    """(check number, webhook, alert type, source part of the payload) per alert sent."""
    state, sent, failing_since = SourceHealthState(), [], None
    for number, succeeded in enumerate(outcomes):
        now = T0 + timedelta(minutes=number)
        update = next_health(
            state,
            succeeded=succeeded,
            now=now,
            interval=timedelta(minutes=1),
            failure_threshold=threshold,
            max_backoff=timedelta(hours=1),
        )
        state = update.state
        if update.transition is None:
            continue
        if update.transition.after is Health.FAILING:
            failing_since = now
        drafts = source_health_drafts(
            update.transition,
            source="bbc",
            error=None if succeeded else "HTTP 503",
            failing_since=failing_since,
            webhooks=["hook", "ops", "hook"],
        )
        sent += [(number, d.webhook, d.type, d.payload["source"]) for d in drafts]
        assert {d.order_key for d in drafts} == {source_order_key("bbc")}
    return sent


def test_a_failure_streak_yields_one_failing_and_one_recovered_per_endpoint() -> None:
    sent = run([False, False, False, False, False, True, True, False])
    assert [(n, w, t) for n, w, t, _ in sent] == [
        (2, "hook", "source.failing"),
        (2, "ops", "source.failing"),
        (5, "hook", "source.recovered"),
        (5, "ops", "source.recovered"),
    ]
    failing, recovered = sent[0][3], sent[2][3]
    assert failing["consecutive_failures"] == 3
    assert failing["error"] == "HTTP 503"
    assert recovered["failing_since"] == "2026-11-26T04:02:00Z"


def test_failures_below_the_threshold_are_not_news() -> None:
    assert run([False, False, True, False, False, True]) == []


def test_threshold_one_fails_at_once() -> None:
    assert [t for _, _, t, _ in run([False, True], threshold=1)] == [
        "source.failing",
        "source.failing",
        "source.recovered",
        "source.recovered",
    ]
