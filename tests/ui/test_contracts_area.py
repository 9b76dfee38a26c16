"""The Contracts area on a real workspace: a fixed-price contract with two milestones,
one funded, submitted and approved (escrow back to zero, pending until the security
period ends); refusals shown under the action rows or next to their field."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from freelancer_desk.services.clients import ClientInput
from freelancer_desk.ui.areapage import AreaPage
from freelancer_desk.ui.areas.contracts import ContractsPage, build_page, select_id
from freelancer_desk.ui.mainwindow import AREAS
from tests.ui.fakes import demo_backend
from tests.ui.reads import settle
from tests.ui.upwork_helpers import START, postings, real_app_fixture, window_fixture  # noqa: F401


def _page(window, real_app) -> ContractsPage:
    real_app.clients.create(ClientInput(name="Bluefin Outdoors", platform="upwork"))
    window.set_area("contracts")
    page = window.page("contracts")
    assert isinstance(page, ContractsPage)
    return page


def _click(qtbot, button) -> None:
    """Click once the tables show their rows (a refresh reads them on a worker thread),
    and wait for the rows the click makes the page read again."""
    settle(qtbot, button)
    assert button.isEnabled(), button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, button)


def test_fixed_contract_milestone_funded_submitted_approved(qtbot, window, real_app):
    page = _page(window, real_app)
    dialog = page.new_contract()
    dialog.title_edit.setText("Store speed-up")
    dialog.kind.setCurrentIndex(dialog.kind.findData("fixed"))
    assert not dialog.rate.isEnabled() and not dialog.weekly_limit.isEnabled()
    dialog.milestones.add_row("Audit and plan", "400.00", "2026-03-09")
    dialog.milestones.add_row("Fixes and report", "800.00", "")
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text("milestones") or dialog.error_text()
    settle(qtbot, page)
    contract_id = dialog.result_data["id"]
    assert page.current_id(0) == contract_id
    milestones = page.models[1]
    assert milestones.query.filters == {"contract_id": contract_id}
    assert milestones.total == 2
    first, second = (m["id"] for m in real_app.contracts.get(contract_id)["milestones"])

    # Releasing an unfunded milestone: greyed with its reason, and refused if forced.
    assert select_id(page, 1, second)
    approve = page.milestone_buttons["release"]
    assert not approve.isEnabled() and "not funded" in approve.toolTip()
    assert page.approve() is None
    assert "cannot release milestone: it is not funded" in page.message.text()
    assert page.message.isVisible()

    assert select_id(page, 1, first)
    _click(qtbot, page.milestone_buttons["fund"])
    assert not page.message.isVisible()
    assert postings(real_app, "escrow", contract_id) == [(40_000, None)]
    real_app.clock.advance(days=2)
    _click(qtbot, page.milestone_buttons["submit"])
    real_app.clock.advance(days=1)
    approved_at = real_app.clock.now()
    _click(qtbot, page.milestone_buttons["release"])
    assert real_app.milestones.get(first)["state"] == "released"
    assert sum(a for a, _ in postings(real_app, "escrow", contract_id)) == 0
    assert postings(real_app, "pending", contract_id) == [(36_000, approved_at + timedelta(days=5))]
    assert real_app.milestones.get(second)["state"] == "planned"
    assert page.current_id(1) == first  # still selected after the refresh
    assert not any(b.isEnabled() for b in page.milestone_buttons.values())

    added = page.add_milestone()
    assert added.of_contract.text() == "Store speed-up"  # which contract, and its currency
    assert added.amount.accessibleName() == "Amount (USD)"
    added.title_edit.setText("Follow-up")
    added.amount.setText("-5")
    added.accept()
    assert "more than zero" in added.error_text("amount")
    added.amount.setText("150")
    added.accept()
    assert not added.isVisible()
    settle(qtbot, page)
    assert page.models[1].total == 3
    # The new milestone is selected, its next step ready, and the status bar says so.
    assert page.current_id(1) == added.result_data["id"]
    assert page.milestone_buttons["fund"].isEnabled()
    assert window.statusBar().currentMessage().startswith("Added milestone Follow-up")


def test_a_planned_milestone_is_edited_and_a_funded_one_is_refused(
    qtbot, window, real_app, tmp_path
):
    page = _page(window, real_app)
    dialog = page.new_contract()
    dialog.title_edit.setText("Landing page")
    dialog.kind.setCurrentIndex(dialog.kind.findData("fixed"))
    dialog.milestones.add_row("Wireframes", "300.00", "")
    dialog.milestones.add_row("Build", "900.00", "2026-03-20")
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text()
    settle(qtbot, page)
    contract_id = dialog.result_data["id"]
    first, second = (m["id"] for m in real_app.contracts.get(contract_id)["milestones"])
    assert not page.edit_milestone_button.isEnabled()  # nothing selected yet

    assert select_id(page, 1, second)
    assert page.edit_milestone_button.isEnabled(), page.edit_milestone_button.toolTip()
    editor = page.edit_milestone()
    assert editor is not None and editor.windowTitle() == "Edit milestone"
    assert (editor.title_edit.text(), editor.amount.text(), editor.due.text()) == (
        "Build",
        "900.00",
        "2026-03-20",
    )
    editor.amount.setText("0")
    editor.accept()
    assert "more than zero" in editor.error_text("amount")
    editor.title_edit.setText("Build and launch")
    editor.amount.setText("1,100.00")
    editor.due.setText("2026-03-27")
    assert editor.grab().save(str(tmp_path / "edit-milestone.png"))  # it renders
    editor.accept()
    assert not editor.isVisible(), editor.error_text() or editor.error_text("amount")
    settle(qtbot, page)
    edited = real_app.milestones.get(second)
    assert (edited["title"], edited["amount_minor"], edited["due_on"]) == (
        "Build and launch",
        110_000,
        "2026-03-27",
    )
    assert "Saved milestone Build and launch" in window.statusBar().currentMessage()
    assert page.current_id(1) == second  # still selected after the refresh

    # Funded: greyed with the workflow's reason, and refused if invoked anyway.
    assert select_id(page, 1, first)
    _click(qtbot, page.milestone_buttons["fund"])
    assert page.current_id(1) == first
    button = page.edit_milestone_button
    assert not button.isEnabled()
    assert button.toolTip() == (
        "cannot change milestone: it is funded; only a planned milestone can be edited"
    )
    assert page.edit_milestone() is None
    assert page.message.isVisible()
    assert "only a planned milestone can be edited" in page.message.text()
    # An editor left open while the milestone was funded elsewhere: the service refuses.
    assert select_id(page, 1, second)
    stale = page.edit_milestone()
    real_app.milestones.fund(second)
    stale.amount.setText("5")
    stale.accept()
    assert stale.isVisible()
    assert "it is funded; only a planned milestone" in stale.error_text()
    stale.close()
    assert real_app.milestones.get(second)["amount_minor"] == 110_000


def test_the_editor_puts_a_contract_on_its_clients_platform(qtbot, window, real_app, tmp_path):
    page = _page(window, real_app)  # Bluefin Outdoors, an Upwork client
    direct = real_app.clients.create(ClientInput(name="Alder & Co", platform="direct"))["id"]
    dialog = page.new_contract()
    assert dialog.client.currentText() == "Alder & Co · direct"  # first by name
    assert dialog.platform.currentData() == "direct"
    assert dialog.fee_hint is not None and not dialog.fee_hint.isVisible()  # Upwork's fees
    dialog.client.setCurrentIndex(dialog.client.findText("Bluefin Outdoors · upwork"))
    assert dialog.platform.currentData() == "upwork"
    assert dialog.rounding.currentData() == "upwork"  # the rounding follows the platform
    assert dialog.fee_hint.isVisible() and "Upwork" in dialog.fee_hint.text()
    dialog.client.setCurrentIndex(dialog.client.findData(direct))
    assert dialog.platform.currentData() == "direct"
    # Another platform than the client's: refused next to the platform.
    dialog.platform.setCurrentIndex(dialog.platform.findData("fiverr"))
    dialog.title_edit.setText("Website care")
    dialog.rate.setText("60")
    dialog.accept()
    assert dialog.isVisible()
    assert "a contract is on its client's platform (direct), not fiverr" in dialog.error_text(
        "platform"
    )
    assert dialog.grab().save(str(tmp_path / "platform-refused.png"))
    dialog.platform.setCurrentIndex(dialog.platform.findData("direct"))
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text() or dialog.error_text("platform")
    saved = real_app.contracts.get(dialog.result_data["id"])
    assert (saved["platform"], saved["client_id"]) == ("direct", direct)
    settle(qtbot, page)
    # Editing keeps the contract's platform (fixed, like its client).
    editor = page.edit_contract()
    assert editor.platform.currentData() == "direct" and not editor.platform.isEnabled()
    editor.close()


def test_weekly_limit_below_zero_is_shown_next_to_the_field(qtbot, window, real_app):
    page = _page(window, real_app)
    dialog = page.new_contract()
    dialog.title_edit.setText("Ongoing support")
    dialog.rate.setText("50")
    dialog.weekly_limit.setText("-5")
    dialog.accept()
    assert dialog.isVisible()
    assert "below zero" in dialog.error_text("weekly_limit")
    dialog.weekly_limit.setText("20")
    dialog.rounding.setCurrentIndex(dialog.rounding.findData("15m-up"))
    dialog.snapshots.setCurrentIndex(dialog.snapshots.findData("off"))
    dialog.fee.setText("12.5")
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text()
    contract = real_app.contracts.get(dialog.result_data["id"])
    assert (contract["weekly_limit_minutes"], contract["rounding_rule"], contract["fee_bp"]) == (
        1200,
        "15m-up",
        1250,
    )
    assert contract["snapshot_policy"] == "off"
    settle(qtbot, page)

    _click(qtbot, page.contract_buttons["pause"])
    assert real_app.contracts.get(contract["id"])["state"] == "paused"
    assert page.contract_buttons["resume"].isEnabled()
    assert not page.add_milestone_button.isEnabled()  # hourly
    _click(qtbot, page.contract_buttons["end"])
    assert "already ended" in page.contract_buttons["end"].toolTip()

    review = page.add_review()
    review.rating.setValue(5)
    review.sub_ratings["communication"].setCurrentIndex(1)
    review.comment.setPlainText("Great client.")
    review.accept()
    assert not review.isVisible(), review.error_text()
    again = page.add_review()
    again.accept()
    assert "already has a received review" in again.error_text("direction")
    again.close()

    reputation = page.show_reputation()
    assert reputation.figures["average_rating"].text() == "5.00 ★"
    assert "average rating = sum of the overall ratings" in reputation.formula.toPlainText()


def test_read_only_backend_shows_the_tables(qtbot, tmp_path):
    area = next(a for a in AREAS if a.key == "contracts")
    page = build_page(area, demo_backend(tmp_path))
    qtbot.addWidget(page)
    assert type(page) is AreaPage
    assert [m.source.key for m in page.models] == ["contracts", "milestones"]
    assert all(m.total > 0 for m in page.models)


def test_the_page_fits_a_1280_px_screen_and_its_mnemonics_miss_the_menus(qtbot, window, real_app):
    page = _page(window, real_app)
    assert window.minimumSizeHint().width() <= 1280
    menus = {a.text().lower()[a.text().index("&") + 1] for a in window.menuBar().actions()}
    buttons = [b for b in page.findChildren(QPushButton) if "&" in b.text()]
    assert page.review_button in buttons  # "Add &review": Alt+V is the View menu's
    for button in buttons:
        text = button.text().lower()
        assert text[text.index("&") + 1] not in menus, button.text()
