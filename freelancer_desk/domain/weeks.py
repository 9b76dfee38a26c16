"""Weeks as stretches of UTC time: local weeks (the rule `report hours` groups by, shared
by services.reports and the CLI's lean path, cli/lean.py) and Upwork's billing week
(`domain.platforms.billing_week` with its rules; here so the lean `track diary` does not
import the platforms' rules). Standard library and `domain.clock` only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from freelancer_desk.domain.clock import ensure_utc

_TICK = timedelta(microseconds=1)
UPWORK_WEEK_STARTS_ON = 0  # Monday, as datetime.weekday() counts (UpworkRules' default)


def billing_week(
    instant: datetime, week_starts_on: int = UPWORK_WEEK_STARTS_ON
) -> tuple[datetime, datetime]:
    """The half-open billing week [start, end) in UTC that contains `instant`."""
    instant = ensure_utc(instant)
    midnight = instant.replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - timedelta(days=(instant.weekday() - week_starts_on) % 7)
    return start, start + timedelta(days=7)


def week_bounds(
    lo: datetime, hi: datetime, zone: tzinfo
) -> list[tuple[date, datetime, datetime]] | None:
    """The weeks (Monday 00:00 in `zone`) meeting [lo, hi) as (Monday, first instant,
    end) in UTC, clipped to [lo, hi); None when a zone's clock change makes a local week
    not one stretch of time (then the caller works the weeks out per segment, or the
    lean path lets the normal path answer)."""
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
