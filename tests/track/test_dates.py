"""Dates an article mentions: found in English and ISO forms, kept out of the terms, and a
clash of days with the story lowers a match like a clash of years."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.track import TrackConfig, Tracker, TrackEvent
from monitor.track.dates import dates_in, days_apart
from tests.track.test_tracker import obs


@pytest.mark.parametrize(
    ("sentence", "dates", "rest"),
    [
        ("June 06, 2013", [date(2013, 6, 6)], "2013"),
        ("MONDAY, MAY 23, 2005", [date(2005, 5, 23)], "MONDAY, 2005"),
        ("September 18th, 2013, 05: 31 GMT", [date(2013, 9, 18)], "2013, 05: 31 GMT"),
        ("on Feb. 04, 2009 police said", [date(2009, 2, 4)], "on 2009 police said"),
        ("18 September 2013 Last updated", [date(2013, 9, 18)], "2013 Last updated"),
        ("Published 2013-09-18.", [date(2013, 9, 18)], "Published 2013."),
        ("You may 2013 see it", [], "You may 2013 see it"),
        ("February 30, 2013", [], "February 30, 2013"),
        ("24 killed on Tuesday", [], "24 killed on Tuesday"),
    ],
)
def test_dates_in(sentence: str, dates: list[date], rest: str) -> None:
    assert dates_in(sentence) == (dates, rest)


def test_days_apart_is_the_closest_pair() -> None:
    first = frozenset({date(2013, 6, 6).toordinal(), date(2013, 1, 1).toordinal()})
    second = frozenset({date(2013, 6, 9).toordinal(), date(2012, 1, 1).toordinal()})
    assert days_apart(first, second) == 3


STORY = (
    "Floodwater reached the centre of Passau on {day}, the mayor said.\n"
    "The Danube rose above 12 metres and 300 homes were evacuated."
)
FOLLOW_UP = (
    "The Danube fell below 10 metres in Passau on {day}, the mayor said.\n"
    "Residents of the 300 evacuated homes began to return."
)


def follow_up_score(day: str) -> float:
    tracker = Tracker(TrackConfig())
    title = "Danube floods Passau"
    tracker.observe(obs("https://a.example/1", STORY.format(day="June 3, 2013"), 0, title))
    result = tracker.observe(obs("https://b.example/2", FOLLOW_UP.format(day=day), 5, title))
    assert result.event is TrackEvent.JOINED_STORY
    return result.match.score


def test_a_clash_of_days_lowers_the_match_like_a_clash_of_years() -> None:
    near = follow_up_score("June 9, 2013")
    assert follow_up_score("June 10, 2013") == near  # 7 days: still within dormant_after
    assert follow_up_score("September 20, 2013") == pytest.approx(near * 0.7, abs=1e-4)
    assert follow_up_score("2013-09-20") == pytest.approx(near * 0.7, abs=1e-4)
