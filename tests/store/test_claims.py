"""Source and recheck claims and the tracking epoch, on SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from monitor.store import Store
from monitor.store.claims import (
    claim_rechecks,
    claim_sources,
    claim_tick,
    enter_tracking,
    finish_sources,
    host_leases,
    plan_sources,
    release_sources,
    renew_sources,
    retire_sources,
    source_claims,
    take_hosts,
)
from monitor.store.instances import Instance, heartbeat, register
from monitor.store.tables import ArticleRow

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
NAMES = [f"s{i:02d}" for i in range(10)]


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store.open(database_url)
    with store.session() as session:
        plan_sources(session, dict.fromkeys(NAMES), NOW)
    yield store
    store.close()


def claim(store: Store, owner: str, at: datetime = NOW, limit: int = 4) -> list[str]:
    with store.session() as session:
        return claim_sources(session, owner=owner, now=at, lease=LEASE, limit=limit)


def test_claims_are_disjoint_batches_until_every_source_is_leased(store: Store) -> None:
    first, second, third = claim(store, "a"), claim(store, "b"), claim(store, "c")
    assert len(first) == len(second) == 4
    assert len(third) == 2
    assert sorted(first + second + third) == NAMES
    assert claim(store, "d") == []


def test_a_finished_source_is_due_again_at_its_next_check(store: Store) -> None:
    [name] = claim(store, "a", limit=1)
    with store.session() as session:
        assert finish_sources(session, owner="a", finished={name: NOW + LEASE * 2}) == 1
    later = NOW + LEASE + timedelta(seconds=1)
    assert name not in claim(store, "b", at=later, limit=20)
    assert name in claim(store, "b", at=NOW + LEASE * 2, limit=20)


def test_a_dead_owners_leases_expire_after_one_lease(store: Store) -> None:
    taken = claim(store, "dead", limit=10)
    assert claim(store, "alive", at=NOW + LEASE - timedelta(seconds=1), limit=10) == []
    assert sorted(claim(store, "alive", at=NOW + LEASE, limit=10)) == sorted(taken)


def test_renewed_leases_hold_and_a_lost_lease_is_not_finished(store: Store) -> None:
    [kept, lost] = claim(store, "a", limit=2)
    with store.session() as session:
        assert renew_sources(session, owner="a", names=[kept], until=NOW + LEASE * 3) == 1
    later = NOW + LEASE * 2
    assert claim(store, "b", at=later, limit=20).count(lost) == 1
    with store.session() as session:
        assert finish_sources(session, owner="a", finished={lost: later, kept: later}) == 1
        rows = source_claims(session)
    assert rows[lost].owner == "b"  # the lost lease is left alone
    assert (rows[kept].owner, rows[kept].next_check_at) == (None, later)


def test_a_graceful_stop_releases_its_leases(store: Store) -> None:
    taken = claim(store, "a", limit=3)
    with store.session() as session:
        assert release_sources(session, "a") == 3
    assert sorted(claim(store, "b", limit=3)) == sorted(taken)


def test_planning_again_keeps_the_stored_next_check(store: Store) -> None:
    with store.session() as session:
        plan_sources(session, {"s00": NOW + LEASE}, NOW)
        assert source_claims(session)["s00"].next_check_at == NOW


def test_postgresql_claims_skip_rows_locked_by_an_open_claim(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's")
    store = Store.open(database_url)
    try:
        with store.session() as session:
            plan_sources(session, dict.fromkeys(NAMES), NOW)
        with store.session() as first:
            mine = claim_sources(first, owner="a", now=NOW, lease=LEASE, limit=5)
            # ``first`` has not committed: its rows are locked, not yet leased.
            theirs = claim(store, "b", limit=10)
        assert sorted(mine + theirs) == NAMES
    finally:
        store.close()


def test_rechecks_are_claimed_once_until_their_lease_ends(database_url: str) -> None:
    store = Store.open(database_url)
    try:
        with store.session() as session:
            for number in range(3):
                session.add(
                    ArticleRow(
                        canonical_url=f"https://x.example/{number}",
                        source_name="s",
                        first_seen_at=NOW,
                        next_check_at=NOW - timedelta(minutes=number),
                    )
                )
        every = [(f"https://x.example/{number}", "s") for number in (2, 1, 0)]
        with store.session() as session:
            first = claim_rechecks(session, now=NOW, lease=LEASE, candidates=every[:2])
        with store.session() as session:
            second = claim_rechecks(session, now=NOW, lease=LEASE, candidates=every)
        with store.session() as session:
            again = claim_rechecks(session, now=NOW + LEASE, lease=LEASE, candidates=every)
    finally:
        store.close()
    assert first == every[:2]
    assert second == [("https://x.example/0", "s")]
    assert again == every


def test_the_tracking_epoch_moves_with_each_stored_decision(database_url: str) -> None:
    store = Store.open(database_url)
    try:
        with store.session() as session:
            assert enter_tracking(session, "a") == 1
        with store.session() as session:
            assert enter_tracking(session, "b") == 2
            session.rollback()  # a decision that was not stored
        with store.session() as session:
            assert enter_tracking(session, "b") == 2
    finally:
        store.close()


def test_sources_no_longer_configured_are_not_claimed(store: Store) -> None:
    with store.session() as session:
        assert retire_sources(session, NAMES[:3]) == len(NAMES) - 3
    assert sorted(claim(store, "a", limit=20)) == NAMES[:3]


def test_postgresql_claims_go_host_by_host(database_url: str) -> None:
    """A source is claimed only by the instance holding (or taking) its host's lease, so one
    instance at a time fetches from a host; the lease ends and another takes the host."""
    if not database_url.startswith("postgresql"):
        pytest.skip("host leases are for several instances, on PostgreSQL")
    store = Store.open(database_url)
    names = {f"h{number}": f"host{number % 2}" for number in range(6)}
    try:
        with store.session() as session:
            plan_sources(session, dict.fromkeys(names), NOW, names)
        with store.engine.connect() as raw:
            connection = raw.execution_options(isolation_level="AUTOCOMMIT")

            def tick(owner: str, at: datetime, limit: int) -> list[tuple[str, str | None]]:
                return claim_tick(
                    connection, owner=owner, finished={}, now=at, lease=LEASE, limit=limit
                )[1]

            first = tick("a", NOW, 1)  # h0: host0 is a's
            second = tick("b", NOW, 10)  # host1's three, none of host0's
            third = tick("a", NOW, 10)  # host0's other two
            later = NOW + LEASE
            assert take_hosts(connection, owner="b", until={"host0": later}, now=NOW) == set()
            assert take_hosts(connection, owner="b", until={"host0": later}, now=later) == {"host0"}
        with store.session() as session:
            leases = host_leases(session)
    finally:
        store.close()
    assert first == [("h0", "host0")]
    assert second == [("h1", "host1"), ("h3", "host1"), ("h5", "host1")]
    assert third == [("h2", "host0"), ("h4", "host0")]
    assert (leases["host0"].owner, leases["host1"].owner) == ("b", "b")


def test_postgresql_hosts_are_shared_out_among_live_instances(database_url: str) -> None:
    """An instance holds at most its fair share of the hosts (their number over the live
    instances', rounded up): alone it takes them all; once two more beat, it claims only from
    its first two hosts and lets the others' leases run out, and the newcomers take those."""
    if not database_url.startswith("postgresql"):
        pytest.skip("host leases are for several instances, on PostgreSQL")
    store = Store.open(database_url)
    names = {f"h{number:02d}": f"host{number % 6}" for number in range(12)}

    def beat(owners: tuple[str, ...], at: datetime) -> None:
        with store.session() as session:
            for owner in owners:
                if not heartbeat(session, owner, at, ()):
                    register(session, Instance(owner, "x", 1, "1", at, at, ()))

    try:
        with store.session() as session:
            plan_sources(session, dict.fromkeys(names), NOW, names)
        with store.engine.connect() as raw:
            connection = raw.execution_options(isolation_level="AUTOCOMMIT")

            def tick(owner: str, at: datetime, finished: Iterable[str] = ()) -> set[str]:
                back = dict.fromkeys(finished, at)
                claimed = claim_tick(
                    connection, owner=owner, finished=back, now=at, lease=LEASE, limit=20
                )[1]
                return {host for _name, host in claimed if host is not None}

            beat(("a",), NOW)
            alone = tick("a", NOW)  # nobody else is live: every host is a's
            later = NOW + LEASE * 2 / 3
            beat(("a", "b", "c"), later)
            busy = tick("b", later)  # every host is a's, still leased: nothing for b yet
            tick("a", later, names)  # a hands its checks back (now due again)...
            kept = tick("a", later)  # ...and claims them from its share of the hosts only
            expired = NOW + LEASE + timedelta(seconds=1)
            beat(("a", "b", "c"), expired)
            taken = {owner: tick(owner, expired) for owner in ("b", "c")}
        with store.session() as session:
            leases = host_leases(session)
    finally:
        store.close()
    assert alone == {f"host{number}" for number in range(6)}
    assert busy == set()
    assert kept == {"host0", "host1"}
    assert taken == {"b": {"host2", "host3"}, "c": {"host4", "host5"}}
    owners = {host: lease.owner for host, lease in leases.items() if lease.leased_until > expired}
    assert owners == {"host0": "a", "host1": "a"} | dict.fromkeys(taken["b"], "b") | dict.fromkeys(
        taken["c"], "c"
    )
