"""A workspace that cannot be opened at start-up: say why, and offer the newest good
backup — never a traceback, never an overwrite of the damaged file.

`run_gui` calls `recover_workspace(exc, args.data_dir, args.db_url)` when opening fails
with `NotAWorkspace` or `SchemaTooNew`; True means a backup was put in place and opening
may be tried again. The damaged file (with its -wal and -shm files, which belong to it
and would spoil the restored copy) is moved aside under a new name in the same folder
first; the backup is then copied into the workspace's path. Nothing is deleted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.clock import Clock, SystemClock
from freelancer_desk.storage.backup import list_backups
from freelancer_desk.storage.errors import SchemaTooNew, StorageError
from freelancer_desk.storage.restore import check_backup, restore_sqlite

PRIVATE_FILE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class GoodBackup:
    path: Path
    revision: str

    @property
    def label(self) -> str:
        stamp, _, reason = self.path.name.removeprefix("workspace-").partition("-")
        try:
            when = (
                datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
                .replace(tzinfo=UTC)
                .strftime("%Y-%m-%d %H:%M UTC")
            )
        except ValueError:
            when = stamp
        reason = reason.removesuffix(".sqlite3")
        return f"{when} — {reason} ({self.path.name})"


def good_backups(folder: Path) -> tuple[list[GoodBackup], list[tuple[Path, str]]]:
    """(backups that pass `check_backup`, newest first; the refused ones with why)."""
    good: list[GoodBackup] = []
    bad: list[tuple[Path, str]] = []
    for path in list_backups(folder):
        try:
            good.append(GoodBackup(path, check_backup(path)))
        except StorageError as exc:
            bad.append((path, str(exc)))
    return good, bad


def move_aside(path: Path, now: datetime) -> Path:
    """Rename the damaged database (and its -wal/-shm/-journal files) to a name that
    did not exist; return the database's new path. Nothing is overwritten."""
    base = f"{path.name}.damaged-{now.strftime('%Y%m%dT%H%M%SZ')}"
    aside = path.with_name(base)
    n = 1
    while any(Path(f"{aside}{side}").exists() for side in ("", *SIDE_FILES)):
        n += 1
        aside = path.with_name(f"{base}-{n}")
    if path.exists():
        os.rename(path, aside)
    for side in SIDE_FILES:
        extra = Path(f"{path}{side}")
        if extra.exists():
            os.rename(extra, Path(f"{aside}{side}"))
    return aside


def restore_newest(backup: Path, target: Path, backup_dir: Path, now: datetime) -> Path:
    """Move the damaged `target` aside and copy `backup` into its place (0600); return
    where the damaged file now is."""
    check_backup(backup)  # refused before anything moves
    aside = move_aside(target, now)
    try:
        restore_sqlite(backup, target, backup_dir, now)
        os.chmod(target, PRIVATE_FILE)
    except BaseException:
        # Put things back as they were: the damaged file where the user left it.
        for side in ("", *SIDE_FILES):
            Path(f"{target}{side}").unlink(missing_ok=True)
            moved = Path(f"{aside}{side}")
            if moved.exists():
                os.rename(moved, Path(f"{target}{side}"))
        raise
    return aside


class RecoveryDialog(QDialog):
    """The message, the good backups (newest preselected), Restore / Quit."""

    def __init__(
        self,
        error: StorageError,
        db_path: Path,
        backup_dir: Path,
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock or SystemClock()
        self.db_path = db_path
        self.backup_dir = backup_dir
        self.restored_from: Path | None = None
        self.moved_to: Path | None = None
        self.setWindowTitle("Freelancer Desk cannot open the workspace")
        self.setObjectName("recoveryDialog")
        too_new = isinstance(error, SchemaTooNew)
        self.good, self.bad = good_backups(backup_dir)

        layout = QVBoxLayout(self)
        self.message = QLabel(str(error))
        self.message.setObjectName("recoveryMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        advice = (
            "A newer Freelancer Desk wrote this workspace: install that version to open it. "
            "Restoring a backup instead loses what was entered since the backup."
            if too_new
            else "The file was not changed."
        )
        if self.good:
            advice += (
                f" You can restore a backup from {backup_dir}: the damaged file is kept, "
                "renamed, next to the restored one."
            )
        else:
            advice += f" No usable backup was found in {backup_dir}."
        self.advice = QLabel(advice)
        self.advice.setWordWrap(True)
        layout.addWidget(self.advice)

        self.list = QListWidget()
        self.list.setObjectName("recoveryBackups")
        self.list.setAccessibleName("Good backups, newest first")
        for backup in self.good:
            item = QListWidgetItem(backup.label)
            item.setData(Qt.ItemDataRole.UserRole, str(backup.path))
            self.list.addItem(item)
        if self.good:
            self.list.setCurrentRow(0)
        self.list.setVisible(bool(self.good))
        layout.addWidget(self.list)
        if self.bad:
            skipped = QLabel(f"{len(self.bad)} backup file(s) skipped: damaged or not ours.")
            skipped.setToolTip("\n".join(why for _p, why in self.bad))
            layout.addWidget(skipped)

        self.error_label = QLabel("")
        self.error_label.setObjectName("recoveryError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: palette(highlight);")
        self.error_label.hide()
        layout.addWidget(self.error_label)

        buttons = QDialogButtonBox()
        self.restore_button: QPushButton | None = None
        if self.good:
            self.restore_button = buttons.addButton(
                "Restore the selected backup", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.restore_button.setObjectName("restoreButton")
            self.restore_button.clicked.connect(self.restore_selected)
        self.quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setObjectName("quitButton")
        self.quit_button.clicked.connect(self.reject)
        default = self.quit_button if too_new or not self.good else self.restore_button
        if default is not None:
            default.setDefault(True)
        layout.addWidget(buttons)

    def selected_backup(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def restore_selected(self) -> None:
        backup = self.selected_backup()
        if backup is None:
            return
        try:
            self.moved_to = restore_newest(backup, self.db_path, self.backup_dir, self.clock.now())
        except (StorageError, OSError) as exc:
            self.error_label.setText(f"Nothing was restored: {exc}")
            self.error_label.show()
            return
        self.restored_from = backup
        self.accept()


def verify_workspace(data_dir: str | None, db_url: str | None) -> None:
    """Before the window opens the workspace: raise `NotAWorkspace` if the SQLite file
    has a damaged page anywhere (opening only reads its schema, so such a file would
    open and fail later, table by table). Nothing to check for a new or server database."""
    from freelancer_desk.app import resolve_location
    from freelancer_desk.storage.workspace import sqlite_path, verify_integrity

    path = sqlite_path(resolve_location(data_dir, db_url).db_url)
    if path is not None and path.exists():
        verify_integrity(path)


def recover_workspace(
    error: StorageError,
    data_dir: str | None,
    db_url: str | None,
    parent: QWidget | None = None,
    *,
    clock: Clock | None = None,
) -> bool:
    """Show why the workspace cannot be opened and offer a good backup; True when one
    was restored (open the workspace again), False when the user quit or nothing fits."""
    from freelancer_desk.app import resolve_location
    from freelancer_desk.storage.workspace import sqlite_path

    location = resolve_location(data_dir, db_url)
    path = sqlite_path(location.db_url)
    if path is None:  # a server database: nothing to restore from here
        QMessageBox.critical(parent, "Freelancer Desk cannot open the workspace", str(error))
        return False
    dialog = RecoveryDialog(error, path, location.data_dir / "backups", clock, parent)
    restored = dialog.exec() == QDialog.DialogCode.Accepted and dialog.restored_from is not None
    if restored:
        QMessageBox.information(
            parent,
            "Backup restored",
            f"Restored {dialog.restored_from.name if dialog.restored_from else ''}. "
            f"The damaged file is kept as {dialog.moved_to}.",
        )
    return restored


__all__ = [
    "GoodBackup",
    "RecoveryDialog",
    "good_backups",
    "move_aside",
    "recover_workspace",
    "restore_newest",
    "verify_workspace",
]
