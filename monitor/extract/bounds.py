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

import numpy as np
import numpy.typing as npt

MAX_NESTING = 2_000
_LT = ord("<")
_GT = ord(">")
_SLASH = ord("/")

_TAG_START = re.compile(rb"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_RAW_TEXT = frozenset({b"script", b"style", b"textarea", b"title", b"xmp", b"noscript"})
_SPECIAL = re.compile(
    rb"<!--|<(script|style|textarea|title|xmp|noscript)(?![A-Za-z0-9:-])", re.IGNORECASE
)
_ANY_TAG = re.compile(rb"</?[A-Za-z]")
_RAW_TEXT_END = {name: re.compile(b"</" + name + rb"[\s>/]", re.IGNORECASE) for name in _RAW_TEXT}
_NEVER_NESTS = frozenset(
    b"area base br col embed hr img input link meta param source track wbr keygen "
    b"p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp "
    b"html head body".split()
)


# nesting_bound reads tag names as 8-byte keys (the excluded names are all that short).
_NAME_BYTES = 8
_NAME_STEPS = np.arange(1, _NAME_BYTES + 3)
_NAME_POSITIONS = np.arange(_NAME_BYTES)
_UPPER_A, _LOWER_A, _ZERO, _COLON, _HYPHEN = (ord(c) for c in "Aa0:-")
_LETTERS, _DIGITS, _CASE_BIT = 26, 10, 5
_LONG_NAMES = np.uint64(2**64 - 1)  # no 8 bytes of a name read as this key
_EXCLUDED_KEYS = np.array(
    sorted(
        int.from_bytes(name.ljust(_NAME_BYTES, b"\0"), "little")
        for name in _NEVER_NESTS | _RAW_TEXT
    ),
    dtype=np.uint64,
)


def nesting_depth(html: bytes, limit: int = MAX_NESTING) -> int:
    """The deepest element nesting of ``html`` as the parser would build it, counted up to
    ``limit + 1`` (the scan stops there)."""
    open_tags: list[bytes] = []
    counts: dict[bytes, int] = {}
    position = deepest = 0
    while deepest <= limit:
        match = _TAG_START.search(html, position)
        if match is None:
            break
        position = _after(html, match)
        if match.group(0) == b"<!--":
            continue
        name = match.group(2).lower()
        if match.group(1):
            _close(open_tags, counts, name)
        elif name in _RAW_TEXT:
            end = _RAW_TEXT_END[name].search(html, position)
            position = len(html) if end is None else end.start()
        elif name not in _NEVER_NESTS and html[position - 2 : position - 1] != b"/":
            open_tags.append(name)
            counts[name] = counts.get(name, 0) + 1
            deepest = max(deepest, len(open_tags))
    return deepest


def too_deep(html: bytes, limit: int = MAX_NESTING) -> bool:
    """Whether ``html`` nests elements deeper than ``limit``.

    No page can nest deeper than it has start tags, and every start tag opens with a ``<`` that
    no ``/`` follows: counting those settles ordinary pages without the scan (its Python loop
    over every tag cost a third of the extraction's time). Large pages with more ``<`` than
    ``limit`` are mostly settled by counting only the tags the scan can count (``nesting_bound``,
    vectorised: about a millisecond where the scan takes 5 to 50); the rest, but for pages
    nested that deep or left unclosed, by per-name counts of open elements (``stack_bound``:
    a few milliseconds on a 1 MB page where the scan took 20).
    """
    if _start_tag_bound(html, limit) <= limit or nesting_bound(html) <= limit:
        return False
    return stack_bound(html) > limit and nesting_depth(html, limit) > limit


def nesting_bound(html: bytes) -> int:
    """An upper bound of ``nesting_depth(html)`` from vectorised counts.

    It counts the ``<`` that open a tag the scan could count (a letter follows, and the tag's
    name, lower-cased as the scan reads it, is neither a raw-text element nor one that never
    nests), less those closed right away: an element whose start tag ends before the next
    ``<`` and whose end tag that next ``<`` starts is popped at the scan's very next step, so
    at most one of them is ever open (plus one for it)."""
    data = np.frombuffer(html, dtype=np.uint8)
    if data.size == 0:
        return 0
    starts = np.flatnonzero(data == _LT)
    window, letter, in_name = _after_each(data, starts)
    open_keys, open_lengths = _name_keys(window[:, :-1], in_name[:, :-1])
    excluded = np.isin(open_keys, _EXCLUDED_KEYS) & (open_lengths <= _NAME_BYTES)
    counted = letter[:, 0] & ~excluded
    end_keys, end_lengths = _name_keys(window[:, 1:], in_name[:, 1:])
    ends = (window[:, 0] == _SLASH) & letter[:, 1] & (end_lengths <= _NAME_BYTES)
    tag_ends = _tag_ends(data, starts)
    next_starts = np.append(starts[1:], data.size)
    closed_next = np.zeros(starts.size, dtype=bool)
    closed_next[:-1] = ends[1:] & (end_keys[1:] == open_keys[:-1])
    closed_next &= (open_lengths <= _NAME_BYTES) & (tag_ends < next_starts)
    closed_at_once = int(np.count_nonzero(counted & closed_next))
    return int(np.count_nonzero(counted)) - closed_at_once + min(closed_at_once, 1)


def stack_bound(html: bytes) -> int:
    """An upper bound of ``nesting_depth(html)`` from vectorised counts of the tags the scan
    sees, tight on pages whose elements are closed (the depth itself, where ``nesting_bound``
    counts every element left open by the next tag).

    The scan skips comments, raw text and the inside of each tag up to its ``>``; what it sees is
    found the same way here (a Python loop over comments and raw-text elements only). Each tag
    name keeps its own count of open elements: a start tag that nests adds one, an end tag takes
    one off while any is open, and the bound is the most the counts ever add up to. An end tag
    that also closes what was opened inside its element lowers only its own count here, so no
    count falls below the scan's. End tags of names longer than the 8-byte keys take nothing off
    (two such names could share a key).
    """
    data = np.frombuffer(html, dtype=np.uint8)
    if data.size == 0:
        return 0
    starts = np.flatnonzero(data == _LT)
    window, letter, in_name = _after_each(data, starts)
    tags = letter[:, 0] | ((window[:, 0] == _SLASH) & letter[:, 1])
    tags &= _outside(starts, _hidden_spans(html))
    starts, window, in_name = starts[tags], window[tags], in_name[tags]
    if starts.size == 0:
        return 0
    tag_ends = _tag_ends(data, starts)
    # A "<" before the ">" of the tag before it is inside that tag: the scan jumps over it (a
    # tag jumped over ends at the same ">", so comparing with the one before is enough).
    seen = np.ones(starts.size, dtype=bool)
    seen[1:] = starts[1:] > tag_ends[:-1]
    ending = window[:, 0] == _SLASH
    keys, lengths = _name_keys(
        np.where(ending[:, None], window[:, 1:], window[:, :-1]),
        np.where(ending[:, None], in_name[:, 1:], in_name[:, :-1]),
    )
    short = lengths <= _NAME_BYTES
    counted = seen & ~(np.isin(keys, _EXCLUDED_KEYS) & short)
    keys = np.where(short, keys, _LONG_NAMES)  # one count for them all, never taken off
    self_closed = (tag_ends < data.size) & (data[np.minimum(tag_ends, data.size) - 1] == _SLASH)
    opens = counted & ~ending & ~self_closed
    closes = counted & ending & short
    return _most_open(keys, opens, closes)


def _after_each(
    data: npt.NDArray[np.uint8], starts: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """The bytes after each "<" at ``starts`` (room for "/", the longest excluded name and the
    byte ending it), lower-cased, and which of them are letters and which name bytes (none past
    the end of ``data``)."""
    following = starts[:, None] + _NAME_STEPS
    past_end = following >= data.size
    window = data[np.minimum(following, data.size - 1)]
    window |= ((window - np.uint8(_UPPER_A)) < _LETTERS).astype(np.uint8) << _CASE_BIT
    letter = ((window - np.uint8(_LOWER_A)) < _LETTERS) & ~past_end
    in_name = letter | ((window - np.uint8(_ZERO)) < _DIGITS) | (window == _COLON)
    in_name = (in_name | (window == _HYPHEN)) & ~past_end
    return window, letter, in_name


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


def _hidden_spans(html: bytes) -> list[tuple[int, int]]:
    """Where the scan reads nothing: comments, and the text of raw-text elements (from the end
    of the start tag to the end tag), each as (start, end), in order. A ``<!--`` or
    ``<script`` inside another tag is not one (the scan jumps to that tag's ``>``)."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        match = _SPECIAL.search(html, position)
        if match is None:
            return spans
        start = match.start()
        tag_close = html.rfind(b">", position, start)
        if _ANY_TAG.search(html, max(tag_close + 1, position), start) is not None:
            tag_close = html.find(b">", start)  # inside a tag: the scan goes on after its ">"
            if tag_close < 0:
                return spans
            position = tag_close + 1
            continue
        name = match.group(1)
        if name is None:
            end = html.find(b"-->", match.end())
            end = len(html) if end < 0 else end + 3
            spans.append((start, end))
        else:
            after = html.find(b">", match.end())
            if after < 0:
                return spans
            closing = _RAW_TEXT_END[name.lower()].search(html, after + 1)
            end = len(html) if closing is None else closing.start()
            spans.append((after + 1, end))
        position = end


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
    window: npt.NDArray[np.uint8], in_name: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    """Each row's leading name as an 8-byte key (zero-padded) and its length (more than
    ``_NAME_BYTES`` when longer; the key then holds its first bytes only)."""
    lengths = np.where(in_name.all(axis=1), _NAME_BYTES + 1, np.argmin(in_name, axis=1))
    names = window[:, :_NAME_BYTES] * (lengths[:, None] > _NAME_POSITIONS)
    keys: npt.NDArray[np.uint64] = np.ascontiguousarray(names).view("<u8").ravel()
    return keys, lengths


def _start_tag_bound(html: bytes, limit: int) -> int:
    """How many ``<`` no ``/`` follows, or all the ``<`` when they are no more than ``limit``:
    vectorised, about four times faster than the two ``bytes.count`` calls it replaces (a
    byte-at-a-time loop each). Most pages settle on the first count (a third of the cost)."""
    data = np.frombuffer(html, dtype=np.uint8)
    opens = data == _LT
    count = int(np.count_nonzero(opens))
    if count <= limit:
        return count
    return count - int(np.count_nonzero(opens[:-1] & (data[1:] == _SLASH)))


def _after(html: bytes, match: re.Match[bytes]) -> int:
    """Where scanning goes on: after the comment, or after the tag's closing ``>``."""
    closer = b"-->" if match.group(0) == b"<!--" else b">"
    end = html.find(closer, match.end())
    return len(html) if end < 0 else end + len(closer)


def _close(open_tags: list[bytes], counts: dict[bytes, int], name: bytes) -> None:
    """An end tag closes its element and everything opened inside it; a stray one, nothing."""
    if not counts.get(name):
        return
    while open_tags:
        closed = open_tags.pop()
        counts[closed] -= 1
        if closed == name:
            return
