"""``monitor extract URL|FILE [--url URL] [--json]``: show what extraction makes of one page.

For trying a source before adding it: prints the metadata and the paragraphs the diff engine
would compare, or the whole ``Article`` as JSON.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap
from collections.abc import Callable, Coroutine
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.commands.options import run_async
from monitor.errors import ParseError

if TYPE_CHECKING:
    from monitor.models import Article, Page

_WIDTH = 100


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "extract",
        help="Fetch a URL (or read a saved HTML file) and print the extracted article.",
    )
    parser.add_argument("target", metavar="URL|FILE", help="An http(s) URL or a path to HTML.")
    parser.add_argument("--url", help="The page's URL when TARGET is a file (for canonical URLs).")
    parser.add_argument("--json", action="store_true", help="Print the article as JSON.")
    parser.set_defaults(handler=run_extract)


def run_extract(args: argparse.Namespace) -> int:
    from monitor.extract import extract_article

    html, url = _load(args.target, args.url)
    article = extract_article(html, url)
    output = format_json(article) if args.json else format_text(article)
    sys.stdout.write(output + "\n")
    return 0


def _load(target: str, url: str | None) -> tuple[bytes, str]:
    """The page bytes and its URL, fetched over HTTP or read from a file."""
    if target.startswith(("http://", "https://")):
        return _fetch(target)
    path = Path(target)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"{target}: cannot read file: {exc.strerror or exc}") from exc
    return body, url or path.resolve().as_uri()


def _fetch(url: str) -> tuple[bytes, str]:
    """Fetch ``url`` once through the fetch edge (imported lazily: files need no HTTP stack)."""
    fetch_url_once: Callable[[str], Coroutine[Any, Any, Page]] = importlib.import_module(
        "monitor.fetch"
    ).fetch_url_once
    page = run_async(fetch_url_once(url))
    return page.body, page.final_url


def format_json(article: Article) -> str:
    data = asdict(article)
    data["body"] = article.body
    return json.dumps(data, default=_json_value, ensure_ascii=False, indent=2)


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def format_text(article: Article) -> str:
    """The article as a person reads it: metadata lines, then wrapped paragraphs."""
    fields = [
        ("Title", article.title),
        ("URL", article.canonical_url),
        ("Authors", ", ".join(article.authors) or None),
        ("Published", article.published.isoformat() if article.published else None),
        ("Modified", article.modified.isoformat() if article.modified else None),
        ("Language", article.language),
        ("Section", article.section),
        ("Description", article.description),
        ("Keywords", ", ".join(article.keywords) or None),
        ("Is article", "yes" if article.is_article else "no"),
        ("Paragraphs", str(len(article.paragraphs))),
    ]
    lines = [f"{name + ':':<13}{value}" for name, value in fields if value]
    lines.extend(f"{'Warning:':<13}{warning}" for warning in article.warnings)
    lines.append("")
    for paragraph in article.paragraphs:
        lines.append(textwrap.fill(paragraph, width=_WIDTH))
        lines.append("")
    return "\n".join(lines).rstrip()
