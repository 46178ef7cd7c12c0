"""What kind of document a source served: a feed, a sitemap or an HTML page.

Sniffs the first element of the body (past the XML declaration, comments and DOCTYPE), so a
source declared as a feed that serves a sitemap or a web page gets a clear error instead of an empty
feed. Gzip-compressed bodies (``sitemap.xml.gz``) are sniffed after decompressing their start.
"""

from __future__ import annotations

import re
import zlib
from typing import Literal

DocumentKind = Literal["feed", "sitemap", "html"]

SNIFF_BYTES = 8192
GZIP_MAGIC = b"\x1f\x8b"
FEED_ROOTS = frozenset({"rss", "rdf", "feed", "channel"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_COMMENT = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_HTML_DOCTYPE = re.compile(rb"<!doctype\s+html", re.IGNORECASE)
_FEED_TYPES = ("rss", "atom", "rdf", "feed+json", "application/json")


def detect_document_kind(content: bytes, content_type: str | None) -> DocumentKind:
    """``"feed"``, ``"sitemap"`` or ``"html"``, from the body first and the content type second."""
    return sniff_document_kind(content) or _kind_from_content_type(content_type)


def sniff_document_kind(content: bytes) -> DocumentKind | None:
    """The kind the body itself shows (first element, JSON object), or None if it shows none."""
    head = _head(content)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return "feed"
    root = _root_name(head)
    if root in FEED_ROOTS:
        return "feed"
    if root in SITEMAP_ROOTS:
        return "sitemap"
    if root == "html" or _HTML_DOCTYPE.search(head):
        return "html"
    return None


def _head(content: bytes) -> bytes:
    if content[:2] != GZIP_MAGIC:
        return _to_ascii_compatible(content[:SNIFF_BYTES])
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(content, SNIFF_BYTES)
    except zlib.error:
        return b""


def _to_ascii_compatible(head: bytes) -> bytes:
    """UTF-16/32 bodies (BOM or UTF-16 ``<?xml``) recoded so that the sniffing regexes see them."""
    for marker, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
        (b"<\x00?\x00", "utf-16-le"),
        (b"\x00<\x00?", "utf-16-be"),
    ):
        if head.startswith(marker):
            return head.decode(codec, errors="ignore").encode("utf-8")
    return head


def _root_name(head: bytes) -> str | None:
    match = _FIRST_ELEMENT.search(_COMMENT.sub(b"", head))
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()


def _kind_from_content_type(content_type: str | None) -> DocumentKind:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if any(marker in kind for marker in _FEED_TYPES):
        return "feed"
    if kind.endswith("xml"):
        return "feed"
    return "html"
