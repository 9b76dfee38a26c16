"""Timewarrior data files (~/.timewarrior/data/YYYY-MM.data, one per month), lines like
  inc 20250601T001200Z - 20250601T002300Z # "client-48/contract-476" planning
Give one file or the data folder (every *.data file in it is read, in name order).

Fields used: the start and end (UTC), the first tag (the key mapped to a contract; a
tag naming a contract's reference or title, or ending in "/<reference>", maps by
itself), the other tags (the memo). An open interval (still running) is reported and
skipped. Rows are numbered per line of the concatenated files.
"""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from freelancer_desk.importers.base import (
    ImportRefused,
    Issue,
    Parsed,
    Source,
    TimeEntry,
    check_overlaps,
    decode,
)

KIND = "timewarrior"
LINE_RE = re.compile(r"^inc (\d{8}T\d{6}Z)(?: - (\d{8}T\d{6}Z))?(?: # (.*))?$")


def detect(source: Source) -> bool:
    first = source.text.lstrip().split("\n", 1)[0]
    return bool(LINE_RE.match(first.strip()))


def read_folder(path: Path) -> Source:
    """Every month file of a Timewarrior data folder, as one source."""
    files = sorted(p for p in path.glob("*.data") if p.is_file())
    if not files:
        raise ImportRefused([Issue(0, "file", f"{path} holds no Timewarrior *.data files")])
    data = b"\n".join(p.read_bytes().rstrip(b"\n") for p in files) + b"\n"
    return decode(data, str(path))


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "time")
    for n, raw in enumerate(source.text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        parsed.rows += 1
        m = LINE_RE.match(line)
        if not m:
            parsed.error(n, "line", f"{line[:60]!r} is not an 'inc START - END # tags' line")
            continue
        try:
            start = _instant(m[1])
            end = _instant(m[2]) if m[2] else None
        except ValueError:
            parsed.error(n, "start", f"{m[1]!r} is not a time")
            continue
        if end is None:
            parsed.warn(n, "end", "still running (no end): skipped")
            continue
        if end < start:
            parsed.error(n, "end", "ends before it starts")
            continue
        try:
            tags = shlex.split(m[3] or "")
        except ValueError:
            parsed.error(n, "tags", "unbalanced quotes: truncated line?")
            continue
        key = tags[0] if tags else "(no tag)"
        ref = key.rsplit("/", 1)[-1] if "/" in key else None
        parsed.entries.append(
            TimeEntry(
                row=n,
                started_at=start,
                ended_at=end,
                key=key,
                memo=" ".join(tags[1:]),
                contract_ref=ref,
            )
        )
    if parsed.rows == 0:
        parsed.error(0, "file", "no intervals in the file")
    check_overlaps(parsed)
    return parsed
