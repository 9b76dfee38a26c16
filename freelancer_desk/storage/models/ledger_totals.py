"""A summary of the ledger's postings per account, kept by the database.

Table `ledger_totals`, one row per (account kind, currency, client, scope) that has
postings:

- `account_kind`, `currency`: the postings' own;
- `client_key` / `scope_key`: the postings' `client_id` / `scope_id`, the nil UUID
  (`NO_ID`) for none (a primary key column holds no NULL);
- `postings`: how many postings;
- `amount_minor`: their amounts summed (all time, whatever their transaction's date).

A row whose postings all went is removed. Triggers on `ledger_postings` (INSERT,
DELETE, UPDATE of the counted columns) keep it exact whatever writes the postings —
`record`, `record_batch`'s executemany, an import, a client deleted (its postings'
`client_id` set to NULL) — on SQLite and on PostgreSQL (one plpgsql function). They are
made by migration 0006 and, for a schema made with `metadata.create_all`, by the
listener below; `freelancer-desk check` compares the table with a recomputation.

Readers (services/ledger.py): the balances (all time, less the few transactions after
the asked instant), the earnings per client over the whole ledger, and which scopes
still hold pending money (so the pending lots are netted for those scopes only).

Derived data: `info["derived_from"]` tells exports to leave it out (an import rebuilds
it through the triggers).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, String, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base

TABLE = "ledger_totals"
NO_ID = uuid.UUID(int=0)  # "no client" / "no scope" in the key columns
# The columns of ledger_postings whose change moves the summary.
COUNTED = ("account_kind", "currency", "client_id", "scope_id", "amount_minor")
_PG_FUNCTION = "ledger_totals_from_postings"
_COLUMNS = "account_kind, currency, client_key, scope_key, postings, amount_minor"


class LedgerTotal(Base):
    """See the module's docstring."""

    __tablename__ = TABLE
    __table_args__ = {"sqlite_with_rowid": False, "info": {"derived_from": "ledger_postings"}}

    account_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    client_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    scope_key: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    postings: Mapped[int]
    amount_minor: Mapped[int] = mapped_column(BigInteger)


def no_id_sql(dialect: str) -> str:
    """The nil UUID as a literal of the key columns' stored form."""
    if dialect == "postgresql":
        return f"'{NO_ID}'::uuid"
    return f"'{NO_ID.hex}'"


def _key(dialect: str, row: str) -> list[str]:
    nil = no_id_sql(dialect)
    return [
        f"{row}.account_kind",
        f"{row}.currency",
        f"coalesce({row}.client_id, {nil})",
        f"coalesce({row}.scope_id, {nil})",
    ]


def _add(dialect: str) -> str:
    """Count NEW in: an upsert (an INSERT … SELECT needs a WHERE before ON CONFLICT)."""
    values = ", ".join([*_key(dialect, "NEW"), "1", "NEW.amount_minor"])
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) SELECT {values} WHERE TRUE "
        "ON CONFLICT (account_kind, currency, client_key, scope_key) DO UPDATE SET "
        f"postings = {TABLE}.postings + excluded.postings, "
        f"amount_minor = {TABLE}.amount_minor + excluded.amount_minor"
    )


def _remove(dialect: str) -> list[str]:
    """Count OLD out, and drop its row when no posting is left in it."""
    names = ("account_kind", "currency", "client_key", "scope_key")
    where = " AND ".join(
        f"{name} = {value}" for name, value in zip(names, _key(dialect, "OLD"), strict=True)
    )
    return [
        f"UPDATE {TABLE} SET postings = postings - 1, "
        f"amount_minor = amount_minor - OLD.amount_minor WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND postings = 0",
    ]


def trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the triggers (and PostgreSQL's function), in order."""
    columns = ", ".join(COUNTED)
    if dialect == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
        remove = ";\n    ".join(_remove(dialect))
        return [
            f"""CREATE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NOT ({changed}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {remove};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_add(dialect)};
  END IF;
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER trg_ledger_postings_{TABLE} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{columns} ON ledger_postings FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()",
        ]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COUNTED)
    return [
        f"CREATE TRIGGER trg_ledger_postings_{TABLE}_insert AFTER INSERT ON ledger_postings "
        f"BEGIN {_add(dialect)}; END",
        f"CREATE TRIGGER trg_ledger_postings_{TABLE}_delete AFTER DELETE ON ledger_postings "
        f"BEGIN {'; '.join(_remove(dialect))}; END",
        f"CREATE TRIGGER trg_ledger_postings_{TABLE}_update AFTER UPDATE OF {columns} "
        f"ON ledger_postings WHEN {changed} BEGIN "
        + "; ".join([*_remove(dialect), _add(dialect)])
        + "; END",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS trg_ledger_postings_{TABLE} ON ledger_postings",
            f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS trg_ledger_postings_{TABLE}_{op}"
        for op in ("insert", "delete", "update")
    ]


def recompute_sql(dialect: str) -> str:
    """A SELECT giving what the table should hold, recomputed from the postings (the
    migration's backfill and the integrity check)."""
    key = _key(dialect, "ledger_postings")
    return (
        f"SELECT {', '.join(key)}, count(*), sum(amount_minor) FROM ledger_postings "
        f"GROUP BY {', '.join(key)}"
    )


def rebuild(connection: Connection) -> None:
    """Empty the table and fill it again from the postings."""
    dialect = connection.dialect.name
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    connection.exec_driver_sql(f"INSERT INTO {TABLE} ({_COLUMNS}) {recompute_sql(dialect)}")


def create_triggers(connection: Connection) -> None:
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


def _after_create(_metadata: Any, connection: Connection, **_kw: Any) -> None:
    # create_all made (at least) ledger_postings and this table: add the triggers once.
    tables = _kw.get("tables")
    if tables is not None and TABLE not in {t.name for t in tables}:
        return
    create_triggers(connection)


def _after_drop(_metadata: Any, connection: Connection, **_kw: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}() CASCADE")


event.listen(Base.metadata, "after_create", _after_create)
event.listen(Base.metadata, "after_drop", _after_drop)
