"""Small text helpers shared by the metadata and body extractors."""

from __future__ import annotations

import html
import re

# str.split() already treats no-break and the other Unicode spaces as whitespace; these are not
# whitespace to Python but are invisible joiners that must not survive into compared sentences.
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff\u00ad")
_HAS_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def fold(text: str) -> str:
    """Collapse every run of whitespace to one space and drop invisible characters."""
    if not text.isascii() and _HAS_INVISIBLE.search(text):  # isascii() reads a flag
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def clean_value(value: object) -> str | None:
    """A metadata value as folded text with HTML entities decoded; None when empty or not text."""
    if not isinstance(value, str):
        return None
    text = fold(html.unescape(value)) if "&" in value else fold(value)
    return text or None
