import pytest

from monitor.errors import ConfigError, ParseError
from monitor.extract.links import select_links
from monitor.models import ArticleLink
from monitor.sources import find_article_links

PAGE = """<html><head><title>World</title></head><body>
<nav><a href="/">Home</a><a href="/world">World</a></nav>
<main>
  <article><h2><a href="/world/2026/11/talks?utm_source=home#c">Talks   <b>resume</b></a></h2>
  </article>
  <article><h2 class="headline"><span><a href="https://News.example.com/world/2026/11/rates">Rates
    held</a></span></h2></article>
  <article><h2><a href="/world/2026/11/talks">Talks (again)</a></h2></article>
  <article><h2><a href="/video/2026/11/clip">A clip</a></h2></article>
  <article><h2><a href="javascript:void(0)">Share</a></h2></article>
  <article><h2><a>No href</a></h2></article>
</main></body></html>"""


def test_links_in_page_order_canonical_and_unique() -> None:
    links = find_article_links(PAGE, "https://news.example.com/world", "article h2")
    assert links == [
        ArticleLink("https://news.example.com/world/2026/11/talks", "Talks resume"),
        ArticleLink("https://news.example.com/world/2026/11/rates", "Rates held"),
        ArticleLink("https://news.example.com/video/2026/11/clip", "A clip"),
    ]


def test_include_and_exclude_patterns() -> None:
    links = find_article_links(
        PAGE.encode(),
        "https://news.example.com/world",
        "main a",
        include=[r"/20\d\d/\d\d/"],
        exclude=[r"/video/", r"rates$"],
    )
    assert [link.url for link in links] == ["https://news.example.com/world/2026/11/talks"]


def test_base_href_is_honoured() -> None:
    page = '<head><base href="https://cdn.example.net/news/"></head><a href="story-1">One</a>'
    assert select_links(page, "a") == [("https://cdn.example.net/news/story-1", "One")]
    (link,) = find_article_links(page, "https://www.example.net/", "a")
    assert link.url == "https://cdn.example.net/news/story-1"


def test_invalid_selector_and_pattern() -> None:
    with pytest.raises(ParseError, match="selector"):
        find_article_links(PAGE, "https://news.example.com/", "a[[")
    with pytest.raises(ConfigError, match="include"):
        find_article_links(PAGE, "https://news.example.com/", "a", include=["("])


@pytest.mark.parametrize("html", ["", b"", b"\x00\xff\xfe junk", "<a href='", "<<<>>>"])
def test_broken_pages_give_no_links(html: str | bytes) -> None:
    assert find_article_links(html, "https://news.example.com/", "a") == []
