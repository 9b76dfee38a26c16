"""Job posts and proposals: capture, templates with placeholders, screening answers, the
bid calculator, copy-as-text, states, and hiring into a contract."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import MilestoneInput
from freelancer_desk.services.jobs import JobPostInput
from freelancer_desk.services.proposals import ProposalInput, bid_calculator
from freelancer_desk.storage.models import Contract, JobPost
from tests.services.workbench import START, Bench, make_bench

TEMPLATE = 'Hi {client},\n\nI read your post "{job}" and {skill} is what I do every day.'


def _job(bench: Bench, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "Shopify store speed-up",
        "client_name": "Bluefin Outdoors",
        "description": "Our store takes 6 s to load.",
        "budget_kind": "fixed",
        "budget_min_minor": 120_000,
        "skills": ("Shopify", "Performance", "shopify"),
        "screening_questions": ("Which stores have you sped up?",),
        "url": "https://www.upwork.com/jobs/~01abc",
        "posted_at": START - timedelta(hours=3),
    }
    values.update(overrides)
    return bench.jobs.create(JobPostInput(**values))


def _fixed_proposal(bench: Bench, job: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    return bench.proposals.create(
        ProposalInput(
            job_post_id=job["id"],
            bid_kind="fixed",
            template_id=template["id"],
            milestones=(
                MilestoneInput("Audit and plan", 40_000, date(2026, 3, 9)),
                MilestoneInput("Fixes and report", 80_000),
            ),
            answers=(("Which stores have you sped up?", "Three, links in my profile."),),
            duration_estimate="1 to 3 months",
            connects_spent=16,
        )
    )


def test_job_post_capture(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench)
    assert job["skills"] == ["Shopify", "Performance"]  # duplicates dropped
    assert job["budget_min_minor"] == 120_000 and job["budget_max_minor"] is None
    hourly = _job(bench, budget_kind="hourly", budget_min_minor=3000, budget_max_minor=6000)
    assert (hourly["budget_min_minor"], hourly["budget_max_minor"]) == (3000, 6000)
    updated = bench.jobs.update(job["id"], JobPostInput(title="Speed-up", client_name="B"))
    assert updated["title"] == "Speed-up"
    assert bench.jobs.delete(hourly["id"])["id"] == hourly["id"]


@pytest.mark.parametrize(
    ("overrides", "rule", "field"),
    [
        (
            {"budget_kind": "hourly", "budget_min_minor": 5000, "budget_max_minor": 3000},
            "job_post.budget_range",
            "budget_max",
        ),
        ({"budget_max_minor": 3000}, "job_post.fixed_budget_range", "budget_max"),
        ({"budget_min_minor": -1}, "job_post.budget_negative", "budget_min"),
        ({"url": "upwork.com/jobs"}, "job_post.url", "url"),
        ({"posted_at": START + timedelta(days=1)}, "job_post.posted_in_future", "posted_at"),
        ({"title": "  "}, "title.required", "title"),
        ({"budget_kind": "weekly"}, "job_post.budget_kind", "budget_kind"),
    ],
)
def test_refused_job_posts(
    tmp_path: Path, overrides: dict[str, Any], rule: str, field: str
) -> None:
    bench = make_bench(tmp_path)
    with pytest.raises(RuleError) as refused:
        _job(bench, **overrides)
    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_templates_and_snippets_fill_placeholders(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench)
    template = bench.proposals.create_template("Speed pitch", TEMPLATE)
    snippet = bench.proposals.create_template("Sign-off", "Talk soon about {job}!", "snippet")
    assert bench.proposals.fill_template(template["id"], job["id"], skill="Liquid") == (
        'Hi Bluefin Outdoors,\n\nI read your post "Shopify store speed-up" and Liquid is what '
        "I do every day."
    )
    proposal = _fixed_proposal(bench, job, template)
    assert proposal["cover_letter"].startswith("Hi Bluefin Outdoors,")
    assert "Shopify is what I do" in proposal["cover_letter"]  # the job's first skill
    with_snippet = bench.proposals.insert_snippet(proposal["id"], snippet["id"])
    assert with_snippet["cover_letter"].endswith("\n\nTalk soon about Shopify store speed-up!")
    assert [t["name"] for t in bench.proposals.templates("snippet")] == ["Sign-off"]
    bench.proposals.delete_template(template["id"])
    assert bench.proposals.get(proposal["id"])["template_id"] is None


def test_bid_calculator_and_copy_as_text(tmp_path: Path) -> None:
    assert bid_calculator(Money(120_000, "USD"), 1000) == Money(108_000, "USD")
    assert bid_calculator(Money(3333, "USD"), 1500) == Money(2833, "USD")
    bench = make_bench(tmp_path)
    job = _job(bench)
    proposal = _fixed_proposal(bench, job, bench.proposals.create_template("T", TEMPLATE))
    assert proposal["bid_minor"] == 120_000  # the milestones' total
    assert proposal["fee_bp"] == 1000 and proposal["receive_minor"] == 108_000
    text = bench.proposals.as_text(proposal["id"])
    assert text.startswith("Hi Bluefin Outdoors,")
    assert "1. Which stores have you sped up?\nThree, links in my profile." in text
    assert "Fixed price: 1,200.00 USD" in text
    assert "Milestone 1: Audit and plan — 400.00 USD (due 2026-03-09)" in text
    assert "Estimated duration: 1 to 3 months" in text


def test_hourly_bid_with_a_fee_outside_upworks_range_is_refused(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench, budget_kind="hourly", budget_min_minor=3000, budget_max_minor=6000)
    with pytest.raises(RuleError) as refused:
        bench.proposals.create(
            ProposalInput(job_post_id=job["id"], bid_kind="hourly", bid_minor=5000, fee_bp=2000)
        )
    assert (refused.value.rule, refused.value.field) == ("upwork.fee_range", "fee")
    with pytest.raises(RuleError) as mixed:
        bench.proposals.create(
            ProposalInput(
                job_post_id=job["id"],
                bid_kind="fixed",
                bid_minor=1000,
                milestones=(MilestoneInput("One", 900),),
            )
        )
    assert mixed.value.rule == "proposal.milestones_total"


def test_submitting_needs_a_letter_filled_placeholders_and_answers(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench, client_name="")
    proposal = bench.proposals.create(
        ProposalInput(job_post_id=job["id"], bid_kind="fixed", bid_minor=50_000)
    )
    assert [a["question"] for a in proposal["answers"]] == ["Which stores have you sped up?"]
    with pytest.raises(RuleError) as empty:
        bench.proposals.submit(proposal["id"])
    assert empty.value.rule == "proposal.cover_letter_required"
    template = bench.proposals.create_template("T", TEMPLATE)
    bench.proposals.insert_snippet(proposal["id"], template["id"])
    with pytest.raises(RuleError, match=r"\{client\}") as unfilled:
        bench.proposals.submit(proposal["id"])
    assert unfilled.value.rule == "proposal.unfilled_placeholder"
    bench.proposals.update(
        proposal["id"],
        ProposalInput(
            job_post_id=job["id"], bid_kind="fixed", bid_minor=50_000, cover_letter="Hello!"
        ),
    )
    with pytest.raises(RuleError) as unanswered:
        bench.proposals.submit(proposal["id"])
    assert (unanswered.value.rule, unanswered.value.field) == (
        "proposal.screening_unanswered",
        "answers",
    )


def test_job_post_to_hired_fixed_contract_with_two_milestones(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench)
    template = bench.proposals.create_template("Speed pitch", TEMPLATE)
    proposal = _fixed_proposal(bench, job, template)
    pid = proposal["id"]
    submitted = bench.proposals.submit(pid)
    assert submitted["state"] == "submitted"
    assert submitted["submitted_at"] == START.isoformat()
    with pytest.raises(RuleError) as frozen:
        bench.proposals.update(
            pid, ProposalInput(job_post_id=job["id"], bid_kind="fixed", bid_minor=1)
        )
    assert frozen.value.rule == "proposal.edit_submitted"
    bench.clock.advance(days=1)
    assert bench.proposals.mark_viewed(pid)["viewed_at"] == (START + timedelta(days=1)).isoformat()
    bench.proposals.interview(pid)
    offer = bench.proposals.receive_offer(pid)
    assert "hire" in offer["allowed_actions"]

    contract = bench.proposals.hire(pid)
    assert contract["kind"] == "fixed" and contract["state"] == "active"
    assert contract["title"] == "Shopify store speed-up"
    assert contract["fee_bp"] == 1000 and contract["platform"] == "upwork"
    assert [(m["title"], m["amount_minor"], m["state"]) for m in contract["milestones"]] == [
        ("Audit and plan", 40_000, "planned"),
        ("Fixes and report", 80_000, "planned"),
    ]
    assert contract["milestones"][0]["due_on"] == "2026-03-09"
    client = bench.clients.get(contract["client_id"])
    assert (client["name"], client["platform"]) == ("Bluefin Outdoors", "upwork")
    hired = bench.proposals.get(pid)
    assert (hired["state"], hired["contract_id"]) == ("hired", contract["id"])
    assert bench.jobs.get(job["id"])["client_id"] == client["id"]
    kinds = {(c.kind, c.action) for c in bench.changes}
    assert {("client", "created"), ("contract", "created"), ("proposal", "hired")} <= kinds

    with pytest.raises(RuleError, match="already hired") as twice:
        bench.proposals.hire(pid)
    assert twice.value.rule == "proposal.hire"
    with pytest.raises(RuleError) as archive:
        bench.proposals.archive(pid)
    assert archive.value.rule == "proposal.archive"
    with pytest.raises(RuleError) as delete:
        bench.jobs.delete(job["id"])
    assert delete.value.rule == "job_post.delete_hired"


def test_hourly_hire_carries_the_rate_and_fee(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    existing = bench.client("Bluefin Outdoors")
    job = _job(
        bench,
        client_id=existing["id"],
        client_name="",
        budget_kind="hourly",
        budget_min_minor=3000,
        budget_max_minor=6000,
        screening_questions=(),
    )
    assert job["client_name"] == "Bluefin Outdoors"
    proposal = bench.proposals.create(
        ProposalInput(
            job_post_id=job["id"],
            bid_kind="hourly",
            bid_minor=5500,
            fee_bp=500,
            cover_letter="Hello",
        )
    )
    bench.proposals.submit(proposal["id"])
    bench.proposals.receive_offer(proposal["id"])
    contract = bench.proposals.hire(proposal["id"], weekly_limit_minutes=20 * 60)
    assert (contract["kind"], contract["hourly_rate_minor"], contract["fee_bp"]) == (
        "hourly",
        5500,
        500,
    )
    assert contract["weekly_limit_minutes"] == 1200 and contract["milestones"] == []
    assert contract["client_id"] == existing["id"]
    assert ("client", "created") not in {(c.kind, c.action) for c in bench.changes[-3:]}


def test_a_fixed_bid_without_milestones_hires_one_milestone_of_the_total(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench, screening_questions=())
    proposal = bench.proposals.create(
        ProposalInput(job_post_id=job["id"], bid_kind="fixed", bid_minor=90_000, cover_letter="Hi")
    )
    with pytest.raises(RuleError) as early:
        bench.proposals.hire(proposal["id"])
    assert early.value.rule == "proposal.hire"
    bench.proposals.submit(proposal["id"])
    bench.proposals.receive_offer(proposal["id"])
    contract = bench.proposals.hire(proposal["id"])
    assert [(m["title"], m["amount_minor"]) for m in contract["milestones"]] == [
        ("Shopify store speed-up", 90_000)
    ]


def test_declined_proposals_record_when_they_were_decided(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    job = _job(bench, screening_questions=())
    pid = bench.proposals.create(
        ProposalInput(job_post_id=job["id"], bid_kind="fixed", bid_minor=1000, cover_letter="Hi")
    )["id"]
    bench.proposals.submit(pid)
    declined = bench.proposals.transition(pid, "decline")
    assert (declined["state"], declined["decided_at"]) == ("declined", START.isoformat())
    assert declined["allowed_actions"] == ["archive"]
    with pytest.raises(RuleError) as unknown:
        bench.proposals.transition(pid, "promote")
    assert unknown.value.rule == "proposal.action"


def test_hire_contracts_with_a_client_on_the_job_posts_platform(tmp_path: Path) -> None:
    """A proposal's job post is on a platform and its contract is on its client's: a
    client given (or linked to the post) on another platform is refused naming the
    client, and nothing is written."""
    bench = make_bench(tmp_path)
    job = _job(bench, screening_questions=(), platform="upwork")
    proposal = bench.proposals.create(
        ProposalInput(job_post_id=job["id"], bid_kind="fixed", bid_minor=90_000, cover_letter="Hi")
    )
    bench.proposals.submit(proposal["id"])
    bench.proposals.receive_offer(proposal["id"])
    elsewhere = bench.client("Bluefin Outdoors", platform="fiverr")
    with pytest.raises(RuleError, match="Bluefin Outdoors is a client on fiverr") as refused:
        bench.proposals.hire(proposal["id"], client_id=elsewhere["id"])
    assert (refused.value.rule, refused.value.field) == ("contract.platform_client", "client")
    assert bench.proposals.get(proposal["id"])["state"] == "offer"
    with bench.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Contract)) == 0

    # A post linked to a client elsewhere is refused at the link now; a workspace written
    # before that rule may still hold one, and hiring from it is refused too.
    linked = _job(bench, screening_questions=(), client_name="")
    with bench.db.session() as s:
        s.get(JobPost, uuid.UUID(linked["id"])).client_id = uuid.UUID(elsewhere["id"])
    linked_bid = bench.proposals.create(
        ProposalInput(job_post_id=linked["id"], bid_kind="fixed", bid_minor=1000, cover_letter="Hi")
    )
    bench.proposals.submit(linked_bid["id"])
    bench.proposals.receive_offer(linked_bid["id"])
    with pytest.raises(RuleError) as linked_refused:
        bench.proposals.hire(linked_bid["id"])
    assert linked_refused.value.rule == "contract.platform_client"

    same = bench.client("Bluefin Outdoors", platform="upwork")
    contract = bench.proposals.hire(proposal["id"], client_id=same["id"])
    assert (contract["platform"], contract["client_id"]) == ("upwork", same["id"])


def test_a_job_post_links_to_a_client_on_its_platform(tmp_path: Path) -> None:
    """Hiring from a post contracts with its linked client, on the post's platform: a
    link to a client elsewhere is refused when it is made, naming the field, and a
    linked post does not move to another platform."""
    bench = make_bench(tmp_path)
    fiverr = bench.client("Bluefin Outdoors", platform="fiverr")
    with pytest.raises(RuleError) as refused:
        _job(bench, platform="upwork", client_id=fiverr["id"], client_name="")
    assert (refused.value.rule, refused.value.field) == ("job_post.platform_client", "client_id")
    assert str(refused.value) == (
        "client_id: Bluefin Outdoors is a client on fiverr; a upwork job post links to a "
        "client on upwork (on upwork the client is another client record)"
    )
    with bench.db.read() as s:
        assert s.scalar(select(func.count()).select_from(JobPost)) == 0

    job = _job(bench)
    with pytest.raises(RuleError) as relinked:
        bench.jobs.update(job["id"], JobPostInput(title=job["title"], client_id=fiverr["id"]))
    assert relinked.value.field == "client_id"
    assert bench.jobs.get(job["id"])["client_id"] is None

    upwork = bench.client("Bluefin Outdoors", platform="upwork")
    linked = bench.jobs.update(job["id"], JobPostInput(title=job["title"], client_id=upwork["id"]))
    assert linked["client_id"] == upwork["id"]
    with pytest.raises(RuleError) as moved:
        bench.jobs.update(job["id"], JobPostInput(title=job["title"], platform="fiverr"))
    assert (moved.value.rule, moved.value.field) == ("job_post.platform_client", "platform")
    assert bench.jobs.get(job["id"])["platform"] == "upwork"
    # ...and the client does not move away from its posts either.
    with pytest.raises(RuleError, match="holds 1 job post on upwork") as held:
        bench.clients.update(upwork["id"], ClientInput(name="Bluefin Outdoors", platform="fiverr"))
    assert held.value.rule == "client.platform_held"
