"""The Proposals area on a real workspace: a job post captured, a proposal written from a
template with screening answers and planned milestones, submitted, hired into a
contract shown in Contracts — and a second hire refused with its message."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from freelancer_desk.domain.workflow.proposal import ProposalAction
from freelancer_desk.ui.areapage import AreaPage
from freelancer_desk.ui.areas.proposals import ProposalsPage, build_page
from freelancer_desk.ui.mainwindow import AREAS
from tests.ui.fakes import demo_backend
from tests.ui.reads import settle
from tests.ui.upwork_helpers import postings, real_app_fixture, window_fixture  # noqa: F401

TEMPLATE = 'Hi {client},\n\nYour post "{job}" is exactly my kind of work: {skill} every day.'


def _page(window) -> ProposalsPage:
    window.set_area("proposals")
    page = window.page("proposals")
    assert isinstance(page, ProposalsPage)
    return page


def test_job_post_to_submitted_proposal_to_hired_contract(qtbot, window, real_app):
    page = _page(window)

    templates = page.manage_templates()
    templates.name.setText("Fixed price intro")
    templates.body.setPlainText(TEMPLATE)
    assert templates.save() is not None
    assert templates.list.count() == 1
    templates.close()

    dialog = page.new_job_post()
    assert dialog.isVisible()
    dialog.title_edit.setText("Shopify store speed-up")
    dialog.client.setText("Bluefin Outdoors")
    dialog.description.setPlainText("Our store takes 6 s to load.")
    dialog.budget_kind.setCurrentIndex(dialog.budget_kind.findData("fixed"))
    dialog.budget_min.setText("1,200")
    dialog.skills.setText("Shopify, Performance")
    dialog.questions.setPlainText("Which stores have you sped up?\nWhen can you start?")
    dialog.url.setText("https://www.upwork.com/jobs/~01abc")
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text()
    settle(qtbot, window)
    job = dialog.result_data
    assert job is not None and job["budget_min_minor"] == 120_000
    assert page.current_id(0) == job["id"]

    editor = page.new_proposal()
    assert editor is not None
    editor.template.setCurrentIndex(editor.template.findText("Fixed price intro (template)"))
    inserted = editor.insert_template()
    assert inserted is not None and "Hi Bluefin Outdoors" in editor.cover.toPlainText()
    assert "Shopify every day" in editor.cover.toPlainText()
    assert len(editor.answers) == 2
    editor.answers[0][1].setPlainText("Three, links in my profile.")
    editor.answers[1][1].setPlainText("Monday.")
    editor.bid_kind.setCurrentIndex(editor.bid_kind.findData("fixed"))
    editor.milestones.add_row("Audit and plan", "400", "2026-03-09")
    editor.milestones.add_row("Fixes and report", "800", "")
    assert editor.calculator.text() == (
        "client pays $1,200.00 → you receive $1,080.00 after the 10% fee"
    )
    editor.duration.setCurrentText("1 to 3 months")
    editor.connects.setValue(16)
    editor.accept()
    assert not editor.isVisible(), editor.error_text("milestones") or editor.error_text()
    settle(qtbot, window)
    proposal_id = editor.result_data["id"]
    assert page.current_id(1) == proposal_id
    proposal = real_app.proposals.get(proposal_id)
    assert proposal["template_id"] is not None and proposal["bid_minor"] == 120_000

    # Only what the machine allows is enabled.
    enabled = {k for k, b in page.step_buttons.items() if b.isEnabled()}
    assert enabled == {"submit", "archive"}
    qtbot.mouseClick(page.step_buttons["submit"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert real_app.proposals.get(proposal_id)["state"] == "submitted"
    assert page.current_id(1) == proposal_id  # the selection survives the refresh

    text = page.copy_as_text()
    assert text is not None and QGuiApplication.clipboard().text() == text
    assert "Milestone 2: Fixes and report" in text

    qtbot.mouseClick(page.step_buttons["receive_offer"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert page.step_buttons["hire"].isEnabled()
    qtbot.mouseClick(page.step_buttons["hire"], Qt.MouseButton.LeftButton)
    hire = page.hire_dialog
    assert hire is not None and hire.isVisible()
    # The post names its client, who is not in the workspace yet: made with the hire.
    assert hire.client.currentText() == "New client: Bluefin Outdoors (named in the post)"
    assert "$1,200.00" in hire.summary["Kind"].text()
    hire.accept()
    assert not hire.isVisible(), hire.error_text("client") or hire.error_text()
    settle(qtbot, window)
    assert real_app.proposals.get(proposal_id)["state"] == "hired"
    assert window.current_area == "contracts"
    contracts = window.page("contracts")
    contract_id = contracts.current_id(0)
    contract = real_app.contracts.get(contract_id)
    assert contract["kind"] == "fixed" and contract["fee_bp"] == 1000
    assert [m["amount_minor"] for m in contract["milestones"]] == [40_000, 80_000]

    # Hired twice: the button is off, saying why; forcing the step shows the refusal.
    window.set_area("proposals")
    settle(qtbot, window)
    assert not page.step_buttons["hire"].isEnabled()
    assert "already hired" in page.step_buttons["hire"].toolTip()
    assert page.hire() is None
    assert "already hired" in page.message.text() and page.message.isVisible()
    assert len(postings(real_app, "escrow", contract_id)) == 0


def test_refusals_show_next_to_the_field(qtbot, window, real_app):
    page = _page(window)
    dialog = page.new_job_post()
    dialog.title_edit.setText("Range the wrong way round")
    dialog.budget_kind.setCurrentIndex(dialog.budget_kind.findData("hourly"))
    dialog.budget_min.setText("45")
    dialog.budget_max.setText("20")
    dialog.accept()
    assert dialog.isVisible()
    assert "below its bottom" in dialog.error_text("budget_max")
    dialog.budget_max.setText("abc")
    dialog.accept()
    assert "is not an amount" in dialog.error_text("budget_max")
    dialog.budget_max.setText("60")
    dialog.accept()
    assert not dialog.isVisible()
    settle(qtbot, window)

    editor = page.new_proposal()
    editor.bid_kind.setCurrentIndex(editor.bid_kind.findData("hourly"))
    editor.bid.setText("50")
    assert "you receive $45.00 per hour after the 10% fee" in editor.calculator.text()
    editor.fee.setText("20")
    editor.accept()
    assert "15%" in editor.error_text("fee")  # Upwork's range
    editor.fee.setText("")
    editor.accept()
    assert not editor.isVisible()
    settle(qtbot, window)
    page.step(ProposalAction.SUBMIT)
    settle(qtbot, window)
    assert "cover letter is empty" in page.message.text()


def test_read_only_backend_shows_the_tables(qtbot, tmp_path):
    area = next(a for a in AREAS if a.key == "proposals")
    page = build_page(area, demo_backend(tmp_path))
    qtbot.addWidget(page)
    assert type(page) is AreaPage
    assert [m.source.key for m in page.models] == ["job_posts", "proposals"]
    assert all(m.total > 0 for m in page.models)
