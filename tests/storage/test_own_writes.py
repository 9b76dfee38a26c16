"""The SQLite watcher reports other processes' commits, never its own Database's.

The tracker's heartbeat and segments are committed by the window's own process on
other connections; `ChangeWatcher` must not take them for a CLI command's write (that
refreshed the whole window once a minute), and must not swallow a real outside write
that lands next to one of ours.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.watch import ChangeWatcher, watcher_for

pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def dbs(tmp_path):
    """(own, outside): two Databases on one file, as the window and a CLI command."""
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    clock = FakeClock(datetime(2026, 3, 1, tzinfo=UTC))
    own = Database(url, clock)
    with own.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT)"))
    outside = Database(url, clock)
    yield own, outside
    own.engine.dispose()
    outside.engine.dispose()


def insert(db: Database, k: str) -> None:
    with db.session() as s:
        s.execute(text("INSERT INTO t (k) VALUES (:k)"), {"k": k})


def count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(text("SELECT count(*) FROM t")) or 0)


def test_own_writes_are_not_reported_outside_ones_are(dbs):
    own, outside = dbs
    watcher = watcher_for(own)
    assert isinstance(watcher, ChangeWatcher)
    try:
        assert watcher.changed() is False
        insert(own, "a")
        assert watcher.changed() is False
        assert watcher.absorbed == 1
        insert(outside, "cli")
        assert watcher.changed() is True
        assert watcher.changed() is False  # reported once
        insert(own, "b")
        insert(own, "c")
        assert watcher.changed() is False
    finally:
        watcher.close()


def test_another_process_write_is_reported_next_to_own_ones(dbs, tmp_path):
    own, _outside = dbs
    watcher = watcher_for(own)
    script = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute(\"INSERT INTO t (k) VALUES ('cli')\"); c.commit()"
    )
    try:
        insert(own, "a")
        subprocess.run([sys.executable, "-c", script, str(tmp_path / "w.sqlite3")], check=True)
        insert(own, "b")
        assert count(own) == 3
        assert watcher.changed() is True
        assert watcher.changed() is False
    finally:
        watcher.close()


def test_own_writes_from_another_thread_and_connection_are_not_reported(dbs):
    own, _outside = dbs
    watcher = watcher_for(own)
    try:
        holding = own.engine.connect()  # the pool hands the thread another connection
        holding.execute(text("SELECT 1"))
        errors: list[BaseException] = []

        def tracker_thread() -> None:
            try:
                for n in range(5):
                    insert(own, f"beat {n}")
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=tracker_thread)
        thread.start()
        thread.join()
        holding.close()
        assert errors == []
        assert count(own) == 5
        assert watcher.changed() is False
        assert watcher.absorbed == 5
    finally:
        watcher.close()


def test_an_outside_commit_just_before_an_own_write_is_reported(dbs):
    own, outside = dbs
    watcher = watcher_for(own)
    try:
        insert(outside, "cli")  # not asked about yet
        insert(own, "beat")  # ours lands on top of it
        assert watcher.changed() is True
        assert watcher.absorbed == 0
        assert watcher.changed() is False
    finally:
        watcher.close()


def test_an_outside_commit_between_an_own_commit_and_its_check_is_reported(dbs):
    """The gap after our commit (the write lock released) and before the watcher reads
    where the file stands: an outside commit there must not be taken for ours."""
    own, outside = dbs

    class OutsideWritesRightAfterOurCommit:
        def write_began(self, connection):
            return None

        def write_committed(self, connection, began):
            insert(outside, "cli in the gap")

    own.observe_own_writes(OutsideWritesRightAfterOurCommit())  # told before the watcher
    watcher = watcher_for(own)
    try:
        insert(own, "beat")
        assert count(own) == 2
        assert watcher.absorbed == 0
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_a_rolled_back_own_write_is_not_reported_and_changes_nothing(dbs):
    own, outside = dbs
    watcher = watcher_for(own)
    try:
        with pytest.raises(RuntimeError), own.session() as s:
            s.execute(text("INSERT INTO t (k) VALUES ('never')"))
            raise RuntimeError("disk full")
        assert count(own) == 0
        assert watcher.changed() is False
        assert watcher.absorbed == 0
        insert(own, "a")  # the connection that rolled back writes again: still ours
        assert watcher.changed() is False
        insert(outside, "cli")
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_a_closed_watcher_stops_listening(dbs):
    own, _outside = dbs
    watcher = watcher_for(own)
    watcher.close()
    insert(own, "a")
    assert watcher.changed() is False
    assert own._own_writes == []
