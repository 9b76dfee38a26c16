"""A real App for the Tracker and Work Diary area tests: FakeClock, fake activity and
screen, and the shared runtime on a FakeScheduler (ticks run when the test says)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.models import Client, Contract
from freelancer_desk.tracker.activity import FakeActivity
from freelancer_desk.tracker.engine import Tracker
from freelancer_desk.tracker.scheduler import FakeScheduler
from freelancer_desk.tracker.screen import FakeScreen
from freelancer_desk.ui.tracker_runtime import TrackerRuntime, tracker_runtime

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


class Rig:
    """The App with its fakes, and a way to let time pass with or without input."""

    def __init__(self, app: App, clock: FakeClock, activity: FakeActivity) -> None:
        self.app = app
        self.clock = clock
        self.activity = activity
        self.scheduler = FakeScheduler(clock)
        self.runtime: TrackerRuntime = tracker_runtime(
            app, scheduler=self.scheduler, watchdog=False
        )

    def work(self, seconds: float, *, active: bool = True, step: float = 5.0) -> None:
        left = seconds
        while left > 0:
            beat = min(step, left)
            if active:
                self.activity.touch()
            else:
                self.activity.advance(beat)
            self.scheduler.run_for(beat, step=beat)
            left -= beat
        if active:
            self.activity.touch()

    def contract(self, title: str = "Acme API", **fields: object) -> str:
        with self.app.db.session() as s:
            client = Client(name=f"client of {title}", platform="upwork")
            s.add(client)
            s.flush()
            values: dict[str, object] = {
                "client_id": client.id,
                "title": title,
                "platform": "upwork",
                "kind": "hourly",
                "hourly_rate_minor": 6000,
                "started_at": self.clock.now(),
                "snapshot_policy": "blurred",
                "weekly_limit_minutes": 600,
            }
            values.update(fields)
            row = Contract(**values)
            s.add(row)
        return str(row.id)


@pytest.fixture(name="rig")
def rig_fixture(tmp_path: Path, qapp: object) -> Iterator[Rig]:
    clock = FakeClock(START)
    app = App.open(resolve_location(str(tmp_path / "ws")), clock)
    activity = FakeActivity()
    app.__dict__["tracker"] = Tracker(
        app.db,
        clock,
        app.device_id,
        4242,
        activity,
        FakeScreen(size=(640, 360)),
        app.snapshot_dir,
        random.Random(3),
    )
    rig = Rig(app, clock, activity)
    yield rig
    rig.runtime.shutdown()
    rig.runtime.setParent(None)
    rig.runtime.deleteLater()
    app.close()


@pytest.fixture(name="backend")
def backend_fixture(rig: Rig) -> AppBackend:
    return AppBackend(rig.app)
