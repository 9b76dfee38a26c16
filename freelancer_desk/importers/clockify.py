"""Clockify detailed report (Reports → Detailed → Export → CSV):
  Project, Client, Description, Task, User, Group, Email, Tags, Billable, Start Date,
  Start Time, End Date, End Time, Duration (h), Duration (decimal),
  Billable Rate (USD), Billable Amount (USD)
Dates and times follow the user's locale: 06/01/2025 or 01/06/2025 or 01.06.2025, and
12-hour times (09:15:00 AM). The day/month order is guessed from the file (a part over
12) unless given (option date_order = "mdy" / "dmy").

Columns used:
  Client, Project              -> the key mapped to a contract ("Client / Project")
  Start Date + Start Time      -> start, local time in the given zone (default UTC)
  End Date + End Time          -> end (Duration (h) settles a DST night)
  Description, Task, Tags      -> the memo
  User                         -> whose time
Not used: Group, Email, Billable, Duration (decimal), Billable Rate, Billable Amount.
"""

from __future__ import annotations

from typing import Any

from freelancer_desk.importers.base import (
    Parsed,
    Source,
    cell,
    check_overlaps,
    guess_date_order,
    header_of,
    read_table,
    zone,
)
from freelancer_desk.importers.toggl import add_spans

KIND = "clockify"
COLUMNS = ("Project", "Start Date", "Start Time", "End Date", "End Time")


def detect(source: Source) -> bool:
    header = header_of(source)
    return "start date" in header and ("duration (h)" in header or "duration (decimal)" in header)


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    tz = zone(options.get("tz"))
    table = read_table(source.text, parsed, COLUMNS)
    if table is None or parsed.issues:
        return parsed
    order = options.get("date_order") or "auto"
    if order == "auto":
        order = guess_date_order(
            v
            for _, rec in table.rows
            for v in (cell(table, rec, "Start Date"), cell(table, rec, "End Date"))
        )
        if order == "auto":
            order = "mdy"
    add_spans(
        parsed,
        table,
        tz,
        order,
        ("Start Date", "Start Time", "End Date", "End Time", "Duration (h)"),
        duration_optional=True,
    )
    check_overlaps(parsed)
    return parsed
