"""The scriptable face: the same services as the window, with JSON output.

`freelancer-desk AGGREGATE list|show …` reads every table; `demo` fills a workspace;
`check` verifies it. Errors are one line on stderr and a non-zero exit, never a
traceback for bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NoReturn

from sqlalchemy.exc import SQLAlchemyError

from freelancer_desk import __version__
from freelancer_desk.app import App, Location, resolve_location
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money, MoneyError
from freelancer_desk.services.clients import PLATFORM_CHOICES, ClientInput
from freelancer_desk.services.common import find, to_dict
from freelancer_desk.services.errors import NotFound
from freelancer_desk.services.listing import Column, ListQuery, ListSource, Row
from freelancer_desk.storage import models as m
from freelancer_desk.storage.base import Entity
from freelancer_desk.storage.errors import StorageError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
DEBUG_ENV = "FREELANCER_DESK_DEBUG"


class CliError(Exception):
    """Bad input found by the CLI itself; the message is the one line printed."""


@dataclass(frozen=True)
class Aggregate:
    """A kind of row the CLI can list and show."""

    name: str  # the command word
    source: str  # the list source key
    model: type[Entity]
    what: str  # how messages name one row
    children: tuple[str, ...] = ()


AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate("client", "clients", m.Client, "client"),
    Aggregate("gig", "gigs", m.Gig, "gig", ("packages", "extras", "faqs", "requirements")),
    Aggregate("order", "orders", m.Order, "order", ("extras", "deliveries", "revisions")),
    Aggregate("job", "job_posts", m.JobPost, "job post"),
    Aggregate("proposal", "proposals", m.Proposal, "proposal", ("milestones", "answers")),
    Aggregate("contract", "contracts", m.Contract, "contract", ("milestones",)),
    Aggregate("milestone", "milestones", m.Milestone, "milestone"),
    Aggregate("session", "sessions", m.TimeSession, "session", ("segments",)),
    Aggregate("segment", "segments", m.Segment, "segment", ("snapshot",)),
    Aggregate("ledger", "ledger", m.LedgerTransaction, "ledger transaction", ("postings",)),
    Aggregate("invoice", "invoices", m.Invoice, "invoice", ("lines",)),
    Aggregate("review", "reviews", m.Review, "review"),
    Aggregate("reminder", "reminders", m.Reminder, "reminder"),
)
BY_NAME = {a.name: a for a in AGGREGATES}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line, not a usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="freelancer-desk",
        description="Local-first workstation for freelancers. Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"freelancer-desk {__version__}")
    parser.add_argument("--data-dir", help="workspace folder (env FREELANCER_DESK_DATA_DIR)")
    parser.add_argument("--db-url", help="database URL (env FREELANCER_DESK_DB_URL)")
    parser.add_argument(
        "--screenshot", metavar="DIR", help="render every area to DIR/<area>.png and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="fill a new workspace with a believable demo")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--json", action="store_true")

    check = sub.add_parser("check", help="verify the workspace's integrity")
    check.add_argument("--json", action="store_true")

    for agg in AGGREGATES:
        p = sub.add_parser(agg.name, help=f"list and show {agg.what}s")
        verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True, parser_class=_Parser)
        lister = verbs.add_parser("list", help=f"list {agg.what}s")
        lister.add_argument("--json", action="store_true", help="print JSON")
        lister.add_argument("--search", default="", help="free-text filter")
        lister.add_argument(
            "--where",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="exact filter, e.g. state=funded (repeatable)",
        )
        lister.add_argument("--sort", help="column key to sort by")
        lister.add_argument("--desc", action="store_true", help="sort descending")
        lister.add_argument("--limit", type=int, default=None, help="at most N rows")
        lister.add_argument("--offset", type=int, default=0)
        shower = verbs.add_parser("show", help=f"show one {agg.what}")
        shower.add_argument("id", help="its id, or the first 4-8 digits of it")
        shower.add_argument("--json", action="store_true")
        if agg.name == "client":
            add = verbs.add_parser("add", help="add a client")
            add.add_argument("--name", required=True)
            add.add_argument("--platform", default="direct", choices=PLATFORM_CHOICES)
            add.add_argument("--company")
            add.add_argument("--country")
            add.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin")
            add.add_argument("--email")
            add.add_argument("--currency", default="USD")
            add.add_argument("--terms", type=int, dest="payment_terms_days", help="net N days")
            add.add_argument("--json", action="store_true")

    report = sub.add_parser("report", help="reports")
    kinds = report.add_subparsers(
        dest="verb", metavar="REPORT", required=True, parser_class=_Parser
    )
    earnings = kinds.add_parser("earnings", help="earnings per client: gross, fees, net, hours")
    earnings.add_argument("--json", action="store_true")
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


# -- output ---------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def print_json(data: Any) -> None:
    json.dump(jsonable(data), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _cell(value: object, column: Column) -> str:
    if value is None:
        return ""
    if column.kind == "duration" and isinstance(value, int | float):
        minutes = int(value) // 60
        return f"{minutes // 60}:{minutes % 60:02d}"
    if column.kind == "percent" and isinstance(value, int):
        return f"{value / 100:g}%"
    if column.kind == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if column.kind == "bool":
        return "yes" if value else ""
    text = str(value).replace("\n", " ")
    return text if len(text) <= 48 else text[:47] + "…"


def print_table(columns: Sequence[Column], rows: Sequence[Row]) -> None:
    header = ["id", *[c.title for c in columns]]
    body = [[str(r["id"])[:8], *[_cell(r.get(c.key), c) for c in columns]] for r in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, *body]:
        sys.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))
        sys.stdout.write("\n")


# -- commands -------------------------------------------------------------------------


def _query(source: ListSource, args: argparse.Namespace) -> ListQuery:
    filters: dict[str, str] = {}
    for item in args.where:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"--where {item!r}: write it as KEY=VALUE")
        filters[key.strip()] = value.strip()
    keys = {c.key for c in source.columns}
    if args.sort is not None and args.sort not in keys:
        raise CliError(
            f"--sort {args.sort!r}: {source.key} sorts by one of {', '.join(sorted(keys))}"
        )
    return ListQuery(text=args.search, sort=args.sort, descending=args.desc, filters=filters)


def list_rows(source: ListSource, query: ListQuery, offset: int, limit: int | None) -> list[Row]:
    """Rows page by page, so even an export of every row never holds one huge query."""
    if offset < 0 or (limit is not None and limit < 0):
        raise CliError("--offset and --limit must not be negative")
    rows: list[Row] = []
    page = 500
    while limit is None or len(rows) < limit:
        want = page if limit is None else min(page, limit - len(rows))
        batch = source.fetch(query, offset + len(rows), want)
        rows.extend(batch)
        if len(batch) < want:
            break
    return rows


def cmd_list(app: App, agg: Aggregate, args: argparse.Namespace) -> int:
    source = app.sources[agg.source]
    try:
        query = _query(source, args)
        rows = list_rows(source, query, args.offset, args.limit)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(rows)
    else:
        print_table(source.columns, rows)
    return EXIT_OK


def cmd_show(app: App, agg: Aggregate, args: argparse.Namespace) -> int:
    with app.db.read() as session:
        data = to_dict(find(session, agg.model, args.id, what=agg.what), children=agg.children)
    if args.json:
        print_json(data)
    else:
        width = max(len(k) for k in data)
        for key, value in data.items():
            if isinstance(value, list):
                value = f"{len(value)} item(s)" if value else ""
            sys.stdout.write(f"{key.ljust(width)}  {'' if value is None else value}\n")
    return EXIT_OK


def cmd_client_add(app: App, args: argparse.Namespace) -> int:
    created = app.clients.create(
        ClientInput(
            name=args.name,
            platform=args.platform,
            company=args.company,
            country=args.country,
            timezone=args.timezone,
            email=args.email,
            currency=args.currency,
            payment_terms_days=args.payment_terms_days,
        )
    )
    if args.json:
        print_json(created)
    else:
        sys.stdout.write(f"added client {created['name']} ({created['id'][:8]})\n")
    return EXIT_OK


def cmd_demo(app: App, args: argparse.Namespace) -> int:
    summary = app.create_demo(seed=args.seed)
    if args.json:
        print_json(summary.to_json())
    else:
        sys.stdout.write(f"demo workspace created in {app.location.data_dir}: {summary}\n")
    return EXIT_OK


def cmd_check(app: App, args: argparse.Namespace) -> int:
    report = app.check()
    if args.json:
        print_json({"ok": report.ok, "problems": list(report.problems), "checked": report.checked})
    elif report.ok:
        sys.stdout.write(
            "workspace ok: " + ", ".join(f"{n} {k}" for k, n in report.checked.items()) + "\n"
        )
    else:
        for problem in report.problems:
            sys.stdout.write(f"problem: {problem}\n")
    return EXIT_OK if report.ok else EXIT_ERROR


def cmd_report(app: App, args: argparse.Namespace) -> int:
    source = app.sources["earnings_by_client"]
    rows = list_rows(source, ListQuery(), 0, None)
    if args.json:
        print_json(rows)
    else:
        print_table(source.columns, rows)
    return EXIT_OK


# Commands that only read must not create a workspace where there is none.
_CREATES = {"demo"}


def _dispatch(args: argparse.Namespace) -> int:
    location: Location = resolve_location(args.data_dir, args.db_url)
    app = App.open(location, create=args.command in _CREATES or args.verb_is_write)
    try:
        handler: Callable[[], int]
        if args.command == "demo":
            handler = lambda: cmd_demo(app, args)  # noqa: E731
        elif args.command == "check":
            handler = lambda: cmd_check(app, args)  # noqa: E731
        elif args.command == "report":
            handler = lambda: cmd_report(app, args)  # noqa: E731
        else:
            agg = BY_NAME[args.command]
            if args.verb == "list":
                handler = lambda: cmd_list(app, agg, args)  # noqa: E731
            elif args.verb == "show":
                handler = lambda: cmd_show(app, agg, args)  # noqa: E731
            else:
                handler = lambda: cmd_client_add(app, args)  # noqa: E731
        return handler()
    finally:
        app.close()


def fail(message: str, code: int = EXIT_ERROR) -> int:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    sys.stderr.write(f"freelancer-desk: {first}\n")
    return code


def run(args: argparse.Namespace) -> int:
    """Run a parsed command; every expected failure becomes one line on stderr."""
    args.verb_is_write = getattr(args, "verb", None) == "add"
    try:
        return _dispatch(args)
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
    return run(parse_args(sys.argv[1:] if argv is None else argv))
