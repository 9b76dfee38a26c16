"""The Work Diary's day built from plain rows: the rules `tracker.diary` (over
SQLAlchemy) and the CLI's lean path (`cli/lean.py`, over `sqlite3`) share. It imports
neither SQLAlchemy nor storage (import-linter checks it), so the lean path stays light.

- `Owners`: the titles, rates, rounding and limits of the contracts and orders met, as
  plain rows (`ContractFacts`/`OrderFacts` attributes); a segment's title, snapshot
  policy and worth at its hourly contract's rate and rounding (`Owners.owner`: once
  per contract/order pair; `segment_worth`: once per rule, rate and length).
- `contract_totals`: per contract or order, the live segments' time and worth;
  `summed_totals`: the same from sums per contract or order (`tracked_days`) and the
  hourly contracts' seconds, or None when the order would need the segments.
- `day_hours`: every hour of a day in a zone, six 10-minute cells each, a segment in the
  cell of its local slot; `Cell.main` the segment a cell shows.
- `build_day`: the `DayView` of a day from its segments and its billing week's totals.

The day's types are NamedTuples, not frozen dataclasses: as immutable, ~1 ms each less
to define at import (a lean `track diary` starts in ~60 ms).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard
from zoneinfo import ZoneInfo

from freelancer_desk.domain.billing import (
    SEGMENT_MINUTES,
    UPWORK_SEGMENTS,
    RoundingRule,
    bill_amount,
)
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money

if TYPE_CHECKING:
    import uuid  # not at run time: the lean path does not import it for `report hours`

UTC_ZONE = ZoneInfo("UTC")
CELLS_PER_HOUR = 60 // SEGMENT_MINUTES


# plain_local_zone's answer (None: ask tzlocal), worked out once as tzlocal keeps its own
_plain_zone: list[tzinfo | None] = []


def local_zone() -> tzinfo:
    """The system's time zone (TZ or /etc/localtime), UTC when it cannot be told:
    tzlocal's answer — read here in the plain case (`plain_local_zone`), as tzlocal and
    the logging it loads cost a lean `track diary` ~10 ms."""
    if not _plain_zone:
        _plain_zone.append(plain_local_zone())
    if _plain_zone[0] is not None:
        return _plain_zone[0]
    try:
        from tzlocal import get_localzone

        zone: tzinfo = get_localzone()
        return zone
    except Exception:  # no zone configured, or tzlocal missing
        return UTC_ZONE


_ZONEINFO = "/usr/share/zoneinfo/"


def plain_local_zone(root: str = "/") -> tzinfo | None:
    """tzlocal.get_localzone() where it has one answer without doubt, else None: Linux, no
    TZ, no setting tzlocal reads but /etc/localtime — a link into /usr/share/zoneinfo
    (the first folder of zoneinfo's search path) — and /etc/timezone naming the same zone
    if it exists, and (under "/") that zone's offset now the C library's (where tzlocal
    would warn). `root` stands for "/" as tzlocal's `_root` does (the tests)."""
    from zoneinfo import TZPATH, ZoneInfo

    if not sys.platform.startswith("linux") or os.environ.get("TZ"):
        return None
    if TZPATH[:1] != (_ZONEINFO.rstrip("/"),):
        return None
    others = ("system/bin/getprop", "var/db/zoneinfo", "etc/sysconfig/clock", "etc/conf.d/clock")
    if any(os.path.lexists(os.path.join(root, other)) for other in others):
        return None
    link = os.path.join(root, "etc/localtime")
    if not os.path.islink(link):
        return None
    real = os.path.realpath(link)
    if not real.startswith(_ZONEINFO) or not os.path.isfile(real):
        return None
    name = real[len(_ZONEINFO) :]
    # tzlocal tries the link's path from its first folder on: none but `name` may be a
    # zone (e.g. /usr/share/zoneinfo/usr/share/zoneinfo/Europe/Berlin)
    parts = real.strip("/").split("/")
    longer = ["/".join(parts[i:]) for i in range(len(parts) - name.count("/") - 1)]
    if any(os.path.lexists(os.path.join(d, key)) for d in TZPATH for key in longer):
        return None
    try:
        with open(os.path.join(root, "etc/timezone"), encoding="ascii") as f:
            named = f.read().strip("/ \t\r\n")
    except FileNotFoundError:
        named = ""
    except (OSError, ValueError):
        return None
    if named and named != name:
        return None  # another name, a comment or several lines: tzlocal decides
    zone = ZoneInfo(name)
    if root == "/":
        from time import localtime

        offset = datetime.now(zone).utcoffset()
        if offset is None or abs(offset.total_seconds() - localtime().tm_gmtoff) > 60:
            return None
    return zone


def zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


class DiarySegment(NamedTuple):
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


class Cell(NamedTuple):
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


class HourRow(NamedTuple):
    start: datetime  # in the view's zone
    cells: tuple[Cell, ...]

    @property
    def tracked_seconds(self) -> int:
        return sum(c.tracked_seconds for c in self.cells)


class ContractTotal(NamedTuple):
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


class DayView(NamedTuple):
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


class ContractFacts(NamedTuple):
    """What the diary reads of a contract (the columns `tracker.diary` selects)."""

    id: uuid.UUID
    title: str
    kind: str
    platform: str
    currency: str
    hourly_rate_minor: int | None
    rounding_rule: str
    snapshot_policy: str
    weekly_limit_minutes: int | None


class OrderFacts(NamedTuple):
    id: uuid.UUID
    title: str
    snapshot_policy: str


class Owner:
    """What the segments of one contract or order take from it: its title, snapshot
    policy and, on an hourly contract, their worth (`Owners.owner` makes one per pair
    met, so a day's rows look each up once)."""

    __slots__ = ("amounts", "currency", "policy", "terms", "title")

    def __init__(self, owners: Owners, contract_id: Any, order_id: Any) -> None:
        contract = owners.contracts.get(contract_id) if contract_id else None
        order = owners.orders.get(order_id) if order_id else None
        owner = contract if contract is not None else order
        self.title = "?" if owner is None else str(owner.title)
        self.policy = None if owner is None else str(owner.snapshot_policy)
        self.currency: str | None = None
        if _hourly(contract):
            self.currency = contract.currency
            self.terms = _terms(contract)
            self.amounts: dict[int, Money] = {}

    def value(self, seconds: int, deleted: bool, over_limit: bool) -> Money | None:
        """A segment's worth at the hourly contract's rate and rounding: zero when deleted
        or over the limit, None off hourly contracts."""
        if self.currency is None:
            return None
        if deleted or over_limit:
            return Money(0, self.currency)
        worth = self.amounts.get(seconds)
        if worth is None:
            worth = self.amounts[seconds] = Money(
                segment_worth(*self.terms, seconds), self.currency
            )
        return worth


class Owners:
    """Titles, rates and policies of the contracts and orders met, loaded once (plain
    rows with `ContractFacts`' / `OrderFacts`' attributes, no ORM objects). A segment
    `g` is any object with contract_id, order_id, tracked_seconds, deleted and
    over_limit. (A plain class: a dataclass costs the lean path's start ~1 ms.)"""

    __slots__ = ("_owners", "contracts", "orders")

    def __init__(self) -> None:
        self.contracts: dict[uuid.UUID, Any] = {}
        self.orders: dict[uuid.UUID, Any] = {}
        self._owners: dict[tuple[Any, Any], Owner] = {}

    def owner(self, contract_id: Any, order_id: Any) -> Owner:
        """The `Owner` of segments with these ids (their contracts and orders loaded)."""
        owner = self._owners.get((contract_id, order_id))
        if owner is None:
            owner = self._owners[contract_id, order_id] = Owner(self, contract_id, order_id)
        return owner

    def title(self, g: Any) -> str:
        return self.owner(g.contract_id, g.order_id).title

    def value(self, g: Any) -> Money | None:
        """The segment's worth at its hourly contract's rate and rounding: zero when
        deleted or over the limit, None off hourly contracts."""
        return self.owner(g.contract_id, g.order_id).value(
            g.tracked_seconds, g.deleted, g.over_limit
        )

    def hourly(self, contract_id: uuid.UUID) -> bool:
        """Whether the contract's segments have a worth (`value`)."""
        return _hourly(self.contracts.get(contract_id))

    def policy(self, g: Any) -> str | None:
        return self.owner(g.contract_id, g.order_id).policy


def contract_totals(rows: Iterable[Any], owners: Owners) -> tuple[ContractTotal, ...]:
    """Per contract or order, the live rows' time (and value, summed in minor units);
    `rows` are DiarySegments or plain rows with contract_id, order_id, tracked_seconds,
    manual, over_limit and deleted."""
    grouped: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[Any]] = {}
    for g in rows:
        if g.deleted:
            continue
        key = (g.contract_id, g.order_id)
        sums = grouped.get(key)
        if sums is None:  # seconds, manual, over the limit, value, currency, title
            contract = owners.contracts.get(g.contract_id) if g.contract_id else None
            currency, terms = None, None
            if _hourly(contract):
                # rule, rate, currency: a row's worth is segment_worth's, worked out here
                # per rounded length (a row at a time: the cold lean path has every
                # length of a week to look up, a few per rounded length)
                code, rate, currency = _terms(contract)
                terms = (rounding_rule(code), rate, currency)
            sums = grouped[key] = [0, 0, 0, 0, currency, owners.title(g), terms]
        seconds = g.tracked_seconds
        sums[0] += seconds
        if g.manual:
            sums[1] += seconds
        if g.over_limit:
            sums[2] += seconds
        elif sums[4] is not None:
            rule, rate, currency = sums[6]
            sums[3] += _billed(rate, currency, rule.apply(seconds))
    out = []
    for (cid, oid), (seconds, manual, over, value, currency, title, *_) in grouped.items():
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


def summed_totals(
    sums: Iterable[Any], worked: dict[Any, dict[int, int]], owners: Owners
) -> tuple[ContractTotal, ...] | None:
    """`contract_totals` of a span's live segments, from their sums per contract or order
    instead of the segments: `sums` are rows with contract_id, order_id, seconds,
    manual_seconds and over_limit_seconds (one per group, as `tracked_days` adds them
    up); `worked[contract_id]` counts an hourly contract's live segments within the
    limit per tracked seconds (their worth is rounded one by one). None when two totals
    tie on time and title: `contract_totals` orders those by their first segment, which
    sums do not tell."""
    out = []
    for g in sums:
        contract = owners.contracts.get(g.contract_id) if g.contract_id else None
        value = None
        if _hourly(contract):
            code, rate, currency = _terms(contract)
            minor = 0
            for seconds, count in worked.get(g.contract_id, {}).items():
                minor += segment_worth(code, rate, currency, seconds) * count
            value = Money(minor, currency)
        out.append(
            ContractTotal(
                g.contract_id,
                g.order_id,
                owners.title(g),
                g.seconds,
                g.manual_seconds,
                g.over_limit_seconds,
                contract.weekly_limit_minutes if contract else None,
                value,
            )
        )
    out.sort(key=lambda t: (-t.seconds, t.title))
    for a, b in pairwise(out):
        if a.seconds == b.seconds and a.title == b.title:
            return None
    return tuple(out)


@lru_cache(maxsize=64)
def rounding_rule(code: str) -> RoundingRule:
    """A contract's rounding rule; Upwork's for a code not known (an estimate beats
    none)."""
    try:
        return RoundingRule.from_code(code)
    except RuleError:
        return UPWORK_SEGMENTS


@lru_cache(maxsize=8192)
def segment_worth(rounding: str, rate_minor: int, currency: str, seconds: int) -> int:
    """What one segment of `seconds` is worth, in minor units, on an hourly contract with
    this rounding code (`rounding_rule`) and rate: its seconds rounded on their own, as
    Upwork does per 10-minute segment. Pure, so kept: a workspace holds a few hundred
    (rule, rate, length) and every diary day and total asks for them again (~0.2 us a
    look-up); a process's first call pays one `_billed` per rounded length and rate."""
    return _billed(rate_minor, currency, rounding_rule(rounding).apply(seconds))


@lru_cache(maxsize=4096)
def _billed(rate_minor: int, currency: str, billable: int) -> int:
    return bill_amount(billable, Money(rate_minor, currency)).amount


def _terms(contract: Any) -> tuple[str, int, str]:
    """An hourly contract's `segment_worth` arguments but the seconds."""
    return contract.rounding_rule, contract.hourly_rate_minor, contract.currency


def _hourly(contract: Any) -> TypeGuard[Any]:
    """Whether a contract's segments have a worth (Owners.value, contract_totals)."""
    return (
        contract is not None
        and contract.hourly_rate_minor is not None
        and contract.kind == "hourly"
    )


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def day_hours(
    views: Sequence[DiarySegment], start_utc: datetime, end_utc: datetime, zone: tzinfo
) -> tuple[HourRow, ...]:
    """Every hour in [start_utc, end_utc) (23 or 25 on a clock change), six cells each;
    a segment goes to the cell of its 10-minute slot in `zone` (in the order given)."""
    by_cell: dict[datetime, list[DiarySegment]] = {}
    for v in views:
        local = v.slot_start.astimezone(zone)
        key = local.replace(minute=local.minute - local.minute % SEGMENT_MINUTES)
        by_cell.setdefault(key.astimezone(UTC_ZONE), []).append(v)
    hours = []
    hour = start_utc
    while hour < end_utc:
        cells = []
        for step in _CELL_STEPS:
            at = hour + step
            held = by_cell.get(at)
            cells.append(Cell(at.astimezone(zone), tuple(held) if held else ()))
        hours.append(HourRow(hour.astimezone(zone), tuple(cells)))
        hour += _HOUR
    return tuple(hours)


_CELL_STEPS = tuple(timedelta(minutes=SEGMENT_MINUTES * i) for i in range(CELLS_PER_HOUR))
_HOUR = timedelta(hours=1)


def build_day(
    day: date,
    zone: tzinfo,
    views: Sequence[DiarySegment],
    week_start: datetime,
    week_totals: tuple[ContractTotal, ...],
    owners: Owners,
) -> DayView:
    """The Work Diary of `day` in `zone` from its segments (`views`, in slot order) and
    the totals of the billing week from `week_start` (`contract_totals` of its rows, or
    `summed_totals`)."""
    start, end = day_bounds(day, zone)
    return DayView(
        day,
        zone_name(zone),
        start,
        end,
        day_hours(views, start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE), zone),
        contract_totals(views, owners),
        week_start,
        week_totals,
    )
