"""Numbers in every script and changed facts paired in the same context (test content)."""

from __future__ import annotations

import pytest

from monitor.lang import language_for
from monitor.track.novelty import StoryMemory
from monitor.track.text import content_terms, names_in, numbers_in


@pytest.mark.parametrize(
    ("lang", "sentence", "values"),
    [
        ("en", "At least 1,250 people and twenty soldiers were hurt.", ["1250", "20"]),
        ("de", "Mindestens 1.250 Menschen, 3,5 Prozent, am 1. Mai.", ["1250", "3.5"]),
        ("fr", "Au moins 1 250 personnes et 3,5 % des votes.", ["1250", "3.5"]),
        ("ru", "Не менее 12 500 человек и двадцать солдат.", ["12500", "20"]),
        ("ar", "قتل ما لا يقل عن ٢٤ شخصا و۱۲ جنديا", ["24", "12"]),
        ("ja", "少なくとも２４人が死亡し、１２名が負傷した。", ["24", "12"]),
        ("zh", "10月5日，至少30名巴勒斯坦人死亡。", ["30"]),
        ("es", "Murieron veinte personas y 1.250 resultaron heridas.", ["20", "1250"]),
    ],
)
def test_numbers_are_read_in_every_script(lang: str, sentence: str, values: list[str]) -> None:
    found = [m.value for m in numbers_in(sentence, language=language_for(lang))]
    assert found == values


def test_a_counter_is_the_unit_of_a_cjk_number() -> None:
    [mention] = numbers_in("至少30名巴勒斯坦人死亡", language=language_for("zh"))
    assert mention.after[0] == "名"
    assert mention.phrase == "至少30名巴勒斯坦人"


def _changes(lang: str, before: str, after: str) -> list[tuple[str, str]]:
    language = language_for(lang)
    memory = StoryMemory(language=lang)
    memory.learn([before], [], language)
    novelty = memory.assess([after], [], language)
    return [(fact.before, fact.after) for fact in novelty.changed_facts]


def test_a_changed_number_is_paired_with_the_number_it_replaced() -> None:
    before = "Labor won 43 seats, short of the 76 it needed to achieve its 82-seat goal."
    after = "Labor won 50 seats, short of the 76 it needed to achieve its 82-seat goal."
    assert _changes("en", before, after) == [("Labor won 43 seats", "Labor won 50 seats")]


def test_only_the_number_that_changed_is_reported() -> None:
    before = "The strikes killed 24 people and injured 80 others in Gaza on Sunday."
    after = "The strikes killed 24 people and injured 95 others in Gaza on Sunday."
    [(old, new)] = _changes("en", before, after)
    assert "80" in old
    assert "95" in new


def test_a_number_added_to_an_edited_sentence_is_not_paired_with_another() -> None:
    before = "The strikes killed 24 people in Gaza on Sunday, officials said."
    after = "The strikes killed 24 people and injured 95 in Gaza on Sunday, officials said."
    assert _changes("en", before, after) == []


@pytest.mark.parametrize(
    ("lang", "before", "after", "old", "new"),
    [
        (
            "de",
            "Bei dem Angriff starben 1.200 Menschen.",
            "Bei dem Angriff starben 1.500 Menschen.",
            "1.200",
            "1.500",
        ),
        ("ar", "قتل ما لا يقل عن ٢٤ شخصا في غزة", "قتل ما لا يقل عن ٣٠ شخصا في غزة", "٢٤", "٣٠"),
        (
            "ja",
            "空爆で少なくとも２４人が死亡した。",
            "空爆で少なくとも３０人が死亡した。",
            "２４",
            "３０",
        ),
    ],
)
def test_a_changed_number_in_other_languages(
    lang: str, before: str, after: str, old: str, new: str
) -> None:
    [(was, now)] = _changes(lang, before, after)
    assert old in was
    assert new in now


def test_name_words_keep_their_own_final_s() -> None:
    assert "hamas" in content_terms("Hamas said", names=frozenset({"hamas"}))
    assert "palestinian" in content_terms("Palestinians said", names=frozenset({"palestinians"}))


def test_unspaced_scripts_are_matched_by_character_pairs() -> None:
    terms = content_terms("以色列和哈马斯", language_for("zh"))
    assert "哈马" in terms
    assert "马斯" in terms


def test_german_common_nouns_are_not_names() -> None:
    german = language_for("de")
    sentences = [
        "Israel und Hamas beginnen Gespräche in Ägypten",
        "Die Delegationen von Israel und der Hamas sind am Wochenende im Badeort Scharm "
        "el-Scheich eingetroffen.",
        "Die Verhandlungen über die Freilassung der Geiseln dauern an, 24 Menschen starben.",
    ]
    names = set(names_in(sentences, german))
    assert {"Hamas", "Scharm el-Scheich"} <= names  # "Israel" is common in German (Zipf 4.7)
    assert names.isdisjoint({"Verhandlungen", "Wochenende", "Delegationen", "Menschen"})
    assert names.isdisjoint({"Freilassung", "Badeort Scharm el-Scheich"})
