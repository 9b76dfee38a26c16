"""Editors of the Contracts area: a contract's terms (hourly or fixed, with planned
milestones) and one milestone; plus the small input helpers the Upwork-side editors
share (amounts, percentages and hours typed as text, refused next to their field)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money, MoneyError, parse_rate
from freelancer_desk.ui.forms import FormDialog
from freelancer_desk.ui.tablemodel import display_locale, format_money

if TYPE_CHECKING:
    from freelancer_desk.app import App

ROUNDING_CHOICES: tuple[tuple[str, str], ...] = (
    ("upwork", "Upwork: 10-minute segments"),
    *(
        (f"{m}m-{mode}", f"{m} min, {label}")
        for m in (1, 6, 15, 30)
        for mode, label in (("up", "round up"), ("nearest", "to nearest"), ("down", "round down"))
    ),
)
SNAPSHOT_CHOICES = (("off", "Off"), ("blurred", "Blurred"), ("full", "Full"))


def rounding_choices(code: str) -> tuple[tuple[str, str], ...]:
    """The rounding choices, with `code` added when it is none of them (a rule typed in
    the settings or the CLI, e.g. "10m-up"): an edit must not quietly change it."""
    if not code or any(key == code for key, _label in ROUNDING_CHOICES):
        return ROUNDING_CHOICES
    return (*ROUNDING_CHOICES, (code, code))


PLATFORM_CHOICES = (("upwork", "Upwork"), ("fiverr", "Fiverr"), ("direct", "Direct client"))


# -- parsing typed input ----------------------------------------------------------------


def parse_money(text: str, currency: str, field: str, *, required: bool = True) -> int | None:
    """Minor units of "1,234.50" (a symbol allowed); a bad amount names `field`."""
    if not text.strip():
        if required:
            raise RuleError(
                f"{field}.required", f"{field.replace('_', ' ')}: is required", field=field
            )
        return None
    try:
        return Money.parse(text, currency, field=field.replace("_", " ")).amount
    except MoneyError as exc:
        raise RuleError(f"{field}.amount", str(exc), field=field) from exc


def parse_percent(text: str, field: str = "fee") -> int | None:
    """Basis points of "10" / "12.5%"; empty means the platform's default."""
    if not text.strip():
        return None
    try:
        return parse_rate(text, field=field)
    except MoneyError as exc:
        raise RuleError(f"{field}.rate", str(exc), field=field) from exc


def parse_hours(text: str, field: str) -> int | None:
    """Whole minutes of "40" or "12.5" hours (negative kept: the service says why not)."""
    cleaned = text.strip().lower().removesuffix("h").strip()
    if not cleaned:
        return None
    try:
        return round(float(cleaned.replace(",", ".")) * 60)
    except ValueError as exc:
        raise RuleError(
            f"{field}.hours", f"{text!r} is not a number of hours (like 40 or 12.5)", field=field
        ) from exc


def money_text(minor: int | None, currency: str) -> str:
    """What an amount field shows for `minor` ("1200.00"); empty for None."""
    return "" if minor is None else Money(minor, currency).format_plain()


def show_money(minor: int, currency: str) -> str:
    """ "$1,200.00" in the user's locale."""
    return format_money(Money(minor, currency), display_locale())


def combo(
    choices: tuple[tuple[str, str], ...] | list[tuple[str, str]], value: str = ""
) -> QComboBox:
    box = QComboBox()
    for key, label in choices:
        box.addItem(label, key)
    set_combo(box, value)
    return box


def set_combo(box: QComboBox, value: Any) -> None:
    index = box.findData(value)
    if index >= 0:
        box.setCurrentIndex(index)


def client_choices(app: App) -> list[tuple[str, str]]:
    """(id, "name · platform") of every client, by name."""
    return [(ident, f"{name} · {platform}") for ident, name, platform in client_rows(app)]


def client_rows(app: App, *, archived: bool = True) -> list[tuple[str, str, str]]:
    """(id, name, platform) of every client (but archived ones unless `archived`), by
    name."""
    from freelancer_desk.services.listing import ListQuery

    source = app.sources["clients"]
    filters = {} if archived else {"archived": "false"}
    rows = source.fetch(ListQuery(sort="name", filters=filters), 0, 2000)
    return [(str(r["id"]), str(r.get("name") or ""), str(r.get("platform") or "")) for r in rows]


# -- planned milestones -----------------------------------------------------------------


class MilestonesTable(QWidget):
    """Title / amount / due date rows with Add and Remove: a fixed bid's or a new
    contract's planned milestones."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Milestone", "Amount", "Due (YYYY-MM-DD)"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton("Add milestone")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    @property
    def changed(self) -> Any:
        return self.table.itemChanged

    def add_row(self, title: str = "", amount: str = "", due: str = "") -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, text in enumerate((title, amount, due)):
            item = QTableWidgetItem(text)
            if column == 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)

    def _remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, str, str]]:
        result = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in range(3)]
            texts = tuple(cell.text().strip() if cell else "" for cell in cells)
            if any(texts):
                result.append((texts[0], texts[1], texts[2]))
        return result

    def values(self, currency: str) -> tuple[Any, ...]:
        """MilestoneInputs; a bad amount or date is refused naming "milestones"."""
        from freelancer_desk.services.contracts import MilestoneInput

        planned = []
        for number, (title, amount, due) in enumerate(self.rows(), 1):
            minor = parse_money(amount, currency, "milestones")
            due_on = None
            if due:
                try:
                    due_on = date.fromisoformat(due)
                except ValueError as exc:
                    raise RuleError(
                        "milestones.due_on",
                        f"milestone {number}: due date {due!r} is not like 2026-03-31",
                        field="milestones",
                    ) from exc
            planned.append(MilestoneInput(title, minor or 0, due_on))
        return tuple(planned)

    def total_minor(self, currency: str) -> int | None:
        """The sum of the amounts typed so far, or None while one does not parse."""
        try:
            return sum(int(m.amount_minor) for m in self.values(currency))
        except RuleError:
            return None


# -- the contract editor ----------------------------------------------------------------


class ContractDialog(FormDialog):
    """New contract (hourly or fixed with planned milestones) or its terms edited. The
    kind, client and currency of an existing contract are fixed."""

    def __init__(
        self, app: App, contract: dict[str, Any] | None = None, parent: QWidget | None = None
    ):
        super().__init__("Edit contract" if contract else "New contract", parent)
        self.app = app
        self.contract = contract
        self.result_data: dict[str, Any] | None = None
        c = contract or {}
        currency = c.get("currency", "USD")

        # A new contract picks among the clients not archived.
        clients = client_rows(app, archived=contract is not None)
        # A contract is on its client's platform (the service refuses another one).
        self.client_platforms = {ident: platform for ident, _name, platform in clients}
        self.client = combo(
            [(ident, f"{name} · {platform}") for ident, name, platform in clients],
            c.get("client_id", ""),
        )
        # A client not there yet is added here (a fresh workspace has none).
        self.new_client_button = QPushButton("New c&lient…")
        self.new_client_button.setAccessibleName("New client")
        self.new_client_button.setAutoDefault(False)
        self.new_client_button.clicked.connect(lambda _checked=False: self.new_client())
        self.new_client_button.setVisible(contract is None)
        client_row = QWidget()
        row = QHBoxLayout(client_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.client, 1)
        row.addWidget(self.new_client_button)
        client_row.setFocusProxy(self.client)  # a refusal naming "client" focuses the combo
        self.add_field("client", "&Client", client_row)
        self.client.setAccessibleName("Client")
        self.title_edit = QLineEdit(c.get("title", ""))
        self.title_edit.setPlaceholderText("What the work is")
        self.add_field("title", "&Title", self.title_edit)
        platform = c.get("platform") or self.client_platforms.get(
            str(self.client.currentData()), "upwork"
        )
        self.platform = combo(PLATFORM_CHOICES, platform)
        self.add_field("platform", "&Platform", self.platform, "The client's platform")
        self.kind = combo((("hourly", "Hourly"), ("fixed", "Fixed price")), c.get("kind", "hourly"))
        self.add_field("kind", "&Kind", self.kind)
        self.currency = QLineEdit(currency)
        self.currency.setMaxLength(3)
        self.add_field("currency", "C&urrency", self.currency, "ISO code: USD, EUR, GBP…")
        self.rate = QLineEdit(money_text(c.get("hourly_rate_minor"), currency))
        self.rate.setPlaceholderText("e.g. 45.00")
        self.add_field("hourly_rate", "Hourly &rate", self.rate)
        fee = c.get("fee_bp")
        self.fee = QLineEdit("" if fee is None else f"{fee / 100:g}")
        upwork_fee = "Upwork: 0–15% per contract"
        self.add_field("fee", "&Fee %", self.fee, upwork_fee)
        # Said for an Upwork contract only (it read so under a direct client's too).
        container = self.fee.parentWidget()
        self.fee_hint = (
            next((h for h in container.findChildren(QLabel) if h.text() == upwork_fee), None)
            if container is not None
            else None
        )
        # A new contract starts from the user's settings (Settings → Money, Tracking).
        self.defaults = app.contracts.defaults() if contract is None else None
        limit = c.get("weekly_limit_minutes")
        self.weekly_limit = QLineEdit("" if limit is None else f"{limit / 60:g}")
        self.weekly_limit.setPlaceholderText("no limit")
        self.add_field(
            "weekly_limit", "&Weekly limit (h)", self.weekly_limit, "Time over it is not billed"
        )
        rounding = c.get("rounding_rule") or (
            self.defaults.rounding_for(str(self.platform.currentData())) if self.defaults else ""
        )
        self.rounding = combo(rounding_choices(rounding), rounding)
        self.add_field("rounding", "R&ounding", self.rounding)
        policy = c.get("snapshot_policy") or (
            self.defaults.snapshot_policy if self.defaults else "blurred"
        )
        self.snapshots = combo(SNAPSHOT_CHOICES, policy)
        self.add_field("snapshot_policy", "&Snapshots", self.snapshots)
        self.manual = QCheckBox("Manual time allowed")
        self.manual.setChecked(bool(c.get("manual_time_allowed", True)))
        self.add_field("manual_time_allowed", "", self.manual)
        self.reference = QLineEdit(c.get("reference") or "")
        self.reference.setPlaceholderText("the platform's contract id (optional)")
        self.add_field("reference", "Re&ference", self.reference)
        self.milestones = MilestonesTable()
        self.add_field(
            "milestones", "&Milestones", self.milestones, "Fixed price: planned milestones"
        )
        self.notes = QPlainTextEdit(c.get("notes", ""))
        self.notes.setMinimumHeight(60)
        self.add_field("notes", "&Notes", self.notes)

        if contract is not None:
            for fixed in (self.client, self.kind, self.currency, self.platform):
                fixed.setEnabled(False)
            self.milestones.setEnabled(False)
            self.milestones.setToolTip("Add milestones from the Contracts page")
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        self.platform.currentIndexChanged.connect(self._platform_changed)
        self._platform_changed(initial=True)
        if contract is None:
            self.client.currentIndexChanged.connect(self._client_changed)
        self.resize(620, 720)

    def new_client(self) -> Any:
        """Add a client (on the platform chosen so far) and pick it; the platform
        follows it as for any client picked."""
        from freelancer_desk.ui.client_forms import ClientDialog

        dialog = ClientDialog(
            self.app, None, self, platform=str(self.platform.currentData() or "direct")
        )
        dialog.accepted.connect(lambda: self._client_added(dialog.result_data))
        dialog.open()
        return dialog

    def _client_added(self, client: dict[str, Any] | None) -> None:
        if client is None:
            return
        ident = str(client["id"])
        self.client_platforms[ident] = client["platform"]
        if self.client.findData(ident) < 0:
            self.client.addItem(f"{client['name']} · {client['platform']}", ident)
        set_combo(self.client, ident)
        self._client_changed()  # also when it was already the current one

    def _client_changed(self) -> None:
        """A new contract's platform follows the client chosen."""
        platform = self.client_platforms.get(str(self.client.currentData()))
        if platform:
            set_combo(self.platform, platform)

    def _kind_changed(self) -> None:
        hourly = self.kind.currentData() == "hourly"
        for widget in (self.rate, self.weekly_limit, self.rounding, self.snapshots, self.manual):
            widget.setEnabled(hourly)
        shown = not hourly and self.contract is None
        container = self.milestones.parentWidget()
        if container is not None:
            container.setVisible(shown)
            label = self.form.labelForField(container)
            if label is not None:
                label.setVisible(shown)

    def _platform_changed(self, _index: int = 0, *, initial: bool = False) -> None:
        """The fee left blank means the default for the platform; say which. A new
        contract's rounding follows the platform (Upwork rounds its own way)."""
        platform = str(self.platform.currentData())
        if self.fee_hint is not None:
            self.fee_hint.setVisible(platform == "upwork")
        if self.defaults is None:
            self.fee.setPlaceholderText("platform default")
            return
        from freelancer_desk.domain.platforms import Platform, default_fee_bp

        fee = self.defaults.fee_bp.get(platform)
        if fee is None:
            fee = default_fee_bp(Platform(platform))
        self.fee.setPlaceholderText(
            f"your default for {self.platform.currentText()}: {fee / 100:g}%"
        )
        if not initial:
            code = self.defaults.rounding_for(platform)
            if self.rounding.findData(code) < 0:
                self.rounding.addItem(code, code)
            set_combo(self.rounding, code)

    def contract_input(self) -> Any:
        from freelancer_desk.services.contracts import ContractInput

        currency = self.currency.text().strip().upper() or "USD"
        hourly = self.kind.currentData() == "hourly"
        client_id = self.client.currentData()
        if not client_id:
            raise RuleError("contract.client", "choose the client", field="client")
        return ContractInput(
            client_id=str(client_id),
            title=self.title_edit.text(),
            kind=str(self.kind.currentData()),
            platform=str(self.platform.currentData()),
            currency=currency,
            hourly_rate_minor=parse_money(self.rate.text(), currency, "hourly_rate")
            if hourly
            else None,
            fee_bp=parse_percent(self.fee.text()),
            weekly_limit_minutes=parse_hours(self.weekly_limit.text(), "weekly_limit")
            if hourly
            else None,
            rounding_rule=str(self.rounding.currentData()),
            snapshot_policy=str(self.snapshots.currentData()),
            manual_time_allowed=self.manual.isChecked(),
            reference=self.reference.text(),
            notes=self.notes.toPlainText(),
            started_at=None,
        )

    def save(self) -> dict[str, Any]:
        data = self.contract_input()
        if self.contract is not None:
            started = datetime.fromisoformat(self.contract["started_at"])
            return self.app.contracts.update(self.contract["id"], replace(data, started_at=started))
        planned = () if data.kind == "hourly" else self.milestones.values(data.currency)
        return self.app.contracts.create(data, planned)

    def accept(self) -> None:
        result = self.run_service(self.save)
        if result is not None:
            self.result_data = result
            super().accept()


class MilestoneDialog(FormDialog):
    """A milestone added to a fixed-price contract (or a planned one edited)."""

    def __init__(
        self,
        app: App,
        contract: dict[str, Any],
        milestone: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__("Edit milestone" if milestone else "Add milestone", parent)
        self.app = app
        self.contract = contract
        self.milestone = milestone
        self.result_data: dict[str, Any] | None = None
        m = milestone or {}
        self.currency = contract["currency"]
        # Which contract it is for, and the amount's currency even once one is typed.
        self.of_contract = QLabel(str(contract.get("title") or ""))
        self.of_contract.setWordWrap(True)
        self.add_field("contract", "Contract", self.of_contract)
        self.title_edit = QLineEdit(m.get("title", ""))
        self.add_field("title", "&Title", self.title_edit)
        self.amount = QLineEdit(money_text(m.get("amount_minor"), self.currency))
        self.amount.setPlaceholderText(f"in {self.currency}")
        self.add_field("amount", f"&Amount ({self.currency})", self.amount)
        self.due = QLineEdit(m.get("due_on") or "")
        self.due.setPlaceholderText("YYYY-MM-DD (optional)")
        self.add_field("due_on", "&Due", self.due)
        self.resize(460, 260)

    def save(self) -> dict[str, Any]:
        from freelancer_desk.services.contracts import MilestoneInput

        due_on = None
        if self.due.text().strip():
            try:
                due_on = date.fromisoformat(self.due.text().strip())
            except ValueError as exc:
                raise RuleError(
                    "milestone.due_on", "due date is not like 2026-03-31", field="due_on"
                ) from exc
        data = MilestoneInput(
            self.title_edit.text(),
            parse_money(self.amount.text(), self.currency, "amount") or 0,
            due_on,
        )
        if self.milestone is not None:
            return self.app.milestones.update(self.milestone["id"], data)
        return self.app.milestones.add(self.contract["id"], data)

    def accept(self) -> None:
        result = self.run_service(self.save)
        if result is not None:
            self.result_data = result
            super().accept()


def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)
