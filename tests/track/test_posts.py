"""Live blogs in the story engine: each post is a unit; moves and page chrome are nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.models import Article, DevelopmentKind, Post
from monitor.track import replay
from monitor.track.posts import diff_posts, post_fingerprints
from monitor.track.tracker import Observation, Tracker, TrackEvent, TrackResult

LIVE_SEED = Path(__file__).resolve().parents[2] / "seeds" / "liveblog"
URL = "https://courier.example/live/talks"
START = datetime(2025, 10, 6, 10, 0, tzinfo=UTC)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def post(number: int, text: str, minutes: int | None = None, with_id: bool = True) -> Post:
    return Post(
        id=f"post-{number}" if with_id else None,
        published=START + timedelta(minutes=minutes if minutes is not None else number * 10),
        headline=f"Update {number} from the talks in Egypt",
        paragraphs=(text,),
    )


P1 = post(1, "Delegations from Israel and Hamas arrived in Sharm el-Sheikh for indirect talks.")
P2 = post(2, "Health officials in Gaza said at least 24 people were killed in overnight strikes.")
P3 = post(3, "Washington wants the first phase of the hostage release agreed within days.")
P4 = post(4, "Egyptian mediators proposed a written timetable for releasing the first hostages.")


def live(*posts: Post, chrome: str = "Updated 5 minutes ago") -> Article:
    paragraphs = [chrome]
    for item in posts:
        paragraphs.extend([item.headline or "", *item.paragraphs])
    return Article(
        url=URL,
        canonical_url=URL,
        title="Live: Israel-Hamas talks in Egypt",
        paragraphs=tuple(paragraphs),
        posts=posts,
        kind="live_blog",
    )


def observe(tracker: Tracker, article: Article, minutes: int) -> TrackResult:
    return tracker.observe(Observation("Courier", URL, START + timedelta(minutes=minutes), article))


def test_the_live_blog_seed_replays_exactly_as_expected() -> None:
    produced = list(replay(read_jsonl(LIVE_SEED / "replay.jsonl")))

    assert produced == read_jsonl(LIVE_SEED / "expected.jsonl")
    assert [(r["event"], (r["development"] or {}).get("kind")) for r in produced] == [
        ("new_story", "new_story"),
        ("revision", "live_update"),  # a new post
        ("revision", "revision"),  # an edited post: 24 -> 31 killed
        ("unchanged", None),  # a post pinned to the top, "updated 40 minutes ago"
        ("revision", "live_update"),  # a new post while an old one was removed
    ]


def test_the_live_blog_seed_pages_say_they_are_fictional() -> None:
    pages = sorted((LIVE_SEED / "site").glob("*.html"))

    assert len(pages) == 5
    assert all("FICTIONAL TEST CONTENT" in p.read_text(encoding="utf-8") for p in pages)


def test_a_new_post_is_a_live_update_dated_by_the_post() -> None:
    tracker = Tracker()
    observe(tracker, live(P3, P2, P1), 35)

    result = observe(tracker, live(P4, P3, P2, P1), 50)

    assert result.event is TrackEvent.REVISION
    assert result.development is not None
    assert result.development.kind is DevelopmentKind.LIVE_UPDATE
    assert result.development.occurred_at == P4.published
    assert any("timetable" in s for s in result.development.new_sentences)
    assert not any("Sharm el-Sheikh" in s for s in result.development.new_sentences)


def test_an_edited_post_is_a_revision_of_that_post() -> None:
    tracker = Tracker()
    observe(tracker, live(P3, P2, P1), 35)
    edited = post(
        2, "Health officials in Gaza said at least 31 people were killed in overnight strikes."
    )

    result = observe(tracker, live(P3, edited, P1), 50)

    assert result.development is not None
    assert result.development.kind is DevelopmentKind.REVISION
    assert [(f.before, f.after) for f in result.development.changed_facts] == [
        ("at least 24 people", "at least 31 people")
    ]


def test_a_pinned_post_and_new_chrome_are_nothing() -> None:
    tracker = Tracker()
    observe(tracker, live(P3, P2, P1), 35)

    result = observe(tracker, live(P1, P3, P2, chrome="Updated 1 minute ago"), 50)

    assert result.event is TrackEvent.UNCHANGED
    assert result.development is None


def test_a_removed_post_is_nothing_and_does_not_come_back_as_new() -> None:
    tracker = Tracker()
    observe(tracker, live(P3, P2, P1), 35)
    removed = observe(tracker, live(P3, P1), 40)
    restored = observe(tracker, live(P3, P2, P1), 45)

    assert removed.event is TrackEvent.UNCHANGED
    assert restored.development is None  # its text is known to the story already


def test_post_state_survives_a_restart_from_snapshots() -> None:
    tracker = Tracker()
    first = observe(tracker, live(P3, P2, P1), 35)
    assert first.story_snapshot is not None
    assert first.article_snapshot is not None
    restored = Tracker.from_snapshots([first.story_snapshot], [first.article_snapshot])

    moved = observe(restored, live(P1, P3, P2), 50)
    added = observe(restored, live(P4, P1, P3, P2), 55)

    assert moved.event is TrackEvent.UNCHANGED
    assert added.development is not None
    assert added.development.kind is DevelopmentKind.LIVE_UPDATE


def test_posts_without_ids_are_known_by_time_and_headline() -> None:
    first = post(1, "Talks opened in the morning.", with_id=False)
    second = post(2, "Talks paused for lunch.", with_id=False)
    known = post_fingerprints((first, second))

    changes = diff_posts(known, (second, first))

    assert not changes.has_news
    assert changes.removed == ()
