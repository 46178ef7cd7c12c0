"""Common and rare words per language (wordfreq), and the rare terms of scripts without case."""

from __future__ import annotations

from monitor.lang import language_for
from monitor.lang.rarity import common_words, is_common, rare_terms


def test_common_words_are_the_frequent_ones_of_the_language() -> None:
    german = language_for("de")
    assert is_common("verhandlungen", german)
    assert is_common("wochenende", german)
    assert not is_common("hamas", german)
    assert not is_common("scharm", german)


def test_a_hebrew_word_is_common_when_its_form_without_prefixes_is() -> None:
    hebrew = language_for("he")
    assert is_common("ישראל", hebrew)
    assert is_common("וישראל", hebrew)  # "and Israel"


def test_a_language_without_frequency_lists_has_no_common_words() -> None:
    assert common_words("zu") == frozenset()  # isiZulu: wordfreq has no list


def test_chinese_runs_are_cut_at_common_words_and_function_characters() -> None:
    # TEST CONTENT: "Israeli and Hamas delegations arrived in Sharm el-Sheikh."
    terms = rare_terms(["以色列和哈马斯代表团抵达沙姆沙伊赫。"], language_for("zh"))
    assert terms == ["哈马斯", "沙姆沙伊赫"]


def test_japanese_katakana_runs_are_taken_whole() -> None:
    # TEST CONTENT: "Israel and Hamas delegations arrived in Sharm el-Sheikh."
    terms = rare_terms(
        ["イスラエルとハマスの代表団がシャルムエルシェイクに到着した。"], language_for("ja")
    )
    assert "ハマス" in terms
    assert "シャルムエルシェイク" in terms
    assert "イスラエル" not in terms


def test_rare_words_keep_their_spelling_and_come_once() -> None:
    # TEST CONTENT
    terms = rare_terms(["שיחות בשארם א-שייח'", "שיחות בשארם"], language_for("he"))
    assert terms.count("בשארם") == 1
    assert "שיחות" not in terms
