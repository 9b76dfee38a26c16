"""How far catch-up has settled a job, kept right by the database.

Table `catch_up_marks`, one row per job (`name`), none when the job must look at
everything again:

- `hourly_weeks` — `through`: every Upwork hourly week starting before that day has
  been billed or has nothing to bill (services/billing.py: `bill_due_weeks` then reads
  only the tracked days from `through` on, and moves the mark to the first week whose
  diary has not locked).

What could make a settled week billable again moves the mark back, by triggers, on
SQLite and on PostgreSQL:

- a segment on a contract that could add time to a day before the mark (a back-dated
  manual entry, an import of old segments; a segment moved to another contract or
  instant, undeleted, or its `tracked_seconds` grown) — the mark moves back to that
  (UTC) day; less time, or a flag changed (`over_limit`, `manual`), moves nothing;
- a contract's billing terms changed (`kind`, `platform`, `hourly_rate_minor`,
  `weekly_limit_minutes`, `rounding_rule`), or an `hourly_week` ledger transaction
  deleted or re-keyed — the mark is dropped (the next catch-up reads every day).

Made by migration 0006 and, for a schema made with `metadata.create_all`, by the
listener below. Derived data: exports leave it out (a new workspace has no mark).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import String
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.tracked_days import day_sql
from freelancer_desk.storage.models.triggered import keep_triggers

TABLE = "catch_up_marks"
HOURLY_WEEKS = "hourly_weeks"
# Contract columns deciding what a week bills.
BILLING_TERMS = ("kind", "platform", "hourly_rate_minor", "weekly_limit_minutes", "rounding_rule")
_SOURCE = ("source_kind", "source_id")
_PG_LOWER = "catch_up_marks_lower"
_PG_RESET = "catch_up_marks_reset"


class CatchUpMark(Base):
    """See the module's docstring."""

    __tablename__ = TABLE
    __table_args__ = {"info": {"derived_from": "segments"}}

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    through: Mapped[date]


def _lower(dialect: str) -> str:
    day = day_sql(dialect, "NEW.slot_start")
    return f"UPDATE {TABLE} SET through = {day} WHERE name = '{HOURLY_WEEKS}' AND through > {day}"


_RESET = f"DELETE FROM {TABLE} WHERE name = '{HOURLY_WEEKS}'"


def _changed(dialect: str, columns: tuple[str, ...]) -> str:
    op = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in columns)


def trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the triggers (and PostgreSQL's functions), in order."""
    live = "NEW.contract_id IS NOT NULL AND NOT NEW.deleted"
    moved = " OR ".join(
        [
            "OLD.deleted",
            f"OLD.contract_id {'IS DISTINCT FROM' if dialect == 'postgresql' else 'IS NOT'} "
            "NEW.contract_id",
            "OLD.slot_start <> NEW.slot_start",
            "NEW.tracked_seconds > OLD.tracked_seconds",
        ]
    )
    grown = f"{live} AND ({moved})"
    terms, source = ", ".join(BILLING_TERMS), ", ".join(_SOURCE)
    segment = "contract_id, slot_start, tracked_seconds, deleted"
    hourly = "OLD.source_kind = 'hourly_week'"
    if dialect == "postgresql":

        def function(name: str, body: str) -> str:
            return (
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n  {body};\n  RETURN NULL;\nEND\n$$"
            )

        def trigger(suffix: str, event_: str, table: str, when: str, name: str) -> str:
            return (
                f"CREATE TRIGGER trg_{table}_{TABLE}_{suffix} AFTER {event_} ON {table} "
                f"FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION {name}()"
            )

        return [
            function(_PG_LOWER, _lower(dialect)),
            function(_PG_RESET, _RESET),
            trigger("insert", "INSERT", "segments", live, _PG_LOWER),
            trigger("update", f"UPDATE OF {segment}", "segments", grown, _PG_LOWER),
            trigger(
                "update",
                f"UPDATE OF {terms}",
                "contracts",
                _changed(dialect, BILLING_TERMS),
                _PG_RESET,
            ),
            trigger("delete", "DELETE", "ledger_transactions", hourly, _PG_RESET),
            trigger(
                "update",
                f"UPDATE OF {source}",
                "ledger_transactions",
                f"{hourly} AND ({_changed(dialect, _SOURCE)})",
                _PG_RESET,
            ),
        ]

    def sqlite_trigger(suffix: str, event_: str, table: str, when: str, body: str) -> str:
        return (
            f"CREATE TRIGGER trg_{table}_{TABLE}_{suffix} AFTER {event_} ON {table} "
            f"WHEN {when} BEGIN {body}; END"
        )

    return [
        sqlite_trigger("insert", "INSERT", "segments", live, _lower(dialect)),
        sqlite_trigger("update", f"UPDATE OF {segment}", "segments", grown, _lower(dialect)),
        sqlite_trigger(
            "update", f"UPDATE OF {terms}", "contracts", _changed(dialect, BILLING_TERMS), _RESET
        ),
        sqlite_trigger("delete", "DELETE", "ledger_transactions", hourly, _RESET),
        sqlite_trigger(
            "update",
            f"UPDATE OF {source}",
            "ledger_transactions",
            f"{hourly} AND ({_changed(dialect, _SOURCE)})",
            _RESET,
        ),
    ]


_TRIGGERS = (
    ("segments", "insert"),
    ("segments", "update"),
    ("contracts", "update"),
    ("ledger_transactions", "delete"),
    ("ledger_transactions", "update"),
)


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS trg_{t}_{TABLE}_{s} ON {t}" for t, s in _TRIGGERS),
            f"DROP FUNCTION IF EXISTS {_PG_LOWER}()",
            f"DROP FUNCTION IF EXISTS {_PG_RESET}()",
        ]
    return [f"DROP TRIGGER IF EXISTS trg_{t}_{TABLE}_{s}" for t, s in _TRIGGERS]


def create_triggers(connection: Connection) -> None:
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


keep_triggers(TABLE, create_triggers, (_PG_LOWER, _PG_RESET))
