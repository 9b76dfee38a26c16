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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import String, bindparam, cast, func, select, type_coerce
from sqlalchemy.orm import Session

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week, diary_lock_at
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Order, Segment, Snapshot, TrackedDay
from freelancer_desk.tracker.daybook import (
    UTC_ZONE,
    Cell,
    ContractFacts,
    ContractTotal,
    DayView,
    DiarySegment,
    HourRow,
    OrderFacts,
    Owner,
    Owners,
    build_day,
    contract_totals,
    day_bounds,
    local_zone,
    summed_totals,
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


def _load(s: Session, owners: Owners, pairs: Iterable[tuple[Any, Any]]) -> None:
    """Read into `owners` the contracts and orders of these (contract_id, order_id)
    pairs (UUIDs or None) it does not hold yet."""
    pairs = set(pairs)
    cids: set[uuid.UUID | None] = {c for c, _ in pairs}
    oids: set[uuid.UUID | None] = {o for _, o in pairs}
    cids.discard(None)
    oids.discard(None)
    cids -= owners.contracts.keys()
    oids -= owners.orders.keys()
    if cids:
        for c in s.connection().execute(_CONTRACTS, {"ids": list(cids)}):
            owners.contracts[c.id] = c
    if oids:
        for o in s.connection().execute(_ORDERS, {"ids": list(oids)}):
            owners.orders[o.id] = o


def _pairs(rows: Iterable[Any]) -> list[tuple[Any, Any]]:
    """The (contract_id, order_id) of rows whose ids are UUIDs (or None)."""
    return [(g.contract_id, g.order_id) for g in rows]


def _uuid(raw: Any) -> uuid.UUID | None:
    """An id as `_segments` reads it (as stored: hex text on SQLite) made a UUID."""
    if raw is None or isinstance(raw, uuid.UUID):
        return raw
    return uuid.UUID(raw)


def _ids(rows: Iterable[Any]) -> dict[tuple[Any, Any], tuple[uuid.UUID | None, uuid.UUID | None]]:
    """`_segments`' (contract_id, order_id) pairs, as stored, to UUIDs: a UUID is made
    once per contract met, not per row (~2 us each, and a UUID hashes in Python)."""
    pairs = {(g.contract_id, g.order_id) for g in rows}
    return {pair: (_uuid(pair[0]), _uuid(pair[1])) for pair in pairs}


_SEGMENT_COLUMNS = (
    Segment.id,
    Segment.slot_start,
    type_coerce(Segment.contract_id, String).label("contract_id"),  # as stored: see _ids
    type_coerce(Segment.order_id, String).label("order_id"),
    Segment.tracked_seconds,
    Segment.active_minutes,
    Segment.activity,
    Segment.memo,
    Segment.manual,
    Segment.idle,
    Segment.over_limit,
    Segment.deleted,
    Segment.snapshot_missing,
    Snapshot.path.label("snap_path"),
    Snapshot.thumb_path.label("snap_thumb"),
    Snapshot.removed_at.label("snap_removed_at"),
    Snapshot.removed_reason.label("snap_removed_reason"),
    Snapshot.device_id.label("snap_device"),  # never NULL: None when no snapshot
)


def _segments(s: Session, start: datetime, end: datetime) -> list[Any]:
    """The segments in [start, end) with their snapshot's metadata: one query of plain
    rows (attributes named as the columns, the snapshot's prefixed snap_; contract_id
    and order_id as stored, for `_ids`)."""
    return list(s.connection().execute(_DAY, {"lo": start, "hi": end}).all())


def _week_segments(s: Session, start: datetime, end: datetime) -> list[Any]:
    """What a week's totals need of its live segments, in the order `_segments` gives."""
    return list(s.connection().execute(_WEEK, {"lo": start, "hi": end}).all())


def _sums(s: Session, owners: Owners, start: datetime, end: datetime) -> list[Any] | None:
    """The live segments' sums per contract or order over [start, end) from
    `tracked_days` (a few dozen rows for a week, not its ~650 segments), their contracts
    and orders read into `owners`; None unless [start, end) is whole UTC days — what the
    summary holds. (It counts a segment under its contract or order: every segment has
    one, its session's — time_sessions' one_target check.)"""
    start, end = start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE)
    if start.time() != _MIDNIGHT or end.time() != _MIDNIGHT:
        return None
    sums = list(s.connection().execute(_SUMS, {"first": start.date(), "end": end.date()}))
    for g in sums:
        if g.c_title is not None:  # a contract's title is never NULL: the contract is there
            owners.contracts[g.contract_id] = ContractFacts(g.contract_id, *g[_FACTS])
        if g.o_title is not None:
            owners.orders[g.order_id] = OrderFacts(g.order_id, g.o_title, g.o_snapshot_policy)
    return sums


def _span_totals(
    s: Session, owners: Owners, start: datetime, end: datetime, sums: list[Any] | None
) -> tuple[ContractTotal, ...]:
    """`contract_totals` of the segments in [start, end): from `sums` (`_sums`, their
    contracts and orders already in `owners`) and the within-limit seconds of its hourly
    contracts, or, without sums or when two totals tie, from the segments themselves."""
    if sums is not None:
        hourly = [g.contract_id for g in sums if g.contract_id and owners.hourly(g.contract_id)]
        worked: dict[Any, dict[int, int]] = {}
        if hourly:
            params = {"ids": hourly, "lo": start, "hi": end}
            for cid, seconds in s.connection().execute(_WORKED, params):
                worked[cid] = Counter(map(int, seconds.split(",")))
        totals = summed_totals(sums, worked, owners)
        if totals is not None:
            return totals
    rows = _week_segments(s, start, end)
    _load(s, owners, _pairs(rows))
    return contract_totals(rows, owners)


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
_MIDNIGHT = time(0)
_DAY_SUMS = (
    select(
        TrackedDay.contract_id,
        TrackedDay.order_id,
        func.sum(TrackedDay.tracked_seconds).label("seconds"),
        func.sum(TrackedDay.manual_seconds).label("manual_seconds"),
        func.sum(TrackedDay.over_limit_seconds).label("over_limit_seconds"),
    )
    .where(TrackedDay.day >= bindparam("first"), TrackedDay.day < bindparam("end"))
    .group_by(TrackedDay.target_id, TrackedDay.contract_id, TrackedDay.order_id)
    .subquery()
)
_FACTS = slice(5, 4 + len(_CONTRACT_COLUMNS))  # a _SUMS row's c_ columns
# The sums with their contract's or order's facts (`_load`'s columns but the id, prefixed
# c_ / o_): the week's owners come with it, not in two more statements.
_SUMS = select(
    *_DAY_SUMS.c,
    *(column.label(f"c_{column.key}") for column in _CONTRACT_COLUMNS[1:]),
    Order.title.label("o_title"),
    Order.snapshot_policy.label("o_snapshot_policy"),
).select_from(
    _DAY_SUMS.outerjoin(Contract, Contract.id == _DAY_SUMS.c.contract_id).outerjoin(
        Order, Order.id == _DAY_SUMS.c.order_id
    )
)
# Per hourly contract, its live segments' seconds within the limit (their worth is
# rounded one by one) as one text "600,540,…": a row per contract, not per segment, off
# the index (contract_id, slot_start, deleted, tracked_seconds) and the rows' over_limit.
_WORKED = (
    select(
        Segment.contract_id,
        func.aggregate_strings(cast(Segment.tracked_seconds, String), ","),
    )
    .where(
        Segment.contract_id.in_(bindparam("ids", expanding=True)),
        *_IN_SLOTS,
        ~Segment.deleted,
        ~Segment.over_limit,
    )
    .group_by(Segment.contract_id)
)
_CONTRACTS = select(*_CONTRACT_COLUMNS).where(Contract.id.in_(bindparam("ids", expanding=True)))
_ORDERS = select(Order.id, Order.title, Order.snapshot_policy).where(
    Order.id.in_(bindparam("ids", expanding=True))
)


def _views(rows: Iterable[Any], owners: Owners, ids: dict[Any, Any]) -> list[DiarySegment]:
    """`_segments`' rows as DiarySegments (`ids`: `_ids` of the rows, their contracts
    and orders in `owners`); each (contract, order) pair's title, policy and worth
    looked up once."""
    met: dict[tuple[Any, Any], tuple[Any, Any, Owner]] = {}
    views = []
    for (
        sid,
        slot,
        c,
        o,
        seconds,
        active,
        activity,
        memo,
        manual,
        idle,
        over,
        deleted,
        missing,
        path,
        thumb,
        removed_at,
        removed_reason,
        device,
    ) in rows:
        known = met.get((c, o))
        if known is None:
            cid, oid = ids[c, o]
            known = met[c, o] = (cid, oid, owners.owner(cid, oid))
        cid, oid, owner = known
        has_snap = device is not None
        present = has_snap and removed_at is None and bool(path)
        views.append(
            DiarySegment(
                sid,
                slot,
                cid,
                oid,
                owner.title,
                seconds,
                active,
                tuple(activity or ()),
                memo,
                manual,
                idle,
                over,
                deleted,
                missing,
                path if present else None,
                thumb or None if present else None,
                owner.policy,
                removed_reason if has_snap else None,
                owner.value(seconds, deleted, over),
                device if has_snap else None,
            )
        )
    return views


def day_view(db: Database, day: date, zone: tzinfo = UTC_ZONE) -> DayView:
    """The Work Diary of `day` in `zone`: every hour, six cells each, and the totals of
    the day and of the billing week that holds it."""
    start, end = day_bounds(day, zone)
    start_utc, end_utc = start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE)
    week_start, week_end = billing_week(start_utc)
    owners = Owners()
    with db.read() as s:
        rows = _segments(s, start_utc, end_utc)
        ids = _ids(rows)
        sums = _sums(s, owners, week_start, week_end)
        _load(s, owners, ids.values())  # the day's owners not met in the week, if any
        week_totals = _span_totals(s, owners, week_start, week_end, sums)
    views = _views(rows, owners, ids)
    return build_day(day, zone, views, week_start, week_totals, owners)


def totals(
    db: Database, now: datetime, zone: tzinfo = UTC_ZONE
) -> tuple[tuple[ContractTotal, ...], tuple[ContractTotal, ...]]:
    """Today (in `zone`) and this billing week per contract or order."""
    day = now.astimezone(zone).date()
    start, end = day_bounds(day, zone)
    week_start, week_end = billing_week(now)
    owners = Owners()
    with db.read() as s:
        today_sums = _sums(s, owners, start, end)  # UTC only: other zones' days are no UTC days
        week_sums = _sums(s, owners, week_start, week_end)
        today = _span_totals(s, owners, start, end, today_sums)
        week = _span_totals(s, owners, week_start, week_end, week_sums)
    return today, week


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
        ids = _ids(rows)
        _load(s, owners, ids.values())
    for g in _views(rows, owners, ids):
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
            items.append(PrecheckItem(g, tuple(reasons)))
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
