"""The CLI: list/show with JSON, and one clear line for every kind of bad input."""

import json
import sqlite3
import subprocess
import sys

import pytest

from freelancer_desk import cli
from freelancer_desk.cli.read import AGGREGATES


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path / "ws")


def test_client_add_list_show_json(capsys, data_dir):
    code, out, err = run(
        capsys,
        "--data-dir",
        data_dir,
        "client",
        "add",
        "--name",
        "Acme GmbH",
        "--platform",
        "direct",
        "--currency",
        "EUR",
        "--terms",
        "30",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["name"] == "Acme GmbH" and created["payment_terms_days"] == 30
    code, out, _ = run(capsys, "--data-dir", data_dir, "client", "list", "--json")
    rows = json.loads(out)
    assert [r["name"] for r in rows] == ["Acme GmbH"]
    code, out, _ = run(
        capsys, "--data-dir", data_dir, "client", "show", created["id"][:6], "--json"
    )
    assert code == 0 and json.loads(out)["currency"] == "EUR"


def test_every_aggregate_lists_as_json(capsys, data_dir):
    run(capsys, "--data-dir", data_dir, "client", "add", "--name", "Someone")
    for agg in AGGREGATES:
        code, out, err = run(capsys, "--data-dir", data_dir, agg.name, "list", "--json")
        assert code == 0, (agg.name, err)
        assert isinstance(json.loads(out), list)


def one_line_error(code, out, err, *, contains):
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert contains in lines[0]
    assert "Traceback" not in err


def test_unknown_id(capsys, data_dir):
    run(capsys, "--data-dir", data_dir, "client", "add", "--name", "Someone")
    one_line_error(
        *run(capsys, "--data-dir", data_dir, "contract", "show", "deadbeef"),
        contains="no contract with id 'deadbeef'",
    )
    one_line_error(
        *run(capsys, "--data-dir", data_dir, "contract", "show", "zz"), contains="is not an id"
    )


def test_missing_workspace_for_reading_is_not_created(capsys, tmp_path):
    target = tmp_path / "nothing-here"
    one_line_error(
        *run(capsys, "--data-dir", str(target), "contract", "list"), contains="no workspace at"
    )
    assert not target.exists()


def test_unwritable_data_dir(capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    one_line_error(
        *run(capsys, "--data-dir", str(blocker / "sub"), "client", "add", "--name", "x"),
        contains="cannot create data folder",
    )


def test_non_sqlite_file_untouched(capsys, tmp_path):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workspace.sqlite3").write_text("name,amount\nAcme,100\n")
    one_line_error(
        *run(capsys, "--data-dir", str(ws), "client", "list"),
        contains="not a Freelancer Desk workspace",
    )
    assert (ws / "workspace.sqlite3").read_text() == "name,amount\nAcme,100\n"


def test_newer_schema_refused(capsys, data_dir):
    run(capsys, "--data-dir", data_dir, "client", "add", "--name", "x")
    conn = sqlite3.connect(f"{data_dir}/workspace.sqlite3")
    conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    conn.commit()
    conn.close()
    one_line_error(
        *run(capsys, "--data-dir", data_dir, "client", "list"), contains="newer Freelancer Desk"
    )


@pytest.mark.parametrize(
    ("argv", "contains"),
    [
        (["client", "add", "--name", ""], "name: is required"),
        (["client", "add", "--name", "x", "--currency", "USS"], "currency"),
        (["client", "add", "--name", "x", "--timezone", "Mars/Olympus"], "timezone"),
        (["client", "add", "--name", "x", "--terms", "-3"], "payment_terms_days"),
        (["client", "add", "--name", "x\x00y"], "NUL"),
        (["client", "list", "--sort", "nope"], "--sort 'nope'"),
        (["client", "list", "--where", "nonsense"], "KEY=VALUE"),
        (["client", "list", "--where", "color=red"], "cannot filter clients by 'color'"),
    ],
)
def test_bad_input_one_line(capsys, data_dir, argv, contains):
    run(capsys, "--data-dir", data_dir, "client", "add", "--name", "seed")
    one_line_error(*run(capsys, "--data-dir", data_dir, *argv), contains=contains)


def test_usage_error_is_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "freelancer_desk",
            "--data-dir",
            str(tmp_path),
            "contract",
            "frobnicate",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "invalid choice" in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--data-dir", "/tmp/x"],
        ["--data-dir=/tmp/x", "--db-url", "sqlite:////tmp/x/w.sqlite3"],
        ["--screenshot", "/tmp/shots", "--data-dir", "/tmp/x"],
    ],
)
def test_the_window_s_options_parse_as_the_whole_command_line_does(argv):
    quick = cli.window_args(argv)
    assert quick is not None and vars(quick) == vars(cli.parse_args(argv))
    assert quick.command is None


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "hours"],
        ["--data-dir", "/tmp/x", "track", "status"],
        ["--data-dir"],
        ["-h"],
        ["--version"],
        ["--bogus"],
    ],
)
def test_anything_but_the_window_s_options_goes_to_the_whole_parser(argv):
    assert cli.window_args(argv) is None


def test_the_window_s_options_build_no_command_parser():
    code = (
        "import sys; from freelancer_desk import cli; cli.window_args(['--data-dir', '/x']); "
        "print(sorted(n for n in cli.COMMAND_MODULES if f'freelancer_desk.cli.{n}' in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
    # The check can fail: the whole parser loads them all.
    loaded = code.replace("window_args", "parse_args")
    out = subprocess.run(
        [sys.executable, "-c", loaded], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() != "[]"
