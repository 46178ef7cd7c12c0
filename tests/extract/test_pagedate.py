"""Publication dates of pages whose metadata declares none, and dates in the page's own offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from monitor.extract import extract_article
from monitor.extract.pagedate import (
    _SOURCE_KINDS,
    _TIMESTAMP,
    _between_non_digits,
    _labelled_date,
    _occurrences,
    _short_date_spans,
    find_publication_day,
)

FETCHED = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
BODY = "<p>" + "The council approved the new budget on Tuesday, a spokesman said. " * 5 + "</p>"


def page(byline: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body><article><h1>Budget</h1>{byline}{BODY}</article></body></html>"


@pytest.mark.parametrize(
    ("byline", "day"),
    [
        ('<div class="meta">Veröffentlicht am 17. März 2020</div>', datetime(2020, 3, 17)),
        ('<p class="date">2020年3月17日 10:00</p>', datetime(2020, 3, 17)),
        ('<span class="date">Publié le 3 mai 2021</span>', datetime(2021, 5, 3)),
        ('<span class="date">17 de marzo de 2020</span>', datetime(2020, 3, 17)),
        ('<div class="byline">17 марта 2020</div>', datetime(2020, 3, 17)),
        ('<div class="byline">17 maart 2020</div>', datetime(2020, 3, 17)),
        ('<span class="data">Pubblicato il 17 marzo 2020</span>', datetime(2020, 3, 17)),
        ('<p class="info">3 de maio de 2020</p>', datetime(2020, 5, 3)),
        ('<div class="meta">17 مارس 2020</div>', datetime(2020, 3, 17)),
        ("<time>2020年3月17日</time>", datetime(2020, 3, 17)),
        ('<p class="byline">By Jane Doe, March 17, 2020</p>', datetime(2020, 3, 17)),
        ("<footer>3 мая 2020 г.</footer>", datetime(2020, 5, 3)),
    ],
)
def test_visible_dateline_in_the_page_language(byline: str, day: datetime) -> None:
    article = extract_article(page(byline), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == day.replace(tzinfo=UTC)
    assert "no date in the page's metadata; publication day read from the page" in article.warnings


def test_date_in_the_url() -> None:
    article = extract_article(
        page(""), "https://paper.example/2021/03/17/budget", fetched_at=FETCHED
    )

    assert article.published == datetime(2021, 3, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    ("byline", "ago"),
    [
        ('<span class="date">3 hours ago</span>', timedelta(hours=3)),
        ('<span class="date">vor 3 Stunden</span>', timedelta(hours=3)),
        ('<span class="date">há 2 horas</span>', timedelta(hours=2)),
        ('<span class="date">il y a 20 minutes</span>', timedelta(minutes=20)),
        ('<span class="date">hace 2 días</span>', timedelta(days=2)),
        ('<span class="date">5分前</span>', timedelta(minutes=5)),
        ('<span class="date">3 ore fa</span>', timedelta(hours=3)),
        ('<span class="date">2 dagen geleden</span>', timedelta(days=2)),
        ('<span class="date">3 часа назад</span>', timedelta(hours=3)),
        ('<span class="date">منذ 5 دقائق</span>', timedelta(minutes=5)),
    ],
)
def test_relative_dates_are_resolved_against_the_fetch(byline: str, ago: timedelta) -> None:
    article = extract_article(page(byline), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == FETCHED - ago


def test_updated_n_minutes_ago_is_not_the_publication() -> None:
    article = extract_article(
        page('<span class="date">Updated 5 minutes ago</span>'),
        "https://paper.example/news/budget",
        fetched_at=FETCHED,
    )

    assert article.published is None


def test_a_url_date_after_the_fetch_is_not_believed() -> None:
    article = extract_article(
        page(""), "https://paper.example/2030/03/17/budget", fetched_at=FETCHED
    )

    assert article.published is None


def test_no_date_is_never_now() -> None:
    article = extract_article(page(""), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published is None


def test_a_date_after_the_fetch_is_not_believed() -> None:
    article = extract_article(
        page('<span class="date">17 March 2030</span>'),
        "https://paper.example/news/budget",
        fetched_at=FETCHED,
    )

    assert article.published is None


def test_the_page_own_offset_wins_over_the_same_moment_in_utc() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "datePublished": "2020-06-08T03:30:00Z"}</script>'
        '<meta property="article:published_time" content="2020-06-07T23:30:00-04:00">'
    )
    article = extract_article(page("", head), "https://paper.example/news/budget")

    assert article.published == datetime(2020, 6, 7, 23, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert article.published.date().day == 7


def test_a_different_moment_does_not_replace_the_first() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "datePublished": "2020-06-08T03:30:00Z"}</script>'
        '<meta property="article:published_time" content="2020-06-01T10:00:00-04:00">'
    )
    article = extract_article(page("", head), "https://paper.example/news/budget")

    assert article.published == datetime(2020, 6, 8, 3, 30, tzinfo=UTC)


def test_published_is_never_after_modified() -> None:
    head = (
        '<meta property="article:published_time" content="2020-06-08T10:00:00Z">'
        '<meta property="article:modified_time" content="2020-06-01T10:00:00Z">'
    )
    article = extract_article(page("", head), "https://paper.example/news/budget")

    assert article.published == datetime(2020, 6, 8, 10, tzinfo=UTC)
    assert article.modified is None


def test_no_second_parse_and_no_htmldate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The finder reads the tree we parsed; htmldate (a benchmark peer) is never called."""
    import sys

    monkeypatch.setitem(sys.modules, "htmldate", None)  # importing it would now fail
    article = extract_article(
        page('<ul><li>Kommentar vom 3. April 2021</li></ul><p class="x">12. März 2020</p>'),
        "https://paper.example/news/budget",
        fetched_at=FETCHED,
    )

    assert article.published == datetime(2020, 3, 12, tzinfo=UTC)


def test_the_oldest_date_in_short_text_is_the_publication() -> None:
    body = "<ul><li>Update: 4. Mai 2021</li><li>Erstellt: 2. Mai 2021</li></ul>"
    article = extract_article(page(body), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == datetime(2021, 5, 2, tzinfo=UTC)


def test_a_timestamp_in_a_script_is_read_with_its_offset() -> None:
    head = '<script>var page = {"created": "2019-05-03 22:10:00"};</script>'
    article = extract_article(
        page("", head), "https://paper.example/news/budget", fetched_at=FETCHED
    )

    assert article.published == datetime(2019, 5, 3, tzinfo=UTC)


def test_the_page_restating_a_utc_moment_in_its_offset_gives_the_page_day() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "datePublished": "2023-11-09T03:28:35Z"}</script>'
        '<script>window.meta = {"pub": "2023-11-08T22:28:35-05:00"};</script>'
    )
    article = extract_article(page("", head), "https://paper.example/news/budget")

    assert article.published == datetime(
        2023, 11, 8, 22, 28, 35, tzinfo=timezone(timedelta(hours=-5))
    )
    assert article.published.date().day == 8


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64), st.binary(min_size=2, max_size=6), st.integers(0, 3))
def test_restatements_are_searched_at_every_offset(
    noise: bytes, needle: bytes, copies: int
) -> None:
    # A needle put at odd and even offsets, overlapping itself ("::::"), at the very end.
    source = noise + (needle + noise[:1]) * copies + needle[: len(needle) - 1]
    expected = [
        start
        for start in range(len(source) - len(needle) + 1)
        if source[start : start + len(needle)] == needle
    ]

    assert _occurrences(source, needle) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789./ a\u0663", max_size=40))
@example("a.1.23/45")  # the first candidate has no digit before it; the one inside it does
def test_short_dates_are_found_where_the_lookbehind_pattern_finds_them(text: str) -> None:
    # Matches that overlap a rejected one (no digit before it) are found too.
    pattern = re.compile(r"(?<=\d)[./]\d\d?[./]\d\d(?![\d.])")
    expected = [(match.start() + 1, match.end()) for match in pattern.finditer(text)]

    assert list(_short_date_spans(text)) == expected


# The patterns the date scans were written from, as htmldate reads labels and timestamps.
_LABELLED_AS_ONE_REGEX = re.compile(
    r'(?:date[^0-9"]{,20}|updated|last-modified|published|posted|on)[ :]{0,9}?'
    r"([0-9]{1,4})[./]([0-9]{1,2})[./]([0-9]{2,4})"
    r"|(?:Datum|Stand|Veröffentlicht am):? ?([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{2,4})",
    re.IGNORECASE,
)
_TIMESTAMP_WITH_LOOKBEHIND = re.compile(
    r"(?<!\d)((?:199\d|20[0-3]\d)-[01]?\d-[0-3]?\d)[T ][0-2]\d:[0-5]\d:[0-5]\d"
    r"(?:\.\d+)?(?:Z|[+-][01]\d:?[0-5]\d)?"
)
_LABEL_PIECES = st.sampled_from(
    [
        *'0123456789./:" -xDaTeUOn',
        "date",
        "on ",
        "Datum ",
        "UPDATED",
        "Stand: ",
        "posted",
        "Veröffentlicht am ",
        "last-modified",
        "\u0663",
        "\n",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_LABEL_PIECES, max_size=30).map("".join))
@example("on 12345/6/78 date: 1.2.34")  # too many digits: the next label's date
@example("Datum 123.4.56 Stand 1.2.2020")  # the dotted label's date has one or two digits
@example("posted 2020/1/2 on 3.4.2021")
def test_the_first_labelled_date_is_the_labelled_regex_first_match(text: str) -> None:
    match = _LABELLED_AS_ONE_REGEX.search(text)
    expected = tuple(part for part in match.groups() if part) if match is not None else None

    assert _labelled_date(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-:T Z+.a\u0663", max_size=40))
@example("12020-03-17T10:00:00")  # a digit before the year
@example("2020-03-17T10:00:00+01:00")
def test_timestamps_are_found_where_the_lookbehind_pattern_finds_them(text: str) -> None:
    expected = _TIMESTAMP_WITH_LOOKBEHIND.search(text)
    found = _TIMESTAMP.search(text)

    assert (found and (found.span(), found[1])) == (expected and (expected.span(), expected[1]))


# htmldate's patterns for the commonest date in the source, read with findall.
_D, _M, _YEAR = r"[0-3]?[0-9]", r"[01]?[0-9]", r"(?:199\d|20[0-3]\d)"
_BETWEEN_NON_DIGITS = (
    re.compile(r"\D([0-9]{4})[/.-]([0-9]{2})[/.-]([0-9]{2})\D"),
    re.compile(rf"\D({_D})[/.-]({_M})[/.-]([0-9]{{4}})\D"),
    re.compile(rf"\D({_YEAR})([01][0-9])([0-3][0-9])\D"),
    re.compile(rf"\D({_D})/({_M})/([0129][0-9])\D|\D([0-3][0-9])\.([01][0-9])\.([0129][0-9])\D"),
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789/.-x \u0663", max_size=40))
@example("x2020-03-17x2020-03-18x")  # one non-digit between: the second is not read
@example("x2020-03-17xx2020-03-18x")
@example("x1/2/99x12.03.98x")  # both alternatives of the last kind
@example("x20200317x")
def test_dates_between_non_digits_are_found_as_findall_finds_them(text: str) -> None:
    kinds = [patterns for patterns, _ in _SOURCE_KINDS if patterns is not None]
    for patterns, original in zip(kinds, _BETWEEN_NON_DIGITS, strict=True):
        expected = [tuple(part for part in groups if part) for groups in original.findall(text)]

        assert _between_non_digits(patterns, text) == expected


def test_a_different_moment_in_another_offset_is_not_a_restatement() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget",'
        ' "datePublished": "2023-11-09T03:28:35Z"}</script>'
        '<script>window.meta = {"pub": "2023-11-08T21:28:35-05:00"};</script>'
    )
    article = extract_article(page("", head), "https://paper.example/news/budget")

    assert article.published == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)


def test_a_page_date_after_the_declared_modification_is_not_the_publication() -> None:
    head = '<meta property="article:modified_time" content="2020-01-05T10:00:00Z">'
    article = extract_article(
        page('<span class="date">17 March 2021</span>', head),
        "https://paper.example/news/budget",
        fetched_at=FETCHED,
    )

    assert article.published is None or article.published <= datetime(2020, 1, 5, 10, tzinfo=UTC)


def test_the_commonest_dated_link_when_nothing_else_dates_the_page() -> None:
    links = "".join(
        f'<a href="/{day}/other-story">Other story about something else entirely</a>'
        for day in ("2019/04/05", "2019/04/05", "2019/04/05", "2017/01/02")
    )
    article = extract_article(page(links), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == datetime(2019, 4, 5, tzinfo=UTC)


def test_a_year_alone_is_never_made_into_a_day() -> None:
    article = extract_article(
        page("<footer>© 2021 Example Media</footer>"),
        "https://paper.example/news/budget",
        fetched_at=FETCHED,
    )

    assert article.published is None


_NOISE = [
    *("<p>", "</p>", '<span class="date">', "</span>", "<time datetime='", "'>", "<li>", "©"),
    *("17", "03", "2020", "2031", "-", ".", "/", " ", "März", "T10:00:00", "-05:00", "年"),
    *("/2025/12/31/", "vor 3 Stunden", "3 hours ago", "月", "日", "<abbr data-utime='", "mai"),
    *("29", "02", "Feb", "<small>", "</small>", "<footer>", "31 December"),
    *("99999999999", "1700000000", "2024-01-10T23:59:59+14:00", "2024-01-10T23:00:00-05:00"),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_NOISE), max_size=40).map("".join),
    st.sampled_from(["https://paper.example/news", "https://paper.example/2030/01/01/x"]),
)
def test_never_a_date_after_the_fetch(fragment: str, url: str) -> None:
    html = page(fragment)
    for fetched_at in (FETCHED, None):
        published = find_publication_day(html.encode(), url, fetched_at, LexborHTMLParser(html))
        assert published is None or published <= (fetched_at or datetime.now(UTC))
    article = extract_article(html, url, fetched_at=FETCHED)
    assert article.published is None or article.published <= FETCHED
    if article.published is not None and article.modified is not None:
        assert article.published <= article.modified


@pytest.mark.parametrize(
    ("byline", "day"),
    [
        ('<span class="date">Publié le 3 mai</span>', datetime(2023, 5, 3)),  # last May
        ('<span class="date">Publié le 8 janvier</span>', datetime(2024, 1, 8)),  # this January
        ('<div class="meta">17. März, 10:00 Uhr</div>', datetime(2023, 3, 17)),
        ('<p class="byline">By Jane Doe, Jan. 9</p>', datetime(2024, 1, 9)),
        ('<time class="date">1月9日 10:00</time>', datetime(2024, 1, 9)),
    ],
)
def test_a_byline_without_a_year_takes_the_year_of_the_fetch(byline: str, day: datetime) -> None:
    article = extract_article(page(byline), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == day.replace(tzinfo=UTC)


def test_a_byline_without_a_year_is_never_dated_without_a_fetch_time() -> None:
    article = extract_article(
        page('<span class="date">Publié le 3 mai</span>'), "https://paper.example/news/budget"
    )

    assert article.published is None


def test_a_fetch_time_in_another_offset_still_bounds_the_day() -> None:
    fetched = datetime(2024, 1, 10, 5, 0, tzinfo=timezone(timedelta(hours=14)))  # 9 Jan, UTC
    article = extract_article(
        page('<span class="date">10 January 2024</span>'),
        "https://paper.example/news/budget",
        fetched_at=fetched,
    )

    assert article.published is None or article.published <= fetched
