"""The elements metadata, live-blog detection and body scoring read, gathered tag by tag.

lexbor's selector engine visits every node of the document on each ``css()`` call and tries
every selector of a list on every node (about 85 instructions a node and selector on a news
page, under callgrind). ``tags(name)`` walks the document comparing one tag id, at about half
that cost: the fixed-name elements (JSON-LD scripts, meta tags, ``<time>``, and the paragraphs
and text holders the body scorer credits) come one ``tags`` walk each, in document order within
a tag; one selector walk finds what only attributes say (``[itemprop]``, the canonical link).
On the scrapinghub pages: 1.41 M instructions a page for the fifteen-selector walk this
replaced, 0.87 M for these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.hints import tag_id

_JSON_LD_TYPE = "application/ld+json"
# What only attributes say, in one selector walk: microdata, and the one link read (a page links
# dozens of stylesheets and preloads).
_ATTRIBUTE_SELECTOR = "[itemprop], link[rel~=canonical i][href]"
_ITEMPROPS = frozenset({"datePublished", "dateModified", "author"})
# What the body scorer credits: paragraphs, and elements that may hold text runs of their own.
PARAGRAPH_TAGS = ("p", "pre")
HOLDER_TAGS = ("div", "section", "article", "main", "td", "blockquote")
_LINK_ID = tag_id("link")


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
    found = PageElements(times=tree.tags("time"))
    for node in tree.tags("script"):
        kind = node.attributes.get("type")
        # HTML reads the type case-blind (ASCII only).
        if kind is not None and kind.isascii() and kind.lower() == _JSON_LD_TYPE:
            found.json_ld.append(node)
    metas = found.metas
    for node in tree.tags("meta"):
        attrs = node.attributes
        if attrs.get("content"):
            metas.append(attrs)
    for node in tree.css(_ATTRIBUTE_SELECTOR):
        _sort_attributed(found, node)
    if scored:
        found.paragraphs = [node for name in PARAGRAPH_TAGS for node in tree.tags(name)]
        holders = found.holders
        for name in HOLDER_TAGS:
            nodes = tree.tags(name)
            holders.extend(nodes)
            if name == "article":
                found.articles = len(nodes)
            elif name == "blockquote":
                found.blockquotes = len(nodes)
    return found


def _sort_attributed(found: PageElements, node: LexborNode) -> None:
    """File an element the attribute selector matched: a link (canonical, or one carrying an
    itemprop with a rel and an href) and the itemprops read."""
    attrs = node.attributes
    if node.tag_id == _LINK_ID and "rel" in attrs and "href" in attrs:
        found.links.append(node)
    itemprop = attrs.get("itemprop")
    if itemprop in _ITEMPROPS:
        found.itemprops.setdefault(itemprop, []).append(node)
