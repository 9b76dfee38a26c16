"""Fixtures for the tracker: a migrated workspace, a FakeClock on a Monday, contracts,
and a Tracker wired to a FakeActivity and a FakeScreen."""

from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract
from freelancer_desk.storage.workspace import open_workspace
from freelancer_desk.tracker.activity import FakeActivity
from freelancer_desk.tracker.engine import TickResult, Tracker
from freelancer_desk.tracker.screen import FakeScreen

MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday: the billing week starts at 00:00
DEVICE = "test-device"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_9)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated workspace file, copied for each test (migrating takes ~0.4 s)."""
    folder = tmp_path_factory.mktemp("template")
    database, _ = open_workspace(
        folder / "data", f"sqlite:///{folder / 'data' / 'w.sqlite3'}", FakeClock(MONDAY_9)
    )
    database.dispose()
    return folder / "data" / "w.sqlite3"


@pytest.fixture
def db(data_dir: Path, clock: FakeClock, migrated: Path) -> Iterator[Database]:
    data_dir.mkdir(mode=0o700)
    shutil.copyfile(migrated, data_dir / "w.sqlite3")
    database = Database(f"sqlite:///{data_dir / 'w.sqlite3'}", clock)
    yield database
    database.dispose()


@pytest.fixture
def make_contract(db: Database, clock: FakeClock) -> Callable[..., uuid.UUID]:
    def make(title: str = "Acme API", **fields: object) -> uuid.UUID:
        with db.session() as s:
            client = Client(name=f"client of {title}", platform="upwork")
            s.add(client)
            s.flush()
            values: dict[str, object] = {
                "client_id": client.id,
                "title": title,
                "platform": "upwork",
                "kind": "hourly",
                "hourly_rate_minor": 5000,
                "started_at": clock.now(),
                "snapshot_policy": "blurred",
            }
            values.update(fields)
            contract = Contract(**values)
            s.add(contract)
        return contract.id

    return make


@pytest.fixture
def contract(make_contract: Callable[..., uuid.UUID]) -> uuid.UUID:
    return make_contract()


@pytest.fixture
def activity() -> FakeActivity:
    return FakeActivity()


@pytest.fixture
def screen() -> FakeScreen:
    return FakeScreen(size=(640, 360))


@pytest.fixture
def make_tracker(
    db: Database, clock: FakeClock, activity: FakeActivity, screen: FakeScreen, data_dir: Path
) -> Callable[..., Tracker]:
    def make(**options: object) -> Tracker:
        values: dict[str, object] = {
            "db": db,
            "clock": clock,
            "device_id": DEVICE,
            "pid": 4242,
            "activity": activity,
            "screen": screen,
            "snapshot_dir": data_dir / "snapshots",
            "rng": random.Random(7),
        }
        values.update(options)
        return Tracker(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def tracker(make_tracker: Callable[..., Tracker]) -> Tracker:
    return make_tracker()


class Driver:
    """Moves the FakeClock and the FakeActivity together and ticks, like the scheduler."""

    def __init__(self, tracker: Tracker, clock: FakeClock, activity: FakeActivity) -> None:
        self.tracker = tracker
        self.clock = clock
        self.activity = activity
        self.results: list[TickResult] = []

    def run(self, seconds: float, *, active: bool = True, step: float = 5.0) -> None:
        """`seconds` of work (input at every tick) or of absence (no input at all)."""
        left = seconds
        while left > 1e-9:
            beat = min(step, left)
            self.clock.advance(beat)
            if active:
                self.activity.touch()
            else:
                self.activity.advance(beat)
            self.results.append(self.tracker.tick())
            left -= beat

    def minutes(self, pattern: str) -> None:
        """One character per minute: '#' worked, '.' no input."""
        for mark in pattern:
            self.run(60, active=mark == "#")

    @property
    def interruptions(self) -> list:
        return [i for r in self.results for i in r.interruptions]

    @property
    def notices(self) -> list:
        return [n for r in self.results for n in r.notices]


@pytest.fixture
def drive(tracker: Tracker, clock: FakeClock, activity: FakeActivity) -> Driver:
    return Driver(tracker, clock, activity)
