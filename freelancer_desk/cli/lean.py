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
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from freelancer_desk.domain.clock import Clock, SystemClock
from freelancer_desk.domain.money import Money, per_hour
from freelancer_desk.services.machine import locate
from freelancer_desk.storage.revision import HEAD

if TYPE_CHECKING:
    from freelancer_desk.tracker.diary import DayView

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
    """str(uuid.UUID(hex_id)) of a stored id (32 lowercase hex digits, as SQLAlchemy
    stores a UUID in SQLite), without importing uuid (and its `platform`)."""
    h = hex_id
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _uuid_hex(text: str) -> str:
    import uuid  # here: only `--contract` needs it

    return uuid.UUID(text).hex


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


class HoursRow(NamedTuple):
    week_start: date
    target_id: str
    title: str
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
    `segments`, migration 0004), the hours at its edges from the segments."""
    days: list[object] = []
    edges: list[object] = []
    for n, (_monday, begin, end) in enumerate(weeks):
        first, last, parts = split_days(begin, end)
        if first < last:
            days += [n, first.isoformat(), last.isoformat()]
        for lo, hi in parts:
            edges += [n, _stamp(lo), _stamp(hi)]
    days += [-1, "", ""]  # neither VALUES list may be empty
    edges += [-1, "", ""]
    only = "d.contract_id = ?" if contract_hex else "1"
    only_s = "s.contract_id = ?" if contract_hex else "1"
    params = [*days, *edges, *([contract_hex] * 2 if contract_hex else [])]
    # Deleted segments are left out by the sums, not by WHERE (as services.reports: a
    # condition on `deleted` tempts SQLite into an automatic index on it).
    sql = f"""
        WITH days(n, lo, hi) AS (VALUES {", ".join(["(?, ?, ?)"] * (len(days) // 3))}),
             edges(n, lo, hi) AS (VALUES {", ".join(["(?, ?, ?)"] * (len(edges) // 3))})
        SELECT n, contract_id, order_id, sum(seconds), sum(segments) FROM (
            SELECT w.n, d.contract_id, d.order_id, d.tracked_seconds AS seconds, d.segments
            FROM days w JOIN tracked_days d ON d.day >= w.lo AND d.day < w.hi
            WHERE {only}
            UNION ALL
            SELECT e.n, s.contract_id, s.order_id,
                   CASE WHEN s.deleted THEN 0 ELSE s.tracked_seconds END,
                   CASE WHEN s.deleted THEN 0 ELSE 1 END
            FROM edges e JOIN segments s ON s.slot_start >= e.lo AND s.slot_start < e.hi
            WHERE {only_s}
        )
        GROUP BY n, contract_id, order_id
        HAVING sum(segments) > 0"""
    return conn.execute(sql, params).fetchall()


def report_hours(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.money import hours_lines

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
    first, last = conn.execute(
        "SELECT min(slot_start), max(slot_start) FROM segments "
        "WHERE slot_start >= ? AND slot_start < ?",
        (_stamp(lo), _stamp(hi)),
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
        order_titles = dict(conn.execute("SELECT id, title FROM orders"))
        ids: dict[str, str] = {}
        for n, cid, oid, seconds, _count in tracked_per_week(conn, weeks, contract_hex):
            target = cid if cid is not None else oid
            assert target is not None  # a segment belongs to a contract or an order
            title = titles[cid] if cid is not None else order_titles[oid]
            text = ids.get(target) or ids.setdefault(target, _uuid_text(target))
            rows.append(HoursRow(weeks[n][0], text, title, int(seconds)))
        rows.sort(key=lambda r: (r.week_start, r.title, r.target_id))
    return hours_lines(rows)


# -- report earnings ----------------------------------------------------------------------

EARNED_KINDS = ("fees", "pending", "available", "withdrawn")  # services.ledger's (tested)
FEES_KIND = "fees"
NO_CLIENT = "(no client: withdrawals, platform-wide)"  # services.ledger._group_key's


class EarningsRow(NamedTuple):
    key: str
    label: str
    currency: str
    gross: Money
    fees: Money
    net: Money
    tracked_seconds: int
    per_hour: Money | None


class _Group:
    __slots__ = ("fees", "gross", "label", "seconds")

    def __init__(self, label: str) -> None:
        self.label = label
        self.gross = self.fees = self.seconds = 0


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
    kinds = ", ".join("?" for _ in EARNED_KINDS)
    bounds = (_stamp(lo), _stamp(hi))
    sql = f"""SELECT t.platform, p.client_id, {money_period}, p.account_kind, p.currency,
                     sum(p.amount_minor)
              FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
              WHERE t.occurred_at >= ? AND t.occurred_at < ? AND p.account_kind IN ({kinds})
              GROUP BY 1, 2, 3, 4, 5"""
    params: tuple[object, ...] = (*bounds, *EARNED_KINDS)
    if by == "client":
        first, last = conn.execute(
            "SELECT min(occurred_at), max(occurred_at) FROM ledger_transactions"
        ).fetchone()
        if first is None or (bounds[0] <= first and last < bounds[1]):
            # the whole ledger (as services.ledger): no transaction to look at
            sql = f"""SELECT '', client_id, '', account_kind, currency, sum(amount_minor)
                      FROM ledger_postings WHERE account_kind IN ({kinds})
                      GROUP BY 2, 4, 5"""
            params = EARNED_KINDS
    money = conn.execute(sql, params)
    for platform, client, period, kind, cur, total in money:
        g = group(platform, client, period, cur)
        g.gross += int(total or 0)
        if kind == FEES_KIND:
            g.fees += int(total or 0)
    # Tracked time of whole UTC days (a CLI period always is): the tracked_days summary.
    if _utc_midnight(lo) != lo or _utc_midnight(hi) != hi:
        raise Fallback("a period that is not whole UTC days")
    day_period = f"strftime({fmt}, d.day)" if fmt else "''"
    tracked = conn.execute(
        f"""SELECT c.platform, c.client_id, {day_period}, c.currency, sum(d.tracked_seconds)
            FROM tracked_days d JOIN contracts c ON c.id = d.contract_id
            WHERE d.day >= ? AND d.day < ?
            GROUP BY 1, 2, 3, 4
            UNION ALL
            SELECT coalesce(g.platform, 'fiverr'), o.client_id, {day_period}, o.currency,
                   sum(d.tracked_seconds)
            FROM tracked_days d JOIN orders o ON o.id = d.order_id
            LEFT JOIN gigs g ON g.id = o.gig_id
            WHERE d.day >= ? AND d.day < ?
            GROUP BY 1, 2, 3, 4""",
        (lo.date().isoformat(), hi.date().isoformat()) * 2,
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


# -- track diary --------------------------------------------------------------------------
#
# The same day as tracker.diary.day_view builds it (that module imports SQLAlchemy), from
# rows read here: its hours, cells, main segment per cell, and the day's and the billing
# week's totals per contract or order, printed by cli.track's own `_diary_text`. The
# tests compare both paths on the demo for many days and zones.

SEGMENT_MINUTES = 10  # domain.billing's
_SEGMENT_COLUMNS = (
    "slot_start, contract_id, order_id, tracked_seconds, active_minutes, memo, manual, "
    "idle, over_limit, deleted"
)


class _Segment(NamedTuple):
    slot_start: str  # as stored (UTC)
    contract_id: str | None
    order_id: str | None
    title: str
    tracked_seconds: int
    active_minutes: int
    memo: str
    manual: bool
    idle: bool
    over_limit: bool
    deleted: bool
    value: Money | None

    @property
    def kind(self) -> str:
        if self.deleted:
            return "deleted"
        if self.over_limit:
            return "over_limit"
        if self.manual:
            return "manual"
        if self.idle:
            return "idle"
        return "tracked"


class _Cell(NamedTuple):
    segments: tuple[_Segment, ...]

    @property
    def main(self) -> _Segment | None:
        live = [s for s in self.segments if not s.deleted] or list(self.segments)
        return max(live, key=lambda s: s.tracked_seconds) if live else None

    @property
    def tracked_seconds(self) -> int:
        return sum(s.tracked_seconds for s in self.segments if not s.deleted)


class _Hour(NamedTuple):
    start: datetime
    cells: tuple[_Cell, ...]

    @property
    def tracked_seconds(self) -> int:
        return sum(c.tracked_seconds for c in self.cells)


class _Total(NamedTuple):
    title: str
    seconds: int
    manual_seconds: int
    over_limit_seconds: int
    limit_minutes: int | None
    value: Money | None


class _Day(NamedTuple):
    day: date
    zone: str
    hours: tuple[_Hour, ...]
    day_totals: tuple[_Total, ...]
    week_start: datetime
    week_totals: tuple[_Total, ...]

    @property
    def tracked_seconds(self) -> int:
        return sum(h.tracked_seconds for h in self.hours)

    def worked_hours(self) -> list[_Hour]:
        return [h for h in self.hours if any(c.segments for c in h.cells)]


def local_zone() -> tzinfo:
    """tracker.diary.local_zone (a test checks they agree): the system's zone, UTC when
    it cannot be told."""
    try:
        from tzlocal import get_localzone

        zone: tzinfo = get_localzone()
        return zone
    except Exception:
        return ZoneInfo("UTC")


def _diary_zone(args: argparse.Namespace) -> tzinfo:
    """cli.track._zone, without its CliError: an unknown zone goes to the normal path."""
    if getattr(args, "utc", False):
        return ZoneInfo("UTC")
    if args.tz:
        try:
            return ZoneInfo(args.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise Fallback(f"unknown zone {args.tz!r}") from None
    return local_zone()


class _Owners:
    """Titles, limits, rates and rounding of the contracts and orders met."""

    def __init__(self, conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
        cids = sorted({r[1] for r in rows if r[1]})
        oids = sorted({r[2] for r in rows if r[2]})
        self.contracts: dict[str, tuple[Any, ...]] = {}
        self.orders: dict[str, str] = {}
        if cids:
            self.contracts = {
                row[0]: row[1:]
                for row in conn.execute(
                    "SELECT id, title, weekly_limit_minutes, hourly_rate_minor, kind, currency, "
                    f"rounding_rule FROM contracts WHERE id IN ({', '.join('?' * len(cids))})",
                    cids,
                )
            }
        if oids:
            self.orders = dict(
                conn.execute(
                    f"SELECT id, title FROM orders WHERE id IN ({', '.join('?' * len(oids))})",
                    oids,
                )
            )
        self._values: dict[tuple[str | None, int, bool], Money | None] = {}

    def value(self, cid: str | None, tracked: int, zero: bool) -> Money | None:
        """tracker.diary._Owners.value: the segment's worth at its hourly contract's rate
        and rounding (zero when deleted or over the limit; None off hourly contracts)."""
        contract = self.contracts.get(cid) if cid else None
        if contract is None or contract[2] is None or contract[3] != "hourly":
            return None
        key = (cid, tracked, zero)
        if key not in self._values:  # a pure function of these: most segments are 600 s
            from freelancer_desk.domain.billing import UPWORK_SEGMENTS, RoundingRule, bill_amount
            from freelancer_desk.domain.errors import RuleError

            currency = contract[4]
            if zero:
                self._values[key] = Money(0, currency)
            else:
                try:
                    rule = RoundingRule.from_code(contract[5])
                except RuleError:  # an unknown code: an estimate at Upwork's rule beats none
                    rule = UPWORK_SEGMENTS
                rate = Money(contract[2], currency)
                self._values[key] = bill_amount(rule.apply(tracked), rate)
        return self._values[key]

    def segment(self, row: tuple[Any, ...]) -> _Segment:
        slot, cid, oid, tracked, active, memo, manual, idle, over, deleted = row
        contract = self.contracts.get(cid) if cid else None
        if cid and contract is not None:
            title = contract[0]
        elif oid and oid in self.orders:
            title = self.orders[oid]
        else:
            title = "?"
        return _Segment(
            slot,
            cid,
            oid,
            title,
            tracked,
            active,
            memo,
            bool(manual),
            bool(idle),
            bool(over),
            bool(deleted),
            self.value(cid, tracked, bool(deleted or over)),
        )

    def totals(self, views: list[_Segment]) -> tuple[_Total, ...]:
        """tracker.diary._totals: per contract or order, live segments only."""
        grouped: dict[tuple[str | None, str | None], list[_Segment]] = {}
        for v in views:
            if not v.deleted:
                grouped.setdefault((v.contract_id, v.order_id), []).append(v)
        out = []
        for (cid, _oid), items in grouped.items():
            contract = self.contracts.get(cid) if cid else None
            values = [v.value for v in items if v.value is not None]
            total = None
            if values:
                total = values[0]
                for extra in values[1:]:
                    total = total + extra
            out.append(
                _Total(
                    items[0].title,
                    sum(v.tracked_seconds for v in items),
                    sum(v.tracked_seconds for v in items if v.manual),
                    sum(v.tracked_seconds for v in items if v.over_limit),
                    contract[1] if contract else None,
                    total,
                )
            )
        out.sort(key=lambda t: (-t.seconds, t.title))
        return tuple(out)


def _day_segments(conn: sqlite3.Connection, lo: datetime, hi: datetime) -> list[tuple[Any, ...]]:
    return conn.execute(
        f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE slot_start >= ? AND slot_start < ? "
        "ORDER BY slot_start, created_at",
        (_stamp(lo), _stamp(hi)),
    ).fetchall()


def track_diary(conn: sqlite3.Connection, args: argparse.Namespace, now: datetime) -> list[str]:
    from freelancer_desk.cli.track import _diary_text
    from freelancer_desk.domain.platforms import billing_week

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
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    start_utc, end_utc = start.astimezone(UTC), end.astimezone(UTC)
    week_start, week_end = billing_week(start_utc)
    rows = _day_segments(conn, start_utc, end_utc)
    week_rows = _day_segments(conn, week_start, week_end)
    owners = _Owners(conn, rows + week_rows)
    views = [owners.segment(r) for r in rows]
    by_cell: dict[datetime, list[_Segment]] = {}
    for v in views:
        local = _instant(v.slot_start).astimezone(zone)
        key = local.replace(minute=local.minute - local.minute % SEGMENT_MINUTES)
        by_cell.setdefault(key.astimezone(UTC), []).append(v)
    hours = []
    hour = start_utc
    while hour < end_utc:
        cells = tuple(
            _Cell(tuple(by_cell.get(hour + timedelta(minutes=SEGMENT_MINUTES * i), ())))
            for i in range(60 // SEGMENT_MINUTES)
        )
        hours.append(_Hour(hour.astimezone(zone), cells))
        hour += timedelta(hours=1)
    view = _Day(
        day,
        str(getattr(zone, "key", None) or zone),
        tuple(hours),
        owners.totals(views),
        week_start,
        owners.totals([owners.segment(r) for r in week_rows]),
    )
    return _diary_text(cast("DayView", view))  # the same attributes, read the same way


# -- dispatch -----------------------------------------------------------------------------

Command = Callable[[sqlite3.Connection, argparse.Namespace, datetime], list[str]]
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
