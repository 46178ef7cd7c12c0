"""Three ``monitor run`` processes on one PostgreSQL database, one killed at random moments:
no double work, one story engine, every alert delivered and signed.

Everything is judged from the site's own request log, the webhook receiver and the database.
Nothing waits on a clock but the conditions themselves, each with a bound.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select
from standardwebhooks import Webhook

from monitor.extract import extract_article
from monitor.store import Store
from monitor.store.claims import host_leases
from monitor.store.instances import list_instances
from monitor.store.outbox import Alert
from monitor.store.tables import ArticleRow, RevisionRow, SourceClaimRow, StoryRow
from monitor.track import Observation, Tracker
from tests.news_site import (
    SECRET,
    NewsSite,
    Received,
    monitor_config,
    serve_receiver,
    serve_site,
)

REPO = Path(__file__).resolve().parents[1]
INTERVAL = 10.0
LEASE = 4.0
INSTANCES = 3
CONCURRENT_CHECKS = 10
HOSTS = 6  # one instance at a time fetches from a host: the instances share the hosts

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def write_config(tmp_path: Path, site: NewsSite, hook: str, database_url: str) -> Path:
    limits = {"lease": f"{LEASE}s", "concurrent_checks": CONCURRENT_CHECKS}
    path = tmp_path / "monitor.yaml"
    path.write_text(monitor_config(site, hook, database_url, interval=INTERVAL, instances=limits))
    return path


class Fleet:
    """The ``monitor run`` processes, each logging to its own file."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.starts = 0

    def start(self, slot: int) -> None:
        self.starts += 1
        log = (self.config.parent / f"instance-{slot}-{self.starts}.log").open("w")
        self.processes[slot] = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--config", str(self.config)],
            cwd=self.config.parent,
            env={**os.environ, "PYTHONPATH": str(REPO), "MONITOR_ENV_FILE": ""},
            stderr=log,
            stdout=subprocess.DEVNULL,
        )
        log.close()

    def kill(self, slot: int) -> None:
        process = self.processes.pop(slot)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.config.parent.glob("*.log")))


def wait_for(condition: Callable[[], bool], timeout: float, what: str, fleet: Fleet) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        exited = [p.returncode for p in fleet.processes.values() if p.poll() is not None]
        if exited:
            raise AssertionError(f"an instance exited ({exited}):\n{fleet.logs()[-4000:]}")
        time.sleep(0.2)
    tail = fleet.logs()[-4000:]
    raise AssertionError(f"not within {timeout:.0f}s: {what}\n{tail}")


@pytest.fixture
def world(
    tmp_path: Path, database_url: str
) -> Iterator[tuple[NewsSite, list[Received], Fleet, Store]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL")
    site = NewsSite(feeds=200, articles=40, generations=3, hosts=HOSTS)
    server = serve_site(site)
    received: list[Received] = []
    receiver = serve_receiver(received)
    hook = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    store = Store.open(database_url)
    fleet = Fleet(write_config(tmp_path, site, hook, database_url))
    try:
        yield site, received, fleet, store
    finally:
        fleet.stop_all()
        store.close()
        for http in (server, receiver):
            http.shutdown()
            http.server_close()


# --------------------------------------------------------------------------- what the DB holds


def expected_hashes(site: NewsSite) -> dict[str, list[str]]:
    """URL → the content hash of each version the site has shown, in order."""
    found = {}
    for number, version in site.versions_shown().items():
        story = site.stories[number]
        url = site.article_url(number)
        found[url] = [content_hash(article_of(story.html(v), url)) for v in range(version + 1)]
    return found


def article_of(html: str, url: str, fetched_at: datetime | None = None):  # type: ignore[no-untyped-def]
    return extract_article(html, url, None, fetched_at or datetime.now(UTC))


def content_hash(article) -> str:  # type: ignore[no-untyped-def]
    text = (article.title or "") + "\n\n" + article.body
    return hashlib.sha256(text.encode()).hexdigest()


def stored_revisions(store: Store) -> list[tuple[int, str, str, datetime, str]]:
    """(revision id, URL, content hash, fetched at, source) in the order tracked."""
    with store.session() as session:
        rows = session.exec(
            select(
                RevisionRow.id,
                ArticleRow.canonical_url,
                RevisionRow.content_hash,
                RevisionRow.fetched_at,
                ArticleRow.source_name,
            )
            .join(ArticleRow, RevisionRow.article_id == ArticleRow.id)
            .order_by(RevisionRow.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def tracked_hashes(store: Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for _id, url, digest, _at, _source in stored_revisions(store):
        found.setdefault(url, []).append(digest)
    return found


def stored_grouping(store: Store) -> set[frozenset[str]]:
    with store.session() as session:
        merged = {
            row.id: (row.state or {}).get("merged_into")
            for row in session.exec(select(StoryRow)).all()
        }
        articles = session.exec(select(ArticleRow.canonical_url, ArticleRow.story_id)).all()

    def resolve(story: str | None) -> str | None:
        while story is not None and merged.get(story):
            story = merged[story]
        return story

    return partition({url: resolve(story) for url, story in articles})


def replayed_grouping(site: NewsSite, store: Store) -> set[frozenset[str]]:
    """One engine, alone, fed the versions in the order the instances tracked them."""
    html_by_hash = {}
    for number, story in enumerate(site.stories):
        url = site.article_url(number)
        for version in (0, 1):
            html_by_hash[(url, content_hash(article_of(story.html(version), url)))] = story.html(
                version
            )
    alone = Tracker()
    last: dict[str, str] = {}
    for _id, url, digest, fetched_at, source in stored_revisions(store):
        article = article_of(html_by_hash[(url, digest)], url, fetched_at)
        last[url] = alone.observe(Observation(source, url, fetched_at, article)).story_id
    return partition({url: alone.resolve(story) for url, story in last.items()})


def partition(assignment: dict[str, str | None]) -> set[frozenset[str]]:
    groups: dict[str | None, set[str]] = {}
    for url, story in assignment.items():
        groups.setdefault(story, set()).add(url)
    return {frozenset(urls) for urls in groups.values()}


def alerts(store: Store) -> dict[str, str]:
    with store.session() as session:
        return {row.id: row.status for row in session.exec(select(Alert)).all()}


def doubles(site: NewsSite) -> dict[str, int]:
    """Per feed, fetches that came less than half an interval after the one before."""
    found = {}
    for path, times in site.fetches("/feed/").items():
        close = sum(1 for a, b in itertools.pairwise(times) if b - a < INTERVAL / 2)
        if close:
            found[path] = close
    return found


# --------------------------------------------------------------------------- the test


def test_three_instances_share_the_work_through_kills(
    world: tuple[NewsSite, list[Received], Fleet, Store],
) -> None:
    site, received, fleet, store = world
    rng = random.Random(14)
    for slot in range(INSTANCES):
        fleet.start(slot)
    wait_for(lambda: len(site.fetches("/feed/")) == site.feeds, 120, "every feed fetched", fleet)
    kills = 0
    for _generation in range(site.generations):
        site.advance()
        target = len(site.log) + rng.randrange(20, 300)
        wait_for(lambda: len(site.log) >= target, 60, "the site is read", fleet)  # noqa: B023
        victim = rng.randrange(INSTANCES)
        fleet.kill(victim)
        kills += 1
        fleet.start(victim)
        wanted = expected_hashes(site)
        wait_for(lambda: tracked_hashes(store) == wanted, 90, "every version tracked", fleet)  # noqa: B023
    wait_for(
        lambda: set(alerts(store).values()) == {"delivered"}, 60, "every alert delivered", fleet
    )
    wait_for(
        lambda: {m.headers["webhook-id"] for m in received} >= set(alerts(store)),
        30,
        "every alert received",
        fleet,
    )

    # every article version tracked exactly once, in order (waited for above, asserted here)
    assert tracked_hashes(store) == expected_hashes(site)
    # no source fetched twice within its interval, but for one takeover per kill
    close = doubles(site)
    assert all(count <= kills for count in close.values()), close
    assert sum(close.values()) <= kills * CONCURRENT_CHECKS, close
    # the same stories as one engine replaying the same observations
    assert stored_grouping(store) == replayed_grouping(site, store)
    # every alert received and signed; a duplicate only ever with the same webhook-id
    webhook = Webhook(SECRET)
    for message in received:
        webhook.verify(message.body, message.headers)
    ids = [message.headers["webhook-id"] for message in received]
    assert set(ids) == set(alerts(store))
    by_id: dict[str, set[str]] = {}
    for message in received:
        development = json.loads(message.body).get("data", {}).get("development", {})
        by_id.setdefault(message.headers["webhook-id"], set()).add(json.dumps(development))
    assert all(len(bodies) == 1 for bodies in by_id.values())

    # one instance killed for good: its sources go to the others within one lease
    victim = fleet.processes.pop(rng.randrange(INSTANCES))
    wait_for(lambda: bool(leases_of(store, victim.pid)), 60, "the victim holds leases", fleet)
    ids = instance_ids(store, victim.pid)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed_at = time.monotonic()
    # the leases it left, read once it is dead: read before, a lease it renewed or a check it
    # handed back in between would be judged against the wrong lease end
    held = leases_of(store, ids)
    assert held, "the victim held no lease when killed"
    # what it left runs out with the last of its leases, source or host (a source it had checked
    # but not yet handed back keeps its first lease end, while its host's lease went on)
    with store.session() as session:
        hosts_until = [
            row.leased_until for row in host_leases(session).values() if row.owner in ids
        ]
    free_at = max([leased for _owner, leased in held.values()] + hosts_until)
    wait_for(
        lambda: taken_over(store, held) and fetched_since(site, held, killed_at),
        LEASE * 10,
        "its sources taken over and fetched",
        fleet,
    )
    with store.session() as session:
        now = {row.name: row for row in session.exec(select(SourceClaimRow)).all()}
    for name, (owner, _leased_until) in held.items():
        claim = now[name]
        assert claim.owner != owner
        assert claim.claimed_at is not None
        assert (claim.claimed_at - free_at).total_seconds() < LEASE, name


def fetched_since(site: NewsSite, held: dict[str, tuple[str, datetime]], moment: float) -> bool:
    fetched = site.fetches("/feed/")
    paths = [f"/feed/{int(name.removeprefix('feed-'))}.xml" for name in held]
    return all(max(fetched[path]) > moment for path in paths)


def instance_ids(store: Store, pid: int) -> list[str]:
    with store.session() as session:
        return [entry.id for entry in list_instances(session) if entry.pid == pid]


def leases_of(store: Store, who: int | list[str]) -> dict[str, tuple[str, datetime]]:
    """The sources leased by the instance of ``who`` (a pid, or its ids): name → (owner, lease
    end)."""
    ids = instance_ids(store, who) if isinstance(who, int) else who
    with store.session() as session:
        rows = session.exec(select(SourceClaimRow).where(col(SourceClaimRow.owner).in_(ids))).all()
    return {row.name: (row.owner or "", row.leased_until) for row in rows if row.leased_until}


def taken_over(store: Store, held: dict[str, tuple[str, datetime]]) -> bool:
    with store.session() as session:
        rows = {row.name: row for row in session.exec(select(SourceClaimRow)).all()}
    return all(
        rows[name].owner not in (None, owner) or (rows[name].claimed_at or leased) > leased
        for name, (owner, leased) in held.items()
    )
