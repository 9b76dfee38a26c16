"""`backup` and `restore`: copies are private and consistent; a bad backup never
replaces a good workspace; the workspace replaced is kept aside."""

import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from freelancer_desk import cli
from freelancer_desk.storage.backup import daily_backup, list_backups


def run(capsys, *argv):
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def client_names(path):
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM clients"))
    finally:
        conn.close()


def test_backup_then_restore_round_trip(capsys, tmp_path):
    ws = str(tmp_path / "ws")
    assert run(capsys, "--data-dir", ws, "client", "add", "--name", "Before")[0] == 0
    code, out, err = run(capsys, "--data-dir", ws, "backup", "now", "--json")
    assert code == 0, err
    copy = json.loads(out)["backup"]
    assert stat.S_IMODE((tmp_path / "ws" / "backups").stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(copy).stat().st_mode) == 0o600
    assert run(capsys, "--data-dir", ws, "client", "add", "--name", "After")[0] == 0
    assert client_names(tmp_path / "ws" / "workspace.sqlite3") == ["After", "Before"]

    code, out, err = run(capsys, "--data-dir", ws, "restore", copy, "--json")
    assert code == 0, err
    previous = json.loads(out)["previous"]
    assert client_names(tmp_path / "ws" / "workspace.sqlite3") == ["Before"]
    assert client_names(previous) == ["After", "Before"]  # nothing lost by restoring
    code, out, _ = run(capsys, "--data-dir", ws, "backup", "list", "--json")
    assert {copy, previous} <= {row["path"] for row in json.loads(out)}


def test_a_bad_backup_is_refused_and_changes_nothing(capsys, tmp_path):
    ws = str(tmp_path / "ws")
    run(capsys, "--data-dir", ws, "client", "add", "--name", "Keep me")
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE photos (id INTEGER)")
    conn.commit()
    conn.close()
    for bad in (garbage, foreign, tmp_path / "missing.sqlite3"):
        code, _, err = run(capsys, "--data-dir", ws, "restore", str(bad))
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert "nothing was restored" in err or "no backup" in err or "another program" in err
    assert client_names(tmp_path / "ws" / "workspace.sqlite3") == ["Keep me"]
    assert not (tmp_path / "ws" / "backups").exists() or not list_backups(
        tmp_path / "ws" / "backups"
    )


def test_daily_backup_once_a_day_and_rotated(tmp_path, capsys):
    ws = tmp_path / "ws"
    run(capsys, "--data-dir", str(ws), "client", "add", "--name", "x")
    source = ws / "workspace.sqlite3"
    folder = ws / "backups"
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert daily_backup(source, folder, start) is not None
    assert daily_backup(source, folder, start + timedelta(hours=23)) is None
    for day in range(1, 10):
        assert daily_backup(source, folder, start + timedelta(days=day)) is not None
    assert len(list_backups(folder)) == 7
