"""The scriptable face: the same services as the window, with JSON output.

Each command module (read, …) registers its commands on a shared `Registry` and keeps
its heavy imports inside the handlers. Errors are one line on stderr and a non-zero
exit, never a traceback for bad input.

Importing this package loads `os` and `sys` only (argparse, `cli.common` and the
command modules come with the first parser): `report hours`, `report earnings` and
`track diary` are often answered by cli/lean.py from a light scan of the command line,
without any of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse
    from types import ModuleType

    from freelancer_desk.cli.common import Parser

DEBUG_ENV = "FREELANCER_DESK_DEBUG"

# The modules (in freelancer_desk.cli) that add commands; each has register(Registry).
# Imported when the parser is built: a lean command imports only its own module.
COMMAND_MODULES = (
    "read",
    "maintenance",
    "settings",
    "desktop",
    "track",
    "money",
    "upwork",
    "transfer",
    "fiverr",
)
# Commands that cli/lean.py may answer with sqlite3 alone, and the module defining each.
LEAN_COMMANDS = {
    ("report", "hours"): "money",
    ("report", "earnings"): "money",
    ("track", "diary"): "track",
}
_GLOBAL_WITH_VALUE = ("--data-dir", "--db-url", "--screenshot")


def __getattr__(name: str) -> Any:
    """`cli.EXIT_USAGE`, `cli.CliError`, …: cli.common's names, loaded on first use."""
    if name in ("EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "CliError"):
        from freelancer_desk.cli import common

        return getattr(common, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def command_modules(names: Sequence[str] = COMMAND_MODULES) -> list[ModuleType]:
    import importlib

    return [importlib.import_module(f"freelancer_desk.cli.{name}") for name in names]


def build_parser(
    only: tuple[str, str] | None = None,
    parser_class: type[Parser] | None = None,
    *,
    commands: bool = True,
) -> argparse.ArgumentParser:
    """The whole command line, or (`only`) the global options and that one command:
    what the lean path parses with, ten times cheaper to build; without `commands`,
    the global options alone (the window's)."""
    from freelancer_desk import __version__
    from freelancer_desk.cli.common import Parser, Registry

    parser_class = parser_class or Parser
    parser = parser_class(
        prog="freelancer-desk",
        description="Local-first workstation for freelancers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"freelancer-desk {__version__}")
    parser.add_argument("--data-dir", help="workspace folder (env FREELANCER_DESK_DATA_DIR)")
    parser.add_argument("--db-url", help="database URL (env FREELANCER_DESK_DB_URL)")
    parser.add_argument(
        "--screenshot", metavar="DIR", help="render every area to DIR/<area>.png and exit"
    )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    registry = Registry(sub, only=only)
    for module in command_modules([LEAN_COMMANDS[only]] if only else COMMAND_MODULES):
        module.register(registry)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def window_args(argv: Sequence[str]) -> argparse.Namespace | None:
    """The window's arguments when `argv` holds global options only (no command, no
    help or version): parsed without building every command's parser, ~0.1 s of the
    window's start. None: the whole parser decides (it also words every usage error)."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _GLOBAL_WITH_VALUE and i + 1 < len(argv):
            i += 2
        elif any(token.startswith(f"{name}=") for name in _GLOBAL_WITH_VALUE):
            i += 1
        else:
            return None
    return build_parser(commands=False).parse_args(list(argv))


def fail(message: str, code: int | None = None) -> int:
    """One line on stderr; the exit code (cli.common.EXIT_ERROR unless given)."""
    if code is None:
        from freelancer_desk.cli.common import EXIT_ERROR

        code = EXIT_ERROR
    text = message.strip()
    first = text.splitlines()[0] if text else "unknown error"
    sys.stderr.write(f"freelancer-desk: {first}\n")
    return code


def lean_command(argv: Sequence[str]) -> tuple[str, str] | None:
    """(noun, verb) when `argv` names a command the lean path may answer; a cheap scan
    (the lean parser then parses it properly, and anything it does not take goes to the
    whole parser)."""
    if any(token in ("-h", "--help", "--version") for token in argv):
        return None
    words: list[str] = []
    skip = False
    for token in argv:
        if skip:
            skip = False
        elif token in _GLOBAL_WITH_VALUE:
            skip = True
        elif not token.startswith("-"):
            words.append(token)
            if len(words) == 2:
                break
        elif not words and "=" not in token:
            return None  # an option before the command that this scan does not know
    key = (words[0], words[1]) if len(words) == 2 else None
    return key if key in LEAN_COMMANDS else None


def answer_lean(argv: Sequence[str]) -> int | None:
    """The exit code when cli/lean.py answered `argv` (sqlite3 only: no SQLAlchemy, no
    app), None when the normal path must run it. The command line is read by
    `lean.quick_args` when it can (no argparse), else by a parser of that one command;
    either way the lean path is tried once."""
    from freelancer_desk.cli import lean

    if lean.off():
        return None
    args: Any = lean.quick_args(argv)
    if args is None:
        only = lean_command(argv)
        if only is None:
            return None
        from freelancer_desk.cli.common import CliError, QuietParser

        try:
            args = build_parser(only, QuietParser).parse_args(list(argv))
        except CliError:
            return None  # a usage error: the whole parser says it
    return lean.answer(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every expected failure becomes one line on stderr."""
    # Imported here, not at the top: `--help` and usage errors stay instant.
    import traceback

    from sqlalchemy.exc import SQLAlchemyError

    from freelancer_desk.cli.common import CliError
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
    argv = list(sys.argv[1:] if argv is None else argv)
    answered = answer_lean(argv)
    if answered is not None:
        return answered
    args = parse_args(argv)
    if args.command is None:
        from freelancer_desk.cli.common import EXIT_USAGE

        return fail("no command given (see --help)", EXIT_USAGE)
    return run(args)


__all__ = ["EXIT_USAGE", "answer_lean", "build_parser", "main", "parse_args", "run"]
