"""The alert outbox: alerts waiting to be delivered, every delivery attempt, and endpoint state.

The pipeline calls ``enqueue_alerts`` inside the transaction that stores a development, so an
alert exists if and only if its development does. The delivery worker (``monitor.deliver``)
claims due rows with a lease, sends them, and records what happened; a worker killed mid-send
leaves a lease that expires (or is released on restart), and the same message (same
``webhook-id``) is sent again: delivery is at least once.

Rules kept here:
- one row per alert and endpoint; its ``id`` is the Standard Webhooks ``webhook-id``;
- debounce: while an alert has not been sent yet and its ``due_at`` lies ahead, later
  developments of the same story for the same topic and endpoint merge into it;
- cooldown: a new alert of a story for a topic and endpoint is not due before the previous
  one's creation plus the cooldown (the developments in between merge into it);
- order: an alert is only claimed when no earlier alert of the same story (or source) for the
  same endpoint is still pending;
- an endpoint that answered 410 is disabled; its alerts wait until it is enabled again.

All functions take a ``sqlmodel.Session`` and leave committing to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, Column, Engine, Index, func, or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Field, Session, SQLModel, col, select

from monitor.alerts.health import HealthTransition, health_transition
from monitor.alerts.payload import (
    ArticleInfo,
    StoryInfo,
    build_payload,
    build_source_health_payload,
    merge_payloads,
)
from monitor.alerts.signing import new_message_id
from monitor.models import Development, Health
from monitor.store.tables import text_column, utc_column

SessionFactory = Callable[[], AbstractContextManager[Session]]


def sessions_for(engine: Engine) -> SessionFactory:
    """A session factory like ``Store.session``: commits on success, rolls back on error."""

    @contextmanager
    def session_scope() -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    return session_scope


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=utc_column(nullable=nullable))


class AlertStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # dead-lettered after the last attempt of the retry schedule


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"
    GONE = "gone"  # 410: the endpoint is disabled, the alert waits


# --------------------------------------------------------------------------- tables


class Alert(SQLModel, table=True):
    """One message to one endpoint. ``id`` is its ``webhook-id``, the same on every retry."""

    __tablename__ = "alert"
    __table_args__ = (
        Index("ix_alert_due", "status", "webhook", "due_at"),
        Index("ix_alert_order", "webhook", "order_key", "status"),
    )

    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(max_length=40, unique=True)
    type: str = Field(max_length=32)
    topic: str | None = Field(default=None, max_length=64)
    webhook: str = Field(max_length=64)
    story_id: str | None = Field(default=None, max_length=64, index=True)
    source: str | None = Field(default=None, max_length=64)
    order_key: str = Field(max_length=140)
    development_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default=AlertStatus.PENDING, max_length=16)
    attempts: int = 0
    created_at: datetime = _when(nullable=False)
    due_at: datetime = _when(nullable=False)
    leased_until: datetime | None = _when()
    last_attempt_at: datetime | None = _when()
    delivered_at: datetime | None = _when()
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=text_column())


class DeliveryAttempt(SQLModel, table=True):
    """One HTTP attempt to deliver one alert, whatever came of it."""

    __tablename__ = "delivery_attempt"

    id: int | None = Field(default=None, primary_key=True)
    alert_id: str = Field(max_length=40, foreign_key="alert.id", index=True)
    webhook: str = Field(max_length=64)
    number: int
    started_at: datetime = _when(nullable=False)
    duration: float
    outcome: str = Field(max_length=16)
    status_code: int | None = None
    retry_after: float | None = None
    error: str | None = Field(default=None, sa_column=text_column())


class WebhookEndpoint(SQLModel, table=True):
    """What delivery learned about one configured webhook."""

    __tablename__ = "webhook_endpoint"

    name: str = Field(primary_key=True, max_length=64)
    disabled_at: datetime | None = _when()
    disabled_reason: str | None = Field(default=None, sa_column=text_column())
    consecutive_failures: int = 0
    last_attempt_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_column=text_column())


# --------------------------------------------------------------------------- values out


@dataclass(frozen=True, slots=True)
class EnqueuedAlert:
    """What ``enqueue_alerts`` did for one endpoint: a new alert, or a merge into a pending one."""

    id: str
    webhook: str
    topic: str | None
    merged: bool
    due_at: datetime


@dataclass(frozen=True, slots=True)
class ClaimedAlert:
    """An alert leased to the worker for one attempt."""

    id: str
    seq: int
    webhook: str
    order_key: str
    type: str
    payload: dict[str, Any]
    attempts: int  # attempts made before this one (in the current round)


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one HTTP attempt produced."""

    started_at: datetime
    duration: float
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class AlertSummary:
    id: str
    type: str
    topic: str | None
    webhook: str
    story_id: str | None
    source: str | None
    status: str
    attempts: int
    created_at: datetime
    due_at: datetime
    delivered_at: datetime | None
    last_status: int | None
    last_error: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class EndpointState:
    name: str
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    last_error: str | None
    pending: int
    failed: int
    delivered: int


class AlertingTopic(Protocol):
    """What enqueueing reads from a topic (``monitor.config.TopicConfig`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def webhooks(self) -> Sequence[str]: ...

    @property
    def debounce(self) -> float: ...

    @property
    def cooldown(self) -> float: ...


# --------------------------------------------------------------------------- enqueueing


def enqueue_alerts(
    session: Session,
    *,
    development: Development,
    topics: Sequence[AlertingTopic],
    story: StoryInfo,
    now: datetime,
    articles: Sequence[ArticleInfo] = (),
    diff: str | None = None,
    development_id: int | None = None,
    disabled_webhooks: Collection[str] = (),
) -> list[EnqueuedAlert]:
    """Queue the alerts ``development`` causes for the ``topics`` that matched it.

    Call inside the transaction that stores the development. An endpoint named by several
    matching topics gets one alert, under the first of them. Webhooks switched off in the
    configuration (``disabled_webhooks``) get none.
    """
    now = as_utc(now)
    done: list[EnqueuedAlert] = []
    served: set[str] = set(disabled_webhooks)
    for topic in topics:
        for webhook in topic.webhooks:
            if webhook in served:
                continue
            served.add(webhook)
            payload = build_payload(
                alert_id=new_message_id(),
                topic=topic.name,
                development=development,
                story=story,
                articles=articles,
                diff=diff,
            )
            done.append(
                _enqueue_one(session, topic, webhook, development, payload, development_id, now)
            )
    return done


def _enqueue_one(
    session: Session,
    topic: AlertingTopic,
    webhook: str,
    development: Development,
    payload: dict[str, Any],
    development_id: int | None,
    now: datetime,
) -> EnqueuedAlert:
    key = _story_key(development.story_id)
    pending = _mergeable_alert(session, webhook, key, topic.name, now)
    ids = [development_id] if development_id is not None else []
    if pending is not None:
        pending.payload = merge_payloads(pending.payload, payload)
        pending.type = pending.payload["type"]
        pending.development_ids = [*pending.development_ids, *ids]
        session.add(pending)
        return EnqueuedAlert(pending.id, webhook, topic.name, True, pending.due_at)
    due_at = _first_due(session, webhook, key, topic, now)
    alert = Alert(
        id=payload["id"],
        type=payload["type"],
        topic=topic.name,
        webhook=webhook,
        story_id=development.story_id,
        source=development.source,
        order_key=key,
        development_ids=ids,
        payload=payload,
        created_at=now,
        due_at=due_at,
    )
    session.add(alert)
    session.flush()
    return EnqueuedAlert(alert.id, webhook, topic.name, False, due_at)


def _story_key(story_id: str) -> str:
    return f"story:{story_id}"


def _source_key(source: str) -> str:
    return f"source:{source}"


def _mergeable_alert(
    session: Session, webhook: str, key: str, topic: str, now: datetime
) -> Alert | None:
    """A not-yet-sent alert of this story, topic and endpoint whose window is still open."""
    statement = (
        select(Alert)
        .where(
            Alert.webhook == webhook,
            Alert.order_key == key,
            Alert.topic == topic,
            Alert.status == AlertStatus.PENDING,
            Alert.attempts == 0,
            col(Alert.leased_until).is_(None),
            col(Alert.due_at) > now,
        )
        .order_by(col(Alert.seq).desc())
        .limit(1)
        .with_for_update()
    )
    return session.exec(statement).first()


def _first_due(
    session: Session, webhook: str, key: str, topic: AlertingTopic, now: datetime
) -> datetime:
    due = now + timedelta(seconds=topic.debounce)
    if topic.cooldown <= 0:
        return due
    previous = session.exec(
        select(func.max(Alert.created_at)).where(
            Alert.webhook == webhook, Alert.order_key == key, Alert.topic == topic.name
        )
    ).one()
    if previous is None:
        return due
    return max(due, _coerce(previous) + timedelta(seconds=topic.cooldown))


# --------------------------------------------------------------------------- source health


def last_source_health(session: Session, source: str) -> Health:
    """What the last source alert about ``source`` announced (``OK`` when there was none)."""
    last_type = session.exec(
        select(Alert.type)
        .where(Alert.order_key == _source_key(source))
        .order_by(col(Alert.seq).desc())
        .limit(1)
    ).first()
    return Health.FAILING if last_type == "source.failing" else Health.OK


def note_source_health(
    session: Session,
    *,
    source: str,
    consecutive_failures: int,
    threshold: int,
    error: str | None,
    now: datetime,
    webhooks: Sequence[str],
) -> list[EnqueuedAlert]:
    """Call after every check of ``source`` with its current failure streak (0 after a success).

    Queues ``source.failing`` once the streak reaches ``threshold`` and ``source.recovered``
    at the first success after that — never one alert per failure.
    """
    transition = health_transition(
        last_source_health(session, source), consecutive_failures, threshold
    )
    if transition is None:
        return []
    return enqueue_source_health_alert(
        session,
        source,
        transition,
        error,
        now,
        webhooks=webhooks,
        consecutive_failures=consecutive_failures,
    )


def enqueue_source_health_alert(
    session: Session,
    source: str,
    transition: HealthTransition | str,
    error: str | None,
    now: datetime,
    *,
    webhooks: Sequence[str],
    consecutive_failures: int = 0,
) -> list[EnqueuedAlert]:
    """Queue ``source.failing`` or ``source.recovered`` to ``webhooks``; idempotent.

    Nothing is queued when the last source alert already announced the same health, or for a
    recovery that no failing alert preceded.
    """
    transition = HealthTransition(transition)
    announced = last_source_health(session, source)
    wanted = Health.FAILING if transition is HealthTransition.FAILING else Health.OK
    if announced is wanted:
        return []
    now = as_utc(now)
    since = _failing_since(session, source) if transition is HealthTransition.RECOVERED else now
    done = []
    for webhook in dict.fromkeys(webhooks):
        payload = build_source_health_payload(
            alert_id=new_message_id(),
            transition=transition.value,
            source=source,
            occurred_at=now,
            consecutive_failures=consecutive_failures,
            error=error,
            failing_since=since,
        )
        session.add(_source_alert(payload, webhook, source, now))
        done.append(EnqueuedAlert(payload["id"], webhook, None, False, now))
    session.flush()
    return done


def _source_alert(payload: dict[str, Any], webhook: str, source: str, now: datetime) -> Alert:
    return Alert(
        id=payload["id"],
        type=payload["type"],
        webhook=webhook,
        source=source,
        order_key=_source_key(source),
        payload=payload,
        created_at=now,
        due_at=now,
    )


def _failing_since(session: Session, source: str) -> datetime | None:
    since = session.exec(
        select(func.max(Alert.created_at)).where(
            Alert.order_key == _source_key(source), Alert.type == "source.failing"
        )
    ).one()
    return None if since is None else _coerce(since)


# --------------------------------------------------------------------------- the worker's side


def claim_due(
    session: Session, *, webhook: str, now: datetime, lease: float, limit: int = 10
) -> list[ClaimedAlert]:
    """Lease up to ``limit`` due alerts of ``webhook`` for ``lease`` seconds, oldest first.

    Only the oldest pending alert of each story (or source) is eligible, so that an endpoint
    receives one story's alerts in order. Nothing is claimed for a disabled endpoint.
    """
    now = as_utc(now)
    if endpoint_is_disabled(session, webhook):
        return []
    earlier = aliased(Alert)
    blocked = (
        select(earlier.seq)
        .where(
            earlier.webhook == Alert.webhook,
            earlier.order_key == Alert.order_key,
            earlier.status == AlertStatus.PENDING,
            col(earlier.seq) < Alert.seq,
        )
        .exists()
    )
    statement = (
        select(Alert)
        .where(
            Alert.webhook == webhook,
            Alert.status == AlertStatus.PENDING,
            col(Alert.due_at) <= now,
            or_(col(Alert.leased_until).is_(None), col(Alert.leased_until) <= now),
            ~blocked,
        )
        .order_by(col(Alert.seq))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Alert)
    )
    rows = list(session.exec(statement))
    until = now + timedelta(seconds=lease)
    for row in rows:
        row.leased_until = until
        session.add(row)
    session.flush()
    return [_claimed(row) for row in rows]


def _claimed(row: Alert) -> ClaimedAlert:
    assert row.seq is not None
    return ClaimedAlert(
        row.id, row.seq, row.webhook, row.order_key, row.type, dict(row.payload), row.attempts
    )


def finish_attempt(
    session: Session,
    alert_id: str,
    result: AttemptResult,
    outcome: AttemptOutcome,
    *,
    next_due: datetime | None = None,
) -> None:
    """Record one attempt and move the alert on: delivered, retried at ``next_due``, dead, or
    back to waiting because its endpoint is gone (410, which disables the endpoint)."""
    alert = _get_alert(session, alert_id)
    alert.attempts += 1
    alert.leased_until = None
    alert.last_attempt_at = result.started_at
    alert.last_status = result.status_code
    alert.last_error = result.error
    if outcome is AttemptOutcome.DELIVERED:
        alert.status = AlertStatus.DELIVERED
        alert.delivered_at = result.started_at + timedelta(seconds=result.duration)
    elif outcome is AttemptOutcome.DEAD:
        alert.status = AlertStatus.FAILED
    elif outcome is AttemptOutcome.GONE:
        alert.attempts -= 1  # not the alert's fault: it waits for the endpoint, schedule intact
    else:
        if next_due is None:
            raise ValueError("a retry needs next_due")
        alert.due_at = as_utc(next_due)
    session.add(alert)
    session.add(_attempt_row(session, alert, result, outcome))
    _update_endpoint(session, alert.webhook, result, outcome)
    session.flush()
    if outcome is AttemptOutcome.GONE:  # the endpoint's other claimed alerts wait too
        release_leases(session, [alert.webhook])


def _attempt_row(
    session: Session, alert: Alert, result: AttemptResult, outcome: AttemptOutcome
) -> DeliveryAttempt:
    earlier = session.exec(
        select(func.count())
        .select_from(DeliveryAttempt)
        .where(DeliveryAttempt.alert_id == alert.id)
    ).one()
    return DeliveryAttempt(
        alert_id=alert.id,
        webhook=alert.webhook,
        number=earlier + 1,
        started_at=result.started_at,
        duration=result.duration,
        outcome=outcome,
        status_code=result.status_code,
        retry_after=result.retry_after,
        error=result.error,
    )


def _update_endpoint(
    session: Session, name: str, result: AttemptResult, outcome: AttemptOutcome
) -> None:
    endpoint = _locked_endpoint(session, name)
    endpoint.last_attempt_at = result.started_at
    endpoint.last_status = result.status_code
    if outcome is AttemptOutcome.DELIVERED:
        endpoint.consecutive_failures = 0
        endpoint.last_success_at = result.started_at
        endpoint.last_error = None
    else:
        endpoint.consecutive_failures += 1
        endpoint.last_error = result.error
    if outcome is AttemptOutcome.GONE:
        endpoint.disabled_at = result.started_at
        endpoint.disabled_reason = "answered 410 Gone"
    session.add(endpoint)


def _locked_endpoint(session: Session, name: str) -> WebhookEndpoint:
    """The endpoint's row, created if missing, locked against concurrent attempts' updates."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.exec(
        insert(WebhookEndpoint).values(name=name).on_conflict_do_nothing(index_elements=["name"])
    )
    statement = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.exec(statement).one()


def release_leases(session: Session, webhooks: Collection[str] | None = None) -> int:
    """Drop all leases (of ``webhooks``): for a worker starting, the only one of its database."""
    statement = update(Alert).where(col(Alert.leased_until).is_not(None)).values(leased_until=None)
    if webhooks is not None:
        statement = statement.where(col(Alert.webhook).in_(list(webhooks)))
    return int(session.exec(statement).rowcount)


def hold_endpoint(session: Session, webhook: str, until: datetime) -> int:
    """``webhook`` asked to be left alone until ``until`` (its ``Retry-After``): none of its
    pending alerts falls due sooner, and claimed ones not yet sent go back to waiting."""
    statement = (
        update(Alert)
        .where(
            col(Alert.webhook) == webhook,
            col(Alert.status) == AlertStatus.PENDING,
            col(Alert.due_at) < as_utc(until),
        )
        .values(due_at=as_utc(until), leased_until=None)
    )
    return int(session.exec(statement).rowcount)


def next_due_at(session: Session, webhook: str) -> datetime | None:
    """When the next pending alert of ``webhook`` falls due (lease expiry included)."""
    due = session.exec(
        select(func.min(func.coalesce(Alert.leased_until, Alert.due_at))).where(
            Alert.webhook == webhook, Alert.status == AlertStatus.PENDING
        )
    ).one()
    return None if due is None else _coerce(due)


def _coerce(value: datetime | str) -> datetime:
    # SQLite hands back an aggregate over a decorated column as text.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return as_utc(moment)


# --------------------------------------------------------------------------- endpoints


def count_alerts_by_status(session: Session) -> dict[str, int]:
    """How many alerts are pending, delivered and failed (for the metrics endpoint)."""
    counts = {status.value: 0 for status in AlertStatus}
    for status, count in session.exec(select(Alert.status, func.count()).group_by(Alert.status)):
        counts[status] = count
    return counts


def endpoint_is_disabled(session: Session, name: str) -> bool:
    endpoint = session.get(WebhookEndpoint, name)
    return endpoint is not None and endpoint.disabled_at is not None


def enable_endpoint(session: Session, name: str) -> bool:
    """Re-enable an endpoint disabled after a 410; its waiting alerts become due. False if it
    was not disabled."""
    endpoint = session.get(WebhookEndpoint, name)
    if endpoint is None or endpoint.disabled_at is None:
        return False
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    endpoint.consecutive_failures = 0
    session.add(endpoint)
    session.flush()
    return True


def endpoint_states(session: Session, names: Sequence[str]) -> list[EndpointState]:
    """The state of each named endpoint, with its alert counts by status."""
    counts: dict[tuple[str, str], int] = {
        (webhook, status): count
        for webhook, status, count in session.exec(
            select(Alert.webhook, Alert.status, func.count())
            .where(col(Alert.webhook).in_(list(names)))
            .group_by(Alert.webhook, Alert.status)
        )
    }
    states = []
    for name in names:
        endpoint = session.get(WebhookEndpoint, name) or WebhookEndpoint(name=name)
        states.append(
            EndpointState(
                name=name,
                disabled_at=endpoint.disabled_at,
                disabled_reason=endpoint.disabled_reason,
                consecutive_failures=endpoint.consecutive_failures,
                last_attempt_at=endpoint.last_attempt_at,
                last_success_at=endpoint.last_success_at,
                last_status=endpoint.last_status,
                last_error=endpoint.last_error,
                pending=counts.get((name, AlertStatus.PENDING), 0),
                failed=counts.get((name, AlertStatus.FAILED), 0),
                delivered=counts.get((name, AlertStatus.DELIVERED), 0),
            )
        )
    return states


# --------------------------------------------------------------------------- reading, replay


def list_alerts(
    session: Session, *, status: AlertStatus | str | None = None, limit: int = 50
) -> list[AlertSummary]:
    """The newest alerts first."""
    statement = select(Alert)
    if status is not None:
        statement = statement.where(Alert.status == AlertStatus(status))
    rows = session.exec(statement.order_by(col(Alert.seq).desc()).limit(limit))
    return [_summary(row) for row in rows]


def _summary(row: Alert) -> AlertSummary:
    story = row.payload.get("story") or {}
    return AlertSummary(
        id=row.id,
        type=row.type,
        topic=row.topic,
        webhook=row.webhook,
        story_id=row.story_id,
        source=row.source,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
        due_at=row.due_at,
        delivered_at=row.delivered_at,
        last_status=row.last_status,
        last_error=row.last_error,
        title=story.get("title"),
    )


def get_alert(session: Session, alert_id: str) -> Alert | None:
    return session.exec(select(Alert).where(Alert.id == alert_id)).first()


def _get_alert(session: Session, alert_id: str) -> Alert:
    alert = get_alert(session, alert_id)
    if alert is None:
        raise KeyError(alert_id)
    return alert


def attempts_of(session: Session, alert_id: str) -> list[DeliveryAttempt]:
    return list(
        session.exec(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.alert_id == alert_id)
            .order_by(col(DeliveryAttempt.number))
        )
    )


def replay_alert(session: Session, alert_id: str, now: datetime) -> bool:
    """Send an alert again (same ``webhook-id``) with a fresh retry schedule; False if unknown."""
    alert = get_alert(session, alert_id)
    if alert is None:
        return False
    _requeue(alert, as_utc(now))
    session.add(alert)
    session.flush()
    return True


def replay_failed(session: Session, now: datetime) -> int:
    """Requeue every dead-lettered alert; returns how many."""
    rows = list(session.exec(select(Alert).where(Alert.status == AlertStatus.FAILED)))
    for alert in rows:
        _requeue(alert, as_utc(now))
        session.add(alert)
    session.flush()
    return len(rows)


def _requeue(alert: Alert, now: datetime) -> None:
    alert.status = AlertStatus.PENDING
    alert.attempts = 0
    alert.due_at = now
    alert.leased_until = None
    alert.delivered_at = None
