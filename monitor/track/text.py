"""Text units: sentences, their comparison form, terms, names, numbers and shingle sketches.

Everything here is a pure function of a string. The splitter is rule based and survives the
usual traps of news copy: abbreviations ("U.S.", "Dr.", "Gen."), initials ("J. K. Rowling"),
decimals ("3.5"), quotes closing a sentence, and place names such as "Sharm el-Sheikh".
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.lang import ENGLISH, Language
from monitor.lang import split_sentences as split_in_language
from monitor.lang.rarity import is_common
from monitor.lang.scripts import UNSPACED, UNSPACED_CHARS

_QUOTE_MAP = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "`": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "−": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "٫": ".",
        "٬": ",",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits
        **{chr(0x0966 + d): str(d) for d in range(10)},  # Devanagari digits
    }
)
_UNSPACED_CHAR = re.compile(f"([{UNSPACED_CHARS}])")
_UNSPACED_RUN = re.compile(f"[{UNSPACED_CHARS}]+")
_TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?%?")
# Where a comma is the decimal mark, a full stop before three digits groups thousands.
_NUMBER_DECIMAL_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|\d+\.\d+")
_PREFIXED_DIGITS = re.compile(r"(?<![^\W\d_])([\u05d0-\u05ea\u0620-\u064a])(?=[\d٠-٩۰-۹])")
# "1 000", "12 500 000": thousands grouped with spaces (French, Russian, Polish…).
_SPACE_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d])")
_STAMP = re.compile(
    r"^(?:(?:last\s+)?(?:updated|published|posted|modified|edited)\b.{0,40}"
    r"(?:ago|\d{1,2}:\d{2}|\bgmt\b|\butc\b|\bet\b)|\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?)\s+ago)"
    r"\W*$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Unicode-normalise ``text`` and fold typographic quotes, dashes and spaces to ASCII."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)


def split_sentences(text: str, language: Language = ENGLISH) -> list[str]:
    """Split running text into sentences; paragraph breaks always end a sentence."""
    return split_in_language(text, language)


def spaced(text: str) -> str:
    """``text`` with a space around every character of a script written without spaces, so that
    each such character is a token of its own (Chinese, Japanese, Thai)."""
    if not UNSPACED.search(text):
        return text
    return _UNSPACED_CHAR.sub(r" \1 ", text)


def comparison_form(sentence: str) -> str:
    """The form two sentences are compared in: case, quotes, dashes, punctuation, spaces folded."""
    return " ".join(_TOKEN.findall(spaced(fold(sentence).lower().replace("'", ""))))


def words(sentence: str) -> list[str]:
    """Lower-cased word tokens of ``sentence`` (numbers keep their decimal point)."""
    return _TOKEN.findall(spaced(_lowered(sentence)))


def _lowered(sentence: str) -> str:
    return fold(sentence).lower().replace("'s ", " ").replace("'", "")


def stem(word: str, language: Language = ENGLISH) -> str:
    """The stem of a lower-cased word in ``language`` (English: plural and possessive only)."""
    return language.stem(word)


def content_terms(
    sentence: str, language: Language = ENGLISH, names: frozenset[str] = frozenset()
) -> list[str]:
    """Stemmed content words of ``sentence``: no stopwords, no one-letter tokens.

    Words of ``names`` get the language's name stem, which never strips a name's own ending
    ("Hamas" stays "hamas"). Runs of a script written without spaces become overlapping
    character pairs ("哈马斯" → "哈马", "马斯").
    """
    terms: list[str] = []
    stopwords = language.stopwords
    for token in _TOKEN.findall(_lowered(sentence)):
        if UNSPACED.search(token):
            terms.extend(_unspaced_terms(token, stopwords))
        elif token not in stopwords and len(token) > 1:
            stem_of = language.name_stem if token in names else language.stem
            terms.append(stem_of(token))
    return terms


def _unspaced_terms(token: str, stopwords: frozenset[str]) -> list[str]:
    """Character pairs of the unspaced runs of ``token``; digits and Latin parts as words."""
    terms: list[str] = []
    position = 0
    for run in _UNSPACED_RUN.finditer(token):
        terms.extend(part for part in _TOKEN.findall(token[position : run.start()]))
        chars = run.group()
        if len(chars) == 1:
            terms.extend([chars] if chars not in stopwords else [])
        else:
            terms.extend(chars[i : i + 2] for i in range(len(chars) - 1))
        position = run.end()
    terms.extend(_TOKEN.findall(token[position:]))
    return terms


def is_stamp(sentence: str) -> bool:
    """Whether ``sentence`` is page furniture such as "Updated 5 minutes ago"."""
    return bool(_STAMP.match(fold(sentence).strip()))


def shingle_hashes(tokens: Sequence[str], size: int = 3) -> set[int]:
    """Deterministic 32-bit hashes of the word ``size``-grams of ``tokens``."""
    if len(tokens) < size:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    return {
        zlib.crc32(" ".join(tokens[i : i + size]).encode()) for i in range(len(tokens) - size + 1)
    }


def bottom_k(hashes: Iterable[int], k: int) -> tuple[int, ...]:
    """A bottom-k sketch: the ``k`` smallest hashes, sorted."""
    return tuple(sorted(set(hashes))[:k])


def sketch_similarity(first: Sequence[int], second: Sequence[int], k: int) -> float:
    """Jaccard similarity estimated from two bottom-k sketches."""
    if not first or not second:
        return 0.0
    union = sorted(set(first) | set(second))[:k]
    shared = set(first) & set(second)
    return sum(1 for h in union if h in shared) / len(union)


def names_in(sentences: Sequence[str], language: Language = ENGLISH) -> list[str]:
    """Names of people, organisations and places: runs of capitalised words.

    A capitalised first word of a sentence only counts when the document capitalises it
    elsewhere too, so "Despite" or "Meanwhile" do not become names.
    """
    tokenised = [_tokens_with_case(s) for s in sentences]
    running_text = [tokens for tokens in tokenised if not _is_title_case(tokens)]
    capitalised_inside: set[str] = set()
    for tokens in running_text:
        inside = tokens[_first_word(tokens) + 1 :]
        capitalised_inside.update(t.lower().rstrip(".") for t in inside if _is_capitalised(t))
    found: list[str] = []
    for tokens in tokenised:
        if _is_title_case(tokens):  # a headline: keep only words the body capitalises
            tokens = [t if t.lower() in capitalised_inside else "," for t in tokens]
        found.extend(_runs(tokens, capitalised_inside, language))
    if language.noun_markers:
        nouns = _used_as_nouns(tokenised, language.noun_markers)
        found = [kept for name in found if (kept := _without_nouns(name, nouns, language))]
        found = [kept for name in found if (kept := _without_common(name, language))]
    return found


def _without_common(name: str, language: Language) -> str:
    """Where every noun is capitalised (German), ``name`` without the words common in the
    language at its ends ("Verhandlungen", "Wochenende"); empty when no rare word is left."""
    kept = name.split()
    while kept and _common_word(kept[0], language):
        kept = kept[1:]
    while kept and _common_word(kept[-1], language):
        kept = kept[:-1]
    return " ".join(kept)


def _common_word(word: str, language: Language) -> bool:
    lowered = word.lower()
    return lowered in language.name_connectors or is_common(lowered, language)


def _without_nouns(name: str, nouns: set[str], language: Language) -> str:
    """``name`` without the common nouns it starts or ends with ("Badeort Scharm el-Scheich"
    → "Scharm el-Scheich"); empty when nothing else is left."""
    words = name.split()
    while words and (words[0].lower() in nouns or words[0].lower() in language.name_connectors):
        words = words[1:]
    while words and (words[-1].lower() in nouns or words[-1].lower() in language.name_connectors):
        words = words[:-1]
    return " ".join(words)


def _used_as_nouns(tokenised: Sequence[list[str]], markers: frozenset[str]) -> set[str]:
    """Where every noun is capitalised (German), the capitalised words that most often follow
    an article, a number or an inflected adjective ("die Verhandlungen", "am Wochenende",
    "24 Menschen", "indirekten Gesprächen"): common nouns, not names. "Israel und Hamas" and
    "der Hamas" leave Hamas a name."""
    marked: dict[str, int] = {}
    seen: dict[str, int] = {}
    for tokens in tokenised:
        for previous, token in zip([".", *tokens[:-1]], tokens, strict=True):
            if not _is_capitalised(token):
                continue
            word = token.lower().rstrip(".")
            seen[word] = seen.get(word, 0) + 1
            if _marks_a_noun(previous, markers):
                marked[word] = marked.get(word, 0) + 1
    return {word for word, count in marked.items() if count * 2 > seen[word]}


def _marks_a_noun(previous: str, markers: frozenset[str]) -> bool:
    word = previous.lower()
    if word in markers or previous[:1].isdigit():
        return True
    return previous.islower() and word.endswith(("e", "en", "er", "es", "em"))


def _tokens_with_case(sentence: str) -> list[str]:
    """Word tokens and punctuation marks; punctuation ends a run of name words. An elided
    article or preposition is a token of its own ("d'Israël" → "d'", "Israël")."""
    return re.findall(r"\b[a-z]{1,2}'(?=[A-Z])|\w+(?:[.'-]\w+)*\.?|[^\w\s]", fold(sentence))


def _is_capitalised(token: str) -> bool:
    if token[:3].lower() in {"el-", "al-"} and token[3:4].isupper():
        return True  # "el-Sheikh", "al-Sisi"
    return token[:1].isupper() and any(ch.isalpha() for ch in token)


def _is_title_case(tokens: list[str]) -> bool:
    """A headline or a subheading: most long words capitalised and no closing full stop."""
    if tokens and tokens[-1].endswith((".", "!", "?", '"')):
        return False
    long_words = [t for t in tokens if len(t) > 3 and t[:1].isalpha()]
    capitalised = sum(1 for t in long_words if t[:1].isupper())
    return len(long_words) >= 2 and capitalised / len(long_words) > 0.6


def _first_word(tokens: list[str]) -> int:
    return next((i for i, t in enumerate(tokens) if t[:1].isalnum()), 0)


def _runs(tokens: list[str], capitalised_inside: set[str], language: Language) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    first_word = _first_word(tokens)
    for index, raw in enumerate(tokens):
        token = raw if re.fullmatch(r"(?:[A-Z]\.)+", raw) else raw.rstrip(".")
        lowered = token.lower()
        name_like = _is_capitalised(token) and lowered not in language.calendar_words
        if name_like and index == first_word:
            name_like = lowered in capitalised_inside and lowered not in language.stopwords
        connector = bool(current) and lowered in language.name_connectors
        if (name_like and lowered not in language.stopwords) or (
            connector and index + 1 < len(tokens)
        ):
            current.append(token)
        else:
            runs.extend(_close_run(current, language))
            current = []
    runs.extend(_close_run(current, language))
    return runs


def _close_run(run: list[str], language: Language) -> list[str]:
    while run and run[-1].lower() in language.name_connectors:
        run = run[:-1]
    return [" ".join(run)] if run else []


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number in a sentence with the words around it, to tell "24 killed" from "24 hours"."""

    value: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    phrase: str


def numbers_in(sentence: str, window: int = 3, language: Language = ENGLISH) -> list[NumberMention]:
    """The numbers of ``sentence`` (digits in any script and number words of ``language``)
    with their context words; a counter after a number ("30名") is its first context word."""
    tokens = _number_tokens(sentence, language)
    mentions: list[NumberMention] = []
    occurrences: dict[str, int] = {}
    for index, token in enumerate(tokens):
        value = number_value(token, language)
        if value is None or is_year(value) or _is_date(tokens, index, language):
            continue
        before = tuple(_context(tokens[max(0, index - window) : index], language))
        after = tuple(_context(tokens[index + 1 : index + 1 + window], language))
        occurrence = occurrences.get(value, 0)
        occurrences[value] = occurrence + 1
        phrase = _display_phrase(sentence, value, occurrence, language) or _joined(
            tokens[max(0, index - 2) : index + 3]
        )
        mentions.append(NumberMention(value, before, after, phrase))
    return mentions


def _number_tokens(sentence: str, language: Language) -> list[str]:
    return _TOKEN.findall(spaced(_grouped(_lowered(sentence), language)))


def _grouped(text: str, language: Language) -> str:
    """``text`` with thousands grouped by spaces written together ("1 000" → "1000"), and a
    one-letter Arabic or Hebrew prefix parted from the digits it is written onto ("و12")."""
    if language.is_english:
        return text
    text = _PREFIXED_DIGITS.sub(r"\1 ", text)
    return _SPACE_GROUPED.sub(lambda m: m.group().replace(" ", ""), text)


def _is_date(tokens: Sequence[str], index: int, language: Language) -> bool:
    """A day of a month ("1. Mai", "24 октября", "10月5日") is a date, not a count. English
    keeps its measured behaviour."""
    if language.is_english:
        return False
    neighbours = [*tokens[index + 1 : index + 2], *tokens[max(0, index - 1) : index]]
    return any(t in language.calendar_words for t in neighbours)


def _joined(tokens: Sequence[str]) -> str:
    """Tokens joined as text: no space next to a character of an unspaced script."""
    text = ""
    for token in tokens:
        glue = not text or UNSPACED.match(token[:1]) or UNSPACED.match(text[-1:])
        text += token if glue else " " + token
    return text


_DISPLAY_TOKEN = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*%?|[,;:()\"“”—–、，。]")


def _display_phrase(
    sentence: str, value: str, occurrence: int, language: Language = ENGLISH
) -> str | None:
    """The number as the sentence writes it, with up to two words on each side that belong to
    it ("at least 30 Palestinians"), stopping at punctuation and at function words after it."""
    tokens = _DISPLAY_TOKEN.findall(spaced(_grouped(sentence, language)))
    seen = 0
    for index, token in enumerate(tokens):
        if number_value(fold(token).lower().rstrip("%").replace("’", "'"), language) != value:
            continue
        if seen < occurrence:
            seen += 1
            continue
        left: list[str] = []
        for word in reversed(tokens[max(0, index - 6) : index]):
            if not word[0].isalnum() or _phrase_full(left):
                break
            left.insert(0, word)
        right: list[str] = []
        for word in tokens[index + 1 : index + 7]:
            if not word[0].isalnum() or _ends_phrase(word.lower(), language) or _phrase_full(right):
                break
            right.append(word)
        return _joined([*left, token, *right])
    return None


def _ends_phrase(word: str, language: Language) -> bool:
    """A function word after the number ends its phrase ("30 killed in" stops before "in");
    the broad stopword lists of other languages also hold nouns, so only short ones count, and
    never a character of an unspaced script (counters such as 人 are in those lists)."""
    if UNSPACED.match(word):
        return False
    return word in language.stopwords and (language.is_english or len(word) <= 3)


def _phrase_full(words: list[str]) -> bool:
    """Two words of context, or six characters of an unspaced script, are enough."""
    unspaced = sum(1 for w in words if UNSPACED.match(w))
    return unspaced >= 6 or len(words) - unspaced >= 2


def number_value(token: str, language: Language = ENGLISH) -> str | None:
    """The value of one lower-cased token if it is a number ("1,000", "1.000" in German,
    "twenty"), as a plain decimal string; None if it is not one."""
    if not language.decimal_comma:
        if _NUMBER.fullmatch(token):
            return token.replace(",", "")
    elif _NUMBER_DECIMAL_COMMA.fullmatch(token):
        grouped = re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", token)
        plain = token.replace(".", "") if grouped else token
        return plain.replace(",", ".")
    return language.number_words.get(token)


def is_year(value: str) -> bool:
    """A four-digit number between 1900 and 2100."""
    return len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2100


def _context(tokens: list[str], language: Language = ENGLISH) -> list[str]:
    if language.is_english:
        return [stem(t) for t in tokens if t not in {"the", "a", "an", "of"}]
    return [language.stem(t) for t in tokens]
