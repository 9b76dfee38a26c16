from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    Account,
    AccountKind,
    Posting,
    SourceKind,
    Transaction,
    apply,
    balances,
    bonus_paid,
    check_transaction,
    hourly_week_billed,
    invoice_paid,
    milestone_funded,
    milestone_refunded,
    milestone_released,
    order_cancelled,
    order_completed,
    order_placed,
    pending_cleared,
    withdrawal,
)
from freelancer_desk.domain.money import Money


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def usd(amount: int) -> Money:
    return Money(amount, "USD")


CF, ESC, PEN, AV, WD, FEE, REF = (
    AccountKind.CLIENT_FUNDS,
    AccountKind.ESCROW,
    AccountKind.PENDING,
    AccountKind.AVAILABLE,
    AccountKind.WITHDRAWN,
    AccountKind.FEES,
    AccountKind.REFUNDS,
)


def legs(transaction: Transaction) -> list[tuple[AccountKind, str | None, int]]:
    return [(p.account.kind, p.account.scope, p.amount.amount) for p in transaction.postings]


# -- posting rules per event, with exact dates --------------------------------------------


@pytest.mark.parametrize(
    ("transaction", "expected_legs", "occurred_at", "available_at", "source"),
    [
        (
            milestone_funded(usd(50000), "c1", "m1", utc(2026, 3, 2, 9)),
            [(CF, "c1", -50000), (ESC, "c1", 50000)],
            utc(2026, 3, 2, 9),
            None,
            (SourceKind.MILESTONE, "m1"),
        ),
        (
            # Released Friday 13 March: 10% fee, available after the 5-day security period.
            milestone_released(usd(50000), 1000, "c1", "m1", utc(2026, 3, 13, 16)),
            [(ESC, "c1", -50000), (PEN, "c1", 45000), (FEE, "c1", 5000)],
            utc(2026, 3, 13, 16),
            utc(2026, 3, 18, 16),
            (SourceKind.MILESTONE, "m1"),
        ),
        (
            milestone_refunded(usd(20000), "c1", "m2", utc(2026, 3, 20)),
            [(ESC, "c1", -20000), (REF, "c1", 20000)],
            utc(2026, 3, 20),
            None,
            (SourceKind.MILESTONE, "m2"),
        ),
        (
            # 7 h 23 min at $50/h, 10-minute segments: $369.17; week of Mon 5 Jan 2026,
            # reviewed until Friday 16th, available Wednesday 21st.
            hourly_week_billed(usd(36917), 1000, "c2", utc(2026, 1, 5)),
            [(CF, "c2", -36917), (PEN, "c2", 33225), (FEE, "c2", 3692)],
            utc(2026, 1, 12),
            utc(2026, 1, 21),
            (SourceKind.HOURLY_WEEK, "c2/2026-01-05"),
        ),
        (
            order_placed(usd(12000), "o1", utc(2026, 2, 1, 10)),
            [(CF, "o1", -12000), (ESC, "o1", 12000)],
            utc(2026, 2, 1, 10),
            None,
            (SourceKind.ORDER, "o1"),
        ),
        (
            # Completed 10 Feb: 20% fee, clears 14 days later.
            order_completed(usd(12000), "o1", utc(2026, 2, 10, 8)),
            [(ESC, "o1", -12000), (PEN, "o1", 9600), (FEE, "o1", 2400)],
            utc(2026, 2, 10, 8),
            utc(2026, 2, 24, 8),
            (SourceKind.ORDER, "o1"),
        ),
        (
            order_completed(usd(12000), "o1", utc(2026, 2, 10, 8), top_rated=True),
            [(ESC, "o1", -12000), (PEN, "o1", 9600), (FEE, "o1", 2400)],
            utc(2026, 2, 10, 8),
            utc(2026, 2, 17, 8),
            (SourceKind.ORDER, "o1"),
        ),
        (
            order_cancelled(usd(12000), "o2", utc(2026, 2, 3)),
            [(ESC, "o2", -12000), (REF, "o2", 12000)],
            utc(2026, 2, 3),
            None,
            (SourceKind.ORDER, "o2"),
        ),
        (
            pending_cleared(usd(45000), "c1", utc(2026, 3, 18, 16), (SourceKind.MILESTONE, "m1")),
            [(PEN, "c1", -45000), (AV, "c1", 45000)],
            utc(2026, 3, 18, 16),
            None,
            (SourceKind.MILESTONE, "m1"),
        ),
        (
            withdrawal(usd(45000), usd(99), None, utc(2026, 3, 19), "w1"),
            [(AV, None, -45000), (WD, None, 44901), (FEE, None, 99)],
            utc(2026, 3, 19),
            None,
            (SourceKind.WITHDRAWAL, "w1"),
        ),
        (
            withdrawal(usd(45000), usd(0), "c1", utc(2026, 3, 19), "w2"),
            [(AV, "c1", -45000), (WD, "c1", 45000)],  # no zero fee posting
            utc(2026, 3, 19),
            None,
            (SourceKind.WITHDRAWAL, "w2"),
        ),
        (
            bonus_paid(usd(1000), 1000, "c1", utc(2026, 3, 4), utc(2026, 3, 9), "b1"),
            [(CF, "c1", -1000), (PEN, "c1", 900), (FEE, "c1", 100)],
            utc(2026, 3, 4),
            utc(2026, 3, 9),
            (SourceKind.BONUS, "b1"),
        ),
        (
            bonus_paid(usd(500), 2000, "o1", utc(2026, 2, 10), utc(2026, 2, 24), "t1", tip=True),
            [(CF, "o1", -500), (PEN, "o1", 400), (FEE, "o1", 100)],
            utc(2026, 2, 10),
            utc(2026, 2, 24),
            (SourceKind.TIP, "t1"),
        ),
        (
            invoice_paid(Money(300000, "EUR"), "client-9", "inv-7", utc(2026, 4, 30)),
            [(CF, "client-9", -300000), (AV, "client-9", 300000)],  # no fee, no pending
            utc(2026, 4, 30),
            None,
            (SourceKind.INVOICE, "inv-7"),
        ),
    ],
)
def test_posting_rules(transaction, expected_legs, occurred_at, available_at, source):
    assert legs(transaction) == expected_legs
    assert transaction.occurred_at == occurred_at
    assert transaction.available_at == available_at
    assert transaction.source == source
    assert transaction.memo


def test_fee_split_never_loses_a_cent():
    t = milestone_released(usd(33333), 1250, "c1", "m1", utc(2026, 3, 13))
    assert legs(t) == [(ESC, "c1", -33333), (PEN, "c1", 29166), (FEE, "c1", 4167)]


# -- transaction validation ---------------------------------------------------------------

A_ESC = Account(ESC, "c1", "USD")
A_CF = Account(CF, "c1", "USD")
A_PEN = Account(PEN, "c1", "USD")
A_AV = Account(AV, "c1", "USD")
T = utc(2026, 3, 1)


def tx(*postings: Posting, available_at: datetime | None = None) -> Transaction:
    return Transaction(postings, T, "memo", SourceKind.IMPORT, "row-1", available_at)


@pytest.mark.parametrize(
    ("build", "rule"),
    [
        (lambda: tx(Posting(A_ESC, usd(1)), Posting(A_CF, usd(-2))), "ledger.balanced"),
        (lambda: tx(Posting(A_ESC, usd(0)), Posting(A_CF, usd(0))), "ledger.zero_posting"),
        (lambda: tx(Posting(A_ESC, usd(0))), "ledger.zero_posting"),
        (lambda: tx(Posting(A_ESC, usd(5))), "ledger.two_postings"),
        (lambda: tx(), "ledger.two_postings"),
        (lambda: Posting(A_ESC, Money(5, "EUR")), "ledger.posting_currency"),
        (
            # Balanced in total but not per currency.
            lambda: tx(
                Posting(A_ESC, usd(5)),
                Posting(Account(CF, "c1", "EUR"), Money(-5, "EUR")),
            ),
            "ledger.balanced",
        ),
        (
            lambda: tx(Posting(A_ESC, usd(5)), Posting(A_CF, usd(-5)), available_at=T),
            "ledger.available_at",
        ),
        (
            lambda: tx(
                Posting(A_PEN, usd(5)),
                Posting(A_CF, usd(-5)),
                available_at=T - timedelta(seconds=1),
            ),
            "ledger.available_at",
        ),
        (lambda: milestone_funded(usd(0), "c1", "m1", T), "ledger.funding_positive"),
        (lambda: milestone_released(usd(-5), 1000, "c1", "m1", T), "ledger.release_positive"),
        (lambda: withdrawal(usd(100), usd(101), None, T, "w"), "ledger.withdrawal_fee"),
        (lambda: withdrawal(usd(100), usd(-1), None, T, "w"), "ledger.withdrawal_fee"),
    ],
)
def test_invalid_transactions_refused(build, rule):
    with pytest.raises(RuleError) as info:
        build()
    assert info.value.rule == rule


def test_unbalanced_message_names_the_difference():
    with pytest.raises(RuleError, match=r"off by -0\.01 USD"):
        tx(Posting(A_ESC, usd(1)), Posting(A_CF, usd(-2)))


def test_multi_currency_transaction_balanced_per_currency_is_fine():
    eur_esc, eur_cf = Account(ESC, "c1", "EUR"), Account(CF, "c1", "EUR")
    t = tx(
        Posting(A_ESC, usd(5)),
        Posting(A_CF, usd(-5)),
        Posting(eur_esc, Money(7, "EUR")),
        Posting(eur_cf, Money(-7, "EUR")),
    )
    assert len(t.postings) == 4


def test_naive_instants_refused():
    with pytest.raises(ValueError, match="naive"):
        milestone_funded(usd(100), "c1", "m1", datetime(2026, 3, 1))


def test_account_refuses_unknown_currency():
    with pytest.raises(ValueError, match="ISO 4217"):
        Account(ESC, "c1", "USS")


# -- balances and the escrow rule --------------------------------------------------------


def test_worked_milestone_timeline():
    history = [
        milestone_funded(usd(50000), "c1", "m1", utc(2026, 3, 2, 9)),
        milestone_released(usd(50000), 1000, "c1", "m1", utc(2026, 3, 13, 16)),
    ]
    history.append(
        pending_cleared(usd(45000), "c1", history[1].available_at, (SourceKind.MILESTONE, "m1"))
    )
    assert balances(history, as_of=utc(2026, 3, 10)) == {A_CF: usd(-50000), A_ESC: usd(50000)}
    on_15th = balances(history, as_of=utc(2026, 3, 15))
    assert on_15th[A_ESC] == usd(0) and on_15th[A_PEN] == usd(45000)
    on_18th = balances(history, as_of=utc(2026, 3, 18, 16))  # inclusive of that instant
    assert on_18th[A_PEN] == usd(0) and on_18th[A_AV] == usd(45000)
    assert on_18th[Account(FEE, "c1", "USD")] == usd(5000)


def test_balances_filtered_by_source():
    history = [
        milestone_funded(usd(100), "c1", "m1", T),
        milestone_funded(usd(200), "c1", "m2", T),
    ]
    assert balances(history)[A_ESC] == usd(300)
    assert balances(history, source=(SourceKind.MILESTONE, "m2"))[A_ESC] == usd(200)


def test_release_beyond_escrow_refused():
    held = balances([milestone_funded(usd(30000), "c1", "m1", T)])
    release = milestone_released(usd(50000), 1000, "c1", "m1", T)
    with pytest.raises(RuleError) as info:
        check_transaction(release, held)
    assert info.value.rule == "ledger.escrow_negative"
    assert str(info.value) == ("cannot take 500.00 USD from escrow (c1): it holds only 300.00 USD")


def test_release_beyond_what_this_milestone_funded_refused():
    history = [
        milestone_funded(usd(10000), "c1", "m1", T),
        milestone_funded(usd(90000), "c1", "m2", T),
    ]
    release = milestone_released(usd(20000), 1000, "c1", "m1", T)
    check_transaction(release, balances(history))  # the contract's escrow could pay it
    with pytest.raises(RuleError, match=r"for milestone m1: it holds only 100\.00 USD"):
        check_transaction(
            release, balances(history), balances(history, source=(SourceKind.MILESTONE, "m1"))
        )


def test_withdrawal_beyond_available_refused():
    with pytest.raises(RuleError) as info:
        check_transaction(withdrawal(usd(100), usd(0), "c1", T, "w"), {A_AV: usd(99)})
    assert info.value.rule == "ledger.available_negative"


def test_withdrawal_draws_on_the_pool_not_on_its_own_source():
    t = withdrawal(usd(100), usd(0), "c1", T, "w")
    check_transaction(t, {A_AV: usd(100)}, balances([], source=t.source))


def test_clearance_beyond_what_this_source_left_pending_refused():
    history = [
        milestone_funded(usd(1000), "c1", "m1", T),
        milestone_released(usd(1000), 0, "c1", "m1", T),
        hourly_week_billed(usd(5000), 0, "c1", utc(2026, 2, 23)),
    ]
    clear = pending_cleared(usd(2000), "c1", T, (SourceKind.MILESTONE, "m1"))
    with pytest.raises(RuleError) as info:
        check_transaction(clear, balances(history), balances(history, source=clear.source))
    assert info.value.rule == "ledger.pending_negative"


def test_apply_does_not_mutate():
    before = {A_ESC: usd(100)}
    after = apply(before, milestone_refunded(usd(100), "c1", "m1", T))
    assert before == {A_ESC: usd(100)} and after[A_ESC] == usd(0)


# -- property: random money events keep every invariant -----------------------------------

MILESTONES = ["m1", "m2"]
# (event, milestone, amount, fee, capped): a capped amount is cut to what the event can
# draw on, so valid steps happen often; uncapped ones probe the refusals.
event = st.tuples(
    st.sampled_from(["fund", "release", "refund", "clear", "withdraw"]),
    st.sampled_from(MILESTONES),
    st.integers(1, 100_000),
    st.sampled_from([0, 1000, 1500]),
    st.sampled_from([True, True, True, False]),
)


def _draw_on(kind: str, history: list[Transaction], milestone: str) -> int:
    if kind == "withdraw":
        return balances(history).get(A_AV, usd(0)).amount
    account = A_PEN if kind == "clear" else A_ESC
    return balances(history, source=(SourceKind.MILESTONE, milestone)).get(account, usd(0)).amount


@settings(max_examples=300)
@given(st.lists(event, min_size=5, max_size=60))
def test_random_money_events_keep_the_books(events):
    history: list[Transaction] = []
    funded = released = refunded = 0
    when = T
    for kind, milestone, wanted, fee_bp, capped in events:
        when += timedelta(hours=1)
        held = _draw_on(kind, history, milestone)
        amount = min(wanted, held) if capped and kind != "fund" and held > 0 else wanted
        money = usd(amount)
        source = (SourceKind.MILESTONE, milestone)
        if kind == "fund":
            t = milestone_funded(money, "c1", milestone, when)
        elif kind == "release":
            t = milestone_released(money, fee_bp, "c1", milestone, when)
        elif kind == "refund":
            t = milestone_refunded(money, "c1", milestone, when)
        elif kind == "clear":
            t = pending_cleared(money, "c1", when, source)
        else:
            t = withdrawal(money, usd(min(99, amount)), "c1", when, f"w{len(history)}")
        try:
            check_transaction(t, balances(history), balances(history, source=t.source))
        except RuleError:
            assert amount > held
            continue
        assert amount <= held or kind == "fund"
        history.append(t)
        funded += amount if kind == "fund" else 0
        released += amount if kind == "release" else 0
        refunded += amount if kind == "refund" else 0

    totals = balances(history)
    for account, money in totals.items():
        if account.kind in (ESC, PEN, AV):
            assert not money.is_negative, account
    for milestone in MILESTONES:
        held = balances(history, source=(SourceKind.MILESTONE, milestone)).get(A_ESC, usd(0))
        assert not held.is_negative
    escrow = totals.get(A_ESC, usd(0)).amount
    assert funded == released + refunded + escrow
    # Gross earned = fees + pending + available + withdrawn: nothing appears or vanishes.
    assert -totals.get(A_CF, usd(0)).amount == escrow + refunded + sum(
        m.amount for a, m in totals.items() if a.kind in (FEE, PEN, AV, WD)
    )
    assert sum(m.amount for m in totals.values()) == 0
