"""The demo workspace: real rows in every table, every state covered, consistent money,
eight weeks of aligned segments, identical for one seed, and never mixed into data."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.platforms import billing_week
from freelancer_desk.domain.workflow.order import OrderState, is_late
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.demo import DemoSummary, create_demo
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.listing import ListQuery
from freelancer_desk.services.views import build_sources
from freelancer_desk.storage.base import Base
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Gig,
    Invoice,
    LedgerPosting,
    LedgerTransaction,
    Milestone,
    Order,
    Proposal,
    Reminder,
    Review,
    Segment,
    Snapshot,
    TimeSession,
)
from freelancer_desk.storage.vocab import (
    CONTRACT_STATES,
    MILESTONE_STATES,
    ORDER_STATES,
    PROPOSAL_STATES,
)
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday
DEVICE = "demo-laptop"


def open_ws(path, now=NOW):
    path.mkdir(parents=True, exist_ok=True)
    clock = FakeClock(now)
    db, _ = open_workspace(path, f"sqlite:///{path / 'w.sqlite3'}", clock)
    return db, clock


def make_demo(path, now=NOW, seed=7):
    db, clock = open_ws(path, now)
    summary = create_demo(db, clock, LedgerService(db), DEVICE, seed=seed)
    return db, summary


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    db, summary = make_demo(tmp_path_factory.mktemp("demo"))
    yield db, summary
    db.dispose()


@pytest.fixture
def db(demo):
    return demo[0]


def states(db, column) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(column).distinct()).all())


def load(db, model) -> list:
    """Every row of `model`, detached with its columns loaded."""
    with db.read() as s:
        rows = list(s.scalars(select(model)).all())
        s.expunge_all()
    return rows


def dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, in id order: two equal dumps are identical workspaces."""
    out = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            out[table.name] = [
                tuple(row) for row in conn.execute(table.select().order_by(*table.primary_key))
            ]
    return out


# -- every table, every state ----------------------------------------------------------------


def test_every_list_source_has_real_rows(db):
    counts = {key: source.count(ListQuery()) for key, source in build_sources(db).items()}
    assert counts and all(n > 0 for n in counts.values()), counts


def test_summary_counts_rows_per_table(demo):
    db, summary = demo
    assert isinstance(summary, DemoSummary)
    with db.read() as s:
        assert summary["clients"] == s.scalar(select(func.count(Client.id)))
        assert summary["segments"] == s.scalar(select(func.count(Segment.id)))
    assert dict(summary.items()) == summary.to_json()
    assert "6 clients" in str(summary)


def test_every_order_proposal_milestone_and_contract_state(db):
    assert states(db, Order.state) == set(ORDER_STATES)
    assert states(db, Proposal.state) == set(PROPOSAL_STATES)
    assert states(db, Milestone.state) == set(MILESTONE_STATES)
    assert states(db, Contract.state) == set(CONTRACT_STATES)
    assert states(db, Contract.kind) == {"hourly", "fixed"}
    assert states(db, Invoice.state) == {"issued", "paid"}
    assert states(db, Review.direction) == {"received", "given"}
    assert {"diary_lock", "milestone_auto_release", "order_due"} <= states(db, Reminder.kind)


def test_clients_across_platforms_with_real_zones(db):
    clients = load(db, Client)
    assert 5 <= len(clients) <= 8
    assert {c.platform for c in clients} == {"upwork", "fiverr", "direct"}
    assert Counter(c.currency for c in clients) == Counter(USD=len(clients) - 1, EUR=1)
    (eur,) = [c for c in clients if c.currency == "EUR"]
    assert eur.platform == "direct" and eur.payment_terms_days
    for client in clients:
        assert client.country and client.timezone
        ZoneInfo(client.timezone)


def test_gigs_have_three_packages_extras_faq_and_requirements(db):
    with db.read() as s:
        gigs = s.scalars(select(Gig)).all()
        assert 2 <= len(gigs) <= 3
        for gig in gigs:
            assert [p.tier for p in gig.packages] == ["basic", "standard", "premium"]
            prices = [p.price_minor for p in gig.packages]
            assert prices == sorted(prices) and prices[0] >= 500
            assert all(p.delivery_days >= 1 and p.features for p in gig.packages)
            assert len(gig.extras) >= 2
            assert any(e.kind == "fast_delivery" and e.days_saved for e in gig.extras)
            assert gig.faqs and gig.requirements
            assert gig.title.startswith("I will ") and len(gig.title) <= 80


def test_orders_are_consistent_and_one_is_late(db):
    with db.read() as s:
        orders = s.scalars(select(Order)).all()
        late = [
            o
            for o in orders
            if o.due_at is not None and is_late(o.due_at, NOW, OrderState(o.state))
        ]
        assert len(late) == 1
        for order in orders:
            assert order.ordered_at <= NOW
            extras = sum(e.price_minor for e in order.extras)
            package_prices = {
                p.id: p.price_minor for g in s.scalars(select(Gig)) for p in g.packages
            }
            assert order.price_minor == package_prices[order.package_id] + extras
            assert len(order.revisions) == order.revisions_used
            if order.state == "delivered":
                # Still inside the 3 days before it would complete on its own.
                assert order.delivered_at is not None
                assert NOW - order.delivered_at < timedelta(days=3)


def test_milestone_amounts_respect_escrow(db):
    with db.read() as s:
        for m in s.scalars(select(Milestone)):
            assert m.released_minor + m.refunded_minor <= m.funded_minor
            held = m.funded_minor - m.released_minor - m.refunded_minor
            if m.state == "planned":
                assert m.funded_minor == 0
            elif m.state in ("funded", "submitted", "changes_requested", "disputed"):
                assert held == m.amount_minor
            else:
                assert held == 0


def test_proposals_have_letters_and_hired_ones_a_contract(db):
    with db.read() as s:
        proposals = s.scalars(select(Proposal)).all()
        for p in proposals:
            assert "{" not in p.cover_letter and len(p.cover_letter) > 100
            assert (p.contract_id is not None) == (p.state == "hired")
            if p.state != "draft":
                assert p.submitted_at is not None and p.connects_spent > 0
        assert any(p.answers for p in proposals)
        assert any(p.milestones for p in proposals)
        kinds = s.scalars(select(text("kind")).select_from(text("proposal_templates"))).all()
        assert set(kinds) == {"template", "snippet"}


def test_contracts_have_limits_fees_and_snapshot_policies(db):
    contracts = load(db, Contract)
    hourly = [c for c in contracts if c.kind == "hourly"]
    assert any(c.weekly_limit_minutes for c in hourly)
    assert {c.fee_bp for c in contracts} >= {1000, 0} and len({c.fee_bp for c in contracts}) >= 3
    assert {c.snapshot_policy for c in contracts} == {"off", "blurred", "full"}
    for c in contracts:
        assert c.started_at < NOW
        assert (c.state == "paused") == (c.paused_at is not None)
        assert (c.state == "ended") == (c.ended_at is not None)


# -- tracked time ---------------------------------------------------------------------------


def test_eight_weeks_of_aligned_segments_with_activity(db):
    segments = load(db, Segment)
    sessions = {t.id: t for t in load(db, TimeSession)}
    assert not load(db, Snapshot)  # no images are written
    first = min(seg.slot_start for seg in segments)
    last = max(seg.slot_start for seg in segments)
    week_start, _ = billing_week(NOW)
    assert week_start - timedelta(weeks=8) <= first < week_start - timedelta(weeks=7)
    assert last < NOW
    for seg in segments:
        assert seg.slot_start.minute % 10 == 0 and seg.slot_start.second == 0
        assert 0 < seg.tracked_seconds <= 600
        session = sessions[seg.session_id]
        assert session.ended_at is not None
        assert session.started_at < seg.slot_start + timedelta(minutes=10)
        assert seg.slot_start < session.ended_at
        if seg.manual:
            assert seg.activity == [] and seg.active_minutes == 0
        else:
            assert len(seg.activity) == 10 and all(0 <= a <= 60 for a in seg.activity)
            assert seg.active_minutes == sum(1 for a in seg.activity if a)
    flags = Counter()
    for seg in segments:
        for flag in ("manual", "idle", "over_limit", "deleted", "snapshot_missing"):
            flags[flag] += getattr(seg, flag)
    assert flags["manual"] and flags["idle"] and flags["over_limit"], flags
    assert flags["idle"] < len(segments) // 20
    # Work happens on workdays: hardly anything on Sundays, most on Monday to Friday.
    by_weekday = Counter(seg.slot_start.weekday() for seg in segments)
    assert by_weekday[6] == 0 and sum(by_weekday[d] for d in range(5)) > 0.9 * len(segments)
    assert not any(t.ended_at is None for t in sessions.values())
    assert {t.device_id for t in sessions.values()} == {DEVICE}


# -- money ------------------------------------------------------------------------------------


def test_ledger_has_every_money_event(db):
    kinds = states(db, LedgerTransaction.kind)
    assert {
        "milestone_funded",
        "milestone_released",
        "milestone_refunded",
        "hourly_week",
        "order_placed",
        "order_completed",
        "order_cancelled",
        "pending_cleared",
        "withdrawal",
        "bonus",
        "tip",
        "invoice_paid",
    } <= kinds
    with db.read() as s:
        pending_in = s.scalars(
            select(LedgerPosting).where(
                LedgerPosting.account_kind == "pending", LedgerPosting.amount_minor > 0
            )
        ).all()
        assert pending_in and all(p.available_at is not None for p in pending_in)
        assert {p.currency for p in s.scalars(select(LedgerPosting))} == {"USD", "EUR"}


def test_the_demo_passes_the_integrity_check(db):
    report = check_workspace(db)
    assert report.ok, report.problems
    assert report.checked["segments"] > 1000


def test_invoices_add_up_and_one_is_paid(db):
    with db.read() as s:
        invoices = s.scalars(select(Invoice).order_by(Invoice.issued_on)).all()
        paid = [i for i in invoices if i.state == "paid"]
        assert len(paid) == 1 and paid[0].paid_at is not None
        total = sum(line.amount_minor for line in paid[0].lines)
        (row,) = s.scalars(
            select(LedgerTransaction).where(LedgerTransaction.source_id == str(paid[0].id))
        ).all()
        assert max(p.amount_minor for p in row.postings) == total
        for invoice in invoices:
            assert invoice.currency == "EUR" and invoice.lines
            for line in invoice.lines:
                assert line.quantity_milli % 250 == 0  # rounded up to 15 minutes
                assert line.amount_minor == line.quantity_milli * line.unit_price_minor // 1000


# -- determinism, refusal, speed, other dates --------------------------------------------------


def test_same_seed_gives_an_identical_workspace(tmp_path, demo):
    again, _ = make_demo(tmp_path / "again")
    try:
        assert dump(again) == dump(demo[0])
    finally:
        again.dispose()


def test_another_seed_gives_another_workspace(tmp_path, demo):
    other, summary = make_demo(tmp_path / "other", seed=8)
    try:
        assert dump(other) != dump(demo[0])
        assert check_workspace(other).ok
        assert summary["clients"] == demo[1]["clients"]
    finally:
        other.dispose()


def test_refuses_a_workspace_with_data(tmp_path):
    db, clock = open_ws(tmp_path / "ws")
    try:
        with db.session() as s:
            s.add(Client(name="Existing client", platform="direct"))
        with pytest.raises(RuleError) as caught:
            create_demo(db, clock, LedgerService(db), DEVICE)
        assert caught.value.rule == "demo.empty_workspace"
        assert "1 clients" in str(caught.value)
        with db.read() as s:
            assert s.scalar(select(func.count(Client.id))) == 1
            assert s.scalar(select(func.count(Segment.id))) == 0
    finally:
        db.dispose()


def test_refuses_to_run_twice(tmp_path):
    db, clock = open_ws(tmp_path / "ws")
    try:
        create_demo(db, clock, LedgerService(db), DEVICE)
        before = dump(db)
        with pytest.raises(RuleError, match="already holds data"):
            create_demo(db, clock, LedgerService(db), DEVICE)
        assert dump(db) == before
    finally:
        db.dispose()


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 30, 0, 20, tzinfo=UTC),  # just after a billing week began
        datetime(2027, 1, 1, 23, 55, tzinfo=UTC),  # a Friday night, a new year
        datetime(2027, 3, 6, 13, 0, tzinfo=UTC),  # a Saturday
    ],
)
def test_dates_follow_the_clock(tmp_path, now):
    db, _ = make_demo(tmp_path / "ws", now=now)
    try:
        assert check_workspace(db).ok
        counts = {key: source.count(ListQuery()) for key, source in build_sources(db).items()}
        assert all(n > 0 for n in counts.values()), counts
        assert states(db, Order.state) == set(ORDER_STATES)
        with db.read() as s:
            assert s.scalar(select(func.max(Segment.slot_start))) < now
            assert s.scalar(select(func.max(LedgerTransaction.occurred_at))) <= now
            assert s.scalar(select(func.max(Order.ordered_at))) <= now
            assert s.scalar(select(func.max(Proposal.submitted_at))) <= now
    finally:
        db.dispose()
