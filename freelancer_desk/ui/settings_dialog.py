"""The Settings dialog, built from the declared list in `services/settings.py`: a tab
per group, a widget per type with its help text underneath, exchange rates by date on
the Money tab, and OK / Apply / Cancel / Restore Defaults. The theme changes as soon as
it is picked and goes back on Cancel.

`screenshot_extras(window, out_dir)` renders this dialog, the first-run wizard, About
and the shortcuts screen to PNG for `--screenshot`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtGui import QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.settings import (
    GROUPS,
    SETTINGS,
    SPECS,
    SettingSpec,
    SettingsService,
    time_zones,
)
from freelancer_desk.ui.desktop import apply_theme, format_day
from freelancer_desk.ui.forms import USER_ERRORS, error_label
from freelancer_desk.ui.tablemodel import display_locale

if TYPE_CHECKING:
    from freelancer_desk.app import App

ThemeHook = Callable[[str], None]
FIELD_WIDTH = 320  # short values in short boxes: a 10-minute field needs no 600 px


def settings_service(app: App) -> SettingsService:
    """The app's settings service (a cached `app.settings` once app.py builds one)."""
    existing = getattr(app, "settings", None)
    if isinstance(existing, SettingsService):
        return existing
    return SettingsService(app.db, app.bus)


def muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class _Field:
    """One setting's widget: reads and writes the typed value."""

    def __init__(self, spec: SettingSpec, widget: QWidget, get: Callable[[], Any], put: Any):
        self.spec = spec
        self.widget = widget
        self.get: Callable[[], Any] = get
        self.put: Callable[[Any], None] = put
        self.error = error_label()
        self.error.setAccessibleName(f"{spec.label} error")


def _editable_combo(values: tuple[str, ...] | list[str], current: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(list(values))
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = QCompleter(list(values), combo)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    combo.setCompleter(completer)
    combo.setCurrentText(current)
    return combo


def build_field(spec: SettingSpec, value: Any) -> _Field:
    """The widget for one declared setting, showing `value`."""
    kind = spec.kind
    if kind == "bool":
        box = QCheckBox(spec.label)
        box.setChecked(bool(value))
        return _Field(spec, box, box.isChecked, box.setChecked)
    if kind == "int":
        spin = QSpinBox()
        spin.setRange(spec.minimum or 0, spec.maximum or 1_000_000)
        if spec.unit:
            spin.setSuffix(f" {spec.unit}")
        if spec.name == "snapshots.retention_days":
            spin.setSpecialValueText("Forever")
        spin.setValue(int(value))
        return _Field(spec, spin, spin.value, spin.setValue)
    if kind == "fee":
        dspin = QDoubleSpinBox()
        dspin.setDecimals(2)
        dspin.setRange((spec.minimum or 0) / 100, (spec.maximum or 10_000) / 100)
        dspin.setSingleStep(0.5)
        dspin.setSuffix(" %")
        dspin.setValue(int(value) / 100)
        return _Field(
            spec, dspin, lambda: round(dspin.value() * 100), lambda v: dspin.setValue(v / 100)
        )
    if kind == "choice":
        combo = QComboBox()
        for choice, label in spec.choices:
            combo.addItem(label, choice)

        def put_choice(v: Any) -> None:
            combo.setCurrentIndex(max(0, combo.findData(v)))

        put_choice(value)
        return _Field(spec, combo, combo.currentData, put_choice)
    if kind in ("currency", "rounding", "timezone"):
        values = list(spec.presets)
        if kind == "timezone":
            values += [z for z in time_zones() if z not in values]
        combo = _editable_combo(values, str(value))
        if kind == "currency":
            combo.setValidator(QRegularExpressionValidator(r"[A-Za-z]{0,3}", combo))
        return _Field(spec, combo, combo.currentText, lambda v: combo.setCurrentText(str(v)))
    # path and url: free text, empty for the default
    edit = QLineEdit(str(value))
    edit.setClearButtonEnabled(True)
    if kind == "path":
        edit.setPlaceholderText("The usual place for application data")
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        choose = QPushButton("C&hoose…")
        choose.setAccessibleName(f"Choose {spec.label.lower()}")

        def pick() -> None:
            folder = QFileDialog.getExistingDirectory(holder, spec.label, edit.text())
            if folder:
                edit.setText(folder)

        choose.clicked.connect(pick)
        row.addWidget(choose)
        edit.setAccessibleName(spec.label)
        field = _Field(spec, holder, edit.text, lambda v: edit.setText(str(v)))
        field.focus_widget = edit  # type: ignore[attr-defined]
        return field
    edit.setPlaceholderText("sqlite:///… inside the data folder")
    return _Field(spec, edit, edit.text, lambda v: edit.setText(str(v)))


class SettingsDialog(QDialog):
    """Edit every declared setting. Apply stores what changed (a refusal appears under
    its field, on its tab); OK applies and closes; Cancel undoes a previewed theme."""

    def __init__(
        self,
        service: SettingsService,
        parent: QWidget | None = None,
        *,
        on_theme: ThemeHook = apply_theme,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        self.service = service
        self._on_theme = on_theme
        self._today = today or date.today()  # noqa: DTZ011 - a default for a date picker only
        self.values = service.all()
        self._theme_at_open = self.values.get("display.theme", "system")
        self.fields: dict[str, _Field] = {}
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Setting groups")
        self._tab_of: dict[str, int] = {}
        for group in GROUPS:
            specs = [s for s in SETTINGS if s.group == group and s.name in self.values]
            if specs:
                index = self.tabs.addTab(self._group_page(group, specs), group)
                self._tab_of.update({spec.name: index for spec in specs})

        self.general_error = error_label()
        self.general_error.setAccessibleName("Settings error")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        for role, name in (
            (QDialogButtonBox.StandardButton.Ok, "OK"),
            (QDialogButtonBox.StandardButton.Apply, "Apply"),
            (QDialogButtonBox.StandardButton.Cancel, "Cancel"),
            (QDialogButtonBox.StandardButton.RestoreDefaults, "Restore defaults on this tab"),
        ):
            button = self.buttons.button(role)
            if button is not None:
                button.setAccessibleName(name)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        apply = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        if apply is not None:
            apply.clicked.connect(self.apply)
        defaults = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        if defaults is not None:
            defaults.clicked.connect(self.restore_tab_defaults)

        theme = self.fields.get("display.theme")
        if theme is not None and isinstance(theme.widget, QComboBox):
            theme.widget.currentIndexChanged.connect(lambda _i: self._on_theme(theme.get()))

        layout = QVBoxLayout(self)
        layout.addWidget(self.general_error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(760, 700)

    # -- building ----------------------------------------------------------------------

    def _group_page(self, group: str, specs: list[SettingSpec]) -> QWidget:
        body = QWidget()
        form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setVerticalSpacing(6)
        form.setHorizontalSpacing(16)
        machine = [s for s in specs if s.scope == "machine"]
        for spec in specs:
            field = build_field(spec, self.values[spec.name])
            self.fields[spec.name] = field
            if spec.kind not in ("path", "url", "bool"):
                field.widget.setMaximumWidth(FIELD_WIDTH)
            focus = getattr(field, "focus_widget", field.widget)
            focus.setAccessibleName(spec.label)
            focus.setAccessibleDescription(spec.help)
            focus.setToolTip(spec.help)
            cell = QWidget()
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 10)
            box.setSpacing(3)
            box.addWidget(field.widget)
            mixed = spec.scope == "machine" and len(machine) < len(specs)
            hint = muted(QLabel(spec.help + (" (This computer only.)" if mixed else "")))
            hint.setWordWrap(True)
            box.addWidget(hint)
            box.addWidget(field.error)
            if spec.kind == "bool":
                form.addRow(cell)
            else:
                label = QLabel(f"{spec.label}:")
                label.setBuddy(focus)
                form.addRow(label, cell)
        if group == "Money":
            form.addRow(self._rates_box())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return scroll

    def _rates_box(self) -> QGroupBox:
        box = QGroupBox("Exchange rates")
        layout = QVBoxLayout(box)
        hint = muted(
            QLabel(
                "One rate per currency and day; a conversion uses the latest rate on or "
                "before the day of the amount. Nothing is converted without one."
            )
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.rates_table = QTableWidget(0, 3)
        self.rates_table.setAccessibleName("Exchange rates")
        self.rates_table.setHorizontalHeaderLabels(["Day", "Pair", "Rate"])
        self.rates_table.verticalHeader().hide()
        self.rates_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rates_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.rates_table.setMaximumHeight(120)
        layout.addWidget(self.rates_table)
        row = QHBoxLayout()
        self.rate_quote = _editable_combo(["EUR", "USD", "GBP", "CAD", "AUD", "INR"], "EUR")
        self.rate_quote.setAccessibleName("Rate currency")
        self.rate_day = QDateEdit(QDate(self._today.year, self._today.month, self._today.day))
        self.rate_day.setCalendarPopup(True)
        self.rate_day.setLocale(display_locale())
        self.rate_day.setDisplayFormat(display_locale().dateFormat(QLocale.FormatType.ShortFormat))
        self.rate_day.setAccessibleName("Rate day")
        self.rate_value = QLineEdit()
        self.rate_value.setPlaceholderText("e.g. 0.92")
        self.rate_value.setAccessibleName("Rate")
        self.rate_label = QLabel()
        add = QPushButton("A&dd rate")
        add.setAccessibleName("Add rate")
        add.clicked.connect(self.add_rate)
        self.rate_error = error_label()
        self.rate_error.setAccessibleName("Rate error")
        row.addWidget(self.rate_label)
        row.addWidget(self.rate_value, 1)
        row.addWidget(self.rate_quote)
        row.addWidget(QLabel("on"))
        row.addWidget(self.rate_day)
        row.addWidget(add)
        layout.addLayout(row)
        layout.addWidget(self.rate_error)
        self._show_rates()
        return box

    def _show_rates(self) -> None:
        base = self.values.get("money.base_currency", "USD")
        self.rate_label.setText(f"1 {base} =")
        rates = self.service.rates() if self.service.db is not None else []
        self.rates_table.setRowCount(len(rates))
        locale = display_locale()
        for i, rate in enumerate(rates):
            for column, text in enumerate(
                (format_day(rate.on, locale), f"{rate.base} → {rate.quote}", f"{rate.rate:f}")
            ):
                self.rates_table.setItem(i, column, QTableWidgetItem(text))

    # -- actions -----------------------------------------------------------------------

    def pending(self) -> dict[str, Any]:
        """What the widgets show that differs from what is stored."""
        return {
            name: field.get()
            for name, field in self.fields.items()
            if field.get() != self.values[name]
        }

    def apply(self) -> bool:
        """Store what changed; False (with the refusal shown by its field) if refused."""
        self._clear_errors()
        changed = self.pending()
        if not changed:
            return True
        try:
            stored = self.service.set_many(changed)
        except USER_ERRORS as exc:
            self.show_error(getattr(exc, "field", None), str(exc))
            return False
        self.values.update(stored)
        for name, value in stored.items():
            self.fields[name].put(value)
        if "display.theme" in stored:
            self._theme_at_open = stored["display.theme"]
            self._on_theme(stored["display.theme"])
        if "money.base_currency" in stored:
            self._show_rates()
        if {"storage.data_dir", "storage.db_url"} & stored.keys() and self.isVisible():
            QMessageBox.information(
                self,
                "Settings",
                "The new data folder or database is used from the next start.",
            )
        return True

    def accept(self) -> None:
        if self.apply():
            super().accept()

    def reject(self) -> None:
        if self._theme_at_open != self.values.get("display.theme") or (
            "display.theme" in self.fields
            and self.fields["display.theme"].get() != self._theme_at_open
        ):
            self._on_theme(self._theme_at_open)
        super().reject()

    def restore_tab_defaults(self) -> None:
        """The defaults into the widgets of the current tab (stored on Apply or OK)."""
        index = self.tabs.currentIndex()
        for name, tab in self._tab_of.items():
            if tab == index:
                self.fields[name].put(SPECS[name].default)

    def add_rate(self) -> None:
        self.rate_error.hide()
        day = self.rate_day.date()
        try:
            self.service.set_rate(
                self.rate_quote.currentText().strip().upper(),
                date(day.year(), day.month(), day.day()),
                self.rate_value.text(),
            )
        except (*USER_ERRORS, RuleError) as exc:
            self.rate_error.setText(str(exc))
            self.rate_error.show()
            return
        self.rate_value.clear()
        self._show_rates()

    # -- errors ------------------------------------------------------------------------

    def _clear_errors(self) -> None:
        self.general_error.hide()
        for field in self.fields.values():
            field.error.hide()

    def show_error(self, name: str | None, message: str) -> None:
        field = self.fields.get(name or "")
        if field is None:
            self.general_error.setText(message)
            self.general_error.show()
            return
        self.tabs.setCurrentIndex(self._tab_of[field.spec.name])
        field.error.setText(message)
        field.error.show()
        getattr(field, "focus_widget", field.widget).setFocus(Qt.FocusReason.OtherFocusReason)

    def error_text(self, name: str) -> str:
        field = self.fields[name]
        return field.error.text() if not field.error.isHidden() else ""


def open_settings(parent: QWidget, app: App | None) -> SettingsDialog | None:
    """Settings… from the menu: modal, on the app's settings service."""
    if app is None:
        QMessageBox.information(parent, "Settings", "Settings need an open workspace.")
        return None
    dialog = SettingsDialog(settings_service(app), parent)
    dialog.exec()
    return dialog


# -- screenshots ---------------------------------------------------------------------


def screenshot_extras(window: QWidget, out_dir: Path) -> list[Path]:
    """Render the settings dialog (each tab), every first-run wizard page, About and the
    keyboard shortcuts to `out_dir`; nothing is stored."""
    from freelancer_desk.services.events import ChangeBus
    from freelancer_desk.ui.areapage import app_of
    from freelancer_desk.ui.desktop import AboutDialog, ShortcutsDialog, collect_shortcuts
    from freelancer_desk.ui.wizard import FirstStartWizard

    out_dir.mkdir(parents=True, exist_ok=True)
    backend = getattr(window, "_backend", None)
    app = app_of(backend) if backend is not None else None
    paths: list[Path] = []

    def grab(widget: QWidget, name: str) -> None:
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        widget.show()
        widget.repaint()
        path = out_dir / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        paths.append(path)

    if app is not None:
        service = SettingsService(app.db, ChangeBus(), effects={})  # a preview: no effects
        dialog = SettingsDialog(service, window, on_theme=lambda _t: None)
        for index in range(dialog.tabs.count()):
            dialog.tabs.setCurrentIndex(index)
            slug = dialog.tabs.tabText(index).lower().replace(" ", "-")
            grab(dialog, f"settings-{index + 1}-{slug}")
        dialog.deleteLater()
    wizard = FirstStartWizard(default_data_dir=Path("~/.local/share/freelancer-desk").expanduser())
    for index, page_id in enumerate(wizard.pageIds()):
        wizard.show_page(page_id)
        grab(wizard, f"wizard-{index + 1}")
    wizard.deleteLater()
    if backend is not None:
        about = AboutDialog(backend, window)
        grab(about, "about")
        about.deleteLater()
    pages = [window.page(key) for key in _area_keys()] if hasattr(window, "page") else []
    shortcuts = ShortcutsDialog(collect_shortcuts(window, pages), window)
    grab(shortcuts, "shortcuts")
    shortcuts.deleteLater()
    return paths


def _area_keys() -> tuple[str, ...]:
    from freelancer_desk.ui.mainwindow import AREA_KEYS

    return AREA_KEYS
