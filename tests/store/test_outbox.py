"""The outbox on SQLite and PostgreSQL: enqueueing, debounce, cooldown, order, leases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, SQLModel

from monitor.alerts import StoryInfo
from monitor.models import Development, DevelopmentKind
from monitor.store.alert_views import (
    attempts_of,
    enable_endpoint,
    endpoint_states,
    list_alerts,
    replay_alert,
    replay_failed,
)
from monitor.store.db import make_engine
from monitor.store.outbox import (
    AttemptOutcome,
    AttemptResult,
    SessionFactory,
    claim_due,
    finish_attempt,
    get_alert,
    next_due_at,
    release_leases,
    sessions_for,
)
from monitor.store.tables import AlertStatus
from tests.alerting import enqueue_alerts

T0 = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Topic:
    name: str
    webhooks: list[str]
    debounce: float = 0.0
    cooldown: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def sessions(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    yield sessions_for(engine)
    engine.dispose()


def dev(story: str = "st_1", at: datetime = T0, sentence: str = "News.") -> Development:
    return Development(
        kind=DevelopmentKind.NEW_ARTICLE,
        story_id=story,
        article_url=f"https://news.test/{sentence}",
        source="wire",
        occurred_at=at,
        novelty=0.5,
        new_sentences=(sentence,),
    )


def story(story_id: str = "st_1") -> StoryInfo:
    return StoryInfo(story_id, "Talks", T0, 1, ("wire",))


def enqueue(
    session: Session, topics: list[Topic], development: Development, now: datetime, dev_id: int = 1
) -> list[str]:
    done = enqueue_alerts(
        session,
        development=development,
        topics=topics,
        story=story(development.story_id),
        now=now,
        development_id=dev_id,
    )
    return [alert.id for alert in done]


def ok(at: datetime, status: int = 200) -> AttemptResult:
    return AttemptResult(started_at=at, duration=0.01, status_code=status)


def test_one_alert_per_endpoint_first_topic_wins_disabled_skipped(sessions: SessionFactory) -> None:
    topics = [Topic("a", ["hook1", "hook2"]), Topic("b", ["hook2", "hook3", "off"])]
    with sessions() as session:
        done = enqueue_alerts(
            session,
            development=dev(),
            topics=topics,
            story=story(),
            now=T0,
            disabled_webhooks={"off"},
        )
    assert [(a.webhook, a.topic, a.merged) for a in done] == [
        ("hook1", "a", False),
        ("hook2", "a", False),
        ("hook3", "b", False),
    ]
    with sessions() as session:
        rows = list_alerts(session)
    assert {row.id for row in rows} == {a.id for a in done}
    assert {row.status for row in rows} == {"pending"}


def test_debounce_merges_three_developments_into_one_alert(sessions: SessionFactory) -> None:
    topic = Topic("t", ["hook"], debounce=60)
    ids = []
    for number, offset in enumerate((0, 20, 50), start=1):
        with sessions() as session:
            at = T0 + timedelta(seconds=offset)
            ids += enqueue(session, [topic], dev(at=at, sentence=f"S{number}"), at, number)
    assert len(set(ids)) == 1
    with sessions() as session:
        alert = get_alert(session, ids[0])
        assert alert is not None
        assert alert.development_ids == [1, 2, 3]
        assert alert.due_at == T0 + timedelta(seconds=60)
        assert [d["new_sentences"] for d in alert.payload["developments"]] == [
            ["S1"],
            ["S2"],
            ["S3"],
        ]
        assert alert.payload["development"]["count"] == 3
        # Nothing is due inside the window; after it, one alert.
        assert claim_due(session, webhook="hook", now=T0 + timedelta(seconds=59), lease=5) == []
        claimed = claim_due(session, webhook="hook", now=T0 + timedelta(seconds=60), lease=5)
    assert [c.id for c in claimed] == ids[:1]
    with sessions() as session:  # once the window closed, a new development is a new alert
        later = enqueue(session, [topic], dev(sentence="S4"), T0 + timedelta(seconds=61), 4)
    assert later != ids[:1]


def test_cooldown_holds_the_next_alert_and_gathers_developments(sessions: SessionFactory) -> None:
    topic = Topic("t", ["hook"], cooldown=600)
    with sessions() as session:
        first = enqueue(session, [topic], dev(sentence="A"), T0)
        claim_due(session, webhook="hook", now=T0, lease=5)
        finish_attempt(session, first[0], ok(T0), AttemptOutcome.DELIVERED)
    with sessions() as session:
        second = enqueue(session, [topic], dev(sentence="B"), T0 + timedelta(seconds=60))
        third = enqueue(session, [topic], dev(sentence="C"), T0 + timedelta(seconds=120))
        alert = get_alert(session, second[0])
        assert alert is not None
        assert alert.due_at == T0 + timedelta(seconds=600)
    assert second == third != first


def test_only_the_oldest_pending_alert_of_a_story_is_claimed(sessions: SessionFactory) -> None:
    topic = Topic("t", ["hook"])
    with sessions() as session:
        a1 = enqueue(session, [topic], dev("st_a", sentence="1"), T0)[0]
        a2 = enqueue(session, [topic], dev("st_a", sentence="2"), T0)[0]
        b1 = enqueue(session, [topic], dev("st_b", sentence="3"), T0)[0]
    with sessions() as session:
        assert [c.id for c in claim_due(session, webhook="hook", now=T0, lease=30)] == [a1, b1]
    with sessions() as session:  # leased rows are not claimed twice, nor is a2 while a1 is out
        assert claim_due(session, webhook="hook", now=T0, lease=30) == []
        finish_attempt(session, a1, ok(T0), AttemptOutcome.DELIVERED)
    with sessions() as session:
        assert [c.id for c in claim_due(session, webhook="hook", now=T0, lease=30)] == [a2]


def test_expired_or_released_lease_is_claimed_again(sessions: SessionFactory) -> None:
    with sessions() as session:
        alert_id = enqueue(session, [Topic("t", ["hook"])], dev(), T0)[0]
        assert len(claim_due(session, webhook="hook", now=T0, lease=30)) == 1
    with sessions() as session:
        assert claim_due(session, webhook="hook", now=T0 + timedelta(seconds=29), lease=30) == []
        assert next_due_at(session, "hook") == T0 + timedelta(seconds=30)
        again = claim_due(session, webhook="hook", now=T0 + timedelta(seconds=30), lease=30)
        assert [c.id for c in again] == [alert_id]
    with sessions() as session:
        assert release_leases(session) == 1
    with sessions() as session:
        assert [c.id for c in claim_due(session, webhook="hook", now=T0, lease=30)] == [alert_id]


def test_retry_then_dead_letter_then_replay(sessions: SessionFactory) -> None:
    with sessions() as session:
        alert_id = enqueue(session, [Topic("t", ["hook"])], dev(), T0)[0]
        claim_due(session, webhook="hook", now=T0, lease=5)
        retry_at = T0 + timedelta(seconds=5)
        finish_attempt(session, alert_id, ok(T0, 500), AttemptOutcome.RETRY, next_due=retry_at)
    with sessions() as session:
        assert claim_due(session, webhook="hook", now=T0 + timedelta(seconds=4), lease=5) == []
        assert len(claim_due(session, webhook="hook", now=retry_at, lease=5)) == 1
        finish_attempt(session, alert_id, ok(retry_at, 503), AttemptOutcome.DEAD)
    with sessions() as session:
        assert [a.id for a in list_alerts(session, status="failed")] == [alert_id]
        assert [(a.number, a.status_code, a.outcome) for a in attempts_of(session, alert_id)] == [
            (1, 500, "retry"),
            (2, 503, "dead"),
        ]
        assert replay_failed(session, T0 + timedelta(hours=1)) == 1
        assert not replay_alert(session, "msg_unknown", T0)
    with sessions() as session:
        claimed = claim_due(session, webhook="hook", now=T0 + timedelta(hours=1), lease=5)
        assert [(c.id, c.attempts) for c in claimed] == [(alert_id, 0)]


def test_gone_disables_endpoint_until_enabled(sessions: SessionFactory) -> None:
    topic = Topic("t", ["hook"])
    with sessions() as session:
        first = enqueue(session, [topic], dev("st_a"), T0)[0]
        enqueue(session, [topic], dev("st_b"), T0)
        claim_due(session, webhook="hook", now=T0, lease=5)
        finish_attempt(session, first, ok(T0, 410), AttemptOutcome.GONE)
    with sessions() as session:
        assert claim_due(session, webhook="hook", now=T0, lease=5) == []
        (state,) = endpoint_states(session, ["hook"])
        assert state.disabled_at == T0
        assert state.disabled_reason == "answered 410 Gone"
        assert (state.pending, state.failed, state.delivered) == (2, 0, 0)
        assert enable_endpoint(session, "hook")
        assert not enable_endpoint(session, "hook")
    with sessions() as session:
        assert len(claim_due(session, webhook="hook", now=T0, lease=5)) == 2


def test_endpoint_state_counts_and_failures(sessions: SessionFactory) -> None:
    with sessions() as session:
        alert_id = enqueue(session, [Topic("t", ["hook"])], dev(), T0)[0]
        claim_due(session, webhook="hook", now=T0, lease=5)
        failure = AttemptResult(T0, 10.0, None, "timed out after 10s")
        finish_attempt(session, alert_id, failure, AttemptOutcome.RETRY, next_due=T0)
    with sessions() as session:
        (state,) = endpoint_states(session, ["hook"])
        assert (state.consecutive_failures, state.last_error) == (1, "timed out after 10s")
        claim_due(session, webhook="hook", now=T0, lease=5)
        finish_attempt(session, alert_id, ok(T0), AttemptOutcome.DELIVERED)
    with sessions() as session:
        (state,) = endpoint_states(session, ["hook"])
        assert (state.consecutive_failures, state.delivered, state.last_success_at) == (
            1 - 1,
            1,
            T0,
        )


def test_alert_status_filter(sessions: SessionFactory) -> None:
    with sessions() as session:
        enqueue(session, [Topic("t", ["hook"])], dev(), T0)
        assert len(list_alerts(session, status=AlertStatus.PENDING)) == 1
        assert list_alerts(session, status="delivered") == []
