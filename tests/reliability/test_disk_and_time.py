"""Disk full and unwritable folders, and the clocks: tracking goes on, nothing is
counted silently. Extends tests/tracker (test_snapshots.py: a file where the folder
should be, a failing screen, no partial file on ENOSPC; test_engine.py: suspend, clock
forward and back, DST) with a read-only folder, a disk that fills and frees, a database
that cannot be written for a while, a time-zone change, and random clock moves."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession

from freelancer_desk.storage.models import Segment, Snapshot
from freelancer_desk.tracker.engine import InterruptionKind
from freelancer_desk.tracker.screen import SnapshotStore, verify_chain
from tests.tracker.conftest import DEVICE


def flags(db) -> list[tuple[int, bool, bool]]:
    """(tracked seconds, snapshot_missing, has a snapshot) per segment, in time order."""
    with db.read() as s:
        rows = s.scalars(select(Segment).order_by(Segment.slot_start)).all()
        taken = set(s.scalars(select(Snapshot.segment_id)).all())
        return [(r.tracked_seconds, r.snapshot_missing, r.id in taken) for r in rows]


def failed_notices(drive) -> list[str]:
    return [n.message for n in drive.notices if n.kind == "snapshot_failed"]


def test_disk_full_then_freed_keeps_tracking_and_tells_once_per_run(
    db, tracker, drive, contract, monkeypatch, data_dir
):
    real = SnapshotStore._write
    full = {"on": True}

    def write(self, rel, data):
        if full["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, rel, data)

    monkeypatch.setattr(SnapshotStore, "_write", write)
    tracker.start(contract)
    drive.run(1800)  # three segments on a full disk
    full["on"] = False
    drive.run(600)  # space again
    full["on"] = True
    drive.run(600)  # full again: a new run of failures, told again
    assert tracker.stop().tracked_seconds == 3000
    assert flags(db) == [
        (600, True, False),
        (600, True, False),
        (600, True, False),
        (600, False, True),
        (600, True, False),
    ]
    told = failed_notices(drive)
    assert len(told) == 2 and "No space left on device" in told[0]
    assert "tracking goes on" in told[0]
    assert verify_chain(db, SnapshotStore(data_dir / "snapshots"), DEVICE).ok
    leftovers = [p for p in (data_dir / "snapshots").rglob("*") if p.is_file()]
    assert len(leftovers) == 2  # the one snapshot and its thumbnail; no partial file


def _read_only_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "read-only"
    folder.mkdir()
    os.chmod(folder, 0o500)
    if os.access(folder, os.W_OK):  # root ignores the mode: a folder the kernel refuses
        return Path("/sys/freelancer-desk-test") / "snapshots"
    return folder / "snapshots"


def test_read_only_snapshot_folder_keeps_tracking(db, make_tracker, drive, contract, tmp_path):
    tracker = make_tracker(snapshot_dir=_read_only_folder(tmp_path))
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(1200)
    assert tracker.stop().tracked_seconds == 1200
    assert flags(db) == [(600, True, False), (600, True, False)]
    assert len(failed_notices(drive)) == 1
    os.chmod(tmp_path / "read-only", 0o700)


@pytest.mark.parametrize("fails_at", ["commit", "begin"])
def test_database_unwritable_for_a_while_loses_nothing(
    db, tracker, drive, contract, monkeypatch, fails_at
):
    """The disk holding the database fills up (SQLite: 'database or disk is full'; a
    write lock held too long fails the same way) from 09:06 to 09:10:30, across a segment
    boundary: ticks and heartbeats fail and are reported, tracking goes on in memory, and
    the first writes after the disk frees up save the segment that ended meanwhile."""
    full = {"on": False}
    disk_full = OperationalError("COMMIT", {}, Exception("database or disk is full"))
    if fails_at == "commit":
        real_commit = OrmSession.commit

        def commit(self):
            if full["on"]:
                raise disk_full
            return real_commit(self)

        monkeypatch.setattr(OrmSession, "commit", commit)
    else:
        real_session = type(db).session

        def session(self):
            if full["on"]:
                raise disk_full
            return real_session(self)

        monkeypatch.setattr(type(db), "session", session)
    tracker.start(contract)
    drive.run(360)  # 09:00-09:06
    tracker.heartbeat()
    full["on"] = True
    failures = 0
    for step in range(54):  # 09:06-09:10:30 in 5 s ticks, a heartbeat a minute
        drive.clock.advance(5)
        drive.activity.touch()
        try:
            tracker.tick()
            if step % 12 == 11:
                tracker.heartbeat()
        except OperationalError:
            failures += 1
    full["on"] = False
    drive.run(90)  # 09:10:30-09:12
    tracker.heartbeat()
    stopped = tracker.stop()
    assert failures >= 4
    with db.read() as s:
        stored = [
            (r.slot_start.strftime("%H:%M"), r.tracked_seconds)
            for r in s.scalars(select(Segment).order_by(Segment.slot_start))
        ]
    assert sum(t for _slot, t in stored) == stopped.tracked_seconds
    assert stored == [("09:00", 600), ("09:10", 120)]
    assert stopped.tracked_seconds == 720


def test_a_time_zone_change_while_tracking_counts_real_time_only(
    db, tracker, drive, contract, monkeypatch
):
    tracker.start(contract)
    drive.run(300)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")  # UTC+14 from UTC-10 (Honolulu)
    time.tzset()
    try:
        drive.run(300)
    finally:
        monkeypatch.undo()
        time.tzset()
    stopped = tracker.stop()
    assert stopped.pending == () and stopped.tracked_seconds == 600


def test_idle_after_the_clock_went_back_never_takes_back_earlier_work(db, tracker, drive, contract):
    tracker.start(contract)
    drive.run(600)  # 09:00-09:10 worked
    drive.clock.jump(-600)  # the clock is set back to 09:00
    drive.run(700, active=False)  # then nobody touches anything for 11 2/3 minutes
    stopped = tracker.stop()
    assert stopped.tracked_seconds == 600  # was 0: the idle take-back removed the work
    with db.read() as s:
        assert s.scalars(select(Segment.tracked_seconds)).all() == [600]
    assert {p.kind for p in stopped.pending} <= {
        InterruptionKind.CLOCK_BACK,
        InterruptionKind.IDLE,
    }


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["work", "jump", "suspend", "idle"]),
            st.integers(min_value=-7200, max_value=7200),
        ),
        min_size=1,
        max_size=10,
    )
)
@example(steps=[("jump", -721), ("idle", 595), ("idle", 116)])  # took back work: fixed
@example(steps=[("work", 23), ("suspend", 3600), ("idle", 1100)])
def test_no_clock_move_is_ever_counted_silently(make_tracker, make_contract, clock, steps):
    """Random work, clock jumps back and forward, suspends and idle stretches: tracked
    time never exceeds the time really worked (plus the drift under the tracker's jump
    tolerance, which is counted as it is on the wall clock), and no segment holds more
    than 600 s."""
    from freelancer_desk.tracker.activity import FakeActivity

    activity = FakeActivity()
    tracker = make_tracker(activity=activity)
    contract = make_contract(f"prop {clock.now().timestamp()}")
    clock.advance(86400)  # clear of earlier examples' time
    tracker.start(contract)
    worked = 0
    drift = 0
    for kind, amount in steps:
        if kind == "work":
            for _ in range(abs(amount) % 24 + 1):
                clock.advance(5)
                activity.touch()
                tracker.tick()
                worked += 5
        elif kind == "jump":
            clock.jump(amount)
            drift += max(0, amount) if abs(amount) <= tracker.jump_tolerance else 0
            activity.touch()
            tracker.tick()
        elif kind == "suspend":
            clock.suspend(abs(amount))
            drift += abs(amount) if abs(amount) <= tracker.jump_tolerance else 0
            activity.touch()
            tracker.tick()
        else:
            away = abs(amount) % 1200 + 5
            clock.advance(away)
            activity.advance(away)
            tracker.tick()
            worked += away  # time passed; counted only while under the idle threshold
    stopped = tracker.stop()
    assert stopped.tracked_seconds <= worked + drift
    with tracker.db.read() as s:
        seconds = s.scalars(
            select(Segment.tracked_seconds).where(Segment.session_id == stopped.session_id)
        ).all()
    assert all(0 <= t <= 600 for t in seconds)
    assert sum(seconds) == stopped.tracked_seconds
    kinds = {InterruptionKind.SLEEP, InterruptionKind.CLOCK_BACK, InterruptionKind.IDLE}
    assert all(p.kind in kinds for p in stopped.pending)
