"""Reviews both ways and the reputation summary per platform."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.contracts import ContractInput, MilestoneInput
from freelancer_desk.services.orders import OrderInput
from freelancer_desk.services.reviews import ReviewInput
from tests.services.workbench import Bench, logo_gig, make_bench


def _ended_contract(bench: Bench, client: dict[str, Any], *, refund: bool = False) -> str:
    contract = bench.contracts.create(
        ContractInput(client_id=client["id"], title="Job", kind="fixed"),
        (MilestoneInput("All", 10_000),),
    )
    if refund:
        mid = contract["milestones"][0]["id"]
        bench.milestones.fund(mid)
        bench.milestones.refund(mid)
    bench.contracts.end(contract["id"])
    return str(contract["id"])


def _completed_order(bench: Bench, gig_id: str, client_id: str) -> str:
    oid = bench.orders.place(OrderInput(gig_id=gig_id, package="basic", client_id=client_id))["id"]
    bench.orders.start(oid)
    bench.orders.deliver(oid)
    bench.orders.complete(oid)
    return str(oid)


def test_reviews_both_ways_with_sub_ratings(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    client = bench.client()
    cid = _ended_contract(bench, client)
    received = bench.reviews.create(
        ReviewInput(
            client_id=client["id"],
            contract_id=cid,
            direction="received",
            rating=5,
            sub_ratings={"communication": 5, "skills": 4},
            comment="Fast and careful.",
        )
    )
    assert (received["platform"], received["rating"]) == ("upwork", 5)
    assert received["sub_ratings"] == {"communication": 5, "skills": 4}
    assert received["reviewed_at"] == bench.clock.now().isoformat()
    given = bench.reviews.create(
        ReviewInput(client_id=client["id"], contract_id=cid, direction="given", rating=4)
    )
    assert given["direction"] == "given"
    with pytest.raises(RuleError) as twice:
        bench.reviews.create(
            ReviewInput(client_id=client["id"], contract_id=cid, direction="given", rating=3)
        )
    assert twice.value.rule == "review.duplicate"
    edited = bench.reviews.update(
        given["id"],
        ReviewInput(client_id=client["id"], contract_id=cid, direction="given", rating=5),
    )
    assert edited["rating"] == 5
    assert bench.reviews.delete(given["id"])["id"] == given["id"]


@pytest.mark.parametrize(
    ("overrides", "rule", "field"),
    [
        ({"rating": 6}, "review.rating_range", "rating"),
        ({"rating": 0}, "review.rating_range", "rating"),
        ({"sub_ratings": {"quality": 0}}, "review.rating_range", "sub_ratings"),
        ({"direction": "sideways"}, "review.direction", "direction"),
        ({"reviewed_at_days": 1}, "review.in_future", "reviewed_at"),
    ],
)
def test_refused_reviews(tmp_path: Path, overrides: dict[str, Any], rule: str, field: str) -> None:
    bench = make_bench(tmp_path)
    client = bench.client()
    values: dict[str, Any] = {"client_id": client["id"], "direction": "received", "rating": 4}
    days = overrides.pop("reviewed_at_days", None)
    if days is not None:
        values["reviewed_at"] = bench.clock.now() + timedelta(days=days)
    values.update(overrides)
    with pytest.raises(RuleError) as refused:
        bench.reviews.create(ReviewInput(**values))
    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_reviews_need_a_finished_job_of_the_same_client(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    client, other = bench.client("A"), bench.client("B")
    running = bench.contracts.create(
        ContractInput(client_id=client["id"], title="Running", kind="hourly", hourly_rate_minor=1)
    )
    with pytest.raises(RuleError) as not_ended:
        bench.reviews.create(
            ReviewInput(
                client_id=client["id"], contract_id=running["id"], direction="given", rating=5
            )
        )
    assert not_ended.value.rule == "review.contract_not_ended"
    cid = _ended_contract(bench, client)
    with pytest.raises(RuleError) as mismatch:
        bench.reviews.create(
            ReviewInput(client_id=other["id"], contract_id=cid, direction="given", rating=5)
        )
    assert (mismatch.value.rule, mismatch.value.field) == ("review.client_mismatch", "contract")


def test_fiverr_review_window_is_fourteen_days_after_completion(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    buyer = bench.client("Nina", "fiverr")
    oid = bench.orders.place(OrderInput(gig_id=gig["id"], package="basic", client_id=buyer["id"]))[
        "id"
    ]
    review = ReviewInput(client_id=buyer["id"], order_id=oid, direction="received", rating=5)
    with pytest.raises(RuleError) as early:
        bench.reviews.create(review)
    assert early.value.rule == "review.order_not_completed"
    bench.orders.start(oid)
    bench.orders.deliver(oid)
    bench.orders.complete(oid)
    bench.clock.advance(days=14, seconds=1)
    with pytest.raises(RuleError) as late:
        bench.reviews.create(review)
    assert (late.value.rule, late.value.field) == ("review.window_closed", "reviewed_at")
    on_time = bench.reviews.create(
        ReviewInput(
            client_id=buyer["id"],
            order_id=oid,
            direction="received",
            rating=5,
            reviewed_at=bench.clock.now() - timedelta(days=1),
        )
    )
    assert on_time["platform"] == "fiverr"


def test_reputation_per_platform_with_its_formula(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    acme, solo = bench.client("Acme"), bench.client("Solo")
    good = _ended_contract(bench, acme)
    refunded = _ended_contract(bench, acme, refund=True)
    poor = _ended_contract(bench, solo)
    for client, cid, stars in ((acme, good, 5), (acme, refunded, 4), (solo, poor, 3)):
        bench.reviews.create(
            ReviewInput(client_id=client["id"], contract_id=cid, direction="received", rating=stars)
        )
    bench.reviews.create(
        ReviewInput(client_id=solo["id"], contract_id=poor, direction="given", rating=1)
    )
    upwork = bench.reviews.reputation("upwork")
    assert upwork["reviews"] == 3 and upwork["average_rating"] == 4.0  # given reviews not counted
    # Finished 3; the refunded one and the 3-star one did not end well.
    assert (upwork["finished_jobs"], upwork["ended_well"], upwork["share_ended_well"]) == (
        3,
        1,
        0.3333,
    )
    assert (upwork["clients"], upwork["repeat_clients"], upwork["repeat_share"]) == (2, 1, 0.5)
    assert "ended well ÷ finished jobs" in upwork["formula"]

    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    buyer = bench.client("Nina", "fiverr")
    _completed_order(bench, gig["id"], buyer["id"])
    cancelled = bench.orders.place(
        OrderInput(gig_id=gig["id"], package="basic", client_id=buyer["id"])
    )
    bench.orders.cancel(cancelled["id"])
    fiverr = bench.reviews.reputation("fiverr")
    assert (fiverr["finished_jobs"], fiverr["ended_well"], fiverr["repeat_clients"]) == (2, 1, 1)
    assert fiverr["average_rating"] is None and fiverr["reviews"] == 0
    empty = bench.reviews.reputation("direct")
    assert (empty["share_ended_well"], empty["repeat_share"]) == (None, None)
