"""The HTML half of listing pages: the links a CSS selector picks out of a page (selectolax).

``monitor.sources.listing`` turns these raw pairs into canonical article links; this module only
selects, because ``extract/`` is the one package allowed to import selectolax.
"""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from monitor.errors import ParseError


def select_links(html: str | bytes, selector: str) -> list[tuple[str, str]]:
    """``(href, link text)`` for each element ``selector`` matches, in page order.

    A matched element that is not an ``<a href>`` contributes its first ``<a href>`` descendant, so
    ``"article h2"`` works as well as ``"article h2 a"``. Hrefs are resolved against the page's
    ``<base href>`` when it has one (and are otherwise returned as written). Bytes are read as
    UTF-8. Raises ``ParseError`` for a selector that is not valid CSS.
    """
    from monitor.extract.bounds import MAX_NESTING, too_deep  # numpy, on the first listing page

    if too_deep(html.encode("utf-8", "replace") if isinstance(html, str) else html):
        raise ParseError(f"listing page skipped: elements nested deeper than {MAX_NESTING}")
    tree = LexborHTMLParser(html)
    try:
        matches = tree.css(selector)
    except (SelectolaxError, ValueError) as exc:
        raise ParseError(f"invalid CSS selector {selector!r}: {exc}") from exc
    base = _base_href(tree)
    links = []
    for node in matches:
        anchor = _anchor(node)
        href = anchor.attributes.get("href") if anchor is not None else None
        if anchor is None or not href or not href.strip():
            continue
        text = anchor.text(deep=True, separator=" ", strip=True)
        links.append((_against(base, href.strip()), " ".join(text.split())))
    return links


def _anchor(node: LexborNode) -> LexborNode | None:
    if node.tag == "a" and node.attributes.get("href"):
        return node
    return node.css_first("a[href]")


def _base_href(tree: LexborHTMLParser) -> str | None:
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    return href.strip() if href and href.strip() else None


def _against(base: str | None, href: str) -> str:
    if base is None:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return href
