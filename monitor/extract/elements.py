"""The elements metadata, live-blog detection and body scoring read, gathered in one walk.

lexbor's selector engine visits every node of the document on each ``css()`` call, whatever
the selector and however few elements match (about 0.13 ms on a news page, a tenth of the
whole extraction's time per call). Reading JSON-LD, meta tags, microdata, ``<time>``
elements, ``<link rel>``, the first ``<h1>`` and the ``<title>`` one selector at a time walked
it six to eight times; one selector list walks it once and returns the matches in document
order (an element matching two of the selectors comes twice in a row, and is kept once). The
paragraphs and text holders the body scorer credits come from the same walk: a second walk of
the body for them cost about as much again (the walk, not the tests of the selectors, is most
of a call's cost).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.hints import tag_id, tag_ids

_JSON_LD = 'script[type="application/ld+json"]'
# One ``[itemprop]`` test instead of one per wanted value: each selector in the list is tried on
# every node of the page, and the few other itemprops are dropped in Python.
_SELECTOR = ", ".join(
    (
        _JSON_LD,
        "meta[content]",
        "[itemprop]",
        "time",
        "link[rel~=canonical i][href]",  # the one link read (a page links dozens of others)
        "h1",
        "title",
    )
)
_ITEMPROPS = frozenset({"datePublished", "dateModified", "author"})
# What the body scorer credits: paragraphs, and elements that may hold text runs of their own.
PARAGRAPH_TAGS = frozenset({"p", "pre"})
SCORED_TAGS = PARAGRAPH_TAGS | {"div", "section", "article", "main", "td", "blockquote"}
_SELECTOR_WITH_SCORED = ", ".join((_SELECTOR, *sorted(SCORED_TAGS)))
# The same tags by lexbor's ids (see hints.tag_ids).
_SCORED_IDS = tag_ids(SCORED_TAGS)
_PARAGRAPH_IDS = tag_ids(PARAGRAPH_TAGS)
_ARTICLE_ID, _BLOCKQUOTE_ID = tag_id("article"), tag_id("blockquote")
_META_ID, _SCRIPT_ID, _TIME_ID, _LINK_ID, _H1_ID, _TITLE_ID = (
    tag_id(name) for name in ("meta", "script", "time", "link", "h1", "title")
)


@dataclass(slots=True)
class PageElements:
    """The page's metadata-bearing elements, each list in document order."""

    json_ld: list[LexborNode] = field(default_factory=list)
    metas: list[dict[str, str | None]] = field(default_factory=list)  # attributes, read once
    itemprops: dict[str, list[LexborNode]] = field(default_factory=dict)
    times: list[LexborNode] = field(default_factory=list)
    links: list[LexborNode] = field(default_factory=list)  # rel=canonical (or with an itemprop)
    first_h1: LexborNode | None = None
    first_title: LexborNode | None = None
    paragraphs: list[LexborNode] = field(default_factory=list)  # <p> and <pre>
    holders: list[LexborNode] = field(default_factory=list)  # other SCORED_TAGS
    articles: int = 0  # <article> elements among the holders
    blockquotes: int = 0  # and <blockquote> elements


def page_elements(tree: LexborHTMLParser, scored: bool = False) -> PageElements:
    """Every element the metadata reader and the live-blog detector look at, in one walk;
    with ``scored``, also the elements of ``SCORED_TAGS`` the body scorer reads.

    A scored element matches no other selector of the list but ``[itemprop]``: it is handed to
    ``_sort`` only when it comes twice in a row. The HTML parser never leaves one in ``<head>``
    (any such start tag there opens the body), so they all sit in the body.
    """
    found = PageElements()
    if not scored:
        last = -1
        for node in tree.css(_SELECTOR):
            key = node.mem_id
            if key == last:
                continue  # the same element, matched by a second selector
            last = key
            _sort(found, node)
        return found
    last = -1
    last_scored = False
    paragraphs, holders = found.paragraphs, found.holders
    for node in tree.css(_SELECTOR_WITH_SCORED):
        key = node.mem_id
        if key == last:
            if last_scored:  # matched by [itemprop] as well
                _sort(found, node)
                last_scored = False
            continue
        last = key
        tag_id = node.tag_id
        if tag_id in _SCORED_IDS:
            if tag_id in _PARAGRAPH_IDS:
                paragraphs.append(node)
            else:
                holders.append(node)
                if tag_id == _ARTICLE_ID:
                    found.articles += 1
                elif tag_id == _BLOCKQUOTE_ID:
                    found.blockquotes += 1
            last_scored = True
        else:
            _sort(found, node)
            last_scored = False
    return found


def _sort(found: PageElements, node: LexborNode) -> None:
    tag = node.tag_id
    attrs = node.attributes
    if tag == _META_ID:  # the commonest, first
        if attrs.get("content"):
            found.metas.append(attrs)
    elif tag == _SCRIPT_ID:
        # Matched for an itemprop alone: JSON-LD only when the selector says so (it reads the
        # type case-blind, as HTML does).
        if "itemprop" not in attrs or node.css_matches(_JSON_LD):
            found.json_ld.append(node)
    elif tag == _TIME_ID:
        found.times.append(node)
    elif tag == _LINK_ID:
        if "rel" in attrs and "href" in attrs:
            found.links.append(node)
    elif tag == _H1_ID:
        if found.first_h1 is None:
            found.first_h1 = node
    elif tag == _TITLE_ID and found.first_title is None:
        found.first_title = node
    itemprop = attrs.get("itemprop")
    if itemprop in _ITEMPROPS:
        found.itemprops.setdefault(itemprop, []).append(node)
