"""Publication dates of pages whose metadata declares none, and dates in the page's own offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.extract import extract_article

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
    ],
)
def test_visible_dateline_in_the_page_language(byline: str, day: datetime) -> None:
    article = extract_article(page(byline), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == day.replace(tzinfo=UTC)
    assert "no date in the page's metadata; publication day read from the page" in article.warnings


def test_visible_dateline_is_read_from_the_parsed_page(monkeypatch: pytest.MonkeyPatch) -> None:
    import htmldate

    def no_second_parse(*args: object, **kwargs: object) -> str:
        raise AssertionError("htmldate parsed the page again")

    monkeypatch.setattr(htmldate, "find_date", no_second_parse)
    byline = '<div class="meta">Veröffentlicht am 17. März 2020</div>'
    article = extract_article(page(byline), "https://paper.example/news/budget", fetched_at=FETCHED)

    assert article.published == datetime(2020, 3, 17, tzinfo=UTC)


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
