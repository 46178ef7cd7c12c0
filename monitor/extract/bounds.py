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

MAX_NESTING = 2_000
_LT = ord("<")
_SLASH = ord("/")

_TAG_START = re.compile(rb"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_RAW_TEXT = frozenset({b"script", b"style", b"textarea", b"title", b"xmp", b"noscript"})
_RAW_TEXT_END = {name: re.compile(b"</" + name + rb"[\s>/]", re.IGNORECASE) for name in _RAW_TEXT}
_NEVER_NESTS = frozenset(
    b"area base br col embed hr img input link meta param source track wbr keygen "
    b"p li dt dd option optgroup tr td th thead tbody tfoot colgroup caption rb rt rp "
    b"html head body".split()
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
    over every tag cost a third of the extraction's time).
    """
    if _start_tag_bound(html, limit) <= limit:
        return False
    return nesting_depth(html, limit) > limit


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
