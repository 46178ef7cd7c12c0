"""Work shared by several instances on one database, claimed with leases so it is done once.

- Source checks: each source has a ``source_claim`` row holding its next check, and while one
  instance checks it, that instance's id (``owner``) and the lease's end (``leased_until``).
  ``claim_sources`` takes a small batch of due, unleased rows with ``SELECT … FOR UPDATE SKIP
  LOCKED``, so two instances never claim the same row; ``finish_sources`` stores the next check
  and drops the lease; a killed instance's leases simply run out and another instance claims.
- Article rechecks: ``claim_rechecks`` pushes a due article's ``next_check_at`` one lease ahead
  in the claiming transaction, which is the lease; storing the recheck plans the real next one.
- Tracking: ``enter_tracking`` bumps the epoch of the one ``tracker_state`` row, which locks it
  for the rest of the transaction; an instance whose story engine was loaded at another epoch
  than the one before reloads it before deciding.

On SQLite (one instance, by lock) the same statements work: ``FOR UPDATE`` is simply left out.
Functions take a ``Session`` and leave committing to the caller.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from monitor.store.tables import (
    ArticleRow,
    HostLeaseRow,
    SourceClaimRow,
    SourceRow,
    TrackerStateRow,
    UTCDateTime,
)


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # loaded by PostgreSQL's engine anyway

        return insert
    return sqlite_insert


# --------------------------------------------------------------------------- sources

_SETUP_LOCK = 0x6D6F6E73  # "mons"


def serialise_setup(session: Session) -> None:
    """Hold instances starting together in turn for this transaction (they write the same
    source rows: those of their schema, whose lock this is); nothing to do on SQLite, where one
    instance runs."""
    if session.get_bind().dialect.name == "postgresql":
        statement = "SELECT pg_advisory_xact_lock(:key, hashtext(coalesce(current_schema(), '')))"
        session.execute(text(statement), {"key": _SETUP_LOCK})


def plan_sources(
    session: Session,
    planned: dict[str, datetime | None],
    now: datetime,
    hosts: dict[str, str] | None = None,
) -> None:
    """Give every source in ``planned`` a claim row (due at its planned check, else now), and
    keep the host of each (whose lease its check needs) as ``hosts`` says."""
    if not planned:
        return
    hosts = hosts or {}
    values = [
        {"name": name, "next_check_at": at or now, "host": hosts.get(name)}
        for name, at in planned.items()
    ]
    statement = _insert(session)(SourceClaimRow).values(values)
    session.exec(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"host": statement.excluded.host}
        )
    )


def claim_sources(
    session: Session, *, owner: str, now: datetime, lease: timedelta, limit: int
) -> list[str]:
    """Lease up to ``limit`` due, unleased sources to ``owner``, in one statement; their
    names, most overdue first."""
    if limit <= 0:
        return []
    due = (
        select(SourceClaimRow.name)
        .where(
            or_(
                col(SourceClaimRow.next_check_at).is_(None),
                col(SourceClaimRow.next_check_at) <= now,
            )
        )
        .where(
            or_(col(SourceClaimRow.leased_until).is_(None), col(SourceClaimRow.leased_until) <= now)
        )
        .order_by(col(SourceClaimRow.next_check_at), col(SourceClaimRow.name))
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(SourceClaimRow)
        .where(col(SourceClaimRow.name).in_(due))
        .values(owner=owner, leased_until=now + lease, claimed_at=now)
        .returning(col(SourceClaimRow.name), col(SourceClaimRow.next_check_at))
    )
    rows = session.execute(statement).all()
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    return [name for name, _ in sorted(rows, key=lambda row: (row[1] or epoch, row[0]))]


# One claim tick on PostgreSQL, in one statement sent as it is (no ORM, no compilation): hand
# back the finished sources (their next check: what their health record planned, else the
# fallback) and lease up to ``limit`` due, unleased others whose host is ``owner``'s or free,
# taking (or extending) the lease of their hosts. The finished ones are kept out of the claim:
# one statement must not update a row twice. A host another instance took between the
# snapshot and the insert is not ours (ON CONFLICT sees the latest row): its sources are not
# claimed, and stay due.
#
# Hosts are shared out: an instance holds at most its fair share of the sources' hosts (their
# number over the live instances', rounded up; live: a heartbeat within a lease, itself
# always counted). Below its share it takes free hosts (the most overdue first); above it (an
# instance started, or came back) it claims only from its first ``share`` hosts by name, so the
# others' leases run out once their checks end and the newcomer takes them: every instance gets
# hosts within about one lease, rather than the first ones to start keeping all of them.
_TICK = """
WITH finished AS (
    UPDATE source_claim AS c
    SET next_check_at = coalesce(s.next_check_at, f.fallback), owner = NULL, leased_until = NULL
    FROM unnest(%(names)s::text[], %(fallbacks)s::timestamp[]) AS f(name, fallback)
    LEFT JOIN source AS s ON s.name = f.name
    WHERE c.name = f.name AND c.owner = %(owner)s
    RETURNING c.name
), share AS (
    SELECT ceil(
        (SELECT count(DISTINCT host) FROM source_claim)::numeric
        / (SELECT count(*) + 1 FROM monitor_instance
           WHERE id <> %(owner)s AND heartbeat_at > %(stale)s)
    ) AS hosts
), mine AS (
    SELECT h.host, row_number() OVER (ORDER BY h.host) AS rank FROM host_lease AS h
    WHERE h.owner = %(owner)s AND h.leased_until > %(now)s
      AND EXISTS (SELECT 1 FROM source_claim AS c WHERE c.host = h.host)
), allowed AS (
    SELECT host FROM mine WHERE rank <= (SELECT hosts FROM share)
    UNION ALL (
        SELECT c.host FROM source_claim AS c
        LEFT JOIN host_lease AS h ON h.host = c.host
        WHERE c.host IS NOT NULL AND (h.host IS NULL OR h.leased_until <= %(now)s)
          AND (c.next_check_at IS NULL OR c.next_check_at <= %(now)s)
          AND (c.leased_until IS NULL OR c.leased_until <= %(now)s)
        GROUP BY c.host
        ORDER BY min(c.next_check_at) NULLS FIRST, c.host
        LIMIT greatest((SELECT hosts FROM share) - (SELECT count(*) FROM mine), 0)
    )
), due AS (
    SELECT c.name, c.host FROM source_claim AS c
    WHERE (c.next_check_at IS NULL OR c.next_check_at <= %(now)s)
      AND (c.leased_until IS NULL OR c.leased_until <= %(now)s)
      AND (c.host IS NULL OR c.host IN (SELECT host FROM allowed))
      AND c.name <> ALL(%(names)s::text[])
    ORDER BY c.next_check_at, c.name
    LIMIT %(limit)s
    FOR UPDATE OF c SKIP LOCKED
), hosts AS (
    INSERT INTO host_lease (host, owner, leased_until)
    SELECT DISTINCT host, %(owner)s, %(until)s::timestamp FROM due WHERE host IS NOT NULL
    ON CONFLICT (host) DO UPDATE
    SET owner = excluded.owner,
        leased_until = greatest(host_lease.leased_until, excluded.leased_until)
    WHERE host_lease.owner = excluded.owner OR host_lease.leased_until <= %(now)s
    RETURNING host
), claimed AS (
    UPDATE source_claim AS c SET owner = %(owner)s, leased_until = %(until)s, claimed_at = %(now)s
    FROM due
    WHERE c.name = due.name AND (due.host IS NULL OR due.host IN (SELECT host FROM hosts))
    RETURNING c.name, c.next_check_at, c.host
)
SELECT false, name, NULL, NULL FROM finished
UNION ALL
SELECT true, name, next_check_at, host FROM claimed
"""


def claim_tick(
    connection: Connection,
    *,
    owner: str,
    finished: dict[str, datetime],
    now: datetime,
    lease: timedelta,
    limit: int,
) -> tuple[int, list[tuple[str, str | None]]]:
    """``finish_sources`` then ``claim_sources`` (host by host) in one PostgreSQL statement, in
    autocommit: (how many finished leases were still ``owner``'s, the (name, host) pairs
    claimed, most overdue first; ``owner`` holds those hosts' leases until ``now + lease``).
    Only from ``owner``'s fair share of the hosts (see ``_TICK``)."""
    parameters = {
        "names": list(finished),
        "fallbacks": [_naive(at) for at in finished.values()],
        "owner": owner,
        "now": _naive(now),
        "until": _naive(now + lease),
        "stale": _naive(now - lease),
        "limit": max(0, limit),
    }
    rows = connection.exec_driver_sql(_TICK, parameters).all()
    kept = sum(1 for is_claim, *_rest in rows if not is_claim)
    epoch = datetime.min
    claimed = sorted((at or epoch, name, host) for is_claim, name, at, host in rows if is_claim)
    return kept, [(name, host) for _at, name, host in claimed]


# Take or extend host leases (never shortening one): those of ``hosts`` that are free, ours,
# or whose lease ended; the others are another instance's.
_TAKE_HOSTS = """
INSERT INTO host_lease (host, owner, leased_until)
SELECT host, %(owner)s, until FROM unnest(%(hosts)s::text[], %(untils)s::timestamp[])
    AS wanted(host, until)
ON CONFLICT (host) DO UPDATE
SET owner = excluded.owner, leased_until = greatest(
    CASE WHEN host_lease.owner = excluded.owner THEN host_lease.leased_until END,
    excluded.leased_until)
WHERE host_lease.owner = excluded.owner OR host_lease.leased_until <= %(now)s
RETURNING host
"""


def take_hosts(
    connection: Connection, *, owner: str, until: dict[str, datetime], now: datetime
) -> set[str]:
    """Lease each host of ``until`` to ``owner`` up to its time (PostgreSQL, autocommit); the
    hosts now ``owner``'s (the others are held by another instance)."""
    if not until:
        return set()
    parameters = {
        "owner": owner,
        "hosts": list(until),
        "untils": [_naive(at) for at in until.values()],
        "now": _naive(now),
    }
    return {host for (host,) in connection.exec_driver_sql(_TAKE_HOSTS, parameters).all()}


def release_hosts(session: Session, owner: str, until: dict[str, datetime]) -> None:
    """A graceful stop: each of ``owner``'s hosts in ``until`` is free from its time on (when
    its politeness spacing, or a block it asked for, ends)."""
    if not until:
        return
    statement = (
        update(HostLeaseRow)
        .where(col(HostLeaseRow.host) == bindparam("released_host"))
        .where(col(HostLeaseRow.owner) == owner)
        .values(leased_until=bindparam("until", type_=UTCDateTime()))
    )
    rows = [{"released_host": host, "until": at} for host, at in until.items()]
    session.connection().execute(statement, rows)


def host_leases(session: Session) -> dict[str, HostLeaseRow]:
    return {row.host: row for row in session.exec(select(HostLeaseRow)).all()}


def _naive(at: datetime) -> datetime:
    """As the ``UTCDateTime`` columns store it: naive UTC."""
    return at.astimezone(UTC).replace(tzinfo=None)


def retire_sources(session: Session, keep: Collection[str]) -> int:
    """Drop the claim rows of sources no longer configured (or disabled): nobody claims them."""
    statement = delete(SourceClaimRow).where(col(SourceClaimRow.name).not_in(list(keep)))
    return int(session.exec(statement).rowcount)


def finish_sources(session: Session, *, owner: str, finished: dict[str, datetime]) -> int:
    """Drop ``owner``'s leases on the ``finished`` sources and store each one's next check: the
    one its health record planned (its interval, or a failing source's backoff), else the time
    given. One statement for them all; how many leases were still ``owner``'s."""
    if not finished:
        return 0
    planned = (
        select(SourceRow.next_check_at)
        .where(col(SourceRow.name) == col(SourceClaimRow.name))
        .scalar_subquery()
    )
    statement = (
        update(SourceClaimRow)
        .where(col(SourceClaimRow.name) == bindparam("finished_name"))
        .where(col(SourceClaimRow.owner) == owner)
        .values(
            next_check_at=func.coalesce(planned, bindparam("fallback", type_=UTCDateTime())),
            owner=None,
            leased_until=None,
        )
    )
    rows = [{"finished_name": name, "fallback": at} for name, at in finished.items()]
    return int(session.connection().execute(statement, rows).rowcount)  # core executemany


def renew_sources(session: Session, *, owner: str, names: Collection[str], until: datetime) -> int:
    """Extend ``owner``'s leases on ``names`` (checks still running) to ``until``."""
    if not names:
        return 0
    result = session.exec(
        update(SourceClaimRow)
        .where(col(SourceClaimRow.owner) == owner, col(SourceClaimRow.name).in_(list(names)))
        .values(leased_until=until)
    )
    return int(result.rowcount)


def release_sources(session: Session, owner: str) -> int:
    """Drop every lease of ``owner`` (a graceful stop): others may claim at once."""
    result = session.exec(
        update(SourceClaimRow)
        .where(col(SourceClaimRow.owner) == owner)
        .values(owner=None, leased_until=None)
    )
    return int(result.rowcount)


def source_claims(session: Session) -> dict[str, SourceClaimRow]:
    return {row.name: row for row in session.exec(select(SourceClaimRow)).all()}


# --------------------------------------------------------------------------- rechecks


def claim_rechecks(
    session: Session, *, now: datetime, lease: timedelta, candidates: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Of ``candidates`` ((canonical URL, source), most overdue first: what this instance's
    politeness lets it fetch now), those still due and not being claimed by another instance, in
    the same order; their next check moves one lease ahead, so no other instance takes them
    meanwhile."""
    if not candidates:
        return []
    due = (
        select(ArticleRow.id, ArticleRow.canonical_url)
        .where(col(ArticleRow.canonical_url).in_([url for url, _source in candidates]))
        .where(col(ArticleRow.next_check_at) <= now)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.exec(due).all())
    if rows:
        session.exec(
            update(ArticleRow)
            .where(col(ArticleRow.id).in_([row[0] for row in rows]))
            .values(next_check_at=now + lease)
        )
    claimed = {url for _id, url in rows}
    return [pair for pair in candidates if pair[0] in claimed]


# --------------------------------------------------------------------------- tracking


# Built once and run as Core, not through the ORM: a fifth of the CPU per tracked article.
_NEXT_EPOCH = (
    update(TrackerStateRow)
    .where(col(TrackerStateRow.id) == 1)
    .values(epoch=TrackerStateRow.epoch + 1, owner=bindparam("owner"))
    .returning(col(TrackerStateRow.epoch))
)


def enter_tracking(session: Session, owner: str) -> int:
    """Lock the story engine's state for this transaction and move its epoch on, in one
    statement; the new epoch (the one before is one less)."""
    connection = session.connection()
    epoch = connection.execute(_NEXT_EPOCH, {"owner": owner}).scalar()
    if epoch is None:  # the first decision ever: make the row, then take it
        session.exec(
            _insert(session)(TrackerStateRow)
            .values(id=1, epoch=0)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        epoch = connection.execute(_NEXT_EPOCH, {"owner": owner}).scalar()
    assert epoch is not None
    return int(epoch)
