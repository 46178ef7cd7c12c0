"""Reading the chosen container into text blocks, in document order, skipping boilerplate."""

from __future__ import annotations

from typing import Final, NamedTuple

from selectolax.lexbor import LexborNode

from monitor.extract.hints import (
    BLOCK_TAGS,
    FIRST_ELEMENT_ID,
    SKIP_TAGS,
    TEXT_ID,
    is_boilerplate,
    is_comment_section,
    named_by_heading,
    tag_id,
    tag_ids,
    text_of,
)
from monitor.extract.text import fold

_QUOTED_POSTS: Final = (
    "blockquote.twitter-tweet, blockquote.instagram-media, blockquote.tiktok-embed"
)
_CELL_IDS: Final = tag_ids(("td", "th"))
_SKIP_IDS: Final = tag_ids(SKIP_TAGS)
_BLOCK_IDS: Final = tag_ids(BLOCK_TAGS)
_ARTICLE_ID: Final = tag_id("article")
_BR_ID: Final = tag_id("br")
_LINK_ID: Final = tag_id("a")
_MAX_DEPTH: Final = 150
_GUARD_SHARE: Final = 0.5


class Block(NamedTuple):
    """One piece of the article text and what kind of element held it. (A named tuple: made
    in half the time of a frozen dataclass, which sets each field through object.__setattr__,
    and a page makes dozens.)"""

    text: str
    kind: str
    link_share: float


def read_blocks(
    nodes: list[LexborNode], quoted_posts: bool = True, texts: dict[int, str] | None = None
) -> list[Block]:
    """Walk ``nodes`` in document order and collect their text blocks, skipping boilerplate.

    ``quoted_posts=False`` says the page has no ``<blockquote>`` at all, so no widget can wrap
    a quoted post (and none is looked for). ``texts`` holds deep texts of the page's elements
    already read, by ``mem_id``.
    """
    reader = _BlockReader(nodes, quoted_posts, {} if texts is None else texts)
    for node in nodes:
        reader.read_root(node)
    reader.flush()
    return reader.blocks


def _may_hold_quoted_post(node: LexborNode, tag: str) -> bool:
    """Whether ``node`` is or holds a quoted post's ``<blockquote>``: no selector call for an
    element with no element inside (a link named "popup", a "share" label)."""
    if tag != "blockquote" and next(node.iter(include_text=False), None) is None:
        return False
    return node.css_first(_QUOTED_POSTS) is not None


class _BlockReader:
    """Depth-first reader that turns inline runs into blocks at every block boundary."""

    def __init__(self, roots: list[LexborNode], quoted_posts: bool, texts: dict[int, str]) -> None:
        self._quoted_posts = quoted_posts
        self._texts = texts
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._link_length = 0
        self._kinds: list[str] = ["div"]
        self._roots = roots
        self._guard: float | None = None  # read when first needed: most pages never ask

    def _guard_length(self) -> float:
        """Half the text of all the roots: an element holding more is never boilerplate."""
        if self._guard is None:
            total = sum(len(text_of(node, self._texts)) for node in self._roots) or 1
            self._guard = total * _GUARD_SHARE
        return self._guard

    def read_root(self, node: LexborNode) -> None:
        """Read one chosen container; its own tag counts as the enclosing block."""
        self._kinds.append(node.tag or "div")
        self.read(node, 0)
        self.flush()
        self._kinds.pop()

    def read(self, node: LexborNode, depth: int, in_link: bool = False) -> None:
        parts = self._parts  # cleared in place by flush, never replaced
        for child in node.iter(include_text=True):
            tag = child.tag_id  # an id (see hints.tag_ids): a name only where one is kept
            if tag == TEXT_ID:  # the commonest child: read here, not through _text
                text = child.text_content or ""
                # Indentation between blocks starts no block: left out, it costs no fold
                # (folding drops leading whitespace anyway, and it has no link length).
                if parts or not text.isspace():
                    parts.append(text)
                    if in_link:
                        self._link_length += len(text.strip())
            elif tag < FIRST_ELEMENT_ID or tag in _SKIP_IDS:
                continue  # a comment or another node that is no element, or a skipped tag
            elif tag == _ARTICLE_ID and self._skipped(child, "article", child.attributes):
                continue  # an <article> nested in one, or one named like furniture
            elif (
                (attrs := child.attributes)
                and is_boilerplate(attrs)
                and self._skipped(child, child.tag or "", attrs, True)
            ):
                continue  # an element named like furniture
            elif depth >= _MAX_DEPTH:
                self._text(child.text(), in_link)
            elif tag in _BLOCK_IDS:
                self._block(child, child.tag or "", depth)
            elif tag == _BR_ID:
                self.flush()
            elif tag in _CELL_IDS:  # a table row reads as one line, cells apart
                self._text(" ", in_link)
                self.read(child, depth + 1, in_link)
                self._text(" ", in_link)
            else:
                self.read(child, depth + 1, in_link or tag == _LINK_ID)

    def _skipped(
        self,
        node: LexborNode,
        tag: str,
        attrs: dict[str, str | None],
        boilerplate: bool | None = None,
    ) -> bool:
        """Whether ``node`` (its ``attrs``; ``boilerplate`` when already known) is left out."""
        # An <article> inside an <article> is a teaser for another story.
        nested_article = tag == "article" and "article" in self._kinds
        if boilerplate is None:
            boilerplate = is_boilerplate(attrs)
        if not nested_article and (not boilerplate or named_by_heading(node)):
            return False
        if self._quoted_posts and _may_hold_quoted_post(node, tag):
            return False  # a widget wrapping a post the story quotes (tweet, Instagram post)
        if is_comment_section(attrs):
            return True  # however long the discussion is
        # Never drop what holds most of the article: hints like "comments-enabled" lie.
        return len(node.text()) < self._guard_length()

    def _block(self, node: LexborNode, tag: str, depth: int) -> None:
        if self._parts:
            self.flush()
        first = node.first_child
        if first is not None and first.tag_id == TEXT_ID and first.next is None:
            # One run of text and nothing else (most paragraphs): its block, as the walk below
            # would make it, without the walk.
            text = fold(first.text_content or "")
            if text:
                self.blocks.append(Block(text, tag, 0.0))
            return
        self._kinds.append(tag)
        self.read(node, depth + 1)
        if self._parts:
            self.flush()
        self._kinds.pop()

    def _text(self, text: str, in_link: bool) -> None:
        self._parts.append(text)
        if in_link:
            self._link_length += len(text.strip())

    def flush(self) -> None:
        if not self._parts:
            return
        text = fold("".join(self._parts))
        if text:
            share = min(self._link_length / len(text), 1.0)
            self.blocks.append(Block(text, self._kinds[-1], share))
        self._parts.clear()
        self._link_length = 0
