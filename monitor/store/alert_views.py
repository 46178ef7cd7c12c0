"""What operators see of the outbox and do with it: alert listings, delivery attempts,
endpoint states, counts for the metrics, re-enabling an endpoint and replaying alerts.

All functions take a ``sqlmodel.Session`` and leave committing to the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.store.outbox import as_utc, get_alert
from monitor.store.tables import Alert, AlertStatus, DeliveryAttempt, WebhookEndpoint


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


# --------------------------------------------------------------------------- endpoints


def count_alerts_by_status(session: Session) -> dict[str, int]:
    """How many alerts are pending, delivered and failed (for the metrics endpoint)."""
    counts = {status.value: 0 for status in AlertStatus}
    for status, count in session.exec(select(Alert.status, func.count()).group_by(Alert.status)):
        counts[status] = count
    return counts


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
