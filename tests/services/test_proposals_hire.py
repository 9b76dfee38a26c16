"""Hiring a proposal as the window's Hire dialog does: what the hire would make, read
first (the contract's terms and the clients it may be with: the post's platform's, not
archived), then the hire with the client picked or a new client made in the same unit
of work."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import MilestoneInput
from freelancer_desk.services.jobs import JobPostInput
from freelancer_desk.services.proposals import ProposalInput
from freelancer_desk.storage.models import Client, Contract
from tests.services.workbench import START, Bench, make_bench


def _offer(bench: Bench, **job: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A job post (Upwork, fixed) and a proposal on it at the offer."""
    values: dict[str, Any] = {
        "title": "Shopify store speed-up",
        "client_name": "Bluefin Outdoors",
        "budget_kind": "fixed",
        "budget_min_minor": 120_000,
        "posted_at": START - timedelta(hours=3),
    }
    values.update(job)
    post = bench.jobs.create(JobPostInput(**values))
    proposal = bench.proposals.create(
        ProposalInput(
            job_post_id=post["id"],
            bid_kind="fixed",
            cover_letter="Hi",
            milestones=(
                MilestoneInput("Audit", 40_000, None),
                MilestoneInput("Fixes", 80_000, None),
            ),
        )
    )
    bench.proposals.submit(proposal["id"])
    bench.proposals.receive_offer(proposal["id"])
    return post, proposal


def _counts(bench: Bench) -> tuple[int, int]:
    with bench.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Client)) or 0,
            s.scalar(select(func.count()).select_from(Contract)) or 0,
        )


def test_hire_terms_are_the_contracts_and_offer_only_the_platforms_active_clients(
    tmp_path: Path,
) -> None:
    bench = make_bench(tmp_path)
    kept = bench.client("Acme", platform="upwork")
    archived = bench.client("Zephyr Archived", platform="upwork")
    bench.clients.set_archived(archived["id"], True)
    bench.client("Fiverr Buyer", platform="fiverr")
    _post, proposal = _offer(bench)

    terms = bench.proposals.hire_terms(proposal["id"])
    assert [c["name"] for c in terms["clients"]] == ["Acme"]
    assert terms["client_id"] is None and terms["new_client_name"] == "Bluefin Outdoors"
    assert terms["contract"]["kind"] == "fixed" and terms["contract"]["platform"] == "upwork"
    assert terms["contract"]["fee_bp"] == 1000 and terms["contract"]["rounding_rule"] == "upwork"
    assert [(m["title"], m["amount_minor"]) for m in terms["milestones"]] == [
        ("Audit", 40_000),
        ("Fixes", 80_000),
    ]
    assert terms["receive_minor"] == 108_000
    assert _counts(bench) == (3, 0)  # reading changes nothing

    contract = bench.proposals.hire(proposal["id"], client_id=kept["id"])
    assert contract["client_id"] == kept["id"]
    # The contract is what the terms said.
    for key, value in terms["contract"].items():
        assert contract[key] == value, key
    assert [(m["title"], m["amount_minor"]) for m in contract["milestones"]] == [
        (m["title"], m["amount_minor"]) for m in terms["milestones"]
    ]
    with pytest.raises(RuleError, match="already hired"):
        bench.proposals.hire_terms(proposal["id"])


def test_the_posts_client_is_preselected_unless_archived(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    linked = bench.client("Bluefin Outdoors", platform="upwork")
    _post, proposal = _offer(bench, client_id=linked["id"], client_name="")
    assert bench.proposals.hire_terms(proposal["id"])["client_id"] == linked["id"]

    bench.clients.set_archived(linked["id"], True)
    terms = bench.proposals.hire_terms(proposal["id"])
    assert terms["client_id"] is None and terms["clients"] == []
    assert "archived" in terms["not_offered"]
    # Left to its default (the CLI without --client-id) hire does not take it unasked.
    with pytest.raises(RuleError) as shelved_default:
        bench.proposals.hire(proposal["id"])
    assert (shelved_default.value.rule, shelved_default.value.field) == (
        "proposal.hire_client_archived",
        "client",
    )
    assert "Bluefin Outdoors, the job post's client, is archived" in str(shelved_default.value)

    # An archived client named as the post names its client is not made again unasked.
    _post3, shelved = _offer(bench, client_name="Old Friend")
    bench.clients.set_archived(bench.client("old friend", platform="upwork")["id"], True)
    terms = bench.proposals.hire_terms(shelved["id"])
    assert (terms["client_id"], terms["new_client_name"]) == (None, "")
    assert terms["not_offered"] == "old friend (named in the post) is archived"

    # A client of the platform named as the post names its client is the one preselected.
    _post2, other = _offer(bench, client_name="acme ")
    acme = bench.client("Acme", platform="upwork")
    named = bench.proposals.hire_terms(other["id"])
    assert named["client_id"] == acme["id"] and named["new_client_name"] == ""


def test_hire_with_a_new_client_makes_it_with_the_contract(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    _post, proposal = _offer(bench, client_name="")
    before = _counts(bench)

    with pytest.raises(RuleError) as elsewhere:
        bench.proposals.hire(proposal["id"], new_client=ClientInput(name="Dana", platform="fiverr"))
    assert (elsewhere.value.rule, elsewhere.value.field) == ("contract.platform_client", "client")
    with pytest.raises(RuleError) as bad:
        bench.proposals.hire(
            proposal["id"], new_client=ClientInput(name="Dana", platform="upwork", email="x")
        )
    assert bad.value.field == "email"
    with pytest.raises(RuleError) as both:
        bench.proposals.hire(
            proposal["id"],
            client_id=bench.client("Acme")["id"],
            new_client=ClientInput(name="Dana", platform="upwork"),
        )
    assert both.value.rule == "proposal.hire_client"
    assert _counts(bench) == (before[0] + 1, 0)  # only Acme, made above
    assert bench.proposals.get(proposal["id"])["state"] == "offer"

    contract = bench.proposals.hire(
        proposal["id"], new_client=ClientInput(name="Dana", platform="upwork", currency="EUR")
    )
    client = bench.clients.get(contract["client_id"])
    assert (client["name"], client["platform"], client["currency"]) == ("Dana", "upwork", "EUR")
    assert ("client", "created") in {(c.kind, c.action) for c in bench.changes[-3:]}
