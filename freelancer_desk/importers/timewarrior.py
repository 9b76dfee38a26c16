"""Timewarrior's intervals, from its data files or from `timew export`.

Data files (~/.timewarrior/data/YYYY-MM.data, or ~/.local/share/timewarrior/data/,
one per month), one interval a line:
  inc 20250601T001200Z - 20250601T002300Z # "client-48/31415926" planning
  inc 20250601T090000Z - 20250601T100000Z # planning # "an annotation"
  inc 20250601T090000Z - 20250601T100000Z # # an annotation, no tags
  inc 20250702T090000Z # "Logo redesign"          (open: still running)
Give one file, the data folder or the folder holding it (~/.timewarrior): the month
files are read in name order; the other
files kept there (tags.data, undo.data, backlog.data) are not intervals and are left
alone. Old data files may hold exclusion lines ("exc ..."): skipped.

`timew export` writes JSON: a list of {"id", "start", "end", "tags", "annotation"},
the times as 20250601T001200Z; an interval without "end" is still running.

Fields used: start and end (UTC); the tags: the first is the key mapped to a contract
(Timewarrior stores an interval's tags sorted, so it is the alphabetically first); a
tag naming a contract's reference, or ending in "/<reference>", maps by itself; the
other tags and the annotation are the memo. An open interval is reported and skipped.
Rows are numbered per line of the concatenated files (per interval in JSON).
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
    json_list,
)

KIND = "timewarrior"
STAMP = r"\d{8}T\d{6}Z"
LINE_RE = re.compile(rf"^inc\s+({STAMP})(?:\s+-\s+({STAMP}))?(?:\s+#(.*))?$")
MONTH_FILE = re.compile(r"\d{4}-\d{2}\.data")


def detect(source: Source) -> bool:
    text = source.text.lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return bool(re.search(rf'"start"\s*:\s*"{STAMP}"', text[:4000])) and not re.search(
            r'"project"\s*:', text[:4000]
        )
    for line in text.splitlines()[:50]:  # exclusion lines may come first
        line = line.strip()
        if line and not line.startswith("exc "):
            return bool(LINE_RE.match(line))
    return False


def read_folder(path: Path) -> Source:
    """Every month file of a Timewarrior data folder (or of the `data` folder inside the
    one given: ~/.timewarrior), as one source."""
    files = _month_files(path) or _month_files(path / "data")
    if not files:
        raise ImportRefused(
            [Issue(0, "file", f"{path} holds no Timewarrior month files (YYYY-MM.data)")]
        )
    data = b"\n".join(p.read_bytes().rstrip(b"\n") for p in files) + b"\n"
    return decode(data, str(path))


def _month_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(p for p in path.glob("*.data") if p.is_file() and MONTH_FILE.fullmatch(p.name))


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def _entry(
    parsed: Parsed, n: int, start: datetime, end: datetime, tags: list[str], note: str
) -> None:
    if end < start:
        parsed.error(n, "end", "ends before it starts")
        return
    key = tags[0] if tags else "(no tag)"
    ref = next((t.rsplit("/", 1)[-1] for t in tags if "/" in t), None) or next(
        (t for t in tags if re.fullmatch(r"\d{5,}", t)), None
    )
    parsed.entries.append(
        TimeEntry(
            row=n,
            started_at=start,
            ended_at=end,
            key=key,
            memo=" ".join([*tags[1:], *([note] if note else [])]),
            contract_ref=ref,
        )
    )


def _split_tags(text: str) -> tuple[list[str], str]:
    """The tags and the annotation of what follows an interval's first `#`: a second
    `#` standing alone outside quotes starts the annotation (quoted or not)."""
    quoted = escaped = False
    cut = len(text)
    for i, ch in enumerate(text):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif (
            ch == "#"
            and not quoted
            and (i == 0 or text[i - 1].isspace())
            and (i + 1 == len(text) or text[i + 1].isspace())
        ):
            cut = i
            break
    tags = shlex.split(text[:cut])
    rest = text[cut + 1 :].strip()
    try:
        note = " ".join(shlex.split(rest))
    except ValueError:  # an unquoted annotation with a stray quote
        note = rest
    return tags, note


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    if source.text.lstrip("\ufeff \t\r\n").startswith("["):
        return _parse_json(source)
    parsed = Parsed(KIND, "time")
    for n, raw in enumerate(source.text.lstrip("\ufeff").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("exc "):
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
            parsed.error(n, "start", f"{line[4:40]!r} is not a time")
            continue
        if end is None:
            parsed.warn(n, "end", "still running (no end): skipped")
            continue
        try:
            tags, note = _split_tags(m[3] or "")
        except ValueError:
            parsed.error(n, "tags", "unbalanced quotes: truncated line?")
            continue
        _entry(parsed, n, start, end, tags, note)
    if parsed.rows == 0:
        parsed.error(0, "file", "no intervals in the file")
    check_overlaps(parsed)
    return parsed


def _parse_json(source: Source) -> Parsed:
    parsed = Parsed(KIND, "time")
    intervals = json_list(source, parsed, "intervals", "a `timew export` file")
    if intervals is None:
        return parsed
    parsed.rows = len(intervals)
    for n, item in enumerate(intervals, 1):
        if not isinstance(item, dict):
            parsed.error(n, "interval", "not an object with start, end and tags")
            continue
        times: list[datetime | None] = []
        for field in ("start", "end"):
            value = item.get(field)
            if value is None and field == "end":
                times.append(None)
                continue
            try:
                times.append(_instant(str(value)))
            except ValueError:
                parsed.error(n, field, f"{str(value)[:40]!r} is not a time like 20250601T090000Z")
                break
        else:
            start, end = times
            if start is None:
                continue
            if end is None:
                parsed.warn(n, "end", "still running (no end): skipped")
                continue
            tags = [t for t in item.get("tags") or [] if isinstance(t, str)]
            note = item.get("annotation")
            _entry(parsed, n, start, end, tags, note if isinstance(note, str) else "")
    check_overlaps(parsed)
    return parsed
