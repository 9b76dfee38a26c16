"""What the engine keeps in the database beyond segments: held time (interruptions) that
survives a restart or a crash, removed snapshots, order snapshot policy, and the end
reason of time assigned after a clock change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.storage.models import Client, Interruption, Order, Snapshot, TimeSession
from freelancer_desk.tracker.engine import InterruptionKind
from freelancer_desk.tracker.recovery import recover_orphans

from .conftest import DEVICE


def at(hh_mm: str) -> datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return datetime(2026, 1, 5, hour, minute, tzinfo=UTC)


def rows(db):
    with db.read() as s:
        found = s.scalars(select(Interruption).order_by(Interruption.starts_at)).all()
        s.expunge_all()
        return found


class NoProcesses:
    def alive(self, pid: int) -> bool:
        return False

    def started_at(self, pid: int) -> datetime | None:
        return None


def test_held_time_is_written_and_another_process_sees_it(db, make_tracker, drive, contract):
    first = make_tracker()
    drive.tracker = first
    first.start(contract)
    drive.run(60)
    drive.run(1200, active=False)
    drive.run(60)
    first.stop()
    (row,) = rows(db)
    assert (row.kind, row.starts_at, row.device_id, row.resolved_at) == (
        "idle",
        at("09:01"),
        DEVICE,
        None,
    )
    later = make_tracker(pid=5151)  # a restart: a new process, nothing in memory
    (held,) = later.pending()
    assert held.id == row.id and held.seconds == row.seconds
    result = later.resolve(held.id, "keep")
    assert result.kept_seconds == row.seconds
    (row,) = rows(db)
    assert row.decision == "keep" and row.resolved_at is not None
    assert later.pending() == () and first.pending() == ()
    with pytest.raises(RuleError, match="not pending"):
        first.resolve(held.id, "discard")


def test_a_crash_while_away_keeps_the_question(db, clock, make_tracker, drive, contract):
    tracker = make_tracker()
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(120)
    drive.run(900, active=False)  # idle from 09:02, noticed at 09:12
    tracker.heartbeat()  # 09:17: the stretch so far is written
    assert tracker.pending() == ()  # still going on: not a question yet
    drive.run(300, active=False)  # … and the process dies at 09:22 without a word
    (recovered,) = recover_orphans(db, clock, DEVICE, processes=NoProcesses())
    assert recovered.kept_seconds == 120
    (held,) = make_tracker(pid=777).pending()
    assert (held.kind, held.start, held.end) == (InterruptionKind.IDLE, at("09:02"), at("09:17"))


def test_discard_records_the_decision(db, tracker, drive, contract):
    tracker.start(contract)
    drive.run(60)
    drive.run(900, active=False)
    stopped = tracker.stop()
    tracker.resolve(stopped.pending[0], "discard")
    (row,) = rows(db)
    assert row.decision == "discard" and row.assigned_contract_id is None


def test_assign_records_the_contract_and_clock_change_reason(
    db, clock, tracker, drive, contract, make_contract
):
    other = make_contract("Beta site")
    tracker.start(contract)
    drive.run(600)
    clock.jump(-1800)
    drive.run(2100)
    stopped = tracker.stop()
    (held,) = stopped.pending
    assert held.kind is InterruptionKind.CLOCK_BACK
    result = tracker.resolve(held, ("assign", other))
    (row,) = rows(db)
    assert (row.decision, row.assigned_contract_id) == ("assign", other)
    with db.read() as s:
        assert s.get(TimeSession, result.session_id).end_reason == "clock_change"


def test_keep_is_refused_while_another_process_tracks_that_session(
    db, make_tracker, drive, contract
):
    owner = make_tracker()
    drive.tracker = owner
    owner.start(contract)
    drive.run(60)
    drive.run(900, active=False)
    drive.run(60)  # back: the idle stretch is held, the session still runs
    other = make_tracker(pid=9191)
    (held,) = other.pending()
    with pytest.raises(RuleError, match="still tracking in process 4242"):
        other.resolve(held, "keep")
    owner.resolve(held, "keep")
    assert other.pending() == ()


def test_an_order_with_a_snapshot_policy_gets_snapshots(db, clock, tracker, drive):
    with db.session() as s:
        client = Client(name="Buyer", platform="fiverr")
        s.add(client)
        s.flush()
        order = Order(
            client_id=client.id,
            title="Logo order",
            package_tier="basic",
            state="in_progress",
            price_minor=5000,
            currency="USD",
            fee_bp=2000,
            ordered_at=clock.now() - timedelta(days=1),
            snapshot_policy="blurred",
        )
        s.add(order)
    tracker.start(order_id=order.id)
    drive.run(1200)
    tracker.stop()
    with db.read() as s:
        assert len(s.scalars(select(Snapshot)).all()) == 2
