"""Benchmark: what freezing the heap again after reads (`tablemodel.refreeze_heap`) keeps
in memory, against the window without it. Not part of `make test`.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/memory_refreeze.py \
        --data-dir D [--cycles 20] [--no-refreeze]

Opens the workspace's window in this process, shows every area once, then `--cycles`
times: an outside change (every built page is read again as it is shown) and every area
shown in turn, each waited for. Prints one JSON object: the RSS after the first round
and after the last, the objects frozen, and — the leak the trade-off risks — how many
objects a full collection finds unreachable once the heap is unfrozen at the end (cyclic
garbage a freeze kept). Run it on a copy: opening a workspace migrates it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from typing import Any

if os.environ.get("FD_SRC"):
    sys.path.insert(0, os.environ["FD_SRC"])


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--no-refreeze", action="store_true")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer

    from freelancer_desk.app import open_backend
    from freelancer_desk.ui import tablemodel
    from freelancer_desk.ui.main import build_window, ensure_app
    from freelancer_desk.ui.mainwindow import AREAS

    if args.no_refreeze:
        tablemodel.refreeze_heap = lambda: False  # type: ignore[assignment]
        relay_refreeze = None
    else:
        relay_refreeze = tablemodel.refreeze_heap
    frozen_again = 0
    if relay_refreeze is not None:

        def counting() -> bool:
            nonlocal frozen_again
            done = relay_refreeze()
            frozen_again += done
            return done

        tablemodel.refreeze_heap = counting  # type: ignore[assignment]

    ensure_app()
    backend = open_backend(argparse.Namespace(data_dir=args.data_dir, db_url=None))
    window = build_window(backend, remember=False)
    window.resize(1280, 800)
    window.show()

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def settle(page: Any) -> None:
        deadline = time.monotonic() + 60
        while getattr(page, "is_loading", False) and time.monotonic() < deadline:
            wait(10)
        wait(tablemodel.REFREEZE_MS + 100)

    def round_of_areas() -> None:
        for area in AREAS:
            window.set_area(area.key)
            settle(window.built_page(area.key))

    round_of_areas()
    first = _rss_mb()
    started = time.perf_counter()
    for _ in range(args.cycles):
        window._refresh_timer.start()  # what an outside change does
        wait(50)
        round_of_areas()
    gc.collect()
    last = _rss_mb()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    kept_garbage = gc.collect()
    print(
        json.dumps(
            {
                "refreeze": not args.no_refreeze,
                "cycles": args.cycles,
                "seconds": round(time.perf_counter() - started, 1),
                "rss_first_round_mb": round(first, 1),
                "rss_last_round_mb": round(last, 1),
                "frozen_objects": frozen,
                "times_frozen_again": frozen_again,
                "unreachable_when_unfrozen": kept_garbage,
            }
        )
    )
    sys.stdout.flush()
    os._exit(0)  # PySide6 may crash while the interpreter finalises


if __name__ == "__main__":
    main()
