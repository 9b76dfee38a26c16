"""Putting a backup back: checked first, the current file copied aside, then the backup
written into the live database through SQLite's backup API (so the WAL is handled)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from freelancer_desk.storage.backup import backup_name, backup_sqlite
from freelancer_desk.storage.errors import NotAWorkspace, SchemaTooNew, StorageError
from freelancer_desk.storage.migrate import known_revisions
from freelancer_desk.storage.workspace import check_sqlite_file


def check_backup(path: Path) -> str:
    """The schema revision of a backup file; refuses a file that is not a workspace we
    can open (not SQLite, damaged, another program's, or from a newer app)."""
    if not path.is_file():
        raise StorageError(f"no backup at {path}")
    try:
        check_sqlite_file(path)
    except NotAWorkspace as exc:
        raise NotAWorkspace(f"{exc}; nothing was restored") from exc
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise NotAWorkspace(f"{path} is damaged ({exc}); nothing was restored") from exc
    finally:
        conn.close()
    if verdict is None or verdict[0] != "ok":
        raise NotAWorkspace(f"{path} fails SQLite's check ({verdict}); nothing was restored")
    if revision is None:
        raise NotAWorkspace(f"{path} has no schema version; nothing was restored")
    if revision[0] not in known_revisions():
        raise SchemaTooNew(
            f"{path} was written by a newer Freelancer Desk (schema {revision[0]}); "
            "nothing was restored"
        )
    return str(revision[0])


def restore_sqlite(backup: Path, target: Path, backup_dir: Path, now: datetime) -> Path | None:
    """Replace the workspace at `target` with `backup`. The current file (if any) is first
    copied to `backup_dir`; that copy's path is returned. The app must not be running
    on `target` meanwhile (the caller checks for a live tracking session)."""
    check_backup(backup)
    safety: Path | None = None
    if target.exists():
        safety = backup_sqlite(target, backup_dir / backup_name("before-restore", now))
    try:
        src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.Error as exc:
        raise StorageError(
            f"restore of {backup} failed: {exc}"
            + (f"; the previous workspace is kept at {safety}" if safety else "")
        ) from exc
    return safety
