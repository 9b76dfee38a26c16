"""File → Import…: bring another tool's export into the workspace, step by step.

1. File: pick it; its kind is detected from the header (and can be changed); the time
   zone and date order of local times.
2. Columns (the column-mapped "fiverr" kind only): which column holds which field;
   remembered for next time when the import is applied.
3. Contracts (time imports): each client/project of the file mapped to a contract
   (pre-filled where the contract's reference or title matched).
4. Preview: the counts (new, already there) and every problem with its row and field.
   This is the dry run: nothing has been written. A bad file stops here, with one
   clear message naming the row and field.
5. Import: the apply runs off the GUI thread (a worker on a QThread; widgets are only
   touched by slots on the GUI thread), with a progress bar and a Cancel button (the
   worker polls a flag between batches and rolls everything back); then what was added
   and what was already there, or that nothing was imported.

`open_import_wizard(parent, app)` shows it (non-blocking); `screenshot_extras(window,
out_dir)` renders every page on a small sample file.
"""

from __future__ import annotations

import csv
import tempfile
import threading
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)
from sqlalchemy import select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.importers import column_mapping
from freelancer_desk.importers.base import (
    ImportCancelled,
    ImportRefused,
    ImportResult,
    Issue,
    Preview,
    Source,
    first_line,
    load_mapping,
    sniff_delimiter,
    strip_sep_line,
)
from freelancer_desk.importers.registry import IMPORTERS, apply, detect_kind, load, preview
from freelancer_desk.services.events import Change
from freelancer_desk.storage.models import Client, Contract
from freelancer_desk.ui.forms import error_label

if TYPE_CHECKING:
    from freelancer_desk.app import App

PAGE_FILE, PAGE_COLUMNS, PAGE_CONTRACTS, PAGE_PREVIEW, PAGE_RESULT = range(5)
AUTO = "auto"
ZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Asia/Kolkata",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Sydney",
)
FIELD_LABELS = {
    "date": "Date (required)",
    "amount": "Amount (required)",
    "id": "Transaction id",
    "type": "Type",
    "description": "Description",
    "client": "Client / buyer",
    "order": "Order number",
    "currency": "Currency",
}
NO_COLUMN = "(none)"


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def _table(headers: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(name)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _item(value: object) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if isinstance(value, int):
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _plural(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


# -- the worker ------------------------------------------------------------------------


class ApplyWorker(QObject):
    """Runs `registry.apply` on its own thread; reports only through signals."""

    progressed = Signal(int, int)
    finished = Signal(object)  # ImportResult
    failed = Signal(str, str)  # message, field
    cancelled = Signal()  # stopped on request: nothing was written

    def __init__(self, app: App, result: Preview) -> None:
        super().__init__()
        self._app = app
        self._preview = result
        self._stop = threading.Event()

    def request_stop(self) -> None:
        """Ask the running import to stop (any thread): it rolls back at its next check."""
        self._stop.set()

    @Slot()
    def run(self) -> None:
        try:
            done = apply(
                self._app.db,
                self._app.clock,
                self._app.ledger,
                self._preview,
                progress=self.progressed.emit,
                stop=self._stop.is_set,
            )
        except ImportCancelled:
            self.cancelled.emit()
        except RuleError as exc:
            self.failed.emit(str(exc), exc.field or "")
        except Exception as exc:  # shown to the user: the unit of work rolled back
            self.failed.emit(f"the import failed: {exc}", "")
        else:
            self.finished.emit(done)


# -- pages -------------------------------------------------------------------------------


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Which file?")
        self.setSubTitle(
            "An export from Upwork, Toggl, Clockify, Harvest, Watson or Timewarrior, or any "
            "CSV of platform earnings. Nothing is written until the last step."
        )
        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("the exported file (Timewarrior: its data folder)")
        self._loaded = ""
        self.path.editingFinished.connect(self._path_edited)
        choose = QPushButton("C&hoose…")
        choose.setAccessibleName("Choose file")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)

        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of file")
        self.kind.addItem("Detect from the file", AUTO)
        for spec in IMPORTERS.values():
            self.kind.addItem(spec.label, spec.kind)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.detected = _muted("")
        self.tz = QComboBox()
        self.tz.setEditable(True)
        self.tz.addItems(ZONES)
        self.tz.setAccessibleName("Time zone of the file's times")
        self.date_order = QComboBox()
        self.date_order.setAccessibleName("Date order")
        for text, value in (
            ("Detect (ISO, month names)", AUTO),
            ("Month first: 06/01/2025 is June 1", "mdy"),
            ("Day first: 01/06/2025 is June 1", "dmy"),
        ):
            self.date_order.addItem(text, value)
        form = QFormLayout()
        label = QLabel("&File:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        form.addRow("&Kind:", self.kind)
        form.addRow("", self.detected)
        form.addRow("Times are in &zone:", self.tz)
        form.addRow("&Dates:", self.date_order)
        self.error = error_label()
        self.error.setAccessibleName("File problem")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        self._update_options()

    # The file --------------------------------------------------------------------------

    def set_file(self, path: str | Path) -> None:
        self.path.setText(str(path))
        self._path_edited()

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "File to import", self.path.text(), "Exports (*.csv *.json *.data);;All (*)"
        )
        if name:
            self.set_file(name)

    def _path_edited(self) -> None:
        text = self.path.text().strip()
        if text == self._loaded and (self.w.source is not None or not text):
            return  # focus left the field: the file and the chosen kind stay
        self._loaded = text
        self.w.source = None
        self.error.hide()
        self.detected.setText("")
        if not text:
            self.completeChanged.emit()
            return
        path = Path(text).expanduser()
        try:
            if not path.exists():
                raise ImportRefused([Issue(0, "file", f"{path} does not exist")])
            self.w.source = load(path)
        except ImportRefused as exc:
            self._show(str(exc))
        else:
            found = detect_kind(self.w.source)
            if found is not None:
                self.detected.setText(f"Looks like: {IMPORTERS[found].label}")
                self.kind.setCurrentIndex(self.kind.findData(found))
            else:
                self.detected.setText("Not recognised: choose the kind (any CSV: “Fiverr or any”)")
                if self.kind.currentData() != column_mapping.KIND:
                    self.kind.setCurrentIndex(self.kind.findData(AUTO))
        self.completeChanged.emit()

    def _kind_changed(self) -> None:
        self._update_options()
        self.completeChanged.emit()

    def _update_options(self) -> None:
        kind = self.chosen_kind()
        spec = IMPORTERS.get(kind or "")
        self.tz.setEnabled(spec is None or spec.target == "time")
        self.date_order.setEnabled(kind not in ("upwork", "watson", "timewarrior"))

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # What was chosen ------------------------------------------------------------------

    def chosen_kind(self) -> str | None:
        kind = self.kind.currentData()
        if kind == AUTO:
            return detect_kind(self.w.source) if self.w.source is not None else None
        return str(kind)

    def options(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        tz = self.tz.currentText().strip()
        if self.tz.isEnabled() and tz and tz != "UTC":
            out["tz"] = tz
        order = self.date_order.currentData()
        if self.date_order.isEnabled() and order != AUTO:
            out["date_order"] = order
        return out

    def isComplete(self) -> bool:
        return self.w.source is not None and self.chosen_kind() is not None

    def validatePage(self) -> bool:
        if not self.isComplete():
            return False
        self.error.hide()
        kind = self.chosen_kind()
        if kind == column_mapping.KIND:
            return True  # columns first, then the preview
        return self.w.run_preview(self._show)

    def nextId(self) -> int:
        kind = self.chosen_kind()
        if kind == column_mapping.KIND:
            return PAGE_COLUMNS
        spec = IMPORTERS.get(kind or "")
        if spec is not None and spec.target == "time":
            return PAGE_CONTRACTS
        return PAGE_PREVIEW


class ColumnsPage(QWizardPage):
    """Which of the file's columns holds each field (remembered when applied)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Which column is which?")
        self.setSubTitle(
            "This file's layout is not known in advance: assign its columns once. The "
            "assignment is remembered for the next file like it."
        )
        self.form = QFormLayout()
        self.combos: dict[str, QComboBox] = {}
        for name in column_mapping.FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(f"Column for {FIELD_LABELS[name]}")
            combo.currentIndexChanged.connect(self.completeChanged)
            self.combos[name] = combo
            self.form.addRow(FIELD_LABELS[name] + ":", combo)
        self.currency = QLineEdit("USD")
        self.currency.setAccessibleName("Currency when the file has none")
        self.currency.setMaxLength(3)
        self.form.addRow("Currency when none is given:", self.currency)
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:
        headers = self.w.original_header()
        saved = load_mapping(self.w.app.db, column_mapping.KIND) or {}
        remembered = dict(saved.get("columns") or {})
        lowered = {h.lower(): h for h in headers}
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(NO_COLUMN, "")
            for h in headers:
                combo.addItem(h, h)
            wanted = remembered.get(name) or lowered.get(name) or _guess(name, lowered)
            index = combo.findData(wanted) if wanted else 0
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)
        if saved.get("currency"):
            self.currency.setText(str(saved["currency"]))
        self.completeChanged.emit()

    def columns(self) -> dict[str, str]:
        return {name: c.currentData() for name, c in self.combos.items() if c.currentData()}

    def isComplete(self) -> bool:
        return not column_mapping.missing_fields(self.columns())

    def validatePage(self) -> bool:
        self.error.hide()
        if not self.isComplete():
            return False

        def show(message: str) -> None:
            self.error.setText(message)
            self.error.show()

        return self.w.run_preview(show)

    def nextId(self) -> int:
        return PAGE_PREVIEW


def _guess(name: str, lowered: dict[str, str]) -> str | None:
    synonyms = {
        "amount": ("earnings", "net", "total", "value"),
        "id": ("transaction id", "reference", "ref"),
        "type": ("activity", "kind", "transaction type"),
        "client": ("buyer", "customer", "username"),
        "order": ("order id", "order number", "order #"),
        "description": ("details", "memo", "note", "notes"),
    }
    for word in synonyms.get(name, ()):
        if word in lowered:
            return lowered[word]
    return None


class ContractsPage(QWizardPage):
    """Each client/project of a time file mapped to a contract."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Which contract is each project?")
        self.setSubTitle(
            "Imported time lands on a contract. Where a contract's reference or title "
            "matched, it is chosen already; choose the rest."
        )
        self.table = _table(["In the file", "Entries", "Contract"], "Projects and contracts")
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.combos: dict[str, QComboBox] = {}
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)

    def initializePage(self) -> None:
        p = self.w.preview
        assert p is not None
        # What the file's rows matched stays offered even if its client was archived
        # since; no other archived client's contract is.
        contracts = self.w.contracts(keep={*p.mapping.values(), *self.w.time_mapping.values()})
        keys = list(p.key_rows)
        self.table.setRowCount(len(keys))
        self.combos = {}
        for row, key in enumerate(keys):
            self.table.setItem(row, 0, _item(key))
            self.table.setItem(row, 1, _item(p.key_rows[key]))
            combo = QComboBox()
            combo.setAccessibleName(f"Contract for {key}")
            combo.addItem("— choose a contract —", "")
            for cid, label in contracts:
                combo.addItem(label, cid)
            chosen = self.w.time_mapping.get(key) or p.mapping.get(key, "")
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
            combo.currentIndexChanged.connect(self.completeChanged)
            self.table.setCellWidget(row, 2, combo)
            self.combos[key] = combo
        if not contracts and self.w.archived_left_out:
            self.error.setText(
                "Every contract is an archived client's: add a contract, or unarchive the "
                "client first (Contracts → Clients…)."
            )
            self.error.show()
        elif not contracts:
            self.error.setText("The workspace has no contracts yet: add one first (Contracts).")
            self.error.show()
        else:
            self.error.hide()
        self.completeChanged.emit()

    def mapping(self) -> dict[str, str]:
        return {key: c.currentData() for key, c in self.combos.items() if c.currentData()}

    def isComplete(self) -> bool:
        return len(self.mapping()) == len(self.combos)

    def validatePage(self) -> bool:
        if not self.isComplete():
            return False
        self.w.time_mapping = self.mapping()

        def show(message: str) -> None:
            self.error.setText(message)
            self.error.show()

        return self.w.run_preview(show)

    def nextId(self) -> int:
        return PAGE_PREVIEW


class PreviewPage(QWizardPage):
    """The dry run: counts and every problem, nothing written."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Preview")
        self.setSubTitle("Checked against the workspace; nothing has been written yet.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.counts.setAccessibleName("What the import would do")
        self.creates = _muted("")
        self.verdict = error_label()
        self.verdict.setAccessibleName("Why the file cannot be imported")
        self.issues = _table(["Row", "Field", "", "Problem"], "Problems by row")
        for col in (0, 1, 2):
            self.issues.horizontalHeader().setSectionResizeMode(
                col, QHeaderView.ResizeMode.ResizeToContents
            )
        layout = QVBoxLayout(self)
        layout.addWidget(self.counts)
        layout.addWidget(self.creates)
        layout.addWidget(self.verdict)
        layout.addWidget(self.issues, 1)
        layout.addStretch(1)
        self._layout = layout

    def initializePage(self) -> None:
        p = self.w.preview
        assert p is not None
        entries = len(p.parsed.entries) + len(p.parsed.money)
        what = "sessions" if IMPORTERS[p.kind].target == "time" else "transactions"
        parts = [
            f"<b>{IMPORTERS[p.kind].label}</b>: {_plural(p.parsed.rows, 'row')}",
            f"{entries:,} {what}",
            f"<b>{p.new_rows:,} new</b>",
            f"{p.duplicates:,} already in the workspace",
        ]
        if p.warnings:
            parts.append(_plural(len(p.warnings), "warning"))
        self.counts.setText(" · ".join(parts))
        creates = []
        if p.new_clients:
            creates.append(f"New clients: {', '.join(p.new_clients[:8])}")
            if len(p.new_clients) > 8:
                creates[-1] += f" and {len(p.new_clients) - 8} more"
        if p.new_contracts:
            creates.append(_plural(len(p.new_contracts), "new contract"))
        if p.mapping and IMPORTERS[p.kind].target == "time":
            creates.append(_plural(len(p.mapping), "project") + " mapped to contracts")
        if p.already_imported:
            creates.append("This very file was imported before: only what is new is added.")
        self.creates.setText("\n".join(creates))
        self.creates.setVisible(bool(creates))
        problems = p.problems()
        if problems:
            self.verdict.setText(
                f"This file cannot be imported: {problems[0]}"
                + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else "")
                + ". Nothing will be written."
            )
            self.verdict.show()
        else:
            self.verdict.hide()
        shown = (problems + p.warnings)[:2000]
        self.issues.setRowCount(len(shown))
        for row, issue in enumerate(shown):
            self.issues.setItem(row, 0, _item(issue.row or "file"))
            self.issues.setItem(row, 1, _item(issue.field))
            self.issues.setItem(row, 2, _item(issue.severity))
            self.issues.setItem(row, 3, _item(issue.message))
        self.issues.setVisible(bool(shown))
        # The table takes the room when there is one; otherwise the text stays on top.
        self._layout.setStretch(self._layout.count() - 1, 0 if shown else 1)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.w.preview is not None and self.w.preview.ok

    def validatePage(self) -> bool:
        return self.isComplete()  # next() called directly does not look at isComplete

    def nextId(self) -> int:
        return PAGE_RESULT


class ResultPage(QWizardPage):
    """The apply, off the GUI thread, then what it did."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Importing")
        self.setSubTitle("All of it or nothing: one step, rolled back on any refusal.")
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Import progress")
        self.status = QLabel("Starting…")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Import result")
        self.error = error_label()
        self.error.setAccessibleName("Import failure")
        self.cancel = QPushButton("Cancel import")
        self.cancel.setAccessibleName("Cancel import")
        self.cancel.setToolTip("Stop the import: nothing of it is kept")
        self.cancel.clicked.connect(wizard.cancel_import)
        self.cancel.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        row = QHBoxLayout()
        row.addWidget(self.cancel)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.setTitle("Importing")
        self.progress.setRange(0, 0)  # busy until the first report
        self.status.setText("Writing, in one step: all of it or nothing…")
        self.error.hide()
        self.cancel.setEnabled(True)
        self.cancel.show()
        self.w.start_apply()

    def on_stopping(self) -> None:
        self.cancel.setEnabled(False)
        self.status.setText("Stopping: everything written so far is being rolled back…")

    def on_cancelled(self) -> None:
        self.setTitle("Not imported")
        self.cancel.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("Cancelled: nothing was imported.")
        self.completeChanged.emit()

    def on_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.status.setText(f"{done:,} of {total:,}")

    def on_finished(self, result: ImportResult) -> None:
        self.setTitle("Imported")
        self.cancel.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        added = [
            _plural(n, what)
            for n, what in (
                (result.transactions, "transaction"),
                (result.sessions, "session"),
                (result.segments, "10-minute segment"),
                (result.clients, "new client"),
                (result.contracts, "new contract"),
            )
            if n
        ]
        lines = [
            f"Added: {', '.join(added) if added else 'nothing new'}.",
            f"Already there (skipped): {result.skipped:,}.",
        ]
        if result.warnings:
            lines.append(_plural(len(result.warnings), "warning") + " (see the preview).")
        self.status.setText("\n".join(lines))
        self.completeChanged.emit()

    def on_failed(self, message: str) -> None:
        self.setTitle("Not imported")
        self.cancel.hide()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("")
        self.error.setText(f"{message}. Nothing was written.")
        self.error.show()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.w.running


# -- the wizard ----------------------------------------------------------------------------


class ImportWizard(QWizard):
    applied = Signal(object)  # ImportResult, after the worker finished
    refused = Signal(str)

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setWindowTitle("Import")
        self.setAccessibleName("Import")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.source: Source | None = None
        self.preview: Preview | None = None
        self.outcome: ImportResult | None = None
        self.failure: str | None = None
        self.cancelled = False  # the last import was stopped by Cancel
        self.time_mapping: dict[str, str] = {}
        self.archived_left_out = 0  # archived clients' contracts contracts() left out
        self.running = False
        self._thread: QThread | None = None
        self._worker: ApplyWorker | None = None
        self.file_page = FilePage(self)
        self.columns_page = ColumnsPage(self)
        self.contracts_page = ContractsPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        for page_id, page in (
            (PAGE_FILE, self.file_page),
            (PAGE_COLUMNS, self.columns_page),
            (PAGE_CONTRACTS, self.contracts_page),
            (PAGE_PREVIEW, self.preview_page),
            (PAGE_RESULT, self.result_page),
        ):
            self.setPage(page_id, page)
        self.setStartId(PAGE_FILE)
        for which, name in (
            (QWizard.WizardButton.NextButton, "Next"),
            (QWizard.WizardButton.BackButton, "Back"),
            (QWizard.WizardButton.FinishButton, "Finish"),
            (QWizard.WizardButton.CancelButton, "Cancel"),
            (QWizard.WizardButton.CommitButton, "Import"),
        ):
            button = self.button(which)
            if button is not None:
                button.setAccessibleName(name)
        self.resize(820, 560)

    # -- reading ---------------------------------------------------------------------

    def kind(self) -> str | None:
        return self.file_page.chosen_kind()

    def original_header(self) -> list[str]:
        """The file's column names as written (for the column assignment)."""
        if self.source is None:
            return []
        text, named = strip_sep_line(self.source.text.lstrip("\ufeff"))  # Excel's "sep=;"
        first = first_line(text)
        try:
            names = next(csv.reader([first], delimiter=named or sniff_delimiter(first)))
        except (csv.Error, StopIteration):
            return []
        return [n.strip() for n in names if n.strip()]

    def contracts(self, keep: Collection[str] = ()) -> list[tuple[str, str]]:
        """(id, label) of the contracts a project may be mapped to, by client and title:
        those of clients not archived — an archived client is offered no new time, as
        nowhere else in the window — and those in `keep` (what the file's own rows
        matched), an archived client's marked so."""
        with self.app.db.read() as s:
            rows = s.execute(
                select(
                    Contract.id, Contract.title, Contract.reference, Client.name, Client.archived
                )
                .join(Client, Client.id == Contract.client_id)
                .order_by(Client.name, Contract.title)
            ).all()
        self.archived_left_out = sum(
            1 for cid, *_rest, archived in rows if archived and str(cid) not in keep
        )
        return [
            (
                str(cid),
                f"{title} · {client}"
                + (f" ({ref})" if ref else "")
                + (" — archived client" if archived else ""),
            )
            for cid, title, ref, client, archived in rows
            if not archived or str(cid) in keep
        ]

    def run_preview(self, show_error: Any) -> bool:
        """Read and check the file with what the pages hold; False (and the message
        shown) when the file cannot be read at all."""
        kind = self.kind()
        if self.source is None or kind is None:
            show_error("Choose a file and its kind first")
            return False
        options = self.file_page.options()
        mapping: dict[str, str] = {}
        if kind == column_mapping.KIND:
            mapping = self.columns_page.columns()
            currency = self.columns_page.currency.text().strip().upper()
            if currency:
                options["currency"] = currency
        elif IMPORTERS[kind].target == "time":
            mapping = dict(self.time_mapping)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.preview = preview(
                self.app.db,
                kind,
                self.file_page.path.text().strip(),
                mapping,
                options,
                source=self.source,
            )
        except RuleError as exc:
            self.preview = None
            show_error(str(exc))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        return True

    # -- writing, off the GUI thread -----------------------------------------------------

    def start_apply(self) -> None:
        assert self.preview is not None
        if self.running:
            return
        self.running = True
        self.outcome, self.failure, self.cancelled = None, None, False
        self._set_closable(False)
        thread = QThread(self)
        worker = ApplyWorker(self.app, self.preview)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.finished.connect(thread.quit)
        worker.failed.connect(thread.quit)
        worker.cancelled.connect(thread.quit)
        thread.finished.connect(worker.deleteLater)
        self._thread, self._worker = thread, worker
        thread.start()

    @Slot()
    def cancel_import(self) -> None:
        """The Cancel button: ask the worker to stop; it rolls back and says so."""
        if not self.running or self._worker is None:
            return
        self._worker.request_stop()
        self.result_page.on_stopping()

    @Slot()
    def _on_cancelled(self) -> None:
        self.running = False
        self.cancelled = True
        self._set_closable(True)
        self.result_page.on_cancelled()

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        self.result_page.on_progress(done, total)

    @Slot(object)
    def _on_finished(self, result: ImportResult) -> None:
        self.running = False
        self.outcome = result
        self._set_closable(True)
        self.result_page.on_finished(result)
        bus = getattr(self.app, "bus", None)
        if bus is not None and result.written:
            bus.publish(Change("workspace", "imported"))
        self.applied.emit(result)

    @Slot(str, str)
    def _on_failed(self, message: str, _field: str) -> None:
        self.running = False
        self.failure = message
        self._set_closable(True)
        self.result_page.on_failed(message)
        self.refused.emit(message)

    def _set_closable(self, closable: bool) -> None:
        cancel = self.button(QWizard.WizardButton.CancelButton)
        if cancel is not None:
            cancel.setEnabled(closable)

    def wait(self, ms: int = 30_000) -> None:
        """Block until the worker thread has ended (tests, closing)."""
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(ms)

    def reject(self) -> None:
        if self.running:
            # Esc or the window's close button while writing: the same as the page's
            # Cancel. All or nothing: the wizard stays until the import has rolled back.
            self.cancel_import()
            return
        super().reject()

    def done(self, result: int) -> None:
        if self.running:
            return
        self.wait()
        super().done(result)

    def go_to(self, page_id: int) -> bool:
        """Press Next until `page_id` (tests, screenshots); False when a page refused."""
        while self.currentId() != page_id:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                return False
        return True


def open_import_wizard(parent: QWidget | None, app: App) -> ImportWizard:
    """Show the import wizard (window-modal, without blocking) and return it."""
    wizard = ImportWizard(app, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.open()
    return wizard


# -- screenshots -------------------------------------------------------------------------

SAMPLE_TOGGL = (
    "\ufeffUser,Email,Client,Project,Task,Description,Billable,Start date,Start time,"
    "End date,End time,Duration,Tags,Amount (USD)\n"
    "Sam,sam@example.com,Acme Corp,Data pipeline,ETL,Load the June files,Yes,2025-06-02,"
    "09:00:00,2025-06-02,10:30:00,01:30:00,deep-work,75.00\n"
    "Sam,sam@example.com,Acme Corp,Data pipeline,,Review,Yes,2025-06-03,14:00:00,"
    "2025-06-03,13:00:00,01:00:00,,50.00\n"
    "Sam,sam@example.com,Side project,Website,,Landing page,No,2025-06-04,08:00:00,"
    "2025-06-04,09:10:00,01:10:00,,0.00\n"
)


def screenshot_extras(window: QWidget, out_dir: Path) -> list[Path]:
    """Render every page of the wizard on a small Toggl sample (one row ends before it
    starts, so the preview shows a problem); nothing is written."""
    from freelancer_desk.ui.areapage import app_of

    backend = getattr(window, "_backend", None)
    app = app_of(backend) if backend is not None else None
    if app is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    wizard = ImportWizard(app, window)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    wizard.show()

    def grab(name: str) -> None:
        wizard.repaint()
        path = out_dir / f"import-{len(paths) + 1}-{name}.png"
        if not wizard.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        paths.append(path)

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "toggl-detailed.csv"
        sample.write_text(SAMPLE_TOGGL, encoding="utf-8")
        wizard.file_page.set_file(sample)
        grab("file")
        wizard.next()
        if wizard.currentId() == PAGE_CONTRACTS:
            contracts = wizard.contracts()
            for combo in wizard.contracts_page.combos.values():
                if combo.currentIndex() <= 0 and contracts:
                    combo.setCurrentIndex(1)
            grab("contracts")
            wizard.next()
        if wizard.currentId() == PAGE_PREVIEW:
            grab("preview")
    wizard.done(0)
    wizard.deleteLater()
    return paths
