"""Per-source extraction overrides, as written under ``article:`` in a source's YAML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from monitor.errors import ConfigError


@dataclass(frozen=True, slots=True)
class ExtractRules:
    """CSS selectors that override the generic extractor for one source.

    ``title`` picks the element holding the headline, ``body`` the element(s) holding the article
    text (all matches, in document order), and every element matching one of ``remove`` is dropped
    before anything else runs.
    """

    title: str | None = None
    body: str | None = None
    remove: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for selector in (self.title, self.body, *self.remove):
            if selector is not None:
                _check_selector(selector)


_PROBE: Final = LexborHTMLParser(b"<p></p>")


def selector_problem(selector: str) -> str | None:
    """Why lexbor cannot use ``selector`` as a CSS selector, or None when it can."""
    if not selector.strip():
        return "empty CSS selector"
    try:
        _PROBE.css(selector)
    except (SelectolaxError, ValueError) as exc:
        return f"invalid CSS selector {selector!r}: {exc}"
    return None


def _check_selector(selector: str) -> None:
    if problem := selector_problem(selector):
        raise ConfigError(f"article: {problem}")
