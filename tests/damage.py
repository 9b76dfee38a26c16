"""Damaging a workspace file the way a failing disk does, for the recovery tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def destroy_table_root(db: Path, table: str) -> None:
    """Overwrite `table`'s root page: the header and schema stay intact, so opening the
    file succeeds and only a read of that table (or PRAGMA quick_check) fails."""
    conn = sqlite3.connect(db)
    root, size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master "
        "WHERE name = ?",
        (table,),
    ).fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * size : root * size] = b"\xa5" * size
    db.write_bytes(bytes(data))
