"""Clients in the window: a fresh workspace goes New client → New contract without the
CLI; the clients list edits, archives and filters; refusals show next to their field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput
from freelancer_desk.ui.areas.contracts import ContractsPage
from freelancer_desk.ui.client_forms import ClientDialog, ClientsDialog, parse_days
from tests.ui.reads import settle
from tests.ui.upwork_helpers import real_app_fixture, window_fixture  # noqa: F401


def _page(window) -> ContractsPage:
    window.set_area("contracts")
    page = window.page("contracts")
    assert isinstance(page, ContractsPage)
    return page


def _rows(dialog: ClientsDialog) -> list[str]:
    return [dialog.model.data(dialog.model.index(r, 0)) for r in range(dialog.model.rowCount())]


def test_fresh_workspace_new_client_then_new_contract(qtbot, window, real_app, tmp_path):
    page = _page(window)
    settle(qtbot, page)
    contract = page.new_contract()
    assert contract.client.count() == 0  # nothing to pick on a fresh workspace
    assert contract.new_client_button.isVisible()
    contract.platform.setCurrentIndex(contract.platform.findData("direct"))

    qtbot.mouseClick(contract.new_client_button, Qt.MouseButton.LeftButton)
    client = contract.findChild(ClientDialog)
    assert client is not None and client.isVisible()
    assert client.platform.currentData() == "direct"  # the platform chosen so far
    assert client.terms.isVisibleTo(client)  # a direct client's invoices use its terms
    client.name.setText("Acme GmbH")
    client.currency.setText("eur")
    client.timezone.setCurrentText("Mars/Olympus")
    client.terms.setText("net 14")
    client.accept()
    assert client.isVisible()  # refused in place, everything typed kept
    assert "timezone: 'Mars/Olympus' is not an IANA zone" in client.error_text("timezone")
    assert client.name.text() == "Acme GmbH"
    client.grab().save(str(tmp_path / "client-refused.png"))
    client.timezone.setCurrentText("Europe/Berlin")
    client.accept()
    assert not client.isVisible(), client.error_text()
    saved = client.result_data
    assert (saved["currency"], saved["timezone"], saved["payment_terms_days"]) == (
        "EUR",
        "Europe/Berlin",
        14,
    )

    # Picked in the contract editor, its platform followed.
    assert contract.client.currentData() == saved["id"]
    assert contract.platform.currentData() == "direct"
    contract.title_edit.setText("Website care")
    contract.currency.setText("EUR")
    contract.rate.setText("60")
    contract.grab().save(str(tmp_path / "contract-with-new-client.png"))
    contract.accept()
    assert not contract.isVisible(), contract.error_text("client") or contract.error_text()
    made = real_app.contracts.get(contract.result_data["id"])
    assert (made["client_id"], made["platform"]) == (saved["id"], "direct")


def test_new_client_on_another_platform_moves_the_contracts_platform(qtbot, window, real_app):
    real_app.clients.create(ClientInput(name="Bluefin Outdoors", platform="upwork"))
    page = _page(window)
    settle(qtbot, page)
    contract = page.new_contract()
    assert contract.platform.currentData() == "upwork"
    client = contract.new_client()
    client.name.setText("Nina")
    client.platform.setCurrentIndex(client.platform.findData("fiverr"))
    assert not client.terms.isVisibleTo(client)  # a platform pays on its own schedule
    client.accept()
    assert not client.isVisible(), client.error_text()
    assert contract.client.currentText() == "Nina · fiverr"
    assert contract.platform.currentData() == "fiverr"
    assert contract.client.count() == 2


def test_clients_list_edit_archive_filter(qtbot, window, real_app, tmp_path):
    acme = real_app.clients.create(ClientInput(name="Acme GmbH", platform="direct"))
    real_app.clients.create(ClientInput(name="Bluefin Outdoors", platform="upwork"))
    real_app.contracts.create(
        ContractInput(client_id=acme["id"], title="Care", kind="fixed", currency="USD")
    )
    page = _page(window)
    settle(qtbot, page)
    clients_button = next(
        b for b in page.findChildren(type(page.edit_button)) if b.text() == "Clien&ts…"
    )
    qtbot.mouseClick(clients_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(ClientsDialog)
    assert dialog is not None and dialog.isVisible()
    assert _rows(dialog) == ["Acme GmbH", "Bluefin Outdoors"]
    assert not dialog.edit_button.isEnabled()  # nothing selected yet
    dialog.grab().save(str(tmp_path / "clients.png"))

    dialog.filter.setText("blue")
    assert _rows(dialog) == ["Bluefin Outdoors"]
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter while filtering does not close the list
    dialog.view.setFocus()
    dialog.view.selectRow(0)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    by_key = dialog.findChild(ClientDialog)
    assert by_key is not None and by_key.name.text() == "Bluefin Outdoors"
    by_key.reject()
    by_key.deleteLater()
    qtbot.waitUntil(lambda: dialog.findChild(ClientDialog) is None)
    dialog.filter.clear()

    # Double-click edits; a platform held by a contract is refused under the platform.
    assert dialog.select(acme["id"])
    rect = dialog.view.visualRect(dialog.model.index(0, 0))
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    edit = dialog.findChild(ClientDialog)
    assert edit is not None and edit.isVisible() and edit.name.text() == "Acme GmbH"
    # Its platform is held by its contract: greyed, saying why; forced, it is refused
    # under the platform and nothing is saved.
    assert not edit.platform.isEnabled()
    hint = "Acme GmbH holds 1 contract on direct; for another platform add another client"
    assert any(label.text() == hint for label in edit.findChildren(QLabel))
    edit.platform.setCurrentIndex(edit.platform.findData("upwork"))
    edit.accept()
    assert edit.isVisible()
    assert "Acme GmbH holds 1 contract on direct" in edit.error_text("platform")
    assert real_app.clients.get(acme["id"])["platform"] == "direct"
    edit.platform.setCurrentIndex(edit.platform.findData("direct"))
    edit.name.setText("Acme Ltd")
    edit.email.setText("billing@acme.example")
    edit.accept()
    assert not edit.isVisible(), edit.error_text()
    stored = real_app.clients.get(acme["id"])
    assert (stored["name"], stored["email"], stored["platform"]) == (
        "Acme Ltd",
        "billing@acme.example",
        "direct",
    )
    assert _rows(dialog)[0] == "Acme Ltd" and dialog.selected_id() == acme["id"]

    # Archive: hidden from the list and from a new contract's picker; Unarchive back.
    assert dialog.archive_button.text() == "&Archive"
    qtbot.mouseClick(dialog.archive_button, Qt.MouseButton.LeftButton)
    assert real_app.clients.get(acme["id"])["archived"] is True
    assert _rows(dialog) == ["Bluefin Outdoors"]
    assert "Archived Acme Ltd" in dialog.message.text()
    new_contract = page.new_contract()
    assert new_contract.client.findData(acme["id"]) < 0
    new_contract.reject()
    dialog.show_archived.setChecked(True)
    assert _rows(dialog) == ["Acme Ltd", "Bluefin Outdoors"]
    assert dialog.select(acme["id"])
    assert dialog.archive_button.text() == "Un&archive"
    dialog.toggle_archived()
    assert real_app.clients.get(acme["id"])["archived"] is False
    dialog.close()


@pytest.mark.parametrize(("text", "days"), [("", None), ("30", 30), ("net 7", 7)])
def test_parse_days(text, days):
    assert parse_days(text) == days


def test_parse_days_refuses_naming_the_field():
    from freelancer_desk.domain.errors import RuleError

    with pytest.raises(RuleError) as refused:
        parse_days("soon")
    assert refused.value.field == "payment_terms_days"
