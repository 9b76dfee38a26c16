"""A row the window selects by itself (a contract just saved, a proposal just hired, a
selection kept across a refresh) is that row alone, whatever modifier keys are held
when its rows arrive. `QTableView.selectRow` reads the keyboard: with Shift held it
extended the selection from the table's anchor (and selected nothing in a table never
clicked), with Ctrl held it toggled the row off.

Found through a test order (tests/ui/test_keyboard_walk.py, then the Contracts or the
Proposals tests: "the selection comes back None"): Qt Test's last key click with a
modifier leaves that modifier held for the application (tests/ui/conftest.py lets it
go after each test)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.ui.areas.contracts import CONTRACTS, ContractsPage, select_id
from freelancer_desk.ui.client_forms import ClientsDialog
from tests.ui.conftest import release_held_modifiers
from tests.ui.reads import settle
from tests.ui.upwork_helpers import real_app_fixture, window_fixture  # noqa: F401

KEYS = {
    "shift": (Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier),
    "ctrl": (Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier),
}


def _contracts(qtbot, window, real_app) -> tuple[ContractsPage, list[str]]:
    client = real_app.clients.create(ClientInput(name="Acme GmbH", platform="direct"))
    ids = [
        real_app.contracts.create(
            ContractInput(client_id=client["id"], title=title, kind="fixed", currency="USD")
        )["id"]
        for title in ("Care", "Audit", "Rewrite")
    ]
    window.set_area("contracts")
    page = window.page("contracts")
    assert isinstance(page, ContractsPage)
    settle(qtbot, page)
    assert page.models[CONTRACTS].rowCount() == 3
    return page, ids


def _hold(qtbot, page: ContractsPage, key: str) -> None:
    """Press (and keep pressed) a modifier key, as the user holding it down."""
    code, modifier = KEYS[key]
    qtbot.keyPress(page.panels[CONTRACTS].view, code, modifier)
    assert QApplication.keyboardModifiers() & modifier


@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_table_never_clicked_selects_the_row_asked_for(qtbot, window, real_app, key):
    page, ids = _contracts(qtbot, window, real_app)
    _hold(qtbot, page, key)
    try:
        assert select_id(page, CONTRACTS, ids[1])
        assert page.selected_ids(CONTRACTS) == [ids[1]]
    finally:
        release_held_modifiers()


@pytest.mark.parametrize("key", sorted(KEYS))
def test_the_row_asked_for_replaces_the_selection(qtbot, window, real_app, key):
    page, ids = _contracts(qtbot, window, real_app)
    assert select_id(page, CONTRACTS, ids[0])
    _hold(qtbot, page, key)
    try:
        assert select_id(page, CONTRACTS, ids[2])
        assert page.selected_ids(CONTRACTS) == [ids[2]]
        assert select_id(page, CONTRACTS, ids[2])  # asked again (a refresh): still selected
        assert page.selected_ids(CONTRACTS) == [ids[2]]
    finally:
        release_held_modifiers()


def test_a_row_kept_across_a_refresh_stays_selected_with_ctrl_held(qtbot, window, real_app):
    page, ids = _contracts(qtbot, window, real_app)
    assert select_id(page, CONTRACTS, ids[1])
    _hold(qtbot, page, "ctrl")
    try:
        page.refresh()  # the rows are read again; the selection is made again on them
        settle(qtbot, page)
        assert page.selected_ids(CONTRACTS) == [ids[1]]
    finally:
        release_held_modifiers()


@pytest.mark.parametrize("key", sorted(KEYS))
def test_the_clients_list_selects_the_client_asked_for(qtbot, window, real_app, key):
    """Its table selects one row at a time: `selectRow` there ignores the keys held."""
    page, _ids = _contracts(qtbot, window, real_app)
    other = real_app.clients.create(ClientInput(name="Bluefin Outdoors", platform="upwork"))
    dialog = ClientsDialog(real_app, page)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2
    assert dialog.select(other["id"])
    _hold(qtbot, page, key)
    try:
        assert dialog.select(other["id"])
        assert dialog.selected_id() == other["id"]
        assert len(dialog.view.selectionModel().selectedRows()) == 1
    finally:
        release_held_modifiers()


@pytest.mark.parametrize("key", sorted(KEYS))
def test_a_key_click_with_a_modifier_leaves_it_held_until_let_go(qtbot, key):
    """The Qt Test behaviour behind the test order: its release of the modifier key
    says the modifier is still down (a real keyboard's does not)."""
    _code, modifier = KEYS[key]
    field = QLineEdit()
    qtbot.addWidget(field)
    qtbot.keyClick(field, Qt.Key.Key_A, modifier)
    assert QApplication.keyboardModifiers() == modifier
    release_held_modifiers()
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
