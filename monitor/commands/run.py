"""``monitor run``: the daemon, in the foreground."""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from monitor.config import DEFAULT_CONFIG_PATH, load_config
from monitor.logging import configure_logging

CONFIG_ENV = "MONITOR_CONFIG"


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        "-c",
        default=os.environ.get(CONFIG_ENV, str(DEFAULT_CONFIG_PATH)),
        help=f"configuration file (default: ${CONFIG_ENV} or {DEFAULT_CONFIG_PATH})",
    )


def register(subparsers: Any) -> None:
    run = subparsers.add_parser("run", help="run the daemon in the foreground")
    add_config_option(run)
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from monitor.service import run_daemon

    settings = load_config(args.config)
    configure_logging(
        level=args.log_level or settings.logging.level,
        fmt=args.log_format or settings.logging.format,
    )
    return asyncio.run(run_daemon(settings, args.config))
