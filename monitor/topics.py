"""Topic queries: parse them, match them against text, and pick the topics a development concerns.

A query is either one boolean expression::

    (gaza OR hamas) AND (ceasefire OR hostage*) AND NOT football

or three lists (``any`` / ``all`` / ``none``) whose items are themselves small queries. Matching is
case-insensitive and on whole words: ``gaza`` does not match "Gazans", ``hostage*`` matches
"hostage" and "hostages", and ``"peace talks"`` matches those two words next to each other.
Adjacent terms without an operator are joined by AND; AND binds tighter than OR; ``NOT``
(also written ``-term``) negates what follows. Operators are case-insensitive; quote a word
("not") to search for it.

Queries match in the article's own script: a term in Chinese or Japanese (written without
spaces) matches as a run of characters anywhere in the text (``哈马斯``), and an Arabic or
Hebrew term also matches with a one-letter prefix written onto it (``حماس`` in "وحماس"), so
``hamas OR حماس OR 哈马斯`` finds the story in all three. A topic's ``language`` list keeps
only developments of articles in those languages.

Pure core: no I/O, no logging. A query that does not parse raises ``QueryError`` with the 1-based
column inside the query text and what is wrong there.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

from monitor.errors import QueryError
from monitor.lang.scripts import UNSPACED_CHARS
from monitor.models import Article, Development, DevelopmentKind

__all__ = [
    "Query",
    "TextIndex",
    "TopicLike",
    "compile_query_lists",
    "in_languages",
    "matching_topics",
    "parse_query",
    "query_for",
]

_WORD = re.compile(r"\w+", re.UNICODE)
_BARE_TERM = re.compile(r"[\w'’.\-]+\*?", re.UNICODE)
_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


_UNSPACED_CHAR = re.compile(f"([{UNSPACED_CHARS}])")
# One-letter proclitics of Arabic (and, so, with, to, as) and Hebrew (and, the, in, to, from,
# that, as) are written onto the next word.
_PROCLITIC = re.compile(r"^(?:[وفبلك]|[והבלמשכ])(?=\w{3})")


def _words(text: str) -> tuple[str, ...]:
    """Lower-cased words; each character of a script written without spaces is one word, so
    that a Chinese or Japanese term matches as a phrase of characters."""
    return tuple(_WORD.findall(_UNSPACED_CHAR.sub(r" \1 ", _normalise(text))))


def _with_proclitics_removed(words: Iterable[str]) -> set[str]:
    return {_PROCLITIC.sub("", word) for word in words} - set(words)


# --------------------------------------------------------------------------- matching


class TextIndex:
    """Text cut into lower-cased words once, so that many queries can be checked cheaply.

    Each segment (a title, a paragraph) is kept apart so that a phrase never spans two of them.
    """

    def __init__(self, *segments: str) -> None:
        self.segments = [words for words in map(_words, segments) if words]
        words = {word for words in self.segments for word in words}
        self.vocabulary = frozenset(words | _with_proclitics_removed(words))

    def has_word(self, word: str, prefix: bool) -> bool:
        if not prefix:
            return word in self.vocabulary
        return any(candidate.startswith(word) for candidate in self.vocabulary)

    def has_phrase(self, words: tuple[str, ...], prefix: bool) -> bool:
        if len(words) == 1:
            return self.has_word(words[0], prefix)
        if not all(word in self.vocabulary for word in words[:-1]):
            return False
        return any(_phrase_in(segment, words, prefix) for segment in self.segments)


def _phrase_in(segment: tuple[str, ...], words: tuple[str, ...], prefix: bool) -> bool:
    size = len(words)
    for start in range(len(segment) - size + 1):
        window = segment[start : start + size]
        if window[:-1] != words[:-1]:
            continue
        last = window[-1]
        if last == words[-1] or (prefix and last.startswith(words[-1])):
            return True
    return False


class _Node(Protocol):
    def evaluate(self, text: TextIndex) -> bool: ...

    def render(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool

    def evaluate(self, text: TextIndex) -> bool:
        return text.has_phrase(self.words, self.prefix)

    def render(self) -> str:
        body = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{body}"' if len(self.words) > 1 else body


@dataclass(frozen=True, slots=True)
class _Not:
    operand: _Node

    def evaluate(self, text: TextIndex) -> bool:
        return not self.operand.evaluate(text)

    def render(self) -> str:
        return f"NOT {self.operand.render()}"


@dataclass(frozen=True, slots=True)
class _All:
    operands: tuple[_Node, ...]

    def evaluate(self, text: TextIndex) -> bool:
        return all(operand.evaluate(text) for operand in self.operands)

    def render(self) -> str:
        return "(" + " AND ".join(operand.render() for operand in self.operands) + ")"


@dataclass(frozen=True, slots=True)
class _Any:
    operands: tuple[_Node, ...]

    def evaluate(self, text: TextIndex) -> bool:
        return any(operand.evaluate(text) for operand in self.operands)

    def render(self) -> str:
        return "(" + " OR ".join(operand.render() for operand in self.operands) + ")"


@dataclass(frozen=True, slots=True)
class Query:
    """A compiled topic query; ``source`` is the text it came from."""

    root: _Node
    source: str

    def matches(self, text: str | TextIndex) -> bool:
        """Whether ``text`` satisfies the query (case-insensitive, whole words)."""
        index = text if isinstance(text, TextIndex) else TextIndex(text)
        return self.root.evaluate(index)

    def __str__(self) -> str:
        return self.root.render()


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # TERM, PHRASE, AND, OR, NOT, LPAREN, RPAREN, END
    text: str
    column: int  # 1-based


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char.isspace():
            position += 1
        elif char in "()":
            tokens.append(_Token("LPAREN" if char == "(" else "RPAREN", char, position + 1))
            position += 1
        elif char == "-" and position + 1 < len(text) and not text[position + 1].isspace():
            tokens.append(_Token("NOT", "-", position + 1))
            position += 1
        elif char == '"':
            position = _read_phrase(text, position, tokens)
        else:
            position = _read_term(text, position, tokens)
    tokens.append(_Token("END", "", len(text) + 1))
    return tokens


def _read_phrase(text: str, start: int, tokens: list[_Token]) -> int:
    end = text.find('"', start + 1)
    if end < 0:
        raise QueryError("this quote is never closed", start + 1)
    phrase = text[start + 1 : end]
    if not _words(phrase.rstrip("*")):
        raise QueryError("empty phrase: put words between the quotes", start + 1)
    if "*" in phrase.rstrip().rstrip("*"):
        raise QueryError('"*" may only end the last word of a phrase', start + 1)
    tokens.append(_Token("PHRASE", phrase, start + 1))
    return end + 1


def _read_term(text: str, start: int, tokens: list[_Token]) -> int:
    match = _BARE_TERM.match(text, start)
    if match is None or not _words(match.group(0)):
        raise QueryError(f'unexpected character "{text[start]}"', start + 1)
    end = match.end()
    word = match.group(0)
    if end < len(text) and not (text[end].isspace() or text[end] in '()"'):
        if word.endswith("*"):
            raise QueryError('"*" may only end a word, as in hostage*', end)
        raise QueryError(f'unexpected character "{text[end]}"', end + 1)
    tokens.append(_Token(_OPERATORS.get(word.lower(), "TERM"), word, start + 1))
    return end


class _Parser:
    """Recursive descent over the tokens.

    or_expr := and_expr (OR and_expr)*;  and_expr := not_expr ([AND] not_expr)*;
    not_expr := NOT not_expr | term | phrase | "(" or_expr ")"
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenise(text)
        self.position = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.position]

    def advance(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> _Node:
        if self.current.kind == "END":
            raise QueryError("the query is empty", 1)
        node = self.parse_or()
        if self.current.kind == "RPAREN":
            raise QueryError('")" has no matching "("', self.current.column)
        return node

    def parse_or(self) -> _Node:
        operands = [self.parse_and()]
        while self.current.kind == "OR":
            operator = self.advance()
            operands.append(self.parse_and(after=operator))
        return operands[0] if len(operands) == 1 else _Any(tuple(operands))

    def parse_and(self, after: _Token | None = None) -> _Node:
        operands = [self.parse_not(after)]
        while self.current.kind in ("AND", "NOT", "TERM", "PHRASE", "LPAREN"):
            operator = self.advance() if self.current.kind == "AND" else None
            operands.append(self.parse_not(operator))
        return operands[0] if len(operands) == 1 else _All(tuple(operands))

    def parse_not(self, after: _Token | None = None) -> _Node:
        if self.current.kind == "NOT":
            operator = self.advance()
            return _Not(self.parse_not(operator))
        return self.parse_primary(after)

    def parse_primary(self, after: _Token | None) -> _Node:
        token = self.current
        if token.kind in ("TERM", "PHRASE"):
            self.advance()
            return _term(token)
        if token.kind == "LPAREN":
            return self.parse_group()
        raise QueryError(self._missing_operand(token, after), token.column)

    def parse_group(self) -> _Node:
        opening = self.advance()
        if self.current.kind == "RPAREN":
            raise QueryError('empty parentheses: put a term between "(" and ")"', opening.column)
        node = self.parse_or()
        if self.current.kind != "RPAREN":
            raise QueryError('this "(" is never closed', opening.column)
        self.advance()
        return node

    def _missing_operand(self, token: _Token, after: _Token | None) -> str:
        found = "the end of the query" if token.kind == "END" else f'"{token.text}"'
        if after is not None:
            return f"expected a term after {after.text.upper()}, found {found}"
        return f"expected a term, found {found}"


def _term(token: _Token) -> _Term:
    raw = token.text.strip()
    prefix = raw.endswith("*")
    words = _words(raw.rstrip("*"))
    return _Term(words, prefix)


@lru_cache(maxsize=1024)
def parse_query(text: str) -> Query:
    """Compile a boolean query expression; raise ``QueryError(message, column)`` when it is bad."""
    return Query(_Parser(text).parse(), text)


def compile_query_lists(
    any: Sequence[str] = (),
    all: Sequence[str] = (),
    none: Sequence[str] = (),
) -> Query:
    """A query from lists: at least one of ``any``, every one of ``all``, none of ``none``.

    Each item is itself a query (usually one word, ``prefix*`` or ``"a phrase"``).
    """
    if not any and not all:
        raise QueryError('a query needs at least one term under "any" or "all"', 1)
    operands: list[_Node] = []
    if any:
        operands.append(_Any(tuple(parse_query(item).root for item in any)))
    operands.extend(parse_query(item).root for item in all)
    operands.extend(_Not(parse_query(item).root) for item in none)
    source = _describe_lists(any, all, none)
    return Query(operands[0] if len(operands) == 1 else _All(tuple(operands)), source)


def _describe_lists(any_: Sequence[str], all_: Sequence[str], none: Sequence[str]) -> str:
    parts = [
        f"{name}: {list(items)}"
        for name, items in (("any", any_), ("all", all_), ("none", none))
        if items
    ]
    return "; ".join(parts)


# --------------------------------------------------------------------------- topics


class TopicLike(Protocol):
    """What ``matching_topics`` reads from a topic (``monitor.config.TopicConfig`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def query(self) -> object: ...

    @property
    def sources(self) -> Sequence[str] | None: ...

    @property
    def min_novelty(self) -> float: ...

    @property
    def kinds(self) -> Sequence[DevelopmentKind]: ...

    # Optional: ``language``, a list of language codes the topic is limited to.


TopicT = TypeVar("TopicT", bound=TopicLike)


def query_for(spec: object) -> Query:
    """Compile a topic query: a ``Query``, an expression, or ``any``/``all``/``none`` lists."""
    if isinstance(spec, Query):
        return spec
    if isinstance(spec, str):
        return parse_query(spec)
    if isinstance(spec, Mapping):
        return compile_query_lists(spec.get("any", ()), spec.get("all", ()), spec.get("none", ()))
    lists = [getattr(spec, part, None) for part in ("any", "all", "none")]
    if all(isinstance(items, list | tuple) for items in lists):
        return compile_query_lists(*lists)  # type: ignore[arg-type]
    raise TypeError(f"not a topic query: {spec!r}")


def story_text(article: Article) -> str:
    """The text of an article that a topic query sees besides what is new: headline and body."""
    return f"{article.title or ''}\n\n{article.body}"


def development_text(development: Development, story_text: str) -> TextIndex:
    """The words a topic query is matched against: the story, the article title, what is new."""
    return TextIndex(
        story_text,
        development.story_title or "",
        development.title or "",
        *development.new_sentences,
        *development.new_entities,
    )


def matching_topics(
    development: Development, story_text: str, source: str, topics: Iterable[TopicT]
) -> list[TopicT]:
    """The topics that want an alert for ``development``, in configuration order.

    A topic wants it when its ``sources`` include ``source`` (or are unset), the development's
    kind is one of its ``kinds``, its novelty is at least ``min_novelty``, and its query matches
    the story text, the titles, or the new sentences.
    """
    text = development_text(development, story_text)
    return [topic for topic in topics if _wants(topic, development, source, text)]


def _wants(topic: TopicLike, development: Development, source: str, text: TextIndex) -> bool:
    if topic.sources is not None and source not in topic.sources:
        return False
    if development.kind not in topic.kinds:
        return False
    if development.novelty < topic.min_novelty:
        return False
    if not in_languages(development.language, getattr(topic, "language", None)):
        return False
    return query_for(topic.query).matches(text)


def in_languages(language: str | None, wanted: Sequence[str] | None) -> bool:
    """Whether an article in ``language`` passes a ``language:`` list ("pt" passes "pt-BR"
    and "pt"); an unknown language passes no list."""
    if not wanted:
        return True
    if language is None:
        return False
    primary = language.split("-")[0].lower()
    return any(code.split("-")[0].lower() == primary for code in wanted)
