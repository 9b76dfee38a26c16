"""The scriptable face: the same services as the window, with JSON output.

Errors are one line on stderr and a non-zero exit, never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from freelancer_desk import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="freelancer-desk",
        description="Local-first workstation for freelancers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"freelancer-desk {__version__}")
    parser.add_argument("--data-dir", help="workspace folder (env FREELANCER_DESK_DATA_DIR)")
    parser.add_argument("--db-url", help="database URL (env FREELANCER_DESK_DB_URL)")
    parser.add_argument(
        "--screenshot", metavar="DIR", help="render every area to DIR/<area>.png and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("version", help="print the version")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def emit(data: Any, as_json: bool) -> None:
    if as_json:
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(f"{data}\n")


def run(args: argparse.Namespace) -> int:
    if args.command == "version":
        emit(__version__, False)
        return 0
    print(f"freelancer-desk: unknown command {args.command!r}", file=sys.stderr)
    return 2
