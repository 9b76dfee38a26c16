"""Benchmark: the snapshot pipeline stage by stage at 1920x1080, and how long it holds
the GIL. Not part of `make test`; figures go to docs/benchmarks.md.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/snapshot.py --runs 30

With DISPLAY set it first puts real-looking content on the screen (a full-screen Qt
window in a child process showing a photo-like picture, text and widgets), then times
the pipeline `SnapshotStore.store` runs (grab, downscale, blur, thumbnail, encode, hash,
0600 write) and each of its stages on its own, alternating. Without DISPLAY the
FakeScreen's pattern is used.

Per stage: wall time (median, p90, max), this thread's CPU time (median: what the
stage costs, less sensitive to a loaded machine than the wall time; the X server's own
work is not in it), and the GIL probe: a thread that sleeps 1 ms in a loop; the longest time between two of its
wake-ups while a stage runs is how long the GUI thread could have been kept waiting by
that stage (a Qt GUI thread needs the GIL to run any Python slot).

`FD_SRC=/tmp/old` runs another checkout's code (e.g. a `git worktree` of an older commit).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

if os.environ.get("FD_SRC"):
    sys.path.insert(0, os.environ["FD_SRC"])

CONTENT_CHILD = r"""
import random, sys
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QLinearGradient, QFont
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
w, h = 1920, 1080
pix = QPixmap(w, h)
p = QPainter(pix)
g = QLinearGradient(0, 0, w, h)
g.setColorAt(0, QColor(30, 60, 120)); g.setColorAt(1, QColor(220, 180, 90))
p.fillRect(0, 0, w, h, g)
rng = random.Random(7)
for _ in range(400):  # photo-like blobs
    p.setBrush(QColor(rng.randrange(256), rng.randrange(256), rng.randrange(256), 120))
    p.setPen(Qt.NoPen)
    x, y, r = rng.randrange(w), rng.randrange(h), rng.randrange(10, 120)
    p.drawEllipse(x, y, r, r)
p.fillRect(80, 80, 1100, 860, QColor("white"))  # an editor window full of text
p.setPen(QColor("black")); p.setFont(QFont("Monospace", 10))
for line in range(52):
    text = " ".join(rng.choice(["def", "invoice", "ACME", "4711", "return", "total",
                               "self.items", "for", "in", "range(12)", "# note"])
                    for _ in range(14))
    p.drawText(90, 100 + line * 16, text)
p.fillRect(1250, 80, 600, 400, QColor(245, 245, 245))
for row in range(20):  # a table
    p.drawText(1260, 100 + row * 19, f"2026-01-{row + 1:02d}  Client {row % 5}  {row * 37.5:8.2f} USD")
p.end()
label = QLabel()
label.setPixmap(pix)
label.setWindowFlags(Qt.FramelessWindowHint)
label.setGeometry(0, 0, w, h)
label.show()
QTimer.singleShot(0, lambda: print("shown", flush=True))
app.exec()
"""


def show_content() -> subprocess.Popen[str] | None:
    if not os.environ.get("DISPLAY"):
        return None
    child = subprocess.Popen(
        [sys.executable, "-c", CONTENT_CHILD], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    child.stdout.readline()
    time.sleep(1.0)  # mapped and painted
    return child


class GilProbe:
    """Wakes every 1 ms; `longest(t0, t1)` is the longest gap between wake-ups in
    [t0, t1] (at least the 1 ms it sleeps)."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.stamps.append(time.perf_counter())
            time.sleep(0.001)

    def __enter__(self) -> GilProbe:
        self._thread.start()
        time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def longest(self, t0: float, t1: float) -> float:
        inside = [s for s in self.stamps if t0 <= s <= t1]
        points = [t0, *inside, t1]
        # the first wake-up after t1 closes the last gap
        after = next((s for s in self.stamps if s > t1), t1)
        points[-1] = after
        return max(b - a for a, b in itertools.pairwise(points))


def timed(probe: GilProbe | None, fn: Callable[[], object]) -> tuple[object, float, float, float]:
    """(value, wall seconds, this thread's CPU seconds, longest GIL wait of the probe)."""
    t0, c0 = time.perf_counter(), time.thread_time()
    value = fn()
    t1, c1 = time.perf_counter(), time.thread_time()
    time.sleep(0.003)  # let the probe wake after the stage
    return value, t1 - t0, c1 - c0, probe.longest(t0, t1) if probe else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-content", action="store_true", help="grab the screen as it is")
    parser.add_argument("--no-probe", action="store_true", help="no GIL probe thread")
    args = parser.parse_args()

    from PIL import Image, ImageFilter

    from freelancer_desk.tracker import screen as screen_mod
    from freelancer_desk.tracker.screen import FakeScreen, SnapshotStore, detect_screen_source

    child = None if args.no_content else show_content()
    # What the tracker would use on this machine (detect_screen_source), else the fake.
    source = detect_screen_source().source or FakeScreen()
    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    gil: dict[str, list[float]] = {}

    def note(stage: str, seconds: float, cpu_seconds: float, held: float) -> None:
        times.setdefault(stage, []).append(seconds)
        cpu.setdefault(stage, []).append(cpu_seconds)
        gil.setdefault(stage, []).append(held)

    base = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    probe: GilProbe | None = None
    store: SnapshotStore | None = None

    def stage(name: str, fn: Callable[[], object]) -> object:
        value, seconds, cpu_seconds, held = timed(probe, fn)
        note(name, seconds, cpu_seconds, held)
        return value

    def one_run(index: int, taken: datetime) -> None:
        assert store is not None
        # The whole pipeline as the tracker runs it (Tracker._capture).
        capture = getattr(store, "capture", None)
        if capture is not None:
            stage("pipeline blurred", lambda: capture(source, "blurred", taken, f"c{index}"))
        else:  # an older checkout: grab, then store
            stage(
                "pipeline blurred",
                lambda: store.store(source.grab(), "blurred", taken, f"c{index}"),
            )
        # Stage by stage.
        image = cast(Image.Image, stage("grab (full RGB)", source.grab))
        if hasattr(source, "grab_scaled"):
            stage("grab_scaled(640)", lambda: source.grab_scaled(screen_mod.BLURRED_WIDTH))
        reduced = cast(Image.Image, stage("reduce(3) 1920->640", lambda: image.reduce(3)))
        blurred = cast(
            Image.Image,
            stage("GaussianBlur(3) at 640", lambda: reduced.filter(ImageFilter.GaussianBlur(3.0))),
        )
        thumb = cast(
            Image.Image, stage("thumbnail 640->480", lambda: screen_mod._scaled(blurred, 480))
        )
        data = cast(bytes, stage("JPEG 640 q82", lambda: screen_mod._jpeg(blurred, 82)))
        stage("JPEG 480 q82", lambda: screen_mod._jpeg(thumb, 82))
        stage("sha256", lambda: hashlib.sha256(data).hexdigest())
        stage("store full 1920 (reference)", lambda: store.store(image, "full", taken, f"f{index}"))

    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = SnapshotStore(Path(tmp) / "snaps")
            probe_cm = GilProbe() if not args.no_probe else None
            probe = probe_cm.__enter__() if probe_cm else None
            for index in range(args.runs):
                one_run(index, base + timedelta(minutes=index))
            if probe_cm:
                probe_cm.__exit__(None, None, None)
    finally:
        if child is not None:
            child.terminate()
            child.wait()
    result = {
        "screen": f"{source.name} {os.environ.get('DISPLAY', 'fake')}",
        "runs": args.runs,
        "load": os.getloadavg(),
        "stages_ms": {
            stage: {
                "median": round(1000 * statistics.median(v), 1),
                "p90": round(1000 * sorted(v)[int(0.9 * (len(v) - 1))], 1),
                "max": round(1000 * max(v), 1),
                "cpu_median": round(1000 * statistics.median(cpu[stage]), 1),
                "gil_held_max": round(1000 * max(gil[stage]), 1),
                "gil_held_median": round(1000 * statistics.median(gil[stage]), 1),
            }
            for stage, v in times.items()
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
