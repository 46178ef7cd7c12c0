import gzip
import re
from datetime import UTC, datetime

import pytest

from monitor.errors import ParseError
from monitor.models import ArticleLink
from monitor.sources import Sitemap, parse_sitemap

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://News.example.com/world/a?utm_campaign=x</loc>
    <lastmod>2026-11-24T10:00:00+00:00</lastmod>
    <news:news>
      <news:publication><news:name>Example</news:name><news:language>en</news:language>
      </news:publication>
      <news:publication_date>2026-11-24T09:00:00+01:00</news:publication_date>
      <news:title>Talks  resume</news:title>
    </news:news>
  </url>
  <url><loc>/relative/b</loc><lastmod>2026-11-23</lastmod></url>
  <url><loc>https://news.example.com/world/a</loc></url>
  <url><loc>ftp://news.example.com/file</loc></url>
  <url><lastmod>2026-11-23</lastmod></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example.com/sitemap-1.xml</loc></sitemap>
  <sitemap><loc>/sitemap-2.xml.gz</loc><lastmod>2026-11-24</lastmod></sitemap>
</sitemapindex>"""

EXPECTED_LINKS = (
    ArticleLink(
        url="https://news.example.com/world/a",
        title="Talks resume",
        published=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        updated=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    ),
    ArticleLink(
        url="https://news.example.com/relative/b",
        updated=datetime(2026, 11, 23, tzinfo=UTC),
    ),
)


def test_news_sitemap() -> None:
    sitemap = parse_sitemap(URLSET, "https://news.example.com/sitemap.xml")
    assert sitemap == Sitemap(links=EXPECTED_LINKS)


def test_gzip_sitemap_reads_the_same() -> None:
    sitemap = parse_sitemap(gzip.compress(URLSET), "https://news.example.com/sitemap.xml.gz")
    assert sitemap.links == EXPECTED_LINKS


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX, "https://news.example.com/sitemap.xml")
    assert sitemap.links == ()
    assert sitemap.sitemaps == (
        "https://news.example.com/sitemap-1.xml",
        "https://news.example.com/sitemap-2.xml.gz",
    )


def test_missing_namespace_and_sloppy_xml_still_read() -> None:
    body = b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2 & 3"
    sitemap = parse_sitemap(body, "https://a.example/sitemap.xml")
    assert [link.url for link in sitemap.links][:1] == ["https://a.example/1"]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Not found</body></html>",
        b"<rss><channel/></rss>",
        b"",
        b"\x1f\x8b\x08\x00garbage",
        b"\x00\xff binary",
    ],
)
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(ParseError, match=re.escape("https://a.example/sitemap.xml")):
        parse_sitemap(body, "https://a.example/sitemap.xml")
