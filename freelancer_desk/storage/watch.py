"""Noticing that another process wrote to the workspace (a CLI command while the window
is open), so the window can refresh. SQLite's `PRAGMA data_version` changes on a
connection whenever any *other* connection commits; a watcher keeps one read-only
connection of its own and compares."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class ChangeWatcher:
    """`changed()` is True when a commit landed since the last call. On a database this
    cannot watch (a server database), it always says False."""

    def __init__(self, path: Path | None) -> None:
        self._conn: sqlite3.Connection | None = None
        self._seen: int | None = None
        if path is not None and path.exists():
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._seen = self._version()

    def _version(self) -> int | None:
        if self._conn is None:
            return None
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row else None

    def changed(self) -> bool:
        now = self._version()
        if now is None or now == self._seen:
            return False
        self._seen = now
        return True

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
