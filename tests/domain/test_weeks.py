"""domain.weeks.week_bounds: local weeks as UTC stretches, clipped to the range asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from freelancer_desk.domain.weeks import week_bounds

RANGES = [
    (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
    (datetime(2024, 3, 20, 13, tzinfo=UTC), datetime(2024, 11, 5, 7, 10, tzinfo=UTC)),
]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Asia/Kolkata", "America/New_York"])
def test_weeks_cover_the_range_monday_to_monday_in_the_zone(zone):
    tz = UTC if zone == "UTC" else ZoneInfo(zone)
    for lo, hi in RANGES:
        weeks = week_bounds(lo, hi, tz)
        assert weeks is not None
        assert weeks[0][1] == lo and weeks[-1][2] == hi
        for (monday, begin, end), following in zip(weeks, [*weeks[1:], None], strict=True):
            assert monday.weekday() == 0 and begin < end
            assert monday <= begin.astimezone(tz).date() < monday + timedelta(days=7)
            if following is not None:
                assert following[1] == end  # no gap, no overlap
                assert following[0] == monday + timedelta(days=7)
                assert end.astimezone(tz).replace(tzinfo=None) == datetime.combine(
                    following[0], datetime.min.time()
                )


def test_an_empty_range_has_no_weeks():
    at = datetime(2025, 6, 11, tzinfo=UTC)
    assert week_bounds(at, at, UTC) == []
