"""Clients in the window: a client's editor (new or edited) and the clients list with
New, Edit, Archive / Unarchive and a filter. Before these, a client was made only by
the import wizard, the CLI or an order's buyer box, so a direct client's contract could
not be made in the window on a fresh workspace."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.ui.contract_forms import PLATFORM_CHOICES, combo
from freelancer_desk.ui.forms import FormDialog, report

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.ui.tablemodel import ListModel


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name known here, sorted (the service checks the one typed)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones()))


def parse_days(text: str, field: str = "payment_terms_days") -> int | None:
    """Whole days of "30" / "net 30"; empty means none."""
    cleaned = text.strip().lower().removeprefix("net").strip()
    if not cleaned:
        return None
    try:
        return int(cleaned)
    except ValueError as exc:
        raise RuleError(
            "payment_terms.days",
            f"payment terms: {text!r} is not a whole number of days (like 30)",
            field=field,
        ) from exc


class ClientDialog(FormDialog):
    """A new client, or one edited. Its platform stays while contracts, orders or job
    posts hold it: the service refuses the change, shown under the platform."""

    def __init__(
        self,
        app: App,
        client: dict[str, Any] | None = None,
        parent: QWidget | None = None,
        *,
        platform: str = "direct",
    ) -> None:
        super().__init__("Edit client" if client else "New client", parent)
        self.app = app
        self.client = client
        self.result_data: dict[str, Any] | None = None
        c = client or {}

        self.name = QLineEdit(c.get("name", ""))
        self.name.setPlaceholderText("Who you work for, as you call them")
        self.add_field("name", "&Name", self.name)
        self.platform = combo(PLATFORM_CHOICES, c.get("platform", platform))
        # Contracts, orders or job posts on its platform keep it there (greyed, saying
        # why; the service refuses the change too).
        held = app.clients.platform_held(str(c["id"])) if client else ""
        self.platform.setEnabled(not held)
        self.add_field(
            "platform",
            "&Platform",
            self.platform,
            held or "Where you work with them; the same person elsewhere is another client",
        )
        self.company = QLineEdit(c.get("company") or "")
        self.add_field("company", "C&ompany", self.company)
        self.email = QLineEdit(c.get("email") or "")
        self.email.setPlaceholderText("billing@example.com")
        self.add_field("email", "&Email", self.email)
        self.country = QLineEdit(c.get("country") or "")
        self.add_field("country", "Co&untry", self.country)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.addItem("")
        self.timezone.addItems(list(zone_names()))
        self.timezone.setCurrentText(c.get("timezone") or "")
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(list(zone_names()), self.timezone)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.setCompleter(completer)
        line = self.timezone.lineEdit()
        if line is not None:
            line.setPlaceholderText("e.g. Europe/Berlin (optional)")
        self.add_field("timezone", "&Time zone", self.timezone)
        self.currency = QLineEdit(c.get("currency", "USD"))
        self.currency.setMaxLength(3)
        self.add_field("currency", "Cu&rrency", self.currency, "ISO code: USD, EUR, GBP…")
        terms = c.get("payment_terms_days")
        self.terms = QLineEdit("" if terms is None else str(terms))
        self.terms.setPlaceholderText("e.g. 14")
        self.add_field(
            "payment_terms_days",
            "Pa&yment terms (days)",
            self.terms,
            "Invoices to this client are due this many days after they are issued",
        )
        self.notes = QPlainTextEdit(c.get("notes") or "")
        self.notes.setMinimumHeight(60)
        self.add_field("notes", "Note&s", self.notes)

        self.platform.currentIndexChanged.connect(self._platform_changed)
        self._platform_changed()
        self.resize(560, 600)

    def _platform_changed(self) -> None:
        """Payment terms are a direct client's: invoices use them; a platform pays on
        its own schedule."""
        direct = self.platform.currentData() == "direct"
        container = self.terms.parentWidget()
        if container is not None:
            container.setVisible(direct)
            label = self.form.labelForField(container)
            if label is not None:
                label.setVisible(direct)

    def client_input(self) -> Any:
        from freelancer_desk.services.clients import ClientInput

        direct = self.platform.currentData() == "direct"
        kept_terms = (self.client or {}).get("payment_terms_days")
        return ClientInput(
            name=self.name.text(),
            platform=str(self.platform.currentData()),
            company=self.company.text(),
            country=self.country.text(),
            timezone=self.timezone.currentText(),
            email=self.email.text(),
            currency=self.currency.text().strip().upper() or "USD",
            # Hidden for a platform's client: what was stored stays as it was.
            payment_terms_days=parse_days(self.terms.text()) if direct else kept_terms,
            notes=self.notes.toPlainText(),
        )

    def save(self) -> dict[str, Any]:
        data = self.client_input()
        if self.client is not None:
            return self.app.clients.update(self.client["id"], data)
        return self.app.clients.create(data)

    def accept(self) -> None:
        result = self.run_service(self.save)
        if result is not None:
            self.result_data = result
            super().accept()


class ClientsDialog(QDialog):
    """Every client, filtered as typed: New…, Edit… (or double-click), Archive /
    Unarchive. Archived clients are listed when asked for."""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from freelancer_desk.ui.tablemodel import ListModel

        self.app = app
        self.setWindowTitle("Clients")
        self.setAccessibleName("Clients")
        self.model: ListModel = ListModel(app.sources["clients"], parent=self, start=False)
        self.model.set_filters({"archived": "false"})
        self.model.start()

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by name, company or country")
        self.filter.setAccessibleName("Filter clients")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.show_archived = QCheckBox("Show archived")
        self.show_archived.toggled.connect(self._archived_toggled)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.show_archived)

        self.view = QTableView()
        self.view.setAccessibleName("Clients table")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)

        self.new_button = self._button("&New client…", self.new_client)
        self.edit_button = self._button("&Edit…", self.edit_client)
        self.archive_button = self._button("&Archive", self.toggle_archived)
        self.count = QLabel()
        self.count.setAccessibleName("Clients shown")
        self.model.totalChanged.connect(lambda _n: self._show_count())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Clients message")
        self.message.hide()
        row = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.archive_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.count)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        for close_button in close.buttons():  # Enter in the filter must not close the list
            if isinstance(close_button, QPushButton):
                close_button.setAutoDefault(False)
                close_button.setDefault(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(760, 480)
        self._show_count()
        self._update_buttons()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter on a selected row edits it (as a double-click does); Escape closes."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.focusWidget() is self.view and self.selected_id() is not None:
                self.edit_client()
            event.accept()
            return
        super().keyPressEvent(event)

    def _button(self, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- the list --------------------------------------------------------------------
    def _filter_changed(self, text: str) -> None:
        self.model.set_filter_text(text)
        self._update_buttons()

    def _archived_toggled(self, shown: bool) -> None:
        self.model.set_filters({} if shown else {"archived": "false"})
        self._update_buttons()

    def _show_count(self) -> None:
        total = self.model.total
        self.count.setText(f"{total} client{'' if total == 1 else 's'}")

    def selected_id(self) -> str | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_id(rows[0].row()) if rows else None

    def select(self, ident: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == ident:
                self.view.selectRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        ident = self.selected_id()
        client = self.app.clients.get(ident) if ident else None
        self.edit_button.setEnabled(client is not None)
        self.archive_button.setEnabled(client is not None)
        archived = bool(client and client["archived"])
        self.archive_button.setText("Un&archive" if archived else "&Archive")
        self.archive_button.setAccessibleName("Unarchive" if archived else "Archive")

    def _reread(self, select: str | None) -> None:
        self.model.refresh()
        if select is not None:
            self.select(select)
        self._update_buttons()

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # -- actions -----------------------------------------------------------------------
    def _open(self, dialog: ClientDialog) -> ClientDialog:
        dialog.accepted.connect(lambda: self._saved(dialog))
        dialog.open()
        return dialog

    def _saved(self, dialog: ClientDialog) -> None:
        if dialog.result_data is None:
            return
        self.say("")
        self._reread(str(dialog.result_data["id"]))

    def new_client(self) -> ClientDialog:
        return self._open(ClientDialog(self.app, None, self))

    def edit_client(self) -> ClientDialog | None:
        ident = self.selected_id()
        if ident is None:
            self.say("Select a client to edit")
            return None
        return self._open(ClientDialog(self.app, self.app.clients.get(ident), self))

    def _double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.edit_client()

    def toggle_archived(self) -> dict[str, Any] | None:
        ident = self.selected_id()
        if ident is None:
            self.say("Select a client first")
            return None
        client = self.app.clients.get(ident)
        result: dict[str, Any] | None = report(
            self, lambda: self.app.clients.set_archived(ident, not client["archived"])
        )
        if result is not None:
            done = "Archived" if result["archived"] else "Unarchived"
            hidden = result["archived"] and not self.show_archived.isChecked()
            self.say(f"{done} {result['name']}" + (" (Show archived lists it)" if hidden else ""))
            self._reread(ident)
        return result


__all__ = ["ClientDialog", "ClientsDialog", "parse_days", "zone_names"]
