import gzip

import pytest

from monitor.sources import detect_document_kind


@pytest.mark.parametrize(
    ("body", "content_type", "kind"),
    [
        (
            b'<?xml version="1.0"?>\n<!-- <html> -->\n<rss version="2.0"><channel/></rss>',
            None,
            "feed",
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "text/html", "feed"),
        (b"<rdf:RDF xmlns:rdf='x'/>", None, "feed"),
        (b'\xef\xbb\xbf  {"version": "https://jsonfeed.org/version/1.1"}', None, "feed"),
        ('<?xml version="1.0" encoding="utf-16"?><rss/>'.encode("utf-16"), None, "feed"),
        (b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/'/>", "text/xml", "sitemap"),
        (gzip.compress(b"<sitemapindex><sitemap/></sitemapindex>"), None, "sitemap"),
        (b"<!DOCTYPE html>\n<html lang=en><body>", "application/rss+xml", "html"),
        (b"<!doctype html><title>x</title>", None, "html"),
        (b"just text", "text/html; charset=utf-8", "html"),
        (b"just text", "application/atom+xml", "feed"),
        (b"", None, "html"),
    ],
)
def test_detect_document_kind(body: bytes, content_type: str | None, kind: str) -> None:
    assert detect_document_kind(body, content_type) == kind
