"""The ``monitor`` command line: parses arguments, sets up logging, runs one command.

Each command lives in ``monitor/commands/<area>.py`` and exposes ``register(subparsers)``,
which adds its parsers with ``set_defaults(handler=...)``; a handler takes the parsed
arguments and returns the exit code. A ``MonitorError`` becomes one clear line on stderr and
exit code 2, never a traceback. Command modules import the heavy parts of the stack (database,
HTTP, extraction) inside their handlers, so ``--help``, ``--version`` and ``check-config``
start quickly. The global options are accepted before and after the command name.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from monitor import __version__
from monitor.commands import (
    alerts,
    config,
    daemon,
    extract,
    feed,
    fetch,
    instances,
    receive,
    run,
    track,
)
from monitor.commands.options import ENV_FILE_ENV, read_env_file
from monitor.errors import MonitorError

COMMAND_MODULES = (config, run, daemon, instances, feed, extract, fetch, track, alerts, receive)
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process ended by SIGPIPE


def add_global_options(parser: argparse.ArgumentParser, default: Any = None) -> None:
    """The options every command takes, before or after its name."""
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default=default,
        help="How much to log (default: logging.level of the config, else info).",
    )
    parser.add_argument(
        "--log-format",
        choices=["auto", "json", "console"],
        default=default,
        help="How to log: auto (the default) writes JSON lines unless stderr is a terminal.",
    )
    parser.add_argument(
        "--env-file",
        metavar="PATH",
        default=default,
        help=f"Variables to read when not already set (default: ${ENV_FILE_ENV}, else .env).",
    )


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands that take the global options too and show their help as a description."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", kwargs.get("help"))
        parser: argparse.ArgumentParser = super().add_parser(name, **kwargs)
        add_global_options(parser, default=argparse.SUPPRESS)
        return parser


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "add_help": False})
        self.register("action", "parsers", _Commands)
        self.add_argument("-h", "--help", action="help", help="Show this help and exit.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="monitor", description="Watch news sources; get a webhook when a story develops."
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"monitor {__version__}",
        help="Print the version and exit.",
    )
    add_global_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    read_env_file(args.env_file)
    if getattr(args, "logs", True):  # commands that only print (check-config) skip structlog
        from monitor.logging import configure_logging

        configure_logging(level=args.log_level or "info", fmt=args.log_format or "auto")
    try:
        code: int = args.handler(args)
    except MonitorError as exc:
        print(f"monitor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _stdout_closed()
    return code


def _stdout_closed() -> int:
    """The reader went away (``monitor … | head``): stop quietly, as a pipe's writer should.

    stdout is pointed at /dev/null so that the interpreter's last flush does not fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests capture it)
        pass
    finally:
        os.close(devnull)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
