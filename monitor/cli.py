"""The ``monitor`` command line: parses arguments, sets up logging, runs one command.

Each command lives in ``monitor/commands/<area>.py`` and exposes ``register(subparsers)``,
which adds its parsers with ``set_defaults(handler=...)``; a handler takes the parsed
arguments and returns the exit code. A ``MonitorError`` becomes one clear line on stderr and
exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from monitor import __version__
from monitor.errors import MonitorError

COMMAND_MODULES = (
    "monitor.commands.config",
    "monitor.commands.run",
    "monitor.commands.sources",
    "monitor.commands.extract",
    "monitor.commands.feed",
    "monitor.commands.fetch",
    "monitor.commands.track",
    "monitor.commands.alerts",
    "monitor.commands.daemon",
)
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="monitor", description="Watch news sources; get a webhook when a story develops."
    )
    parser.add_argument("--version", action="version", version=f"monitor {__version__}")
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="default: logging.level of the config, else info",
    )
    parser.add_argument(
        "--log-format",
        choices=["auto", "json", "console"],
        help="auto (the default): JSON lines unless stderr is a terminal",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from monitor.logging import configure_logging

    configure_logging(level=args.log_level or "info", fmt=args.log_format or "auto")
    try:
        code: int = args.handler(args)
    except MonitorError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
