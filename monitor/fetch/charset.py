"""Turn a body into text, once, choosing the encoding in this order: the ``charset`` of the
Content-Type header, a byte order mark, a ``<meta charset>`` / ``http-equiv`` tag or an XML
declaration near the start, detection (charset-normalizer), and finally UTF-8 with replacement.

Labels are mapped the way browsers map them (WHATWG Encoding): ``iso-8859-1`` and ``ascii`` mean
windows-1252, ``shift_jis`` means Microsoft's cp932, and so on, because that is what pages
labelled so are really written in.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

SNIFF_BYTES = 4096
DETECT_BYTES = 256 * 1024
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
EXTRA_LABELS = {"x-sjis": "cp932", "windows-31j": "cp932", "x-user-defined": "cp1252"}
BROWSER_LABELS = {  # Python codec name -> the codec browsers use for that label
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "big5": "big5hkscs",
}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)
XML_DECLARATION = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.+-]+)["']""")
HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.I)


def codec_for(label: str | None) -> str | None:
    """Python's codec name for an encoding label, browser-mapped; ``None`` if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        name = codecs.lookup(EXTRA_LABELS.get(label, label)).name
    except LookupError:
        return None
    return BROWSER_LABELS.get(name, name)


def charset_from_content_type(content_type: str | None) -> str | None:
    match = HEADER_CHARSET.search(content_type or "")
    return codec_for(match.group(1)) if match else None


def charset_from_bom(body: bytes) -> str | None:
    for bom, name in BOMS:
        if body.startswith(bom):
            return name
    return None


def charset_from_markup(body: bytes) -> str | None:
    """The encoding an XML declaration or a ``<meta>`` tag near the start declares."""
    head = body[:SNIFF_BYTES]
    match = XML_DECLARATION.match(head.lstrip()) or META_CHARSET.search(head)
    if not match:
        return None
    codec = codec_for(match.group(1).decode("ascii"))
    # a page that says UTF-16 in ASCII bytes cannot be UTF-16 (WHATWG: use UTF-8)
    return "utf-8" if codec and codec.startswith("utf-16") else codec


def detected_charset(body: bytes) -> str | None:
    """UTF-8 when the body is valid UTF-8, else charset-normalizer's best guess."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(body[:DETECT_BYTES]).best()
        return codec_for(best.encoding) if best is not None else None
    return "utf-8"


def choose_charset(body: bytes, content_type: str | None) -> str:
    return (
        charset_from_content_type(content_type)
        or charset_from_bom(body)
        or charset_from_markup(body)
        or detected_charset(body)
        or "utf-8"
    )


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """The body as text, and the codec it was decoded with (bad bytes become U+FFFD)."""
    charset = choose_charset(body, content_type)
    text = body.decode(charset, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, charset
