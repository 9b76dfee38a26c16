"""The ledger service against a real workspace: refusals, idempotency, balances on the
dates the platforms make money available, the cash-flow calendar, earnings, rates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    SourceKind,
    hourly_week_billed,
    invoice_paid,
    milestone_funded,
    milestone_refunded,
    milestone_released,
    order_completed,
    order_placed,
    pending_cleared,
    withdrawal,
)
from freelancer_desk.domain.money import Money
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.models import LedgerTransaction
from tests.services.money_rows import (
    add_client,
    add_contract,
    add_milestone,
    add_order,
    add_segments,
    open_ws,
    usd,
    utc,
)


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 1, 9))
    yield workspace
    workspace.db.dispose()


def fixed_contract(ws):
    client = add_client(ws.db, "Acme")
    contract = add_contract(ws.db, client, kind="fixed", rate=None)
    return client, contract


def count_transactions(ws) -> int:
    with ws.db.read() as s:
        return int(s.scalar(select(func.count(LedgerTransaction.id))) or 0)


def record(ws, ledger, transaction, client, *, platform="upwork", scope_kind="contract", ref=None):
    with ws.db.session() as s:
        row = ledger.record(
            s,
            transaction,
            kind=transaction.memo.replace(" ", "_"),
            platform=platform,
            client_id=client,
            scope_kind=scope_kind,
            external_ref=ref,
        )
        return row.id


# -- refusals and idempotency ------------------------------------------------------------


def test_a_release_beyond_what_the_milestone_funded_is_refused(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 10000)
    m2 = add_milestone(ws.db, contract, 90000)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(10000), c, str(m1), utc(2026, 3, 2)), client)
    record(ws, ledger, milestone_funded(usd(90000), c, str(m2), utc(2026, 3, 2)), client)
    before = count_transactions(ws)

    # The contract's escrow (1,000.00) could pay it; milestone m1 funded only 100.00.
    over = milestone_released(usd(20000), 1000, c, str(m1), utc(2026, 3, 5))
    with pytest.raises(RuleError, match=rf"for milestone {m1}: it holds only 100\.00 USD") as info:
        record(ws, ledger, over, client)
    assert info.value.rule == "ledger.escrow_negative"

    beyond_contract = milestone_released(usd(100001), 1000, c, str(m2), utc(2026, 3, 5))
    with pytest.raises(RuleError, match=r"it holds only 1,000\.00 USD"):
        record(ws, ledger, beyond_contract, client)
    assert count_transactions(ws) == before  # nothing of a refused transaction is written


def test_the_same_external_ref_twice_returns_the_first_row(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 5000)
    funded = milestone_funded(usd(5000), str(contract), str(m1), utc(2026, 3, 2))
    first = record(ws, ledger, funded, client, ref="upwork-tx-1")
    again = record(ws, ledger, funded, client, ref="upwork-tx-1")
    assert first == again
    assert count_transactions(ws) == 1
    assert ledger.balances(as_of=utc(2026, 3, 2))["escrow"]["USD"] == usd(5000)

    other = milestone_funded(usd(5000), str(contract), "other-milestone", utc(2026, 3, 2))
    with pytest.raises(RuleError, match="already recorded for milestone") as info:
        record(ws, ledger, other, client, ref="upwork-tx-1")
    assert info.value.field == "external_ref"


def test_a_scope_that_is_not_an_id_is_refused(ws, ledger):
    client, _ = fixed_contract(ws)
    with pytest.raises(RuleError) as info:
        record(ws, ledger, milestone_funded(usd(100), "c1", "m1", utc(2026, 3, 2)), client)
    assert info.value.rule == "ledger.scope"


def test_a_withdrawal_draws_on_the_platform_pool_and_never_beyond_it(ws, ledger):
    client = add_client(ws.db, "Direct Co", platform="direct")
    paid = invoice_paid(usd(30000), str(client), "inv-1", utc(2026, 3, 2))
    record(ws, ledger, paid, client, platform="direct", scope_kind="client")
    too_much = withdrawal(usd(30001), usd(0), None, utc(2026, 3, 3), "w-1")
    with pytest.raises(RuleError) as info:
        record(ws, ledger, too_much, None, platform="direct", scope_kind="workspace")
    assert info.value.rule == "ledger.available_negative"
    ok = withdrawal(usd(30000), usd(200), None, utc(2026, 3, 3), "w-2")
    record(ws, ledger, ok, None, platform="direct", scope_kind="workspace")
    after = ledger.balances(as_of=utc(2026, 3, 4))
    assert after["available"]["USD"] == usd(0)
    assert after["withdrawn"]["USD"] == usd(29800)


def test_a_withdrawal_first_books_what_cleared_by_its_date(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 10000)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(10000), c, str(m1), utc(2026, 3, 2)), client)
    record(ws, ledger, milestone_released(usd(10000), 1000, c, str(m1), utc(2026, 3, 3)), client)
    # Available on 3-8; nobody ran clear_due, yet a withdrawal on 3-9 can draw on it.
    record(ws, ledger, withdrawal(usd(9000), usd(0), None, utc(2026, 3, 9), "w-1"), None)
    with ws.db.read() as s:
        kinds = sorted(s.scalars(select(LedgerTransaction.kind)))
    assert kinds == ["milestone_funded", "milestone_released", "pending_cleared", "withdrawal"]


# -- balances on the platforms' dates -------------------------------------------------------


def test_released_money_is_available_after_the_five_day_security_period(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 50000)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(50000), c, str(m1), utc(2026, 3, 2, 9)), client)
    released_at = utc(2026, 3, 13, 16)
    record(ws, ledger, milestone_released(usd(50000), 1000, c, str(m1), released_at), client)

    def at(*when: int) -> dict[str, Money]:
        got = ledger.balances(as_of=utc(*when))
        return {kind: by_currency.get("USD", usd(0)) for kind, by_currency in got.items()}

    assert at(2026, 3, 10) == {"client_funds": usd(-50000), "escrow": usd(50000)}
    before = at(2026, 3, 18, 15, 59)
    assert before["escrow"] == usd(0)
    assert before["pending"] == usd(45000) and before["fees"] == usd(5000)
    assert before.get("available", usd(0)) == usd(0)
    due = at(2026, 3, 18, 16)  # 13th 16:00 + 5 days, inclusive
    assert due["pending"] == usd(0) and due["available"] == usd(45000)

    # Booking the clearances changes nothing in the answers, on any date.
    ws.clock.set(utc(2026, 3, 20))
    booked = ledger.clear_due()
    assert [(b["kind"], b["occurred_at"]) for b in booked] == [
        ("pending_cleared", "2026-03-18T16:00:00+00:00")
    ]
    assert ledger.clear_due() == []  # nothing is cleared twice
    assert at(2026, 3, 18, 15, 59)["pending"] == usd(45000)
    assert at(2026, 3, 18, 16) == due


def test_an_hourly_week_is_available_the_wednesday_after_review(ws, ledger):
    client = add_client(ws.db, "Hourly Inc")
    contract = add_contract(ws.db, client)
    week = utc(2026, 3, 2)  # Monday
    record(ws, ledger, hourly_week_billed(usd(36917), 1000, str(contract), week), client)
    # Booked at the week's end (Monday 3-9 00:00); in review until Saturday; Wednesday 3-18.
    assert "pending" not in ledger.balances(as_of=utc(2026, 3, 8, 23, 59))
    assert ledger.balances(as_of=utc(2026, 3, 9))["pending"]["USD"] == usd(33225)
    assert ledger.balances(as_of=utc(2026, 3, 17, 23, 59, 59))["pending"]["USD"] == usd(33225)
    on_wednesday = ledger.balances(as_of=utc(2026, 3, 18))
    assert on_wednesday["pending"]["USD"] == usd(0)
    assert on_wednesday["available"]["USD"] == usd(33225)
    assert on_wednesday["fees"]["USD"] == usd(3692)


def test_balances_filter_by_client_platform_and_currency_and_keep_currencies_apart(ws, ledger):
    upwork_client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 10000)
    record(
        ws,
        ledger,
        milestone_funded(usd(10000), str(contract), str(m1), utc(2026, 3, 2)),
        upwork_client,
    )
    euro_client = add_client(ws.db, "Euro GmbH", platform="direct", currency="EUR")
    paid = invoice_paid(Money(25000, "EUR"), str(euro_client), "inv-9", utc(2026, 3, 2))
    record(ws, ledger, paid, euro_client, platform="direct", scope_kind="client")

    everything = ledger.balances(as_of=utc(2026, 3, 3))
    assert everything["escrow"] == {"USD": usd(10000)}
    assert everything["available"] == {"EUR": Money(25000, "EUR")}
    assert everything["client_funds"] == {"EUR": Money(-25000, "EUR"), "USD": usd(-10000)}
    assert ledger.balances(as_of=utc(2026, 3, 3), client_id=euro_client).keys() == {
        "client_funds",
        "available",
    }
    assert "escrow" not in ledger.balances(as_of=utc(2026, 3, 3), platform="direct")
    assert ledger.balances(as_of=utc(2026, 3, 3), currency="USD").keys() == {
        "client_funds",
        "escrow",
    }


# -- the cash-flow calendar -------------------------------------------------------------


def test_pending_schedule_and_calendar_show_when_money_becomes_available(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 50000)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(50000), c, str(m1), utc(2026, 3, 2)), client)
    record(
        ws, ledger, milestone_released(usd(50000), 1000, c, str(m1), utc(2026, 3, 13, 16)), client
    )
    hourly = add_contract(ws.db, client)
    record(ws, ledger, hourly_week_billed(usd(10000), 1000, str(hourly), utc(2026, 3, 2)), client)
    buyer = add_client(ws.db, "Fiverr buyer", platform="fiverr")
    order = add_order(ws.db, buyer, 10000)
    o = str(order)
    record(
        ws,
        ledger,
        order_placed(usd(10000), o, utc(2026, 3, 1)),
        buyer,
        platform="fiverr",
        scope_kind="order",
    )
    record(
        ws,
        ledger,
        order_completed(usd(10000), o, utc(2026, 3, 4, 12)),
        buyer,
        platform="fiverr",
        scope_kind="order",
    )

    schedule = ledger.pending_schedule(now=utc(2026, 3, 15))
    assert [(p.available_at, p.remaining, p.source_kind, p.client_name) for p in schedule] == [
        (utc(2026, 3, 18), usd(9000), "hourly_week", "Acme"),
        (utc(2026, 3, 18, 12), usd(8000), "order", "Fiverr buyer"),
        (utc(2026, 3, 18, 16), usd(45000), "milestone", "Acme"),
    ]
    # On the 18th at 13:00 the week and the order have cleared; the milestone waits.
    later = ledger.pending_schedule(now=utc(2026, 3, 18, 13))
    assert [p.source_kind for p in later] == ["milestone"]

    days = ledger.calendar(date(2026, 3, 1), date(2026, 4, 1))
    assert [(d.day, d.totals) for d in days] == [(date(2026, 3, 18), {"USD": usd(62000)})]
    # A day's amounts in the order they become available, as the schedule lists them.
    assert [lot.source_kind for lot in days[0].lots] == ["hourly_week", "order", "milestone"]
    # In a zone west of UTC the Wednesday-midnight money lands on Tuesday evening.
    west = ledger.calendar(date(2026, 3, 1), date(2026, 4, 1), tz="America/New_York")
    assert [(d.day, d.totals["USD"]) for d in west] == [
        (date(2026, 3, 17), usd(9000)),
        (date(2026, 3, 18), usd(53000)),
    ]
    assert ledger.calendar(date(2026, 3, 19), date(2026, 4, 1)) == []


# -- earnings --------------------------------------------------------------------------


def test_earnings_per_client_split_fees_to_the_cent_and_rate_fixed_price_work(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 100001)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(100001), c, str(m1), utc(2026, 3, 2)), client)
    record(ws, ledger, milestone_released(usd(100001), 1000, c, str(m1), utc(2026, 3, 10)), client)
    # 9 h 30 min tracked on the fixed-price contract, plus a deleted segment that never counts.
    add_segments(
        ws.db,
        utc(2026, 3, 3, 9),
        [600] * 57 + [600],
        contract_id=contract,
        deleted=[False] * 57 + [True],
    )
    euro = add_client(ws.db, "Euro GmbH", platform="direct", currency="EUR")
    paid = invoice_paid(Money(33333, "EUR"), str(euro), "inv-1", utc(2026, 3, 20))
    record(ws, ledger, paid, euro, platform="direct", scope_kind="client")

    rows = ledger.earnings(utc(2026, 3, 1), utc(2026, 4, 1))
    by = {(r.label, r.currency): r for r in rows}
    acme = by[("Acme", "USD")]
    assert (acme.gross, acme.fees, acme.net) == (usd(100001), usd(10000), usd(90001))
    assert acme.fees + acme.net == acme.gross
    assert acme.tracked_seconds == 57 * 600
    assert acme.per_hour == usd(9474)  # 900.01 / 9.5 h = 94.7389…
    euros = by[("Euro GmbH", "EUR")]
    assert (euros.gross, euros.fees, euros.net, euros.per_hour) == (
        Money(33333, "EUR"),
        Money(0, "EUR"),
        Money(33333, "EUR"),
        None,
    )
    assert len(rows) == 2  # one row per client and currency, never summed across

    by_platform = {
        (r.key, r.currency): r.net
        for r in ledger.earnings(utc(2026, 3, 1), utc(2026, 4, 1), "platform")
    }
    assert by_platform == {("upwork", "USD"): usd(90001), ("direct", "EUR"): Money(33333, "EUR")}
    by_month = ledger.earnings(utc(2026, 1, 1), utc(2027, 1, 1), "month")
    assert [(r.key, r.currency, r.gross.amount) for r in by_month] == [
        ("2026-03", "EUR", 33333),
        ("2026-03", "USD", 100001),
    ]
    assert [r.key for r in ledger.earnings(utc(2026, 1, 1), utc(2027, 1, 1), "year")] == [
        "2026",
        "2026",
    ]
    # Outside the period nothing counts; the money counts when it was released.
    assert ledger.earnings(utc(2026, 3, 11), utc(2026, 3, 20)) == []
    with pytest.raises(RuleError) as info:
        ledger.earnings(utc(2026, 3, 1), utc(2026, 4, 1), "week")
    assert info.value.field == "group_by"


def test_earnings_equal_an_independent_sum_over_the_postings(ws, ledger):
    client, contract = fixed_contract(ws)
    c = str(contract)
    for i, amount in enumerate([12345, 67891, 1]):
        m = str(add_milestone(ws.db, contract, amount))
        record(ws, ledger, milestone_funded(usd(amount), c, m, utc(2026, 3, 2, i)), client)
        record(ws, ledger, milestone_released(usd(amount), 1500, c, m, utc(2026, 3, 5, i)), client)
    ws.clock.set(utc(2026, 4, 1))
    ledger.clear_due()
    record(ws, ledger, withdrawal(usd(50000), usd(300), None, utc(2026, 4, 1), "w1"), None)
    rows = ledger.earnings(utc(2026, 1, 1), utc(2027, 1, 1))
    b = ledger.balances()
    gross = sum(r.gross.amount for r in rows)
    fees = sum(r.fees.amount for r in rows)
    assert gross == -b["client_funds"]["USD"].amount - b["escrow"]["USD"].amount
    assert fees == b["fees"]["USD"].amount
    assert gross - fees == sum(b[k]["USD"].amount for k in ("pending", "available", "withdrawn"))


# -- exchange rates --------------------------------------------------------------------


def test_conversion_needs_a_rate_the_user_entered(ws, ledger):
    with pytest.raises(RuleError) as info:
        ledger.convert(usd(10000), "EUR", date(2026, 3, 5))
    assert str(info.value) == (
        "no USD→EUR exchange rate on or before 2026-03-05: enter one to convert"
    )
    ledger.set_rate("USD", "EUR", date(2026, 3, 1), "0.92")
    ledger.set_rate("USD", "EUR", date(2026, 3, 10), Decimal("0.95"))
    assert ledger.convert(usd(10000), "EUR", date(2026, 3, 5)) == Money(9200, "EUR")
    assert ledger.convert(usd(10000), "EUR", date(2026, 3, 10)) == Money(9500, "EUR")
    with pytest.raises(RuleError, match="on or before 2026-02-28"):
        ledger.convert(usd(10000), "EUR", date(2026, 2, 28))
    # The inverse of the user's own rate, rounded once: 100 / 0.95 = 105.263…
    assert ledger.convert(Money(10000, "EUR"), "USD", date(2026, 3, 12)) == usd(10526)
    assert ledger.convert(usd(1), "USD", date(2026, 3, 12)) == usd(1)
    ledger.set_rate("USD", "EUR", date(2026, 3, 10), "0.9")  # the day's rate is replaced
    assert ledger.rate("USD", "EUR", date(2026, 3, 10)).rate == Decimal("0.9")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("USD", "USD", "1"), "quote"),
        (("USD", "EUX", "1"), "quote"),
        (("usd", "EUR", "1"), "base"),
        (("USD", "EUR", "0"), "rate"),
        (("USD", "EUR", "-1"), "rate"),
        (("USD", "EUR", "0.1234567"), "rate"),
        (("USD", "EUR", "abc"), "rate"),
    ],
)
def test_a_bad_rate_is_refused_naming_the_field(ledger, args, field):
    base, quote, rate = args
    with pytest.raises(RuleError) as info:
        ledger.set_rate(base, quote, date(2026, 3, 1), rate)
    assert info.value.field == field


def test_nothing_without_a_database(ws):
    with pytest.raises(RuntimeError, match="without a database"):
        LedgerService().balances()


def test_due_dates_are_exact_to_the_second(ws, ledger):
    client, contract = fixed_contract(ws)
    m1 = add_milestone(ws.db, contract, 100)
    c = str(contract)
    record(ws, ledger, milestone_funded(usd(100), c, str(m1), utc(2026, 3, 2)), client)
    record(ws, ledger, milestone_released(usd(100), 0, c, str(m1), utc(2026, 3, 3)), client)
    just_before = utc(2026, 3, 8) - timedelta(seconds=1)
    assert ledger.balances(as_of=just_before)["pending"]["USD"] == usd(100)
    assert ledger.balances(as_of=utc(2026, 3, 8))["available"]["USD"] == usd(100)


# -- property: random money events through the service keep the books ---------------------

EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["fund", "release", "refund", "clear", "withdraw"]),
        st.sampled_from([0, 1]),
        st.integers(1, 50_000),
        st.sampled_from([0, 1000, 1500]),
    ),
    min_size=3,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=EVENTS)
def test_random_money_events_through_the_service_keep_the_books(ws, ledger, events):
    client = add_client(ws.db, "Random")
    contract = add_contract(ws.db, client, kind="fixed", rate=None)
    c = str(contract)
    milestones = [str(add_milestone(ws.db, contract, 1)) for _ in range(2)]
    escrow = [0, 0]
    pending = [0, 0]
    available = 0
    gross = 0
    when = utc(2026, 3, 2)
    for step, (kind, i, amount, fee_bp) in enumerate(events):
        when += timedelta(hours=1)
        m = milestones[i]
        money = usd(amount)
        if kind == "fund":
            transaction, held = milestone_funded(money, c, m, when), amount
        elif kind == "release":
            transaction, held = milestone_released(money, fee_bp, c, m, when), escrow[i]
        elif kind == "refund":
            transaction, held = milestone_refunded(money, c, m, when), escrow[i]
        elif kind == "clear":
            transaction = pending_cleared(money, c, when, (SourceKind.MILESTONE, m))
            held = pending[i]
        else:
            transaction = withdrawal(money, usd(min(amount, 99)), c, when, f"{c}/{step}")
            held = available
        try:
            record(ws, ledger, transaction, client)
        except RuleError:
            assert amount > held
            continue
        assert amount <= held
        if kind == "fund":
            escrow[i] += amount
        elif kind == "release":
            _fee, net = money.split_fee(fee_bp)
            escrow[i] -= amount
            pending[i] += net.amount
            gross += amount
        elif kind == "refund":
            escrow[i] -= amount
        elif kind == "clear":
            pending[i] -= amount
            available += amount
        else:
            available -= amount

    books = ledger.balances(as_of=when, client_id=client)
    got = {kind: by_currency["USD"].amount for kind, by_currency in books.items()}
    assert got.get("escrow", 0) == sum(escrow)
    assert got.get("pending", 0) == sum(pending)
    assert got.get("available", 0) == available
    earned = ledger.earnings(utc(2026, 3, 1), when + timedelta(seconds=1))
    mine = [r for r in earned if r.key == str(client)]
    assert sum(r.gross.amount for r in mine) == gross
    assert all(r.fees + r.net == r.gross for r in mine)


def test_cleared_money_leaves_the_schedule_but_stays_in_the_calendar(ws, ledger):
    """`pending_lots` nets pending per source, scope and currency in SQL: a cleared amount is no
    longer pending, yet the calendar still shows the day it became available."""
    client, _contract = fixed_contract(ws)
    hourly = add_contract(ws.db, client)
    for week in (utc(2026, 3, 2), utc(2026, 3, 9)):
        record(ws, ledger, hourly_week_billed(usd(10000), 1000, str(hourly), week), client)
    cleared = ledger.clear_due(now=utc(2026, 3, 20))
    assert len(cleared) == 1  # the first week, available on the 18th
    assert ledger.clear_due(now=utc(2026, 3, 20)) == []
    assert [(p.available_at, p.remaining) for p in ledger.pending_schedule(utc(2026, 3, 20))] == [
        (utc(2026, 3, 25), usd(9000))
    ]
    days = ledger.calendar(date(2026, 3, 1), date(2026, 4, 1))
    assert [(d.day, d.totals["USD"]) for d in days] == [
        (date(2026, 3, 18), usd(9000)),
        (date(2026, 3, 25), usd(9000)),
    ]
    assert [lot.remaining for d in days for lot in d.lots] == [usd(0), usd(9000)]
    balances = ledger.balances(as_of=utc(2026, 3, 26))
    assert balances["pending"]["USD"] == usd(0)
    assert balances["available"]["USD"] == usd(18000)
