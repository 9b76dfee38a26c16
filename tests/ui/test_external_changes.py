"""A CLI command that writes while the window is open: the window shows it."""

import subprocess
import sys

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.storage.watch import ChangeWatcher
from freelancer_desk.storage.workspace import sqlite_path
from freelancer_desk.ui.main import build_window


def cli(data_dir, *argv):
    done = subprocess.run(
        [sys.executable, "-m", "freelancer_desk", "--data-dir", str(data_dir), *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_cli_write_shows_in_the_open_window(qtbot, tmp_path):
    data = tmp_path / "ws"
    cli(data, "client", "add", "--name", "First")
    backend = AppBackend(App.open(resolve_location(str(data))))
    window = build_window(backend, remember=False)
    qtbot.addWidget(window)
    try:
        window.set_area("contracts")  # shown: read again at once (hidden ones when shown)
        contracts = window.page("contracts").models[0]
        assert contracts.total == 0
        assert not backend.external_changes()  # nothing happened yet
        client_id = cli(data, "client", "list", "--json").split('"id": "')[1][:8]
        cli(
            data,
            "contract",
            "create",
            "--client",
            client_id,
            "--title",
            "From the CLI",
            "--kind",
            "hourly",
            "--rate",
            "40",
        )
        window.check_external_changes()
        qtbot.waitUntil(lambda: contracts.total == 1, timeout=20_000)
    finally:
        window.close()
        backend.close()


def test_the_watcher_sees_other_connections_commit_only(tmp_path):
    data = tmp_path / "ws"
    cli(data, "client", "add", "--name", "x")
    path = sqlite_path(resolve_location(str(data)).db_url)
    watcher = ChangeWatcher(path)
    try:
        assert watcher.changed() is False
        cli(data, "client", "add", "--name", "y")
        assert watcher.changed() is True
        assert watcher.changed() is False  # reported once
    finally:
        watcher.close()
    assert ChangeWatcher(None).changed() is False  # a server database: nothing to watch
