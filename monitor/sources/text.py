"""Small text helpers for feed fields: markup-free titles and tidy whitespace."""

from __future__ import annotations

import html
import re

_TAG = re.compile(
    r"<(script|style)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)"
    r"|</?([A-Za-z][A-Za-z0-9]*)(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>"
    r"|</?([A-Za-z][A-Za-z0-9]*)[^<>]*>",
    re.DOTALL | re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def collapse_whitespace(value: str) -> str:
    """``value`` with runs of whitespace turned into single spaces and no edges."""
    return " ".join(value.split())


def html_to_text(value: str) -> str:
    """Plain text from a fragment of escaped HTML: tags dropped, entities decoded, spaces tidied."""
    if "<" in value:
        value = _TAG.sub(_tag_replacement, value)
    if "&" in value:
        value = html.unescape(value)
    return collapse_whitespace(value)


def optional_text(value: str | None) -> str | None:
    """``value`` stripped, or None when nothing is left."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _tag_replacement(match: re.Match[str]) -> str:
    name = match.group(2) or match.group(3)
    return " " if name is not None and name.lower() in _BLOCK_TAGS else ""
