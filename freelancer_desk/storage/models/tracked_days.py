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
from collections.abc import Callable
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


class SegmentSums:
    """The triggers, recount and rebuild of a summary of `segments` per (bucket, contract
    or order): `tracked_days` (bucket: the UTC day) and `tracked_weeks` (the UTC week)
    share everything but the table, the bucket column and its SQL."""

    def __init__(
        self, table: str, bucket: str, bucket_sql: Callable[[str, str], str], pg_function: str
    ) -> None:
        self.table, self.bucket, self.bucket_sql = table, bucket, bucket_sql
        self.pg_function = pg_function
        self.columns = f"{bucket}, target_id, contract_id, order_id, " + ", ".join(_SUMS)

    def _values(self, dialect: str, row: str) -> list[str]:
        """The summary's column values for one segment (`row` is NEW or OLD)."""
        seconds = f"{row}.tracked_seconds"
        return [
            self.bucket_sql(dialect, f"{row}.slot_start"),
            f"coalesce({row}.contract_id, {row}.order_id)",
            f"{row}.contract_id",
            f"CASE WHEN {row}.contract_id IS NULL THEN {row}.order_id END",
            "1",
            seconds,
            f"CASE WHEN {row}.manual THEN {seconds} ELSE 0 END",
            f"CASE WHEN {row}.over_limit THEN {seconds} ELSE 0 END",
        ]

    def _add(self, dialect: str, condition: str = "TRUE") -> str:
        """Count NEW in: an upsert (an INSERT … SELECT needs a WHERE before ON CONFLICT)."""
        table = self.table
        sums = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in _SUMS)
        return (
            f"INSERT INTO {table} ({self.columns}) "
            f"SELECT {', '.join(self._values(dialect, 'NEW'))} "
            f"WHERE {condition} ON CONFLICT ({self.bucket}, target_id) DO UPDATE SET {sums}"
        )

    def _remove(self, dialect: str, condition: str | None = None) -> list[str]:
        """Count OLD out, and drop its row when no segment is left in it."""
        bucket, target, _cid, _oid, *amounts = self._values(dialect, "OLD")
        sums = ", ".join(f"{c} = {c} - {v}" for c, v in zip(_SUMS, amounts, strict=True))
        where = f"{self.bucket} = {bucket} AND target_id = {target}"
        if condition is not None:
            where += f" AND {condition}"
        return [
            f"UPDATE {self.table} SET {sums} WHERE {where}",
            f"DELETE FROM {self.table} WHERE {where} AND segments = 0",
        ]

    def trigger_ddl(self, dialect: str) -> list[str]:
        """The statements creating the triggers (and PostgreSQL's function), in order."""
        changed = " OR ".join(
            f"OLD.{c} IS DISTINCT FROM NEW.{c}"
            if dialect == "postgresql"
            else f"OLD.{c} IS NOT NEW.{c}"
            for c in COUNTED
        )
        columns = ", ".join(COUNTED)
        table = self.table
        if dialect == "postgresql":
            remove = ";\n    ".join(self._remove(dialect))
            return [
                f"""CREATE FUNCTION {self.pg_function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND {_live("OLD")} THEN
    {remove};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {_live("NEW")} THEN
    {self._add(dialect)};
  END IF;
  RETURN NULL;
END
$$""",
                f"CREATE TRIGGER trg_segments_{table} AFTER INSERT OR DELETE OR UPDATE OF "
                f"{columns} ON segments FOR EACH ROW EXECUTE FUNCTION {self.pg_function}()",
            ]
        insert = (
            f"CREATE TRIGGER trg_segments_{table}_insert AFTER INSERT ON segments "
            f"WHEN {_live('NEW')} BEGIN {self._add(dialect)}; END"
        )
        delete = (
            f"CREATE TRIGGER trg_segments_{table}_delete AFTER DELETE ON segments "
            f"WHEN {_live('OLD')} BEGIN {'; '.join(self._remove(dialect))}; END"
        )
        update = (
            f"CREATE TRIGGER trg_segments_{table}_update AFTER UPDATE OF {columns} ON segments "
            f"WHEN {changed} BEGIN "
            + "; ".join([*self._remove(dialect, _live("OLD")), self._add(dialect, _live("NEW"))])
            + "; END"
        )
        return [insert, delete, update]

    def drop_trigger_ddl(self, dialect: str) -> list[str]:
        if dialect == "postgresql":
            return [
                f"DROP TRIGGER IF EXISTS trg_segments_{self.table} ON segments",
                f"DROP FUNCTION IF EXISTS {self.pg_function}()",
            ]
        return [
            f"DROP TRIGGER IF EXISTS trg_segments_{self.table}_{op}"
            for op in ("insert", "delete", "update")
        ]

    def recompute_sql(self, dialect: str) -> str:
        """A SELECT giving what the table should hold, recomputed from the segments (the
        migration's backfill and the integrity check)."""
        target = "coalesce(contract_id, order_id)"
        order = "CASE WHEN contract_id IS NULL THEN order_id END"
        bucket = self.bucket_sql(dialect, "slot_start")
        return (
            f"SELECT {bucket} AS {self.bucket}, {target} AS target_id, contract_id, "
            f"{order} AS order_id, "
            "count(*) AS segments, sum(tracked_seconds) AS tracked_seconds, "
            "sum(CASE WHEN manual THEN tracked_seconds ELSE 0 END) AS manual_seconds, "
            "sum(CASE WHEN over_limit THEN tracked_seconds ELSE 0 END) AS over_limit_seconds "
            f"FROM segments WHERE NOT deleted AND {target} IS NOT NULL "
            f"GROUP BY {bucket}, {target}, contract_id, {order}"
        )

    def rebuild(self, connection: Connection) -> None:
        """Empty the table and fill it again from the segments."""
        dialect = connection.dialect.name
        connection.exec_driver_sql(f"DELETE FROM {self.table}")
        connection.exec_driver_sql(
            f"INSERT INTO {self.table} ({self.columns}) {self.recompute_sql(dialect)}"
        )

    def create_triggers(self, connection: Connection) -> None:
        for statement in self.trigger_ddl(connection.dialect.name):
            connection.exec_driver_sql(statement)

    def keep(self) -> None:
        """Have `metadata.create_all` make the triggers too (`models/triggered.py`)."""
        keep_triggers(self.table, self.create_triggers, (self.pg_function,))


def _live(row: str) -> str:
    return f"NOT {row}.deleted AND coalesce({row}.contract_id, {row}.order_id) IS NOT NULL"


DAYS = SegmentSums(TABLE, "day", day_sql, _PG_FUNCTION)
trigger_ddl = DAYS.trigger_ddl
drop_trigger_ddl = DAYS.drop_trigger_ddl
recompute_sql = DAYS.recompute_sql
rebuild = DAYS.rebuild
create_triggers = DAYS.create_triggers
_COLUMNS = DAYS.columns
DAYS.keep()
