"""Channels beyond the signed JSON webhook: Apprise (e-mail, Telegram, ntfy, Matrix, Teams, …).

A channel takes one alert and makes one attempt, returning an ``AttemptResult`` like the webhook
POST does, so the outbox, its retries and its dead letters are the same for every channel. Apprise
answers only "sent" or "not sent"; the reason of a failure is taken from what Apprise logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from monitor.alerts.plain import plain_message
from monitor.store.outbox import AttemptResult

MAX_ERROR_CHARS = 500


async def send_apprise(
    url: str,
    payload: dict[str, Any],
    *,
    limit: float,
    clock: Callable[[], datetime],
    pages_url: str | None = None,
) -> AttemptResult:
    """Send ``payload`` as a readable message to the Apprise ``url`` within ``limit`` seconds;
    never raises."""
    import apprise  # on the first Apprise alert: a daemon without such a channel never loads it

    started = clock()
    began = time.monotonic()
    notifier = apprise.Apprise()
    if not notifier.add(url):
        scheme = url.split("://", 1)[0]
        return AttemptResult(
            started, 0.0, None, f'Apprise does not know "{scheme}://" URLs or cannot read this one'
        )
    title, body = plain_message(payload, pages_url)
    capture = apprise.LogCapture(level=logging.WARNING, fmt="%(message)s")  # type: ignore[no-untyped-call]
    with capture as captured:
        try:
            async with asyncio.timeout(limit):
                sent = await notifier.async_notify(
                    body=body, title=title, body_format=apprise.NotifyFormat.TEXT
                )
        except TimeoutError:
            return AttemptResult(
                started, time.monotonic() - began, None, f"no answer within {limit:g}s"
            )
        logged = captured.getvalue().strip()
    error = None if sent else _reason(logged)
    return AttemptResult(started, time.monotonic() - began, None, error)


def _reason(logged: str) -> str:
    lines = [line.strip() for line in logged.splitlines() if line.strip()]
    reason = " · ".join(dict.fromkeys(lines)) or "the service did not accept the notification"
    return "apprise: " + reason[:MAX_ERROR_CHARS]
