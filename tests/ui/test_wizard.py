"""The first-run wizard: each path (data folder, currency, snapshot policy, demo or
empty) comes back as the choices, and applying them stores them where they belong."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWizard

from freelancer_desk.app import AppBackend
from freelancer_desk.services.settings import machine_value
from freelancer_desk.ui.settings_dialog import settings_service
from freelancer_desk.ui.wizard import (
    FirstStartChoices,
    FirstStartWizard,
    apply_first_start,
    needs_first_start,
    run_first_start,
)
from tests.ui import desk
from tests.ui.desk import open_app

home = desk.home


@pytest.fixture
def wizard(qtbot, tmp_path) -> FirstStartWizard:
    w = FirstStartWizard(default_data_dir=tmp_path / "default")
    qtbot.addWidget(w)
    w.show()
    return w


def walk(wizard: FirstStartWizard, *, folder: Path, currency: str, policy: str, demo: bool):
    wizard.data_page.folder.setText(str(folder))
    wizard.next()
    assert wizard.currentPage() is wizard.currency_page
    wizard.currency_page.currency.setCurrentText(currency)
    wizard.next()
    assert wizard.currentPage() is wizard.privacy_page
    wizard.privacy_page.buttons[policy].click()
    wizard.next()
    assert wizard.currentPage() is wizard.start_page
    (wizard.start_page.demo if demo else wizard.start_page.empty).click()
    wizard.accept()
    return wizard.choices()


def test_the_defaults_are_the_private_ones(wizard, tmp_path):
    choices = wizard.choices()
    assert choices == FirstStartChoices(tmp_path / "default", "USD", "blurred", 90, True)
    assert [wizard.page(i).title() for i in wizard.pageIds()] == [
        "Where should your data live?",
        "Your base currency",
        "Screen snapshots, in plain words",
        "Start with a demo or with an empty workspace?",
    ]
    # The snapshot page says what each choice means, in words, not jargon.
    explanations = [b.accessibleDescription() for b in wizard.privacy_page.buttons.values()]
    assert all(len(text) > 60 for text in explanations)
    assert "never saved" in wizard.privacy_page.buttons["blurred"].accessibleDescription()


@pytest.mark.parametrize(
    ("policy", "demo", "currency"),
    [("off", False, "EUR"), ("blurred", True, "USD"), ("full", False, "gbp")],
)
def test_each_path_comes_back_as_chosen(wizard, tmp_path, policy, demo, currency):
    choices = walk(wizard, folder=tmp_path / "mine", currency=currency, policy=policy, demo=demo)
    assert choices.data_dir == tmp_path / "mine"
    assert choices.snapshot_policy == policy
    assert choices.demo is demo
    assert choices.base_currency == currency.upper()


def test_a_relative_folder_cannot_go_on(wizard):
    wizard.data_page.folder.setText("relative/path")
    assert not wizard.data_page.isComplete()
    wizard.data_page.folder.setText("")
    assert not wizard.data_page.isComplete()


@pytest.mark.parametrize("demo", [True, False])
def test_applying_the_choices(tmp_path, home, demo):
    data_dir = tmp_path / "chosen"
    app = open_app(data_dir)
    backend = AppBackend(app)
    try:
        apply_first_start(FirstStartChoices(data_dir, "EUR", "off", 30, demo), backend)
        assert backend.is_empty() is not demo
        settings = settings_service(app)
        assert settings.get("money.base_currency") == "EUR"
        assert settings.get("snapshots.default_policy") == "off"
        assert settings.get("snapshots.retention_days") == 30
        # The next start opens the chosen folder without asking.
        assert machine_value("storage.data_dir") == str(data_dir)
        assert not needs_first_start(None, None)
    finally:
        app.close()


def test_needs_first_start_only_when_nothing_says_where(home, monkeypatch, tmp_path):
    assert needs_first_start(None, None)
    assert not needs_first_start(str(tmp_path), None)
    assert not needs_first_start(None, "sqlite:///x.sqlite3")
    monkeypatch.setenv("FREELANCER_DESK_DATA_DIR", str(tmp_path))
    assert not needs_first_start(None, None)


def _finish_when_shown(choose_empty: bool) -> None:
    def act() -> None:
        wizard = QApplication.activeModalWidget()
        if not isinstance(wizard, QWizard):
            QTimer.singleShot(20, act)
            return
        assert isinstance(wizard, FirstStartWizard)
        if choose_empty:
            wizard.start_page.empty.setChecked(True)
            wizard.accept()
        else:
            wizard.reject()

    QTimer.singleShot(0, act)


def test_run_first_start_returns_the_choices_or_none(qtbot, tmp_path):
    _finish_when_shown(choose_empty=True)
    choices = run_first_start(None, tmp_path / "d")
    assert choices is not None and choices.demo is False and choices.data_dir == tmp_path / "d"
    _finish_when_shown(choose_empty=False)
    assert run_first_start(None, tmp_path / "d") is None
