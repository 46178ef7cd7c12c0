"""Feed parsing: monitor's ``parse_feed`` next to feedparser, measured in the same run.

Two measurements:

* speed and agreement on realistic feeds (50 items each; RSS 2.0 with content:encoded, media:
  and dc:, Atom 1.0 with enclosure/replies links beside a rel-less alternate link, RSS 1.0 with
  dc:date): feeds per second for each parser, and whether title, link and dates agree on every
  entry;
* robustness on feedparser's own test corpus (``../shared/data/feedparser-tests``): crashes (any
  exception other than ``ParseError``) and agreement with feedparser on title, link, id and
  published for the feed and every entry of the well-formed documents.

Run from the repository root::

    python benchmarks/feeds.py                # realistic feeds
    python benchmarks/feeds.py --corpus       # feedparser-tests corpus
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import feedparser

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from monitor.errors import ParseError  # noqa: E402
from monitor.models import Feed  # noqa: E402
from monitor.sources import parse_feed  # noqa: E402
from monitor.sources.dates import from_struct_time  # noqa: E402
from monitor.sources.feed_xml import NotClean, parse_xml_feed  # noqa: E402
from monitor.sources.feeds import charset_parameter  # noqa: E402
from monitor.sources.text import html_to_text  # noqa: E402

CORPUS_DIR = REPO_ROOT.parent / "shared" / "data" / "feedparser-tests"
ITEMS_PER_FEED = 50
_VOCABULARY = (
    "government minister said on tuesday that the agreement would be signed after talks in the "
    "capital where officials from both sides met to discuss trade energy security and the future "
    "of the region markets rose sharply as investors welcomed the news while critics warned"
)
WORDS = tuple(_VOCABULARY.split(" "))


# --- realistic feeds ----------------------------------------------------------------------


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _article_html(rng: random.Random) -> str:
    paragraphs = "".join(f"<p>{_sentence(rng, rng.randint(25, 45))}.</p>" for _ in range(8))
    image = f"https://cdn.example.com/{rng.randint(1, 9999)}.jpg"
    return f'<figure><img src="{image}"/></figure>{paragraphs}'


def rss2_feed(seed: int) -> bytes:
    """An RSS 2.0 feed of 50 items as news sites publish them."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    items = []
    for number in range(ITEMS_PER_FEED):
        when = format_datetime(start - timedelta(minutes=37 * number + rng.randint(0, 30)))
        slug = f"{seed}-{number}-{rng.randint(1000, 9999)}"
        items.append(
            f"""<item>
  <title><![CDATA[{_sentence(rng, 9)} &amp; more]]></title>
  <link>https://news.example.com/world/{slug}?utm_source=rss&amp;utm_medium=feed</link>
  <guid isPermaLink="false">urn:example:{slug}</guid>
  <description><![CDATA[<p>{_sentence(rng, 30)}.</p>]]></description>
  <content:encoded><![CDATA[{_article_html(rng)}]]></content:encoded>
  <dc:creator><![CDATA[{rng.choice(["Ana Ruiz", "Li Wei", "Sam Okafor"])}]]></dc:creator>
  <category><![CDATA[World]]></category>
  <pubDate>{when}</pubDate>
  <media:content url="https://cdn.example.com/{slug}.jpg" medium="image" width="1200" height="800">
    <media:credit>Reuters</media:credit>
    <media:description type="plain">{_sentence(rng, 12)}</media:description>
  </media:content>
  <media:thumbnail url="https://cdn.example.com/{slug}-thumb.jpg"/>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/"
  xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Example News - World</title>
<link>https://news.example.com/world</link>
<atom:link href="https://news.example.com/world/rss.xml" rel="self" type="application/rss+xml"/>
<description>The latest world news</description>
<language>en-gb</language>
<lastBuildDate>{format_datetime(start)}</lastBuildDate>
{"".join(items)}
</channel>
</rss>""".encode()


def atom_feed(seed: int) -> bytes:
    """An Atom 1.0 feed of 50 entries; each alternate link has no rel, next to enclosure/replies."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    entries = []
    for number in range(ITEMS_PER_FEED):
        published = start - timedelta(minutes=41 * number)
        updated = published + timedelta(minutes=rng.randint(0, 90))
        slug = f"{seed}-{number}"
        entries.append(
            f"""<entry>
  <title type="html">{_sentence(rng, 8)} &amp;lt;live&amp;gt;</title>
  <link rel="enclosure" type="image/jpeg" href="https://cdn.example.org/{slug}.jpg"/>
  <link rel="replies" type="text/html" href="/posts/{slug}#comments"/>
  <link href="/posts/{slug}"/>
  <id>tag:example.org,2026:{slug}</id>
  <published>{published.isoformat()}</published>
  <updated>{updated.astimezone(timezone(timedelta(hours=1))).isoformat()}</updated>
  <author><name>{rng.choice(["Jo Park", "Ines Costa"])}</name></author>
  <summary type="html">&lt;p&gt;{_sentence(rng, 25)}&lt;/p&gt;</summary>
  <content type="html"><![CDATA[{_article_html(rng)}]]></content>
  <media:thumbnail url="https://cdn.example.org/{slug}-t.jpg"/>
</entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"
  xml:base="https://blog.example.org/">
<title>Example Blog</title>
<link rel="self" href="https://blog.example.org/atom.xml"/>
<link href="https://blog.example.org/"/>
<id>tag:example.org,2026:feed</id>
<updated>{start.isoformat()}</updated>
{"".join(entries)}
</feed>""".encode()


def rdf_feed(seed: int) -> bytes:
    """An RSS 1.0 (RDF) feed of 50 items dated with dc:date."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    items, refs = [], []
    for number in range(ITEMS_PER_FEED):
        url = f"https://press.example.net/releases/{seed}/{number}.html"
        refs.append(f'<rdf:li rdf:resource="{url}"/>')
        when = (start - timedelta(hours=number)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        items.append(
            f"""<item rdf:about="{url}">
  <title>{_sentence(rng, 10)}</title>
  <link>{url}</link>
  <description>{_sentence(rng, 40)}</description>
  <content:encoded><![CDATA[{_article_html(rng)}]]></content:encoded>
  <dc:creator>Press Office</dc:creator>
  <dc:date>{when}</dc:date>
  <dc:subject>Releases</dc:subject>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel rdf:about="https://press.example.net/">
<title>Example Press Releases</title>
<link>https://press.example.net/</link>
<description>Press releases</description>
<items><rdf:Seq>{"".join(refs)}</rdf:Seq></items>
</channel>
{"".join(items)}
</rdf:RDF>""".encode()


def realistic_feeds() -> list[tuple[str, bytes, str]]:
    """(name, body, url) of the benchmark feeds: three RSS 2.0, two Atom, one RSS 1.0."""
    feeds = [
        (f"rss2-{seed}", rss2_feed(seed), "https://news.example.com/rss.xml") for seed in (1, 2, 3)
    ]
    feeds += [
        (f"atom-{seed}", atom_feed(seed), "https://blog.example.org/atom.xml") for seed in (4, 5)
    ]
    feeds.append(("rdf-6", rdf_feed(6), "https://press.example.net/index.rdf"))
    return feeds


# --- comparing with feedparser ------------------------------------------------------------


def feedparser_parse(content: bytes, url: str, headers: dict[str, str] | None = None) -> Any:
    response_headers = {"content-location": url, **(headers or {})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return feedparser.parse(io.BytesIO(content), response_headers=response_headers)


def _plain(value: str | None) -> str | None:
    """Our titles are plain text already: only whitespace is tidied."""
    return " ".join(value.split()) or None if value else None


def _their_title(holder: Any) -> str | None:
    """feedparser's title as plain text: unmarked when feedparser says it is HTML."""
    value = holder.get("title")
    kind = (holder.get("title_detail") or {}).get("type", "text/plain")
    if value and kind in ("text/html", "application/xhtml+xml"):
        return html_to_text(value) or None
    return _plain(value)


def _norm_date(value: datetime | None) -> datetime | None:
    """In UTC, to the second (feedparser's struct_time has no fractions)."""
    return value.astimezone(UTC).replace(microsecond=0) if value is not None else None


def ours_fields(feed: Feed, with_id: bool = True) -> list[tuple[object, ...]]:
    """(title, link, [id], published, updated?) of the feed head and each entry, normalised."""
    rows: list[tuple[object, ...]] = [("feed", _plain(feed.title), feed.link or None)]
    for entry in feed.entries:
        row = (_plain(entry.title), entry.link or None, _norm_date(entry.published))
        rows.append((row[0], row[1], entry.id or None, row[2]) if with_id else row)
    return rows


def feedparser_fields(result: Any, with_id: bool = True) -> list[tuple[object, ...]]:
    head = result.get("feed", {})
    rows: list[tuple[object, ...]] = [("feed", _their_title(head), head.get("link") or None)]
    for entry in result.get("entries", []):
        published = _norm_date(from_struct_time(dict.get(entry, "published_parsed")))
        row = (_their_title(entry), entry.get("link") or None, published)
        rows.append((row[0], row[1], entry.get("id") or None, row[2]) if with_id else row)
    return rows


# --- realistic-feed benchmark -------------------------------------------------------------


@dataclass
class SpeedReport:
    feeds: int
    entries: int
    ours_per_second: float
    feedparser_per_second: float
    disagreements: list[str] = field(default_factory=list)

    @property
    def speedup(self) -> float:
        return self.ours_per_second / self.feedparser_per_second


def _rate(
    parse: Callable[[bytes, str], object], feeds: list[tuple[str, bytes, str]], rounds: int
) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for _, body, url in feeds:
            parse(body, url)
    return rounds * len(feeds) / (time.perf_counter() - started)


def _with_dates(
    fields: list[tuple[object, ...]], updated: list[object]
) -> list[tuple[object, ...]]:
    return [fields[0]] + [(*row, date) for row, date in zip(fields[1:], updated, strict=True)]


def compare_realistic(name: str, body: bytes, url: str) -> list[str]:
    """Every entry field (title, link, published, updated) on which the two parsers differ."""
    ours = parse_feed(body, url)
    theirs = feedparser_parse(body, url)
    ours_rows = _with_dates(
        ours_fields(ours, with_id=False), [_norm_date(e.updated) for e in ours.entries]
    )
    their_updated = [
        _norm_date(from_struct_time(dict.get(e, "updated_parsed"))) for e in theirs.entries
    ]
    their_rows = _with_dates(feedparser_fields(theirs, with_id=False), their_updated)
    if len(ours_rows) != len(their_rows):
        return [f"{name}: {len(ours_rows) - 1} entries vs feedparser's {len(their_rows) - 1}"]
    return [
        f"{name} row {index}: {mine!r} != {theirs_row!r}"
        for index, (mine, theirs_row) in enumerate(zip(ours_rows, their_rows, strict=True))
        if mine != theirs_row
    ]


def run_speed(rounds: int = 20, feedparser_rounds: int = 3) -> SpeedReport:
    feeds = realistic_feeds()
    disagreements = [problem for feed in feeds for problem in compare_realistic(*feed)]
    ours = _rate(lambda body, url: parse_feed(body, url), feeds, rounds)
    theirs = _rate(lambda body, url: feedparser_parse(body, url), feeds, feedparser_rounds)
    entries = sum(len(parse_feed(body, url).entries) for _, body, url in feeds)
    return SpeedReport(len(feeds), entries, ours, theirs, disagreements)


# --- feedparser-tests corpus --------------------------------------------------------------


@dataclass
class CorpusReport:
    documents: int = 0
    crashes: list[str] = field(default_factory=list)
    parse_errors: int = 0
    fast_path: int = 0
    fast_path_well_formed: int = 0
    fast_path_agreeing: int = 0
    parse_error_documents: list[str] = field(default_factory=list)
    well_formed: int = 0
    agreeing: int = 0
    fields: int = 0
    agreeing_fields: int = 0
    disagreements: list[str] = field(default_factory=list)

    @property
    def agreement(self) -> float:
        return self.agreeing / self.well_formed if self.well_formed else 1.0

    @property
    def field_agreement(self) -> float:
        return self.agreeing_fields / self.fields if self.fields else 1.0


_HEADER_LINE = re.compile(r"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def corpus_documents(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in ("README.md", "LICENSE"):
            yield path


def _test_headers(content: bytes) -> dict[str, str]:
    head = content[:2048].decode("latin-1")
    return {name.lower(): value for name, value in _HEADER_LINE.findall(head)}


def check_document(path: Path, root: Path, report: CorpusReport) -> None:
    content = path.read_bytes()
    headers = _test_headers(content)
    request_url = f"http://127.0.0.1:8097/tests/{path.relative_to(root).as_posix()}"
    url = urljoin(request_url, headers.pop("content-location", request_url))
    headers.setdefault("content-type", "application/xml")  # what a server would send
    report.documents += 1
    try:
        ours: Feed | None = parse_feed(content, url, headers.get("content-type"))
    except ParseError:
        ours = None
        report.parse_errors += 1
        report.parse_error_documents.append(str(path.relative_to(root)))
    except Exception as exc:  # the crash count is what we measure
        report.crashes.append(f"{path.relative_to(root)}: {type(exc).__name__}: {exc}")
        return
    fast = ours is not None and _took_fast_path(content, url, headers)
    report.fast_path += fast
    theirs = feedparser_parse(content, url, headers)
    if theirs.get("bozo"):
        return
    agreed = report.agreeing
    _score(path.relative_to(root).as_posix(), ours, theirs, report)
    report.fast_path_well_formed += fast
    report.fast_path_agreeing += fast and report.agreeing > agreed


def _took_fast_path(content: bytes, url: str, headers: dict[str, str]) -> bool:
    try:
        parse_xml_feed(content, url, charset_parameter(headers.get("content-type")))
    except (NotClean, ParseError):
        return False
    return True


def _score(name: str, ours: Feed | None, theirs: Any, report: CorpusReport) -> None:
    report.well_formed += 1
    their_rows = feedparser_fields(theirs)
    empty = [("feed", None, None)]
    our_rows = ours_fields(ours) if ours is not None else empty
    if ours is None and their_rows == empty:
        our_rows = empty
    width = sum(len(row) - 1 if row[0] == "feed" else len(row) for row in their_rows)
    report.fields += width
    if len(our_rows) != len(their_rows):
        report.disagreements.append(f"{name}: {len(our_rows) - 1} entries vs {len(their_rows) - 1}")
        return
    same = sum(
        a == b
        for mine, other in zip(our_rows, their_rows, strict=True)
        for a, b in zip(mine, other, strict=True)
    )
    same -= len(our_rows) and 1  # the "feed" marker column is not a field
    report.agreeing_fields += same
    if our_rows == their_rows:
        report.agreeing += 1
    else:
        diff = [f"{m!r} != {o!r}" for m, o in zip(our_rows, their_rows, strict=True) if m != o]
        report.disagreements.append(f"{name}: {diff[0]}")


def run_corpus(root: Path = CORPUS_DIR) -> CorpusReport:
    report = CorpusReport()
    for path in corpus_documents(root):
        check_document(path, root, report)
    return report


# --- command line -------------------------------------------------------------------------


def _print_speed(report: SpeedReport) -> None:
    print(f"realistic feeds: {report.feeds} feeds, {report.entries} entries")
    print(f"  monitor.parse_feed : {report.ours_per_second:8.1f} feeds/s")
    print(f"  feedparser         : {report.feedparser_per_second:8.1f} feeds/s")
    print(f"  speed-up           : {report.speedup:8.1f}x")
    print(f"  entries that differ (title, link, published, updated): {len(report.disagreements)}")
    for line in report.disagreements[:10]:
        print(f"    {line}")


def _print_corpus(report: CorpusReport, show: int) -> None:
    print(f"feedparser-tests: {report.documents} documents")
    print(f"  crashes (exceptions other than ParseError): {len(report.crashes)}")
    for line in report.crashes[:show]:
        print(f"    {line}")
    print(f"  ParseError raised: {report.parse_errors} {report.parse_error_documents}")
    print(f"  read by the lxml fast path: {report.fast_path} (the rest by the feedparser fallback)")
    print(f"  well-formed (feedparser bozo=0): {report.well_formed}")
    print(
        f"  documents agreeing on title/link/id/published: {report.agreeing}/{report.well_formed}"
        f" = {report.agreement:.2%}"
    )
    print(
        f"  of which read by the fast path: {report.fast_path_agreeing}"
        f"/{report.fast_path_well_formed} agree"
    )
    print(
        f"  fields agreeing: {report.agreeing_fields}/{report.fields}"
        f" = {report.field_agreement:.2%}"
    )
    for line in report.disagreements[:show]:
        print(f"    {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="?", const=CORPUS_DIR, type=Path, help="run the corpus")
    parser.add_argument("--rounds", type=int, default=20, help="rounds over the feeds for ours")
    parser.add_argument("--show", type=int, default=20, help="disagreements to print")
    args = parser.parse_args()
    if args.corpus:
        _print_corpus(run_corpus(args.corpus), args.show)
    else:
        _print_speed(run_speed(args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
