"""Benchmark: the window's memory (issues 7 and 4). Not part of `make test`; figures go
to docs/benchmarks.md.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/memory.py \
        --data-dir D [--runs 3] [--tracking 60]

1. Window with data shown: `python -m freelancer_desk --data-dir D` as users start it
   (bench/paint.py: real_start), measured once its data is shown and the workspace is
   open (tray installed), `--settle` seconds later.
2. Window + tray while tracking: bench/tracker_cpu.py's `--window` mode (a fresh
   workspace, one hourly contract, tracking for real with the scheduler) in a child
   process that sets up malloc and PySide6's source check and listens as the
   single-instance guard, as `run_gui` does; measured in the middle of the span.
   `snapshots`: how many were taken over the whole span (one comes at a random moment
   of each 10-minute span; Pillow is imported at the first).

Each figure is RSS, USS (Private_Clean + Private_Dirty from /proc/PID/smaps_rollup:
what only this process holds; shared libraries mapped by other processes drop out of
it, so it moves with what else runs), PSS and Anonymous (heap, Python objects, caches),
in MB; medians of `--runs`. `FD_SRC=/tmp/old` runs another checkout's code.

`--captures N` alone: N blurred snapshots of the real screen in this process, RSS after
each and after the malloc_trim the tracker runtime now does after a snapshot.

`--maps FILE` also writes, for the last run of each state, RSS / PSS / USS per mapping
(each shared library or data file by name, `[anon]`, `[heap]`) from /proc/PID/smaps and
those summed by kind (Qt, PIL and its libraries, GL, crypto, ICU, ...), largest first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
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


# Kinds of mapping, first match wins (file names as in /proc/PID/smaps, directory dropped).
KINDS = (
    ("anon (heap, Python objects, Qt's buffers)", r"^\[(anon|heap|stack)"),
    ("X shared memory (window backing store)", r"^memfd:|^SYSV"),
    ("PIL and its bundled libraries", r"PIL|^_imaging|-[0-9a-f]{8}\.so"),
    ("GL (libGL, GLX, EGL, dispatch, Qt's GL integration)", r"libGL|libEGL|Glx|Egl|libdrm|gbm"),
    ("crypto (OpenSSL, Kerberos)", r"libcrypto|libssl|_ssl|_hashlib|krb5|gssapi|com_err"),
    ("ICU", r"libicu"),
    ("Qt and PySide6", r"Qt6|\.abi3\.so|shiboken|pyside|^libq"),
    ("Python and extension modules", r"libpython|cpython-|\.cpython|_cy\.so|\.so$"),
)


def maps_breakdown(pid: int) -> dict[str, dict[str, float]]:
    """{mapping name: {"rss", "pss", "uss"}} in MB from /proc/PID/smaps (Linux)."""
    out: dict[str, dict[str, float]] = {}
    current: dict[str, float] | None = None
    header = re.compile(r"^[0-9a-f]+-[0-9a-f]+ ")
    with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as smaps:
        for line in smaps:
            if header.match(line):
                parts = line.split(None, 5)
                name = parts[5].strip() if len(parts) > 5 else ""
                name = name.rsplit("/", 1)[-1].replace(".cpython-311-x86_64-linux-gnu", "")
                current = out.setdefault(name or "[anon]", {"rss": 0.0, "pss": 0.0, "uss": 0.0})
                continue
            key, _, value = line.partition(":")
            if current is None or key not in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                continue
            field = {"Rss": "rss", "Pss": "pss"}.get(key, "uss")
            current[field] += int(value.split()[0]) / 1024
    return out


def kinds(maps: dict[str, dict[str, float]]) -> dict[str, float]:
    """RSS (MB) summed by kind of mapping, KINDS' order of precedence; "other" last."""
    total: dict[str, float] = {}
    for name, figures in maps.items():
        kind = next((k for k, pattern in KINDS if re.search(pattern, name)), "other")
        total[kind] = total.get(kind, 0.0) + figures["rss"]
    return dict(sorted(total.items(), key=lambda item: -item[1]))


def write_maps(path: str, title: str, maps: dict[str, dict[str, float]]) -> None:
    with open(path, "a", encoding="utf-8") as out:
        rss = sum(f["rss"] for f in maps.values())
        out.write(f"## {title}: RSS {rss:.1f} MB\n")
        for kind, value in kinds(maps).items():
            out.write(f"  {value:7.2f}  {kind}\n")
        out.write("  RSS MB   PSS MB   USS MB  mapping\n")
        for name, f in sorted(maps.items(), key=lambda item: -item[1]["rss"]):
            if f["rss"] >= 0.05:
                out.write(f"  {f['rss']:6.2f}  {f['pss']:7.2f}  {f['uss']:7.2f}  {name}\n")


def tracking_child(seconds: float, maps: str | None = None) -> dict[str, Any]:
    """In this process: tracker_cpu's window + tray tracking, sampled mid-span."""
    from paint import _proc_status

    from freelancer_desk.ui import main as ui_main

    # As run_gui does before any thread starts (an older checkout may have neither).
    for setup in ("limit_malloc_arenas", "forget_imported_sources"):
        if hasattr(ui_main, setup):
            getattr(ui_main, setup)()
    ui_main.ensure_app()
    # run_gui's single-instance guard (the window listens for a second start).
    from freelancer_desk.ui.single_instance import SingleInstance

    guard = SingleInstance(Path(tempfile.mkdtemp()))
    guard.listen()
    import tracker_cpu

    settle = 5.0
    sample: dict[str, float] = {}

    def later() -> None:
        time.sleep(settle + seconds / 2)
        sample.update(_proc_status(os.getpid()))
        if maps:
            write_maps(maps, "window + tray, tracking", maps_breakdown(os.getpid()))

    threading.Thread(target=later, daemon=True).start()
    result = tracker_cpu.bench_tracking(seconds, True, settle)
    guard.close()
    return {
        **_figures(sample),
        "tracked_s": result["tracked_s"],
        "snapshots": result["snapshots"],
    }


def captures(count: int) -> list[dict[str, float]]:
    """In this process (one malloc arena, as the window): `count` blurred snapshots of
    the real screen (the tracker's source and store), RSS growth in MB over the start
    after each, and after `release_free_memory` (malloc_trim) following it."""
    from paint import _proc_status

    from freelancer_desk.ui import main as ui_main

    ui_main.limit_malloc_arenas()
    from datetime import UTC, datetime, timedelta

    from freelancer_desk.tracker.screen import SnapshotStore, detect_screen_source

    source = detect_screen_source().source
    if source is None:
        raise SystemExit("no screen source (DISPLAY?)")
    start = _proc_status(os.getpid())["VmRSS"]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SnapshotStore(Path(tmp))
        taken = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        for index in range(count):
            store.capture(source, "blurred", taken + timedelta(minutes=index), f"s{index}")
            grown = _proc_status(os.getpid())["VmRSS"] - start
            ui_main.release_free_memory()
            trimmed = _proc_status(os.getpid())["VmRSS"] - start
            out.append({"grown_mb": round(grown, 1), "after_trim_mb": round(trimmed, 1)})
    return out


def _maps_hook(args: argparse.Namespace, run: int) -> dict[str, Any]:
    if not args.maps or run != args.runs - 1:
        return {}
    title = f"window, data shown ({args.data_dir})"
    return {"probe": lambda pid: write_maps(args.maps, title, maps_breakdown(pid))}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", help="the workspace the window opens (e.g. /tmp/heavy)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("--tracking", type=float, default=60.0, help="seconds tracked; 0: skip")
    parser.add_argument("--maps", metavar="FILE", help="append RSS per mapping to FILE")
    parser.add_argument(
        "--captures", type=int, default=0, help="only: RSS after N snapshots, then trimmed"
    )
    parser.add_argument("--tracking-child", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.captures:
        print(json.dumps({"captures": captures(args.captures)}))
        return 0
    if args.tracking_child is not None:
        print(json.dumps(tracking_child(args.tracking_child, args.maps)))
        return 0

    from paint import real_start

    out: dict[str, Any] = {"code": os.environ.get("FD_SRC") or "working tree"}
    shown: list[dict[str, Any]] = []
    tracking: list[dict[str, Any]] = []
    last = args.runs - 1
    for run in range(args.runs):
        if args.data_dir:
            shown.append(real_start(args.data_dir, settle=args.settle, **_maps_hook(args, run)))
        if args.tracking > 0:
            maps = ["--maps", args.maps] if args.maps and run == last else []
            child = subprocess.run(
                [sys.executable, __file__, "--tracking-child", str(args.tracking), *maps],
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
            out[name]["runs"] = [{k: s.get(k) for k in (*KEYS, "snapshots")} for s in samples]
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
