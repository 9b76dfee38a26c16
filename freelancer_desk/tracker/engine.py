"""The tracking engine: one running session per device, counted into wall-clock segments.

`tick()` (every few seconds, from the scheduler) reads the injected clock and the idle
time, counts the seconds since the previous tick into the current 10-minute segment with
its per-minute activity, and takes the segment's one snapshot at a random moment inside
it. Time the tracker cannot vouch for is never counted silently; it is held as a pending
`Interruption` that the user keeps, discards or assigns to another contract:

- idle: no input for `idle_threshold` seconds; the idle stretch since the last input
  (already counted while it was shorter than the threshold) is taken back out;
- sleep: the wall clock ran ahead of the monotonic clock (suspend, or the clock set
  forward), or the ticks stopped for longer than `max_gap` (a stopped process, or a
  platform whose monotonic clock runs through suspend);
- clock_back: the wall clock was set back, so the next stretch of work falls on
  wall-clock time already recorded; it is held until the clock passes that time again.

A wall-clock instant is counted at most once per session, and a segment never holds
more than its 600 seconds. Segment rows are written when a segment is finished, at every
heartbeat (each 60 s, with the device and process id) and on any change the user makes,
so a crash loses at most a minute.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal

from sqlalchemy import delete, event, or_, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import (
    SEGMENT_MINUTES,
    SegmentSlice,
    activity_level,
    over_weekly_limit,
    segment_start,
    split_into_segments,
)
from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.workflow.time_session import (
    TIME_SESSION,
    TimeSessionAction,
    TimeSessionState,
)
from freelancer_desk.services.common import clean_text
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Contract,
    Order,
    Segment,
    Snapshot,
    TimeSession,
)
from freelancer_desk.storage.models import Interruption as InterruptionRow
from freelancer_desk.tracker.activity import ActivitySource
from freelancer_desk.tracker.recovery import Recovered, recover_orphans
from freelancer_desk.tracker.screen import (
    ScreenSource,
    SnapshotStore,
    StoredSnapshot,
    chain_link,
)

SLOT_SECONDS = SEGMENT_MINUTES * 60
MEMO_MAX_CHARS = 1000
LIMIT_WARNING_SHARE = 0.9
# Several machines on one database: another device's running session on the same
# contract or order refuses a start while its heartbeat (each minute) is fresher than
# this; older, the device is taken to be gone and its session is closed at its last
# heartbeat, as an orphan, so the time is not counted twice (README: "Another database").
OTHER_DEVICE_STALE_AFTER = timedelta(minutes=10)
# status() waits at most this long for a tick in progress (a GUI frame is 16 ms).
STATUS_WAIT_SECONDS = 0.004


class InterruptionKind(StrEnum):
    IDLE = "idle"
    SLEEP = "sleep"
    CLOCK_BACK = "clock_back"


_KIND_WORDS = {
    InterruptionKind.IDLE: "you were idle",
    InterruptionKind.SLEEP: "the computer slept, the clock was set forward or tracking stalled",
    InterruptionKind.CLOCK_BACK: "the clock was set back over time already recorded",
}
# The end reason of a session made by assigning held time to another contract.
_ASSIGN_END_REASON = {
    InterruptionKind.IDLE: "idle",
    InterruptionKind.SLEEP: "suspended",
    InterruptionKind.CLOCK_BACK: "clock_change",
}


@dataclass(frozen=True)
class Interruption:
    """Time held aside: [start, end) on the wall clock, `seconds` long, not counted until
    the user resolves it. `open` while it is still going on (the user is still away)."""

    id: uuid.UUID
    kind: InterruptionKind
    session_id: uuid.UUID
    start: datetime
    end: datetime
    seconds: int
    open: bool = False

    @property
    def message(self) -> str:
        return (
            f"{self.seconds // 60} min held ({self.start:%H:%M}–{self.end:%H:%M} UTC): "
            f"{_KIND_WORDS[self.kind]}; keep, discard or assign it to another contract"
        )


Decision = Literal["keep", "discard"] | tuple[Literal["assign"], uuid.UUID]


@dataclass(frozen=True)
class Notice:
    """Something the user should be told once (a tray notification, a CLI line)."""

    kind: str
    message: str


@dataclass(frozen=True)
class TickResult:
    counted_seconds: int = 0  # net: negative when an idle stretch was taken back out
    snapshot_id: uuid.UUID | None = None
    interruptions: tuple[Interruption, ...] = ()  # newly pending
    notices: tuple[Notice, ...] = ()
    # The wall clock and the monotonic clock disagreed: timers set by the wall clock
    # (the scheduler's) must be re-armed.
    discontinuity: bool = False


@dataclass(frozen=True)
class Started:
    session_id: uuid.UUID
    started_at: datetime
    recovered: tuple[Recovered, ...] = ()


@dataclass(frozen=True)
class Stopped:
    session_id: uuid.UUID
    ended_at: datetime
    tracked_seconds: int
    pending: tuple[Interruption, ...] = ()
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Resolution:
    interruption: Interruption
    decision: str
    kept_seconds: int  # what fitted: a segment never holds more than 600 s
    session_id: uuid.UUID | None  # where it went; None when discarded


class _LostMeanwhile(Exception):
    """Inside `resolve`: the running session was closed elsewhere after it was checked."""

    def __init__(self, session_id: uuid.UUID, ended: datetime | None) -> None:
        super().__init__(session_id)
        self.session_id = session_id
        self.ended = ensure_utc(ended) if ended is not None else None


@dataclass(frozen=True)
class DeletedSegment:
    segment_id: uuid.UUID
    slot_start: datetime
    tracked_seconds: int
    snapshot_files_deleted: int


@dataclass(frozen=True)
class Status:
    running: bool
    session_id: uuid.UUID | None = None
    contract_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    title: str = ""
    memo: str = ""
    started_at: datetime | None = None
    session_seconds: int = 0
    slot_start: datetime | None = None
    slot_seconds: int = 0
    slot_activity: tuple[int, ...] = ()
    idle_since: datetime | None = None
    pending: tuple[Interruption, ...] = ()
    activity_source: str | None = None
    screen_source: str | None = None
    # Counted in this process but not yet written (the current segment is written at
    # least every minute): add it to totals read from the database.
    unsaved_seconds: int = 0


@dataclass(frozen=True)
class _Target:
    contract_id: uuid.UUID | None
    order_id: uuid.UUID | None
    title: str


@dataclass
class _Live:
    """The current segment, mirrored in memory between writes."""

    id: uuid.UUID
    session_id: uuid.UUID
    slot_start: datetime
    memo: str
    snapshot_at: datetime
    tracked: int = 0
    activity: list[int] = field(default_factory=lambda: [0] * SEGMENT_MINUTES)
    idle: bool = False
    dirty: bool = True
    snapshot_done: bool = False
    stored: int = 0  # tracked seconds as last written


@dataclass(frozen=True)
class _SnapshotDue:
    segment_id: uuid.UUID
    policy: str
    taken_at: datetime


@dataclass
class _Hold:
    kind: InterruptionKind
    session_id: uuid.UUID
    start: datetime
    end: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def frozen(self, *, open_: bool) -> Interruption:
        seconds = max(0, int((self.end - self.start).total_seconds()))
        return Interruption(
            self.id, self.kind, self.session_id, self.start, self.end, seconds, open_
        )


@dataclass
class _Running:
    session_id: uuid.UUID
    target: _Target
    memo: str
    started_at: datetime
    last_wall: datetime
    last_mono: float
    covered_until: datetime  # counted or held up to here: never counted again
    floor: datetime  # an idle stretch may be taken back out down to here, not before
    last_flush_mono: float
    live: _Live | None = None
    open_holds: dict[InterruptionKind, _Hold] = field(default_factory=dict)
    counted: int = 0
    # Segments that ended but are not yet committed (the write failed: disk full, the
    # database locked too long); every write tries them again first.
    finished: list[_Live] = field(default_factory=list)


class Tracker:
    """The time tracker of one device and one process. Thread-safe: the scheduler's
    thread ticks while the UI thread starts, stops and resolves."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        device_id: str,
        pid: int,
        activity: ActivitySource | None,
        screen: ScreenSource | None,
        snapshot_dir: Path,
        rng: random.Random,
        *,
        idle_threshold: float = 600.0,
        jump_tolerance: float = 10.0,
        max_gap: float = 120.0,
        flush_seconds: float = 60.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.device_id = device_id
        self.pid = pid
        self.activity = activity
        self.screen = screen
        self.store = SnapshotStore(snapshot_dir)
        self.rng = rng
        self.idle_threshold = idle_threshold
        self.jump_tolerance = jump_tolerance
        self.max_gap = max_gap
        self.flush_seconds = flush_seconds
        self._lock = threading.RLock()
        self._run: _Running | None = None
        self._pending: dict[uuid.UUID, Interruption] = {}
        self._snapshot_failing = False
        self._limit_noticed: set[tuple[uuid.UUID, datetime, str]] = set()
        self._outbox: list[Notice] = []  # notices raised while writing, handed out once
        self._last_status: Status | None = None

    # -- start / stop ---------------------------------------------------------------

    def start(
        self,
        contract_id: uuid.UUID | None = None,
        order_id: uuid.UUID | None = None,
        memo: str = "",
    ) -> Started:
        """Start tracking on a contract or an order. Orphans of this device (their process
        is gone) are closed first and reported; a session of a live process refuses.
        Another device may be tracking at the same time, but not the same contract or
        order (`_claim_target`)."""
        with self._lock:
            if self._run is not None:
                raise RuleError(
                    "time_session.start",
                    f"already tracking {self._run.target.title}: stop or switch first",
                )
            memo = clean_text(memo, field="memo", max_chars=MEMO_MAX_CHARS)
            recovered = tuple(recover_orphans(self.db, self.clock, self.device_id))
            now, mono = self.clock.now(), self.clock.monotonic()
            with self.db.session() as s:
                target = _load_target(s, contract_id, order_id)
                other = s.scalars(
                    select(TimeSession).where(
                        TimeSession.device_id == self.device_id, TimeSession.ended_at.is_(None)
                    )
                ).first()
                if other is not None:
                    raise RuleError(
                        "time_session.start",
                        f"process {other.pid} on this device is already tracking "
                        f"(since {other.started_at:%H:%M} UTC): stop it there first",
                    )
                recovered += _claim_target(s, target, self.device_id, now)
                row = TimeSession(
                    contract_id=target.contract_id,
                    order_id=target.order_id,
                    memo=memo,
                    started_at=now,
                    last_seen_at=now,
                    device_id=self.device_id,
                    pid=self.pid,
                )
                s.add(row)
            self._run = _Running(row.id, target, memo, now, now, mono, now, now, mono)
            return Started(row.id, now, recovered)

    def stop(self, *, reason: str = "stopped") -> Stopped:
        """Count up to now, write everything and end the session. An idle stretch still
        going on ends now and stays pending."""
        with self._lock:
            run = self._require_running("stop")
            ticked, _ = self._tick_locked()
            now = self.clock.now()
            if self._run is run:
                for hold in list(run.open_holds.values()):
                    self._close_hold(run, hold)
            ended = max(now, run.started_at, run.covered_until)
            with self.db.session() as s:
                owned = self._run is run and self._flush(s, run)
                row = s.get(TimeSession, run.session_id)
                if owned and row is not None and row.ended_at is None:
                    TIME_SESSION.transition(TimeSessionState.RUNNING, TimeSessionAction.STOP)
                    row.ended_at = ended
                    row.last_seen_at = max(row.last_seen_at, min(now, ended))
                    row.end_reason = reason
                    row.memo = run.memo
                elif not owned and row is not None and row.ended_at is not None:
                    ended = ensure_utc(row.ended_at)  # where the other device closed it
            self._run = None
            pending = tuple(p for p in self._pending.values() if p.session_id == run.session_id)
            notices = (*ticked.notices, *self._drain())
            return Stopped(run.session_id, ended, run.counted, pending, notices)

    def switch(
        self,
        contract_id: uuid.UUID | None = None,
        order_id: uuid.UUID | None = None,
        memo: str = "",
    ) -> tuple[Stopped, Started]:
        """Stop the running session (reason "switched") and start on another target."""
        with self._lock:
            self._require_running("switch")
            with self.db.read() as s:
                _load_target(s, contract_id, order_id)  # refuse before stopping anything
            return self.stop(reason="switched"), self.start(contract_id, order_id, memo)

    def set_memo(self, memo: str) -> str:
        """Change the memo: the current segment and the ones after it carry the new one."""
        with self._lock:
            run = self._require_running("change the memo of")
            run.memo = clean_text(memo, field="memo", max_chars=MEMO_MAX_CHARS)
            if run.live is not None:
                run.live.memo = run.memo
                run.live.dirty = True
            with self.db.session() as s:
                if self._flush(s, run):
                    row = s.get(TimeSession, run.session_id)
                    if row is not None:
                        row.memo = run.memo
            return run.memo

    @property
    def running(self) -> bool:
        return self._run is not None

    def status(self) -> Status:
        """What runs now. Asked on the GUI thread every second: while another thread
        holds the lock for longer than `STATUS_WAIT_SECONDS` (a tick writing to the
        database), the status of the previous call is returned rather than waiting."""
        if not self._lock.acquire(timeout=STATUS_WAIT_SECONDS):
            if self._last_status is not None:
                return self._last_status
            self._lock.acquire()
        try:
            self._last_status = self._status_locked()
            return self._last_status
        finally:
            self._lock.release()

    def _status_locked(self) -> Status:
        base = Status(
            False,
            pending=tuple(self._pending.values()),
            activity_source=self.activity.name if self.activity else None,
            screen_source=self.screen.name if self.screen else None,
        )
        run = self._run
        if run is None:
            return base
        live = run.live
        idle = run.open_holds.get(InterruptionKind.IDLE)
        return replace(
            base,
            running=True,
            session_id=run.session_id,
            contract_id=run.target.contract_id,
            order_id=run.target.order_id,
            title=run.target.title,
            memo=run.memo,
            started_at=run.started_at,
            session_seconds=run.counted,
            slot_start=live.slot_start if live else None,
            slot_seconds=live.tracked if live else 0,
            slot_activity=tuple(live.activity) if live else (),
            idle_since=idle.start if idle else None,
            unsaved_seconds=(live.tracked - live.stored if live else 0)
            + sum(f.tracked - f.stored for f in run.finished),
        )

    # -- the beat ----------------------------------------------------------------------

    def tick(self) -> TickResult:
        """Observe the clocks and the idle time; count, hold or take a snapshot."""
        with self._lock:
            if self._run is None:
                return TickResult(notices=tuple(self._drain()))
            result, due = self._tick_locked()
        if due is None:
            return result
        outcome = self._capture(due)
        with self._lock:
            snapshot_id, notice = self._record_snapshot(due, outcome)
        notices = result.notices if notice is None else (*result.notices, notice)
        return replace(result, snapshot_id=snapshot_id, notices=notices)

    def heartbeat(self) -> tuple[Notice, ...]:
        """Commit the running session's `last_seen_at` (and the segment so far) with this
        device and process. If another process closed the session, tracking stops here."""
        with self._lock:
            run = self._run
            if run is None:
                return ()
            now = self.clock.now()
            with self.db.session() as s:
                if self._flush(s, run):
                    row = s.get(TimeSession, run.session_id)
                    assert row is not None
                    row.last_seen_at = max(now, row.started_at)
                    row.pid = self.pid
                    # A stretch still going on is written as far as it goes: if this
                    # process dies now, the question survives it.
                    for hold in run.open_holds.values():
                        self._save_interruption(s, hold.frozen(open_=True))
            return tuple(self._drain())

    def _tick_locked(self) -> tuple[TickResult, _SnapshotDue | None]:
        run = self._run
        assert run is not None
        now, mono = self.clock.now(), self.clock.monotonic()
        prev_wall, prev_mono = run.last_wall, run.last_mono
        run.last_wall, run.last_mono = now, mono
        wall_delta = (now - prev_wall).total_seconds()
        mono_delta = mono - prev_mono
        idle = self.activity.idle_seconds() if self.activity else None
        # Input since the previous tick makes this stretch active (its minutes count).
        active = idle is not None and idle < mono_delta
        before = run.counted
        newly: list[Interruption] = []
        notices: list[Notice] = []
        discontinuity = False

        if wall_delta - mono_delta > self.jump_tolerance or mono_delta > self.max_gap:
            # Suspend, clock set forward, or no ticks for a long time: nobody watched.
            discontinuity = wall_delta - mono_delta > self.jump_tolerance
            newly += self._close_all(run, at=prev_wall)
            start = max(prev_wall, run.covered_until)
            if now > start:
                hold = _Hold(InterruptionKind.SLEEP, run.session_id, start, now)
                newly.append(self._close_hold(run, hold))
            run.covered_until = max(run.covered_until, now)
            # Idle time read after the gap runs through it: never take back time that
            # was held, not counted.
            run.floor = max(run.floor, now)
        elif mono_delta - wall_delta > self.jump_tolerance:
            # The clock went back: this tick's work lands on already-covered time.
            discontinuity = True
            newly += self._close_all(run, at=prev_wall, kinds=(InterruptionKind.IDLE,))
            # Wall-clock time before covered_until was counted before the clock went
            # back: an idle stretch from now on must not take that work back out.
            run.floor = max(run.floor, run.covered_until)
            newly += self._count(run, now - timedelta(seconds=mono_delta), now, active)
        elif InterruptionKind.IDLE in run.open_holds:
            hold = run.open_holds[InterruptionKind.IDLE]
            if idle is not None and idle < self.idle_threshold:
                back = min(max(now - timedelta(seconds=idle), hold.end), now)
                hold.end = back
                newly.append(self._close_hold(run, hold))
                newly += self._count(run, back, now, True)
            else:
                hold.end = max(hold.end, now)
                run.covered_until = max(run.covered_until, now)
        else:
            newly += self._count(run, prev_wall, now, active)

        if (
            idle is not None
            and idle >= self.idle_threshold
            and InterruptionKind.IDLE not in run.open_holds
        ):
            self._begin_idle(run, now, idle)

        due = None
        if InterruptionKind.IDLE not in run.open_holds:
            due = self._snapshot_due(run, now)
        if run.finished or (
            run.live is not None
            and run.live.dirty
            and mono - run.last_flush_mono >= self.flush_seconds
        ):
            with self.db.session() as s:
                if not self._flush(s, run):
                    due = None
        notices += self._drain()
        result = TickResult(run.counted - before, None, tuple(newly), tuple(notices), discontinuity)
        return result, due

    # -- counting ----------------------------------------------------------------------

    def _count(
        self, run: _Running, start: datetime, end: datetime, active: bool
    ) -> list[Interruption]:
        """Count [start, end) — except what is already covered, which is held as a clock
        change until the wall clock passes the covered time again."""
        closed: list[Interruption] = []
        covered = run.covered_until
        if start < covered:
            hold = run.open_holds.get(InterruptionKind.CLOCK_BACK)
            if hold is None:
                hold = _Hold(InterruptionKind.CLOCK_BACK, run.session_id, start, start)
                run.open_holds[hold.kind] = hold
            hold.end = max(hold.end, min(end, covered))
            if end <= covered:
                return closed
            hold.end = covered
            closed.append(self._close_hold(run, hold))
            start = covered
        elif InterruptionKind.CLOCK_BACK in run.open_holds:
            closed.append(self._close_hold(run, run.open_holds[InterruptionKind.CLOCK_BACK]))
        if end <= start:
            return closed
        slices = split_into_segments(start, end)
        minutes = split_into_segments(start, end, minutes=1) if active else []
        self._add_live(run, slices, minutes, start)
        run.counted += sum(piece.seconds for piece in slices)
        run.covered_until = end
        return closed

    def _begin_idle(self, run: _Running, now: datetime, idle: float) -> None:
        """Hold the idle stretch aside, taking back what was counted of it."""
        idle_start = min(max(now - timedelta(seconds=idle), run.floor), now)
        counted_end = min(run.covered_until, now)
        if idle_start < counted_end:
            slices = split_into_segments(idle_start, counted_end)
            self._add_live(
                run, [SegmentSlice(p.segment_start, -p.seconds) for p in slices], [], None
            )
            run.counted -= sum(p.seconds for p in slices)
        run.open_holds[InterruptionKind.IDLE] = _Hold(
            InterruptionKind.IDLE, run.session_id, idle_start, now
        )
        run.covered_until = max(run.covered_until, now)
        run.floor = now

    def _add_live(
        self,
        run: _Running,
        slices: Iterable[SegmentSlice],
        minutes: Iterable[SegmentSlice],
        counted_from: datetime | None,
    ) -> None:
        """Add seconds to the running session's segments; earlier slots go straight to
        the database, the current one stays in memory until the next write."""
        by_slot: dict[datetime, list[SegmentSlice]] = {}
        for minute in minutes:
            by_slot.setdefault(segment_start(minute.segment_start), []).append(minute)
        older: list[tuple[SegmentSlice, list[SegmentSlice]]] = []
        for piece in slices:
            live = run.live
            if live is None or piece.segment_start > live.slot_start:
                # The segment that ended is written at the end of this tick: if that
                # write fails, this tick's time is counted all the same.
                if live is not None and live.dirty:
                    run.finished.append(live)
                start = piece.segment_start
                begin = max(start, counted_from) if counted_from else start
                run.live = self._new_live(run, start, begin)
                live = run.live
            if piece.segment_start == live.slot_start:
                live.tracked = _clamp(live.tracked + piece.seconds)
                _add_activity(
                    live.activity, piece.segment_start, by_slot.get(piece.segment_start, [])
                )
                live.dirty = True
            else:
                older.append((piece, by_slot.get(piece.segment_start, [])))
        if older:
            with self.db.session() as s:
                if self._still_ours(s, run) is None:
                    return
                for piece, mins in older:
                    _add_to_row(s, run.session_id, run.target, run.memo, piece, mins, idle=False)
                self._reflag_weeks(s, run.target, [p.segment_start for p, _ in older])

    def _new_live(self, run: _Running, slot: datetime, begin: datetime) -> _Live:
        slot_end = slot + timedelta(seconds=SLOT_SECONDS)
        begin = min(max(begin, slot), slot_end)
        moment = begin + (slot_end - begin) * self.rng.random()
        return _Live(uuid.uuid4(), run.session_id, slot, run.memo, moment)

    # -- holds -------------------------------------------------------------------------

    def _close_hold(self, run: _Running, hold: _Hold) -> Interruption:
        run.open_holds.pop(hold.kind, None)
        frozen = hold.frozen(open_=False)
        run.floor = max(run.floor, hold.end)
        if frozen.seconds > 0:
            self._pending[frozen.id] = frozen
        with self.db.session() as s:
            if self._still_ours(s, run) is not None:
                self._save_interruption(s, frozen)
        return frozen

    def _save_interruption(self, s: Session, held: Interruption) -> None:
        """Write a held stretch (so a crash or a restart keeps the question), or drop
        its row when nothing is left of it."""
        row = s.get(InterruptionRow, held.id)
        if held.seconds <= 0:
            if row is not None and row.resolved_at is None:
                s.delete(row)
            return
        if row is None:
            row = InterruptionRow(
                id=held.id,
                session_id=held.session_id,
                device_id=self.device_id,
                kind=held.kind.value,
                starts_at=held.start,
                ends_at=held.end,
                seconds=held.seconds,
            )
            s.add(row)
        else:
            row.starts_at, row.ends_at, row.seconds = held.start, held.end, held.seconds

    def _close_all(
        self,
        run: _Running,
        at: datetime,
        kinds: tuple[InterruptionKind, ...] = tuple(InterruptionKind),
    ) -> list[Interruption]:
        closed = []
        for kind in kinds:
            hold = run.open_holds.get(kind)
            if hold is not None:
                if kind is InterruptionKind.IDLE:  # away until observation stopped
                    hold.end = max(hold.start, at)
                closed.append(self._close_hold(run, hold))
        return closed

    def pending(self) -> tuple[Interruption, ...]:
        """This device's held time waiting for a decision, oldest first — read from the
        database, so what a crashed or another process held is here too. A stretch still
        going on (the user is still away) is not pending yet."""
        with self._lock:
            run = self._run
            going_on = {h.id for h in run.open_holds.values()} if run is not None else set()
            with self.db.read() as s:
                rows = s.scalars(
                    select(InterruptionRow)
                    .where(
                        InterruptionRow.device_id == self.device_id,
                        InterruptionRow.resolved_at.is_(None),
                    )
                    .order_by(InterruptionRow.starts_at, InterruptionRow.id)
                ).all()
                held = [_interruption(r) for r in rows if r.id not in going_on]
            self._pending = {h.id: h for h in held}
            return tuple(held)

    def resolve(self, interruption: Interruption | uuid.UUID, decision: Decision) -> Resolution:
        """Keep the held time (flagged idle in the diary), discard it, or assign it to
        another contract (a closed session of its own)."""
        with self._lock:
            key = interruption if isinstance(interruption, uuid.UUID) else interruption.id
            run = self._run
            if run is not None:
                with self.db.session() as s:
                    if self._still_ours(s, run) is None:
                        # Closed elsewhere: its held time is a closed session's now, as
                        # after a restart (what was held after its end is dropped).
                        run = None
            try:
                with self.db.session() as s:
                    stored = s.get(InterruptionRow, key)
                    if (
                        stored is None
                        or stored.resolved_at is not None
                        or stored.device_id != self.device_id
                        or (run is not None and key in {h.id for h in run.open_holds.values()})
                    ):
                        raise RuleError(
                            "interruption.resolve",
                            "that interruption is not pending (already resolved, or still going on)",
                        )
                    held = _interruption(stored)
                    owner = s.get(TimeSession, held.session_id)
                    if (
                        owner is not None
                        and owner.ended_at is None
                        and (run is None or run.session_id != owner.id)
                        and decision != "discard"
                    ):
                        raise RuleError(
                            "interruption.resolve",
                            f"its session is still tracking in process {owner.pid}: "
                            "keep or assign it there (or stop that session first)",
                        )
                    stored.resolved_at = self.clock.now()
                    if decision == "discard":
                        stored.decision = "discard"
                        self._pending.pop(key, None)
                        return Resolution(held, "discard", 0, None)
                    if decision == "keep":
                        session_row = s.get(TimeSession, held.session_id)
                        if session_row is None:
                            raise RuleError("interruption.keep", "its session no longer exists")
                        target = _Target(session_row.contract_id, session_row.order_id, "")
                        memo = session_row.memo
                        session_id = held.session_id
                        label = "keep"
                    elif isinstance(decision, tuple) and decision[0] == "assign":
                        target = _load_target(s, decision[1], None)
                        original = s.get(TimeSession, held.session_id)
                        memo = original.memo if original else ""
                        row = TimeSession(
                            contract_id=target.contract_id,
                            order_id=None,
                            memo=memo,
                            started_at=held.start,
                            ended_at=held.end,
                            last_seen_at=held.end,
                            device_id=self.device_id,
                            pid=None,
                            end_reason=_ASSIGN_END_REASON[held.kind],
                        )
                        s.add(row)
                        s.flush()
                        session_id = row.id
                        label = "assign"
                        stored.assigned_contract_id = target.contract_id
                    else:
                        raise RuleError(
                            "interruption.resolve",
                            f"decide 'keep', 'discard' or ('assign', contract id), not {decision!r}",
                        )
                    if run is not None and run.session_id == session_id and not self._flush(s, run):
                        raise _LostMeanwhile(run.session_id, owner.ended_at if owner else None)
                    kept = 0
                    for piece in split_into_segments(held.start, held.end):
                        live = (
                            run.live if run is not None and run.session_id == session_id else None
                        )
                        if live is not None and live.slot_start == piece.segment_start:
                            added = _clamp(live.tracked + piece.seconds) - live.tracked
                            live.tracked += added
                            live.idle = True
                            live.dirty = True
                        else:
                            added = _add_to_row(s, session_id, target, memo, piece, [], idle=True)
                        kept += added
                    if run is not None and run.session_id == session_id:
                        run.counted += kept
                        self._flush(s, run)
                    self._reflag_weeks(
                        s,
                        target,
                        [p.segment_start for p in split_into_segments(held.start, held.end)],
                    )
                    stored.decision = label
            except _LostMeanwhile as lost:
                # Closed elsewhere in the moment since the check above: nothing of this
                # decision was written; drop what was held after the end, as _lose does.
                with self.db.session() as s:
                    self._drop_held_after_end(s, lost.session_id, lost.ended)
                raise RuleError(
                    "interruption.resolve",
                    "tracking stopped: its session was just closed elsewhere; decide again",
                ) from None
            self._pending.pop(key, None)
            return Resolution(held, label, kept, session_id)

    # -- writing -------------------------------------------------------------------------

    def _drain(self) -> list[Notice]:
        notices, self._outbox = self._outbox, []
        return notices

    def _flush(self, s: Session, run: _Running) -> bool:
        """Write the segments that ended unsaved and the current one into `s`. They
        count as saved only once `s` commits: if it does not (disk full, database
        locked), the next write writes them again, so nothing counted is dropped.

        First the session's row is read again, locked (on servers that lock rows: a
        takeover by another device waits for this write, or this write for it): when
        the session is no longer this device's running one — another device took the
        contract over after this one went silent, or it was deleted — nothing is
        written, tracking stops with a "session_lost" notice, and False is returned.
        """
        run.last_flush_mono = self.clock.monotonic()
        session_row = self._still_ours(s, run)
        if session_row is None:
            return False
        lives = list(run.finished)
        if run.live is not None and run.live.dirty:
            lives.append(run.live)
        if not lives:
            return True
        for live in lives:
            row = s.get(Segment, live.id)
            if row is None:
                row = Segment(
                    id=live.id,
                    session_id=live.session_id,
                    contract_id=run.target.contract_id,
                    order_id=run.target.order_id,
                    slot_start=live.slot_start,
                )
                s.add(row)
            row.tracked_seconds = live.tracked
            row.activity = list(live.activity)
            row.active_minutes = activity_level([a > 0 for a in live.activity])
            row.memo = live.memo
            row.idle = row.idle or live.idle
        written = [(live, live.tracked) for live in lives]

        def committed(_session: Session) -> None:
            for live, tracked in written:
                live.stored = tracked
                if live.tracked == tracked:
                    live.dirty = False
                if live in run.finished:
                    run.finished.remove(live)

        event.listen(s, "after_commit", committed, once=True)
        # The session's heartbeat moves with its segments, so a session closed at its
        # last heartbeat never ends before time it counted.
        session_row.last_seen_at = max(self.clock.now(), session_row.started_at)
        s.flush()
        self._reflag_weeks(s, run.target, [live.slot_start for live in lives])
        return True

    def _still_ours(self, s: Session, run: _Running) -> TimeSession | None:
        """The running session's row, read again and locked (on servers that lock rows),
        if it is still this device's running session; otherwise tracking stops here
        (`_lose`) and None is returned. Every write into the session goes through this."""
        session_row = s.scalars(
            select(TimeSession)
            .where(TimeSession.id == run.session_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if (
            session_row is None
            or session_row.ended_at is not None
            or session_row.device_id != self.device_id
        ):
            self._lose(s, run, session_row)
            return None
        return session_row

    def _lose(self, s: Session, run: _Running, row: TimeSession | None) -> None:
        """The session was closed elsewhere: stop here, drop what was counted since its
        last heartbeat (the device that took over counts that time), and the time held
        after its end (nobody can keep it: it would land in a closed session)."""
        if self._run is not run:
            return
        self._run = None
        ended = ensure_utc(row.ended_at) if row is not None and row.ended_at else None
        for held in list(self._pending.values()):
            if held.session_id == run.session_id and (ended is None or held.start >= ended):
                self._pending.pop(held.id, None)
        self._drop_held_after_end(s, run.session_id, ended)
        self._outbox.append(
            Notice(
                "session_lost",
                f"tracking on {run.target.title} stopped: the session was closed "
                "elsewhere (taken over by another device, recovered as an orphan, or "
                "deleted)",
            )
        )

    def _drop_held_after_end(
        self, s: Session, session_id: uuid.UUID, ended: datetime | None
    ) -> None:
        """Delete this device's undecided held stretches of a lost session that start
        at or after its end (all of them when it is gone)."""
        query = delete(InterruptionRow).where(
            InterruptionRow.session_id == session_id,
            InterruptionRow.device_id == self.device_id,
            InterruptionRow.resolved_at.is_(None),
        )
        if ended is not None:
            query = query.where(InterruptionRow.starts_at >= ended)
        s.execute(query.execution_options(synchronize_session="fetch"))

    def _reflag_weeks(self, s: Session, target: _Target, slots: Iterable[datetime]) -> None:
        """Flag the segments over the contract's weekly limit in each billing week touched
        (Upwork's week: Monday 00:00 UTC), earliest time billed first."""
        if target.contract_id is None:
            return
        contract = s.get(Contract, target.contract_id)
        if contract is None:
            return
        s.flush()
        for week in sorted({billing_week(slot) for slot in slots}):
            rows = s.scalars(
                select(Segment)
                .where(
                    Segment.contract_id == target.contract_id,
                    Segment.slot_start >= week,
                    Segment.slot_start < week + timedelta(days=7),
                )
                .order_by(Segment.slot_start, Segment.created_at)
            ).all()
            live_rows = [r for r in rows if not r.deleted]
            limit = (
                None
                if contract.weekly_limit_minutes is None
                else contract.weekly_limit_minutes * 60
            )
            flags = over_weekly_limit([r.tracked_seconds for r in live_rows], limit)
            for row, over in zip(live_rows, flags, strict=True):
                if row.over_limit != over:
                    row.over_limit = over
            for row in rows:
                if row.deleted and row.over_limit:
                    row.over_limit = False
            if limit:
                self._outbox += self._limit_notices(
                    contract, week, sum(r.tracked_seconds for r in live_rows), limit
                )

    def _limit_notices(
        self, contract: Contract, week: datetime, total: int, limit: int
    ) -> list[Notice]:
        notices = []
        for share, kind in ((LIMIT_WARNING_SHARE, "limit_warning"), (1.0, "over_limit")):
            key = (contract.id, week, kind)
            if total >= limit * share and key not in self._limit_noticed:
                self._limit_noticed.add(key)
                if kind == "limit_warning" and total > limit:
                    continue  # straight over: the over-limit notice says it all
                hours = f"{total / 3600:.1f} of {limit / 3600:g} h"
                message = (
                    f"{contract.title}: {hours} this week (90% of the weekly limit)"
                    if kind == "limit_warning"
                    else f"{contract.title}: weekly limit reached ({hours}); "
                    "time over it is flagged and not billed"
                )
                notices.append(Notice(kind, message))
        return notices

    # -- snapshots -----------------------------------------------------------------------

    def _snapshot_due(self, run: _Running, now: datetime) -> _SnapshotDue | None:
        """The segment's snapshot, if its random moment has come and the policy allows."""
        live = run.live
        if (
            live is None
            or live.snapshot_done
            or now < live.snapshot_at
            or segment_start(now) != live.slot_start
            or self.screen is None
        ):
            return None
        live.snapshot_done = True
        with self.db.read() as s:
            owner = (
                s.get(Contract, run.target.contract_id)
                if run.target.contract_id is not None
                else s.get(Order, run.target.order_id)
            )
            policy = owner.snapshot_policy if owner is not None else "off"
        if policy == "off":
            return None
        return _SnapshotDue(live.id, policy, now)

    def _capture(self, due: _SnapshotDue) -> StoredSnapshot | OSError:
        """Grab and store the picture — outside the lock, so status() never waits on it."""
        assert self.screen is not None
        try:
            return self.store.capture(
                self.screen, due.policy, due.taken_at, due.segment_id.hex[:12]
            )
        except OSError as exc:
            return exc

    def _record_snapshot(
        self, due: _SnapshotDue, outcome: StoredSnapshot | OSError
    ) -> tuple[uuid.UUID | None, Notice | None]:
        """Write the snapshot's row, chained to this device's previous one; or flag the
        segment when the picture could not be saved (one notice per run of failures)."""
        with self.db.session() as s:
            run = self._run
            lost = False
            if run is not None and run.live is not None and run.live.id == due.segment_id:
                run.live.dirty = True
                lost = not self._flush(s, run)
            segment = s.get(Segment, due.segment_id)
            if isinstance(outcome, OSError):
                if segment is not None:
                    segment.snapshot_missing = True
                if self._snapshot_failing:
                    return None, None
                self._snapshot_failing = True
                return None, Notice(
                    "snapshot_failed",
                    f"snapshots cannot be saved in {self.store.root} "
                    f"({outcome.strerror or outcome}); tracking goes on without them",
                )
            self._snapshot_failing = False
            # Gone while the picture was taken (deleted, or its session taken over).
            if lost or segment is None or segment.deleted:
                self.store.delete(outcome.path)
                self.store.delete(outcome.thumb_path)
                return None, None
            prev = (
                s.scalars(
                    select(Snapshot.chain)
                    .where(Snapshot.device_id == self.device_id)
                    .order_by(Snapshot.taken_at.desc(), Snapshot.id.desc())
                    .limit(1)
                ).first()
                or ""
            )
            snap = Snapshot(
                segment_id=due.segment_id,
                taken_at=due.taken_at,
                device_id=self.device_id,
                policy=due.policy,
                path=outcome.path,
                thumb_path=outcome.thumb_path,
                width=outcome.width,
                height=outcome.height,
                sha256=outcome.sha256,
                prev_chain=prev,
                chain=chain_link(prev, outcome.sha256),
            )
            s.add(snap)
            return snap.id, None

    # -- manual time and deletion ----------------------------------------------------------

    def manual_time(
        self, contract_id: uuid.UUID, start: datetime, end: datetime, memo: str
    ) -> uuid.UUID:
        """Add [start, end) as manual time (its own closed session, segments flagged
        manual). Refused when the contract disallows it, in the future, or overlapping
        time already tracked."""
        start, end = ensure_utc(start), ensure_utc(end)
        memo = clean_text(memo, field="memo", max_chars=MEMO_MAX_CHARS)
        with self._lock, self.db.session() as s:
            now = self.clock.now()
            target = _load_target(s, contract_id, None)
            contract = s.get(Contract, contract_id)
            assert contract is not None
            if not contract.manual_time_allowed:
                raise RuleError(
                    "manual_time.allowed",
                    f"{contract.title} does not allow manual time",
                    field="contract",
                )
            if end <= start:
                raise RuleError(
                    "manual_time.range", "manual time must end after it starts", field="end"
                )
            if end > now:
                raise RuleError(
                    "manual_time.future", "manual time cannot end in the future", field="end"
                )
            self._flush_running(s)
            clash = _overlapping_session(s, start, end, now)
            if clash is not None:
                raise RuleError(
                    "manual_time.overlap",
                    f"overlaps time tracked from {clash.started_at:%Y-%m-%d %H:%M} UTC: "
                    "delete those segments or pick another range",
                    field="start",
                )
            row = TimeSession(
                contract_id=contract_id,
                memo=memo,
                started_at=start,
                ended_at=end,
                last_seen_at=end,
                device_id=self.device_id,
                pid=None,
                end_reason="manual",
                manual=True,
            )
            s.add(row)
            s.flush()
            pieces = split_into_segments(start, end)
            for piece in pieces:
                s.add(
                    Segment(
                        session_id=row.id,
                        contract_id=contract_id,
                        slot_start=piece.segment_start,
                        tracked_seconds=piece.seconds,
                        activity=[0] * SEGMENT_MINUTES,
                        memo=memo,
                        manual=True,
                    )
                )
            self._reflag_weeks(s, target, [p.segment_start for p in pieces])
            return row.id

    def delete_segment(self, segment_id: uuid.UUID) -> DeletedSegment:
        """Delete a segment and its snapshot files (deleting a snapshot deletes its
        segment, as on Upwork). The row stays, marked deleted, for the diary's history;
        the snapshot row stays, marked removed, so the hash chain still verifies."""
        with self._lock, self.db.session() as s:
            run = self._run
            if run is not None and run.live is not None and run.live.id == segment_id:
                raise RuleError(
                    "segment.delete",
                    "the segment being tracked cannot be deleted yet: wait until it ends",
                )
            row = s.get(Segment, segment_id)
            if row is None or row.deleted:
                raise RuleError("segment.delete", "no such segment (or already deleted)")
            files = 0
            if row.snapshot is not None:
                files = self.store.delete(row.snapshot.path) + self.store.delete(
                    row.snapshot.thumb_path
                )
                if row.snapshot.removed_at is None:
                    row.snapshot.removed_at = self.clock.now()
                    row.snapshot.removed_reason = "segment_deleted"
            row.deleted = True
            row.over_limit = False
            self._reflag_weeks(s, _Target(row.contract_id, row.order_id, ""), [row.slot_start])
            return DeletedSegment(row.id, row.slot_start, row.tracked_seconds, files)

    # -- helpers -----------------------------------------------------------------------

    def _flush_running(self, s: Session) -> None:
        if self._run is not None:
            self._flush(s, self._run)

    def _require_running(self, verb: str) -> _Running:
        if self._run is None:
            raise RuleError(
                f"time_session.{verb.split()[0]}", f"cannot {verb} tracking: nothing is running"
            )
        return self._run


def billing_week(instant: datetime) -> datetime:
    """Monday 00:00 UTC of the billing week holding `instant` (Upwork's week)."""
    instant = ensure_utc(instant)
    day = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def _clamp(seconds: int) -> int:
    return max(0, min(SLOT_SECONDS, seconds))


def _add_activity(activity: list[int], slot: datetime, minutes: Iterable[SegmentSlice]) -> None:
    for minute in minutes:
        index = int((minute.segment_start - slot).total_seconds() // 60)
        if 0 <= index < len(activity):
            activity[index] = min(60, activity[index] + minute.seconds)


def _add_to_row(
    s: Session,
    session_id: uuid.UUID,
    target: _Target,
    memo: str,
    piece: SegmentSlice,
    minutes: Iterable[SegmentSlice],
    *,
    idle: bool,
) -> int:
    """Add (or take back) seconds in a stored segment; returns the seconds really added."""
    row = s.scalars(
        select(Segment).where(
            Segment.session_id == session_id, Segment.slot_start == piece.segment_start
        )
    ).first()
    if row is None:
        if piece.seconds <= 0:
            return 0
        row = Segment(
            session_id=session_id,
            contract_id=target.contract_id,
            order_id=target.order_id,
            slot_start=piece.segment_start,
            tracked_seconds=0,
            activity=[0] * SEGMENT_MINUTES,
            active_minutes=0,
            memo=memo,
        )
        s.add(row)
    before = row.tracked_seconds
    row.tracked_seconds = _clamp(before + piece.seconds)
    activity = list(row.activity or [0] * SEGMENT_MINUTES)
    _add_activity(activity, piece.segment_start, minutes)
    row.activity = activity
    row.active_minutes = activity_level([a > 0 for a in activity])
    row.idle = row.idle or idle
    s.flush()
    return row.tracked_seconds - before


def _claim_target(
    s: Session, target: _Target, device_id: str, now: datetime
) -> tuple[Recovered, ...]:
    """Refuse when another device is tracking the target; close such a session whose
    device has not been heard of for `OTHER_DEVICE_STALE_AFTER` (at its last heartbeat).
    The target's row is locked first (on servers that lock rows), so two machines
    starting on it at once are served one after the other."""
    model = Contract if target.contract_id is not None else Order
    column = TimeSession.contract_id if target.contract_id is not None else TimeSession.order_id
    ident = target.contract_id if target.contract_id is not None else target.order_id
    s.execute(select(model.id).where(model.id == ident).with_for_update())
    closed: list[Recovered] = []
    for other in s.scalars(
        select(TimeSession)
        .where(column == ident, TimeSession.ended_at.is_(None), TimeSession.device_id != device_id)
        # A heartbeat of that device waits for us, then finds its session ended.
        .with_for_update()
    ).all():
        seen = ensure_utc(other.last_seen_at)
        if now - seen < OTHER_DEVICE_STALE_AFTER:
            raise RuleError(
                "time_session.start",
                f"{target.title} is being tracked on another device ({other.device_id}, "
                f"since {other.started_at:%H:%M} UTC): stop it there first; two machines "
                "may track at once only on different contracts",
            )
        TIME_SESSION.transition(TimeSessionState.RUNNING, TimeSessionAction.CLOSE_ORPHAN)
        other.ended_at = max(seen, ensure_utc(other.started_at))
        other.end_reason = "orphaned"
        kept = sum(
            s.scalars(
                select(Segment.tracked_seconds).where(
                    Segment.session_id == other.id, Segment.deleted.is_(False)
                )
            )
        )
        closed.append(Recovered(str(other.id), f"{target.title} on {other.device_id}", seen, kept))
    return tuple(closed)


def _load_target(s: Session, contract_id: uuid.UUID | None, order_id: uuid.UUID | None) -> _Target:
    if (contract_id is None) == (order_id is None):
        raise RuleError("time_session.target", "track a contract or an order (one of them)")
    if contract_id is not None:
        contract = s.get(Contract, contract_id)
        if contract is None:
            raise RuleError("time_session.target", "no such contract", field="contract")
        if contract.state != "active":
            raise RuleError(
                "time_session.target",
                f"cannot track time on {contract.title}: the contract is {contract.state}",
                field="contract",
            )
        return _Target(contract.id, None, contract.title)
    order = s.get(Order, order_id)
    if order is None:
        raise RuleError("time_session.target", "no such order", field="order")
    if order.state in ("completed", "cancelled"):
        raise RuleError(
            "time_session.target",
            f"cannot track time on {order.title}: the order is {order.state}",
            field="order",
        )
    return _Target(None, order.id, order.title)


def _interruption(row: InterruptionRow) -> Interruption:
    return Interruption(
        row.id,
        InterruptionKind(row.kind),
        row.session_id,
        row.starts_at,
        row.ends_at,
        row.seconds,
    )


def _overlapping_session(
    s: Session, start: datetime, end: datetime, now: datetime
) -> TimeSession | None:
    """A session with tracked (not deleted) time inside [start, end), if any."""
    candidates = s.scalars(
        select(TimeSession).where(
            TimeSession.started_at < end,
            or_(TimeSession.ended_at.is_(None), TimeSession.ended_at > start),
        )
    ).all()
    for session in candidates:
        if any(seg.tracked_seconds > 0 and not seg.deleted for seg in session.segments):
            return session
        if session.ended_at is None and min(now, end) > max(session.started_at, start):
            return session  # running: its current segment may not be written yet
    return None


__all__ = [
    "DeletedSegment",
    "Interruption",
    "InterruptionKind",
    "Notice",
    "Resolution",
    "Started",
    "Status",
    "Stopped",
    "TickResult",
    "Tracker",
    "billing_week",
]
