"""A declared language is confirmed from its frequent words only when the text plainly reads
as it; anything less is left to the n-gram model, which alone may overrule a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.lang import detect
from monitor.lang.confirm import WORDS_FILE, frequent_words, read_wordfreq

# Every language wordfreq covers that a page may declare, by its ISO 639-1 code.
CODES = "en de es fr pt it nl ca ro ru uk bg sv da no pl cs sk hr id ms tr fi hu tl he ar fa el "
CODES += "lt lv sl is vi hi"

ENGLISH = (
    "Israel and Hamas delegations have arrived in Egypt to begin talks on the second phase of "
    "the ceasefire, officials said on Monday. The talks are expected to focus on the release "
    "of the remaining hostages and on the withdrawal of troops from the corridor."
)
GERMAN = (
    "Die Delegationen von Israel und der Hamas sind in Ägypten eingetroffen, um über die "
    "zweite Phase der Waffenruhe zu verhandeln. Es geht vor allem um die Freilassung der "
    "übrigen Geiseln und um den Abzug der Truppen aus dem Korridor, sagten Vertreter am Montag."
)
SPANISH = (
    "Las delegaciones de Israel y de Hamás llegaron a Egipto para comenzar las conversaciones "
    "sobre la segunda fase del alto el fuego, según dijeron los funcionarios el lunes. Se "
    "espera que las conversaciones se centren en la liberación de los rehenes que quedan."
)
RUSSIAN = (
    "Делегации Израиля и ХАМАС прибыли в Египет, чтобы начать переговоры о второй фазе "
    "прекращения огня, сообщили в понедельник официальные лица. Ожидается, что на переговорах "
    "речь пойдёт об освобождении оставшихся заложников и о выводе войск из коридора."
)


@pytest.mark.parametrize(
    ("code", "text"), [("en", ENGLISH), ("de", GERMAN), ("es", SPANISH), ("ru", RUSSIAN)]
)
def test_a_text_in_its_declared_language_is_confirmed(code: str, text: str) -> None:
    assert frequent_words().confirms(code, text[: detect.VERIFY_CHARS])


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", GERMAN),  # a CMS's default declaration on a German page
        ("de", ENGLISH),
        ("fr", ENGLISH),
        ("ca", SPANISH),  # close languages are the model's to tell apart
        ("pt", SPANISH),
        ("it", SPANISH),
        ("uk", RUSSIAN),
        ("bg", RUSSIAN),
    ],
)
def test_a_text_in_another_language_is_not_confirmed(code: str, text: str) -> None:
    assert not frequent_words().confirms(code, text[: detect.VERIFY_CHARS])


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("en", "The talks in Cairo."),  # too few words to say
        ("xx", ENGLISH),  # a code wordfreq does not know
        ("eu", ENGLISH),  # Basque: not among wordfreq's languages
        ("ja", "イスラエルとハマスの代表団がエジプトに到着した。" * 10),  # no spaces between words
        ("en", "12:30 — 14 " * 30),
    ],
)
def test_what_cannot_be_told_is_left_to_the_model(code: str, text: str) -> None:
    assert not frequent_words().confirms(code, text)


def test_a_confirmed_page_skips_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_model(*_: object) -> None:
        raise AssertionError("the model was asked")

    monkeypatch.setattr(detect, "detect_language", no_model)
    assert detect.declared_or_detected("en-GB", ENGLISH * 2) == "en-GB"


def test_an_unconfirmed_page_is_still_overruled_by_the_model() -> None:
    assert detect.declared_or_detected("en", GERMAN * 2) == "de"
    assert detect.declared_or_detected("ca", SPANISH * 2) == "es"


@settings(max_examples=200, deadline=None)
@given(code=st.sampled_from(["en", "de", "ru", "ja", "no", "xx", ""]), text=st.text(max_size=400))
def test_any_text_gives_an_answer(code: str, text: str) -> None:
    assert frequent_words().confirms(code, text) in (True, False)


def test_the_kept_word_lists_are_wordfreqs() -> None:
    """``frequent_words.json`` is what ``python -m monitor.lang.confirm`` writes from the
    installed wordfreq."""
    assert json.loads(WORDS_FILE.read_text(encoding="utf-8")) == read_wordfreq()


def test_never_confirms_what_the_model_overrules_on_real_text(shared_dir: Path) -> None:
    """300-character pieces of real text in nine languages, each declared as any of 35
    languages: whatever is confirmed, the model would have kept too."""
    codes = CODES.split()
    words = frequent_words()
    confirmed = 0
    for path in sorted((shared_dir / "data" / "sentences-ud").glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        text = " ".join(" ".join(json.loads(line)["sentences"]) for line in lines)
        pieces = [text[i : i + detect.VERIFY_CHARS] for i in range(0, 60_000, 600)]
        for piece in pieces:
            for code in codes:
                if words.confirms(code, piece):
                    confirmed += 1
                    found = detect.detect_language(piece, detect.VERIFY_CHARS)
                    assert found in (None, code), (path.stem, code, piece)
    assert confirmed > 500  # the check does confirm most declarations in their own language
