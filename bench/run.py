"""The benchmark suite: one command, results appended to docs/benchmarks.md.

    python bench/run.py --data-dir D [--runs 5] [--label TEXT] [--only SECTION ...]
    python bench/run.py --data-dir D --only inprocess --db-url sqlite --db-url URL [--rounds 3]

D is a workspace made by `python bench/heavy.py --data-dir D` (which also writes the
peers' files under D/peers). Sections:

  inprocess  reports called in one process (services), median of --runs after a warm-up
  cli        the same reports as whole processes, side by side with Watson and
             Timewarrior on the same 150,000 intervals, run alternating, medians;
             ours both on the lean path (cli/lean.py) and the normal one
             (FREELANCER_DESK_LEAN=0), with Python's bytecode cache on
  ui         cold start to the first painted window on a real X server (Xvfb), first
             paint of every area, scrolling the 350,000-segment table (bench/paint.py)
  import     10,000 Upwork transaction rows (bench/gen_upwork.py) into a new workspace

`--db-url URL` runs the in-process section against another database holding the same
workspace (`python bench/heavy.py --data-dir D2 --db-url URL`; `sqlite` stands for
D/workspace.sqlite3). Given more than once, each database's child process runs in
turn, `--rounds` times alternating, and the section is one table with a column per
database (medians of the rounds' medians) and the ratio to the first.

Peers are installed here, never by `make test`: Watson into /tmp/bench-venv (pip),
Timewarrior with apt-get (its totals extension from /usr/share/doc/timewarrior/ext
needs python3-dateutil). Wall time is measured with time.perf_counter around each
process, peak memory with os.wait4's ru_maxrss. The machine is shared: compare ratios
within one run, not figures across runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
FD = [PY, "-m", "freelancer_desk"]
BENCH_VENV = Path("/tmp/bench-venv")
WATSON = BENCH_VENV / "bin" / "watson"
TOTALS_GZ = Path("/usr/share/doc/timewarrior/ext/totals.py.gz")
TOTALS_PY = Path("/usr/share/doc/timewarrior/ext/totals.py")
YEAR = ("2025-01-01", "2025-12-31")
DAY = "2025-06-11"
SECTIONS = ("inprocess", "cli", "ui", "import")


# -- machine and peers ----------------------------------------------------------------------


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs (nproc), {cpu}, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def ensure_peers(data_dir: Path) -> dict[str, str]:
    """Watson in a bench-only venv, Timewarrior from the distribution; their data dirs."""
    if not WATSON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "td-watson"], check=True)
    if shutil.which("timew") is None:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "timewarrior", "python3-dateutil"], check=True
        )
    tw = data_dir / "peers" / "timewarrior"
    ext = tw / "extensions" / "totals.py"
    if not ext.exists():
        ext.parent.mkdir(parents=True, exist_ok=True)
        if TOTALS_PY.exists():
            source = TOTALS_PY.read_bytes()
        else:
            source = gzip.decompress(TOTALS_GZ.read_bytes())
        ext.write_bytes(source)
        ext.chmod(0o755)
    return {
        "WATSON_DIR": str(data_dir / "peers" / "watson"),
        "TIMEWARRIORDB": str(tw),
    }


# -- whole processes --------------------------------------------------------------------


def run_once(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, and bytes written to stdout."""
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {err[-400:]}")
        size = out.tell()
    return wall, usage.ru_maxrss / 1024, size


def side_by_side(
    groups: dict[str, dict[str, list[str]]], env: dict[str, str], runs: int
) -> list[dict[str, Any]]:
    """Every command of a group run `runs` times, alternating; medians."""
    results = []
    for group, commands in groups.items():
        samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
        for argv in commands.values():  # warm the file cache once
            run_once(argv, env)
        for _ in range(runs):
            for name, argv in commands.items():
                samples[name].append(run_once(argv, env))
        for name, argv in commands.items():
            walls = [s[0] for s in samples[name]]
            results.append(
                {
                    "group": group,
                    "tool": name,
                    "command": " ".join(argv),
                    "median_s": statistics.median(walls),
                    "min_s": min(walls),
                    "rss_mb": statistics.median(s[1] for s in samples[name]),
                    "out_bytes": samples[name][0][2],
                }
            )
        print(
            f"  {group}: "
            + ", ".join(f"{r['tool']} {r['median_s']:.3f}s" for r in results[-len(commands) :]),
            file=sys.stderr,
        )
    return results


def cli_env(env: dict[str, str]) -> dict[str, str]:
    """The processes' environment: Python writes its bytecode cache (into a folder of its
    own, not the source tree), as an installed app has one — without it every run
    recompiles this project's modules while the peers' are cached by pip."""
    out = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "fd-bench-pycache")
    return out


def cli_groups(data_dir: Path) -> dict[str, dict[str, list[str]]]:
    ours = [*FD, "--data-dir", str(data_dir)]
    # The normal path (SQLAlchemy, the app, the ORM) for the same commands: what the lean
    # path (cli/lean.py, sqlite3 only) saves.
    normal = ["env", "FREELANCER_DESK_LEAN=0", *ours]
    lean = [PY, str(ROOT / "bench" / "lean_report.py"), str(data_dir)]
    watson = [str(WATSON)]
    year = ["--from", YEAR[0], "--to", YEAR[1]]
    return {
        "one year": {
            "freelancer-desk report hours": [*ours, "report", "hours", *year],
            "freelancer-desk report earnings": [*ours, "report", "earnings", *year],
            "report hours, normal path (FREELANCER_DESK_LEAN=0)": [
                *normal,
                "report",
                "hours",
                *year,
            ],
            "lean sqlite3 prototype (bench only)": [
                *lean,
                "hours",
                "--from",
                YEAR[0],
                "--to",
                YEAR[1],
            ],
            "watson report": [*watson, "report", "--from", YEAR[0], "--to", YEAR[1], "--no-pager"],
            "timew report totals": ["timew", "report", "totals", YEAR[0], "-", "2026-01-01"],
        },
        "all time": {
            "freelancer-desk report hours": [*ours, "report", "hours"],
            "freelancer-desk report earnings": [*ours, "report", "earnings"],
            "report hours, normal path (FREELANCER_DESK_LEAN=0)": [*normal, "report", "hours"],
            "lean sqlite3 prototype (bench only)": [*lean, "hours"],
            "watson report": [*watson, "report", "--all", "--no-pager"],
            "timew report totals": ["timew", "report", "totals", ":all"],
        },
        "one day": {
            "freelancer-desk track diary": [*ours, "track", "diary", "--date", DAY],
            "track diary, normal path (FREELANCER_DESK_LEAN=0)": [
                *normal,
                "track",
                "diary",
                "--date",
                DAY,
            ],
            "lean sqlite3 prototype (bench only)": [*lean, "day", DAY],
            "watson log": [*watson, "log", "--from", DAY, "--to", DAY, "--no-pager"],
            "timew summary": ["timew", "summary", DAY],
        },
        "start-up": {
            "freelancer-desk --version": [*FD, "--version"],
            "freelancer-desk contract list": [*ours, "contract", "list"],
            "python -c pass": [PY, "-c", "pass"],
        },
    }


# -- in one process -------------------------------------------------------------------------


def inprocess(data_dir: Path, runs: int, db_url: str | None = None) -> dict[str, Any]:
    """Runs in a child process (`--child-inprocess`) so imports and caches start cold.
    `db_url`: the workspace is that database (D then only holds the device id)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from freelancer_desk.app import App, resolve_location
    from freelancer_desk.services.listing import ListQuery
    from freelancer_desk.services.reports import ReportService
    from freelancer_desk.storage.models import Contract, Segment
    from freelancer_desk.tracker.diary import day_view
    from freelancer_desk.tracker.diary import precheck as diary_precheck
    from freelancer_desk.tracker.diary import totals as diary_totals

    app = App.open(resolve_location(str(data_dir), db_url), create=False)
    reports = ReportService(app.db, app.clock, app.ledger)
    ever = datetime(2000, 1, 1, tzinfo=UTC)
    now = app.clock.now()
    y0 = datetime(2025, 1, 1, tzinfo=UTC)
    y1 = datetime(2026, 1, 1, tzinfo=UTC)
    with app.db.read() as s:
        busiest = s.execute(
            select(Segment.contract_id, func.count())
            .join(Contract, Contract.id == Segment.contract_id)
            .where(
                Segment.slot_start >= datetime(2025, 6, 9, tzinfo=UTC),
                Segment.slot_start < datetime(2025, 6, 16, tzinfo=UTC),
                Contract.kind == "hourly",
            )
            .group_by(Segment.contract_id)
            .order_by(func.count().desc())
        ).first()
    contract_id = str(busiest[0]) if busiest else None
    source = app.sources["earnings_by_client"]
    segments = app.sources["segments"]

    def earnings_source() -> Any:
        source.count(ListQuery())
        return source.fetch(ListQuery(), 0, 100)

    def segments_deep_page() -> Any:
        return segments.fetch(ListQuery(), 300_000, 200)

    def segments_next_page() -> Any:
        # As the table model scrolls: the page after the one just read (1,500 pages in).
        segments.fetch(ListQuery(), 299_800, 200)
        t = time.perf_counter()
        segments.fetch(ListQuery(), 300_000, 200)
        return time.perf_counter() - t

    cases: dict[str, Callable[[], Any]] = {
        # The first call may book what fell due since the workspace was made (the same
        # on every database); the median is catch-up with nothing due.
        "catch-up, nothing due (App.catch_up)": app.catch_up,
        "earnings per client, all time (LedgerService.earnings)": lambda: app.ledger.earnings(
            ever, now
        ),
        "earnings per client, 2025 (LedgerService.earnings)": lambda: app.ledger.earnings(y0, y1),
        "earnings per client (earnings_by_client ListSource: count + first page)": earnings_source,
        "hours per contract per week, 2025 (ReportService.hours)": lambda: reports.hours(y0, y1),
        "hours per contract per week, all time (ReportService.hours)": lambda: reports.hours(
            ever, now
        ),
        "hours per contract per week, 2025, Asia/Kolkata (ReportService.hours)": lambda: (
            reports.hours(y0, y1, "Asia/Kolkata")
        ),
        # UTC weeks in winter (read whole from tracked_weeks), not in summer (from the days)
        "hours per contract per week, 2025, Europe/London (ReportService.hours)": lambda: (
            reports.hours(y0, y1, "Europe/London")
        ),
        f"Work Diary day {DAY} (tracker.diary.day_view)": lambda: day_view(
            app.db, date.fromisoformat(DAY)
        ),
        f"Work Diary day {DAY}, America/New_York (tracker.diary.day_view)": lambda: day_view(
            app.db, date.fromisoformat(DAY), ZoneInfo("America/New_York")
        ),
        f"today and this week per contract at {DAY} 15:00 UTC (tracker.diary.totals)": lambda: (
            diary_totals(app.db, datetime.fromisoformat(f"{DAY}T15:00:00+00:00"))
        ),
        f"Upwork pre-check of the week locking next at {DAY} 15:00 UTC (tracker.diary.precheck)": (
            lambda: diary_precheck(app.db, datetime.fromisoformat(f"{DAY}T15:00:00+00:00"))
        ),
        "segments table: first page (count + 200 rows)": lambda: (
            segments.count(ListQuery()),
            segments.fetch(ListQuery(), 0, 200),
        ),
        "segments table: jump straight to row 300,000 (offset)": segments_deep_page,
    }
    if contract_id is not None:  # a hourly contract with time that week
        cases["weekly timesheet 2025-06-09 (ReportService.timesheet_document)"] = lambda: (
            reports.timesheet_document(contract_id, date(2025, 6, 9))
        )
    out: dict[str, Any] = {}
    for name, fn in cases.items():
        t = time.perf_counter()
        fn()
        first = time.perf_counter() - t
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out[name] = {"first_ms": first * 1000, "median_ms": statistics.median(times) * 1000}
        print(f"  {name}: {out[name]['median_ms']:.1f} ms", file=sys.stderr)
    steps = [segments_next_page() for _ in range(runs + 1)]
    out["segments table: the page after row 300,000, scrolling (keyset when consecutive)"] = {
        "first_ms": steps[0] * 1000,
        "median_ms": statistics.median(steps[1:]) * 1000,
    }
    for name in list(out)[-1:]:
        print(f"  {name}: {out[name]['median_ms']:.1f} ms", file=sys.stderr)
    import resource

    out["_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app.close()
    return out


# -- the window -------------------------------------------------------------------------------


def start_xvfb() -> tuple[subprocess.Popen[bytes] | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    for n in range(150, 250):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            break
    proc = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{n}").exists():
            break
        time.sleep(0.05)
    return proc, f":{n}"


def ui(data_dir: Path, runs: int) -> dict[str, Any]:
    xvfb, display = start_xvfb()
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
    try:
        samples = []
        for i in range(runs + 1):  # the first run takes the day's backup and catches up
            t0 = time.time()
            proc = subprocess.run(
                [
                    PY,
                    str(ROOT / "bench" / "paint.py"),
                    "--data-dir",
                    str(data_dir),
                    "--t0",
                    str(t0),
                ],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if proc.returncode != 0:
                raise RuntimeError(f"paint.py failed: {proc.stderr[-800:]}")
            sample = json.loads(proc.stdout.strip().splitlines()[-1])
            real = sample["real_start"]["marks"]
            print(
                f"  ui run {i}: freelancer-desk window painted {real['window_painted']:.3f}s, "
                f"data shown {real['data_shown']:.3f}s; in-process first paint "
                f"{sample['marks']['first_paint']:.3f}s",
                file=sys.stderr,
            )
            if i:
                samples.append(sample)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    marks = {k: statistics.median(s["marks"][k] for s in samples) for k in samples[0]["marks"]}
    areas = {
        k: statistics.median(s["areas_ms"][k] for s in samples) for k in samples[0]["areas_ms"]
    }
    scroll = samples[-1]["scroll"]
    rss = statistics.median(s["max_rss_mb"] for s in samples)
    real_keys = set.intersection(*(set(s["real_start"]["marks"]) for s in samples))
    real = {
        "marks": {
            k: statistics.median(s["real_start"]["marks"][k] for s in samples)
            for k in sorted(real_keys, key=lambda k: samples[0]["real_start"]["marks"][k])
        },
        "rss_mb": statistics.median(s["real_start"]["rss_mb"] or 0 for s in samples),
        "peak_rss_mb": statistics.median(s["real_start"]["peak_rss_mb"] or 0 for s in samples),
        "uss_mb": statistics.median(s["real_start"].get("uss_mb") or 0 for s in samples),
        "anon_mb": statistics.median(s["real_start"].get("anon_mb") or 0 for s in samples),
    }
    data = {
        k: statistics.median(s["areas_data_ms"][k] for s in samples)
        for k in samples[0]["areas_data_ms"]
    }
    stall = statistics.median(s["max_gui_stall_ms"] for s in samples)
    idle = statistics.median(s.get("idle_gap_ms", 0.0) for s in samples)
    return {
        "idle_gap_ms": idle,
        "marks": marks,
        "areas_ms": areas,
        "areas_data_ms": data,
        "max_gui_stall_ms": stall,
        "real_start": real,
        "scroll": scroll,
        "rss_mb": rss,
    }


# -- import -------------------------------------------------------------------------------------


# In a fresh process per run: preview + apply of the file into a new workspace (the
# in-process figure of docs/benchmarks.md), CPU and wall seconds of each step.
CHILD_IMPORT = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from freelancer_desk.app import App, Location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.importers.registry import apply, preview
csv_path, folder = sys.argv[1], Path(sys.argv[2])
folder.mkdir()
app = App.open(Location(folder, f"sqlite:///{folder}/w.sqlite3"),
               FakeClock(datetime(2026, 1, 15, 12, tzinfo=UTC)))
app.ledger
c0, w0 = time.process_time(), time.perf_counter()
p = preview(app.db, "upwork", csv_path)
c1 = time.process_time()
done = apply(app.db, app.clock, app.ledger, p)
c2, w2 = time.process_time(), time.perf_counter()
assert done.transactions == 10_000, done
app.close()
print(json.dumps({"preview_cpu": c1 - c0, "apply_cpu": c2 - c1, "cpu": c2 - c0, "wall": w2 - w0}))
"""


def import_upwork(runs: int) -> dict[str, Any]:
    if not (ROOT / "freelancer_desk" / "importers" / "upwork_transactions.py").exists():
        return {"note": "importers/upwork_transactions.py does not exist yet"}
    cli: list[tuple[float, float, float]] = []  # wall, CPU (user + sys), peak RSS
    inproc: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "upwork-10000.csv"
        subprocess.run(
            [PY, str(ROOT / "bench" / "gen_upwork.py"), "10000", str(csv_path)], check=True
        )
        for i in range(runs):  # alternating: the command, then the in-process steps
            ws = Path(tmp) / f"ws{i}"
            argv = [*FD, "--data-dir", str(ws), "import", "upwork", str(csv_path)]
            t = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.read().decode()}")
            cli.append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024))
            done = subprocess.run(
                [PY, "-c", CHILD_IMPORT, str(csv_path), str(Path(tmp) / f"in{i}")],
                stdout=subprocess.PIPE,
                check=True,
            )
            inproc.append(json.loads(done.stdout))
    return {
        "command": "freelancer-desk --data-dir NEW import upwork upwork-10000.csv",
        "median_s": statistics.median(w for w, _, _ in cli),
        "cpu_s": statistics.median(c for _, c, _ in cli),
        "rss_mb": statistics.median(r for _, _, r in cli),
        "inprocess": {k: statistics.median(r[k] for r in inproc) for k in inproc[0]},
    }


# -- the report -----------------------------------------------------------------------------------


def by_database(
    urls: list[str | None], rounds: int, child: Callable[[str | None], dict[str, Any]]
) -> dict[str, Any]:
    """The in-process reports on each database, `rounds` times alternating; per report
    and database the median of the rounds' medians (and of their first calls)."""
    runs: dict[str, list[dict[str, Any]]] = {shown_url(u): [] for u in urls}
    for r in range(rounds):
        for url in urls:
            print(f"  round {r + 1}: {shown_url(url)}", file=sys.stderr)
            runs[shown_url(url)].append(child(url))
    out: dict[str, Any] = {"_dbs": list(runs), "_rounds": rounds, "_rss_mb": {}}
    for db, results in runs.items():
        out["_rss_mb"][db] = max(r["_rss_mb"] for r in results)
        for name in results[0]:
            if name.startswith("_"):
                continue
            out.setdefault(name, {})[db] = {
                "first_ms": statistics.median(r[name]["first_ms"] for r in results),
                "median_ms": statistics.median(r[name]["median_ms"] for r in results),
            }
    return out


def shown_url(url: str | None) -> str:
    if url is None:
        return "SQLite"
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = "PostgreSQL" if parsed.get_backend_name() == "postgresql" else parsed.drivername
    return f"{name} ({parsed.host}:{parsed.port}/{parsed.database})"


def markdown(
    label: str,
    data_dir: Path,
    runs: int,
    results: dict[str, Any],
    argv: Sequence[str] | None = None,
) -> str:
    # The command as run, passwords in URLs masked.
    shown = [
        re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", a)
        for a in (argv if argv is not None else sys.argv[1:])
    ]
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {label}",
        "",
        f"- Machine: {machine()}",
        f"- Workspace: `python bench/heavy.py --data-dir {data_dir}` (seed 7); "
        f"command: `python bench/run.py {' '.join(shown)}`",
        "- Shared, noisy machine: read the ratios within this run, not absolute figures across runs.",
        "",
    ]
    if "inprocess" in results:
        r = results["inprocess"]
        lines += [
            "### In-process reports",
            "",
            "| report | first call | median |",
            "|---|---:|---:|",
        ]
        for name, v in r.items():
            if not name.startswith("_"):
                lines.append(f"| {name} | {v['first_ms']:.1f} ms | {v['median_ms']:.1f} ms |")
        lines += ["", f"Peak RSS of that process: {r['_rss_mb']:.0f} MB.", ""]
    if "by_db" in results:
        r = results["by_db"]
        dbs = r["_dbs"]
        lines += [
            f"### In-process reports on {len(dbs)} databases "
            f"(medians of {r['_rounds']} alternating rounds, {runs} runs each)",
            "",
            "| report | " + " | ".join(dbs) + " | " + f"vs {dbs[0]}" + " |",
            "|---|" + "---:|" * (len(dbs) + 1),
        ]
        for name, v in r.items():
            if name.startswith("_"):
                continue
            cells = [
                f"{v[d]['median_ms']:.1f} ms (first {v[d]['first_ms']:.0f})" if d in v else "—"
                for d in dbs
            ]
            base = v.get(dbs[0], {}).get("median_ms")
            ratios = [
                f"{v[d]['median_ms'] / base:.2f}×" if base and d in v else "—" for d in dbs[1:]
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " | " + " / ".join(ratios) + " |")
        rss = ", ".join(f"{d} {mb:.0f} MB" for d, mb in r["_rss_mb"].items())
        lines += ["", f"Peak RSS of those processes: {rss}.", ""]
    if "cli" in results:
        lines += [
            "### Whole processes, side by side (medians, alternating runs)",
            "",
            "| case | tool | median | min | peak RSS | vs ours (first row) | output |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        base: dict[str, float] = {}
        for r in results["cli"]:
            base.setdefault(r["group"], r["median_s"])
            ratio = r["median_s"] / base[r["group"]]
            lines.append(
                f"| {r['group']} | {r['tool']} | {r['median_s']:.3f} s | {r['min_s']:.3f} s "
                f"| {r['rss_mb']:.0f} MB | {ratio:.2f}× | {r['out_bytes']:,} B |"
            )
        lines += ["", "Commands:", ""]
        lines += [f"- `{r['command']}`" for r in results["cli"]]
        lines.append("")
    if "ui" in results:
        u = results["ui"]
        m = u["marks"]
        real = u["real_start"]
        lines += [
            "### Window (real X server: Xvfb, xcb)",
            "",
            "`python -m freelancer_desk --data-dir D` as users start it (marks written by the "
            "app through FREELANCER_DESK_START_LOG):",
            "",
            "| mark (from process start) | median |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v * 1000:.0f} ms |" for k, v in real["marks"].items()]
        lines += [
            "",
            f"RSS of that process with its data shown and the workspace open: "
            f"{real['rss_mb']:.0f} MB (peak {real['peak_rss_mb']:.0f} MB); USS "
            f"{real.get('uss_mb', 0):.0f} MB, anonymous {real.get('anon_mb', 0):.0f} MB "
            "(/proc/PID/smaps_rollup; window + tray while tracking: bench/memory.py).",
            "",
            "In the bench process (open_backend + build_window, as before):",
            "",
            "| step (from process start) | median |",
            "|---|---:|",
            f"| interpreter running | {m['python_started'] * 1000:.0f} ms |",
            f"| Qt, app, UI imported | {m['imported'] * 1000:.0f} ms |",
            f"| workspace open (backup, recovery, catch-up) | {m['workspace_open'] * 1000:.0f} ms |",
            f"| window built | {m['window_built'] * 1000:.0f} ms |",
            f"| **first paint** | **{m['first_paint'] * 1000:.0f} ms** |",
            "",
            "| area: after asking for it | first paint (median) | figures there (median) |",
            "|---|---:|---:|",
        ]
        lines += [
            f"| {k} | {v:.0f} ms | {u['areas_data_ms'][k]:.0f} ms |"
            for k, v in u["areas_ms"].items()
        ]
        lines += [
            "",
            f"Longest GUI-thread stall while showing the areas (10 ms heartbeat): "
            f"{u['max_gui_stall_ms']:.0f} ms; while idle after the first area's data "
            f"(before asking for the others): {u.get('idle_gap_ms', 0.0):.0f} ms.",
        ]
        s = u["scroll"]
        if s:
            lines += [
                "",
                f"Scrolling the Work Diary's segment table ({s['total_rows']:,} rows): "
                f"{s['loaded_rows']:,} rows loaded after the scroll, a page (fetchMore + "
                f"scroll + repaint) {s['page_ms_median']:.1f} ms median, {s['page_ms_max']:.1f} ms max. "
                f"Peak RSS with the window open: {u['rss_mb']:.0f} MB.",
            ]
        lines.append("")
    if "import" in results:
        i = results["import"]
        if "note" in i:
            lines += ["### Import", "", i["note"], ""]
        else:
            lines += [
                "### Import of 10,000 Upwork transaction rows",
                "",
                f"`{i['command']}`: {i['median_s']:.2f} s median wall, {i['cpu_s']:.2f} s CPU,"
                f" {i['rss_mb']:.0f} MB peak RSS.",
                "",
                "In process, into a new workspace (`preview` then `apply`, a fresh process per"
                " run): {preview_cpu:.2f} s + {apply_cpu:.2f} s = **{cpu:.2f} s CPU**,"
                " {wall:.2f} s wall (medians).".format(**i["inprocess"]),
                "",
            ]
    for error in results.get("errors", []):
        lines += [f"- Section failed: {error}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Freelancer Desk benchmarks")
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--label", default="benchmarks")
    parser.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--db-url",
        action="append",
        default=None,
        help="in-process section on this database (`sqlite`: D's file); repeat to compare",
    )
    parser.add_argument(
        "--data-dir-for",
        action="append",
        default=[],
        metavar="URL=DIR",
        help="the data folder to use with a --db-url (default: --data-dir)",
    )
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (--db-url)")
    parser.add_argument("--child-inprocess", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data_dir = args.data_dir.resolve()
    urls = [None if u == "sqlite" else u for u in (args.db_url or ["sqlite"])]
    if args.child_inprocess:
        json.dump(inprocess(data_dir, args.runs, urls[0]), sys.stdout)
        return 0
    if None in urls and not (data_dir / "workspace.sqlite3").exists():
        sys.exit(f"no workspace in {data_dir}: run python bench/heavy.py --data-dir {data_dir}")
    if urls != [None] and set(args.only) - {"inprocess"}:
        sys.exit("--db-url: only the in-process section (add --only inprocess)")
    folders = dict(item.rsplit("=", 1) for item in args.data_dir_for)
    results: dict[str, Any] = {}

    def guarded(section: str, fn: Callable[[], Any]) -> None:
        try:
            results[section] = fn()
        except Exception as exc:  # one failing section must not lose the others
            print(f"  {section} failed: {exc}", file=sys.stderr)
            results.setdefault("errors", []).append(f"{section}: {str(exc)[-300:]}")

    def child_inprocess(url: str | None) -> dict[str, Any]:
        folder = folders.get(url or "sqlite", str(data_dir))
        child = [PY, __file__, "--data-dir", folder, "--runs", str(args.runs)]
        if url is not None:
            child += ["--db-url", url]
        done = subprocess.run([*child, "--child-inprocess"], stdout=subprocess.PIPE, check=True)
        return dict(json.loads(done.stdout))

    if "inprocess" in args.only and urls == [None]:
        print("in-process reports", file=sys.stderr)
        guarded("inprocess", lambda: child_inprocess(None))
    elif "inprocess" in args.only:
        print(f"in-process reports on {len(urls)} databases", file=sys.stderr)
        guarded("by_db", lambda: by_database(urls, args.rounds, child_inprocess))
    if "cli" in args.only:
        print("whole processes", file=sys.stderr)
        env = cli_env(dict(os.environ, **ensure_peers(data_dir)))
        guarded("cli", lambda: side_by_side(cli_groups(data_dir), env, args.runs))
    if "ui" in args.only:
        print("window", file=sys.stderr)
        guarded("ui", lambda: ui(data_dir, args.runs))
    if "import" in args.only:
        print("import", file=sys.stderr)
        guarded("import", lambda: import_upwork(args.runs))
    text = markdown(args.label, data_dir, args.runs, results, argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    new = not args.out.exists()
    with args.out.open("a", encoding="utf-8") as fh:
        if new:
            fh.write(
                "# Benchmarks\n\nAppended by `python bench/run.py` (and the tracker's own figures). "
                "Newest at the bottom.\n\n"
            )
        fh.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
