"""Reminders: the user's own (due, done, snooze), and deadline reminders refreshed from
the workspace idempotently."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import milestone_funded
from freelancer_desk.domain.money import Money
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.reminders import ReminderService
from freelancer_desk.storage.models import Invoice, InvoiceLine, Milestone, Order, Reminder
from tests.services.money_rows import (
    add_client,
    add_contract,
    add_milestone,
    add_order,
    add_segments,
    open_ws,
    utc,
)

NOW = utc(2026, 3, 4, 9)  # a Wednesday


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, NOW)
    yield workspace
    workspace.db.dispose()


@pytest.fixture
def reminders(ws):
    return ReminderService(ws.db, ws.clock, ChangeBus())


def test_add_due_done_snooze(ws, reminders):
    first = reminders.add("Call the client", utc(2026, 3, 4, 8))
    later = reminders.add("Send the report", utc(2026, 3, 5, 8), body="weekly")
    assert [r["title"] for r in reminders.due()] == ["Call the client"]
    reminders.snooze(first["id"], timedelta(hours=2))
    assert reminders.due() == []
    ws.clock.set(utc(2026, 3, 5, 9))
    assert [r["title"] for r in reminders.due()] == ["Call the client", "Send the report"]
    reminders.done(later["id"])
    assert [r["title"] for r in reminders.due()] == ["Call the client"]
    assert len(reminders.list_reminders()) == 1
    assert len(reminders.list_reminders(include_done=True)) == 2
    reminders.reopen(later["id"])
    assert len(reminders.list_reminders()) == 2
    reminders.delete(later["id"])
    assert len(reminders.list_reminders(include_done=True)) == 1


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda r: r.add("", utc(2026, 3, 5)), "title"),
        (lambda r: r.add("x", utc(2026, 3, 5), kind="birthday"), "kind"),
    ],
)
def test_bad_input_names_the_field(reminders, call, field):
    with pytest.raises(RuleError) as info:
        call(reminders)
    assert info.value.field == field


def test_snooze_goes_forward_only(reminders):
    reminder = reminders.add("x", utc(2026, 3, 4))
    with pytest.raises(RuleError) as info:
        reminders.snooze(reminder["id"], NOW)
    assert info.value.field == "until"


def deadlines(ws):
    """A workspace with one of each deadline."""
    upwork = add_client(ws.db, "Upwork Co")
    hourly = add_contract(ws.db, upwork)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 3, contract_id=hourly)  # this week
    add_segments(ws.db, utc(2026, 2, 17, 9), [600], contract_id=hourly)  # locked long ago
    fixed = add_contract(ws.db, upwork, kind="fixed", rate=None)
    milestone = add_milestone(
        ws.db, fixed, 50000, state="submitted", funded=50000, submitted_at=utc(2026, 3, 2, 10)
    )
    ended = add_contract(
        ws.db, upwork, kind="fixed", rate=None, ended_at=utc(2026, 3, 3, 12), state="ended"
    )
    held = add_milestone(ws.db, ended, 20000, funded=20000)
    with ws.db.session() as s:
        LedgerService(ws.db).record(
            s,
            milestone_funded(Money(20000, "USD"), str(ended), str(held), utc(2026, 2, 1)),
            kind="milestone_funded",
            platform="upwork",
            client_id=upwork,
        )
    buyer = add_client(ws.db, "Buyer", platform="fiverr")
    order = add_order(ws.db, buyer, 5000, due_at=utc(2026, 3, 6, 18))
    direct = add_client(ws.db, "Direct Co", platform="direct")
    with ws.db.session() as s:
        invoice = Invoice(
            number="2026-0001",
            client_id=direct,
            state="issued",
            currency="USD",
            issued_on=date(2026, 3, 1),
            terms_days=14,
            due_on=date(2026, 3, 15),
        )
        invoice.lines.append(
            InvoiceLine(
                description="w", quantity_milli=1000, unit_price_minor=100, amount_minor=100
            )
        )
        s.add(invoice)
    return {"hourly": hourly, "milestone": milestone, "ended": ended, "order": order}


def test_refresh_makes_one_reminder_per_deadline_and_is_idempotent(ws, reminders):
    ids = deadlines(ws)
    made = reminders.refresh_deadlines()
    assert len(made["created"]) == 5 and made["updated"] == made["removed"] == []
    by_kind = {r["kind"]: r for r in reminders.list_reminders()}
    assert {k: (r["due_at"], r["source_id"]) for k, r in by_kind.items()} == {
        # Diary locks Monday 12:00 UTC; due at the week's end.
        "diary_lock": ("2026-03-09T00:00:00+00:00", f"{ids['hourly']}/2026-03-02"),
        # Submitted 3-2 10:00: releases itself 14 days later; due a day before.
        "milestone_auto_release": ("2026-03-15T10:00:00+00:00", str(ids["milestone"])),
        # Ended 3-3 12:00 with 200.00 in escrow: 7 days to refund or dispute; due 2 before.
        "refund_window": ("2026-03-08T12:00:00+00:00", str(ids["ended"])),
        "order_due": ("2026-03-05T18:00:00+00:00", str(ids["order"])),
        "invoice_due": ("2026-03-15T00:00:00+00:00", by_kind["invoice_due"]["source_id"]),
    }
    assert "locks Mon 09 Mar 2026 12:00 UTC" in by_kind["diary_lock"]["title"]
    assert "200.00 USD in escrow" in by_kind["refund_window"]["body"]

    assert reminders.refresh_deadlines() == {"created": [], "updated": [], "removed": []}
    reminders.done(by_kind["order_due"]["id"])
    assert reminders.refresh_deadlines() == {"created": [], "updated": [], "removed": []}
    with ws.db.read() as s:
        assert len(s.scalars(select(Reminder)).all()) == 5


def test_moved_deadlines_move_their_reminder_and_gone_ones_go(ws, reminders):
    ids = deadlines(ws)
    reminders.refresh_deadlines()
    release = next(r for r in reminders.list_reminders() if r["kind"] == "milestone_auto_release")
    reminders.done(release["id"])
    with ws.db.session() as s:  # submitted again after changes: a new 14 days
        s.execute(
            update(Milestone)
            .where(Milestone.id == ids["milestone"])
            .values(submitted_at=utc(2026, 3, 4, 8))
        )
        s.execute(update(Order).where(Order.id == ids["order"]).values(state="delivered"))
    changed = reminders.refresh_deadlines()
    assert changed["updated"] == [release["id"]] and len(changed["removed"]) == 1
    moved = next(r for r in reminders.list_reminders() if r["kind"] == "milestone_auto_release")
    assert moved["due_at"] == "2026-03-17T08:00:00+00:00" and moved["done_at"] is None
    assert "order_due" not in {r["kind"] for r in reminders.list_reminders(include_done=True)}


def test_a_passed_diary_lock_stays_as_history_and_no_new_one_is_made(ws, reminders):
    deadlines(ws)
    reminders.refresh_deadlines()
    ws.clock.set(utc(2026, 3, 9, 13))
    changed = reminders.refresh_deadlines()
    kinds = {r["kind"] for r in reminders.list_reminders()}
    assert "diary_lock" in kinds  # due and still open: the user dismisses it
    assert changed["created"] == []
    # The ended contract's window closed on 3-10 12:00: its reminder goes with it.
    ws.clock.set(utc(2026, 3, 10, 13))
    changed = reminders.refresh_deadlines()
    assert len(changed["removed"]) == 1
    assert "refund_window" not in {r["kind"] for r in reminders.list_reminders()}
