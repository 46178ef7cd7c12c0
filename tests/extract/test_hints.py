"""Class/id hint patterns: the grouped alternations match exactly the texts their sources match."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from monitor.extract import hints

_WORDS = ("share", "shared", "ad", "ads", "head", "tag", "tags", "nav", "navbar", "meta", "next")
_GLUE = ("", " ", "-", "_", "x")


def _texts() -> list[str]:
    """Words and their glued pairs: hits, near misses and the anchored forms."""
    texts = list(_WORDS)
    for first, glue, second in itertools.product(_WORDS, _GLUE, _WORDS):
        texts.append(f"{first}{glue}{second}")
    texts += ["article-body sidebar", "story-content", "read-more", "prev next", "pre-vnext"]
    return texts


@pytest.mark.parametrize(
    ("grouped", "source"),
    [
        (hints._BOILERPLATE, hints._BOILERPLATE_HINTS),
        (hints._NEGATIVE_HINT, hints._NEGATIVE_HINTS),
    ],
)
def test_grouped_hints_match_what_their_source_matches(
    grouped: re.Pattern[str], source: str
) -> None:
    plain = re.compile(source)
    for text in _texts():
        assert (grouped.search(text) is None) == (plain.search(text) is None), text


def test_alternatives_split_only_at_the_top_level() -> None:
    assert hints._alternatives(r"a(?:b|c)|[|x]|d\|e|f") == ["a(?:b|c)", "[|x]", r"d\|e", "f"]


def test_memo_answers_as_its_function_and_forgets_past_its_size() -> None:
    asked: list[str] = []

    def shout(text: str) -> str:
        asked.append(text)
        return text.upper()

    memo = hints.Memo(shout, 2)
    assert [memo.of(word) for word in ("a", "b", "a", "c", "a")] == ["A", "B", "A", "C", "A"]
    assert asked == ["a", "b", "c", "a"]  # full at "c": forgotten, so "a" is asked again


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.sampled_from(["ab", " cd ", "efgh", "", "  "])), max_size=12
    ),
    st.sampled_from([0.0, 0.1, 0.25, 0.5, 1 / 3, 2 / 3, 0.75, 1.0]),
)
def test_link_density_below_is_the_density_compared(
    pieces: list[tuple[bool, str]], limit: float
) -> None:
    html = "".join(f"<a href=x>{text}</a>" if linked else text for linked, text in pieces)
    node = LexborHTMLParser(f"<div>{html}</div>").css_first("div")
    assert node is not None

    assert hints.link_density_below(node, limit) == (hints.link_density(node) < limit)
