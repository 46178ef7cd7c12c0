"""The generic article body extractor: find the container holding the story, then read it cleanly.

1. ``container.best_container`` picks the element holding the story (text-run scoring, link
   density, class/id hints, furniture ancestry), ``container.with_cousins`` adds sibling blocks
   that read like more of it (a standfirst above, paragraphs split by an ad) and the same kind
   of text containers around its ancestors (a body split over several wrappers). When the page's
   JSON-LD ``articleBody`` is far longer than all that, it is read instead.
2. ``reader.read_blocks`` walks that content in document order, skipping boilerplate (navigation,
   share bars, related links, newsletter boxes, captions and credits, comments, hidden and
   interactive elements), and emits one block per paragraph, heading, list item, quote or
   pre-formatted block, with its whitespace folded.
3. ``clean_blocks`` drops blocks that are mostly links or read like page chrome ("Updated 5
   minutes ago", "Advertisement", newsletter prompts) and the repeated headline.
"""

from __future__ import annotations

import re
from typing import Final

from selectolax.lexbor import LexborHTMLParser

from monitor.extract.container import best_container, with_cousins
from monitor.extract.elements import PageElements, page_elements
from monitor.extract.reader import Block, read_blocks
from monitor.extract.text import fold

__all__ = ["Block", "clean_blocks", "embedded_body_blocks", "extract_blocks", "read_blocks"]

_CHROME: Final = re.compile(
    r"^(?:advert|advertisement|advertising|anzeige|publicidad|publicité|pubblicità|реклама|iklan"
    r"|sponsored(?: content)?|ad|skip (?:to )?(?:main )?content|comments?|\d+ comments?"
    r"|(?:updated|published|posted|last updated)\b.{0,60}|\d+ (?:min(?:ute)?s?|hours?) ago"
    r"|share (?:this|on|via)\b.*|(?:follow|like) us\b.*|like this (?:story|article)\?.*"
    r"|(?:read|see) (?:more|also)\b.{0,120}|related(?: articles| stories| coverage)?:?.{0,120}"
    r"|click here\b.{0,120}|\d+ (?:shares?|comments?)|(?:photo|image|video)(?: credit)?:.{0,120}"
    r"|tell us what you think.*|have a tip\?.*|filed under:.*"
    r"|\(?(?:additional )?(?:reporting|writing|editing|compiled) by\b.*)$",
)
# Apart from _CHROME: a leading ``.*`` walks the whole block at every try, so it is only tried on
# blocks that hold its word.
_CREDIT_LINE: Final = re.compile(r".*\bcontributed (?:to )?this (?:report|story|article)\.?$")
_PROMO: Final = re.compile(
    r"\b(?:newsletters?|subscribe|sign up|signup|inbox|follow (?:us|@\w+)|on twitter"
    r"|on facebook)\b",
)
# Every _PROMO match holds one of these: a substring test each is far cheaper than the search.
_PROMO_WORDS: Final = (
    "newsletter",
    "subscribe",
    "sign up",
    "signup",
    "inbox",
    "follow ",
    "on twitter",
    "on facebook",
)
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_MAX_CHROME_CHARS: Final = 300
_BLOCK_LINK_SHARE: Final = 0.5
_LONG_BLOCK_LINK_SHARE: Final = 0.65
_LONG_BLOCK_CHARS: Final = 200
_SENTENCE_LINK_SHARE: Final = 0.9
_SENTENCE_ENDS: Final = (".", "!", "?", '"', "”", "’", "»", "。")
_MAX_PROMO_CHARS: Final = 160
_MIN_EMBEDDED_CHARS: Final = 500
_EMBEDDED_SHARE: Final = 0.5


def extract_blocks(
    tree: LexborHTMLParser, title: str | None, elements: PageElements | None = None
) -> list[Block]:
    """The article's text blocks in reading order, boilerplate removed; ``elements`` from
    ``page_elements(tree, scored=True)`` when the caller has them."""
    body = tree.body
    if body is None:
        return []
    if elements is None:
        elements = page_elements(tree, scored=True)
    texts: dict[int, str] = {}  # deep texts read, by mem_id (see container.text_of)
    top = best_container(body, elements, texts)
    if top is None:
        return []
    nodes = with_cousins(top, texts)
    return clean_blocks(read_blocks(nodes, elements.blockquotes > 0, texts), title)


def embedded_body_blocks(article_body: str | None, blocks: list[Block]) -> list[Block] | None:
    """The page's JSON-LD ``articleBody`` as blocks when the DOM text is far shorter than it.

    Pages that render their body with scripts, or split it in ways no container rule follows,
    often still embed the whole text for search engines. None when there is none or the DOM
    text already holds a fair share of it.
    """
    if not article_body:
        return None
    dom_length = sum(len(block.text) for block in blocks)
    if "<" in article_body and ">" in article_body:
        fragment = LexborHTMLParser(article_body)
        roots = [fragment.body] if fragment.body is not None else []
        embedded = [block for block in read_blocks(roots) if block.text]
    else:
        embedded = [
            Block(fold(line), "p", 0.0) for line in re.split(r"\n\s*", article_body) if fold(line)
        ]
    embedded_length = sum(len(block.text) for block in embedded)
    if embedded_length < _MIN_EMBEDDED_CHARS or dom_length >= embedded_length * _EMBEDDED_SHARE:
        return None
    return embedded


def clean_blocks(blocks: list[Block], title: str | None) -> list[Block]:
    """Drop link lists, page chrome, a repeated headline and headings left at the end."""
    title_key = fold(title).lower() if title else None
    kept: list[Block] = []
    for block in blocks:
        # (lower() never shortens a text: a longer block is not the headline, unread)
        if title_key and len(block.text) <= len(title_key) and block.text.lower() == title_key:
            continue
        if block.kind == "h1" and not kept:
            continue  # the headline above the text, however it is worded
        if block.link_share > _max_link_share(block) or _is_chrome(block.text):
            continue
        kept.append(block)
    while kept and kept[-1].kind in _HEADINGS:
        kept.pop()  # "Related", "Comments", … headings left at the end
    return kept


def _max_link_share(block: Block) -> float:
    """How much of a block may be link text before it counts as a link list.

    A sentence in a paragraph can be mostly links and still be prose; long blocks may open with
    a linked lead; short link-heavy blocks are "related" lists and teasers.
    """
    if block.kind == "p" and block.text.endswith(_SENTENCE_ENDS):
        return _SENTENCE_LINK_SHARE
    return _LONG_BLOCK_LINK_SHARE if len(block.text) > _LONG_BLOCK_CHARS else _BLOCK_LINK_SHARE


def _is_chrome(text: str) -> bool:
    """Page furniture that slipped into the container: ad labels, share prompts, promos."""
    if len(text) > _MAX_CHROME_CHARS:
        return False
    text = text.lower()  # the patterns are lower case: a case-blind match costs several times more
    if _CHROME.match(text) is not None:
        return True
    if "contributed" in text and _CREDIT_LINE.match(text) is not None:
        return True
    return (
        len(text) < _MAX_PROMO_CHARS
        and any(word in text for word in _PROMO_WORDS)
        and _PROMO.search(text) is not None
    )


# --- choosing the container ---------------------------------------------------------------------
