"""The Hire dialog in the window, on a real workspace: it shows the contract the hire
makes and asks for its client — the post's platform's clients, never an archived one
nor one of another platform; the post's client preselected; New client… made with the
hire, so Cancel leaves nothing behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from freelancer_desk.app import App
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.jobs import JobPostInput
from freelancer_desk.services.proposals import ProposalInput
from freelancer_desk.storage.models import Client, Contract
from freelancer_desk.ui.areas.contracts import select_id
from freelancer_desk.ui.areas.proposals import PROPOSALS, ProposalsPage
from freelancer_desk.ui.proposal_forms import HireClientDialog, HireDialog
from tests.ui.reads import settle
from tests.ui.upwork_helpers import START, real_app_fixture, window_fixture  # noqa: F401


def _client(app: App, name: str, platform: str = "upwork", *, archived: bool = False) -> str:
    ident = str(app.clients.create(ClientInput(name=name, platform=platform))["id"])
    if archived:
        app.clients.set_archived(ident, True)
    return ident


def _offer(app: App, *, hourly: bool = False, **job: Any) -> str:
    """A proposal at the offer on a new Upwork job post."""
    values: dict[str, Any] = {
        "title": "Shopify store speed-up",
        "client_name": "",
        "budget_kind": "hourly" if hourly else "fixed",
        "budget_min_minor": 5_000 if hourly else 120_000,
        "posted_at": START - timedelta(hours=3),
    }
    values.update(job)
    post = app.jobs.create(JobPostInput(**values))
    proposal = app.proposals.create(
        ProposalInput(
            job_post_id=post["id"],
            bid_kind="hourly" if hourly else "fixed",
            bid_minor=5_500 if hourly else 120_000,
            cover_letter="Hi",
        )
    )
    app.proposals.submit(proposal["id"])
    app.proposals.receive_offer(proposal["id"])
    return str(proposal["id"])


def _counts(app: App) -> tuple[int, int]:
    with app.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Client)) or 0,
            s.scalar(select(func.count()).select_from(Contract)) or 0,
        )


def _open_hire(qtbot, window, proposal_id: str) -> tuple[ProposalsPage, HireDialog]:
    window.set_area("proposals")
    page = window.page("proposals")
    assert isinstance(page, ProposalsPage)
    page.refresh()
    settle(qtbot, window)
    assert select_id(page, PROPOSALS, proposal_id)
    assert page.step_buttons["hire"].isEnabled()
    qtbot.mouseClick(page.step_buttons["hire"], Qt.MouseButton.LeftButton)
    dialog = page.hire_dialog
    assert dialog is not None and dialog.isVisible()
    return page, dialog


def test_hire_picks_a_client_of_the_platform_never_an_archived_or_other_platforms(
    qtbot, window, real_app
):
    acme = _client(real_app, "Acme")
    archived = _client(real_app, "Zephyr Labs", archived=True)
    fiverr = _client(real_app, "Fiverr Buyer", platform="fiverr")
    proposal = _offer(real_app, hourly=True)
    _page, dialog = _open_hire(qtbot, window, proposal)

    offered = dialog.client_ids()
    assert acme in offered
    assert archived not in offered  # archived: never offered
    assert fiverr not in offered  # another platform: never offered
    assert offered == ["", acme]  # nothing preselected: the post names no client
    assert dialog.summary["Kind"].text() == "Hourly, $55.00 an hour"
    assert "you receive $49.50 an hour" in dialog.summary["Fee"].text()
    assert "Rounding: Upwork: 10-minute segments" in dialog.summary["Time"].text()

    dialog.accept()  # no client chosen: refused under the box
    assert dialog.isVisible()
    assert "choose the client" in dialog.error_text("client")
    assert _counts(real_app) == (3, 0)

    dialog.client.setCurrentIndex(dialog.client.findData(acme))
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text("client") or dialog.error_text()
    settle(qtbot, window)
    assert window.current_area == "contracts"
    contract = real_app.contracts.get(window.page("contracts").current_id(0))
    assert (contract["client_id"], contract["hourly_rate_minor"]) == (acme, 5_500)
    assert real_app.proposals.get(proposal)["state"] == "hired"


def test_the_posts_client_is_preselected_and_an_archived_one_is_not(qtbot, window, real_app):
    linked = _client(real_app, "Bluefin Outdoors")
    other = _client(real_app, "Acme")
    proposal = _offer(real_app, client_id=linked)
    _page, dialog = _open_hire(qtbot, window, proposal)
    assert dialog.client.currentData() == linked
    assert "$1,200.00" in dialog.summary["Kind"].text()
    assert "Shopify store speed-up — $1,200.00" in dialog.summary["Milestones"].text()
    dialog.reject()

    real_app.clients.set_archived(linked, True)
    _page, dialog = _open_hire(qtbot, window, proposal)
    assert linked not in dialog.client_ids()
    assert dialog.client_ids() == ["", other]
    hints = [label.text() for label in dialog.findChildren(QLabel)]
    assert any("Bluefin Outdoors (linked to the post) is archived" in t for t in hints)
    dialog.reject()
    assert real_app.proposals.get(proposal)["state"] == "offer"


def test_cancel_after_new_client_changes_nothing_and_hire_makes_it(qtbot, window, real_app):
    _client(real_app, "Acme")
    proposal = _offer(real_app, client_name="Dana's Bakery")
    before = _counts(real_app)
    page, dialog = _open_hire(qtbot, window, proposal)
    assert dialog.client.currentData() == "new:post"  # the client the post names

    editor = dialog.new_client()
    assert isinstance(editor, HireClientDialog) and editor.isVisible()
    assert editor.name.text() == "Dana's Bakery"
    assert not editor.platform.isEnabled() and editor.platform.currentData() == "upwork"
    editor.email.setText("not an address")
    editor.accept()
    assert editor.isVisible() and "is not an address" in editor.error_text("email")
    editor.email.setText("dana@example.com")
    editor.name.setText("Dana Bakes")
    editor.accept()
    assert not editor.isVisible()
    assert dialog.client.currentText() == "New client: Dana Bakes"
    assert _counts(real_app) == before  # the editor saved nothing

    dialog.reject()  # Cancel
    assert _counts(real_app) == before
    assert real_app.proposals.get(proposal)["state"] == "offer"
    assert page.step_buttons["hire"].isEnabled()

    _page, dialog = _open_hire(qtbot, window, proposal)
    editor = dialog.new_client()
    editor.name.setText("Dana Bakes")
    editor.email.setText("dana@example.com")
    editor.accept()
    dialog.accept()
    assert not dialog.isVisible(), dialog.error_text("client") or dialog.error_text()
    settle(qtbot, window)
    assert _counts(real_app) == (before[0] + 1, before[1] + 1)
    contract = real_app.contracts.get(window.page("contracts").current_id(0))
    client = real_app.clients.get(contract["client_id"])
    assert (client["name"], client["platform"], client["email"]) == (
        "Dana Bakes",
        "upwork",
        "dana@example.com",
    )
