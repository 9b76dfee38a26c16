"""Gig editor rules: title, tags, description, packages, extras; states and duplicates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.gigs import ExtraInput, RequirementInput, gig_input
from tests.services.workbench import logo_gig, make_bench, package


def test_gig_with_three_packages_and_two_extras(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig(requirements=(RequirementInput("Your brand name?"),)))
    assert gig["state"] == "draft"
    assert [p["tier"] for p in gig["packages"]] == ["basic", "standard", "premium"]
    assert gig["packages"][2]["revisions"] is None  # unlimited
    assert [e["kind"] for e in gig["extras"]] == ["extra", "fast_delivery"]
    assert gig["extras"][1]["days_saved"] == {"basic": 3, "standard": 2}
    assert gig["faqs"][0]["question"] == "Do I get the source file?"
    assert gig["requirements"][0]["question"] == "Your brand name?"
    assert gig["allowed_actions"] == ["activate", "archive"]
    assert bench.changes[-1].kind == "gig" and bench.changes[-1].action == "created"
    assert bench.gigs.get(gig["id"][:8])["title"] == gig["title"]


def test_packages_are_ordered_by_tier_whatever_the_input_order(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(
        logo_gig(packages=(package("premium", 9000, 2), package("basic", 500, 3)), extras=())
    )
    assert [(p["tier"], p["position"]) for p in gig["packages"]] == [
        ("basic", 0),
        ("premium", 1),
    ]


@pytest.mark.parametrize(
    ("overrides", "rule", "field"),
    [
        ({"title": "Logo design for you"}, "fiverr.gig_title_prefix", "title"),
        ({"title": "I will " + "x" * 80}, "fiverr.gig_title_length", "title"),
        ({"tags": ("a", "b", "c", "d", "e", "f")}, "fiverr.gig_tag_count", "tags"),
        ({"description": "x" * 1201}, "fiverr.gig_description_length", "description"),
        ({"currency": "EUR"}, "fiverr.package_price_currency", "basic.price"),
        (
            {"packages": (package("basic", 499, 3),), "extras": ()},
            "fiverr.package_price_minimum",
            "basic.price",
        ),
        (
            {"packages": (package("basic", 500, 0),), "extras": ()},
            "gig.package_delivery_days",
            "basic.delivery_days",
        ),
        ({"packages": (package("gold", 500, 3),), "extras": ()}, "gig.package_tier", "gold.tier"),
        (
            {"packages": (package("basic", 500, 3), package("basic", 900, 2)), "extras": ()},
            "gig.package_tier_unique",
            "packages",
        ),
        (
            {
                "packages": (
                    package("basic", 500, 3),
                    package("standard", 900, 2),
                    package("premium", 1500, 1),
                    package("basic", 2000, 1),
                )
            },
            "fiverr.package_count",
            "packages",
        ),
        (
            {
                "extras": (
                    ExtraInput(
                        title="Rush", price_minor=500, kind="fast_delivery", days_saved={"basic": 5}
                    ),
                )
            },
            "gig.fast_delivery_days",
            "extras.0.days_saved",
        ),
        (
            {
                "extras": (
                    ExtraInput(
                        title="Rush",
                        price_minor=500,
                        kind="fast_delivery",
                        extra_days=1,
                        days_saved={"basic": 1},
                    ),
                )
            },
            "gig.fast_delivery_days",
            "extras.0.extra_days",
        ),
        (
            {"extras": (ExtraInput(title="Free", price_minor=0),)},
            "gig.extra_price",
            "extras.0.price",
        ),
        (
            {"requirements": (RequirementInput("Pick", kind="choice", choices=("one",)),)},
            "gig.requirement_choices",
            "choices",
        ),
    ],
)
def test_refused_gig_inputs_name_rule_and_field(
    tmp_path: Path, overrides: dict[str, object], rule: str, field: str
) -> None:
    bench = make_bench(tmp_path)
    with pytest.raises(RuleError) as refused:
        bench.gigs.create(logo_gig(**overrides))
    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_price_minimum_in_another_currency_is_the_gigs_override(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    base = logo_gig(currency="EUR", min_package_price_minor=500, extras=())
    gig = bench.gigs.create(base)
    assert gig["currency"] == "EUR"
    with pytest.raises(RuleError, match=r"under the minimum of 5\.00 EUR") as refused:
        bench.gigs.create(replace(base, packages=(package("basic", 450, 3),)))
    assert refused.value.rule == "fiverr.package_price_minimum"


def test_a_fourth_package_is_refused(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig())
    with pytest.raises(RuleError) as refused:
        bench.gigs.add_package(gig["id"], package("basic", 900, 2))
    assert refused.value.rule == "fiverr.package_count"
    small = bench.gigs.create(logo_gig(packages=(package("basic", 500, 3),), extras=()))
    grown = bench.gigs.add_package(small["id"], package("premium", 4000, 2))
    assert [p["tier"] for p in grown["packages"]] == ["basic", "premium"]
    with pytest.raises(RuleError) as twice:
        bench.gigs.add_package(small["id"], package("premium", 5000, 2))
    assert twice.value.rule == "gig.package_tier_unique"
    with pytest.raises(RuleError) as cheap:
        bench.gigs.add_package(small["id"], package("standard", 100, 2))
    assert cheap.value.rule == "fiverr.package_price_minimum"


def test_update_keeps_package_ids_of_kept_tiers(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig())
    ids = {p["tier"]: p["id"] for p in gig["packages"]}
    changed = bench.gigs.update(
        gig["id"],
        logo_gig(
            title="I will design a bold logo",
            packages=(package("basic", 3000, 6), package("standard", 7000, 4)),
            extras=(),
        ),
    )
    assert changed["title"] == "I will design a bold logo"
    assert {p["tier"]: p["id"] for p in changed["packages"]} == {
        "basic": ids["basic"],
        "standard": ids["standard"],
    }
    assert changed["packages"][0]["price_minor"] == 3000
    assert changed["extras"] == []


def test_pause_activate_archive_go_through_the_gig_machine(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig())
    with pytest.raises(RuleError) as refused:
        bench.gigs.pause(gig["id"])
    assert refused.value.rule == "gig.pause"
    assert bench.gigs.activate(gig["id"])["state"] == "active"
    assert bench.gigs.pause(gig["id"])["state"] == "paused"
    assert bench.gigs.activate(gig["id"])["state"] == "active"
    assert bench.gigs.archive(gig["id"])["state"] == "archived"
    with pytest.raises(RuleError) as final:
        bench.gigs.activate(gig["id"])
    assert final.value.rule == "gig.activate"
    with pytest.raises(RuleError) as edit:
        bench.gigs.update(gig["id"], logo_gig())
    assert edit.value.rule == "gig.archived"


def test_a_gig_without_packages_cannot_be_activated(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig(packages=(), extras=()))
    with pytest.raises(RuleError) as refused:
        bench.gigs.activate(gig["id"])
    assert (refused.value.rule, refused.value.field) == ("gig.activate_needs_package", "packages")


def test_duplicate_is_an_independent_draft(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig())
    bench.gigs.activate(gig["id"])
    copy = bench.gigs.duplicate(gig["id"])
    assert copy["id"] != gig["id"] and copy["state"] == "draft"
    assert [p["price_minor"] for p in copy["packages"]] == [2500, 6000, 12000]
    assert {p["id"] for p in copy["packages"]}.isdisjoint(p["id"] for p in gig["packages"])
    assert copy["extras"][1]["days_saved"] == {"basic": 3, "standard": 2}
    assert copy["faqs"][0]["answer"] == "Yes, in every package."
    bench.gigs.update(copy["id"], logo_gig(tags=("changed",)))
    assert bench.gigs.get(gig["id"])["tags"] == ["logo", "minimalist", "brand"]


def test_the_minimum_price_is_stored_on_the_gig_and_used_when_adding(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(
        logo_gig(currency="EUR", min_package_price_minor=450, packages=(), extras=())
    )
    assert gig["min_package_price_minor"] == 450
    assert bench.gigs.get(gig["id"])["min_package_price_minor"] == 450
    grown = bench.gigs.add_package(gig["id"], package("basic", 450, 3))
    assert [p["price_minor"] for p in grown["packages"]] == [450]
    with pytest.raises(RuleError, match=r"4\.50 EUR") as cheap:
        bench.gigs.add_package(gig["id"], package("standard", 449, 2))
    assert (cheap.value.rule, cheap.value.field) == (
        "fiverr.package_price_minimum",
        "standard.price",
    )
    assert str(cheap.value).startswith("standard package: package price 4.49 EUR")
    copy = bench.gigs.duplicate(gig["id"])
    assert copy["min_package_price_minor"] == 450
    plain = bench.gigs.create(logo_gig())
    assert plain["min_package_price_minor"] is None


def test_gig_input_round_trips_a_stored_gig(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig(requirements=(RequirementInput("Your brand name?"),)))
    again = bench.gigs.update(gig["id"], gig_input(gig))

    def plain(value: object) -> object:
        # Extras, FAQ and requirements are replaced (new ids); packages keep theirs.
        if isinstance(value, dict):
            return {
                k: plain(v) for k, v in value.items() if k not in ("id", "created_at", "updated_at")
            }
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    assert plain(again) == plain(gig)
    assert [p["id"] for p in again["packages"]] == [p["id"] for p in gig["packages"]]


def test_add_extra_and_a_second_fast_delivery_is_refused(tmp_path: Path) -> None:
    bench = make_bench(tmp_path)
    gig = bench.gigs.create(logo_gig())
    grown = bench.gigs.add_extra(gig["id"], ExtraInput(title="Print files", price_minor=1000))
    assert [e["title"] for e in grown["extras"]][-1] == "Print files"
    assert grown["extras"][-1]["position"] == 2
    with pytest.raises(RuleError) as twice:
        bench.gigs.add_extra(
            gig["id"],
            ExtraInput(
                title="Rush", price_minor=900, kind="fast_delivery", days_saved={"basic": 1}
            ),
        )
    assert twice.value.rule == "gig.fast_delivery_once"


def test_delete_only_a_gig_without_orders(tmp_path: Path) -> None:
    from freelancer_desk.services.errors import NotFound
    from freelancer_desk.services.orders import OrderInput

    bench = make_bench(tmp_path)
    unsold = bench.gigs.create(logo_gig())
    bench.gigs.delete(unsold["id"])
    with pytest.raises(NotFound):
        bench.gigs.get(unsold["id"])
    sold = bench.gigs.activate(bench.gigs.create(logo_gig())["id"])
    bench.orders.place(OrderInput(gig_id=sold["id"], package="basic", buyer="Nina"))
    with pytest.raises(RuleError) as refused:
        bench.gigs.delete(sold["id"])
    assert refused.value.rule == "gig.delete_with_orders"
    assert "archive it instead" in str(refused.value)
