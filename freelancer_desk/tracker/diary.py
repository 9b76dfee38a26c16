"""What the Work Diary, the Tracker area and `track diary` show, read from the database.

- `day_view`: one day in a time zone (local or UTC), a row per hour with six 10-minute
  cells, each holding the segments of that slot (two when the user switched contracts
  inside it), with the snapshot's files, activity and the money the segment is worth;
  the day's and the billing week's totals per contract.
- `totals`: today and this billing week per contract, with the weekly limit.
- `precheck`: before an Upwork week's diary locks (Monday 12:00 UTC), the segments that
  would not be protected — no memo, manual, low activity, over the limit — and the time
  and money at stake.

Money is an estimate at the contract's rate and rounding: billing is done by the
billing service once the week locks.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import (
    SEGMENT_MINUTES,
    UPWORK_SEGMENTS,
    RoundingRule,
    bill_amount,
)
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week, diary_lock_at
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Order, Segment, Snapshot

UTC_ZONE = ZoneInfo("UTC")
LOW_ACTIVITY = 3  # an activity level below this (out of 10) is "low"
CELLS_PER_HOUR = 60 // SEGMENT_MINUTES


def local_zone() -> tzinfo:
    """The system's time zone (TZ or /etc/localtime), UTC when it cannot be told."""
    try:
        from tzlocal import get_localzone

        zone: tzinfo = get_localzone()
        return zone
    except Exception:  # no zone configured, or tzlocal missing
        return UTC_ZONE


def zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


@dataclass(frozen=True)
class DiarySegment:
    id: uuid.UUID
    slot_start: datetime  # UTC
    contract_id: uuid.UUID | None
    order_id: uuid.UUID | None
    title: str
    tracked_seconds: int
    active_minutes: int
    activity: tuple[int, ...]
    memo: str
    manual: bool
    idle: bool
    over_limit: bool
    deleted: bool
    snapshot_missing: bool
    snapshot_path: str | None  # relative to the snapshot folder; None: no file
    thumb_path: str | None
    snapshot_policy: str | None
    snapshot_removed: str | None  # why the files went (retention, segment_deleted)
    value: Money | None  # what the segment is worth at the contract's rate
    # The device whose snapshot folder holds the files: snapshots stay on the machine
    # that took them, the database keeps their hash and metadata.
    snapshot_device: str | None = None

    @property
    def kind(self) -> str:
        """The memo bar's colour: deleted, over_limit, manual, idle (kept) or tracked."""
        if self.deleted:
            return "deleted"
        if self.over_limit:
            return "over_limit"
        if self.manual:
            return "manual"
        if self.idle:
            return "idle"
        return "tracked"

    def to_json(self) -> dict[str, object]:
        return {
            "id": str(self.id),
            "slot_start": self.slot_start.isoformat(),
            "contract_id": str(self.contract_id) if self.contract_id else None,
            "order_id": str(self.order_id) if self.order_id else None,
            "title": self.title,
            "tracked_seconds": self.tracked_seconds,
            "activity_level": self.active_minutes,
            "activity": list(self.activity),
            "memo": self.memo,
            "kind": self.kind,
            "manual": self.manual,
            "idle": self.idle,
            "over_limit": self.over_limit,
            "deleted": self.deleted,
            "snapshot": self.snapshot_path,
            "thumbnail": self.thumb_path,
            "snapshot_removed": self.snapshot_removed,
            "value": self.value.to_json() if self.value else None,
        }


@dataclass(frozen=True)
class Cell:
    start: datetime  # in the view's zone
    segments: tuple[DiarySegment, ...] = ()

    @property
    def main(self) -> DiarySegment | None:
        """The segment the cell shows: the live one holding the most time."""
        live = [s for s in self.segments if not s.deleted] or list(self.segments)
        return max(live, key=lambda s: s.tracked_seconds) if live else None

    @property
    def tracked_seconds(self) -> int:
        return sum(s.tracked_seconds for s in self.segments if not s.deleted)


@dataclass(frozen=True)
class HourRow:
    start: datetime  # in the view's zone
    cells: tuple[Cell, ...]

    @property
    def tracked_seconds(self) -> int:
        return sum(c.tracked_seconds for c in self.cells)


@dataclass(frozen=True)
class ContractTotal:
    contract_id: uuid.UUID | None
    order_id: uuid.UUID | None
    title: str
    seconds: int = 0
    manual_seconds: int = 0
    over_limit_seconds: int = 0
    limit_minutes: int | None = None
    value: Money | None = None

    @property
    def limit_share(self) -> float | None:
        if not self.limit_minutes:
            return None
        return self.seconds / (self.limit_minutes * 60)

    def to_json(self) -> dict[str, object]:
        return {
            "contract_id": str(self.contract_id) if self.contract_id else None,
            "order_id": str(self.order_id) if self.order_id else None,
            "title": self.title,
            "seconds": self.seconds,
            "manual_seconds": self.manual_seconds,
            "over_limit_seconds": self.over_limit_seconds,
            "limit_minutes": self.limit_minutes,
            "value": self.value.to_json() if self.value else None,
        }


@dataclass(frozen=True)
class DayView:
    day: date
    zone: str
    start: datetime  # the day's first instant, in the zone
    end: datetime
    hours: tuple[HourRow, ...]  # every hour of the day (23 or 25 on a DST change)
    day_totals: tuple[ContractTotal, ...]
    week_start: datetime  # the Upwork billing week (UTC) holding the day's start
    week_totals: tuple[ContractTotal, ...]

    @property
    def segments(self) -> list[DiarySegment]:
        return [s for h in self.hours for c in h.cells for s in c.segments]

    @property
    def tracked_seconds(self) -> int:
        return sum(h.tracked_seconds for h in self.hours)

    def worked_hours(self) -> list[HourRow]:
        return [h for h in self.hours if any(c.segments for c in h.cells)]

    def to_json(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "zone": self.zone,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tracked_seconds": self.tracked_seconds,
            "segments": [s.to_json() for s in self.segments],
            "day_totals": [t.to_json() for t in self.day_totals],
            "week_start": self.week_start.isoformat(),
            "week_totals": [t.to_json() for t in self.week_totals],
        }


# -- reading ---------------------------------------------------------------------------------


_CONTRACT_COLUMNS = (
    Contract.id,
    Contract.title,
    Contract.kind,
    Contract.platform,
    Contract.currency,
    Contract.hourly_rate_minor,
    Contract.rounding_rule,
    Contract.snapshot_policy,
    Contract.weekly_limit_minutes,
)


@dataclass
class _Owners:
    """Titles, rates and policies of the contracts and orders met, loaded once (plain
    rows: the attributes the diary reads, no ORM objects)."""

    contracts: dict[uuid.UUID, Any] = field(default_factory=dict)
    orders: dict[uuid.UUID, Any] = field(default_factory=dict)
    _rules: dict[uuid.UUID, tuple[RoundingRule, Money]] = field(default_factory=dict)
    _values: dict[tuple[uuid.UUID, int], Money] = field(default_factory=dict)

    def load(self, s: Session, segments: Iterable[Any]) -> None:
        cids: set[uuid.UUID] = set()
        oids: set[uuid.UUID] = set()
        for g in segments:
            if g.contract_id:
                cids.add(g.contract_id)
            if g.order_id:
                oids.add(g.order_id)
        cids -= set(self.contracts)
        oids -= set(self.orders)
        if cids:
            for c in s.execute(select(*_CONTRACT_COLUMNS).where(Contract.id.in_(cids))):
                self.contracts[c.id] = c
        if oids:
            for o in s.execute(
                select(Order.id, Order.title, Order.snapshot_policy).where(Order.id.in_(oids))
            ):
                self.orders[o.id] = o

    def title(self, g: Any) -> str:
        if g.contract_id and g.contract_id in self.contracts:
            return str(self.contracts[g.contract_id].title)
        if g.order_id and g.order_id in self.orders:
            return str(self.orders[g.order_id].title)
        return "?"

    def value(self, g: Any) -> Money | None:
        contract = self.contracts.get(g.contract_id) if g.contract_id else None
        if contract is None or contract.hourly_rate_minor is None or contract.kind != "hourly":
            return None
        if g.deleted or g.over_limit:
            return Money(0, contract.currency)
        ruled = self._rules.get(contract.id)
        if ruled is None:
            try:
                rule = RoundingRule.from_code(contract.rounding_rule)
            except RuleError:  # an unknown code: an estimate at Upwork's rule beats none
                rule = UPWORK_SEGMENTS
            ruled = self._rules[contract.id] = (
                rule,
                Money(contract.hourly_rate_minor, contract.currency),
            )
        rule, rate = ruled
        billable = rule.apply(g.tracked_seconds)
        key = (contract.id, billable)  # a few rounded amounts per contract, not per segment
        worth = self._values.get(key)
        if worth is None:
            worth = self._values[key] = bill_amount(billable, rate)
        return worth

    def policy(self, g: Any) -> str | None:
        if g.contract_id and g.contract_id in self.contracts:
            return str(self.contracts[g.contract_id].snapshot_policy)
        if g.order_id and g.order_id in self.orders:
            return str(self.orders[g.order_id].snapshot_policy)
        return None


_SEGMENT_COLUMNS = (
    Segment.id,
    Segment.slot_start,
    Segment.contract_id,
    Segment.order_id,
    Segment.tracked_seconds,
    Segment.active_minutes,
    Segment.activity,
    Segment.memo,
    Segment.manual,
    Segment.idle,
    Segment.over_limit,
    Segment.deleted,
    Segment.snapshot_missing,
    Snapshot.id.label("snap_id"),
    Snapshot.path.label("snap_path"),
    Snapshot.thumb_path.label("snap_thumb"),
    Snapshot.removed_at.label("snap_removed_at"),
    Snapshot.removed_reason.label("snap_removed_reason"),
    Snapshot.device_id.label("snap_device"),
)


def _segments(s: Session, start: datetime, end: datetime) -> list[Any]:
    """The segments in [start, end) with their snapshot's metadata: one query of plain
    rows (attributes named as the columns, the snapshot's prefixed snap_)."""
    return list(
        s.execute(
            select(*_SEGMENT_COLUMNS)
            .outerjoin(Snapshot, Snapshot.segment_id == Segment.id)
            .where(Segment.slot_start >= start, Segment.slot_start < end)
            .order_by(Segment.slot_start, Segment.created_at)
        ).all()
    )


def _week_segments(s: Session, start: datetime, end: datetime) -> list[Any]:
    """What a week's totals need of its live segments, in the order `_segments` gives."""
    return list(
        s.execute(
            select(
                Segment.contract_id,
                Segment.order_id,
                Segment.tracked_seconds,
                Segment.manual,
                Segment.over_limit,
                Segment.deleted,
            )
            .where(Segment.slot_start >= start, Segment.slot_start < end)
            .order_by(Segment.slot_start, Segment.created_at)
        ).all()
    )


def _view(g: Any, owners: _Owners) -> DiarySegment:
    has_snap = g.snap_id is not None
    present = has_snap and g.snap_removed_at is None and bool(g.snap_path)
    return DiarySegment(
        id=g.id,
        slot_start=g.slot_start,
        contract_id=g.contract_id,
        order_id=g.order_id,
        title=owners.title(g),
        tracked_seconds=g.tracked_seconds,
        active_minutes=g.active_minutes,
        activity=tuple(g.activity or ()),
        memo=g.memo,
        manual=g.manual,
        idle=g.idle,
        over_limit=g.over_limit,
        deleted=g.deleted,
        snapshot_missing=g.snapshot_missing,
        snapshot_path=g.snap_path if present else None,
        thumb_path=g.snap_thumb or None if present else None,
        snapshot_policy=owners.policy(g),
        snapshot_removed=g.snap_removed_reason if has_snap else None,
        value=owners.value(g),
        snapshot_device=g.snap_device if has_snap else None,
    )


def _totals(rows: Iterable[Any], owners: _Owners) -> tuple[ContractTotal, ...]:
    """Per contract or order, the live rows' time (and value, summed in minor units);
    `rows` are DiarySegments or the plain rows of `_week_segments`."""
    grouped: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[Any]] = {}
    for g in rows:
        if g.deleted:
            continue
        key = (g.contract_id, g.order_id)
        sums = grouped.get(key)
        if sums is None:  # seconds, manual, over the limit, value, currency, title
            contract = owners.contracts.get(g.contract_id) if g.contract_id else None
            hourly = (
                contract is not None
                and contract.hourly_rate_minor is not None
                and contract.kind == "hourly"
            )
            currency = contract.currency if hourly and contract is not None else None
            sums = grouped[key] = [0, 0, 0, 0, currency]
            sums.append(owners.title(g))
        seconds = g.tracked_seconds
        sums[0] += seconds
        if g.manual:
            sums[1] += seconds
        if g.over_limit:
            sums[2] += seconds
        elif sums[4] is not None:
            worth = owners.value(g)
            assert worth is not None
            sums[3] += worth.amount
    out = []
    for (cid, oid), (seconds, manual, over, value, currency, title) in grouped.items():
        contract = owners.contracts.get(cid) if cid else None
        out.append(
            ContractTotal(
                cid,
                oid,
                title,
                seconds,
                manual,
                over,
                contract.weekly_limit_minutes if contract else None,
                Money(value, currency) if currency is not None else None,
            )
        )
    out.sort(key=lambda t: (-t.seconds, t.title))
    return tuple(out)


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def day_view(db: Database, day: date, zone: tzinfo = UTC_ZONE) -> DayView:
    """The Work Diary of `day` in `zone`: every hour, six cells each, and the totals of
    the day and of the billing week that holds it."""
    start, end = day_bounds(day, zone)
    start_utc, end_utc = start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE)
    week_start, week_end = billing_week(start_utc)
    owners = _Owners()
    with db.read() as s:
        rows = _segments(s, start_utc, end_utc)
        week_rows = _week_segments(s, week_start, week_end)
        owners.load(s, rows + week_rows)
    views = [_view(g, owners) for g in rows]
    day_totals = _totals(views, owners)
    week_totals = _totals(week_rows, owners)
    by_cell: dict[datetime, list[DiarySegment]] = defaultdict(list)
    for v in views:
        local = v.slot_start.astimezone(zone)
        key = local.replace(minute=local.minute - local.minute % SEGMENT_MINUTES)
        by_cell[key.astimezone(UTC_ZONE)].append(v)
    hours = []
    hour = start_utc
    while hour < end_utc:
        local = hour.astimezone(zone)
        cells = tuple(
            Cell(
                (hour + timedelta(minutes=SEGMENT_MINUTES * i)).astimezone(zone),
                tuple(by_cell.get(hour + timedelta(minutes=SEGMENT_MINUTES * i), ())),
            )
            for i in range(CELLS_PER_HOUR)
        )
        hours.append(HourRow(local, cells))
        hour += timedelta(hours=1)
    return DayView(
        day,
        zone_name(zone),
        start,
        end,
        tuple(hours),
        day_totals,
        week_start,
        week_totals,
    )


def totals(
    db: Database, now: datetime, zone: tzinfo = UTC_ZONE
) -> tuple[tuple[ContractTotal, ...], tuple[ContractTotal, ...]]:
    """Today (in `zone`) and this billing week per contract or order."""
    day = now.astimezone(zone).date()
    start, end = day_bounds(day, zone)
    week_start, week_end = billing_week(now)
    owners = _Owners()
    with db.read() as s:
        today = _week_segments(s, start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE))
        week = _week_segments(s, week_start, week_end)
        owners.load(s, today + week)
    return _totals(today, owners), _totals(week, owners)


# -- the weekly pre-check ----------------------------------------------------------------------


@dataclass(frozen=True)
class PrecheckItem:
    segment: DiarySegment
    reasons: tuple[str, ...]  # "no memo", "manual", "low activity", "over the limit"


@dataclass(frozen=True)
class Precheck:
    week_start: datetime
    locks_at: datetime
    items: tuple[PrecheckItem, ...]

    @property
    def seconds_at_stake(self) -> int:
        return sum(i.segment.tracked_seconds for i in self.items)

    def value_at_stake(self) -> dict[str, Money]:
        by_currency: dict[str, Money] = {}
        for item in self.items:
            segment = item.segment
            if segment.value is None or segment.deleted:
                continue
            worth = segment.value  # zero when over the limit: that time is not billed
            by_currency[worth.currency] = (
                by_currency.get(worth.currency, Money(0, worth.currency)) + worth
            )
        return by_currency

    def to_json(self) -> dict[str, object]:
        return {
            "week_start": self.week_start.isoformat(),
            "locks_at": self.locks_at.isoformat(),
            "seconds_at_stake": self.seconds_at_stake,
            "items": [
                {"segment": i.segment.to_json(), "reasons": list(i.reasons)} for i in self.items
            ],
        }


def precheck(db: Database, now: datetime) -> Precheck:
    """The Upwork hourly week that locks next (last week until Monday 12:00 UTC, then
    this one): its segments that Upwork's payment protection would not cover."""
    this_week, _ = billing_week(now)
    last_week = this_week - timedelta(days=7)
    week = last_week if now < diary_lock_at(last_week) else this_week
    owners = _Owners()
    items = []
    with db.read() as s:
        rows = _segments(s, week, week + timedelta(days=7))
        owners.load(s, rows)
        for g in rows:
            contract = owners.contracts.get(g.contract_id) if g.contract_id else None
            if g.deleted or contract is None:
                continue
            if contract.platform != "upwork" or contract.kind != "hourly":
                continue
            reasons = []
            if not g.memo.strip():
                reasons.append("no memo")
            if g.manual:
                reasons.append("manual")
            elif g.active_minutes < LOW_ACTIVITY:
                reasons.append("low activity")
            if g.over_limit:
                reasons.append("over the limit")
            if reasons:
                items.append(PrecheckItem(_view(g, owners), tuple(reasons)))
    return Precheck(week, diary_lock_at(week), tuple(items))


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleError(
            "diary.date", f"{text!r} is not a date like 2026-01-05", field="date"
        ) from None


__all__ = [
    "Cell",
    "ContractTotal",
    "DayView",
    "DiarySegment",
    "HourRow",
    "Precheck",
    "PrecheckItem",
    "day_view",
    "local_zone",
    "parse_day",
    "precheck",
    "totals",
]
