"""Sentence ends in every script.

Western full stops, question and exclamation marks end a sentence when a space and a sentence
start follow (a capital, a digit, an opening quote, or a letter of a script without case); the
Arabic question mark, the Urdu full stop and the Devanagari danda end one before any space.
The full-width marks of Chinese and Japanese (。！？) end one with no space at all, quotes and
brackets after them included — except a closing quote followed by a particle
("「…。」と述べた"), which is a quotation inside a sentence. A full stop after an abbreviation of
the language, an initial ("J. K. Rowling") or, in languages that write ordinals so, a number
("am 1. Mai") is not an end.
"""

from __future__ import annotations

import re

from monitor.lang.profiles import Language
from monitor.lang.scripts import is_unspaced, starts_uncased

_CLOSERS = "\"'”’»)\\]」』）】〕〉》›"
_OPENERS = "\"'`“‘„«(\\[¿¡「『（【〈《‹–—- \u00a0"
_BOUNDARY = re.compile(
    rf"([.!?…‼⁇⁈⁉]+|[؟۔।॥]+|[。！？｡]+|[!?]+(?=[{_CLOSERS}]*[\u3040-\u30ff\u4e00-\u9fff]))"
    rf"([{_CLOSERS}]*)(\s*)"
)
# "ESPN. com", "iexplore. exe": a web address or file name with a space after its dot.
_WEB_SUFFIX = re.compile(r"(?:com|org|net|gov|edu|html?|php|exe|pdf)\b")
_FULL_WIDTH = frozenset("。！？｡")
_ALWAYS = frozenset("؟۔।॥")
# After a quotation closed inside a sentence, Japanese goes on with a particle or a comma.
_CONTINUES_QUOTE = re.compile(r"[\u3040-\u309f、，,とっ]")


def split_sentences(text: str, language: Language) -> list[str]:
    """Split running text into sentences; paragraph breaks always end a sentence."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\r?\n", text):
        sentences.extend(split_paragraph(" ".join(paragraph.split()), language))
    return sentences


def split_paragraph(paragraph: str, language: Language) -> list[str]:
    """The sentences of one paragraph whose whitespace is already collapsed."""
    if not paragraph:
        return []
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if match.end() >= len(paragraph) or not _is_boundary(paragraph, match, language):
            continue
        pieces.append(paragraph[start : match.end(2)].strip())
        start = match.end(3)
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def _is_boundary(paragraph: str, match: re.Match[str], language: Language) -> bool:
    marks, closers, space = match.group(1), match.group(2), match.group(3)
    following = paragraph[match.end(3) :]
    if marks[0] in _FULL_WIDTH or (marks[0] in "!?" and not space and is_unspaced(following[:1])):
        return not (closers and _CONTINUES_QUOTE.match(following))
    if not space:
        return False
    if marks[0] in _ALWAYS:
        return True
    if not _starts_sentence(following):
        return _starts_lower_case_sentence(paragraph, match, language)
    return not (marks == "." and not closers and _is_false_boundary(paragraph, match, language))


def _starts_lower_case_sentence(paragraph: str, match: re.Match[str], language: Language) -> bool:
    """Informal text starts sentences in lower case: "it was my fault. i will call." A mark
    ends one there only after a plain word of four letters or more (a question or exclamation
    mark: two), never after an abbreviation of the language ("Calif. rehab"), an initial or a
    number."""
    marks, closers = match.group(1), match.group(2)
    if closers or marks not in {".", "?", "!"}:
        return False
    following = paragraph[match.end(3) :].lstrip(_OPENERS)
    if not following[:1].isalpha() or _WEB_SUFFIX.match(following):
        return False
    before = paragraph[: match.start(1)].rsplit(None, 1)
    word = before[-1] if before else ""
    bare = word.lower()
    if not word.isalpha() or bare in language.abbreviations or bare in language.short_forms:
        return False
    return len(word) > 3 or (marks != "." and len(word) > 1)


def _starts_sentence(text: str) -> bool:
    """A capital, a digit, or a letter of a script without case, after any opening marks."""
    rest = text.lstrip(_OPENERS)
    if not rest:
        return False
    first = rest[0]
    return first.isupper() or first.isdigit() or starts_uncased(rest)


def _is_false_boundary(paragraph: str, match: re.Match[str], language: Language) -> bool:
    """Whether the full stop at ``match`` ends an abbreviation, an initial or an ordinal."""
    before = paragraph[: match.start(1)].rsplit(None, 1)
    word = before[-1] if before else ""
    bare = word.lstrip(_OPENERS).lower()
    following = paragraph[match.end(3) :].split(None, 1)
    next_word = following[0].strip(_OPENERS + _CLOSERS).lower() if following else ""
    if len(bare) == 1 and bare.isalpha() and word[-1:].isupper():
        return True  # an initial: "J. K. Rowling", "В. Путин"
    if "." in bare and bare.replace(".", "").isalpha():
        return next_word not in language.sentence_starters  # "U.S." mid-sentence
    if language.ordinal_dot and bare.isdigit() and len(bare) <= 3:
        return next_word not in language.sentence_starters  # "am 1. Mai", "der 3. Platz"
    if bare in {"no", "nos", "nr", "n°"}:
        return next_word[:1].isdigit()  # "No. 5", but "said no. Then"
    return bare in language.abbreviations and bare not in {"etc", "co", "inc", "ltd", "usw"}
