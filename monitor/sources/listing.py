"""Listing pages → article links: the anchors a source's CSS selector picks, filtered and canonical.

A source with ``links: "<CSS selector>"`` (and optional ``include`` / ``exclude`` regexes, matched
with ``re.search`` against the absolute canonical URL) yields its article links here, in page order
and without duplicates. The HTML work itself is ``monitor.extract.links.select_links``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from monitor.errors import ConfigError
from monitor.extract.links import select_links
from monitor.models import ArticleLink
from monitor.sources.urls import canonical_web_url


def find_article_links(
    html: str | bytes,
    base_url: str,
    selector: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    strip_params: frozenset[str] | None = None,
) -> list[ArticleLink]:
    """Article links on the listing page ``html`` fetched from ``base_url``.

    Only http(s) URLs are kept; a link must match one ``include`` pattern (when any is given) and no
    ``exclude`` pattern. Raises ``ConfigError`` for an invalid pattern and ``ParseError`` for an
    invalid selector.
    """
    wanted = _compile(include, "include")
    unwanted = _compile(exclude, "exclude")
    links: dict[str, ArticleLink] = {}
    for href, text in select_links(html, selector):
        url = canonical_web_url(href, base=base_url, strip_params=strip_params)
        if url is None or url in links or not _admitted(url, wanted, unwanted):
            continue
        links[url] = ArticleLink(url=url, title=text or None)
    return list(links.values())


def _compile(patterns: Sequence[str], role: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"invalid {role} pattern {pattern!r}: {exc}") from exc
    return compiled


def _admitted(url: str, wanted: list[re.Pattern[str]], unwanted: list[re.Pattern[str]]) -> bool:
    if wanted and not any(pattern.search(url) for pattern in wanted):
        return False
    return not any(pattern.search(url) for pattern in unwanted)
