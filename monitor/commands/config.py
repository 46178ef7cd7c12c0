"""``monitor check-config`` and ``monitor config-schema``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from monitor.config import DEFAULT_CONFIG_PATH, config_json_schema, load_config
from monitor.errors import ConfigError

EXIT_INVALID = 2


def register(subparsers: Any) -> None:
    check = subparsers.add_parser("check-config", help="validate a configuration file")
    check.add_argument("path", nargs="?", default=str(DEFAULT_CONFIG_PATH))
    check.set_defaults(handler=check_config)
    schema = subparsers.add_parser("config-schema", help="print the JSON Schema of the config")
    schema.set_defaults(handler=print_schema)


def check_config(args: argparse.Namespace) -> int:
    try:
        settings = load_config(args.path)
    except ConfigError as exc:
        count = len(exc.problems)
        print(f"{args.path}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        for line in exc.problems:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    print(f"{args.path}: OK: {settings.summary()}")
    return 0


def print_schema(_args: argparse.Namespace) -> int:
    print(json.dumps(config_json_schema(), indent=2))
    return 0
