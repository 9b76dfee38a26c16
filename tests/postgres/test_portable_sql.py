"""SQL that must mean the same on SQLite and PostgreSQL: the routing of the test
workspaces itself, id prefixes, every table's sorting and searching, and upgrading an
old schema on the server. Runs on both; the server-only cases skip on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import CheckConstraint, create_engine, text
from sqlalchemy.exc import IntegrityError

from freelancer_desk.app import App, Location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.importers.base import find_contract
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.common import find
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.services.errors import NotFound
from freelancer_desk.services.listing import ListQuery
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.migrate import HEAD, alembic_config
from freelancer_desk.storage.models import Client
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path):
    a = App.open(Location(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}"), FakeClock(NOW))
    yield a
    a.close()


def test_workspaces_run_on_the_selected_database(tmp_path, app, postgres_server):
    expected = "sqlite" if postgres_server is None else "postgresql"
    assert app.db.engine.dialect.name == expected
    assert app.location.db_url.startswith(expected)
    db, _ = open_workspace(
        tmp_path / "other", f"sqlite:///{tmp_path / 'other' / 'w.sqlite3'}", app.clock
    )
    try:
        assert db.engine.dialect.name == expected
        assert db.url != app.db.url  # another file, another database
    finally:
        db.dispose()


def test_ids_are_found_by_their_first_digits(app):
    made = [
        app.clients.create(ClientInput(name=f"Client {i}", platform="direct")) for i in range(3)
    ]
    for client in made:
        ident = client["id"]
        for prefix in (ident[:4], ident[:8], ident[:8].upper()):
            assert app.clients.get(prefix)["id"] == ident
        with app.db.read() as s:
            assert str(find(s, Client, ident, what="client").id) == ident
            assert str(find(s, Client, uuid.UUID(ident), what="client").id) == ident
    with pytest.raises(NotFound, match="no client"), app.db.read() as s:
        taken = {c["id"][:4] for c in made}
        free = next(f"{n:04x}" for n in range(0x10000) if f"{n:04x}" not in taken)
        find(s, Client, free, what="client")


def test_contracts_are_found_by_id_prefix_reference_or_title(app):
    client = app.clients.create(ClientInput(name="Acme", platform="upwork"))
    contract = app.contracts.create(
        ContractInput(
            client_id=client["id"],
            title="Data Pipeline",
            kind="hourly",
            hourly_rate_minor=5000,
            reference="31415926",
            started_at=NOW,
        )
    )
    with app.db.read() as s:
        for ident in (contract["id"][:6], "31415926", "data pipeline", contract["id"]):
            found = find_contract(s, ident)
            assert found is not None and str(found.id) == contract["id"], ident


def test_every_table_sorts_and_searches_on_the_demo(app):
    app.create_demo()
    for key, source in app.sources.items():
        total = source.count(ListQuery())
        assert total > 0, key
        for column in source.columns:
            if not column.sortable:
                continue
            for descending in (False, True):
                query = ListQuery(sort=column.key, descending=descending)
                rows = source.fetch(query, 0, 500)
                assert len(rows) == min(total, 500), (key, column.key)
        for needle in ("a", "2026", "%", "_", "'"):
            found = source.count(ListQuery(text=needle))
            assert 0 <= found <= total, (key, needle)
            assert len(source.fetch(ListQuery(text=needle), 0, 50)) == min(found, 50)


def test_reports_and_the_check_agree_on_the_demo(app):
    app.create_demo()
    report = app.check()
    assert report.ok, report.problems
    earned = app.reports.earnings(datetime(2000, 1, 1, tzinfo=UTC), NOW, "client")
    assert earned and all(row.net.amount <= row.gross.amount for row in earned)
    since = datetime(2000, 1, 1, tzinfo=UTC)
    for group_by in ("platform", "month", "year"):
        assert app.reports.earnings(since, NOW, group_by)
    assert app.reports.hours(since, NOW) and app.reports.hours(since, NOW, "Asia/Kolkata")
    assert app.reports.proposals(since, NOW)
    assert app.reports.gigs(since, NOW)
    assert app.summary.tiles("dashboard") is not None


# -- the server only -------------------------------------------------------------------------


@pytest.mark.postgres_only
def test_an_old_schema_with_data_is_upgraded_on_the_server(tmp_path, postgres_databases):
    url = postgres_databases.create()
    engine = create_engine(url)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    client_id, contract_id = uuid.uuid4(), uuid.uuid4()
    stamp = "2026-01-01 00:00:00+00"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clients (id, name, platform, currency, notes, archived, created_at,"
                " updated_at) VALUES (:id, 'Old client', 'upwork', 'USD', '', false, :t, :t)"
            ),
            {"id": client_id, "t": stamp},
        )
        conn.execute(
            text(
                "INSERT INTO contracts (id, client_id, title, platform, kind, state, currency,"
                " hourly_rate_minor, fee_bp, rounding_rule, snapshot_policy, manual_time_allowed,"
                " started_at, notes, created_at, updated_at) VALUES (:id, :client, 'Old work',"
                " 'upwork', 'hourly', 'active', 'USD', 100, 1000, 'upwork', 'off', true, :t, '',"
                " :t, :t)"
            ),
            {"id": contract_id, "client": client_id, "t": stamp},
        )
    engine.dispose()

    db, result = open_workspace(tmp_path, url, FakeClock(NOW))
    try:
        assert (result.before, result.after, result.backup) == ("0001", HEAD, None)
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT name FROM clients")).scalars().all() == ["Old client"]
            # 0002's new end reason is allowed ...
            conn.execute(
                text(
                    "INSERT INTO time_sessions (id, contract_id, memo, started_at, ended_at,"
                    " last_seen_at, device_id, end_reason, manual, created_at, updated_at) VALUES"
                    " (:id, :c, '', :t, :t, :t, 'd', 'clock_change', false, :t, :t)"
                ),
                {"id": uuid.uuid4(), "c": contract_id, "t": stamp},
            )
        # ... and its rules hold on the server too.
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE time_sessions SET end_reason = 'bogus'"))
        # Every constraint carries the name the models give it, as on SQLite, so a
        # later revision can drop it by that name.
        with db.engine.connect() as conn:
            stored = set(
                conn.execute(
                    text(
                        "SELECT conname FROM pg_constraint c JOIN pg_namespace n"
                        " ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype = 'c'"
                    )
                ).scalars()
            )
        expected = {
            str(constraint.name)
            for table in Base.metadata.tables.values()
            for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)
        }
        assert stored == expected
        # Opening again changes nothing.
        again, second = open_workspace(tmp_path, url, FakeClock(NOW))
        again.dispose()
        assert (second.before, second.after) == (HEAD, HEAD)
    finally:
        db.dispose()


@pytest.mark.postgres_only
def test_one_running_session_per_device_is_enforced_by_the_server(app):
    client = app.clients.create(ClientInput(name="Acme", platform="upwork"))
    contract = app.contracts.create(
        ContractInput(
            client_id=client["id"], title="A", kind="hourly", hourly_rate_minor=1, started_at=NOW
        )
    )
    insert = text(
        "INSERT INTO time_sessions (id, contract_id, memo, started_at, last_seen_at, device_id,"
        " manual, created_at, updated_at) VALUES (:id, :c, '', :t, :t, :d, false, :t, :t)"
    )
    values = {"c": uuid.UUID(contract["id"]), "t": NOW}
    with app.db.engine.begin() as conn:
        conn.execute(insert, {**values, "id": uuid.uuid4(), "d": "laptop"})
        conn.execute(insert, {**values, "id": uuid.uuid4(), "d": "desktop"})
    with (
        pytest.raises(IntegrityError, match="uq_time_sessions_running_per_device"),
        app.db.engine.begin() as conn,
    ):
        conn.execute(insert, {**values, "id": uuid.uuid4(), "d": "laptop"})
    # Partial: any number of ended sessions on that device (models/tracking.py sets
    # postgresql_where when PostgreSQL creates the table).
    ended = text(
        "INSERT INTO time_sessions (id, contract_id, memo, started_at, ended_at, last_seen_at,"
        " device_id, manual, created_at, updated_at)"
        " VALUES (:id, :c, '', :t, :t, :t, 'laptop', false, :t, :t)"
    )
    with app.db.engine.begin() as conn:
        conn.execute(ended, {**values, "id": uuid.uuid4()})
        conn.execute(ended, {**values, "id": uuid.uuid4()})


@pytest.mark.postgres_only
def test_a_new_machine_opens_the_server_workspace_for_reading(tmp_path, postgres_databases):
    url = postgres_databases.create()
    first = App.open(Location(tmp_path / "laptop", url), FakeClock(NOW))
    first.clients.create(ClientInput(name="Acme", platform="upwork"))
    first.close()
    # A read-only command on another machine: its data folder does not exist yet.
    location = Location(tmp_path / "desktop", url)
    assert location.exists
    second = App.open(location, FakeClock(NOW), create=False)
    try:
        assert not second.is_empty()
        assert second.sources["clients"].fetch(ListQuery(), 0, 10)[0]["name"] == "Acme"
        assert (tmp_path / "desktop" / "device-id").is_file()
    finally:
        second.close()
