"""A damaged workspace at start-up: the recovery dialog says why, lists the good
backups, and restores the newest into place only after moving the damaged file (and its
WAL) aside — byte for byte intact. Driven without exec()."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox

from freelancer_desk import cli
from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.backup import backup_name, backup_sqlite
from freelancer_desk.storage.errors import NotAWorkspace, SchemaTooNew, StorageError
from freelancer_desk.ui import recovery
from freelancer_desk.ui.recovery import RecoveryDialog, recover_workspace, verify_workspace
from tests.damage import destroy_table_root

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM clients"))
    finally:
        conn.close()


@pytest.fixture
def workspace(tmp_path, capsys):
    """A workspace with two good backups (older: 'Old', newer: 'Old', 'New'), one bad
    backup newer than both, and a database file then damaged."""
    ws = tmp_path / "ws"
    assert cli.main(["--data-dir", str(ws), "client", "add", "--name", "Old"]) == 0
    db = ws / "workspace.sqlite3"
    backups = ws / "backups"
    backup_sqlite(db, backups / backup_name("daily", datetime(2026, 11, 20, tzinfo=UTC)))
    assert cli.main(["--data-dir", str(ws), "client", "add", "--name", "New"]) == 0
    backup_sqlite(db, backups / backup_name("daily", datetime(2026, 11, 25, tzinfo=UTC)))
    (backups / backup_name("daily", datetime(2026, 11, 26, tzinfo=UTC))).write_bytes(b"junk")
    capsys.readouterr()
    # Damage: the header survives, the rest is noise; a stale WAL lies next to it.
    data = bytearray(db.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)
    db.write_bytes(bytes(data))
    Path(f"{db}-wal").write_bytes(b"stale wal")
    return ws


def opening_error(ws: Path) -> StorageError:
    with pytest.raises(StorageError) as info:
        App.open(resolve_location(str(ws)), create=False)
    return info.value


def test_damaged_file_message_lists_good_backups_newest_first(qtbot, workspace):
    error = opening_error(workspace)
    assert isinstance(error, NotAWorkspace)
    dialog = RecoveryDialog(error, workspace / "workspace.sqlite3", workspace / "backups")
    qtbot.addWidget(dialog)
    assert "workspace.sqlite3" in dialog.message.text()
    assert "left untouched" in dialog.message.text()
    labels = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert len(labels) == 2 and "2026-11-25" in labels[0] and "2026-11-20" in labels[1]
    assert dialog.selected_backup().name.startswith("workspace-20261125")
    assert len(dialog.bad) == 1  # the junk file is skipped, not offered
    assert dialog.restore_button is not None and dialog.restore_button.isDefault()


def test_restore_moves_the_damaged_file_aside_then_opens(qtbot, workspace):
    db = workspace / "workspace.sqlite3"
    before, wal_before = digest(db), digest(Path(f"{db}-wal"))
    dialog = RecoveryDialog(opening_error(workspace), db, workspace / "backups", FakeClock(NOW))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    aside = dialog.moved_to
    assert aside == workspace / "workspace.sqlite3.damaged-20261126T090000Z"
    assert digest(aside) == before  # the damaged file, byte for byte
    assert digest(Path(f"{aside}-wal")) == wal_before
    assert not Path(f"{db}-wal").exists() or digest(Path(f"{db}-wal")) != wal_before
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert names(db) == ["New", "Old"]
    app = App.open(resolve_location(str(workspace)), create=False)  # the retry succeeds
    app.close()


def test_a_second_damage_gets_its_own_name(qtbot, workspace):
    db = workspace / "workspace.sqlite3"
    taken = workspace / "workspace.sqlite3.damaged-20261126T090000Z"
    taken.write_bytes(b"an earlier damaged copy")
    moved = recovery.move_aside(db, NOW)
    assert moved.name == "workspace.sqlite3.damaged-20261126T090000Z-2"
    assert taken.read_bytes() == b"an earlier damaged copy"


def test_a_failing_restore_puts_the_damaged_file_back(qtbot, workspace, monkeypatch):
    db = workspace / "workspace.sqlite3"
    before = digest(db)

    def broken(*_args, **_kwargs):
        raise StorageError("disk full")

    monkeypatch.setattr(recovery, "restore_sqlite", broken)
    dialog = RecoveryDialog(opening_error(workspace), db, workspace / "backups", FakeClock(NOW))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Nothing was restored: disk full" in dialog.error_label.text()
    assert digest(db) == before and Path(f"{db}-wal").read_bytes() == b"stale wal"
    assert not list(workspace.glob("*.damaged-*"))


def test_quit_changes_nothing(qtbot, workspace):
    db = workspace / "workspace.sqlite3"
    before = digest(db)
    dialog = RecoveryDialog(opening_error(workspace), db, workspace / "backups")
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert digest(db) == before and not list(workspace.glob("*.damaged-*"))


def test_no_backup_offers_quit_only(qtbot, tmp_path):
    db = tmp_path / "ws" / "workspace.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"")  # truncated to nothing
    error = opening_error(tmp_path / "ws")
    dialog = RecoveryDialog(error, db, tmp_path / "ws" / "backups")
    qtbot.addWidget(dialog)
    assert dialog.restore_button is None and dialog.quit_button.isDefault()
    assert "No usable backup" in dialog.advice.text()


def test_schema_too_new_defaults_to_quit(qtbot, workspace):
    error = SchemaTooNew("workspace.sqlite3 was written by a newer Freelancer Desk")
    dialog = RecoveryDialog(error, workspace / "workspace.sqlite3", workspace / "backups")
    qtbot.addWidget(dialog)
    assert dialog.quit_button.isDefault()
    assert "install that version" in dialog.advice.text()


def test_recover_workspace_is_the_call_for_run_gui(qtbot, workspace, monkeypatch):
    """The function the lead calls: exec() replaced by a click on Restore."""

    def exec_clicking_restore(self):
        self.restore_selected()
        return self.result()

    monkeypatch.setattr(RecoveryDialog, "exec", exec_clicking_restore)
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]))
    error = opening_error(workspace)
    assert recover_workspace(error, str(workspace), None) is True
    assert "damaged file is kept" in told[0]
    App.open(resolve_location(str(workspace)), create=False).close()


def test_a_damaged_page_inside_is_found_before_the_window_opens(qtbot, tmp_path, capsys):
    """Header and schema intact, the clients table's root page destroyed: opening alone
    would succeed and every table fail later; verify_workspace refuses it up front."""
    ws = tmp_path / "ws"
    assert cli.main(["--data-dir", str(ws), "client", "add", "--name", "Kept"]) == 0
    db = ws / "workspace.sqlite3"
    backup_sqlite(db, ws / "backups" / backup_name("daily", NOW))
    destroy_table_root(db, "clients")
    before = digest(db)
    App.open(resolve_location(str(ws)), create=False).close()  # opening does not notice
    with pytest.raises(NotAWorkspace, match=r"is damaged.*left untouched") as info:
        verify_workspace(str(ws), None)
    assert digest(db) == before
    dialog = RecoveryDialog(info.value, db, ws / "backups", FakeClock(NOW))
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert digest(dialog.moved_to) == before and names(db) == ["Kept"]
    verify_workspace(str(ws), None)
