"""The window notices what other machines write to a shared PostgreSQL database: every
writing transaction sends NOTIFY, and the watcher's LISTEN connection reports the ones
other writers committed (storage/watch.py). Only meaningful on a server: postgres_only.

Notifications arrive asynchronously, so the tests wait for them (bounded, never timed).
To show that something was *not* reported, they use a fence: a write of the watcher's
own app afterwards. PostgreSQL delivers notifications in commit order, so once the
watcher has read the fence's notification, anything committed before it was read too.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from freelancer_desk.app import App, AppBackend, Location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.storage.models import Client
from freelancer_desk.storage.watch import NotifyWatcher, watcher_for

pytestmark = pytest.mark.postgres_only

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    """Poll until `condition()` holds; False if it never did (a bound, not a timing)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def two_apps(tmp_path: Path) -> Iterator[tuple[App, App]]:
    shared = f"sqlite:///{tmp_path / 'shared' / 'workspace.sqlite3'}"
    (tmp_path / "shared").mkdir()
    laptop = App.open(Location(tmp_path / "laptop", shared), FakeClock(NOW))
    desktop = App.open(Location(tmp_path / "desktop", shared), FakeClock(NOW))
    assert laptop.db.url == desktop.db.url and laptop.db.url.startswith("postgresql")
    yield laptop, desktop
    desktop.close()
    laptop.close()


def listening(app: App) -> NotifyWatcher:
    watcher = watcher_for(app.db)
    assert isinstance(watcher, NotifyWatcher)
    assert wait_for(watcher.listening.is_set), watcher.last_error
    return watcher


def test_a_write_on_one_machine_is_reported_on_the_other_once(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        assert watcher.changed() is False
        desktop.clients.create(ClientInput(name="Written on the desktop"))
        assert wait_for(lambda: watcher.received >= 1)
        assert watcher.changed() is True
        assert watcher.changed() is False  # reported once
    finally:
        watcher.close()


def test_own_writes_reads_and_rolled_back_writes_are_not_reported(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        laptop.clients.create(ClientInput(name="Written here"))  # own: not external
        with desktop.db.session() as session:  # a committed read sends nothing
            session.execute(select(Client)).all()
        with pytest.raises(RuntimeError), desktop.db.session() as session:
            session.execute(text("DELETE FROM clients"))
            raise RuntimeError("rolled back")
        laptop.clients.create(ClientInput(name="Fence"))
        # Two notifications: the laptop's two commits (one per writing transaction).
        assert wait_for(lambda: watcher.received >= 2)
        assert watcher.received == 2
        assert watcher.changed() is False
    finally:
        watcher.close()


def test_a_transaction_with_many_writes_notifies_once(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        with desktop.db.session() as session:
            for name in ("a", "b", "c"):  # three INSERTs, an UPDATE
                session.add(Client(name=name, platform="direct"))
                session.flush()
            session.execute(update(Client).values(notes="bulk"))
        laptop.clients.create(ClientInput(name="Fence"))
        assert wait_for(lambda: watcher.received >= 2)
        assert watcher.received == 2  # the desktop's transaction, then the fence
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_a_write_after_a_rolled_back_savepoint_is_still_announced(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        with desktop.db.session() as session:
            savepoint = session.begin_nested()
            session.add(Client(name="undone", platform="direct"))
            session.flush()  # announced inside the savepoint...
            savepoint.rollback()  # ...and that notification is dropped with it
            session.add(Client(name="kept", platform="direct"))
        laptop.clients.create(ClientInput(name="Fence"))
        assert wait_for(lambda: watcher.received >= 2)
        assert watcher.received == 2
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_autocommit_writes_are_each_announced(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        engine = desktop.db.engine.execution_options(isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(update(Client).values(notes="one"))
            conn.execute(update(Client).values(notes="two"))
        laptop.clients.create(ClientInput(name="Fence"))
        assert wait_for(lambda: watcher.received >= 3)
        assert watcher.received == 3
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_a_lost_connection_reconnects_and_reports_a_change(two_apps):
    laptop, desktop = two_apps
    watcher = listening(laptop)
    try:
        pid = watcher.backend_pid
        with desktop.db.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert wait_for(lambda: watcher.reconnects == 1 and watcher.listening.is_set())
        assert watcher.backend_pid != pid
        # Whatever was committed while it was away went unheard: refresh.
        assert watcher.changed() is True
        assert watcher.changed() is False
        desktop.clients.create(ClientInput(name="After the reconnect"))
        assert wait_for(lambda: watcher.received >= 1)
        assert watcher.changed() is True
    finally:
        watcher.close()


def test_a_server_that_is_not_there_is_no_crash():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    watcher = NotifyWatcher(
        {"host": "127.0.0.1", "port": port, "dbname": "x", "user": "x"}, None, max_pause=0.2
    )
    try:
        assert wait_for(lambda: watcher.last_error is not None)
        assert "OperationalError" in str(watcher.last_error)
        assert watcher.changed() is False
        assert not watcher.listening.is_set()
    finally:
        watcher.close()
    assert not watcher._thread.is_alive()


def test_the_window_backend_sees_a_cli_command_on_the_shared_database(two_apps, tmp_path):
    laptop, _desktop = two_apps
    backend = AppBackend(laptop)
    watcher = backend._watcher
    assert isinstance(watcher, NotifyWatcher)
    assert wait_for(watcher.listening.is_set)
    laptop.clients.create(ClientInput(name="From the window"))  # own: bus, not external
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "freelancer_desk",
            "--data-dir",
            str(tmp_path / "cli-machine"),
            "--db-url",
            laptop.db.url,
            "client",
            "add",
            "--name",
            "From the CLI",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert wait_for(lambda: watcher.received >= 2)
    assert backend.external_changes() is True
    assert backend.external_changes() is False
    watcher.close()  # the fixture closes the app
