"""An Upwork import writes its postings in bulk and counts them into ledger_totals
itself (services/ledger_bulk.py): the summary equals a recount after a whole import,
after a stopped one and after a failed one (nothing stays), and gives the same totals
as the same file recorded one transaction at a time (the triggers counting)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from freelancer_desk.importers import money
from freelancer_desk.importers.base import ImportCancelled, decode
from freelancer_desk.importers.registry import apply, preview
from freelancer_desk.services import ledger_bulk
from freelancer_desk.storage.models import ledger_totals
from freelancer_desk.storage.models.ledger_totals import TABLE, recompute_sql

from .conftest import open_app
from .test_speed import generate


def stored(app) -> set[tuple]:
    with app.db.engine.connect() as conn:
        return {
            tuple(str(v) for v in row)
            for row in conn.exec_driver_sql(
                "SELECT account_kind, currency, client_key, scope_key, postings, amount_minor "
                f"FROM {TABLE}"
            )
        }


def recomputed(app) -> set[tuple]:
    with app.db.engine.connect() as conn:
        return {
            tuple(str(v) for v in row)
            for row in conn.exec_driver_sql(recompute_sql(conn.dialect.name))
        }


def per_kind(app) -> dict[tuple[str, str], tuple[int, int]]:
    with app.db.engine.connect() as conn:
        return {
            (kind, cur): (int(n), int(total))
            for kind, cur, n, total in conn.execute(
                text(
                    f"SELECT account_kind, currency, sum(postings), sum(amount_minor) FROM {TABLE} "
                    "GROUP BY account_kind, currency"
                )
            )
        }


def exact(app) -> None:
    assert stored(app) == recomputed(app)
    assert not [p for p in app.check().problems if "ledger_totals" in p]


@pytest.fixture
def sums(monkeypatch):
    """100 rows per executemany (a 600-row file's postings take 12), the bulk path's
    upserts counted; fail[0] = n makes the n-th fail with a database error."""
    monkeypatch.setattr(ledger_bulk, "_INSERT_CHUNK", 100)
    calls: list[int] = []
    fail: list[int | None] = [None]
    real = ledger_totals.add_sums
    chunks: list[int] = []
    insert = ledger_bulk._insert

    def counting(conn, table, names, rows, check_stop):
        def counted() -> None:
            if table.name == "ledger_postings":
                chunks.append(1)
            check_stop()

        insert(conn, table, names, rows, counted)

    monkeypatch.setattr(ledger_bulk, "_insert", counting)

    def spy(connection, rows):
        calls.append(1)
        if fail[0] is not None and len(calls) >= fail[0]:
            connection.exec_driver_sql("SELECT no_such_column FROM ledger_totals")
        real(connection, rows)

    monkeypatch.setattr(ledger_totals, "add_sums", spy)
    return calls, fail, chunks


SOURCE = decode(generate(600), "gen.csv")


def test_a_bulk_import_counts_what_record_counts(tmp_path, monkeypatch, sums):
    calls, _, chunks = sums
    fast = open_app(tmp_path / "fast")
    apply(fast.db, fast.clock, fast.ledger, preview(fast.db, "upwork", "gen.csv", source=SOURCE))
    assert len(chunks) >= 12 and len(calls) >= 1
    exact(fast)
    monkeypatch.setattr(money, "USE_BATCH", False)
    slow = open_app(tmp_path / "slow")
    apply(slow.db, slow.clock, slow.ledger, preview(slow.db, "upwork", "gen.csv", source=SOURCE))
    assert per_kind(fast) == per_kind(slow) != {}
    fast.close()
    slow.close()


def test_a_stopped_import_leaves_no_sums(app, sums):
    calls, _, chunks = sums
    p = preview(app.db, "upwork", "gen.csv", source=SOURCE)
    with pytest.raises(ImportCancelled):  # stopped after the first chunk of postings
        apply(app.db, app.clock, app.ledger, p, stop=lambda: bool(chunks))
    assert len(chunks) == 1 and not calls and stored(app) == set()
    exact(app)
    apply(app.db, app.clock, app.ledger, p)
    assert stored(app) != set()
    exact(app)


def test_a_failed_import_leaves_no_sums(app, sums):
    calls, fail, chunks = sums
    fail[0] = 1
    p = preview(app.db, "upwork", "gen.csv", source=SOURCE)
    with pytest.raises(Exception, match="no_such_column"):
        apply(app.db, app.clock, app.ledger, p)
    assert len(chunks) >= 12 and len(calls) == 1 and stored(app) == set()
    exact(app)
    fail[0] = None
    apply(app.db, app.clock, app.ledger, p)
    exact(app)
