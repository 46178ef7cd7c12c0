"""Text units and article features: sentences, comparison forms, stamps, names, numbers, boosts."""

from __future__ import annotations

import pytest

from monitor.track.features import ArticleText, TermBoosts, article_features
from monitor.track.text import (
    comparison_form,
    is_stamp,
    names_in,
    numbers_in,
    split_sentences,
)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "Dr. Smith met officials in the U.S. capital. They talked.",
            ["Dr. Smith met officials in the U.S. capital.", "They talked."],
        ),
        ("Growth was 3.5 percent. Prices rose.", ["Growth was 3.5 percent.", "Prices rose."]),
        ("J. K. Rowling spoke. She left.", ["J. K. Rowling spoke.", "She left."]),
        (
            "He said the deal was “to be completed this week.” His aides agreed.",
            ["He said the deal was “to be completed this week.”", "His aides agreed."],
        ),
        ('"Stop!" he said. Then he left.', ['"Stop!" he said.', "Then he left."]),
        (
            "Talks opened in Sharm el-Sheikh, Egypt. Gen. Mills spoke at 5 p.m. Friday.",
            ["Talks opened in Sharm el-Sheikh, Egypt.", "Gen. Mills spoke at 5 p.m. Friday."],
        ),
        (
            "They moved to the U.S. The move was hard.",
            ["They moved to the U.S.", "The move was hard."],
        ),
        ("First paragraph\n\nSecond one", ["First paragraph", "Second one"]),
        (
            "It cost No. 5 a lot. He said no. Then left.",
            ["It cost No. 5 a lot.", "He said no.", "Then left."],
        ),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_comparison_form_folds_case_quotes_dashes_and_spaces() -> None:
    assert comparison_form("“Peace—now,”  he said.") == comparison_form('"peace - now," He said')


@pytest.mark.parametrize(
    ("line", "stamp"),
    [
        ("Updated 5 minutes ago", True),
        ("Last updated: 12:30 GMT", True),
        ("3 hours ago", True),
        ("Updated talks resume in Cairo on Monday after a pause.", False),
    ],
)
def test_is_stamp(line: str, stamp: bool) -> None:
    assert is_stamp(line) is stamp


def test_names_skip_capitalised_sentence_starters_and_keep_connectors() -> None:
    names = names_in(
        [
            "Despite the heat, Marco Rubio flew to Sharm el-Sheikh.",
            "Meanwhile, Israel and Hamas met.",
            "“Whether it holds is unclear,” an aide said.",
        ]
    )
    assert names == ["Marco Rubio", "Sharm el-Sheikh", "Israel", "Hamas"]


def test_numbers_keep_their_context() -> None:
    [mention] = numbers_in("Airstrikes killed at least 24 Palestinians, officials said.")
    assert mention.value == "24"
    assert mention.after[0] == "palestinian"
    assert mention.phrase == "at least 24 Palestinians"  # as written, without "officials"


def test_years_are_not_facts() -> None:
    assert numbers_in("Ahead of the 2025 elections.") == []


def test_article_features_boost_numbers_and_years() -> None:
    text = ArticleText("", ("The Curve 8900 went on sale in 2013 at the shop.",))
    features = article_features(text, TermBoosts(name=1.0, number=3.0, year=5.0))
    weights = features.term_weights
    assert features.years == frozenset({2013})
    assert weights["8900"] == 3 * weights["shop"]
    assert weights["2013"] == 5 * weights["shop"]
