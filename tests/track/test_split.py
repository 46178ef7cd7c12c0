"""A story found to be two events: split in two, the articles of the other event moved to a new
story, the split said once, the same every replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from monitor.models import Article
from monitor.track import Observation, TrackConfig, Tracker, TrackEvent, TrackResult
from monitor.track.split import SplitParams, two_groups

START = datetime(2025, 3, 3, 9, tzinfo=UTC)

# Two earthquakes in one country: the same words for what happened, other places and people.
ACEH = [
    (
        "Aceh earthquake kills 22 in Bener Meriah",
        "A magnitude 6.1 earthquake struck Aceh province on Tuesday, killing 22 people in "
        "Bener Meriah and Central Aceh, disaster agency spokesman Sutopo Purwo Nugroho said. "
        "Houses collapsed in Takengon and landslides cut the road to Bener Meriah.",
    ),
    (
        "Death toll in Aceh quake rises in Takengon",
        "Rescuers in Takengon pulled more bodies from collapsed houses after the magnitude 6.1 "
        "earthquake in Aceh, Sutopo Purwo Nugroho said, and landslides still block the road to "
        "Bener Meriah and Central Aceh.",
    ),
    (
        "Aceh quake survivors camp near Takengon",
        "Thousands of survivors of the Aceh earthquake camp in tents near Takengon and Bener "
        "Meriah, Sutopo Purwo Nugroho said, as aid reached Central Aceh by helicopter.",
    ),
]
PALU = [
    (
        "Tsunami hits Palu after earthquake in Sulawesi",
        "A magnitude 7.5 earthquake and tsunami struck Palu on Sulawesi on Friday, killing 832 "
        "people in Palu and Donggala, disaster agency chief Willem Rampangilei said. The wave "
        "swept the Talise beach festival away.",
    ),
    (
        "Palu death toll passes 832 as Donggala is reached",
        "Rescuers reached Donggala north of Palu after the magnitude 7.5 earthquake and tsunami "
        "on Sulawesi, Willem Rampangilei said; the Talise beach and the Roa-Roa hotel lie in "
        "ruins.",
    ),
    (
        "Palu survivors wait for aid in Donggala",
        "Survivors of the Sulawesi tsunami wait for aid in Palu and Donggala, Willem "
        "Rampangilei said, while rescuers dig at the Roa-Roa hotel near Talise beach.",
    ),
]
ORDER = [ACEH[0], PALU[0], ACEH[1], PALU[1], ACEH[2], PALU[2]]
# A threshold low enough for both quakes to start as one story, as two look-alike events can.
LENIENT = TrackConfig(join_threshold=0.02)


def observation(number: int, title: str, body: str) -> Observation:
    url = f"https://news{number}.example/quake-{number}"
    article = Article(url=url, canonical_url=url, title=title, paragraphs=(body,))
    return Observation(f"news{number}", url, START + timedelta(minutes=10 * number), article)


def replay_order(config: TrackConfig) -> tuple[Tracker, list[object]]:
    tracker = Tracker(config)
    results = [tracker.observe(observation(n, *text)) for n, text in enumerate(ORDER)]
    return tracker, results


def test_two_events_told_as_one_story_are_split_in_two() -> None:
    tracker, results = replay_order(LENIENT)
    first = results[0]
    assert [r.event for r in results[:5]] == [TrackEvent.NEW_STORY] + [TrackEvent.JOINED_STORY] * 4
    last = results[-1]
    assert last.split is not None
    aceh = {observation(n, *t).url for n, t in enumerate(ORDER) if t in ACEH}
    palu = {observation(n, *t).url for n, t in enumerate(ORDER) if t in PALU}
    # the story keeps its id and the event of its first article; the other event leaves it
    assert last.split.story_id == first.story_id
    assert set(last.split.urls) == palu
    assert set(tracker.stories) == {first.story_id, last.split.new_id}
    assert set(tracker.stories[first.story_id].urls) == aceh
    assert set(tracker.stories[last.split.new_id].urls) == palu
    assert {tracker.articles[u].story_id for u in palu} == {last.split.new_id}
    # the article that showed it is in the new story, and its development says so once
    assert last.story_id == last.split.new_id
    assert last.development is not None
    assert last.development.story_id == last.split.new_id
    assert last.development.split_stories == ((first.story_id, last.split.new_id),)
    # the store gets both stories' state: the article's story, and the other in the split
    assert last.story_snapshot is not None
    assert last.split.snapshot
    assert last.story_snapshot["story_id"] == last.split.new_id
    assert last.article_snapshot is not None
    assert last.article_snapshot["story_id"] == last.split.new_id
    assert last.split.snapshot["story_id"] == first.story_id
    assert sorted(last.split.snapshot["urls"]) == sorted(aceh)


def test_after_the_split_each_event_s_follow_up_goes_to_its_own_story() -> None:
    tracker, results = replay_order(LENIENT)
    split = results[-1].split
    assert split is not None
    aceh = observation(7, "Aceh quake: schools reopen in Takengon", ACEH[2][1])
    palu = observation(8, "Palu: Roa-Roa hotel search ends", PALU[2][1] + " The search ended.")
    assert tracker.observe(aceh).story_id == split.story_id
    after = tracker.observe(palu)
    assert after.story_id == split.new_id
    assert after.development is None or after.development.split_stories == ()


def test_the_split_replays_the_same_every_time() -> None:
    _, once = replay_order(LENIENT)
    _, again = replay_order(LENIENT)
    assert [(r.story_id, r.split) for r in once] == [(r.story_id, r.split) for r in again]


def test_one_event_is_not_split() -> None:
    tracker = Tracker(LENIENT)
    texts = [*ACEH, *((title + " update", body + " More aid arrived.") for title, body in ACEH)]
    results = [tracker.observe(observation(n, *text)) for n, text in enumerate(texts)]
    assert all(r.split is None for r in results)
    assert len(tracker.stories) == 1


def test_a_rebuilt_tracker_knows_the_split_stories() -> None:
    tracker, results = replay_order(LENIENT)
    split = results[-1].split
    assert split is not None
    snapshots = {r.story_id: r.story_snapshot for r in results if r.story_snapshot}
    snapshots[split.story_id] = split.snapshot
    articles = {r.url: r.article_snapshot for r in results if r.article_snapshot}
    for url in split.urls:
        articles[url] = {**articles[url], "story_id": split.new_id}
    rebuilt = Tracker.from_snapshots(
        [s for s in snapshots.values() if s], list(articles.values()), LENIENT
    )
    assert {k: sorted(v.urls) for k, v in rebuilt.stories.items()} == {
        k: sorted(v.urls) for k, v in tracker.stories.items()
    }


def test_two_groups_needs_substantial_groups_that_read_apart() -> None:
    a, b = {1: 1.0}, {2: 1.0}
    assert two_groups([a, a, a, b, b, b]) is not None
    assert two_groups([a, a, a, a, a, b]) is None  # one odd article is no second event
    assert two_groups([a, a, b, b]) is None  # too few articles to tell
    mixed = {1: 0.8, 2: 0.6}
    assert two_groups([a, a, a, mixed, mixed, mixed], SplitParams(separation=0.5)) is None


FOLLOW_UPS = [
    (
        "Dresden flood: volunteers fill sandbags",
        "The Elbe flood in Dresden kept rising, Mayor Dirk Hilbert said. Thousands of "
        "volunteers filled sandbags through the night in Pieschen.",
    ),
    (
        "Elbe flood in Dresden: pumps fail",
        "The Elbe flood reached the old town of Dresden, Mayor Dirk Hilbert said. Pumps failed "
        "in Pieschen; firefighters rescued 40 residents by boat and cut power to 12,000 homes.",
    ),
]


def flood_then_follow_ups(
    config: TrackConfig, flood_reports: dict[str, tuple[str, str]]
) -> list[TrackResult]:
    tracker = Tracker(config)
    texts = [flood_reports["flood"], flood_reports["rescue"], *FOLLOW_UPS]
    return [tracker.observe(observation(n, *text)) for n, text in enumerate(texts)]


def test_a_small_story_that_now_reads_as_a_follow_up_is_gathered(
    flood_reports: dict[str, tuple[str, str]],
) -> None:
    # no article bridges the two here (``merge_threshold`` out of reach): only gathering joins
    no_bridge = TrackConfig(merge_threshold=2.0)
    flood, rescue, second, third = flood_then_follow_ups(no_bridge, flood_reports)
    assert rescue.event is TrackEvent.NEW_STORY  # it shared too little with the first report
    assert (second.story_id, second.merged) == (flood.story_id, ())
    # with its third article the flood story reads like the rescue report: it gathers it
    assert (third.story_id, third.merged) == (flood.story_id, (rescue.story_id,))
    assert third.development is not None
    assert third.development.merged_stories == (rescue.story_id,)
    # without gathering, the rescue report stays a story of its own
    alone = flood_then_follow_ups(replace(no_bridge, small_story=0), flood_reports)
    assert alone[-1].merged == ()


def test_a_split_never_reuses_an_id_a_story_went_by() -> None:
    tracker, results = replay_order(LENIENT)
    split = results[-1].split
    assert split is not None
    # were the same articles split off the same story again (after being gathered back),
    # their new story would need an id of its own: the first one is an alias by then
    tracker.stories[split.story_id].aliases.append(split.new_id)
    del tracker.stories[split.new_id]
    key = f"{split.urls[0]}#split-from-{split.story_id}"
    assert tracker._unused_id(key) not in {split.new_id, split.story_id}
