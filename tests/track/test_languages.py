"""The story engine in ten languages, replayed (texts: tests/track/data/languages.json, test content).

For each language: outlet A reports talks between Israel and Hamas in Egypt; outlet B reports the
same talks in other words; A revises its death toll; A fixes a typo; outlet C reports an unrelated
earthquake. All languages run through one tracker, steps interleaved, with no language declared:
the engine detects each article's language itself.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.track import replay

DATA = json.loads((Path(__file__).parent / "data" / "languages.json").read_text(encoding="utf-8"))
LANGUAGES = [code for code in DATA if not code.startswith("_")]
START = datetime(2025, 10, 6, 8, 0, tzinfo=UTC)
STEPS = ("a", "b", "revised", "typo_fixed", "other")
Results = dict[tuple[str, str], dict[str, Any]]  # (step, language) → the replay output line


def _versions(lang: str) -> dict[str, tuple[str, str, str]]:
    case = DATA[lang]
    title, text = case["a"]
    old_number, new_number = case["number"]
    typo, fixed = case["typo"]
    revised = text.replace(old_number, new_number)
    assert revised != text
    assert typo in text
    return {
        "a": ("outlet-a", title, text),
        "b": ("outlet-b", *case["b"]),
        "revised": ("outlet-a", title, revised),
        "typo_fixed": ("outlet-a", title, revised.replace(typo, fixed)),
        "other": ("outlet-c", *case["other"]),
    }


def _observations() -> list[dict[str, Any]]:
    lines = []
    for step_index, step in enumerate(STEPS):
        for lang_index, lang in enumerate(LANGUAGES):
            source, title, text = _versions(lang)[step]
            url_step = "a" if step in {"a", "revised", "typo_fixed"} else step
            minutes = step_index * 60 + lang_index
            lines.append(
                {
                    "source": source,
                    "url": f"https://{source}.example/{lang}/{url_step}",
                    "fetched_at": (START + timedelta(minutes=minutes)).isoformat(),
                    "title": title,
                    "text": text,
                    "published": None,
                }
            )
    return lines


@pytest.fixture(scope="module")
def results() -> Results:
    produced = list(replay(_observations()))
    keys = [(step, lang) for step in STEPS for lang in LANGUAGES]
    return dict(zip(keys, produced, strict=True))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_two_outlets_reporting_the_talks_make_one_story(results: Results, lang: str) -> None:
    first, second = results["a", lang], results["b", lang]
    assert first["event"] == "new_story"
    assert second["event"] == "joined_story", second["match"]
    assert second["story_id"] == first["story_id"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_changed_death_toll_is_reported_with_the_right_numbers(
    results: Results, lang: str
) -> None:
    revised = results["revised", lang]
    assert revised["event"] == "revision"
    development = revised["development"]
    assert development is not None
    old_number, new_number = DATA[lang]["number"]
    [fact] = development["changed_facts"]
    assert old_number in fact["before"], fact
    assert new_number not in fact["before"], fact
    assert new_number in fact["after"], fact
    assert old_number not in fact["after"], fact
    assert development["new_sentences"] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_typo_fix_is_no_development(results: Results, lang: str) -> None:
    fixed = results["typo_fixed", lang]
    assert fixed["event"] == "revision"
    assert fixed["development"] is None, fixed["development"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unrelated_story_is_kept_apart(results: Results, lang: str) -> None:
    """The earthquake never joins the talks: it starts a story, or (in a language close to one
    whose report came first) joins that language's earthquake story."""
    other = results["other", lang]
    talks = {results["a", code]["story_id"] for code in LANGUAGES}
    assert other["story_id"] not in talks, other["match"]
    if other["event"] != "new_story":
        quakes = {results["other", code]["story_id"] for code in LANGUAGES if code != lang}
        assert other["story_id"] in quakes


def test_each_language_keeps_its_own_stories(
    results: Results,
) -> None:
    """Reports of the talks in ten languages share names and numbers, but not enough to be
    sure: each language's reports make their own story."""
    talks = {results["a", lang]["story_id"] for lang in LANGUAGES}
    assert len(talks) == len(LANGUAGES)


def test_another_language_joins_only_on_names_written_alike(
    results: Results,
) -> None:
    """The Portuguese earthquake report shares the Spanish one's names (Chile, Antofagasta),
    figures and most stems: the one cross-language join of the run, and the reason says why."""
    joins = {
        lang: results["other", lang]
        for lang in LANGUAGES
        if results["other", lang]["event"] == "joined_story"
    }
    assert set(joins) == {"pt"}
    assert joins["pt"]["story_id"] == results["other", "es"]["story_id"]
    assert any(
        r.startswith("shared names: antofagasta, chile") for r in joins["pt"]["match"]["reasons"]
    )


CASELESS = [code for code in LANGUAGES if "names" in DATA[code]]


@pytest.mark.parametrize("lang", CASELESS)
def test_without_capital_letters_names_are_rare_terms_both_outlets_use(
    results: Results, lang: str
) -> None:
    """Arabic, Hebrew, Chinese, Japanese: the first report names no one (one outlet is no
    recurrence); the second makes the rare terms both use names, never the common ones."""
    assert results["a", lang]["development"]["new_entities"] == []
    names = results["b", lang]["development"]["new_entities"]
    expected = DATA[lang]["names"]
    assert set(expected["are"]) <= set(names), names
    assert set(expected["are_not"]).isdisjoint(names), names
