"""``monitor feed URL|FILE [--url URL] [--json]``: show what monitor reads in a feed.

For trying a source before adding it: prints the feed's entries (date, title, link), or the whole
parsed feed as JSON. A URL is fetched once with monitor's own fetcher; a file is read from disk, its
relative links resolved against ``--url`` when given.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.commands.options import run_async
from monitor.errors import FetchError

if TYPE_CHECKING:
    from monitor.models import Feed, FeedEntry


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "feed", help="Parse a feed (from a URL or a file) and print its entries."
    )
    parser.add_argument("source", metavar="URL|FILE", help="The feed's http(s) URL or a file path.")
    parser.add_argument(
        "--url", help="The URL a FILE was fetched from (to resolve its relative links)."
    )
    parser.add_argument("--json", action="store_true", help="Print the parsed feed as JSON.")
    parser.set_defaults(handler=run_feed)


def run_feed(args: argparse.Namespace) -> int:
    from monitor.sources import parse_feed

    content, url, content_type = _load(args.source, args.url)
    feed = parse_feed(content, url, content_type)
    print(
        json.dumps(feed_as_json(feed), ensure_ascii=False, indent=2)
        if args.json
        else _listing(feed)
    )
    return 0


def _load(source: str, url: str | None) -> tuple[bytes, str, str | None]:
    """(body, URL it came from, Content-Type) of a feed URL or file."""
    from monitor.sources.urls import is_web_url

    if is_web_url(source):
        from monitor.fetch import fetch_url_once  # lazy: the network edge only when asked

        page = run_async(fetch_url_once(source))
        return page.body, page.final_url, page.headers.get("content-type")
    path = Path(source)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {source}: {exc.strerror or exc}", source) from exc
    return content, url or path.resolve().as_uri(), None


def _listing(feed: Feed) -> str:
    lines = [f"{feed.title or '(untitled feed)'}  [{feed.format}, {len(feed.entries)} entries]"]
    if feed.link:
        lines.append(feed.link)
    for entry in feed.entries:
        date = entry.published or entry.updated
        stamp = date.isoformat(timespec="minutes") if date else "-" * 16
        lines.append(f"\n{stamp}  {entry.title or '(untitled)'}")
        lines.append(f"{'':18}{entry.link or '(no link)'}")
    return "\n".join(lines)


def feed_as_json(feed: Feed) -> dict[str, Any]:
    """The parsed feed as JSON-ready values (dates in ISO 8601)."""
    return {
        "title": feed.title,
        "link": feed.link,
        "format": feed.format,
        "entries": [_entry_as_json(entry) for entry in feed.entries],
    }


def _entry_as_json(entry: FeedEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "link": entry.link,
        "title": entry.title,
        "published": _iso(entry.published),
        "updated": _iso(entry.updated),
        "authors": list(entry.authors),
        "summary": entry.summary,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
