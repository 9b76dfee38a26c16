"""Composition root: resolves where the workspace lives, opens the store, builds the
services. The only place where concrete classes are chosen; everything else receives
what it needs as arguments.
"""

from __future__ import annotations

import argparse
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from freelancer_desk.domain.clock import Clock, SystemClock
from freelancer_desk.services.events import Change, ChangeBus

# SQLAlchemy, the storage layer and Alembic are imported where they are used: the
# window imports this module to locate the workspace and paints before they load.
if TYPE_CHECKING:
    from freelancer_desk.services.billing import HourlyBillingService
    from freelancer_desk.services.check import CheckReport
    from freelancer_desk.services.clients import ClientService
    from freelancer_desk.services.contracts import (
        ContractService,
        MilestoneService,
        NewWorkDefaults,
    )
    from freelancer_desk.services.demo import DemoSummary
    from freelancer_desk.services.gigs import GigService
    from freelancer_desk.services.invoices import InvoiceService
    from freelancer_desk.services.jobs import JobPostService
    from freelancer_desk.services.ledger import LedgerService
    from freelancer_desk.services.listing import ListSource
    from freelancer_desk.services.orders import OrderService
    from freelancer_desk.services.proposals import ProposalService
    from freelancer_desk.services.reminders import ReminderService
    from freelancer_desk.services.reports import ReportService
    from freelancer_desk.services.reviews import ReviewService
    from freelancer_desk.services.settings import SettingsService
    from freelancer_desk.services.summary import SummaryService
    from freelancer_desk.storage.db import Database
    from freelancer_desk.storage.migrate import MigrationResult
    from freelancer_desk.tracker.engine import Tracker
    from freelancer_desk.tracker.recovery import Recovered

# Re-exported: where the workspace is comes from services.machine (light).
from freelancer_desk.services.machine import DATA_DIR_ENV as DATA_DIR_ENV
from freelancer_desk.services.machine import DB_URL_ENV as DB_URL_ENV


@dataclass(frozen=True)
class Location:
    """Where the workspace lives: a data folder (snapshots, backups, device id) and the
    database URL (SQLite inside the folder unless another URL is given)."""

    data_dir: Path
    db_url: str

    @property
    def exists(self) -> bool:
        from freelancer_desk.storage.workspace import workspace_exists

        if not self.db_url.startswith("sqlite"):
            # A server database: this machine's folder is made when it is first opened.
            return workspace_exists(self.db_url)
        return self.data_dir.is_dir() and workspace_exists(self.db_url)


def resolve_location(data_dir: str | None = None, db_url: str | None = None) -> Location:
    """The command line wins, then the environment, then what was chosen on this
    computer (the first-run wizard, the settings), then the platform's data folder
    (`services.machine.locate`, light: the CLI's lean path uses it without this module)."""
    from freelancer_desk.services.machine import locate  # light: stdlib only

    return Location(*locate(data_dir, db_url))


def device_id(data_dir: Path) -> str:
    """This machine's id, made once and kept in the data folder: running sessions and
    snapshots belong to a device."""
    path = data_dir / "device-id"
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:12]}"
    tmp = path.with_name("device-id.part")
    tmp.write_text(value + "\n", encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return value


class App:
    """The running application's parts, handed to the CLI or the window.

    Services are built on first use (and their modules imported then), so a CLI
    command loads only what it touches.
    """

    def __init__(
        self, location: Location, clock: Clock, db: Database, migration: MigrationResult
    ) -> None:
        self.location = location
        self.clock = clock
        self.db = db
        self.migration = migration
        self.bus = ChangeBus()
        self.device_id = device_id(location.data_dir)
        self.startup_notices: list[str] = []

    @classmethod
    def open(cls, location: Location, clock: Clock | None = None, *, create: bool = True) -> App:
        from freelancer_desk.storage.workspace import open_workspace

        clock = clock or SystemClock()
        db, migration = open_workspace(location.data_dir, location.db_url, clock, create=create)
        return cls(location, clock, db, migration)

    # -- services ------------------------------------------------------------------
    @cached_property
    def ledger(self) -> LedgerService:
        from freelancer_desk.services.ledger import LedgerService

        return LedgerService(self.db)

    @cached_property
    def clients(self) -> ClientService:
        from freelancer_desk.services.clients import ClientService

        return ClientService(self.db, self.bus)

    @cached_property
    def gigs(self) -> GigService:
        from freelancer_desk.services.gigs import GigService

        return GigService(self.db, self.bus)

    @cached_property
    def orders(self) -> OrderService:
        from freelancer_desk.services.orders import OrderService
        from freelancer_desk.storage.delivered_files import DeliveredFiles

        return OrderService(
            self.db,
            self.bus,
            self.clock,
            self.ledger,
            files=DeliveredFiles(self.location.data_dir / "deliveries"),
            device_id=self.device_id,
        )

    @cached_property
    def jobs(self) -> JobPostService:
        from freelancer_desk.services.jobs import JobPostService

        return JobPostService(self.db, self.bus, self.clock)

    @cached_property
    def proposals(self) -> ProposalService:
        from freelancer_desk.services.proposals import ProposalService

        return ProposalService(self.db, self.bus, self.clock, defaults=self.new_work_defaults)

    @cached_property
    def contracts(self) -> ContractService:
        from freelancer_desk.services.contracts import ContractService

        return ContractService(self.db, self.bus, self.clock, defaults=self.new_work_defaults)

    def new_work_defaults(self) -> NewWorkDefaults:
        """The user's settings for a new contract's open terms, read when one is made."""
        from freelancer_desk.domain.platforms import Platform
        from freelancer_desk.services.contracts import NewWorkDefaults

        get = self.settings.get
        return NewWorkDefaults(
            fee_bp={p.value: int(get(f"fees.{p.value}")) for p in Platform},
            rounding_rule=str(get("billing.rounding")),
            snapshot_policy=str(get("snapshots.default_policy")),
        )

    @cached_property
    def milestones(self) -> MilestoneService:
        from freelancer_desk.services.contracts import MilestoneService

        return MilestoneService(self.db, self.bus, self.clock, self.ledger)

    @cached_property
    def reviews(self) -> ReviewService:
        from freelancer_desk.services.reviews import ReviewService

        return ReviewService(self.db, self.bus, self.clock)

    @cached_property
    def billing(self) -> HourlyBillingService:
        from freelancer_desk.services.billing import HourlyBillingService

        return HourlyBillingService(self.db, self.clock, self.ledger, self.bus)

    @cached_property
    def invoices(self) -> InvoiceService:
        from freelancer_desk.services.invoices import InvoiceService

        return InvoiceService(self.db, self.clock, self.ledger, self.bus)

    @cached_property
    def reminders(self) -> ReminderService:
        from freelancer_desk.services.reminders import ReminderService

        return ReminderService(self.db, self.clock, self.bus)

    @cached_property
    def settings(self) -> SettingsService:
        from freelancer_desk.services.settings import SettingsService

        return SettingsService(self.db, self.bus)

    @cached_property
    def reports(self) -> ReportService:
        from freelancer_desk.services.reports import ReportService

        return ReportService(self.db, self.clock, self.ledger)

    @cached_property
    def sources(self) -> dict[str, ListSource]:
        from freelancer_desk.services.views import build_sources

        return build_sources(self.db)

    @cached_property
    def summary(self) -> SummaryService:
        from freelancer_desk.services.summary import SummaryService

        return SummaryService(self.db, self.clock)

    @cached_property
    def snapshot_dir(self) -> Path:
        return self.location.data_dir / "snapshots"

    @cached_property
    def tracker(self) -> Tracker:
        """This process's tracker, with the activity and screen sources this machine
        offers (none on Wayland or without a display: tracking still counts time)."""
        import random

        from freelancer_desk.tracker.activity import detect_activity_source
        from freelancer_desk.tracker.engine import Tracker
        from freelancer_desk.tracker.screen import detect_screen_source

        activity = detect_activity_source()
        screen = detect_screen_source()
        return Tracker(
            self.db,
            self.clock,
            self.device_id,
            os.getpid(),
            activity.source,
            screen.source,
            self.snapshot_dir,
            random.Random(),
            idle_threshold=60.0 * float(self.settings.get("tracker.idle_minutes")),
        )

    # -- whole-workspace operations --------------------------------------------------
    def catch_up(self) -> dict[str, int]:
        """What fell due while the app was closed or asleep, booked at the instant it
        fell due: orders auto-completed, milestones auto-released, locked hourly weeks
        billed, pending money cleared, deadline reminders refreshed. Idempotent."""
        done = {
            "orders_completed": len(self.orders.auto_complete_due()),
            "milestones_released": len(self.milestones.auto_release_due()),
            "weeks_billed": len(self.billing.bill_due_weeks()),
            "pending_cleared": len(self.ledger.clear_due()),
        }
        self.settings.upgrade_stored()
        refreshed = self.reminders.refresh_deadlines()
        done["reminders_changed"] = sum(len(v) for v in refreshed.values())
        return done

    def recover_orphans(self) -> list[Recovered]:
        """Close this device's sessions left running by a process that is gone."""
        from freelancer_desk.tracker.recovery import recover_orphans

        return recover_orphans(self.db, self.clock, self.device_id)

    def verify_file(self) -> None:
        """`PRAGMA quick_check` of a SQLite workspace (reads the whole file): raises
        `NotAWorkspace` for a damaged page. Nothing to check on a server database."""
        from freelancer_desk.storage.workspace import sqlite_path, verify_integrity

        path = sqlite_path(self.location.db_url)
        if path is not None and path.exists():
            try:
                verify_integrity(path)
            except Exception:
                self.db.optimize_on_close = False  # leave the damaged file as it is
                raise

    def start_of_day(self, step: Callable[[str], None] | None = None) -> list[str]:
        """What the window does when it opens; returns what the user should be told.
        `step(text)` is called before each part (the window shows it while it waits;
        it may raise to stop between parts)."""
        from freelancer_desk.storage.backup import daily_backup
        from freelancer_desk.storage.workspace import sqlite_path

        say = step or (lambda _text: None)
        say("Closing sessions left running…")
        notices = [r.message for r in self.recover_orphans()]
        path = sqlite_path(self.location.db_url)
        if path is not None and not self.is_empty():
            say("Taking the day's backup…")
            daily_backup(path, self.location.data_dir / "backups", self.clock.now())
        say("Booking what fell due…")
        self.catch_up()
        return notices

    def create_demo(self, seed: int = 7) -> DemoSummary:
        from freelancer_desk.services.demo import create_demo

        summary = create_demo(self.db, self.clock, self.ledger, self.device_id, seed=seed)
        self.catch_up()  # the deadline reminders, keyed as the reminder service keys them
        self.bus.publish(Change("workspace", "demo"))
        return summary

    def check(self) -> CheckReport:
        from freelancer_desk.services.check import check_workspace
        from freelancer_desk.storage.delivered_files import DeliveredFiles

        files = DeliveredFiles(self.location.data_dir / "deliveries")
        return check_workspace(self.db, files, self.device_id)

    def is_empty(self) -> bool:
        """A new workspace: nothing a user enters by hand exists yet."""
        from sqlalchemy import select

        from freelancer_desk.storage.models import Client, Contract, Gig, JobPost

        with self.db.read() as session:
            return not any(
                session.scalar(select(model.id).limit(1)) is not None
                for model in (Client, Gig, JobPost, Contract)
            )

    def close(self) -> None:
        tracker = self.__dict__.get("tracker")
        if tracker is not None:
            if tracker.status().running:
                tracker.stop()
            # The X11 idle source holds a connection to the X server.
            for source in (tracker.activity, tracker.screen):
                close = getattr(source, "close", None)
                if callable(close):
                    close()
        self.db.dispose()


class AppBackend:
    """The application as the window sees it (the shape `ui/backend.py` declares)."""

    def __init__(self, app: App) -> None:
        from freelancer_desk.storage.watch import watcher_for

        self.app = app
        # SQLite: the file's data_version; PostgreSQL: LISTEN for other writers' NOTIFY.
        self._watcher = watcher_for(app.db)

    @property
    def data_dir(self) -> Path:
        return self.app.location.data_dir

    def list_source(self, key: str) -> ListSource:
        return self.app.sources[key]

    def summary(self, area: str) -> Sequence[tuple[str, str]]:
        return self.app.summary.tiles(area)

    def is_empty(self) -> bool:
        return self.app.is_empty()

    def create_demo(self) -> None:
        self.app.create_demo()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self.app.bus.subscribe(lambda _change: callback())

    def external_changes(self) -> bool:
        """True when another process (a CLI command, another machine on a shared
        PostgreSQL database) committed since the last call, or when that cannot be
        known (the server connection was lost and is back). Never waits."""
        return self._watcher.changed()

    def close(self) -> None:
        self._watcher.close()
        self.app.close()


def open_backend(
    args: argparse.Namespace,
    step: Callable[[str], None] | None = None,
    ready: Callable[[AppBackend], None] | None = None,
    *,
    check_file: bool = False,
) -> AppBackend:
    """Open the workspace named by the command line (creating it on first start), take
    the day's backup, close orphaned sessions and book what fell due meanwhile.

    The window calls it on a worker thread: `step(text)` says what comes next (see
    `start_of_day`); `ready(backend)` gets the backend as soon as it can be read (the
    tables' sources and the tiles' service built), before the rest; `check_file` runs
    the full integrity check (`App.verify_file`) after `ready` and before anything is
    written. Once `ready` was called, closing the backend on failure is its caller's."""
    app = App.open(resolve_location(args.data_dir, args.db_url))
    say = step or (lambda _text: None)
    backend: AppBackend | None = None
    handed = False
    try:
        backend = AppBackend(app)
        if ready is not None:
            say("Preparing the window…")
            _ = app.sources, app.summary
            handed = True
            ready(backend)
        if check_file:
            say("Checking the workspace file…")
            app.verify_file()
        app.startup_notices = app.start_of_day(step)
    except BaseException:
        if not handed:
            (backend or app).close()
        raise
    return backend
