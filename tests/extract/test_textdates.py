"""Dates as pages write them in running text, in each language the finder claims to read."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract.textdates import (
    first_written_date,
    first_yearless_date,
    month_number,
    written_dates,
)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # English
        ("Published March 17, 2020 at 10:00", date(2020, 3, 17)),
        ("Mar. 17th, 2020", date(2020, 3, 17)),
        ("on 17 March, 2020", date(2020, 3, 17)),
        ("1st of May, 2021", date(2021, 5, 1)),
        ("03/17/2020", date(2020, 3, 17)),  # month first: the only reading that is a date
        # German
        ("Veröffentlicht am 17. März 2020", date(2020, 3, 17)),
        ("Stand: 17.03.2020, 10:00 Uhr", date(2020, 3, 17)),
        ("3. Jänner 2019", date(2019, 1, 3)),
        # French
        ("Publié le 1er mai 2021", date(2021, 5, 1)),
        ("17 févr. 2020", date(2020, 2, 17)),
        # Spanish
        ("17 de marzo de 2020", date(2020, 3, 17)),
        ("Actualizado 5 dic 2022", date(2022, 12, 5)),
        # Portuguese
        ("3 de maio de 2020", date(2020, 5, 3)),
        ("17 set 2019", date(2019, 9, 17)),
        # Italian
        ("17 marzo 2020", date(2020, 3, 17)),
        ("Pubblicato il 2 giugno 2021", date(2021, 6, 2)),
        # Dutch
        ("17 maart 2020", date(2020, 3, 17)),
        ("3 okt 2021", date(2021, 10, 3)),
        # Russian
        ("3 мая 2020 г.", date(2020, 5, 3)),
        ("17 марта 2020", date(2020, 3, 17)),
        # Arabic, with Arabic-Indic digits and a Levantine two-word month
        ("17 مارس 2020", date(2020, 3, 17)),
        ("١٧ مارس ٢٠٢٠", date(2020, 3, 17)),
        ("3 تشرين الأول 2020", date(2020, 10, 3)),
        # Chinese, Japanese, Korean
        ("2020年3月17日 10:00", date(2020, 3, 17)),
        ("2020 年 3 月 17 日", date(2020, 3, 17)),
        ("2019년 3월 5일", date(2019, 3, 5)),
        # others: Czech, Polish, Hungarian, Turkish, Hebrew
        ("1. listopadu 2021", date(2021, 11, 1)),
        ("5 listopada 2021", date(2021, 11, 5)),
        ("2020. március 17.", date(2020, 3, 17)),
        ("17 Mart 2020", date(2020, 3, 17)),
        ("12 בינואר 2021", date(2021, 1, 12)),
        # numeric forms
        ("2020-03-17", date(2020, 3, 17)),
        ("2020/03/17", date(2020, 3, 17)),
        ("17/03/20", date(2020, 3, 17)),
        ("Autor, 8.5.12", date(2012, 5, 8)),
        ("26 | 01 | 2022 Schweiz", date(2022, 1, 26)),
    ],
)
def test_written_dates_in_many_languages(text: str, day: date) -> None:
    found = first_written_date(text)

    assert found is not None
    assert found.day == day


@pytest.mark.parametrize(
    "text",
    [
        "192.168.10.20",
        "version 2.1.3 released",
        "31.02.2020",  # no such day
        "March 2020",  # a month is not a day
        "© 2021 Example Media",
        "Posted by Gary 17 people liked this",
        "Call 030-1234-5678",
    ],
)
def test_no_date_where_none_is_written(text: str) -> None:
    assert first_written_date(text) is None


def test_a_time_with_its_offset_keeps_the_page_day() -> None:
    found = first_written_date("2020-06-07T23:30:00-04:00")

    assert found is not None
    assert found.day == date(2020, 6, 7)
    assert found.moment is not None
    assert found.moment.utcoffset() == timedelta(hours=-4)
    assert found.moment.astimezone(UTC).day == 8


def test_a_word_that_is_no_month_does_not_hide_the_date_after_it() -> None:
    days = [found.day for found in written_dates("Posted May 3, 2020 and 4 June 2021")]

    assert days == [date(2020, 5, 3), date(2021, 6, 4)]


def test_month_words() -> None:
    assert month_number("März") == 3
    assert month_number("DÉCEMBRE") == 12
    assert month_number("мая") == 5
    assert month_number("Sept.") == 9
    assert month_number("people") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_only_real_days(text: str) -> None:
    for found in written_dates(text):
        assert 1990 <= found.day.year <= 2039
        assert found.day == date(found.day.year, found.day.month, found.day.day)
    month_day = first_yearless_date(text)
    assert month_day is None or (1 <= month_day[0] <= 12 and 1 <= month_day[1] <= 31)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "17",
                "03",
                "2020",
                "20",
                ".",
                "/",
                "-",
                "März",
                "May",
                "年",
                "月",
                "日",
                "T",
                "10:00",
                "+05:30",
                "-04:00",
                "Z",
                "de",
                "of",
                ",",
                "|",
                "١٧",
                "31",
                "13",
            ]
        ),
        max_size=20,
    ).map("".join)
)
def test_date_shaped_noise_never_raises(text: str) -> None:
    for found in written_dates(text):
        if found.moment is not None:
            assert found.moment.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "month_day"),
    [
        ("Publié le 3 mai", (5, 3)),
        ("17. März, 10:00 Uhr", (3, 17)),
        ("Posted Sept. 4", (9, 4)),
        ("3 de maio às 10h", (5, 3)),
        ("3月17日 10:00", (3, 17)),
        ("By John May 12:30", None),  # a name and a time, no day
        ("17 people", None),
        ("Seite 3 von 10", None),
    ],
)
def test_days_written_without_a_year(text: str, month_day: tuple[int, int] | None) -> None:
    assert first_yearless_date(text) == month_day
