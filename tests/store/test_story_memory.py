"""A story's memory stays bounded: one article revised 1,000 times (a live blog does that in a
day) through the real tracker and store, on SQLite and PostgreSQL — what each revision writes
and the CPU it takes stay flat, the stored memory stays under its caps, novelty stays right."""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, func, select

from monitor.config import TopicConfig, TrackingConfig
from monitor.models import Article
from monitor.observe import load_tracker
from monitor.store.repository import Store
from monitor.store.tables import ArticleRow, DevelopmentRow, StoryMemoryRow, StoryRow
from monitor.track import Tracker
from monitor.track.novelty import MAX_FACTS, MAX_NAMES, MAX_SENTENCES
from tests.store.tracking import track_one

START = datetime(2025, 10, 6, 6, tzinfo=UTC)
URL = "https://live.example/flood"
TOPIC = TopicConfig(name="floods", query="flood* OR evacuat*", webhooks=["hook"])
DISTRICTS = ["Pieschen", "Neustadt", "Altstadt", "Loschwitz", "Blasewitz", "Cotta", "Leuben"]
BACKGROUND = (
    "The Elbe reached 8.7 metres at the Augustus Bridge on Monday, the highest since 2002.",
    "Mayor Dirk Hilbert ordered 12 schools closed and asked 300 soldiers for help.",
    "Power was cut to 12,000 homes in 4 districts, the utility SachsenEnergie said.",
)


def live_blog(revision: int, toll: int, evacuated: int | None = None) -> Article:
    """Revision ``revision`` of a live blog: a summary whose figures move, background, and the
    latest eight updates (a new one each revision, the oldest dropping off)."""
    evacuated = 1_000 + 37 * revision if evacuated is None else evacuated
    summary = (
        f"The death toll has risen to {toll} people, and {evacuated} residents have been "
        "evacuated so far, officials said."
    )
    updates = [
        f"Update {n}: rescuers reached a street in {DISTRICTS[n % len(DISTRICTS)]} where "
        f"{n % 40 + 3} people waited on roofs for {n % 9 + 2} hours."
        for n in range(max(0, revision - 7), revision + 1)
    ]
    return Article(
        url=URL,
        canonical_url=URL,
        title="Live: the Elbe floods Dresden",
        paragraphs=(summary, *BACKGROUND, *reversed(updates)),
    )


def store_revision(store: Store, tracker: Tracker, article: Article, minutes: int) -> str | None:
    """Track and store one version; the kind of development it made, if any."""
    now = START + timedelta(minutes=minutes)
    outcome = track_one(store, tracker, article, source="live", topic=TOPIC, now=now)
    return outcome.development_kind


def written_bytes(store: Store, since_seq: int) -> tuple[int, int]:
    """Bytes of the story's snapshot and of the memory items written after ``since_seq``; and
    the newest seq."""
    with store.session() as session:
        state = session.exec(select(StoryRow.state)).one()
        rows = session.exec(
            select(StoryMemoryRow.value, StoryMemoryRow.seq).where(
                col(StoryMemoryRow.seq) > since_seq
            )
        ).all()
        article = session.exec(select(ArticleRow.state)).one()
    written = len(json.dumps(state)) + len(json.dumps(article))
    written += sum(len(json.dumps(value)) for value, _ in rows)
    return written, max((seq for _, seq in rows), default=since_seq)


def ratio(last: list[float], first: list[float]) -> float:
    return statistics.median(last) / statistics.median(first)


@pytest.mark.slow
@pytest.mark.timeout(1800)  # 2,000 transactions; a loaded machine takes its time
def test_a_thousand_revisions_of_one_article_stay_flat_and_right(store: Store) -> None:
    with store.session() as session:
        tracker = load_tracker(session, TrackingConfig())
    cpu: list[float] = []
    written: list[int] = []
    seq = 0
    for revision in range(1_000):
        article = live_blog(revision, toll=3 + revision // 10)
        began = time.process_time()
        kind = store_revision(store, tracker, article, minutes=revision)
        cpu.append(time.process_time() - began)
        size, seq = written_bytes(store, seq)
        written.append(size)
        assert kind is not None, f"revision {revision} brought a new update but no development"
    assert ratio(written[-100:], written[:100]) < 2.0, (written[:5], written[-5:])
    # CPU of the last hundred revisions against the first: 1.4-1.5 on a quiet machine, up to 2.04
    # seen when other work shared the caches at one end only; cost that grows with the number of
    # revisions would be several times higher
    assert ratio(cpu[-100:], cpu[:100]) < 3.0, (statistics.median(cpu[:100]), cpu[-5:])
    with store.session() as session:
        kinds = dict(
            session.exec(
                select(StoryMemoryRow.kind, func.count()).group_by(StoryMemoryRow.kind)
            ).all()
        )
        restarted = load_tracker(session, TrackingConfig())  # the next start
    assert kinds["sentence"] <= MAX_SENTENCES
    assert kinds["fact"] <= MAX_FACTS
    assert kinds["name"] <= MAX_NAMES
    story = next(iter(tracker.stories.values())).memory
    kept = next(iter(restarted.stories.values())).memory
    assert list(kept.sentences) == list(story.sentences)  # the store kept what the engine knew
    assert list(kept.facts.values()) == list(story.facts.values())
    # the toll rises, falls back, rises again; the evacuations only ever grow
    raised = changed_facts(store, restarted, live_blog(999, 250, 40_000), 1_000)
    back = changed_facts(store, restarted, live_blog(999, 102, 40_100), 1_001)
    again = changed_facts(store, restarted, live_blog(999, 250, 40_200), 1_002)
    assert ("risen to 102 people", "risen to 250 people") in raised
    assert [after for _, after in raised if "residents" in after] == ["and 40000 residents"]
    assert [after for _, after in back] == ["and 40100 residents"]  # 102: reported before
    assert [after for _, after in again] == ["and 40200 residents"]  # 250: reported before


def changed_facts(
    store: Store, tracker: Tracker, article: Article, minutes: int
) -> list[tuple[str, str]]:
    """The changed facts the development of this version reported, as stored."""
    assert store_revision(store, tracker, article, minutes) is not None
    with store.session() as session:
        details = session.exec(
            select(DevelopmentRow.details).order_by(col(DevelopmentRow.id).desc()).limit(1)
        ).one()
    assert details is not None
    return [(fact["before"], fact["after"]) for fact in details["changed_facts"]]
