"""Hostile input: nothing but ParseError ever escapes, and doubtful pages say so."""

from __future__ import annotations

import contextlib
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.extract import extract_article
from monitor.models import Article

URL = "https://news.example/story"
TAGS = [
    "p",
    "div",
    "article",
    "span",
    "a",
    "br",
    "h1",
    "h2",
    "li",
    "ul",
    "script",
    "style",
    "time",
    "meta",
    "title",
    "figure",
    "table",
    "td",
    "blockquote",
    "nav",
    "aside",
]
ATTRS = [
    'class="article-body"',
    'class="share"',
    'id="comments"',
    "hidden",
    'itemprop="datePublished" content="2024-01-01"',
    'datetime="2024-02-30T99:00"',
    'property="article:published_time" content="soon"',
    'type="application/ld+json"',
    'rel="canonical" href="//x"',
    'lang="zz-ZZZ"',
    'style="display: none"',
]


def _check(html: str | bytes) -> Article | None:
    try:
        article = extract_article(html, URL)
    except ParseError:
        return None
    for stamp in (article.published, article.modified):
        assert stamp is None or stamp.tzinfo is not None
    if article.published and article.modified:
        assert article.published <= article.modified
    if not article.is_article:
        assert article.warnings
    return article


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        b"   \n\t ",
        b"\x00\x01\x02\xff\xfe\xfd" * 500,
        os.urandom(64_000),
        b"<html><body><p>unclosed <b>bold <i>italic <div>block in inline</p></table></td>",
        b"<!DOCTYPE html><html><head><title>T</title></head></html>",
        b"<script>" + b"x" * 100_000,
        b'<script type="application/ld+json">' + b"[" * 50_000 + b"</script>",
        b"\xef\xbb\xbf<p>" + "café ".encode("latin-1") * 100 + b"</p>",
        "lone surrogate \ud800 in text <p>" + "words " * 100,
        b"<div>" * 3000 + b"deep text " * 50,
    ],
    ids=[
        "empty-bytes",
        "empty-str",
        "whitespace",
        "binary",
        "random",
        "malformed",
        "no-body",
        "unclosed-script",
        "json-ld-nesting",
        "bom-latin1",
        "surrogate",
        "deep-nesting",
    ],
)
def test_hostile_pages_do_not_crash(html: str | bytes) -> None:
    _check(html)


def test_empty_document_is_not_an_article() -> None:
    article = extract_article(b"", URL)

    assert not article.is_article
    assert article.paragraphs == ()
    assert article.title is None
    assert article.canonical_url == URL


def test_unsplittable_page_url_is_kept_with_a_warning() -> None:
    page = b'<link rel="canonical" href="http://[::1"><p>text</p>'
    article = extract_article(page, "http://[")

    assert article.canonical_url == "http://["
    assert "the page URL is malformed; kept as given" in article.warnings


@pytest.mark.parametrize("url", ["http://a:99999/", "http://a:port/", "http://\udcff/"])
def test_odd_page_urls_do_not_crash(url: str) -> None:
    article = extract_article(b'<link rel="canonical" href="http://[::1"><p>text</p>', url)

    assert article.url == url
    assert article.canonical_url


def test_wrong_input_type_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"news\.example"):
        extract_article(12345, URL)  # type: ignore[arg-type]


def test_ten_megabyte_page_is_extracted_in_reasonable_time() -> None:
    paragraph = b"<p>" + b"The committee heard evidence from witnesses on Tuesday. " * 18 + b"</p>"
    html = (
        b"<html><body><nav>menu</nav><article>" + paragraph * 10_000 + b"</article></body></html>"
    )
    assert len(html) > 10_000_000

    started = time.process_time()  # CPU time: other work on a loaded machine does not count
    article = extract_article(html, URL)

    assert article.is_article
    assert len(article.paragraphs) == 10_000
    assert time.process_time() - started < 20  # a generous bound: linear, not quadratic (~4 s)


html_fragments = st.one_of(
    st.text(max_size=40),
    st.sampled_from(TAGS).map(lambda tag: f"<{tag}>"),
    st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),
    st.tuples(st.sampled_from(TAGS), st.sampled_from(ATTRS)).map(lambda t: f"<{t[0]} {t[1]}>"),
    st.sampled_from(["<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#x110000;", "<", ">"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(html_fragments, max_size=60).map("".join))
def test_arbitrary_html_like_text_never_raises(html: str) -> None:
    _check(html)
    _check(html.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_never_raise(html: bytes) -> None:
    _check(html)


urls = st.one_of(
    st.text(max_size=100),
    st.builds(
        "{}://{}{}/{}".format,
        st.sampled_from(["http", "https", "ftp", ""]),
        st.text(max_size=20),
        st.sampled_from(["", ":80", ":99999", ":x", "]"]),
        st.text(max_size=30),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), urls)
def test_arbitrary_text_and_url_never_raise(html: str, url: str) -> None:
    with contextlib.suppress(ParseError):
        extract_article(html, url)
