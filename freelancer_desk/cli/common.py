"""What every command module shares: errors, exit codes and output.

Command modules import only the standard library (and this module) at the top, and
everything else inside their handlers, so `freelancer-desk X` loads only what X needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NoReturn, cast

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.services.listing import Column, Row

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """Bad input found by the CLI itself; the message is the one line printed."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


class QuietParser(Parser):
    """The lean path's parser: a usage error raises CliError, printing nothing (the whole
    parser then parses the line again and says what is wrong)."""

    def error(self, message: str) -> NoReturn:
        raise CliError(message)


class _Ignored:
    """Stands for the parser of a command left out of a one-command parser: takes every
    call a command module makes and keeps nothing."""

    def __getattr__(self, name: str) -> Callable[..., _Ignored]:
        return lambda *args, **kwargs: self


class Registry:
    """Hands out the parser of each top-level command once, so several modules can add
    verbs to the same noun (`gig list` in one module, `gig activate` in another).
    With `only` = (noun, verb) every other command is ignored (the lean path's parser)."""

    def __init__(
        self, sub: argparse._SubParsersAction[Parser], only: tuple[str, str] | None = None
    ) -> None:
        self._sub = sub
        self._only = only
        self._commands: dict[str, argparse.ArgumentParser] = {}
        self._verbs: dict[str, argparse._SubParsersAction[Parser]] = {}

    def command(self, name: str, help: str) -> argparse.ArgumentParser:
        """A top-level command without verbs (`demo`, `check`)."""
        if self._only is not None and name != self._only[0]:
            return cast(argparse.ArgumentParser, _Ignored())
        if name not in self._commands:
            self._commands[name] = self._sub.add_parser(name, help=help)
        return self._commands[name]

    def verb(self, noun: str, verb: str, help: str, *, noun_help: str | None = None) -> Parser:
        """`noun verb …`, e.g. verb("milestone", "fund", …)."""
        if self._only is not None and (noun, verb) != self._only:
            return cast(Parser, _Ignored())
        if noun not in self._verbs:
            parent = self.command(noun, noun_help or f"{noun} commands")
            self._verbs[noun] = parent.add_subparsers(
                dest="verb", metavar="VERB", required=True, parser_class=Parser
            )
        return self._verbs[noun].add_parser(verb, help=help)


def handler(fn: Handler, *, creates: bool = False) -> dict[str, Any]:
    """set_defaults(**handler(cmd)): `creates` lets the command make a new workspace;
    every other command refuses to run where there is none."""
    return {"handler": fn, "creates": creates}


def open_app(args: argparse.Namespace) -> App:
    """The application for this command line (imported here: only commands that need
    the workspace pay for loading it)."""
    from freelancer_desk.app import App, resolve_location

    location = resolve_location(args.data_dir, args.db_url)
    app = App.open(location, create=bool(getattr(args, "creates", False)))
    try:
        for recovered in app.recover_orphans():
            sys.stderr.write(f"freelancer-desk: note: {recovered.message}\n")
    except Exception:
        app.close()
        raise
    return app


def with_app(fn: Callable[[App, argparse.Namespace], int]) -> Handler:
    """A handler that opens the workspace, runs `fn`, and closes it."""

    def run(args: argparse.Namespace) -> int:
        app = open_app(args)
        try:
            return fn(app, args)
        finally:
            app.close()

    run.__name__ = fn.__name__
    return run


# -- output ---------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    to_json = getattr(value, "to_json", None)
    if callable(to_json):
        return jsonable(to_json())
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if hasattr(value, "hex") and type(value).__name__ == "UUID":
        return str(value)
    return value


def print_json(data: Any) -> None:
    json.dump(jsonable(data), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def format_cell(value: object, kind: str) -> str:
    if value is None:
        return ""
    if kind == "duration" and isinstance(value, int | float):
        minutes = int(value) // 60
        return f"{minutes // 60}:{minutes % 60:02d}"
    if kind == "span" and isinstance(value, int | float):
        from freelancer_desk.domain.clock import span_words

        return span_words(int(value))
    if kind == "percent" and isinstance(value, int):
        return f"{value / 100:g}%"
    if kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if kind == "bool":
        return "yes" if value else ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 48 else text[:47] + "…"


def print_table(columns: Sequence[Column], rows: Sequence[Row]) -> None:
    header = ["id", *[c.title for c in columns]]
    body = [[str(r["id"])[:8], *[format_cell(r.get(c.key), c.kind) for c in columns]] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        sys.stdout.write("\n")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
