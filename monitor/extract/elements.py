"""The elements metadata, live-blog detection and body scoring read, gathered tag by tag.

lexbor's selector engine visits every node of the document on each ``css()`` call and tries
every selector of a list on every node (about 85 instructions a node and selector on a news
page, under callgrind). ``tags(name)`` walks the document comparing one tag id, at about half
that cost a walk, but each walk reads the whole tree again (a tenth of the extraction's time
went to eleven of them). Paragraphs and ``<div>`` text holders, which pages hold hundreds of,
come one ``tags`` walk each; the other named elements (scripts, meta tags, ``<time>``,
``<pre>`` and the other holders) and what only attributes say (``[itemprop]``, the canonical
link) come together from one selector walk, in document order, and are sorted by tag here
(on the Readability pages, 0.05 ms a page for that walk against 0.08 for seven ``tags`` walks
and one selector walk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.hints import tag_id

_JSON_LD_TYPE: Final = "application/ld+json"
# What only attributes say: microdata, and the one link read (a page links dozens of
# stylesheets and preloads).
_ATTRIBUTE_SELECTORS: Final = ("[itemprop]", "link[rel~=canonical i][href]")
_ITEMPROPS: Final = frozenset({"datePublished", "dateModified", "author"})
# What the body scorer credits: paragraphs, and elements that may hold text runs of their own.
PARAGRAPH_TAGS: Final = ("p", "pre")
HOLDER_TAGS: Final = ("div", "section", "article", "main", "td", "blockquote")
# Walked for by name: the elements pages hold hundreds of (sorting them would cost more).
_WALKED_TAGS: Final = frozenset({"p", "div"})
# The rest, found by the one selector walk with the attribute selectors.
_SELECTED_TAGS: Final = (
    "script",
    "meta",
    "time",
    *(name for name in (*PARAGRAPH_TAGS, *HOLDER_TAGS) if name not in _WALKED_TAGS),
)


class _Selection:
    """What one selector walk finds: elements by these names, and the attribute-bearing ones."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = {tag_id(name): name for name in names}  # by lexbor id
        self.selector = ", ".join((*names, *_ATTRIBUTE_SELECTORS))


_SCORED: Final = _Selection(_SELECTED_TAGS)
_METADATA: Final = _Selection(("script", "meta", "time"))
_LINK_ID: Final = tag_id("link")


@dataclass(slots=True)
class PageElements:
    """The page's metadata-bearing elements, each list in document order."""

    json_ld: list[LexborNode] = field(default_factory=list)
    metas: list[dict[str, str | None]] = field(default_factory=list)  # attributes, read once
    itemprops: dict[str, list[LexborNode]] = field(default_factory=dict)
    times: list[LexborNode] = field(default_factory=list)
    links: list[LexborNode] = field(default_factory=list)  # rel=canonical (or with an itemprop)
    paragraphs: list[LexborNode] = field(default_factory=list)  # <p>, then <pre>
    holders: list[LexborNode] = field(default_factory=list)  # the HOLDER_TAGS, tag by tag
    articles: int = 0  # <article> elements among the holders
    blockquotes: int = 0  # and <blockquote> elements


def page_elements(tree: LexborHTMLParser, scored: bool = False) -> PageElements:
    """Every element the metadata reader and the live-blog detector look at; with ``scored``,
    also the paragraphs and holders the body scorer reads."""
    found = PageElements()
    selected = _selected(tree, found, _SCORED if scored else _METADATA)
    for node in selected["script"]:
        kind = node.attributes.get("type")
        # HTML reads the type case-blind (ASCII only).
        if kind is not None and kind.isascii() and kind.lower() == _JSON_LD_TYPE:
            found.json_ld.append(node)
    metas = found.metas
    for node in selected["meta"]:
        attrs = node.attributes
        if attrs.get("content"):
            metas.append(attrs)
    found.times = selected["time"]
    if scored:
        found.paragraphs = [
            node
            for name in PARAGRAPH_TAGS
            for node in (tree.tags(name) if name in _WALKED_TAGS else selected[name])
        ]
        holders = found.holders
        for name in HOLDER_TAGS:
            nodes = tree.tags(name) if name in _WALKED_TAGS else selected[name]
            holders.extend(nodes)
            if name == "article":
                found.articles = len(nodes)
            elif name == "blockquote":
                found.blockquotes = len(nodes)
    return found


def _selected(
    tree: LexborHTMLParser, found: PageElements, selection: _Selection
) -> dict[str, list[LexborNode]]:
    """One selector walk: the named elements of ``selection`` by name, each list in document
    order, and the attribute-bearing elements filed into ``found``. lexbor gives an
    element once for each selector of the list it matches, one right after the other: a named
    one given twice carries an attribute read too (``<time itemprop="datePublished">``)."""
    by_name: dict[str, list[LexborNode]] = {name: [] for name in _SELECTED_TAGS}
    last = -1
    names = selection.names
    for node in tree.css(selection.selector):
        key = node.mem_id
        name = names.get(node.tag_id)
        if key == last:
            if name is not None:
                _sort_attributed(found, node)
            continue
        last = key
        if name is None:
            _sort_attributed(found, node)
        else:
            by_name[name].append(node)
    return by_name


def _sort_attributed(found: PageElements, node: LexborNode) -> None:
    """File an element the attribute selector matched: a link (canonical, or one carrying an
    itemprop with a rel and an href) and the itemprops read."""
    attrs = node.attributes
    if node.tag_id == _LINK_ID and "rel" in attrs and "href" in attrs:
        found.links.append(node)
    itemprop = attrs.get("itemprop")
    if itemprop in _ITEMPROPS:
        found.itemprops.setdefault(itemprop, []).append(node)
