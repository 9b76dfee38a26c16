"""tracked_weeks: the database keeps the per-UTC-week summary of tracked time exact
through every kind of write to segments (it is tracked_days summed per week), and both
ways of making a schema create its triggers."""

from __future__ import annotations

import uuid
from collections import defaultdict
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
    TrackedWeek,
)
from freelancer_desk.storage.models.tracked_weeks import rebuild, recompute_sql
from freelancer_desk.storage.workspace import open_workspace

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday, midnight: the week's first instant
WEEK = date(2026, 3, 2)
BEFORE = date(2026, 2, 23)  # the week before (its Sunday ends at T0)


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
            (r.week, r.target_id): (
                r.contract_id,
                r.order_id,
                r.segments,
                r.tracked_seconds,
                r.manual_seconds,
                r.over_limit_seconds,
            )
            for r in s.scalars(select(TrackedWeek))
        }


def recomputed(db) -> dict[tuple[date, uuid.UUID], tuple]:
    out = {}
    with db.engine.connect() as conn:
        for week, target, cid, oid, n, seconds, manual, over in conn.exec_driver_sql(
            recompute_sql(conn.dialect.name)
        ):
            week = week if isinstance(week, date) else date.fromisoformat(week)
            ids = [
                v if v is None or isinstance(v, uuid.UUID) else uuid.UUID(v)
                for v in (target, cid, oid)
            ]
            out[(week, ids[0])] = (ids[1], ids[2], n, seconds, manual, over)
    return out


def days_per_week(db) -> dict[tuple[date, uuid.UUID], tuple]:
    """tracked_days summed per UTC week: what tracked_weeks must hold."""
    out: dict[tuple[date, uuid.UUID], list] = defaultdict(lambda: [None, None, 0, 0, 0, 0])
    with db.read() as s:
        for r in s.scalars(select(TrackedDay)):
            row = out[(r.day - timedelta(days=r.day.weekday()), r.target_id)]
            row[0], row[1] = r.contract_id, r.order_id
            for i, v in enumerate(
                (r.segments, r.tracked_seconds, r.manual_seconds, r.over_limit_seconds), 2
            ):
                row[i] += v
    return {k: tuple(v) for k, v in out.items()}


def exact(db) -> dict[tuple[date, uuid.UUID], tuple]:
    got = summary(db)
    assert got == recomputed(db) == days_per_week(db)
    return got


@pytest.fixture
def world(db):
    """Two contracts and an order, one session on the first contract."""
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
        session = TimeSession(
            contract_id=a.id,
            started_at=T0 - timedelta(days=8),
            ended_at=T0 + timedelta(days=8),
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
    last_slot = T0 - timedelta(minutes=10)  # Sunday 23:50 UTC: the week before
    with db.session() as s:
        s.add_all(
            [
                seg(sid, a, T0, 600),
                seg(sid, a, T0 + timedelta(days=6, hours=23, minutes=50), 300, manual=True),
                seg(sid, a, T0 + timedelta(days=3), 120, over_limit=True),
                seg(sid, a, last_slot, 200),
                seg(sid, a, T0 + timedelta(days=7), 50),  # the next Monday: the next week
                seg(sid, a, T0 + timedelta(minutes=30), 500, deleted=True),
            ]
        )
    got = exact(db)
    assert got == {
        (WEEK, a): (a, None, 3, 1020, 300, 120),
        (BEFORE, a): (a, None, 1, 200, 0, 0),
        (WEEK + timedelta(days=7), a): (a, None, 1, 50, 0, 0),
    }
    ids = {}
    with db.read() as s:
        for g in s.scalars(select(Segment)):
            ids[(g.slot_start, g.tracked_seconds)] = g.id
    first = ids[(T0, 600)]
    with db.session() as s:  # the ORM: one attribute at a time
        s.get(Segment, first).tracked_seconds = 450
    assert exact(db)[(WEEK, a)] == (a, None, 3, 870, 300, 120)
    with db.session() as s:
        s.get(Segment, first).over_limit = True
        s.get(Segment, ids[(T0 + timedelta(days=6, hours=23, minutes=50), 300)]).manual = False
    assert exact(db)[(WEEK, a)] == (a, None, 3, 870, 0, 570)
    with db.session() as s:  # a deleted segment counts nowhere; undeleting brings it back
        s.get(Segment, first).deleted = True
        s.get(Segment, ids[(T0 + timedelta(minutes=30), 500)]).deleted = False
    assert exact(db)[(WEEK, a)] == (a, None, 3, 920, 0, 120)
    with db.session() as s:  # moved to another contract and into the week before
        g = s.get(Segment, ids[(T0 + timedelta(minutes=30), 500)])
        g.session_id, g.contract_id = session_on(s, contract_id=b), b
        g.slot_start = last_slot - timedelta(minutes=10)
    got = exact(db)
    assert got[(BEFORE, b)] == (b, None, 1, 500, 0, 0)
    assert got[(WEEK, a)] == (a, None, 2, 420, 0, 120)
    with db.engine.begin() as conn:  # Core: many rows in one statement, no change at all
        conn.execute(update(Segment).values(memo="x"))
        conn.execute(
            update(Segment)
            .where(Segment.contract_id == a)
            .values(tracked_seconds=Segment.tracked_seconds, deleted=Segment.deleted)
        )
    exact(db)
    with db.session() as s:  # the last segment of a week goes: so does its row
        s.execute(delete(Segment).where(Segment.slot_start > T0 + timedelta(days=6, hours=23)))
    assert (WEEK + timedelta(days=7), a) not in exact(db)
    with db.session() as s:  # to an order, and a segment with a zero time still counts
        g = s.get(Segment, ids[(T0 + timedelta(days=3), 120)])
        g.session_id = session_on(s, order_id=order)
        g.contract_id, g.order_id, g.tracked_seconds = None, order, 0
    assert exact(db)[(WEEK, order)] == (None, order, 1, 0, 0, 0)


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
        for i in range(200)  # Sunday and Monday: over two UTC weeks
    ]
    with db.engine.begin() as conn:
        conn.execute(insert(Segment), rows)
    got = exact(db)
    assert set(got) == {(BEFORE, a), (WEEK, a)}
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
    assert exact(db)[(WEEK, b)] == (b, None, 6, 3600, 0, 0)
    with db.session() as s:
        s.delete(s.get(TimeSession, other.id))
    assert (WEEK, b) not in exact(db)
    with db.session() as s:  # the database's own ON DELETE CASCADE
        s.execute(delete(TimeSession).where(TimeSession.id == sid))
    assert exact(db) == {}


def test_rebuild_gives_what_the_triggers_keep(db, world):
    a, _b, _order, sid = world
    with db.session() as s:
        s.add_all([seg(sid, a, T0 + timedelta(hours=7 * i), 100 + i) for i in range(40)])
    kept = exact(db)
    assert len(kept) == 2
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE tracked_weeks SET tracked_seconds = 1"))
        rebuild(conn)
    assert exact(db) == kept


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
    assert len([name for name in made if name.startswith("trg_segments_tracked_weeks_")]) == 3
    assert triggers(db.engine) == made
