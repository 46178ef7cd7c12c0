"""Article metadata from JSON-LD, OpenGraph/article meta tags, microdata and ``<time>`` elements.

Each source fills a ``MetadataDraft``; JSON-LD is read first and wins, meta tags fill what is still
missing, then microdata and ``<time>`` elements. Values are cleaned text and aware datetimes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.extract.dates import parse_date
from monitor.extract.elements import PageElements, page_elements
from monitor.extract.text import clean_value, fold
from monitor.lang.detect import declared_or_detected

ARTICLE_TYPES: Final = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "backgroundnewsarticle",
        "reviewnewsarticle",
        "askpublicnewsarticle",
        "liveblogposting",
        "blogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
    }
)
_MAX_JSON_LD_DEPTH: Final = 12
_MAX_JSON_LD_BYTES: Final = 2_000_000
_TITLE_SEPARATORS: Final = re.compile(r"\s+[|\u2013\u2014\u00b7\u2022:-]\s+")
_URLISH: Final = re.compile(r"^(https?:)?//|^www\.", re.IGNORECASE)
_JSON_PUBLISHED: Final = re.compile(
    r'"datePublished": ?"((?:199\d|20[0-3]\d)-[01]?\d-[0-3]?\d'
    r"(?:[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)?)",
    re.IGNORECASE,
)
_BYLINE_PREFIX: Final = re.compile(r"^(by|von|par|por|di|door)\s+", re.IGNORECASE)

_META_PUBLISHED: Final = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publish-date",
    "publishdate",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "article_date_original",
    "cxenseparse:recs:publishtime",
)
_META_MODIFIED: Final = (
    "article:modified_time",
    "og:article:modified_time",
    "datemodified",
    "og:updated_time",
    "article.updated",
    "last-modified",
    "lastmod",
    "dcterms.modified",
    "dc.date.modified",
)
_META_AUTHOR: Final = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
)
_META_SECTION: Final = ("article:section", "parsely-section", "section", "category")
_META_DESCRIPTION: Final = (
    "og:description",
    "description",
    "twitter:description",
    "dc.description",
)
_META_KEYWORDS: Final = ("keywords", "news_keywords", "article:tag")
MAX_KEYWORDS: Final = 30
MAX_KEYWORD_CHARS: Final = 80
_META_TITLE: Final = ("og:title", "twitter:title", "parsely-title", "headline")


@dataclass(slots=True)
class MetadataDraft:
    """Metadata as it is gathered; the first source to set a field wins."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    language: str | None = None
    section: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    canonical: str | None = None
    og_url: str | None = None
    og_type: str | None = None
    article_typed: bool = False
    free_access: bool | None = None
    article_body: str | None = None
    live_blog: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def set_date(self, name: str, value: object) -> None:
        """Fill ``published`` or ``modified`` from a raw value unless already known.

        A later source may only restate the known moment in the page's own UTC offset: a page
        that says ``…T03:28Z`` in JSON-LD and ``…T22:28-05:00`` in its meta tags was published on
        the evening of the earlier day where it is.
        """
        known = getattr(self, name)
        if known is not None and not _is_utc(known):
            return
        result = parse_date(value)
        if result is None:
            return
        if known is not None:
            if result.value == known and not result.assumed_utc and not _is_utc(result.value):
                setattr(self, name, result.value)
            return
        setattr(self, name, result.value)
        if result.assumed_utc:
            self.warnings.append(f"{name} date has no timezone; assumed UTC")


def _is_utc(moment: datetime) -> bool:
    return moment.utcoffset() == timedelta(0)


def read_metadata(tree: LexborHTMLParser, elements: PageElements | None = None) -> MetadataDraft:
    """Everything but the body: title, authors, dates, language, section, description, URLs.

    ``elements`` are the page's metadata elements when the caller has gathered them already.
    """
    found = elements if elements is not None else page_elements(tree)
    draft = MetadataDraft()
    for item in _json_ld_articles(found.json_ld, draft):
        _apply_json_ld(draft, item)
    metas = _meta_values(found.metas)
    _apply_meta(draft, metas)
    _apply_microdata(draft, found)
    if draft.published is None:
        _apply_json_date(draft, found.json_ld)
    _apply_links(draft, found.links)
    draft.language = draft.language or _language(tree, metas)
    draft.title = (
        draft.title
        or _heading_title(tree.css_first("h1"))
        or _document_title(tree.css_first("title"))
    )
    return draft


# --- JSON-LD -----------------------------------------------------------------------------------


def _json_ld_articles(scripts: list[LexborNode], draft: MetadataDraft) -> Iterator[dict[str, Any]]:
    for script in scripts:
        raw = script.text()
        if not raw.strip() or len(raw) > _MAX_JSON_LD_BYTES:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            draft.warnings.append("unreadable JSON-LD block skipped")
            continue
        yield from _article_objects(data, 0)


def _article_objects(data: object, depth: int) -> Iterator[dict[str, Any]]:
    """Article-typed objects in a JSON-LD value: top level, lists and ``@graph``."""
    if depth > _MAX_JSON_LD_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _article_objects(item, depth + 1)
    elif isinstance(data, dict):
        if _is_article_type(data.get("@type")):
            yield data
        graph = data.get("@graph")
        if isinstance(graph, list | dict):
            yield from _article_objects(graph, depth + 1)


def _is_article_type(value: object) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and item.lower() in ARTICLE_TYPES for item in types)


def _is_live_blog_type(value: object) -> bool:
    types = value if isinstance(value, list) else [value]
    return any(isinstance(item, str) and item.lower() == "liveblogposting" for item in types)


def _apply_json_ld(draft: MetadataDraft, item: dict[str, Any]) -> None:
    draft.article_typed = True
    if draft.live_blog is None and _is_live_blog_type(item.get("@type")):
        draft.live_blog = item
    draft.title = draft.title or clean_value(item.get("headline")) or clean_value(item.get("name"))
    draft.set_date("published", item.get("datePublished") or item.get("dateCreated"))
    draft.set_date("modified", item.get("dateModified"))
    if not draft.authors:
        draft.authors = _names(item.get("author"))
    draft.section = draft.section or _first_text(item.get("articleSection"))
    draft.description = draft.description or clean_value(item.get("description"))
    draft.language = draft.language or _language_tag(_first_text(item.get("inLanguage")))
    for key in ("keywords", "about", "mentions"):
        add_keywords(draft.keywords, _thing_names(item.get(key)))
    body = item.get("articleBody")
    if isinstance(body, str) and len(body) > len(draft.article_body or ""):
        draft.article_body = body
    free = item.get("isAccessibleForFree")
    if draft.free_access is None and free is not None:
        draft.free_access = str(free).strip().lower() not in {"false", "0", "no"}


def _apply_json_date(draft: MetadataDraft, scripts: list[LexborNode]) -> None:
    """A ``"datePublished"`` anywhere in the page's JSON-LD: on an object of another type (a
    ``WebPage``) or in a block too broken to parse. htmldate reads it the same way; finding it
    here spares a second parse of the page for it."""
    for script in scripts:
        raw = script.text()
        match = _JSON_PUBLISHED.search(raw) if '"date' in raw else None
        if match is not None:
            draft.set_date("published", match[1])
            if draft.published is not None:
                return


def _names(value: object) -> list[str]:
    """Author names from a JSON-LD ``author``: a string, a Person/Organization or a list of them."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items[:20]:
        raw = item.get("name") if isinstance(item, dict) else item
        if isinstance(raw, list):
            raw = raw[0] if raw else None
        name = _author_name(raw)
        if name and name not in names:
            names.append(name)
    return names


def _author_name(raw: object) -> str | None:
    name = clean_value(raw)
    if name is None or _URLISH.match(name) or len(name) > 100:
        return None
    return _BYLINE_PREFIX.sub("", name) or None


def _thing_names(value: object) -> list[str]:
    """The texts of a JSON-LD ``keywords``/``about``/``mentions`` value: a comma-separated
    string, a Thing with a ``name``, or a list of either."""
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    for item in items[:MAX_KEYWORDS]:
        raw = item.get("name") if isinstance(item, dict) else item
        if isinstance(raw, str):
            found.extend(raw.split(",") if isinstance(item, str) else [raw])
    return found


def add_keywords(keywords: list[str], found: Iterable[str]) -> None:
    """Append the cleaned, not yet listed (case folded) ``found`` to ``keywords``, at most
    ``MAX_KEYWORDS`` of at most ``MAX_KEYWORD_CHARS`` characters each."""
    known = {k.casefold() for k in keywords}
    for raw in found:
        keyword = clean_value(raw)
        if len(keywords) >= MAX_KEYWORDS:
            return
        if keyword and len(keyword) <= MAX_KEYWORD_CHARS and keyword.casefold() not in known:
            keywords.append(keyword)
            known.add(keyword.casefold())


def _first_text(value: object) -> str | None:
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if isinstance(value, dict):
        value = value.get("name")
    return clean_value(value)


# --- meta tags ---------------------------------------------------------------------------------


_META_KEY_ATTRIBUTES: Final = frozenset({"property", "name", "itemprop", "http-equiv"})


def _meta_values(metas: list[dict[str, str | None]]) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-cased property/name/itemprop/http-equiv (``metas``
    holds each tag's attributes)."""
    values: dict[str, list[str]] = {}
    for attrs in metas:
        content = attrs.get("content")
        if not content:
            continue
        for name, key in attrs.items():  # a tag's two or three attributes, not four lookups
            if key and name in _META_KEY_ATTRIBUTES:
                values.setdefault(key.strip().lower(), []).append(content)
    return values


def _first_meta(metas: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in metas.get(key, ()):
            text = clean_value(value)
            if text:
                return text
    return None


def _apply_meta(draft: MetadataDraft, metas: dict[str, list[str]]) -> None:
    draft.title = draft.title or _first_meta(metas, _META_TITLE)
    for key in _META_PUBLISHED:
        for value in metas.get(key, ()):
            draft.set_date("published", value)
    for key in _META_MODIFIED:
        for value in metas.get(key, ()):
            draft.set_date("modified", value)
    if not draft.authors:
        draft.authors = _meta_authors(metas)
    draft.section = draft.section or _first_meta(metas, _META_SECTION)
    draft.description = draft.description or _first_meta(metas, _META_DESCRIPTION)
    for key in _META_KEYWORDS:
        for value in metas.get(key, ()):
            add_keywords(draft.keywords, value.split(",") if "tag" not in key else [value])
    draft.og_url = _first_meta(metas, ("og:url",))
    draft.og_type = (_first_meta(metas, ("og:type",)) or "").lower() or None


def _meta_authors(metas: dict[str, list[str]]) -> list[str]:
    names: list[str] = []
    for key in _META_AUTHOR:
        for value in metas.get(key, ()):
            for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", value):
                name = _author_name(part)
                if name and name not in names:
                    names.append(name)
        if names:
            break
    return names


# --- microdata, <time>, <link>, language, title fallbacks ---------------------------------------


def _apply_microdata(draft: MetadataDraft, found: PageElements) -> None:
    if draft.published is None or draft.modified is None:
        for name, prop in (("published", "datePublished"), ("modified", "dateModified")):
            for node in found.itemprops.get(prop, ()):
                draft.set_date(name, _node_date_value(node))
    if draft.published is None:
        stamped = [node for node in found.times if "datetime" in node.attributes]
        for node in stamped[:5]:
            if not _is_update_stamp(node):
                draft.set_date("published", node.attributes.get("datetime"))
    if not draft.authors:
        draft.authors = _microdata_authors(found.itemprops.get("author", []))


def _is_update_stamp(node: LexborNode) -> bool:
    """A ``<time>`` that marks an update (or anything but publication), not the first version."""
    attrs = node.attributes
    itemprop = attrs.get("itemprop")
    if itemprop:
        return itemprop != "datePublished"
    hints = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
    return "updat" in hints or "modif" in hints


def _node_date_value(node: LexborNode) -> str | None:
    attrs = node.attributes
    return attrs.get("content") or attrs.get("datetime") or node.text()


def _microdata_authors(nodes: list[LexborNode]) -> list[str]:
    names: list[str] = []
    for node in nodes[:10]:
        name_node = node.css_first('[itemprop="name"]')
        source = name_node if name_node is not None else node
        raw = source.attributes.get("content") or source.text()
        name = _author_name(raw)
        if name and name not in names:
            names.append(name)
    return names


def _apply_links(draft: MetadataDraft, links: list[LexborNode]) -> None:
    for link in links:
        rel = (link.attributes.get("rel") or "").lower().split()
        if "canonical" in rel:
            draft.canonical = clean_value(link.attributes.get("href"))
            return


def _language(tree: LexborHTMLParser, metas: dict[str, list[str]]) -> str | None:
    root = tree.root
    lang = root.attributes.get("lang") if root is not None else None
    return _language_tag(clean_value(lang)) or _language_tag(
        _first_meta(metas, ("content-language", "og:locale", "language", "dc.language"))
    )


def article_language(
    declared: str | None, title: str | None, paragraphs: Sequence[str], warnings: list[str]
) -> str | None:
    """The page's language tag, checked against its text: detected when the page declares
    none, replaced (with a warning) when the text is clearly written in another language."""
    text = " ".join((title or "", *paragraphs[:4]))
    found = declared_or_detected(declared, text)
    if declared is not None and found != declared:
        warnings.append(f"language: the page says {declared}, its text reads as {found}")
    return found


def _language_tag(value: str | None) -> str | None:
    """``en_us`` / ``EN-us`` → ``en-US``; None for values that are not language tags."""
    if not value:
        return None
    parts = value.replace("_", "-").split("-")
    if not re.fullmatch(r"[A-Za-z]{2,3}", parts[0]):
        return None
    tag = [parts[0].lower()]
    if len(parts) > 1 and re.fullmatch(r"[A-Za-z]{2}|\d{3}", parts[1]):
        tag.append(parts[1].upper())
    return "-".join(tag)


def _heading_title(h1: LexborNode | None) -> str | None:
    return clean_value(h1.text()) if h1 is not None else None


def _document_title(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    title = fold(node.text())
    parts = _TITLE_SEPARATORS.split(title)
    return (max(parts, key=len) if len(parts) > 1 else title) or None
