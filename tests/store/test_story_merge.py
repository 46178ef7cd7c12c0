"""Two stories that turn out to be one: merged in storage, the old id an alias, one timeline,
one alert that says so (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from monitor.config import TopicConfig, TrackingConfig
from monitor.models import Article
from monitor.observe import load_tracker
from monitor.store.repository import Store
from monitor.store.stories import story_detail
from monitor.store.tables import Alert
from monitor.track import Tracker
from tests.store.tracking import track_one

START = datetime(2025, 10, 6, 8, tzinfo=UTC)
TOPIC = TopicConfig(name="floods", query="flood* OR sandbag* OR evacuat*", webhooks=["hook"])


def observe(store: Store, tracker: Tracker, url: str, text: tuple[str, str], minutes: int) -> str:
    now = START + timedelta(minutes=minutes)
    article = Article(url=url, canonical_url=url, title=text[0], paragraphs=(text[1],))
    outcome = track_one(store, tracker, article, source=url.split("/")[2], topic=TOPIC, now=now)
    assert outcome.story_id is not None
    return outcome.story_id


def two_stories_then_the_bridge(
    store: Store, reports: dict[str, tuple[str, str]]
) -> tuple[Tracker, str, str, str]:
    """The flood as two stories, then the article that follows up both: tracker and ids."""
    with store.session() as session:
        tracker = load_tracker(session, TrackingConfig())
    first = observe(store, tracker, "https://a.example/1", reports["flood"], 0)
    second = observe(store, tracker, "https://b.example/2", reports["rescue"], 10)
    merged = observe(store, tracker, "https://c.example/3", reports["bridge"], 20)
    return tracker, first, second, merged


def test_two_stories_found_to_be_one_are_merged(
    store: Store, flood_reports: dict[str, tuple[str, str]]
) -> None:
    _, first, second, merged = two_stories_then_the_bridge(store, flood_reports)
    assert first != second
    assert merged == first  # the older story's id survives
    with store.session() as session:
        by_old = story_detail(session, second)
        by_new = story_detail(session, first)
        alerts = session.exec(select(Alert).order_by(Alert.seq)).all()
        restarted = load_tracker(session, TrackingConfig())
    assert by_old is not None
    assert by_new is not None
    assert by_old.to_json() == by_new.to_json()  # the old id is an alias of the merged story
    assert by_new.summary.id == first
    assert by_new.aliases == (second,)
    assert by_new.summary.article_count == 3
    assert {a["url"] for a in by_new.articles} == {
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
    }
    # one timeline: both stories' developments, in order, under the merged story
    kinds = [(entry.kind, entry.url) for entry in by_new.timeline]
    assert kinds == [
        ("new_story", "https://a.example/1"),
        ("new_story", "https://b.example/2"),
        ("new_article", "https://c.example/3"),
    ]
    # exactly one alert says so: the one for the article that showed the two were one
    saying = [a for a in alerts if a.payload["development"].get("merged_stories")]
    assert len(saying) == 1
    assert saying[0].story_id == first
    assert saying[0].payload["development"]["merged_stories"] == [second]
    assert second in saying[0].payload["development"]["merged_note"]
    # a restart loads one story holding all three articles
    assert list(restarted.stories) == [first]
    assert sorted(restarted.stories[first].urls) == sorted(a["url"] for a in by_new.articles)


def test_the_next_development_after_a_merge_does_not_repeat_it(
    store: Store, flood_reports: dict[str, tuple[str, str]]
) -> None:
    tracker, _, _, story = two_stories_then_the_bridge(store, flood_reports)
    later = (
        "Dresden flood crest passes",
        "The Elbe flood crest passed Dresden on Wednesday at 9.1 metres, Mayor Dirk Hilbert "
        "said, and volunteers began clearing sandbags in Pieschen.",
    )
    assert observe(store, tracker, "https://d.example/4", later, 30) == story
    with store.session() as session:
        alerts = session.exec(select(Alert).order_by(Alert.seq)).all()
    assert [bool(a.payload["development"].get("merged_stories")) for a in alerts][-2:] == [
        True,
        False,
    ]
