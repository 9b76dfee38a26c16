"""A summary of tracked time per contract (or order) and UTC day, kept by the database.

Table `tracked_days`, one row per (UTC day, contract or order) that has at least one
non-deleted segment:

- `day` (date): the UTC day of the segments' `slot_start` (`date(slot_start)` on SQLite,
  stored 'YYYY-MM-DD'; `(slot_start AT TIME ZONE 'UTC')::date` on PostgreSQL);
- `target_id`: the contract's id, or the order's when the segment has no contract
  (`coalesce(contract_id, order_id)`; 32 hex digits on SQLite);
- `contract_id` / `order_id`: the same id in its own column (the other one NULL);
- `segments`: how many non-deleted segments;
- `tracked_seconds`: their `tracked_seconds` summed;
- `manual_seconds`: of those, the seconds of manual segments;
- `over_limit_seconds`: of those, the seconds of segments flagged `over_limit`
  (billable = tracked - over_limit).

Deleted segments count nowhere; a row whose segments all went is removed. Triggers on
`segments` (INSERT, DELETE, UPDATE of the counted columns) keep it exact whatever writes
the segments — the tracker, manual time, imports, a restore, a bulk executemany — on
SQLite and on PostgreSQL (one plpgsql function). They are created by migration 0004 and,
for a schema made with `metadata.create_all`, by the listener below; `freelancer-desk
check` compares the table with a recomputation from the segments.

The table is derived data: `info["derived_from"]` tells exports to leave it out (an
import rebuilds it through the triggers).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Index
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.triggered import keep_triggers

TABLE = "tracked_days"
# The columns of segments whose change moves the summary.
COUNTED = (
    "contract_id",
    "order_id",
    "slot_start",
    "tracked_seconds",
    "manual",
    "over_limit",
    "deleted",
)
_SUMS = ("segments", "tracked_seconds", "manual_seconds", "over_limit_seconds")
_PG_FUNCTION = "tracked_days_from_segments"


class TrackedDay(Base):
    """See the module's docstring."""

    __tablename__ = TABLE
    __table_args__ = (
        # Sums per contract or order over every day read this index in order (no sort).
        Index(
            "ix_tracked_days_target_cover",
            "target_id",
            "contract_id",
            "order_id",
            "tracked_seconds",
        ),
        {"sqlite_with_rowid": False, "info": {"derived_from": "segments"}},
    )

    day: Mapped[date] = mapped_column(primary_key=True)
    target_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    segments: Mapped[int]
    tracked_seconds: Mapped[int]
    manual_seconds: Mapped[int]
    over_limit_seconds: Mapped[int]


def whole_days(lo: datetime, hi: datetime) -> tuple[date, date, list[tuple[datetime, datetime]]]:
    """The whole UTC days [first, end) inside [lo, hi) — what the summary answers — and
    the parts of [lo, hi) before and after them, to be read from the segments (all of
    [lo, hi) when it holds no whole day)."""
    lo, hi = lo.astimezone(UTC), hi.astimezone(UTC)
    first = lo.date() if lo.timetz() == time(tzinfo=UTC) else lo.date() + timedelta(days=1)
    end = hi.date()
    if end <= first:
        return first, first, [(lo, hi)] if lo < hi else []
    edges = []
    first_at, end_at = datetime.combine(first, time(), UTC), datetime.combine(end, time(), UTC)
    if lo < first_at:
        edges.append((lo, first_at))
    if end_at < hi:
        edges.append((end_at, hi))
    return first, end, edges


def day_sql(dialect: str, column: str) -> str:
    """SQL for the UTC day of a stored instant, as the summary stores it."""
    if dialect == "postgresql":
        return f"(({column}) AT TIME ZONE 'UTC')::date"
    return f"date({column})"


def _values(dialect: str, row: str) -> list[str]:
    """The summary's column values for one segment (`row` is NEW or OLD)."""
    seconds = f"{row}.tracked_seconds"
    return [
        day_sql(dialect, f"{row}.slot_start"),
        f"coalesce({row}.contract_id, {row}.order_id)",
        f"{row}.contract_id",
        f"CASE WHEN {row}.contract_id IS NULL THEN {row}.order_id END",
        "1",
        seconds,
        f"CASE WHEN {row}.manual THEN {seconds} ELSE 0 END",
        f"CASE WHEN {row}.over_limit THEN {seconds} ELSE 0 END",
    ]


_COLUMNS = "day, target_id, contract_id, order_id, " + ", ".join(_SUMS)


def _add(dialect: str, condition: str = "TRUE") -> str:
    """Count NEW in: an upsert (an INSERT … SELECT needs a WHERE before ON CONFLICT)."""
    sums = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in _SUMS)
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {', '.join(_values(dialect, 'NEW'))} "
        f"WHERE {condition} ON CONFLICT (day, target_id) DO UPDATE SET {sums}"
    )


def _remove(dialect: str, condition: str | None = None) -> list[str]:
    """Count OLD out, and drop its row when no segment is left in it."""
    day, target, _cid, _oid, *amounts = _values(dialect, "OLD")
    sums = ", ".join(f"{c} = {c} - {v}" for c, v in zip(_SUMS, amounts, strict=True))
    where = f"day = {day} AND target_id = {target}"
    if condition is not None:
        where += f" AND {condition}"
    return [
        f"UPDATE {TABLE} SET {sums} WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND segments = 0",
    ]


def _live(row: str) -> str:
    return f"NOT {row}.deleted AND coalesce({row}.contract_id, {row}.order_id) IS NOT NULL"


def trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the triggers (and PostgreSQL's function), in order."""
    changed = " OR ".join(
        f"OLD.{c} IS DISTINCT FROM NEW.{c}"
        if dialect == "postgresql"
        else f"OLD.{c} IS NOT NEW.{c}"
        for c in COUNTED
    )
    columns = ", ".join(COUNTED)
    if dialect == "postgresql":
        remove = ";\n    ".join(_remove(dialect))
        return [
            f"""CREATE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND {_live("OLD")} THEN
    {remove};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {_live("NEW")} THEN
    {_add(dialect)};
  END IF;
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER trg_segments_{TABLE} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON segments FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
        ]
    insert = (
        f"CREATE TRIGGER trg_segments_{TABLE}_insert AFTER INSERT ON segments "
        f"WHEN {_live('NEW')} BEGIN {_add(dialect)}; END"
    )
    delete = (
        f"CREATE TRIGGER trg_segments_{TABLE}_delete AFTER DELETE ON segments "
        f"WHEN {_live('OLD')} BEGIN {'; '.join(_remove(dialect))}; END"
    )
    update = (
        f"CREATE TRIGGER trg_segments_{TABLE}_update AFTER UPDATE OF {columns} ON segments "
        f"WHEN {changed} BEGIN "
        + "; ".join([*_remove(dialect, _live("OLD")), _add(dialect, _live("NEW"))])
        + "; END"
    )
    return [insert, delete, update]


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS trg_segments_{TABLE} ON segments",
            f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS trg_segments_{TABLE}_{op}" for op in ("insert", "delete", "update")
    ]


def recompute_sql(dialect: str) -> str:
    """A SELECT giving what the table should hold, recomputed from the segments (the
    migration's backfill and the integrity check)."""
    target = "coalesce(contract_id, order_id)"
    order = "CASE WHEN contract_id IS NULL THEN order_id END"
    day = day_sql(dialect, "slot_start")
    return (
        f"SELECT {day} AS day, {target} AS target_id, contract_id, {order} AS order_id, "
        "count(*) AS segments, sum(tracked_seconds) AS tracked_seconds, "
        "sum(CASE WHEN manual THEN tracked_seconds ELSE 0 END) AS manual_seconds, "
        "sum(CASE WHEN over_limit THEN tracked_seconds ELSE 0 END) AS over_limit_seconds "
        f"FROM segments WHERE NOT deleted AND {target} IS NOT NULL "
        f"GROUP BY {day}, {target}, contract_id, {order}"
    )


def rebuild(connection: Connection) -> None:
    """Empty the table and fill it again from the segments."""
    dialect = connection.dialect.name
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    connection.exec_driver_sql(f"INSERT INTO {TABLE} ({_COLUMNS}) {recompute_sql(dialect)}")


def create_triggers(connection: Connection) -> None:
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


keep_triggers(TABLE, create_triggers, (_PG_FUNCTION,))
