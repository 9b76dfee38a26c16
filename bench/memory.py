"""Benchmark: the window's memory (issues 7 and 4). Not part of `make test`; figures go
to docs/benchmarks.md.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/memory.py \
        --data-dir D [--runs 3] [--tracking 60]

1. Window with data shown: `python -m freelancer_desk --data-dir D` as users start it
   (bench/paint.py: real_start), measured once its data is shown and the workspace is
   open (tray installed), `--settle` seconds later.
2. Window + tray while tracking: bench/tracker_cpu.py's `--window` mode (a fresh
   workspace, one hourly contract, tracking for real with the scheduler) in a child
   process that sets up malloc and PySide6's source check as `run_gui` does; measured in the middle of the span.

Each figure is RSS, USS (Private_Clean + Private_Dirty from /proc/PID/smaps_rollup:
what only this process holds; shared libraries mapped by other processes drop out of
it, so it moves with what else runs), PSS and Anonymous (heap, Python objects, caches),
in MB; medians of `--runs`. `FD_SRC=/tmp/old` runs another checkout's code.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
if os.environ.get("FD_SRC"):
    sys.path.insert(0, os.environ["FD_SRC"])
sys.path.insert(0, str(BENCH))

KEYS = ("rss_mb", "uss_mb", "pss_mb", "anon_mb")


def _figures(found: dict[str, float]) -> dict[str, float | None]:
    return {
        "rss_mb": found.get("VmRSS"),
        "uss_mb": found.get("USS"),
        "pss_mb": found.get("Pss"),
        "anon_mb": found.get("Anonymous"),
        "peak_rss_mb": found.get("VmHWM"),
    }


def tracking_child(seconds: float) -> dict[str, Any]:
    """In this process: tracker_cpu's window + tray tracking, sampled mid-span."""
    from paint import _proc_status

    from freelancer_desk.ui import main as ui_main

    # As run_gui does before any thread starts (an older checkout may have neither).
    for setup in ("limit_malloc_arenas", "forget_imported_sources"):
        if hasattr(ui_main, setup):
            getattr(ui_main, setup)()
    import tracker_cpu

    settle = 5.0
    sample: dict[str, float] = {}

    def later() -> None:
        time.sleep(settle + seconds / 2)
        sample.update(_proc_status(os.getpid()))

    threading.Thread(target=later, daemon=True).start()
    result = tracker_cpu.bench_tracking(seconds, True, settle)
    return {**_figures(sample), "tracked_s": result["tracked_s"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", help="the workspace the window opens (e.g. /tmp/heavy)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--tracking", type=float, default=60.0, help="seconds tracked; 0: skip")
    parser.add_argument("--tracking-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.tracking_child is not None:
        print(json.dumps(tracking_child(args.tracking_child)))
        return 0

    from paint import real_start

    out: dict[str, Any] = {"code": os.environ.get("FD_SRC") or "working tree"}
    shown: list[dict[str, Any]] = []
    tracking: list[dict[str, Any]] = []
    for _ in range(args.runs):
        if args.data_dir:
            shown.append(real_start(args.data_dir, settle=args.settle))
        if args.tracking > 0:
            child = subprocess.run(
                [sys.executable, __file__, "--tracking-child", str(args.tracking)],
                capture_output=True,
                text=True,
                check=True,
            )
            tracking.append(json.loads(child.stdout.strip().splitlines()[-1]))
    for name, samples in (("window, data shown", shown), ("window + tray, tracking", tracking)):
        if samples:
            out[name] = {
                k: round(statistics.median(s[k] for s in samples if s.get(k) is not None), 1)
                for k in (*KEYS, "peak_rss_mb")
            }
            out[name]["runs"] = [{k: s.get(k) for k in KEYS} for s in samples]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
