"""Reading the workspace: `NOUN list`, `NOUN show`, `demo`, `check`, `client add`,
`client edit`, `client archive` (`report earnings` lives in cli/money.py with the other reports)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from freelancer_desk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    CliError,
    Registry,
    handler,
    print_json,
    print_table,
    say,
    with_app,
)

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.services.listing import ListQuery, ListSource, Row

PLATFORMS = ("upwork", "fiverr", "direct")


@dataclass(frozen=True)
class Aggregate:
    """A kind of row the CLI can list and show."""

    name: str  # the command word
    source: str  # the list source key
    model: str  # the storage model's class name
    what: str  # how messages name one row
    children: tuple[str, ...] = ()


AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate("client", "clients", "Client", "client"),
    Aggregate("gig", "gigs", "Gig", "gig", ("packages", "extras", "faqs", "requirements")),
    Aggregate("order", "orders", "Order", "order", ("extras", "deliveries", "revisions")),
    Aggregate("job", "job_posts", "JobPost", "job post"),
    Aggregate("proposal", "proposals", "Proposal", "proposal", ("milestones", "answers")),
    Aggregate("contract", "contracts", "Contract", "contract", ("milestones",)),
    Aggregate("milestone", "milestones", "Milestone", "milestone"),
    Aggregate("session", "sessions", "TimeSession", "session", ("segments",)),
    Aggregate("segment", "segments", "Segment", "segment", ("snapshot",)),
    Aggregate("ledger", "ledger", "LedgerTransaction", "ledger transaction", ("postings",)),
    Aggregate("invoice", "invoices", "Invoice", "invoice", ("lines",)),
    Aggregate("review", "reviews", "Review", "review"),
    Aggregate("reminder", "reminders", "Reminder", "reminder"),
)


def register(reg: Registry) -> None:
    demo = reg.command("demo", "fill a new workspace with a believable demo")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--json", action="store_true")
    demo.set_defaults(**handler(with_app(cmd_demo), creates=True))

    check = reg.command("check", "verify the workspace's integrity")
    check.add_argument("--json", action="store_true")
    check.set_defaults(**handler(with_app(cmd_check)))

    for agg in AGGREGATES:
        help_ = f"{agg.what}s"
        lister = reg.verb(agg.name, "list", f"list {agg.what}s", noun_help=help_)
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
        lister.set_defaults(aggregate=agg, **handler(with_app(cmd_list)))
        shower = reg.verb(agg.name, "show", f"show one {agg.what}")
        shower.add_argument("id", help="its id, or the first 4-8 digits of it")
        shower.add_argument("--json", action="store_true")
        shower.set_defaults(aggregate=agg, **handler(with_app(cmd_show)))

    add = reg.verb("client", "add", "add a client")
    add.add_argument("--name", required=True)
    add.add_argument("--platform", default="direct", choices=PLATFORMS)
    add.add_argument("--company")
    add.add_argument("--country")
    add.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin")
    add.add_argument("--email")
    add.add_argument("--currency", default="USD")
    add.add_argument("--terms", type=int, dest="payment_terms_days", help="net N days")
    add.add_argument("--json", action="store_true")
    add.set_defaults(**handler(with_app(cmd_client_add), creates=True))

    edit = reg.verb("client", "edit", "change a client's fields (only those given)")
    edit.add_argument("id", help="its id, or the first 4-8 digits of it")
    edit.add_argument("--name")
    edit.add_argument("--platform", choices=PLATFORMS, help="while no contract or order holds it")
    for option in ("company", "country", "email", "notes"):
        edit.add_argument(f"--{option}", help="'' clears it")
    edit.add_argument("--timezone", help="IANA zone, e.g. Europe/Berlin; '' clears it")
    edit.add_argument("--currency")
    edit.add_argument(
        "--terms",
        type=_terms,
        dest="payment_terms_days",
        default=_UNSET,
        help="net N days; '' clears",
    )
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(**handler(with_app(cmd_client_edit)))

    archive = reg.verb(
        "client",
        "archive",
        "archive a client (kept, and left out of a new contract's client picker)",
    )
    archive.add_argument("id", help="its id, or the first 4-8 digits of it")
    archive.add_argument("--undo", action="store_true", help="unarchive it")
    archive.add_argument("--json", action="store_true")
    archive.set_defaults(**handler(with_app(cmd_client_archive)))


_UNSET = object()  # --terms not given (None: given empty, cleared)


def _terms(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from exc


def _query(source: ListSource, args: argparse.Namespace) -> ListQuery:
    from freelancer_desk.services.listing import ListQuery

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
    """Rows page by page, so even an export of every row never runs one huge query."""
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


def cmd_list(app: App, args: argparse.Namespace) -> int:
    source = app.sources[args.aggregate.source]
    try:
        rows = list_rows(source, _query(source, args), args.offset, args.limit)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    if args.json:
        print_json(rows)
    else:
        print_table(source.columns, rows)
    return EXIT_OK


def cmd_show(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.common import find, to_dict
    from freelancer_desk.storage import models

    agg: Aggregate = args.aggregate
    if agg.name == "order":  # its deliveries with their files
        data = app.orders.get(args.id)
    else:
        model = getattr(models, agg.model)
        with app.db.read() as session:
            data = to_dict(find(session, model, args.id, what=agg.what), children=agg.children)
    if args.json:
        print_json(data)
    else:
        width = max(len(k) for k in data)
        for key, value in data.items():
            if isinstance(value, list):
                value = f"{len(value)} item(s)" if value else ""
            say(f"{key.ljust(width)}  {'' if value is None else value}")
        if agg.name == "order":
            from freelancer_desk.cli.fiverr import delivery_lines

            for line in delivery_lines(app, data["deliveries"]):
                say(line)
    return EXIT_OK


def cmd_client_add(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.clients import ClientInput

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
        say(f"added client {created['name']} ({created['id'][:8]})")
    return EXIT_OK


def cmd_client_edit(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.clients import client_input

    names = ("name", "platform", "company", "country", "timezone", "email", "currency", "notes")
    changes = {key: getattr(args, key) for key in names if getattr(args, key) is not None}
    if args.payment_terms_days is not _UNSET:
        changes["payment_terms_days"] = args.payment_terms_days
    if not changes:
        raise CliError("client edit: give at least one field to change, e.g. --name")
    client = app.clients.get(args.id)
    updated = app.clients.update(client["id"], client_input(client, **changes))
    if args.json:
        print_json(updated)
    else:
        say(f"changed client {updated['name']} ({updated['id'][:8]}): {', '.join(changes)}")
    return EXIT_OK


def cmd_client_archive(app: App, args: argparse.Namespace) -> int:
    client = app.clients.set_archived(args.id, not args.undo)
    if args.json:
        print_json(client)
    else:
        done = "unarchived" if args.undo else "archived"
        say(f"{done} client {client['name']} ({client['id'][:8]})")
    return EXIT_OK


def cmd_demo(app: App, args: argparse.Namespace) -> int:
    summary = app.create_demo(seed=args.seed)
    if args.json:
        print_json(summary.to_json())
    else:
        say(f"demo workspace created in {app.location.data_dir}: {summary}")
    return EXIT_OK


def cmd_check(app: App, args: argparse.Namespace) -> int:
    report = app.check()
    if args.json:
        print_json(report.to_json())
    elif report.ok:
        say("workspace ok: " + report.summary())
    else:
        for problem in report.problems:
            say(f"problem: {problem}")
        for note in report.notes:
            say(f"note: {note}")
    return EXIT_OK if report.ok else EXIT_ERROR
