"""Benchmark: what tracking costs (CPU share of one core, RSS) and the snapshot pipeline
at 1920x1080. Not part of `make test`; figures go to docs/benchmarks.md.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python bench/tracker_cpu.py \
        --duration 300 [--window] [--snapshots 20]

Tracking runs for real: the system clock, APScheduler's BackgroundScheduler ticking every
5 s with a heartbeat every 60 s, the activity and screen sources this machine offers, on
a fresh workspace with one hourly contract taking blurred snapshots. `--window` also
opens the main window and the tray (Qt event loop running), as a user would have it.
CPU is this process's user+system time over the tracked span, as a share of one core.
The span starts `--settle` seconds after tracking started (the window's refresh after
the start is a one-off, not the cost of tracking) and ends before tracking stops.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

if os.environ.get("FD_SRC"):  # another checkout's code, e.g. a `git worktree` of an old commit
    sys.path.insert(0, os.environ["FD_SRC"])


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc (Linux) or getrusage."""
    try:
        fields = dict(
            line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
        )
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def thread_cpu() -> dict[str, float]:
    """CPU seconds per thread of this process, by name (Linux /proc; {} elsewhere)."""
    import threading

    names = {t.native_id: t.name for t in threading.enumerate()}
    tick = os.sysconf("SC_CLK_TCK")
    result: dict[str, float] = {}
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return result
    for task in tasks:
        try:
            stat = (task / "stat").read_text()
            comm = (task / "comm").read_text().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        name = names.get(int(task.name), comm)
        result[name] = result.get(name, 0.0) + seconds
    return result


def make_app(folder: Path):  # type: ignore[no-untyped-def]
    from freelancer_desk.app import App, resolve_location
    from freelancer_desk.storage.models import Client, Contract

    app = App.open(resolve_location(str(folder)))
    with app.db.session() as s:
        client = Client(name="Bench client", platform="upwork")
        s.add(client)
        s.flush()
        contract = Contract(
            client_id=client.id,
            title="Bench contract",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=5000,
            started_at=app.clock.now(),
            snapshot_policy="blurred",
        )
        s.add(contract)
    return app, contract.id


def bench_tracking(
    duration: float, window: bool, settle: float = 5.0, profile: str | None = None
) -> dict[str, object]:
    import cProfile

    profiler = cProfile.Profile() if profile else None
    from freelancer_desk.tracker.scheduler import TrackerScheduler

    threads0: dict[str, float] = {}
    threads1: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        app, contract_id = make_app(Path(tmp) / "ws")
        status = app.tracker.status()
        if window:
            from PySide6.QtCore import QTimer

            from freelancer_desk.app import AppBackend
            from freelancer_desk.ui.main import build_window, ensure_app
            from freelancer_desk.ui.tray import install_tray

            qapp = ensure_app()
            win = build_window(AppBackend(app), remember=False)
            win.resize(1400, 900)
            win.show()
            tray = install_tray(win, app)
            win.set_area("tracker")
            qapp.processEvents()
            tray.runtime.start_tracking(contract_id, None, "benchmark")
            marks: dict[str, float] = {}
            seen: list[int] = []

            def begin() -> None:
                threads0.update(thread_cpu())
                marks["cpu0"], marks["wall0"] = cpu_seconds(), time.monotonic()
                if profiler is not None:
                    profiler.enable()
                QTimer.singleShot(int(duration * 1000), finish)

            def finish() -> None:
                if profiler is not None:
                    profiler.disable()
                marks["cpu1"], marks["wall1"] = cpu_seconds(), time.monotonic()
                threads1.update(thread_cpu())
                seen.append(tray.runtime.status().session_seconds)
                qapp.quit()  # the tray stops tracking as the application quits

            QTimer.singleShot(int(settle * 1000), begin)
            qapp.exec()
            cpu0, wall0, cpu1, wall1 = (marks[k] for k in ("cpu0", "wall0", "cpu1", "wall1"))
            stopped_seconds = seen[0]
            win.close()
        else:
            scheduler = TrackerScheduler(app.tracker, app.clock)
            app.tracker.start(contract_id, None, "benchmark")
            scheduler.start()
            time.sleep(settle)
            threads0.update(thread_cpu())
            cpu0, wall0 = cpu_seconds(), time.monotonic()
            time.sleep(duration)
            cpu1, wall1 = cpu_seconds(), time.monotonic()
            threads1.update(thread_cpu())
            scheduler.shutdown()
            stopped_seconds = app.tracker.stop().tracked_seconds
        current, peak = rss_mb()
        from sqlalchemy import func, select

        from freelancer_desk.storage.models import Snapshot

        with app.db.read() as s:
            snapshots = s.scalar(select(func.count(Snapshot.id)))
        app.close()
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    wall = wall1 - wall0
    return {
        "mode": "window + tray" if window else "headless",
        "duration_s": round(wall, 1),
        "cpu_s": round(cpu1 - cpu0, 3),
        "cpu_percent_of_one_core": round(100 * (cpu1 - cpu0) / wall, 3),
        "rss_mb": round(current, 1),
        "peak_rss_mb": round(peak, 1),
        "tracked_s": stopped_seconds,
        "snapshots": snapshots,
        # per thread (clock ticks of 10 ms: coarse over short spans)
        "cpu_s_by_thread": {
            name: round(threads1[name] - threads0.get(name, 0.0), 2)
            for name in sorted(threads1)
            if threads1[name] - threads0.get(name, 0.0) > 0
        },
        "activity_source": status.activity_source,
        "screen_source": status.screen_source,
    }


def bench_snapshots(count: int) -> dict[str, object]:
    from freelancer_desk.tracker.screen import FakeScreen, PillowScreen, SnapshotStore

    screen = PillowScreen() if os.environ.get("DISPLAY") else FakeScreen((1920, 1080))
    timings: dict[str, list[float]] = {"grab": [], "blurred": [], "full": []}
    with tempfile.TemporaryDirectory() as tmp:
        store = SnapshotStore(Path(tmp) / "snaps")
        from datetime import UTC, datetime, timedelta

        base = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        for index in range(count):
            t0 = time.perf_counter()
            image = screen.grab()
            t1 = time.perf_counter()
            store.store(image, "blurred", base + timedelta(minutes=index), f"b{index}")
            t2 = time.perf_counter()
            store.store(image, "full", base + timedelta(minutes=index), f"f{index}")
            t3 = time.perf_counter()
            timings["grab"].append(t1 - t0)
            timings["blurred"].append(t2 - t1)
            timings["full"].append(t3 - t2)
    size = image.size
    return {
        "screen": f"{screen.name} {size[0]}x{size[1]}",
        "count": count,
        **{
            f"{key}_ms_median": round(1000 * statistics.median(values), 1)
            for key, values in timings.items()
        },
        **{f"{key}_ms_max": round(1000 * max(values), 1) for key, values in timings.items()},
        "grab_plus_blurred_ms_median": round(
            1000
            * statistics.median(
                g + b for g, b in zip(timings["grab"], timings["blurred"], strict=True)
            ),
            1,
        ),
    }


def _as_run_gui() -> None:
    """What `run_gui` does to the process before any thread starts and before the core
    is imported (one malloc arena; PySide6's source check leaves no lines in linecache):
    without it `--window`'s RSS is not the window's (137-140 MB in H8, against 125 MB
    for bench/memory.py's tracking child, which does this too). An older checkout
    (FD_SRC) may have neither."""
    from freelancer_desk.ui import main as ui_main

    for setup in ("limit_malloc_arenas", "forget_imported_sources"):
        if hasattr(ui_main, setup):
            getattr(ui_main, setup)()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds (default 300)")
    parser.add_argument("--window", action="store_true", help="with the window and the tray")
    parser.add_argument("--snapshots", type=int, default=20, help="pipeline runs (0: skip)")
    parser.add_argument("--skip-tracking", action="store_true")
    parser.add_argument(
        "--profile", metavar="FILE", help="--window: cProfile the GUI thread over the span"
    )
    parser.add_argument(
        "--settle", type=float, default=5.0, help="seconds after the start not measured"
    )
    args = parser.parse_args()
    if args.window and not args.skip_tracking:
        _as_run_gui()
    result: dict[str, object] = {
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
    }
    if args.snapshots:
        result["snapshot_pipeline"] = bench_snapshots(args.snapshots)
    if not args.skip_tracking:
        result["tracking"] = bench_tracking(args.duration, args.window, args.settle, args.profile)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
