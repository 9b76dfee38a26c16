"""What a lean read path costs: the CLI's reports with the sqlite3 module only.

    python bench/lean_report.py D hours [--from YYYY-MM-DD --to YYYY-MM-DD]
    python bench/lean_report.py D day YYYY-MM-DD

A bench-only prototype, not the app: it answers the same questions as
`freelancer-desk report hours` (tracked time per week per contract, UTC weeks) and the
day's totals of `freelancer-desk track diary`, on the same file with the same pragmas
(busy timeout; read only), without SQLAlchemy, the ORM or Alembic. The app now has the
real thing (freelancer_desk/cli/lean.py: the same commands, byte-identical to the normal
path, with its checks); bench/run.py keeps this row beside it and the peers as the floor
of what a Python process reading segments costs.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000

_WEEK = "date(s.slot_start, '-' || ((CAST(strftime('%w', s.slot_start) AS INTEGER) + 6) % 7) || ' days')"


def connect(data_dir: str) -> sqlite3.Connection:
    path = Path(data_dir) / "workspace.sqlite3"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    return conn


def _stamp(day: str) -> str:
    return f"{day} 00:00:00.000000"


def hours(conn: sqlite3.Connection, start: str | None, end: str | None) -> list[str]:
    lo = _stamp(start or "2000-01-01")
    hi = (
        _stamp((date.fromisoformat(end) + timedelta(days=1)).isoformat())
        if end
        else _stamp("9999-12-31")
    )
    rows = conn.execute(
        f"""SELECT {_WEEK} AS week, c.title, sum(s.tracked_seconds)
            FROM segments s JOIN contracts c ON c.id = s.contract_id
            WHERE s.slot_start >= ? AND s.slot_start < ? AND s.deleted = 0
            GROUP BY week, s.contract_id ORDER BY week, c.title""",
        (lo, hi),
    ).fetchall()
    return [f"{w}  {t // 3600:>3}:{t % 3600 // 60:02d}  {title}" for w, title, t in rows]


def day(conn: sqlite3.Connection, day_text: str) -> list[str]:
    lo = _stamp(day_text)
    hi = _stamp((date.fromisoformat(day_text) + timedelta(days=1)).isoformat())
    rows = conn.execute(
        """SELECT c.title, sum(s.tracked_seconds), count(*), sum(s.active_minutes)
           FROM segments s JOIN contracts c ON c.id = s.contract_id
           WHERE s.slot_start >= ? AND s.slot_start < ? AND s.deleted = 0
           GROUP BY s.contract_id ORDER BY c.title""",
        (lo, hi),
    ).fetchall()
    return [
        f"{title:<40} {t // 3600}:{t % 3600 // 60:02d}  {n} segments  activity {a * 10 // max(n, 1)}%"
        for title, t, n, a in rows
    ]


def main(argv: list[str]) -> int:
    data_dir, what, *rest = argv
    conn = connect(data_dir)
    if what == "hours":
        opts = dict(zip(rest[::2], rest[1::2], strict=True))
        lines = hours(conn, opts.get("--from"), opts.get("--to"))
    else:
        lines = day(conn, rest[0])
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
