"""When the tracker runs: `tick()` every few seconds and `heartbeat()` every 60 s.

APScheduler 3's BackgroundScheduler (its QtScheduler leaks timers under PySide6) runs
both on its own thread — off the GUI thread — with `coalesce` (after a sleep, one run,
not a burst), a `misfire_grace_time` and one instance at a time. Its timers follow the
wall clock, so after a suspend or a clock change they are re-armed: when a tick reports
a discontinuity, when the UI hears the system resume, and from a small watchdog that
notices on the monotonic clock that ticks stopped coming (a clock set back an hour would
otherwise silence them for that hour).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from freelancer_desk.domain.clock import Clock
from freelancer_desk.tracker.engine import Notice, TickResult, Tracker

log = logging.getLogger(__name__)

TICK_SECONDS = 5.0
HEARTBEAT_SECONDS = 60.0
MISFIRE_GRACE_SECONDS = 30
TICK_JOB = "tracker-tick"
HEARTBEAT_JOB = "tracker-heartbeat"


class JobScheduler(Protocol):
    """The part of APScheduler 3's scheduler API used here (a fake implements it too)."""

    def add_job(self, func: Callable[[], Any], trigger: str, **kwargs: Any) -> Any: ...

    def reschedule_job(self, job_id: str, trigger: str, **kwargs: Any) -> Any: ...

    def modify_job(self, job_id: str, **changes: Any) -> Any: ...

    def start(self) -> None: ...

    def shutdown(self, wait: bool = True) -> None: ...


def background_scheduler() -> JobScheduler:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler: JobScheduler = BackgroundScheduler(timezone=UTC)
    return scheduler


class TrackerScheduler:
    """Runs a Tracker's beat. Results and notices go to the callbacks (the UI turns them
    into Qt signals; the CLI prints them); an error in a job is reported, never fatal."""

    def __init__(
        self,
        tracker: Tracker,
        clock: Clock,
        scheduler: JobScheduler | None = None,
        *,
        tick_seconds: float = TICK_SECONDS,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        on_tick: Callable[[TickResult], None] | None = None,
        on_notices: Callable[[tuple[Notice, ...]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.tracker = tracker
        self.clock = clock
        self.scheduler = scheduler if scheduler is not None else background_scheduler()
        self.tick_seconds = tick_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.on_tick = on_tick
        self.on_notices = on_notices
        self.on_error = on_error
        self.rearms = 0
        self._last_tick = clock.monotonic()
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None

    def _job_options(self) -> dict[str, Any]:
        return {"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1}

    def start(self, *, watchdog: bool = True) -> None:
        self.scheduler.add_job(
            self.run_tick, "interval", id=TICK_JOB, seconds=self.tick_seconds, **self._job_options()
        )
        self.scheduler.add_job(
            self.run_heartbeat,
            "interval",
            id=HEARTBEAT_JOB,
            seconds=self.heartbeat_seconds,
            **self._job_options(),
        )
        self.scheduler.start()
        if watchdog:
            self._watchdog = threading.Thread(
                target=self._watch, name="tracker-watchdog", daemon=True
            )
            self._watchdog.start()

    def shutdown(self) -> None:
        self._stop.set()
        self.scheduler.shutdown(wait=False)
        if self._watchdog is not None:
            self._watchdog.join(timeout=5)

    def rearm(self) -> None:
        """Restart both timers from now and tick at once (after resume or a clock change)."""
        for job_id, seconds in (
            (TICK_JOB, self.tick_seconds),
            (HEARTBEAT_JOB, self.heartbeat_seconds),
        ):
            self.scheduler.reschedule_job(job_id, trigger="interval", seconds=seconds)
        self.scheduler.modify_job(TICK_JOB, next_run_time=self.clock.now())
        self.rearms += 1

    def check(self) -> bool:
        """The watchdog's test: re-arm when no tick ran for three intervals."""
        if self.clock.monotonic() - self._last_tick > 3 * self.tick_seconds:
            self._last_tick = self.clock.monotonic()
            self.rearm()
            return True
        return False

    def _watch(self) -> None:
        # Event.wait times out on the monotonic clock: this loop survives clock changes.
        while not self._stop.wait(self.tick_seconds):
            try:
                self.check()
            except Exception as exc:  # the scheduler may be shutting down
                self._report(exc)

    def run_tick(self) -> None:
        self._last_tick = self.clock.monotonic()
        try:
            result = self.tracker.tick()
        except Exception as exc:
            self._report(exc)
            return
        if result.discontinuity:
            self.rearm()
        if self.on_tick is not None:
            self.on_tick(result)

    def run_heartbeat(self) -> None:
        try:
            notices = self.tracker.heartbeat()
        except Exception as exc:
            self._report(exc)
            return
        if notices and self.on_notices is not None:
            self.on_notices(notices)

    def _report(self, exc: BaseException) -> None:
        log.exception("tracker job failed", exc_info=exc)
        if self.on_error is not None:
            self.on_error(exc)


@dataclass
class _FakeJob:
    func: Callable[[], Any]
    seconds: float
    next_run: float
    options: dict[str, Any] = field(default_factory=dict)


class FakeScheduler:
    """A scheduler for tests that fires jobs by a FakeClock's monotonic time.

    `run_for(seconds, step)` advances the clock in steps and runs every job that is
    due, once per step at most (as `coalesce` does).
    """

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self.jobs: dict[str, _FakeJob] = {}
        self.started = False
        self.runs: list[tuple[str, datetime]] = []

    def add_job(self, func: Callable[[], Any], trigger: str, **kwargs: Any) -> None:
        assert trigger == "interval"
        job_id = kwargs.pop("id")
        seconds = float(kwargs.pop("seconds"))
        self.jobs[job_id] = _FakeJob(func, seconds, self.clock.monotonic() + seconds, kwargs)

    def reschedule_job(self, job_id: str, trigger: str, **kwargs: Any) -> None:
        job = self.jobs[job_id]
        job.seconds = float(kwargs["seconds"])
        job.next_run = self.clock.monotonic() + job.seconds

    def modify_job(self, job_id: str, **changes: Any) -> None:
        if "next_run_time" in changes:
            self.jobs[job_id].next_run = self.clock.monotonic()

    def start(self) -> None:
        self.started = True

    def shutdown(self, wait: bool = True) -> None:
        self.started = False

    def run_due(self) -> None:
        now = self.clock.monotonic()
        for job_id, job in list(self.jobs.items()):
            if job.next_run <= now:
                self.runs.append((job_id, self.clock.now()))
                while job.next_run <= now:  # coalesce: missed runs fire once
                    job.next_run += job.seconds
                job.func()

    def run_for(self, seconds: float, step: float = 1.0) -> None:
        end = self.clock.monotonic() + seconds
        while self.clock.monotonic() < end:
            self.clock.advance(min(step, end - self.clock.monotonic()))
            self.run_due()

    def times(self, job_id: str) -> list[datetime]:
        return [at for ran, at in self.runs if ran == job_id]


__all__ = [
    "HEARTBEAT_JOB",
    "TICK_JOB",
    "FakeScheduler",
    "JobScheduler",
    "TrackerScheduler",
    "background_scheduler",
]
