"""Reports: earnings per group, hours per week per contract, proposals and gigs, the
ledger rows behind any figure, and the data an invoice or a weekly timesheet prints.

Every report returns rows (dataclasses with `to_json()` and `to_csv()`), the same rows
the CLI prints as JSON or CSV and the window shows. Money in a row is always one
currency; nothing is converted. Money counts when it was earned (`EARNED_KINDS` of the
ledger: a release, a billed week, an order completed, a tip, an invoice paid), tracked
time counts by its segment's slot, proposals by the day they were sent.

`ledger_rows()` and `ledger_source()` give the ledger postings behind a figure (the
drill-down), filtered exactly as the figure was computed, so a bar's gross equals the
sum of the rows it opens.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    column,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import hourly_week_source
from freelancer_desk.domain.money import Money, per_hour
from freelancer_desk.domain.weeks import week_bounds
from freelancer_desk.services.common import find
from freelancer_desk.services.ledger import (
    EARNED_KINDS,
    GROUP_BY_CHOICES,
    EarningsRow,
    LedgerService,
)
from freelancer_desk.services.listing import Column, ListQuery
from freelancer_desk.services.sqllisting import SqlColumn, SqlListSource
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    BilledWeek,
    Client,
    Contract,
    Gig,
    GigPackage,
    Invoice,
    LedgerPosting,
    LedgerTransaction,
    Order,
    OrderExtra,
    Proposal,
    Segment,
)
from freelancer_desk.storage.models.tracked_days import whole_days
from freelancer_desk.storage.types import UTCDateTime

FEES_KIND = "fees"

# Proposal states that mean the client went at least as far as the column says. A
# proposal keeps only its current state, so one declined after an interview counts as
# sent (and viewed, when viewed_at is set) but not as interviewed.
_VIEWED_STATES = frozenset({"viewed", "interviewing", "offer", "hired"})
_INTERVIEWED_STATES = frozenset({"interviewing", "offer", "hired"})


# -- periods -----------------------------------------------------------------------------

PERIOD_CHOICES = ("this-month", "last-month", "this-year", "last-year", "all", "custom")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def period_bounds(
    name: str, today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """[start, end) days for a named period; "custom" takes `start` and `end` (end
    exclusive); "all" runs from 2000 to tomorrow."""
    if name == "this-month":
        first = _month_start(today)
        return first, _next_month(first)
    if name == "last-month":
        first = _month_start(today)
        prev = _month_start(first - timedelta(days=1))
        return prev, first
    if name == "this-year":
        return date(today.year, 1, 1), date(today.year + 1, 1, 1)
    if name == "last-year":
        return date(today.year - 1, 1, 1), date(today.year, 1, 1)
    if name == "all":
        return date(2000, 1, 1), today + timedelta(days=1)
    if name == "custom":
        if start is None or end is None:
            raise RuleError("report.period", "period: a custom period needs a start and an end")
        if end < start:
            raise RuleError("report.period", "period: the end is before the start", field="end")
        return start, end
    raise RuleError(
        "report.period",
        f"period: {name!r} is not one of {', '.join(PERIOD_CHOICES)}",
        field="period",
    )


def day_instant(day: date, zone: tzinfo = UTC) -> datetime:
    """00:00 of `day` in `zone`, as an aware UTC instant."""
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _zone(tz: str | tzinfo | None) -> tzinfo:
    if tz is None:
        return UTC
    if isinstance(tz, tzinfo):
        return tz
    if tz.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            "timezone.unknown", f"timezone: {tz!r} is not an IANA zone", field="timezone"
        ) from None


def _range(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    lo, hi = ensure_utc(start), ensure_utc(end)
    if hi < lo:
        raise RuleError("report.period", "period: the end is before the start", field="end")
    return lo, hi


# (week, contract id, order id — as the driver gives them, see _raw — and four sums)
_HoursRow = tuple[date, Any, Any, int, int, int, int]
# Up to this many billed weeks are looked up by source id; more by the weeks' range.
_BILLED_BY_ID = 200
# Source-id ranges per query: with many more, SQLite (no statistics) prefers an automatic
# index on the source kind to the ranges — seconds on all time, not 0.1 s.
_SPANS_PER_QUERY = 100


def _hours_per_week(
    s: Session, lo: datetime, hi: datetime, zone: tzinfo, contract: uuid.UUID | None = None
) -> list[_HoursRow]:
    """(week, contract, order, seconds, manual seconds, over-limit seconds, segments) of
    the non-deleted segments in [lo, hi) (of one contract if given), summed in SQL per
    week and per contract or order: thousands of rows, not one per segment."""
    # min and max as two subqueries: SQLite reads one index entry for each then (in one
    # SELECT they would scan every slot in the range)
    in_range = (Segment.slot_start >= lo, Segment.slot_start < hi)
    first, last = s.execute(
        select(
            select(func.min(Segment.slot_start)).where(*in_range).scalar_subquery(),
            select(func.max(Segment.slot_start)).where(*in_range).scalar_subquery(),
        )
    ).one()
    if first is None or last is None:
        return []
    weeks = week_bounds(ensure_utc(first), ensure_utc(last) + timedelta(microseconds=1), zone)
    if weeks is None:  # a week that is not one stretch of time: per segment, here
        out: dict[tuple[date, Any, Any], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        per_segment = select(
            Segment.slot_start,
            _raw(Segment.contract_id),
            _raw(Segment.order_id),
            Segment.tracked_seconds,
            Segment.manual,
            Segment.over_limit,
        ).where(Segment.slot_start >= lo, Segment.slot_start < hi, Segment.deleted.is_(False))
        if contract is not None:
            per_segment = per_segment.where(Segment.contract_id == contract)
        for slot, cid, oid, tracked, manual, over in s.execute(per_segment):
            local = ensure_utc(slot).astimezone(zone).date()
            row = out[(local - timedelta(days=local.weekday()), cid, oid)]
            row[0] += tracked
            row[1] += tracked if manual else 0
            row[2] += tracked if over else 0
            row[3] += 1
        return [(week, cid, oid, r[0], r[1], r[2], r[3]) for (week, cid, oid), r in out.items()]
    # Per week: a whole UTC week inside it from the tracked_weeks summary, else the whole
    # UTC days inside it from tracked_days, and the hours before the first and after the
    # last of them (a zone not on a UTC day boundary, or the data's first and last day)
    # from the segments.
    day_rows: list[tuple[int, date, date]] = []
    edge_rows: list[tuple[int, datetime, datetime]] = []
    whole_weeks: dict[str, date] = {}  # a UTC week's Monday spelled -> the zone's week
    for n, (monday, begin, end) in enumerate(weeks):
        first_day, end_day, edges = whole_days(begin, end)
        if first_day.weekday() == 0 and end_day - first_day == _WEEK:
            whole_weeks[first_day.isoformat()] = monday
        elif first_day < end_day:
            day_rows.append((n, first_day, end_day))
        edge_rows.extend((n, lo_, hi_) for lo_, hi_ in edges)
    acc: dict[tuple[int, Any, Any], list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def add(result: Any) -> None:
        for n, cid, oid, total, manual, over, segments in result:
            row = acc[(n, cid, oid)]
            row[0] += int(total or 0)
            row[1] += int(manual or 0)
            row[2] += int(over or 0)
            row[3] += int(segments or 0)

    # Plain SQL text: SQLAlchemy's compiler costs ~0.1 ms per VALUES row (its cache
    # cannot hold statements whose VALUES differ), more than the queries themselves.
    only = " AND {col}.contract_id = :contract" if contract is not None else ""
    summed: list[_HoursRow] = []
    if whole_weeks:
        # One range of the summary's key per run of consecutive whole weeks (one for UTC;
        # Europe/London's winters), read in its order (no sort). A whole week has no day or
        # edge rows: its rows go out as they are.
        mondays = sorted(date.fromisoformat(spelled) for spelled in whole_weeks)
        runs = [[mondays[0], mondays[0] + _WEEK]]
        for monday in mondays[1:]:
            if monday == runs[-1][1]:
                runs[-1][1] = monday + _WEEK
            else:
                runs.append([monday, monday + _WEEK])
        stmt = _weeks_stmt(contract is not None)
        for run_lo, run_hi in runs:
            params: dict[str, Any] = {"lo": run_lo, "hi": run_hi}
            if contract is not None:
                params["contract"] = contract
            summed.extend(
                (whole_weeks[str(week)], cid, oid, total, manual, over, segments)
                for week, cid, oid, total, manual, over, segments in s.execute(stmt, params).all()
            )
    if day_rows:
        add(
            s.execute(
                *_ranges_sql(
                    "days",
                    day_rows,
                    "date",
                    "SELECT days.n, tracked_days.contract_id, tracked_days.order_id, "
                    "sum(tracked_days.tracked_seconds), sum(tracked_days.manual_seconds), "
                    "sum(tracked_days.over_limit_seconds), sum(tracked_days.segments) "
                    "FROM days JOIN tracked_days "
                    "ON tracked_days.day >= days.lo AND tracked_days.day < days.hi"
                    + only.format(col="tracked_days")
                    + " GROUP BY days.n, tracked_days.contract_id, tracked_days.order_id",
                    contract,
                )
            ).all()
        )
    if edge_rows:
        # Deleted segments are left out by the sums, not by WHERE: a condition on
        # `deleted` tempts SQLite into an automatic index on it instead of the ranges.
        # The edges' bounds are the only ones on slot_start: each is one index range.
        order = "CASE WHEN segments.contract_id IS NULL THEN segments.order_id END"
        add(
            s.execute(
                *_ranges_sql(
                    "edges",
                    edge_rows,
                    "instant",
                    f"SELECT edges.n, segments.contract_id, {order}, "
                    "sum(CASE WHEN NOT segments.deleted THEN segments.tracked_seconds "
                    "ELSE 0 END), "
                    "sum(CASE WHEN NOT segments.deleted AND segments.manual "
                    "THEN segments.tracked_seconds ELSE 0 END), "
                    "sum(CASE WHEN NOT segments.deleted AND segments.over_limit "
                    "THEN segments.tracked_seconds ELSE 0 END), "
                    "sum(CASE WHEN NOT segments.deleted THEN 1 ELSE 0 END) "
                    "FROM edges JOIN segments ON segments.slot_start >= edges.lo "
                    "AND segments.slot_start < edges.hi"
                    + only.format(col="segments")
                    + f" GROUP BY edges.n, segments.contract_id, {order}",
                    contract,
                )
            ).all()
        )
    summed.extend(
        (weeks[n][0], cid, oid, total, manual, over, segments)
        for (n, cid, oid), (total, manual, over, segments) in acc.items()
        if segments
    )
    return summed


_WEEK = timedelta(days=7)


@functools.lru_cache(maxsize=2)
def _weeks_stmt(contract: bool) -> Any:
    """The tracked_weeks rows of [:lo, :hi) (of one contract if asked): week (as the
    driver gives it: text on SQLite, a date on PostgreSQL), contract, order, four sums."""
    binds: list[Any] = [bindparam("lo", type_=Date()), bindparam("hi", type_=Date())]
    if contract:
        binds.append(bindparam("contract", type_=Uuid()))
    return (
        text(
            "SELECT week, contract_id, order_id, tracked_seconds, manual_seconds, "
            "over_limit_seconds, segments FROM tracked_weeks WHERE week >= :lo AND week < :hi"
            + (" AND contract_id = :contract" if contract else "")
        )
        .bindparams(*binds)
        .columns(
            column("week"),
            column("contract_id"),
            column("order_id"),
            column("tracked", Integer()),
            column("manual", Integer()),
            column("over", Integer()),
            column("count", Integer()),
        )
    )


def _raw(col: Any) -> Any:
    """`col` as the driver gives it: a report keys thousands of rows by contract, order
    or client id, and only spells the few distinct ones (`_id_text`)."""
    return type_coerce(col, String())


def _as_uuid(raw: Any) -> uuid.UUID:
    """An id as `_raw` read it (hex text on SQLite, a UUID on PostgreSQL) as a UUID."""
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw))


def _id_text(raw: Any) -> str:
    return str(_as_uuid(raw))


def _ranges_sql(
    name: str, rows: Sequence[tuple[int, Any, Any]], kind: str, select_sql: str, contract: Any
) -> tuple[Any, dict[str, Any]]:
    """`WITH name(n, lo, hi) AS (VALUES …) select_sql` as a text statement and its
    parameters, the bounds bound as a "date" or an "instant" (UTCDateTime); result
    columns: n, contract, order, four sums."""
    params: dict[str, Any] = {}
    for i, (n, lo, hi) in enumerate(rows):
        params[f"n{i}"] = n
        params[f"lo{i}"] = lo
        params[f"hi{i}"] = hi
    if contract is not None:
        params["contract"] = contract
    return _ranges_stmt(name, len(rows), kind, select_sql, contract is not None), params


# A few shapes recur (a year's 53 weeks, the edges' one or two ranges): a statement kept
# per shape is built, and its cache key made, once — ~1 ms a call for a year's weeks.
@functools.lru_cache(maxsize=64)
def _ranges_stmt(name: str, count: int, kind: str, select_sql: str, contract: bool) -> Any:
    bound = Date() if kind == "date" else UTCDateTime()
    placeholders = ", ".join(f"(:n{i}, :lo{i}, :hi{i})" for i in range(count))
    binds: list[Any] = []
    for i in range(count):
        binds.append(bindparam(f"n{i}", type_=Integer()))
        binds.append(bindparam(f"lo{i}", type_=bound))
        binds.append(bindparam(f"hi{i}", type_=bound))
    if contract:
        binds.append(bindparam("contract", type_=Uuid()))
    stmt = text(f"WITH {name}(n, lo, hi) AS (VALUES {placeholders}) {select_sql}")
    return stmt.bindparams(*binds).columns(  # ids as the driver gives them (see _raw)
        column("n", Integer()),
        column("contract_id"),
        column("order_id"),
        column("tracked", Integer()),
        column("manual", Integer()),
        column("over", Integer()),
        column("count", Integer()),
    )


def _billed_spans_sql(spans: Sequence[tuple[str, str]]) -> tuple[Any, dict[str, Any]]:
    """The `billed_weeks` rows whose source id lies in one of `spans` ([lo, hi], one per
    contract: disjoint): the statement and its parameters."""
    params: dict[str, Any] = {}
    for i, (lo, hi) in enumerate(spans):
        params[f"lo{i}"] = lo
        params[f"hi{i}"] = hi
    return _billed_spans_stmt(len(spans)), params


@functools.lru_cache(maxsize=_SPANS_PER_QUERY + 1)
def _billed_spans_stmt(count: int) -> Any:
    """Plain SQL text joined to a VALUES list: the same query built as an OR of ranges cost
    more to build and compile (~0.1 ms a contract) than to run, and SQLite ran it as a
    MULTI-INDEX OR (a rowid set, then the rows) — slower than one primary key range per
    row of the list."""
    placeholders = ", ".join(f"(:lo{i}, :hi{i})" for i in range(count))
    binds: list[Any] = []
    for i in range(count):
        binds.append(bindparam(f"lo{i}", type_=String()))
        binds.append(bindparam(f"hi{i}", type_=String()))
    stmt = text(
        f"WITH spans(lo, hi) AS (VALUES {placeholders}) "
        "SELECT b.source_id, b.currency, b.amount_minor FROM spans JOIN billed_weeks b "
        "ON b.source_id >= spans.lo AND b.source_id <= spans.hi"
    )
    return stmt.bindparams(*binds)


def _ratio_bp(part: int, whole: int) -> int | None:
    """part / whole in basis points, rounded half-up; None when whole is 0."""
    if whole <= 0:
        return None
    return (2 * part * 10_000 + whole) // (2 * whole)


# -- rows --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.format_plain()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class _Report:
    """JSON and CSV for a row dataclass: Money as {amount_minor, currency, display} in
    JSON and as a plain decimal ("1234.50") in CSV (the row's currency is a column)."""

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]

    @classmethod
    def csv_header(cls) -> list[str]:
        return [f.name for f in fields(cls)]  # type: ignore[arg-type]

    def csv_row(self) -> list[Any]:
        return [_csv_value(getattr(self, f.name)) for f in fields(self)]  # type: ignore[arg-type]


def earnings_csv_header() -> list[str]:
    return [
        "key",
        "label",
        "currency",
        "gross",
        "fees",
        "net",
        "tracked_seconds",
        "hours",
        "per_hour",
    ]


def earnings_csv_row(row: EarningsRow) -> list[Any]:
    return [
        row.key,
        row.label,
        row.currency,
        row.gross.format_plain(),
        row.fees.format_plain(),
        row.net.format_plain(),
        row.tracked_seconds,
        f"{row.tracked_seconds / 3600:.3f}",
        row.per_hour.format_plain() if row.per_hour is not None else "",
    ]


def earnings_totals(rows: Iterable[EarningsRow]) -> dict[str, EarningsRow]:
    """Per currency, the sum of earnings rows (key "total"): gross, fees, net and
    tracked time added up, the rate recomputed over the sum. Currencies stay apart."""
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        sums = acc[row.currency]
        sums[0] += row.gross.amount
        sums[1] += row.fees.amount
        sums[2] += row.tracked_seconds
    out = {}
    for cur, (gross, fees, seconds) in sorted(acc.items()):
        out[cur] = EarningsRow(
            "total",
            "Total",
            cur,
            Money(gross, cur),
            Money(fees, cur),
            Money(gross - fees, cur),
            seconds,
            per_hour(gross - fees, seconds, cur),
        )
    return out


@dataclass(frozen=True, slots=True)
class HoursRow(_Report):
    """Time tracked on one contract (or order) in one week.

    Weeks start Monday 00:00 in `zone` (UTC: Upwork's billing weeks). `billed` is the
    gross the ledger booked for that contract-week (UTC weeks of hourly contracts only).
    """

    week_start: date
    zone: str
    target_kind: str  # contract | order
    target_id: str
    title: str
    client: str
    platform: str
    tracked_seconds: int
    manual_seconds: int
    over_limit_seconds: int
    segments: int
    weekly_limit_seconds: int | None
    billed: Money | None


@dataclass(frozen=True, slots=True)
class ProposalsRow(_Report):
    """Proposals sent in one month (key "YYYY-MM"), or all of the period (key "all")."""

    key: str
    sent: int
    viewed: int
    interviewed: int
    hired: int
    declined: int
    win_rate_bp: int | None  # hired / sent
    connects: int
    connects_per_hire: float | None


@dataclass(frozen=True, slots=True)
class GigRow(_Report):
    """A gig's earnings in the period, or one package's or one extra's part of them.

    `level` is gig, package or extra. A gig row holds what its orders earned (the
    ledger's earned postings scoped to them: completions and tips). Package rows split
    the gig by the package each order was bought with, so they add up to the gig row.
    An extra row holds the extra's share of its orders' money (by price, to the cent)
    and, for hours and $/h, the whole orders it was bought with.
    """

    gig_id: str
    gig: str
    level: str
    key: str
    label: str
    currency: str
    orders: int
    gross: Money
    fees: Money
    net: Money
    tracked_seconds: int
    per_hour: Money | None


@dataclass(frozen=True, slots=True)
class LedgerLine(_Report):
    """One ledger posting with its transaction, as the drill-down lists it."""

    posting_id: str
    transaction_id: str
    occurred_at: datetime
    kind: str
    platform: str
    client_id: str | None
    client: str | None
    account: str
    amount: Money
    available_at: datetime | None
    memo: str


@dataclass(frozen=True)
class Drill:
    """Which ledger rows are behind a figure: earned postings in [start, end), of one
    group (`group_by` and the row's `key`, as earnings() returns them) and currency."""

    start: datetime
    end: datetime
    group_by: str | None = None
    key: str | None = None
    currency: str | None = None
    earned_only: bool = True

    def filters(self) -> dict[str, str]:
        """The same drill as `ListQuery.filters` for `ledger_source()`."""
        out = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.group_by is not None and self.key is not None:
            out[f"by_{self.group_by}"] = self.key
        if self.currency is not None:
            out["currency"] = self.currency
        if self.earned_only:
            out["earned"] = "1"
        return out

    @classmethod
    def from_filters(cls, filters: dict[str, str]) -> tuple[Drill | None, dict[str, str]]:
        """Split `filters` into a drill (None without from/to) and the rest."""
        rest = dict(filters)
        start, end = rest.pop("from", None), rest.pop("to", None)
        group_by, key = None, None
        for choice in GROUP_BY_CHOICES:
            if f"by_{choice}" in rest:
                group_by, key = choice, rest.pop(f"by_{choice}")
        currency = rest.pop("currency", None)
        earned = rest.pop("earned", None)
        if start is None or end is None:
            return None, filters
        try:
            lo, hi = datetime.fromisoformat(start), datetime.fromisoformat(end)
        except ValueError as exc:
            raise ValueError(f"drill-down period: {exc}") from exc
        return cls(ensure_utc(lo), ensure_utc(hi), group_by, key, currency, bool(earned)), rest

    def apply(self, stmt: _Stmt) -> _Stmt:
        stmt = stmt.where(
            LedgerTransaction.occurred_at >= self.start, LedgerTransaction.occurred_at < self.end
        )
        if self.earned_only:
            stmt = stmt.where(LedgerPosting.account_kind.in_(EARNED_KINDS))
        if self.currency is not None:
            stmt = stmt.where(LedgerPosting.currency == self.currency)
        if self.group_by == "client" and self.key is not None:
            if self.key == "":
                stmt = stmt.where(LedgerPosting.client_id.is_(None))
            else:
                stmt = stmt.where(LedgerPosting.client_id == uuid.UUID(self.key))
        elif self.group_by == "platform" and self.key is not None:
            stmt = stmt.where(LedgerTransaction.platform == self.key)
        elif self.group_by in ("month", "year") and self.key:
            lo, hi = _key_period(self.group_by, self.key)
            stmt = stmt.where(
                LedgerTransaction.occurred_at >= lo, LedgerTransaction.occurred_at < hi
            )
        return stmt


_Stmt = TypeVar("_Stmt", bound=Select)  # type: ignore[type-arg]


def _key_period(group_by: str, key: str) -> tuple[datetime, datetime]:
    """The UTC instants of a month ("2026-03") or year ("2026") key."""
    try:
        if group_by == "year":
            year = int(key)
            return day_instant(date(year, 1, 1)), day_instant(date(year + 1, 1, 1))
        year_text, month_text = key.split("-")
        first = date(int(year_text), int(month_text), 1)
    except ValueError:
        raise ValueError(f"{key!r} is not a {group_by}") from None
    return day_instant(first), day_instant(_next_month(first))


class LedgerSource(SqlListSource):
    """The ledger table (one row per posting) that also takes a drill-down in its
    filters: "from" and "to" (ISO instants), "by_client" / "by_platform" / "by_month" /
    "by_year" (a row key of earnings()), "currency", "earned" (only earned accounts)."""

    def _filtered(self, query: ListQuery) -> Select[Any]:
        drill, rest = Drill.from_filters(query.filters)
        stmt = super()._filtered(ListQuery(query.text, query.sort, query.descending, rest))
        return drill.apply(stmt) if drill is not None else stmt


def ledger_source(db: Database) -> LedgerSource:
    """The drill-down ledger table: the same columns as the ledger list, plus platform."""
    return LedgerSource(
        db,
        "ledger",
        "Ledger",
        lambda: (
            select(LedgerPosting.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
            .outerjoin(Client, Client.id == LedgerPosting.client_id)
        ),
        [
            SqlColumn(Column("occurred_at", "Date", "datetime"), LedgerTransaction.occurred_at),
            SqlColumn(Column("kind", "Event"), LedgerTransaction.kind, filterable=True),
            SqlColumn(Column("client", "Client"), Client.name, searchable=True),
            SqlColumn(Column("platform", "Platform"), LedgerTransaction.platform, filterable=True),
            SqlColumn(Column("account", "Account"), LedgerPosting.account_kind, filterable=True),
            SqlColumn(
                Column("amount", "Amount", "money"),
                LedgerPosting.amount_minor,
                LedgerPosting.currency,
            ),
            SqlColumn(Column("available_at", "Available", "datetime"), LedgerPosting.available_at),
            SqlColumn(Column("memo", "Memo"), LedgerTransaction.memo, searchable=True),
        ],
        LedgerPosting.id,
        default_sort="occurred_at",
        default_descending=True,
        filters={
            "client_id": LedgerPosting.client_id,
            "transaction_id": LedgerPosting.transaction_id,
        },
    )


# -- the service -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _OrderInfo:
    gig_id: uuid.UUID
    package_tier: str
    price_minor: int
    currency: str


@dataclass(slots=True)
class _Money:
    gross: int = 0
    fees: int = 0
    seconds: int = 0
    orders: set[uuid.UUID] = field(default_factory=set)


class ReportService:
    """Read-only reports over the books, the tracker's segments and the proposals."""

    def __init__(self, db: Database, clock: Clock, ledger: LedgerService | None = None) -> None:
        self._db = db
        self._clock = clock
        self._ledger = ledger or LedgerService(db)

    # -- earnings ------------------------------------------------------------------------

    def earnings(
        self, start: datetime, end: datetime, group_by: str = "client"
    ) -> list[EarningsRow]:
        """Gross, fees, net, hours and net per hour per group and currency (the ledger
        service's earnings; see there)."""
        lo, hi = _range(start, end)
        return self._ledger.earnings(lo, hi, group_by)

    def ledger_rows(self, drill: Drill, limit: int | None = None) -> list[LedgerLine]:
        """The postings behind a figure, oldest first."""
        with self._db.read() as s:
            stmt = drill.apply(
                select(
                    LedgerPosting.id,
                    LedgerTransaction.id,
                    LedgerTransaction.occurred_at,
                    LedgerTransaction.kind,
                    LedgerTransaction.platform,
                    LedgerPosting.client_id,
                    Client.name,
                    LedgerPosting.account_kind,
                    LedgerPosting.amount_minor,
                    LedgerPosting.currency,
                    LedgerPosting.available_at,
                    LedgerTransaction.memo,
                )
                .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                .outerjoin(Client, Client.id == LedgerPosting.client_id)
            ).order_by(LedgerTransaction.occurred_at, LedgerPosting.id)
            if limit is not None:
                stmt = stmt.limit(limit)
            return [
                LedgerLine(
                    str(pid),
                    str(tid),
                    at,
                    kind,
                    platform,
                    str(cid) if cid else None,
                    name,
                    account,
                    Money(amount, cur),
                    available,
                    memo,
                )
                for (
                    pid,
                    tid,
                    at,
                    kind,
                    platform,
                    cid,
                    name,
                    account,
                    amount,
                    cur,
                    available,
                    memo,
                ) in s.execute(stmt)
            ]

    # -- hours per week per contract -------------------------------------------------------

    def hours(
        self,
        start: datetime,
        end: datetime,
        tz: str | tzinfo | None = None,
        contract_id: str | uuid.UUID | None = None,
    ) -> list[HoursRow]:
        """Tracked time per week (Monday 00:00 in `tz`; UTC, Upwork's week, by default)
        per contract and per order, for segments in [start, end). Deleted segments are
        not counted. Weeks first, then the contract's title."""
        lo, hi = _range(start, end)
        zone = _zone(tz)
        zone_name = "UTC" if zone is UTC else str(zone)
        wanted = None
        if contract_id is not None:
            try:
                wanted = uuid.UUID(str(contract_id))
            except ValueError:
                raise RuleError(
                    "contract.id", f"contract: {contract_id!r} is not an id", field="contract"
                ) from None
        acc: dict[tuple[date, Any], list[int]] = {}
        with self._db.read() as s:
            for week, cid, oid, seconds, manual, over, count in _hours_per_week(
                s, lo, hi, zone, wanted
            ):
                # A segment belongs to a contract or an order: a contract's and an order's
                # ids never meet, so the id alone tells the target.
                key = (week, cid if cid is not None else oid)
                row = acc.get(key)
                if row is None:
                    acc[key] = [seconds, manual, over, count]
                else:
                    row[0] += seconds
                    row[1] += manual
                    row[2] += over
                    row[3] += count
            targets = {target for _week, target in acc}
            contracts = {  # plain rows: every contract is fewer queries than an IN list
                cid: (title, client_id, platform, minutes)
                for cid, title, client_id, platform, minutes in s.execute(
                    select(
                        _raw(Contract.id),
                        Contract.title,
                        _raw(Contract.client_id),
                        Contract.platform,
                        Contract.weekly_limit_minutes,
                    )
                )
                if cid in targets
            }
            wanted_orders = sorted(_as_uuid(t) for t in targets if t not in contracts)
            orders: dict[Any, tuple[str, Any, Any]] = {}
            for i in range(0, len(wanted_orders), 500):
                for oid, title, client_id, gig_id in s.execute(
                    select(
                        _raw(Order.id), Order.title, _raw(Order.client_id), _raw(Order.gig_id)
                    ).where(Order.id.in_(wanted_orders[i : i + 500]))
                ):
                    orders[oid] = (title, client_id, gig_id)
            gig_platform: dict[Any, str] = {}
            if orders:
                gig_platform = {
                    gid: platform for gid, platform in s.execute(select(_raw(Gig.id), Gig.platform))
                }
            names: dict[Any, str] = {
                cid: name for cid, name in s.execute(select(_raw(Client.id), Client.name))
            }
            spelled = {target: _id_text(target) for target in targets}
            days: dict[date, str] = {}
            for week, _target in acc:
                if week not in days:
                    days[week] = week.isoformat()
            billed: dict[tuple[str, str], Money] = {}
            if zone is UTC:
                billed = self._billed_weeks(
                    s, ((spelled[target], week) for week, target in acc if target in contracts)
                )
        facts: dict[Any, tuple[str, str, str, str, str, int | None]] = {}
        for target in targets:
            limit: int | None = None
            if target in contracts:
                title, client_id, platform, minutes = contracts[target]
                kind = "contract"
                limit = None if minutes is None else minutes * 60
            else:
                title, client_id, gig_id = orders[target]
                kind = "order"
                platform = gig_platform.get(gig_id, "fiverr") if gig_id else "fiverr"
            facts[target] = (
                kind,
                spelled[target],
                title,
                names.get(client_id, ""),
                platform,
                limit,
            )
        # Weeks first, then the title and the id: each target's place among the others
        # is worked out once, so ~2,000 keys compare a date and an int, not strings.
        rank = {
            target: i
            for i, target in enumerate(sorted(facts, key=lambda t: (facts[t][2], facts[t][1])))
        }
        rows = []
        for week, target in sorted(acc, key=lambda k: (k[0], rank[k[1]])):
            tracked, manual_seconds, over_seconds, count = acc[(week, target)]
            kind, tid, title, client, platform, limit = facts[target]
            rows.append(
                HoursRow(
                    week,
                    zone_name,
                    kind,
                    tid,
                    title,
                    client,
                    platform,
                    tracked,
                    manual_seconds,
                    over_seconds,
                    count,
                    limit,
                    billed.get((tid, days[week])),
                )
            )
        return rows

    @staticmethod
    def _billed_weeks(
        s: Session, weeks: Iterable[tuple[str, date]]
    ) -> dict[tuple[str, str], Money]:
        """Gross booked per (contract id, week start) for the billed hourly weeks: the
        summary `billed_weeks` keeps it per source id and currency (0010)."""
        spelled: dict[date, str] = {}  # hourly_week_source's id, the week spelled once
        sources: set[str] = set()
        first: dict[str, date] = {}  # per contract, its first and last week
        last: dict[str, date] = {}
        for cid, week in weeks:
            week_text = spelled.get(week)
            if week_text is None:
                week_text = spelled[week] = hourly_week_source("", day_instant(week))[1]
            sources.add(cid + week_text)
            if cid not in first:
                first[cid] = last[cid] = week
            elif week < first[cid]:
                first[cid] = week
            elif week > last[cid]:
                last[cid] = week
        if not sources:
            return {}
        if len(sources) <= _BILLED_BY_ID:  # a few weeks: by their source ids
            found = s.execute(
                select(BilledWeek.source_id, BilledWeek.currency, BilledWeek.amount_minor).where(
                    BilledWeek.source_id.in_(sources)
                )
            ).all()
        else:  # many: per contract, the range of its weeks' source ids (index ranges)
            ranges = [(cid + spelled[lo_], cid + spelled[last[cid]]) for cid, lo_ in first.items()]
            found = [
                row
                for i in range(0, len(ranges), _SPANS_PER_QUERY)
                for row in s.execute(*_billed_spans_sql(ranges[i : i + _SPANS_PER_QUERY])).all()
            ]
        out: dict[tuple[str, str], Money] = {}
        for source_id, cur, amount in found:
            if source_id not in sources:
                continue
            cid, _, week_text = source_id.partition("/")
            key = (cid, week_text)
            held = out.get(key)  # one currency per contract-week: mixing raises, as ever
            out[key] = Money(int(amount), cur) if held is None else held + Money(int(amount), cur)
        return out

    # -- proposals ---------------------------------------------------------------------

    def proposals(self, start: datetime, end: datetime) -> list[ProposalsRow]:
        """Per month the proposals were sent in (UTC), then a total row "all": sent,
        viewed, interviewed, hired, declined, win rate (hired ÷ sent), connects spent
        and connects per hire. Drafts were not sent and are not counted."""
        lo, hi = _range(start, end)
        months: dict[str, list[int]] = defaultdict(lambda: [0] * 6)
        with self._db.read() as s:
            stmt = select(
                Proposal.submitted_at, Proposal.viewed_at, Proposal.state, Proposal.connects_spent
            ).where(
                Proposal.submitted_at.is_not(None),
                Proposal.submitted_at >= lo,
                Proposal.submitted_at < hi,
            )
            for submitted, viewed_at, state, connects in s.execute(stmt):
                assert submitted is not None
                for key in (ensure_utc(submitted).strftime("%Y-%m"), "all"):
                    m = months[key]
                    m[0] += 1
                    m[1] += 1 if viewed_at is not None or state in _VIEWED_STATES else 0
                    m[2] += 1 if state in _INTERVIEWED_STATES else 0
                    m[3] += 1 if state == "hired" else 0
                    m[4] += 1 if state == "declined" else 0
                    m[5] += connects
        rows = []
        for key in sorted(months, key=lambda k: (k == "all", k)):
            sent, viewed, interviewed, hired, declined, connects = months[key]
            rows.append(
                ProposalsRow(
                    key,
                    sent,
                    viewed,
                    interviewed,
                    hired,
                    declined,
                    _ratio_bp(hired, sent),
                    connects,
                    round(connects / hired, 2) if hired else None,
                )
            )
        return rows

    # -- gigs ------------------------------------------------------------------------------

    def gigs(self, start: datetime, end: datetime) -> list[GigRow]:
        """Per gig, then per package and per extra: what the gig's orders earned in
        [start, end) (the ledger's earned postings on each order), the time tracked on
        them in the period and the real net per hour."""
        lo, hi = _range(start, end)
        with self._db.read() as s:
            orders = {
                o.id: _OrderInfo(o.gig_id, o.package_tier, o.price_minor, o.currency)
                for o in s.scalars(select(Order).where(Order.gig_id.is_not(None)))
                if o.gig_id is not None
            }
            gigs = {g.id: g.title for g in s.scalars(select(Gig))}
            package_names = {(p.gig_id, p.tier): p.name for p in s.scalars(select(GigPackage))}
            extras: dict[uuid.UUID, list[tuple[str, str, int]]] = defaultdict(list)
            for extra in s.scalars(select(OrderExtra).order_by(OrderExtra.title)):
                key = str(extra.extra_id or extra.title)
                extras[extra.order_id].append(
                    (key, extra.title, extra.price_minor * extra.quantity)
                )
            earned: dict[uuid.UUID, dict[str, list[int]]] = defaultdict(
                lambda: defaultdict(lambda: [0, 0])
            )
            stmt = (
                select(
                    LedgerPosting.scope_id,
                    LedgerPosting.currency,
                    LedgerPosting.account_kind,
                    LedgerPosting.amount_minor,
                )
                .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                .where(
                    LedgerTransaction.occurred_at >= lo,
                    LedgerTransaction.occurred_at < hi,
                    LedgerPosting.account_kind.in_(EARNED_KINDS),
                    LedgerPosting.scope_id.in_(list(orders)),
                )
            )
            for scope, cur, kind, amount in s.execute(stmt):
                assert scope is not None
                money = earned[scope][cur]
                money[0] += amount
                money[1] += amount if kind == FEES_KIND else 0
            seconds: dict[uuid.UUID, int] = defaultdict(int)
            tracked = select(Segment.order_id, Segment.tracked_seconds).where(
                Segment.order_id.in_(list(orders)),
                Segment.slot_start >= lo,
                Segment.slot_start < hi,
                Segment.deleted.is_(False),
            )
            for oid, secs in s.execute(tracked):
                assert oid is not None
                seconds[oid] += secs
        groups: dict[tuple[uuid.UUID, str, str, str], _Money] = {}
        labels: dict[tuple[uuid.UUID, str, str], str] = {}

        def add(
            gig_id: uuid.UUID, level: str, key: str, cur: str, gross: int, fees: int, oid: uuid.UUID
        ) -> None:
            g = groups.setdefault((gig_id, level, key, cur), _Money())
            g.gross += gross
            g.fees += fees
            if oid not in g.orders:
                g.orders.add(oid)
                g.seconds += seconds.get(oid, 0)

        for oid, order in orders.items():
            currencies = earned.get(oid, {}) or (
                {order.currency: [0, 0]} if seconds.get(oid) else {}
            )
            gig_id = order.gig_id
            tier = order.package_tier
            labels[(gig_id, "package", tier)] = package_names.get((gig_id, tier), tier.title())
            for cur, (gross, fees) in currencies.items():
                add(gig_id, "gig", "", cur, gross, fees, oid)
                add(gig_id, "package", tier, cur, gross, fees, oid)
                bought = extras.get(oid, [])
                if not bought:
                    continue
                parts = [price for _key, _title, price in bought]
                package_part = max(order.price_minor - sum(parts), 0)
                ratios = [package_part, *parts]
                if sum(ratios) == 0:
                    continue
                gross_parts = Money(gross, cur).allocate(ratios)[1:] if gross else None
                fee_parts = Money(fees, cur).allocate(ratios)[1:] if fees else None
                for i, (key, title, _price) in enumerate(bought):
                    labels[(gig_id, "extra", key)] = title
                    add(
                        gig_id,
                        "extra",
                        key,
                        cur,
                        gross_parts[i].amount if gross_parts else 0,
                        fee_parts[i].amount if fee_parts else 0,
                        oid,
                    )
        level_order = {"gig": 0, "package": 1, "extra": 2}
        tier_order = {"basic": 0, "standard": 1, "premium": 2}
        rows = []
        for (gig_id, level, key, cur), g in groups.items():
            net = g.gross - g.fees
            label = (
                gigs.get(gig_id, "") if level == "gig" else labels.get((gig_id, level, key), key)
            )
            rows.append(
                GigRow(
                    str(gig_id),
                    gigs.get(gig_id, ""),
                    level,
                    key,
                    label,
                    cur,
                    len(g.orders),
                    Money(g.gross, cur),
                    Money(g.fees, cur),
                    Money(net, cur),
                    g.seconds,
                    per_hour(net, g.seconds, cur),
                )
            )
        return sorted(
            rows,
            key=lambda r: (
                r.gig,
                r.gig_id,
                r.currency,
                level_order[r.level],
                tier_order.get(r.key, 3),
                r.label,
            ),
        )

    # -- documents ------------------------------------------------------------------------

    def invoice_document(self, ident: str | uuid.UUID) -> dict[str, Any]:
        """What an invoice prints: its number, dates, terms, client and lines."""
        with self._db.read() as s:
            invoice = find(s, Invoice, ident, what="invoice")
            client = s.get(Client, invoice.client_id)
            assert client is not None
            cur = invoice.currency
            lines = [
                {
                    "description": line.description,
                    "quantity": line.quantity_milli / 1000,
                    "unit_price": Money(line.unit_price_minor, cur),
                    "amount": Money(line.amount_minor, cur),
                }
                for line in sorted(invoice.lines, key=lambda line: line.position)
            ]
            return {
                "id": str(invoice.id),
                "number": invoice.number,
                "state": invoice.state,
                "currency": cur,
                "issued_on": invoice.issued_on,
                "due_on": invoice.due_on,
                "terms_days": invoice.terms_days,
                "paid_at": invoice.paid_at,
                "period_start": invoice.period_start,
                "period_end": invoice.period_end,
                "notes": invoice.notes,
                "client": {
                    "name": client.name,
                    "company": client.company,
                    "email": client.email,
                    "country": client.country,
                },
                "lines": lines,
                "total": Money(sum(line.amount_minor for line in invoice.lines), cur),
                "printed_at": self._clock.now(),
            }

    def timesheet_document(
        self, contract_id: str | uuid.UUID, week: date | datetime
    ) -> dict[str, Any]:
        """A contract's week (Monday–Sunday UTC, the week holding `week`): every
        segment with its memo and activity, totals per day, and the billing summary."""
        from freelancer_desk.services.billing import HourlyBillingService

        day = week.date() if isinstance(week, datetime) else week
        monday = day - timedelta(days=day.weekday())
        lo = day_instant(monday)
        hi = lo + timedelta(days=7)
        with self._db.read() as s:
            contract = find(s, Contract, contract_id, what="contract")
            client = s.get(Client, contract.client_id)
            assert client is not None
            segments = s.execute(
                select(
                    Segment.slot_start,
                    Segment.tracked_seconds,
                    Segment.active_minutes,
                    Segment.memo,
                    Segment.manual,
                    Segment.over_limit,
                )
                .where(
                    Segment.contract_id == contract.id,
                    Segment.slot_start >= lo,
                    Segment.slot_start < hi,
                    Segment.deleted.is_(False),
                )
                .order_by(Segment.slot_start)
            ).all()
            info = {
                "contract_id": str(contract.id),
                "contract": contract.title,
                "reference": contract.reference,
                "kind": contract.kind,
                "platform": contract.platform,
                "client": client.name,
                "currency": contract.currency,
                "weekly_limit_seconds": None
                if contract.weekly_limit_minutes is None
                else contract.weekly_limit_minutes * 60,
            }
        days: list[dict[str, Any]] = []
        for offset in range(7):
            d = monday + timedelta(days=offset)
            rows = [r for r in segments if ensure_utc(r.slot_start).date() == d]
            days.append(
                {
                    "day": d,
                    "seconds": sum(r.tracked_seconds for r in rows),
                    "segments": [
                        {
                            "slot_start": ensure_utc(r.slot_start),
                            "seconds": r.tracked_seconds,
                            "active_minutes": r.active_minutes,
                            "memo": r.memo,
                            "manual": r.manual,
                            "over_limit": r.over_limit,
                        }
                        for r in rows
                    ],
                }
            )
        summary, problem = None, None
        if info["kind"] == "hourly":
            billing = HourlyBillingService(self._db, self._clock, self._ledger)
            try:
                summary = billing.week_summary(contract_id, lo).to_json()
            except RuleError as exc:  # e.g. a rounding rule the domain does not know
                problem = str(exc)
        return {
            **info,
            "week_start": monday,
            "week_end": monday + timedelta(days=6),
            "days": days,
            "tracked_seconds": sum(d["seconds"] for d in days),
            "summary": summary,
            "summary_problem": problem,
            "printed_at": self._clock.now(),
        }


def rows_to_json(rows: Sequence[Any]) -> list[dict[str, Any]]:
    return [row.to_json() for row in rows]


__all__ = [
    "PERIOD_CHOICES",
    "Drill",
    "GigRow",
    "HoursRow",
    "LedgerLine",
    "LedgerSource",
    "ProposalsRow",
    "ReportService",
    "day_instant",
    "earnings_csv_header",
    "earnings_csv_row",
    "earnings_totals",
    "ledger_source",
    "period_bounds",
]
