"""billed_weeks (the gross booked per billed hourly week and currency, kept by triggers)
stays equal to a recomputation from the postings through every kind of write — record(),
clearing pending money, direct SQL on postings and transactions, a transaction deleted
by the foreign key's cascade or by the ORM — and `check` names a row that disagrees.
(The bulk path: tests/services/test_ledger_totals_bulk.py checks it with ledger_totals.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text

from freelancer_desk.domain.ledger import hourly_week_billed, hourly_week_source, withdrawal
from freelancer_desk.services import ledger as ledger_module
from freelancer_desk.services.check import check_workspace
from freelancer_desk.storage.models import LedgerTransaction, billed_weeks
from tests.services.money_rows import add_client, add_contract, open_ws, usd, utc

WEEK0 = utc(2026, 1, 5)


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 1, 9))
    yield workspace
    workspace.db.dispose()


def rows(ws, sql: str) -> dict[tuple[str, str], tuple[int, int]]:
    with ws.db.engine.connect() as conn:
        return {(sid, cur): (int(n), int(t)) for sid, cur, n, t in conn.exec_driver_sql(sql)}


def stored(ws) -> dict[tuple[str, str], tuple[int, int]]:
    return rows(ws, "SELECT source_id, currency, postings, amount_minor FROM billed_weeks")


def exact(ws) -> dict[tuple[str, str], tuple[int, int]]:
    found = stored(ws)
    assert found == rows(ws, billed_weeks.recompute_sql(ws.db.engine.dialect.name))
    assert not [p for p in check_workspace(ws.db).problems if "billed_weeks" in p]
    return found


def bill(ws, ledger, contract, client, week: int, gross: int) -> None:
    with ws.db.session() as s:
        ledger.record(
            s,
            hourly_week_billed(usd(gross), 1000, str(contract), WEEK0 + timedelta(7 * week)),
            kind="hourly_week_billed",
            platform="upwork",
            client_id=client,
        )


def source(contract, week: int) -> str:
    return hourly_week_source(str(contract), WEEK0 + timedelta(7 * week))[1]


def test_the_same_kinds_as_the_ledger_service():
    assert billed_weeks.EARNED == ledger_module.EARNED_KINDS
    assert billed_weeks.CLEARED == ledger_module.CLEARED_KIND


def test_ordinary_writes_and_clearing_keep_the_summary_exact(ws, ledger):
    acme = add_client(ws.db, "Acme")
    contract = add_contract(ws.db, acme)
    for week, gross in enumerate((4000, 5550, 123)):
        bill(ws, ledger, contract, acme, week, gross)
    found = exact(ws)
    # the gross: fees (10 %) and pending (the rest) are both earned kinds
    assert {k: v[1] for k, v in found.items()} == {
        (source(contract, 0), "USD"): 4000,
        (source(contract, 1), "USD"): 5550,
        (source(contract, 2), "USD"): 123,
    }
    ledger.clear_due(utc(2026, 3, 1))  # pending_cleared moves money, earns nothing
    with ws.db.read() as s:
        kinds = set(s.scalars(select(LedgerTransaction.kind)))
    assert ledger_module.CLEARED_KIND in kinds
    assert exact(ws) == found
    with ws.db.session() as s:  # not a billed week: no row
        ledger.record(
            s,
            withdrawal(usd(1000), usd(0), None, utc(2026, 3, 1), "w-1"),
            kind="withdrawal",
            platform="upwork",
            client_id=None,
        )
    assert exact(ws) == found


def test_direct_sql_and_deletes_keep_the_summary_exact(ws, ledger):
    acme = add_client(ws.db, "Acme")
    contract = add_contract(ws.db, acme)
    for week, gross in enumerate((4000, 5000, 6000, 7000)):
        bill(ws, ledger, contract, acme, week, gross)
    first = exact(ws)
    with ws.db.engine.begin() as conn:  # a posting's amount and currency change
        conn.execute(
            text(
                "UPDATE ledger_postings SET amount_minor = amount_minor + 7 WHERE account_kind = "
                "'fees' AND transaction_id IN "
                "(SELECT id FROM ledger_transactions WHERE source_id = :s)"
            ),
            {"s": source(contract, 0)},
        )
    assert exact(ws)[(source(contract, 0), "USD")][1] == 4007
    with ws.db.engine.begin() as conn:  # a transaction moved to another week, then cleared
        conn.execute(
            text("UPDATE ledger_transactions SET source_id = :t WHERE source_id = :s"),
            {"s": source(contract, 1), "t": source(contract, 9)},
        )
    moved = exact(ws)
    assert (source(contract, 1), "USD") not in moved
    assert moved[(source(contract, 9), "USD")] == first[(source(contract, 1), "USD")]
    with ws.db.engine.begin() as conn:
        conn.execute(
            text("UPDATE ledger_transactions SET kind = 'pending_cleared' WHERE source_id = :s"),
            {"s": source(contract, 9)},
        )
    assert (source(contract, 9), "USD") not in exact(ws)
    with ws.db.engine.begin() as conn:  # a posting deleted, then a transaction by cascade
        conn.execute(
            text(
                "DELETE FROM ledger_postings WHERE account_kind = 'fees' AND transaction_id IN "
                "(SELECT id FROM ledger_transactions WHERE source_id = :s)"
            ),
            {"s": source(contract, 2)},
        )
        conn.execute(
            text("DELETE FROM ledger_transactions WHERE source_id = :s"),
            {"s": source(contract, 0)},
        )
    left = exact(ws)
    assert (source(contract, 0), "USD") not in left
    assert left[(source(contract, 2), "USD")] == (1, 5400)
    with ws.db.session() as s:  # the ORM deletes the postings first, then the transaction
        for t in s.scalars(
            select(LedgerTransaction).where(LedgerTransaction.source_id == source(contract, 3))
        ):
            s.delete(t)
    assert set(exact(ws)) == {(source(contract, 2), "USD")}
    with ws.db.engine.begin() as conn:
        conn.execute(delete(LedgerTransaction))
    assert exact(ws) == {}


def test_check_names_a_row_that_disagrees_and_rebuild_repairs_it(ws, ledger):
    acme = add_client(ws.db, "Acme")
    contract = add_contract(ws.db, acme)
    bill(ws, ledger, contract, acme, 0, 4000)
    kept = exact(ws)
    with ws.db.engine.begin() as conn:
        conn.execute(text("UPDATE billed_weeks SET amount_minor = amount_minor + 1"))
    problems = check_workspace(ws.db).problems
    assert [p for p in problems if "(rule: billed_weeks.matches_postings)" in p] == [
        p for p in problems if "billed_weeks" in p
    ]
    named = [p for p in problems if "billed_weeks" in p]
    assert len(named) == 1 and source(contract, 0) in named[0] and "40.01" in named[0], named
    with ws.db.engine.begin() as conn:
        billed_weeks.rebuild(conn)
    assert exact(ws) == kept
