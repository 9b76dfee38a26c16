"""Benchmark: GUI-thread stalls as a user feels them, with the culprit of each.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/stalls.py --data-dir D

Opens the workspace and the window in this process (as bench/paint.py does), then does
what a user does, one action after another, letting the event loop run in between:
shows every area in turn (and waits for its figures), sorts a column of the 98k-row
ledger and of the 344k-segment Work Diary table, types a word into a filter (one key
every 80 ms), scrolls the ledger table page after page, presses F5 (refresh), takes an
outside change (as another process's write is told), opens a contract's editor.

A 5 ms heartbeat (a precise QTimer on the GUI thread) notes every gap over 16 ms (one
frame at 60 Hz) with the action running. A watchdog thread looks every 5 ms: when the
heartbeat is more than 30 ms late it samples the GUI thread's Python stack
(with faulthandler), every 10 ms while the gap lasts, and the gap's culprit is the
innermost frame of ours (freelancer_desk/…) seen most often; "Qt" when the GUI thread
was in Qt's own code with no Python frame of ours on its stack (layout, paint).

Prints a table (action → longest gap, gaps over 16 / 50 ms, culprit) and, with
`--json`, one JSON object. `FD_SRC=/tmp/old` runs another checkout's code.
"""

from __future__ import annotations

import os
import sys

if os.environ.get("FD_SRC"):
    sys.path.insert(0, os.environ["FD_SRC"])

import argparse
import collections
import faulthandler
import json
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

GAP_S = 0.016
SAMPLE_AFTER_S = 0.030


def _stacks(dump: Any) -> dict[int, list[tuple[str, int, str]]]:
    """Every thread's Python stack, innermost first, as (file, line, function).

    Read with faulthandler (it walks the frames without making frame objects, as in a
    signal handler): `sys._current_frames()` materialises the other thread's frames and
    crashed the GUI thread now and then (Python 3.11)."""
    dump.seek(0)
    dump.truncate()
    faulthandler.dump_traceback(dump, all_threads=True)
    dump.flush()
    dump.seek(0)
    text = dump.read().decode("utf-8", "replace")
    stacks: dict[int, list[tuple[str, int, str]]] = {}
    stack: list[tuple[str, int, str]] = []
    for line in text.splitlines():
        if line.startswith(("Thread 0x", "Current thread 0x")):
            stack = stacks.setdefault(
                int(next(w for w in line.split() if w.startswith("0x")), 16), []
            )
            continue
        if line.strip().startswith('File "'):
            path, _, rest = line.strip()[6:].partition('", line ')
            number, _, function = rest.partition(" in ")
            stack.append((path, int(number), function))
    return stacks


def _ours(stack: list[tuple[str, int, str]]) -> str:
    for path, number, function in stack:
        if "freelancer_desk/" in path:
            return f"{path.split('freelancer_desk/', 1)[-1]}:{number} {function}"
    return ""


def _detail(stacks: dict[int, list[tuple[str, int, str]]], gui: int, me: int) -> str:
    """The GUI thread's stack (up to 6 frames of ours, innermost first), and each busy
    reader's innermost frame of ours: for `--detail`."""
    frames = [
        f"{p.split('freelancer_desk/', 1)[-1]}:{n} {f}"
        for p, n, f in stacks.get(gui, [])
        if "freelancer_desk/" in p
    ][:6]
    readers = [_ours(s) for t, s in stacks.items() if t not in (gui, me)]
    busy = [r for r in readers if r]
    return (" < ".join(frames) or "Qt") + (f"  || readers: {'; '.join(busy)}" if busy else "")


def _culprit(stacks: dict[int, list[tuple[str, int, str]]], gui: int, me: int) -> str:
    """The innermost frame of ours on the GUI thread; when there is none (the GUI thread
    is in Qt's own code: layout, paint, or waiting for the GIL), "Qt", with what a reader
    thread was running meanwhile (a reader holding the GIL keeps the GUI thread's Python
    calls waiting)."""
    ours = _ours(stacks.get(gui, []))
    if ours:
        return ours
    readers = [_ours(s) for t, s in stacks.items() if t not in (gui, me)]
    busy = [r for r in readers if r]
    return "Qt" + (f" (a reader in {busy[0]})" if busy else "")


class Probe:
    """The heartbeat and the watchdog; `action` names what is being done."""

    def __init__(self, stacks: bool = True) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.stacks = stacks
        self.action = "idle"
        self.last = time.perf_counter()
        self.gaps: list[tuple[str, float, str]] = []  # (action, seconds, culprit)
        # (action, seconds, stacks, seconds of garbage collection in it, its generation,
        # the GUI thread's own CPU seconds in it: the rest it waited, for the GIL or a core)
        self.details: list[tuple[str, float, list[str], float, int, float]] = []
        self.cpu = time.thread_time()
        self._samples: list[str] = []
        self._details: list[str] = []
        self._lock = threading.Lock()
        self._gui = threading.get_ident()
        self._stop = threading.Event()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)
        self._watch = threading.Thread(target=self._watchdog, daemon=True)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._gc_start = now
        else:
            self.collections.append((self._gc_start, now, info.get("generation", -1)))

    def gc_within(self, start: float, end: float) -> tuple[float, int]:
        """Seconds of cyclic garbage collection between start and end, and the oldest
        generation collected (-1: none). A collection holds the GIL throughout: no
        Python runs on any thread meanwhile (the GUI thread's data() calls wait)."""
        total, oldest = 0.0, -1
        for began, ended, generation in self.collections:
            overlap = min(ended, end) - max(began, start)
            if overlap > 0:
                total += overlap
                oldest = max(oldest, generation)
        return total, oldest

    def start(self) -> None:
        import gc

        self.collections: list[tuple[float, float, int]] = []
        self._gc_start = 0.0
        gc.callbacks.append(self._gc)
        self.last = time.perf_counter()
        self.cpu = time.thread_time()
        self.timer.start()
        if self.stacks:
            self._watch.start()

    def stop(self) -> None:
        self.timer.stop()
        self._stop.set()

    def _beat(self) -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        previous_cpu, self.cpu = self.cpu, cpu
        with self._lock:
            gap = now - self.last
            self.last = now
            samples, self._samples = self._samples, []
            details, self._details = self._details, []
        if gap > GAP_S:
            culprit = ""
            if samples:
                culprit = collections.Counter(samples).most_common(1)[0][0]
            elif gap > SAMPLE_AFTER_S + 0.015:
                # The watchdog never ran: the GUI thread held the GIL throughout (in Qt
                # code called from Python without releasing it).
                culprit = "no sample (GIL held)"
            self.gaps.append((self.action, gap, culprit))
            collected, generation = self.gc_within(now - gap, now)
            self.details.append(
                (self.action, gap, details, collected, generation, cpu - previous_cpu)
            )

    def _watchdog(self) -> None:
        dump = tempfile.TemporaryFile()  # noqa: SIM115 (the watchdog's, for its life)
        next_sample = 0.0
        while not self._stop.wait(0.005):
            now = time.perf_counter()
            with self._lock:
                late = now - self.last
                if late > SAMPLE_AFTER_S and now >= next_sample:
                    stacks = _stacks(dump)
                    me = threading.get_ident()
                    self._samples.append(_culprit(stacks, self._gui, me))
                    self._details.append(_detail(stacks, self._gui, me))
                    next_sample = now + 0.010
                elif late <= SAMPLE_AFTER_S:
                    next_sample = 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--scroll-pages", type=int, default=30)
    parser.add_argument("--no-stacks", action="store_true", help="gaps only, no samples")
    parser.add_argument(
        "--detail",
        type=float,
        default=0.0,
        metavar="MS",
        help="also print every gap over MS ms with its stack samples (to stderr)",
    )
    parser.add_argument(
        "--only", default="", help="run only the steps whose names start with these (a,b)"
    )
    parser.add_argument("--f5", type=int, default=1, help="press F5 this many times")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QTableView

    from freelancer_desk.app import open_backend
    from freelancer_desk.ui.main import build_window, ensure_app
    from freelancer_desk.ui.mainwindow import AREAS

    ensure_app()
    try:  # the app imports the area modules on its worker thread while it opens
        from freelancer_desk.ui.main import _import_window_modules

        _import_window_modules()
    except ImportError:
        pass
    backend = open_backend(argparse.Namespace(data_dir=args.data_dir, db_url=None))
    window = build_window(backend, remember=False)
    window.resize(1280, 800)
    window.set_area("dashboard")
    window.show()
    window.page("dashboard").wait_loaded()

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def settle(page: Any, extra_ms: int = 300, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while getattr(page, "is_loading", False) and time.monotonic() < deadline:
            wait(10)
        wait(extra_ms)

    def table(key: str, panel: int = 0) -> QTableView:
        return window.page(key).panels[panel].view

    probe = Probe(stacks=not args.no_stacks)
    wait(500)
    probe.start()
    wait(300)
    steps: list[tuple[str, Callable[[], None]]] = []

    def show(key: str) -> Callable[[], None]:
        def run() -> None:
            window.set_area(key)
            # Watched without being shown at once (page() shows a page still to be
            # shown on the next turn); older code has no built_page.
            settle(getattr(window, "built_page", window.page)(key))

        return run

    for area in AREAS[1:] + AREAS[:1]:
        steps.append((f"show {area.key}", show(area.key)))

    def sort(key: str, panel: int, column: int) -> Callable[[], None]:
        def run() -> None:
            window.set_area(key)
            settle(window.page(key), 100)
            header = table(key, panel).horizontalHeader()
            for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder):
                probe.action = f"sort {key} ({order.name[:-5].lower()})"
                header.setSortIndicator(column, order)
                settle(window.page(key))
            probe.action = f"sort {key} (source order)"
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            settle(window.page(key))

        return run

    steps.append(("sort earnings", sort("earnings", 0, 1)))
    steps.append(("sort diary", sort("diary", 0, 1)))

    def type_filter(key: str, word: str) -> Callable[[], None]:
        def run() -> None:
            window.set_area(key)
            settle(window.page(key), 100)
            page = window.page(key)
            page.filter_edit.setFocus()
            for char in word:
                QTest.keyClick(page.filter_edit, char)
                wait(80)
            wait(400)
            settle(page)
            probe.action = f"clear filter {key}"
            page.filter_edit.clear()
            wait(400)
            settle(page)

        return run

    steps.append(("type filter earnings", type_filter("earnings", "upwork")))
    steps.append(("type filter diary", type_filter("diary", "memo")))

    def scroll() -> None:
        # The ledger (98k rows): the Work Diary's 344k-segment table is not shown in the
        # window (its page shows the day's grid; the table stays hidden under it).
        window.set_area("earnings")
        view = table("earnings")
        settle(window.page("earnings"), 100)
        bar = view.verticalScrollBar()
        for _ in range(args.scroll_pages):
            bar.setValue(bar.maximum())
            wait(40)
        bar.setValue(0)
        wait(200)

    steps.append(("scroll ledger", scroll))

    def refresh() -> None:
        window.set_area("earnings")
        settle(window.page("earnings"), 100)
        for _ in range(args.f5):
            probe.action = "F5 refresh (all built pages)"
            window.refresh()
            wait(50)
            settle(window.page("earnings"))

    steps.append(("F5 refresh (all built pages)", refresh))

    def external() -> None:
        window.set_area("contracts")
        settle(window.page("contracts"), 100)
        window._refresh_timer.start()  # what check_external_changes does on a change
        wait(50)
        settle(window.page("contracts"), 600)
        for area in AREAS:  # the others, as the user comes back to them
            probe.action = f"outside change, then show {area.key}"
            window.set_area(area.key)
            settle(window.page(area.key), 150)

    steps.append(("outside change", external))

    def editor() -> None:
        window.set_area("contracts")
        page = window.page("contracts")
        settle(page, 100)
        table("contracts").selectRow(0)
        wait(100)
        probe.action = "open contract editor"
        dialog = page.edit_contract()
        wait(500)
        probe.action = "close contract editor"
        if dialog is not None:
            dialog.reject()
        wait(300)

    steps.append(("open editor", editor))

    only = tuple(w.strip() for w in args.only.split(",") if w.strip())
    for name, run in steps:
        if only and not name.startswith(only):
            continue
        probe.action = name
        run()
    probe.stop()
    QApplication.processEvents()

    by_action: dict[str, dict[str, Any]] = {}
    for action, gap, culprit in probe.gaps:
        row = by_action.setdefault(
            action, {"max_ms": 0.0, "over_16": 0, "over_50": 0, "culprit": "", "gaps_ms": []}
        )
        row["gaps_ms"].append(round(gap * 1000, 1))
        row["over_16"] += 1
        row["over_50"] += gap > 0.050
        if gap * 1000 > row["max_ms"]:
            row["max_ms"] = round(gap * 1000, 1)
            row["culprit"] = culprit
    worst = max((g for _a, g, _c in probe.gaps), default=0.0)
    result = {
        "code": os.environ.get("FD_SRC", "working tree"),
        "load": os.getloadavg(),
        "max_gap_ms": round(worst * 1000, 1),
        "actions": by_action,
    }
    if args.detail:
        for action, gap, samples, collected, generation, cpu in probe.details:
            if gap * 1000 >= args.detail:
                gc_text = f" (gc gen {generation}: {collected * 1000:.1f} ms)" if collected else ""
                print(
                    f"-- {action}: {gap * 1000:.1f} ms, GUI thread CPU {cpu * 1000:.1f} ms"
                    f"{gc_text}",
                    file=sys.stderr,
                )
                for text, n in collections.Counter(samples).most_common():
                    print(f"   {n}x {text}", file=sys.stderr)
    window.close()
    backend.close()
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"code: {result['code']}  load {result['load'][0]:.1f}  worst {result['max_gap_ms']} ms"
        )
        for action, row in by_action.items():
            print(
                f"{action:38s} {row['max_ms']:7.1f} ms  >16:{row['over_16']:3d} "
                f">50:{row['over_50']:2d}  {row['culprit']}"
            )
    sys.stdout.flush()
    os._exit(0)  # PySide6 may crash while the interpreter finalises


if __name__ == "__main__":
    raise SystemExit(main())
