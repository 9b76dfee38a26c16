"""Watson's frames file (~/.config/watson/frames): a JSON list of
  [start, stop, project, id, tags, updated_at]
with start, stop and updated_at as Unix seconds.

Fields used: start and stop (UTC instants), project (the key mapped to a contract;
a project named like a contract's reference or title maps by itself), tags (the
memo). The frame id is kept in the memo; updated_at is not used.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from freelancer_desk.importers.base import Parsed, Source, TimeEntry, check_overlaps

KIND = "watson"


def detect(source: Source) -> bool:
    text = source.text.lstrip()
    return text.startswith("[") and (
        text[1:].lstrip().startswith("[") or text[1:].lstrip().startswith("]")
    )


def _instant(value: Any, row: int, field: str, parsed: Parsed) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        parsed.error(row, field, f"{value!r} is not a Unix time")
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, OSError, ValueError):
        parsed.error(row, field, f"{value!r} is out of range")
        return None


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    try:
        frames = json.loads(source.text)
    except json.JSONDecodeError as exc:
        parsed.error(exc.lineno, "file", f"not valid JSON ({exc.msg}): truncated?")
        return parsed
    if not isinstance(frames, list):
        parsed.error(0, "file", "not a Watson frames file (a JSON list of frames)")
        return parsed
    parsed.rows = len(frames)
    for n, frame in enumerate(frames, 1):
        if not isinstance(frame, list) or len(frame) < 3:
            parsed.error(n, "frame", "not [start, stop, project, id, tags, updated_at]")
            continue
        start = _instant(frame[0], n, "start", parsed)
        stop = _instant(frame[1], n, "stop", parsed)
        project = frame[2]
        if not isinstance(project, str) or not project.strip():
            parsed.error(n, "project", "is empty")
            continue
        if start is None or stop is None:
            continue
        if stop < start:
            parsed.error(n, "stop", "stops before it starts")
            continue
        tags = frame[4] if len(frame) > 4 and isinstance(frame[4], list) else []
        ident = frame[3] if len(frame) > 3 and isinstance(frame[3], str) else ""
        memo = " ".join(f"+{t}" for t in tags if isinstance(t, str))
        parsed.entries.append(
            TimeEntry(
                row=n,
                started_at=start,
                ended_at=stop,
                key=project.strip(),
                memo=(memo + (f" [watson {ident[:12]}]" if ident else "")).strip(),
            )
        )
    check_overlaps(parsed)
    return parsed
