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
made by migration 0006 (0007: PostgreSQL's function stands aside for a bulk writer)
and, for a schema made with `metadata.create_all`, by the listener below;
`freelancer-desk check` compares the table with a recomputation.

Bulk writes (`services/ledger_bulk.py`: an import's thousands of postings in one
executemany) add their sums themselves, one upsert per key and batch, instead of the
trigger's one per posting (`bulk_insert`, `add_sums`), in the writer's transaction:

- SQLite: the INSERT trigger is dropped for the bulk INSERT and made again right after,
  inside the writer's transaction (SQLite's DDL is transactional, and it has one writer
  at a time: no other connection can write meanwhile, and readers see the schema as
  committed). Any row trigger, even `WHEN 0`, costs ~6 µs per row: 0.13 of the 0.19 s
  the upserts add to 20,000 postings.
- PostgreSQL: the trigger's function returns at once for an INSERT while the
  transaction-local setting `freelancer_desk.bulk` is '1' (migration 0007).

Only the bulk INSERT and its upsert run inside: every other write — `record()`,
deletes, updates, direct SQL, in the same transaction or any other — is counted by the
triggers, and a rollback takes the sums with the rows.

Readers (services/ledger.py): the balances (all time, less the few transactions after
the asked instant), the earnings per client over the whole ledger, and which scopes
still hold pending money (so the pending lots are netted for those scopes only).

Derived data: `info["derived_from"]` tells exports to leave it out (an import rebuilds
it through the triggers).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.triggered import keep_triggers

TABLE = "ledger_totals"
NO_ID = uuid.UUID(int=0)  # "no client" / "no scope" in the key columns
# The columns of ledger_postings whose change moves the summary.
COUNTED = ("account_kind", "currency", "client_id", "scope_id", "amount_minor")
_PG_FUNCTION = "ledger_totals_from_postings"
_SQLITE_INSERT_TRIGGER = f"trg_ledger_postings_{TABLE}_insert"
BULK_SETTING = "freelancer_desk.bulk"  # PostgreSQL: '1' (transaction-local) in a bulk INSERT
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


def trigger_ddl(dialect: str, *, bulk: bool = False) -> list[str]:
    """The statements creating the triggers (and PostgreSQL's function), in order:
    migration 0006's; `bulk=True`: PostgreSQL's function with the bulk writer's
    condition (0007, and a new workspace's schema; SQLite's triggers are the same)."""
    columns = ", ".join(COUNTED)
    if dialect == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COUNTED)
        remove = ";\n    ".join(_remove(dialect))
        skip = (
            f"""
  IF TG_OP = 'INSERT' AND current_setting('{BULK_SETTING}', true) = '1' THEN
    RETURN NULL;  -- a bulk writer adds the sums itself
  END IF;"""
            if bulk
            else ""
        )
        return [
            f"""CREATE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{skip}
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
        f"CREATE TRIGGER {_SQLITE_INSERT_TRIGGER} AFTER INSERT ON ledger_postings "
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


def create_triggers(connection: Connection, *, bulk: bool = False) -> None:
    """See `trigger_ddl`."""
    for statement in trigger_ddl(connection.dialect.name, bulk=bulk):
        connection.exec_driver_sql(statement)


_UPSERT = (
    f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (account_kind, currency, client_key, scope_key) DO UPDATE SET "
    f"postings = {TABLE}.postings + excluded.postings, "
    f"amount_minor = {TABLE}.amount_minor + excluded.amount_minor"
)


def add_sums(
    connection: Connection, rows: Iterable[tuple[str, uuid.UUID | None, uuid.UUID | None, str, int]]
) -> None:
    """Count postings the triggers did not (a bulk write): `rows` are (account_kind,
    scope_id, client_id, currency, amount_minor); one upsert per key, its values
    converted as the ORM would (each id once) and sent straight to the driver."""
    sums: dict[tuple[str, str, uuid.UUID | None, uuid.UUID | None], list[int]] = {}
    for kind, scope, client, currency, amount in rows:
        key = (kind, currency, client, scope)
        try:
            total = sums[key]
        except KeyError:
            total = sums[key] = [0, 0]
        total[0] += 1
        total[1] += amount
    if not sums:
        return
    dialect = connection.dialect
    proc = LedgerTotal.__table__.c.client_key.type.dialect_impl(dialect).bind_processor(dialect)
    ids: dict[uuid.UUID | None, Any] = {}

    def stored(value: uuid.UUID | None) -> Any:
        try:
            return ids[value]
        except KeyError:
            key = NO_ID if value is None else value
            out = ids[value] = key if proc is None else proc(key)
            return out

    params = [
        (kind, currency, stored(client), stored(scope), n, amount)
        for (kind, currency, client, scope), (n, amount) in sums.items()
    ]
    statement = _UPSERT if dialect.paramstyle == "qmark" else _UPSERT.replace("?", "%s")
    connection.exec_driver_sql(statement, params)


# Other summaries' SQLite INSERT triggers on ledger_postings that stand aside in a bulk
# write too (name, its CREATE statement): billed_weeks registers its own.
_ALSO_ASIDE: list[tuple[str, Callable[[], str]]] = []


def stand_aside_in_bulk(trigger: str, ddl: Callable[[], str]) -> None:
    """Register another SQLite INSERT trigger on ledger_postings for `bulk_insert` to
    drop and make again (its PostgreSQL function checks `BULK_SETTING` itself); its
    writer adds its own sums inside."""
    _ALSO_ASIDE.append((trigger, ddl))


@contextmanager
def bulk_insert(connection: Connection) -> Iterator[bool]:
    """Inside, this transaction's INSERTs into ledger_postings are not counted by the
    trigger (nor by the triggers registered with `stand_aside_in_bulk`) when it yields
    True: the caller counts them with `add_sums` (one upsert per key for all of them)
    before leaving. False (SQLite outside a transaction: a dropped trigger would stay
    dropped): the triggers count them. Left by an exception, the caller rolls the
    transaction back (a stop, a refusal, a failed statement)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT set_config('{BULK_SETTING}', '1', true)")
        try:
            yield True
        finally:
            # A failed transaction takes no statement until its rollback, which ends
            # the setting anyway.
            with suppress(SQLAlchemyError):
                connection.exec_driver_sql(f"SELECT set_config('{BULK_SETTING}', '', true)")
        return
    driver = connection.connection.driver_connection
    if not getattr(driver, "in_transaction", False):
        yield False
        return
    aside: list[tuple[str, Callable[[], str]]] = [
        (_SQLITE_INSERT_TRIGGER, _sqlite_insert_ddl),
        *_ALSO_ASIDE,
    ]
    for name, _ddl in aside:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    try:
        yield True
    except BaseException:
        # Put them back if the transaction still takes statements (a stop, a refusal).
        # If SQLite rolled it back itself, they are there again (DDL rolls back).
        with suppress(SQLAlchemyError):
            for name, ddl in aside:
                if not _sqlite_trigger_exists(connection, name):
                    connection.exec_driver_sql(ddl())
        raise
    for _name, ddl in aside:
        connection.exec_driver_sql(ddl())


def _sqlite_insert_ddl() -> str:
    return trigger_ddl("sqlite")[0]


def _sqlite_trigger_exists(connection: Connection, name: str) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
    )
    return found.first() is not None


# New workspaces get the bulk-aware form (0007).
keep_triggers(TABLE, lambda connection: create_triggers(connection, bulk=True), (_PG_FUNCTION,))
