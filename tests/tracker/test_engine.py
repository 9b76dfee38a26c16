"""The engine on a FakeClock: segments, activity, memo, idle, sleep, clock changes,
weekly limits, manual time and deletion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.storage.models import Segment, TimeSession
from freelancer_desk.tracker.engine import InterruptionKind, billing_week

from .conftest import MONDAY_9


def at(hh_mm: str, day: int = 5) -> datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def segments(db, session_id=None, *, deleted=False):
    with db.read() as s:
        query = select(Segment).order_by(Segment.slot_start, Segment.created_at)
        if session_id is not None:
            query = query.where(Segment.session_id == session_id)
        rows = s.scalars(query).all()
        s.expunge_all()  # plain records once the read ends
        return [r for r in rows if deleted or not r.deleted]


def table(db, session_id=None):
    return [(f"{r.slot_start:%H:%M}", r.tracked_seconds) for r in segments(db, session_id)]


# -- alignment ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_offset", "seconds", "expected"),
    [
        (0, 600, [("09:00", 600)]),
        (200, 1200, [("09:00", 400), ("09:10", 600), ("09:20", 200)]),
        (595, 10, [("09:00", 5), ("09:10", 5)]),
        (3000, 1800, [("09:50", 600), ("10:00", 600), ("10:10", 600)]),
        (60, 7, [("09:00", 7)]),
    ],
)
def test_segments_align_to_the_wall_clock(
    db, clock, tracker, drive, contract, start_offset, seconds, expected
):
    clock.advance(start_offset)
    tracker.start(contract, memo="API work")
    drive.run(seconds)
    stopped = tracker.stop()
    assert table(db) == expected
    assert stopped.tracked_seconds == sum(s for _, s in expected)
    assert all(r.slot_start.minute % 10 == 0 and r.slot_start.second == 0 for r in segments(db))


def test_midnight_and_week_crossing(db, clock, tracker, drive, contract):
    clock.set(datetime(2026, 1, 11, 23, 55, tzinfo=UTC))  # a Sunday
    tracker.start(contract)
    drive.run(900)
    tracker.stop()
    rows = segments(db)
    assert [(f"{r.slot_start:%a %H:%M}", r.tracked_seconds) for r in rows] == [
        ("Sun 23:50", 300),
        ("Mon 00:00", 600),
    ]
    assert billing_week(rows[0].slot_start) == datetime(2026, 1, 5, tzinfo=UTC)
    assert billing_week(rows[1].slot_start) == datetime(2026, 1, 12, tzinfo=UTC)


# -- activity -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    ["##########", "#.#.#.#.#.", "###.......", ".........#", "#........#"],
)
def test_activity_per_minute_and_level(db, tracker, drive, contract, pattern):
    tracker.start(contract)
    drive.minutes(pattern)
    tracker.stop()
    (row,) = segments(db)
    assert row.tracked_seconds == 600  # under the idle threshold: all counted
    assert row.activity == [60 if m == "#" else 0 for m in pattern]
    assert row.active_minutes == pattern.count("#")


def test_no_activity_source_counts_time_with_zero_activity(db, make_tracker, drive, contract):
    tracker = make_tracker(activity=None)
    drive.tracker = tracker
    tracker.start(contract)
    drive.run(600)
    tracker.stop()
    (row,) = segments(db)
    assert (row.tracked_seconds, row.active_minutes) == (600, 0)
    assert tracker.status().activity_source is None


# -- memo ---------------------------------------------------------------------------------


def test_memo_change_applies_from_the_current_segment_on(db, tracker, drive, contract):
    tracker.start(contract, memo="  design review ")
    drive.run(720)
    tracker.set_memo("fix login bug")
    drive.run(780)
    tracker.stop()
    assert [(f"{r.slot_start:%H:%M}", r.memo) for r in segments(db)] == [
        ("09:00", "design review"),
        ("09:10", "fix login bug"),
        ("09:20", "fix login bug"),
    ]
    with db.read() as s:
        assert s.scalars(select(TimeSession.memo)).one() == "fix login bug"


def test_memo_with_nul_is_refused(tracker, contract):
    with pytest.raises(RuleError):
        tracker.start(contract, memo="a\x00b")


# -- start / stop / switch -----------------------------------------------------------------


def test_one_running_session_and_switch(db, tracker, drive, make_contract, contract):
    other = make_contract("Beta site")
    tracker.start(contract, memo="a")
    with pytest.raises(RuleError, match="already tracking Acme API"):
        tracker.start(other)
    drive.run(300)
    stopped, started = tracker.switch(other, memo="b")
    assert stopped.tracked_seconds == 300
    drive.run(120)
    tracker.stop()
    with db.read() as s:
        sessions = s.scalars(select(TimeSession).order_by(TimeSession.started_at)).all()
        assert [(x.end_reason, x.contract_id) for x in sessions] == [
            ("switched", contract),
            ("stopped", other),
        ]
        assert sessions[1].id == started.session_id


def test_cannot_track_an_ended_contract(tracker, make_contract):
    ended = make_contract("Old", state="ended")
    with pytest.raises(RuleError, match="the contract is ended"):
        tracker.start(ended)
    with pytest.raises(RuleError, match="nothing is running"):
        tracker.stop()


def test_another_live_process_keeps_its_session(db, make_tracker, contract):
    import os

    first = make_tracker(pid=os.getpid())
    first.start(contract)
    second = make_tracker(pid=os.getpid())
    with pytest.raises(RuleError, match="already tracking"):
        second.start(contract)


# -- idle ----------------------------------------------------------------------------------


def idle_scenario(tracker, drive, contract):
    tracker.start(contract)
    drive.run(120)  # work until 09:02
    drive.run(900, active=False)  # away 15 min
    drive.run(180)  # back at 09:17, work until 09:20
    return tracker.stop()


def test_idle_over_threshold_is_held_not_counted(db, tracker, drive, contract):
    stopped = idle_scenario(tracker, drive, contract)
    assert stopped.tracked_seconds == 295
    assert table(db) == [("09:00", 120), ("09:10", 175)]
    (held,) = stopped.pending
    # Away from the last input (09:02:00) to the first one back (the tick at 09:17:05).
    assert (held.kind, held.start, held.end, held.seconds) == (
        InterruptionKind.IDLE,
        at("09:02"),
        at("09:17") + timedelta(seconds=5),
        905,
    )
    assert "keep, discard or assign" in held.message
    assert drive.interruptions == [held]


def test_idle_under_threshold_is_counted(db, tracker, drive, contract):
    tracker.start(contract)
    drive.run(60)
    drive.run(595, active=False)
    drive.run(5)
    assert tracker.stop().tracked_seconds == 660
    assert tracker.pending() == ()


@pytest.mark.parametrize(
    ("decision", "expected", "flags"),
    [
        ("keep", [("09:00", 600), ("09:10", 600)], [True, True]),
        ("discard", [("09:00", 120), ("09:10", 175)], [False, False]),
    ],
)
def test_resolve_keep_or_discard(db, tracker, drive, contract, decision, expected, flags):
    stopped = idle_scenario(tracker, drive, contract)
    result = tracker.resolve(stopped.pending[0], decision)
    assert result.kept_seconds == (905 if decision == "keep" else 0)
    assert table(db) == expected
    assert [r.idle for r in segments(db)] == flags
    assert tracker.pending() == ()
    with pytest.raises(RuleError, match="not pending"):
        tracker.resolve(stopped.pending[0], "keep")


def test_resolve_assign_to_another_contract(db, tracker, drive, contract, make_contract):
    other = make_contract("Beta site")
    stopped = idle_scenario(tracker, drive, contract)
    result = tracker.resolve(stopped.pending[0].id, ("assign", other))
    assert result.kept_seconds == 905
    assert table(db, stopped.session_id) == [("09:00", 120), ("09:10", 175)]
    assigned = table(db, result.session_id)
    assert assigned == [("09:00", 480), ("09:10", 425)]
    with db.read() as s:
        row = s.get(TimeSession, result.session_id)
        assert (row.contract_id, row.end_reason, row.started_at, row.ended_at) == (
            other,
            "idle",
            at("09:02"),
            at("09:17") + timedelta(seconds=5),
        )


def test_keep_while_still_tracking_updates_the_current_segment(db, tracker, drive, contract):
    tracker.start(contract)
    drive.run(60)
    drive.run(600, active=False)  # idle from 09:01, noticed at 09:11
    drive.run(30)  # back at 09:11:05
    (held,) = tracker.pending()
    assert (held.start, held.end) == (at("09:01"), at("09:11") + timedelta(seconds=5))
    tracker.resolve(held, "keep")
    drive.run(60)
    tracker.stop()
    assert table(db) == [("09:00", 600), ("09:10", 150)]


def test_idle_still_going_on_at_stop_is_pending(tracker, drive, contract):
    tracker.start(contract)
    drive.run(60)
    drive.run(1200, active=False)
    assert tracker.status().idle_since == at("09:01")
    stopped = tracker.stop()
    assert stopped.tracked_seconds == 60
    assert [(p.start, p.end) for p in stopped.pending] == [(at("09:01"), at("09:21"))]


# -- sleep and clock changes ------------------------------------------------------------------


@pytest.mark.parametrize("move", ["suspend", "jump"])
def test_suspend_or_clock_forward_is_held(db, clock, tracker, drive, contract, move):
    tracker.start(contract)
    drive.run(180)
    getattr(clock, move)(3600)  # wall clock +1 h, monotonic not
    drive.run(120)
    stopped = tracker.stop()
    assert stopped.tracked_seconds == 180 + 115
    (held,) = stopped.pending
    assert (held.kind, held.start, held.end) == (
        InterruptionKind.SLEEP,
        at("09:03"),
        at("10:03") + timedelta(seconds=5),
    )
    assert any(r.discontinuity for r in drive.results)
    assert table(db) == [("09:00", 180), ("10:00", 115)]


def test_ticks_stopping_for_long_is_held_even_if_clocks_agree(db, clock, tracker, drive, contract):
    # Windows' monotonic clock runs through suspend: only the gap between ticks tells.
    tracker.start(contract)
    drive.run(60)
    clock.advance(1800)
    drive.activity.touch()
    drive.tracker.tick()
    stopped = tracker.stop()
    assert stopped.tracked_seconds == 60
    assert [(p.kind, p.seconds) for p in stopped.pending] == [(InterruptionKind.SLEEP, 1800)]


def test_clock_set_back_never_counts_a_wall_instant_twice(db, clock, tracker, drive, contract):
    tracker.start(contract)
    drive.run(600)  # 09:00-09:10 counted
    clock.jump(-1800)  # now 08:40
    drive.run(1800 + 300)  # real work 35 min; wall clock back at 09:15
    stopped = tracker.stop()
    assert table(db) == [("09:00", 600), ("09:10", 300)]
    (held,) = stopped.pending
    assert held.kind is InterruptionKind.CLOCK_BACK
    assert (held.start, held.end, held.seconds) == (at("08:40"), at("09:10"), 1800)
    assert stopped.tracked_seconds + held.seconds == 600 + 2100


def test_small_clock_drift_is_not_an_interruption(clock, tracker, drive, contract):
    tracker.start(contract)
    drive.run(60)
    clock.jump(2)
    drive.run(60)
    clock.jump(-2)
    drive.run(60)
    stopped = tracker.stop()
    assert stopped.pending == ()
    assert stopped.tracked_seconds == 180


# -- weekly limit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit_minutes", "worked", "over"),
    [
        (None, 1800, [False, False, False]),
        (30, 1800, [False, False, False]),
        (20, 1800, [False, False, True]),
        (15, 1800, [False, True, True]),
        (0, 1200, [True, True]),
    ],
)
def test_weekly_limit_flags(db, tracker, drive, make_contract, limit_minutes, worked, over):
    contract = make_contract(weekly_limit_minutes=limit_minutes)
    tracker.start(contract)
    drive.run(worked)
    tracker.stop()
    assert [r.over_limit for r in segments(db)] == over


def test_weekly_limit_counts_the_billing_week_only(db, clock, tracker, drive, make_contract):
    contract = make_contract(weekly_limit_minutes=10)
    clock.set(datetime(2026, 1, 11, 23, 50, tzinfo=UTC))  # Sunday
    tracker.start(contract)
    drive.run(1200)  # Sun 23:50-Mon 00:10
    tracker.stop()
    assert [r.over_limit for r in segments(db)] == [False, False]


def test_weekly_limit_warns_at_90_percent_then_at_the_limit(db, tracker, drive, make_contract):
    contract = make_contract(weekly_limit_minutes=100)
    tracker.start(contract)
    drive.run(95 * 60)
    drive.run(10 * 60)
    tracker.stop()
    kinds = [n.kind for n in drive.notices]
    assert kinds == ["limit_warning", "over_limit"]
    assert "90% of the weekly limit" in drive.notices[0].message


# -- manual time ----------------------------------------------------------------------------------


def test_manual_time_is_flagged(db, clock, tracker, contract):
    clock.advance(hours=3)
    session_id = tracker.manual_time(contract, at("09:05"), at("09:30"), "call with client")
    rows = segments(db, session_id)
    assert [(f"{r.slot_start:%H:%M}", r.tracked_seconds, r.manual, r.memo) for r in rows] == [
        ("09:00", 300, True, "call with client"),
        ("09:10", 600, True, "call with client"),
        ("09:20", 600, True, "call with client"),
    ]
    with db.read() as s:
        assert s.get(TimeSession, session_id).manual


@pytest.mark.parametrize(
    ("start", "end", "match"),
    [
        ("09:30", "09:20", "end after it starts"),
        ("11:00", "13:00", "future"),
        ("09:05", "09:12", "overlaps time tracked"),
    ],
)
def test_manual_time_refusals(db, clock, tracker, drive, contract, start, end, match):
    tracker.start(contract)
    drive.run(600)
    tracker.stop()
    clock.advance(hours=2)
    with pytest.raises(RuleError, match=match):
        tracker.manual_time(contract, at(start), at(end), "x")


def test_manual_time_refused_when_the_contract_disallows_it(clock, tracker, make_contract):
    contract = make_contract(manual_time_allowed=False)
    clock.advance(hours=1)
    with pytest.raises(RuleError, match="does not allow manual time"):
        tracker.manual_time(contract, at("09:00"), at("09:10"), "x")


def test_manual_time_next_to_tracked_time_is_fine(db, clock, tracker, drive, contract):
    tracker.start(contract)
    drive.run(300)
    tracker.stop()
    clock.advance(hours=1)
    tracker.manual_time(contract, at("09:05"), at("09:10"), "notes")
    assert table(db) == [("09:00", 300), ("09:00", 300)]


# -- deleting ------------------------------------------------------------------------------------


def test_delete_segment(db, tracker, drive, make_contract):
    contract = make_contract(weekly_limit_minutes=10)
    tracker.start(contract)
    drive.run(1200)
    first, second = segments(db)
    assert (first.over_limit, second.over_limit) == (False, True)
    with pytest.raises(RuleError, match="cannot be deleted yet"):
        drive.run(5)
        tracker.heartbeat()
        current = tracker.status()
        live_id = next(r.id for r in segments(db) if r.slot_start == current.slot_start)
        tracker.delete_segment(live_id)
    deleted = tracker.delete_segment(first.id)
    assert (deleted.tracked_seconds, deleted.slot_start) == (600, MONDAY_9)
    rows = segments(db, deleted=True)
    assert [(r.deleted, r.over_limit) for r in rows] == [
        (True, False),
        (False, False),  # the limit now has room for it
        (False, True),
    ]
    with pytest.raises(RuleError, match="already deleted"):
        tracker.delete_segment(first.id)
    with pytest.raises(RuleError):
        tracker.delete_segment(uuid.uuid4())


@pytest.mark.parametrize(
    ("zone", "change_utc"),
    [
        ("Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 02:00 -> 03:00 local
        ("America/New_York", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),  # 02:00 -> 01:00 local
    ],
)
def test_a_dst_change_is_no_clock_change(db, clock, tracker, drive, contract, zone, change_utc):
    # Segments live in UTC: a local DST change moves nothing, holds nothing.
    from zoneinfo import ZoneInfo

    clock.set(change_utc - timedelta(minutes=15))
    tracker.start(contract)
    drive.run(1800)
    stopped = tracker.stop()
    assert stopped.pending == () and stopped.tracked_seconds == 1800
    rows = segments(db)
    assert [r.slot_start for r in rows] == [
        change_utc + timedelta(minutes=m) for m in (-20, -10, 0, 10)
    ]
    local = [r.slot_start.astimezone(ZoneInfo(zone)).utcoffset() for r in rows]
    assert local[0] != local[-1]  # the local offset did change in the middle


# -- status on the GUI thread ------------------------------------------------------------


def test_status_does_not_wait_for_a_tick_holding_the_lock(tracker, drive, contract):
    """The window asks for the status every second on its GUI thread; while the
    scheduler's thread holds the lock (a tick writing to the database) it gets the
    previous status instead of waiting."""
    import threading

    tracker.start(contract)
    drive.run(60)
    before = tracker.status()
    held, release = threading.Event(), threading.Event()
    released = []

    def writer() -> None:
        with tracker._lock:
            held.set()
            release.wait(timeout=30)  # a stuck test fails instead of hanging
            released.append(True)

    thread = threading.Thread(target=writer)
    thread.start()
    held.wait(timeout=30)
    during = tracker.status()
    assert not released  # it answered while the lock was held
    release.set()
    thread.join()
    assert during == before
    drive.run(5)
    assert tracker.status().session_seconds == 65  # fresh again once the lock is free
