"""tracked_days: the database keeps the per-day summary of tracked time exact through
every kind of write to segments, and both ways of making a schema create its triggers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, insert, select, text, update

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Order,
    Segment,
    TimeSession,
    TrackedDay,
)
from freelancer_desk.storage.models.tracked_days import rebuild, recompute_sql
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
DAY = date(2026, 3, 2)


@pytest.fixture
def db(tmp_path):
    database, _ = open_workspace(
        tmp_path / "data", f"sqlite:///{tmp_path / 'data' / 'w.sqlite3'}", FakeClock(T0)
    )
    yield database
    database.dispose()


def summary(db) -> dict[tuple[date, uuid.UUID], tuple]:
    with db.read() as s:
        return {
            (r.day, r.target_id): (
                r.contract_id,
                r.order_id,
                r.segments,
                r.tracked_seconds,
                r.manual_seconds,
                r.over_limit_seconds,
            )
            for r in s.scalars(select(TrackedDay))
        }


def recomputed(db) -> dict[tuple[date, uuid.UUID], tuple]:
    out = {}
    with db.engine.connect() as conn:
        for day, target, cid, oid, n, seconds, manual, over in conn.exec_driver_sql(
            recompute_sql(conn.dialect.name)
        ):
            day = day if isinstance(day, date) else date.fromisoformat(day)
            ids = [
                v if v is None or isinstance(v, uuid.UUID) else uuid.UUID(v)
                for v in (target, cid, oid)
            ]
            out[(day, ids[0])] = (ids[1], ids[2], n, seconds, manual, over)
    return out


@pytest.fixture
def world(db):
    """Two contracts and an order, one session on the first contract."""
    with db.session() as s:
        client = Client(name="Acme", platform="upwork")
        s.add(client)
        s.flush()
        a = Contract(
            client_id=client.id,
            title="A",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=5000,
            started_at=T0 - timedelta(days=30),
        )
        b = Contract(
            client_id=client.id,
            title="B",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=4000,
            started_at=T0 - timedelta(days=30),
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
        session = TimeSession(
            contract_id=a.id,
            started_at=T0 - timedelta(days=1, hours=1),
            ended_at=T0 + timedelta(hours=3),
            last_seen_at=T0,
            device_id="d1",
        )
        s.add(session)
    return a.id, b.id, order.id, session.id


def session_on(s, contract_id=None, order_id=None):
    """Another session on `contract_id` or `order_id`: a segment moves to another
    contract or order only with its session (rule segment.one_target)."""
    row = TimeSession(
        contract_id=contract_id,
        order_id=order_id,
        started_at=T0 - timedelta(days=2),
        ended_at=T0 + timedelta(days=8),
        last_seen_at=T0,
        device_id=f"d-{contract_id or order_id}",
    )
    s.add(row)
    s.flush()
    return row.id


def seg(session_id, contract_id, at, seconds, **kw):
    return Segment(
        session_id=session_id, contract_id=contract_id, slot_start=at, tracked_seconds=seconds, **kw
    )


def test_insert_update_delete_keep_the_summary_exact(db, world):
    a, b, order, sid = world
    with db.session() as s:
        s.add_all(
            [
                seg(sid, a, T0, 600),
                seg(sid, a, T0 + timedelta(minutes=10), 300, manual=True),
                seg(sid, a, T0 + timedelta(minutes=20), 120, over_limit=True),
                seg(sid, a, T0 - timedelta(hours=10), 200),  # the day before (UTC)
                seg(sid, a, T0 + timedelta(minutes=30), 500, deleted=True),
            ]
        )
    got = summary(db)
    assert got == {
        (DAY, a): (a, None, 3, 1020, 300, 120),
        (DAY - timedelta(days=1), a): (a, None, 1, 200, 0, 0),
    }
    assert got == recomputed(db)
    ids = {}
    with db.read() as s:
        for g in s.scalars(select(Segment)):
            ids[(g.slot_start, g.tracked_seconds)] = g.id
    first = ids[(T0, 600)]
    with db.session() as s:  # the ORM: one attribute at a time
        g = s.get(Segment, first)
        g.tracked_seconds = 450
    assert summary(db)[(DAY, a)] == (a, None, 3, 870, 300, 120)
    with db.session() as s:
        s.get(Segment, first).over_limit = True
        s.get(Segment, ids[(T0 + timedelta(minutes=10), 300)]).manual = False
    assert summary(db)[(DAY, a)] == (a, None, 3, 870, 0, 570)
    with db.session() as s:  # a deleted segment counts nowhere; undeleting brings it back
        s.get(Segment, first).deleted = True
        s.get(Segment, ids[(T0 + timedelta(minutes=30), 500)]).deleted = False
    assert summary(db)[(DAY, a)] == (a, None, 3, 920, 0, 120)
    with db.session() as s:  # moved to another contract and to another day
        g = s.get(Segment, ids[(T0 + timedelta(minutes=30), 500)])
        g.session_id, g.contract_id = session_on(s, contract_id=b), b
        g.slot_start = T0 + timedelta(days=1)
    assert summary(db) == recomputed(db)
    assert summary(db)[(DAY + timedelta(days=1), b)] == (b, None, 1, 500, 0, 0)
    assert summary(db)[(DAY, a)] == (a, None, 2, 420, 0, 120)
    with db.engine.begin() as conn:  # Core: many rows in one statement, no change at all
        conn.execute(update(Segment).values(memo="x"))
        conn.execute(
            update(Segment)
            .where(Segment.contract_id == a)
            .values(tracked_seconds=Segment.tracked_seconds, deleted=Segment.deleted)
        )
    assert summary(db) == recomputed(db)
    with db.session() as s:  # the last segment of a day goes: so does its row
        s.execute(delete(Segment).where(Segment.slot_start < T0 - timedelta(hours=1)))
    assert (DAY - timedelta(days=1), a) not in summary(db)
    with db.session() as s:  # to an order, and a segment with a zero time still counts
        g = s.get(Segment, ids[(T0 + timedelta(minutes=20), 120)])
        g.session_id = session_on(s, order_id=order)
        g.contract_id, g.order_id, g.tracked_seconds = None, order, 0
    assert summary(db)[(DAY, order)] == (None, order, 1, 0, 0, 0)
    assert summary(db) == recomputed(db)


def test_executemany_and_cascades(db, world):
    a, b, _order, sid = world
    rows = [
        {
            "id": uuid.uuid4(),
            "session_id": sid,
            "contract_id": a,
            "slot_start": T0 - timedelta(days=1) + timedelta(minutes=10 * i),
            "tracked_seconds": 60 * (i % 11),
            "activity": [],
            "active_minutes": 0,
            "memo": "",
            "manual": i % 3 == 0,
            "idle": False,
            "over_limit": i % 5 == 0,
            "deleted": i % 7 == 0,
            "snapshot_missing": False,
            "created_at": T0,
            "updated_at": T0,
        }
        for i in range(200)  # over two UTC days
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Segment), rows)
    got = summary(db)
    assert len(got) == 2 and got == recomputed(db)
    assert sum(v[3] for v in got.values()) == sum(
        r["tracked_seconds"] for r in rows if not r["deleted"]
    )
    with db.session() as s:  # another session on B, deleted through the ORM's cascade
        other = TimeSession(
            contract_id=b,
            started_at=T0,
            ended_at=T0 + timedelta(hours=1),
            last_seen_at=T0,
            device_id="d2",
        )
        s.add(other)
        s.flush()
        s.add_all([seg(other.id, b, T0 + timedelta(minutes=10 * i), 600) for i in range(6)])
    assert summary(db)[(DAY, b)] == (b, None, 6, 3600, 0, 0)
    with db.session() as s:
        s.delete(s.get(TimeSession, other.id))
    assert (DAY, b) not in summary(db)
    assert summary(db) == recomputed(db)
    with db.session() as s:  # the database's own ON DELETE CASCADE: the contract goes
        s.execute(delete(TimeSession).where(TimeSession.id == sid))
    assert summary(db) == {} == recomputed(db)


def test_rebuild_gives_what_the_triggers_keep(db, world):
    a, _b, _order, sid = world
    with db.session() as s:
        s.add_all([seg(sid, a, T0 + timedelta(minutes=10 * i), 100 + i) for i in range(10)])
    kept = summary(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tracked_days SET tracked_seconds = 1"))
        rebuild(conn)
    assert summary(db) == kept == recomputed(db)


@pytest.mark.sqlite_only
def test_create_all_makes_the_same_triggers_as_the_migration(db, tmp_path):
    def triggers(engine):
        with engine.connect() as conn:
            return dict(
                conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                ).all()
            )

    engine = create_engine(f"sqlite:///{tmp_path / 'made.sqlite3'}")
    Base.metadata.create_all(engine)
    made = triggers(engine)
    engine.dispose()
    assert len([name for name in made if name.startswith("trg_segments_tracked_days_")]) == 3
    assert triggers(db.engine) == made
