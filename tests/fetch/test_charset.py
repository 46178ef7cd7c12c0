"""Decoding once: header charset → BOM → meta/XML declaration → detection → UTF-8, on real pages."""

from __future__ import annotations

import codecs

import pytest

from monitor.fetch.charset import codec_for, decode_body

from .server import FetcherFactory, RawServer, answer

FRENCH = (
    "Le gouvernement a présenté mercredi un budget révisé : « Nous maîtrisons la dépense », "
    "a déclaré le ministre. Les économistes restent sceptiques ; l'opposition dénonce un "
    "tour de passe-passe. Prévisions : déficit à 4,9 %, croissance à 1,1 % — € 12 milliards."
)
JAPANESE = (
    "政府は水曜日、改定予算案を発表した。財務大臣は「支出は管理されている」と述べた。"
    "経済学者は懐疑的な見方を示しており、野党は批判を強めている。東京の株式市場は小幅に上昇した。"
)


def page(text: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


CASES = [
    # (name, text, codec used to write the bytes, header charset, meta charset)
    ("cp1252 header", FRENCH, "cp1252", "windows-1252", None),
    ("cp1252 latin-1 label", FRENCH, "cp1252", "iso-8859-1", None),
    ("cp1252 meta", FRENCH, "cp1252", None, "windows-1252"),
    ("cp1252 undeclared", FRENCH, "cp1252", None, None),
    ("shift_jis header", JAPANESE, "shift_jis", "Shift_JIS", None),
    ("shift_jis meta", JAPANESE, "shift_jis", None, "shift_jis"),
    ("shift_jis undeclared", JAPANESE, "shift_jis", None, None),
    ("utf-8 undeclared", JAPANESE, "utf-8", None, None),
]


@pytest.mark.parametrize(
    ("text", "codec", "header", "meta"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_pages_decode_to_the_right_text(
    server: RawServer,
    make_fetcher: FetcherFactory,
    text: str,
    codec: str,
    header: str | None,
    meta: str | None,
) -> None:
    content_type = f"text/html; charset={header}" if header else "text/html"
    server.routes["/page"] = answer(page(text, meta).encode(codec), content_type=content_type)
    async with make_fetcher(obey_robots=False) as fetcher:
        fetched = await fetcher.fetch(server.url("/page"), discovered=False)
    assert text in fetched.text
    assert fetched.encoding is not None


def test_header_wins_over_meta() -> None:
    body = page("Ça", meta="shift_jis").encode("cp1252")
    assert decode_body(body, "text/html; charset=windows-1252") == (
        page("Ça", "shift_jis"),
        "cp1252",
    )


def test_bom_wins_over_meta_and_is_dropped() -> None:
    body = codecs.BOM_UTF8 + page("Ça", meta="windows-1252").encode("utf-8")
    text, codec = decode_body(body, "text/html")
    assert (text, codec) == (page("Ça", "windows-1252"), "utf-8")


def test_xml_declaration() -> None:
    body = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Été</title></rss>'
    assert decode_body(body.encode("cp1252"), "application/rss+xml")[0] == body


def test_undecodable_bytes_become_replacement_characters() -> None:
    text, codec = decode_body(b"caf\xc3 ok", "text/html; charset=utf-8")
    assert (text, codec) == ("caf\ufffd ok", "utf-8")


def test_unknown_label_falls_through() -> None:
    assert decode_body("héllo".encode(), "text/html; charset=x-bogus")[1] == "utf-8"


@pytest.mark.parametrize(
    ("label", "codec"),
    [("ISO-8859-1", "cp1252"), ("us-ascii", "cp1252"), ("Shift_JIS", "cp932"), ("utf8", "utf-8")],
)
def test_labels_map_as_browsers_do(label: str, codec: str) -> None:
    assert codec_for(label) == codec
