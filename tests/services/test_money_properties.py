"""Property: random sequences of money events, driven through the services (milestones
funded, submitted, approved, refunded; orders placed, started, delivered, completed,
cancelled; clearances; withdrawals) with a FakeClock, keep the books:

- every transaction balances per currency;
- escrow is never negative, per scope and currency;
- per milestone, released never exceeds funded, and funded = released + refunded + what
  is still in escrow (in the ledger and in the milestone's own columns alike);
- the ReportService's earnings totals, under every grouping, equal the ledger's.

Each example runs on a fresh copy of a small prepared workspace (two fixed-price
contracts in USD and EUR, an active gig).
"""

from __future__ import annotations

import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import withdrawal
from freelancer_desk.domain.money import Money
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput, MilestoneInput
from freelancer_desk.services.ledger import GROUP_BY_CHOICES
from freelancer_desk.services.orders import OrderInput
from freelancer_desk.services.reports import earnings_totals
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction, Milestone
from tests.services.workbench import logo_gig

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EARNED = ("fees", "pending", "available", "withdrawn")
ALL = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
TIERS = ("basic", "standard", "premium")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    """A workspace with an Upwork client, a USD and a EUR fixed-price contract and an
    active Fiverr gig; copied for every example."""
    path = tmp_path_factory.mktemp("money-template") / "ws"
    app = App.open(resolve_location(str(path)), FakeClock(START))
    client = app.clients.create(ClientInput(name="Acme", platform="upwork"))
    contracts = [
        app.contracts.create(
            ContractInput(
                client_id=client["id"],
                title=f"Fixed {cur}",
                kind="fixed",
                currency=cur,
                fee_bp=fee,
            )
        )["id"]
        for cur, fee in (("USD", 1000), ("EUR", 500))
    ]
    gig = app.gigs.create(logo_gig())
    gig = app.gigs.activate(gig["id"])
    app.close()
    yield path, {"contracts": contracts, "gig": gig}


EVENT = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 1), st.integers(1, 500_000)),
    st.tuples(
        st.sampled_from(["fund", "submit", "approve", "refund"]),
        st.integers(0, 7),
        st.just(0),
    ),
    st.tuples(st.just("place"), st.integers(0, 2), st.integers(0, 3)),
    st.tuples(
        st.sampled_from(["start", "deliver", "complete", "cancel"]),
        st.integers(0, 7),
        st.just(0),
    ),
    st.tuples(st.just("advance"), st.integers(1, 24 * 20), st.just(0)),
    st.tuples(st.just("clear"), st.just(0), st.just(0)),
    st.tuples(st.just("withdraw"), st.integers(0, 1), st.integers(1, 100)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(EVENT, min_size=4, max_size=30))
def test_random_money_events_keep_the_books(
    template: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory, events: list
) -> None:
    source, ids = template
    path = tmp_path_factory.mktemp("money") / "ws"
    shutil.copytree(source, path)
    clock = FakeClock(START)
    app = App.open(resolve_location(str(path)), clock)
    try:
        run(app, clock, ids, events)
    finally:
        app.close()


def run(app: App, clock: FakeClock, ids: dict[str, Any], events: list) -> None:
    milestones: list[str] = []
    orders: list[str] = []
    extras = [e["id"] for e in ids["gig"]["extras"]]
    for step, (kind, a, b) in enumerate(events):
        try:
            if kind == "add":
                added = app.milestones.add(ids["contracts"][a], MilestoneInput(f"M{step}", b))
                milestones.append(added["id"])
            elif kind in ("fund", "submit", "approve", "refund") and milestones:
                getattr(app.milestones, kind)(milestones[a % len(milestones)])
            elif kind == "place":
                chosen = tuple(e for i, e in enumerate(extras) if b >> i & 1)
                order = app.orders.place(
                    OrderInput(ids["gig"]["id"], TIERS[a], chosen, buyer=f"Buyer {step}")
                )
                orders.append(order["id"])
            elif kind in ("start", "deliver", "complete", "cancel") and orders:
                getattr(app.orders, kind)(orders[a % len(orders)])
            elif kind == "advance":
                clock.advance(hours=a)
            elif kind == "clear":
                app.ledger.clear_due()
            elif kind == "withdraw":
                withdraw(app, clock, ("USD", "EUR")[a], b, step)
        except RuleError:
            pass  # a step the machine (or the ledger) refuses changes nothing
        check_books(app)


def withdraw(app: App, clock: FakeClock, currency: str, percent: int, step: int) -> None:
    """`percent` of what is available in `currency` goes to the bank, less a fee."""
    available = app.ledger.balances().get("available", {}).get(currency)
    amount = (available.amount if available else 0) * percent // 100
    if amount <= 0:
        return
    fee = Money(min(amount, 99), currency)
    with app.db.session() as s:
        app.ledger.record(
            s,
            withdrawal(Money(amount, currency), fee, None, clock.now(), f"w-{step}"),
            kind="withdrawal",
            platform="upwork",
            client_id=None,
            scope_kind="workspace",
        )


def check_books(app: App) -> None:
    with app.db.read() as s:
        rows = s.execute(
            select(
                LedgerTransaction.id,
                LedgerTransaction.kind,
                LedgerTransaction.source_id,
                LedgerPosting.scope_id,
                LedgerPosting.account_kind,
                LedgerPosting.currency,
                LedgerPosting.amount_minor,
            ).join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        ).all()
        milestones = {
            str(m.id): (m.funded_minor, m.released_minor, m.refunded_minor)
            for m in s.scalars(select(Milestone))
        }
    per_transaction: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    escrow: dict[tuple[uuid.UUID | None, str], int] = defaultdict(int)
    moved: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    earned: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for tid, tkind, source_id, scope, account, cur, amount in rows:
        per_transaction[(tid, cur)] += amount
        if account == "escrow":
            escrow[(scope, cur)] += amount
            if source_id in milestones:
                moved[source_id][tkind] += amount
        if account in EARNED:
            earned[cur][0] += amount
            earned[cur][1] += amount if account == "fees" else 0
    assert all(total == 0 for total in per_transaction.values()), "unbalanced transaction"
    assert all(total >= 0 for total in escrow.values()), "escrow went negative"
    for mid, (funded, released, refunded) in milestones.items():
        ledger = moved.get(mid, {})
        in_escrow = sum(ledger.values())
        assert ledger.get("milestone_funded", 0) == funded
        assert -ledger.get("milestone_released", 0) == released
        assert -ledger.get("milestone_refunded", 0) == refunded
        assert released <= funded
        assert funded == released + refunded + in_escrow
        assert in_escrow >= 0
    expected = {cur: (g, f) for cur, (g, f) in earned.items() if (g, f) != (0, 0)}
    for group_by in GROUP_BY_CHOICES:
        totals = earnings_totals(app.reports.earnings(*ALL, group_by))
        got = {
            cur: (t.gross.amount, t.fees.amount)
            for cur, t in totals.items()
            if (t.gross.amount, t.fees.amount) != (0, 0)
        }
        assert got == expected, group_by
        assert all(t.net == t.gross - t.fees for t in totals.values())


def test_a_hand_written_sequence_moves_money_everywhere(
    template: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The property's events in an order that reaches every account, so the property
    is known to exercise them: escrow, fees, pending, available, withdrawn."""
    source, ids = template
    shutil.copytree(source, tmp_path / "ws")
    clock = FakeClock(START)
    app = App.open(resolve_location(str(tmp_path / "ws")), clock)
    try:
        events = [
            ("add", 0, 40_000),
            ("add", 1, 25_000),
            ("fund", 0, 0),
            ("fund", 1, 0),
            ("submit", 0, 0),
            ("approve", 0, 0),
            ("refund", 1, 0),
            ("place", 1, 3),
            ("start", 0, 0),
            ("deliver", 0, 0),
            ("complete", 0, 0),
            ("place", 0, 0),
            ("cancel", 1, 0),
            ("advance", 24 * 15, 0),
            ("clear", 0, 0),
            ("withdraw", 0, 50),
        ]
        run(app, clock, ids, events)
        books = app.ledger.balances()
        kinds = {kind for kind, by_cur in books.items() if any(m.amount for m in by_cur.values())}
        assert {"fees", "available", "withdrawn"} <= kinds
        totals = earnings_totals(app.reports.earnings(*ALL, "client"))
        assert totals["USD"].gross.amount > 0
    finally:
        app.close()
