"""Whitespace folding: runs collapse to one space, invisible joiners and soft hyphens go."""

from __future__ import annotations

import pytest

from monitor.extract.text import fold


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
