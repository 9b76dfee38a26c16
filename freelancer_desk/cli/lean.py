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
  whose process is gone, or whose heartbeat is older than `STALE_AFTER`
  (`tracker.liveness.orphan_doubt`, beside the rule the normal path's `recover_orphans`
  closes orphans by, before answering and saying so). A session whose process is alive
  and heartbeat fresh is never an orphan;
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

import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

from freelancer_desk.domain.clock import Clock, SystemClock
from freelancer_desk.domain.weeks import billing_week, week_bounds
from freelancer_desk.services.machine import locate
from freelancer_desk.storage.revision import HEAD
from freelancer_desk.tracker.liveness import OsProcesses, orphan_doubt

if TYPE_CHECKING:
    import argparse

    from freelancer_desk.tracker.daybook import Owners

LEAN_ENV = "FREELANCER_DESK_LEAN"
DEBUG_ENV = "FREELANCER_DESK_DEBUG"
BUSY_TIMEOUT_MS = 10_000  # storage.db's
SQLITE_PREFIX = "sqlite:///"
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores an instant in SQLite (UTC)


class Fallback(Exception):
    """The normal path must answer; the message says why."""


# -- opening ------------------------------------------------------------------------------


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
        processes = OsProcesses()
        for pid, seen in running:
            doubt = orphan_doubt(None if pid is None else int(pid), _instant(seen), now, processes)
            if doubt is not None:  # the normal path's recover_orphans may close it
                raise Fallback(doubt)
    except BaseException:
        conn.close()
        raise
    return conn


# -- shared -------------------------------------------------------------------------------


def _zone(name: str | None) -> tzinfo:
    """`report hours --tz` as services.reports reads it: "UTC" in any case is UTC."""
    if name is None or name.upper() == "UTC":
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # here: ~3 ms, and UTC needs none

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
    """str(uuid.UUID(hex_id)) of a stored id (32 lowercase hex digits, as SQLAlchemy
    stores a UUID in SQLite), without importing uuid (and its `platform`)."""
    h = hex_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _uuid_hex(text: str) -> str:
    import uuid  # here: only `--contract` needs it

    return uuid.UUID(text).hex


# -- report hours -------------------------------------------------------------------------


class HoursRow(NamedTuple):
    """A line of `report hours`; its fields in the order the rows are sorted by."""

    week_start: date
    title: str
    target_id: str  # the stored id (32 hex digits): in the order of its text
    tracked_seconds: int


def _utc_midnight(at: datetime) -> datetime:
    return datetime.combine(at.astimezone(UTC).date(), time(), UTC)


def split_days(
    begin: datetime, end: datetime
) -> tuple[date, date, list[tuple[datetime, datetime]]]:
    """[begin, end) as the whole UTC days [first, last) inside it — what `tracked_days`
    answers — and the stretches before and after them, read from the segments."""
    first_at = _utc_midnight(begin)
    if first_at < begin:
        first_at += timedelta(days=1)
    end_at = _utc_midnight(end)
    if end_at <= first_at:
        return first_at.date(), first_at.date(), [(begin, end)] if begin < end else []
    edges = [(a, b) for a, b in ((begin, first_at), (end_at, end)) if a < b]
    return first_at.date(), end_at.date(), edges


def tracked_per_week(
    conn: sqlite3.Connection,
    weeks: list[tuple[date, datetime, datetime]],
    contract_hex: str | None,
) -> list[tuple[int, str | None, str | None, int, int]]:
    """(week index, contract id, order id, seconds, segments) of the non-deleted
    segments per week and target — the one function behind `report hours`: the whole
    UTC days of each week from the `tracked_days` summary (kept by triggers on
    `segments`, migration 0004), the hours at its edges from the segments.

    One query per week and stretch (the same two statements, prepared once): ~500 small
    GROUP BYs cost half of one over every week's days (all time: 85,000 day rows)."""
    only = " AND contract_id = ?" if contract_hex else ""
    extra = (contract_hex,) if contract_hex else ()
    days_sql = (
        "SELECT contract_id, order_id, sum(tracked_seconds), sum(segments) FROM tracked_days "
        f"WHERE day >= ? AND day < ?{only} GROUP BY target_id"
    )
    # Deleted segments are left out by the sums, not by WHERE (as services.reports: a
    # condition on `deleted` tempts SQLite into an automatic index on it).
    edges_sql = (
        "SELECT contract_id, order_id, sum(CASE WHEN deleted THEN 0 ELSE tracked_seconds END), "
        "sum(CASE WHEN deleted THEN 0 ELSE 1 END) FROM segments "
        f"WHERE slot_start >= ? AND slot_start < ?{only} GROUP BY contract_id, order_id"
    )
    out: list[tuple[int, str | None, str | None, int, int]] = []
    for n, (_monday, begin, end) in enumerate(weeks):
        first, last, parts = split_days(begin, end)
        found = []
        if first < last:
            found = conn.execute(days_sql, (first.isoformat(), last.isoformat(), *extra)).fetchall()
        if parts:
            sums: dict[tuple[str | None, str | None], list[int]] = {}
            for cid, oid, seconds, count in found:
                sums[(cid, oid)] = [seconds, count]
            for lo, hi in parts:
                for cid, oid, seconds, count in conn.execute(
                    edges_sql, (_stamp(lo), _stamp(hi), *extra)
                ):
                    got = sums.setdefault((cid, oid), [0, 0])
                    got[0] += seconds
                    got[1] += count
            found = [(cid, oid, seconds, count) for (cid, oid), (seconds, count) in sums.items()]
        out += [(n, cid, oid, seconds, count) for cid, oid, seconds, count in found if count > 0]
    return out


def report_hours(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.text import hours_lines

    if args.json or args.csv:
        raise Fallback("--json/--csv")
    lo, hi = _period(args, now)
    zone = _zone(args.tz)
    contract_hex = None
    if args.contract is not None:
        try:
            contract_hex = _uuid_hex(str(args.contract))
        except ValueError:
            raise Fallback("not a contract id") from None
    # Two queries: min() and max() together make SQLite scan the whole range of the
    # index (60 ms all time), each alone reads one end of it.
    bounds = (_stamp(lo), _stamp(hi))
    (first,) = conn.execute(
        "SELECT min(slot_start) FROM segments WHERE slot_start >= ? AND slot_start < ?", bounds
    ).fetchone()
    (last,) = conn.execute(
        "SELECT max(slot_start) FROM segments WHERE slot_start >= ? AND slot_start < ?", bounds
    ).fetchone()
    rows: list[HoursRow] = []
    if first is not None:
        # From the first segment's UTC day to the last one's end (not the first segment,
        # as services.reports: the same rows, and whole days for the summary)
        begin = max(lo, _utc_midnight(_instant(first)))
        end = min(hi, _utc_midnight(_instant(last)) + timedelta(days=1))
        weeks = week_bounds(begin, end, zone)
        if weeks is None:
            raise Fallback("a week in two stretches of time")
        titles = dict(conn.execute("SELECT id, title FROM contracts"))
        titles.update(conn.execute("SELECT id, title FROM orders"))  # ids are UUIDs: no clash
        mondays = [monday for monday, _begin, _end in weeks]
        for n, cid, oid, seconds, _count in tracked_per_week(conn, weeks, contract_hex):
            target = cid if cid is not None else oid
            assert target is not None  # a segment belongs to a contract or an order
            rows.append(HoursRow(mondays[n], titles[target], target, int(seconds)))
        # services.reports' order: week, title, id (the stored hex sorts as the text does)
        rows.sort()
    return hours_lines(rows)


# -- report earnings ----------------------------------------------------------------------

EARNED_KINDS = ("fees", "pending", "available", "withdrawn")  # services.ledger's (tested)
FEES_KIND = "fees"
NO_CLIENT = "(no client: withdrawals, platform-wide)"  # services.ledger._group_key's
NO_ID_HEX = "0" * 32  # ledger_totals' "no client" (storage.models.ledger_totals.NO_ID)


def report_earnings(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.text import earnings_lines
    from freelancer_desk.domain.earnings import EarningsGroup, earnings_rows

    if args.json or args.csv:
        raise Fallback("--json/--csv")
    lo, hi = _period(args, now)
    by = args.by
    names: dict[str, str] = dict(conn.execute("SELECT id, name FROM clients"))
    groups: dict[tuple[str, str], EarningsGroup] = {}

    def group(platform: str, client: str | None, period: str, cur: str) -> EarningsGroup:
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
        return groups.setdefault((key, cur), EarningsGroup(label))

    fmt = {"month": "'%Y-%m'", "year": "'%Y'"}.get(by)
    money_period = f"strftime({fmt}, t.occurred_at)" if fmt else "''"
    kinds = ", ".join("?" for _ in EARNED_KINDS)
    bounds = (_stamp(lo), _stamp(hi))
    sql = f"""SELECT t.platform, p.client_id, {money_period}, p.account_kind, p.currency,
                     sum(p.amount_minor)
              FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
              WHERE t.occurred_at >= ? AND t.occurred_at < ? AND p.account_kind IN ({kinds})
              GROUP BY 1, 2, 3, 4, 5"""
    params: tuple[object, ...] = (*bounds, *EARNED_KINDS)
    if by == "client":
        # Two queries: min() and max() together scan the whole index (6 ms), each alone
        # reads one end of it.
        (first,) = conn.execute("SELECT min(occurred_at) FROM ledger_transactions").fetchone()
        (last,) = conn.execute("SELECT max(occurred_at) FROM ledger_transactions").fetchone()
        if first is None or (bounds[0] <= first and last < bounds[1]):
            # The whole ledger (as services.ledger): its sums per account are kept in
            # ledger_totals (migration 0006; the nil UUID there is "no client"), ~2,500
            # rows to read instead of every posting (98,000 on the heavy workspace).
            sql = f"""SELECT '', nullif(client_key, ?), '', account_kind, currency,
                             sum(amount_minor)
                      FROM ledger_totals WHERE account_kind IN ({kinds})
                      GROUP BY 2, 4, 5"""
            params = (NO_ID_HEX, *EARNED_KINDS)
    money = conn.execute(sql, params)
    for platform, client, period, kind, cur, total in money:
        g = group(platform, client, period, cur)
        g.gross += int(total or 0)
        if kind == FEES_KIND:
            g.fees += int(total or 0)
    # Tracked time of whole UTC days (a CLI period always is): the tracked_days summary.
    if _utc_midnight(lo) != lo or _utc_midnight(hi) != hi:
        raise Fallback("a period that is not whole UTC days")
    # Each contract's (order's) days are summed first (`d`), then joined: one join per
    # contract and period, not per day (85,000 day rows all time). When the period holds
    # every tracked day and no month or year splits them, the sums come from the covering
    # index on target_id without a range (11 ms instead of 80 on the heavy workspace).
    day_period = f"strftime({fmt}, day)" if fmt else "''"
    days = (lo.date().isoformat(), hi.date().isoformat())
    where = "WHERE day >= ? AND day < ?"
    day_params: tuple[str, ...] = days
    if not fmt:
        (first_day,) = conn.execute("SELECT min(day) FROM tracked_days").fetchone()
        (last_day,) = conn.execute("SELECT max(day) FROM tracked_days").fetchone()
        if first_day is None or (days[0] <= first_day and last_day < days[1]):
            where, day_params = "", ()
    tracked = conn.execute(
        f"""WITH d AS (
                SELECT contract_id, order_id, {day_period} AS period,
                       sum(tracked_seconds) AS seconds
                FROM tracked_days {where} GROUP BY target_id{", period" if fmt else ""})
            SELECT c.platform, c.client_id, d.period, c.currency, sum(d.seconds)
            FROM d JOIN contracts c ON c.id = d.contract_id
            GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT coalesce(g.platform, 'fiverr'), o.client_id, d.period, o.currency,
                   sum(d.seconds)
            FROM d JOIN orders o ON o.id = d.order_id
            LEFT JOIN gigs g ON g.id = o.gig_id
            GROUP BY 1, 2, 3, 4""",
        day_params,
    )
    for platform, client, period, cur, seconds in tracked:
        group(platform, client, period, cur).seconds += int(seconds or 0)
    rows = earnings_rows(groups, by)
    return earnings_lines(rows)


# -- track diary --------------------------------------------------------------------------
#
# The same day as tracker.diary.day_view builds it, from rows read here: the building
# (cells, each cell's main segment, the day's and the billing week's totals and values)
# is tracker.daybook's, which both paths call; cli.text's `diary_text` prints it. The
# tests compare both paths on the demo for many days and zones.

_DAY_COLUMNS = (
    "id, slot_start, contract_id, order_id, tracked_seconds, active_minutes, memo, manual, "
    "idle, over_limit, deleted, snapshot_missing"
)
_WEEK_COLUMNS = "contract_id, order_id, tracked_seconds, manual, over_limit, deleted"


class _WeekRow(NamedTuple):
    """tracker.diary._week_segments' row: what a week's totals read of a segment. Its ids
    (and every id of the lean DayView) are the stored hex text, not UUIDs: the diary's
    text never shows an id, nor orders by one (`--json`, which shows them, steps aside),
    and `uuid` costs the command ~3 ms to import (its `platform`)."""

    contract_id: Any
    order_id: Any
    tracked_seconds: int
    manual: bool
    over_limit: bool
    deleted: bool


def _diary_zone(args: argparse.Namespace) -> tzinfo:
    """cli.track._zone, without its CliError: an unknown zone goes to the normal path."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from freelancer_desk.tracker.daybook import local_zone

    if getattr(args, "utc", False):
        return ZoneInfo("UTC")
    if args.tz:
        try:
            return ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise Fallback(f"unknown zone {args.tz!r}") from None
    return local_zone()


def _rows(conn: sqlite3.Connection, columns: str, lo: datetime, hi: datetime) -> list[Any]:
    return conn.execute(
        f"SELECT {columns} FROM segments WHERE slot_start >= ? AND slot_start < ? "
        "ORDER BY slot_start, created_at",
        (_stamp(lo), _stamp(hi)),
    ).fetchall()


def _owners(conn: sqlite3.Connection, contract_ids: set[str], order_ids: set[str]) -> Owners:
    """tracker.diary._load over sqlite3: the contracts and orders met, as plain rows
    (keyed by the stored hex ids: see _WeekRow)."""
    from freelancer_desk.tracker.daybook import ContractFacts, OrderFacts, Owners

    owners = Owners()
    if contract_ids:
        for cid, *rest in conn.execute(
            "SELECT id, title, kind, platform, currency, hourly_rate_minor, rounding_rule, "
            "snapshot_policy, weekly_limit_minutes FROM contracts "
            f"WHERE id IN ({', '.join('?' * len(contract_ids))})",
            sorted(contract_ids),
        ):
            owners.contracts[cid] = ContractFacts(cid, *rest)
    if order_ids:
        for oid, title, policy in conn.execute(
            "SELECT id, title, snapshot_policy FROM orders "
            f"WHERE id IN ({', '.join('?' * len(order_ids))})",
            sorted(order_ids),
        ):
            owners.orders[oid] = OrderFacts(oid, title, policy)
    return owners


def track_diary(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    """The day's text, from a DayView whose segments hold what the text reads: their
    activity and snapshot fields are left empty (`--json`, which shows them, steps aside);
    its ids are the stored hex text (see _WeekRow)."""
    from freelancer_desk.cli.text import diary_text
    from freelancer_desk.tracker.daybook import (
        DiarySegment,
        build_day,
        contract_totals,
        day_bounds,
    )

    if args.json:
        raise Fallback("--json")
    zone = _diary_zone(args)
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise Fallback("not a date") from None
    else:
        day = now.astimezone(zone).date()
    start, end = day_bounds(day, zone)
    week_start, week_end = billing_week(start.astimezone(UTC))
    rows = _rows(conn, _DAY_COLUMNS, start, end)
    week_rows = _rows(conn, _WEEK_COLUMNS, week_start, week_end)
    week = [_WeekRow(*row) for row in week_rows]
    owners = _owners(
        conn,
        {r[2] for r in rows if r[2]} | {r[0] for r in week_rows if r[0]},
        {r[3] for r in rows if r[3]} | {r[1] for r in week_rows if r[1]},
    )
    views = []
    for sid, slot, cid, oid, tracked, active, memo, manual, idle, over, deleted, missing in rows:
        g = _WeekRow(cid, oid, tracked, bool(manual), bool(over), bool(deleted))
        views.append(
            DiarySegment(
                id=sid,
                slot_start=_instant(slot),
                contract_id=g.contract_id,
                order_id=g.order_id,
                title=owners.title(g),
                tracked_seconds=tracked,
                active_minutes=active,
                activity=(),
                memo=memo,
                manual=g.manual,
                idle=bool(idle),
                over_limit=g.over_limit,
                deleted=g.deleted,
                snapshot_missing=bool(missing),
                snapshot_path=None,
                thumb_path=None,
                snapshot_policy=owners.policy(g),
                snapshot_removed=None,
                value=owners.value(g),
            )
        )
    week_totals = contract_totals(week, owners)
    return diary_text(build_day(day, zone, views, week_start, week_totals, owners))


# -- the command line, without argparse ---------------------------------------------------
#
# argparse, its gettext and building even a one-command parser cost the diary ~15 ms of
# its ~60. `quick_args` reads the plain forms of the three commands' lines itself and
# returns None for anything else (abbreviations, `-h`, repeated or conflicting options,
# a value that looks like an option, a bad date or choice, `--screenshot`): then the
# argparse parser of that command reads the line, and its errors and help are the
# normal ones. tests/cli/test_lean_entry.py checks both give the same namespace.

_GLOBALS = {"--data-dir": "data_dir", "--db-url": "db_url"}


class _Options(NamedTuple):
    values: dict[str, str]  # option -> attribute, the option takes a value
    flags: dict[str, str]  # option -> attribute, store_true
    defaults: dict[str, object]
    exclusive: tuple[str, ...]  # attributes of one mutually exclusive group (or none)
    choices: dict[str, tuple[str, ...]]


_PERIOD = {"--from": "start", "--to": "end"}
_OUTPUT = {"--json": "json", "--csv": "csv"}
_QUICK = {
    ("report", "hours"): _Options(
        {**_PERIOD, "--tz": "tz", "--contract": "contract"},
        _OUTPUT,
        {"start": None, "end": None, "tz": "UTC", "contract": None, "json": False, "csv": False},
        ("json", "csv"),
        {},
    ),
    ("report", "earnings"): _Options(
        {**_PERIOD, "--by": "by"},
        _OUTPUT,
        {"start": None, "end": None, "by": "client", "json": False, "csv": False},
        ("json", "csv"),
        {"by": ("client", "platform", "month", "year")},  # cli.money.GROUPS
    ),
    ("track", "diary"): _Options(
        {"--date": "date", "--tz": "tz"},
        {"--utc": "utc", "--json": "json"},
        {"date": None, "tz": None, "utc": False, "json": False},
        ("utc", "tz"),
        {},
    ),
}


def off() -> bool:
    """FREELANCER_DESK_LEAN=0: the normal path answers everything."""
    return os.environ.get(LEAN_ENV, "").strip() == "0"


def quick_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """The namespace argparse would give for `argv` when it is a plain line of a lean
    command (`[--data-dir D] [--db-url U] report hours [--from …] …`), else None."""
    found: dict[str, object] = {"data_dir": None, "db_url": None, "screenshot": None}
    given: set[str] = set()
    i, n = 0, len(argv)
    while i < n and argv[i].startswith("-"):  # the global options, before the command
        name, eq, value = argv[i].partition("=")
        if name not in _GLOBALS or name in given:
            return None
        given.add(name)
        if not eq:
            if i + 1 == n or argv[i + 1].startswith("-"):
                return None
            value = argv[i + 1]
            i += 1
        found[_GLOBALS[name]] = value
        i += 1
    if i + 2 > n:
        return None
    command = (argv[i], argv[i + 1])
    spec = _QUICK.get(command)
    if spec is None:
        return None
    options = dict(spec.defaults)
    seen: set[str] = set()
    i += 2
    while i < n:
        name, eq, value = argv[i].partition("=")
        attr = spec.values.get(name) or spec.flags.get(name)
        if attr is None or attr in seen:
            return None  # not a plain option of this command, or given twice
        seen.add(attr)
        if name in spec.flags:
            if eq:
                return None
            options[attr] = True
        else:
            if not eq:
                if i + 1 == n or argv[i + 1].startswith("-"):
                    return None
                value = argv[i + 1]
                i += 1
            if attr in ("start", "end"):
                try:
                    options[attr] = date.fromisoformat(value)  # cli.money._date
                except ValueError:
                    return None
            elif attr in spec.choices and value not in spec.choices[attr]:
                return None
            else:
                options[attr] = value
        i += 1
    if all(attr in seen for attr in spec.exclusive):
        return None  # argparse says they do not go together
    return SimpleNamespace(
        **found,
        command=command[0],
        verb=command[1],
        lean=" ".join(command),
        **options,
    )


# -- dispatch -----------------------------------------------------------------------------

Command = Callable[[sqlite3.Connection, Any, datetime], list[str]]  # args: a Namespace
COMMANDS: dict[str, Command] = {
    "report hours": report_hours,
    "report earnings": report_earnings,
    "track diary": track_diary,
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
    if off():
        return None
    try:
        out = lines(args)
    except Exception as exc:  # Fallback, or anything the normal path should explain
        if os.environ.get(DEBUG_ENV):
            sys.stderr.write(f"freelancer-desk: lean path not taken: {exc!r}\n")
        return None
    if out:
        sys.stdout.write("\n".join(out) + "\n")  # one write: all time is ~760 KB
    return 0
