"""``monitor check-config`` and ``monitor config-schema``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.commands.options import add_config_option
from monitor.errors import ConfigError

EXIT_INVALID = 2


def register(subparsers: Any) -> None:
    check = subparsers.add_parser("check-config", help="Validate a configuration file.")
    add_config_option(check)
    check.add_argument(
        "path", nargs="?", help="The configuration file (the same as --config, kept for habit)."
    )
    check.set_defaults(handler=check_config, logs=False)
    schema = subparsers.add_parser(
        "config-schema", help="Print the JSON Schema of the configuration file, for editors."
    )
    schema.set_defaults(handler=print_schema, logs=False)


def check_config(args: argparse.Namespace) -> int:
    from monitor.config import load_config

    path = args.path or args.config
    try:
        settings = load_config(path)
    except ConfigError as exc:
        count = len(exc.problems)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    print(f"{path}: OK: {settings.summary()}")
    return 0


def print_schema(_args: argparse.Namespace) -> int:
    from monitor.config import config_json_schema

    print(json.dumps(config_json_schema(), indent=2))
    return 0
