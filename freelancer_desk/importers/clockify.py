"""Clockify detailed report (Reports → Detailed → Export → CSV):
  Project, Client, Description, Task, User, Group, Email, Tags, Billable, Start Date,
  Start Time, End Date, End Time, Duration (h), Duration (decimal),
  Billable Rate (USD), Billable Amount (USD)
Dates and times follow the user's locale: 06/01/2025 or 01/06/2025 or 01.06.2025, and
12-hour times (09:15:00 AM). The day/month order is guessed from the file (a part over
12) unless given (option date_order = "mdy" / "dmy"); when no date tells, month first,
with a warning. "Duration (h)" is 01:30:00 or, with the decimal duration format, 1.50;
a file without it uses "Duration (decimal)". An entry with no end and no duration (a
timer still running) is reported and skipped. A summary report ("Time (h)" totals, no
start times) is refused by name; an .xlsx export is refused as not CSV.

Columns used:
  Client, Project              -> the key mapped to a contract ("Client / Project")
  Start Date + Start Time      -> start, local time in the given zone (default UTC)
  End Date + End Time          -> end (Duration (h) settles a DST night; without an
                                  end, start + duration)
  Description, Task, Tags      -> the memo
  User                         -> whose time
Not used: Group, Email, Billable, Duration (decimal), Billable Rate, Billable Amount.
"""

from __future__ import annotations

from typing import Any

from freelancer_desk.importers.base import Parsed, Source, header_of
from freelancer_desk.importers.toggl import SpanColumns, parse_spans

KIND = "clockify"
COLUMNS = SpanColumns(
    start_date=("Start Date",),
    start_time=("Start Time",),
    end_date=("End Date", "Stop Date"),
    end_time=("End Time", "Stop Time"),
    duration=("Duration (h)", "Duration (decimal)", "Duration"),
)


def detect(source: Source) -> bool:
    header = header_of(source)
    return "start date" in header and ("duration (h)" in header or "duration (decimal)" in header)


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    return parse_spans(source, options, KIND, COLUMNS, "Clockify")
