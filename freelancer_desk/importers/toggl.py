"""Toggl Track detailed report (Reports → Detailed → Export CSV), with a byte-order mark:
  User, Email, Client, Project, Task, Description, Billable, Start date, Start time,
  End date, End time, Duration, Tags, Amount (USD)

Columns used:
  Client, Project              -> the key mapped to a contract ("Client / Project")
  Start date + Start time      -> start, local time in the given zone (default UTC)
  End date + End time          -> end; on a DST night the reading that agrees with
  Duration                        Duration wins; an end before the start is refused
  Description, Task, Tags      -> the session's memo
  User                         -> whose time (each user is its own import device)
Not used: Email, Billable, Amount (USD): rates come from the contract.
"""

from __future__ import annotations

from typing import Any

from freelancer_desk.importers.base import (
    Parsed,
    RowError,
    Source,
    Table,
    TimeEntry,
    cell,
    check_overlaps,
    contract_ref_in,
    header_of,
    local_span,
    parse_date,
    parse_duration,
    parse_time,
    read_table,
    zone,
)

KIND = "toggl"
COLUMNS = ("Project", "Start date", "Start time", "End date", "End time", "Duration")


def detect(source: Source) -> bool:
    header = header_of(source)
    return (
        "start date" in header
        and "start time" in header
        and "duration" in header
        and ("amount (usd)" in header or ("email" in header and "billable" in header))
        and "duration (decimal)" not in header
    )


def key_of(client: str, project: str) -> str:
    if client and project:
        return f"{client} / {project}"
    return project or client or "(no project)"


def memo_of(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    tz = zone(options.get("tz"))
    order = options.get("date_order", "auto")
    table = read_table(source.text, parsed, COLUMNS)
    if table is None or parsed.issues:
        return parsed
    add_spans(
        parsed,
        table,
        tz,
        order,
        ("Start date", "Start time", "End date", "End time", "Duration"),
        duration_optional=False,
    )
    check_overlaps(parsed)
    return parsed


def add_spans(
    parsed: Parsed,
    table: Table,
    tz: Any,
    order: str,
    columns: tuple[str, str, str, str, str],
    *,
    duration_optional: bool,
) -> None:
    """One entry per row of a detailed time report with local start and end date/time
    columns (Toggl's and Clockify's layouts differ only in the column names and whether
    the duration may be empty); a bad row becomes a row error naming its field."""
    start_date, start_time, end_date, end_time, duration_column = columns
    for row_no, record in table.rows:
        try:
            start_day = parse_date(cell(table, record, start_date), start_date, order)
            start_hms = parse_time(cell(table, record, start_time), start_time)
            end_day = parse_date(cell(table, record, end_date), end_date, order)
            end_hms = parse_time(cell(table, record, end_time), end_time)
            text = cell(table, record, duration_column)
            duration = (
                parse_duration(text, duration_column) if text or not duration_optional else None
            )
            start, end = local_span(start_day, start_hms, end_day, end_hms, tz, duration, row_no)
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        client = cell(table, record, "Client")
        project = cell(table, record, "Project")
        description = cell(table, record, "Description")
        parsed.entries.append(
            TimeEntry(
                row=row_no,
                started_at=start,
                ended_at=end,
                key=key_of(client, project),
                memo=memo_of(description, cell(table, record, "Task"), cell(table, record, "Tags")),
                user=cell(table, record, "User"),
                contract_ref=contract_ref_in(project, description),
            )
        )
