"""Per-source extraction overrides, as written under ``article:`` in a source's YAML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from monitor.errors import ConfigError

_KNOWN_KEYS = frozenset({"title", "body", "remove"})


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

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ExtractRules:
        """Build rules from the parsed YAML mapping; raise ``ConfigError`` naming what is wrong."""
        unknown = sorted(set(data) - _KNOWN_KEYS)
        if unknown:
            raise ConfigError(f"article: unknown key(s) {', '.join(unknown)}")
        remove = data.get("remove") or ()
        if isinstance(remove, str):
            remove = (remove,)
        if not all(isinstance(item, str) for item in remove):
            raise ConfigError("article.remove: expected a list of CSS selectors")
        for key in ("title", "body"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ConfigError(f"article.{key}: expected a CSS selector")
        return cls(title=data.get("title"), body=data.get("body"), remove=tuple(remove))


_PROBE = LexborHTMLParser(b"<p></p>")


def _check_selector(selector: str) -> None:
    """Raise ``ConfigError`` when lexbor cannot compile ``selector``."""
    if not selector.strip():
        raise ConfigError("article: empty CSS selector")
    try:
        _PROBE.css(selector)
    except (SelectolaxError, ValueError) as exc:
        raise ConfigError(f"article: invalid CSS selector {selector!r}: {exc}") from exc
