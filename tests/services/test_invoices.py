"""Invoices for direct clients: lines frozen at one rounding, tracked time at the
contract's rounding, numbering at issue, payment terms, paid → available, void."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.services.invoices import InvoiceService, LineInput
from freelancer_desk.storage.models import Contract
from tests.services.money_rows import (
    add_client,
    add_contract,
    add_segments,
    open_ws,
    seven_hours_23,
    usd,
    utc,
)


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 2, 9))
    yield workspace
    workspace.db.dispose()


@pytest.fixture
def changes():
    bus = ChangeBus()
    seen = []
    bus.subscribe(seen.append)
    return bus, seen


@pytest.fixture
def invoices(ws, ledger, changes):
    return InvoiceService(ws.db, ws.clock, ledger, changes[0])


@pytest.fixture
def client(ws):
    return add_client(ws.db, "Direct Co", platform="direct", terms=14)


def test_lines_are_frozen_at_quantity_times_price_rounded_once(invoices, client):
    draft = invoices.create_draft(
        client,
        lines=[LineInput("Design", 1500, 8000), LineInput("Review", 2333, 1999)],
    )
    assert draft["state"] == "draft" and draft["number"] is None  # numbered on issue
    assert [line["amount_minor"] for line in draft["lines"]] == [12000, 4664]  # 46.63667
    assert draft["total_minor"] == 16664 and draft["terms_days"] == 14
    added = invoices.add_line(draft["id"], LineInput("Hosting", 1000, 500))
    assert added["total_minor"] == 17164
    removed = invoices.remove_line(draft["id"], added["lines"][1]["id"])
    assert [(line["description"], line["position"]) for line in removed["lines"]] == [
        ("Design", 0),
        ("Hosting", 1),
    ]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (LineInput("", 1000, 100), "description"),
        (LineInput("x", 0, 100), "quantity"),
        (LineInput("x", -5, 100), "quantity"),
        (LineInput("x", 1000, -1), "unit_price"),
    ],
)
def test_a_bad_line_is_refused_naming_its_field(invoices, client, line, field):
    with pytest.raises(RuleError) as info:
        invoices.create_draft(client, lines=[line])
    assert info.value.field == field


def test_only_direct_clients_get_invoices_and_terms_are_checked(ws, invoices, client):
    upwork = add_client(ws.db, "Upwork client")
    with pytest.raises(RuleError) as info:
        invoices.create_draft(upwork)
    assert info.value.field == "client"
    with pytest.raises(RuleError) as info:
        invoices.create_draft(client, terms_days=400)
    assert info.value.field == "terms_days"
    with pytest.raises(RuleError) as info:
        invoices.create_draft(client, currency="XYZ")
    assert info.value.field == "currency"


def test_numbers_are_given_at_issue_in_order_per_year(ws, invoices, client):
    no_terms = add_client(ws.db, "No Terms Ltd", platform="direct")
    first = invoices.create_draft(client, lines=[LineInput("a", 1000, 100)])
    second = invoices.create_draft(no_terms, lines=[LineInput("b", 1000, 100)])
    third = invoices.create_draft(client, lines=[LineInput("c", 1000, 100)])
    empty = invoices.create_draft(client)
    with pytest.raises(RuleError) as info:
        invoices.issue(empty["id"])
    assert info.value.field == "lines"

    issued = invoices.issue(second["id"])  # issued first, numbered first
    assert (issued["number"], issued["issued_on"], issued["due_on"]) == (
        "2026-0001",
        "2026-03-02",
        "2026-04-01",  # no terms on the client: net 30
    )
    issued = invoices.issue(first["id"], date(2026, 3, 5))
    assert (issued["number"], issued["due_on"]) == ("2026-0002", "2026-03-19")  # net 14
    assert invoices.issue(third["id"], date(2027, 1, 2))["number"] == "2027-0001"
    invoices.void(issued["id"])
    again = invoices.create_draft(client, lines=[LineInput("d", 1000, 100)])
    assert invoices.issue(again["id"])["number"] == "2026-0003"  # a void keeps its number
    with pytest.raises(RuleError) as info:
        invoices.issue(first["id"])
    assert info.value.rule == "invoice.not_draft"


def test_paid_invoice_is_available_at_once_and_in_earnings(ws, invoices, ledger, client, changes):
    draft = invoices.create_draft(client, lines=[LineInput("Work", 10000, 12345)])
    issued = invoices.issue(draft["id"])
    with pytest.raises(RuleError) as info:
        invoices.mark_paid(issued["id"], utc(2026, 3, 1))
    assert info.value.field == "paid_at"
    paid = invoices.mark_paid(issued["id"], utc(2026, 3, 10, 15), external_ref="bank-77")
    assert paid["state"] == "paid" and paid["paid_at"] == "2026-03-10T15:00:00+00:00"
    balances = ledger.balances(as_of=utc(2026, 3, 10, 15))
    assert balances["available"] == {"USD": usd(123450)}
    assert "pending" not in balances and balances.get("fees", {}).get("USD", usd(0)) == usd(0)
    (row,) = ledger.earnings(utc(2026, 3, 1), utc(2026, 4, 1))
    assert (row.label, row.gross, row.fees, row.net) == (
        "Direct Co",
        usd(123450),
        usd(0),
        usd(123450),
    )
    with pytest.raises(RuleError) as info:
        invoices.mark_paid(issued["id"])
    assert info.value.rule == "invoice.not_issued"
    with pytest.raises(RuleError):
        invoices.void(issued["id"])
    assert ("invoice", "paid") in [(c.kind, c.action) for c in changes[1]]
    assert ("ledger", "recorded") in [(c.kind, c.action) for c in changes[1]]


def test_an_invoice_from_tracked_time_uses_the_contract_rounding_and_freezes_it(
    ws, invoices, client
):
    contract = add_contract(
        ws.db, client, platform="direct", rate=8000, rounding="15m-up", fee_bp=0
    )
    add_segments(ws.db, utc(2026, 3, 3, 9), seven_hours_23(), contract_id=contract)
    add_segments(ws.db, utc(2026, 3, 20, 9), [600], contract_id=contract)  # outside the period
    draft = invoices.create_from_time(contract, utc(2026, 3, 2), utc(2026, 3, 9))
    (line,) = draft["lines"]
    assert (line["quantity_milli"], line["unit_price_minor"], line["amount_minor"]) == (
        7500,
        8000,
        60000,
    )
    assert line["rounding_rule"] == "15m-up"
    assert line["description"] == "hourly work: 2026-03-02 – 2026-03-08, 7:30 h"
    assert draft["contract_id"] == str(contract)
    with ws.db.session() as s:
        s.execute(update(Contract).values(hourly_rate_minor=9900, rounding_rule="1m-up"))
    assert invoices.get(draft["id"])["total_minor"] == 60000  # frozen
    with pytest.raises(RuleError) as info:
        invoices.create_from_time(contract, utc(2026, 3, 5), utc(2026, 3, 12))
    assert info.value.rule == "invoice.period_invoiced"
    with pytest.raises(RuleError) as info:
        invoices.create_from_time(contract, utc(2026, 4, 1), utc(2026, 4, 8))
    assert info.value.rule == "invoice.no_time"


def test_a_weekly_limit_applies_per_billing_week_on_an_invoice(ws, invoices, client):
    contract = add_contract(ws.db, client, platform="direct", rate=6000, limit_minutes=60)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 9, contract_id=contract)  # 1.5 h
    add_segments(ws.db, utc(2026, 3, 10, 9), [600] * 3, contract_id=contract)  # 0.5 h
    draft = invoices.create_from_time(contract, utc(2026, 3, 2), utc(2026, 3, 16))
    assert draft["lines"][0]["quantity_milli"] == 1500
    assert draft["total_minor"] == 9000


def test_overdue_after_the_due_day(invoices, client):
    draft = invoices.create_draft(client, lines=[LineInput("Work", 1000, 5000)])
    issued = invoices.issue(draft["id"], date(2026, 3, 2))  # due 3-16
    assert invoices.overdue(utc(2026, 3, 16, 23, 59)) == []
    (late,) = invoices.overdue(utc(2026, 3, 17))
    assert late["number"] == issued["number"]
    invoices.mark_paid(issued["id"], utc(2026, 3, 18))
    assert invoices.overdue(utc(2026, 3, 20)) == []
