"""Upwork weekly summary (Reports → Weekly summary → CSV):
  "Date","Contract","Hours","Amount","Payment type"
The contract's id is in parentheses at the end of the Contract field; hours are in
sixths of an hour (10-minute segments: 1.17 is 7 segments).

Each hourly row becomes one session on the contract with that reference, starting on
the row's date at 00:00 UTC (the Upwork billing week's start when the date is a
Monday) and lasting the hours rounded to whole 10-minute segments.

Columns used:
  Date         -> the start (00:00 UTC)
  Contract     -> the key; "(12345678)" at its end is the contract's reference
  Hours        -> the length, in sixths of an hour
  Payment type -> only "Hourly" rows carry time; other rows are reported and skipped
Not used: Amount (billing books the money from the time and the contract's rate).
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
    contract_ref_in,
    header_of,
    parse_date,
    parse_decimal,
    read_table,
)

KIND = "upwork-weekly"
COLUMNS = ("Date", "Contract", "Hours", "Amount", "Payment type")


def detect(source: Source) -> bool:
    header = header_of(source)
    return "contract" in header and "hours" in header and "payment type" in header


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    table = read_table(source.text, parsed, COLUMNS)
    if table is None or parsed.issues:
        return parsed
    for row_no, record in table.rows:
        payment = cell(table, record, "Payment type")
        if payment.lower() not in ("hourly", ""):
            parsed.warn(row_no, "Payment type", f"{payment!r} carries no time: skipped")
            continue
        contract = cell(table, record, "Contract")
        try:
            day = parse_date(cell(table, record, "Date"), "Date")
            hours = parse_decimal(cell(table, record, "Hours"), "Hours")
            if hours <= 0:
                raise RowError("Hours", f"{cell(table, record, 'Hours')!r} is not more than zero")
            if hours > 7 * 24:
                raise RowError("Hours", f"{hours} hours in one week")
            ref = contract_ref_in(contract)
            if ref is None:
                raise RowError("Contract", f"{contract!r} has no contract id in parentheses")
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        segments = int((hours * 6).to_integral_value())
        sixths = hours * 6
        if abs(sixths - segments) > 0.1:
            parsed.warn(row_no, "Hours", f"{hours} is not a whole number of 10-minute segments")
        start = datetime.combine(day, time(), UTC)
        parsed.entries.append(
            TimeEntry(
                row=row_no,
                started_at=start,
                ended_at=start + timedelta(minutes=10 * segments),
                key=contract,
                memo=f"Upwork weekly summary: {hours} h",
                user=ref,
                contract_ref=ref,
            )
        )
    return parsed
