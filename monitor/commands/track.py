"""``monitor replay FILE.jsonl``: run the story engine over recorded observations."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.errors import ParseError

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.models import Article, Development
    from monitor.track.replay import TopicMatcher


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="Replay recorded observations through the story engine.",
        description=(
            "Read observations (one JSON object a line: source, url, fetched_at and html, or "
            "title/text/published) and print what the engine decides for each, one JSON line."
        ),
    )
    parser.add_argument(
        "file", type=Path, help="The observations as JSON lines (- for standard input)."
    )
    parser.add_argument(
        "--config", type=Path, help="A configuration file, to say also which topics would alert."
    )
    parser.set_defaults(handler=run_replay)


def run_replay(args: argparse.Namespace) -> int:
    from monitor.config import TrackingConfig, load_config
    from monitor.track.replay import replay
    from monitor.track.tracker import track_config

    settings = load_config(args.config) if args.config is not None else None
    topics = topic_matcher(settings) if settings is not None else None
    # The daemon's own mapping (and defaults) from the tracking settings to the engine.
    config = track_config(settings.tracking if settings is not None else TrackingConfig())
    for result in replay(_read_lines(args.file), config, topics=topics):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 0


def topic_matcher(settings: Settings) -> TopicMatcher:
    """Which of the configuration's topics would alert on a development of ``article``."""

    from monitor.topics import matching_topics, story_text

    def names(development: Development, article: Article) -> list[str]:
        text = story_text(article)
        found = matching_topics(development, text, development.source, settings.topics)
        return [topic.name for topic in found]

    return names


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
