"""The settings dialog: one widget per declared setting with its help text, a change
that survives rebuilding the app and the window from the same data folder, refusals
shown under their field, the theme previewed live and undone by Cancel."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QSpinBox,
)

from freelancer_desk.app import AppBackend
from freelancer_desk.services.settings import SETTINGS
from freelancer_desk.ui.main import build_window
from freelancer_desk.ui.settings_dialog import SettingsDialog, settings_service
from tests.ui import desk
from tests.ui.desk import open_app

# The shared fixtures, by name.
home, demo_app = desk.home, desk.demo_app

WIDGETS = {
    "int": QSpinBox,
    "fee": QDoubleSpinBox,
    "bool": QCheckBox,
    "choice": QComboBox,
    "currency": QComboBox,
    "rounding": QComboBox,
    "timezone": QComboBox,
}


def dialog_for(qtbot, app, **kwargs) -> SettingsDialog:
    dialog = SettingsDialog(settings_service(app), **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def press(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> None:
    button = dialog.buttons.button(which)
    assert button is not None
    button.click()


def test_every_setting_has_a_widget_and_its_help(qtbot, demo_app):
    dialog = dialog_for(qtbot, demo_app)
    assert set(dialog.fields) == {s.name for s in SETTINGS}
    texts = {label.text() for label in dialog.findChildren(QLabel)}
    for spec in SETTINGS:
        field = dialog.fields[spec.name]
        if spec.kind in WIDGETS:
            assert isinstance(field.widget, WIDGETS[spec.kind]), spec.name
        assert any(text.startswith(spec.help) for text in texts), spec.name
        focus = getattr(field, "focus_widget", field.widget)
        assert focus.accessibleName() == spec.label
    assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
        "Tracking",
        "Display",
        "Money",
        "Reminders",
        "This computer",
    ]


def test_a_change_survives_rebuilding_the_app_and_the_window(qtbot, tmp_path, home):
    data_dir = tmp_path / "ws"
    first = open_app(data_dir)
    first.create_demo()
    window = build_window(AppBackend(first))
    qtbot.addWidget(window)
    themes: list[str] = []
    dialog = dialog_for(qtbot, first, on_theme=themes.append)
    dialog.fields["tracker.idle_minutes"].widget.setValue(5)
    dialog.fields["fees.upwork"].widget.setValue(12.5)
    dialog.fields["reminders.order_due"].widget.setChecked(False)
    theme = dialog.fields["display.theme"].widget
    theme.setCurrentIndex(theme.findData("dark"))
    assert themes == ["dark"]  # previewed at once
    dialog.fields["money.base_currency"].widget.setCurrentText("eur")
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    window.close()
    first.close()

    again = open_app(data_dir)
    try:
        window = build_window(AppBackend(again))
        qtbot.addWidget(window)
        reopened = dialog_for(qtbot, again)
        assert reopened.fields["tracker.idle_minutes"].widget.value() == 5
        assert reopened.fields["fees.upwork"].widget.value() == 12.5
        assert reopened.fields["reminders.order_due"].widget.isChecked() is False
        assert reopened.fields["display.theme"].widget.currentData() == "dark"
        assert reopened.fields["money.base_currency"].widget.currentText() == "EUR"
        assert settings_service(again).get("fees.upwork") == 1250
    finally:
        again.close()


def test_apply_keeps_the_dialog_open_and_a_refusal_shows_under_its_field(qtbot, demo_app):
    dialog = dialog_for(qtbot, demo_app)
    dialog.show()
    dialog.fields["tracker.idle_minutes"].widget.setValue(20)
    dialog.fields["display.time_zone"].widget.setCurrentText("Mars/Olympus")
    press(dialog, QDialogButtonBox.StandardButton.Apply)
    assert "IANA time zone" in dialog.error_text("display.time_zone")
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Display"
    # Nothing was stored: one bad value stores nothing.
    assert settings_service(demo_app).get("tracker.idle_minutes") == 10
    press(dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible()  # refused again: still open

    dialog.fields["display.time_zone"].widget.setCurrentText("Europe/Berlin")
    press(dialog, QDialogButtonBox.StandardButton.Apply)
    assert dialog.error_text("display.time_zone") == ""
    assert settings_service(demo_app).get("tracker.idle_minutes") == 20
    assert settings_service(demo_app).get("display.time_zone") == "Europe/Berlin"


def test_cancel_undoes_the_previewed_theme_and_stores_nothing(qtbot, demo_app):
    themes: list[str] = []
    dialog = dialog_for(qtbot, demo_app, on_theme=themes.append)
    combo = dialog.fields["display.theme"].widget
    combo.setCurrentIndex(combo.findData("light"))
    dialog.fields["tracker.idle_minutes"].widget.setValue(30)
    press(dialog, QDialogButtonBox.StandardButton.Cancel)
    assert themes == ["light", "system"]
    assert settings_service(demo_app).get("display.theme") == "system"
    assert settings_service(demo_app).get("tracker.idle_minutes") == 10


def test_restore_defaults_on_the_current_tab(qtbot, demo_app):
    settings_service(demo_app).set_many({"tracker.idle_minutes": 3, "fees.fiverr": 2500})
    dialog = dialog_for(qtbot, demo_app)
    dialog.tabs.setCurrentIndex(0)  # Tracking
    press(dialog, QDialogButtonBox.StandardButton.RestoreDefaults)
    assert dialog.pending() == {"tracker.idle_minutes": 10}  # the Money tab is untouched


def test_exchange_rates_are_added_by_day(qtbot, demo_app):
    dialog = dialog_for(qtbot, demo_app)
    before = dialog.rates_table.rowCount()
    dialog.rate_quote.setCurrentText("GBP")
    dialog.rate_value.setText("0.79")
    add = next(b for b in dialog.findChildren(QPushButton) if b.accessibleName() == "Add rate")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert dialog.rates_table.rowCount() == before + 1
    today = demo_app.clock.now().date()
    assert demo_app.ledger.rate("USD", "GBP", today).rate == Decimal("0.79")
    dialog.rate_value.setText("-2")
    dialog.add_rate()
    assert "more than zero" in dialog.rate_error.text()
