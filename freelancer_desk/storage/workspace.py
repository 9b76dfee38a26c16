"""Opening a workspace: the data folder, the database file's sanity, then migrations.

A damaged, truncated or foreign file is never overwritten: opening stops with a
message that names the file and the problem.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from freelancer_desk.domain.clock import Clock
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.errors import NotAWorkspace, StorageError, WorkspaceUnavailable
from freelancer_desk.storage.migrate import MigrationResult, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def ensure_data_dir(data_dir: Path, create: bool) -> None:
    if data_dir.exists():
        if not data_dir.is_dir():
            raise WorkspaceUnavailable(f"data folder {data_dir} is a file, not a folder")
        if not os.access(data_dir, os.W_OK | os.X_OK):
            raise WorkspaceUnavailable(f"data folder {data_dir} is not writable")
        return
    if not create:
        raise WorkspaceUnavailable(
            f"no workspace at {data_dir}: run `freelancer-desk demo` or open the app to create one"
        )
    try:
        data_dir.mkdir(parents=True, mode=PRIVATE_DIR)
    except OSError as exc:
        raise WorkspaceUnavailable(
            f"cannot create data folder {data_dir}: {exc.strerror or exc}"
        ) from exc
    os.chmod(data_dir, PRIVATE_DIR)


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not a SQLite database, or a SQLite database not ours."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise WorkspaceUnavailable(f"cannot read {path}: {exc.strerror or exc}") from exc
    if header != SQLITE_MAGIC:
        raise NotAWorkspace(
            f"{path} is not a Freelancer Desk workspace (not a SQLite database, or truncated); "
            "it was left untouched"
        )
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAWorkspace(f"{path} is damaged ({exc}); it was left untouched") from exc
    if tables and "alembic_version" not in tables:
        raise NotAWorkspace(
            f"{path} is a SQLite database of another program (tables: "
            f"{', '.join(sorted(tables)[:5])}); it was left untouched"
        )


def verify_integrity(path: Path) -> None:
    """Refuse a database with a damaged page anywhere (`PRAGMA quick_check`, which reads
    the whole file: the window runs it once at start-up; `check_sqlite_file` only reads
    the schema). The file is opened read-only and left untouched."""
    check_sqlite_file(path)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise NotAWorkspace(f"{path} is damaged ({exc}); it was left untouched") from exc
    if rows != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:2])
        raise NotAWorkspace(f"{path} is damaged ({detail}); it was left untouched")


def workspace_exists(url: str) -> bool:
    path = sqlite_path(url)
    return path is None or path.exists()


def open_workspace(
    data_dir: Path, url: str, clock: Clock, *, create: bool = True
) -> tuple[Database, MigrationResult]:
    """Open (and, when `create`, make) the workspace; migrate it to the current schema.
    With a server database the workspace is the server's: this machine's data folder
    (device id, snapshots) is made on first use even when not creating."""
    path = sqlite_path(url)
    ensure_data_dir(data_dir, create or path is None)
    if path is not None:
        if path.exists():
            check_sqlite_file(path)
        elif not create:
            raise WorkspaceUnavailable(
                f"no workspace at {path}: run `freelancer-desk demo` or open the app to create one"
            )
        else:
            ensure_data_dir(path.parent, create=True)
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE)
            except OSError as exc:
                raise WorkspaceUnavailable(f"cannot create {path}: {exc.strerror or exc}") from exc
            os.close(fd)
    db = Database(url, clock)
    try:
        result = upgrade(db, data_dir / "backups")
    except StorageError:
        db.dispose()
        raise
    except Exception as exc:
        db.dispose()
        raise StorageError(f"cannot open the workspace at {url}: {exc}") from exc
    return db, result
