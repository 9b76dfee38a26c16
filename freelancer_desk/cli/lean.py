"""The lean read path: `report hours`, `report earnings` and `track diary` answered
with the `sqlite3` module alone, without SQLAlchemy, Alembic, `freelancer_desk.app` or
the models (their import and the ORM's set-up cost ~1 s a command; the answer itself a
few ms to a few hundred).

`answer(args)` gives the exit code when it answered, or None: then the normal path
(`with_app`) runs, and it must — the lean path never gives a different answer, so it
steps aside whenever the normal path would do or say anything else:

- the workspace is not a SQLite file URL (`sqlite:///…`, no query), or its data folder,
  file or device id is missing or the folder is not writable (the normal path creates,
  refuses or explains);
- the file is not in WAL mode (the normal path switches it) or its `alembic_version` is
  not `storage.revision.HEAD` (the normal path migrates, with a backup first, or refuses
  a newer one);
- this device has a running session that may be an orphan — one without a process id,
  whose process is gone, or whose heartbeat is older than the recovery rule's
  `STALE_AFTER` (the normal path's `recover_orphans` closes orphans and says so before
  answering). A session whose process is alive and heartbeat fresh is never an orphan;
- an option the lean path does not implement (`--json`, `--csv`), a bad option value
  (the normal path's message), a zone whose clock change puts a local week in two
  stretches of time, or any `sqlite3` error (nothing is printed before the answer is
  complete, so stepping aside is always possible).

Read commands do nothing else before answering: `open_app` opens (migrating if needed),
recovers orphans and creates the device id when it is missing; catch-up runs only in the
window (`App.start_of_day`). `PRAGMA optimize` at close is upkeep, not an answer.

`FREELANCER_DESK_LEAN=0` turns the lean path off (the tests compare both paths with it);
with `FREELANCER_DESK_DEBUG` set, the reason for stepping aside goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from freelancer_desk.domain.clock import Clock, SystemClock
from freelancer_desk.domain.money import Money, per_hour
from freelancer_desk.services.machine import locate
from freelancer_desk.storage.revision import HEAD

LEAN_ENV = "FREELANCER_DESK_LEAN"
DEBUG_ENV = "FREELANCER_DESK_DEBUG"
BUSY_TIMEOUT_MS = 10_000  # storage.db's
# tracker.recovery.STALE_AFTER (a test checks they agree): a running session whose
# heartbeat is older may be an orphan, and then only the normal path may answer.
STALE_AFTER = timedelta(minutes=2)
SQLITE_PREFIX = "sqlite:///"
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores an instant in SQLite (UTC)
_TICK = timedelta(microseconds=1)


class Fallback(Exception):
    """The normal path must answer; the message says why."""


# -- opening ------------------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    return True


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_STAMP)


def open_workspace(args: argparse.Namespace, now: datetime) -> sqlite3.Connection:
    """A read-only connection to the workspace, when the normal path would open it
    without writing anything; Fallback otherwise."""
    data_dir, url = locate(args.data_dir, args.db_url)
    if not url.startswith(SQLITE_PREFIX) or any(c in url for c in "?%#"):
        raise Fallback(f"not a plain SQLite file URL: {url}")
    path = Path(url[len(SQLITE_PREFIX) :])
    if str(path) in ("", ":memory:") or not path.is_file():
        raise Fallback(f"no workspace file at {path}")
    if not data_dir.is_dir() or not os.access(data_dir, os.W_OK | os.X_OK):
        raise Fallback(f"data folder {data_dir} missing or not writable")
    try:
        device = (data_dir / "device-id").read_text(encoding="utf-8").strip()
    except OSError:
        device = ""
    if not device:
        raise Fallback("no device id yet")
    uri = path.absolute().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only = ON")
        mode = conn.execute("PRAGMA journal_mode").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise Fallback("not in WAL mode yet")
        revisions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if revisions != [(HEAD,)]:
            raise Fallback(f"schema {revisions} is not {HEAD}")
        running = conn.execute(
            "SELECT pid, last_seen_at FROM time_sessions WHERE device_id = ? AND ended_at IS NULL",
            (device,),
        ).fetchall()
        for pid, seen in running:
            if pid is None or not _process_alive(int(pid)):
                raise Fallback("a running session whose process is gone")
            if now - _instant(seen) > STALE_AFTER:
                raise Fallback("a running session with a stale heartbeat")
    except BaseException:
        conn.close()
        raise
    return conn


# -- shared -------------------------------------------------------------------------------


def _zone(name: str | None) -> tzinfo:
    """`report hours --tz` as services.reports reads it: "UTC" in any case is UTC."""
    if name is None or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Fallback(f"unknown zone {name!r}") from None


def _period(args: argparse.Namespace, now: datetime) -> tuple[datetime, datetime]:
    """cli.money._bounds: [--from 00:00, day after --to 00:00) UTC; all time when not given."""
    start = args.start or date(2000, 1, 1)
    end = args.end or now.date()
    if end < start:
        raise Fallback("--to before --from")
    return (
        datetime.combine(start, time(), UTC),
        datetime.combine(end + timedelta(days=1), time(), UTC),
    )


def _uuid_text(hex_id: str) -> str:
    return str(uuid.UUID(hex_id))


def week_bounds(
    lo: datetime, hi: datetime, zone: tzinfo
) -> list[tuple[date, datetime, datetime]] | None:
    """The weeks (Monday 00:00 in `zone`) meeting [lo, hi) as (Monday, first instant,
    end) in UTC, clipped to [lo, hi); None when a clock change makes a local week not
    one stretch of time (services.reports._week_bounds, where the normal path then
    works per segment: here the normal path answers)."""
    first = lo.astimezone(zone).date()
    monday = first - timedelta(days=first.weekday())
    out = []
    begin = lo
    while begin < hi:
        following = monday + timedelta(days=7)
        end = min(datetime.combine(following, time(), zone).astimezone(UTC), hi)
        out.append((monday, begin, end))
        begin, monday = end, following
    for week, begin, end in out:
        if begin.astimezone(zone).date() < week or (end - _TICK).astimezone(zone).date() >= (
            week + timedelta(days=7)
        ):
            return None
    return out


# -- report hours -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoursRow:
    week_start: date
    target_id: str
    title: str
    tracked_seconds: int


def tracked_per_week(
    conn: sqlite3.Connection,
    weeks: list[tuple[date, datetime, datetime]],
    contract_hex: str | None,
) -> Iterator[tuple[int, str | None, str | None, int]]:
    """(week index, contract id, order id, seconds) of the non-deleted segments per
    week and target: the one query behind `report hours`."""
    if not weeks:
        return iter(())
    values = ", ".join("(?, ?, ?)" for _ in weeks)
    params: list[object] = []
    for n, (_monday, begin, end) in enumerate(weeks):
        params += [n, _stamp(begin), _stamp(end)]
    where = ""
    if contract_hex is not None:
        where = "AND s.contract_id = ?"
        params.append(contract_hex)
    # Deleted segments are left out by the sums, not by WHERE (as services.reports: a
    # condition on `deleted` tempts SQLite into an automatic index on it).
    return iter(
        conn.execute(
            f"""WITH weeks(n, lo, hi) AS (VALUES {values})
            SELECT w.n, s.contract_id, s.order_id,
                   sum(CASE WHEN s.deleted THEN 0 ELSE s.tracked_seconds END)
            FROM weeks w JOIN segments s ON s.slot_start >= w.lo AND s.slot_start < w.hi
            WHERE 1 {where}
            GROUP BY w.n, s.contract_id, s.order_id
            HAVING sum(CASE WHEN s.deleted THEN 0 ELSE 1 END) > 0""",
            params,
        )
    )


def report_hours(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.money import hours_lines

    if args.json or args.csv:
        raise Fallback("--json/--csv")
    lo, hi = _period(args, now)
    zone = _zone(args.tz)
    contract_hex = None
    if args.contract is not None:
        try:
            contract_hex = uuid.UUID(str(args.contract)).hex
        except ValueError:
            raise Fallback("not a contract id") from None
    first, last = conn.execute(
        "SELECT min(slot_start), max(slot_start) FROM segments "
        "WHERE slot_start >= ? AND slot_start < ?",
        (_stamp(lo), _stamp(hi)),
    ).fetchone()
    rows: list[HoursRow] = []
    if first is not None:
        weeks = week_bounds(_instant(first), _instant(last) + _TICK, zone)
        if weeks is None:
            raise Fallback("a week in two stretches of time")
        titles = dict(conn.execute("SELECT id, title FROM contracts"))
        order_titles = dict(conn.execute("SELECT id, title FROM orders"))
        for n, cid, oid, seconds in tracked_per_week(conn, weeks, contract_hex):
            target = cid if cid is not None else oid
            assert target is not None  # a segment belongs to a contract or an order
            title = titles[cid] if cid is not None else order_titles[oid]
            rows.append(HoursRow(weeks[n][0], _uuid_text(target), title, int(seconds)))
        rows.sort(key=lambda r: (r.week_start, r.title, r.target_id))
    return hours_lines(rows)


# -- report earnings ----------------------------------------------------------------------

EARNED_KINDS = ("fees", "pending", "available", "withdrawn")  # services.ledger's (tested)
FEES_KIND = "fees"
NO_CLIENT = "(no client: withdrawals, platform-wide)"  # services.ledger._group_key's


@dataclass(frozen=True, slots=True)
class EarningsRow:
    key: str
    label: str
    currency: str
    gross: Money
    fees: Money
    net: Money
    tracked_seconds: int
    per_hour: Money | None


@dataclass(slots=True)
class _Group:
    label: str
    gross: int = 0
    fees: int = 0
    seconds: int = 0


def report_earnings(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.money import earnings_lines

    if args.json or args.csv:
        raise Fallback("--json/--csv")
    lo, hi = _period(args, now)
    by = args.by
    names: dict[str, str] = dict(conn.execute("SELECT id, name FROM clients"))
    groups: dict[tuple[str, str], _Group] = {}

    def group(platform: str, client: str | None, period: str, cur: str) -> _Group:
        """services.ledger._group_key's key and label, then the group of that currency."""
        if by == "client":
            if client is None:
                key, label = "", NO_CLIENT
            else:
                key = _uuid_text(client)
                label = names.get(client, key)
        elif by == "platform":
            key = label = platform
        else:
            key = label = period
        return groups.setdefault((key, cur), _Group(label))

    fmt = {"month": "'%Y-%m'", "year": "'%Y'"}.get(by)
    money_period = f"strftime({fmt}, t.occurred_at)" if fmt else "''"
    slot_period = f"strftime({fmt}, s.slot_start)" if fmt else "''"
    kinds = ", ".join("?" for _ in EARNED_KINDS)
    bounds = (_stamp(lo), _stamp(hi))
    money = conn.execute(
        f"""SELECT t.platform, p.client_id, {money_period}, p.account_kind, p.currency,
                   sum(p.amount_minor)
            FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
            WHERE t.occurred_at >= ? AND t.occurred_at < ? AND p.account_kind IN ({kinds})
            GROUP BY 1, 2, 3, 4, 5""",
        (*bounds, *EARNED_KINDS),
    )
    for platform, client, period, kind, cur, total in money:
        g = group(platform, client, period, cur)
        g.gross += int(total or 0)
        if kind == FEES_KIND:
            g.fees += int(total or 0)
    tracked = conn.execute(
        f"""SELECT c.platform, c.client_id, {slot_period}, c.currency, sum(s.tracked_seconds)
            FROM segments s JOIN contracts c ON c.id = s.contract_id
            WHERE s.slot_start >= ? AND s.slot_start < ? AND NOT s.deleted
            GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT coalesce(g.platform, 'fiverr'), o.client_id, {slot_period}, o.currency,
                   sum(s.tracked_seconds)
            FROM segments s JOIN orders o ON o.id = s.order_id
            LEFT JOIN gigs g ON g.id = o.gig_id
            WHERE s.slot_start >= ? AND s.slot_start < ? AND NOT s.deleted
              AND s.contract_id IS NULL
            GROUP BY 1, 2, 3, 4""",
        bounds * 2,
    )
    for platform, client, period, cur, seconds in tracked:
        group(platform, client, period, cur).seconds += int(seconds or 0)
    rows = []
    for (key, cur), g in groups.items():
        net = g.gross - g.fees
        rows.append(
            EarningsRow(
                key,
                g.label,
                cur,
                Money(g.gross, cur),
                Money(g.fees, cur),
                Money(net, cur),
                g.seconds,
                per_hour(net, g.seconds, cur),
            )
        )
    if by in ("month", "year"):
        rows.sort(key=lambda r: (r.key, r.currency))
    else:
        rows.sort(key=lambda r: (r.currency, -r.net.amount, r.label))
    return earnings_lines(rows)


# -- dispatch -----------------------------------------------------------------------------

Command = Callable[[sqlite3.Connection, argparse.Namespace, datetime], list[str]]
COMMANDS: dict[str, Command] = {
    "report hours": report_hours,
    "report earnings": report_earnings,
}


def lines(args: argparse.Namespace, clock: Clock | None = None) -> list[str]:
    """The command's output lines, or Fallback."""
    command = COMMANDS.get(getattr(args, "lean", None) or "")
    if command is None:
        raise Fallback("no lean path for this command")
    now = (clock or SystemClock()).now()
    try:
        with closing(open_workspace(args, now)) as conn:
            return command(conn, args, now)
    except sqlite3.Error as exc:
        raise Fallback(f"sqlite3: {exc}") from exc


def answer(args: argparse.Namespace) -> int | None:
    """Print the command's answer and return 0, or None: the normal path answers."""
    if os.environ.get(LEAN_ENV, "").strip() == "0":
        return None
    try:
        out = lines(args)
    except Exception as exc:  # Fallback, or anything the normal path should explain
        if os.environ.get(DEBUG_ENV):
            sys.stderr.write(f"freelancer-desk: lean path not taken: {exc!r}\n")
        return None
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0
