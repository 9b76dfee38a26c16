"""The tracker inside the window: one `TrackerRuntime` per App, owning the scheduler.

APScheduler's BackgroundScheduler ticks the engine on its own thread; every result and
notice crosses to the GUI thread as a Qt signal (the runtime lives on the GUI thread, so
signals emitted from the scheduler's thread are queued). Widgets never hear from the
scheduler's thread directly. A one-second timer on the GUI thread honours stop requests
from other processes (`freelancer-desk track stop`) and notices a session lost.

The tray and the Tracker and Work Diary areas share the runtime: `tracker_runtime(app)`
finds it among the QApplication's children, or makes it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from freelancer_desk.services.events import Change
from freelancer_desk.tracker.control import take_stop_request
from freelancer_desk.tracker.engine import (
    DeletedSegment,
    Notice,
    Resolution,
    Started,
    Status,
    Stopped,
    TickResult,
)
from freelancer_desk.tracker.scheduler import JobScheduler, TrackerScheduler

if TYPE_CHECKING:
    from datetime import datetime

    from freelancer_desk.app import App
    from freelancer_desk.tracker.engine import Decision, Tracker

PULSE_MS = 1000


class TrackerRuntime(QObject):
    """Starts, stops and resolves on the App's tracker, and reports what the beat does."""

    # A tick's result (TickResult), on the GUI thread.
    ticked = Signal(object)
    # Something to tell the user once: (kind, message). Kinds: the engine's notice kinds
    # (limit_warning, over_limit, snapshot_failed, session_lost), "idle" and "held" for
    # held time, "recovery" for orphans closed at start, "error".
    notice = Signal(str, str)
    # Tracking started, stopped, switched; the memo changed; held time resolved; time
    # added or deleted: whatever shows tracker state should read it again.
    changed = Signal()
    # Time the beat counted was written to the database (a tick or the heartbeat saved
    # the segment so far): what shows figures read from the database reads them again
    # (the Work Diary, the dashboard's hours). Not for a heartbeat that saved nothing
    # new; not a bus change either (that refreshes the whole window), and the window's
    # watcher does not report these own writes as another process's.
    saved = Signal()
    # The scheduler's callbacks arrive here from its thread (queued to the GUI thread).
    _tick_from_thread = Signal(object)
    _notices_from_thread = Signal(object)
    _error_from_thread = Signal(str)

    def __init__(
        self,
        app: App,
        parent: QObject | None = None,
        *,
        scheduler: JobScheduler | None = None,
        tick_seconds: float | None = None,
        heartbeat_seconds: float | None = None,
        watchdog: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tracker-runtime")
        self.app = app
        self._scheduler_impl = scheduler
        self._options: dict[str, Any] = {}
        if tick_seconds is not None:
            self._options["tick_seconds"] = tick_seconds
        if heartbeat_seconds is not None:
            self._options["heartbeat_seconds"] = heartbeat_seconds
        self._watchdog = watchdog
        self._scheduler: TrackerScheduler | None = None
        self._tick_from_thread.connect(self._on_tick)
        self._notices_from_thread.connect(self._on_notices)
        self._error_from_thread.connect(lambda text: self.notice.emit("error", text))
        self._pulse = QTimer(self)
        self._pulse.setInterval(PULSE_MS)
        self._pulse.timeout.connect(self._on_pulse)
        self._was_running = False
        # (session, seconds counted minus those not yet written) at the last look.
        self._stored: tuple[uuid.UUID | None, int] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def tracker(self) -> Tracker:
        return self.app.tracker

    @property
    def started(self) -> bool:
        return self._scheduler is not None

    def start(self) -> None:
        """Close this device's orphans (and say so), then start the beat."""
        if self._scheduler is not None:
            return
        for recovered in self.app.recover_orphans():
            self.notice.emit("recovery", f"Recovered: {recovered.message}")
        self._scheduler = TrackerScheduler(
            self.tracker,
            self.app.clock,
            self._scheduler_impl,
            on_tick=self._tick_from_thread.emit,
            on_notices=self._notices_from_thread.emit,
            on_error=lambda exc: self._error_from_thread.emit(f"Tracker error: {exc}"),
            **self._options,
        )
        self._scheduler.start(watchdog=self._watchdog)
        self._pulse.start()

    def shutdown(self) -> None:
        """Stop tracking (the session ends now) and the beat; safe to call twice."""
        self._pulse.stop()
        if self._scheduler is not None:
            self._scheduler.shutdown()
            self._scheduler = None
        if "tracker" in self.app.__dict__ and self.tracker.running:
            self.tracker.stop()
            self._changed()

    def rearm(self) -> None:
        """After the system resumes: restart the timers and tick at once."""
        if self._scheduler is not None:
            self._scheduler.rearm()

    # -- what the user does ------------------------------------------------------------

    def status(self) -> Status:
        return self.tracker.status()

    def start_tracking(
        self,
        contract_id: uuid.UUID | None = None,
        order_id: uuid.UUID | None = None,
        memo: str = "",
    ) -> Started:
        started = self.tracker.start(contract_id, order_id, memo)
        for recovered in started.recovered:
            self.notice.emit("recovery", f"Recovered: {recovered.message}")
        self._was_running = True
        self._changed()
        return started

    def stop_tracking(self) -> Stopped:
        stopped = self.tracker.stop()
        self._was_running = False
        self._on_notices(stopped.notices)
        self._changed()
        return stopped

    def switch(
        self,
        contract_id: uuid.UUID | None = None,
        order_id: uuid.UUID | None = None,
        memo: str = "",
    ) -> tuple[Stopped, Started]:
        result = self.tracker.switch(contract_id, order_id, memo)
        self._on_notices(result[0].notices)
        self._changed()
        return result

    def set_memo(self, memo: str) -> str:
        value = self.tracker.set_memo(memo)
        self._changed()
        return value

    def resolve(self, interruption_id: uuid.UUID, decision: Decision) -> Resolution:
        result = self.tracker.resolve(interruption_id, decision)
        self._changed()
        return result

    def manual_time(
        self, contract_id: uuid.UUID, start: datetime, end: datetime, memo: str
    ) -> uuid.UUID:
        session_id = self.tracker.manual_time(contract_id, start, end, memo)
        self._changed()
        return session_id

    def delete_segment(self, segment_id: uuid.UUID) -> DeletedSegment:
        deleted = self.tracker.delete_segment(segment_id)
        self._changed()
        return deleted

    # -- from the beat -----------------------------------------------------------------

    def _on_tick(self, result: TickResult) -> None:
        if result.snapshot_id is not None:
            # The grab's 8 MB X reply (1920x1080) and Pillow's working images were freed
            # on the scheduler's thread, but glibc keeps them (the first freed reply
            # raises its mmap threshold, so later ones come from the heap): +10 MB
            # resident from the second capture on until the 5-minute trim otherwise.
            from freelancer_desk.ui.main import release_free_memory

            release_free_memory()
        self.ticked.emit(result)
        if "tracker" in self.app.__dict__:
            self._check_saved(self.tracker.status())
        for held in result.interruptions:
            kind = "idle" if held.kind.value == "idle" else "held"
            self.notice.emit(kind, f"Held {held.seconds // 60} min: {held.message}")
        self._on_notices(result.notices)
        if result.interruptions:
            self._changed()

    def _on_notices(self, notices: tuple[Notice, ...]) -> None:
        for n in notices:
            self.notice.emit(n.kind, n.message)
        if any(n.kind == "session_lost" for n in notices):
            self._changed()

    def _on_pulse(self) -> None:
        if "tracker" not in self.app.__dict__:
            return  # nothing tracked in this process yet
        status = self.tracker.status()
        self._check_saved(status)  # the heartbeat's writes, within a second
        if (
            status.running
            and status.session_id is not None
            and take_stop_request(self.app.location.data_dir, status.session_id)
        ):
            self.stop_tracking()
            self.notice.emit("stopped", "Tracking stopped from the command line")
            return
        if self._was_running and not status.running:
            self._was_running = False
            self._changed()

    def _check_saved(self, status: Status) -> None:
        stored = (
            (status.session_id, status.session_seconds - status.unsaved_seconds)
            if status.running
            else None
        )
        previous, self._stored = self._stored, stored
        # Same session, more (or less) saved; a start, stop or switch says `changed`.
        same_session = previous is not None and stored is not None and previous[0] == stored[0]
        if same_session and previous != stored:
            self.saved.emit()

    def _changed(self) -> None:
        self.changed.emit()
        self.app.bus.publish(Change("time_session", "updated"))


def tracker_runtime(app: App, **options: Any) -> TrackerRuntime:
    """The App's runtime: found among the QApplication's children, or made there (so the
    tray and every area share one scheduler)."""
    owner = QCoreApplication.instance()
    if owner is not None:
        for child in owner.findChildren(TrackerRuntime):
            if child.app is app:
                return child
    return TrackerRuntime(app, owner, **options)


__all__ = ["TrackerRuntime", "tracker_runtime"]
