"""Repeated errors are rate-limited: one traceback per outage, then a count once a window."""

from __future__ import annotations

import structlog

from monitor.logging import RepeatedErrors


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _log(limiter: RepeatedErrors, event: dict[str, object]) -> dict[str, object] | None:
    try:
        return dict(limiter(None, str(event.get("level", "error")), dict(event)))
    except structlog.DropEvent:
        return None


def _crash() -> dict[str, object]:
    try:
        raise ConnectionRefusedError("connection refused")
    except ConnectionRefusedError as exc:
        return {"event": "job_crashed", "level": "error", "job": "deliver", "exc_info": exc}


def test_an_outage_logs_one_traceback_then_a_count_per_window() -> None:
    clock = Clock()
    limiter = RepeatedErrors(window=60, clock=clock)
    logged = []
    for _ in range(90):  # one failure every 2 s for 3 minutes
        logged.append(_log(limiter, _crash()))
        clock.now += 2
    kept = [event for event in logged if event is not None]
    assert len(kept) == 3
    assert "exc_info" in kept[0]
    assert "repeated" not in kept[0]
    assert [event.get("repeated") for event in kept[1:]] == [30, 30]
    assert all("exc_info" not in event for event in kept[1:])


def test_a_new_outage_after_a_quiet_window_shows_its_traceback_again() -> None:
    clock = Clock()
    limiter = RepeatedErrors(window=60, clock=clock)
    assert _log(limiter, _crash()) is not None
    clock.now += 61
    again = _log(limiter, _crash())
    assert again is not None
    assert "exc_info" in again


def test_different_errors_and_different_sources_are_not_merged() -> None:
    limiter = RepeatedErrors(window=60, clock=Clock())
    first = {"event": "source_failed", "level": "warning", "source": "a", "error": "timeout"}
    assert _log(limiter, first) is not None
    assert _log(limiter, {**first, "source": "b"}) is not None
    assert _log(limiter, {**first, "error": "HTTP 500"}) is not None
    assert _log(limiter, first) is None


def test_info_is_never_limited() -> None:
    limiter = RepeatedErrors(window=60, clock=Clock())
    event = {"event": "source_checked", "level": "info", "source": "a"}
    assert all(_log(limiter, event) is not None for _ in range(5))
