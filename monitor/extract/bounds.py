"""How deeply a page nests its elements, measured before the HTML parser sees it.

lexbor's tree building is quadratic in nesting depth (a 2 MB page of 200,000 nested ``<div>`` takes
minutes), so a page nested deeper than ``MAX_NESTING`` is refused before parsing. The estimate is
one linear scan over the bytes: comments and raw-text elements (``script``, ``style``, …) are
skipped, void elements, self-closed tags and elements whose end tag the HTML parser supplies
(``p``, ``li``, ``td``, …) never count, and an end tag closes everything opened after its start
tag, as the parser does. Browsers flatten trees deeper than 512; ``MAX_NESTING`` is four times that.
"""

from __future__ import annotations

import re
from functools import cached_property

import numpy as np
import numpy.typing as npt

MAX_NESTING = 2_000
_LT = ord("<")
_GT = ord(">")
_SLASH = ord("/")

_RAW_TEXT = frozenset({b"script", b"style", b"textarea", b"title", b"xmp", b"noscript"})
_ANY_TAG = re.compile(rb"</?[A-Za-z]")
_RAW_TEXT_END = {name: re.compile(b"</" + name + rb"[\s>/]", re.IGNORECASE) for name in _RAW_TEXT}
# The tokens the scan reads, in one regex pass (a Python loop of searches cost 2.5 µs a tag):
# a comment up to its "-->"; a raw-text element's start tag and its text up to its end tag
# (read case-blind); any other tag up to the first ">" after its name. Only the last kind
# has groups: the "/" of an end tag, the name, the rest of the tag and its ">" ("" when none
# follows: the page's end). Each token ends where the scan went on from; a comment or a raw
# text that never closes runs to the end of the page.
_RAW_TOKENS = b"|".join(
    b"(?i:%s)(?![A-Za-z0-9:-])[^>]*>?(?:.*?(?=</(?i:%s)[\\s>/])|.*)" % (name, name)
    for name in sorted(_RAW_TEXT)
)
_TOKEN = re.compile(
    b"<(?:!--(?:.*?-->|.*)|" + _RAW_TOKENS + rb"|(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)(>?))",
    re.DOTALL,
)
_NEVER_NESTS = frozenset(
    b"area base br col embed hr img input link meta param source track wbr keygen "
    b"p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp "
    b"html head body".split()
)


# nesting_bound reads tag names as 8-byte keys (the excluded names are all that short).
_NAME_BYTES = 8
_NAME_STEPS = np.arange(1, _NAME_BYTES + 3, dtype=np.intp)
_UPPER_A, _LOWER_A, _ZERO, _COLON, _HYPHEN, _BANG = (ord(c) for c in "Aa0:-!")
_LETTERS, _DIGITS, _CASE_BIT = 26, 10, 5
_LONG_NAMES = np.uint64(2**64 - 1)  # no 8 bytes of a name read as this key
_RAW_NAME = re.compile(rb"[A-Za-z]+")


def _keys(names: frozenset[bytes]) -> npt.NDArray[np.uint64]:
    """The names as sorted 8-byte keys, as ``_name_keys`` reads them (zero-padded,
    little-endian)."""
    return np.array(
        sorted(int.from_bytes(name.ljust(_NAME_BYTES, b"\0"), "little") for name in names),
        dtype=np.uint64,
    )


_EXCLUDED_KEYS = _keys(_NEVER_NESTS | _RAW_TEXT)
_RAW_TEXT_KEYS = _keys(_RAW_TEXT)


def nesting_depth(html: bytes, limit: int = MAX_NESTING) -> int:
    """The deepest element nesting of ``html`` as the parser would build it, counted up to
    ``limit + 1`` (the scan stops there)."""
    open_tags: list[bytes] = []
    counts: dict[bytes, int] = {}
    deepest = 0
    for token in _TOKEN.finditer(html):  # not findall: a hostile page has millions of tags
        slash, name, rest, closer = token.groups()
        if not name:
            continue  # a comment, or raw text with its start tag
        name = name.lower()
        if slash:
            # An end tag closes its element and everything opened inside it; a stray one, nothing.
            if counts.get(name):
                while True:
                    closed = open_tags.pop()
                    counts[closed] -= 1
                    if closed == name:
                        break
        elif name not in _NEVER_NESTS and (rest[-1:] != b"/" if closer else html[-2:-1] != b"/"):
            open_tags.append(name)
            counts[name] = counts.get(name, 0) + 1
            if len(open_tags) > deepest:
                deepest = len(open_tags)
                if deepest > limit:
                    break
    return deepest


def too_deep(html: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether ``html`` nests elements deeper than ``limit``.

    No page can nest deeper than it has start tags, and every start tag opens with a ``<`` that
    no ``/`` follows: counting those settles ordinary pages without the scan (its Python loop
    over every tag cost a third of the extraction's time). Large pages with more ``<`` than
    ``limit`` are mostly settled by counting only the tags the scan can count (``nesting_bound``,
    vectorised: about 0.6 ms on 4,000 tags, where the scan takes 2 to 10); the rest, but for
    pages nested that deep or left unclosed, by per-name counts of open elements
    (``stack_bound``: 3 ms on a 1 MB page where the scan takes 10). The bounds share what they
    read of the page (where its ``<`` are and the bytes after each), read once.
    """
    data = np.frombuffer(html, dtype=np.uint8)
    opens = data == _LT
    if _start_tags(data, opens, limit) <= limit:
        return False
    tags = _TagStarts(data, np.flatnonzero(opens))
    if tags.nesting_bound(limit) <= limit:
        return False
    return tags.stack_bound(html) > limit and nesting_depth(html, limit) > limit


def nesting_bound(html: bytes, limit: int | None = None) -> int:
    """An upper bound of ``nesting_depth(html)`` from vectorised counts (see
    ``_TagStarts.nesting_bound``)."""
    data = np.frombuffer(html, dtype=np.uint8)
    return _TagStarts(data, np.flatnonzero(data == _LT)).nesting_bound(limit)


def stack_bound(html: bytes) -> int:
    """An upper bound of ``nesting_depth(html)``, tight on closed pages (see
    ``_TagStarts.stack_bound``)."""
    data = np.frombuffer(html, dtype=np.uint8)
    return _TagStarts(data, np.flatnonzero(data == _LT)).stack_bound(html)


class _TagStarts:
    """A page's ``<`` and the bytes after each, read once for all the bounds."""

    def __init__(self, data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp]) -> None:
        self.data, self.starts = data, starts

    @cached_property
    def _read_columns(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
        return _columns(self.data, self.starts)

    @property
    def columns(self) -> npt.NDArray[np.uint8]:
        """The bytes after each ``<``, lower-cased, one row a step (see ``_columns``)."""
        return self._read_columns[0]

    @property
    def in_name(self) -> npt.NDArray[np.bool_]:
        """Which of ``columns`` may be in a tag name."""
        return self._read_columns[1]

    @cached_property
    def open_names(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
        """The key and length of the name right after each ``<`` (see ``_name_keys``)."""
        return _name_keys(self.columns[:-1], self.in_name[:-1])

    @cached_property
    def end_names(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
        """The key and length of the name after each ``<`` and the byte after it (an end
        tag's name, where that byte is ``/``)."""
        return _name_keys(self.columns[1:], self.in_name[1:])

    @cached_property
    def tag_ends(self) -> npt.NDArray[np.intp]:
        """Where the first ">" at or after each ``<`` is (the end of the page if none)."""
        return _tag_ends(self.data, self.starts)

    def nesting_bound(self, limit: int | None = None) -> int:
        """An upper bound of the scan's depth from vectorised counts.

        It counts the ``<`` that open a tag the scan could count (a letter follows, and the
        tag's name, lower-cased as the scan reads it, is neither a raw-text element nor one
        that never nests), less those closed right away: an element whose start tag ends
        before the next ``<`` and whose end tag that next ``<`` starts is popped at the scan's
        very next step, so at most one of them is ever open (plus one for it). With ``limit``,
        the count of the tags the scan could count when that is within it: closing can only
        lower it."""
        if self.starts.size == 0:
            return 0
        columns = self.columns
        open_keys, open_lengths = self.open_names
        counted = _is_letter(columns[0]) & ~_excluded(open_keys, open_lengths)
        count = int(np.count_nonzero(counted))
        if limit is not None and count <= limit:
            return count
        end_keys, end_lengths = self.end_names
        ends = (columns[0] == _SLASH) & _is_letter(columns[1]) & (end_lengths <= _NAME_BYTES)
        next_starts = np.append(self.starts[1:], self.data.size)
        closed_next = np.zeros(self.starts.size, dtype=bool)
        closed_next[:-1] = ends[1:] & (end_keys[1:] == open_keys[:-1])
        closed_next &= (open_lengths <= _NAME_BYTES) & (self.tag_ends < next_starts)
        closed_at_once = int(np.count_nonzero(counted & closed_next))
        return count - closed_at_once + min(closed_at_once, 1)

    def stack_bound(self, html: bytes) -> int:
        """An upper bound of the scan's depth from vectorised counts of the tags the scan
        sees, tight on pages whose elements are closed (the depth itself, where
        ``nesting_bound`` counts every element left open by the next tag).

        The scan skips comments, raw text and the inside of each tag up to its ``>``; what it
        sees is found the same way here (a Python loop over comments and raw-text elements
        only). Each tag name keeps its own count of open elements: a start tag that nests adds
        one, an end tag takes one off while any is open, and the bound is the most the counts
        ever add up to. An end tag that also closes what was opened inside its element lowers
        only its own count here, so no count falls below the scan's. End tags of names longer
        than the 8-byte keys take nothing off (two such names could share a key).
        """
        if self.starts.size == 0:
            return 0
        data, columns = self.data, self.columns
        open_keys, open_lengths = self.open_names
        letter = _is_letter(columns[0])
        tags = letter | ((columns[0] == _SLASH) & _is_letter(columns[1]))
        specials, comments = self._specials(letter)
        tags &= _outside(self.starts, _hidden_spans(html, self.starts[specials], comments))
        kept = np.flatnonzero(tags)
        if kept.size == 0:
            return 0
        starts, tag_ends = self.starts[kept], self.tag_ends[kept]
        # A "<" before the ">" of the tag before it is inside that tag: the scan jumps over
        # it (a tag jumped over ends at the same ">", so comparing with the one before is
        # enough).
        seen = np.ones(kept.size, dtype=bool)
        seen[1:] = starts[1:] > tag_ends[:-1]
        ending = columns[0, kept] == _SLASH
        all_end_keys, all_end_lengths = self.end_names
        end_keys, end_lengths = all_end_keys[kept], all_end_lengths[kept]
        keys = np.where(ending, end_keys, open_keys[kept])
        lengths = np.where(ending, end_lengths, open_lengths[kept])
        short = lengths <= _NAME_BYTES
        counted = seen & ~_excluded(keys, lengths)
        keys = np.where(short, keys, _LONG_NAMES)  # one count for them all, never taken off
        closer = np.minimum(tag_ends, data.size) - 1
        self_closed = (tag_ends < data.size) & (data[closer] == _SLASH)
        opens = counted & ~ending & ~self_closed
        closes = counted & ending & short
        return _most_open(keys, opens, closes)

    def _specials(
        self, letter: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Which ``<`` open a comment (``<!--``) or a raw-text element's start tag (its name,
        case-blind, and no more of a name after it), by index, and which of them a comment."""
        open_keys, open_lengths = self.open_names
        columns = self.columns
        comment = (columns[0] == _BANG) & (columns[1] == _HYPHEN) & (columns[2] == _HYPHEN)
        raw = letter & _listed(_RAW_TEXT_KEYS, open_keys, open_lengths)
        specials = np.flatnonzero(comment | raw)
        return specials, comment[specials]


def _is_letter(column: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Lower-case ASCII letters (``column`` is lower-cased)."""
    letters: npt.NDArray[np.bool_] = (column - np.uint8(_LOWER_A)) < _LETTERS
    return letters


def _in_name(column: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """Bytes a tag name may hold after its first letter (``column`` is lower-cased)."""
    digit = (column - np.uint8(_ZERO)) < _DIGITS
    found: npt.NDArray[np.bool_] = _is_letter(column) | digit | (column == _COLON)
    found |= column == _HYPHEN
    return found


def _columns(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """The bytes after each "<" at ``starts``, lower-cased, one row a step ("/" and the longest
    excluded name and the byte ending it), and which of them may be in a name. Zeros past the
    page's end: in no name, no letter, no "/". One array of rows, so that each operation runs
    once over all the steps (numpy's cost on these short arrays is per call, not per byte)."""
    positions = starts + _NAME_STEPS[:, np.newaxis]
    columns = data.take(positions, mode="clip")
    if starts.size and positions[-1, -1] >= data.size:  # a "<" that near the end: zeros past it
        columns[positions >= data.size] = 0
    columns |= ((columns - np.uint8(_UPPER_A)) < _LETTERS).astype(np.uint8) << _CASE_BIT
    return columns, _in_name(columns)


def _excluded(keys: npt.NDArray[np.uint64], lengths: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Names that never nest or hold raw text (see ``_listed``)."""
    return _listed(_EXCLUDED_KEYS, keys, lengths)


def _listed(
    table: npt.NDArray[np.uint64], keys: npt.NDArray[np.uint64], lengths: npt.NDArray[np.intp]
) -> npt.NDArray[np.bool_]:
    """Which names (``keys`` and ``lengths``) are in ``table``, sorted keys of names of 8 bytes
    at most: a lookup in it (np.isin sorts all the page's keys: 0.6 ms on 4,000 tags)."""
    found = table[np.searchsorted(table, keys) % table.size]
    listed: npt.NDArray[np.bool_] = (found == keys) & (lengths <= _NAME_BYTES)
    return listed


def _tag_ends(data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """Where the first ">" at or after each of ``starts`` is (the end of ``data`` if none)."""
    closers = np.flatnonzero(data == _GT)
    ends: npt.NDArray[np.intp] = np.append(closers, data.size)[np.searchsorted(closers, starts)]
    return ends


def _most_open(
    keys: npt.NDArray[np.uint64], opens: npt.NDArray[np.bool_], closes: npt.NDArray[np.bool_]
) -> int:
    """The most that per-key counts of open elements ever add up to, in document order: each
    open adds one to its key's count, each close takes one off while the count is above zero."""
    events = np.flatnonzero(opens | closes)
    if events.size == 0:
        return 0
    steps = np.where(opens[events], 1, -1)
    order = np.argsort(keys[events], kind="stable")  # by key, document order within a key
    sorted_keys, sorted_steps = keys[events][order], steps[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    group = np.cumsum(first) - 1
    totals = np.cumsum(sorted_steps)
    group_start = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    running = totals - (totals - sorted_steps)[group_start]  # each key's unclamped count
    # Clamped at zero: less the lowest the count went, kept apart per key by offsets that put
    # every later key below every earlier one.
    spread = 2 * order.size + 2
    floors = np.minimum.accumulate(running - group * spread) + group * spread
    clamped = running - np.minimum(floors, 0)
    previous = np.where(first, 0, np.roll(clamped, 1))
    changes = np.empty(order.size, dtype=np.int64)
    changes[order] = clamped - previous
    return max(int(np.cumsum(changes).max()), 0)


def _hidden_spans(
    html: bytes, specials: npt.NDArray[np.intp], comments: npt.NDArray[np.bool_]
) -> list[tuple[int, int]]:
    """Where the scan reads nothing: comments, and the text of raw-text elements (from the end
    of the start tag to the end tag), each as (start, end), in order. ``specials`` are where
    the ``<`` of every ``<!--`` and raw-text start tag are (``comments`` says which are
    comments), in order; one inside another tag is not one (the scan jumps to that tag's
    ``>``), nor is one inside a comment or raw text already read."""
    spans: list[tuple[int, int]] = []
    position = 0
    for start, comment in zip(specials.tolist(), comments.tolist(), strict=True):
        if start < position:
            continue
        tag_close = html.rfind(b">", position, start)
        if _ANY_TAG.search(html, max(tag_close + 1, position), start) is not None:
            tag_close = html.find(b">", start)  # inside a tag: the scan goes on after its ">"
            if tag_close < 0:
                return spans
            position = tag_close + 1
            continue
        if comment:
            end = html.find(b"-->", start + 4)
            end = len(html) if end < 0 else end + 3
            spans.append((start, end))
        else:
            name = _RAW_NAME.match(html, start + 1)
            after = html.find(b">", name.end()) if name is not None else -1
            if name is None or after < 0:
                return spans
            closing = _RAW_TEXT_END[name[0].lower()].search(html, after + 1)
            end = len(html) if closing is None else closing.start()
            spans.append((after + 1, end))
        position = end
    return spans


def _outside(
    positions: npt.NDArray[np.intp], spans: list[tuple[int, int]]
) -> npt.NDArray[np.bool_]:
    """Whether each of the sorted ``positions`` lies outside all of the ordered ``spans``."""
    if not spans:
        return np.ones(positions.size, dtype=bool)
    bounds = np.asarray(spans, dtype=np.intp)
    index = np.searchsorted(bounds[:, 0], positions, side="right") - 1
    inside: npt.NDArray[np.bool_] = (index >= 0) & (positions < bounds[np.maximum(index, 0), 1])
    return ~inside


def _name_keys(
    columns: npt.NDArray[np.uint8], in_name: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    """Each column's leading name (its rows, top down) as an 8-byte key (zero-padded,
    little-endian) and its length (more than ``_NAME_BYTES`` when longer; the key then holds
    its first bytes only)."""
    alive = np.empty((_NAME_BYTES + 1, in_name.shape[1]), dtype=bool)
    alive[0] = in_name[0]
    for position in range(1, _NAME_BYTES + 1):  # a row at a time: accumulate is slower
        np.logical_and(alive[position - 1], in_name[position], out=alive[position])
    lengths: npt.NDArray[np.intp] = alive.sum(axis=0, dtype=np.intp)
    name_bytes = np.where(alive[:_NAME_BYTES], columns[:_NAME_BYTES], np.uint8(0))
    keys: npt.NDArray[np.uint64] = np.ascontiguousarray(name_bytes.T).view("<u8").ravel()
    return keys, lengths


def _start_tags(data: npt.NDArray[np.uint8], opens: npt.NDArray[np.bool_], limit: int) -> int:
    """How many ``<`` (``opens``) no ``/`` follows, or all the ``<`` when they are no more than
    ``limit``: two passes over the page's bytes (flagging them and counting), four times
    faster than the two ``bytes.count`` calls they replace (a byte-at-a-time loop each), and
    than finding where the ``<`` are. Most pages settle on the first count."""
    count = int(np.count_nonzero(opens))
    if count <= limit:
        return count
    return count - int(np.count_nonzero(opens[:-1] & (data[1:] == _SLASH)))
