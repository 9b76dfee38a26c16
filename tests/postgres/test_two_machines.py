"""Several machines on one workspace database: each App has its own data folder (so its
own device id and snapshots) and shares the database. Runs on SQLite (one file, two
apps) and, with `--test-db`, on PostgreSQL, where it is the case that matters."""

from __future__ import annotations

import random
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from freelancer_desk.app import App, Location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput, MilestoneInput
from freelancer_desk.services.listing import ListQuery
from freelancer_desk.services.views import build_sources
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction, Segment, TimeSession
from freelancer_desk.tracker.activity import FakeActivity
from freelancer_desk.tracker.engine import OTHER_DEVICE_STALE_AFTER, Tracker
from freelancer_desk.tracker.screen import FakeScreen

MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class Machine:
    """One computer: its App (own data folder, shared database URL), a FakeClock, and a
    tracker with fake activity and screen sources."""

    def __init__(self, folder: Path, db_url: str, pid: int) -> None:
        self.clock = FakeClock(MONDAY_9)
        self.app = App.open(Location(folder, db_url), self.clock)
        self.activity = FakeActivity()
        self.tracker = Tracker(
            self.app.db,
            self.clock,
            self.app.device_id,
            pid,
            self.activity,
            FakeScreen(size=(320, 180)),
            self.app.snapshot_dir,
            random.Random(pid),
        )

    def work(self, seconds: float, step: float = 5.0) -> None:
        """Input at every tick for `seconds`, ticking and beating like the scheduler."""
        left = seconds
        while left > 0:
            beat = min(step, left)
            self.step(beat)
            left -= beat

    def step(self, beat: float) -> None:
        before = self.clock.monotonic()
        self.clock.advance(beat)
        self.activity.touch()
        self.tracker.tick()
        if int(self.clock.monotonic() // 60) > int(before // 60):
            self.tracker.heartbeat()

    def close(self) -> None:
        self.app.close()


@pytest.fixture
def machines(tmp_path: Path):
    shared = f"sqlite:///{tmp_path / 'shared' / 'workspace.sqlite3'}"
    (tmp_path / "shared").mkdir()
    laptop = Machine(tmp_path / "laptop", shared, 1001)
    desktop = Machine(tmp_path / "desktop", shared, 1002)
    yield laptop, desktop
    desktop.close()
    laptop.close()


def together(laptop: Machine, desktop: Machine, seconds: float, step: float = 5.0) -> None:
    """Both machines working at once, their clocks in step."""
    desktop.clock.set(laptop.clock.now())
    left = seconds
    while left > 0:
        beat = min(step, left)
        for machine in (laptop, desktop):
            machine.step(beat)
        left -= beat


def make_contracts(app: App) -> tuple[str, str, str]:
    """An hourly contract, a fixed one, and a funded milestone on the fixed one."""
    client = app.clients.create(ClientInput(name="Acme", platform="upwork"))
    hourly = app.contracts.create(
        ContractInput(
            client_id=client["id"],
            title="API work",
            kind="hourly",
            hourly_rate_minor=6000,
            started_at=MONDAY_9 - timedelta(days=7),
        )
    )
    fixed = app.contracts.create(
        ContractInput(
            client_id=client["id"],
            title="Landing page",
            kind="fixed",
            started_at=MONDAY_9 - timedelta(days=7),
        )
    )
    milestone = app.milestones.add(fixed["id"], MilestoneInput("Design", 50_000))
    app.milestones.fund(milestone["id"])
    return hourly["id"], fixed["id"], milestone["id"]


def unbalanced(app: App) -> list[tuple[object, str, int]]:
    with app.db.read() as s:
        return list(
            s.execute(
                select(
                    LedgerPosting.transaction_id,
                    LedgerPosting.currency,
                    func.sum(LedgerPosting.amount_minor),
                )
                .group_by(LedgerPosting.transaction_id, LedgerPosting.currency)
                .having(func.sum(LedgerPosting.amount_minor) != 0)
            ).all()
        )


def test_the_machines_are_two_devices_on_one_database(machines):
    laptop, desktop = machines
    assert laptop.app.device_id != desktop.app.device_id
    assert laptop.app.db.url == desktop.app.db.url
    assert laptop.app.snapshot_dir != desktop.app.snapshot_dir


def test_one_tracks_while_the_other_is_paid_and_both_see_it_all(machines):
    laptop, desktop = machines
    hourly, _, milestone = make_contracts(laptop.app)
    laptop.tracker.start(contract_id=uuid.UUID(hourly), memo="endpoints")
    laptop.work(25 * 60)

    # The desktop sees the laptop's running session and its heartbeats' segments ...
    with desktop.app.db.read() as s:
        running = s.scalars(select(TimeSession).where(TimeSession.ended_at.is_(None))).all()
        assert [(r.device_id, str(r.contract_id)) for r in running] == [
            (laptop.app.device_id, hourly)
        ]
        seen = s.scalar(select(func.sum(Segment.tracked_seconds))) or 0
    assert 20 * 60 <= seen <= 25 * 60  # written at each finished segment and heartbeat

    # ... and records the milestone payment meanwhile, while the laptop keeps ticking.
    desktop.clock.set(laptop.clock.now())
    desktop.app.milestones.submit(milestone, "done")
    laptop.work(5 * 60)
    desktop.app.milestones.approve(milestone)
    laptop.work(10 * 60)
    stopped = laptop.tracker.stop()
    assert stopped.tracked_seconds == 40 * 60

    # Both see both: the laptop the payment, the desktop the tracked time.
    assert laptop.app.milestones.get(milestone)["state"] == "released"
    for app in (laptop.app, desktop.app):
        with app.db.read() as s:
            assert s.scalar(select(func.sum(Segment.tracked_seconds))) == 40 * 60
            assert s.scalar(select(func.count()).where(TimeSession.ended_at.is_(None))) == 0
        pending = app.ledger.balances(as_of=desktop.clock.now())["pending"]["USD"]
        assert pending.amount == 45_000  # 500.00 less Upwork's 10%
        sessions = build_sources(app.db)["sessions"]
        assert sessions.count(ListQuery()) == 1
        assert len(sessions.fetch(ListQuery(text="endpoints"), 0, 50)) == 1
        assert unbalanced(app) == []
        report = app.check()
        assert report.ok, report.problems


def test_two_machines_may_track_different_contracts_at_once(machines):
    laptop, desktop = machines
    hourly, fixed, _ = make_contracts(laptop.app)
    laptop.tracker.start(contract_id=uuid.UUID(hourly))
    desktop.tracker.start(contract_id=uuid.UUID(fixed))
    together(laptop, desktop, 15 * 60)
    assert desktop.tracker.stop().tracked_seconds == 15 * 60
    laptop.work(5 * 60)
    assert laptop.tracker.stop().tracked_seconds == 20 * 60
    assert laptop.app.check().ok


def test_the_same_contract_on_a_second_machine_is_refused(machines):
    laptop, desktop = machines
    hourly, _, _ = make_contracts(laptop.app)
    laptop.tracker.start(contract_id=uuid.UUID(hourly))
    laptop.work(3 * 60)
    desktop.clock.set(laptop.clock.now())
    with pytest.raises(RuleError, match=r"API work is being tracked on another device \(") as e:
        desktop.tracker.start(contract_id=uuid.UUID(hourly))
    assert laptop.app.device_id in str(e.value)
    assert not desktop.tracker.status().running
    laptop.work(60)
    assert laptop.tracker.status().running
    assert laptop.tracker.stop().tracked_seconds == 4 * 60
    # Once the laptop stopped, the desktop may take over the contract.
    desktop.clock.set(laptop.clock.now())
    desktop.tracker.start(contract_id=uuid.UUID(hourly))
    desktop.work(60)
    assert desktop.tracker.stop().tracked_seconds == 60


def test_a_machine_gone_silent_is_taken_over_at_its_last_heartbeat(machines):
    laptop, desktop = machines
    hourly, _, _ = make_contracts(laptop.app)
    laptop.tracker.start(contract_id=uuid.UUID(hourly))
    laptop.work(12 * 60)
    with desktop.app.db.read() as s:
        silent_since = s.scalars(select(TimeSession.last_seen_at)).one()  # the last heartbeat
        kept = s.scalar(select(func.sum(Segment.tracked_seconds)))
    assert laptop.clock.now() - silent_since <= timedelta(minutes=1) and kept >= 11 * 60
    # The laptop's lid closes; the desktop starts on the same contract a while later.
    desktop.clock.set(silent_since + OTHER_DEVICE_STALE_AFTER - timedelta(seconds=5))
    with pytest.raises(RuleError, match="being tracked on another device"):
        desktop.tracker.start(contract_id=uuid.UUID(hourly))
    desktop.clock.advance(10)
    started = desktop.tracker.start(contract_id=uuid.UUID(hourly))
    assert [r.title for r in started.recovered] == [f"API work on {laptop.app.device_id}"]
    assert started.recovered[0].kept_seconds == kept
    with desktop.app.db.read() as s:
        old = s.scalars(
            select(TimeSession).where(TimeSession.device_id == laptop.app.device_id)
        ).one()
        assert (old.ended_at, old.end_reason) == (silent_since, "orphaned")
    desktop.work(5 * 60)
    # The laptop wakes; the heartbeat missed meanwhile runs first (the scheduler
    # coalesces missed runs): its session was closed elsewhere, so it stops counting.
    laptop.clock.set(desktop.clock.now())
    assert [n.kind for n in laptop.tracker.heartbeat()] == ["session_lost"]
    laptop.work(60)
    assert not laptop.tracker.status().running
    assert desktop.tracker.stop().tracked_seconds == 5 * 60
    with desktop.app.db.read() as s:
        assert s.scalar(select(func.sum(Segment.tracked_seconds))) == kept + 5 * 60
    assert desktop.app.check().ok


def test_two_machines_releasing_one_milestone_at_once_book_it_once(machines, monkeypatch):
    """The laptop's catch-up and the desktop's Approve reach the same milestone at the
    same moment: the milestone's row is locked while a step runs, so the second sees the
    first's result and books nothing (on SQLite, writers queue anyway)."""
    laptop, desktop = machines
    _, _, milestone = make_contracts(laptop.app)
    laptop.app.milestones.submit(milestone, "done")
    later = laptop.clock.now() + timedelta(days=15)  # past the 14 days of review
    laptop.clock.set(later)
    desktop.clock.set(later)

    ledger = laptop.app.ledger
    original = type(ledger).record
    desktop_done = threading.Event()

    def slow_record(self, *args, **kwargs):
        # The laptop has read the milestone and is about to book: give the desktop the
        # chance to release it meanwhile (it cannot while the row is locked).
        if self is ledger:
            desktop_done.wait(timeout=1.5)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(ledger), "record", slow_record)
    outcome: dict[str, object] = {}

    def approve_on_desktop() -> None:
        time.sleep(0.3)  # the laptop is inside its step by now
        try:
            outcome["desktop"] = desktop.app.milestones.approve(milestone)["state"]
        except RuleError as exc:
            outcome["desktop"] = exc
        finally:
            desktop_done.set()

    thread = threading.Thread(target=approve_on_desktop)
    thread.start()
    released = laptop.app.milestones.auto_release_due()
    thread.join(timeout=30)
    monkeypatch.undo()

    states = [r["state"] for r in released]
    refused = isinstance(outcome.get("desktop"), RuleError)
    # Exactly one of them released it; the other was told or skipped it.
    assert (states == ["released"] and refused) or (
        states == [] and outcome.get("desktop") == "released"
    ), (states, outcome)
    with laptop.app.db.read() as s:
        releases = s.scalar(
            select(func.count())
            .select_from(LedgerTransaction)
            .where(LedgerTransaction.kind == "milestone_released")
        )
    assert releases == 1
    assert unbalanced(laptop.app) == []
    assert laptop.app.check().ok
