"""Sources and fetch state: which sources exist, how healthy they are, what validators each URL has.

Functions take a ``Session`` (one transaction, owned by the caller) and return domain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, insert, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from monitor.models import Health, HealthTransition, SourceHealthState, Validators
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
    Existing rows are read as plain tuples (no ORM objects): a start-up with thousands of
    sources pays for the few rows that change, not for every one.
    """
    wanted = list(sources)
    names = [source.name for source in wanted]
    table = SourceRow.__table__  # type: ignore[attr-defined]
    existing: dict[str, tuple[str, str]] = {}
    connection = session.connection()
    for start in range(0, len(names), 500):
        query = sql_select(table.c.name, table.c.url, table.c.kind).where(
            table.c.name.in_(names[start : start + 500])
        )
        existing.update((name, (url, kind)) for name, url, kind in connection.execute(query))
    for source in wanted:
        known = existing.get(source.name)
        if known is None:
            session.add(
                SourceRow(name=source.name, url=source.url, kind=source.kind, created_at=now)
            )
        elif known != (source.url, source.kind):
            connection.execute(
                update(table)
                .where(table.c.name == source.name)
                .values(url=source.url, kind=source.kind)
            )


@dataclass(frozen=True, slots=True)
class SourceCheck:
    """Everything one check needs to know about a source (``read_checks``)."""

    health: SourceHealthState
    next_check_at: datetime | None
    validators: Validators | None


_SOURCE = SourceRow.__table__  # type: ignore[attr-defined]
_FETCH_STATE = FetchStateRow.__table__  # type: ignore[attr-defined]
_EVENT = SourceHealthEventRow.__table__  # type: ignore[attr-defined]

# The statements of every check, built once: the hot path pays neither for building nor for
# caching them (SQLAlchemy's compiled cache keys on the statement object).
_CHECK_VALUES = ("health", "consecutive_failures", "last_checked_at", "next_check_at", "last_error")
_RECORD_FAILURE = (
    update(_SOURCE)
    .where(_SOURCE.c.name == bindparam("source_name"))
    .values({column: bindparam(column) for column in _CHECK_VALUES})
)
_RECORD_SUCCESS = _RECORD_FAILURE.values(last_success_at=bindparam("last_checked_at"))
_RECORD_EVENT = insert(_EVENT)
_READ_CHECK = (  # one source: what it knows and its listing's validators in one statement
    sql_select(
        _SOURCE.c.health,
        _SOURCE.c.consecutive_failures,
        _SOURCE.c.next_check_at,
        _FETCH_STATE.c.url,
        _FETCH_STATE.c.etag,
        _FETCH_STATE.c.last_modified,
        _FETCH_STATE.c.content_hash,
    )
    .select_from(_SOURCE.outerjoin(_FETCH_STATE, _FETCH_STATE.c.url == bindparam("key")))
    .where(_SOURCE.c.name == bindparam("name"))
)
_READ_SOURCES = sql_select(
    _SOURCE.c.name, _SOURCE.c.health, _SOURCE.c.consecutive_failures, _SOURCE.c.next_check_at
).where(_SOURCE.c.name.in_(bindparam("names", expanding=True)))
_READ_VALIDATORS = sql_select(
    _FETCH_STATE.c.url,
    _FETCH_STATE.c.etag,
    _FETCH_STATE.c.last_modified,
    _FETCH_STATE.c.content_hash,
).where(_FETCH_STATE.c.url.in_(bindparam("urls", expanding=True)))
IN_CHUNK = 500  # values per IN (...): well under every backend's limit on bound parameters


def read_checks(
    connection: Connection, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], SourceCheck]:
    """What the store knows of each source (health, next check) and the validators kept under
    each listing key, for many (source name, listing key) pairs at once: two statements per
    ``IN_CHUNK`` of them, whatever their number. A source without a row reads as new."""
    pairs = list(dict.fromkeys(wanted))
    if len(pairs) == 1:  # a check alone (the daemon's usual case): one statement
        return {pairs[0]: _read_check(connection, *pairs[0])}
    names = list(dict.fromkeys(name for name, _ in pairs))
    keys = list(dict.fromkeys(key for _, key in pairs))
    health: dict[str, tuple[str, int, datetime | None]] = {}
    for start in range(0, len(names), IN_CHUNK):
        chunk = {"names": names[start : start + IN_CHUNK]}
        for name, state, failures, next_check_at in connection.execute(_READ_SOURCES, chunk):
            health[name] = (state, failures, next_check_at)
    validators: dict[str, Validators] = {}
    for start in range(0, len(keys), IN_CHUNK):
        chunk = {"urls": keys[start : start + IN_CHUNK]}
        for url, etag, last_modified, content_hash in connection.execute(_READ_VALIDATORS, chunk):
            validators[url] = Validators(etag, last_modified, content_hash)
    found = {}
    for name, key in pairs:
        known = health.get(name)
        state = (
            SourceHealthState() if known is None else SourceHealthState(Health(known[0]), known[1])
        )
        found[name, key] = SourceCheck(
            state, None if known is None else known[2], validators.get(key)
        )
    return found


def _read_check(connection: Connection, name: str, listing_key: str) -> SourceCheck:
    row = connection.execute(_READ_CHECK, {"name": name, "key": listing_key}).first()
    if row is None:
        return SourceCheck(SourceHealthState(), None, None)
    health, failures, next_check_at, url, etag, last_modified, content_hash = row
    validators = None if url is None else Validators(etag, last_modified, content_hash)
    return SourceCheck(SourceHealthState(Health(health), failures), next_check_at, validators)


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """The outcome of one check that changed no health: what ``record_checks`` writes."""

    name: str
    at: datetime
    health: Health
    consecutive_failures: int
    next_check_at: datetime | None
    error: str | None


def record_checks(connection: Connection, records: Sequence[CheckRecord]) -> None:
    """``record_check`` for many checks that changed no health, in ``connection``'s
    transaction: one executemany per kind of outcome (succeeded, failed). Raises ``KeyError``
    naming the sources that have no row (``sync_sources`` makes them)."""
    for statement, failed in ((_RECORD_SUCCESS, False), (_RECORD_FAILURE, True)):
        rows = [
            {
                "source_name": record.name,
                "health": record.health.value,
                "consecutive_failures": record.consecutive_failures,
                "last_checked_at": record.at,
                "next_check_at": record.next_check_at,
                "last_error": record.error,
            }
            for record in records
            if (record.error is not None) is failed
        ]
        if not rows:
            continue
        result = connection.execute(statement, rows)
        if result.rowcount != len(rows):  # -1 (not reported) or fewer: say which ones
            names = [record.name for record in records if (record.error is not None) is failed]
            found = {
                name
                for start in range(0, len(names), IN_CHUNK)
                for (name,) in connection.execute(
                    sql_select(_SOURCE.c.name).where(
                        _SOURCE.c.name.in_(names[start : start + IN_CHUNK])
                    )
                )
            }
            if missing := [name for name in names if name not in found]:
                raise KeyError(", ".join(missing))


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
    target: Session | Connection,
    name: str,
    *,
    now: datetime,
    health: Health,
    consecutive_failures: int,
    next_check_at: datetime | None,
    error: str | None,
    transition: HealthTransition | None = None,
) -> None:
    """Store the outcome of one check in one statement (and the ``transition``, if any, as an
    event row), in ``target``'s transaction. The row must exist (``sync_sources``)."""
    if isinstance(target, Session):
        target.flush()  # rows the session added must exist for the statement below
    connection = target.connection() if isinstance(target, Session) else target
    statement = _RECORD_SUCCESS if error is None else _RECORD_FAILURE
    result = connection.execute(
        statement,
        {
            "source_name": name,
            "health": health.value,
            "consecutive_failures": consecutive_failures,
            "last_checked_at": now,
            "next_check_at": next_check_at,
            "last_error": error,
        },
    )
    if result.rowcount == 0:
        raise KeyError(name)
    if transition is not None:
        connection.execute(
            _RECORD_EVENT,
            {
                "source_name": name,
                "from_health": transition.before.value,
                "to_health": transition.after.value,
                "consecutive_failures": transition.consecutive_failures,
                "error": error,
                "occurred_at": transition.at,
            },
        )


def failing_since(session: Session, name: str) -> datetime | None:
    """When ``name`` last turned failing (None if it never did)."""
    return session.exec(
        select(func.max(SourceHealthEventRow.occurred_at)).where(
            SourceHealthEventRow.source_name == name,
            SourceHealthEventRow.to_health == Health.FAILING.value,
        )
    ).one()


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
