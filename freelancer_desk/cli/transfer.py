"""Bringing history in and taking everything out: `import KIND FILE`, `import json F`,
`import log`, `export csv|ics|json|evidence`, `verify DIR`."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from freelancer_desk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    CliError,
    Registry,
    handler,
    print_json,
    say,
    with_app,
)

if TYPE_CHECKING:
    from freelancer_desk.app import App

IMPORT_KINDS = (
    "auto",
    "upwork",
    "upwork-weekly",
    "toggl",
    "clockify",
    "harvest",
    "watson",
    "timewarrior",
    "fiverr",
)


def register(reg: Registry) -> None:
    imp = reg.command("import", "bring in another tool's export (or a workspace JSON)")
    imp.add_argument("kind", metavar="KIND", help=f"{', '.join(IMPORT_KINDS)}, json or log")
    imp.add_argument(
        "file", metavar="FILE", nargs="?", help="the file (Timewarrior: or its data folder)"
    )
    imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="time: 'Client / Project'=CONTRACT (id, reference or title); fiverr: field=COLUMN",
    )
    imp.add_argument("--tz", help="time zone of local times in the file (IANA, default UTC)")
    imp.add_argument("--date-order", choices=("auto", "mdy", "dmy"), default=None)
    imp.add_argument("--currency", help="fiverr: the currency when the file has none")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(**handler(with_app(cmd_import), creates=True))

    csv_ = reg.verb(
        "export", "csv", "a table as CSV (sessions are the time entries)", noun_help="export"
    )
    csv_.add_argument(
        "table", metavar="TABLE", help="a list source key: sessions, segments, ledger, clients, …"
    )
    csv_.add_argument("--out", help="the file (default: standard output)")
    csv_.add_argument("--json", action="store_true")
    csv_.set_defaults(**handler(with_app(cmd_export_csv)))

    ics = reg.verb("export", "ics", "tracked sessions as iCalendar events")
    ics.add_argument("--from", dest="start", help="first day (YYYY-MM-DD, UTC)")
    ics.add_argument("--to", dest="end", help="day after the last (YYYY-MM-DD, UTC)")
    ics.add_argument("--out", required=True)
    ics.add_argument("--json", action="store_true")
    ics.set_defaults(**handler(with_app(cmd_export_ics)))

    js = reg.verb("export", "json", "the whole workspace as JSON (imports back with `import json`)")
    js.add_argument("--out", required=True)
    js.add_argument("--json", action="store_true")
    js.set_defaults(**handler(with_app(cmd_export_json)))

    ev = reg.verb("export", "evidence", "a contract's week: segments, snapshots and a manifest")
    ev.add_argument("--contract", required=True)
    ev.add_argument("--week", required=True, help="any day of the billing week (YYYY-MM-DD)")
    ev.add_argument("--out", required=True, help="a new (or empty) folder")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(**handler(with_app(cmd_export_evidence)))

    ver = reg.command("verify", "check an evidence pack's files against its manifest")
    ver.add_argument("folder", metavar="DIR")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(**handler(cmd_verify))


def _out(path: str, what: str = "--out") -> Path:
    """An output file's path; its folder must exist (refused as one line otherwise)."""
    out = Path(path)
    if not out.parent.is_dir():
        raise CliError(f"{what}: the folder {out.parent} does not exist")
    return out


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def _pairs(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--map {item!r}: write KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def cmd_import(app: App, args: argparse.Namespace) -> int:
    if args.kind == "log":
        from freelancer_desk.importers.base import import_log

        entries = import_log(app.db)
        if args.json:
            print_json(entries)
        else:
            for e in entries:
                say(
                    f"{e.get('at', '')[:19]}  {e.get('kind', ''):13}  {e.get('file', '')}  rows {e.get('rows', 0)}"
                )
        return EXIT_OK
    if not args.file:
        raise CliError("FILE is required")
    if args.kind == "json":
        return _import_json(app, args)
    if args.kind not in IMPORT_KINDS:
        raise CliError(f"KIND {args.kind!r} is not one of {', '.join(IMPORT_KINDS)}, json, log")
    from freelancer_desk.importers.base import ImportRefused
    from freelancer_desk.importers.registry import apply, preview

    options = {
        k: v
        for k, v in (("tz", args.tz), ("date_order", args.date_order), ("currency", args.currency))
        if v
    }
    name = Path(args.file).name
    try:
        result = preview(app.db, args.kind, args.file, _pairs(args.map), options)
    except ImportRefused as exc:
        raise CliError(f"{name}: {str(exc).removeprefix('file: ')}") from None
    problems = result.problems()
    if problems:
        # One line on stderr (the file, then the first problem naming row and field);
        # with --json every problem is in the preview on stdout.
        if args.json:
            print_json(result.to_json())
        refused = str(ImportRefused(problems)).removeprefix("file: ")
        sys.stderr.write(f"freelancer-desk: {name}: {refused}: nothing was imported\n")
        return EXIT_ERROR
    done = apply(app.db, app.clock, app.ledger, result, dry_run=args.dry_run)
    if args.json:
        print_json({"preview": result.to_json(), "result": done.to_json()})
        return EXIT_OK
    for issue in result.warnings:
        say(f"warning: {issue}")
    verb = "would import" if args.dry_run else "imported"
    parts = [
        f"{n} {what}"
        for n, what in (
            (done.transactions, "transactions"),
            (done.sessions, "sessions"),
            (done.segments, "segments"),
            (done.clients, "new clients"),
            (done.contracts, "new contracts"),
        )
        if n
    ]
    say(
        f"{verb} {', '.join(parts) or 'nothing new'} from {result.kind} ({done.skipped} already there)"
    )
    return EXIT_OK


def _import_json(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import import_json

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"FILE: {path} is not a file")
    with path.open(encoding="utf-8") as fh:
        counts = import_json(app.db, fh)
    if args.json:
        print_json(counts)
    else:
        say(
            f"imported {sum(counts.values())} rows into {sum(1 for n in counts.values() if n)} tables"
        )
    return EXIT_OK


def cmd_export_csv(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import export_csv

    key = {"time_entries": "sessions", "time": "sessions"}.get(args.table, args.table)
    if key not in app.sources:
        raise CliError(f"TABLE {args.table!r} is not one of {', '.join(sorted(app.sources))}")
    if args.out:
        with _out(args.out).open("w", encoding="utf-8", newline="") as fh:
            n = export_csv(app.sources[key], fh)
        if args.json:
            print_json({"table": key, "rows": n, "out": args.out})
        else:
            say(f"wrote {n} rows of {key} to {args.out}")
    else:
        export_csv(app.sources[key], sys.stdout)
    return EXIT_OK


def cmd_export_ics(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import export_ics

    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    n = export_ics(
        app.db,
        _out(args.out),
        datetime.combine(start, time(), UTC) if start else None,
        datetime.combine(end, time(), UTC) if end else None,
    )
    if args.json:
        print_json({"events": n, "out": args.out})
    else:
        say(f"wrote {n} events to {args.out}")
    return EXIT_OK


def cmd_export_json(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import export_json

    with _out(args.out).open("w", encoding="utf-8") as fh:
        counts = export_json(app.db, fh, app.clock.now())
    if args.json:
        print_json(counts)
    else:
        say(f"wrote {sum(counts.values())} rows of {len(counts)} tables to {args.out}")
    return EXIT_OK


def cmd_export_evidence(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import export_evidence

    week = _day(args.week, "--week")
    assert week is not None
    result = export_evidence(
        app.db, app.snapshot_dir, args.contract, week, Path(args.out), app.clock.now()
    )
    if args.json:
        print_json(result.to_json())
    else:
        say(f"wrote {result.segments} segments and {result.snapshots} snapshots to {result.folder}")
        for rel in result.missing:
            say(f"warning: snapshot file {rel} is no longer on disk")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from freelancer_desk.services.exports import verify_evidence

    report = verify_evidence(Path(args.folder))
    if args.json:
        print_json(report.to_json())
    elif report.ok:
        say(f"ok: {report.files} files and {report.links} chain links match the manifest")
    for problem in report.problems:
        sys.stderr.write(f"freelancer-desk: {problem}\n")
    return EXIT_OK if report.ok else EXIT_ERROR
