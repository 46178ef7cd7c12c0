"""An endpoint's Retry-After holds every alert to that endpoint, not just the one it answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from monitor.deliver import DeliveryPolicy, deliver_due
from monitor.store.outbox import SessionFactory, get_alert
from monitor.store.tables import AlertStatus

from .conftest import Answer, Receiver, utc_now
from .test_delivery import enqueue


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def test_retry_after_holds_every_alert_to_the_endpoint(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("busy", [Answer(429, {"Retry-After": "10"})])
    other = receiver.endpoint("other")
    start = utc_now()
    ids = [enqueue(sessions, ["busy", "other"], story=f"st_{n}", now=start)[0] for n in range(3)]
    clock = Clock(start)
    policy = DeliveryPolicy(
        retry_schedule=(0, 0.05, 0.05), jitter=0.0, max_in_flight_per_endpoint=1, clock=clock
    )

    await deliver_due(sessions, client, [hook, other], policy=policy)
    assert len(receiver.at("busy")) == 1  # asked to wait: the other two were held back
    assert len(receiver.at("other")) == 3  # another endpoint is not held
    clock.advance(9.5)
    await deliver_due(sessions, client, [hook, other], policy=policy)
    assert len(receiver.at("busy")) == 1  # still inside the endpoint's Retry-After
    clock.advance(1)
    await deliver_due(sessions, client, [hook, other], policy=policy)
    assert sorted(r.msg_id for r in receiver.at("busy")[1:]) == sorted(ids)
    with sessions() as session:
        alerts = [get_alert(session, alert_id) for alert_id in ids]
        assert [alert.status if alert else None for alert in alerts] == [AlertStatus.DELIVERED] * 3
        first = receiver.at("busy")[0].msg_id
        attempts = sorted(alert.attempts for alert in alerts if alert and alert.id != first)
        assert attempts == [1, 1]  # held back, not failed: the pause cost them no attempt
