"""Money from the command line: `ledger balances|calendar|pending|clear`, `report
earnings|hours|proposals|gigs` (JSON or CSV), `invoice create|issue|paid|void|pdf`,
`timesheet pdf`, `rate set`, `bill weeks`."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from freelancer_desk.cli.common import (
    EXIT_OK,
    CliError,
    Registry,
    handler,
    print_json,
    say,
    with_app,
)
from freelancer_desk.cli.text import NOTHING_IN_PERIOD, earnings_lines, hours_lines

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.services.reports import ReportService

PLATFORMS = ("upwork", "fiverr", "direct")
GROUPS = ("client", "platform", "month", "year")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _output(parser: argparse.ArgumentParser, csv_too: bool = True) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="print JSON")
    if csv_too:
        group.add_argument("--csv", action="store_true", help="print CSV")


def _period(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", type=_date, help="first day (UTC)")
    parser.add_argument("--to", dest="end", type=_date, help="last day, included (UTC)")


def _bounds(app: App, args: argparse.Namespace) -> tuple[datetime, datetime]:
    """[--from 00:00, day after --to 00:00) in UTC; all time when not given."""
    start = args.start or date(2000, 1, 1)
    end = args.end or app.clock.now().date()
    if end < start:
        raise CliError("--to is before --from")
    return _instant(start), _instant(end + timedelta(days=1))


def reports_of(app: App) -> ReportService:
    """The app's report service (`app.reports` once the app composes it)."""
    found = getattr(app, "reports", None)
    if found is not None:
        return found  # type: ignore[no-any-return]
    from freelancer_desk.services.reports import ReportService

    return ReportService(app.db, app.clock, app.ledger)


def write_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


def _print_rows(args: argparse.Namespace, rows: Sequence[Any], text: Sequence[str]) -> None:
    """JSON, CSV, or `text` (one line per row) for report rows with to_json/csv_row."""
    if args.json:
        print_json([row.to_json() for row in rows])
    elif getattr(args, "csv", False):
        header = type(rows[0]).csv_header() if rows else []
        write_csv(header, [row.csv_row() for row in rows])
    else:
        for line in text:
            say(line)
        if not rows:
            say(NOTHING_IN_PERIOD)


def register(reg: Registry) -> None:
    bal = reg.verb("ledger", "balances", "escrow, pending, available, withdrawn per currency")
    bal.add_argument("--as-of", type=_date, help="at the end of this day (UTC); default now")
    bal.add_argument("--client", help="a client's id")
    bal.add_argument("--platform", choices=PLATFORMS)
    _output(bal, csv_too=False)
    bal.set_defaults(**handler(with_app(cmd_balances)))

    cal = reg.verb("ledger", "calendar", "what becomes available on which day")
    cal.add_argument("--from", dest="start", type=_date, required=True)
    cal.add_argument("--to", dest="end", type=_date, required=True, help="last day, included")
    cal.add_argument("--tz", default="UTC", help="IANA zone of the days (default UTC)")
    _output(cal, csv_too=False)
    cal.set_defaults(**handler(with_app(cmd_calendar)))

    pend = reg.verb("ledger", "pending", "money still pending, with the day it clears")
    _output(pend, csv_too=False)
    pend.set_defaults(**handler(with_app(cmd_pending)))

    clear = reg.verb("ledger", "clear", "book the pending money whose day has come")
    _output(clear, csv_too=False)
    clear.set_defaults(**handler(with_app(cmd_clear)))

    earn = reg.verb("report", "earnings", "gross, fees, net, hours and net per hour")
    _period(earn)
    earn.add_argument("--by", choices=GROUPS, default="client")
    _output(earn)
    earn.set_defaults(
        lean="report earnings", **handler(with_app(cmd_earnings))
    )  # cli/lean.py first

    hours = reg.verb("report", "hours", "hours per week per contract")
    _period(hours)
    hours.add_argument("--tz", default="UTC", help="weeks start Monday 00:00 here (UTC: Upwork)")
    hours.add_argument("--contract", help="one contract's id")
    _output(hours)
    hours.set_defaults(lean="report hours", **handler(with_app(cmd_hours)))  # cli/lean.py first

    props = reg.verb("report", "proposals", "sent, viewed, interviewed, hired, win rate")
    _period(props)
    _output(props)
    props.set_defaults(**handler(with_app(cmd_proposals)))

    gigs = reg.verb("report", "gigs", "revenue, hours and real $/h per gig, package, extra")
    _period(gigs)
    _output(gigs)
    gigs.set_defaults(**handler(with_app(cmd_gigs)))

    create = reg.verb("invoice", "create", "a draft invoice for a direct client")
    create.add_argument("--client", help="the client's id (with --line)")
    create.add_argument(
        "--line", action="append", default=[], metavar="DESC|QTY|PRICE", help="repeatable"
    )
    create.add_argument("--from-time", action="store_true", help="bill a contract's time")
    create.add_argument("--contract", help="the contract's id (with --from-time)")
    _period(create)
    create.add_argument("--terms", type=int, help="net N days (default: the client's)")
    create.add_argument("--notes", default="")
    _output(create, csv_too=False)
    create.set_defaults(**handler(with_app(cmd_invoice_create)))

    for verb, help_ in (
        ("issue", "number a draft and date it"),
        ("paid", "record the client's payment"),
        ("void", "cancel a draft or an unpaid invoice"),
    ):
        p = reg.verb("invoice", verb, help_)
        p.add_argument("id")
        if verb == "issue":
            p.add_argument("--on", type=_date, help="issue day (default today)")
        if verb == "paid":
            p.add_argument("--on", type=_date, help="payment day (default now)")
            p.add_argument("--ref", help="the payment's reference (recorded once)")
        if verb == "void":
            p.add_argument("--reason", default="")
        _output(p, csv_too=False)
        p.set_defaults(action=verb, **handler(with_app(cmd_invoice_action)))

    pdf = reg.verb("invoice", "pdf", "write an invoice as PDF")
    pdf.add_argument("id")
    pdf.add_argument("--out", required=True, metavar="FILE")
    pdf.set_defaults(**handler(with_app(cmd_invoice_pdf)))

    sheet = reg.verb("timesheet", "pdf", "write a contract's week as a PDF timesheet")
    sheet.add_argument("--contract", required=True)
    sheet.add_argument("--week", type=_date, required=True, help="any day of the week")
    sheet.add_argument("--out", required=True, metavar="FILE")
    sheet.set_defaults(**handler(with_app(cmd_timesheet_pdf)))

    rate = reg.verb("rate", "set", "1 BASE = RATE QUOTE on DATE (for the dashboard's totals)")
    rate.add_argument("base")
    rate.add_argument("quote")
    rate.add_argument("on", type=_date, metavar="DATE")
    rate.add_argument("rate")
    _output(rate, csv_too=False)
    rate.set_defaults(**handler(with_app(cmd_rate_set)))

    bill = reg.verb("bill", "weeks", "bill every locked Upwork hourly week not billed yet")
    _output(bill, csv_too=False)
    bill.set_defaults(**handler(with_app(cmd_bill_weeks)))


# -- ledger -------------------------------------------------------------------------------


def cmd_balances(app: App, args: argparse.Namespace) -> int:
    as_of = _instant(args.as_of + timedelta(days=1)) if args.as_of else None
    if as_of is not None:
        as_of -= timedelta(microseconds=1)
    found = app.ledger.balances(as_of=as_of, client_id=args.client, platform=args.platform)
    if args.json:
        print_json(found)
        return EXIT_OK
    if not found:
        say("no money recorded")
    for kind in ("escrow", "pending", "available", "withdrawn", "fees", "refunds"):
        for money in found.get(kind, {}).values():
            say(f"{kind:<10} {money}")
    return EXIT_OK


def cmd_calendar(app: App, args: argparse.Namespace) -> int:
    if args.end < args.start:
        raise CliError("--to is before --from")
    days = app.ledger.calendar(args.start, args.end + timedelta(days=1), args.tz)
    if args.json:
        print_json(days)
        return EXIT_OK
    if not days:
        say("nothing becomes available in that period")
    for day in days:
        totals = ", ".join(str(m) for _c, m in sorted(day.totals.items()))
        say(f"{day.day.isoformat()}  {totals}")
        for lot in day.lots:
            say(f"    {lot.amount}  {lot.client_name or ''} · {lot.memo}")
    return EXIT_OK


def cmd_pending(app: App, args: argparse.Namespace) -> int:
    lots = app.ledger.pending_schedule()
    if args.json:
        print_json(lots)
        return EXIT_OK
    if not lots:
        say("nothing pending")
    for lot in lots:
        when = lot.available_at.date().isoformat() if lot.available_at else "no date"
        say(f"{when}  {lot.remaining}  {lot.client_name or ''} · {lot.memo}")
    return EXIT_OK


def cmd_clear(app: App, args: argparse.Namespace) -> int:
    cleared = app.ledger.clear_due()
    if args.json:
        print_json(cleared)
    else:
        say(f"cleared {len(cleared)} pending amount(s)")
    return EXIT_OK


# -- reports ------------------------------------------------------------------------------


def cmd_earnings(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.reports import earnings_csv_header, earnings_csv_row

    start, end = _bounds(app, args)
    rows = reports_of(app).earnings(start, end, args.by)
    if args.json:
        print_json([row.to_json() for row in rows])
    elif args.csv:
        write_csv(earnings_csv_header(), [earnings_csv_row(row) for row in rows])
    else:
        for line in earnings_lines(rows):
            say(line)
    return EXIT_OK


def cmd_hours(app: App, args: argparse.Namespace) -> int:
    start, end = _bounds(app, args)
    rows = reports_of(app).hours(start, end, args.tz, args.contract)
    _print_rows(args, rows, hours_lines(rows)[: len(rows)])
    return EXIT_OK


def cmd_proposals(app: App, args: argparse.Namespace) -> int:
    start, end = _bounds(app, args)
    rows = reports_of(app).proposals(start, end)
    _print_rows(
        args,
        rows,
        [
            f"{r.key:<8} sent {r.sent:>3} viewed {r.viewed:>3} interviewed {r.interviewed:>3} "
            f"hired {r.hired:>3} win "
            + (f"{r.win_rate_bp / 100:.1f}%" if r.win_rate_bp is not None else "—")
            + f"  connects {r.connects}"
            for r in rows
        ],
    )
    return EXIT_OK


def cmd_gigs(app: App, args: argparse.Namespace) -> int:
    start, end = _bounds(app, args)
    rows = reports_of(app).gigs(start, end)
    _print_rows(
        args,
        rows,
        [
            f"{'' if r.level == 'gig' else '  '}{r.label[:50]:<52} net {r.net!s:>12} "
            f"{r.tracked_seconds // 3600:>3}h "
            + (f"{r.per_hour}/h" if r.per_hour is not None else "—")
            for r in rows
        ],
    )
    return EXIT_OK


# -- invoices -----------------------------------------------------------------------------


def _line(text: str, currency: str) -> Any:
    """ "Design work|1.5|85.00" as a LineInput in `currency`."""
    from decimal import Decimal, InvalidOperation

    from freelancer_desk.domain.money import Money
    from freelancer_desk.services.invoices import LineInput

    parts = text.split("|")
    if len(parts) != 3:
        raise CliError(f"--line {text!r}: write it as DESCRIPTION|QUANTITY|UNIT PRICE")
    description, qty, price = (p.strip() for p in parts)
    try:
        milli = Decimal(qty) * 1000
    except InvalidOperation:
        raise CliError(f"--line {text!r}: quantity {qty!r} is not a number") from None
    if not milli.is_finite() or milli != milli.to_integral_value():
        raise CliError(f"--line {text!r}: quantity has more than 3 decimals")
    unit = Money.parse(price, currency, field="unit_price")
    return LineInput(description, int(milli), unit.amount)


def cmd_invoice_create(app: App, args: argparse.Namespace) -> int:
    if args.from_time:
        if args.line or not args.contract or not args.start or not args.end:
            raise CliError("--from-time needs --contract, --from and --to (and no --line)")
        result = app.invoices.create_from_time(
            args.contract,
            _instant(args.start),
            _instant(args.end + timedelta(days=1)),
            terms_days=args.terms,
            notes=args.notes,
        )
    else:
        if not args.client or not args.line:
            raise CliError('give --client and at least one --line "desc|qty|price", or --from-time')
        from freelancer_desk.services.common import find
        from freelancer_desk.storage.models import Client

        with app.db.read() as session:
            currency = find(session, Client, args.client, what="client").currency
        lines = [_line(text, currency) for text in args.line]
        result = app.invoices.create_draft(
            args.client, lines=lines, terms_days=args.terms, notes=args.notes
        )
    if args.json:
        print_json(result)
    else:
        say(f"draft invoice {result['id'][:8]} for {result['total']}")
    return EXIT_OK


def cmd_invoice_action(app: App, args: argparse.Namespace) -> int:
    if args.action == "issue":
        result = app.invoices.issue(args.id, args.on)
        text = f"issued invoice {result['number']}, due {result['due_on']}"
    elif args.action == "paid":
        when = _instant(args.on) if args.on else None
        result = app.invoices.mark_paid(args.id, when, external_ref=args.ref)
        text = f"invoice {result['number']} paid: {result['total']} available"
    else:
        result = app.invoices.void(args.id, args.reason)
        text = f"invoice {result['number'] or result['id'][:8]} voided"
    if args.json:
        print_json(result)
    else:
        say(text)
    return EXIT_OK


def cmd_invoice_pdf(app: App, args: argparse.Namespace) -> int:
    doc = reports_of(app).invoice_document(args.id)
    from freelancer_desk.pdf import write_invoice_pdf  # Qt, loaded only here

    out = write_invoice_pdf(doc, args.out)
    say(f"wrote {out}")
    return EXIT_OK


def cmd_timesheet_pdf(app: App, args: argparse.Namespace) -> int:
    doc = reports_of(app).timesheet_document(args.contract, args.week)
    from freelancer_desk.pdf import write_timesheet_pdf  # Qt, loaded only here

    out = write_timesheet_pdf(doc, args.out)
    say(f"wrote {out}")
    return EXIT_OK


# -- rates and billing --------------------------------------------------------------------


def cmd_rate_set(app: App, args: argparse.Namespace) -> int:
    result = app.ledger.set_rate(args.base, args.quote, args.on, args.rate)
    if args.json:
        print_json(result)
    else:
        say(f"1 {result['base']} = {result['rate']} {result['quote']} on {result['on']}")
    return EXIT_OK


def cmd_bill_weeks(app: App, args: argparse.Namespace) -> int:
    billed = app.billing.bill_due_weeks()
    if args.json:
        print_json(billed)
        return EXIT_OK
    if not billed:
        say("no locked week left to bill")
    for week in billed:
        say(f"billed {week.week_start.date().isoformat()} {week.contract_id[:8]}: {week.amount}")
    return EXIT_OK
