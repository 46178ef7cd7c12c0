"""A story found to be two events: split in storage (the articles of the other event and their
developments move to a new story), one alert that says so, a restart that loads both stories
(on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from monitor.config import TopicConfig
from monitor.models import Article
from monitor.store.articles import active_memories, active_snapshots
from monitor.store.repository import Store
from monitor.store.stories import story_detail
from monitor.store.tables import Alert, ArticleRow, StoryMemoryRow
from monitor.track import Tracker
from tests.store.tracking import track_one
from tests.track.test_split import LENIENT, ORDER, PALU

START = datetime(2025, 3, 3, 9, tzinfo=UTC)
TOPIC = TopicConfig(name="quakes", query="earthquake* OR tsunami* OR quake*", webhooks=["hook"])


def observe(store: Store, tracker: Tracker, number: int, text: tuple[str, str]) -> str:
    url = f"https://news{number}.example/quake-{number}"
    now = START + timedelta(minutes=10 * number)
    article = Article(url=url, canonical_url=url, title=text[0], paragraphs=(text[1],))
    outcome = track_one(store, tracker, article, source=f"news{number}", topic=TOPIC, now=now)
    assert outcome.story_id is not None
    return outcome.story_id


def test_a_story_found_to_be_two_is_split_in_storage(store: Store) -> None:
    tracker = Tracker(LENIENT)
    ids = [observe(store, tracker, number, text) for number, text in enumerate(ORDER)]
    first, new = ids[0], ids[-1]
    assert new != first
    assert len(set(ids[:5])) == 1
    palu = {f"https://news{n}.example/quake-{n}" for n, t in enumerate(ORDER) if t in PALU}
    with store.session() as session:
        kept = story_detail(session, first)
        split_off = story_detail(session, new)
        rows = session.exec(select(ArticleRow)).all()
        alerts = session.exec(select(Alert).order_by(Alert.seq)).all()
        stories, articles = active_snapshots(session)
        memories = active_memories(session)
        new_memory = session.exec(
            select(StoryMemoryRow).where(StoryMemoryRow.story_id == new)
        ).all()
    assert kept is not None
    assert split_off is not None
    assert {a["url"] for a in split_off.articles} == palu
    assert {a["url"] for a in kept.articles} == {r.canonical_url for r in rows} - palu
    assert (kept.summary.article_count, split_off.summary.article_count) == (3, 3)
    assert {r.canonical_url for r in rows if r.story_id == new} == palu
    assert all(r.state["story_id"] == r.story_id for r in rows if r.state)
    # each timeline holds the developments of its own articles, the moved ones included
    assert {entry.url for entry in split_off.timeline} == palu
    assert not {entry.url for entry in kept.timeline} & palu
    # exactly one alert says so, the alert of the article that showed the two events apart
    saying = [a for a in alerts if a.payload["development"].get("split_stories")]
    assert len(saying) == 1
    assert saying[0].story_id == new
    assert saying[0].payload["development"]["split_stories"] == [{"from": first, "into": new}]
    assert first in saying[0].payload["development"]["split_note"]
    assert new_memory  # the new story remembers what its articles said
    # a restart rebuilds both stories as the engine left them
    restarted = Tracker.from_snapshots(stories, articles, LENIENT, memories)
    assert {k: sorted(v.urls) for k, v in restarted.stories.items()} == {
        k: sorted(v.urls) for k, v in tracker.stories.items()
    }
