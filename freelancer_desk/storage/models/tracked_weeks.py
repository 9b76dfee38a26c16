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

from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.tracked_days import SegmentSums

TABLE = "tracked_weeks"
_PG_FUNCTION = "tracked_weeks_from_segments"


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


WEEKS = SegmentSums(TABLE, "week", week_sql, _PG_FUNCTION)
trigger_ddl = WEEKS.trigger_ddl
drop_trigger_ddl = WEEKS.drop_trigger_ddl
recompute_sql = WEEKS.recompute_sql
rebuild = WEEKS.rebuild
create_triggers = WEEKS.create_triggers
_COLUMNS = WEEKS.columns
WEEKS.keep()
