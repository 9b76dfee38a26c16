"""Private by construction: a whole demo session — the demo, every list, the reports, a
tracking session with snapshots, exports, a backup — with IP socket creation made to
fail finds nothing that tried the network, and leaves every folder of the data folder
0700 and every file 0600. (That no typed content is stored is proven on a real X server
by tests/cli/test_track_cli.py::test_track_run_on_a_real_display_counts_typing_and_never_stores_it
and tests/tracker/test_xserver.py::test_typed_text_is_found_nowhere_on_disk.)"""

from __future__ import annotations

import json
import os
import random
import socket
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from freelancer_desk import cli
from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.clock import FakeClock, SystemClock
from freelancer_desk.tracker.activity import FakeActivity
from freelancer_desk.tracker.engine import Tracker
from freelancer_desk.tracker.screen import FakeScreen

NOUNS = ("client", "gig", "order", "job", "proposal", "contract", "milestone", "session",
         "segment", "invoice", "review", "reminder")  # fmt: skip


@pytest.fixture
def no_network(monkeypatch):
    """socket.socket refuses AF_INET/AF_INET6 (AF_UNIX stays: X11), and name lookups
    and connections fail; every attempt is recorded."""
    attempts: list[str] = []
    real = socket.socket

    class NoNetSocket(real):
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            fam = socket.AF_INET if family == -1 else family
            if fileno is None and fam in (socket.AF_INET, socket.AF_INET6):
                attempts.append(f"socket({socket.AddressFamily(fam).name})")
                raise OSError("network access is disabled in this test")
            super().__init__(family, type, proto, fileno)

    def refuse(name):
        def refused(*args, **kwargs):
            attempts.append(f"{name}{args[:2]}")
            raise OSError(f"{name} is disabled in this test")

        return refused

    monkeypatch.setattr(socket, "socket", NoNetSocket)
    for name in ("getaddrinfo", "gethostbyname", "create_connection", "socketpair"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts


def run(capsys, ws, *argv):
    capsys.readouterr()
    code = cli.main(["--data-dir", ws, *argv])
    out, err = capsys.readouterr()
    assert code == 0, (argv, err)
    return out


def modes(root: Path) -> tuple[list[str], list[str]]:
    """(folders not 0700, files with any group/other bit), relative to root."""
    loose_dirs = [
        str(p.relative_to(root)) or "."
        for p in [root, *root.rglob("*")]
        if p.is_dir() and stat.S_IMODE(p.stat().st_mode) != 0o700
    ]
    loose_files = [
        f"{p.relative_to(root)} {oct(stat.S_IMODE(p.stat().st_mode))}"
        for p in root.rglob("*")
        if p.is_file() and stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    return loose_dirs, loose_files


def test_a_whole_demo_session_opens_no_network_socket_and_keeps_files_private(
    tmp_path, capsys, no_network
):
    assert socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close() is None  # X11 stays
    old_umask = os.umask(0o022)  # a usual desktop umask: privacy must not rely on it
    try:
        ws = str(tmp_path / "ws")
        run(capsys, ws, "demo")
        for noun in NOUNS:
            json.loads(run(capsys, ws, noun, "list", "--json"))
        for report in ("earnings", "hours", "proposals", "gigs", "reputation"):
            run(capsys, ws, "report", report, "--json")
        run(capsys, ws, "ledger", "balances", "--json")
        run(capsys, ws, "check", "--json")
        client = json.loads(run(capsys, ws, "client", "list", "--json"))[0]["id"]
        hourly = json.loads(run(capsys, ws, "contract", "create", "--client", client, "--title",
                                "Private", "--kind", "hourly", "--rate", "30", "--snapshots",
                                "full", "--json"))  # fmt: skip

        # A tracking session with fake sources: 25 minutes, three snapshots.
        app = App.open(resolve_location(ws), FakeClock(SystemClock().now()))
        clock = app.clock
        assert isinstance(clock, FakeClock)
        activity = FakeActivity()
        tracker = Tracker(app.db, clock, app.device_id, os.getpid(), activity,
                          FakeScreen((320, 200)), app.snapshot_dir, random.Random(3))  # fmt: skip
        import uuid

        tracker.start(uuid.UUID(hourly["id"]), None, "private work")
        for _ in range(25 * 12):
            clock.advance(5)
            activity.touch()
            tracker.tick()
            if _ % 12 == 0:
                tracker.heartbeat()
        tracker.stop()
        week = (clock.now() - timedelta(days=clock.now().weekday())).date().isoformat()
        app.close()
        snapshots = [p for p in (tmp_path / "ws" / "snapshots").rglob("*") if p.is_file()]
        assert snapshots, "the session took snapshots"

        out = tmp_path / "exports"
        out.mkdir()
        run(capsys, ws, "export", "json", "--out", str(out / "all.json"))
        run(capsys, ws, "export", "csv", "sessions", "--out", str(out / "s.csv"))
        run(capsys, ws, "export", "ics", "--out", str(out / "s.ics"))
        run(capsys, ws, "export", "evidence", "--contract", hourly["id"], "--week", week,
            "--out", str(out / "evidence"))  # fmt: skip
        run(capsys, ws, "backup", "now")
        run(capsys, ws, "track", "diary", "--json")
    finally:
        os.umask(old_umask)

    assert no_network == []
    loose_dirs, loose_files = modes(tmp_path / "ws")
    assert loose_dirs == [] and loose_files == []
    names = {p.name for p in (tmp_path / "ws").rglob("*") if p.is_file()}
    assert "workspace.sqlite3" in names and "device-id" in names
    assert any(n.startswith("workspace-") for n in names)  # the backup was checked too


def test_the_guard_does_catch_an_attempt(no_network):
    with pytest.raises(OSError, match="disabled"):
        socket.create_connection(("example.org", 80))
    with pytest.raises(OSError, match="disabled"):
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    assert len(no_network) == 2
