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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week, diary_lock_at
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Order, Segment, Snapshot
from freelancer_desk.tracker.daybook import (
    UTC_ZONE,
    Cell,
    ContractTotal,
    DayView,
    DiarySegment,
    HourRow,
    Owners,
    build_day,
    contract_totals,
    day_bounds,
    local_zone,
    zone_name,
)

LOW_ACTIVITY = 3  # an activity level below this (out of 10) is "low"


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


def _load(s: Session, owners: Owners, segments: Iterable[Any]) -> None:
    """Read into `owners` the contracts and orders of `segments` it does not hold yet."""
    segments = list(segments)
    cids: set[uuid.UUID | None] = {g.contract_id for g in segments}
    oids: set[uuid.UUID | None] = {g.order_id for g in segments}
    cids.discard(None)
    oids.discard(None)
    cids -= owners.contracts.keys()
    oids -= owners.orders.keys()
    if cids:
        for c in s.execute(_CONTRACTS, {"ids": list(cids)}):
            owners.contracts[c.id] = c
    if oids:
        for o in s.execute(_ORDERS, {"ids": list(oids)}):
            owners.orders[o.id] = o


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
    return list(s.connection().execute(_DAY, {"lo": start, "hi": end}).all())


def _week_segments(s: Session, start: datetime, end: datetime) -> list[Any]:
    """What a week's totals need of its live segments, in the order `_segments` gives."""
    return list(s.connection().execute(_WEEK, {"lo": start, "hi": end}).all())


# The statements, built once (building one and its cache key was ~0.2-0.4 ms a call), run
# on the session's connection: plain rows, without the ORM's result layer (~0.3 ms for a
# week's 650 rows).
_IN_SLOTS = (Segment.slot_start >= bindparam("lo"), Segment.slot_start < bindparam("hi"))
_IN_ORDER = (Segment.slot_start, Segment.created_at)
_DAY = (
    select(*_SEGMENT_COLUMNS)
    .outerjoin(Snapshot, Snapshot.segment_id == Segment.id)
    .where(*_IN_SLOTS)
    .order_by(*_IN_ORDER)
)
_WEEK = (
    select(
        Segment.contract_id,
        Segment.order_id,
        Segment.tracked_seconds,
        Segment.manual,
        Segment.over_limit,
        Segment.deleted,
    )
    .where(*_IN_SLOTS)
    .order_by(*_IN_ORDER)
)
_CONTRACTS = select(*_CONTRACT_COLUMNS).where(Contract.id.in_(bindparam("ids", expanding=True)))
_ORDERS = select(Order.id, Order.title, Order.snapshot_policy).where(
    Order.id.in_(bindparam("ids", expanding=True))
)


def _view(g: Any, owners: Owners) -> DiarySegment:
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


def day_view(db: Database, day: date, zone: tzinfo = UTC_ZONE) -> DayView:
    """The Work Diary of `day` in `zone`: every hour, six cells each, and the totals of
    the day and of the billing week that holds it."""
    start, end = day_bounds(day, zone)
    start_utc, end_utc = start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE)
    week_start, week_end = billing_week(start_utc)
    owners = Owners()
    with db.read() as s:
        rows = _segments(s, start_utc, end_utc)
        week_rows = _week_segments(s, week_start, week_end)
        _load(s, owners, rows + week_rows)
    views = [_view(g, owners) for g in rows]
    return build_day(day, zone, views, week_start, week_rows, owners)


def totals(
    db: Database, now: datetime, zone: tzinfo = UTC_ZONE
) -> tuple[tuple[ContractTotal, ...], tuple[ContractTotal, ...]]:
    """Today (in `zone`) and this billing week per contract or order."""
    day = now.astimezone(zone).date()
    start, end = day_bounds(day, zone)
    week_start, week_end = billing_week(now)
    owners = Owners()
    with db.read() as s:
        today = _week_segments(s, start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE))
        week = _week_segments(s, week_start, week_end)
        _load(s, owners, today + week)
    return contract_totals(today, owners), contract_totals(week, owners)


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
    owners = Owners()
    items = []
    with db.read() as s:
        rows = _segments(s, week, week + timedelta(days=7))
        _load(s, owners, rows)
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


# The day's shapes live in tracker.daybook (pure); this module reads them from the database.
__all__ = [
    "UTC_ZONE",
    "Cell",
    "ContractTotal",
    "DayView",
    "DiarySegment",
    "HourRow",
    "Precheck",
    "PrecheckItem",
    "day_bounds",
    "day_view",
    "local_zone",
    "parse_day",
    "precheck",
    "totals",
    "zone_name",
]
