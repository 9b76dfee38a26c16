"""A new workspace is made straight from the models and stamped at HEAD
(`migrate.create_at_head`); an existing one is upgraded by the migrations. Both must
give the same database, object by object: tables, columns, CHECK constraints,
indexes (partial ones included), foreign keys and triggers."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.migrate import HEAD, alembic_config
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# About SQLite files; on PostgreSQL every test's database is made by create_at_head and
# tests/postgres/test_portable_sql.py upgrades one from 0001 by the migrations.
pytestmark = pytest.mark.sqlite_only


def _migrated(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    engine.dispose()


def _fresh(folder: Path) -> Path:
    path = folder / "workspace.sqlite3"
    db, result = open_workspace(folder, f"sqlite:///{path}", FakeClock(T0))
    db.dispose()
    assert (result.before, result.after, result.backup) == (None, HEAD, None)
    return path


def _words(sql: str | None) -> str:
    """SQL text without quoting and spacing differences."""
    return re.sub(r"\s+", " ", re.sub(r'["`\[\]]', "", sql or "")).strip().lower()


def _checks(sql: str) -> dict[str, str]:
    """Named CHECK constraints of a CREATE TABLE, name -> expression."""
    found: dict[str, str] = {}
    for match in re.finditer(r"CONSTRAINT\s+\"?(\w+)\"?\s+CHECK\s*\(", sql, re.IGNORECASE):
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        found[match.group(1)] = _words(sql[match.end() : i - 1]).replace(" ", "")
    return found


def _structure(path: Path) -> dict[str, Any]:
    con = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        objects = con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for kind, name, table, sql in objects:
            if kind == "table":
                out[f"table {name} columns"] = sorted(
                    (r[1], r[2].upper(), r[3], _words(r[4]), r[5])
                    for r in con.execute(f'PRAGMA table_info("{name}")')
                )
                out[f"table {name} checks"] = _checks(sql)
                out[f"table {name} foreign keys"] = sorted(
                    (r[2], r[3], r[4], r[5], r[6])
                    for r in con.execute(f'PRAGMA foreign_key_list("{name}")')
                )
            elif kind == "index":
                columns = [r[2] for r in con.execute(f'PRAGMA index_info("{name}")')]
                where = _words(sql.split(" WHERE ", 1)[1]) if sql and " WHERE " in sql else ""
                unique = con.execute(f'PRAGMA index_list("{table}")').fetchall()
                flag = next(r[2] for r in unique if r[1] == name)
                out[f"index {name}"] = (table, columns, flag, where)
            elif kind == "trigger":
                out[f"trigger {name}"] = (table, _words(sql))
        out["version"] = con.execute("SELECT version_num FROM alembic_version").fetchall()
        return out
    finally:
        con.close()


def test_a_new_workspace_equals_one_built_by_the_migrations(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.sqlite3"
    _migrated(migrated)
    fresh = _fresh(tmp_path / "fresh")
    a, b = _structure(migrated), _structure(fresh)
    assert sorted(a) == sorted(b)
    for key in a:
        assert a[key] == b[key], key
    # The comparison sees what matters: every table has columns, CHECKs exist, the
    # summary's triggers are there.
    assert any(key.endswith("checks") and value for key, value in a.items())
    assert any(key.startswith("trigger ") for key in a)


def test_a_new_workspace_is_made_whole_in_one_transaction(tmp_path: Path) -> None:
    """Made at HEAD without Alembic, and nothing half-made is left by a failure: the
    file is either a complete workspace or has no tables."""
    path = _fresh(tmp_path / "ws")
    con = sqlite3.connect(path)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.close()
    assert {"clients", "segments", "tracked_days", "ledger_postings", "alembic_version"} <= tables
