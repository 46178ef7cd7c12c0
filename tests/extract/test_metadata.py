"""Metadata sources and their precedence, dates, and the canonical URL rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.extract import extract_article

BODY = "<p>" + "The council met on Tuesday and agreed the plan, officials said. " * 6 + "</p>"
URL = "https://news.example/2024/03/story"


def make_page(head: str = "", body: str = BODY, lang: str = "") -> str:
    return f"<html{lang}><head>{head}</head><body><article>{body}</article></body></html>"


def test_page_without_any_date_has_none_not_now() -> None:
    article = extract_article(make_page("<title>Plain</title>"), URL)

    assert article.published is None
    assert article.modified is None


def test_opengraph_article_meta() -> None:
    head = (
        '<meta property="og:title" content="Plan agreed">'
        '<meta property="article:published_time" content="2024-03-05T09:00:00Z">'
        '<meta property="article:modified_time" content="2024-03-06T10:00:00+00:00">'
        '<meta property="article:section" content="Politics">'
        '<meta name="author" content="Ana Lopez, Tom Reed">'
    )
    article = extract_article(make_page(head), URL)

    assert article.title == "Plan agreed"
    assert article.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert article.modified == datetime(2024, 3, 6, 10, 0, tzinfo=UTC)
    assert article.section == "Politics"
    assert article.authors == ("Ana Lopez", "Tom Reed")


def test_microdata_and_time_elements() -> None:
    body = (
        '<div itemprop="author" itemscope><span itemprop="name">Mary Chen</span></div>'
        '<time itemprop="dateModified" datetime="2024-05-02T12:00:00+02:00">2 May</time>'
        '<time datetime="2024-05-01T08:00:00+02:00">1 May</time>' + BODY
    )
    article = extract_article(make_page(body=body), URL)

    assert article.authors == ("Mary Chen",)
    assert article.published is not None
    assert article.published.isoformat() == "2024-05-01T08:00:00+02:00"
    assert article.modified is not None
    assert article.modified.isoformat() == "2024-05-02T12:00:00+02:00"


@pytest.mark.parametrize("article_type", ["ReportageNewsArticle", "LiveBlogPosting", "Article"])
def test_json_ld_article_types_in_a_list(article_type: str) -> None:
    head = (
        '<script type="application/ld+json">[{"@type": "BreadcrumbList"}, '
        f'{{"@type": "{article_type}", "headline": "Live: the vote", '
        '"datePublished": "2024-03-05T09:00:00Z", "author": {"name": "Ana Lopez"}}]</script>'
    )
    article = extract_article(make_page(head), URL)

    assert article.title == "Live: the vote"
    assert article.authors == ("Ana Lopez",)
    assert article.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)


def test_modified_before_published_is_dropped() -> None:
    head = (
        '<meta property="article:published_time" content="2024-03-05T09:00:00Z">'
        '<meta property="article:modified_time" content="2023-01-01T00:00:00Z">'
    )
    article = extract_article(make_page(head), URL)

    assert article.published == datetime(2024, 3, 5, 9, 0, tzinfo=UTC)
    assert article.modified is None
    assert any("modified" in warning for warning in article.warnings)


@pytest.mark.parametrize(
    "script",
    [
        '{"@type": "WebPage", "name": "Plan", "datePublished": "2024-03-05T09:00:00-05:00"}',
        '{"@type": "NewsArticle", "datePublished": "2024-03-05T09:00:00-05:00", "x": }',
    ],
    ids=["another-type", "broken-block"],
)
def test_date_published_anywhere_in_json_ld(script: str) -> None:
    head = f'<script type="application/ld+json">{script}</script>'
    article = extract_article(make_page(head), URL)

    assert article.published is not None
    assert article.published.isoformat() == "2024-03-05T09:00:00-05:00"


def test_broken_json_ld_is_a_warning() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", </script>'
    article = extract_article(make_page(head), URL)

    assert "unreadable JSON-LD block skipped" in article.warnings


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<link rel="canonical" href="/2024/03/story-canonical?utm_source=x">',
            "https://news.example/2024/03/story-canonical",
        ),
        ('<link rel="canonical" href="https://elsewhere.example/copy">', URL),
        (
            '<meta property="og:url" content="https://www.news.example/2024/03/og">',
            "https://www.news.example/2024/03/og",
        ),
        ('<link rel="canonical" href="javascript:alert(1)">', URL),
    ],
)
def test_canonical_url_only_from_the_same_site(head: str, expected: str) -> None:
    assert extract_article(make_page(head), URL + "#comments").canonical_url == expected


GERMAN_BODY = (
    "<p>Die Delegationen von Israel und der Hamas sind am Montag in Ägypten eingetroffen, um "
    "über eine Waffenruhe und die Freilassung der Geiseln zu verhandeln.</p>"
    "<p>Nach Angaben der Behörden dauern die Gespräche mehrere Tage, ein Ergebnis wird frühestens "
    "am Wochenende erwartet, sagte ein Sprecher der Regierung in Kairo.</p>"
)


@pytest.mark.parametrize(
    ("lang", "head", "expected"),
    [
        (' lang="de_de"', "", "de-DE"),
        (' lang="DE"', "", "de"),
        ("", '<meta property="og:locale" content="de_AT">', "de-AT"),
        (' lang="x"', "", "de"),  # not a language tag: detected from the text
        ("", "", "de"),  # none declared: detected from the text
    ],
)
def test_language_tag_is_normalised_or_detected(lang: str, head: str, expected: str) -> None:
    article = extract_article(make_page(head, GERMAN_BODY, lang), URL)
    assert article.language == expected
    assert not any(w.startswith("language:") for w in article.warnings)


def test_a_language_the_text_contradicts_is_replaced_with_a_warning() -> None:
    article = extract_article(make_page(body=GERMAN_BODY, lang=' lang="en"'), URL)
    assert article.language == "de"
    assert "language: the page says en, its text reads as de" in article.warnings


def test_title_falls_back_to_h1_then_document_title() -> None:
    with_h1 = make_page("<title>Site | Other</title>", body="<h1>Headline here</h1>" + BODY)
    without = make_page("<title>Council agrees plan | News Example</title>")

    assert extract_article(with_h1, URL).title == "Headline here"
    assert extract_article(without, URL).title == "Council agrees plan"


def test_keywords_from_json_ld_and_meta_tags_in_order_without_repeats() -> None:
    json_ld = (
        '{"@type": "NewsArticle", "headline": "Talks", "keywords": "Hamas, Israel",'
        ' "about": [{"@type": "Organization", "name": "Hamas"}, {"name": "Scharm el-Scheich"}],'
        ' "mentions": {"@type": "Person", "name": "Chalil al-Haja"}}'
    )
    head = (
        f'<script type="application/ld+json">{json_ld}</script>'
        '<meta name="keywords" content="israel, Gaza , ">'
        '<meta property="article:tag" content="Ägypten, Vermittlung">'
        '<meta property="article:tag" content="Katar">'
    )
    article = extract_article(make_page(head), URL)

    assert article.keywords == (
        "Hamas",
        "Israel",
        "Scharm el-Scheich",
        "Chalil al-Haja",
        "Gaza",
        "Ägypten, Vermittlung",
        "Katar",
    )


def test_keywords_are_bounded() -> None:
    many = ", ".join(f"term{i}" for i in range(100))
    head = f'<meta name="keywords" content="{many}, {"x" * 200}">'
    article = extract_article(make_page(head), URL)

    assert len(article.keywords) == 30
    assert article.keywords[0] == "term0"
