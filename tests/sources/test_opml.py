"""OPML in and out: ``read_opml``/``write_opml`` and the ``monitor sources import|export``
commands, round trip included (the imported YAML is a valid configuration)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import load_config
from monitor.errors import MonitorError
from monitor.sources.opml import OpmlFeed, read_opml, slug, write_opml

READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions</title></head>
  <body>
    <outline text="World" title="World">
      <outline type="rss" text="Le Monde \xe2\x80\x93 International" title="Le Monde \xe2\x80\x93 International"
               xmlUrl="https://www.lemonde.fr/international/rss_full.xml" htmlUrl="https://www.lemonde.fr/"/>
      <outline type="rss" text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
    </outline>
    <outline type="rss" text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/rss.xml"/>
    <outline type="rss" text="A local file" xmlUrl="file:///etc/passwd"/>
    <outline type="rss" xmlUrl="https://example.org/feed"/>
  </body>
</opml>
"""


def test_read_opml_takes_feeds_names_them_and_says_what_it_skipped() -> None:
    imported = read_opml(READER_EXPORT, "subs.opml", taken={"example-org"})
    assert [(f.name, f.url, f.category) for f in imported.feeds] == [
        (
            "le-monde-international",
            "https://www.lemonde.fr/international/rss_full.xml",
            "World",
        ),
        ("bbc", "https://feeds.bbci.co.uk/news/world/rss.xml", "World"),
        ("bbc-2", "https://feeds.bbci.co.uk/news/rss.xml", None),
        ("example-org-2", "https://example.org/feed", None),
    ]
    assert imported.feeds[0].site_url == "https://www.lemonde.fr/"
    assert imported.skipped == ("line 11: 'file:///etc/passwd' is not an http(s) URL",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body><outline", "subs.opml:1: not an OPML file"),
        (b"<rss><channel/></rss>", "expected <opml> with a <body>"),
    ],
)
def test_what_is_not_opml_is_refused_by_line(content: bytes, message: str) -> None:
    with pytest.raises(MonitorError, match=message):
        read_opml(content, "subs.opml")


def test_external_entities_are_never_read() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b"<opml><body><outline xmlUrl='https://example.org/feed'>&x;</outline></body></opml>"
    )
    (feed,) = read_opml(hostile, "subs.opml").feeds
    assert feed.name == "example-org"
    in_attribute = hostile.replace(b"'>&x;</outline>", b"' text='&x;'/>")
    with pytest.raises(MonitorError, match="external entity"):
        read_opml(in_attribute, "subs.opml")


def test_slugs_fit_the_name_rules() -> None:
    assert slug("Süddeutsche Zeitung: Politik") == "suddeutsche-zeitung-politik"
    assert slug("日本語") == "feed"
    assert len(slug("x" * 200)) == 64


def test_write_then_read_is_the_same_feeds() -> None:
    feeds = [
        OpmlFeed("meridian", "https://meridian.test/feed.xml", "Meridian <Ledger>", None, "World"),
        OpmlFeed("harbor", "https://harbor.test/feed.xml?x=1&y=2", None, "https://harbor.test/"),
    ]
    document = write_opml(feeds, "mine", datetime(2025, 10, 6, tzinfo=UTC))
    back = read_opml(document, "mine.opml")
    assert [(f.url, f.category, f.site_url) for f in back.feeds] == [
        (f.url, f.category, f.site_url) for f in feeds
    ]
    assert back.feeds[0].title == "Meridian <Ledger>"


def test_import_prints_yaml_the_configuration_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_bytes(READER_EXPORT)
    config = tmp_path / "monitor.yaml"
    code = main(["--log-level", "error", "sources", "import", str(opml), "--config", str(config)])
    assert code == 0
    printed = capsys.readouterr()
    assert "skipped line 11" in printed.err
    config.write_text(printed.out, encoding="utf-8")
    settings = load_config(config, environ={})
    assert [s.name for s in settings.sources] == [
        "le-monde-international",
        "bbc",
        "bbc-2",
        "example-org",
    ]
    assert all(s.type == "feed" for s in settings.sources)
    assert "# World · Le Monde – International" in printed.out


def test_import_of_a_file_without_feeds_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "empty.opml"
    opml.write_bytes(b"<opml><body><outline text='folder'/></body></opml>")
    assert main(["--log-level", "error", "sources", "import", str(opml)]) == 2
    assert "no feed" in capsys.readouterr().err
    assert main(["--log-level", "error", "sources", "import", str(tmp_path / "none.opml")]) == 2


def test_export_writes_the_configured_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "monitor.yaml"
    config.write_text(
        "sources:\n"
        "  - name: meridian\n    url: https://meridian.test/feed.xml\n"
        "  - name: harbor-map\n    type: sitemap\n    url: https://harbor.test/sitemap.xml\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.opml"
    assert main(["sources", "export", "--config", str(config), "--output", str(out)]) == 0
    assert "1 sources that are not feeds are left out" in capsys.readouterr().err
    (feed,) = read_opml(out.read_bytes(), str(out)).feeds
    assert (feed.name, feed.url) == ("meridian", "https://meridian.test/feed.xml")
    assert main(["sources", "--config", str(config), "export"]) == 0
    assert "https://meridian.test/feed.xml" in capsys.readouterr().out
