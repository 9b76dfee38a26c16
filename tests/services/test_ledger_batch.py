"""`LedgerService.record_batch` books exactly what `record()` books, one by one, with the
same refusals: random milestone, release, refund, clearing and withdrawal sequences
(pending money among them, so clearing interleaves) give the same postings and balances."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    SourceKind,
    milestone_funded,
    milestone_refunded,
    milestone_released,
    pending_cleared,
    withdrawal,
)
from freelancer_desk.domain.money import Money
from freelancer_desk.services.ledger import BatchItem, BatchRefused, LedgerService
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction
from tests.services.money_rows import add_client, add_contract, add_milestone, open_ws, utc

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["fund", "fund", "release", "refund", "clear", "withdraw"]),
        st.sampled_from([0, 1]),
        st.integers(1, 50_000),
        st.sampled_from([0, 1000]),
        st.integers(0, 200),  # hours after the previous event
    ),
    min_size=1,
    max_size=20,
)


def books(ws):
    with ws.db.read() as s:
        rows = s.execute(
            select(
                LedgerTransaction.kind,
                LedgerTransaction.occurred_at,
                LedgerTransaction.external_ref,
                LedgerPosting.account_kind,
                LedgerPosting.scope_id,
                LedgerPosting.amount_minor,
                LedgerPosting.available_at,
            ).join(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
        ).all()
    return sorted((tuple(str(v) for v in r) for r in rows), key=str)


def workspace(tmp_path, name):
    ws = open_ws(tmp_path / name, utc(2026, 3, 1, 9))
    client = add_client(ws.db, "Acme")
    contract = add_contract(ws.db, client, kind="fixed", rate=None)
    return ws, client, contract


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=EVENTS)
def test_batch_books_what_record_books(tmp_path_factory, events):
    root = tmp_path_factory.mktemp("batch")
    (root / "one").mkdir()
    (root / "many").mkdir()
    one, client, contract = workspace(root, "one")
    many, client2, contract2 = workspace(root, "many")
    c, c2 = str(contract), str(contract2)
    milestones = [str(add_milestone(one.db, contract, 1)) for _ in range(2)]
    ledger = LedgerService(one.db)
    accepted: list[tuple[int, tuple]] = []
    when = utc(2026, 3, 2)

    def build(scope, step, kind, i, amount, fee_bp, at):
        money = Money(amount, "USD")
        m = milestones[i]
        if kind == "fund":
            return milestone_funded(money, scope, m, at)
        if kind == "release":
            return milestone_released(money, fee_bp, scope, m, at)
        if kind == "refund":
            return milestone_refunded(money, scope, m, at)
        if kind == "clear":
            return pending_cleared(money, scope, at, (SourceKind.MILESTONE, m))
        return withdrawal(money, Money(min(amount, 99), "USD"), scope, at, f"w/{step}")

    for step, (kind, i, amount, fee_bp, hours) in enumerate(events):
        when += timedelta(hours=hours)
        try:
            with one.db.session() as s:
                ledger.record(
                    s,
                    build(c, step, kind, i, amount, fee_bp, when),
                    kind=kind,
                    platform="upwork",
                    client_id=client,
                    external_ref=f"ref-{step}",
                )
        except RuleError:
            continue
        accepted.append((step, (kind, i, amount, fee_bp, when)))
    items = [
        BatchItem(
            build(c2, step, kind, i, amount, fee_bp, at),
            kind=kind,
            platform="upwork",
            client_id=client2,
            external_ref=f"ref-{step}",
        )
        for step, (kind, i, amount, fee_bp, at) in accepted
    ]
    with many.db.session() as s:
        LedgerService(many.db).record_batch(s, items)
    norm = lambda rows, cid: [tuple(v.replace(cid, "C") for v in r) for r in rows]  # noqa: E731
    assert sorted(norm(books(one), c)) == sorted(norm(books(many), c2))
    as_of = when + timedelta(days=30)
    assert LedgerService(one.db).balances(as_of) == LedgerService(many.db).balances(as_of)
    # The same batch again adds nothing: every external reference is known.
    with many.db.session() as s:
        LedgerService(many.db).record_batch(s, items)
    assert sorted(norm(books(many), c2)) == sorted(norm(books(one), c))
    one.db.dispose()
    many.db.dispose()


def test_a_refused_item_is_named_and_nothing_stays(tmp_path):
    ws, client, contract = workspace(tmp_path, "ws")
    m = str(add_milestone(ws.db, contract, 1))
    c = str(contract)
    at = utc(2026, 3, 2)
    items = [
        BatchItem(milestone_funded(Money(100, "USD"), c, m, at), "fund", "upwork", client),
        BatchItem(milestone_released(Money(500, "USD"), 0, c, m, at), "release", "upwork", client),
    ]
    with pytest.raises(BatchRefused) as info, ws.db.session() as s:
        LedgerService(ws.db).record_batch(s, items)
    assert info.value.index == 1 and info.value.rule == "ledger.escrow_negative"
    assert info.value.field == "amount"
    assert books(ws) == []
    ws.db.dispose()
