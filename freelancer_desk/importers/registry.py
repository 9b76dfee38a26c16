"""The importers by kind, detection, and the two steps every import takes:
`preview()` (read, check, resolve; writes nothing) and `apply()` (one unit of work)."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from freelancer_desk.domain.clock import Clock
from freelancer_desk.importers import (
    clockify,
    column_mapping,
    harvest,
    timewarrior,
    toggl,
    upwork_transactions,
    upwork_weekly,
    watson,
)
from freelancer_desk.importers.base import (
    ImporterSpec,
    ImportRefused,
    ImportResult,
    Issue,
    Preview,
    Progress,
    Source,
    Stop,
    check_stop,
    load_mapping,
    log_key,
    read_source,
    resolve_time,
    write_log,
    write_time,
)
from freelancer_desk.importers.money import resolve_money, write_money
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Setting

IMPORTERS: dict[str, ImporterSpec] = {
    spec.kind: spec
    for spec in (
        ImporterSpec(
            "upwork",
            "Upwork transaction history",
            "ledger",
            upwork_transactions.parse,
            upwork_transactions.detect,
        ),
        ImporterSpec(
            "upwork-weekly",
            "Upwork weekly summary",
            "time",
            upwork_weekly.parse,
            upwork_weekly.detect,
        ),
        ImporterSpec(
            "clockify", "Clockify detailed report", "time", clockify.parse, clockify.detect
        ),
        ImporterSpec("toggl", "Toggl Track detailed report", "time", toggl.parse, toggl.detect),
        ImporterSpec(
            "harvest", "Harvest detailed time report", "time", harvest.parse, harvest.detect
        ),
        ImporterSpec(
            "watson",
            "Watson frames (JSON)",
            "time",
            watson.parse,
            watson.detect,
            ("", ".json", ".csv"),
        ),
        ImporterSpec(
            "timewarrior",
            "Timewarrior data files",
            "time",
            timewarrior.parse,
            timewarrior.detect,
            (".data", ".json"),
        ),
        ImporterSpec(
            "fiverr",
            "Fiverr or any CSV (columns assigned by you)",
            "ledger",
            column_mapping.parse,
            column_mapping.detect,
        ),
    )
}
KINDS = tuple(IMPORTERS)


class _DryRun(Exception):
    """Raised inside the unit of work to roll a dry run back."""


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file's rows are parsed or written: tens of
    thousands of new objects (rows, postings) trigger repeated full collections that
    walk every object of the process (~20 % of a 10,000-row import's CPU). Collection
    resumes afterwards (if it was on); the rows themselves make no cycles."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def load(path: str | Path) -> Source:
    p = Path(path)
    if p.is_dir():
        return timewarrior.read_folder(p)
    return read_source(p)


def detect_kind(source: Source) -> str | None:
    """The kind of file, from its header or first line; None when nothing fits."""
    for spec in IMPORTERS.values():
        if spec.detect(source):
            return spec.kind
    return None


def preview(
    db: Database,
    kind: str | None,
    path: str | Path,
    mapping: Mapping[str, str] | None = None,
    options: Mapping[str, Any] | None = None,
    *,
    source: Source | None = None,
) -> Preview:
    """Read and check a file against the workspace; writes nothing.

    `mapping`: for time, "Client / Project" (or tag, project) -> contract id, reference
    or title; for the column-mapped kind, field -> column (remembered on apply).
    Raises ImportRefused when the file cannot be read at all (empty, binary, wrong kind).
    """
    src = source or load(path)
    found = detect_kind(src)
    if kind in (None, "", "auto"):
        if found is None:
            raise ImportRefused(
                [Issue(0, "file", "the kind of file is not recognised: name it (KIND)")]
            )
        kind = found
    if kind not in IMPORTERS:
        raise ImportRefused([Issue(0, "kind", f"{kind!r} is not one of {', '.join(KINDS)}")])
    spec = IMPORTERS[kind]
    opts = dict(options or {})
    given = dict(mapping or {})
    if kind == "fiverr":
        saved = load_mapping(db, opts.get("mapping_name") or kind) or {}
        columns = given or dict(saved.get("columns") or {})
        for key in ("currency", "date_order", "platform", "decimal_comma"):
            if key not in opts and key in saved:
                opts[key] = saved[key]
        opts["columns"] = columns
        given = {}
    with gc_paused():
        parsed = spec.parse(src, opts)
    if not parsed.entries and not parsed.money and not parsed.issues:
        parsed.error(0, "file", "no rows to import")
    result = Preview(parsed, str(path), src.sha256, options=opts)
    with gc_paused(), db.read() as s:
        if spec.target == "time":
            resolve_time(s, result, given, db.clock.now())
        else:
            resolve_money(s, result)
        result.already_imported = (
            s.scalar(select(Setting.id).where(Setting.key == log_key(kind, src.sha256))) is not None
        )
    return result


def apply(
    db: Database,
    clock: Clock,
    ledger: LedgerService,
    result: Preview,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    stop: Stop | None = None,
) -> ImportResult:
    """Write the preview in one unit of work: all of it or, on any refusal, nothing.
    A dry run does the same work and rolls it back, so its counts are exact.

    `stop` (e.g. a Cancel button's flag, read from the thread doing the import) is
    polled between batches of rows and once more before the commit: when it returns
    True, ImportCancelled is raised and the unit of work rolls back — nothing stays."""
    problems = result.problems()
    if problems:
        raise ImportRefused(problems)
    spec = IMPORTERS[result.kind]
    counts: dict[str, int] = {}
    try:
        with gc_paused(), db.session() as s:
            if spec.target == "time":
                sessions, segments, skipped = write_time(s, result, clock, progress, stop)
                counts = {"sessions": sessions, "segments": segments, "skipped": skipped}
            else:
                transactions, clients, contracts, skipped = write_money(
                    s, result, clock, ledger, progress, stop
                )
                counts = {
                    "transactions": transactions,
                    "clients": clients,
                    "contracts": contracts,
                    "skipped": skipped,
                }
            added = sum(v for k, v in counts.items() if k not in ("skipped", "segments"))
            if added:
                write_log(s, result, clock, counts)
            if result.kind == "fiverr" and not dry_run:
                from freelancer_desk.importers.base import MAPPING_PREFIX

                name = result.options.get("mapping_name") or result.kind
                _remember(s, f"{MAPPING_PREFIX}{name}", result.options)
            check_stop(stop)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return ImportResult(
        result.kind,
        result.sha256,
        dry_run=dry_run,
        warnings=tuple(result.warnings),
        **counts,
    )


def _remember(session: Any, key: str, options: Mapping[str, Any]) -> None:
    value = {
        k: options[k]
        for k in ("columns", "currency", "date_order", "platform", "decimal_comma")
        if k in options
    }
    row = session.scalar(select(Setting).where(Setting.key == key[:80]))
    if row is None:
        session.add(Setting(key=key[:80], value={"v": value}))
    elif row.value != {"v": value}:
        row.value = {"v": value}
