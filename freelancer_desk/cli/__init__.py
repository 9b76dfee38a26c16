"""The scriptable face: the same services as the window, with JSON output.

Each command module (read, …) registers its commands on a shared `Registry` and keeps
its heavy imports inside the handlers. Errors are one line on stderr and a non-zero
exit, never a traceback for bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from freelancer_desk import __version__
from freelancer_desk.cli import (
    desktop,
    fiverr,
    maintenance,
    money,
    read,
    settings,
    track,
    transfer,
    upwork,
)
from freelancer_desk.cli.common import EXIT_ERROR, EXIT_USAGE, CliError, Parser, Registry

DEBUG_ENV = "FREELANCER_DESK_DEBUG"

# The modules that add commands; each has register(Registry).
COMMAND_MODULES = (read, maintenance, settings, desktop, track, money, upwork, transfer, fiverr)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="freelancer-desk",
        description="Local-first workstation for freelancers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"freelancer-desk {__version__}")
    parser.add_argument("--data-dir", help="workspace folder (env FREELANCER_DESK_DATA_DIR)")
    parser.add_argument("--db-url", help="database URL (env FREELANCER_DESK_DB_URL)")
    parser.add_argument(
        "--screenshot", metavar="DIR", help="render every area to DIR/<area>.png and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    registry = Registry(sub)
    for module in COMMAND_MODULES:
        module.register(registry)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def fail(message: str, code: int = EXIT_ERROR) -> int:
    text = message.strip()
    first = text.splitlines()[0] if text else "unknown error"
    sys.stderr.write(f"freelancer-desk: {first}\n")
    return code


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every expected failure becomes one line on stderr."""
    # Imported here, not at the top: `--help` and usage errors stay instant.
    from sqlalchemy.exc import SQLAlchemyError

    from freelancer_desk.domain.errors import RuleError
    from freelancer_desk.domain.money import MoneyError
    from freelancer_desk.services.errors import NotFound
    from freelancer_desk.storage.errors import StorageError

    try:
        return int(args.handler(args))
    except (RuleError, NotFound, StorageError, MoneyError, CliError) as exc:
        return fail(str(exc))
    except SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        return fail(f"database error: {detail}")
    except OSError as exc:
        return fail(f"{exc.filename or ''} {exc.strerror or exc}".strip())
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except Exception as exc:  # a bug, not bad input: one line, details on request
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        return fail(f"internal error: {exc!r} (set {DEBUG_ENV}=1 for details); please report it")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        return fail("no command given (see --help)", EXIT_USAGE)
    return run(args)


__all__ = ["EXIT_USAGE", "build_parser", "main", "parse_args", "run"]
