"""segment.one_target: a segment is for exactly one contract or order, its session's —
refused by the database's triggers as a RuleError naming the rule, whichever way it is
written; a session given another target takes its segments along; migration 0012
repairs old rows from their session or stops, changing nothing, naming those it cannot."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.storage.errors import StorageError
from freelancer_desk.storage.migrate import HEAD, alembic_config, current_revision, upgrade
from freelancer_desk.storage.models import Client, Contract, Order, Segment, TimeSession
from freelancer_desk.storage.models.tracked_days import recompute_sql
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULE = "segment.one_target"


@pytest.fixture
def db(tmp_path):
    database, _ = open_workspace(
        tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'w.sqlite3'}", FakeClock(T0)
    )
    yield database
    database.dispose()


@pytest.fixture
def world(db):
    """Contracts A and B, an order, and a session on each of A and the order."""
    with db.session() as s:
        client = Client(name="Acme", platform="upwork")
        s.add(client)
        s.flush()
        a, b = (
            Contract(
                client_id=client.id,
                title=title,
                platform="upwork",
                kind="hourly",
                hourly_rate_minor=5000,
                started_at=T0 - timedelta(days=30),
            )
            for title in ("A", "B")
        )
        order = Order(
            client_id=client.id,
            title="Logo",
            package_tier="basic",
            price_minor=10000,
            currency="USD",
            fee_bp=2000,
            ordered_at=T0 - timedelta(days=3),
        )
        s.add_all([a, b, order])
        s.flush()
        on_a = _session(contract_id=a.id, device="d1")
        on_order = _session(order_id=order.id, device="d2")
        s.add_all([on_a, on_order])
    return a.id, b.id, order.id, on_a.id, on_order.id


def _session(contract_id=None, order_id=None, device="d1") -> TimeSession:
    return TimeSession(
        contract_id=contract_id,
        order_id=order_id,
        started_at=T0,
        ended_at=T0 + timedelta(hours=2),
        last_seen_at=T0,
        device_id=device,
    )


def seg(session_id, contract_id=None, order_id=None, minutes=0) -> Segment:
    return Segment(
        session_id=session_id,
        contract_id=contract_id,
        order_id=order_id,
        slot_start=T0 + timedelta(minutes=minutes),
        tracked_seconds=600,
    )


def segments(db) -> list[tuple]:
    with db.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Segment.session_id, Segment.contract_id, Segment.order_id).order_by(
                    Segment.slot_start
                )
            )
        ]


def summary_matches(db) -> bool:
    with db.read() as s:
        dialect = s.get_bind().dialect.name
        stored = s.execute(
            text(
                "SELECT day, target_id, segments, tracked_seconds FROM tracked_days "
                "ORDER BY day, target_id"
            )
        ).all()
        wanted = s.execute(
            text(
                f"SELECT day, target_id, segments, tracked_seconds FROM ({recompute_sql(dialect)})"
                " r ORDER BY day, target_id"
            )
        ).all()
    return [tuple(r) for r in stored] == [tuple(r) for r in wanted]


@pytest.mark.parametrize(
    "targets",
    ["other contract", "both", "neither", "order of a contract's session"],
)
def test_a_segment_off_its_sessions_target_is_refused_naming_the_rule(db, world, targets):
    a, b, order, on_a, _on_order = world
    given = {
        "other contract": {"contract_id": b},
        "both": {"contract_id": a, "order_id": order},
        "neither": {},
        "order of a contract's session": {"order_id": order},
    }[targets]
    with pytest.raises(RuleError) as refused, db.session() as s:
        s.add(seg(on_a, **given))
    assert refused.value.rule == RULE
    assert str(refused.value) == (
        "a segment is for exactly one contract or order, the same as its session "
        "(rule: segment.one_target)"
    )
    assert segments(db) == []


def test_the_right_target_is_written_and_core_writes_are_refused_too(db, world):
    a, b, order, on_a, on_order = world
    with db.session() as s:
        s.add_all([seg(on_a, contract_id=a), seg(on_order, order_id=order, minutes=10)])
    assert segments(db) == [(on_a, a, None), (on_order, None, order)]
    row = {
        "id": uuid.uuid4(),
        "session_id": on_a,
        "contract_id": b,
        "slot_start": T0 + timedelta(minutes=20),
        "tracked_seconds": 60,
        "activity": [],
        "created_at": T0,
        "updated_at": T0,
    }
    with pytest.raises(RuleError, match="exactly one contract or order"), db.session() as s:
        s.execute(insert(Segment), [row])  # an executemany, as a restore or bulk write
    # Outside a unit of work the driver's error still names the rule first.
    refused = pytest.raises(IntegrityError, match=f"{RULE}: a segment is for exactly one")
    with refused, db.engine.begin() as conn:
        conn.execute(update(Segment).where(Segment.session_id == on_a).values(order_id=order))
    assert segments(db) == [(on_a, a, None), (on_order, None, order)]


def test_a_segment_moves_only_with_its_session(db, world):
    a, b, _order, on_a, _on_order = world
    with db.session() as s:
        s.add(seg(on_a, contract_id=a))
        on_b = _session(contract_id=b, device="d3")
        s.add(on_b)
    with pytest.raises(RuleError), db.session() as s:
        s.scalars(select(Segment)).one().contract_id = b
    with db.session() as s:  # target and session together
        moved = s.scalars(select(Segment)).one()
        moved.session_id, moved.contract_id = on_b.id, b
    assert segments(db) == [(on_b.id, b, None)]
    assert summary_matches(db)


def test_a_session_given_another_target_takes_its_segments(db, world):
    a, b, order, on_a, _on_order = world
    with db.session() as s:
        s.add_all([seg(on_a, contract_id=a), seg(on_a, contract_id=a, minutes=10)])
    with db.session() as s:
        s.get(TimeSession, on_a).contract_id = b
    assert segments(db) == [(on_a, b, None), (on_a, b, None)]
    with db.session() as s:  # from a contract to an order: both columns move
        session = s.get(TimeSession, on_a)
        session.contract_id, session.order_id = None, order
    assert segments(db) == [(on_a, None, order), (on_a, None, order)]
    assert summary_matches(db)


# -- migration 0012 ------------------------------------------------------------------------


def _before_0012(db, steps: int = 1) -> str:
    """Take the schema back `steps` revisions before HEAD (0012's downgrade drops the
    triggers), as an old workspace is."""
    config = alembic_config()
    scripts = ScriptDirectory.from_config(config)
    previous: object = HEAD
    for _ in range(steps):
        previous = scripts.get_revision(str(previous)).down_revision
    assert isinstance(previous, str)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, previous)
    return previous


def test_migration_gives_old_segments_their_sessions_target(db, world):
    a, b, order, on_a, on_order = world
    with db.session() as s:
        s.add_all([seg(on_a, contract_id=a), seg(on_order, order_id=order, minutes=10)])
    _before_0012(db)
    with db.engine.begin() as conn:  # what an older app or another tool could write
        conn.execute(update(Segment).where(Segment.session_id == on_a).values(contract_id=b))
        conn.execute(update(Segment).where(Segment.session_id == on_order).values(contract_id=a))
    assert segments(db) == [(on_a, b, None), (on_order, a, order)]
    result = upgrade(db, None)
    assert result.after == HEAD
    assert segments(db) == [(on_a, a, None), (on_order, None, order)]
    assert summary_matches(db)
    with pytest.raises(RuleError), db.session() as s:  # and the rule holds from now on
        s.add(seg(on_a, contract_id=b, minutes=20))


@pytest.mark.sqlite_only  # an orphan needs foreign keys off, which PostgreSQL cannot
def test_migration_stops_changing_nothing_when_a_session_cannot_say(db, world):
    a, b, _order, on_a, _on_order = world
    with db.session() as s:
        s.add(seg(on_a, contract_id=a))
    # Two steps back: the step before 0012 runs in the same upgrade and must not stay
    # either (SQLite runs DDL outside a transaction unless the upgrade begins one).
    previous = _before_0012(db, steps=2)
    with db.engine.connect() as conn:
        tables_before = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
    orphan, lost_session = uuid.uuid4(), uuid.uuid4()
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        conn.execute(update(Segment).values(contract_id=b))  # repairable alone
        conn.execute(
            insert(Segment),
            [
                {
                    "id": orphan,
                    "session_id": lost_session,
                    "contract_id": a,
                    "slot_start": T0 + timedelta(minutes=30),
                    "tracked_seconds": 60,
                    "activity": [],
                    "created_at": T0,
                    "updated_at": T0,
                }
            ],
        )
        conn.commit()
    before = segments(db)
    with pytest.raises(StorageError) as stopped:
        upgrade(db, None)
    message = str(stopped.value)
    assert message.startswith(
        "cannot upgrade the workspace to schema 0012: 1 segment(s) break the rule "
        "segment.one_target"
    )
    assert f"segment {orphan}" in message and f"session {lost_session}: does not exist" in message
    assert "nothing was changed" in message
    assert segments(db) == before  # the repairable one was not repaired either
    with db.engine.connect() as conn:
        assert current_revision(conn) == previous
        assert set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars()) == (
            tables_before
        )
