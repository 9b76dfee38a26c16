"""Hourly billing weeks: 7 h 23 min under every rounding rule, the weekly limit, the diary
lock, and billing each week once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, insert, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.billing import HourlyBillingService
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.storage.models import CatchUpMark, Contract, LedgerTransaction, Segment
from freelancer_desk.storage.models.catch_up_marks import HOURLY_WEEKS
from tests.services.money_rows import (
    add_client,
    add_contract,
    add_segments,
    open_ws,
    seven_hours_23,
    usd,
    utc,
)

WEEK = utc(2026, 3, 2)  # a Monday
LOCK = utc(2026, 3, 9, 12)


@pytest.fixture
def ws(tmp_path):
    workspace = open_ws(tmp_path, utc(2026, 3, 6, 9))
    yield workspace
    workspace.db.dispose()


@pytest.fixture
def billing(ws, ledger):
    return HourlyBillingService(ws.db, ws.clock, ledger, ChangeBus())


def tracked_week(ws, **contract):
    client = add_client(ws.db, "Hourly Inc")
    contract_id = add_contract(ws.db, client, rate=5000, **contract)
    add_segments(ws.db, utc(2026, 3, 3, 9), seven_hours_23(), contract_id=contract_id)
    return contract_id


@pytest.mark.parametrize(
    ("rounding", "minutes"),
    [
        ("upwork", 443),  # 10-minute segments, whole minutes worked
        ("1m-nearest", 443),
        ("6m-up", 444),
        ("6m-nearest", 444),
        ("6m-down", 438),
        ("15m-up", 450),
        ("15m-nearest", 450),
        ("15m-down", 435),
        ("30m-nearest", 450),
        ("60m-down", 420),
    ],
)
def test_seven_hours_23_under_each_rounding_rule(ws, billing, rounding, minutes):
    contract = tracked_week(ws, rounding=rounding)
    week = billing.week_summary(contract, WEEK)
    assert week.tracked_seconds == 443 * 60
    assert week.billable_seconds == minutes * 60
    assert week.over_limit_seconds == 0
    amount = (minutes * 5000 * 2 + 60) // 120  # $50/h, half-up to the cent
    assert week.amount == usd(amount)
    assert week.fee + week.net == week.amount
    assert week.fee == usd((amount + 5) // 10)  # 10 %, half-up


@pytest.mark.parametrize(
    "rounding", ["upwork", "1m-nearest", "6m-up", "15m-up", "15m-down", "30m-nearest"]
)
def test_a_five_hour_limit_flags_the_rest_and_never_bills_it(ws, billing, rounding):
    contract = tracked_week(ws, rounding=rounding, limit_minutes=300)
    week = billing.week_summary(contract, WEEK)
    assert week.billable_seconds == 5 * 3600
    assert week.over_limit_seconds == 143 * 60
    assert week.over_limit_segments == 15  # 30 full segments fit; 14 full + the 3-minute one
    assert week.amount == usd(25000)

    ws.clock.set(LOCK)
    billed = billing.bill_week(contract, WEEK)
    assert billed.billed and billed.amount == usd(25000)
    with ws.db.read() as s:
        flags = list(s.scalars(select(Segment.over_limit).order_by(Segment.slot_start)))
    assert flags == [False] * 30 + [True] * 15


def test_the_segment_crossing_the_limit_keeps_its_part_under_it(ws, billing):
    contract = tracked_week(ws, limit_minutes=435)
    week = billing.week_summary(contract, WEEK)
    assert week.billable_seconds == 435 * 60
    assert week.over_limit_segments == 2  # half of the 44th segment, and the 45th
    assert week.over_limit_seconds == 8 * 60


def test_a_week_is_billed_only_after_its_diary_locks_and_only_once(ws, billing, ledger):
    contract = tracked_week(ws)
    ws.clock.set(utc(2026, 3, 9, 11, 59))
    with pytest.raises(RuleError, match=r"locks 2026-03-09T12:00:00\+00:00") as info:
        billing.bill_week(contract, WEEK)
    assert info.value.field == "week_start"

    ws.clock.set(LOCK)
    first = billing.bill_week(contract, date(2026, 3, 2))
    again = billing.bill_week(contract, WEEK)
    assert first.billed and first.transaction_id == again.transaction_id
    assert (first.amount, first.fee, first.net) == (usd(36917), usd(3692), usd(33225))
    assert (first.diary_lock_at, first.review_ends_at, first.available_at) == (
        LOCK,
        utc(2026, 3, 14),  # the first instant after Friday 23:59:59
        utc(2026, 3, 18),  # the Wednesday after review
    )
    with ws.db.read() as s:
        assert s.scalar(select(func.count(LedgerTransaction.id))) == 1
    assert ledger.balances(as_of=utc(2026, 3, 17))["pending"]["USD"] == usd(33225)
    assert ledger.balances(as_of=utc(2026, 3, 18))["available"]["USD"] == usd(33225)
    assert billing.bill_due_weeks() == []


def test_a_billed_week_keeps_what_was_booked(ws, billing):
    contract = tracked_week(ws)
    ws.clock.set(LOCK)
    billing.bill_week(contract, WEEK)
    with ws.db.session() as s:
        for segment in s.scalars(select(Segment)):
            segment.deleted = True
    assert billing.week_summary(contract, WEEK).amount == usd(36917)


def test_manual_time_is_billed_and_flagged(ws, billing):
    client = add_client(ws.db, "Hourly Inc")
    contract = add_contract(ws.db, client, rate=6000)
    add_segments(
        ws.db,
        utc(2026, 3, 4, 10),
        [600, 600, 600],
        contract_id=contract,
        manual=[False, True, True],
    )
    add_segments(ws.db, utc(2026, 3, 4, 14), [600], contract_id=contract, deleted=[True])
    week = billing.week_summary(contract, WEEK)
    assert (week.tracked_seconds, week.billable_seconds) == (1800, 1800)
    assert (week.manual_seconds, week.manual_segments) == (1200, 2)
    assert week.amount == usd(3000)
    assert not week.locked and not week.billed
    assert week.to_json()["amount"]["amount_minor"] == 3000


def test_bill_due_weeks_bills_every_locked_unbilled_week(ws, billing):
    client = add_client(ws.db, "Hourly Inc")
    first = add_contract(ws.db, client, rate=5000)
    second = add_contract(ws.db, client, rate=10000)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 6, contract_id=first)
    add_segments(ws.db, utc(2026, 3, 8, 23, 50), [600], contract_id=second)  # Sunday night
    add_segments(ws.db, utc(2026, 3, 10, 9), [600] * 3, contract_id=first)  # next week
    fixed = add_contract(ws.db, client, kind="fixed", rate=None)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600], contract_id=fixed)

    ws.clock.set(utc(2026, 3, 10, 12))
    billed = billing.bill_due_weeks()
    assert sorted((b.contract_id, b.amount.amount) for b in billed) == sorted(
        [(str(first), 5000), (str(second), 1667)]
    )
    assert billing.bill_due_weeks() == []
    ws.clock.set(utc(2026, 3, 16, 12))
    assert [(b.week_start, b.amount) for b in billing.bill_due_weeks()] == [
        (utc(2026, 3, 9), usd(2500))
    ]


@pytest.mark.parametrize(
    ("kwargs", "week_start", "rule"),
    [
        ({}, utc(2026, 3, 3), "upwork.billing_week"),
        ({"kind": "fixed", "rate": None}, WEEK, "billing.not_upwork_hourly"),
        ({"platform": "direct"}, WEEK, "billing.not_upwork_hourly"),
    ],
)
def test_refusals(ws, billing, kwargs, week_start, rule):
    client = add_client(ws.db, "Someone")
    contract = add_contract(ws.db, client, **kwargs)
    ws.clock.set(utc(2026, 4, 1))
    with pytest.raises(RuleError) as info:
        billing.bill_week(contract, week_start)
    assert info.value.rule == rule


def test_due_weeks_in_sql_match_the_weeks_worked_out_in_python(ws, billing, monkeypatch):
    """The set-based query (week and source id in SQL, NOT EXISTS against the ledger)
    finds exactly the weeks the backend-neutral path finds: locked, unbilled, tracked."""
    from freelancer_desk.services import billing as module

    client = add_client(ws.db, "Hourly Inc")
    first = add_contract(ws.db, client, rate=5000)
    second = add_contract(ws.db, client, rate=10000)
    add_segments(ws.db, utc(2026, 3, 1, 23, 50), [600], contract_id=first)  # a Sunday
    add_segments(ws.db, utc(2026, 3, 2, 0, 0), [600] * 2, contract_id=first)  # Monday 00:00
    add_segments(ws.db, utc(2026, 3, 8, 23, 50), [600], contract_id=second)
    add_segments(ws.db, utc(2026, 3, 16, 9), [600], contract_id=second)  # locks 3-23 12:00
    add_segments(ws.db, utc(2026, 3, 10, 9), [600], contract_id=second, deleted=[True])
    ws.clock.set(utc(2026, 3, 10, 12))
    billing.bill_week(first, utc(2026, 2, 23))
    ws.clock.set(utc(2026, 3, 23, 11))

    def due():
        with ws.db.read() as s:
            now = ws.clock.now()
            return billing._due_weeks(s, now, billing._horizon(now))

    in_sql = due()
    assert module._week_sql("sqlite", module.UPWORK) is not None
    monkeypatch.setattr(module, "_week_sql", lambda dialect, rules, of_date=False: None)
    assert due() == in_sql
    assert sorted((str(cid), start) for cid, start in in_sql) == sorted(
        [(str(first), utc(2026, 3, 2)), (str(second), utc(2026, 3, 2))]
    )


# -- the catch-up mark (storage/models/catch_up_marks.py) ---------------------------------


def mark(ws):
    with ws.db.read() as s:
        return s.scalar(select(CatchUpMark.through).where(CatchUpMark.name == HOURLY_WEEKS))


def due_without_mark(ws, billing):
    with ws.db.read() as s:
        now = ws.clock.now()
        return billing._due_weeks(s, now, billing._horizon(now))


def billable_without_mark(ws, billing):
    """The due weeks found reading every day, less those with nothing to bill (which
    the old full read re-computed on every catch-up)."""
    return [
        (cid, start)
        for cid, start in due_without_mark(ws, billing)
        if billing.week_summary(cid, start).amount
    ]


def agrees(ws, billing) -> bool:
    """Every week that would bill something is among those read from the mark on."""
    from_mark = due_from_mark(ws, billing)
    return set(billable_without_mark(ws, billing)) <= set(from_mark)


def due_from_mark(ws, billing):
    with ws.db.read() as s:
        now = ws.clock.now()
        return billing._due_weeks(s, now, billing._horizon(now), mark(ws))


def test_the_mark_settles_billed_weeks_and_moves_back_when_one_could_bill_again(ws, billing):
    client = add_client(ws.db, "Hourly Inc")
    contract = add_contract(ws.db, client, rate=5000)
    capped = add_contract(ws.db, client, rate=5000, limit_minutes=0)  # bills nothing
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 6, contract_id=contract)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 6, contract_id=capped)
    ws.clock.set(utc(2026, 3, 17, 12))
    assert mark(ws) is None
    assert [(b.contract_id, b.week_start) for b in billing.bill_due_weeks()] == [
        (str(contract), WEEK)
    ]
    assert mark(ws) == date(2026, 3, 16)  # the first week whose diary has not locked
    assert due_from_mark(ws, billing) == billable_without_mark(ws, billing) == []
    assert due_without_mark(ws, billing) == [(capped, WEEK)]  # read, bills nothing
    assert billing.bill_due_weeks() == []

    # A back-dated manual entry in a week before the mark: the mark moves back to its day.
    add_segments(ws.db, utc(2026, 2, 24, 9), [600] * 3, contract_id=contract, manual=[True] * 3)
    assert mark(ws) == date(2026, 2, 24)
    assert mark_problems(ws) == []  # its week is not wholly before the mark
    assert agrees(ws, billing) and billable_without_mark(ws, billing) != []
    assert [b.week_start for b in billing.bill_due_weeks()] == [utc(2026, 2, 23)]
    assert mark(ws) == date(2026, 3, 16)

    # An import of old rows (a bulk insert straight into segments).
    with ws.db.session() as s:
        sid = s.scalar(select(Segment.session_id).where(Segment.contract_id == contract).limit(1))
        s.execute(
            insert(Segment),
            [
                {
                    "session_id": sid,
                    "contract_id": contract,
                    "slot_start": utc(2026, 2, 10, 9) + timedelta(minutes=10 * i),
                    "tracked_seconds": 600,
                    "created_at": ws.clock.now(),
                    "updated_at": ws.clock.now(),
                }
                for i in range(6)
            ],
        )
    assert mark(ws) == date(2026, 2, 10)
    assert [b.week_start for b in billing.bill_due_weeks()] == [utc(2026, 2, 9)]

    # More time in a day already counted (tracked_seconds grows) moves it back too; the
    # week was billed, so nothing new is booked and the mark goes forward again.
    with ws.db.session() as s:
        first = s.scalars(
            select(Segment).where(Segment.contract_id == contract).order_by(Segment.slot_start)
        ).first()
        first.tracked_seconds -= 60
    assert mark(ws) == date(2026, 3, 16)  # less time moves nothing
    with ws.db.session() as s:
        s.get(Segment, first.id).tracked_seconds += 60
    assert mark(ws) == date(2026, 2, 10)
    assert billing.bill_due_weeks() == []
    assert mark(ws) == date(2026, 3, 16)

    # A week that billed nothing bills once its contract's terms change: the mark goes.
    with ws.db.session() as s:
        s.get(Contract, capped).weekly_limit_minutes = 40 * 60
    assert mark(ws) is None
    assert [(b.contract_id, b.amount) for b in billing.bill_due_weeks()] == [
        (str(capped), usd(5000))
    ]

    # A billed week's transaction deleted: the mark goes, and the week is billed again.
    with ws.db.engine.begin() as conn:
        conn.execute(
            delete(LedgerTransaction).where(
                LedgerTransaction.source_id == f"{capped}/{WEEK.date().isoformat()}"
            )
        )
    assert mark(ws) is None
    assert [(b.contract_id, b.week_start) for b in billing.bill_due_weeks()] == [
        (str(capped), WEEK)
    ]
    assert due_from_mark(ws, billing) == billable_without_mark(ws, billing) == []
    assert mark_problems(ws) == []


def mark_problems(ws) -> list[str]:
    return [p for p in check_workspace(ws.db).problems if "catch_up_marks" in p]


def test_check_names_a_billable_week_left_behind_the_mark(ws, billing):
    client = add_client(ws.db, "Hourly Inc")
    contract = add_contract(ws.db, client, rate=5000)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 6, contract_id=contract)
    ws.clock.set(utc(2026, 3, 17, 12))
    with ws.db.session() as s:  # a mark set past a week nobody billed (not by catch-up)
        s.add(CatchUpMark(name=HOURLY_WEEKS, through=date(2026, 3, 16)))
    assert billing.bill_due_weeks() == []  # catch-up trusts the mark
    (problem,) = mark_problems(ws)
    assert "the week of 2026-03-02" in problem and "50.00 USD" in problem, problem
    billing.bill_week(contract, WEEK)
    assert mark_problems(ws) == []


def test_a_mark_moved_back_while_catch_up_ran_is_kept(ws, billing):
    """The mark goes forward only from the value catch-up read: a trigger that moved it
    back meanwhile wins (the next catch-up reads from there)."""
    client = add_client(ws.db, "Hourly Inc")
    contract = add_contract(ws.db, client, rate=5000)
    add_segments(ws.db, utc(2026, 3, 3, 9), [600] * 6, contract_id=contract)
    ws.clock.set(utc(2026, 3, 17, 12))
    billing.bill_due_weeks()
    with ws.db.session() as s:
        s.get(CatchUpMark, HOURLY_WEEKS).through = date(2026, 1, 5)
    billing._settled(date(2026, 3, 2), date(2026, 3, 23))
    assert mark(ws) == date(2026, 1, 5)
    billing._settled(date(2026, 1, 5), date(2026, 3, 23))
    assert mark(ws) == date(2026, 3, 23)
