"""Orders: price and due date computed and frozen, the delivery/revision loop, completion
(by the buyer or automatically) and cancellation, each with its ledger rows."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.check import check_workspace
from freelancer_desk.services.orders import OrderInput
from tests.services.workbench import START, Bench, logo_gig, make_bench


def _active_gig(bench: Bench, **overrides: Any) -> dict[str, Any]:
    gig = bench.gigs.create(logo_gig(**overrides))
    return bench.gigs.activate(gig["id"])


def _place(bench: Bench, gig: dict[str, Any], tier: str, *extras: int) -> dict[str, Any]:
    return bench.orders.place(
        OrderInput(
            gig_id=gig["id"],
            package=tier,
            extras=tuple(gig["extras"][i]["id"] for i in extras),
            buyer="Nina",
        )
    )


def test_order_delivered_revised_delivered_and_completed(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    order = _place(bench, gig, "standard", 0, 1)
    # 60.00 + 15.00 (social kit) + 20.00 (extra-fast): standard's 4 days become 2, +1.
    assert order["price_minor"] == 9500
    assert order["state"] == "awaiting_requirements"
    assert order["revisions_allowed"] == 2 and order["package_tier"] == "standard"
    assert sorted(e["days_delta"] for e in order["extras"]) == [-2, 1]
    assert order["due_at"] == (START + timedelta(days=3)).isoformat()
    oid = order["id"]
    assert bench.ledger_rows(oid) == [
        ("order_placed", "client_funds", -9500, None),
        ("order_placed", "escrow", 9500, None),
    ]

    bench.clock.advance(hours=5)  # the buyer answers the requirements 5 hours later
    started = bench.orders.start(oid, {"Your brand name?": "Nina's Bakery"})
    assert started["state"] == "in_progress"
    assert started["due_at"] == (START + timedelta(days=3, hours=5)).isoformat()
    assert started["requirements"] == {"Your brand name?": "Nina's Bakery"}

    bench.clock.advance(days=1)
    assert bench.orders.deliver(oid, "First concepts")["state"] == "delivered"
    revised = bench.orders.request_revision(oid, "Bigger letters")
    assert (revised["state"], revised["revisions_used"]) == ("revision_requested", 1)
    bench.clock.advance(hours=3)
    delivered = bench.orders.deliver(oid, "Final files")
    assert len(delivered["deliveries"]) == 2 and len(delivered["revisions"]) == 1
    bench.clock.advance(hours=1)
    done = bench.orders.complete(oid)
    completed_at = START + timedelta(days=1, hours=9)
    assert done["state"] == "completed"
    assert done["completed_at"] == completed_at.isoformat()
    assert done["allowed_actions"] == []

    clears = completed_at + timedelta(days=14)
    assert bench.ledger_rows(oid)[2:] == [
        ("order_completed", "escrow", -9500, None),
        ("order_completed", "fees", 1900, None),
        ("order_completed", "pending", 7600, clears),
    ]
    assert bench.balance("escrow", oid) == 0
    assert bench.ledger_sums_to_zero()
    assert check_workspace(bench.db).problems == []
    assert ("order", "completed", (oid,)) in [(c.kind, c.action, c.ids) for c in bench.changes]


def test_completing_a_cancelled_order_is_refused(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    order = _place(bench, _active_gig(bench), "basic")
    cancelled = bench.orders.cancel(order["id"], "buyer changed their mind")
    assert cancelled["state"] == "cancelled"
    assert "buyer changed their mind" in cancelled["notes"]
    assert bench.ledger_rows(order["id"])[2:] == [
        ("order_cancelled", "escrow", -2500, None),
        ("order_cancelled", "refunds", 2500, None),
    ]
    with pytest.raises(RuleError, match="it was cancelled") as refused:
        bench.orders.complete(order["id"])
    assert (refused.value.rule, refused.value.field) == ("order.complete", "state")
    assert bench.orders.get(order["id"])["state"] == "cancelled"
    assert len(bench.ledger_rows(order["id"])) == 4  # nothing more was recorded
    assert check_workspace(bench.db).problems == []


def test_revisions_are_counted_against_the_package(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    order = _place(bench, _active_gig(bench), "basic")  # one revision included
    oid = order["id"]
    bench.orders.start(oid)
    bench.orders.deliver(oid)
    bench.orders.request_revision(oid)
    bench.orders.start(oid)  # back to work after the revision request
    delivered = bench.orders.deliver(oid)
    assert "request_revision" not in delivered["allowed_actions"]
    with pytest.raises(RuleError) as refused:
        bench.orders.request_revision(oid)
    assert (refused.value.rule, refused.value.field) == ("order.revision_allowance", "revisions")
    assert bench.orders.get(oid)["revisions_used"] == 1


def test_unlimited_revisions(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    oid = _place(bench, _active_gig(bench), "premium")["id"]
    bench.orders.start(oid)
    for _ in range(5):
        bench.orders.deliver(oid)
        bench.orders.request_revision(oid)
    assert bench.orders.get(oid)["revisions_used"] == 5


def test_illegal_steps_are_refused_by_the_order_machine(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    oid = _place(bench, _active_gig(bench), "basic")["id"]
    with pytest.raises(RuleError) as early:
        bench.orders.deliver(oid)
    assert early.value.rule == "order.deliver"
    with pytest.raises(RuleError, match="never delivered") as undelivered:
        bench.orders.complete(oid)
    assert undelivered.value.rule == "order.complete"


def test_auto_complete_three_days_after_delivery_at_the_due_instant(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    oid = _place(bench, _active_gig(bench), "basic")["id"]
    bench.orders.start(oid)
    bench.orders.deliver(oid)
    delivered_at = bench.clock.now()
    assert (
        bench.orders.get(oid)["auto_completes_at"] == (delivered_at + timedelta(days=3)).isoformat()
    )
    bench.clock.advance(days=2, hours=23)
    assert bench.orders.auto_complete_due() == []
    bench.clock.advance(days=4)  # the app was closed: it catches up
    (done,) = bench.orders.auto_complete_due()
    assert done["id"] == oid and done["state"] == "completed"
    assert done["completed_at"] == (delivered_at + timedelta(days=3)).isoformat()
    pending = [r for r in bench.ledger_rows(oid) if r[1] == "pending"]
    assert pending == [("order_completed", "pending", 2000, delivered_at + timedelta(days=17))]
    assert bench.orders.auto_complete_due() == []
    assert bench.changes[-2].action == "auto_completed"


def test_top_rated_clearance_is_frozen_on_the_order(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench, clearance_days=7)
    oid = _place(bench, gig, "basic")["id"]
    bench.orders.start(oid)
    bench.orders.deliver(oid)
    bench.orders.complete(oid)
    pending = [r for r in bench.ledger_rows(oid) if r[1] == "pending"]
    assert pending[0][3] == bench.clock.now() + timedelta(days=7)


def test_late_when_past_due_while_work_is_owed(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    oid = _place(bench, _active_gig(bench), "premium")["id"]  # 3 days
    bench.orders.start(oid)
    bench.clock.advance(days=3)
    assert not bench.orders.is_late(oid)  # exactly at the due instant is on time
    assert bench.orders.get(oid)["late_seconds"] is None
    bench.clock.advance(seconds=1)
    assert bench.orders.is_late(oid)
    assert bench.orders.get(oid)["is_late"] is True
    bench.clock.advance(hours=26)
    assert bench.orders.get(oid)["late_seconds"] == 26 * 3600 + 1
    bench.orders.deliver(oid)
    assert not bench.orders.is_late(oid)
    assert bench.orders.get(oid)["late_seconds"] is None


def test_the_orders_table_shows_the_gig_and_how_late_by_the_clock(tmp_path: Path) -> None:
    """The Late column is the service's rule, read in SQL against the injected clock each
    time a page is read; late=true/false filters by it; the gig's title is a column."""
    from freelancer_desk.services.listing import ListQuery
    from freelancer_desk.services.summary import SummaryService
    from freelancer_desk.services.views import build_sources

    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    basic = _place(bench, gig, "basic")["id"]  # 5 days
    premium = _place(bench, gig, "premium")["id"]  # 3 days
    waiting = _place(bench, gig, "standard")["id"]  # never started: owes nothing yet
    bench.orders.start(basic)
    bench.orders.start(premium)
    source = build_sources(bench.db)["orders"]

    def rows(**filters: str) -> dict[str, dict[str, Any]]:
        query = ListQuery(filters=filters, sort="late", descending=True)
        return {str(r["id"]): r for r in source.fetch(query, 0, 50)}

    assert {r["gig"] for r in rows().values()} == {gig["title"]}
    assert [r["late"] for r in rows().values()] == [None, None, None]
    assert rows(late="true") == {} and source.count(ListQuery(filters={"late": "true"})) == 0

    bench.clock.advance(days=3, seconds=90)  # premium is 90 s past due, basic is not
    assert {k: r["late"] for k, r in rows().items()} == {premium: 90, basic: None, waiting: None}
    assert list(rows(late="true")) == [premium]
    assert source.count(ListQuery(filters={"late": "true"})) == 1
    assert sorted(rows(late="false")) == sorted([basic, waiting])
    assert bench.orders.get(premium)["late_seconds"] == 90  # the same rule, both ways

    bench.clock.advance(days=2, hours=1)  # now both; the latest first when sorted so
    late = rows(late="true")
    assert list(late) == [premium, basic]
    assert late[premium]["late"] == 2 * 86400 + 3600 + 90
    assert late[basic]["late"] == 3600 + 90
    bench.orders.deliver(premium)  # delivered: owes nothing, so not late
    assert list(rows(late="true")) == [basic]
    # The Gigs area's "Late" tile counts by the same rule.
    assert dict(SummaryService(bench.db, bench.clock).tiles("gigs"))["Late"] == "1"
    bench.orders.request_revision(premium)  # owes again, still past its due date
    assert list(rows(late="true")) == [premium, basic]

    # The gig's title as it is now (an order keeps its own title, as bought), searched by
    # the filter box too.
    bench.gigs.update(gig["id"], logo_gig(title="I will draw a bold mascot logo"))
    assert {r["gig"] for r in rows().values()} == {"I will draw a bold mascot logo"}
    assert source.count(ListQuery(text="bold mascot")) == 3
    assert source.count(ListQuery(text="no such gig")) == 0


@pytest.mark.parametrize(
    ("tier", "extras", "rule"),
    [
        ("premium", (1,), "order.extra_fast_delivery"),  # not offered with premium
        ("gold", (), "order.package"),
        ("basic", (0, 0), "order.extra_twice"),
    ],
)
def test_refused_orders(tmp_path: Path, tier: str, extras: tuple[int, ...], rule: str) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    with pytest.raises(RuleError) as refused:
        _place(bench, gig, tier, *extras)
    assert refused.value.rule == rule


def test_a_paused_gig_takes_no_orders_and_orders_keep_what_was_sold(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    order = _place(bench, gig, "basic")
    bench.gigs.update(gig["id"], logo_gig(title="I will draw a new logo"))
    assert bench.orders.get(order["id"])["price_minor"] == 2500
    bench.gigs.pause(gig["id"])
    with pytest.raises(RuleError) as refused:
        _place(bench, gig, "basic")
    assert refused.value.rule == "order.gig_not_active"


def test_an_existing_client_can_be_the_buyer(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    client = bench.client("Repeat buyer", "fiverr")
    order = bench.orders.place(
        OrderInput(gig_id=gig["id"], package="basic", client_id=client["id"])
    )
    assert order["client_id"] == client["id"]
    with pytest.raises(RuleError) as refused:
        bench.orders.place(OrderInput(gig_id=gig["id"], package="basic"))
    assert (refused.value.rule, refused.value.field) == ("buyer.required", "buyer")
    # A client of another platform is not the gig's buyer (a client is one platform's).
    upwork = bench.client("Upwork Co", "upwork")
    with pytest.raises(RuleError) as other:
        bench.orders.place(OrderInput(gig_id=gig["id"], package="basic", client_id=upwork["id"]))
    assert (other.value.rule, other.value.field) == ("order.buyer_platform", "buyer")
    assert str(other.value) == (
        "buyer: Upwork Co is a client on upwork; a fiverr gig's buyer is a client on fiverr"
    )


def test_a_platform_order_number_is_recorded_once(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    order = OrderInput(gig_id=gig["id"], package="basic", buyer="Nina", number="FO123")
    assert bench.orders.place(order)["number"] == "FO123"
    with pytest.raises(RuleError) as refused:
        bench.orders.place(order)
    assert (refused.value.rule, refused.value.field) == ("order.number_unique", "number")


def test_delivery_days_are_stored_and_the_due_date_counts_from_the_start(
    tmp_path: Path,
) -> None:
    bench = make_bench(tmp_path)
    gig = _active_gig(bench)
    order = _place(bench, gig, "basic", 0)  # 5 days + 1 for the social kit
    assert order["delivery_days"] == 6
    bench.clock.advance(days=2)
    started = bench.orders.start(order["id"])
    assert started["due_at"] == (START + timedelta(days=8)).isoformat()
    assert started["delivery_days"] == 6
