"""Benchmark: GUI frame times while the tracker takes snapshots. Not part of `make test`;
figures go to docs/benchmarks.md.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/frames.py --seconds 20

A widget animates at 60 Hz on the GUI thread (a precise 16 ms QTimer calling update();
each paintEvent notes the time) while the real tracker runs on APScheduler's thread as
in the window: `Tracker.tick()` every second, and for the "captures" phases every tick
takes a blurred snapshot through the engine's own path (grab, store, chain row) — the
segment's snapshot is made due again before each tick. Phases without and with captures
alternate. Reported per phase: the gaps between consecutive paints (nominal 16.7 ms):
median, p99, max, and how many exceeded 33 ms (a frame dropped: the GUI thread was kept
from painting for longer than one frame). On the GUI thread `Tracker.status()` is asked every 250 ms (the window asks every
second, from the Tracker area's clock and the runtime's pulse); the longest call is
reported, since it waits for the tracker's lock. A full-screen picture is shown by a child
process first (see bench/snapshot.py), so the grab reads real content.

`FD_SRC=/tmp/old` runs another checkout's code (a `git worktree` of an older commit).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

if os.environ.get("FD_SRC"):
    sys.path.insert(0, os.environ["FD_SRC"])
sys.path.insert(0, str(Path(__file__).resolve().parent))


def summarise(gaps: list[float]) -> dict[str, float]:
    ordered = sorted(gaps)
    return {
        "frames": len(ordered),
        "median_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
        "over_33ms": sum(g > 0.033 for g in ordered),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per phase")
    parser.add_argument("--rounds", type=int, default=2, help="off/on pairs")
    parser.add_argument("--no-content", action="store_true")
    args = parser.parse_args()

    from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer
    from PySide6.QtGui import QColor, QPainter
    from PySide6.QtWidgets import QApplication, QWidget
    from snapshot import show_content
    from tracker_cpu import make_app

    from freelancer_desk.tracker.engine import _SnapshotDue
    from freelancer_desk.tracker.scheduler import TrackerScheduler

    child = None if args.no_content else show_content()
    qapp = QApplication.instance() or QApplication(sys.argv)

    class Spinner(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.resize(400, 300)
            self.paints: list[float] = []
            self.angle = 0
            self.timer = QTimer(self)
            self.timer.setTimerType(Qt.TimerType.PreciseTimer)
            self.timer.setInterval(16)
            self.timer.timeout.connect(self.update)
            self.clock = QElapsedTimer()
            self.clock.start()

        def paintEvent(self, _event: object) -> None:
            self.paints.append(time.perf_counter())
            self.angle = (self.angle + 6) % 360
            p = QPainter(self)
            p.fillRect(self.rect(), QColor("white"))
            p.translate(200, 150)
            p.rotate(self.angle)
            p.fillRect(-80, -10, 160, 20, QColor(40, 90, 200))
            p.end()

    phases: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        app, contract_id = make_app(Path(tmp) / "ws")
        tracker = app.tracker
        capturing = {"on": False}
        captures: list[float] = []

        def job() -> None:
            tracker.tick()
            if capturing["on"]:
                # What a tick does when the segment's snapshot is due (one per segment
                # in the database, so the row is not written): grab and store, on this
                # scheduler thread, outside the tracker's lock.
                due = _SnapshotDue(uuid.uuid4(), "blurred", app.clock.now())
                t0 = time.perf_counter()
                outcome = tracker._capture(due)
                assert not isinstance(outcome, OSError), outcome
                captures.append(time.perf_counter() - t0)

        scheduler = TrackerScheduler(tracker, app.clock, tick_seconds=1.0)
        scheduler.run_tick = job  # type: ignore[method-assign]
        tracker.start(contract_id, None, "frames benchmark")
        tracker.tick()
        spinner = Spinner()
        spinner.show()
        spinner.timer.start()
        # The window asks the tracker for its status on the GUI thread every second (the
        # Tracker area's clock, the runtime's pulse): that call must not wait for a tick.
        status_calls: list[float] = []

        def ask_status() -> None:
            t0 = time.perf_counter()
            tracker.status()
            status_calls.append(time.perf_counter() - t0)

        poll = QTimer()
        poll.setInterval(250)
        poll.timeout.connect(ask_status)
        poll.start()
        scheduler.start(watchdog=False)

        def run_phase(on: bool) -> None:
            capturing["on"] = on
            captures.clear()
            status_calls.clear()
            end = time.monotonic() + 1.0
            while time.monotonic() < end:  # settle
                qapp.processEvents()
                time.sleep(0.001)
            spinner.paints.clear()
            loop = QEventLoop()
            QTimer.singleShot(int(args.seconds * 1000), loop.quit)
            loop.exec()
            paints = list(spinner.paints)
            gaps = [b - a for a, b in itertools.pairwise(paints)]
            phases.append(
                {
                    "captures": on,
                    "snapshots": len(captures),
                    "capture_ms_median": round(1000 * statistics.median(captures), 1)
                    if captures
                    else None,
                    **summarise(gaps),
                    "status_call_max_ms": round(1000 * max(status_calls, default=0.0), 1),
                }
            )

        try:
            for _ in range(args.rounds):
                run_phase(False)
                run_phase(True)
        finally:
            scheduler.shutdown()
            tracker.stop()
            spinner.close()
            app.close()
            if child is not None:
                child.terminate()
                child.wait()
    screen = tracker.screen.name if tracker.screen else None
    print(
        json.dumps(
            {
                "code": os.environ.get("FD_SRC", "working tree"),
                "screen_source": screen,
                "load": os.getloadavg(),
                "phases": phases,
            },
            indent=2,
        )
    )
    sys.stdout.flush()
    os._exit(0)  # PySide6 may crash while the interpreter finalises; nothing is left to do


if __name__ == "__main__":
    raise SystemExit(main())
