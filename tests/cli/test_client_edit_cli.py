"""`client edit` changes only the fields given; `client archive` (and `--undo`); both
print JSON with --json and refuse bad input in one line naming the field."""

import json

import pytest

from freelancer_desk import cli


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ws(tmp_path, capsys):
    data_dir = str(tmp_path / "ws")
    code, out, _ = run(
        capsys,
        *("--data-dir", data_dir, "client", "add", "--name", "Acme", "--platform", "direct"),
        *("--company", "Acme GmbH", "--currency", "EUR", "--terms", "30", "--json"),
    )
    assert code == 0
    return data_dir, json.loads(out)


def test_edit_changes_only_the_fields_given(capsys, ws):
    data_dir, client = ws
    code, out, err = run(
        capsys, "--data-dir", data_dir, "client", "edit", client["id"][:6],
        "--name", "Acme Ltd", "--email", "billing@acme.example", "--json",
    )  # fmt: skip
    assert (code, err) == (0, "")
    edited = json.loads(out)
    assert (edited["name"], edited["email"]) == ("Acme Ltd", "billing@acme.example")
    kept = ("platform", "company", "currency", "payment_terms_days")
    assert {k: edited[k] for k in kept} == {
        "platform": "direct",
        "company": "Acme GmbH",
        "currency": "EUR",
        "payment_terms_days": 30,
    }

    code, out, _ = run(
        capsys, "--data-dir", data_dir, "client", "edit", client["id"],
        "--company", "", "--terms", "", "--platform", "upwork",
    )  # fmt: skip
    assert code == 0 and "platform, company, payment_terms_days" in out
    code, out, _ = run(capsys, "--data-dir", data_dir, "client", "show", client["id"], "--json")
    shown = json.loads(out)
    assert (shown["company"], shown["payment_terms_days"], shown["platform"]) == (
        None,
        None,
        "upwork",
    )
    assert shown["name"] == "Acme Ltd"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give at least one field to change"),
        (("--timezone", "Mars/Olympus"), "timezone: 'Mars/Olympus' is not an IANA zone"),
        (("--terms", "400"), "payment_terms_days: 400 must be between 0 and 365"),
        (("--name", ""), "name: is required"),
        (("--email", "nobody"), "email: 'nobody' is not an address"),
    ],
)
def test_edit_refusals_name_the_field_and_change_nothing(capsys, ws, args, message):
    data_dir, client = ws
    code, out, err = run(capsys, "--data-dir", data_dir, "client", "edit", client["id"], *args)
    assert code != 0 and out == ""
    assert message in err and "Traceback" not in err
    _, out, _ = run(capsys, "--data-dir", data_dir, "client", "show", client["id"], "--json")
    assert json.loads(out) == client


def test_edit_refuses_a_platform_held_by_a_contract(capsys, ws):
    data_dir, client = ws
    code, _, err = run(
        capsys, "--data-dir", data_dir, "contract", "create", "--client", client["id"],
        "--title", "Support", "--kind", "fixed", "--currency", "EUR",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "--data-dir", data_dir, "client", "edit", client["id"], "--platform", "upwork"
    )
    assert code != 0
    assert "platform: Acme holds 1 contract on direct" in err


def test_edit_of_an_unknown_client_says_so(capsys, ws):
    data_dir, _client = ws
    code, _, err = run(capsys, "--data-dir", data_dir, "client", "edit", "ffffffff", "--name", "x")
    assert code != 0 and "client" in err and "Traceback" not in err


def test_archive_and_undo(capsys, ws):
    data_dir, client = ws
    code, out, _ = run(capsys, "--data-dir", data_dir, "client", "archive", client["id"][:8])
    assert code == 0 and out.startswith("archived client Acme")
    code, out, _ = run(
        capsys, "--data-dir", data_dir, "client", "list", "--where", "archived=true", "--json"
    )
    assert [r["id"] for r in json.loads(out)] == [client["id"]]
    code, out, _ = run(
        capsys, "--data-dir", data_dir, "client", "archive", client["id"], "--undo", "--json"
    )
    assert code == 0 and json.loads(out)["archived"] is False
