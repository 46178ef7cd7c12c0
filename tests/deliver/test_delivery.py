"""Delivery against a real receiver on 127.0.0.1; every signature checked with standardwebhooks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram

from monitor.alerts import StoryInfo
from monitor.config import AlertsConfig
from monitor.deliver import (
    DeliveryPolicy,
    DeliveryReport,
    DeliveryWorker,
    deliver_due,
    send_test,
)
from monitor.models import Development, DevelopmentKind
from monitor.store.alert_views import (
    attempts_of,
    count_alerts_by_status,
    enable_endpoint,
    endpoint_states,
    list_alerts,
    replay_alert,
    replay_failed,
)
from monitor.store.outbox import SessionFactory, get_alert
from monitor.store.tables import AlertStatus
from tests.alerting import enqueue_alerts

from .conftest import Answer, Hook, Receiver, free_port, utc_now

FAST = DeliveryPolicy(retry_schedule=(0, 0.05, 0.05, 0.05), jitter=0.0)


class ManualClock:
    """A clock the test moves: retries become due when the test says, not when a slow machine
    happens to take longer than the retry interval."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Topic:
    name: str
    webhooks: list[str]
    debounce: float = 0.0
    cooldown: float = 0.0


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


def enqueue(
    sessions: SessionFactory,
    webhooks: Sequence[str],
    story: str = "st_1",
    sentence: str = "Talks resumed.",
    debounce: float = 0.0,
    now: datetime | None = None,
) -> list[str]:
    moment = now or utc_now()
    development = Development(
        kind=DevelopmentKind.NEW_ARTICLE,
        story_id=story,
        article_url="https://news.test/1",
        source="wire",
        occurred_at=moment,
        novelty=0.5,
        new_sentences=(sentence,),
    )
    with sessions() as session:
        done = enqueue_alerts(
            session,
            development=development,
            topics=[Topic("gaza", list(webhooks), debounce=debounce)],
            story=StoryInfo(story, "Ceasefire talks", moment, 1, ("wire",)),
            now=moment,
        )
    return [alert.id for alert in done]


def status_of(sessions: SessionFactory, alert_id: str) -> str:
    with sessions() as session:
        alert = get_alert(session, alert_id)
        assert alert is not None
        return alert.status


async def settle(
    sessions: SessionFactory,
    client: httpx.AsyncClient,
    hooks: Sequence[Hook],
    policy: DeliveryPolicy = FAST,
    limit: float = 60.0,
) -> DeliveryReport:
    """Run delivery passes until nothing is pending (or a disabled endpoint holds the rest)."""
    total = DeliveryReport()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        total.add(await deliver_due(sessions, client, hooks, policy=policy))
        with sessions() as session:
            waiting = [s for s in endpoint_states(session, [h.name for h in hooks]) if s.pending]
        if all(state.disabled_at for state in waiting):
            return total
        await asyncio.sleep(0.02)
    raise AssertionError("delivery did not settle")


def assert_all_verified(receiver: Receiver) -> None:
    assert receiver.received
    assert all(r.verified for r in receiver.received)


async def test_delivers_signed_json_with_custom_headers(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("json", headers={"authorization": "Bearer t0k", "webhook-id": "x"})
    (alert_id,) = enqueue(sessions, ["json"])
    report = await deliver_due(sessions, client, [hook], policy=FAST)
    assert (report.delivered, report.attempts) == (1, 1)
    (got,) = receiver.at("json")
    assert got.verified
    assert got.msg_id == alert_id  # a custom header never replaces a signature header
    assert got.headers["authorization"] == "Bearer t0k"
    assert got.body["id"] == alert_id
    assert got.body["type"] == "story.developed"
    assert got.body["development"]["summary"] == "Talks resumed."
    assert abs(got.timestamp - time.time()) < 5
    assert status_of(sessions, alert_id) == AlertStatus.DELIVERED


@pytest.mark.parametrize(("fmt", "key"), [("slack", "blocks"), ("discord", "embeds")])
async def test_chat_formats_are_signed_too(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient, fmt: str, key: str
) -> None:
    hook = receiver.endpoint(fmt, format=fmt)
    enqueue(sessions, [fmt])
    await deliver_due(sessions, client, [hook], policy=FAST)
    (got,) = receiver.at(fmt)
    assert got.verified
    assert key in got.body


async def test_retries_through_500_and_timeout_with_one_webhook_id(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    never = threading.Event()  # the second answer comes only after the sender gave up
    hook = receiver.endpoint(
        "flaky", [Answer(500), Answer(204, gate=never), Answer(200)], timeout=1.0
    )
    (alert_id,) = enqueue(sessions, ["flaky"])
    try:
        report = await settle(sessions, client, [hook])
    finally:
        never.set()
    assert (report.retried, report.delivered) == (2, 1)
    arrivals = receiver.at("flaky")
    assert [r.msg_id for r in arrivals] == [alert_id] * 3
    assert_all_verified(receiver)
    with sessions() as session:
        attempts = attempts_of(session, alert_id)
    assert [(a.status_code, a.outcome) for a in attempts] == [
        (500, "retry"),
        (None, "retry"),
        (200, "delivered"),
    ]
    assert attempts[1].error == "no answer within 1s"


async def test_retries_through_connection_refused(
    sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    port = free_port()
    (alert_id,) = enqueue(sessions, ["late"])
    placeholder = Receiver()  # only to mint the endpoint's secret and URL shape
    hook = placeholder.endpoint("late")
    placeholder.close()
    hook = Hook("late", f"http://127.0.0.1:{port}/late", hook.secret)
    clock = ManualClock()
    policy = replace(FAST, clock=clock)
    first = await deliver_due(sessions, client, [hook], policy=policy)
    assert (first.retried, first.attempts) == (1, 1)  # the retry is not due until time moves
    with sessions() as session:
        (attempt,) = attempts_of(session, alert_id)
    assert attempt.error is not None
    assert attempt.error.startswith("could not connect")
    late = Receiver(port)
    late.secrets["/late"] = hook.secret
    try:
        clock.advance(0.05)
        await settle(sessions, client, [hook], policy=policy)
        assert [r.msg_id for r in late.at("late")] == [alert_id]
        assert_all_verified(late)
    finally:
        late.close()


async def test_retry_after_is_honoured(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("busy", [Answer(503, {"Retry-After": "1"})])
    enqueue(sessions, ["busy"])
    await settle(sessions, client, [hook])
    first, second = receiver.at("busy")
    assert second.at - first.at >= 1.0
    assert first.msg_id == second.msg_id


async def test_410_disables_the_endpoint_and_its_alerts_wait(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    gone = receiver.endpoint("gone", [Answer(410)])
    other = receiver.endpoint("other")
    (waiting, _) = enqueue(sessions, ["gone", "other"])
    report = await settle(sessions, client, [gone, other])
    assert report.disabled == ["gone"]
    enqueue(sessions, ["gone", "other"], story="st_2")
    await settle(sessions, client, [gone, other])
    assert len(receiver.at("gone")) == 1
    assert len(receiver.at("other")) == 2
    with sessions() as session:
        state = endpoint_states(session, ["gone"])[0]
        assert state.disabled_reason == "answered 410 Gone"
        assert state.pending == 2
        enable_endpoint(session, "gone")
    await settle(sessions, client, [gone, other])
    assert status_of(sessions, waiting) == AlertStatus.DELIVERED
    assert [r.msg_id for r in receiver.at("gone")].count(waiting) == 2


async def test_dead_letter_after_the_last_attempt_then_replay(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("down", [Answer(500)] * 4)
    (alert_id,) = enqueue(sessions, ["down"])
    report = await settle(sessions, client, [hook])
    assert (report.retried, report.dead, report.delivered) == (3, 1, 0)
    assert status_of(sessions, alert_id) == AlertStatus.FAILED
    assert len(receiver.at("down")) == 4
    with sessions() as session:
        assert replay_failed(session, utc_now()) == 1
    await settle(sessions, client, [hook])
    assert status_of(sessions, alert_id) == AlertStatus.DELIVERED
    with sessions() as session:
        assert replay_alert(session, alert_id, utc_now())
    await settle(sessions, client, [hook])
    arrivals = receiver.at("down")
    assert [r.msg_id for r in arrivals] == [alert_id] * 6
    assert [r.answered for r in arrivals] == [500, 500, 500, 500, 204, 204]
    assert_all_verified(receiver)


async def test_order_within_a_story_survives_retries(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("ordered", [Answer(500), Answer(500)])
    story_a = [enqueue(sessions, ["ordered"], "st_a", f"A{i}.")[0] for i in range(5)]
    story_b = [enqueue(sessions, ["ordered"], "st_b", f"B{i}.")[0] for i in range(5)]
    await settle(sessions, client, [hook])
    delivered = [r.msg_id for r in receiver.at("ordered") if r.answered < 300]
    assert [i for i in delivered if i in story_a] == story_a
    assert [i for i in delivered if i in story_b] == story_b
    assert_all_verified(receiver)


async def test_debounce_turns_three_developments_into_one_alert(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("calm")
    start = utc_now()
    ids = {
        enqueue(
            sessions,
            ["calm"],
            sentence=f"Fact {i}.",
            debounce=0.5,
            now=start + timedelta(seconds=0.1 * i),
        )[0]
        for i in range(3)
    }
    assert len(ids) == 1
    # judged at a fixed moment inside the debounce window, however slow the machine is
    inside = start + timedelta(seconds=0.3)
    assert (await deliver_due(sessions, client, [hook], now=inside, policy=FAST)).attempts == 0
    await settle(sessions, client, [hook])  # the real clock passes the window: delivered
    (got,) = receiver.at("calm")
    assert got.verified
    assert [d["new_sentences"] for d in got.body["developments"]] == [
        ["Fact 0."],
        ["Fact 1."],
        ["Fact 2."],
    ]
    assert got.body["development"]["summary"] == "Fact 0. Fact 1. Fact 2."


async def test_slow_endpoint_does_not_hold_up_another(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    busy = threading.Event()  # the slow endpoint answers once the fast one is done
    slow = receiver.endpoint("slow", [Answer(204, gate=busy)] * 3, timeout=60.0)
    fast = receiver.endpoint("fast")
    for story in ("st_1", "st_2", "st_3"):
        enqueue(sessions, ["slow", "fast"], story=story)
    stop = asyncio.Event()
    policy = DeliveryPolicy(retry_schedule=(0, 0.05), jitter=0.0, max_in_flight_per_endpoint=1)
    worker = DeliveryWorker(sessions, client, [slow, fast], policy)

    async def ticks() -> None:  # the daemon's interval job
        while not stop.is_set():
            await worker.kick()
            await asyncio.sleep(0.05)

    loop = asyncio.create_task(ticks())
    try:
        await wait_until(lambda: len(receiver.at("fast")) == 3)
        assert len(receiver.at("slow")) <= 1  # still waiting for the answer to its first alert
        busy.set()
        await wait_until(lambda: _delivered(sessions) == 6)
    finally:
        busy.set()
        stop.set()
        await asyncio.wait_for(loop, 60)
        await worker.close()
    assert_all_verified(receiver)


def _delivered(sessions: SessionFactory) -> int:
    with sessions() as session:
        return len(list_alerts(session, status=AlertStatus.DELIVERED))


async def wait_until(condition: Callable[[], bool], limit: float = 60.0) -> None:
    for _ in range(int(limit / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def test_webhooks_test_sends_a_signed_sample(
    receiver: Receiver, client: httpx.AsyncClient
) -> None:
    hook = receiver.endpoint("probe", [Answer(202, body=b"accepted")])
    msg_id, sent = await send_test(client, hook, datetime.now(UTC))
    (got,) = receiver.at("probe")
    assert got.verified
    assert got.msg_id == msg_id
    assert got.body["test"] is True
    assert sent.attempt.status_code == 202
    assert sent.excerpt == "accepted"


async def test_worker_kick_never_waits_for_a_slow_endpoint(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    busy = threading.Event()
    slow = receiver.endpoint("slow", [Answer(204, gate=busy)], timeout=60.0)
    fast = receiver.endpoint("fast")
    observed: list[str] = []
    policy = DeliveryPolicy(
        retry_schedule=(0, 0.05), jitter=0.0, observe=lambda outcome, _: observed.append(outcome)
    )
    worker = DeliveryWorker(sessions, client, [slow, fast], policy)
    enqueue(sessions, ["slow", "fast"], story="st_1")
    assert sorted(await worker.kick()) == ["fast", "slow"]
    await wait_until(lambda: worker.passes["fast"].done())
    assert len(receiver.at("fast")) == 1
    enqueue(sessions, ["fast"], story="st_2")
    assert await worker.kick() == ["fast"]  # the slow endpoint's pass is still running
    await wait_until(lambda: len(receiver.at("fast")) == 2)
    busy.set()
    await worker.close()
    assert _delivered(sessions) == 3
    assert observed == ["delivered"] * 3
    with sessions() as session:
        assert count_alerts_by_status(session) == {"pending": 0, "delivered": 3, "failed": 0}


async def test_worker_from_configuration_reports_to_metrics(
    receiver: Receiver, sessions: SessionFactory, client: httpx.AsyncClient
) -> None:
    registry = CollectorRegistry()

    @dataclass
    class Metrics:
        deliveries: Counter = field(
            default_factory=lambda: Counter("d", "d", ["outcome"], registry=registry)
        )
        delivery_seconds: Histogram = field(
            default_factory=lambda: Histogram("s", "s", registry=registry)
        )

    hook = receiver.endpoint("metered", [Answer(500)])
    alerts = AlertsConfig(retry_schedule=[0, 0], max_in_flight_per_endpoint=2)
    worker = DeliveryWorker(sessions, client, [hook], alerts, Metrics())
    assert worker.policy.retry_schedule == (0.0, 0.0)
    enqueue(sessions, ["metered"])
    report = await worker.deliver_due()
    assert (report.retried, report.delivered) == (1, 1)
    assert registry.get_sample_value("d_total", {"outcome": "retry"}) == 1
    assert registry.get_sample_value("d_total", {"outcome": "delivered"}) == 1
    assert registry.get_sample_value("s_count") == 2
    worker.configure([hook], DeliveryPolicy(retry_schedule=(0,)))
    assert worker.policy.retry_schedule == (0,)
