"""Live blogs: pages that grow post by post while a story happens.

Two ways to see one. The page declares it: JSON-LD ``LiveBlogPosting`` with its
``liveBlogUpdate`` entries (each with its own time, headline and body). Or only its shape says
it: three or more sibling elements of the same kind, each with its own ``<time>`` and text, that
hold most of the article text the body extractor found (teasers and comments beside an article
do not). Either way the posts come back in the page's order, each
with the id the page gives it (``@id``/``url``, or the element's ``id``/``data-post-id``).
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.body import Block, clean_blocks, read_blocks
from monitor.extract.dates import parse_date
from monitor.extract.hints import inside_boilerplate, is_boilerplate, link_density
from monitor.extract.text import clean_value, fold
from monitor.models import Post

_MIN_POSTS: Final = 3
_MIN_POST_CHARS: Final = 40
_MAX_POST_LINK_DENSITY: Final = 0.4
_MIN_BODY_SHARE: Final = 0.5
_CLIMB_LEVELS: Final = 6
_MAX_TIMES: Final = 1000
_ID_ATTRIBUTES: Final = ("data-post-id", "data-id", "data-entry-id", "id")
_HEADINGS: Final = "h2, h3, h4"


def posts_from_json_ld(item: dict[str, Any]) -> tuple[Post, ...]:
    """The ``liveBlogUpdate`` entries of a ``LiveBlogPosting`` object, in its order."""
    updates = item.get("liveBlogUpdate")
    if isinstance(updates, dict):
        updates = [updates]
    if not isinstance(updates, list):
        return ()
    posts = []
    for update in updates:
        if not isinstance(update, dict):
            continue
        paragraphs = _body_paragraphs(update.get("articleBody"))
        headline = clean_value(update.get("headline"))
        if not paragraphs and not headline:
            continue
        raw_id = update.get("@id") or update.get("url")
        published = parse_date(update.get("datePublished") or update.get("dateCreated"))
        posts.append(
            Post(
                id=str(raw_id) if raw_id else None,
                published=published.value if published else None,
                headline=headline,
                paragraphs=paragraphs,
            )
        )
    return tuple(posts)


def _body_paragraphs(body: object) -> tuple[str, ...]:
    if not isinstance(body, str):
        return ()
    if "<" in body and ">" in body:
        fragment = LexborHTMLParser(body)
        roots = [fragment.body] if fragment.body is not None else []
        return tuple(block.text for block in read_blocks(roots) if block.text)
    return tuple(line for line in (fold(part) for part in body.split("\n")) if line)


def posts_from_dom(time_nodes: list[LexborNode], body_blocks: list[Block]) -> tuple[Post, ...]:
    """Posts when the page is shaped like a live blog, else ``()``.

    ``time_nodes`` are the page's ``<time>`` elements in document order.
    """
    times = time_nodes[:_MAX_TIMES]
    if len(times) < _MIN_POSTS:
        return ()
    members = _largest_timed_group(times)
    if len(members) < _MIN_POSTS:
        return ()
    posts = tuple(post for post in (_dom_post(node) for node in members) if post is not None)
    if len(posts) < _MIN_POSTS or not _timed_in_order(posts):
        return ()
    post_texts = {text for post in posts for text in post.paragraphs}
    body_chars = sum(len(block.text) for block in body_blocks)
    covered = sum(len(block.text) for block in body_blocks if block.text in post_texts)
    if not body_chars or covered < body_chars * _MIN_BODY_SHARE:
        return ()  # timed items beside the article (teasers, comments, a ticker), not the article
    return posts


def _timed_in_order(posts: tuple[Post, ...]) -> bool:
    """Every post has its own time and they run one way (a pinned first post aside)."""
    times = [post.published for post in posts]
    if any(moment is None for moment in times) or len(set(times)) < len(times) * 0.8:
        return False
    ordered = [moment for moment in times if moment is not None]
    return any(_monotonic(ordered[skip:]) for skip in (0, 1))


def _monotonic(moments: list[datetime]) -> bool:
    pairs = list(pairwise(moments))
    return all(a >= b for a, b in pairs) or all(a <= b for a, b in pairs)


def _largest_timed_group(times: list[LexborNode]) -> list[LexborNode]:
    """The biggest set of same-kind siblings that each hold a ``<time>``, in document order."""
    groups: dict[tuple[int, str, str], dict[int, LexborNode]] = {}
    parents: dict[tuple[int, str, str], LexborNode] = {}
    for time_node in times:
        node = time_node.parent
        for _ in range(_CLIMB_LEVELS):
            if node is None or node.parent is None or node.tag in ("body", "html"):
                break
            key = (node.parent.mem_id, node.tag or "", _first_class(node))
            groups.setdefault(key, {})[node.mem_id] = node
            parents[key] = node.parent
            node = node.parent
    best_key = max(groups, key=lambda key: len(groups[key]), default=None)
    if best_key is None:
        return []
    chosen = groups[best_key]
    return [child for child in parents[best_key].iter() if child.mem_id in chosen]


def _first_class(node: LexborNode) -> str:
    classes = (node.attributes.get("class") or "").split()
    return classes[0] if classes else ""


def _dom_post(node: LexborNode) -> Post | None:
    if is_boilerplate(node.attributes) or inside_boilerplate(node):
        return None
    if link_density(node) > _MAX_POST_LINK_DENSITY:
        return None
    heading = node.css_first(_HEADINGS)
    headline = fold(heading.text()) if heading is not None else None
    blocks = clean_blocks(read_blocks([node]), headline)
    paragraphs = tuple(block.text for block in blocks)
    if sum(len(text) for text in paragraphs) < _MIN_POST_CHARS:
        return None
    time_node = node.css_first("time")
    stamp = time_node.attributes.get("datetime") if time_node is not None else None
    published = parse_date(stamp or (time_node.text() if time_node else None))
    return Post(
        id=_post_id(node),
        published=published.value if published else None,
        headline=headline or None,
        paragraphs=paragraphs,
    )


def _post_id(node: LexborNode) -> str | None:
    for name in _ID_ATTRIBUTES:
        value = node.attributes.get(name)
        if value:
            return value
    return None


def post_paragraphs(posts: tuple[Post, ...]) -> tuple[str, ...]:
    """The text of a live blog as paragraphs: each post's headline, then its text."""
    paragraphs: list[str] = []
    for post in posts:
        if post.headline:
            paragraphs.append(post.headline)
        paragraphs.extend(post.paragraphs)
    return tuple(paragraphs)
