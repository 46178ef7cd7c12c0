"""Whitespace folding: runs collapse to one space, invisible joiners and soft hyphens go."""

from __future__ import annotations

import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.extract.text import collapse, fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("  plain\n\ttext  ", "plain text"),
        ("caf\u00e9\u00a0au lait", "caf\u00e9 au lait"),  # no-break space is whitespace
        ("zero\u200bwidth", "zerowidth"),
        ("non\u200cjoiner\u200d", "nonjoiner"),
        ("word\u2060joiner \ufeffbom", "wordjoiner bom"),
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_every_whitespace_character_is_unprintable_but_the_space() -> None:
    # fold returns a stripped text as it is when it is printable and holds no double space.
    printable_spaces = [
        code
        for code in range(sys.maxunicode + 1)
        if chr(code).isspace() and chr(code).isprintable()
    ]
    assert printable_spaces == [ord(" ")]


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(" \t\n\xa0\u2009\u3000\u200b\u00ad\ufeff\x00abc\u00e9"),
        max_size=30,
    )
)
@example(" a  b ")
@example("a\u200bb")
def test_fold_is_the_split_and_join_of_the_visible_text(text: str) -> None:
    visible = text.translate(str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
    assert fold(text) == " ".join(visible.split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \t\n\xa0\u3000\u200bab"), max_size=30))
def test_collapse_is_the_split_and_join(text: str) -> None:
    assert collapse(text) == " ".join(text.split())
