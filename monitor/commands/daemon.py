"""Commands around the daemon: ``once``, ``sources``, ``stories``, ``story``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from monitor.commands import opml
from monitor.commands.options import add_config_option, read_only_settings, run_async
from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.pipeline import SourceReport
    from monitor.store import Store


def register(subparsers: Any) -> None:
    once = subparsers.add_parser(
        "once", help="Check every source once, deliver the alerts, and exit."
    )
    add_config_option(once)
    once.add_argument("--json", action="store_true", help="Print the reports as JSON lines.")
    once.set_defaults(handler=once_command)

    sources = subparsers.add_parser(
        "sources",
        help="List the sources with their health, last success and next check, or import or "
        "export them as OPML.",
    )
    add_config_option(sources)
    sources.set_defaults(handler=sources_command)
    opml.register(sources)

    stories = subparsers.add_parser("stories", help="List the stories being followed.")
    add_config_option(stories)
    stories.add_argument("--topic", help="Only the stories that alerted this topic.")
    stories.add_argument(
        "--limit", type=int, default=30, help="At most this many stories (default 30)."
    )
    stories.add_argument("--json", action="store_true", help="Print the stories as JSON.")
    stories.set_defaults(handler=stories_command)

    story = subparsers.add_parser("story", help="Show one story's timeline of developments.")
    add_config_option(story)
    story.add_argument("story_id", help="The story's id, as `monitor stories` lists it.")
    story.add_argument("--json", action="store_true", help="Print the story as JSON.")
    story.set_defaults(handler=story_command)

    demo = subparsers.add_parser(
        "demo", help="Run the whole product on 127.0.0.1, with no internet needed."
    )
    demo.add_argument("--seeds", help="The seeds folder (default: seeds/ of the checkout).")
    demo.set_defaults(handler=demo_command)


# --------------------------------------------------------------------------- once


def once_command(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.service import Service

    settings = load_config(args.config)
    progress = _Progress(sys.stderr, total=sum(1 for s in settings.sources if s.enabled))
    reports = run_async(Service(settings, args.config).run_once(progress.done))
    progress.finish()
    for report in reports:
        print(json.dumps(_report_json(report)) if args.json else _report_line(report))
    failed = [report for report in reports if not report.ok]
    return 1 if failed else 0


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream, self.total, self.count = stream, total, 0
        self.enabled = stream.isatty() and total > 0

    def done(self, report: SourceReport) -> None:
        self.count += 1
        if self.enabled:
            filled = int(30 * self.count / self.total)
            bar = "#" * filled + "-" * (30 - filled)
            self.stream.write(f"\r[{bar}] {self.count}/{self.total} {report.source[:30]:<30}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")


def _report_line(report: SourceReport) -> str:
    if not report.ok:
        return f"FAIL {report.source}: {report.error}"
    if report.not_modified:
        return f"ok   {report.source}: not modified"
    parts = [
        f"{report.links} links",
        f"{report.fetched} fetched",
        f"{report.new_articles} new",
        f"{report.revisions} revised",
        f"{report.developments} developments",
        f"{report.alerts} alerts",
    ]
    if report.article_errors:
        parts.append(f"{len(report.article_errors)} page errors")
    line = f"ok   {report.source}: " + ", ".join(parts)
    if report.skipped:
        line += f"; {len(report.skipped)} skipped: {skip_reasons(report.skipped)}"
    return line


def skip_reasons(skipped: Sequence[str], shown: int = 3) -> str:
    """Why links were skipped, most common first: ``2× <reason>; 1× <reason>``.

    Each entry is ``"URL: why"`` and a refusal says ``"refused URL: reason"``; the URLs are
    left out so that links skipped for one reason count together.
    """
    counts: dict[str, int] = {}
    for entry in skipped:
        reason = entry.split(": ", 1)[-1]
        if reason.startswith("refused "):
            reason = reason.split(": ", 1)[-1]
        counts[reason] = counts.get(reason, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: -item[1])
    text = "; ".join(f"{count}× {reason}" for reason, count in ranked[:shown])
    if len(ranked) > shown:
        text += f"; {len(ranked) - shown} other reasons"
    return text


def _report_json(report: SourceReport) -> dict[str, object]:
    return dict(vars(report))


# --------------------------------------------------------------------------- tables


def _open_store(settings: Settings) -> Store:
    from monitor.store import Store

    return Store.open(settings.storage.database_url)


def sources_command(args: argparse.Namespace) -> int:
    from monitor.store.sources import list_source_states

    settings = read_only_settings(args)
    store = _open_store(settings)
    try:
        with store.session() as session:
            states = {state.name: state for state in list_source_states(session)}
    finally:
        store.close()
    rows = []
    for source in settings.sources:
        state = states.get(source.name)
        rows.append(
            [
                source.name,
                source.type,
                "disabled" if not source.enabled else (state.health.value if state else "new"),
                _ago(state.last_success_at) if state else "never",
                _when(state.next_check_at) if state else "on start",
                str(state.article_count) if state else "0",
                (state.last_error or "")[:60] if state else "",
            ]
        )
    print(
        _table(
            ["SOURCE", "TYPE", "HEALTH", "LAST SUCCESS", "NEXT CHECK", "ARTICLES", "LAST ERROR"],
            rows,
        )
    )
    return 0


def stories_command(args: argparse.Namespace) -> int:
    from monitor.store.stories import list_stories, story_ids_for_topic

    settings = read_only_settings(args)
    store = _open_store(settings)
    try:
        with store.session() as session:
            ids = story_ids_for_topic(session, args.topic) if args.topic else None
            found = list_stories(session, limit=args.limit, ids=ids)
    finally:
        store.close()
    if args.json:
        print(json.dumps([summary.to_json() for summary in found], indent=2))
        return 0
    rows = [
        [
            s.id,
            (s.title or "")[:60],
            str(s.article_count),
            str(s.development_count),
            ", ".join(s.outlets)[:40],
            _ago(s.last_seen_at),
            s.status,
        ]
        for s in found
    ]
    print(
        _table(
            ["STORY", "TITLE", "ARTICLES", "DEVELOPMENTS", "OUTLETS", "LAST SEEN", "STATUS"], rows
        )
    )
    return 0


def story_command(args: argparse.Namespace) -> int:
    from monitor.store.stories import story_detail

    settings = read_only_settings(args)
    store = _open_store(settings)
    try:
        with store.session() as session:
            detail = story_detail(session, args.story_id)
    finally:
        store.close()
    if detail is None:
        raise MonitorError(f"no story {args.story_id!r} (see `monitor stories`)")
    if args.json:
        print(json.dumps(detail.to_json(), indent=2))
        return 0
    summary = detail.summary
    print(f"{summary.title or summary.id}  [{summary.id}]")
    if summary.id != args.story_id:
        print(f"{args.story_id} was merged into this story")
    if detail.aliases:
        print(f"merged from: {', '.join(detail.aliases)}")
    print(
        f"{summary.article_count} articles from {', '.join(summary.outlets) or '-'}; "
        f"first seen {summary.first_seen_at:%Y-%m-%d %H:%M} UTC"
    )
    for entry in detail.timeline:
        print(
            f"\n{entry.occurred_at:%Y-%m-%d %H:%M}  {entry.kind:<12} "
            f"novelty {entry.novelty:.2f}  {entry.source}"
        )
        print(f"  {entry.title or entry.url}")
        for sentence in entry.details.get("new_sentences", [])[:5]:
            print(f"  + {sentence}")
        for fact in entry.details.get("changed_facts", []):
            print(f"  ~ {fact.get('before')} -> {fact.get('after')} ({fact.get('context')})")
        names = entry.details.get("new_entities", [])
        if names:
            print(f"  new names: {', '.join(names)}")
    return 0


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(lines)


def _ago(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if abs(seconds) >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    seconds = int((moment - datetime.now(UTC)).total_seconds())
    if seconds <= 0:
        return "due"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"in {seconds // size}{unit}"
    return f"in {seconds}s"


def demo_command(args: argparse.Namespace) -> int:
    from pathlib import Path

    from monitor.demo.runner import default_seeds_dir, run_demo

    seeds = Path(args.seeds) if args.seeds else default_seeds_dir()
    result = run_async(run_demo(seeds, printer=lambda text: print(text, flush=True)))
    return 0 if result.received and not result.rejected else 1
