"""The window's timings, run as its own process by bench/run.py on a real X server.

    python bench/paint.py --data-dir D [--t0 EPOCH]

1. The start users get: runs `python -m freelancer_desk --data-dir D` (run_gui: theme,
   first-start check, single-instance guard, the window, then on a worker thread the
   integrity check, backup, orphan recovery and catch-up) with FREELANCER_DESK_START_LOG
   naming a file where the app writes the wall time of its window's first paint
   ("window_painted"), of the workspace being open ("opened") and of the first paint
   with data ("data_shown"); reads the child's RSS there, then ends it (SIGTERM).
2. In this process (the older measure, kept for comparison): open_backend + build_window,
   first paint; waits until the first area's data is in and 0.6 s more (the window's
   idle work: the longest gap then is "idle_gap_ms"); every area in turn, the time
   from asking for it to its first paint and to its figures being there (pages that
   read them on a worker thread); the longest gap of a 10 ms GUI-thread heartbeat
   while doing so; then scrolls the Work Diary's
   segment table page by page (fetchMore, never all rows; a page read on a worker
   thread is waited for: the time until it is shown). That table is hidden under the
   day's grid in the window; bench/stalls.py scrolls the ledger, which is shown.

Prints one JSON object. `--t0` is the parent's clock reading just before it started
this process, so the cold start includes the interpreter's own start-up.
"""

from __future__ import annotations

import time

T_START = time.time()

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def _proc_status(pid: int) -> dict[str, float]:
    """VmRSS, VmHWM (peak) from /proc/PID/status and, from /proc/PID/smaps_rollup, USS
    (the pages only this process holds: Private_Clean + Private_Dirty), PSS and Anonymous
    (heap, Python objects, caches: what no other process shares), in MB (Linux)."""
    found: dict[str, float] = {}
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0]) / 1024
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                key, _, value = line.partition(":")
                if key in ("Pss", "Private_Clean", "Private_Dirty", "Anonymous"):
                    found[key] = int(value.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    if "Private_Clean" in found and "Private_Dirty" in found:
        found["USS"] = found["Private_Clean"] + found["Private_Dirty"]
    return found


def real_start(
    data_dir: str, timeout: float = 120.0, settle: float = 0.5, probe: Any = None
) -> dict[str, Any]:
    """`python -m freelancer_desk --data-dir D` as a user starts it; marks in seconds
    from just before the process was started. `probe(pid)` is called where the memory
    is read (bench/memory.py's `--maps`)."""
    import os
    import signal
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "start.jsonl")
        env = dict(os.environ, FREELANCER_DESK_START_LOG=log)
        cwd = None
        if os.environ.get("FD_SRC"):  # another checkout's code (a `git worktree`)
            env["PYTHONPATH"] = os.environ["FD_SRC"]
            # `-m` puts the current folder first on sys.path: run from FD_SRC, or a
            # bench started in the working tree measures the working tree's code.
            cwd = os.environ["FD_SRC"]
        t0 = time.time()
        child = subprocess.Popen(
            [sys.executable, "-m", "freelancer_desk", "--data-dir", data_dir],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        marks: dict[str, float] = {}
        deadline = time.time() + timeout
        while "data_shown" not in marks and time.time() < deadline and child.poll() is None:
            time.sleep(0.02)
            if os.path.exists(log):
                with open(log, encoding="utf-8") as lines:
                    for line in lines:
                        mark = json.loads(line)
                        marks[mark["mark"]] = mark["t"] - t0
        # Memory once the workspace is open too (checked, caught up, the tray installed).
        while "opened" not in marks and time.time() < deadline and child.poll() is None:
            time.sleep(0.05)
            if os.path.exists(log):
                with open(log, encoding="utf-8") as lines:
                    for line in lines:
                        mark = json.loads(line)
                        marks.setdefault(mark["mark"], mark["t"] - t0)
        time.sleep(settle)  # let it settle (the tray, the first timers)
        rss = _proc_status(child.pid)
        if probe is not None and child.poll() is None:
            probe(child.pid)
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
        _out, err = child.communicate(timeout=30)
        if "data_shown" not in marks:
            raise RuntimeError(f"the app never showed its data: {err[-800:]!r}")
    return {
        "marks": marks,
        "rss_mb": rss.get("VmRSS"),
        "peak_rss_mb": rss.get("VmHWM"),
        "uss_mb": rss.get("USS"),
        "pss_mb": rss.get("Pss"),
        "anon_mb": rss.get("Anonymous"),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--t0", type=float, default=None)
    parser.add_argument("--scroll-pages", type=int, default=40)
    args = parser.parse_args()
    t0 = args.t0 or T_START
    marks: dict[str, float] = {"python_started": T_START - t0}
    started = real_start(args.data_dir)
    t0 += time.time() - T_START  # this process's own measure starts now

    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    from freelancer_desk.app import open_backend
    from freelancer_desk.ui.main import build_window, ensure_app
    from freelancer_desk.ui.mainwindow import AREAS

    marks["imported"] = time.time() - t0
    app = ensure_app()
    backend = open_backend(argparse.Namespace(data_dir=args.data_dir, db_url=None))
    marks["workspace_open"] = time.time() - t0

    painted: dict[int, float] = {}

    class PaintSpy(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
                painted.setdefault(id(obj.window()), time.time())
                target = watched.get("page")
                if target is not None and (obj is target or target.isAncestorOf(obj)):
                    watched.setdefault("page_painted", time.time())  # type: ignore[arg-type]
            return False

    watched: dict[str, Any] = {}
    spy = PaintSpy()
    app.installEventFilter(spy)
    window = build_window(backend, remember=False)
    window.resize(1280, 800)
    marks["window_built"] = time.time() - t0
    window.show()
    deadline = time.time() + 30
    while id(window) not in painted and time.time() < deadline:
        app.processEvents()
    marks["first_paint"] = painted.get(id(window), float("nan")) - t0

    from PySide6.QtCore import QTimer

    gaps: list[float] = []
    last_tick = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last_tick[0])
        last_tick[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(tick)
    heartbeat.start()
    # A user does not click in the first half second: let the area shown first read
    # its data and the window do what it does when idle (it warms Qt's table classes
    # up), then ask for the areas. The longest gap meanwhile is said apart.
    start_page = window.stack.currentWidget()
    deadline = time.time() + 60
    while getattr(start_page, "is_loading", False) and time.time() < deadline:
        app.processEvents()
        time.sleep(0.002)
    idle_until = time.time() + 0.6
    while time.time() < idle_until:
        app.processEvents()
        time.sleep(0.002)
    idle_gap_ms = max(gaps, default=0.0) * 1000
    gaps.clear()
    last_tick[0] = time.perf_counter()
    areas: dict[str, float] = {}
    areas_data: dict[str, float] = {}
    for area in AREAS[1:] + AREAS[:1]:
        asked = time.time()
        watched.clear()
        window.set_area(area.key)
        # The area's page, which may be shown on the next turn (older code: at once).
        built = getattr(window, "built_page", None)
        page = built(area.key) if built is not None else window.stack.currentWidget()
        watched["page"] = page
        page.update()
        deadline = time.time() + 60
        while "page_painted" not in watched and time.time() < deadline:
            app.processEvents()
        areas[area.key] = watched.get("page_painted", float("nan")) - asked
        while getattr(page, "is_loading", False) and time.time() < deadline:
            app.processEvents()
            time.sleep(0.002)
        areas_data[area.key] = time.time() - asked
        for _ in range(20):  # the heartbeat goes on between areas too
            app.processEvents()
            time.sleep(0.005)
    heartbeat.stop()

    # Scroll the Work Diary's segment table the way a user does: page after page.
    from PySide6.QtCore import QModelIndex
    from PySide6.QtWidgets import QTableView

    window.set_area("diary")
    app.processEvents()
    views = [v for v in window.stack.currentWidget().findChildren(QTableView) if v.model()]
    scroll: dict[str, Any] = {}
    if views:
        view = views[0]
        model = view.model()
        source_model = getattr(model, "sourceModel", lambda: model)()
        if not getattr(source_model, "started", True):  # read once shown (it is hidden)
            source_model.start()
        while getattr(source_model, "reading", False):
            app.processEvents()
            time.sleep(0.001)
        steps = []
        for _ in range(args.scroll_pages):
            t = time.perf_counter()
            if source_model.canFetchMore(QModelIndex()):
                source_model.fetchMore(QModelIndex())
            while getattr(source_model, "reading", False):  # read on a worker thread
                app.processEvents()
                time.sleep(0.001)
            view.scrollToBottom()
            view.viewport().repaint()
            app.processEvents()
            steps.append((time.perf_counter() - t) * 1000)
        scroll = {
            "total_rows": getattr(source_model, "total", None),
            "loaded_rows": source_model.rowCount(QModelIndex()),
            "page_ms_median": statistics.median(steps),
            "page_ms_max": max(steps),
        }
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    backend.close()
    json.dump(
        {
            "marks": marks,
            "areas_ms": {k: v * 1000 for k, v in areas.items()},
            "areas_data_ms": {k: v * 1000 for k, v in areas_data.items()},
            "max_gui_stall_ms": max(gaps, default=0.0) * 1000,
            "idle_gap_ms": idle_gap_ms,
            "real_start": started,
            "scroll": scroll,
            "max_rss_mb": rss_mb,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
