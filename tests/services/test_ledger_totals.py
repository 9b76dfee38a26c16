"""ledger_totals (a summary of the postings kept by triggers) stays equal to a
recomputation through every kind of ledger write, and the answers read from it — the
balances, the pending schedule, the calendar, the earnings per client — are exactly
what netting every pending posting gives."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from freelancer_desk.domain.ledger import (
    hourly_week_billed,
    invoice_paid,
    milestone_funded,
    milestone_refunded,
    milestone_released,
    order_completed,
    order_placed,
    withdrawal,
)
from freelancer_desk.services import ledger as ledger_module
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.ledger import BatchItem
from freelancer_desk.storage.models import LedgerTotal, LedgerTransaction
from freelancer_desk.storage.models.ledger_totals import NO_ID, rebuild, recompute_sql
from tests.services.money_rows import (
    add_client,
    add_contract,
    add_milestone,
    add_order,
    open_ws,
    usd,
    utc,
)


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 1, 9))
    yield workspace
    workspace.db.dispose()


def record(ws, ledger, transaction, client, *, platform="upwork", scope_kind="contract"):
    with ws.db.session() as s:
        return ledger.record(
            s,
            transaction,
            kind=transaction.memo.replace(" ", "_"),
            platform=platform,
            client_id=client,
            scope_kind=scope_kind,
        ).id


def stored(ws) -> dict[tuple, tuple[int, int]]:
    with ws.db.read() as s:
        return {
            (r.account_kind, r.currency, r.client_key, r.scope_key): (r.postings, r.amount_minor)
            for r in s.scalars(select(LedgerTotal))
        }


def recomputed(ws) -> dict[tuple, tuple[int, int]]:
    with ws.db.engine.connect() as conn:
        return {
            (kind, cur, uuid.UUID(str(client)), uuid.UUID(str(scope))): (int(n), int(total))
            for kind, cur, client, scope, n, total in conn.exec_driver_sql(
                recompute_sql(conn.dialect.name)
            )
        }


INSTANTS = [utc(2026, 3, d, h) for d in (1, 3, 9, 12, 18, 20, 28) for h in (0, 13)]


def answers(ledger):
    """What the ledger's readers say at several instants, and the earnings all time."""
    out = []
    for at in INSTANTS:
        out.append(ledger.balances(as_of=at))
        out.append(ledger.pending_schedule(now=at))
    out.append(ledger.calendar(date(2026, 3, 1), date(2026, 4, 1)))
    out.append(ledger.calendar(date(2026, 3, 10), date(2026, 3, 19), tz="America/New_York"))
    out.append(ledger.earnings(utc(2000, 1, 1), utc(2100, 1, 1)))
    return out


def reference(ledger, monkeypatch):
    """The same answers with every pending posting netted (no scope narrowing)."""
    with monkeypatch.context() as m:
        m.setattr(ledger_module, "_pending_scopes", lambda *args: None)
        return answers(ledger)


def same_everywhere(ws, ledger, monkeypatch) -> None:
    assert stored(ws) == recomputed(ws)
    assert answers(ledger) == reference(ledger, monkeypatch)
    problems = check_workspace(ws.db).problems
    assert not [p for p in problems if "(rule: ledger" in p], problems


def test_the_summary_and_its_readers_through_every_kind_of_write(ws, ledger, monkeypatch):
    acme = add_client(ws.db, "Acme")
    fixed = add_contract(ws.db, acme, kind="fixed", rate=None)
    c = str(fixed)
    m1, m2 = add_milestone(ws.db, fixed, 50000), add_milestone(ws.db, fixed, 20000)
    record(ws, ledger, milestone_funded(usd(50000), c, str(m1), utc(2026, 3, 2)), acme)
    record(ws, ledger, milestone_funded(usd(20000), c, str(m2), utc(2026, 3, 2)), acme)
    same_everywhere(ws, ledger, monkeypatch)
    release = milestone_released(usd(50000), 1000, c, str(m1), utc(2026, 3, 10, 16))
    record(ws, ledger, release, acme)
    # a refund: the second milestone's escrow goes back to the client
    record(ws, ledger, milestone_refunded(usd(20000), c, str(m2), utc(2026, 3, 11)), acme)
    hourly = add_contract(ws.db, acme)
    record(ws, ledger, hourly_week_billed(usd(10000), 1000, str(hourly), utc(2026, 3, 2)), acme)
    same_everywhere(ws, ledger, monkeypatch)

    buyer = add_client(ws.db, "Fiverr buyer", platform="fiverr")
    order = str(add_order(ws.db, buyer, 10000))
    fiverr = {"platform": "fiverr", "scope_kind": "order"}
    record(ws, ledger, order_placed(usd(10000), order, utc(2026, 3, 1)), buyer, **fiverr)
    record(ws, ledger, order_completed(usd(10000), order, utc(2026, 3, 4, 12)), buyer, **fiverr)
    # back-dated: a week billed long after, dated before everything else of its contract
    record(ws, ledger, hourly_week_billed(usd(7000), 1000, str(hourly), utc(2026, 2, 23)), acme)
    same_everywhere(ws, ledger, monkeypatch)

    # clearing, then a withdrawal from the pool
    ledger.clear_due(utc(2026, 3, 19))
    record(ws, ledger, withdrawal(usd(5000), usd(0), None, utc(2026, 3, 20), "w-1"), None)
    same_everywhere(ws, ledger, monkeypatch)

    # an import of old rows: record_batch's bulk insert
    old = add_contract(ws.db, acme)
    with ws.db.session() as s:
        ledger.record_batch(
            s,
            [
                BatchItem(
                    hourly_week_billed(
                        usd(3000 + i), 1000, str(old), utc(2026, 1, 5) + timedelta(7 * i)
                    ),
                    kind="hourly_week_billed",
                    platform="upwork",
                    client_id=acme,
                )
                for i in range(4)
            ],
            now=utc(2026, 3, 1),
        )
    same_everywhere(ws, ledger, monkeypatch)


def test_direct_deletes_and_a_client_deleted_keep_the_summary_exact(ws, ledger, monkeypatch):
    acme = add_client(ws.db, "Acme", platform="direct")
    scope = {"platform": "direct", "scope_kind": "client"}
    record(ws, ledger, invoice_paid(usd(12000), str(acme), "inv-1", utc(2026, 3, 3)), acme, **scope)
    record(ws, ledger, invoice_paid(usd(3000), str(acme), "inv-2", utc(2026, 3, 4)), acme, **scope)
    before = stored(ws)
    assert any(key[2] == acme for key in before)
    with ws.db.engine.begin() as conn:  # a transaction deleted: its postings go by cascade
        conn.execute(text("DELETE FROM ledger_transactions WHERE source_id = :s"), {"s": "inv-2"})
    assert stored(ws) == recomputed(ws) != before
    with ws.db.engine.begin() as conn:  # the client deleted: postings' client_id set NULL
        conn.execute(text("DELETE FROM clients WHERE id = :c"), {"c": _stored_id(ws, acme)})
    assert stored(ws) == recomputed(ws)
    assert {key[2] for key in stored(ws)} == {NO_ID}
    same_everywhere(ws, ledger, monkeypatch)


def _stored_id(ws, ident: uuid.UUID) -> object:
    return ident.hex if ws.db.is_sqlite else ident


def test_check_names_a_summary_row_that_disagrees_and_rebuild_repairs_it(ws, ledger):
    acme = add_client(ws.db, "Acme", platform="direct")
    scope = {"platform": "direct", "scope_kind": "client"}
    record(ws, ledger, invoice_paid(usd(12000), str(acme), "inv-1", utc(2026, 3, 3)), acme, **scope)
    kept = stored(ws)
    with ws.db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger_totals SET amount_minor = amount_minor + 1"))
    problems = check_workspace(ws.db).problems
    assert any("(rule: ledger_totals.matches_postings)" in p for p in problems), problems
    with ws.db.engine.begin() as conn:
        rebuild(conn)
    assert stored(ws) == kept == recomputed(ws)
    assert not any("ledger_totals" in p for p in check_workspace(ws.db).problems)
    with ws.db.read() as s:
        assert s.scalar(select(LedgerTransaction.source_id)) == "inv-1"
