"""Harvest detailed time report (Reports → Detailed time → Export CSV):
  Date, Client, Project, Project Code, Task, Notes, Hours, Hours Rounded, Billable?,
  Invoiced?, Approved?, First Name, Last Name, Roles, Employee?, Billable Rate,
  Billable Amount, Cost Rate, Cost Amount, Currency, External Reference URL
Also exported with `;` between fields and decimal commas (European locales).

Harvest keeps hours per day, not start and end times. Each day's entries of one
person become sessions placed one after another from 09:00 local time (in the order
of the file), so the hours and the day are exact and nothing overlaps.

Columns used:
  Client, Project              -> the key mapped to a contract; Project Code, when it
                                  is a contract's reference, maps it by itself
  Date                         -> the day (local, in the given zone)
  Hours                        -> the length: decimal hours (1,5 with decimal commas)
                                  or 1:30 (the account's hh:mm time format); an entry
                                  of no time (0.00: a timer stopped at once) is skipped
  Notes, Task                  -> the memo
  First Name + Last Name       -> whose time
Not used: Hours Rounded, Billable?, Invoiced?, Approved?, Roles, Employee?, rates and
amounts, Currency, External Reference URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from freelancer_desk.importers.base import (
    Parsed,
    RowError,
    Source,
    TimeEntry,
    cell,
    guess_date_order,
    header_of,
    parse_date,
    parse_decimal,
    parse_duration,
    read_table,
    zone,
)
from freelancer_desk.importers.toggl import key_of, memo_of

KIND = "harvest"
COLUMNS = ("Date", "Client", "Project", "Hours")
DAY_STARTS = time(9, 0)


def detect(source: Source) -> bool:
    header = header_of(source)
    return (
        "hours" in header
        and "project" in header
        and ("billable?" in header or "hours rounded" in header)
    )


def hours_of(text: str, decimal_comma: bool) -> int:
    """Seconds from Harvest's Hours: decimal (2.5, 2,5 in European files) or, with the
    account's "hh:mm" time format, 2:30. Refused when negative or over a day."""
    if not text.strip():
        raise RowError("Hours", "is empty")
    if ":" in text:
        seconds = parse_duration(text, "Hours")
    else:
        hours = parse_decimal(text, "Hours", decimal_comma=decimal_comma)
        if hours < 0:
            raise RowError("Hours", f"{text!r} is negative")
        if hours > 24:
            raise RowError("Hours", f"{text!r} hours in one day")
        seconds = int((hours * 3600).to_integral_value())
    if seconds > 24 * 3600:
        raise RowError("Hours", f"{text!r} hours in one day")
    return seconds


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    tz = zone(options.get("tz"))
    table = read_table(source.text, parsed, COLUMNS)
    if table is None or parsed.issues:
        return parsed
    decimal_comma = table.delimiter == ";"
    order = options.get("date_order") or guess_date_order(
        cell(table, r, "Date") for _, r in table.rows
    )
    cursor: dict[tuple[str, object], datetime] = {}
    for row_no, record in table.rows:
        hours_text = cell(table, record, "Hours")
        try:
            day = parse_date(cell(table, record, "Date"), "Date", order)
            seconds = hours_of(hours_text, decimal_comma)
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        if seconds == 0:
            parsed.warn(row_no, "Hours", f"{hours_text!r}: no time: skipped")
            continue
        user = " ".join(
            p for p in (cell(table, record, "First Name"), cell(table, record, "Last Name")) if p
        )
        start = cursor.get((user, day)) or datetime.combine(day, DAY_STARTS, tz).astimezone(UTC)
        end = start + timedelta(seconds=seconds)
        cursor[(user, day)] = end
        client = cell(table, record, "Client")
        project = cell(table, record, "Project")
        code = cell(table, record, "Project Code")
        parsed.entries.append(
            TimeEntry(
                row=row_no,
                started_at=start,
                ended_at=end,
                key=key_of(client, project),
                memo=memo_of(cell(table, record, "Notes"), cell(table, record, "Task")),
                user=user,
                contract_ref=code or None,
            )
        )
    return parsed
