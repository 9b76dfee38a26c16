"""Keeping the workspace safe: `backup`, `backup list`, `restore FILE`."""

from __future__ import annotations

import argparse
from pathlib import Path

from freelancer_desk.cli.common import (
    EXIT_OK,
    CliError,
    Registry,
    handler,
    open_app,
    print_json,
    say,
)


def register(reg: Registry) -> None:
    make = reg.verb("backup", "now", "copy the workspace now", noun_help="backups")
    make.add_argument("--out", help="where to write the copy (default: DATA_DIR/backups/)")
    make.add_argument("--json", action="store_true")
    make.set_defaults(**handler(cmd_backup))
    listing = reg.verb("backup", "list", "list the backups, newest first")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(**handler(cmd_list))
    restore = reg.command("restore", "replace the workspace with a backup")
    restore.add_argument("file", help="a backup file (see `backup list`)")
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(**handler(cmd_restore))


def _sqlite_file(args: argparse.Namespace) -> tuple[Path, Path]:
    from freelancer_desk.app import resolve_location
    from freelancer_desk.storage.workspace import sqlite_path

    location = resolve_location(args.data_dir, args.db_url)
    path = sqlite_path(location.db_url)
    if path is None:
        raise CliError(
            "backup and restore work on SQLite workspaces; back up a PostgreSQL server with pg_dump"
        )
    return path, location.data_dir / "backups"


def cmd_backup(args: argparse.Namespace) -> int:
    from freelancer_desk.storage.backup import backup_name, backup_sqlite

    app = open_app(args)  # refuses a missing or damaged workspace with one line
    try:
        source, folder = _sqlite_file(args)
        dest = Path(args.out) if args.out else folder / backup_name("manual", app.clock.now())
        made = backup_sqlite(source, dest)
    finally:
        app.close()
    if args.json:
        print_json({"backup": str(made), "bytes": made.stat().st_size})
    else:
        say(f"backed up to {made}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    from freelancer_desk.storage.backup import list_backups

    _source, folder = _sqlite_file(args)
    found = list_backups(folder)
    if args.json:
        print_json([{"path": str(p), "bytes": p.stat().st_size} for p in found])
    elif not found:
        say(f"no backups in {folder}")
    else:
        for path in found:
            say(f"{path}  {path.stat().st_size:,} bytes")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from freelancer_desk.domain.clock import SystemClock
    from freelancer_desk.storage.models import TimeSession
    from freelancer_desk.storage.restore import check_backup, restore_sqlite

    target, folder = _sqlite_file(args)
    backup = Path(args.file).expanduser()
    check_backup(backup)  # before touching anything
    if target.exists():
        app = open_app(args)
        try:
            with app.db.read() as session:
                running = session.scalar(
                    select(func.count(TimeSession.id)).where(TimeSession.ended_at.is_(None))
                )
        finally:
            app.close()
        if running:
            raise CliError("a tracking session is running on this workspace: stop it first")
    else:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    safety = restore_sqlite(backup, target, folder, SystemClock().now())
    if args.json:
        print_json({"restored": str(backup), "previous": str(safety) if safety else None})
    else:
        say(
            f"restored {backup}"
            + (f"; the previous workspace is kept at {safety}" if safety else "")
        )
    return EXIT_OK
