"""The Fiverr side through the CLI: a gig with three packages and two extras gets an order
that is delivered, revised, delivered again and completed; every illegal step is one
line on stderr and exit 1."""

from __future__ import annotations

import json
from typing import Any

import pytest

from freelancer_desk import cli


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], data_dir: str) -> None:
        self.capsys = capsys
        self.data_dir = data_dir

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = cli.main(["--data-dir", self.data_dir, *argv])
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str) -> Any:
        code, out, err = self(*argv, "--json")
        assert code == 0, err
        return json.loads(out)

    def refused(self, *argv: str) -> str:
        code, out, err = self(*argv)
        assert code == 1, (out, err)
        assert out == ""
        lines = err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("freelancer-desk: "), err
        return lines[0]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> Cli:
    return Cli(capsys, str(tmp_path / "ws"))


GIG = (
    "gig",
    "create",
    "--title",
    "I will design a minimalist logo for your brand",
    "--category",
    "Graphics & Design",
    "--tag",
    "logo",
    "--tag",
    "minimalist",
    "--description",
    "Clean logos as vector files.",
    "--package",
    "basic:Starter:25:5:1",
    "--package",
    "standard:Business:60:4:2",
    "--package",
    "premium:Brand: the works:120:3:unlimited",
    "--feature",
    "basic:Source file",
    "--feature",
    "premium:Source file",
    "--feature",
    "premium:Brand guide",
    "--extra",
    "Social media kit:15:1",
    "--fast-delivery",
    "20:basic=3,standard=2",
    "--faq",
    "Do I get the source file?=Yes, in every package.",
    "--requirement",
    "Your brand name?",
)


def test_gig_to_completed_order(run: Cli) -> None:
    gig = run.json(*GIG)
    assert gig["state"] == "draft"
    assert [(p["tier"], p["price_minor"], p["revisions"]) for p in gig["packages"]] == [
        ("basic", 2500, 1),
        ("standard", 6000, 2),
        ("premium", 12000, None),
    ]
    assert gig["packages"][2]["name"] == "Brand: the works"
    assert gig["packages"][2]["features"] == ["Source file", "Brand guide"]
    assert [e["kind"] for e in gig["extras"]] == ["extra", "fast_delivery"]
    assert gig["extras"][1]["days_saved"] == {"basic": 3, "standard": 2}
    assert gig["requirements"][0]["question"] == "Your brand name?"
    gid = gig["id"][:8]

    code, out, err = run("gig", "activate", gid)
    assert code == 0 and out.startswith(f"activated gig {gid} (active"), err

    kit, fast = (e["id"][:8] for e in gig["extras"])
    order = run.json(
        "order", "place", "--gig", gid, "--package", "standard", "--extra", kit,
        "--extra", fast, "--buyer", "Nina",
    )  # fmt: skip
    assert order["price_minor"] == 9500  # 60 + 15 + 20
    assert order["delivery_days"] == 3  # 4 - 2 (extra-fast) + 1 (kit)
    oid = order["id"][:8]

    started = run.json("order", "start", oid, "--answer", "Your brand name?=Nina's Bakery")
    assert started["state"] == "in_progress"
    assert started["requirements"] == {"Your brand name?": "Nina's Bakery"}
    assert run.json("order", "deliver", oid, "--message", "First concepts")["state"] == "delivered"
    revised = run.json("order", "revise", oid, "--note", "Bigger letters")
    assert (revised["state"], revised["revisions_used"]) == ("revision_requested", 1)
    assert run.json("order", "deliver", oid)["state"] == "delivered"
    code, out, _ = run("order", "complete", oid)
    assert code == 0 and out.startswith(f"completed order {oid} (completed, 95.00 USD")

    ledger = run.json("ledger", "list")
    assert ledger  # placed and completed were booked
    code, out, _ = run("check")
    assert code == 0, out
    earnings = run.json("report", "earnings")
    assert "Nina" in json.dumps(earnings)

    code, out, _ = run("order", "auto-complete")
    assert code == 0 and out.strip() == "no delivered order is due to complete"


def test_update_pause_duplicate_extra_and_delete(run: Cli) -> None:
    gig = run.json(*GIG)
    gid = gig["id"][:8]
    updated = run.json("gig", "update", gid, "--price", "basic:30", "--tag", "vector")
    assert updated["packages"][0]["price_minor"] == 3000
    assert updated["tags"] == ["vector"]
    assert len(updated["extras"]) == 2  # not given: kept
    assert updated["title"] == gig["title"]
    with_extra = run.json("gig", "extra", gid, "--title", "Print files", "--price", "12.50")
    assert with_extra["extras"][-1]["price_minor"] == 1250
    copy = run.json("gig", "duplicate", gid)
    assert copy["state"] == "draft" and copy["id"] != gig["id"]
    code, out, _ = run("gig", "delete", copy["id"][:8])
    assert code == 0 and out.startswith("deleted gig")
    assert run.json("gig", "activate", gid)["state"] == "active"
    assert run.json("gig", "pause", gid)["state"] == "paused"
    assert run.json("gig", "archive", gid)["state"] == "archived"


def test_every_illegal_step_is_one_line_and_exit_1(run: Cli) -> None:
    gig = run.json(*GIG)
    gid = gig["id"][:8]

    line = run.refused("gig", "package", gid, "basic:Again:30:2:1")
    assert "at most 3 packages" in line
    small = run.json(
        "gig", "create", "--title", "I will write a haiku", "--package", "basic:Haiku:5:1:0"
    )
    line = run.refused("gig", "package", small["id"][:8], "premium:Epic:4.99:2:1")
    assert "premium package: package price 4.99 USD is under the minimum of 5.00 USD" in line
    line = run.refused("gig", "package", small["id"][:8], "premium:Epic:5.001:2:1")
    assert "more decimals than USD allows" in line
    line = run.refused("gig", "create", "--title", "Logo design", "--package", "basic:A:5:1:1")
    assert 'must start with "I will"' in line or "I will" in line
    line = run.refused("gig", "create", "--title", "I will " + "x" * 80)
    assert "80" in line
    line = run.refused("gig", "pause", gid)
    assert "cannot pause gig" in line

    line = run.refused("order", "place", "--gig", gid, "--package", "basic", "--buyer", "Ann")
    assert "not active" in line
    run.json("gig", "activate", gid)
    order = run.json("order", "place", "--gig", gid, "--package", "basic", "--buyer", "Ann")
    oid = order["id"][:8]
    line = run.refused("order", "complete", oid)
    assert "cannot complete order: it was never delivered" in line
    line = run.refused("order", "revise", oid)
    assert "cannot request a revision on order" in line
    run.json("order", "start", oid)
    run.json("order", "deliver", oid)
    run.json("order", "revise", oid)  # basic has one revision
    run.json("order", "deliver", oid)
    line = run.refused("order", "revise", oid)
    assert "includes 1 revision and 1 has been used" in line
    run.json("order", "cancel", oid, "--reason", "buyer left")
    line = run.refused("order", "complete", oid)
    assert "cannot complete order: it was cancelled" in line
    line = run.refused("order", "deliver", oid)
    assert "cannot deliver order" in line
    line = run.refused("gig", "delete", gid)
    assert "archive it instead" in line
    line = run.refused("order", "start", "ffffffff")
    assert "ffffffff" in line
    run.json("gig", "archive", gid)
    line = run.refused("gig", "activate", gid)
    assert "cannot activate gig" in line
    line = run.refused("gig", "extra", gid, "--title", "Late", "--price", "9")
    assert "archived" in line
