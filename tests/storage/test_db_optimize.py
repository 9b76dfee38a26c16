"""Closing a SQLite workspace runs `PRAGMA optimize`: planner statistics follow the data."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.workspace import open_workspace

pytestmark = pytest.mark.sqlite_only


def open_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    return open_workspace(tmp_path, url, FakeClock(datetime(2026, 3, 1, tzinfo=UTC)))[0]


def test_closing_analyses_a_table_that_grew_since_it_was_analysed(tmp_path):
    db = open_db(tmp_path)
    with db.engine.begin() as conn:  # a table analysed while empty, as 0003 leaves a new one
        conn.execute(text("CREATE TABLE grown (id INTEGER PRIMARY KEY, k TEXT)"))
        conn.execute(text("CREATE INDEX ix_grown_k ON grown (k)"))
        conn.execute(text("ANALYZE grown"))
        conn.execute(
            text("INSERT INTO grown (k) VALUES (:k)"), [{"k": f"k{n % 50}"} for n in range(2000)]
        )
    db.engine.dispose()  # a connection that loaded the stale statistics
    with db.read() as s:
        assert s.execute(text("SELECT count(*) FROM grown WHERE k = 'k7'")).scalar() == 40
    db.dispose()
    with sqlite3.connect(tmp_path / "w.sqlite3") as conn:
        stats = dict(
            conn.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'grown'").fetchall()
        )
    assert "ix_grown_k" in stats  # analysed while empty it had no row (estimated: analysis_limit)


def test_optimize_never_fails_a_close(tmp_path):
    db = open_db(tmp_path)
    db.dispose()
    db.optimize()  # after dispose: a fresh connection, nothing to do, no error
    db.dispose()
