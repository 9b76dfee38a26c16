"""Taking everything out again: CSV of any table, iCalendar of tracked time, the whole
workspace as JSON (and back into an empty one), and evidence packs for a contract's
week with a manifest whose hashes `verify_evidence` checks.

CSV: any `ListSource` (`sessions` are the time entries, `ledger` the postings),
paged, with money as plain decimals plus a currency column and instants in ISO 8601
UTC. iCalendar: one VEVENT per closed session, UID `<session id>@freelancer-desk`,
DTSTART/DTEND in UTC, DTSTAMP the session's last change. JSON: every table of the
schema, every row, every column, tagged with the schema revision; the snapshot files
are not in it (an evidence pack carries those), nor the copies of delivered files (their
rows are: name, size, SHA-256; the copies stay in the data folder's `deliveries/`).

Evidence pack (a folder): `segments.json` (the week's segments with activity, memos
and flags), `snapshots/…` (the pictures and thumbnails still on disk),
`manifest.json` (contract, week, each file's SHA-256 and size, and the snapshots'
hash-chain links). `verify_evidence` fails when any file was changed, added or
removed, or a chain link does not follow from its file's hash.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any, NoReturn

from sqlalchemy import Date, DateTime, Table, Uuid, func, insert, select

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.evidence import chain_link as chain_link  # re-exported
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week
from freelancer_desk.services.common import find
from freelancer_desk.services.listing import ListQuery, ListSource
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.migrate import HEAD
from freelancer_desk.storage.models import Client, Contract, Segment, Snapshot, TimeSession

FORMAT = "freelancer-desk-workspace"
EVIDENCE_FORMAT = "freelancer-desk-evidence"
PAGE = 2000
CHUNK = 1 << 20


# -- CSV -------------------------------------------------------------------------------


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return value.format_plain()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_csv(source: ListSource, out: IO[str], query: ListQuery | None = None) -> int:
    """Write every row of `source` (filtered and sorted by `query`) as CSV; the number
    of rows. A money column gets a `<key>_currency` column next to it."""
    query = query or ListQuery()
    header = ["id"]
    for col in source.columns:
        header.append(col.key)
        if col.kind == "money":
            header.append(f"{col.key}_currency")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    total = source.count(query)
    written = 0
    for offset in range(0, total, PAGE):
        for row in source.fetch(query, offset, PAGE):
            line = [str(row["id"])]
            for col in source.columns:
                value = row.get(col.key)
                line.append(_csv_value(value))
                if col.kind == "money":
                    line.append(value.currency if isinstance(value, Money) else "")
            writer.writerow(line)
            written += 1
    return written


# -- iCalendar -------------------------------------------------------------------------


def export_ics(
    db: Database,
    out: Path,
    start: datetime | None = None,
    end: datetime | None = None,
) -> int:
    """Closed sessions that start in [start, end) as events; the number written."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Freelancer Desk//time entries//EN")
    cal.add("version", "2.0")
    count = 0
    with db.read() as s:
        stmt = (
            select(TimeSession, Contract.title, Contract.reference, Client.name)
            .outerjoin(Contract, Contract.id == TimeSession.contract_id)
            .outerjoin(Client, Client.id == Contract.client_id)
            .where(TimeSession.ended_at.is_not(None))
            .order_by(TimeSession.started_at, TimeSession.id)
        )
        if start is not None:
            stmt = stmt.where(TimeSession.started_at >= ensure_utc(start))
        if end is not None:
            stmt = stmt.where(TimeSession.started_at < ensure_utc(end))
        for row, title, reference, client in s.execute(stmt):
            assert row.ended_at is not None
            event = Event()
            event.add("uid", f"{row.id}@freelancer-desk")
            what = title or (f"order {row.order_id}" if row.order_id else "time")
            event.add("summary", f"{what}: {row.memo}" if row.memo else what)
            event.add("dtstart", row.started_at.astimezone(UTC))
            event.add("dtend", row.ended_at.astimezone(UTC))
            event.add("dtstamp", row.updated_at.astimezone(UTC))
            details = [
                f"client: {client}" if client else "",
                f"contract: {reference}" if reference else "",
            ]
            details.append(f"device: {row.device_id}")
            if row.manual:
                details.append("manual time")
            event.add("description", "\n".join(d for d in details if d))
            if client:
                event.add("categories", [client])
            cal.add_component(event)
            count += 1
    out.write_bytes(cal.to_ical())
    return count


# -- the whole workspace as JSON -------------------------------------------------------

# Exports of these schema revisions hold exactly the tables and columns HEAD's do (0003
# and 0009 added indexes, 0004 and 0008 the derived tracked_days and tracked_weeks,
# which exports leave out, 0005 fixed stored text), so they import as they are. A
# migration that changes an exported table or column starts a new list.
# tests/services/test_export_revisions.py migrates a database to each revision and
# compares its exported layout with HEAD's. 0011 added the exported table
# order_delivery_files, so the list started over there; 0012 added triggers only.
SAME_LAYOUT = frozenset({"0011", HEAD})
# Exports of these revisions hold HEAD's tables and columns but for whole tables added
# since (named here): those were empty then, and stay empty. A freelancer's export of
# last month imports into today's app.
ADDED_TABLES_SINCE: dict[str, frozenset[str]] = {
    revision: frozenset({"order_delivery_files"})  # 0011
    for revision in ("0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
}


def _tables() -> list[Table]:
    import freelancer_desk.storage.models  # noqa: F401  (registers every table)

    # Derived tables (tracked_days) are left out: the import rebuilds them (triggers).
    return [t for t in Base.metadata.sorted_tables if not t.info.get("derived_from")]


def _dump(value: Any, column: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, Uuid):
        return str(value)
    if isinstance(value, datetime):
        return ensure_utc(value).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load(value: Any, column: Any) -> Any:
    if value is None:
        return None
    kind = getattr(column.type, "impl", column.type)
    if isinstance(kind, Uuid):
        return uuid.UUID(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    return value


def export_json(db: Database, out: IO[str], now: datetime) -> dict[str, int]:
    """Every table, every row; the row count per table."""
    counts: dict[str, int] = {}
    head = json.dumps({"format": FORMAT, "schema": HEAD, "exported_at": now.isoformat()})
    out.write(head[:-1] + ', "tables": {')
    with db.read() as s:
        for n, table in enumerate(_tables()):
            cols = list(table.columns)
            out.write(("," if n else "") + json.dumps(table.name) + ": [")
            pk = list(table.primary_key.columns)
            count = 0
            for row in s.execute(select(table).order_by(*pk)):
                record = {c.name: _dump(row._mapping[c], c) for c in cols}
                out.write(
                    ("," if count else "")
                    + "\n"
                    + json.dumps(record, ensure_ascii=False, sort_keys=True)
                )
                count += 1
            out.write("]")
            counts[table.name] = count
    out.write("}}\n")
    return counts


def row_counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.name: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in _tables()}


def import_json(
    db: Database, source: IO[str], progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Load a workspace export into an EMPTY workspace, in one unit of work."""
    try:
        data = json.load(source)
    except json.JSONDecodeError as exc:
        raise RuleError(
            "import_json.format", f"line {exc.lineno}: not valid JSON ({exc.msg})", field="file"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RuleError(
            "import_json.format", "not a Freelancer Desk workspace export", field="file"
        )
    schema = data.get("schema")
    if schema not in SAME_LAYOUT and schema not in ADDED_TABLES_SINCE:
        readable = sorted(SAME_LAYOUT | ADDED_TABLES_SINCE.keys())
        raise RuleError(
            "import_json.schema",
            f"the export is of schema revision {schema!r}; this app "
            f"({HEAD!r}) reads exports of revisions {', '.join(readable)}",
            field="schema",
        )
    absent = ADDED_TABLES_SINCE.get(schema, frozenset())
    full = {name: n for name, n in row_counts(db).items() if n}
    if full:
        name, n = next(iter(full.items()))
        raise RuleError(
            "import_json.not_empty",
            f"the workspace is not empty ({name} has {n} rows): import into a new workspace",
            field="workspace",
        )
    tables = {t.name: t for t in _tables()}
    given = data.get("tables") or {}
    unknown = [name for name in given if name not in tables or name in absent]
    if unknown:
        raise RuleError(
            "import_json.table", f"unknown table {unknown[0]!r} in the export", field="tables"
        )
    counts: dict[str, int] = {}
    total = sum(len(v) for v in given.values())
    done = 0
    targets: dict[Any, tuple[int, Any, Any]] = {}  # time_sessions come before segments
    with db.session() as s:
        for name, table in tables.items():
            rows = given.get(name) or []
            columns = {c.name: c for c in table.columns}
            loaded = []
            for i, record in enumerate(rows, 1):
                extra = [k for k in record if k not in columns]
                if extra:
                    raise RuleError(
                        "import_json.column",
                        f"{name} row {i}: unknown column {extra[0]!r}",
                        field=extra[0],
                    )
                try:
                    loaded.append({k: _load(v, columns[k]) for k, v in record.items()})
                except (ValueError, TypeError) as exc:
                    raise RuleError(
                        "import_json.value", f"{name} row {i}: {exc}", field=name
                    ) from None
            if name == "time_sessions":
                targets = _session_targets(loaded)
            elif name == "segments":
                _check_segment_targets(loaded, targets)
            for start in range(0, len(loaded), 1000):
                s.execute(insert(table), loaded[start : start + 1000])
            counts[name] = len(loaded)
            done += len(loaded)
            if progress is not None:
                progress(done, total)
    return counts


# The target rule (segment.one_target): a session is for exactly one contract or order,
# and each of its segments for the same one. The database refuses a row breaking it too
# (a CHECK on time_sessions, triggers on segments), but not naming the row: SQLite's
# RAISE takes a fixed message. So the export's rows are checked as they are loaded,
# before their table is inserted; a refusal rolls the whole import back.
_TARGETS = ("contract_id", "order_id")


def _one_target(name: str, i: int, record: dict[str, Any], what: str) -> None:
    given = [k for k in _TARGETS if record.get(k) is not None]
    if len(given) != 1:
        raise RuleError(
            "import_json.one_target",
            f"{name} row {i}: contract_id, order_id: a {what} is for exactly one contract "
            f"or order, this one has {'both' if given else 'neither'}",
            field="contract_id",
        )


def _session_targets(sessions: list[dict[str, Any]]) -> dict[Any, tuple[int, Any, Any]]:
    """Each session's row number and target, by id; refused naming a session's row
    without exactly one target."""
    targets = {}
    for i, record in enumerate(sessions, 1):
        contract_id, order_id = record.get("contract_id"), record.get("order_id")
        if (contract_id is None) == (order_id is None):
            _one_target("time_sessions", i, record, "time session")
        targets[record.get("id")] = (i, contract_id, order_id)
    return targets


def _check_segment_targets(
    segments: list[dict[str, Any]], sessions: dict[Any, tuple[int, Any, Any]]
) -> None:
    """Each segment's target is exactly one contract or order, its session's in the same
    export; refused naming the segments row and the field. (One pass of plain compares:
    a ten-year workspace has ~350,000 segments.)"""
    get = sessions.get
    for i, record in enumerate(segments, 1):
        contract_id, order_id = record.get("contract_id"), record.get("order_id")
        found = get(record.get("session_id"))
        if (
            found is None
            or (contract_id is None) == (order_id is None)
            or found[1] != contract_id
            or found[2] != order_id
        ):
            _refuse_segment(i, record, found)


def _refuse_segment(i: int, record: dict[str, Any], found: tuple[int, Any, Any] | None) -> NoReturn:
    _one_target("segments", i, record, "segment")
    session_id = record.get("session_id")
    if found is None:
        raise RuleError(
            "import_json.segment_session",
            f"segments row {i}: session_id {session_id}: no time_sessions row of the "
            "export has this id",
            field="session_id",
        )
    row, contract_id, order_id = found
    key = "contract_id" if record.get("contract_id") is not None else "order_id"
    theirs = f"contract {contract_id}" if contract_id else f"order {order_id}"
    raise RuleError(
        "import_json.segment_target",
        f"segments row {i}: {key} {record[key]}: not its session's target "
        f"(time_sessions row {row}, {session_id}, is for {theirs})",
        field=key,
    )


def table_rows(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as plain data in key order (what a round trip compares)."""
    out: dict[str, list[dict[str, Any]]] = {}
    with db.read() as s:
        for table in _tables():
            pk = list(table.primary_key.columns)
            out[table.name] = [
                {c.name: _dump(row._mapping[c], c) for c in table.columns}
                for row in s.execute(select(table).order_by(*pk))
            ]
    return out


# -- evidence packs --------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class EvidenceResult:
    folder: Path
    segments: int
    snapshots: int
    files: int
    missing: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "segments": self.segments,
            "snapshots": self.snapshots,
            "files": self.files,
            "missing": list(self.missing),
        }


def export_evidence(
    db: Database,
    snapshot_dir: Path,
    contract: str,
    week: date,
    out: Path,
    now: datetime,
) -> EvidenceResult:
    """The evidence pack of `contract` for the billing week holding `week`, into the
    folder `out` (made; refused when it exists and is not empty)."""
    start, end = billing_week(datetime.combine(week, time(), UTC))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise RuleError("evidence.out", f"{out} exists and is not an empty folder", field="out")
    missing: list[str] = []
    with db.read() as s:
        row = find(s, Contract, contract, what="contract")
        client = s.get(Client, row.client_id)
        segments = s.scalars(
            select(Segment)
            .where(
                Segment.contract_id == row.id, Segment.slot_start >= start, Segment.slot_start < end
            )
            .order_by(Segment.slot_start, Segment.id)
        ).all()
        seg_data = []
        chain = []
        copies: list[tuple[Path, str]] = []
        for seg in segments:
            session = s.get(TimeSession, seg.session_id)
            snap: Snapshot | None = seg.snapshot
            item: dict[str, Any] = {
                "id": str(seg.id),
                "session_id": str(seg.session_id),
                "slot_start": seg.slot_start.isoformat(),
                "tracked_seconds": seg.tracked_seconds,
                "activity": list(seg.activity),
                "active_minutes": seg.active_minutes,
                "memo": seg.memo,
                "session_memo": session.memo if session else "",
                "manual": seg.manual,
                "idle": seg.idle,
                "over_limit": seg.over_limit,
                "deleted": seg.deleted,
                "snapshot": None,
            }
            if snap is not None:
                files = {}
                for label, rel in (("picture", snap.path), ("thumbnail", snap.thumb_path)):
                    if not rel:
                        continue
                    src = snapshot_dir / rel
                    if src.is_file():
                        target = f"snapshots/{rel}"
                        copies.append((src, target))
                        files[label] = target
                    else:
                        missing.append(rel)
                item["snapshot"] = {
                    "id": str(snap.id),
                    "taken_at": snap.taken_at.isoformat(),
                    "policy": snap.policy,
                    **files,
                }
                chain.append(
                    {
                        "snapshot_id": str(snap.id),
                        "taken_at": snap.taken_at.isoformat(),
                        "device_id": snap.device_id,
                        "sha256": snap.sha256,
                        "prev_chain": snap.prev_chain,
                        "chain": snap.chain,
                        "file": files.get("picture"),
                        "removed": snap.removed_reason or ("" if snap.path else "removed"),
                    }
                )
            seg_data.append(item)
        header = {
            "contract": {"id": str(row.id), "title": row.title, "reference": row.reference},
            "client": client.name if client else None,
            "week_start": start.isoformat(),
            "week_end": end.isoformat(),
        }
    out.mkdir(parents=True, exist_ok=True)
    for src, target in copies:
        dest = out / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    (out / "segments.json").write_text(
        json.dumps({**header, "segments": seg_data}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    written = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {
        "format": EVIDENCE_FORMAT,
        "version": 1,
        "created_at": now.isoformat(),
        **header,
        "files": [
            {
                "path": p.relative_to(out).as_posix(),
                "sha256": file_sha256(p),
                "bytes": p.stat().st_size,
            }
            for p in written
        ],
        "chain": chain,
        "missing": missing,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return EvidenceResult(out, len(seg_data), len(chain), len(written), tuple(missing))


@dataclass(frozen=True)
class VerifyReport:
    folder: Path
    files: int
    links: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "ok": self.ok,
            "files": self.files,
            "links": self.links,
            "problems": list(self.problems),
        }


def verify_evidence(folder: Path) -> VerifyReport:
    """Check an evidence pack: every listed file is there with its hash, no file was
    added, every chain link follows from its file's hash, the links hold together."""
    problems: list[str] = []
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return VerifyReport(folder, 0, 0, (f"{folder}/manifest.json is missing",))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return VerifyReport(folder, 0, 0, (f"manifest.json is not valid JSON: {exc}",))
    if not isinstance(manifest, dict) or manifest.get("format") != EVIDENCE_FORMAT:
        return VerifyReport(folder, 0, 0, ("manifest.json is not an evidence manifest",))
    listed: dict[str, str] = {}
    for item in manifest.get("files", []):
        path, expected = item.get("path", ""), item.get("sha256", "")
        listed[path] = expected
        target = folder / path
        if ".." in Path(path).parts or not target.is_file():
            problems.append(f"{path}: missing")
        elif file_sha256(target) != expected:
            problems.append(f"{path}: changed (SHA-256 differs from the manifest)")
    for p in _files(folder):
        rel = p.relative_to(folder).as_posix()
        if rel != "manifest.json" and rel not in listed:
            problems.append(f"{rel}: not in the manifest (added)")
    chain = manifest.get("chain", [])
    for link in chain:
        sid = link.get("snapshot_id", "?")[:8]
        if link.get("chain") != chain_link(link.get("prev_chain", ""), link.get("sha256", "")):
            problems.append(f"snapshot {sid}: chain value does not follow from its hash")
        path = link.get("file")
        if path and listed.get(path) != link.get("sha256"):
            problems.append(f"snapshot {sid}: {path} is not the file the chain recorded")
    return VerifyReport(folder, len(listed), len(chain), tuple(problems))


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*")) if p.is_file())
