"""``monitor fetch URL``: fetch one URL the way a source check would, and say what happened.

For a user checking a source by hand: status, final URL, the headers that matter for monitoring,
time, size, the encoding the text was decoded with, and whether a conditional request hit (with
``--etag``/``--last-modified``, or ``--twice`` to send back what the first answer gave).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from monitor.commands.options import run_async
from monitor.models import Validators

if TYPE_CHECKING:
    from monitor.fetch import FetchOptions
    from monitor.models import Page

NOTABLE_HEADERS = (
    "content-type",
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "cache-control",
    "expires",
    "age",
    "vary",
    "retry-after",
    "server",
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="Fetch one URL as a source check would and show what came back.",
    )
    parser.add_argument("url", help="The http(s) URL to fetch.")
    parser.add_argument("--etag", help="Send this ETag back (If-None-Match), exactly as given.")
    parser.add_argument("--last-modified", help="Send this date back (If-Modified-Since).")
    parser.add_argument(
        "--twice", action="store_true", help="Fetch again with the validators of the first answer."
    )
    parser.add_argument("--ignore-robots", action="store_true", help="Do not obey robots.txt.")
    parser.add_argument(
        "--discovered",
        action="store_true",
        help="Treat the URL as discovered, not configured, so private networks are refused.",
    )
    parser.add_argument("--timeout", type=float, help="The total time limit in seconds.")
    parser.add_argument("--user-agent", help="The product token to send, e.g. monitor/0.1.")
    parser.set_defaults(handler=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    options = _options(args)
    validators = None
    if args.etag or args.last_modified:
        validators = Validators(etag=args.etag, last_modified=args.last_modified)
    pages = run_async(_fetch(args.url, options, validators, args))
    for index, page in enumerate(pages):
        if index:
            print()
        print("\n".join(describe(page, sent=validators if index == 0 else pages[0].validators)))
    return 0


def _options(args: argparse.Namespace) -> FetchOptions:
    from monitor.fetch import FetchOptions

    options = FetchOptions()
    if args.timeout:
        options = replace(options, total_timeout=args.timeout)
    if args.user_agent:
        options = replace(options, user_agent=args.user_agent)
    return options


async def _fetch(
    url: str, options: FetchOptions, validators: Validators | None, args: argparse.Namespace
) -> list[Page]:
    from monitor.fetch import Fetcher, SourceFetchPolicy, build_client

    policy = SourceFetchPolicy(obey_robots=not args.ignore_robots)
    async with build_client(options) as client:
        fetcher = Fetcher(client, options)
        first = await fetcher.fetch(url, validators, discovered=args.discovered, policy=policy)
        if not args.twice:
            return [first]
        again = await fetcher.fetch(
            url, first.validators, discovered=args.discovered, policy=policy
        )
        return [first, again]


def describe(page: Page, sent: Validators | None) -> list[str]:
    """The lines printed for one fetch."""
    decoded = f" (decoded as {page.encoding})" if page.encoding else ""
    rows = [
        ("status", _status(page.status)),
        ("final URL", page.final_url),
        ("time", f"{page.elapsed * 1000:.0f} ms"),
        ("bytes", f"{len(page.body):,}{decoded}"),
        ("conditional", _conditional(page, sent)),
    ]
    rows += [(name, page.headers[name]) for name in NOTABLE_HEADERS if name in page.headers]
    return [f"GET {page.url}"] + [f"  {name:<16}{value}" for name, value in rows]


def _status(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _conditional(page: Page, sent: Validators | None) -> str:
    if sent is None or not (sent.etag or sent.last_modified):
        return "not conditional (no validators sent)"
    if page.conditional_hit:
        return "hit: 304 Not Modified, nothing downloaded"
    if page.not_modified:
        return "miss, but the body is byte-identical to the last one"
    return "miss: the server sent a full answer"
