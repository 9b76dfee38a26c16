"""The gross booked per billed hourly week, kept by the database.

Table `billed_weeks`, one row per (source id, currency) of the `hourly_week`
transactions (source id `<contract id>/<week start>`, domain/ledger.py
`hourly_week_source`):

- `postings`: how many earned postings (account kind in `EARNED`: fees, pending,
  available, withdrawn) those transactions hold, `pending_cleared` transactions left
  out — the hours report's "billed" figure, as services/reports.py summed it from the
  postings;
- `amount_minor`: their amounts summed.

A row whose postings all went is removed. Triggers keep it exact on every write, on
SQLite and on PostgreSQL (plpgsql):

- on `ledger_postings`: INSERT (the account kind filtered first: a WHEN clause on
  SQLite), DELETE, UPDATE of the counted columns; each looks its transaction up by id;
- on `ledger_transactions`: BEFORE DELETE takes the transaction's postings out (its
  postings then go by the foreign key's cascade and find no transaction any more, or
  went before it, as the ORM deletes them), UPDATE of its source or kind moves them.

A bulk write (services/ledger_bulk.py) stands the posting INSERT trigger aside exactly as
ledger_totals' (`ledger_totals.bulk_insert` drops both on SQLite; PostgreSQL's function
returns at once while `freelancer_desk.bulk` is '1') and adds the batch's sums itself
(`add_sums`). `freelancer-desk check` compares the table with `recompute_sql`. Made by
migration 0010, and for a schema made with `metadata.create_all` by the listener below.

Derived data: `info["derived_from"]` tells exports to leave it out.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import BigInteger, String
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.domain.ledger import AccountKind, SourceKind
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models.ledger_totals import BULK_SETTING, stand_aside_in_bulk
from freelancer_desk.storage.models.triggered import keep_triggers

TABLE = "billed_weeks"
HOURLY_WEEK = SourceKind.HOURLY_WEEK.value
CLEARED = "pending_cleared"  # services/ledger.py CLEARED_KIND: moves money, earns none
# services/ledger.py EARNED_KINDS (tests/storage check they agree).
EARNED = (
    AccountKind.FEES.value,
    AccountKind.PENDING.value,
    AccountKind.AVAILABLE.value,
    AccountKind.WITHDRAWN.value,
)
# The columns of ledger_postings / ledger_transactions whose change moves the summary.
POSTING_COLUMNS = ("transaction_id", "account_kind", "currency", "amount_minor")
TRANSACTION_COLUMNS = ("source_kind", "source_id", "kind")
_PG_POSTINGS = "billed_weeks_from_postings"
_PG_TRANSACTIONS = "billed_weeks_from_transactions"
SQLITE_INSERT_TRIGGER = f"trg_ledger_postings_{TABLE}_insert"
_COLUMNS = "source_id, currency, postings, amount_minor"
_EARNED_SQL = "(" + ", ".join(f"'{k}'" for k in EARNED) + ")"
_ON_CONFLICT = (
    "ON CONFLICT (source_id, currency) DO UPDATE SET "
    f"postings = {TABLE}.postings + excluded.postings, "
    f"amount_minor = {TABLE}.amount_minor + excluded.amount_minor"
)


class BilledWeek(Base):
    """See the module's docstring."""

    __tablename__ = TABLE
    __table_args__ = {"sqlite_with_rowid": False, "info": {"derived_from": "ledger_postings"}}

    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    postings: Mapped[int]
    amount_minor: Mapped[int] = mapped_column(BigInteger)


def _billed(t: str) -> str:
    """`t` (a ledger_transactions row) is a billed hourly week."""
    return f"{t}.source_kind = '{HOURLY_WEEK}' AND {t}.kind <> '{CLEARED}'"


def _add_posting(row: str) -> str:
    """Count posting `row` (NEW) in, if its transaction is a billed week (an INSERT …
    SELECT needs a WHERE before ON CONFLICT)."""
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) "
        f"SELECT t.source_id, {row}.currency, 1, {row}.amount_minor "
        f"FROM ledger_transactions t WHERE t.id = {row}.transaction_id AND {_billed('t')} "
        f"AND {row}.account_kind IN {_EARNED_SQL} {_ON_CONFLICT}"
    )


def _remove_posting(row: str) -> list[str]:
    """Count posting `row` (OLD) out, and drop its row when no posting is left in it."""
    where = (
        f"currency = {row}.currency AND {row}.account_kind IN {_EARNED_SQL} AND source_id = "
        f"(SELECT t.source_id FROM ledger_transactions t WHERE t.id = {row}.transaction_id "
        f"AND {_billed('t')})"
    )
    return [
        f"UPDATE {TABLE} SET postings = postings - 1, "
        f"amount_minor = amount_minor - {row}.amount_minor WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND postings = 0",
    ]


def _of_transaction(row: str) -> str:
    return (
        f"FROM ledger_postings p WHERE p.transaction_id = {row}.id "
        f"AND p.account_kind IN {_EARNED_SQL}"
    )


def _remove_transaction(row: str) -> list[str]:
    """Count transaction `row`'s (OLD) earned postings out, per currency."""
    mine = f"{_of_transaction(row)} AND p.currency = {TABLE}.currency"
    where = f"source_id = {row}.source_id AND {row}.source_kind = '{HOURLY_WEEK}' AND {row}.kind <> '{CLEARED}'"
    return [
        f"UPDATE {TABLE} SET postings = postings - (SELECT count(*) {mine}), "
        f"amount_minor = amount_minor - (SELECT coalesce(sum(p.amount_minor), 0) {mine}) "
        f"WHERE {where}",
        f"DELETE FROM {TABLE} WHERE {where} AND postings = 0",
    ]


def _add_transaction(row: str) -> str:
    """Count transaction `row`'s (NEW) earned postings in, per currency."""
    return (
        f"INSERT INTO {TABLE} ({_COLUMNS}) "
        f"SELECT {row}.source_id, p.currency, count(*), sum(p.amount_minor) "
        f"{_of_transaction(row)} AND {row}.source_kind = '{HOURLY_WEEK}' "
        f"AND {row}.kind <> '{CLEARED}' GROUP BY p.currency {_ON_CONFLICT}"
    )


def _sqlite_insert_ddl() -> str:
    return (
        f"CREATE TRIGGER {SQLITE_INSERT_TRIGGER} AFTER INSERT ON ledger_postings "
        f"WHEN NEW.account_kind IN {_EARNED_SQL} BEGIN {_add_posting('NEW')}; END"
    )


def trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the triggers (and PostgreSQL's functions), in order."""
    pcols = ", ".join(POSTING_COLUMNS)
    tcols = ", ".join(TRANSACTION_COLUMNS)
    if dialect == "postgresql":
        p_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in POSTING_COLUMNS)
        t_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in TRANSACTION_COLUMNS)
        sep, sep2 = ";\n    ", ";\n  "
        remove_posting = sep.join(_remove_posting("OLD"))
        remove_transaction = sep.join(_remove_transaction("OLD"))
        move_transaction = sep2.join([*_remove_transaction("OLD"), _add_transaction("NEW")])
        return [
            f"""CREATE FUNCTION {_PG_POSTINGS}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND current_setting('{BULK_SETTING}', true) = '1' THEN
    RETURN NULL;  -- a bulk writer adds the sums itself
  END IF;
  IF TG_OP = 'UPDATE' AND NOT ({p_changed}) THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    {remove_posting};
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    {_add_posting("NEW")};
  END IF;
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER trg_ledger_postings_{TABLE} AFTER INSERT OR DELETE OR UPDATE OF "
            f"{pcols} ON ledger_postings FOR EACH ROW EXECUTE FUNCTION {_PG_POSTINGS}()",
            f"""CREATE FUNCTION {_PG_TRANSACTIONS}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    {remove_transaction};
    RETURN OLD;
  END IF;
  IF NOT ({t_changed}) THEN
    RETURN NULL;
  END IF;
  {move_transaction};
  RETURN NULL;
END
$$""",
            f"CREATE TRIGGER trg_ledger_transactions_{TABLE}_delete BEFORE DELETE "
            f"ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION {_PG_TRANSACTIONS}()",
            f"CREATE TRIGGER trg_ledger_transactions_{TABLE}_update AFTER UPDATE OF {tcols} "
            f"ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION {_PG_TRANSACTIONS}()",
        ]
    p_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in POSTING_COLUMNS)
    t_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in TRANSACTION_COLUMNS)
    return [
        _sqlite_insert_ddl(),
        f"CREATE TRIGGER trg_ledger_postings_{TABLE}_delete AFTER DELETE ON ledger_postings "
        f"WHEN OLD.account_kind IN {_EARNED_SQL} BEGIN "
        + "; ".join(_remove_posting("OLD"))
        + "; END",
        f"CREATE TRIGGER trg_ledger_postings_{TABLE}_update AFTER UPDATE OF {pcols} "
        f"ON ledger_postings WHEN {p_changed} BEGIN "
        + "; ".join([*_remove_posting("OLD"), _add_posting("NEW")])
        + "; END",
        f"CREATE TRIGGER trg_ledger_transactions_{TABLE}_delete BEFORE DELETE "
        f"ON ledger_transactions BEGIN " + "; ".join(_remove_transaction("OLD")) + "; END",
        f"CREATE TRIGGER trg_ledger_transactions_{TABLE}_update AFTER UPDATE OF {tcols} "
        f"ON ledger_transactions WHEN {t_changed} BEGIN "
        + "; ".join([*_remove_transaction("OLD"), _add_transaction("NEW")])
        + "; END",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS trg_ledger_postings_{TABLE} ON ledger_postings",
            f"DROP TRIGGER IF EXISTS trg_ledger_transactions_{TABLE}_delete ON ledger_transactions",
            f"DROP TRIGGER IF EXISTS trg_ledger_transactions_{TABLE}_update ON ledger_transactions",
            f"DROP FUNCTION IF EXISTS {_PG_POSTINGS}()",
            f"DROP FUNCTION IF EXISTS {_PG_TRANSACTIONS}()",
        ]
    return [
        *(
            f"DROP TRIGGER IF EXISTS trg_ledger_postings_{TABLE}_{op}"
            for op in ("insert", "delete", "update")
        ),
        *(
            f"DROP TRIGGER IF EXISTS trg_ledger_transactions_{TABLE}_{op}"
            for op in ("delete", "update")
        ),
    ]


def recompute_sql(dialect: str) -> str:
    """A SELECT giving what the table should hold, recomputed from the postings (the
    migration's backfill and the integrity check): source_id, currency, postings,
    amount_minor."""
    del dialect  # the same on both
    return (
        "SELECT t.source_id, p.currency, count(*), sum(p.amount_minor) "
        "FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id "
        f"WHERE {_billed('t')} AND p.account_kind IN {_EARNED_SQL} "
        "GROUP BY t.source_id, p.currency"
    )


def rebuild(connection: Connection) -> None:
    """Empty the table and fill it again from the postings."""
    dialect = connection.dialect.name
    connection.exec_driver_sql(f"DELETE FROM {TABLE}")
    connection.exec_driver_sql(f"INSERT INTO {TABLE} ({_COLUMNS}) {recompute_sql(dialect)}")


def create_triggers(connection: Connection) -> None:
    """See `trigger_ddl`."""
    for statement in trigger_ddl(connection.dialect.name):
        connection.exec_driver_sql(statement)


_UPSERT = f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?) {_ON_CONFLICT}"


def add_sums(connection: Connection, rows: Iterable[tuple[str, str, int]]) -> None:
    """Count earned postings of billed weeks the triggers did not (a bulk write): `rows`
    are (source_id, currency, amount_minor); one upsert per key."""
    sums: dict[tuple[str, str], list[int]] = {}
    for source_id, currency, amount in rows:
        key = (source_id, currency)
        try:
            total = sums[key]
        except KeyError:
            total = sums[key] = [0, 0]
        total[0] += 1
        total[1] += amount
    if not sums:
        return
    params = [(sid, cur, n, amount) for (sid, cur), (n, amount) in sums.items()]
    paramstyle = connection.dialect.paramstyle
    statement = _UPSERT if paramstyle == "qmark" else _UPSERT.replace("?", "%s")
    connection.exec_driver_sql(statement, params)


# The bulk writer's INSERT stands aside (ledger_totals.bulk_insert), as ledger_totals'.
stand_aside_in_bulk(SQLITE_INSERT_TRIGGER, _sqlite_insert_ddl)
keep_triggers(TABLE, create_triggers, (_PG_POSTINGS, _PG_TRANSACTIONS))
