"""The fast path for feeds: well-formed RSS 0.91–2.0, RSS 1.0 and Atom 1.0 read with lxml.etree.

This module parses the document and hands it to the RSS or Atom reader. Whatever the fast path
does not read cleanly — XML that is not well formed, entities a DTD declares, Atom 0.3, CDF, an
HTTP charset that contradicts the document — raises ``NotClean`` and goes to feedparser instead.
HTML named entities used without a DTD (old RSS 0.91 feeds) are rewritten and read here.
"""

from __future__ import annotations

import codecs
import html.entities
import re
import threading

from lxml import etree

from monitor.errors import ParseError
from monitor.models import Feed
from monitor.sources.feed_atom import parse_atom
from monitor.sources.feed_elements import ATOM, RDF, RSS_NAMESPACES, NotClean, split_tag
from monitor.sources.feed_rss import parse_rdf, parse_rss

__all__ = ["NotClean", "numeric_html_entities", "parse_xml_feed"]

NOT_FEED_ROOTS = {"urlset": "a sitemap", "sitemapindex": "a sitemap index", "html": "an HTML page"}
_HTML_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_local = threading.local()


def parse_xml_feed(content: bytes, url: str, http_charset: str | None = None) -> Feed:
    """Read a well-formed RSS or Atom 1.0 document, or raise ``NotClean`` / ``ParseError``."""
    root = _parse_document(content, url, http_charset)
    namespace, _, name = split_tag(root.tag)
    if name in NOT_FEED_ROOTS:
        raise ParseError(f"{url}: not a feed: the document is {NOT_FEED_ROOTS[name]}")
    if name == "rss" and namespace in RSS_NAMESPACES:
        return parse_rss(root)
    if name == "RDF" and namespace == RDF:
        return parse_rdf(root)
    if name == "feed" and namespace == ATOM:
        return parse_atom(root)
    raise NotClean(f"root element {root.tag!r}")


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def _parse_document(content: bytes, url: str, http_charset: str | None) -> etree._Element:
    try:
        root = _parse_bytes(content, url)
    except NotClean:
        repaired = numeric_html_entities(content)
        if repaired is None:
            raise
        root = _parse_bytes(repaired, url)
    docinfo = root.getroottree().docinfo
    if http_charset and _codec(http_charset) != _codec(docinfo.encoding or "utf-8"):
        raise NotClean(f"HTTP charset {http_charset} contradicts the document")
    return root


def _parse_bytes(content: bytes, url: str) -> etree._Element:
    try:
        root = etree.fromstring(content, _parser(), base_url=url)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise NotClean(str(exc)) from exc
    if root is None:
        raise NotClean("empty document")
    if _has_entity_references(root):
        raise NotClean("undefined entity references")
    return root


def _has_entity_references(root: etree._Element) -> bool:
    """Whether entity nodes were left in the tree: entities are never expanded here (no XXE, no
    billion laughs), so a document that uses declared or external entities goes to the fallback."""
    if root.getroottree().docinfo.internalDTD is None:
        return False  # without a DOCTYPE an unknown entity is a syntax error, caught above
    return next(root.iter(etree.Entity), None) is not None


def numeric_html_entities(content: bytes) -> bytes | None:
    """``content`` with HTML named entities (``&nbsp;``, ``&eacute;``) written as character
    references, which XML parsers know without a DTD; None when there is nothing to rewrite or the
    encoding is not ASCII-compatible."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in content[:4]:
        return None
    repaired, count = _HTML_ENTITY.subn(_character_reference, content)
    return repaired if count else None


def _character_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
        return match.group(0)
    return b"&#%d;" % html.entities.name2codepoint[name]


def _codec(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()
