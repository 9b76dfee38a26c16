"""Orphan sessions: closed at their last heartbeat when their process is gone; a live
process's session is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.models import TimeSession
from freelancer_desk.tracker.recovery import OsProcesses, recover_orphans

from .conftest import DEVICE, MONDAY_9


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class Processes:
    """A process table for tests: which ids are alive and when they started."""

    def __init__(self, alive: dict[int, datetime | None]) -> None:
        self.table = alive

    def alive(self, pid: int) -> bool:
        return pid in self.table

    def started_at(self, pid: int) -> datetime | None:
        return self.table.get(pid)


def crashed_session(make_tracker, drive, contract, pid, minutes=25):
    """A tracker that tracked `minutes` and then vanished without stopping."""
    tracker = make_tracker(pid=pid)
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(minutes * 60)
    tracker.heartbeat()
    return tracker


def session_row(db):
    with db.read() as s:
        row = s.scalars(select(TimeSession)).one()
        s.expunge_all()
        return row


def test_dead_process_session_is_closed_at_its_last_heartbeat(
    db, clock, make_tracker, drive, contract
):
    crashed_session(make_tracker, drive, contract, dead_pid())
    last_seen = session_row(db).last_seen_at
    assert last_seen == MONDAY_9 + timedelta(minutes=25)
    clock.advance(hours=2)
    (recovered,) = recover_orphans(db, clock, DEVICE)
    assert recovered.message == "closed session on Acme API at 09:25 UTC, kept 25 min"
    row = session_row(db)
    assert (row.ended_at, row.end_reason) == (last_seen, "orphaned")
    assert recover_orphans(db, clock, DEVICE) == []


def test_a_crash_loses_at_most_the_minute_since_the_heartbeat(
    db, clock, make_tracker, drive, contract
):
    crashed_session(make_tracker, drive, contract, dead_pid(), minutes=3)
    drive.run(55)  # worked on, then the process died before the next write
    clock.advance(600)
    (recovered,) = recover_orphans(db, clock, DEVICE)
    worked = 180 + 55
    assert worked - 60 <= recovered.kept_seconds <= worked
    # Segments and heartbeat are written together: the session ends where its time does.
    assert recovered.ended_at == MONDAY_9 + timedelta(seconds=recovered.kept_seconds)


def test_live_process_is_never_touched_even_with_a_stale_heartbeat(
    db, make_tracker, drive, contract
):
    # This very process, its session started now (after the process): after a suspend
    # its heartbeat is hours old, and it is still not an orphan.
    now = datetime.now(UTC)
    clock = FakeClock(now)
    drive.clock = clock
    tracker = make_tracker(pid=os.getpid(), clock=clock)
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(120)
    tracker.heartbeat()
    for hours in (0, 5):
        clock.advance(hours=hours)
        assert recover_orphans(db, clock, DEVICE) == []
        assert session_row(db).ended_at is None


@pytest.mark.parametrize(
    ("alive", "started_offset", "stale_minutes", "orphan"),
    [
        (False, None, 0, True),  # process gone: at once, however fresh the heartbeat
        (True, None, 1, False),  # alive, fresh heartbeat
        (True, None, 30, False),  # alive, start time unknown: never touched
        (True, -3600, 30, False),  # alive, started before the session: the owner, asleep
        (True, 600, 30, True),  # id reused by a process started after the session
        (True, 600, 1, False),  # ...but the heartbeat is fresh: not ours to judge
    ],
)
def test_orphan_rules(
    db, clock, make_tracker, drive, contract, alive, started_offset, stale_minutes, orphan
):
    crashed_session(make_tracker, drive, contract, 4242, minutes=2)
    started = None if started_offset is None else MONDAY_9 + timedelta(seconds=started_offset)
    processes = Processes({4242: started} if alive else {})
    clock.advance(minutes=stale_minutes)
    result = recover_orphans(db, clock, DEVICE, processes=processes)
    assert bool(result) is orphan
    assert (session_row(db).end_reason == "orphaned") is orphan


def test_other_devices_are_not_touched(db, clock, make_tracker, drive, contract):
    crashed_session(make_tracker, drive, contract, dead_pid())
    clock.advance(hours=1)
    assert recover_orphans(db, clock, "another-device") == []


def test_start_closes_orphans_and_reports_them(db, clock, make_tracker, drive, contract):
    crashed_session(make_tracker, drive, contract, dead_pid(), minutes=12)
    clock.advance(hours=1)
    fresh = make_tracker(pid=os.getpid())
    started = fresh.start(contract)
    assert [r.message for r in started.recovered] == [
        "closed session on Acme API at 09:12 UTC, kept 12 min"
    ]


def test_a_closed_session_stops_its_tracker_at_the_next_heartbeat(
    db, clock, make_tracker, drive, contract
):
    tracker = crashed_session(make_tracker, drive, contract, 4242, minutes=2)
    clock.advance(hours=1)
    recover_orphans(db, clock, DEVICE, processes=Processes({}))
    (notice,) = tracker.heartbeat()
    assert notice.kind == "session_lost"
    assert not tracker.running


def test_os_process_table():
    processes = OsProcesses()
    assert processes.alive(os.getpid())
    assert not processes.alive(dead_pid())
    assert not processes.alive(0)
    if sys.platform.startswith("linux"):
        started = processes.started_at(os.getpid())
        assert started is not None and started <= datetime.now(UTC)
