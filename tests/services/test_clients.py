"""Clients: a client is one platform's, so its platform stays while contracts or orders
hold it (they are on their client's platform)."""

from __future__ import annotations

from pathlib import Path

import pytest

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.services.orders import OrderInput
from tests.services.workbench import logo_gig, make_bench


def test_a_clients_platform_changes_only_while_nothing_holds_it(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    client = bench.client("Acme", "upwork")
    moved = bench.clients.update(client["id"], ClientInput(name="Acme", platform="direct"))
    assert moved["platform"] == "direct"  # nothing holds it yet
    for title in ("Support", "Audit"):
        bench.contracts.create(
            ContractInput(client_id=client["id"], title=title, kind="fixed", currency="USD")
        )
    with pytest.raises(RuleError) as refused:
        bench.clients.update(client["id"], ClientInput(name="Acme Ltd", platform="upwork"))
    assert (refused.value.rule, refused.value.field) == ("client.platform_held", "platform")
    assert str(refused.value) == (
        "platform: Acme holds 2 contracts on direct, which stay there; for upwork add "
        "another client"
    )
    assert bench.clients.get(client["id"])["name"] == "Acme"  # nothing half-written
    # Other fields still change while the platform stays.
    renamed = bench.clients.update(client["id"], ClientInput(name="Acme Ltd", platform="direct"))
    assert (renamed["name"], renamed["platform"]) == ("Acme Ltd", "direct")


def test_a_buyers_platform_stays_while_it_has_orders(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    buyer = bench.client("Nina", "fiverr")
    bench.orders.place(OrderInput(gig_id=gig["id"], package="basic", client_id=buyer["id"]))
    with pytest.raises(RuleError) as refused:
        bench.clients.update(buyer["id"], ClientInput(name="Nina", platform="upwork"))
    assert refused.value.field == "platform"
    assert "holds 1 order on fiverr" in str(refused.value)


def test_what_holds_a_clients_platform_is_said_before_the_change(tmp_path: Path) -> None:
    """An editor greys the platform with the reason: every kind that holds it, listed."""
    from freelancer_desk.services.jobs import JobPostInput

    bench = make_bench(tmp_path)
    client = bench.client("Acme", "upwork")
    assert bench.clients.platform_held(client["id"]) == ""
    bench.contracts.create(
        ContractInput(client_id=client["id"], title="Support", kind="fixed", currency="USD")
    )
    for title in ("Audit", "Care"):
        bench.jobs.create(JobPostInput(title=title, client_id=client["id"]))
    assert bench.clients.platform_held(client["id"][:8]) == (
        "Acme holds 1 contract and 2 job posts on upwork; for another platform add another client"
    )
    with pytest.raises(RuleError, match="holds 1 contract and 2 job posts on upwork"):
        bench.clients.update(client["id"], ClientInput(name="Acme", platform="direct"))
