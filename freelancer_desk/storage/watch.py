"""Noticing that another process wrote to the workspace (a CLI command while the window
is open, another machine on a shared server database), so the window can refresh.

SQLite: `PRAGMA data_version` changes on a connection whenever any *other* connection
commits; `ChangeWatcher` keeps one read-only connection of its own and compares. The
commits of its own `Database` (the tracker's heartbeat and segments, the window's edits:
they reach the window through the bus) are absorbed, never one of another process:
SQLite lets one connection write at a time, so while an own transaction holds the write
lock (after its first write statement) nobody else commits. There the watcher reads its
version (`before`) and the writing connection's own data_version (`mine`, which its own
commits never change). After the commit it reads its version again (`after`), then
`mine` again: if `mine` is unchanged, nobody else committed between our commit and the
`after` read, and if `before` is what the watcher last reported, nothing else is hidden
in `after` either; only then does `after` become "seen". Otherwise the change is
reported (at worst a refresh too many). Rolled-back transactions change nothing.

PostgreSQL: every transaction that writes sends `NOTIFY freelancer_desk, '<writer>'`
(`storage/db.py`; delivered only if it commits), `<writer>` being the token of the
`Database` that wrote. `NotifyWatcher` holds one LISTEN connection, read by a
background thread, and reports what other writers (another process, another machine)
committed; its own `Database`'s writes are not reported. A lost connection is
reconnected (with a growing pause while the server is away) and then reported as a
change, since notifications sent meanwhile are lost.

`watcher_for(db)` picks the right one; every watcher has `changed()` (True once per
batch of changes since the last call, never blocking) and `close()`.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    from freelancer_desk.storage.db import Database

CHANNEL = "freelancer_desk"
# A TCP connection whose peer vanished (a suspended laptop, a pulled cable) is noticed
# through keepalives within about a minute, then reconnected.
_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}


class Watcher(Protocol):
    def changed(self) -> bool: ...

    def close(self) -> None: ...


def _data_version(conn: sqlite3.Connection | None) -> int | None:
    if conn is None:
        return None
    try:
        row = conn.execute("PRAGMA data_version").fetchone()
    except sqlite3.Error:
        return None
    return int(row[0]) if row else None


class ChangeWatcher:
    """`changed()` is True when a commit landed since the last call, not counting the
    commits of `own` (the Database the window writes through). On a database this
    cannot watch (a server database), it always says False.

    Thread-safe: own transactions commit on the tracker's and the window's threads."""

    def __init__(self, path: Path | None, own: Database | None = None) -> None:
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._seen: int | None = None
        self._stop_observing: Callable[[], None] | None = None
        # Own commits taken as seen, for tests and diagnostics.
        self.absorbed = 0
        if path is not None and path.exists():
            self._conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            self._seen = _data_version(self._conn)
            if own is not None:
                self._stop_observing = own.observe_own_writes(self)

    def write_began(self, connection: sqlite3.Connection) -> tuple[int, int] | None:
        """(before, mine), read while `connection` holds the write lock."""
        with self._lock:
            before = _data_version(self._conn)
        mine = _data_version(connection)
        return None if before is None or mine is None else (before, mine)

    def write_committed(self, connection: sqlite3.Connection, began: object) -> None:
        if not isinstance(began, tuple):
            return
        before, mine = began
        with self._lock:
            after = _data_version(self._conn)
            # Read after `after`: unchanged means no other connection committed since
            # ours, so `after` holds our commit and nothing newer.
            alone = _data_version(connection) == mine
            if after is not None and alone and before == self._seen:
                self._seen = after
                self.absorbed += 1

    def changed(self) -> bool:
        with self._lock:
            now = _data_version(self._conn)
            if now is None or now == self._seen:
                return False
            self._seen = now
            return True

    def close(self) -> None:
        if self._stop_observing is not None:
            self._stop_observing()
            self._stop_observing = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


class NotifyWatcher:
    """LISTEN on a PostgreSQL database. `changed()` only reads a flag the listening
    thread sets, so the window's timer never waits on the network.

    `received` counts every notification read (own ones included), `reconnects` every
    connection made after a lost one, `backend_pid` is the server process listening:
    for tests and diagnostics."""

    def __init__(
        self,
        connect_kwargs: dict[str, Any],
        own_writer: str | None,
        *,
        poll_seconds: float = 0.5,
        max_pause: float = 30.0,
    ) -> None:
        self._connect_kwargs = {**_KEEPALIVES, "connect_timeout": 10, **connect_kwargs}
        self._own = own_writer
        self._poll = poll_seconds
        self._max_pause = max_pause
        self._lock = threading.Lock()
        self._changed = False
        self._stop = threading.Event()
        self.listening = threading.Event()
        self.received = 0
        self.reconnects = 0
        self.backend_pid: int | None = None
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="fd-pg-listen", daemon=True)
        self._thread.start()

    def changed(self) -> bool:
        with self._lock:
            changed, self._changed = self._changed, False
        return changed

    def _flag(self) -> None:
        with self._lock:
            self._changed = True

    def _run(self) -> None:
        import psycopg

        pause = 0.5
        connected_before = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(autocommit=True, **self._connect_kwargs) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.backend_pid = conn.info.backend_pid
                    if connected_before:
                        # Whatever was committed while we were away went unheard.
                        self.reconnects += 1
                        self._flag()
                    connected_before = True
                    pause = 0.5
                    self.last_error = None
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=self._poll):
                            self.received += 1
                            if note.payload != self._own:
                                self._flag()
            except Exception as exc:  # psycopg.Error, a socket error: reconnect later
                self.last_error = f"{type(exc).__name__}: {exc}"
            self.listening.clear()
            self.backend_pid = None
            if self._stop.wait(pause):
                break
            pause = min(pause * 2, self._max_pause)

    def close(self) -> None:
        self._stop.set()
        # Not longer than a poll: a thread still connecting to an unreachable server
        # ends on its own (connect_timeout; it is a daemon).
        self._thread.join(timeout=self._poll + 1)


def watcher_for(db: Database) -> Watcher:
    """The watcher for the database `db` opened (its own writes are not reported):
    SQLite's data_version, PostgreSQL's LISTEN, or one that never reports anything (another server database, or a
    PostgreSQL driver that is missing)."""
    from freelancer_desk.storage.workspace import sqlite_path

    dialect = db.engine.dialect
    if dialect.name == "sqlite":
        return ChangeWatcher(sqlite_path(db.url), db)
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        args, kwargs = dialect.create_connect_args(db.engine.url)
        if args:  # a bare conninfo string
            kwargs = {"conninfo": args[0], **kwargs}
        return NotifyWatcher(dict(kwargs), db.writer_id)
    return ChangeWatcher(None)
