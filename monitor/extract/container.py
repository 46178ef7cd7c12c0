"""Choosing the element that holds the story, readability-style.

Every text run of 25+ characters (a ``<p>``/``<pre>``, or text set directly in a ``<div>`` and
similar) gives points (1, plus its commas, plus up to 3 for length; a comma-rich run scaled down
by its share of link text) to its container, half to the next level up and a sixth to the one
above (text right in ``<body>`` to the body alone); class/id hints add or take 25 points. When
paragraphs hold little text, ``<div>``s of inline elements count as paragraphs too. The best of
the top candidates, after link density and a furniture-ancestry penalty, is then moved up to an
ancestor that scores better (per-paragraph wrappers), widened over article sections split by
figures, and narrowed to the main ``<article>`` when it holds teasers for others;
``with_cousins`` then adds the rest of a body split over several containers.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborNode

from monitor.extract.elements import PageElements
from monitor.extract.hints import (
    ROOT_IDS,
    ROOT_TAGS,
    SKIP_TAGS,
    class_weight,
    inside_boilerplate,
    is_boilerplate,
    is_furniture,
    link_density,
    link_density_below,
    tag_id,
    tag_ids,
    text_of,
)
from monitor.extract.text import collapse

_PARAGRAPH_SELECTOR: Final = "p, pre"
_INLINE_TAGS: Final = frozenset(
    {"span", "a", "em", "strong", "b", "i", "u", "small", "sub", "sup", "font", "br", "abbr", "q"}
)
_INLINE_IDS: Final = tag_ids(_INLINE_TAGS)
_LINK_ID: Final = tag_id("a")
_BODY_ID: Final = tag_id("body")
_SHORT_BODY_CHARS: Final = 2000
_LIST_COMMAS: Final = 5
_ANCESTRY_PENALTY: Final = 0.2
_QUOTED_POSTS: Final = (
    "blockquote.twitter-tweet, blockquote.instagram-media, blockquote.tiktok-embed"
)
_WIDEN_LEVELS: Final = 4
_MAIN_ARTICLE_SHARE: Final = 0.4
_WIDEN_GAIN: Final = 1.25
_WIDEN_DENSITY: Final = 0.5
_WIDEN_LINK_DENSITY: Final = 0.3
_MIN_SCORED_CHARS: Final = 25
_LEVEL_DIVIDERS: Final = (1.0, 2.0, 6.0)
_RANKED: Final = 8
_CREDIT_LEVELS: Final = 12
_COUSIN_LEVELS: Final = 5
_COUSIN_MIN_CHARS: Final = 25  # one scored text run: a same-kind sibling may be a short step
_COUSIN_DENSITY: Final = 0.5
_COUSIN_LINK_DENSITY: Final = 0.25
_UNREAD_SELECTOR: Final = "script, style, noscript, template, figure, figcaption"
_STRICT_MIN_CHARS: Final = 300
_STRICT_DENSITY: Final = 0.7
_STRICT_LINK_DENSITY: Final = 0.15  # bounded, so deeply nested pages stay linear


class _Candidates:
    """Scores of possible article containers, gathered from the text runs below them.

    ``scores`` holds readability-style points (a run's points go to its container, half to the
    next level up, a sixth to the one above); ``totals`` holds the characters of all runs below
    each ancestor up to ``_CREDIT_LEVELS`` above, for widening the choice later. Runs are summed
    per element first and handed up its ancestor chain once by ``settle`` (sibling paragraphs
    share their parent: walking the chain for each of them cost a dict update per level per run,
    and a node object per level for each new chain).
    """

    def __init__(self) -> None:
        self.scores: dict[int, float] = {}
        self.totals: dict[int, int] = {}
        self.nodes: dict[int, LexborNode] = {}
        self._pending: dict[int, list[float]] = {}  # element → [points, characters] of its runs
        self._starts: dict[int, LexborNode] = {}
        self._chains: dict[int, tuple[int, ...]] = {}
        self._seen: dict[int, LexborNode] = {}

    def credit(self, text: str, start: LexborNode | None, link_chars: int = 0) -> None:
        length = len(text.strip())
        if length < _MIN_SCORED_CHARS or start is None:
            return
        points = 1.0 + text.count(",") + min(length / 100.0, 3.0)
        if link_chars:  # a list of linked names or headlines is not prose, however many commas
            points *= max(0.0, 1.0 - link_chars / length)
        key = start.mem_id
        pending = self._pending.get(key)
        if pending is None:
            self._pending[key] = [points, float(length)]
            self._starts[key] = start
        else:
            pending[0] += points
            pending[1] += length

    def settle(self) -> None:
        """Hand the runs credited so far up their elements' ancestor chains."""
        scores, totals, nodes, seen = self.scores, self.totals, self.nodes, self._seen
        for start_key, (points, length) in self._pending.items():
            start = self._starts[start_key]
            if start.tag_id == _BODY_ID:  # a bare page: text right in <body>
                seen[start_key] = start
                chain: tuple[int, ...] = (start_key,)
            else:
                chain = self._chain(start)
            characters = int(length)
            for key in chain:
                if key not in nodes:
                    node = seen[key]
                    nodes[key] = node
                    scores[key] = class_weight(node)
                    totals[key] = characters
                else:
                    totals[key] += characters
            for level in range(min(len(chain), len(_LEVEL_DIVIDERS))):  # the first levels
                key = chain[level]
                scores[key] += points / _LEVEL_DIVIDERS[level]
        self._pending.clear()
        self._starts.clear()

    def _chain(self, start: LexborNode) -> tuple[int, ...]:
        """``start`` and its ancestors below ``<body>``, at most ``_CREDIT_LEVELS`` of them."""
        chain = self._chains.get(start.mem_id)
        if chain is not None:
            return chain
        path: list[int] = []
        tail: tuple[int, ...] = ()
        node: LexborNode | None = start
        while node is not None and node.tag_id not in ROOT_IDS:
            key = node.mem_id
            known = self._chains.get(key)
            if known is not None:
                tail = known
                break
            self._seen[key] = node
            path.append(key)
            node = node.parent
        for key in reversed(path):
            tail = (key, *tail[: _CREDIT_LEVELS - 1])
            self._chains[key] = tail
        return tail


def best_container(
    body: LexborNode, elements: PageElements, texts: dict[int, str]
) -> LexborNode | None:
    """The element of ``body`` holding the story, from the paragraphs and the other elements
    that may hold text runs that ``page_elements(tree, scored=True)`` gathered; ``texts`` keeps
    the deep texts read (see ``text_of``)."""
    candidates = _Candidates()
    paragraphs, holders = elements.paragraphs, elements.holders
    for paragraph in paragraphs:
        text = paragraph.text()
        if len(text) < _MIN_SCORED_CHARS:
            continue  # too short to score, stripped or not (no parent to look up)
        # Commas score; in a list of linked names or headlines they are not prose
        links = _link_chars(paragraph) if text.count(",") >= _LIST_COMMAS else 0
        candidates.credit(text, paragraph.parent, links)
    quiet: list[LexborNode] = []  # holders with no text of their own worth scoring
    for holder in holders:
        # text(False): the direct text only. Positional, as everywhere here: a keyword argument
        # costs a Cython method 70 ns more, a quarter of the call. Most holders hold nothing but
        # indentation between their children: read first without the text nodes lexbor sees
        # are blank (nothing copied or decoded), and whole only when something is left.
        if not holder.text(False, "", False, True):
            quiet.append(holder)
            continue
        direct = holder.text(False)
        if len(direct) < _MIN_SCORED_CHARS or direct.isspace():
            quiet.append(holder)
            continue
        runs = [run for run in holder.text(False, "\n").split("\n") if run.strip()]
        # One run of text is a paragraph written as a <div>; several (split by <br> or empty
        # elements) make the holder itself the container.
        start = holder if len(runs) > 1 else holder.parent
        for run in runs:
            candidates.credit(run, start)
    candidates.settle()
    if max(candidates.totals.values(), default=0) < _SHORT_BODY_CHARS:
        # Little text in paragraphs: the page may write them as <div><span>text</span></div>
        for holder in quiet:
            if holder.tag == "div" and _holds_only_inline(holder):
                candidates.credit(holder.text(), holder.parent, _link_chars(holder))
        candidates.settle()
    if not candidates.scores:
        return None
    top = _widen(_climb(_pick(candidates, texts), candidates), candidates, texts)
    if elements.articles < 2:
        return top  # no teasers to tell from the story (and no selector call to find them)
    return _main_article_within(top, candidates)


def _holds_only_inline(node: LexborNode) -> bool:
    """A ``<div>`` written as a paragraph: only inline elements (and text) inside."""
    children = 0
    for child in node.iter(include_text=False):
        if child.tag_id not in _INLINE_IDS:
            return False
        children += 1
    return children > 0


def _link_chars(node: LexborNode) -> int:
    """Characters of link text in ``node``, a paragraph-sized element: walked in Python, as a
    selector call's own cost (the selector parsed, its memory set up) is far more than the
    walk of a few elements."""
    return sum(len(link.text().strip()) for link in node.traverse() if link.tag_id == _LINK_ID)


def _main_article_within(top: LexborNode, candidates: _Candidates) -> LexborNode:
    """When the container holds several ``<article>`` elements (the story and teasers for
    others), keep the one with the most paragraph text if it carries a fair share of it."""
    articles = top.css("article")
    if len(articles) < 2:
        return top
    totals = candidates.totals
    best = max(articles, key=lambda node: totals.get(node.mem_id, 0))
    share = totals.get(best.mem_id, 0) / max(totals.get(top.mem_id, 0), 1)
    return best if share >= _MAIN_ARTICLE_SHARE else top


def _pick(candidates: _Candidates, texts: dict[int, str]) -> LexborNode:
    """The best of the top candidates once link density and boilerplate ancestry count."""
    scores = candidates.scores
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)[:_RANKED]
    best_key, best = ranked[0], float("-inf")
    for key in ranked:
        if best > 0.0 and scores[key] <= best:
            break  # both factors are at most 1: no candidate further down can do better
        node = candidates.nodes[key]
        penalty = _ANCESTRY_PENALTY if inside_boilerplate(node) else 1.0
        final = scores[key] * (1.0 - link_density(node, text_of(node, texts))) * penalty
        if final > best:
            best_key, best = key, final
    return candidates.nodes[best_key]


def _climb(top: LexborNode, candidates: _Candidates) -> LexborNode:
    """Move up to an ancestor that scores better than the path below it.

    Articles whose paragraphs each sit in their own wrapper ("cards") give every wrapper a small
    score and their common ancestor a larger one; stop when scores fall below a third of the top.
    """
    last_score = candidates.scores[top.mem_id]
    threshold = last_score / 3.0
    ancestor = top.parent
    while ancestor is not None and ancestor.tag_id not in ROOT_IDS:
        score = candidates.scores.get(ancestor.mem_id)
        if score is not None:
            if score < threshold:
                break
            if score > last_score:
                return ancestor
            last_score = score
        ancestor = ancestor.parent
    return top


def _widen(top: LexborNode, candidates: _Candidates, texts: dict[int, str]) -> LexborNode:
    """Take in article sections split over sibling wrappers (text blocks between figures).

    Go up while the ancestor holds clearly more paragraph text than the current container and
    stays mostly paragraphs (so sidebars and link lists do not get in).
    """
    totals = candidates.totals
    current, current_text = top, totals.get(top.mem_id, 0)
    if current_text == 0:
        return top
    ancestor = top.parent
    for _ in range(_WIDEN_LEVELS):
        if ancestor is None or ancestor.tag_id in ROOT_IDS:
            break
        ancestor_text = totals.get(ancestor.mem_id, 0)
        if ancestor_text >= current_text * _WIDEN_GAIN:  # else a wrapper with nothing new
            text = text_of(ancestor, texts)
            if ancestor_text < len(text.strip()) * _WIDEN_DENSITY:
                break
            if link_density(ancestor, text) > _WIDEN_LINK_DENSITY or is_furniture(ancestor):
                break
            current, current_text = ancestor, ancestor_text
        ancestor = ancestor.parent
    return current


def with_siblings(top: LexborNode, texts: dict[int, str]) -> list[LexborNode]:
    """The top container plus siblings that read like more of the same article."""
    parent = top.parent
    if parent is None or parent.tag in {"html", "-document"}:
        return [top]
    top_length = len(text_of(top, texts))
    threshold = max(200.0, top_length * 0.2)
    chosen = []
    before_top = True
    for sibling in parent.iter(include_text=False):
        if sibling.mem_id == top.mem_id:
            chosen.append(sibling)
            before_top = False
        elif sibling.tag not in SKIP_TAGS and _looks_like_content(
            sibling, threshold, before_top, texts
        ):
            chosen.append(sibling)
    return chosen


def with_cousins(
    top: LexborNode, texts: dict[int, str], levels: int = _COUSIN_LEVELS
) -> list[LexborNode]:
    """``with_siblings(top)`` plus the same kind of text containers around its ancestors.

    Pages that split one body over several wrappers (text blocks between images, ads and
    embeds, each in its own ``<div class="body-text …">``) give the best candidate only the first
    of them. Going up a few levels, the siblings of each ancestor that read like article text
    (mostly paragraphs, few links) are taken too, in document order: readily when they are the
    same kind of element (same tag, a class in common), only when clearly prose otherwise.
    Never past an ``<article>``: its siblings are other articles.
    """
    chosen = with_siblings(top, texts)
    taken = {node.mem_id for node in chosen}
    current = top
    for _ in range(levels):
        parent = current.parent
        if current.tag == "article" or parent is None or parent.tag in ROOT_TAGS:
            break
        before: list[LexborNode] = []
        after: list[LexborNode] = []
        seen_current = False
        for sibling in parent.iter(include_text=False):
            if sibling.mem_id == current.mem_id:
                seen_current = True
            elif sibling.mem_id in taken:
                continue
            elif _reads_like_article_text(sibling, texts, strict=not _same_kind(sibling, current)):
                (after if seen_current else before).append(sibling)
        chosen = before + chosen + after
        current = parent
    return chosen


def _class_tokens(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _same_kind(node: LexborNode, other: LexborNode) -> bool:
    """Same tag and, when either has classes, at least one class in common."""
    if node.tag != other.tag:
        return False
    classes, other_classes = _class_tokens(node), _class_tokens(other)
    if not classes and not other_classes:
        return True
    return bool(classes & other_classes)


def _reads_like_article_text(node: LexborNode, texts: dict[int, str], strict: bool = False) -> bool:
    """Mostly paragraph text, few links, not page furniture; ``strict`` for other kinds."""
    if is_boilerplate(node.attributes) or is_furniture(node):
        return False
    minimum, density, links = (
        (_STRICT_MIN_CHARS, _STRICT_DENSITY, _STRICT_LINK_DENSITY)
        if strict
        else (_COUSIN_MIN_CHARS, _COUSIN_DENSITY, _COUSIN_LINK_DENSITY)
    )
    text = text_of(node, texts)
    if len(text) < minimum:
        return False  # folding never lengthens it
    folded = len(collapse(text))
    if folded < minimum:
        # Its paragraphs hold no more text than it does (each folded apart; a <pre> holding
        # paragraphs, counted twice below, aside): most wrappers around the container are
        # empty or nearly, and are settled without a selector call.
        return False
    paragraph_text = furniture_text = 0
    for paragraph in node.css(_PARAGRAPH_SELECTOR):
        length = _folded_length(paragraph)
        dropped, in_furniture = _read_below(paragraph, node)
        if dropped:
            continue  # a cookie notice's text makes no wrapper read like the article
        paragraph_text += length
        if in_furniture:
            furniture_text += length
    if paragraph_text - furniture_text < minimum or furniture_text * 2 > paragraph_text:
        return False  # too little, or its paragraphs sit in a sidebar, an author box, …
    return paragraph_text >= _visible_chars(node, folded) * density and link_density_below(
        node, links, text
    )


def _read_below(node: LexborNode, top: LexborNode) -> tuple[bool, bool]:
    """Whether the reader drops ``node`` (it or an element between it and its ancestor ``top``
    is hidden or named like a boilerplate widget: a cookie banner, a newsletter box), and
    whether an element between them is page furniture; one walk up for both."""
    furniture = False
    ancestor: LexborNode | None = node
    while ancestor is not None and ancestor.mem_id != top.mem_id:
        if is_boilerplate(ancestor.attributes):
            return True, furniture
        if not furniture and ancestor.mem_id != node.mem_id:
            furniture = is_furniture(ancestor)
        ancestor = ancestor.parent
    return False, furniture


def _visible_chars(node: LexborNode, folded_length: int) -> int:
    """Characters of text the reader would read, whitespace runs counted once (the node's
    ``folded_length``): inline scripts and styles (their code is text too) and figures with
    their captions (skipped when reading) left out. Indentation of pretty-printed markup would
    outweigh the prose."""
    hidden = sum(_folded_length(code) for code in node.css(_UNREAD_SELECTOR))
    return folded_length - hidden


def _folded_length(node: LexborNode) -> int:
    return len(collapse(node.text()))


def _looks_like_content(
    node: LexborNode, threshold: float, before_top: bool, texts: dict[int, str]
) -> bool:
    if is_boilerplate(node.attributes):
        return False
    full_text = text_of(node, texts)
    text = full_text.strip()
    if node.tag == "p":
        return len(text) > 80 and link_density_below(node, 0.25, full_text)
    if len(text) <= 80 and len(full_text) < threshold:
        return False  # too short either way (its paragraphs hold no more text than it does)
    paragraphs = node.css("p")
    if not paragraphs:  # a standfirst written as bare text in a <div> above the body
        direct = node.text(False).strip()
        return before_top and len(direct) > 80 and len(direct) >= len(text) * 0.8
    paragraph_text = sum(len(p.text()) for p in paragraphs)
    return paragraph_text >= threshold and link_density_below(node, 0.25, full_text)


# --- reading the container ------------------------------------------------------------------------
