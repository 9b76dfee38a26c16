"""Opening the database: engine, pragmas, sessions, and instants from the injected clock.

SQLite runs in WAL mode with foreign keys on, synchronous=FULL (the ledger must not
lose a committed row on power loss) and a busy timeout so a CLI command and the window
can write to the same file. Nothing here is SQLite-only beyond those pragmas: the same
models run on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from freelancer_desk.domain.clock import Clock
from freelancer_desk.storage.base import Entity
from freelancer_desk.storage.refusals import refusal

BUSY_TIMEOUT_MS = 10_000
# SQLite's page cache per connection, in KiB (its default is 2,000). The window keeps
# several pooled connections (reader threads, tracker, watcher), each filling its own
# cache: at 1 MiB ~1-2 MB less resident with the heavy workspace shown (more after the
# all-time reports), no slower report measured (docs/benchmarks.md, H9; the "~12 MB" in
# commit 30e7201 was the import order of that experiment). Pages stay in the OS cache.
CACHE_KIB = 1024
_CHANNEL = "freelancer_desk"  # storage/watch.py: CHANNEL
_WRITES = ("INSERT", "UPDATE", "DELETE")
_NOTIFIED = "freelancer_desk.notified"  # the transaction that already announced itself


class OwnWrites(Protocol):
    """Told about this Database's own SQLite write transactions (`storage/watch.py`'s
    `ChangeWatcher`, so it does not report them as another process's writes)."""

    def write_began(self, connection: sqlite3.Connection) -> object:
        """Right after a transaction's first write statement ran on `connection`: it
        holds the file's write lock, no other connection can commit until it ends. The
        value returned is handed to `write_committed`."""
        ...

    def write_committed(self, connection: sqlite3.Connection, began: object) -> None:
        """Right after that transaction committed (not called when it rolled back)."""
        ...


class _SQLiteConnection(sqlite3.Connection):
    """The DBAPI connection of a SQLite engine: calls back after a commit of a
    transaction that wrote (`Database._note_write` marks it at its first write)."""

    fd_marks: list[tuple[OwnWrites, object]] | None = None

    def commit(self) -> None:
        marks, self.fd_marks = self.fd_marks, None
        super().commit()
        for observer, began in marks or ():
            # The commit happened: never report it as failed.
            with suppress(Exception):
                observer.write_committed(self, began)

    def rollback(self) -> None:
        self.fd_marks = None
        super().rollback()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "factory": _SQLiteConnection}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """An engine plus a session factory. Sessions stamp created_at/updated_at from the
    clock the database was given."""

    def __init__(self, url: str, clock: Clock, engine: Engine | None = None) -> None:
        self.url = url
        self.clock = clock
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # False for a file found damaged: closing it then writes nothing (no statistics).
        self.optimize_on_close = True
        event.listen(self._sessions, "before_flush", self._stamp)
        # Who wrote, in the change notifications other processes' watchers read
        # (storage/watch.py): a token of this Database, new on every open.
        self.writer_id = uuid.uuid4().hex
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "after_cursor_execute", self._announce_write)
        self._own_writes: list[OwnWrites] = []
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "after_cursor_execute", self._note_write)

    def observe_own_writes(self, observer: OwnWrites) -> Callable[[], None]:
        """Have `observer` told about every write transaction this Database commits on
        SQLite (its connections made by `make_engine`; another engine's are not seen).
        Returns the call that stops it."""
        self._own_writes = [*self._own_writes, observer]

        def stop() -> None:
            self._own_writes = [o for o in self._own_writes if o is not observer]

        return stop

    def _note_write(
        self, _conn: Any, cursor: Any, statement: str, _p: Any, _c: Any, _many: bool
    ) -> None:
        """SQLite: after a transaction's first write statement (it holds the write lock
        now), the observers note where the file stands; its commit tells them again.
        A write in autocommit mode (already committed) is not marked: it is seen as
        anybody's."""
        observers = self._own_writes
        if not observers:
            return
        dbapi = cursor.connection
        if not isinstance(dbapi, _SQLiteConnection) or dbapi.fd_marks is not None:
            return
        if statement.lstrip()[:6].upper() not in _WRITES or not dbapi.in_transaction:
            return
        marks = []
        for observer in observers:
            # An observer that failed leaves the commit unmarked: seen as anybody's.
            with suppress(Exception):
                marks.append((observer, observer.write_began(dbapi)))
        dbapi.fd_marks = marks

    def _announce_write(
        self, conn: Any, cursor: Any, statement: str, _p: Any, _c: Any, _many: bool
    ) -> None:
        """On PostgreSQL, the first write of a transaction also sends `NOTIFY
        freelancer_desk, '<writer_id>'`: the server delivers it to the listeners only
        if the transaction commits. One extra statement per writing transaction; reads
        send nothing."""
        if statement.lstrip()[:6].upper() not in _WRITES:
            return
        # Once per transaction (a savepoint counts as one: a notification sent inside a
        # savepoint that is rolled back is dropped with it); every statement when the
        # connection commits each one itself.
        transaction = conn.get_nested_transaction() or conn.get_transaction()
        autocommit = bool(getattr(cursor.connection, "autocommit", False))
        if not autocommit and transaction is not None and conn.info.get(_NOTIFIED) is transaction:
            return
        notify = cursor.connection.cursor()
        try:
            notify.execute("SELECT pg_notify(%s, %s)", (_CHANNEL, self.writer_id))
        finally:
            notify.close()
        conn.info[_NOTIFIED] = transaction

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _stamp(self, session: Session, _context: Any, _instances: Any) -> None:
        now = self.clock.now()
        for obj in session.new:
            if isinstance(obj, Entity):
                if obj.created_at is None:
                    obj.created_at = now
                if obj.updated_at is None:
                    obj.updated_at = now
        for obj in session.dirty:
            if isinstance(obj, Entity) and session.is_modified(obj, include_collections=False):
                obj.updated_at = now

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends normally, rolled back otherwise."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            refused = refusal(exc)  # a rule a trigger enforces: refused as RuleError
            if refused is None:
                raise
            raise refused from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only; nothing it does is committed."""
        session = self._sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def dispose(self) -> None:
        if self.is_sqlite and self.optimize_on_close:
            self.optimize()
        self.engine.dispose()

    def optimize(self) -> None:
        """`PRAGMA optimize` (SQLite's advice for a closing connection): re-analyses the
        tables whose planner statistics have gone stale, with `analysis_limit` keeping it to
        milliseconds on a large file. Never fails a close (a read-only or busy file)."""
        raw = None
        try:
            raw = self.engine.raw_connection()
            cursor = raw.cursor()
            cursor.execute("PRAGMA analysis_limit = 400")
            cursor.execute("PRAGMA optimize")
            cursor.close()
            raw.commit()
        except Exception:  # statistics are an optimisation only
            pass
        finally:
            if raw is not None:
                raw.close()
