"""The bulk scorer gives py3langid's own answers: same language, same confidence."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.lang.detect import _identifier, py3langid_identifier
from monitor.lang.identify import ByteModel

SENTENCES = [
    "Israel and Hamas delegations have arrived in Egypt to begin talks on Monday.",
    "Die Gespräche zwischen Israel und der Hamas haben in Ägypten begonnen.",
    "Las conversaciones entre Israel y Hamás comenzaron en Egipto.",
    "Переговоры между Израилем и ХАМАС начались в Египте.",
    "وصل وفدا إسرائيل وحماس إلى شرم الشيخ لبدء المفاوضات.",
    "以色列和哈马斯代表团已抵达埃及沙姆沙伊赫。",
    "BREAKING: MARKETS FALL AS RATES RISE",  # all capitals: lower-cased first
    "Ação, coração e informação: é o que há.",
    "e\u0301te\u0301 au cafe\u0301",  # decomposed accents: NFC first
    "",
    "12:30 — 14",
    "a",
]


def _same(text: str) -> None:
    expected_code, expected_confidence = py3langid_identifier().classify(text)
    code, confidence = _identifier().classify(text)
    assert code == expected_code
    assert confidence == pytest.approx(expected_confidence, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("text", SENTENCES)
def test_same_answer_as_py3langid(text: str) -> None:
    _same(text)


def test_same_answer_on_long_mixed_text() -> None:
    _same(" ".join(SENTENCES) * 5)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_same_answer_on_any_text(text: str) -> None:
    _same(text)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüéèçñß ,.'-", min_size=1, max_size=300))
def test_same_answer_on_latin_text(text: str) -> None:
    _same(text)


def test_model_values_that_are_not_normal_are_widened_exactly() -> None:
    """A model holding a zero, a subnormal or an infinity is widened as numpy widens it."""
    original: Any = py3langid_identifier()

    class Copy:
        tk_nextmove = original.tk_nextmove
        tk_row = original.tk_row
        tk_output = original.tk_output
        nb_ptc = original.nb_ptc.copy()
        nb_pc = original.nb_pc
        nb_classes = original.nb_classes

    Copy.nb_ptc[0, :3] = (0.0, 1e-6, -np.inf)  # a zero, a subnormal, an infinity
    model = ByteModel(Copy)
    features = np.arange(4)
    assert np.array_equal(model._rows_of(features), Copy.nb_ptc[features].astype(np.float32))
    text = "Israel and Hamas delegations have arrived in Egypt to begin talks."
    assert model.classify(text)[0] == _identifier().classify(text)[0]
