"""Toggl Track detailed report (Reports → Detailed → Export CSV), with a byte-order mark:
  User, Email, Client, Project, Task, Description, Billable, Start date, Start time,
  End date, End time, Duration, Tags, Amount (USD)
The amount's currency follows the workspace ("Amount (EUR)", or "Amount ()" with none);
dates and times follow the user's preferences (2025-06-02, 06/02/2025, 02.06.2025,
09:00:00 or 09:00 AM). Toggl's own CSV import layout (Email, Project, Description,
Start date, Start time, Duration: no end) is read too, the end being start + duration;
"Member" and "Stop date"/"Stop time" are taken for "User" and "End date"/"End time".
A summary report (totals per project, no start times) is refused by name.

Columns used:
  Client, Project              -> the key mapped to a contract ("Client / Project")
  Start date + Start time      -> start, local time in the given zone (default UTC);
                                  the day/month order is guessed from the file
  End date + End time          -> end; on a DST night the reading that agrees with
  Duration                        Duration wins; an end before the start is refused
  Description, Task, Tags      -> the session's memo
  User                         -> whose time (each user is its own import device)
Not used: Email, Billable, Amount (USD): rates come from the contract.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from freelancer_desk.importers.base import (
    Parsed,
    RowError,
    Source,
    Table,
    TimeEntry,
    check_overlaps,
    contract_ref_in,
    guess_date_order,
    header_of,
    local_instant,
    local_span,
    parse_date,
    parse_duration,
    parse_time,
    read_table,
    zone,
)

KIND = "toggl"


@dataclass(frozen=True)
class SpanColumns:
    """Where a detailed time report keeps each part of an entry: every field lists the
    header names it goes by (first found wins)."""

    start_date: tuple[str, ...]
    start_time: tuple[str, ...]
    end_date: tuple[str, ...]
    end_time: tuple[str, ...]
    duration: tuple[str, ...]
    user: tuple[str, ...] = ("User", "Member", "Username")


COLUMNS = SpanColumns(
    start_date=("Start date",),
    start_time=("Start time",),
    end_date=("End date", "Stop date"),
    end_time=("End time", "Stop time"),
    duration=("Duration",),
)


def detect(source: Source) -> bool:
    header = header_of(source)
    return (
        "start date" in header
        and "start time" in header
        and "duration" in header
        and (
            any(h.startswith("amount (") for h in header)
            or ("email" in header and ("billable" in header or "description" in header))
        )
        and "duration (decimal)" not in header
    )


def key_of(client: str, project: str) -> str:
    if client and project:
        return f"{client} / {project}"
    return project or client or "(no project)"


def memo_of(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    return parse_spans(source, options, KIND, COLUMNS, "Toggl")


def parse_spans(
    source: Source, options: dict[str, Any], kind: str, columns: SpanColumns, tool: str
) -> Parsed:
    """A detailed time report (Toggl's or Clockify's: they differ only in the column
    names) read into entries; a bad row becomes a row error naming its field."""
    parsed = Parsed(kind, "time")
    tz = zone(options.get("tz"))
    header = header_of(source)

    def has(names: tuple[str, ...]) -> bool:
        return any(n.lower() in header for n in names)

    if not (has(columns.start_date) and has(columns.start_time)) and (
        has(columns.duration) or any(h.startswith(("time (", "duration")) for h in header)
    ):
        parsed.error(
            1,
            columns.start_date[0],
            f"a {tool} summary report has totals, not entries with start times: "
            "export the Detailed report as CSV",
        )
        return parsed
    required = [columns.start_date[0], columns.start_time[0]]
    if not has(columns.duration):
        required += [columns.end_date[0], columns.end_time[0]]
    aliases = {
        names[0]: names[1:]
        for names in (columns.start_date, columns.start_time, columns.end_date, columns.end_time)
    }
    table = read_table(source.text, parsed, required, aliases=aliases)
    if table is None or parsed.issues:
        return parsed
    order = options.get("date_order") or "auto"
    if order == "auto":
        order = date_order_of(table, parsed, (columns.start_date, columns.end_date))
    add_spans(parsed, table, tz, order, columns)
    check_overlaps(parsed)
    return parsed


def date_order_of(table: Table, parsed: Parsed, columns: tuple[tuple[str, ...], ...]) -> str:
    """ "dmy" or "mdy" for a file of numeric dates: found from a day over 12; when no date
    tells, month first (the tools' default) with a warning if any date could be either."""
    at = [i for names in columns if (i := table.index(*names)) is not None]
    # Each distinct date once (a year of entries has a few hundred); ISO dates need none.
    values = list(dict.fromkeys(rec[i] for _, rec in table.rows for i in at if i < len(rec)))
    if not values or re.match(r"\s*\d{4}-", values[0]):
        return "auto"
    order = guess_date_order(values)
    if order != "auto":
        return order
    for value in values:
        m = re.fullmatch(r"\s*(\d{1,2})([/.-])(\d{1,2})[/.-]\d{2,4}\s*", value)
        if m and m[2] != "." and m[1] != m[3]:
            parsed.warn(
                0,
                "date",
                f"{value.strip()!r} could be day/month or month/day: read as month first "
                "(give --date-order dmy if the file is day first)",
            )
            return "mdy"
    return "auto"


def add_spans(parsed: Parsed, table: Table, tz: Any, order: str, columns: SpanColumns) -> None:
    """One entry per row with a local start date and time, and an end date and time or a
    duration (or both: the duration settles a DST night). An entry with neither (still
    running when exported) is reported and skipped."""
    sd, st, ed, et, du = (
        columns.start_date,
        columns.start_time,
        columns.end_date,
        columns.end_time,
        columns.duration,
    )
    # Column positions found once. Every row has the header's width here (read_table
    # reported any other): one cell past the end stands for a column the file lacks.
    names = (sd, st, ed, et, du, ("Client",), ("Project",), ("Description",), ("Task",))
    width = len(table.header)
    pick = operator.itemgetter(
        *(width if i is None else i for i in (table.index(*n) for n in names)),
        *(width if i is None else i for i in (table.index("Tags"), table.index(*columns.user))),
    )
    past_end = [""]
    for row_no, record in table.rows:
        (
            start_day_text,
            start_time_text,
            end_day_text,
            end_time_text,
            text,
            client,
            project,
            description,
            task,
            tags,
            user,
        ) = map(str.strip, pick(record + past_end))
        if not (end_day_text or end_time_text or text):
            parsed.warn(row_no, et[0], "no end and no duration (still running?): skipped")
            continue
        try:
            start_day = parse_date(start_day_text, sd[0], order)
            start_hms = parse_time(start_time_text, st[0])
            duration = parse_duration(text, du[0]) if text else None
            if end_day_text or end_time_text or duration is None:
                end_day = parse_date(end_day_text, ed[0], order)
                end_hms = parse_time(end_time_text, et[0])
                start, end = local_span(
                    start_day, start_hms, end_day, end_hms, tz, duration, row_no
                )
            else:
                start = local_instant(start_day, start_hms, tz)
                end = start + timedelta(seconds=duration)
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        if "\r" in description:  # a line break inside quotes keeps the file's \r\n
            description = description.replace("\r\n", "\n")
        parsed.entries.append(
            TimeEntry(
                row=row_no,
                started_at=start,
                ended_at=end,
                key=key_of(client, project),
                memo=memo_of(description, task, tags),
                user=user,
                contract_ref=contract_ref_in(project, description),
            )
        )
