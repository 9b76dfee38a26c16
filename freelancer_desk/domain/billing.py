"""Billing arithmetic: wall-clock segments, rounding rules, weekly limits, amounts, heartbeats."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.frozen import Frozen
from freelancer_desk.domain.money import Money

SEGMENT_MINUTES = 10
SECONDS_PER_HOUR = 3600


class RoundingMode(StrEnum):
    UP = "up"
    NEAREST = "nearest"  # halves go up
    DOWN = "down"


_CODE_RE = re.compile(r"^(\d+)m-(up|nearest|down)$")


class RoundingRule(Frozen):
    """Round tracked seconds to a unit. `per_segment` rounds each 10-minute wall-clock
    segment on its own (Upwork's way); otherwise the total (a week, an invoice) is
    rounded once, as Toggl, Clockify and Harvest do in their reports.

    Immutable and compared by value, as a frozen dataclass (domain/frozen.py says why
    it is written out)."""

    __slots__ = ("mode", "per_segment", "unit_seconds")
    __match_args__ = ("unit_seconds", "mode", "per_segment")
    unit_seconds: int
    mode: RoundingMode
    per_segment: bool

    def __init__(self, unit_seconds: int, mode: RoundingMode, per_segment: bool = False) -> None:
        if unit_seconds < 1:
            raise RuleError(
                "billing.rounding_unit",
                f"a rounding unit must be at least 1 second, not {unit_seconds}",
                field="rounding",
            )
        object.__setattr__(self, "unit_seconds", unit_seconds)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "per_segment", per_segment)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.unit_seconds, self.mode, self.per_segment) == (
                other.unit_seconds,
                other.mode,
                other.per_segment,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.unit_seconds, self.mode, self.per_segment))

    @classmethod
    def every(cls, minutes: int, mode: RoundingMode) -> RoundingRule:
        """Round the total to `minutes` (1, 6, 15, 30 are the usual choices)."""
        return cls(minutes * 60, mode)

    def apply(self, seconds: int) -> int:
        """`seconds` rounded to the unit; never negative input."""
        if seconds < 0:
            raise RuleError("billing.seconds", f"tracked time {seconds} s is negative")
        units, rest = divmod(seconds, self.unit_seconds)
        if rest and (
            self.mode is RoundingMode.UP
            or (self.mode is RoundingMode.NEAREST and 2 * rest >= self.unit_seconds)
        ):
            units += 1
        return units * self.unit_seconds

    def billable_seconds(self, segment_seconds: Iterable[int]) -> int:
        """Billable seconds for the tracked seconds of a run of segments (e.g. a week)."""
        seconds = list(segment_seconds)
        if self.per_segment:
            return sum(self.apply(s) for s in seconds)
        return self.apply(sum(seconds))

    @property
    def code(self) -> str:
        """A stable text form for storage and the CLI: "upwork" or e.g. "15m-up"."""
        if self == UPWORK_SEGMENTS:
            return "upwork"
        if self.per_segment or self.unit_seconds % 60:
            raise RuleError("billing.rounding_code", f"{self!r} has no text form", field="rounding")
        return f"{self.unit_seconds // 60}m-{self.mode.value}"

    @classmethod
    def from_code(cls, code: str) -> RoundingRule:
        if code == "upwork":
            return UPWORK_SEGMENTS
        match = _CODE_RE.match(code)
        if not match or int(match.group(1)) < 1:
            raise RuleError(
                "billing.rounding_code",
                f"rounding {code!r} is not 'upwork' or like '15m-up', '6m-nearest', '1m-down'",
                field="rounding",
            )
        return cls.every(int(match.group(1)), RoundingMode(match.group(2)))


# Upwork bills 10-minute segments; a partial segment (the tracker started or stopped
# inside it) counts its whole minutes, so no second that was not worked is billed.
UPWORK_SEGMENTS = RoundingRule(60, RoundingMode.DOWN, per_segment=True)


# -- segments ------------------------------------------------------------------------


def segment_start(instant: datetime, minutes: int = SEGMENT_MINUTES) -> datetime:
    """The start of the wall-clock segment holding `instant` (:00, :10, … :50 UTC)."""
    instant = ensure_utc(instant)
    minute_of_day = instant.hour * 60 + instant.minute
    start_minute = minute_of_day - minute_of_day % minutes
    return instant.replace(
        hour=start_minute // 60, minute=start_minute % 60, second=0, microsecond=0
    )


class SegmentSlice(Frozen):
    """The part of an interval that falls in one wall-clock segment (immutable, compared
    by value)."""

    __slots__ = ("seconds", "segment_start")
    __match_args__ = ("segment_start", "seconds")
    segment_start: datetime
    seconds: int

    def __init__(self, segment_start: datetime, seconds: int) -> None:
        object.__setattr__(self, "segment_start", segment_start)
        object.__setattr__(self, "seconds", seconds)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.segment_start, self.seconds) == (other.segment_start, other.seconds)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.segment_start, self.seconds))


def split_into_segments(
    start: datetime, end: datetime, minutes: int = SEGMENT_MINUTES
) -> list[SegmentSlice]:
    """Split [start, end) into wall-clock segments with the seconds in each.

    Both ends are floored to the whole second first, so the slices' seconds always add
    up to the interval's whole seconds: nothing is lost or counted twice between slots.
    """
    start = ensure_utc(start).replace(microsecond=0)
    end = ensure_utc(end).replace(microsecond=0)
    if end < start:
        raise RuleError(
            "billing.interval",
            f"interval ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            field="ended_at",
        )
    slices: list[SegmentSlice] = []
    # An empty interval has no slices, not a zero-second one in the segment holding it.
    slot = segment_start(start, minutes) if start < end else end
    step = timedelta(minutes=minutes)
    while slot < end:
        slot_end = slot + step
        seconds = int((min(end, slot_end) - max(start, slot)).total_seconds())
        slices.append(SegmentSlice(slot, seconds))
        slot = slot_end
    return slices


def activity_level(active_minutes: Sequence[bool], minutes: int = SEGMENT_MINUTES) -> int:
    """Activity level of a segment: how many of its minutes had input (0 to 10)."""
    if len(active_minutes) > minutes:
        raise RuleError(
            "billing.activity_minutes",
            f"a segment has {minutes} minutes, not {len(active_minutes)}",
            field="activity",
        )
    return sum(1 for active in active_minutes if active)


# -- weekly limit ----------------------------------------------------------------------


def within_weekly_limit(segment_seconds: Sequence[int], limit_seconds: int | None) -> list[int]:
    """Seconds of each segment (in time order) that fit under the weekly limit.

    The earliest time is billed first; the segment that crosses the limit keeps the part
    under it. None means the contract has no limit.
    """
    if limit_seconds is None:
        return list(segment_seconds)
    # Here, not at the top: the contract rules (and their state machine) are not needed
    # to import billing, which the CLI's lean `track diary` does.
    from freelancer_desk.domain.workflow.contract import ContractKind, check_weekly_limit

    check_weekly_limit(limit_seconds, ContractKind.HOURLY)
    room = limit_seconds
    within: list[int] = []
    for seconds in segment_seconds:
        billed = min(seconds, room)
        within.append(billed)
        room -= billed
    return within


def over_weekly_limit(segment_seconds: Sequence[int], limit_seconds: int | None) -> list[bool]:
    """Which segments (in time order) hold time over the weekly limit, not to be invoiced."""
    within = within_weekly_limit(segment_seconds, limit_seconds)
    return [fit < seconds for fit, seconds in zip(within, segment_seconds, strict=True)]


# -- amounts -----------------------------------------------------------------------------


def bill_amount(billable_seconds: int, hourly_rate: Money) -> Money:
    """`billable_seconds` at `hourly_rate` (minor units per hour), rounded half-up once.

    Integer arithmetic throughout: bill a week's total, not each segment, so sub-cent
    parts are not rounded away segment by segment.
    """
    if billable_seconds < 0 or hourly_rate.is_negative:
        raise RuleError(
            "billing.amount",
            "billable time and hourly rate cannot be negative",
            field="rate" if hourly_rate.is_negative else "seconds",
        )
    numerator = billable_seconds * hourly_rate.amount
    return Money((2 * numerator + SECONDS_PER_HOUR) // (2 * SECONDS_PER_HOUR), hourly_rate.currency)


# -- heartbeats --------------------------------------------------------------------------


class Heartbeat(Frozen):
    """An observation that lasted `duration` from `timestamp` with some `data` (the
    session, whether the user was active); consecutive equal ones merge into one.
    Immutable and compared by value (hashable when `data` is)."""

    __slots__ = ("data", "duration", "timestamp")
    __match_args__ = ("timestamp", "duration", "data")
    timestamp: datetime
    duration: timedelta
    data: Mapping[str, str | int | bool]

    def __init__(
        self, timestamp: datetime, duration: timedelta, data: Mapping[str, str | int | bool]
    ) -> None:
        object.__setattr__(self, "timestamp", ensure_utc(timestamp))
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "data", data)
        if duration < timedelta(0):
            raise RuleError("billing.heartbeat", "a heartbeat cannot last a negative time")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.timestamp, self.duration, self.data) == (
                other.timestamp,
                other.duration,
                other.data,
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.timestamp, self.duration, self.data))

    @property
    def end(self) -> datetime:
        return self.timestamp + self.duration


def heartbeat_merge(
    last: Heartbeat, heartbeat: Heartbeat, pulsetime: timedelta
) -> Heartbeat | None:
    """`last` stretched to cover `heartbeat`, or None when they must stay apart.

    They merge when the data is equal and `heartbeat` starts no earlier than `last` and
    no later than `pulsetime` after `last` ends (as ActivityWatch's heartbeat_merge).
    A heartbeat from before `last` — the wall clock went back — never merges, so a clock
    change cannot shrink or stretch recorded time.
    """
    if last.data != heartbeat.data:
        return None
    if not last.timestamp <= heartbeat.timestamp <= last.end + pulsetime:
        return None
    return Heartbeat(last.timestamp, max(last.end, heartbeat.end) - last.timestamp, last.data)
