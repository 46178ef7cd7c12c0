"""``monitor run``: the daemon, in the foreground."""

from __future__ import annotations

import argparse
from typing import Any

from monitor.commands.options import add_config_option, run_async


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="Run the daemon in the foreground.")
    add_config_option(run)
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from monitor.config import load_config
    from monitor.logging import configure_logging
    from monitor.service import run_daemon

    settings = load_config(args.config)
    configure_logging(
        level=args.log_level or settings.logging.level,
        fmt=args.log_format or settings.logging.format,
    )
    return run_async(run_daemon(settings, args.config))
