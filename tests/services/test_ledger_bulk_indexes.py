"""A bulk write at least as large as its table (a first import) makes the table's
secondary indexes again after the insert instead of keeping them up row by row
(SQLite, inside the writer's transaction): afterwards every index is there with its own
definition and statistics and matches the rows; a stopped or failed write leaves them
as they were; a write smaller than the table, a write outside a transaction and
PostgreSQL keep them up as before."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import text

from freelancer_desk.services import ledger_bulk
from freelancer_desk.services.ledger_bulk import BatchCancelled
from freelancer_desk.storage.models import Client
from tests.services.money_rows import add_client, add_contract, open_ws, utc
from tests.services.test_ledger_totals_bulk import exact, two_clients, weeks

TABLES = ("ledger_transactions", "ledger_postings")


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 1, 9))
    yield workspace
    workspace.db.dispose()


@pytest.fixture
def made_after(monkeypatch):
    """Any write of a row or more qualifies; two rows per executemany (several chunks);
    what `indexes_made_after` answered, per table, in order."""
    monkeypatch.setattr(ledger_bulk, "REBUILD_MIN_ROWS", 1)
    monkeypatch.setattr(ledger_bulk, "_INSERT_CHUNK", 2)
    seen: list[tuple[str, bool]] = []
    real = ledger_bulk.indexes_made_after

    def spy(conn, table, adding):
        with real(conn, table, adding) as did:
            seen.append((table, did))
            yield did

    monkeypatch.setattr(ledger_bulk, "indexes_made_after", contextlib.contextmanager(spy))
    return seen


def sqlite(ws) -> bool:
    return ws.db.engine.dialect.name == "sqlite"


def indexes(ws) -> set[tuple[str, str]]:
    """Every index of the two tables with its definition (and on SQLite its stat row)."""
    with ws.db.engine.connect() as conn:
        if sqlite(ws):
            marks = ", ".join("?" * len(TABLES))
            found = {
                (str(name), str(sql))
                for name, sql in conn.exec_driver_sql(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    f"AND tbl_name IN ({marks})",
                    TABLES,
                )
            }
            stats = {
                (f"stat {idx}", str(stat))
                for idx, stat in conn.exec_driver_sql(
                    f"SELECT idx, stat FROM sqlite_stat1 WHERE tbl IN ({marks})", TABLES
                )
            }
            return found | stats
        return {
            (str(name), str(sql))
            for name, sql in conn.execute(
                text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                    "('ledger_transactions', 'ledger_postings')"
                )
            )
        }


def analysed(ws) -> set[tuple[str, str]]:
    """The indexes, on SQLite with a sqlite_stat1 row each (as ANALYZE leaves them on
    tables with rows), which a rebuild must keep."""
    if sqlite(ws):
        with ws.db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) SELECT tbl_name, name, '1000 10 2' "
                "FROM sqlite_master WHERE type = 'index' AND tbl_name IN "
                "('ledger_transactions', 'ledger_postings')"
            )
    before = indexes(ws)
    if sqlite(ws):
        assert any(name.startswith("stat ix_ledger_postings") for name, _ in before)
    return before


def sound(ws) -> None:
    """The indexes hold exactly the tables' rows (SQLite's own check), and every total
    matches its postings."""
    if sqlite(ws):
        with ws.db.engine.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")] == ["ok"]
    exact(ws)


def begun(session) -> None:
    """A write before the batch, as an import's new clients are: the transaction has
    begun (SQLite's driver begins one at the first write)."""
    session.add(Client(name="New", platform="upwork", currency="USD"))
    session.flush()


def postings(ws) -> int:
    with ws.db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM ledger_postings").scalar_one())


def test_a_first_import_makes_the_indexes_again_as_they_were(ws, ledger, made_after):
    items = two_clients(ws)
    before = analysed(ws)
    with ws.db.session() as s:
        begun(s)
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    assert made_after == [(table, sqlite(ws)) for table in TABLES]
    assert indexes(ws) == before
    assert postings(ws) == sum(len(i.transaction.postings) for i in items)
    sound(ws)


def test_a_first_write_outside_a_transaction_keeps_its_indexes_up(ws, ledger, made_after):
    """Nothing written yet: the transactions' insert begins the transaction (an index
    dropped before it would stay dropped), the postings' insert is inside it."""
    items = two_clients(ws)
    before = analysed(ws)
    with ws.db.session() as s:
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    assert made_after == [("ledger_transactions", False), ("ledger_postings", sqlite(ws))]
    assert indexes(ws) == before
    sound(ws)


def test_a_stopped_first_import_leaves_the_indexes_as_they_were(ws, ledger, made_after):
    items = two_clients(ws)
    before = analysed(ws)
    # stop at the first check between chunks: inside the transactions' insert
    with pytest.raises(BatchCancelled), ws.db.session() as s:
        begun(s)
        ledger.record_batch(s, items, now=utc(2026, 3, 1), stop=lambda: bool(made_after))
    assert made_after == [("ledger_transactions", sqlite(ws))]
    assert indexes(ws) == before
    assert postings(ws) == 0
    sound(ws)


def test_a_failed_first_import_leaves_the_indexes_as_they_were(ws, ledger, made_after, monkeypatch):
    items = two_clients(ws)
    before = analysed(ws)
    real = ledger_bulk._insert

    def last_posting_zero(conn, table, names, rows, check_stop):
        """The last posting's amount 0: its insert fails (CHECK amount_nonzero)."""
        if table.name == "ledger_postings":
            at = names.index("amount_minor")
            rows = [*rows[:-1], (*rows[-1][:at], 0, *rows[-1][at + 1 :])]
        real(conn, table, names, rows, check_stop)

    monkeypatch.setattr(ledger_bulk, "_insert", last_posting_zero)
    with pytest.raises(Exception, match=r"amount_nonzero|CHECK"), ws.db.session() as s:
        begun(s)
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    assert made_after == [(table, sqlite(ws)) for table in TABLES]
    assert indexes(ws) == before
    assert postings(ws) == 0
    sound(ws)


def test_a_write_smaller_than_its_table_keeps_the_indexes_up(ws, ledger, made_after):
    with ws.db.session() as s:
        ledger.record_batch(s, two_clients(ws), now=utc(2026, 3, 1))
    made_after.clear()
    before = analysed(ws)
    later = add_client(ws.db, "Later")
    items = weeks(add_contract(ws.db, later), later, 2)
    with ws.db.session() as s:
        begun(s)
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    assert made_after == [(table, False) for table in TABLES]
    assert indexes(ws) == before
    sound(ws)
