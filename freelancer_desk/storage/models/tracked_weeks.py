"""A summary of tracked time per contract (or order) and UTC week, kept by the database.

Table `tracked_weeks`, one row per (UTC week, contract or order) that has at least one
non-deleted segment — `tracked_days` (see there) summed per week:

- `week` (date): the Monday starting the UTC week (Monday 00:00 UTC, Upwork's billing
  week) of the segments' `slot_start`;
- `target_id`, `contract_id`, `order_id`, `segments`, `tracked_seconds`,
  `manual_seconds`, `over_limit_seconds`: as in `tracked_days`.

The hours report reads a UTC week wholly inside its period here: ~2,100 rows for a
year of the heavy workspace, already in (week, target) order, instead of grouping the
year's ~8,800 day rows (a sort SQLite cannot avoid).

Kept exact like `tracked_days`: triggers on `segments` (INSERT, DELETE, UPDATE of the
counted columns), on SQLite and PostgreSQL (one plpgsql function), made by migration
0008 and, for a schema made with `metadata.create_all`, by the listener below;
`freelancer-desk check` compares the table with a recomputation from the segments.
Derived data: `info["derived_from"]` tells exports to leave it out.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.tracked_days import COUNTED
from freelancer_desk.storage.models.triggered import keep_triggers

TABLE = "tracked_weeks"
_SUMS = ("segments", "tracked_seconds", "manual_seconds", "over_limit_seconds")
_PG_FUNCTION = "tracked_weeks_from_segments"
_COLUMNS = "week, target_id, contract_id, order_id, " + ", ".join(_SUMS)


class TrackedWeek(Base):
    """See the module's docstring."""

    __tablename__ = TABLE
    __table_args__ = {"sqlite_with_rowid": False, "info": {"derived_from": "segments"}}

    week: Mapped[date] = mapped_column(primary_key=True)
    target_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    contract_id: Mapped[uuid.UUID | None]
    order_id: Mapped[uuid.UUID | None]
    segments: Mapped[int]
    tracked_seconds: Mapped[int]
    manual_seconds: Mapped[int]
    over_limit_seconds: Mapped[int]


def week_sql(dialect: str, column: str) -> str:
    """SQL for the Monday starting the UTC week of a stored instant, as stored here."""
    if dialect == "postgresql":
        return f"(date_trunc('week', ({column}) AT TIME ZONE 'UTC'))::date"
    # 'weekday 0' moves to the Sunday ending the week (a Sunday stays), then back 6 days
    return f"date({column}, 'weekday 0', '-6 days')"


def _values(dialect: str, row: str) -> list[str]:
    """The summary's column values for one segment (`row` is NEW or OLD)."""
    seconds = f"{row}.tracked_seconds"
    return [
        week_sql(dialect, f"{row}.slot_start"),
        f"coalesce({row}.contract_id, {row}.order_id)",
        f"{row}.contract_id",
        f"CASE WHEN {row}.contract_id IS NULL THEN {row}.order_id END",
        "1",
        seconds,
        f"CASE WHEN {row}.manual THEN {seconds} ELSE 0 END",
        f"CASE WHEN {row}.over_limit THEN {seconds} ELSE 0 END",
    ]


def _add(dialect: str, condition: str = "TRUE") -> str:
    """Count NEW in: an upsert (an INSERT … SELECT needs a WHERE before ON CONFLICT)."""
    sums = ", ".join(f"{c} = {TABLE}.{c} + excluded.{c}" for c in _SUMS)
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {', '.join(_values(dialect, 'NEW'))} "
        f"WHERE {condition} ON CONFLICT (week, target_id) DO UPDATE SET {sums}"
    )


def _remove(dialect: str, condition: str | None = None) -> list[str]:
    """Count OLD out, and drop its row when no segment is left in it."""
    week, target, _cid, _oid, *amounts = _values(dialect, "OLD")
    sums = ", ".join(f"{c} = {c} - {v}" for c, v in zip(_SUMS, amounts, strict=True))
    where = f"week = {week} AND target_id = {target}"
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
    week = week_sql(dialect, "slot_start")
    return (
        f"SELECT {week} AS week, {target} AS target_id, contract_id, {order} AS order_id, "
        "count(*) AS segments, sum(tracked_seconds) AS tracked_seconds, "
        "sum(CASE WHEN manual THEN tracked_seconds ELSE 0 END) AS manual_seconds, "
        "sum(CASE WHEN over_limit THEN tracked_seconds ELSE 0 END) AS over_limit_seconds "
        f"FROM segments WHERE NOT deleted AND {target} IS NOT NULL "
        f"GROUP BY {week}, {target}, contract_id, {order}"
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
