"""extract_article on handcrafted pages: body text, metadata, canonical URL, is_article."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from monitor.extract import extract_article

URL = "https://www.example-news.com/local/bridge-reopens"
CET = timezone(timedelta(hours=1))
ReadPage = Callable[[str], bytes]


def test_news_article_body_keeps_story_and_drops_chrome(page: ReadPage) -> None:
    article = extract_article(page("news_article.html"), URL)

    assert article.paragraphs == (
        "The Old Mill bridge reopened to traffic on Tuesday morning, eight months after cracks "
        "were found in its central span, the county council said.",
        "Engineers replaced two steel girders and resurfaced the deck, at a cost of £4.2 million, "
        "about a third more than first estimated.",
        "Traffic returns",
        "Buses will go back to their usual routes from Monday, the operator said. Cyclists get a "
        "new protected lane on the eastern side.",
        "The works included:",
        "two new girders under the central span;",
        "a new drainage system for the deck.",
        "“We are glad to have our bridge back,” said Mary Chen, who runs a bakery on the western "
        "bank.",
        "The council expects the remaining footpath works to finish by the end of April.",
    )
    assert article.body == "\n\n".join(article.paragraphs)
    assert article.is_article
    assert article.warnings == ()


def test_news_article_metadata_prefers_json_ld(page: ReadPage) -> None:
    article = extract_article(page("news_article.html"), URL + "?utm_medium=feed")

    assert article.title == "Bridge reopens after repairs"
    assert article.authors == ("Ana Lopez", "Tom Reed")
    assert article.published == datetime(2024, 3, 5, 8, 30, tzinfo=CET)
    assert article.modified == datetime(2024, 3, 5, 11, 0, tzinfo=CET)
    assert article.language == "en-GB"
    assert article.section == "Local"
    assert article.description == "The Old Mill bridge is open again after eight months."
    assert article.url == URL + "?utm_medium=feed"
    assert article.canonical_url == URL


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("listing_page.html", "no article text found"),
        ("listing_plain.html", "looks like an index page"),
        ("error_page.html", "looks like an error page"),
        ("consent_wall.html", "consent wall"),
        ("paywall.html", "paywall"),
    ],
)
def test_pages_that_are_not_articles(page: ReadPage, name: str, warning: str) -> None:
    article = extract_article(page(name), URL)

    assert not article.is_article
    assert any(item.startswith(warning) for item in article.warnings), article.warnings


def test_paragraphs_separated_by_br_in_a_div(page: ReadPage) -> None:
    article = extract_article(page("br_article.html"), "https://gazette.example/festival")

    assert article.is_article
    assert article.paragraphs[0].startswith("More than forty thousand people")
    assert len(article.paragraphs) == 3
    assert not any("Harbour Gazette" in paragraph for paragraph in article.paragraphs)


def test_naive_meta_date_is_taken_as_utc_with_a_warning(page: ReadPage) -> None:
    article = extract_article(page("br_article.html"), "https://gazette.example/festival")

    assert article.published == datetime(2024, 7, 14, 18, 0, tzinfo=UTC)
    assert "published date has no timezone; assumed UTC" in article.warnings


def test_declared_legacy_encoding_is_decoded(page: ReadPage) -> None:
    article = extract_article(page("cp1251_article.html"), "https://news.example/most")

    assert article.title == "Новости"
    assert article.paragraphs[0].startswith("Мост через реку снова открыт")
    assert article.is_article


def test_utf8_bytes_win_over_a_stale_legacy_declaration() -> None:
    text = "深度学习系统可以利用外部记忆来回答问题，研究人员说，这是一个新台阶。" * 4
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"<title>新闻</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    )

    article = extract_article(html.encode("utf-8"), URL)

    assert article.paragraphs == (text, text)


@pytest.mark.parametrize(
    "head",
    [
        "<title>Café</title>",  # nothing declared: UTF-8, as lexbor reads it anyway
        '<meta charset="utf-8"><title>Café</title>',
        '<meta charset="windows-1252"><title>Café</title>',  # valid UTF-8 wins
    ],
)
def test_utf8_bytes_read_as_utf8_whatever_the_head_declares(head: str) -> None:
    text = "Le café de la gare rouvre après deux ans de travaux, annonce la mairie. " * 6
    html = f"<html><head>{head}</head><body><article><p>{text}</p></article></body></html>"

    article = extract_article(html.encode("utf-8"), URL)

    assert (article.title, article.paragraphs) == ("Café", (text.strip(),))


def test_legacy_bytes_are_read_by_their_declaration() -> None:
    text = "Le café de la gare rouvre après deux ans de travaux, annonce la mairie. " * 6
    html = (
        '<html><head><meta charset="windows-1252"><title>Café</title></head>'
        f"<body><article><p>{text}</p></article></body></html>"
    )

    article = extract_article(html.encode("windows-1252"), URL)

    assert (article.title, article.paragraphs) == ("Café", (text.strip(),))


def test_str_input_gives_the_same_article_as_bytes(page: ReadPage) -> None:
    raw = page("news_article.html")

    assert extract_article(raw.decode("utf-8"), URL) == extract_article(raw, URL)
