"""`freelancer-desk track`: run in one process, status and stop from another; manual
time; the diary as JSON; held time resolved from the command line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from freelancer_desk import cli

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def run(capsys, data_dir, *argv):
    code = cli.main(["--data-dir", data_dir, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workspace(tmp_path, capsys):
    """A demo workspace and one active hourly contract's id."""
    data_dir = str(tmp_path / "ws")
    assert run(capsys, data_dir, "demo")[0] == 0
    _code, out, _ = run(capsys, data_dir, "contract", "list", "--json")
    rows = json.loads(out)
    active = [r for r in rows if r.get("state") == "active" and r.get("kind") == "hourly"]
    return data_dir, active[0]["id"]


def cli_process(data_dir, *argv):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # no real sources needed
    return subprocess.Popen(
        [sys.executable, "-m", "freelancer_desk", "--data-dir", data_dir, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_run_in_one_process_status_and_stop_from_another(workspace, capsys):
    data_dir, contract = workspace
    tracker = cli_process(
        data_dir,
        "track",
        "run",
        "--contract",
        contract,
        "--memo",
        "CLI work",
        "--tick-seconds",
        "0.5",
        "--heartbeat-seconds",
        "1",
        "--json",
    )
    try:

        def running():
            code, out, _ = run(capsys, data_dir, "track", "status", "--json")
            return code == 0 and json.loads(out)["running"]

        assert wait_for(running)
        code, out, err = run(capsys, data_dir, "track", "status", "--json")
        status = json.loads(out)
        assert status["session"]["pid"] == tracker.pid and status["session"]["memo"] == "CLI work"
        assert "closed session" not in err  # a live process is never an orphan
        time.sleep(2.5)  # a few ticks and heartbeats
        assert tracker.poll() is None
        code, out, err = run(capsys, data_dir, "track", "stop", "--json")
        assert code == 0, err
        stopped = json.loads(out)
        assert stopped["end_reason"] == "stopped" and not stopped["signalled"]
        assert stopped["tracked_seconds"] >= 2
        out, err = tracker.communicate(timeout=20)
    finally:
        if tracker.poll() is None:
            tracker.kill()
            tracker.communicate()
    assert tracker.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[0]["event"] in {"source", "started"}
    assert events[-1]["event"] == "stopped" and events[-1]["reason"] == "stop request"
    code, out, _ = run(capsys, data_dir, "track", "status", "--json")
    assert json.loads(out)["running"] is False


def test_run_stops_cleanly_on_sigterm(workspace, capsys):
    data_dir, contract = workspace
    tracker = cli_process(data_dir, "track", "run", "--contract", contract, "--tick-seconds", "0.5")
    try:
        assert wait_for(
            lambda: json.loads(run(capsys, data_dir, "track", "status", "--json")[1])["running"]
        )
        tracker.terminate()
        out, err = tracker.communicate(timeout=20)
    finally:
        if tracker.poll() is None:
            tracker.kill()
            tracker.communicate()
    assert tracker.returncode == 0, err
    assert "stopped (signal)" in out
    _code, out, _ = run(capsys, data_dir, "track", "status", "--json")
    assert json.loads(out)["running"] is False


def test_stop_without_tracking_is_one_line(workspace, capsys):
    data_dir, _ = workspace
    code, _out, err = run(capsys, data_dir, "track", "stop")
    assert code == 1 and err.strip() == "freelancer-desk: nothing is tracking on this device"


def test_manual_time_then_overlap_refused_and_diary_json(workspace, capsys):
    data_dir, contract = workspace
    day = (datetime.now(UTC) - timedelta(days=30)).date()
    while day.weekday() != 6:  # a Sunday: the demo rarely works then
        day += timedelta(days=1)
    args = ["track", "manual", "--contract", contract, "--date", day.isoformat(), "--utc"]
    code, out, err = run(
        capsys, data_dir, *args, "--from", "05:00", "--to", "05:45", "--memo", "Call", "--json"
    )
    assert code == 0, err
    assert json.loads(out)["seconds"] == 2700
    code, out, err = run(
        capsys, data_dir, *args, "--from", "05:30", "--to", "06:00", "--memo", "Again"
    )
    assert code == 1 and "overlaps time tracked" in err
    code, out, err = run(
        capsys, data_dir, "track", "diary", "--date", day.isoformat(), "--utc", "--json"
    )
    assert code == 0, err
    diary = json.loads(out)
    calls = [s for s in diary["segments"] if s["memo"] == "Call"]
    assert [(s["slot_start"][11:16], s["tracked_seconds"], s["kind"]) for s in calls] == [
        ("05:00", 600, "manual"),
        ("05:10", 600, "manual"),
        ("05:20", 600, "manual"),
        ("05:30", 600, "manual"),
        ("05:40", 300, "manual"),
    ]
    assert diary["zone"] == "UTC" and diary["tracked_seconds"] >= 2700
    code, out, _ = run(capsys, data_dir, "track", "diary", "--date", day.isoformat(), "--utc")
    assert "05:00 [--m][--m][--m][--m][--m][   ]  0:45" in out


def test_bad_input_is_one_line(workspace, capsys):
    data_dir, contract = workspace
    for argv, message in [
        (["track", "diary", "--date", "yesterday"], "is not a date"),
        (["track", "diary", "--tz", "Mars/Base"], "unknown time zone"),
        (["track", "resolve", "abcd1234", "keep"], "no held time"),
        (["track", "run", "--contract", "ffff0000"], "no contract"),
        (
            ["track", "manual", "--contract", contract, "--from", "x", "--to", "y", "--memo", "m"],
            "is not a time",
        ),
    ]:
        code, _, err = run(capsys, data_dir, *argv)
        assert code == 1 and message in err and err.count("\n") == 1, (argv, err)


def test_verify_and_precheck_json(workspace, capsys):
    data_dir, _ = workspace
    code, out, _ = run(capsys, data_dir, "track", "verify", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run(capsys, data_dir, "track", "precheck", "--json")
    check = json.loads(out)
    assert code == 0 and check["locks_at"].endswith("12:00:00+00:00")
    assert all(item["reasons"] for item in check["items"])


@pytest.mark.xserver
def test_track_run_on_a_real_display_counts_typing_and_never_stores_it(workspace, capsys):
    """The whole app path: `track run` with the sources it detects on X11, xdotool typing
    into the display; activity is recorded, the typed text is nowhere in the data folder
    (database, WAL, log, snapshots)."""
    data_dir, contract = workspace
    secret = "Tr4ck-secret-Pq9-zebra"
    env = dict(os.environ)
    command = [sys.executable, "-m", "freelancer_desk", "--data-dir", data_dir, "track", "run"]
    tracker = subprocess.Popen(
        [*command, "--contract", contract, "--tick-seconds", "0.5", "--heartbeat-seconds", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert wait_for(
            lambda: json.loads(run(capsys, data_dir, "track", "status", "--json")[1])["running"]
        )
        for _ in range(6):
            subprocess.run(["xdotool", "type", "--delay", "5", secret], check=True, timeout=30)
            time.sleep(0.5)
        code, out, err = run(capsys, data_dir, "track", "stop", "--json")
        assert code == 0, err
        out, err = tracker.communicate(timeout=20)
    finally:
        if tracker.poll() is None:
            tracker.kill()
            tracker.communicate()
    assert "no activity source" not in out, out
    db = sqlite3.connect(Path(data_dir) / "workspace.sqlite3")
    try:
        activity = db.execute(
            "SELECT activity FROM segments WHERE session_id = "
            "(SELECT id FROM time_sessions ORDER BY started_at DESC LIMIT 1)"
        ).fetchall()
    finally:
        db.close()
    assert any(any(json.loads(row[0])) for row in activity), activity
    needles = [secret.encode(), secret.encode("utf-16-le"), secret[:9].encode()]
    for path in Path(data_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"{needle!r} found in {path}"
