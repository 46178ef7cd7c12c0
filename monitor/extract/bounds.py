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
    vectorised: about a millisecond where the scan takes 5 to 50).
    """
    if _start_tag_bound(html, limit) <= limit or nesting_bound(html) <= limit:
        return False
    return nesting_depth(html, limit) > limit


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
    # The bytes after each "<": "/" and the longest excluded name and the byte ending it.
    following = starts[:, None] + _NAME_STEPS
    past_end = following >= data.size
    window = data[np.minimum(following, data.size - 1)]
    window |= ((window - np.uint8(_UPPER_A)) < _LETTERS).astype(np.uint8) << _CASE_BIT
    letter = (window - np.uint8(_LOWER_A)) < _LETTERS
    in_name = letter | ((window - np.uint8(_ZERO)) < _DIGITS) | (window == _COLON)
    in_name = (in_name | (window == _HYPHEN)) & ~past_end
    open_keys, open_lengths = _name_keys(window[:, :-1], in_name[:, :-1])
    excluded = np.isin(open_keys, _EXCLUDED_KEYS) & (open_lengths <= _NAME_BYTES)
    counted = letter[:, 0] & ~past_end[:, 0] & ~excluded
    end_keys, end_lengths = _name_keys(window[:, 1:], in_name[:, 1:])
    ends = (window[:, 0] == _SLASH) & letter[:, 1] & ~past_end[:, 1] & (end_lengths <= _NAME_BYTES)
    closers = np.flatnonzero(data == _GT)
    tag_ends = np.append(closers, data.size)[np.searchsorted(closers, starts)]
    next_starts = np.append(starts[1:], data.size)
    closed_next = np.zeros(starts.size, dtype=bool)
    closed_next[:-1] = ends[1:] & (end_keys[1:] == open_keys[:-1])
    closed_next &= (open_lengths <= _NAME_BYTES) & (tag_ends < next_starts)
    closed_at_once = int(np.count_nonzero(counted & closed_next))
    return int(np.count_nonzero(counted)) - closed_at_once + min(closed_at_once, 1)


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
