"""The alert outbox: alerts waiting to be delivered, every delivery attempt, and endpoint state.

Storage only: the core decides which alerts to send (``monitor.alerts.drafts``) and the
pipeline calls ``enqueue`` inside the transaction that stores their cause, so an alert exists
if and only if its development (or health change) does. The delivery worker (``monitor.deliver``)
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
from typing import Any

from sqlalchemy import Engine, func, or_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from monitor.models import AlertDraft
from monitor.store.tables import Alert, AlertStatus, DeliveryAttempt, WebhookEndpoint

SessionFactory = Callable[[], AbstractContextManager[Session]]
MergePayloads = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


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


class AttemptOutcome(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DEAD = "dead"
    GONE = "gone"  # 410: the endpoint is disabled, the alert waits


# --------------------------------------------------------------------------- values out


@dataclass(frozen=True, slots=True)
class EnqueuedAlert:
    """What ``enqueue`` did for one endpoint: a new alert, or a merge into a pending one."""

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


# --------------------------------------------------------------------------- enqueueing


def enqueue(
    session: Session,
    drafts: Sequence[AlertDraft],
    now: datetime,
    *,
    merge: MergePayloads,
    development_id: int | None = None,
) -> list[EnqueuedAlert]:
    """Store the alerts the core decided on, inside the transaction that stores their cause.

    A story alert merges (``merge`` joins the payloads) into a not-yet-sent alert of the same
    story, topic and endpoint whose debounce window is still open; a new one is not due before
    its debounce, nor before the previous one's creation plus its cooldown.
    """
    now = as_utc(now)
    return [_enqueue_one(session, draft, now, merge, development_id) for draft in drafts]


def _enqueue_one(
    session: Session,
    draft: AlertDraft,
    now: datetime,
    merge: MergePayloads,
    development_id: int | None,
) -> EnqueuedAlert:
    ids = [development_id] if development_id is not None else []
    pending = _mergeable_alert(session, draft, now) if draft.topic is not None else None
    if pending is not None:
        pending.payload = merge(pending.payload, draft.payload)
        pending.type = pending.payload["type"]
        pending.development_ids = [*pending.development_ids, *ids]
        session.add(pending)
        return EnqueuedAlert(pending.id, draft.webhook, draft.topic, True, pending.due_at)
    due_at = _first_due(session, draft, now)
    alert = Alert(
        id=draft.id,
        type=draft.type,
        topic=draft.topic,
        webhook=draft.webhook,
        story_id=draft.story_id,
        source=draft.source,
        order_key=draft.order_key,
        development_ids=ids,
        payload=draft.payload,
        created_at=now,
        due_at=due_at,
    )
    session.add(alert)
    session.flush()
    return EnqueuedAlert(alert.id, draft.webhook, draft.topic, False, due_at)


def _mergeable_alert(session: Session, draft: AlertDraft, now: datetime) -> Alert | None:
    """A not-yet-sent alert of this story, topic and endpoint whose window is still open."""
    statement = (
        select(Alert)
        .where(
            Alert.webhook == draft.webhook,
            Alert.order_key == draft.order_key,
            Alert.topic == draft.topic,
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


def _first_due(session: Session, draft: AlertDraft, now: datetime) -> datetime:
    due = now + timedelta(seconds=draft.debounce)
    if draft.cooldown <= 0:
        return due
    previous = session.exec(
        select(func.max(Alert.created_at)).where(
            Alert.webhook == draft.webhook,
            Alert.order_key == draft.order_key,
            Alert.topic == draft.topic,
        )
    ).one()
    if previous is None:
        return due
    return max(due, _coerce(previous) + timedelta(seconds=draft.cooldown))


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
    insert: Any = sqlite_insert
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # loaded by PostgreSQL's engine anyway
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


def endpoint_is_disabled(session: Session, name: str) -> bool:
    endpoint = session.get(WebhookEndpoint, name)
    return endpoint is not None and endpoint.disabled_at is not None


def get_alert(session: Session, alert_id: str) -> Alert | None:
    return session.exec(select(Alert).where(Alert.id == alert_id)).first()


def _get_alert(session: Session, alert_id: str) -> Alert:
    alert = get_alert(session, alert_id)
    if alert is None:
        raise KeyError(alert_id)
    return alert
