"""The tracker: events, developments, flip-flops, dormancy, snapshots, and the novelty property."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.models import Article, DevelopmentKind, MemoryItem
from monitor.track import Observation, TrackConfig, Tracker, TrackEvent, story_id_for
from monitor.track.index import is_figure
from monitor.track.replay import observation_from_json
from monitor.track.text import comparison_form, split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
START = datetime(2025, 10, 6, 8, tzinfo=UTC)
A = "Talks opened in Sharm el-Sheikh on Monday. Airstrikes killed at least 24 Palestinians."
B = "Talks opened in Sharm el-Sheikh on Monday. Airstrikes killed at least 30 Palestinians."


def obs(url: str, body: str, minutes: int, title: str = "Gaza talks open") -> Observation:
    paragraphs = tuple(p for p in body.split("\n") if p)
    article = Article(url=url, canonical_url=url, title=title, paragraphs=paragraphs)
    return Observation("Test Wire", url, START + timedelta(minutes=minutes), article)


def seed_observations() -> list[Observation]:
    lines = (SEEDS / "replay.jsonl").read_text(encoding="utf-8").splitlines()
    return [observation_from_json(json.loads(line)) for line in lines]


def test_flip_flop_is_reported_once() -> None:
    tracker = Tracker()
    url = "https://news.example/a"
    first = tracker.observe(obs(url, A, 0))
    to_b = tracker.observe(obs(url, B, 10))
    back = tracker.observe(obs(url, A, 20))
    again = tracker.observe(obs(url, B, 30))
    assert first.event is TrackEvent.NEW_STORY
    assert first.story_id == story_id_for(url)
    assert to_b.development is not None
    assert to_b.development.kind is DevelopmentKind.REVISION
    assert [(f.before, f.after) for f in to_b.development.changed_facts] == [
        ("at least 24 Palestinians", "at least 30 Palestinians")
    ]
    assert (back.event, back.development) == (TrackEvent.REVISION, None)
    assert (again.event, again.development, again.revision) == (TrackEvent.REVISION, None, 3)


def test_unchanged_when_only_the_stamp_moves() -> None:
    tracker = Tracker()
    url = "https://news.example/a"
    tracker.observe(obs(url, A + "\nUpdated 5 minutes ago", 0))
    result = tracker.observe(obs(url, A + "\nUpdated 1 minute ago", 5))
    assert (result.event, result.development) == (TrackEvent.UNCHANGED, None)


def test_dormant_stories_are_not_joined() -> None:
    tracker = Tracker(TrackConfig(dormant_after=timedelta(days=1)))
    tracker.observe(obs("https://a.example/1", A, 0))
    late = tracker.observe(obs("https://b.example/2", B + " Mediators met again.", 60 * 48))
    assert late.event is TrackEvent.NEW_STORY
    assert tracker.dormant_story_ids(START + timedelta(days=2)) == [
        story_id_for("https://a.example/1")
    ]


def test_rebuilt_tracker_decides_like_the_original() -> None:
    observations = seed_observations()
    original = Tracker()
    stories: dict[str, dict[str, object]] = {}
    articles: dict[str, dict[str, object]] = {}
    memories: dict[str, dict[str, MemoryItem]] = {}
    for observation in observations[:6]:
        result = original.observe(observation)
        if result.story_snapshot is not None:
            stories[result.story_id] = result.story_snapshot
        if result.article_snapshot is not None:
            articles[result.url] = result.article_snapshot
        if result.memory is not None:  # as a store keeps them: item by item
            items = memories.setdefault(result.story_id, {})
            for digest in result.memory.deletes:
                items.pop(digest, None)
            items.update({item.digest: item for item in result.memory.upserts})
    stored = {
        story_id: [MemoryItem(i.kind, json.loads(json.dumps(i.value)), i.seq) for i in kept]
        for story_id, kept in ((k, list(v.values())) for k, v in memories.items())
    }
    rebuilt = Tracker.from_snapshots(
        json.loads(json.dumps(list(stories.values()))),
        json.loads(json.dumps(list(articles.values()))),
        memories=stored,
    )
    for observation in observations[6:]:
        assert rebuilt.observe(observation) == original.observe(observation)


paragraph = st.lists(
    st.sampled_from(
        [
            "Talks opened in Sharm el-Sheikh.",
            "Airstrikes killed at least 24 Palestinians.",
            "Airstrikes killed at least 30 Palestinians.",
            "Hamas released seven hostages.",
            "The U.S. envoy Dr. Lee flew to Cairo.",
            "Qatar and Egypt mediate the talks.",
            "A second group of 13 hostages was freed.",
            "Israel began freeing 2,000 prisoners.",
        ]
    ),
    min_size=1,
    max_size=5,
).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), paragraph), min_size=2, max_size=6))
def test_sentences_of_earlier_versions_are_never_new(versions: list[tuple[str, str]]) -> None:
    tracker = Tracker(TrackConfig(join_threshold=0.0))
    seen: set[str] = set()
    for minute, (url, body) in enumerate(versions):
        result = tracker.observe(obs(f"https://news.example/{url}", body, minute))
        if result.development is not None and result.event is not TrackEvent.NEW_STORY:
            reported = {comparison_form(s) for s in result.development.new_sentences}
            assert not reported & seen
        seen.update(comparison_form(s) for s in split_sentences(body))


PATCH = (
    "Microsoft released an emergency patch for Internet Explorer on Wednesday.\n"
    "The flaw in the browser let attackers take over computers, Microsoft said in {year}."
)
REWORDED = (
    "On Wednesday Internet Explorer users got an emergency patch from Microsoft.\n"
    "Attackers could take over computers through the browser flaw, it said in {year}."
)


def joined_score(year: int, year_conflict: float) -> float:
    """Match score of a patch report mentioning ``year`` against a story that mentions 2008."""
    tracker = Tracker(TrackConfig(year_conflict=year_conflict))
    title = "Microsoft patches Internet Explorer"
    tracker.observe(obs("https://a.example/1", PATCH.format(year=2008), 0, title))
    result = tracker.observe(obs("https://b.example/2", REWORDED.format(year=year), 5, title))
    assert result.event is TrackEvent.JOINED_STORY
    return result.match.score


def test_a_story_none_of_whose_years_the_article_mentions_scores_lower() -> None:
    assert joined_score(2013, 0.5) == round(joined_score(2013, 1.0) * 0.5, 4)
    assert joined_score(2008, 0.5) == joined_score(2008, 1.0)


def test_a_new_story_names_its_best_candidate_and_how_far_below_it_fell() -> None:
    tracker = Tracker(TrackConfig(join_threshold=0.9))
    first = tracker.observe(obs("https://news.example/a", A, 0))
    second = tracker.observe(obs("https://other.example/b", B + " Aid trucks waited.", 5))
    assert second.event is TrackEvent.NEW_STORY
    assert second.match.candidate == first.story_id
    assert second.match.threshold == 0.9
    assert 0 < second.match.score < 0.9
    assert second.match.reasons[1] == (
        f"best candidate {first.story_id} at {second.match.score:.3f}, below 0.900"
    )
    assert second.match.to_json()["candidate"] == first.story_id


def test_a_joined_article_names_the_story_and_the_threshold_it_passed() -> None:
    tracker = Tracker()
    first = tracker.observe(obs("https://news.example/a", A, 0))
    second = tracker.observe(obs("https://other.example/b", B + " Aid trucks waited.", 5))
    assert second.event is TrackEvent.JOINED_STORY
    assert (second.match.candidate, second.match.threshold) == (first.story_id, 0.25)
    assert second.match.score >= 0.25


def test_the_first_article_has_no_candidate() -> None:
    result = Tracker().observe(obs("https://news.example/a", A, 0))
    assert (result.match.candidate, result.match.score) == (None, 0.0)
    assert result.match.reasons[0] == "no ongoing story matched"


def test_an_article_that_follows_up_two_stories_merges_them_into_the_older(
    flood_reports: dict[str, tuple[str, str]],
) -> None:
    FLOOD, RESCUE, BRIDGE = (flood_reports[k] for k in ("flood", "rescue", "bridge"))
    tracker = Tracker()
    first = tracker.observe(obs("https://a.example/1", FLOOD[1], 0, FLOOD[0]))
    second = tracker.observe(obs("https://b.example/2", RESCUE[1], 10, RESCUE[0]))
    assert second.event is TrackEvent.NEW_STORY
    bridge = tracker.observe(obs("https://c.example/3", BRIDGE[1], 20, BRIDGE[0]))
    assert (bridge.event, bridge.story_id, bridge.merged) == (
        TrackEvent.JOINED_STORY,
        first.story_id,
        (second.story_id,),
    )
    assert bridge.development is not None
    assert bridge.development.merged_stories == (second.story_id,)
    assert tracker.resolve(second.story_id) == first.story_id
    assert list(tracker.stories) == [first.story_id]
    assert tracker.articles["https://b.example/2"].story_id == first.story_id
    snapshot = bridge.story_snapshot
    assert snapshot is not None
    assert snapshot["aliases"] == [second.story_id]
    assert snapshot["unannounced_merges"] == []


def test_stories_that_share_an_article_only_in_part_stay_apart(
    flood_reports: dict[str, tuple[str, str]],
) -> None:
    FLOOD, RESCUE = flood_reports["flood"], flood_reports["rescue"]
    tracker = Tracker()
    tracker.observe(obs("https://a.example/1", FLOOD[1], 0, FLOOD[0]))
    second = tracker.observe(obs("https://b.example/2", RESCUE[1], 10, RESCUE[0]))
    follow_up = FLOOD[1].replace("Monday", "Tuesday") + " Schools stayed closed."
    result = tracker.observe(obs("https://c.example/3", follow_up, 20, "Dresden flood"))
    assert result.event is TrackEvent.JOINED_STORY
    assert result.merged == ()
    assert second.story_id in tracker.stories


def test_an_article_that_reads_like_a_recent_one_joins_though_the_centroid_is_far() -> None:
    """A story whose articles each cover another part of one flood blends them all in its
    centroid; a follow-up of its latest article falls short of the centroid but reads like that
    article, and joins (with the recent articles left out it starts a story of its own)."""
    parts = [
        "bridge closure traffic jams commuters",
        "school shelters blankets teachers children",
        "hospital generators patients nurses oxygen",
        "farmers cattle barns fields harvest",
        "railway tracks trains signals delays",
        "insurers claims adjusters losses premiums",
        "church bells choir congregation pastor",
        "brewery tanks barley hops malt",
    ]
    follow_up = obs(
        "https://example.org/brewery",
        "The Dresden brewery drained its tanks and saved its barley, hops and malt; "
        "the brewers said the tanks would run again.",
        100,
        title="Brewery reopens",
    )
    decided = []
    for config in (TrackConfig(), TrackConfig(recent_articles=0)):
        tracker = Tracker(config)
        story_ids = {
            tracker.observe(
                obs(
                    f"https://example.org/{i}",
                    f"The Elbe flood in Dresden reached the {part}. "
                    f"Mayor Dirk Hilbert spoke about the {part}.",
                    i * 10,
                    title=f"Elbe flood in Dresden: {part.split()[0]}",
                )
            ).story_id
            for i, part in enumerate(parts)
        }
        assert len(story_ids) == 1
        result = tracker.observe(follow_up)
        decided.append((result.story_id in story_ids, result.match.score))
        recent = "reads like one of the story's last 8 articles"
        assert (recent in result.match.reasons) == (result.story_id in story_ids)
    (joined, score), (apart, centroid) = decided
    assert joined
    assert score >= TrackConfig().join_threshold
    assert not apart
    assert centroid < TrackConfig().join_threshold


def test_an_article_that_shares_only_figures_with_a_story_starts_its_own() -> None:
    """A year or a count says when or how many, not what: two reports that share nothing but
    "2013" and "40" are two stories, and the new one says why it did not join."""
    tracker = Tracker()
    first = tracker.observe(
        obs(
            "https://a.example/1",
            "Voters elected a parliament in 2013. Turnout was 40 percent.",
            0,
            "Parliament elected",
        )
    )
    second = tracker.observe(
        obs(
            "https://b.example/2",
            "A quake shook the coast in 2013. Rescuers found 40 miners.",
            5,
            "Coastal quake",
        )
    )
    assert second.event is TrackEvent.NEW_STORY
    assert second.story_id != first.story_id
    assert second.match.candidate == first.story_id
    assert (
        "it shares only figures (years, counts) with the story, not what happened"
        in second.match.reasons
    )


def test_figures_are_digits_without_letters() -> None:
    assert [is_figure(t) for t in ("2013", "14,000", "5.6", "ie6", "ms08", "sox")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
