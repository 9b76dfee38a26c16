"""Crash trials: `track run` killed with SIGKILL at random moments, then restarted.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/crash_trials.py \
        --trials 100 [--seed 1] [--heartbeat-seconds 5] [--tick-seconds 1] [--json]

Each trial starts `freelancer-desk track run` (a separate process, with the activity and
screen sources it detects on the X server in DISPLAY) on an hourly contract that takes
full snapshots, while a concurrent writer adds and funds milestones through the CLI
(`milestone add`, `milestone fund`: each funding is a committed ledger transaction). At
a random moment — during start-up too — the tracker gets SIGKILL, and in half the trials
the writer's command in flight is killed with it. Then one CLI command restarts the app
(any command closes orphans) and the trial checks:

- `PRAGMA integrity_check` is "ok" and `freelancer-desk check` finds nothing wrong;
- the orphaned session was closed (end_reason "orphaned", at its last heartbeat) and the
  command that closed it said so on stderr (the restart, or a writer command that started
  after the kill);
- tracked time lost (wall time from the session's start to the kill, minus the seconds
  its segments hold) is at most one heartbeat plus one tick, and never negative (no
  second counted that did not happen);
- every milestone funding the writer saw succeed has its ledger transaction, balanced.

The default run of `make test` runs 3 trials (tests/reliability/test_crash_short.py).
The workspace is kept across trials (crashes accumulate, as on a user's machine).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SLACK_SECONDS = 1.5  # scheduler jitter and rounding to whole seconds on a loaded box


def cli(data_dir: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "freelancer_desk", "--data-dir", str(data_dir), *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli_json(data_dir: Path, *argv: str) -> Any:
    done = cli(data_dir, *argv, "--json")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return json.loads(done.stdout)


@dataclass
class Workspace:
    data_dir: Path
    hourly_id: str
    fixed_id: str


def make_workspace(data_dir: Path) -> Workspace:
    client = cli_json(
        data_dir, "client", "add", "--name", "Crash Trials Ltd", "--platform", "upwork"
    )
    hourly = cli_json(
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Crash trials hourly",
        "--kind",
        "hourly",
        "--rate",
        "40",
        "--snapshots",
        "full",
    )
    fixed = cli_json(
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Crash trials fixed",
        "--kind",
        "fixed",
    )
    return Workspace(data_dir, hourly["id"], fixed["id"])


class Writer:
    """Adds and funds milestones through the CLI until stopped; remembers each funding
    the CLI reported done (exit 0), i.e. each committed ledger transaction."""

    def __init__(self, ws: Workspace, tag: str) -> None:
        self.ws = ws
        self.tag = tag
        self.funded: list[str] = []
        self.notes: list[str] = []  # its stderr: a command may be the one closing the orphan
        self.killed_in_flight = False
        self._stop = threading.Event()
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self, *argv: str) -> tuple[int, str]:
        with self._lock:
            if self._stop.is_set():
                return -1, ""
            self._proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "freelancer_desk",
                    "--data-dir",
                    str(self.ws.data_dir),
                    *argv,
                    "--json",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        out, err = self._proc.communicate()
        self.notes.append(err)
        return self._proc.returncode, out

    def _loop(self) -> None:
        n = 0
        while not self._stop.is_set():
            n += 1
            code, out = self._run(
                "milestone",
                "add",
                "--contract",
                self.ws.fixed_id,
                "--title",
                f"{self.tag}-{n}",
                "--amount",
                "10.00",
            )
            if code != 0:
                continue
            milestone = json.loads(out)["id"]
            code, _out = self._run("milestone", "fund", milestone)
            if code == 0:
                self.funded.append(milestone)

    def stop(self, *, kill_in_flight: bool) -> None:
        with self._lock:
            self._stop.set()
            proc = self._proc
            if kill_in_flight and proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                self.killed_in_flight = True
        self._thread.join(timeout=120)


def _jiggle(stop: threading.Event) -> None:
    """Mouse moves on the X server, so the tracker never sees the user as idle."""
    step = 1
    while not stop.wait(2.0):
        step = -step
        subprocess.run(
            ["xdotool", "mousemove_relative", "--", str(step), str(step)],
            check=False,
            capture_output=True,
        )


@dataclass
class Trial:
    number: int
    kill_after: float
    session_started: bool
    wall_seconds: float | None = None
    recorded_seconds: int | None = None
    held_seconds: int = 0
    lost_seconds: float | None = None
    funded: int = 0
    writer_killed: bool = False
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _open_db(data_dir: Path) -> Any:
    from freelancer_desk.domain.clock import SystemClock
    from freelancer_desk.storage.db import Database

    return Database(f"sqlite:///{data_dir / 'workspace.sqlite3'}", SystemClock())


def run_trial(
    ws: Workspace,
    number: int,
    rng: random.Random,
    *,
    tick: float,
    heartbeat: float,
    kill_range: tuple[float, float],
    seen: set[str],
    after_start: bool = False,
    full_check: bool = True,
) -> Trial:
    """One kill. The moment is counted from the spawn (start-up included), or with
    `after_start` from the tracker's "started" line and the writer's first committed
    funding (a session and a ledger row always exist)."""
    import sqlite3

    from sqlalchemy import select

    from freelancer_desk.storage.models import (
        Interruption,
        LedgerTransaction,
        Segment,
        TimeSession,
    )

    stop_jiggle = threading.Event()
    jiggler = threading.Thread(target=_jiggle, args=(stop_jiggle,), daemon=True)
    jiggler.start()
    kill_after = rng.uniform(*kill_range)
    writer = Writer(ws, f"t{number}")
    tracker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "freelancer_desk",
            "--data-dir",
            str(ws.data_dir),
            "track",
            "run",
            "--contract",
            ws.hourly_id,
            "--memo",
            f"trial {number}",
            "--tick-seconds",
            str(tick),
            "--heartbeat-seconds",
            str(heartbeat),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    spawned = time.monotonic()
    started = threading.Event()

    def read_events() -> None:
        assert tracker.stdout is not None
        for line in tracker.stdout:
            if '"event": "started"' in line:
                started.set()

    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()
    writer.start()
    if after_start:  # and after the writer's first committed funding
        started.wait(timeout=120)
        deadline = time.monotonic() + 120
        while not writer.funded and time.monotonic() < deadline:
            time.sleep(0.05)
        spawned = time.monotonic()
    time.sleep(max(0.0, kill_after - (time.monotonic() - spawned)))
    tracker.send_signal(signal.SIGKILL)
    killed_at = datetime.now(UTC)
    tracker.wait()
    reader.join(timeout=10)
    writer.stop(kill_in_flight=rng.random() < 0.5)
    stop_jiggle.set()

    # The restart: any command closes the orphan and says so on stderr.
    restart = cli(ws.data_dir, "track", "status", "--json")
    trial = Trial(
        number,
        round(kill_after, 2),
        False,
        funded=len(writer.funded),
        writer_killed=writer.killed_in_flight,
    )
    if restart.returncode != 0:
        trial.failures.append(f"restart failed: {restart.stderr.strip()}")
    elif json.loads(restart.stdout).get("running"):
        trial.failures.append("a session still runs after the restart")

    conn = sqlite3.connect(ws.data_dir / "workspace.sqlite3")
    try:
        verdict = conn.execute("PRAGMA integrity_check").fetchall()
    finally:
        conn.close()
    if verdict != [("ok",)]:
        trial.failures.append(f"integrity_check: {verdict[:3]}")
    check = cli(ws.data_dir, "check", "--json") if full_check else None
    if check is not None and check.returncode != 0:
        trial.failures.append(f"check: {check.stdout.strip()[:300]} {check.stderr.strip()}")

    db = _open_db(ws.data_dir)
    try:
        with db.read() as s:
            sessions = [
                row
                for row in s.scalars(
                    select(TimeSession).where(TimeSession.contract_id.is_not(None))
                ).all()
                if str(row.id) not in seen
            ]
            for row in sessions:
                seen.add(str(row.id))
            if len(sessions) > 1:
                trial.failures.append(f"{len(sessions)} new sessions in one trial")
            if sessions:
                row = sessions[0]
                trial.session_started = True
                if row.ended_at is None:
                    trial.failures.append("the orphaned session was not closed")
                else:
                    if row.end_reason != "orphaned":
                        trial.failures.append(f"end_reason {row.end_reason!r}, not 'orphaned'")
                    if row.ended_at != max(row.last_seen_at, row.started_at):
                        trial.failures.append("not closed at its last heartbeat")
                    told = [restart.stderr, *writer.notes]
                    if not any("closed session on Crash trials hourly" in t for t in told):
                        trial.failures.append("no restart reported the orphan")
                recorded = sum(
                    s.scalars(
                        select(Segment.tracked_seconds).where(
                            Segment.session_id == row.id, Segment.deleted.is_(False)
                        )
                    ).all()
                )
                held = sum(
                    s.scalars(
                        select(Interruption.seconds).where(Interruption.session_id == row.id)
                    ).all()
                )
                wall = (killed_at - row.started_at).total_seconds()
                trial.wall_seconds = round(wall, 2)
                trial.recorded_seconds = recorded
                trial.held_seconds = held
                trial.lost_seconds = round(wall - recorded - held, 2)
                if trial.lost_seconds > heartbeat + tick + SLACK_SECONDS:
                    trial.failures.append(
                        f"lost {trial.lost_seconds} s (> heartbeat {heartbeat} + tick {tick})"
                    )
                if recorded + held > wall + SLACK_SECONDS:
                    trial.failures.append(f"counted {recorded + held} s of {wall:.1f} s wall")
            for milestone in writer.funded:
                rows = s.scalars(
                    select(LedgerTransaction).where(
                        LedgerTransaction.source_kind == "milestone",
                        LedgerTransaction.source_id == milestone,
                    )
                ).all()
                if not rows:
                    trial.failures.append(f"funding of milestone {milestone[:8]} lost")
                for tx in rows:
                    sums: dict[str, int] = {}
                    for p in tx.postings:
                        sums[p.currency] = sums.get(p.currency, 0) + p.amount_minor
                    if any(sums.values()):
                        trial.failures.append(f"transaction {str(tx.id)[:8]} unbalanced")
    finally:
        db.dispose()
    return trial


def run_trials(
    data_dir: Path,
    trials: int,
    *,
    seed: int = 1,
    tick: float = 1.0,
    heartbeat: float = 5.0,
    kill_range: tuple[float, float] = (0.5, 14.0),
    progress: Callable[[Trial], None] | None = None,
    after_start: bool = False,
    full_check: bool = True,
) -> list[Trial]:
    if not os.environ.get("DISPLAY"):
        raise SystemExit("crash trials need a real X server: run under xvfb-run")
    ws = make_workspace(data_dir)
    rng = random.Random(seed)
    seen: set[str] = set()
    results = []
    for number in range(1, trials + 1):
        trial = run_trial(
            ws,
            number,
            rng,
            tick=tick,
            heartbeat=heartbeat,
            kill_range=kill_range,
            seen=seen,
            after_start=after_start,
            full_check=full_check,
        )
        results.append(trial)
        if progress is not None:
            progress(trial)
    return results


def summary(results: list[Trial], heartbeat: float, tick: float) -> dict[str, Any]:
    losses = [t.lost_seconds for t in results if t.lost_seconds is not None]
    return {
        "trials": len(results),
        "failed": sum(not t.ok for t in results),
        "sessions_recovered": sum(t.session_started for t in results),
        "killed_before_a_session_existed": sum(not t.session_started for t in results),
        "writer_killed_in_flight": sum(t.writer_killed for t in results),
        "fundings_committed_and_checked": sum(t.funded for t in results),
        "heartbeat_seconds": heartbeat,
        "tick_seconds": tick,
        "lost_seconds_max": max(losses, default=None),
        "lost_seconds_mean": round(sum(losses) / len(losses), 2) if losses else None,
        "lost_seconds_min": min(losses, default=None),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tick-seconds", type=float, default=1.0)
    parser.add_argument("--heartbeat-seconds", type=float, default=5.0)
    parser.add_argument("--kill-max", type=float, default=14.0, help="latest kill, s after spawn")
    parser.add_argument("--data-dir", help="workspace folder (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="the summary as JSON")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="crash-trials-")) / "ws"
    started = time.monotonic()

    def progress(t: Trial) -> None:
        state = "ok" if t.ok else "FAIL " + "; ".join(t.failures)
        print(
            f"trial {t.number:3d}: kill at {t.kill_after:5.2f} s, session "
            f"{'yes' if t.session_started else 'no '}, lost {t.lost_seconds}, "
            f"fundings {t.funded}, writer killed {t.writer_killed}: {state}",
            file=sys.stderr,
            flush=True,
        )

    results = run_trials(
        data_dir,
        args.trials,
        seed=args.seed,
        tick=args.tick_seconds,
        heartbeat=args.heartbeat_seconds,
        kill_range=(0.5, args.kill_max),
        progress=progress,
    )
    report = summary(results, args.heartbeat_seconds, args.tick_seconds)
    report["minutes"] = round((time.monotonic() - started) / 60, 1)
    report["failures"] = [asdict(t) for t in results if not t.ok]
    print(json.dumps(report, indent=None if args.json else 2))
    return 0 if report["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
