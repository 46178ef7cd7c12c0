from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.models import Feed, FeedEntry
from monitor.sources import feed_article_links, parse_feed

RSS2 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example News</title>
  <link>https://news.example.com/</link>
  <item>
    <title><![CDATA[Talks resume in Geneva]]></title>
    <link>/world/talks?utm_source=rss</link>
    <guid isPermaLink="false">urn:news:1</guid>
    <description><![CDATA[<p>Negotiators met again.</p>]]></description>
    <content:encoded><![CDATA[<p>Full text</p>]]></content:encoded>
    <dc:creator>Ana Ruiz</dc:creator>
    <pubDate>Tue, 24 Nov 2026 10:30:00 +0100</pubDate>
  </item>
  <item>
    <title>Only a guid</title>
    <guid>https://news.example.com/world/guid-only</guid>
    <author>desk@example.com (News Desk)</author>
    <pubDate>Tue, 24 Nov 2026 08:00:00 GMT</pubDate>
  </item>
</channel>
</rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example.org/">
  <title type="html">A &lt;b&gt;blog&lt;/b&gt; &amp;amp; co</title>
  <link rel="self" href="/atom.xml"/>
  <link href="/"/>
  <entry>
    <title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Rates <b>held</b></div></title>
    <link rel="enclosure" type="audio/mpeg" href="/audio/1.mp3"/>
    <link rel="replies" type="text/html" href="/posts/1#comments"/>
    <link href="posts/1"/>
    <id>tag:blog.example.org,2026:1</id>
    <published>2026-11-24T09:00:00Z</published>
    <updated>2026-11-24T11:15:00+02:00</updated>
    <author><name>Jo Park</name></author>
    <summary>Short</summary>
  </entry>
  <entry xml:base="https://other.example.org/section/">
    <title>Second</title>
    <link rel="alternate" type="text/html" href="two"/>
    <id>https://other.example.org/id-only</id>
    <updated>2026-11-24T12:00:00</updated>
  </entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://press.example.net/"><title>Press</title>
    <link>https://press.example.net/</link></channel>
  <item rdf:about="https://press.example.net/r/1">
    <title>Release one</title><link>https://press.example.net/r/1</link>
    <dc:date>2026-11-20T08:00:00+00:00</dc:date>
  </item>
</rdf:RDF>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "J",
  "home_page_url": "https://j.example/",
  "items": [{"id": 7, "url": "/p/7", "title": "Seven", "content_text": "x",
             "date_published": "2026-11-24T10:00:00-05:00", "authors": [{"name": "Kim"}]},
            "not an item"]}"""


def test_rss2_entries() -> None:
    feed = parse_feed(RSS2, "https://news.example.com/rss.xml")
    assert (feed.title, feed.link, feed.format) == (
        "Example News",
        "https://news.example.com/",
        "rss20",
    )
    first, second = feed.entries
    assert first == FeedEntry(
        id="urn:news:1",
        link="https://news.example.com/world/talks?utm_source=rss",
        title="Talks resume in Geneva",
        summary="<p>Negotiators met again.</p>",
        published=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
        updated=None,
        authors=("Ana Ruiz",),
    )
    assert first.published is not None
    assert first.published.utcoffset() == timedelta(hours=1)
    assert second.link == "https://news.example.com/world/guid-only"
    assert second.authors == ("News Desk",)


def test_atom_alternate_link_rule_and_xml_base() -> None:
    feed = parse_feed(ATOM, "https://blog.example.org/atom.xml")
    assert feed.title == "A blog & co"
    assert feed.link == "https://blog.example.org/"
    first, second = feed.entries
    assert first.link == "https://blog.example.org/posts/1"  # not the enclosure, not the replies
    assert first.title == "Rates held"
    assert first.published == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert first.updated == datetime(2026, 11, 24, 11, 15, tzinfo=timezone(timedelta(hours=2)))
    assert first.authors == ("Jo Park",)
    assert second.link == "https://other.example.org/section/two"
    assert second.updated == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # naive → UTC


def test_atom_id_is_the_link_only_without_an_alternate_link() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>https://x.example/a</id>
      </entry><entry><id>urn:uuid:1</id></entry></feed>"""
    first, second = parse_feed(body, "https://x.example/feed").entries
    assert first.link == "https://x.example/a"
    assert second.link is None


def test_rss10_rdf() -> None:
    feed = parse_feed(RDF, "https://press.example.net/index.rdf")
    assert feed.format == "rss10"
    (entry,) = feed.entries
    assert entry.id == "https://press.example.net/r/1"
    assert entry.title == "Release one"
    assert entry.updated == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)  # dc:date, as feedparser


def test_json_feed() -> None:
    feed = parse_feed(JSON_FEED, "https://j.example/feed.json", "application/feed+json")
    assert (feed.title, feed.link) == ("J", "https://j.example/")
    (entry,) = feed.entries
    assert (entry.id, entry.link, entry.title, entry.authors) == (
        "7",
        "https://j.example/p/7",
        "Seven",
        ("Kim",),
    )
    assert entry.published == datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def test_ill_formed_feed_falls_back_to_feedparser() -> None:
    body = b"<rss version='2.0'><channel><title>Broken &amp AT&T</title><item><title>One</title>"
    body += b"<link>http://a.example/1</link><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate>"
    body += b"</item></channel>"
    feed = parse_feed(body, "http://a.example/rss")
    assert feed.format.startswith("rss")
    (entry,) = feed.entries
    assert (entry.title, entry.link) == ("One", "http://a.example/1")
    assert entry.published == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_http_charset_that_contradicts_the_document_is_honoured() -> None:
    body = "<rss version='2.0'><channel><title>Caf\u00e9</title></channel></rss>".encode("latin-1")
    feed = parse_feed(body, "http://a.example/rss", "application/rss+xml; charset=iso-8859-1")
    assert feed.title == "Caf\u00e9"


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><head><title>Hi</title></head><body>x</body></html>", "HTML"),
        (
            b'<?xml version="1.0"?><urlset xmlns="x"><url><loc>http://a/</loc></url></urlset>',
            "sitemap",
        ),
        (b"\x00\x01\x02binary junk\xff\xfe", "not a feed"),
        (b'{"not": "a feed"}', "JSON Feed"),
    ],
)
def test_documents_that_are_not_feeds(body: bytes, cause: str) -> None:
    with pytest.raises(ParseError, match=cause) as raised:
        parse_feed(body, "https://site.example/feed")
    assert "https://site.example/feed" in str(raised.value)


def test_scripts_are_never_links() -> None:
    body = b"<rss><channel><item><link>javascript:alert(1)</link></item></channel></rss>"
    assert parse_feed(body, "https://a.example/").entries[0].link is None


def test_feed_article_links_are_canonical_and_unique() -> None:
    when = datetime(2026, 11, 24, tzinfo=UTC)
    feed = Feed(
        title="t",
        link="https://news.example.com/",
        entries=(
            FeedEntry("1", "https://News.Example.com/a?utm_source=x#top", "A", None, when, None),
            FeedEntry("2", "https://news.example.com/a", "A again", None, None, None),
            FeedEntry("3", "mailto:desk@example.com", "mail", None, None, None),
            FeedEntry("4", None, "no link", None, None, None),
        ),
    )
    (link,) = feed_article_links(feed)
    assert (link.url, link.title, link.published) == ("https://news.example.com/a", "A", when)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda tail: ("<rss><channel><item><title>" + tail).encode()),
        st.text(max_size=200).map(
            lambda tail: ('<feed xmlns="http://www.w3.org/2005/Atom">' + tail).encode()
        ),
    )
)
def test_parse_feed_raises_nothing_but_parse_error(body: bytes) -> None:
    try:
        feed = parse_feed(body, "https://fuzz.example/feed")
    except ParseError:
        return
    for entry in feed.entries:
        for date in (entry.published, entry.updated):
            assert date is None or date.tzinfo is not None


NETSCAPE_DOCTYPE = (
    b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"'
    b' "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
)


@pytest.mark.parametrize("doctype", [NETSCAPE_DOCTYPE, b""])
def test_html_entities_without_a_dtd_are_read(doctype: bytes) -> None:
    body = b'<?xml version="1.0"?>' + doctype + b'<rss version="0.91"><channel>'
    body += b"<title>Caf&eacute;&nbsp;News</title><item><title>A &amp; B &mdash; C</title>"
    body += b"<link>http://a.example/1</link></item></channel></rss>"
    feed = parse_feed(body, "http://a.example/rss")
    assert feed.title == "Caf\u00e9\u00a0News".replace("\u00a0", " ")
    assert feed.entries[0].title == "A & B \u2014 C"


@pytest.mark.parametrize(
    "dtd",
    [
        b'<!ENTITY x SYSTEM "file:///etc/passwd">',
        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">',
    ],
)
def test_entity_declarations_are_never_expanded_from_outside_or_exponentially(dtd: bytes) -> None:
    body = b"<!DOCTYPE rss [" + dtd + b"]><rss version='2.0'><channel><title>&x;&f;</title>"
    body += b"</channel></rss>"
    try:
        feed = parse_feed(body, "http://a.example/rss")
    except ParseError:
        return
    assert "root:" not in (feed.title or "")
    assert len(feed.title or "") < 1000
