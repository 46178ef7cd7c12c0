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


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


def word_set_in_order(text: str) -> list[str]:
    """The whitespace-separated words of ``text``, in order."""
    return text.split()


ABBREVIATIONS: frozenset[str] = word_set(
    """mr mrs ms dr prof sr jr st mt ft gen lt col maj capt sgt cpl adm cmdr gov sen rep rev hon
    pres supt insp det no nos vs etc inc corp ltd co bros dept univ jan feb mar apr jun jul aug
    sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun approx est fig al
    ave blvd rd e.g i.e a.m p.m u.s u.k u.n u.s.a e.u"""
)
SENTENCE_STARTERS: frozenset[str] = word_set(
    """the a an he she it they we i you this that these those his her its their our but and
    yet so however meanwhile still in on at for as if when while after before there here
    then now officials police"""
)
STOPWORDS: frozenset[str] = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according would could may might must shall since
    per via among amid within without across around upon onto one two three new like just
    s t don didn doesn isn wasn weren won wouldn couldn shouldn ve ll re d m"""
)
CALENDAR_WORDS: frozenset[str] = word_set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december today yesterday tomorrow"""
)
NAME_CONNECTORS: frozenset[str] = frozenset(
    {"el", "al", "de", "da", "di", "van", "von", "bin", "of"}
)
NUMBER_WORDS: dict[str, str] = {
    word: str(value)
    for value, word in enumerate(
        word_set_in_order(
            """zero one two three four five six seven eight nine ten eleven twelve thirteen
            fourteen fifteen sixteen seventeen eighteen nineteen twenty"""
        )
    )
}
NUMBER_WORDS.update(thirty="30", forty="40", fifty="50", hundred="100", dozens="dozens")

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
    }
)
_BOUNDARY = re.compile(r"""([.!?…]+)(["'”’)\]]*)(\s+)(?=["'“‘(\[]*[A-Z0-9])""")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:[.,'][A-Za-z0-9\u00c0-\u024f]+)*")
_TOKEN = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])\d+(?:\.\d+)?%?")
_STAMP = re.compile(
    r"^(?:(?:last\s+)?(?:updated|published|posted|modified|edited)\b.{0,40}"
    r"(?:ago|\d{1,2}:\d{2}|\bgmt\b|\butc\b|\bet\b)|\d+\s+(?:min(?:ute)?s?|hours?|hrs?|days?)\s+ago)"
    r"\W*$",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Unicode-normalise ``text`` and fold typographic quotes, dashes and spaces to ASCII."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTE_MAP)


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences; paragraph breaks always end a sentence."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\r?\n", text):
        sentences.extend(_split_paragraph(" ".join(paragraph.split())))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    if not paragraph:
        return []
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        if _is_false_boundary(paragraph, match):
            continue
        end = match.end(2)
        pieces.append(paragraph[start:end].strip())
        start = match.end(3)
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def _is_false_boundary(paragraph: str, match: re.Match[str]) -> bool:
    """Whether the punctuation at ``match`` ends an abbreviation or an initial, not a sentence."""
    if match.group(1) != "." or match.group(2):
        return False
    before = paragraph[: match.start(1)].rsplit(None, 1)
    word = before[-1] if before else ""
    bare = word.lstrip("\"'([").lower()
    following = paragraph[match.end(3) :].split(None, 1)
    next_word = following[0].strip("\"'([").lower() if following else ""
    if len(bare) == 1 and bare.isalpha() and word[-1:].isupper():
        return True  # an initial: "J. K. Rowling"
    if "." in bare and bare.replace(".", "").isalpha():
        return next_word not in SENTENCE_STARTERS  # "U.S." mid-sentence, unless a new one starts
    if bare in {"no", "nos"}:
        return next_word[:1].isdigit()  # "No. 5", but "said no. Then"
    return bare in ABBREVIATIONS and bare not in {"etc", "co", "inc", "ltd"}


def comparison_form(sentence: str) -> str:
    """The form two sentences are compared in: case, quotes, dashes, punctuation, spaces folded."""
    return " ".join(_TOKEN.findall(fold(sentence).lower().replace("'", "")))


def words(sentence: str) -> list[str]:
    """Lower-cased word tokens of ``sentence`` (numbers keep their decimal point)."""
    return _TOKEN.findall(fold(sentence).lower().replace("'s ", " ").replace("'", ""))


def stem(word: str) -> str:
    """A light, deterministic stem: plural and possessive endings only."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(sentence: str) -> list[str]:
    """Stemmed content words of ``sentence``: no stopwords, no one-letter tokens."""
    return [stem(w) for w in words(sentence) if w not in STOPWORDS and len(w) > 1]


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


def names_in(sentences: Sequence[str]) -> list[str]:
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
        found.extend(_runs(tokens, capitalised_inside))
    return found


def _tokens_with_case(sentence: str) -> list[str]:
    """Word tokens and punctuation marks; punctuation ends a run of name words."""
    return re.findall(r"\w+(?:[.'-]\w+)*\.?|[^\w\s]", fold(sentence))


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


def _runs(tokens: list[str], capitalised_inside: set[str]) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    first_word = _first_word(tokens)
    for index, raw in enumerate(tokens):
        token = raw if re.fullmatch(r"(?:[A-Z]\.)+", raw) else raw.rstrip(".")
        name_like = _is_capitalised(token) and token.lower() not in CALENDAR_WORDS
        if name_like and index == first_word:
            name_like = token.lower() in capitalised_inside and token.lower() not in STOPWORDS
        connector = bool(current) and token.lower() in NAME_CONNECTORS and index + 1 < len(tokens)
        if (name_like and token.lower() not in STOPWORDS) or connector:
            current.append(token)
        else:
            runs.extend(_close_run(current))
            current = []
    runs.extend(_close_run(current))
    return runs


def _close_run(run: list[str]) -> list[str]:
    while run and run[-1].lower() in NAME_CONNECTORS:
        run = run[:-1]
    return [" ".join(run)] if run else []


@dataclass(frozen=True, slots=True)
class NumberMention:
    """A number in a sentence with the words around it, to tell "24 killed" from "24 hours"."""

    value: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    phrase: str


def numbers_in(sentence: str, window: int = 3) -> list[NumberMention]:
    """The numbers of ``sentence`` (digits and small number words) with their context words."""
    tokens = words(sentence)
    mentions: list[NumberMention] = []
    occurrences: dict[str, int] = {}
    for index, token in enumerate(tokens):
        value = _number_value(token)
        if value is None or is_year(value):
            continue
        before = tuple(_context(tokens[max(0, index - window) : index]))
        after = tuple(_context(tokens[index + 1 : index + 1 + window]))
        occurrence = occurrences.get(value, 0)
        occurrences[value] = occurrence + 1
        phrase = _display_phrase(sentence, value, occurrence) or " ".join(
            tokens[max(0, index - 2) : index + 3]
        )
        mentions.append(NumberMention(value, before, after, phrase))
    return mentions


_DISPLAY_TOKEN = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f]+(?:[.,'’][A-Za-z0-9\u00c0-\u024f]+)*%?|[,;:()\"“”—–]"
)


def _display_phrase(sentence: str, value: str, occurrence: int) -> str | None:
    """The number as the sentence writes it, with up to two words on each side that belong to
    it ("at least 30 Palestinians"), stopping at punctuation and at function words after it."""
    tokens = _DISPLAY_TOKEN.findall(sentence)
    seen = 0
    for index, token in enumerate(tokens):
        if _number_value(token.lower().rstrip("%").replace("’", "'")) != value:
            continue
        if seen < occurrence:
            seen += 1
            continue
        left: list[str] = []
        for word in reversed(tokens[max(0, index - 2) : index]):
            if not word[0].isalnum():
                break
            left.insert(0, word)
        right: list[str] = []
        for word in tokens[index + 1 : index + 3]:
            if not word[0].isalnum() or word.lower() in STOPWORDS:
                break
            right.append(word)
        return " ".join([*left, token, *right])
    return None


def _number_value(token: str) -> str | None:
    if _NUMBER.fullmatch(token):
        return token.replace(",", "")
    return NUMBER_WORDS.get(token)


def is_year(value: str) -> bool:
    """A four-digit number between 1900 and 2100."""
    return len(value) == 4 and value.isdigit() and 1900 <= int(value) <= 2100


def _context(tokens: list[str]) -> list[str]:
    return [stem(t) for t in tokens if t not in {"the", "a", "an", "of"}]
