"""Local weeks as stretches of UTC time: the rule `report hours` groups by, shared by
services.reports and the CLI's lean path (cli/lean.py). Standard library only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

_TICK = timedelta(microseconds=1)


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
