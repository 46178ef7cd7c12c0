"""Nesting bounds: a page nested deeper than the parser can take in time is refused before parsing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.extract import extract_article
from monitor.extract.bounds import MAX_NESTING, nesting_bound, nesting_depth, stack_bound, too_deep
from monitor.extract.links import select_links


def nested(depth: int) -> bytes:
    return (
        b"<html><body>" + b"<div>" * depth + b"<p>deep</p>" + b"</div>" * depth + b"</body></html>"
    )


@pytest.mark.parametrize(
    ("html", "depth"),
    [
        (b"<p>text</p>", 0),
        (nested(3), 3),
        (b"<div><div></div><div></div></div>", 2),
        (b"<ul><li>one<li>two</ul><p>a<p>b<br><img src=x>", 1),  # li, p, void: never nest
        (b"<svg>" + b"<path d='M0'/>" * 50 + b"</svg>", 1),  # self-closed
        (b"<script>var s = '<div><div><div>';</script><div></div>", 1),  # raw text skipped
        (b"<!-- <div><div><div> --><span></span>", 1),  # comments skipped
        (b"<div><span><b>unclosed</div><div></div>", 3),  # an end tag closes what it holds
        (b"</div></div><div></div>", 1),  # stray end tags close nothing
        (b"<div><!-- <div> never closed", 1),  # an open comment runs to the end
        (b"<div><SCRIPT>x</ScRiPt ><div>", 2),  # raw text ends case-blind
        (b"<div><style>a<div>", 1),  # and runs to the end when it never ends
        (b"<div><div/><span", 2),  # a tag cut off by the page's end
        (b"<div title='a>b'><i>", 2),  # a tag ends at its first ">"
    ],
)
def test_nesting_depth(html: bytes, depth: int) -> None:
    assert nesting_depth(html) == depth


def test_the_scan_stops_past_the_limit() -> None:
    assert nesting_depth(nested(200_000), limit=10) == 11
    assert too_deep(nested(MAX_NESTING + 1))
    assert not too_deep(nested(MAX_NESTING))


def test_a_page_of_200000_nested_divs_is_refused_naming_its_url() -> None:
    url = "https://example.com/news/deep"
    with pytest.raises(ParseError, match=r"https://example.com/news/deep: skipped: .*nested"):
        extract_article(nested(200_000), url)


def test_a_deep_listing_page_is_refused() -> None:
    with pytest.raises(ParseError, match="nested deeper"):
        select_links(nested(200_000), "a")


def test_ordinary_depth_still_extracts() -> None:
    paragraph = "<p>" + "Talks resumed in Cairo on Monday with both delegations present. " * 6
    html = "<html><body>" + "<div>" * 60 + "<article><h1>Talks</h1>" + paragraph * 3
    article = extract_article(html + "</article>" + "</div>" * 60, "https://example.com/a")
    assert article.is_article


@pytest.mark.parametrize(
    "html",
    [
        nested(MAX_NESTING),
        nested(MAX_NESTING) + b"<br>" * 3000,  # many start tags, none nesting: the full scan
        b"<div>" * 1000 + b"<span>" * 1000 + b"</span>" * 1000 + b"</div>" * 1000,
    ],
)
def test_the_quick_count_agrees_with_the_scan(html: bytes) -> None:
    assert too_deep(html) == (nesting_depth(html) > MAX_NESTING)


def test_many_start_tags_that_do_not_nest_are_not_too_deep() -> None:
    assert not too_deep(b"<p>" + b"<div></div>" * 5000)
    assert too_deep(b"<p>" + b"<div></div>" * 5000 + nested(MAX_NESTING + 1))


@pytest.mark.parametrize(
    "html",
    [
        b"<p>text</p>",
        nested(40),
        b"<DIV><Div><div-x><x:y></x:y></div-x></Div></DIV>",  # names read case-blind, whole
        b"<textareas><optgroupx><brx><p2>" * 3,  # longer names than excluded ones still count
        b"<script>var s = '<div><div>';</script><div></div>",
        b"<!-- <div><div> --><span><b>x</span>",
        b"<ul><li>one<li>two</ul><p>a<p>b<br><img src=x><td><tr>",
        b"a < b <3 <",
        b"",
    ],
)
def test_the_tag_count_bounds_the_scan(html: bytes) -> None:
    assert nesting_bound(html) >= nesting_depth(html)


def test_the_tag_count_leaves_out_tags_that_never_nest() -> None:
    assert nesting_bound(b"<p>a<br><IMG src=x><li>b<td>c<script>s</script><Div>") == 1
    ordinary = b"<div>" + b"<p>para<br>line<img src=x></p>" * 3000 + b"</div>"
    assert nesting_bound(ordinary) == 1
    assert not too_deep(ordinary)


def test_elements_closed_right_away_count_once() -> None:
    flat = b"<div>" + b"<span class=x>a</span><a href=y>b</A>" * 3000 + b"</div>"
    assert nesting_bound(flat) == 2
    assert not too_deep(flat)
    # An end tag inside the start tag's attribute closes nothing: every <a> stays open.
    hidden_ends = b"<a title='</a>'>" * (MAX_NESTING + 1)
    assert nesting_bound(hidden_ends) > MAX_NESTING
    assert too_deep(hidden_ends) == (nesting_depth(hidden_ends) > MAX_NESTING)
    assert too_deep(hidden_ends)


# What the scan jumps over, and end tags that close nothing or more than their element.
_PIECES = [
    b"<div>",
    b"</div>",
    b"<span>",
    b"</span>",
    b"<b>",
    b"</b>",
    b"<p>",
    b"</p>",
    b"<li>",
    b"<!--",
    b"-->",
    b"<!-->",
    b"<script>",
    b"</script>",
    b"<style>",
    b"</style >",
    b"<textarea>",
    b"</textarea>",
    b"<scripts>",
    b"</scripts>",
    b"<script--x>",
    b"</script-->",
    b"<a title='",
    b"'>",
    b'"',
    b"<br/>",
    b"<div/>",
    b"</DIV>",
    b"<DiV class=x>",
    b"<x:y>",
    b"</x:y>",
    b"<my-very-long-name>",
    b"</my-very-long-name>",
    b"<my-very-long-other>",
    b"text",
    b"<",
    b">",
    b"/",
    b"-",
    b"!",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_the_name_counts_bound_the_scan(pieces: list[bytes]) -> None:
    html = b"".join(pieces)
    assert stack_bound(html) >= nesting_depth(html, limit=10**9)


@pytest.mark.parametrize(
    ("html", "bound"),
    [
        (b"", 0),
        (nested(40), 40),
        (b"<div>" + b"<span class=x>a</span><b>b</B>" * 3000 + b"</div>", 2),
        (b"<!-- </div> --><div>" * 5, 5),  # end tags in comments close nothing
        (b"<script>'</div>'</script><div>" * 5, 5),  # nor in raw text
        (b"<div title='</div>'>" * 5, 5),  # nor inside a tag
        (b"<a title='<!--'><div>" * 5, 10),  # a comment opened inside a tag is none
        (b"<my-long-element-a><div></my-long-element-b></div>" * 5, 6),  # long names: no end
        (b"<div><span><b>unclosed</div>" * 3, 7),  # what an end tag also closes stays counted
    ],
)
def test_the_name_counts(html: bytes, bound: int) -> None:
    assert stack_bound(html) == bound
    assert bound >= nesting_depth(html, limit=10**9)


def test_a_large_closed_page_is_settled_without_the_scan() -> None:
    """Many elements left open for a moment defeat the tag count, not the name counts."""
    page = b"<div>" + b"<section><h2>t</h2><div><span>a</span> <em>b</em></div></section>" * 3000
    assert nesting_bound(page) > MAX_NESTING
    assert stack_bound(page) == 4
    assert not too_deep(page)
    assert too_deep(page + nested(MAX_NESTING + 1))


def test_the_tag_count_stops_at_the_count_when_within_the_limit() -> None:
    flat = b"<div>" + b"<span class=x>a</span>" * 3000 + b"</div>"
    assert nesting_bound(flat) == 2
    assert nesting_bound(flat, limit=5000) == 3001  # the count alone: closing only lowers it
    assert nesting_bound(flat, limit=2000) == 2
