"""``monitor replay FILE.jsonl``: run the story engine over recorded observations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError, ParseError
from monitor.track.replay import replay, topics_for


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="replay recorded observations through the story engine",
        description=(
            "Read observations (one JSON object a line: source, url, fetched_at and html, or "
            "title/text/published) and print what the engine decides for each, one JSON line."
        ),
    )
    parser.add_argument("file", type=Path, help="observations, JSON lines ('-' for stdin)")
    parser.add_argument(
        "--config", type=Path, help="configuration file: also say which topics would alert"
    )
    parser.set_defaults(handler=run_replay)


def run_replay(args: argparse.Namespace) -> int:
    if args.config is not None and not args.config.is_file():
        raise ConfigError(f"{args.config}: no such configuration file")
    topics = topics_for if args.config is not None else None
    for result in replay(_read_lines(args.file), topics=topics):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def _read_lines(path: Path) -> Iterator[dict[str, Any]]:
    try:
        stream = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"{path}: {exc.strerror}") from exc
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            if not isinstance(value, dict):
                raise ParseError(f"{path}:{number}: expected a JSON object")
            yield value
