"""Several instances on one database: registry, roles, the tracking gate and delivery leases."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from monitor.config import TrackingConfig
from monitor.coordination import DELIVERY_ROLE, Coordinator
from monitor.metrics import Metrics
from monitor.models import Page, Validators
from monitor.observe import track_and_store
from monitor.service import Service
from monitor.store import Store
from monitor.store.instances import list_instances
from monitor.store.tables import ArticleRow
from monitor.track import Observation, Tracker
from monitor.track.replay import observation_from_json

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store.open(database_url)
    yield opened
    opened.close()


def coordinator(store: Store, clock: Clock) -> Coordinator:
    return Coordinator(store, TrackingConfig, lease=LEASE, clock=clock)


def test_instances_register_beat_and_leave(store: Store) -> None:
    clock = Clock()
    first, second = coordinator(store, clock), coordinator(store, clock)
    first.start()
    second.start()
    clock.now += timedelta(seconds=5)
    first.beat()
    with store.session() as session:
        listed = {entry.id: entry for entry in list_instances(session)}
    assert set(listed) == {first.id, second.id}
    assert listed[first.id].heartbeat_at == clock.now
    assert listed[second.id].heartbeat_at == NOW
    assert listed[first.id].pid == listed[second.id].pid
    first.stop()
    second.stop()
    with store.session() as session:
        assert list_instances(session) == []


def test_a_silent_instance_is_forgotten_and_registers_again_when_it_beats(store: Store) -> None:
    clock = Clock()
    quiet, busy = coordinator(store, clock), coordinator(store, clock)
    quiet.start()
    busy.start()
    clock.now += LEASE * 20
    busy.beat()
    with store.session() as session:
        assert [entry.id for entry in list_instances(session)] == [busy.id]
    quiet.beat()
    with store.session() as session:
        assert {entry.id for entry in list_instances(session)} == {quiet.id, busy.id}
    quiet.stop()
    busy.stop()


@pytest.mark.postgres
def test_one_instance_holds_the_delivery_role_and_another_takes_it_when_it_goes(
    store: Store,
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL advisory locks")
    clock = Clock()
    first, second = coordinator(store, clock), coordinator(store, clock)
    first.start()
    second.start()
    assert [first.holds(DELIVERY_ROLE), second.holds(DELIVERY_ROLE)] == [True, False]
    second.beat()
    assert not second.holds(DELIVERY_ROLE)
    first.stop()  # its connection closes: the server drops the lock
    second.beat()
    assert second.holds(DELIVERY_ROLE)
    with store.session() as session:
        [entry] = list_instances(session)
    assert entry.roles == (DELIVERY_ROLE,)
    second.stop()


def observations() -> list[Observation]:
    lines = (SEEDS / "replay.jsonl").read_text(encoding="utf-8").splitlines()
    return [observation_from_json(json.loads(line)) for line in lines]


def store_observation(store: Store, gate: Coordinator, obs: Observation) -> str:
    url = obs.article.canonical_url
    page = Page(url, url, 200, {}, b"", "", "utf-8", obs.fetched_at, 0.0, False, Validators())
    outcome = track_and_store(
        store,
        None,
        source=obs.source,
        requested_url=url,
        page=page,
        article=obs.article,
        now=obs.fetched_at,
        topics=[],
        disabled_webhooks=(),
        plan_recheck=lambda facts, now: None,
        metrics=Metrics(),
        gate=gate,
    )
    assert outcome.story_id is not None
    return outcome.story_id


def test_instances_taking_turns_group_stories_as_one_engine_replaying_alone(
    store: Store,
) -> None:
    """Each instance keeps its own engine in memory; the gate makes each decision on the
    engine as the store has it, so who fetched an article does not change its story."""
    clock = Clock()
    gates = [coordinator(store, clock) for _ in range(3)]
    seen = observations()
    for number, obs in enumerate(seen):
        store_observation(store, gates[number % 3], obs)
    alone = Tracker()
    expected = {obs.url: alone.resolve(alone.observe(obs).story_id) for obs in seen}
    with store.session() as session:
        rows = session.exec(select(ArticleRow.canonical_url, ArticleRow.story_id)).all()
    stored = dict(rows)
    assert partition(stored) == partition(expected)
    assert len(set(expected.values())) > 1  # the seeds hold more than one story
    assert sum(gate.reloads for gate in gates) >= len(seen) - 1


def partition(assignment: dict[str, str | None]) -> set[frozenset[str]]:
    groups: dict[str | None, set[str]] = {}
    for url, story in assignment.items():
        groups.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def test_a_failed_transaction_makes_the_gate_reload(store: Store) -> None:
    clock = Clock()
    gate = coordinator(store, clock)
    seen = observations()
    store_observation(store, gate, seen[0])
    loaded = gate.reloads
    with pytest.raises(RuntimeError):
        decide_then_fail(store, gate)
    store_observation(store, gate, seen[1])
    assert gate.reloads == loaded + 1


def decide_then_fail(store: Store, gate: Coordinator) -> None:
    with store.session() as session:
        gate.enter(session)
        raise RuntimeError("the transaction fails after the engine decided")


@pytest.mark.postgres
async def test_a_second_instance_starting_leaves_the_first_ones_delivery_leases(
    tmp_path: Path, database_url: str
) -> None:
    """It used to release every lease on its first delivery pass: alerts went out twice."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL")
    from monitor.config import load_config
    from monitor.store.outbox import Alert, claim_due
    from tests.test_daemon import free_port, write_config

    config = write_config(tmp_path, [("quiet", f"http://127.0.0.1:{free_port()}/feed.xml")])
    sqlite_url = f"sqlite:///{tmp_path / 'monitor.db'}"
    config.write_text(config.read_text().replace(sqlite_url, database_url))
    first, second = (Service(load_config(str(config)), str(config)) for _ in range(2))
    await first.open()
    assert first.coordinator is not None
    first.coordinator.start()
    now = datetime.now(UTC)
    with first.coordinator.store.session() as session:
        session.add(
            Alert(
                id="msg_1",
                type="story.created",
                webhook="hook",
                order_key="story:s",
                payload={},
                created_at=now,
                due_at=now,
            )
        )
    with first.coordinator.store.session() as session:
        assert [c.id for c in claim_due(session, webhook="hook", now=now, lease=300)] == ["msg_1"]
    await second.open()
    assert second.coordinator is not None
    second.coordinator.start()
    try:
        await second.deliver()
        with second.coordinator.store.session() as session:
            alert = session.exec(select(Alert)).one()
        assert alert.leased_until is not None  # still the first instance's
        assert alert.attempts == 0
        assert await healthz_instance(second) == {
            "mode": "shared",
            "instance": second.coordinator.id,
            "roles": ["checks", "tracking"],
        }
        assert (await healthz_instance(first))["roles"] == ["checks", "tracking", DELIVERY_ROLE]
    finally:
        await second.close()
        await first.close()


async def healthz_instance(service: Service) -> object:
    """What ``/healthz`` of ``service``'s endpoint says of the instance."""
    from aiohttp.test_utils import TestClient, TestServer

    from monitor.server import ServerDeps, build_app

    assert service.coordinator is not None
    deps = ServerDeps(service.coordinator.store, Metrics(), lambda: True, roles=service.roles)
    async with TestClient(TestServer(build_app(deps), host="127.0.0.1")) as client:
        response = await client.get("/healthz")
        assert response.status == 200
        return (await response.json())["instance"]


@pytest.mark.postgres
async def test_a_one_off_run_hands_its_hosts_back_when_it_ends(store: Store) -> None:
    """``monitor once`` never starts its coordinator; the hosts its requests took used to stay
    its own for a whole lease, so the next ``monitor once`` fetched nothing from them."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("host leases are for several instances, on PostgreSQL")
    clock = Clock()
    once, next_run = coordinator(store, clock), coordinator(store, clock)
    assert await once.enter_host("news.example", spacing=1.0)
    once.leave_host("news.example", quiet_for=1.0)
    assert not await next_run.enter_host("news.example", spacing=1.0)
    once.leave()
    assert not await next_run.enter_host("news.example", spacing=1.0)  # its spacing first
    clock.now += timedelta(seconds=1)
    assert await next_run.enter_host("news.example", spacing=1.0)
    next_run.leave_host("news.example", quiet_for=0.0)
    next_run.leave()


@pytest.mark.postgres
async def test_requests_starting_together_share_one_ask_for_the_host(store: Store) -> None:
    """A thousand checks starting at once all find the host's lease missing: they share the one
    ask under way (one statement, not one a request), and share a refusal as well."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("host leases are for several instances, on PostgreSQL")
    asks: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "host_lease" in statement:
            asks.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    clock = Clock()
    first, other = coordinator(store, clock), coordinator(store, clock)
    entered = await asyncio.gather(*(first.enter_host("news.example", 1.0) for _ in range(20)))
    assert entered == [True] * 20
    assert len(asks) == 1
    assert first.busy["news.example"] == 20
    asks.clear()
    refused = await asyncio.gather(*(other.enter_host("news.example", 1.0) for _ in range(20)))
    assert refused == [False] * 20
    assert len(asks) == 1
    assert "news.example" not in other.busy
    for _ in range(20):
        first.leave_host("news.example", quiet_for=0.0)
    first.leave()
    other.leave()
