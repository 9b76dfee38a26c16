"""Contracts and milestones: terms, pause/resume/end, escrow funding, submission,
approval and automatic release, refunds and disputes — each money step in the ledger."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.contracts import ContractInput, MilestoneInput
from freelancer_desk.storage.models import Client, Reminder
from tests.services.workbench import START, Bench, make_bench


def _fixed(bench: Bench, *amounts: int) -> dict[str, Any]:
    client = bench.client()
    return bench.contracts.create(
        ContractInput(client_id=client["id"], title="Store speed-up", kind="fixed"),
        tuple(MilestoneInput(f"Part {i + 1}", a) for i, a in enumerate(amounts)),
    )


def _hourly(bench: Bench, **overrides: Any) -> ContractInput:
    client = bench.client("Hourly Co")
    values: dict[str, Any] = {
        "client_id": client["id"],
        "title": "Ongoing support",
        "kind": "hourly",
        "hourly_rate_minor": 5000,
        "weekly_limit_minutes": 10 * 60,
    }
    values.update(overrides)
    return ContractInput(**values)


def _reminders(bench: Bench, kind: str) -> list[tuple[datetime, datetime | None]]:
    with bench.db.read() as s:
        rows = s.scalars(select(Reminder).where(Reminder.kind == kind)).all()
        return [(r.due_at, r.done_at) for r in rows]


def test_fund_submit_approve_moves_money_through_escrow_to_pending(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = _fixed(bench, 40_000, 80_000)
    cid = contract["id"]
    first, second = (m["id"] for m in contract["milestones"])

    funded = bench.milestones.fund(first)
    assert (funded["state"], funded["funded_minor"], funded["escrow_minor"]) == (
        "funded",
        40_000,
        40_000,
    )
    assert bench.contracts.get(cid)["escrow_minor"] == 40_000
    bench.clock.advance(days=2)
    submitted = bench.milestones.submit(first, "Audit attached")
    assert submitted["state"] == "submitted"
    assert _reminders(bench, "milestone_auto_release") == [(START + timedelta(days=16), None)]
    bench.clock.advance(days=1)
    released_at = bench.clock.now()
    approved = bench.milestones.approve(first)
    assert (approved["state"], approved["released_minor"], approved["escrow_minor"]) == (
        "released",
        40_000,
        0,
    )
    assert approved["approved_at"] == released_at.isoformat()

    assert bench.ledger_rows(first) == [
        ("milestone_funded", "client_funds", -40_000, None),
        ("milestone_funded", "escrow", 40_000, None),
        ("milestone_released", "escrow", -40_000, None),
        ("milestone_released", "fees", 4_000, None),
        ("milestone_released", "pending", 36_000, released_at + timedelta(days=5)),
    ]
    assert bench.balance("escrow", cid) == 0
    assert bench.balance("pending", cid) == 36_000
    assert bench.ledger_sums_to_zero()
    assert check_workspace(bench.db).problems == []
    assert _reminders(bench, "milestone_auto_release") == [
        (START + timedelta(days=16), released_at)
    ]
    assert bench.milestones.get(second)["state"] == "planned"
    actions = [(c.kind, c.action) for c in bench.changes]
    assert ("milestone", "released") in actions and ("ledger", "recorded") in actions


def test_releasing_an_unfunded_milestone_is_refused(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    mid = _fixed(bench, 10_000)["milestones"][0]["id"]
    with pytest.raises(RuleError, match="it is not funded") as refused:
        bench.milestones.approve(mid)
    assert (refused.value.rule, refused.value.field) == ("milestone.release", "state")
    with pytest.raises(RuleError) as submit:
        bench.milestones.submit(mid)
    assert submit.value.rule == "milestone.submit"
    with pytest.raises(RuleError) as refund:
        bench.milestones.refund(mid)
    assert refund.value.rule == "milestone.refund"
    assert bench.ledger_rows(mid) == []


def test_changes_requested_then_submitted_again(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    mid = _fixed(bench, 10_000)["milestones"][0]["id"]
    bench.milestones.fund(mid)
    bench.milestones.submit(mid)
    changes = bench.milestones.request_changes(mid, "Mobile score still low")
    assert changes["state"] == "changes_requested"
    assert "Mobile score still low" in changes["submission_note"]
    bench.clock.advance(days=3)
    assert bench.milestones.submit(mid)["state"] == "submitted"
    due = [d for d, done in _reminders(bench, "milestone_auto_release") if done is None]
    assert due == [START + timedelta(days=17)]  # counted from the latest submission


def test_auto_release_fourteen_days_after_submission(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = _fixed(bench, 10_000)
    mid = contract["milestones"][0]["id"]
    bench.milestones.fund(mid)
    bench.milestones.submit(mid)
    bench.clock.advance(days=13, hours=23)
    assert bench.milestones.auto_release_due() == []
    bench.clock.advance(days=3)  # noticed late: released at the instant it was due
    (released,) = bench.milestones.auto_release_due()
    due = START + timedelta(days=14)
    assert (released["state"], released["approved_at"]) == ("released", due.isoformat())
    pending = [r for r in bench.ledger_rows(mid) if r[1] == "pending"]
    assert pending == [("milestone_released", "pending", 9_000, due + timedelta(days=5))]
    assert bench.milestones.auto_release_due() == []


def test_refund_and_dispute(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = _fixed(bench, 10_000, 20_000)
    first, second = (m["id"] for m in contract["milestones"])
    bench.milestones.fund(first)
    refunded = bench.milestones.refund(first)
    assert (refunded["state"], refunded["refunded_minor"], refunded["escrow_minor"]) == (
        "refunded",
        10_000,
        0,
    )
    assert bench.ledger_rows(first)[2:] == [
        ("milestone_refunded", "escrow", -10_000, None),
        ("milestone_refunded", "refunds", 10_000, None),
    ]
    with pytest.raises(RuleError, match="it was refunded") as again:
        bench.milestones.release(first)
    assert again.value.rule == "milestone.release"
    bench.milestones.fund(second)
    bench.milestones.submit(second)
    assert bench.milestones.dispute(second)["state"] == "disputed"
    assert bench.milestones.release(second)["state"] == "released"
    assert bench.balance("escrow", contract["id"]) == 0
    assert bench.ledger_sums_to_zero()
    assert check_workspace(bench.db).problems == []


def test_ending_with_money_in_escrow_opens_the_refund_or_dispute_window(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = _fixed(bench, 10_000, 20_000)
    first, second = (m["id"] for m in contract["milestones"])
    bench.milestones.fund(first)
    bench.clock.advance(days=1)
    ended = bench.contracts.end(contract["id"])
    assert (ended["state"], ended["escrow_minor"]) == ("ended", 10_000)
    ended_at = START + timedelta(days=1)
    assert _reminders(bench, "refund_window") == [(ended_at + timedelta(days=7), None)]
    with pytest.raises(RuleError) as fund:
        bench.milestones.fund(second)
    assert fund.value.rule == "milestone.contract_ended"
    with pytest.raises(RuleError) as add:
        bench.milestones.add(contract["id"], MilestoneInput("More", 500))
    assert add.value.rule == "milestone.contract_ended"
    bench.clock.advance(days=2)
    bench.milestones.refund(first)
    assert _reminders(bench, "refund_window") == [
        (ended_at + timedelta(days=7), ended_at + timedelta(days=2))
    ]
    with pytest.raises(RuleError, match="already ended") as twice:
        bench.contracts.end(contract["id"])
    assert twice.value.rule == "contract.end"


def test_ending_without_escrow_opens_no_window(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = _fixed(bench, 10_000)
    bench.contracts.end(contract["id"])
    assert _reminders(bench, "refund_window") == []


def test_hourly_terms_pause_resume_end(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    contract = bench.contracts.create(_hourly(bench, rounding_rule="15m-up", fee_bp=1500))
    assert (contract["kind"], contract["hourly_rate_minor"], contract["fee_bp"]) == (
        "hourly",
        5000,
        1500,
    )
    assert (contract["rounding_rule"], contract["snapshot_policy"]) == ("15m-up", "blurred")
    assert contract["allowed_actions"] == ["pause", "end"]
    bench.clock.advance(hours=1)
    paused = bench.contracts.pause(contract["id"])
    assert (paused["state"], paused["paused_at"]) == ("paused", bench.clock.now().isoformat())
    resumed = bench.contracts.resume(contract["id"])
    assert (resumed["state"], resumed["paused_at"]) == ("active", None)
    with pytest.raises(RuleError) as resume:
        bench.contracts.resume(contract["id"])
    assert resume.value.rule == "contract.resume"
    assert bench.contracts.end(contract["id"])["ended_at"] == bench.clock.now().isoformat()


@pytest.mark.parametrize(
    ("overrides", "rule", "field"),
    [
        ({"weekly_limit_minutes": -60}, "contract.weekly_limit_negative", "weekly_limit"),
        (
            {"kind": "fixed", "hourly_rate_minor": None},
            "contract.weekly_limit_kind",
            "weekly_limit",
        ),
        ({"hourly_rate_minor": None}, "contract.hourly_rate", "hourly_rate"),
        ({"fee_bp": 1600}, "upwork.fee_range", "fee"),
        ({"rounding_rule": "upwork_10min"}, "billing.rounding_code", "rounding"),
        ({"snapshot_policy": "secret"}, "contract.snapshot_policy", "snapshot_policy"),
        ({"currency": "usd"}, "currency.unknown", "currency"),
        ({"kind": "weekly"}, "contract.kind", "kind"),
    ],
)
def test_refused_contract_terms(
    tmp_path: Path, overrides: dict[str, Any], rule: str, field: str
) -> None:
    bench = make_bench(tmp_path)
    with pytest.raises(RuleError) as refused:
        bench.contracts.create(_hourly(bench, **overrides))
    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_fee_defaults_per_platform(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    upwork = bench.contracts.create(_hourly(bench))
    mine = bench.client("Own Co", platform="direct")["id"]
    direct = bench.contracts.create(_hourly(bench, client_id=mine, fee_bp=None))
    big = bench.contracts.create(_hourly(bench, client_id=mine, platform="direct", fee_bp=2500))
    assert (upwork["fee_bp"], direct["fee_bp"], big["fee_bp"]) == (1000, 0, 2500)
    assert (upwork["platform"], direct["platform"], big["platform"]) == (
        "upwork",
        "direct",
        "direct",
    )


def test_a_contract_is_on_its_clients_platform(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    fiverr = bench.client("Gig Buyer", platform="fiverr")["id"]
    # Left open, the platform is the client's (and so are the fee and the rounding).
    opened = bench.contracts.create(_hourly(bench, client_id=fiverr, platform=None))
    assert (opened["platform"], opened["fee_bp"]) == ("fiverr", 2000)
    with pytest.raises(RuleError) as other:
        bench.contracts.create(_hourly(bench, client_id=fiverr, platform="upwork"))
    assert (other.value.rule, other.value.field) == ("contract.platform_client", "platform")
    assert str(other.value) == (
        "platform: a contract is on its client's platform (fiverr), not upwork; "
        "on upwork the client is another client record"
    )
    with pytest.raises(RuleError) as unknown:
        bench.contracts.create(_hourly(bench, client_id=fiverr, platform="etsy"))
    assert unknown.value.field == "platform"
    # An edit cannot move it to another platform; leaving it open keeps the contract's.
    terms = _hourly(bench, client_id=fiverr, platform="fiverr")
    with pytest.raises(RuleError) as moved:
        bench.contracts.update(opened["id"], replace(terms, platform="direct"))
    assert moved.value.rule == "contract.platform_client"
    kept = bench.contracts.update(opened["id"], replace(terms, platform=None, title="Kept"))
    assert (kept["platform"], kept["title"]) == ("fiverr", "Kept")
    assert bench.contracts.get(opened["id"])["platform"] == "fiverr"


def test_a_contract_recorded_on_another_platform_keeps_it_while_edited(tmp_path: Path) -> None:
    """Made before the rule (or the client's platform changed since): its other terms
    can still change, and it may move to the client's platform, not a third one."""
    bench = make_bench(tmp_path)
    terms = _hourly(bench, platform="upwork")
    contract = bench.contracts.create(terms)
    with bench.db.session() as s:  # the client's platform no longer changes while held
        s.get_one(Client, uuid.UUID(str(contract["client_id"]))).platform = "direct"
    edited = bench.contracts.update(contract["id"], replace(terms, hourly_rate_minor=5500))
    assert (edited["platform"], edited["hourly_rate_minor"]) == ("upwork", 5500)
    with pytest.raises(RuleError) as third:
        bench.contracts.update(contract["id"], replace(terms, platform="fiverr"))
    assert third.value.rule == "contract.platform_client"
    moved = bench.contracts.update(contract["id"], replace(terms, platform="direct"))
    assert moved["platform"] == "direct"


def test_update_keeps_kind_client_and_currency(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    terms = _hourly(bench)
    contract = bench.contracts.create(terms)
    changed = bench.contracts.update(contract["id"], replace(terms, hourly_rate_minor=6000))
    assert changed["hourly_rate_minor"] == 6000
    assert changed["started_at"] == contract["started_at"]
    with pytest.raises(RuleError) as kind:
        bench.contracts.update(
            contract["id"],
            replace(terms, kind="fixed", hourly_rate_minor=None, weekly_limit_minutes=None),
        )
    assert kind.value.rule == "contract.kind_fixed"
    with pytest.raises(RuleError) as currency:
        bench.contracts.update(contract["id"], replace(terms, currency="EUR"))
    assert currency.value.rule == "contract.currency_fixed"


def test_milestones_belong_to_fixed_contracts_and_change_only_while_planned(
    tmp_path: Path,
) -> None:
    bench = make_bench(tmp_path)
    hourly = bench.contracts.create(_hourly(bench))
    with pytest.raises(RuleError) as refused:
        bench.milestones.add(hourly["id"], MilestoneInput("Design", 1000))
    assert refused.value.rule == "milestone.contract_kind"
    fixed = _fixed(bench, 1000)
    added = bench.milestones.add(fixed["id"], MilestoneInput("Extra page", 2500))
    assert (added["position"], added["state"], added["currency"]) == (1, "planned", "USD")
    edited = bench.milestones.update(added["id"], MilestoneInput("Extra pages", 3000))
    assert (edited["title"], edited["amount_minor"]) == ("Extra pages", 3000)
    bench.milestones.fund(added["id"])
    with pytest.raises(RuleError) as funded:
        bench.milestones.update(added["id"], MilestoneInput("Cheaper", 100))
    assert (funded.value.rule, funded.value.field) == ("milestone.edit_funded", "state")
    assert "it is funded; only a planned milestone can be edited" in str(funded.value)
    assert bench.milestones.get(added["id"])["amount_minor"] == 3000
    with pytest.raises(RuleError) as zero:
        bench.milestones.add(fixed["id"], MilestoneInput("Free", 0))
    assert (zero.value.rule, zero.value.field) == ("milestone.amount", "amount")
    # A planned milestone of an ended contract is left as it was.
    planned = fixed["milestones"][0]["id"]
    bench.contracts.end(fixed["id"])
    with pytest.raises(RuleError) as ended:
        bench.milestones.update(planned, MilestoneInput("Later", 900))
    assert ended.value.rule == "milestone.contract_ended"
    assert bench.milestones.get(planned)["title"] == fixed["milestones"][0]["title"]


def test_a_platform_reference_names_one_contract(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    terms = _hourly(bench, reference="UPW-123")
    first = bench.contracts.create(terms)
    assert bench.contracts.update(first["id"], terms)["reference"] == "UPW-123"
    with pytest.raises(RuleError) as refused:
        bench.contracts.create(terms)
    assert (refused.value.rule, refused.value.field) == ("contract.reference_unique", "reference")
