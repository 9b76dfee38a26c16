"""Another machine takes over a session (its device went silent for 10 minutes): the
silent tracker, when it wakes, must not write one more second into the closed session —
whichever of its jobs runs first, a tick or the heartbeat."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from freelancer_desk.storage.models import Interruption, Segment, Snapshot, TimeSession
from freelancer_desk.tracker.engine import OTHER_DEVICE_STALE_AFTER


def closed_session_state(db, session_id):
    with db.read() as s:
        row = s.get(TimeSession, session_id)
        seconds = s.scalar(
            select(func.coalesce(func.sum(Segment.tracked_seconds), 0)).where(
                Segment.session_id == session_id
            )
        )
        latest = s.scalar(
            select(func.max(Segment.slot_start)).where(Segment.session_id == session_id)
        )
        held = s.scalars(
            select(Interruption.starts_at).where(Interruption.session_id == session_id)
        ).all()
        snapshots = s.scalar(
            select(func.count())
            .select_from(Snapshot)
            .join(Segment, Segment.id == Snapshot.segment_id)
            .where(Segment.session_id == session_id)
        )
        return row.ended_at, row.end_reason, row.last_seen_at, seconds, latest, held, snapshots


def take_over(make_tracker, clock, laptop, contract):
    """The laptop tracked, then went silent; the desktop starts on the same contract
    once the laptop's last heartbeat is OTHER_DEVICE_STALE_AFTER old."""
    clock.advance((OTHER_DEVICE_STALE_AFTER + timedelta(seconds=30)).total_seconds())
    desktop = make_tracker(device_id="desktop", pid=5151)
    started = desktop.start(contract)
    assert [r.session_id for r in started.recovered] == [str(laptop.status().session_id)]
    return desktop


def test_a_tick_after_a_takeover_writes_nothing_into_the_closed_session(
    db, clock, make_tracker, drive, contract
):
    laptop = drive.tracker
    session_id = laptop.start(contract).session_id
    drive.run(3 * 60)  # written at least every minute: the session's last heartbeat
    desktop = take_over(make_tracker, clock, laptop, contract)
    at_takeover = closed_session_state(db, session_id)
    assert at_takeover[1] == "orphaned"

    # The laptop wakes and its tick runs before its heartbeat: the first tick holds the
    # silent stretch, the next ones count work, and the minute-old segment is written.
    drive.run(2 * 60)

    assert closed_session_state(db, session_id)[:5] == at_takeover[:5]
    assert not laptop.status().running
    assert [n.kind for n in drive.notices] == ["session_lost"]
    # The stretch it slept through lies after the session's end: no question about it.
    ended = at_takeover[0]
    assert all(start < ended for start in closed_session_state(db, session_id)[5])
    assert all(i.session_id != session_id or i.start < ended for i in laptop.pending())
    drive.run(60)
    assert len(drive.notices) == 1  # told once
    assert desktop.status().running


def test_a_snapshot_taken_while_the_session_was_closed_is_not_recorded(
    db, clock, make_tracker, drive, contract, screen
):
    laptop = drive.tracker
    session_id = laptop.start(contract).session_id
    drive.run(60)
    take_over(make_tracker, clock, laptop, contract)
    before = closed_session_state(db, session_id)
    # The laptop's segment is due for its snapshot right at the first tick after waking.
    run = laptop._run
    assert run is not None
    run.live = None  # the next counted second opens a segment whose moment is now
    laptop.rng.random = lambda: 0.0  # type: ignore[method-assign]
    drive.run(30)
    after = closed_session_state(db, session_id)
    assert after[6] == before[6] == 0
    assert after[3] == before[3]
    assert not laptop.status().running
    assert not any((laptop.store.root).rglob("*.jpg"))


def test_stop_after_a_takeover_reports_the_loss(db, clock, make_tracker, drive, contract):
    laptop = drive.tracker
    session_id = laptop.start(contract).session_id
    drive.run(90)
    take_over(make_tracker, clock, laptop, contract)
    before = closed_session_state(db, session_id)
    stopped = laptop.stop()
    assert [n.kind for n in stopped.notices] == ["session_lost"]
    assert stopped.ended_at == before[0]
    after = closed_session_state(db, session_id)
    assert after[:5] == before[:5]  # still ended at the last heartbeat, as orphaned
    assert not laptop.status().running


def close_elsewhere(db, session_id):
    """Another process closes the session at its last heartbeat (an orphan recovery on
    another device that thought this one silent, or a `track stop` aimed at it)."""
    with db.session() as s:
        row = s.get(TimeSession, session_id)
        row.ended_at = row.last_seen_at
        row.end_reason = "orphaned"


def test_idle_taken_back_after_a_close_elsewhere_writes_nothing(db, drive, contract):
    """The idle threshold is reached after the session was closed elsewhere: the counted
    idle minutes lie in segments already written, and taking them back must not touch the
    closed session's rows."""
    laptop = drive.tracker
    session_id = laptop.start(contract).session_id
    drive.run(60)
    drive.run(9 * 60 + 30, active=False)  # idle for 570 s: written each minute, not held
    close_elsewhere(db, session_id)
    before = closed_session_state(db, session_id)

    drive.run(40, active=False)  # the threshold (600 s) is crossed before the next write

    assert closed_session_state(db, session_id)[:5] == before[:5]
    assert [n.kind for n in drive.notices] == ["session_lost"]
    assert not laptop.status().running
    assert laptop.pending() == ()


def test_keeping_idle_time_after_a_close_elsewhere_lands_in_the_database(db, drive, contract):
    """The user comes back and keeps the held idle time, but meanwhile the session was
    closed elsewhere: tracking stops, and the kept time is the closed session's, written
    to its rows as after a restart — none of it goes into the lost in-memory segment."""
    laptop = drive.tracker
    session_id = laptop.start(contract).session_id
    drive.run(60)
    drive.run(11 * 60, active=False)  # held as idle
    drive.run(5)  # back: the idle stretch is closed and waits for a decision
    (held,) = laptop.pending()
    close_elsewhere(db, session_id)
    before = closed_session_state(db, session_id)

    resolution = laptop.resolve(held, "keep")

    after = closed_session_state(db, session_id)
    assert resolution.kept_seconds > 0
    assert after[3] - before[3] == resolution.kept_seconds
    assert after[:3] == before[:3]  # still closed where the other process closed it
    assert not laptop.status().running
    assert laptop.pending() == ()
