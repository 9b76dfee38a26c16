"""record_batch's bulk insert counts its postings into ledger_totals itself (one upsert
per account key and batch; the INSERT trigger stands aside only around that insert):
the summary equals a recomputation after a bulk write, a stopped one, a failed one, and
bulk writes followed by ordinary ones in the same and in later transactions. The
trigger is there again afterwards on every path (a later record() is counted)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from freelancer_desk.domain.ledger import (
    hourly_week_billed,
    invoice_paid,
    milestone_funded,
    milestone_released,
    withdrawal,
)
from freelancer_desk.services import ledger_bulk
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.ledger import BatchItem
from freelancer_desk.services.ledger_bulk import BatchCancelled
from freelancer_desk.storage.models import billed_weeks, ledger_totals
from freelancer_desk.storage.models.ledger_totals import TABLE, recompute_sql
from tests.services.money_rows import add_client, add_contract, add_milestone, open_ws, usd, utc


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 1, 9))
    yield workspace
    workspace.db.dispose()


@pytest.fixture
def small_chunks(monkeypatch):
    """Three rows per executemany, so a batch's postings take several chunks."""
    monkeypatch.setattr(ledger_bulk, "_INSERT_CHUNK", 3)


@pytest.fixture
def posting_chunks(monkeypatch):
    """Counts the chunks of postings inserted (the bulk path's executemany)."""
    seen: list[int] = []
    real = ledger_bulk._insert

    def spy(conn, table, names, rows, check_stop):
        def counted() -> None:
            if table.name == "ledger_postings":
                seen.append(1)
            check_stop()

        real(conn, table, names, rows, counted)

    monkeypatch.setattr(ledger_bulk, "_insert", spy)
    return seen


@pytest.fixture
def sums_calls(monkeypatch):
    """Counts the bulk path's own upserts (and lets a test make one fail)."""
    calls: list[int] = []
    fail_at: list[int | None] = [None]
    real = ledger_totals.add_sums

    def spy(connection, rows):
        calls.append(1)
        if fail_at[0] is not None and len(calls) >= fail_at[0]:
            connection.exec_driver_sql("SELECT no_such_column FROM ledger_totals")
        real(connection, rows)

    monkeypatch.setattr(ledger_totals, "add_sums", spy)
    return calls, fail_at


def stored(ws) -> dict[tuple, tuple[int, int]]:
    with ws.db.engine.connect() as conn:
        return {
            (kind, cur, uuid.UUID(str(client)), uuid.UUID(str(scope))): (int(n), int(total))
            for kind, cur, client, scope, n, total in conn.exec_driver_sql(
                "SELECT account_kind, currency, client_key, scope_key, postings, amount_minor "
                f"FROM {TABLE}"
            )
        }


def recomputed(ws) -> dict[tuple, tuple[int, int]]:
    with ws.db.engine.connect() as conn:
        return {
            (kind, cur, uuid.UUID(str(client)), uuid.UUID(str(scope))): (int(n), int(total))
            for kind, cur, client, scope, n, total in conn.exec_driver_sql(
                recompute_sql(conn.dialect.name)
            )
        }


def billed(ws, sql: str) -> dict[tuple, tuple[int, int]]:
    with ws.db.engine.connect() as conn:
        return {(sid, cur): (int(n), int(t)) for sid, cur, n, t in conn.exec_driver_sql(sql)}


def exact(ws) -> None:
    assert stored(ws) == recomputed(ws)
    # billed_weeks stands aside in the same bulk INSERT and adds its own sums
    assert billed(ws, "SELECT source_id, currency, postings, amount_minor FROM billed_weeks") == (
        billed(ws, billed_weeks.recompute_sql(ws.db.engine.dialect.name))
    )
    problems = check_workspace(ws.db).problems
    assert not [p for p in problems if "ledger_totals" in p or "billed_weeks" in p], problems


def weeks(contract: uuid.UUID, client: uuid.UUID, n: int, first: int = 3000) -> list[BatchItem]:
    return [
        BatchItem(
            hourly_week_billed(
                usd(first + i), 1000, str(contract), utc(2025, 6, 2) + timedelta(7 * i)
            ),
            kind="hourly_week_billed",
            platform="upwork",
            client_id=client,
        )
        for i in range(n)
    ]


def two_clients(ws) -> list[BatchItem]:
    acme, globex = add_client(ws.db, "Acme"), add_client(ws.db, "Globex")
    a, b = add_contract(ws.db, acme), add_contract(ws.db, globex)
    return weeks(a, acme, 5) + weeks(b, globex, 4, first=9000)


def record_paid(ws, ledger, ref: str) -> None:
    """An ordinary write (record(), the triggers counting) of a new client's invoice."""
    client = add_client(ws.db, f"Direct {ref}", platform="direct")
    with ws.db.session() as s:
        ledger.record(
            s,
            invoice_paid(usd(1234), str(client), ref, utc(2026, 3, 1)),
            kind="invoice_paid",
            platform="direct",
            client_id=client,
            scope_kind="client",
        )


def test_a_bulk_write_counts_its_postings_once(
    ws, ledger, small_chunks, sums_calls, posting_chunks
):
    calls, _ = sums_calls
    items = two_clients(ws)
    with ws.db.session() as s:
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    postings = sum(len(i.transaction.postings) for i in items)
    assert len(posting_chunks) == -(-postings // 3) > 1
    assert len(calls) == 1  # the bulk path counted them, once for the batch
    assert sum(n for n, _ in stored(ws).values()) == postings
    exact(ws)
    record_paid(ws, ledger, "after")  # the trigger is back: counted
    assert sum(n for n, _ in stored(ws).values()) > postings
    exact(ws)


def test_a_stopped_bulk_write_leaves_the_summary_as_it_was(
    ws, ledger, small_chunks, sums_calls, posting_chunks
):
    calls, _ = sums_calls
    record_paid(ws, ledger, "before")
    before = stored(ws)
    items = two_clients(ws)
    # stop after the first chunk of postings is in (the trigger aside, no sums yet)
    with pytest.raises(BatchCancelled), ws.db.session() as s:
        ledger.record_batch(s, items, now=utc(2026, 3, 1), stop=lambda: bool(posting_chunks))
    assert len(posting_chunks) == 1 and not calls
    assert stored(ws) == before
    exact(ws)
    record_paid(ws, ledger, "after")
    exact(ws)


def test_a_failed_bulk_write_leaves_the_summary_as_it_was(ws, ledger, small_chunks, sums_calls):
    calls, fail_at = sums_calls
    record_paid(ws, ledger, "before")
    before = stored(ws)
    fail_at[0] = 1  # the postings are in, their sums fail (a database error)
    with pytest.raises(Exception, match="no_such_column"), ws.db.session() as s:
        ledger.record_batch(s, two_clients(ws), now=utc(2026, 3, 1))
    assert len(calls) == 1
    assert stored(ws) == before
    exact(ws)
    fail_at[0] = None
    record_paid(ws, ledger, "after")
    exact(ws)


def test_bulk_then_ordinary_writes_in_the_same_and_later_transactions(ws, ledger, small_chunks):
    items = two_clients(ws)
    direct = add_client(ws.db, "Direct", platform="direct")
    with ws.db.session() as s:
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
        # same transaction: record(), a direct delete and a direct update
        ledger.record(
            s,
            invoice_paid(usd(5000), str(direct), "inv-1", utc(2026, 3, 1)),
            kind="invoice_paid",
            platform="direct",
            client_id=direct,
            scope_kind="client",
        )
        s.execute(
            text("DELETE FROM ledger_transactions WHERE source_id = :s"),
            {"s": items[0].transaction.source_id},
        )
        s.execute(
            text(
                "UPDATE ledger_postings SET amount_minor = amount_minor + 1 WHERE transaction_id "
                "IN (SELECT id FROM ledger_transactions WHERE source_id = :s)"
            ),
            {"s": items[-1].transaction.source_id},
        )
    exact(ws)
    # later transactions: another batch, then record() and a delete
    globex_later = add_client(ws.db, "Later")
    with ws.db.session() as s:
        ledger.record_batch(
            s, weeks(add_contract(ws.db, globex_later), globex_later, 3), now=utc(2026, 3, 1)
        )
    exact(ws)
    record_paid(ws, ledger, "later")
    with ws.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_transactions WHERE source_id = 'inv-1'"))
    exact(ws)


def test_a_batch_that_clears_pending_money_midway(ws, ledger, small_chunks, sums_calls):
    """Pending money in the books: a withdrawal after it becomes available goes through
    record() (which books the clearing) between two bulk writes of the same batch."""
    calls, _ = sums_calls
    acme = add_client(ws.db, "Acme")
    fixed = add_contract(ws.db, acme, kind="fixed", rate=None)
    m1 = add_milestone(ws.db, fixed, 50000)
    c = str(fixed)
    up = {"platform": "upwork", "client_id": acme, "scope_kind": "contract"}
    with ws.db.session() as s:
        ledger.record(s, milestone_funded(usd(50000), c, str(m1), utc(2025, 1, 2)), kind="f", **up)
        ledger.record(
            s, milestone_released(usd(50000), 1000, c, str(m1), utc(2025, 1, 3)), kind="r", **up
        )
    hourly = add_contract(ws.db, acme)
    items = [
        *weeks(hourly, acme, 3),
        BatchItem(
            withdrawal(usd(20000), usd(0), None, utc(2025, 8, 1), "w-1"),
            kind="withdrawal",
            platform="upwork",
            client_id=None,
            external_ref="w-1",
        ),
        *weeks(hourly, acme, 3, first=7000)[1:],
    ]
    with ws.db.session() as s:
        ledger.record_batch(s, items, now=utc(2026, 3, 1))
    assert calls
    exact(ws)
    assert ledger.pending_schedule(now=utc(2026, 3, 1)) == []  # cleared on the way
