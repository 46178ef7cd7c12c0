"""Rendering helpers for the pages: the Jinja2 environment (autoescaped), times and word diffs.

Times are written in UTC inside ``<time datetime=… title="… UTC">``; a small script turns them
into the reader's own time zone when JavaScript is on (the UTC stays on hover).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

_WORDS = re.compile(r"\S+\s*")


def when(moment: datetime | str | None) -> Markup:
    """``<time>`` for a moment (or its ISO text): UTC as text and on hover; the script localises
    the text."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment is None:
        return Markup('<span class="never">never</span>')
    utc = moment.astimezone(UTC)
    label = utc.strftime("%Y-%m-%d %H:%M UTC")
    return Markup('<time datetime="%s" title="%s">%s</time>') % (
        utc.isoformat().replace("+00:00", "Z"),
        label,
        label,
    )


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of words of a word diff: ``same``, ``gone`` or ``came``."""

    kind: str
    text: str


def word_diff(before: str, after: str) -> list[Piece]:
    """The words of ``before`` and ``after`` as runs that stayed, went and came."""
    old, new = _WORDS.findall(before), _WORDS.findall(after)
    matcher = SequenceMatcher(None, [w.strip() for w in old], [w.strip() for w in new])
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(new[j1:j2])))
            continue
        if i2 > i1:
            gone = "".join(old[i1:i2])
            pieces.append(Piece("gone", gone if j2 == j1 or gone[-1:].isspace() else gone + " "))
        if j2 > j1:
            pieces.append(Piece("came", "".join(new[j1:j2])))
    return pieces


KIND_LABELS = {
    "new_story": "New story",
    "new_article": "New article",
    "revision": "Revised",
    "correction": "Correction",
    "live_update": "Live update",
}


def build_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.globals["word_diff"] = word_diff
    env.globals["kind_label"] = lambda kind: KIND_LABELS.get(kind, kind)
    return env
