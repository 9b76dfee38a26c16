"""Watson's frames, in any of the three forms Watson gives them:

- the frames file (~/.config/watson/frames, or ~/Library/Application Support/watson
  on macOS): a JSON list of [start, stop, project, id, tags, updated_at], start, stop
  and updated_at as Unix seconds (older frames may lack the id, tags or updated_at);
- `watson log --json`: a JSON list of {"id", "project", "start", "stop", "tags"}, the
  times ISO 8601 with their UTC offset ("2025-07-01T11:00:00+02:00");
- `watson log --csv`: columns id, start, stop, project, tags, the times local without
  an offset ("2025-07-01 11:00:00", read in the given zone, default UTC) and the tags
  joined by ", ".

Fields used: start and stop (instants), project (the key mapped to a contract; a
project named like a contract's reference or title maps by itself), tags (the memo).
The frame id is kept in the memo; updated_at is not used. Rows are numbered by frame
(the first frame is row 1) in JSON, as a spreadsheet shows them in CSV.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

from freelancer_desk.importers.base import (
    Parsed,
    Source,
    TimeEntry,
    cell,
    check_overlaps,
    header_of,
    json_list,
    read_table,
    zone,
)

KIND = "watson"
CSV_COLUMNS = ("id", "start", "stop", "project", "tags")


def detect(source: Source) -> bool:
    text = source.text.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        rest = text[1:].lstrip()
        if rest.startswith(("[", "]")):
            return True
        return rest.startswith("{") and re.search(r'"project"\s*:', text[:4000]) is not None
    return header_of(source) == list(CSV_COLUMNS)


def _unix(value: Any, row: int, field: str, parsed: Parsed) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        parsed.error(row, field, f"{value!r} is not a Unix time")
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        parsed.error(row, field, f"{value!r} is out of range")
        return None


def _iso(value: Any, row: int, field: str, parsed: Parsed, tz: tzinfo) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _unix(value, row, field, parsed)
    if not isinstance(value, str) or not value.strip():
        parsed.error(row, field, "is empty" if not value else f"{value!r} is not a time")
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed.error(row, field, f"{value[:40]!r} is not a date and time")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def _add(
    parsed: Parsed,
    row: int,
    start: datetime | None,
    stop: datetime | None,
    project: Any,
    tags: list[str],
    ident: str,
) -> None:
    if not isinstance(project, str) or not project.strip():
        parsed.error(row, "project", "is empty")
        return
    if start is None or stop is None:
        return
    if stop < start:
        parsed.error(row, "stop", "stops before it starts")
        return
    memo = " ".join(f"+{t}" for t in tags if t)
    parsed.entries.append(
        TimeEntry(
            row=row,
            started_at=start,
            ended_at=stop,
            key=project.strip(),
            memo=(memo + (f" [watson {ident[:12]}]" if ident else "")).strip(),
        )
    )


def _tags(value: Any) -> list[str]:
    return [t for t in value if isinstance(t, str)] if isinstance(value, list) else []


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    tz = zone(options.get("tz"))
    if not source.text.lstrip("\ufeff \t\r\n").startswith("["):
        return _parse_csv(source, parsed, tz)
    frames = json_list(source, parsed, "frames", "a Watson frames file")
    if frames is None:
        return parsed
    parsed.rows = len(frames)
    for n, frame in enumerate(frames, 1):
        if isinstance(frame, dict):  # watson log --json
            start = _iso(frame.get("start"), n, "start", parsed, tz)
            stop = _iso(frame.get("stop"), n, "stop", parsed, tz)
            ident = frame.get("id")
            _add(
                parsed,
                n,
                start,
                stop,
                frame.get("project"),
                _tags(frame.get("tags")),
                ident if isinstance(ident, str) else "",
            )
            continue
        if not isinstance(frame, list) or len(frame) < 3:
            parsed.error(n, "frame", "not [start, stop, project, id, tags, updated_at]")
            continue
        start = _unix(frame[0], n, "start", parsed)
        stop = _unix(frame[1], n, "stop", parsed)
        ident = frame[3] if len(frame) > 3 and isinstance(frame[3], str) else ""
        _add(parsed, n, start, stop, frame[2], _tags(frame[4] if len(frame) > 4 else None), ident)
    check_overlaps(parsed)
    return parsed


def _parse_csv(source: Source, parsed: Parsed, tz: tzinfo) -> Parsed:
    table = read_table(source.text, parsed, CSV_COLUMNS)
    if table is None or parsed.issues:
        return parsed
    for row_no, record in table.rows:
        start = _iso(cell(table, record, "start"), row_no, "start", parsed, tz)
        stop = _iso(cell(table, record, "stop"), row_no, "stop", parsed, tz)
        tags = [t.strip() for t in cell(table, record, "tags").split(",")]
        _add(
            parsed,
            row_no,
            start,
            stop,
            cell(table, record, "project"),
            tags,
            cell(table, record, "id"),
        )
    check_overlaps(parsed)
    return parsed
