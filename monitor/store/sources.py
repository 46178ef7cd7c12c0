"""Sources and fetch state: which sources exist, how healthy they are, what validators each URL has.

Functions take a ``Session`` (one transaction, owned by the caller) and return domain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from monitor.health import SourceHealthState
from monitor.models import Health, Validators
from monitor.store.tables import ArticleRow, FetchStateRow, SourceHealthEventRow, SourceRow


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store knows of one source."""

    name: str
    url: str
    kind: str
    health: Health
    consecutive_failures: int
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    next_check_at: datetime | None
    article_count: int = 0


@dataclass(frozen=True, slots=True)
class SourceDefinition:
    name: str
    url: str
    kind: str


def sync_sources(session: Session, sources: Iterable[SourceDefinition], now: datetime) -> None:
    """Create rows for new sources and update the URL and kind of changed ones.

    Rows of sources removed from the configuration are kept: their articles still point at them.
    """
    for source in sources:
        row = session.get(SourceRow, source.name)
        if row is None:
            session.add(
                SourceRow(name=source.name, url=source.url, kind=source.kind, created_at=now)
            )
        elif (row.url, row.kind) != (source.url, source.kind):
            row.url, row.kind = source.url, source.kind
            session.add(row)


def source_state(session: Session, name: str) -> SourceState | None:
    row = session.get(SourceRow, name)
    return None if row is None else _state(row, _article_counts(session, [name]).get(name, 0))


def health_state(session: Session, name: str) -> SourceHealthState:
    """Just the health of one source (cheaper than ``source_state``), for every check."""
    row = session.get(SourceRow, name)
    if row is None:
        return SourceHealthState()
    return SourceHealthState(Health(row.health), row.consecutive_failures)


def list_source_states(session: Session) -> list[SourceState]:
    rows = session.exec(select(SourceRow).order_by(SourceRow.name)).all()
    counts = _article_counts(session, [row.name for row in rows])
    return [_state(row, counts.get(row.name, 0)) for row in rows]


def _article_counts(session: Session, names: list[str]) -> dict[str, int]:
    if not names:
        return {}
    query = (
        select(ArticleRow.source_name, func.count())
        .where(col(ArticleRow.source_name).in_(names))
        .group_by(ArticleRow.source_name)
    )
    return dict(session.exec(query).all())


def _state(row: SourceRow, article_count: int) -> SourceState:
    return SourceState(
        name=row.name,
        url=row.url,
        kind=row.kind,
        health=Health(row.health),
        consecutive_failures=row.consecutive_failures,
        last_checked_at=row.last_checked_at,
        last_success_at=row.last_success_at,
        last_error=row.last_error,
        next_check_at=row.next_check_at,
        article_count=article_count,
    )


def record_check(
    session: Session,
    name: str,
    *,
    now: datetime,
    health: Health,
    consecutive_failures: int,
    next_check_at: datetime | None,
    error: str | None,
) -> None:
    """Store the outcome of one check; a change of health is also written as an event."""
    row = session.get(SourceRow, name)
    if row is None:
        raise KeyError(name)
    if row.health != health.value:
        session.add(
            SourceHealthEventRow(
                source_name=name,
                from_health=row.health,
                to_health=health.value,
                consecutive_failures=consecutive_failures,
                error=error,
                occurred_at=now,
            )
        )
    row.health = health.value
    row.consecutive_failures = consecutive_failures
    row.last_checked_at = now
    row.next_check_at = next_check_at
    if error is None:
        row.last_success_at = now
    row.last_error = error
    session.add(row)


def health_events(session: Session, name: str) -> list[tuple[str, str, datetime]]:
    query = (
        select(SourceHealthEventRow)
        .where(SourceHealthEventRow.source_name == name)
        .order_by(col(SourceHealthEventRow.id))
    )
    return [(e.from_health, e.to_health, e.occurred_at) for e in session.exec(query).all()]


def get_validators(session: Session, url: str) -> Validators | None:
    row = session.get(FetchStateRow, url)
    if row is None:
        return None
    return Validators(etag=row.etag, last_modified=row.last_modified, content_hash=row.content_hash)


def save_validators(
    session: Session, url: str, validators: Validators, status: int, now: datetime
) -> None:
    row = session.get(FetchStateRow, url) or FetchStateRow(url=url)
    row.etag = validators.etag
    row.last_modified = validators.last_modified
    row.content_hash = validators.content_hash
    row.last_status = status
    row.last_fetched_at = now
    session.add(row)


@dataclass(frozen=True, slots=True)
class FetchMark:
    """When a URL was last fetched successfully, and the listing signal stored with that fetch."""

    fetched_at: datetime
    signal_at: datetime | None = None


def fetch_marks(session: Session, urls: Sequence[str]) -> dict[str, FetchMark]:
    """The ``FetchMark`` of each of ``urls`` (URLs never fetched are absent)."""
    found: dict[str, FetchMark] = {}
    for start in range(0, len(urls), 500):
        rows = session.exec(
            select(FetchStateRow.url, FetchStateRow.last_fetched_at, FetchStateRow.signal_at).where(
                col(FetchStateRow.url).in_(urls[start : start + 500])
            )
        ).all()
        found.update({url: FetchMark(at, signal) for url, at, signal in rows if at is not None})
    return found


def save_signals(session: Session, signals: Mapping[str, datetime]) -> None:
    """Store the listing signal each URL was fetched under (URLs never fetched are skipped)."""
    for url, signal in signals.items():
        row = session.get(FetchStateRow, url)
        if row is not None and row.signal_at != signal:
            row.signal_at = signal
            session.add(row)
