"""What the story engine reads of an article: bounded, whatever the page's size."""

from __future__ import annotations

from monitor.models import Article
from monitor.track.features import MAX_TRACKED_CHARS, article_text


def _article(*paragraphs: str) -> Article:
    url = "https://example.com/news/1"
    return Article(url=url, canonical_url=url, title="A page", paragraphs=paragraphs)


def test_a_page_of_megabytes_is_tracked_up_to_the_bound() -> None:
    one_run_on = _article("filler text " * 400_000)  # 4.8 MB without a full stop
    many = _article(*(f"Paragraph {n} says something new about the talks." for n in range(50_000)))
    for article in (one_run_on, many):
        text = article_text(article)
        assert text.sentences
        assert sum(len(s) for s in text.sentences) <= MAX_TRACKED_CHARS


def test_an_ordinary_article_is_read_whole() -> None:
    paragraphs = tuple(
        f"Delegations met again on day {n}. Mediators pressed on." for n in range(200)
    )
    text = article_text(_article(*paragraphs))
    assert len(text.sentences) == 400
