"""Language detection: scripts first, then py3langid; the page's declaration wins unless wrong."""

from __future__ import annotations

import pytest

from monitor.lang.detect import declared_or_detected, detect_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("以色列和哈马斯代表团已抵达埃及沙姆沙伊赫。谈判将于周一开始。", "zh"),
        ("イスラエルとハマスの代表団がエジプトに到着した。", "ja"),
        ("日本政府は東京で会議を開催した。", "ja"),
        ("המשלחות של ישראל וחמאס הגיעו למצרים.", "he"),
        ("وصل وفدا إسرائيل وحماس إلى شرم الشيخ لبدء المفاوضات.", "ar"),
        ("Переговоры между Израилем и ХАМАС начались в Египте.", "ru"),
        ("Die Gespräche zwischen Israel und der Hamas haben in Ägypten begonnen.", "de"),
        ("Las conversaciones entre Israel y Hamás comenzaron en Egipto.", "es"),
        ("Israel and Hamas delegations have arrived in Egypt to begin talks.", "en"),
    ],
)
def test_detects_the_language_of_a_sentence(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_too_little_text_is_not_guessed() -> None:
    assert detect_language("Talks") is None
    assert detect_language("12:30 — 14") is None


def test_the_page_declaration_wins_unless_the_text_contradicts_it() -> None:
    german = "Die Gespräche zwischen Israel und der Hamas haben in Ägypten begonnen. " * 6
    assert declared_or_detected("de-DE", german) == "de-DE"
    assert declared_or_detected("en", german) == "de"
    assert declared_or_detected("en", "Kurz.") == "en"
    assert declared_or_detected(None, german) == "de"
