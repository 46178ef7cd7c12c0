"""``extract_article``: one HTML page in, one ``Article`` value out.

Parses with lexbor (bytes, with the encoding detected from BOM / ``<meta charset>``), reads the
metadata, applies per-source rules, runs the generic body extractor and decides whether the page
is an article at all (index, error, paywall and consent pages are not). Never raises anything but
``ParseError``; doubtful input gives ``is_article=False`` and warnings instead.
"""

from __future__ import annotations

import re
from datetime import datetime

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from monitor.errors import ParseError
from monitor.extract.body import (
    Block,
    clean_blocks,
    embedded_body_blocks,
    extract_blocks,
    read_blocks,
)
from monitor.extract.bounds import MAX_NESTING, too_deep
from monitor.extract.elements import PageElements, page_elements
from monitor.extract.liveblog import post_paragraphs, posts_from_dom, posts_from_json_ld
from monitor.extract.metadata import MetadataDraft, article_language, read_metadata
from monitor.extract.pagedate import (
    after_fetch,
    find_publication_day,
    in_page_offset,
    relative_publication_time,
)
from monitor.extract.rules import ExtractRules
from monitor.extract.text import fold
from monitor.models import Article, Post
from monitor.sources.urls import canonical_web_url, canonicalize_url, same_site

MIN_ARTICLE_CHARS = 250
MIN_TYPED_ARTICLE_CHARS = 150
PAYWALL_TEASER_CHARS = 1500
_ERROR_TITLE = re.compile(
    r"\b(404|410|page not found|not found|error|access denied|forbidden|seite nicht gefunden"
    r"|page introuvable|página no encontrada)\b",
    re.IGNORECASE,
)
_CONSENT = re.compile(
    r"\b(cookies?|consent|privacy settings|accept all|manage preferences|we value your privacy)\b",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"\b(subscribe|subscription|subscriber|sign in to continue|log in to continue|already a "
    r"subscriber|to continue reading|unlock this article)\b",
    re.IGNORECASE,
)
# A UTF-8 declaration where browsers look for one (the first 1024 bytes): <meta charset> or
# <meta http-equiv="Content-Type" content="…; charset=utf-8">.
_DECLARES_UTF8 = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*utf-?8", re.IGNORECASE)
# Anything there that could declare another encoding (read broadly: an XML declaration's too).
_MAY_DECLARE = re.compile(rb"charset|encoding", re.IGNORECASE)
_UTF16_BOMS = (b"\xfe\xff", b"\xff\xfe")
_PRESCAN_BYTES = 1024
_INDEX_TYPES = frozenset({"website", "profile", "video.other", "product", "book"})
# Without DOM mutation events: nothing here listens to them (they only copy a selected
# <option> into <selectedcontent>), and building the tree skips their callbacks (0.13 M of the
# 4.6 M instructions lexbor takes on a scrapinghub page, under callgrind).
_PARSE_OPTIONS = LexborDocumentOptions.WO_EVENTS


def extract_article(
    html: str | bytes,
    url: str,
    rules: ExtractRules | None = None,
    fetched_at: datetime | None = None,
) -> Article:
    """Extract the article on ``html`` served at ``url``.

    ``rules`` (from the source's ``article:`` YAML) can pin the title and body selectors and
    remove elements first. ``fetched_at`` bounds the dates found on the page (none can be later)
    and anchors relative ones. Raises ``ParseError`` only for input that is not a document at all.
    """
    tree, source = _parse(html, url)
    warnings: list[str] = []
    if rules is not None:
        _remove(tree, rules.remove)
    elements = page_elements(tree, scored=True)  # the body scorer's elements too
    meta = read_metadata(tree, elements)
    warnings.extend(meta.warnings)
    title = _rule_title(tree, rules) or meta.title
    blocks = _rule_blocks(tree, rules, title, warnings)
    if blocks is None:
        blocks = extract_blocks(tree, title, elements)
        embedded = embedded_body_blocks(meta.article_body, blocks)
        if embedded is not None:
            blocks = clean_blocks(embedded, title)
            warnings.append("body taken from the page's embedded articleBody")
    paragraphs = tuple(block.text for block in blocks)
    posts = _live_posts(elements, meta, blocks) if rules is None or rules.body is None else ()
    if posts:
        paragraphs = post_paragraphs(posts)
    published = in_page_offset(meta.published, source) if meta.published else None
    if published is not None and after_fetch(published, fetched_at):
        warnings.append("the page's publication date is after the fetch; not believed")
        published = None
    if published is None and fetched_at is not None:
        published = relative_publication_time(tree, fetched_at)
        if published is not None:
            warnings.append("no date in the page's metadata; publication time read as relative")
    if published is None:
        published = find_publication_day(source, url, fetched_at, tree, meta.modified)
        if published is not None:
            warnings.append("no date in the page's metadata; publication day read from the page")
    published, modified = _ordered_dates(published, meta.modified, warnings)
    is_article = _decide_is_article(meta, title, blocks, warnings)
    canonical_url = _canonical_url(url, meta, warnings)
    language = article_language(meta.language, title, paragraphs, warnings)
    return Article(
        url=url,
        canonical_url=canonical_url,
        title=title,
        authors=tuple(meta.authors),
        published=published,
        modified=modified,
        language=language,
        section=meta.section,
        description=meta.description,
        paragraphs=paragraphs,
        is_article=is_article or bool(posts),
        warnings=tuple(dict.fromkeys(warnings)),
        posts=posts,
        kind="live_blog" if posts else "article",
        keywords=tuple(meta.keywords),
    )


def _live_posts(
    elements: PageElements, meta: MetadataDraft, blocks: list[Block]
) -> tuple[Post, ...]:
    """The posts of a live blog: declared in JSON-LD, else seen in the page's shape."""
    if meta.live_blog is not None:
        declared = posts_from_json_ld(meta.live_blog)
        if declared:
            return declared
    return posts_from_dom(elements.times, blocks)


def _parse(html: str | bytes, url: str) -> tuple[LexborHTMLParser, bytes]:
    """The parsed page and its source bytes."""
    if isinstance(html, str):
        html = html.encode("utf-8", errors="replace")
    if not isinstance(html, bytes | bytearray | memoryview):
        raise ParseError(f"{url}: expected HTML as str or bytes, got {type(html).__name__}")
    data = bytes(html)
    if too_deep(data):
        raise ParseError(f"{url}: skipped: elements nested deeper than {MAX_NESTING}")
    if data.isascii() or _DECLARES_UTF8.search(data, 0, _PRESCAN_BYTES) or _declares_nothing(data):
        # Read as UTF-8 either way (invalid bytes become U+FFFD): checking would change nothing.
        # Nothing declared reads as UTF-8 too (lexbor's default and its detection's): 60 of
        # the 181 scrapinghub pages skip decoding the whole page to check.
        return LexborHTMLParser(data, options=_PARSE_OPTIONS), data
    try:
        # Bytes that decode as UTF-8 are UTF-8, whatever an old <meta charset> says (pages
        # re-encoded by a CMS or a proxy keep their original declaration); anything else is
        # decoded by the page's BOM / declaration.
        data.decode("utf-8")
    except UnicodeDecodeError:
        return LexborHTMLParser(data, encoding=True, options=_PARSE_OPTIONS), data
    return LexborHTMLParser(data, options=_PARSE_OPTIONS), data


def _declares_nothing(data: bytes) -> bool:
    """Whether the page's first 1024 bytes (where an encoding is declared, if anywhere) hold
    no byte-order mark for UTF-16 and nothing that could declare an encoding."""
    return not data.startswith(_UTF16_BOMS) and _MAY_DECLARE.search(data, 0, _PRESCAN_BYTES) is None


def _remove(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> None:
    for selector in selectors:
        for node in tree.css(selector):
            node.decompose()


def _rule_title(tree: LexborHTMLParser, rules: ExtractRules | None) -> str | None:
    if rules is None or rules.title is None:
        return None
    node = tree.css_first(rules.title)
    return (fold(node.text()) or None) if node is not None else None


def _rule_blocks(
    tree: LexborHTMLParser, rules: ExtractRules | None, title: str | None, warnings: list[str]
) -> list[Block] | None:
    """Blocks from the source's body selector; None when there is no rule or it matched nothing."""
    if rules is None or rules.body is None:
        return None
    nodes = tree.css(rules.body)
    if not nodes:
        warnings.append(f"body selector {rules.body!r} matched nothing; used the generic extractor")
        return None
    return clean_blocks(read_blocks(nodes), title)


def _ordered_dates(
    published: datetime | None, modified: datetime | None, warnings: list[str]
) -> tuple[datetime | None, datetime | None]:
    """Keep published ≤ modified: a modification dated before publication is not believable."""
    if published is not None and modified is not None and modified < published:
        warnings.append("modified date precedes published date; modified dropped")
        return published, None
    return published, modified


def _canonical_url(url: str, meta: MetadataDraft, warnings: list[str]) -> str:
    """A same-site ``rel=canonical`` (else ``og:url``) wins over the URL the page was fetched at."""
    fetched = _try_canonicalize(url)
    if fetched is None:
        warnings.append("the page URL is malformed; kept as given")
        return url
    for declared in (meta.canonical, meta.og_url):
        resolved = canonical_web_url(declared, base=url) if declared else None
        if resolved and same_site(resolved, fetched):
            return resolved
    return fetched


def _try_canonicalize(url: str, base: str | None = None) -> str | None:
    """``canonicalize_url``, or None for URLs it cannot read (bad port, broken IPv6 host, …)."""
    try:
        return canonicalize_url(url, base=base)
    except ValueError:  # UnicodeError (IDNA) is a ValueError too
        return None


def _decide_is_article(
    meta: MetadataDraft, title: str | None, blocks: list[Block], warnings: list[str]
) -> bool:
    """Whether the page holds an article; every "no" comes with a warning saying why."""
    text_length = sum(len(block.text) for block in blocks)
    sample = " ".join(block.text for block in blocks[:12])
    if not blocks:
        warnings.append("no article text found")
        return False
    if title and _ERROR_TITLE.search(title) and text_length < 2000:
        warnings.append("looks like an error page")
        return False
    needed = MIN_TYPED_ARTICLE_CHARS if meta.article_typed else MIN_ARTICLE_CHARS
    if meta.free_access is False and text_length < PAYWALL_TEASER_CHARS:
        warnings.append("paywall: only a teaser of the article is readable")
        return False
    if text_length >= needed:
        if not _is_index(meta, blocks, text_length):
            return True
        warnings.append("looks like an index page: short teasers, no article markup")
    elif _CONSENT.search(sample):
        warnings.append("consent wall: the page asks for cookie consent instead of the article")
    elif meta.free_access is False or _PAYWALL.search(sample):
        warnings.append("paywall: the article text is not readable")
    else:
        warnings.append(f"too little article text ({text_length} characters)")
    return False


def _is_index(meta: MetadataDraft, blocks: list[Block], text_length: int) -> bool:
    """Index and section pages: declared as a website, no article markup, short teaser blocks."""
    if meta.article_typed or meta.og_type == "article":
        return False
    if meta.og_type not in _INDEX_TYPES:
        return False
    long_blocks = sum(1 for block in blocks if len(block.text) > 150)
    return long_blocks < 3 and text_length < 1500
