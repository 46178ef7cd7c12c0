"""Class/id hints and tag sets: what page furniture and article containers are called.

The regular expressions run on an element's ``class``, ``id`` and ``role`` text, lower-cased
first (a case-blind match of these long alternations costs several times a plain one: it folds
the case of every character it tries); results are memoised because the same class strings
repeat on every page of a site.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final, Generic, TypeVar

from selectolax.lexbor import LexborHTMLParser, LexborNode

BLOCK_TAGS: Final = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "tr",
        "caption",
        "tbody",
        "thead",
        "tfoot",
        "hr",
        "center",
        "address",
        "details",
        "summary",
        "hgroup",
        "fieldset",
    ]
)
SKIP_TAGS: Final = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "canvas",
        "img",
        "picture",
        "source",
        "map",
        "button",
        "input",
        "select",
        "textarea",
        "label",
        "option",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "header",
        "footer",
        "dialog",
        "menu",
        "link",
        "meta",
        "head",
        "title",
        "math",
        "time",
    ]
)


T = TypeVar("T")
_PROBE: Final = LexborHTMLParser("<p>text</p>")


def tag_ids(names: Iterable[str]) -> frozenset[int]:
    """lexbor's ids of these HTML tags. They are fixed (a custom element's id is an address,
    never one of them), and an id is read for about half the cost of a name."""
    return frozenset(tag_id(name) for name in names)


def tag_id(name: str) -> int:
    """lexbor's id of one HTML tag (see ``tag_ids``)."""
    return _PROBE.create_node(name).tag_id


# lexbor numbers its kinds of node that are no element (text, comments, …) below its first tag.
FIRST_ELEMENT_ID: Final = min(tag_ids(("a", "abbr")))
TEXT_ID: Final = _PROBE.css_first("p").child.tag_id  # type: ignore[union-attr]


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression (``|`` outside groups and classes)."""
    parts: list[str] = []
    depth = start = 0
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
        index += 1
    parts.append(pattern[start:])
    return parts


def _head(alternative: str) -> str | None:
    """What an alternative must start with: its first letter or its leading group (None when
    that is optional or repeated)."""
    end = 1
    if alternative.startswith("("):
        depth = 0
        for index, char in enumerate(alternative):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                end = index + 1
                break
    elif not alternative[:1].isalnum():
        return None
    following = alternative[end : end + 1]
    return alternative[:end] if following and following not in "?*+{" else None


def _presence_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern``, a long alternation only ever searched for presence, with its alternatives
    grouped by what they start with: ``re`` tries every alternative at every position of the
    text, so ``share|social|related|…`` cost a test per alternative per character; grouped
    (``s(?:hare|ocial)|r(?:elated)``) one per distinct head: a third of the time for the
    boilerplate hints. The same texts match (not always with the same alternative)."""
    groups: dict[str, list[str]] = {}
    others: list[str] = []
    for alternative in _alternatives(pattern):
        head = _head(alternative)
        if head is None:
            others.append(alternative)
        else:
            groups.setdefault(head, []).append(alternative[len(head) :])
    grouped = [f"{head}(?:{'|'.join(tails)})" for head, tails in groups.items()]
    return re.compile("|".join(grouped + others))


_BOILERPLATE_HINTS: Final = (
    r"share(?!d)|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|promo|advert"
    r"|sponsor|(?:^|[\s_-])ads?(?:$|[\s_-])|ad-?slot|ad-?unit|dfp|outbrain|taboola|comment"
    r"|disqus|caption|credit|byline|author|breadcrumb|(?:^|[\s_-])tags?(?:$|[\s_-])|tag-?list"
    r"|toolbar|sidebar|footer|masthead|(?:^|[\s_-])nav|menu|popup|modal|overlay|cookie|consent"
    r"|paywall|read-?more|more-?(?:stories|articles|news)|further-?reading|most-?(?:read|popular)"
    r"|trending|(?:^|[\s_-])print|disclaimer|copyright|rating|gallery|slideshow|widget|sr-only"
    r"|visually-?hidden|screen-?reader|hidden|timestamp|dateline|(?:^|[\s_-])meta(?:$|[\s_-])"
    r"|inline-?(?:ad|promo|related)|skip-?link|enlarge|lightbox|video|podcast|player|recent"
    r"|teaser|upsell|also-?like|you-?may|more-?from|next-?(?:article|post|story)|prev-?next"
    r"|next-?prev|(?:^|\s)(?:next|prev|previous)(?:$|\s)|pagination|pager|rollover|tooltip|popover"
    r"|hover-?card|kicker|eyebrow|overline"
)
_BOILERPLATE: Final = _presence_pattern(_BOILERPLATE_HINTS)
_CONTENT_HINT: Final = re.compile(
    r"article-?body|story-?body|post-?body|entry-?content|article-?content|main-?content"
    r"|post-?content|body-?text|article-?text|story-?content|content-?body|rich-?text"
    r"|hentry|type-post|status-publish",
)
_POSITIVE_HINT: Final = re.compile(r"article|body|content|entry|main|page|post|text|blog|story")
_NEGATIVE_HINTS: Final = (
    r"hidden|banner|combx|comment|contact|foot|footer|footnote|masthead|media|meta|outbrain"
    r"|promo|related|scroll|shoutbox|sidebar|sponsor|shopping|tags|tool|widget|share|social"
)
_NEGATIVE_HINT: Final = _presence_pattern(_NEGATIVE_HINTS)
# A class token that starts with (or has one prefix word before) a furniture word: "comments",
# "post-comments", "sidebar"; but not "content-with-sidebar-wrp" or "grid--with-right-rail".
_FURNITURE: Final = re.compile(
    r"(?:^|\s)(?:[a-z0-9]+[-_])?(?:comment|disqus|sidebar|footer|related|recommend|most-?read"
    r"|most-?popular|trending|repl(?:y|ies)|discussion|forum|rail(?:$|\s|[-_])|gallery|slideshow)",
)
_COMMENT_SECTION: Final = re.compile(
    r"(?:[a-z]+[-_])?(?:comments|comment-?(?:list|area|section|wrap(?:per)?|container|thread)"
    r"|commentlist|disqus_thread|respond|replies)",
)
_HEADING_SELECTOR: Final = "h1, h2, h3, h4, h5, h6"
_SLUG_WORDS: Final = re.compile(r"[^\W_]+")
_FURNITURE_TAGS: Final = frozenset({"aside", "nav", "footer"})
_HINT_POINTS: Final = 25.0
ROOT_TAGS: Final = frozenset({"html", "body", "-document"})
ROOT_IDS: Final = tag_ids(("html", "body")) | {_PROBE.root.parent.tag_id}  # type: ignore[union-attr]
_FURNITURE_IDS: Final = tag_ids(_FURNITURE_TAGS)


def is_boilerplate(attrs: dict[str, str | None]) -> bool:
    """Whether an element with these attributes is hidden or named like page furniture."""
    if not attrs:
        return False
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    classes, anchor, role = attrs.get("class"), attrs.get("id"), attrs.get("role")
    if not (classes or anchor or role):
        return False  # (most links and images: no hint to read)
    return _BOILERPLATE_VERDICTS.of(f"{classes or ''} {anchor or ''} {role or ''}")


def _hints_say_boilerplate(hints: str) -> bool:
    """Class/id/role text naming a boilerplate widget and not the article body."""
    hints = hints.lower()
    return _BOILERPLATE.search(hints) is not None and _CONTENT_HINT.search(hints) is None


def named_by_heading(node: LexborNode) -> bool:
    """A section whose ``id`` is its own heading's text made into an anchor.

    Documentation and long-form pages (Sphinx, MkDocs, Markdown renderers) give each section
    the slug of its title as ``id``: "sharing-with-a-single-developer" names what the section
    says, not a share widget, so the boilerplate words in it mean nothing. Other classes on
    the element still count.
    """
    attrs = node.attributes
    anchor = attrs.get("id")
    if not anchor or is_boilerplate({**attrs, "id": None}):
        return False
    heading = node.css_first(_HEADING_SELECTOR)
    return heading is not None and _slug(heading.text()) == _slug(anchor)


def _slug(text: str) -> str:
    return "-".join(_SLUG_WORDS.findall(text.lower()))


def is_comment_section(attrs: dict[str, str | None]) -> bool:
    """Whether the element is plainly the comment section ("comments", "disqus_thread", …)."""
    hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return len(hints) > 1 and any(
        _COMMENT_SECTION.fullmatch(token) for token in hints.lower().split()
    )


def inside_boilerplate(node: LexborNode) -> bool:
    """Whether ``node`` sits in comments, a sidebar, a footer or similar page furniture."""
    ancestor: LexborNode | None = node
    while ancestor is not None and ancestor.tag_id not in ROOT_IDS:
        if is_furniture(ancestor):
            return True
        ancestor = ancestor.parent
    return False


def is_furniture(node: LexborNode) -> bool:
    """An ``<aside>``/``<nav>``/``<footer>``, or a class token like "comments" or "sidebar"."""
    if node.tag_id in _FURNITURE_IDS:
        return True
    attrs = node.attributes
    classes, anchor = attrs.get("class"), attrs.get("id")
    return bool(classes or anchor) and _FURNITURE_VERDICTS.of(f"{classes or ''} {anchor or ''}")


def _hints_say_furniture(hints: str) -> bool:
    hints = hints.lower()
    return _FURNITURE.search(hints) is not None and _CONTENT_HINT.search(hints) is None


def class_weight(node: LexborNode) -> float:
    """Points from class/id hints: plus for "article-body"-like names, minus for "sidebar"."""
    attrs = node.attributes
    classes, anchor = attrs.get("class"), attrs.get("id")
    return _HINT_WEIGHTS.of(f"{classes or ''} {anchor or ''}") if classes or anchor else 0.0


def _hint_weight(hints: str) -> float:
    weight = 0.0
    hints = hints.lower()
    if _NEGATIVE_HINT.search(hints):
        weight -= _HINT_POINTS
    if _POSITIVE_HINT.search(hints):
        weight += _HINT_POINTS
    return weight


class Memo(Generic[T]):
    """Answers by text (a page's class names repeat, and a site's), kept until there are
    ``size`` of them and then forgotten at once. Compiled, a call costs a dict lookup; an
    ``lru_cache`` wrapper is called as any Python object is, several times that."""

    def __init__(self, answer: Callable[[str], T], size: int) -> None:
        self._answer = answer
        self._size = size
        self._known: dict[str, T] = {}

    def of(self, text: str) -> T:
        known = self._known
        value = known.get(text)
        if value is None:
            if len(known) >= self._size:
                known.clear()
            value = known[text] = self._answer(text)
        return value


_BOILERPLATE_VERDICTS: Final = Memo(_hints_say_boilerplate, 8192)
_FURNITURE_VERDICTS: Final = Memo(_hints_say_furniture, 4096)
_HINT_WEIGHTS: Final = Memo(_hint_weight, 8192)


def text_of(node: LexborNode, texts: dict[int, str]) -> str:
    """``node``'s text, kept in ``texts`` (one page's): the chosen container's text is read
    to rank it, to widen it, to weigh its siblings and by the reader."""
    key = node.mem_id
    text = texts.get(key)
    if text is None:
        text = texts[key] = node.text()
    return text


def link_density(node: LexborNode, text: str | None = None) -> float:
    """The share of ``node``'s text (``text``, when the caller has it) that sits inside links
    (1.0 for an empty node)."""
    text_length = len((node.text() if text is None else text).strip())
    if text_length == 0:
        return 1.0
    link_length = sum(len(link.text().strip()) for link in node.css("a"))
    return min(link_length / text_length, 1.0)


def link_density_below(node: LexborNode, limit: float, text: str | None = None) -> bool:
    """Whether ``link_density(node, text) < limit`` (``limit`` at most 1): the links are read
    only until their text reaches the limit (a comment section holds thousands of them)."""
    text_length = len((node.text() if text is None else text).strip())
    if text_length == 0:
        return limit > 1.0  # an empty node's density is 1.0
    link_length = 0
    for link in node.css("a"):
        link_length += len(link.text().strip())
        if link_length / text_length >= limit:
            return False
    return link_length / text_length < limit
