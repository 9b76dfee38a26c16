"""The Upwork side through the CLI: a job post becomes a submitted proposal from a
template, then a hired fixed-price contract with two milestones, one funded, submitted
and approved; every illegal step is one line on stderr and exit 1."""

from __future__ import annotations

import json

import pytest

from freelancer_desk import cli


def run(capsys, data_dir, *argv):
    code = cli.main(["--data-dir", data_dir, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys, data_dir, *argv):
    code, out, err = run(capsys, data_dir, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def refused(capsys, data_dir, *argv, contains):
    code, out, err = run(capsys, data_dir, *argv)
    assert code == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert contains in lines[0], lines[0]


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path / "ws")


def test_job_to_hired_contract_and_a_released_milestone(capsys, data_dir, tmp_path):
    template = ok(
        capsys,
        data_dir,
        "proposal",
        "template",
        "add",
        "--name",
        "Fixed intro",
        "--body",
        'Hi {client}, your post "{job}" is my kind of work: {skill}.',
    )
    listed = ok(capsys, data_dir, "proposal", "template", "list")
    assert [t["name"] for t in listed] == ["Fixed intro"]
    job = ok(
        capsys,
        data_dir,
        "job",
        "add",
        "--title",
        "Shopify store speed-up",
        "--client",
        "Bluefin Outdoors",
        "--budget",
        "fixed:1200",
        "--skill",
        "Shopify",
        "--question",
        "Which stores have you sped up?",
        "--url",
        "https://www.upwork.com/jobs/~01abc",
    )
    assert job["budget_min_minor"] == 120_000 and job["budget_kind"] == "fixed"
    hourly = ok(capsys, data_dir, "job", "add", "--title", "Support", "--budget", "hourly:20-45")
    assert (hourly["budget_min_minor"], hourly["budget_max_minor"]) == (2000, 4500)

    proposal = ok(
        capsys,
        data_dir,
        "proposal",
        "create",
        "--job",
        job["id"][:8],
        "--template",
        template["id"],
        "--milestone",
        "Audit and plan:400:2026-03-09",
        "--milestone",
        "Fixes and report:800",
        "--answer",
        "Three, links in my profile.",
        "--connects",
        "16",
    )
    assert proposal["bid_minor"] == 120_000 and proposal["receive_minor"] == 108_000
    assert proposal["cover_letter"].startswith("Hi Bluefin Outdoors")
    pid = proposal["id"]
    assert ok(capsys, data_dir, "proposal", "submit", pid)["state"] == "submitted"
    code, text, _ = run(capsys, data_dir, "proposal", "text", pid)
    assert code == 0 and "Milestone 2: Fixes and report" in text
    assert "Which stores have you sped up?" in text
    assert ok(capsys, data_dir, "proposal", "view", pid)["state"] == "viewed"
    assert ok(capsys, data_dir, "proposal", "interview", pid)["state"] == "interviewing"
    assert ok(capsys, data_dir, "proposal", "offer", pid)["state"] == "offer"
    contract = ok(capsys, data_dir, "proposal", "hire", pid)
    assert contract["kind"] == "fixed" and len(contract["milestones"]) == 2
    refused(capsys, data_dir, "proposal", "hire", pid, contains="already hired")

    first, second = (m["id"] for m in contract["milestones"])
    refused(capsys, data_dir, "milestone", "approve", second, contains="it is not funded")
    assert ok(capsys, data_dir, "milestone", "fund", first)["escrow_minor"] == 40_000
    assert ok(capsys, data_dir, "milestone", "submit", first, "--note", "Done")["state"] == (
        "submitted"
    )
    released = ok(capsys, data_dir, "milestone", "approve", first)
    assert (released["state"], released["escrow_minor"]) == ("released", 0)
    assert ok(capsys, data_dir, "milestone", "auto-release") == []
    added = ok(
        capsys,
        data_dir,
        "milestone",
        "add",
        "--contract",
        contract["id"],
        "--title",
        "Extra",
        "--amount",
        "150",
    )
    assert added["amount_minor"] == 15_000

    code, out, _ = run(capsys, data_dir, "proposal", "calc", "--bid", "50", "--fee", "10")
    assert code == 0 and out.strip() == (
        "client pays 50.00 USD → you receive 45.00 USD after the 10% fee"
    )

    ended = ok(capsys, data_dir, "contract", "end", contract["id"])
    assert ended["state"] == "ended"
    review = ok(
        capsys,
        data_dir,
        "review",
        "add",
        "--contract",
        contract["id"],
        "--rating",
        "5",
        "--sub",
        "communication=5",
        "--comment",
        "Great",
    )
    assert review["rating"] == 5 and review["sub_ratings"] == {"communication": 5}
    rep = ok(capsys, data_dir, "report", "reputation", "--platform", "upwork")
    assert rep["average_rating"] == 5 and "average rating =" in rep["formula"]
    code, out, _ = run(capsys, data_dir, "report", "reputation")
    assert code == 0 and "how:" in out


def test_every_illegal_step_is_one_line_and_exit_1(capsys, data_dir):
    client = ok(capsys, data_dir, "client", "add", "--name", "Acme", "--platform", "upwork")
    refused(
        capsys,
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Support",
        "--kind",
        "hourly",
        "--rate",
        "50",
        "--weekly-limit",
        "-5",
        contains="below zero",
    )
    refused(
        capsys,
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Fee",
        "--kind",
        "hourly",
        "--rate",
        "50",
        "--fee",
        "20",
        contains="15%",
    )
    hourly = ok(
        capsys,
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Support",
        "--kind",
        "hourly",
        "--rate",
        "50",
        "--weekly-limit",
        "20",
        "--rounding",
        "15m-up",
    )
    assert hourly["weekly_limit_minutes"] == 1200
    refused(
        capsys,
        data_dir,
        "milestone",
        "add",
        "--contract",
        hourly["id"],
        "--title",
        "X",
        "--amount",
        "10",
        contains="fixed-price",
    )
    assert ok(capsys, data_dir, "contract", "pause", hourly["id"])["state"] == "paused"
    refused(capsys, data_dir, "contract", "pause", hourly["id"], contains="cannot pause")
    assert ok(capsys, data_dir, "contract", "end", hourly["id"])["state"] == "ended"
    refused(capsys, data_dir, "contract", "resume", hourly["id"], contains="cannot resume")

    fixed = ok(
        capsys,
        data_dir,
        "contract",
        "create",
        "--client",
        client["id"],
        "--title",
        "Site",
        "--kind",
        "fixed",
        "--milestone",
        "One:100",
    )
    mid = fixed["milestones"][0]["id"]
    refused(capsys, data_dir, "milestone", "submit", mid, contains="cannot submit milestone")
    refused(capsys, data_dir, "milestone", "refund", mid, contains="cannot refund milestone")
    refused(capsys, data_dir, "milestone", "dispute", mid, contains="cannot dispute milestone")
    refused(
        capsys, data_dir, "milestone", "request-changes", mid, contains="cannot request changes"
    )
    refused(
        capsys,
        data_dir,
        "review",
        "add",
        "--contract",
        fixed["id"],
        "--rating",
        "5",
        contains="once it has ended",
    )
    refused(
        capsys,
        data_dir,
        "review",
        "add",
        "--contract",
        hourly["id"],
        "--rating",
        "6",
        contains="1 to 5",
    )

    job = ok(capsys, data_dir, "job", "add", "--title", "T", "--budget", "fixed:100")
    refused(
        capsys,
        data_dir,
        "job",
        "add",
        "--title",
        "T",
        "--budget",
        "hourly:45-20",
        contains="below its bottom",
    )
    refused(
        capsys, data_dir, "job", "add", "--title", "T", "--budget", "weekly:5", contains="--budget"
    )
    draft = ok(capsys, data_dir, "proposal", "create", "--job", job["id"], "--bid", "100")
    refused(capsys, data_dir, "proposal", "submit", draft["id"], contains="cover letter is empty")
    refused(capsys, data_dir, "proposal", "hire", draft["id"], contains="cannot hire proposal")
    refused(capsys, data_dir, "proposal", "view", draft["id"], contains="cannot mark as viewed")
    refused(capsys, data_dir, "proposal", "text", "deadbeef", contains="no proposal")
    refused(capsys, data_dir, "proposal", "calc", "--bid", "abc", contains="not an amount")
