"""``monitor sources import FILE.opml`` and ``monitor sources export``: OPML in and out.

Import prints the YAML ``sources:`` entries for the feeds of an OPML file (to review and paste
into the configuration; nothing is written); export writes the configured feeds as OPML, for
any feed reader.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import ConfigError, MonitorError

if TYPE_CHECKING:
    from monitor.sources.opml import OpmlImport


def register(sources: argparse.ArgumentParser) -> None:
    """Add ``import`` and ``export`` under the ``sources`` command."""
    actions = sources.add_subparsers(dest="sources_action", metavar="ACTION")
    reader = actions.add_parser(
        "import", help="Print YAML sources for the feeds of an OPML file (writes nothing)."
    )
    reader.add_argument("file", help="The OPML file (what feed readers export).")
    _config_option(reader)
    reader.set_defaults(handler=import_command)
    writer = actions.add_parser("export", help="Write the configured feeds as OPML.")
    writer.add_argument("--output", "-o", help="The file to write (default: standard output).")
    _config_option(writer)
    writer.set_defaults(handler=export_command)


def _config_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: "monitor sources --config X import F" keeps X (the parent's option).
    parser.add_argument("--config", "-c", default=argparse.SUPPRESS, help="The configuration file.")


def import_command(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise MonitorError(f"cannot read {path}: {exc.strerror or exc}") from None
    from monitor.sources.opml import read_opml

    imported = read_opml(content, str(path), _configured_names(args.config))
    for reason in imported.skipped:
        print(f"{path}: skipped {reason}", file=sys.stderr)
    if not imported.feeds:
        raise MonitorError(f"{path}: no feed (an outline with an http(s) xmlUrl) in this file")
    sys.stdout.write(sources_yaml(imported, str(path)))
    return 0


def _configured_names(config: str) -> set[str]:
    """Names already taken by the configuration (if there is a readable one)."""
    if not Path(config).is_file():
        return set()
    try:
        from monitor.config import load_config

        return {source.name for source in load_config(config).sources}
    except ConfigError:
        print(f"{config} has problems; names are not checked against it", file=sys.stderr)
        return set()


def sources_yaml(imported: OpmlImport, filename: str) -> str:
    """The ``sources:`` YAML for the imported feeds, titles and folders as comments."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entries = CommentedSeq()
    for feed in imported.feeds:
        entry = CommentedMap(name=feed.name, type="feed", url=feed.url)
        note = " · ".join(part for part in (feed.category, feed.title) if part)
        if note:
            entry.yaml_add_eol_comment(note, "name")
        entries.append(entry)
    document = CommentedMap(sources=entries)
    document.yaml_set_start_comment(
        f"{len(imported.feeds)} feeds from {filename}; add them under sources: "
        "in your configuration"
    )
    yaml = YAML()
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def export_command(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.sources.opml import OpmlFeed, write_opml

    settings = load_config(args.config)
    feeds = [
        OpmlFeed(name=source.name, url=source.url, title=source.name)
        for source in settings.sources
        if source.type == "feed"
    ]
    others = len(settings.sources) - len(feeds)
    if others:
        print(f"{others} sources that are not feeds are left out of the OPML", file=sys.stderr)
    document = write_opml(feeds, f"monitor sources ({args.config})", datetime.now(UTC))
    if args.output:
        Path(args.output).write_bytes(document)
        print(f"wrote {len(feeds)} feeds to {args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(document)
        sys.stdout.flush()
    return 0
