"""Hostile input through the CLI and the services: negative, huge and over-precise
amounts (JPY has no decimals), impossible dates, a 10 MB memo, NUL bytes,
right-to-left text and emoji. Each is refused in one line naming the field (exit 1 or
2, never a traceback) or stored intact and read back the same."""

from __future__ import annotations

import json

import pytest

from freelancer_desk import cli

RTL = "\u202eשלום עולם مرحبا"
EMOJI = "Design 🎨 + café ☕ — naïve 𝄞"
BIG = "x" * (10 * 1024 * 1024)


def run(capsys, ws, *argv):
    capsys.readouterr()
    try:
        code = cli.main(["--data-dir", ws, *argv])
    except SystemExit as exc:  # argparse's usage errors: exit 2 with the message
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A workspace with a client, an hourly USD contract, a fixed JPY contract."""
    folder = str(tmp_path_factory.mktemp("hostile") / "ws")
    ids = {}
    assert cli.main(["--data-dir", folder, "client", "add", "--name", "Hostile Co", "--json"]) == 0
    return folder, ids


@pytest.fixture(scope="module")
def ids(ws):
    folder, ids = ws
    if ids:
        return ids
    import contextlib
    import io

    def call(*argv):
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert cli.main(["--data-dir", folder, *argv, "--json"]) == 0
        return json.loads(buf.getvalue())

    client = call("client", "list")[0]["id"]
    ids["client"] = client
    ids["hourly"] = call("contract", "create", "--client", client, "--title", "Hourly",
                         "--kind", "hourly", "--rate", "50")["id"]  # fmt: skip
    ids["jpy"] = call("contract", "create", "--client", client, "--title", "Yen",
                      "--kind", "fixed", "--currency", "JPY")["id"]  # fmt: skip
    return ids


def refused(code, out, err, *words):
    assert code in (1, 2), (code, out, err)
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    message = lines[-1] if code == 2 else lines[0]
    assert len(err) < 2000, "the refusal must not echo a huge input back"
    assert any(w.lower() in message.lower() for w in words), message
    return message


# (what, argv builder, words one of which the refusal names)
REFUSED = [
    ("negative rate", lambda i: ["contract", "create", "--client", i["client"], "--title", "T",
                                 "--kind", "hourly", "--rate", "-5"], ["rate"]),
    ("huge rate", lambda i: ["contract", "create", "--client", i["client"], "--title", "T",
                             "--kind", "hourly", "--rate", "9" * 40], ["rate", "large"]),
    ("cents on a rate", lambda i: ["contract", "create", "--client", i["client"], "--title",
                                   "T", "--kind", "hourly", "--rate", "10.001"], ["rate"]),
    ("fee over 100%", lambda i: ["contract", "create", "--client", i["client"], "--title", "T",
                                 "--kind", "hourly", "--rate", "5", "--fee", "150"], ["fee"]),
    ("fee NaN", lambda i: ["contract", "create", "--client", i["client"], "--title", "T",
                           "--kind", "hourly", "--rate", "5", "--fee", "sNaN"], ["fee"]),
    ("unknown currency", lambda i: ["contract", "create", "--client", i["client"], "--title",
                                    "T", "--kind", "fixed", "--currency", "XYZ"], ["currency"]),
    ("yen with decimals", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                                     "--amount", "1000.5"], ["amount", "decimals"]),
    ("negative milestone", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                                      "--amount", "-1000"], ["amount"]),
    ("zero milestone", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                                  "--amount", "0"], ["amount"]),
    ("huge milestone", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                                  "--amount", "1" + "0" * 30], ["amount", "large"]),
    ("Feb 30 due", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                              "--amount", "1000", "--due", "2026-02-30"], ["due", "date"]),
    ("year 0 due", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title", "M",
                              "--amount", "1000", "--due", "0000-01-01"], ["due", "date"]),
    ("10 MB milestone title", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title",
                                         BIG, "--amount", "1000"], ["title"]),
    ("NUL in a title", lambda i: ["milestone", "add", "--contract", i["jpy"], "--title",
                                  "a\x00b", "--amount", "1000"], ["title", "nul"]),
    ("empty client name", lambda i: ["client", "add", "--name", "  "], ["name"]),
    ("NUL in a client name", lambda i: ["client", "add", "--name", "A\x00B"], ["name", "nul"]),
    ("10 MB client name", lambda i: ["client", "add", "--name", BIG], ["name"]),
    ("bad zone", lambda i: ["client", "add", "--name", "Z", "--timezone", "Mars/Olympus"],
     ["zone", "timezone"]),
    ("10 MB memo", lambda i: ["track", "manual", "--contract", i["hourly"], "--from",
                              "2026-01-05T09:00", "--to", "2026-01-05T10:00", "--utc",
                              "--memo", BIG], ["memo"]),
    ("NUL in a memo", lambda i: ["track", "manual", "--contract", i["hourly"], "--from",
                                 "2026-01-05T09:00", "--to", "2026-01-05T10:00", "--utc",
                                 "--memo", "a\x00b"], ["memo", "nul"]),
    ("Feb 30 manual time", lambda i: ["track", "manual", "--contract", i["hourly"], "--from",
                                      "09:00", "--to", "10:00", "--date", "2026-02-30",
                                      "--memo", "m"], ["date", "from"]),
    ("25:00 manual time", lambda i: ["track", "manual", "--contract", i["hourly"], "--from",
                                     "25:00", "--to", "26:00", "--memo", "m"], ["from"]),
    ("year 0 diary", lambda i: ["track", "diary", "--date", "0000-01-01"], ["date"]),
    ("Feb 30 diary", lambda i: ["track", "diary", "--date", "2026-02-30"], ["date"]),
    ("Feb 30 report", lambda i: ["report", "earnings", "--from", "2026-02-30"], ["date", "from"]),
    ("bad rounding", lambda i: ["contract", "create", "--client", i["client"], "--title", "T",
                                "--kind", "hourly", "--rate", "5", "--rounding", "0m-up"],
     ["rounding"]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "argv", "words"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_in_one_line_naming_the_field(capsys, ws, ids, what, argv, words):
    folder, _ = ws
    code, out, err = run(capsys, folder, *argv(ids))
    refused(code, out, err, *words)


@pytest.mark.parametrize("text", [RTL, EMOJI, "tab\tand\nnewline", "'; DROP TABLE clients; --"])
def test_text_is_stored_intact(capsys, ws, ids, text):
    folder, _ = ws
    code, out, err = run(capsys, folder, "client", "add", "--name", text, "--json")
    assert code == 0, err
    client = json.loads(out)["id"]
    code, out, err = run(capsys, folder, "client", "show", client, "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == text.strip()


@pytest.mark.parametrize("memo", [RTL, EMOJI, "m" * 1000])
def test_memo_round_trips_through_the_diary(capsys, ws, ids, memo):
    folder, _ = ws
    day = {RTL: "2026-01-06", EMOJI: "2026-01-07"}.get(memo, "2026-01-08")
    code, out, err = run(capsys, folder, "track", "manual", "--contract", ids["hourly"],
                         "--from", f"{day}T09:00", "--to", f"{day}T09:30", "--utc",
                         "--memo", memo, "--json")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, folder, "track", "diary", "--date", day, "--utc", "--json")
    assert code == 0, err
    assert memo in json.dumps(json.loads(out), ensure_ascii=False)


def test_yen_amount_is_stored_in_whole_yen(capsys, ws, ids):
    folder, _ = ws
    code, out, err = run(capsys, folder, "milestone", "add", "--contract", ids["jpy"],
                         "--title", "¥ 一", "--amount", "¥1,000,000", "--json")  # fmt: skip
    assert code == 0, err
    row = json.loads(out)
    assert row["title"] == "¥ 一"
    assert (row["amount_minor"], row["currency"]) == (1_000_000, "JPY")
