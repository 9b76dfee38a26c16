"""Upgrading a workspace written by an older schema: a copy first, nothing lost, and the
rules of the new revision in force."""

import sqlite3
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.migrate import HEAD, alembic_config
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_old_workspace(path, revision="0001"):
    engine = create_engine(f"sqlite:///{path}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clients (id, name, platform, currency, notes, archived, created_at, updated_at)"
                " VALUES ('0123456789abcdef0123456789abcdef', 'Old client', 'upwork', 'USD', '', 0,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    engine.dispose()


@pytest.fixture
def upgraded(tmp_path):
    path = tmp_path / "workspace.sqlite3"
    make_old_workspace(path)
    db, result = open_workspace(tmp_path, f"sqlite:///{path}", FakeClock(T0))
    yield db, result, tmp_path
    db.dispose()


def test_upgrade_copies_the_file_first_and_keeps_the_data(upgraded):
    db, result, folder = upgraded
    assert (result.before, result.after) == ("0001", HEAD)
    assert result.backup is not None and result.backup.parent == folder / "backups"
    copy = sqlite3.connect(result.backup)
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert copy.execute("SELECT name FROM clients").fetchall() == [("Old client",)]
    copy.close()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM clients")).scalars().all() == ["Old client"]
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD


def test_new_check_constraints_hold_after_upgrade(upgraded):
    db, _, _ = upgraded
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO contracts (id, client_id, title, platform, kind, state, currency,"
                " hourly_rate_minor, fee_bp, rounding_rule, snapshot_policy, manual_time_allowed,"
                " started_at, notes, created_at, updated_at) VALUES ('c0000000000000000000000000000000',"
                " '0123456789abcdef0123456789abcdef', 'x', 'upwork', 'hourly', 'active', 'USD', 100,"
                " 1000, 'upwork', 'off', 1, '2026-01-01 00:00:00', '', '2026-01-01 00:00:00',"
                " '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO time_sessions (id, contract_id, memo, started_at, ended_at, last_seen_at,"
                " device_id, end_reason, manual, created_at, updated_at) VALUES"
                " ('50000000000000000000000000000000', 'c0000000000000000000000000000000', '',"
                " '2026-01-01 00:00:00', '2026-01-01 01:00:00', '2026-01-01 01:00:00', 'd',"
                " 'clock_change', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(text("UPDATE time_sessions SET end_reason = 'bogus'"))


def test_an_up_to_date_workspace_is_not_copied_again(upgraded, tmp_path):
    db, _, folder = upgraded
    url = str(db.engine.url)
    db.dispose()
    before = sorted((folder / "backups").iterdir())
    again, result = open_workspace(folder, url, FakeClock(T0))
    again.dispose()
    assert result.backup is None
    assert sorted((folder / "backups").iterdir()) == before


def test_0005_gives_short_instant_text_the_full_form(tmp_path):
    """Instants stored as '2026-01-01 00:00:00' (the importers' bulk path before
    3903f92) sort before a period starting at that midnight; 0005 appends the
    microseconds, in every DATETIME column, and leaves full and NULL values alone."""
    path = tmp_path / "workspace.sqlite3"
    make_old_workspace(path, "0004")  # the client's stamps are stored short
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO clients (id, name, platform, currency, notes, archived, created_at,"
        " updated_at) VALUES ('fedcba9876543210fedcba9876543210', 'New', 'upwork', 'USD', '',"
        " 0, '2026-01-02 03:04:05.123456', '2026-01-02 03:04:05.123456')"
    )
    raw.commit()
    raw.close()
    db, result = open_workspace(tmp_path, f"sqlite:///{path}", FakeClock(T0))
    try:
        assert (result.before, result.after) == ("0004", HEAD)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT name, created_at, updated_at FROM clients ORDER BY name")
            ).all()
            later = conn.execute(
                text("SELECT name FROM clients WHERE created_at >= :t"),
                {"t": "2026-01-01 00:00:00.000000"},
            ).scalars()
            assert sorted(later) == ["New", "Old client"]
    finally:
        db.dispose()
    assert [tuple(r) for r in rows] == [
        ("New", "2026-01-02 03:04:05.123456", "2026-01-02 03:04:05.123456"),
        ("Old client", "2026-01-01 00:00:00.000000", "2026-01-01 00:00:00.000000"),
    ]
