"""The beat: tick every 5 s, heartbeat every 60 s, re-armed after a clock discontinuity."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from freelancer_desk.domain.clock import SystemClock
from freelancer_desk.storage.models import TimeSession
from freelancer_desk.tracker.scheduler import (
    HEARTBEAT_JOB,
    TICK_JOB,
    FakeScheduler,
    TrackerScheduler,
    background_scheduler,
)

from .conftest import MONDAY_9


def test_heartbeat_cadence_and_tick_cadence(db, clock, tracker, contract, activity):
    fake = FakeScheduler(clock)
    beat = TrackerScheduler(tracker, clock, fake)
    beat.start(watchdog=False)
    tracker.start(contract)
    seen = []
    for _ in range(5 * 60):
        clock.advance(1)
        activity.touch()
        fake.run_due()
        with db.read() as s:
            seen.append(s.scalars(select(TimeSession.last_seen_at)).one())
    heartbeats = fake.times(HEARTBEAT_JOB)
    assert [t - MONDAY_9 for t in heartbeats] == [timedelta(minutes=m) for m in range(1, 6)]
    assert len(fake.times(TICK_JOB)) == 60
    # The committed heartbeat is never more than a minute behind.
    for step, last_seen in enumerate(seen, start=1):
        assert MONDAY_9 + timedelta(seconds=step) - last_seen <= timedelta(seconds=60)
    assert all(
        job.options == {"coalesce": True, "misfire_grace_time": 30, "max_instances": 1}
        for job in fake.jobs.values()
    )
    beat.shutdown()
    assert not fake.started


def test_a_suspend_rearms_the_timers(clock, tracker, contract, activity):
    fake = FakeScheduler(clock)
    ticks = []
    beat = TrackerScheduler(tracker, clock, fake, on_tick=ticks.append)
    beat.start(watchdog=False)
    tracker.start(contract)
    fake.run_for(30)
    clock.suspend(3600)
    fake.run_for(5)
    assert beat.rearms == 1
    assert any(t.discontinuity for t in ticks)
    assert [i.kind.value for t in ticks for i in t.interruptions] == ["sleep"]


def test_watchdog_rearms_when_ticks_stop_coming(clock, tracker):
    fake = FakeScheduler(clock)
    beat = TrackerScheduler(tracker, clock, fake)
    beat.start(watchdog=False)
    clock.advance(10)
    assert not beat.check()
    clock.advance(10)  # 20 s without a tick: more than three intervals
    assert beat.check()
    assert beat.rearms == 1


def test_a_failing_job_is_reported_not_fatal(clock, tracker, contract):
    fake = FakeScheduler(clock)
    errors = []
    beat = TrackerScheduler(tracker, clock, fake, on_error=errors.append)
    beat.start(watchdog=False)
    tracker.start(contract)

    def broken():
        raise RuntimeError("database is locked")

    tracker.tick = broken  # type: ignore[method-assign]
    fake.run_for(10)
    assert [str(e) for e in errors] == ["database is locked", "database is locked"]


def test_real_background_scheduler_runs_ticks_off_the_calling_thread(make_tracker, contract):
    import threading

    tracker = make_tracker(clock=SystemClock(), activity=None, screen=None)
    threads = set()
    beat = TrackerScheduler(
        tracker,
        SystemClock(),
        background_scheduler(),
        tick_seconds=0.05,
        on_tick=lambda _r: threads.add(threading.current_thread().name),
    )
    tracker.start(contract)
    beat.start()
    deadline = time.monotonic() + 5
    while not threads and time.monotonic() < deadline:
        time.sleep(0.02)
    beat.rearm()
    beat.shutdown()
    tracker.stop()
    assert threads and threading.current_thread().name not in threads
