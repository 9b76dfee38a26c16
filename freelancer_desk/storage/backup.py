"""Copies of the SQLite file, made with SQLite's online backup API (consistent even
while another process writes), kept in rotation.

The database only: the snapshot pictures (`snapshots/`) and the copies of delivered
files (`deliveries/`) stay in the data folder. Those are never rewritten, and delivered
copies never removed, so a backup restored into the same folder finds its files."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from freelancer_desk.storage.errors import StorageError

PRIVATE_FILE = 0o600


def backup_sqlite(source: Path, dest: Path) -> Path:
    """Copy the database at `source` to `dest` (0600) and return `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = dest.with_name(dest.name + ".part")
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
            finally:
                out.close()
        finally:
            src.close()
        os.chmod(tmp, PRIVATE_FILE)
        os.replace(tmp, dest)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise StorageError(f"backup of {source} to {dest} failed: {exc}") from exc
    return dest


def backup_name(reason: str, when: datetime) -> str:
    return f"workspace-{when.strftime('%Y%m%dT%H%M%SZ')}-{reason}.sqlite3"


def rotate(folder: Path, keep: int, pattern: str = "workspace-*.sqlite3") -> list[Path]:
    """Delete all but the newest `keep` backups matching `pattern`; return the deleted."""
    files = sorted(folder.glob(pattern), key=lambda p: p.name, reverse=True)
    removed = files[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


DAILY = "daily"
KEEP_DAILY = 7


def _stamp_of(path: Path) -> datetime | None:
    """The UTC instant in a backup's name (workspace-YYYYmmddTHHMMSSZ-reason.sqlite3)."""
    parts = path.name.split("-")
    if len(parts) < 3:
        return None
    try:
        return datetime.strptime(parts[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def list_backups(folder: Path) -> list[Path]:
    """Backups in `folder`, newest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("workspace-*.sqlite3") if _stamp_of(p) is not None]
    return sorted(found, key=lambda p: p.name, reverse=True)


def daily_backup(source: Path, folder: Path, now: datetime, keep: int = KEEP_DAILY) -> Path | None:
    """A backup if the newest daily one is a day old or more (or there is none); the
    oldest daily ones beyond `keep` are deleted. Returns the new file, or None."""
    dailies = [p for p in list_backups(folder) if p.name.endswith(f"-{DAILY}.sqlite3")]
    newest = _stamp_of(dailies[0]) if dailies else None
    if newest is not None and now - newest < timedelta(days=1):
        return None
    made = backup_sqlite(source, folder / backup_name(DAILY, now))
    rotate(folder, keep, f"workspace-*-{DAILY}.sqlite3")
    return made
