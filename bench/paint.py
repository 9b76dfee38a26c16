"""The window's timings, run as its own process by bench/run.py on a real X server.

    python bench/paint.py --data-dir D [--t0 EPOCH]

Opens the workspace as `freelancer-desk` does (open_backend: backup, orphan recovery,
catch-up), builds the main window with ui.main.build_window, shows it, and records the
first paint event of the window (an application-wide event filter). Then shows every
area in turn and records the time from asking for it to its first paint, and scrolls the
Work Diary's segment table page by page (fetchMore, never all rows). Prints one JSON
object. `--t0` is the parent's clock reading just before it started this process, so
the cold start includes the interpreter's own start-up.

Bench-only code; the UI is not changed for it.
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--t0", type=float, default=None)
    parser.add_argument("--scroll-pages", type=int, default=40)
    args = parser.parse_args()
    t0 = args.t0 or T_START
    marks: dict[str, float] = {"python_started": T_START - t0}

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

    areas: dict[str, float] = {}
    for area in AREAS[1:] + AREAS[:1]:
        asked = time.time()
        watched.clear()
        window.set_area(area.key)
        watched["page"] = window.stack.currentWidget()
        window.stack.currentWidget().update()
        deadline = time.time() + 30
        while "page_painted" not in watched and time.time() < deadline:
            app.processEvents()
        areas[area.key] = watched.get("page_painted", float("nan")) - asked

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
        steps = []
        for _ in range(args.scroll_pages):
            t = time.perf_counter()
            if source_model.canFetchMore(QModelIndex()):
                source_model.fetchMore(QModelIndex())
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
            "scroll": scroll,
            "max_rss_mb": rss_mb,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
