"""The schema: migrations equal the models, constraints hold, instants stay UTC."""

import sqlite3
import stat
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.backup import backup_sqlite
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.errors import NotAWorkspace, SchemaTooNew, WorkspaceUnavailable
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Gig,
    GigPackage,
    Milestone,
    TimeSession,
)
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def db(tmp_path, clock):
    database, _ = open_workspace(
        tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'w.sqlite3'}", clock
    )
    yield database
    database.dispose()


def make_client(session, name="Acme", platform="upwork"):
    client = Client(name=name, platform=platform)
    session.add(client)
    session.flush()
    return client


def test_migrated_schema_equals_models(tmp_path):
    # Built by the migrations themselves: a new workspace is made from the models
    # (tests/storage/test_fresh_schema.py compares the two object by object).
    from alembic import command

    from freelancer_desk.storage.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.sqlite3'}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_table_is_created(db):
    names = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= names
    assert "alembic_version" in names


@pytest.mark.sqlite_only
def test_sqlite_pragmas(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -1024  # KiB, ~12 MB less RSS


@pytest.mark.sqlite_only
def test_files_are_private(tmp_path, db):
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / "w.sqlite3").stat().st_mode) == 0o600


def test_timestamps_come_from_the_injected_clock(db, clock):
    with db.session() as s:
        client = make_client(s)
    assert client.created_at == T0 and client.updated_at == T0
    clock.advance(hours=1)
    with db.session() as s:
        c = s.get(Client, client.id)
        c.name = "Acme Ltd"
    with db.read() as s:
        c = s.get(Client, client.id)
        assert c.created_at == T0
        assert c.updated_at == T0 + timedelta(hours=1)


def test_instants_round_trip_as_aware_utc(db):
    plus5 = timezone(timedelta(hours=5))
    with db.session() as s:
        client = make_client(s)
        contract = Contract(
            client_id=client.id,
            title="API work",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=5000,
            started_at=datetime(2026, 3, 2, 14, 0, tzinfo=plus5),
        )
        s.add(contract)
    with db.read() as s:
        got = s.get(Contract, contract.id)
        assert got.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        assert got.started_at.tzinfo is UTC


def test_naive_datetime_refused(db):
    with pytest.raises(StatementError, match="naive datetime"), db.session() as s:
        client = make_client(s)
        s.add(
            Contract(
                client_id=client.id,
                title="x",
                platform="upwork",
                kind="fixed",
                started_at=datetime(2026, 3, 2, 9, 0),
            )
        )
    with db.read() as s:  # the unit of work was rolled back whole
        assert s.scalars(select(Client)).all() == []


def test_a_fourth_package_is_refused(db):
    with db.session() as s:
        gig = Gig(title="I will build your API")
        s.add(gig)
        for i, tier in enumerate(("basic", "standard", "premium")):
            s.add(
                GigPackage(
                    gig=gig, tier=tier, position=i, name=tier, price_minor=500, delivery_days=3
                )
            )
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            GigPackage(
                gig_id=gig.id,
                tier="premium",
                position=2,
                name="x",
                price_minor=900,
                delivery_days=1,
            )
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("price_minor", -1), ("delivery_days", 0), ("tier", "deluxe"), ("revisions", -2)],
)
def test_package_checks(db, field, value):
    with db.session() as s:
        gig = Gig(title="I will write tests")
        s.add(gig)
    fields = {
        "tier": "basic",
        "name": "Basic",
        "price_minor": 500,
        "delivery_days": 2,
        field: value,
    }
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(GigPackage(gig_id=gig.id, **fields))


def test_escrow_cannot_release_more_than_funded(db):
    with db.session() as s:
        client = make_client(s)
        contract = Contract(
            client_id=client.id, title="Site", platform="upwork", kind="fixed", started_at=T0
        )
        s.add(contract)
        milestone = Milestone(
            contract=contract,
            title="Design",
            amount_minor=10000,
            currency="USD",
            funded_minor=10000,
        )
        s.add(milestone)
    with pytest.raises(IntegrityError), db.session() as s:
        s.get(Milestone, milestone.id).released_minor = 10001


def test_hourly_contract_needs_a_rate(db):
    with pytest.raises(IntegrityError), db.session() as s:
        client = make_client(s)
        s.add(
            Contract(
                client_id=client.id, title="x", platform="upwork", kind="hourly", started_at=T0
            )
        )


def test_one_running_session_per_device(db):
    with db.session() as s:
        client = make_client(s)
        contract = Contract(
            client_id=client.id,
            title="x",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=100,
            started_at=T0,
        )
        s.add(contract)
        s.add(
            TimeSession(
                contract_id=contract.id,
                started_at=T0,
                last_seen_at=T0,
                device_id="laptop",
            )
        )
    # A stopped session and a session on another device are fine.
    with db.session() as s:
        s.add(
            TimeSession(
                contract_id=contract.id,
                started_at=T0,
                ended_at=T0,
                last_seen_at=T0,
                device_id="laptop",
            )
        )
        s.add(
            TimeSession(
                contract_id=contract.id, started_at=T0, last_seen_at=T0, device_id="desktop"
            )
        )
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            TimeSession(contract_id=contract.id, started_at=T0, last_seen_at=T0, device_id="laptop")
        )


def test_session_needs_exactly_one_target(db):
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(TimeSession(started_at=T0, last_seen_at=T0, device_id="d"))


def test_foreign_keys_enforced(db):
    with pytest.raises(IntegrityError), db.session() as s:
        s.add(
            Contract(
                client_id=uuid.uuid4(), title="x", platform="upwork", kind="fixed", started_at=T0
            )
        )


def test_non_sqlite_file_is_refused_untouched(tmp_path, clock):
    path = tmp_path / "w.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(NotAWorkspace, match="not a Freelancer Desk workspace"):
        open_workspace(tmp_path, f"sqlite:///{path}", clock)
    assert path.read_bytes() == before


@pytest.mark.sqlite_only
def test_truncated_database_is_refused_untouched(tmp_path, clock, db):
    source = db.engine.url.database
    db.dispose()
    path = tmp_path / "cut.sqlite3"
    data = Path(source).read_bytes()
    path.write_bytes(data[:10])
    with pytest.raises(NotAWorkspace):
        open_workspace(tmp_path, f"sqlite:///{path}", clock)
    assert path.read_bytes() == data[:10]


def test_foreign_sqlite_database_is_refused(tmp_path, clock):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAWorkspace, match="another program"):
        open_workspace(tmp_path, f"sqlite:///{path}", clock)


def test_newer_schema_is_refused(tmp_path, clock, db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    url = db.url  # str(engine.url) hides a password
    db.dispose()
    with pytest.raises(SchemaTooNew, match="newer Freelancer Desk"):
        open_workspace(tmp_path / "data", url, clock)
    check = create_engine(url)
    with check.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
        )
    check.dispose()


def test_missing_workspace_not_created_for_reading(tmp_path, clock):
    with pytest.raises(WorkspaceUnavailable, match="no workspace"):
        open_workspace(
            tmp_path / "nope", f"sqlite:///{tmp_path / 'nope' / 'w.sqlite3'}", clock, create=False
        )
    assert not (tmp_path / "nope").exists()


def test_unwritable_data_dir(tmp_path, clock):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WorkspaceUnavailable, match="is a file"):
        open_workspace(blocker, f"sqlite:///{blocker / 'w.sqlite3'}", clock)


@pytest.mark.sqlite_only
def test_backup_is_a_consistent_private_copy(tmp_path, db):
    with db.session() as s:
        make_client(s, "Backed up")
    dest = backup_sqlite(tmp_path / "data" / "w.sqlite3", tmp_path / "b" / "copy.sqlite3")
    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    conn = sqlite3.connect(dest)
    assert conn.execute("SELECT name FROM clients").fetchall() == [("Backed up",)]
    conn.close()


def test_head_constant_matches_the_migration_scripts():
    from freelancer_desk.storage.migrate import HEAD, head_revision

    assert head_revision() == HEAD
