"""Article extraction: HTML bytes in, an ``Article`` value out (the only importer of selectolax).

``extract_article`` is imported on first use, so reading a config (which only checks selectors
with ``monitor.extract.rules``) does not load the extraction stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from monitor.extract.rules import ExtractRules

if TYPE_CHECKING:
    from monitor.extract.article import extract_article

__all__ = ["ExtractRules", "extract_article"]


def __getattr__(name: str) -> Any:
    """Import ``extract_article`` the first time it is asked for."""
    if name != "extract_article":
        raise AttributeError(f"module 'monitor.extract' has no attribute {name!r}")
    from monitor.extract.article import extract_article

    return extract_article
