"""cli/text.py: the report and diary lines both CLI paths print, checked against literal
text (the lean/normal comparisons in test_lean.py cannot see a change both share)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from freelancer_desk.cli import text


class Hours(NamedTuple):
    week_start: date
    tracked_seconds: int
    title: str


def test_hours_lines():
    rows = [
        Hours(date(2025, 6, 9), 3600 * 12 + 60 * 5 + 59, "Payments migration #535"),
        Hours(date(2025, 6, 9), 59, "Tiny"),
        Hours(date(2025, 6, 16), 3600 * 1234, "Long haul"),
    ]
    assert text.hours_lines(rows) == [
        "2025-06-09   12:05  Payments migration #535",
        "2025-06-09    0:00  Tiny",
        "2025-06-16  1234:00  Long haul",
    ]
    assert text.hours_lines([]) == [text.NOTHING_IN_PERIOD]


def test_hm():
    assert [text.hm(s) for s in (0, 59, 60, 3599, 3600, 36000 + 61, -5)] == [
        "0:00",
        "0:00",
        "0:01",
        "0:59",
        "1:00",
        "10:01",
        "0:00",
    ]
