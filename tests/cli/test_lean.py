"""The lean read path (cli/lean.py): `report hours`, `report earnings` and `track diary`
answered with sqlite3 alone print exactly what the normal path prints, load no
SQLAlchemy, and step aside whenever the normal path would write or say something else."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from freelancer_desk import cli
from freelancer_desk.cli import lean
from freelancer_desk.cli.common import QuietParser

# The lean path reads SQLite files only (on a server database the normal path answers).
pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.sqlite_only]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("lean") / "ws"
    assert cli.main(["--data-dir", str(path), "demo", "--json"]) == 0
    return str(path)


def db_path(data_dir: str) -> Path:
    return Path(data_dir) / "workspace.sqlite3"


def query(data_dir: str, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db_path(data_dir))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def lean_lines(argv: list[str]) -> list[str]:
    """What the lean path prints for `argv`; Fallback if it steps aside."""
    only = cli.lean_command(argv)
    assert only is not None, argv
    return lean.lines(cli.build_parser(only, QuietParser).parse_args(argv))


def normal_output(argv: list[str], capsys, monkeypatch) -> str:
    monkeypatch.setenv(lean.LEAN_ENV, "0")
    capsys.readouterr()
    code = cli.main(argv)
    out, err = capsys.readouterr()
    monkeypatch.delenv(lean.LEAN_ENV)
    assert code == 0, err
    return out


def periods(data_dir: str) -> list[list[str]]:
    first, last = query(data_dir, "SELECT min(slot_start), max(slot_start) FROM segments")[0]
    lo, hi = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    middle = lo + (hi - lo) / 2
    return [
        [],  # all time
        ["--from", lo.isoformat(), "--to", hi.isoformat()],
        ["--from", middle.isoformat()],  # to today
        ["--from", (lo + timedelta(days=3)).isoformat(), "--to", middle.isoformat()],
        ["--from", "2001-01-01", "--to", "2001-02-01"],  # nothing there
    ]


def test_hours_lean_equals_normal_for_periods_zones_and_a_contract(demo_dir, capsys, monkeypatch):
    contract = query(
        demo_dir,
        "SELECT contract_id FROM segments WHERE contract_id IS NOT NULL "
        "GROUP BY contract_id ORDER BY count(*) DESC LIMIT 1",
    )[0][0]
    compared = 0
    for period in periods(demo_dir):
        for zone in (["--tz", "UTC"], ["--tz", "Europe/Berlin"], ["--tz", "Asia/Kolkata"], []):
            for target in ([], ["--contract", str(uuid.UUID(contract))]):
                argv = ["--data-dir", demo_dir, "report", "hours", *period, *zone, *target]
                got = "".join(line + "\n" for line in lean_lines(argv))
                assert got == normal_output(argv, capsys, monkeypatch), argv
                compared += 1
    assert compared == 5 * 4 * 2
    # the demo has orders as well as contracts, and rows in both shapes were printed
    assert query(demo_dir, "SELECT count(*) FROM segments WHERE order_id IS NOT NULL")[0][0]


@pytest.mark.parametrize("by", ["client", "platform", "month", "year"])
def test_earnings_lean_equals_normal(demo_dir, by, capsys, monkeypatch):
    for period in periods(demo_dir):
        argv = ["--data-dir", demo_dir, "report", "earnings", "--by", by, *period]
        got = "".join(line + "\n" for line in lean_lines(argv))
        assert got == normal_output(argv, capsys, monkeypatch), argv
    assert len(lean_lines(["--data-dir", demo_dir, "report", "earnings", "--by", by])) > 1


def diary_days(data_dir: str) -> list[str]:
    """Days of the demo worth comparing: the busiest, ones with deleted, manual and
    over-limit segments, the first and the last, and one with nothing tracked."""
    picks = [
        "SELECT substr(slot_start, 1, 10) FROM segments GROUP BY 1 ORDER BY count(*) DESC LIMIT 2",
        "SELECT substr(slot_start, 1, 10) FROM segments WHERE deleted LIMIT 2",
        "SELECT substr(slot_start, 1, 10) FROM segments WHERE manual LIMIT 2",
        "SELECT substr(slot_start, 1, 10) FROM segments WHERE over_limit LIMIT 2",
        "SELECT substr(min(slot_start), 1, 10) FROM segments",
        "SELECT substr(max(slot_start), 1, 10) FROM segments",
    ]
    days = {row[0] for sql in picks for row in query(data_dir, sql)}
    return [*sorted(days), "2001-05-05"]


def test_diary_lean_equals_normal_for_days_and_zones(demo_dir, capsys, monkeypatch):
    days = diary_days(demo_dir)
    assert len(days) >= 5
    kinds = set()
    for day in days:
        for zone in (["--utc"], ["--tz", "Europe/Berlin"], ["--tz", "Asia/Kolkata"], []):
            argv = ["--data-dir", demo_dir, "track", "diary", "--date", day, *zone]
            got = "".join(line + "\n" for line in lean_lines(argv))
            assert got == normal_output(argv, capsys, monkeypatch), argv
            kinds |= {mark for mark in ("m]", "x]", "!]") if mark in got}
    assert kinds == {"m]", "x]", "!]"}  # manual, deleted and over-limit cells were compared
    argv = ["--data-dir", demo_dir, "track", "diary"]  # today, this computer's zone
    assert "".join(line + "\n" for line in lean_lines(argv)) == normal_output(
        argv, capsys, monkeypatch
    )


def test_diary_in_a_zone_with_a_clock_change(demo_dir, capsys, monkeypatch):
    last = query(demo_dir, "SELECT substr(max(slot_start), 1, 10) FROM segments")[0][0]
    for zone in ("America/New_York", "Europe/Berlin"):
        tz = ZoneInfo(zone)
        day = date.fromisoformat(last)
        while day.year > 2020:  # the last clock change before the demo's last day
            start = datetime.combine(day, datetime.min.time(), tz)
            if start.utcoffset() != (start + timedelta(days=1)).utcoffset():
                break
            day -= timedelta(days=1)
        argv = ["--data-dir", demo_dir, "track", "diary", "--date", day.isoformat(), "--tz", zone]
        got = lean_lines(argv)
        assert "".join(line + "\n" for line in got) == normal_output(argv, capsys, monkeypatch)


@pytest.mark.parametrize(
    "command",
    [["report", "hours", "--tz", "Asia/Kolkata"], ["track", "diary", "--utc"]],
    ids=["hours", "diary"],
)
def test_the_command_answers_without_sqlalchemy_in_a_fresh_process(
    demo_dir, command, capsys, monkeypatch
):
    argv = ["--data-dir", demo_dir, *command]
    script = (
        "import sys\n"
        "from freelancer_desk.__main__ import main\n"
        f"code = main({argv!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'PySide6') or m == 'freelancer_desk.app' "
        "or m.startswith('freelancer_desk.storage.models'))\n"
        "sys.stderr.write(f'heavy={heavy}\\n')\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != lean.LEAN_ENV}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "heavy=[]" in done.stderr
    assert done.stdout == normal_output(argv, capsys, monkeypatch)
    assert done.stdout.count("\n") > 3


# -- stepping aside -------------------------------------------------------------------


@pytest.fixture
def copy_dir(demo_dir, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo_dir, target)
    return str(target)


HOURS = ["report", "hours"]


def test_steps_aside_for_options_it_does_not_implement(demo_dir):
    for extra in (["--json"], ["--csv"], ["--contract", "not-an-id"], ["--tz", "Mars/Base"]):
        with pytest.raises(lean.Fallback):
            lean_lines(["--data-dir", demo_dir, *HOURS, *extra])
    with pytest.raises(lean.Fallback):
        lean_lines(["--data-dir", demo_dir, *HOURS, "--from", "2026-02-01", "--to", "2026-01-01"])
    with pytest.raises(lean.Fallback):
        lean_lines(["--data-dir", demo_dir, "report", "earnings", "--json"])
    for extra in (["--json"], ["--date", "yesterday"], ["--tz", "Mars/Base"]):
        with pytest.raises(lean.Fallback):
            lean_lines(["--data-dir", demo_dir, "track", "diary", *extra])


def test_steps_aside_for_another_database_or_an_old_schema(copy_dir, tmp_path):
    with pytest.raises(lean.Fallback, match="SQLite"):
        lean_lines(["--db-url", "postgresql://u@localhost/x", "--data-dir", copy_dir, *HOURS])
    with pytest.raises(lean.Fallback, match="no workspace"):
        lean_lines(["--data-dir", str(tmp_path / "nowhere"), *HOURS])
    conn = sqlite3.connect(db_path(copy_dir))
    conn.execute("UPDATE alembic_version SET version_num = '0002'")
    conn.commit()
    conn.close()
    with pytest.raises(lean.Fallback, match="schema"):
        lean_lines(["--data-dir", copy_dir, *HOURS])


def test_steps_aside_without_a_device_id(copy_dir):
    (Path(copy_dir) / "device-id").unlink()
    with pytest.raises(lean.Fallback, match="device"):
        lean_lines(["--data-dir", copy_dir, *HOURS])


def _running_session(data_dir: str, pid: int | None, seen: datetime) -> None:
    device = (Path(data_dir) / "device-id").read_text().strip()
    stamp = seen.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    conn = sqlite3.connect(db_path(data_dir))
    conn.execute(
        """INSERT INTO time_sessions (contract_id, order_id, memo, started_at, ended_at,
               last_seen_at, device_id, pid, end_reason, manual, id, created_at, updated_at)
           SELECT contract_id, order_id, memo, ?, NULL, ?, ?, ?, NULL, 0, ?, ?, ?
           FROM time_sessions WHERE contract_id IS NOT NULL LIMIT 1""",
        (stamp, stamp, device, pid, uuid.uuid4().hex, stamp, stamp),
    )
    conn.commit()
    conn.close()


def _gone_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_steps_aside_when_a_running_session_may_be_an_orphan(copy_dir, capsys):
    _running_session(copy_dir, _gone_pid(), datetime.now(UTC))
    with pytest.raises(lean.Fallback, match="process"):
        lean_lines(["--data-dir", copy_dir, *HOURS])
    # the normal path then closes it and says so, and the next command is lean again
    capsys.readouterr()
    assert cli.main(["--data-dir", copy_dir, *HOURS]) == 0
    assert "closed session" in capsys.readouterr().err
    assert lean_lines(["--data-dir", copy_dir, *HOURS])


def test_a_session_without_a_process_id_steps_aside(copy_dir):
    _running_session(copy_dir, None, datetime.now(UTC))
    with pytest.raises(lean.Fallback, match="process"):
        lean_lines(["--data-dir", copy_dir, *HOURS])


def test_a_live_tracker_with_a_fresh_heartbeat_is_no_reason_to_step_aside(copy_dir):
    _running_session(copy_dir, os.getpid(), datetime.now(UTC))
    assert lean_lines(["--data-dir", copy_dir, *HOURS])


def test_a_live_process_with_a_stale_heartbeat_steps_aside(copy_dir):
    _running_session(copy_dir, os.getpid(), datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(lean.Fallback, match="stale"):
        lean_lines(["--data-dir", copy_dir, *HOURS])


def test_fallback_runs_the_normal_path_with_its_message(tmp_path, capsys):
    code = cli.main(["--data-dir", str(tmp_path / "nowhere"), *HOURS])
    assert code == 1
    assert "no workspace" in capsys.readouterr().err


def test_lean_off_by_environment(demo_dir, monkeypatch, capsys):
    monkeypatch.setenv(lean.LEAN_ENV, "0")
    assert cli.answer_lean(["--data-dir", demo_dir, *HOURS]) is None
    monkeypatch.delenv(lean.LEAN_ENV)
    capsys.readouterr()
    assert cli.answer_lean(["--data-dir", demo_dir, *HOURS]) == 0
    assert capsys.readouterr().out


# -- the lean parser's scan ------------------------------------------------------------


def test_lean_command_scan():
    assert cli.lean_command(["report", "hours"]) == ("report", "hours")
    assert cli.lean_command(["--data-dir", "x", "report", "earnings", "--by", "month"]) == (
        "report",
        "earnings",
    )
    assert cli.lean_command(["--db-url=sqlite:///x", "track", "diary"]) == ("track", "diary")
    assert cli.lean_command(["report", "gigs"]) is None
    assert cli.lean_command(["report", "hours", "--help"]) is None
    assert cli.lean_command(["--data", "x", "report", "hours"]) is None
    assert cli.lean_command(["contract", "list"]) is None


def test_a_usage_error_is_the_whole_parsers(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["report", "hours", "--from", "yesterday"])
    assert exc.value.code == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("freelancer-desk report hours: error: argument --from")
    assert err.count("\n") == 1


# -- the rules it shares with the normal path ------------------------------------------


def test_constants_agree_with_the_normal_path():
    from freelancer_desk.services.ledger import EARNED_KINDS, _group_key
    from freelancer_desk.storage import migrate, revision

    assert revision.HEAD == migrate.HEAD == migrate.head_revision() == lean.HEAD
    assert tuple(lean.EARNED_KINDS) == tuple(EARNED_KINDS)
    assert _group_key("client", datetime.now(UTC), "upwork", None, {})[1] == lean.NO_CLIENT


def test_stored_ids_print_as_uuids_do():
    for _ in range(200):
        value = uuid.uuid4()
        assert lean._uuid_text(value.hex) == str(value)
