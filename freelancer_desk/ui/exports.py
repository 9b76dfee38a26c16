"""Exports from the window (File → Export): time entries as iCalendar, the whole
workspace as JSON, and an evidence pack for a contract's billing week. The same
services the CLI's `export` commands use."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QWidget,
)

from freelancer_desk.services.listing import ListQuery
from freelancer_desk.ui.forms import report

if TYPE_CHECKING:
    from freelancer_desk.app import App


def _save_path(parent: QWidget, title: str, name: str, pattern: str) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(Path.home() / name), pattern)
    return Path(chosen) if chosen else None


def export_ics(parent: QWidget, app: App, path: Path | None = None) -> int | None:
    """Every closed session as a calendar event; the number written (None: cancelled)."""
    from freelancer_desk.services.exports import export_ics as write

    path = path or _save_path(parent, "Export time entries", "time-entries.ics", "*.ics")
    if path is None:
        return None
    return report(parent, lambda: write(app.db, path))


def export_json(parent: QWidget, app: App, path: Path | None = None) -> dict[str, int] | None:
    """Every table, every row, to one JSON file that `import json` reads back."""
    from freelancer_desk.services.exports import export_json as write

    path = path or _save_path(parent, "Export the workspace", "workspace.json", "*.json")
    if path is None:
        return None

    def run() -> dict[str, int]:
        with path.open("w", encoding="utf-8") as out:
            return write(app.db, out, app.clock.now())

    return report(parent, run)


class EvidenceDialog(QDialog):
    """Which contract and which billing week."""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export an evidence pack")
        self.contract = QComboBox()
        self.contract.setAccessibleName("Contract")
        source = app.sources["contracts"]
        for row in source.fetch(ListQuery(), 0, 1000):
            self.contract.addItem(f"{row['title']} — {row['client']}", row["id"])
        self.week = QDateEdit(QDate.currentDate())
        self.week.setCalendarPopup(True)
        self.week.setAccessibleName("A day of the week")
        form = QFormLayout(self)
        form.addRow("&Contract", self.contract)
        form.addRow("&Week of", self.week)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> tuple[str, date]:
        picked = self.week.date()
        return str(self.contract.currentData()), date(picked.year(), picked.month(), picked.day())


def export_evidence(
    parent: QWidget,
    app: App,
    contract_id: str | None = None,
    week: date | None = None,
    folder: Path | None = None,
) -> object | None:
    """The week's segments, memos, activity and snapshot files with a hash manifest
    (`freelancer-desk verify FOLDER` checks it)."""
    from freelancer_desk.services.exports import export_evidence as write

    if contract_id is None or week is None:
        dialog = EvidenceDialog(app, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        contract_id, week = dialog.chosen()
    if folder is None:
        chosen = QFileDialog.getExistingDirectory(parent, "An empty folder for the pack")
        if not chosen:
            return None
        folder = Path(chosen)
    target = folder
    return report(
        parent,
        lambda: write(app.db, app.snapshot_dir, contract_id, week, target, app.clock.now()),
    )
