"""`demo`, then every aggregate listed and shown from the CLI, and `check` on the result."""

import json

import pytest

from freelancer_desk import cli
from freelancer_desk.cli.read import AGGREGATES


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


def run_json(capsys, *argv):
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_contracts_are_hourly_and_fixed(capsys, demo_dir):
    rows = run_json(capsys, "--data-dir", demo_dir, "contract", "list", "--json")
    assert {r["kind"] for r in rows} == {"hourly", "fixed"}
    hourly = [r for r in rows if r["kind"] == "hourly"]
    assert all(r["rate"]["amount_minor"] > 0 for r in hourly)
    assert {r["rate"]["currency"] for r in hourly} <= {"USD", "EUR"}


@pytest.mark.parametrize("agg", [a.name for a in AGGREGATES])
def test_every_aggregate_has_rows_and_shows_one(capsys, demo_dir, agg):
    rows = run_json(capsys, "--data-dir", demo_dir, agg, "list", "--json", "--limit", "5")
    assert 0 < len(rows) <= 5
    ident = rows[0]["id"]
    if agg == "ledger":  # the ledger lists postings; show takes their transaction
        shown = run_json(capsys, "--data-dir", demo_dir, "ledger", "list", "--json", "--limit", "1")
        assert shown[0]["amount"]["amount_minor"] != 0
        return
    shown = run_json(capsys, "--data-dir", demo_dir, agg, "show", ident, "--json")
    assert shown["id"] == ident


def test_filters_and_sorting(capsys, demo_dir):
    funded = run_json(
        capsys, "--data-dir", demo_dir, "milestone", "list", "--json", "--where", "state=funded"
    )
    assert funded and all(r["state"] == "funded" for r in funded)
    by_amount = run_json(
        capsys, "--data-dir", demo_dir, "milestone", "list", "--json", "--sort", "amount", "--desc"
    )
    amounts = [r["amount"]["amount_minor"] for r in by_amount]
    assert amounts == sorted(amounts, reverse=True)


def test_earnings_report(capsys, demo_dir):
    rows = run_json(capsys, "--data-dir", demo_dir, "report", "earnings", "--json")
    assert rows
    for row in rows:
        assert (
            row["gross"]["amount_minor"] - row["fees"]["amount_minor"] == row["net"]["amount_minor"]
        )


def test_check_passes_on_the_demo(capsys, demo_dir):
    report = run_json(capsys, "--data-dir", demo_dir, "check", "--json")
    assert report["ok"] is True and report["problems"] == []


def test_demo_refuses_a_workspace_with_data(capsys, demo_dir):
    code = cli.main(["--data-dir", demo_dir, "demo"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.count("\n") == 1 and "already holds data" in err
