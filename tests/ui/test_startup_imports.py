"""What the window's process does not import until it needs it (issue 4: memory while
tracking with the window open). Pillow (~2-4 MB resident with its bundled libraries) is
imported at the first screen snapshot, not when the window starts, nor when tracking
starts: a window that tracks without snapshots, or has not taken one yet, never maps it.
QtNetwork (~2.5 MB with libQt6Network and Kerberos' libraries) is not imported at all on
Unix: the single-instance guard listens on a Python socket.

Checked in a fresh process that starts the window as `run_gui` does (offscreen), with
the tray and the tracker's runtime installed and a session tracking."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from freelancer_desk.app import App, resolve_location
from freelancer_desk.storage.models import Client, Contract

# Runs `run_gui` on DATA_DIR; once the tray's runtime is there: which modules are loaded,
# then start tracking, run one tick on the runtime's scheduler, look again, and quit.
_PROBE = """
import argparse, json, sys, uuid
from PySide6.QtCore import QTimer
from freelancer_desk.ui import main
from freelancer_desk.ui.tracker_runtime import TrackerRuntime

WATCHED = ("PIL", "PIL.Image", "PySide6.QtNetwork")
seen = {}

def loaded():
    return sorted(name for name in WATCHED if name in sys.modules)

def probe():
    app = main.QApplication.instance()
    runtimes = app.findChildren(TrackerRuntime) if app is not None else []
    if not runtimes or not runtimes[0].started:
        QTimer.singleShot(100, probe)
        return
    runtime = runtimes[0]
    seen["window_open"] = loaded()
    runtime.start_tracking(uuid.UUID(sys.argv[2]), None, "probe")
    runtime._scheduler.run_tick()
    seen["tracking"] = loaded()
    seen["running"] = runtime.status().running
    seen["screen_source"] = runtime.status().screen_source
    app.closeAllWindows()
    app.quit()

QTimer.singleShot(0, probe)
args = argparse.Namespace(data_dir=sys.argv[1], db_url=None, screenshot=None)
code = main.run_gui(args)
print(json.dumps({"code": code, **seen}))
"""


def _workspace(folder: Path) -> str:
    app = App.open(resolve_location(str(folder)))
    try:
        with app.db.session() as s:
            client = Client(name="Probe client", platform="upwork")
            s.add(client)
            s.flush()
            contract = Contract(
                client_id=client.id,
                title="Probe contract",
                platform="upwork",
                kind="hourly",
                hourly_rate_minor=5000,
                started_at=app.clock.now(),
                snapshot_policy="blurred",
            )
            s.add(contract)
            s.flush()
            contract_id = str(contract.id)
    finally:
        app.close()
    return contract_id


def test_pillow_waits_for_the_first_snapshot_and_qtnetwork_is_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "ws"
    contract_id = _workspace(folder)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env.pop("FREELANCER_DESK_DATA_DIR", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(folder), contract_id],
        env=env,
        cwd=tmp_path,  # the package as installed (or on PYTHONPATH), not the current folder
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["running"] is True  # the probe really tracked
    assert result["window_open"] == []
    assert result["tracking"] == []
