"""Money commands on the demo: earnings JSON and CSV equal an independent sum over the
ledger rows; an invoice goes create → issue → paid → pdf."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from freelancer_desk import cli

EARNED = ("fees", "pending", "available", "withdrawn")


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("money") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


def run(capsys, *argv):
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def ledger_sum(demo_dir):
    db = sqlite3.connect(Path(demo_dir) / "workspace.sqlite3")
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for client, kind, cur, amount in db.execute(
        "select client_id, account_kind, currency, amount_minor from ledger_postings"
    ):
        if kind in EARNED:
            key = (client or "", cur)
            sums[key][0] += amount
            sums[key][1] += amount if kind == "fees" else 0
    db.close()
    return {k: v for k, v in sums.items() if v != [0, 0]}


def hexid(key):
    return key.replace("-", "")


def test_earnings_json_and_csv_equal_the_ledger(capsys, demo_dir):
    expected = ledger_sum(demo_dir)
    rows = json.loads(run(capsys, "--data-dir", demo_dir, "report", "earnings", "--json"))
    got = {
        (hexid(r["key"]), r["currency"]): [r["gross"]["amount_minor"], r["fees"]["amount_minor"]]
        for r in rows
        if r["gross"]["amount_minor"] or r["fees"]["amount_minor"]
    }
    assert got == expected
    text = run(capsys, "--data-dir", demo_dir, "report", "earnings", "--csv")
    parsed = list(csv.DictReader(io.StringIO(text)))
    from_csv = {
        (hexid(r["key"]), r["currency"]): [
            int(Decimal(r["gross"]) * 100),
            int(Decimal(r["fees"]) * 100),
        ]
        for r in parsed
        if Decimal(r["gross"]) or Decimal(r["fees"])
    }
    assert from_csv == expected


@pytest.mark.parametrize("by", ["platform", "month", "year"])
def test_earnings_by_other_groups_keep_the_total(capsys, demo_dir, by):
    rows = json.loads(
        run(capsys, "--data-dir", demo_dir, "report", "earnings", "--by", by, "--json")
    )
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[r["currency"]] += r["gross"]["amount_minor"]
    expected: dict[str, int] = defaultdict(int)
    for (_client, cur), (gross, _fees) in ledger_sum(demo_dir).items():
        expected[cur] += gross
    assert {k: v for k, v in totals.items() if v} == {k: v for k, v in expected.items() if v}


@pytest.mark.parametrize("name", ["hours", "proposals", "gigs"])
def test_other_reports_print_json_and_csv(capsys, demo_dir, name):
    rows = json.loads(run(capsys, "--data-dir", demo_dir, "report", name, "--json"))
    assert rows
    text = run(capsys, "--data-dir", demo_dir, "report", name, "--csv")
    assert len(list(csv.reader(io.StringIO(text)))) == len(rows) + 1


def test_ledger_commands(capsys, demo_dir):
    balances = json.loads(run(capsys, "--data-dir", demo_dir, "ledger", "balances", "--json"))
    assert {"escrow", "pending", "available"} <= set(balances)
    run(capsys, "--data-dir", demo_dir, "ledger", "pending")
    days = json.loads(
        run(
            capsys,
            "--data-dir",
            demo_dir,
            "ledger",
            "calendar",
            "--from",
            "2026-01-01",
            "--to",
            "2027-12-31",
            "--json",
        )
    )
    assert days


def test_invoice_create_issue_paid_pdf(capsys, demo_dir, tmp_path):
    db = sqlite3.connect(Path(demo_dir) / "workspace.sqlite3")
    (client,) = db.execute("select id from clients where platform = 'direct' limit 1").fetchone()
    db.close()
    created = json.loads(
        run(
            capsys,
            "--data-dir",
            demo_dir,
            "invoice",
            "create",
            "--client",
            client[:8],
            "--line",
            "Design review|2.5|85",
            "--line",
            "Hosting setup|1|120.00",
            "--json",
        )
    )
    assert created["total_minor"] == 21250 + 12000
    ident = created["id"]
    issued = json.loads(run(capsys, "--data-dir", demo_dir, "invoice", "issue", ident, "--json"))
    assert issued["state"] == "issued" and issued["number"]
    paid = json.loads(run(capsys, "--data-dir", demo_dir, "invoice", "paid", ident, "--json"))
    assert paid["state"] == "paid"
    out = tmp_path / "invoice.pdf"
    run(capsys, "--data-dir", demo_dir, "invoice", "pdf", ident, "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_errors_are_one_line(capsys, demo_dir):
    for argv in (
        ["invoice", "create", "--client", "nope", "--line", "a|1|2"],
        ["invoice", "create", "--client", "nope", "--line", "broken"],
        ["invoice", "void", "00000000"],
        ["ledger", "calendar", "--from", "2026-12-01", "--to", "2026-11-01"],
    ):
        capsys.readouterr()
        assert cli.main(["--data-dir", demo_dir, *argv]) != 0
        _out, err = capsys.readouterr()
        assert err.count("\n") == 1, err
