"""Stable text: the same article with other page chrome gives the same paragraphs.

Real publisher pages get a "most read" box, related links, ad slots, comment counts and a
cookie banner added at the edges of the page and between its paragraphs, in any number and
order; the extracted paragraphs must not change.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.extract import extract_article

REAL = Path(__file__).resolve().parent / "data" / "real"
PAGES = ("lemonde-1", "ars-1", "wapo-1", "aktualne")
URL = "https://news.example/story"
_WORDS = st.sampled_from(
    [
        "council",
        "budget",
        "storm",
        "election",
        "markets",
        "river",
        "bridge",
        "minister",
        "court",
        "school",
        "hospital",
        "record",
        "season",
        "festival",
        "rail",
        "strike",
        "energy",
        "prices",
        "weather",
        "police",
        "museum",
    ]
)
_HEADLINE = st.lists(_WORDS, min_size=3, max_size=9).map(lambda ws: " ".join(ws).capitalize())
_PARAGRAPH_END = re.compile(rb"</p>", re.IGNORECASE)
_COOKIE = (
    '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your experience '
    "and to show you personalised ads. You can change your choice at any time.</p>"
    "<button>Accept all</button><button>Manage preferences</button></div>"
)


@cache
def page_bytes(name: str) -> bytes:
    return gzip.decompress((REAL / f"{name}.html.gz").read_bytes())


@cache
def paragraphs_of(name: str) -> tuple[str, ...]:
    return extract_article(page_bytes(name), URL).paragraphs


def _links(headlines: list[str]) -> str:
    return "".join(f'<li><a href="/news/{i}">{h}</a></li>' for i, h in enumerate(headlines))


@st.composite
def chrome(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["most_read", "related", "ad", "comments", "cookie"]))
    if kind == "most_read":
        items = _links(draw(st.lists(_HEADLINE, min_size=3, max_size=8)))
        return f'<aside class="most-read"><h2>Most read</h2><ol>{items}</ol></aside>'
    if kind == "related":
        items = _links(draw(st.lists(_HEADLINE, min_size=2, max_size=6)))
        return f'<div class="related-links"><h3>Related</h3><ul>{items}</ul></div>'
    if kind == "ad":
        return '<div class="ad-slot"><span>Advertisement</span><iframe src="/ad"></iframe></div>'
    if kind == "comments":
        count = draw(st.integers(min_value=0, max_value=5000))
        return f'<a class="comment-count" href="#comments">{count} comments</a>'
    return _COOKIE


def perturbed(html: bytes, edits: list[tuple[str, int, str]]) -> bytes:
    """``html`` with chrome put after ``<body>``, before ``</body>`` or after the n-th ``</p>``."""
    ends = [match.end() for match in _PARAGRAPH_END.finditer(html)]
    insertions: list[tuple[int, bytes]] = []
    body_open = re.search(rb"<body[^>]*>", html, re.IGNORECASE)
    body_close = html.lower().rfind(b"</body>")
    for where, index, snippet in edits:
        if where == "top" and body_open is not None:
            position = body_open.end()
        elif where == "bottom" and body_close >= 0:
            position = body_close
        elif where == "between" and ends:
            position = ends[index % len(ends)]
        else:
            continue
        insertions.append((position, snippet.encode()))
    for position, snippet in sorted(insertions, key=lambda item: item[0], reverse=True):
        html = html[:position] + snippet + html[position:]
    return html


EDITS = st.lists(
    st.tuples(st.sampled_from(["top", "bottom", "between"]), st.integers(0, 10_000), chrome()),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("name", PAGES)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=EDITS)
def test_chrome_does_not_change_the_paragraphs(
    name: str, edits: list[tuple[str, int, str]]
) -> None:
    original = paragraphs_of(name)
    assert len(original) >= 5

    changed = extract_article(perturbed(page_bytes(name), edits), URL).paragraphs

    assert changed == original


def test_cookie_banners_make_no_wrapper_read_like_the_article() -> None:
    """Found by the property above: two cookie banners put in the wrapper after the body (a
    "report a mistake" note) once made it read like more of the article; the text the reader
    drops no longer counts for a wrapper."""
    edits = [("between", 766, _COOKIE), ("between", 766, _COOKIE)]
    changed = extract_article(perturbed(page_bytes("aktualne"), edits), URL).paragraphs
    assert changed == paragraphs_of("aktualne")
