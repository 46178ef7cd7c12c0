"""The generic article body extractor: find the container holding the story, then read it cleanly.

1. Score containers: every paragraph-like element with enough text gives points (more for length
   and commas) to its parent, half to its grandparent and a third to the level above; each
   candidate's score is then scaled down by its link density and nudged by class/id hints.
2. Take the best container plus those of its siblings that score well or are plain paragraphs.
3. Walk that content in document order, skipping boilerplate (navigation, share bars, related
   links, newsletter boxes, captions and credits, comments, hidden and interactive elements) and
   emit one block per paragraph, heading, list item, quote or pre-formatted block, whitespace folded.
4. Drop blocks that are mostly links or read like page chrome ("Updated 5 minutes ago").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.text import fold

BLOCK_TAGS = frozenset(
    "p div section article main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre table tr td "
    "th caption tbody thead tfoot hr center address details summary hgroup fieldset".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template svg iframe object embed video audio canvas img picture source "
    "map button input select textarea label option nav aside figure figcaption header footer "
    "dialog menu link meta head title math time".split()
)
HEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_PARAGRAPH_SELECTOR = "p, pre"
_TEXT_HOLDER_SELECTOR = "div, section, article, main, td, blockquote"
_BOILERPLATE = re.compile(
    r"share|sharing|social|related|recommend|newsletter|subscri|signup|sign-up|promo|advert"
    r"|sponsor|(?:^|[\s_-])ads?(?:$|[\s_-])|ad-?slot|ad-?unit|dfp|outbrain|taboola|comment"
    r"|disqus|caption|credit|byline|author|breadcrumb|(?:^|[\s_-])tags?(?:$|[\s_-])|tag-?list"
    r"|toolbar|sidebar|footer|masthead|(?:^|[\s_-])nav|menu|popup|modal|overlay|cookie|consent"
    r"|paywall|read-?more|more-?(?:stories|articles|news)|further-?reading|most-?(?:read|popular)"
    r"|trending|(?:^|[\s_-])print|disclaimer|copyright|rating|gallery|slideshow|widget|sr-only"
    r"|visually-?hidden|screen-?reader|hidden|timestamp|dateline|(?:^|[\s_-])meta(?:$|[\s_-])"
    r"|inline-?(?:ad|promo|related)|skip-?link|enlarge|lightbox|video|podcast|player",
    re.IGNORECASE,
)
_CONTENT_HINT = re.compile(
    r"article-?body|story-?body|post-?body|entry-?content|article-?content|main-?content"
    r"|post-?content|body-?text|article-?text|story-?content|content-?body|rich-?text"
    r"|hentry|type-post|status-publish",
    re.IGNORECASE,
)
_POSITIVE_HINT = re.compile(
    r"article|body|content|entry|main|page|post|text|blog|story", re.IGNORECASE
)
_NEGATIVE_HINT = re.compile(
    r"hidden|banner|combx|comment|contact|foot|footer|footnote|masthead|media|meta|outbrain"
    r"|promo|related|scroll|shoutbox|sidebar|sponsor|shopping|tags|tool|widget|share|social",
    re.IGNORECASE,
)
_CHROME = re.compile(
    r"^(?:advert|advertisement|advertising|anzeige|publicidad|publicité|pubblicità|реклама"
    r"|sponsored(?: content)?|ad|skip (?:to )?(?:main )?content|comments?|\d+ comments?"
    r"|(?:updated|published|posted|last updated)\b.{0,60}|\d+ (?:min(?:ute)?s?|hours?) ago"
    r"|share (?:this|on|via)\b.*|(?:follow|like) us\b.*|like this (?:story|article)\?.*"
    r"|(?:read|see) (?:more|also)\b.{0,120}|related(?: articles| stories| coverage)?:?.{0,120}"
    r"|click here\b.{0,120}|\d+ (?:shares?|comments?)|(?:photo|image|video)(?: credit)?:.{0,120}"
    r"|tell us what you think.*|have a tip\?.*|(?:©|copyright)\s.{0,200})$",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"\b(?:newsletters?|subscribe|sign up|signup|inbox|follow (?:us|@\w+)|on twitter|on facebook)\b",
    re.IGNORECASE,
)
_MAX_CHROME_CHARS = 300
_BLOCK_LINK_SHARE = 0.5
_LONG_BLOCK_LINK_SHARE = 0.65
_LONG_BLOCK_CHARS = 200
_MAX_PROMO_CHARS = 160
# A class token that starts with (or has one prefix word before) a furniture word: "comments",
# "post-comments", "sidebar"; but not "content-with-sidebar-wrp" or "grid--with-right-rail".
_FURNITURE = re.compile(
    r"(?:^|\s)(?:[a-z0-9]+[-_])?(?:comment|disqus|sidebar|footer|related|recommend|most-?read"
    r"|most-?popular|trending|repl(?:y|ies)|discussion|forum|rail(?:$|\s|[-_]))",
    re.IGNORECASE,
)
_FURNITURE_TAGS = frozenset({"aside", "nav", "footer"})
_ANCESTRY_PENALTY = 0.2
_HINT_POINTS = 25.0
_WIDEN_LEVELS = 4
_WIDEN_GAIN = 1.25
_WIDEN_DENSITY = 0.5
_WIDEN_LINK_DENSITY = 0.3
_MIN_SCORED_CHARS = 25
_LEVEL_DIVIDERS = (1.0, 2.0, 6.0)
_RANKED = 8
_ROOT_TAGS = frozenset({"html", "body", "-document"})
_MAX_DEPTH = 150
_GUARD_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of the article text and what kind of element held it."""

    text: str
    kind: str
    link_share: float


def extract_blocks(tree: LexborHTMLParser, title: str | None) -> list[Block]:
    """The article's text blocks in reading order, boilerplate removed."""
    body = tree.body
    if body is None:
        return []
    top = _best_container(body)
    if top is None:
        return []
    return clean_blocks(read_blocks(_with_siblings(top)), title)


def read_blocks(nodes: list[LexborNode]) -> list[Block]:
    """Walk ``nodes`` in document order and collect their text blocks, skipping boilerplate."""
    total = sum(len(node.text(deep=True)) for node in nodes) or 1
    reader = _BlockReader(total)
    for node in nodes:
        reader.read(node, 0)
    reader.flush()
    return reader.blocks


def clean_blocks(blocks: list[Block], title: str | None) -> list[Block]:
    """Drop link lists, page chrome and a repeated headline."""
    title_key = fold(title).lower() if title else None
    kept: list[Block] = []
    for block in blocks:
        if title_key and block.text.lower() == title_key:
            continue
        if block.kind == "h1" and not kept:
            continue  # the headline above the text, however it is worded
        if block.link_share > _max_link_share(block) or _is_chrome(block.text):
            continue
        kept.append(block)
    return kept


def _max_link_share(block: Block) -> float:
    """Short blocks that are mostly links are link lists; long ones may open with a linked lead."""
    return _LONG_BLOCK_LINK_SHARE if len(block.text) > _LONG_BLOCK_CHARS else _BLOCK_LINK_SHARE


def _is_chrome(text: str) -> bool:
    """Page furniture that slipped into the container: ad labels, share prompts, promos."""
    if len(text) > _MAX_CHROME_CHARS:
        return False
    return _CHROME.match(text) is not None or (
        len(text) < _MAX_PROMO_CHARS and _PROMO.search(text) is not None
    )


# --- choosing the container ---------------------------------------------------------------------


class _Candidates:
    """Scores of possible article containers, gathered from the text runs below them.

    ``scores`` holds readability-style points (a run's points go to its container, half to the
    next level up, a sixth to the one above); ``totals`` holds the characters of all runs below
    each ancestor, all the way up, for widening the choice later.
    """

    def __init__(self) -> None:
        self.scores: dict[int, float] = {}
        self.totals: dict[int, int] = {}
        self.nodes: dict[int, LexborNode] = {}

    def credit(self, text: str, start: LexborNode | None) -> None:
        length = len(text.strip())
        if length < _MIN_SCORED_CHARS:
            return
        points = 1.0 + text.count(",") + min(length / 100.0, 3.0)
        ancestor = start
        level = 0
        while ancestor is not None and ancestor.tag not in _ROOT_TAGS:
            key = ancestor.mem_id
            if key not in self.nodes:
                self.nodes[key] = ancestor
                self.scores[key] = _class_weight(ancestor)
                self.totals[key] = 0
            if level < len(_LEVEL_DIVIDERS):
                self.scores[key] += points / _LEVEL_DIVIDERS[level]
            self.totals[key] += length
            ancestor = ancestor.parent
            level += 1


def _best_container(body: LexborNode) -> LexborNode | None:
    candidates = _Candidates()
    for paragraph in body.css(_PARAGRAPH_SELECTOR):
        candidates.credit(paragraph.text(deep=True), paragraph.parent)
    for holder in body.css(_TEXT_HOLDER_SELECTOR):
        direct = holder.text(deep=False)
        if len(direct) < _MIN_SCORED_CHARS or direct.isspace():
            continue
        runs = [run for run in holder.text(deep=False, separator="\n").split("\n") if run.strip()]
        # One run of text is a paragraph written as a <div>; several (split by <br> or empty
        # elements) make the holder itself the container.
        start = holder if len(runs) > 1 else holder.parent
        for run in runs:
            candidates.credit(run, start)
    if not candidates.scores:
        return None
    return _widen(_climb(_pick(candidates), candidates), candidates)


def _pick(candidates: _Candidates) -> LexborNode:
    """The best of the top candidates once link density and boilerplate ancestry count."""
    scores = candidates.scores
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:_RANKED]

    def final_score(key: int) -> float:
        node = candidates.nodes[key]
        penalty = _ANCESTRY_PENALTY if _inside_boilerplate(node) else 1.0
        return scores[key] * (1.0 - _link_density(node)) * penalty

    return candidates.nodes[max(ranked, key=final_score)]


def _climb(top: LexborNode, candidates: _Candidates) -> LexborNode:
    """Move up to an ancestor that scores better than the path below it.

    Articles whose paragraphs each sit in their own wrapper ("cards") give every wrapper a small
    score and their common ancestor a larger one; stop when scores fall below a third of the top.
    """
    last_score = candidates.scores[top.mem_id]
    threshold = last_score / 3.0
    ancestor = top.parent
    while ancestor is not None and ancestor.tag not in _ROOT_TAGS:
        score = candidates.scores.get(ancestor.mem_id)
        if score is not None:
            if score < threshold:
                break
            if score > last_score:
                return ancestor
            last_score = score
        ancestor = ancestor.parent
    return top


def _widen(top: LexborNode, candidates: _Candidates) -> LexborNode:
    """Take in article sections split over sibling wrappers (text blocks between figures).

    Go up while the ancestor holds clearly more paragraph text than the current container and
    stays mostly paragraphs (so sidebars and link lists do not get in).
    """
    totals = candidates.totals
    current, current_text = top, totals.get(top.mem_id, 0)
    if current_text == 0:
        return top
    ancestor = top
    for _ in range(_WIDEN_LEVELS):
        ancestor = ancestor.parent
        if ancestor is None or ancestor.tag in _ROOT_TAGS:
            break
        ancestor_text = totals.get(ancestor.mem_id, 0)
        if ancestor_text < current_text * _WIDEN_GAIN:
            continue  # a wrapper with nothing new: look one level higher
        if ancestor_text < len(ancestor.text(deep=True).strip()) * _WIDEN_DENSITY:
            break
        if _link_density(ancestor) > _WIDEN_LINK_DENSITY or _is_furniture(ancestor):
            break
        current, current_text = ancestor, ancestor_text
    return current


def _inside_boilerplate(node: LexborNode) -> bool:
    """Whether ``node`` sits in comments, a sidebar, a footer or similar page furniture."""
    ancestor: LexborNode | None = node
    while ancestor is not None and ancestor.tag not in {"body", "html", "-document"}:
        if _is_furniture(ancestor):
            return True
        ancestor = ancestor.parent
    return False


def _is_furniture(node: LexborNode) -> bool:
    if node.tag in _FURNITURE_TAGS:
        return True
    attrs = node.attributes
    hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return len(hints) > 1 and _hints_say_furniture(hints)


@lru_cache(maxsize=4096)
def _hints_say_furniture(hints: str) -> bool:
    return _FURNITURE.search(hints) is not None and _CONTENT_HINT.search(hints) is None


def _class_weight(node: LexborNode) -> float:
    """Points from class/id hints: plus for "article-body"-like names, minus for "sidebar"."""
    attrs = node.attributes
    hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return _hint_weight(hints) if len(hints) > 1 else 0.0


@lru_cache(maxsize=8192)
def _hint_weight(hints: str) -> float:
    weight = 0.0
    if _NEGATIVE_HINT.search(hints):
        weight -= _HINT_POINTS
    if _POSITIVE_HINT.search(hints):
        weight += _HINT_POINTS
    return weight


def _link_density(node: LexborNode) -> float:
    text_length = len(node.text(deep=True).strip())
    if text_length == 0:
        return 1.0
    link_length = sum(len(link.text(deep=True).strip()) for link in node.css("a"))
    return min(link_length / text_length, 1.0)


def _with_siblings(top: LexborNode) -> list[LexborNode]:
    """The top container plus siblings that read like more of the same article."""
    parent = top.parent
    if parent is None or parent.tag in {"html", "-document"}:
        return [top]
    top_length = len(top.text(deep=True))
    threshold = max(200.0, top_length * 0.2)
    chosen = []
    before_top = True
    for sibling in parent.iter(include_text=False):
        if sibling.mem_id == top.mem_id:
            chosen.append(sibling)
            before_top = False
        elif sibling.tag not in SKIP_TAGS and _looks_like_content(sibling, threshold, before_top):
            chosen.append(sibling)
    return chosen


def _looks_like_content(node: LexborNode, threshold: float, before_top: bool) -> bool:
    if _is_boilerplate(node.attributes):
        return False
    text = node.text(deep=True).strip()
    if node.tag == "p":
        return len(text) > 80 and _link_density(node) < 0.25
    paragraphs = node.css("p")
    if not paragraphs:  # a standfirst written as bare text in a <div> above the body
        direct = node.text(deep=False).strip()
        return before_top and len(direct) > 80 and len(direct) >= len(text) * 0.8
    paragraph_text = sum(len(p.text(deep=True)) for p in paragraphs)
    return paragraph_text >= threshold and _link_density(node) < 0.25


# --- reading the container ------------------------------------------------------------------------


def _is_boilerplate(attrs: dict[str, str | None]) -> bool:
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if style and "display:none" in style.replace(" ", "").lower():
        return True
    hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
    return len(hints) > 2 and _hints_say_boilerplate(hints)


@lru_cache(maxsize=8192)
def _hints_say_boilerplate(hints: str) -> bool:
    """Class/id/role text naming a boilerplate widget and not the article body (memoised)."""
    return _BOILERPLATE.search(hints) is not None and _CONTENT_HINT.search(hints) is None


class _BlockReader:
    """Depth-first reader that turns inline runs into blocks at every block boundary."""

    def __init__(self, total_length: int) -> None:
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._link_length = 0
        self._kinds: list[str] = ["div"]
        self._guard_length = total_length * _GUARD_SHARE

    def read(self, node: LexborNode, depth: int, in_link: bool = False) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self._text(child.text_content or "", in_link)
            elif tag is None or tag[0] == "-" or self._skipped(child, tag):
                continue
            elif depth >= _MAX_DEPTH:
                self._text(child.text(deep=True), in_link)
            elif tag in BLOCK_TAGS:
                self._block(child, tag, depth)
            elif tag == "br":
                self.flush()
            else:
                self.read(child, depth + 1, in_link or tag == "a")

    def _skipped(self, node: LexborNode, tag: str) -> bool:
        if tag in SKIP_TAGS:
            return True
        if not _is_boilerplate(node.attributes):
            return False
        # Never drop what holds most of the article: hints like "comments-enabled" lie.
        return len(node.text(deep=True)) < self._guard_length

    def _block(self, node: LexborNode, tag: str, depth: int) -> None:
        self.flush()
        self._kinds.append(tag)
        self.read(node, depth + 1)
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
