"""Which words are common in a language, and which rare terms of a text may be names.

Where capital letters say nothing (German capitalises every noun; Arabic, Hebrew, Chinese and
Japanese have no case) a name is a term that is *rare in the language*: not among the words
``wordfreq`` counts at least once in 100,000 (Zipf 4). Only those common words are kept (a few
thousand a language, read once from wordfreq's lists), not the full lists. A language wordfreq
does not cover has no common words: every term not a stopword may then be a name.

For scripts written without spaces, ``rare_terms`` cuts each run of characters at the common
words and stopwords it holds; the stretches left ("哈马斯", "沙姆沙伊赫", "ハマス") are the
candidates. Whether a candidate is a name is decided by the story: it must recur across outlets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from monitor.lang.profiles import Language
from monitor.lang.scripts import UNSPACED_CHARS

RARE_ZIPF = 4.0
_MAX_WORD = 6  # the longest common word looked for inside a run of an unspaced script
_UNSPACED_RUN = re.compile(f"[{UNSPACED_CHARS}]+")
# Katakana, in which Japanese writes foreign names, is taken a whole run at a time.
_KATAKANA_OR_OTHER = re.compile("[\u30a0-\u30ff]+|[^\u30a0-\u30ff]+")
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
# wordfreq's codes for the languages the engine names otherwise.
WORDFREQ_CODES = {"no": "nb", "sr": "sh", "hr": "sh", "bs": "sh", "tl": "fil"}


@lru_cache(maxsize=32)
def common_words(code: str) -> frozenset[str]:
    """The words of language ``code`` with a Zipf frequency of at least ``RARE_ZIPF``."""
    import wordfreq  # on first use: importing it walks the call stack (about 0.2 CPU-s)

    wordfreq_code = WORDFREQ_CODES.get(code, code)
    if wordfreq_code not in wordfreq.available_languages():
        return frozenset()
    buckets = wordfreq.get_frequency_list(wordfreq_code)
    common = frozenset(w for bucket in buckets[: int((9 - RARE_ZIPF) * 100) + 1] for w in bucket)
    wordfreq.get_frequency_list.cache_clear()  # the full lists are large; keep only the set
    return common


@lru_cache(maxsize=32)
def _function_characters(code: str) -> frozenset[str]:
    """Single characters that are stopwords of ``code`` and among its most frequent words
    (Zipf 5: "和", "の"); interjections such as "哈", also stopwords, start names too often."""
    import wordfreq

    from monitor.lang.profiles import language_for

    wordfreq_code = WORDFREQ_CODES.get(code, code)
    if wordfreq_code not in wordfreq.available_languages():
        return frozenset()
    stopwords = language_for(code).stopwords
    buckets = wordfreq.get_frequency_list(wordfreq_code)
    found = frozenset(w for b in buckets[:401] for w in b if len(w) == 1 and w in stopwords)
    wordfreq.get_frequency_list.cache_clear()
    return found


def is_common(word: str, language: Language) -> bool:
    """Whether the lower-cased ``word`` (or its stem: "ובעזה" → "עזה") is common in ``language``."""
    common = common_words(language.code)
    return word in common or language.stem(word) in common


def rare_terms(sentences: Iterable[str], language: Language) -> list[str]:
    """The terms of ``sentences`` that are rare in ``language``, in order, without repeats:
    words of three letters or more that are neither stopwords nor common (as written), and the
    stretches of runs of unspaced scripts left between common words."""
    found: dict[str, None] = {}
    for sentence in sentences:
        for run in _UNSPACED_RUN.findall(sentence):
            for part in _KATAKANA_OR_OTHER.findall(run):
                found.update(dict.fromkeys(_rare_stretches(part, language)))
        for word in _WORD.findall(_UNSPACED_RUN.sub(" ", sentence)):
            lowered = word.lower()
            if len(word) > 2 and lowered not in language.stopwords:
                found.update({} if is_common(lowered, language) else {word: None})
    return list(found)


def _rare_stretches(run: str, language: Language) -> list[str]:
    """``run`` without its common words (two characters or more, longest first) and one-
    character stopwords; the stretches of two characters or more that are left."""
    common = common_words(language.code)
    if "\u30a0" <= run[0] <= "\u30ff":
        return [run] if len(run) > 1 and run not in common else []
    cuts = _function_characters(language.code) or language.stopwords
    stretches: list[str] = []
    current = ""
    index = 0
    while index < len(run):
        length = _common_at(run, index, common)
        if length == 0 and run[index] in cuts:
            length = 1
        if length:
            stretches.append(current)
            current = ""
            index += length
        else:
            current += run[index]
            index += 1
    stretches.append(current)
    return [s for s in stretches if len(s) > 1]


def _common_at(run: str, index: int, common: frozenset[str]) -> int:
    """The length of the longest common word of two characters or more at ``run[index]``."""
    for length in range(min(_MAX_WORD, len(run) - index), 1, -1):
        if run[index : index + length] in common:
            return length
    return 0
