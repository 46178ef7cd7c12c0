"""Which language a text is written in, when the page does not say (or says it wrongly).

py3langid (a fast Naive Bayes over byte n-grams, 97 languages) was chosen by measurement
(``benchmarks/language.py``): on Mozilla's readability test pages it is as right as lingua on
article text (70 of 73; the other three are lorem ipsum) and about twenty times faster. Scripts
that name their language (kana, Hangul, Han, Thai, Hebrew, Greek) are read before the model is
asked. Short texts (a headline alone) are where detectors err, so the engine detects on the
headline and the first paragraphs together, and abstains below ``MIN_CONFIDENCE``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

SAMPLE_CHARS = 600
# Checking a declared language needs less text than finding one: on the 838 pages of the three
# extraction sets, 300 characters overrule the same 23 declarations as 600 but one, at half the
# cost (the model walks every byte of the sample in Python).
VERIFY_CHARS = 300
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.3
# Chinese varieties the model tells apart are one language for the engine.
_SAME_AS = {"wuu": "zh", "yue": "zh", "cmn": "zh", "nb": "no", "nn": "no", "iw": "he"}
_ASCII_NON_LETTERS = bytes(code for code in range(128) if not chr(code).isalpha())
# Scripts that name their language outright (Greek, the first of them, starts at U+0370).
_FIRST_NAMING = "\u0370"
_KANA = re.compile("[\u3040-\u30ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_SCRIPT_LANGUAGES = (
    (re.compile("[\uac00-\ud7af]"), "ko"),
    (re.compile("[\u0e00-\u0e7f]"), "th"),
    (re.compile("[\u0590-\u05ff]"), "he"),
    (re.compile("[\u0370-\u03ff]"), "el"),
)


class _Identifier(Protocol):
    def classify(self, text: str) -> tuple[str, float]: ...


@lru_cache(maxsize=1)
def py3langid_identifier() -> _Identifier:
    """py3langid's own identifier over its bundled model (loaded once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier: _Identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return identifier


@lru_cache(maxsize=1)
def _identifier() -> _Identifier:
    """The same model scored in bulk (``monitor.lang.identify``): same answers, a third of the
    time."""
    from monitor.lang.identify import ByteModel

    return ByteModel(py3langid_identifier())


def detect_language(text: str, sample_chars: int = SAMPLE_CHARS) -> str | None:
    """The ISO 639-1 code of the language of ``text`` (its first ``sample_chars``), or None when
    too short or unsure."""
    sample = text[:sample_chars]
    if sample.isascii():  # a flag: ASCII letters counted by deleting all else, in C
        if len(sample.encode("ascii").translate(None, _ASCII_NON_LETTERS)) < MIN_LETTERS:
            return None
        by_script = None
    else:
        letters = sum(map(str.isalpha, sample))
        if letters < MIN_LETTERS:
            return None
        # Every script that names its language lies above U+036F.
        by_script = None if max(sample) < _FIRST_NAMING else _by_script(sample, letters)
    if by_script is not None:
        return by_script
    code, confidence = _identifier().classify(sample)
    return _SAME_AS.get(code, str(code)) if confidence >= MIN_CONFIDENCE else None


def _by_script(sample: str, letters: int) -> str | None:
    """The language a script alone names, when most of the ``letters`` are written in it: Han
    with some kana is Japanese, Han alone Chinese."""
    kana, han = len(_KANA.findall(sample)), len(_HAN.findall(sample))
    if (kana + han) * 2 > letters:
        return "ja" if kana * 10 > kana + han else "zh"
    for pattern, code in _SCRIPT_LANGUAGES:
        if len(pattern.findall(sample)) * 2 > letters:
            return code
    return None


def declared_or_detected(declared: str | None, text: str) -> str | None:
    """The page's own language tag, unless a confident detection on enough text contradicts
    its primary language ("en" on a page written in German); else the detected one."""
    if declared is None:
        return detect_language(text)
    if len(text) < VERIFY_CHARS:
        return declared  # too little text to overrule the page
    from monitor.lang.confirm import frequent_words  # numpy, on the first page checked

    primary = declared.split("-")[0].lower()
    if frequent_words().confirms(primary, text[:VERIFY_CHARS]):
        return declared  # its commonest words say so plainly (see monitor.lang.confirm)
    detected = detect_language(text, VERIFY_CHARS)
    if detected is None or detected == primary:
        return declared
    return detected
