"""The Proposals area: job posts captured from the platform and the proposals written
for them — editor, templates and snippets, copy as text, and the proposal's states up to
hiring, which creates the contract and shows it in the Contracts area."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QPushButton, QVBoxLayout

from freelancer_desk.domain.workflow.proposal import PROPOSAL, ProposalAction, ProposalState
from freelancer_desk.ui.areapage import Area, AreaPage, app_of
from freelancer_desk.ui.areas.contracts import action_row, add_to_row, enable_step, grab, select_id
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.forms import USER_ERRORS, confirm, error_label
from freelancer_desk.ui.proposal_forms import (
    HireDialog,
    JobPostDialog,
    ProposalEditor,
    TemplatesDialog,
)

if TYPE_CHECKING:
    from freelancer_desk.app import App

JOBS, PROPOSALS = 0, 1

STEPS: tuple[tuple[ProposalAction, str, str], ...] = (
    (ProposalAction.SUBMIT, "Submit", "Proposal submitted"),
    (ProposalAction.MARK_VIEWED, "Mark viewed", "Marked as viewed by the client"),
    (ProposalAction.INTERVIEW, "Interview", "Interviewing"),
    (ProposalAction.RECEIVE_OFFER, "Offer", "Offer received"),
    (ProposalAction.HIRE, "Hire", "Hired"),
    (ProposalAction.DECLINE, "Decline", "Declined"),
    (ProposalAction.WITHDRAW, "Withdraw", "Withdrawn"),
    (ProposalAction.ARCHIVE, "Archive", "Archived"),
)


class ProposalsPage(AreaPage):
    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        super().__init__(area, backend)
        self.app = app
        self.hire_dialog: HireDialog | None = None  # the last one opened
        self.message = error_label()
        self.message.setAccessibleName("Action message")
        self.add_action("&New job post", self.new_job_post, shortcut="Ctrl+N")
        self.edit_job_button = self.add_action("&Edit job post", self.edit_job_post)
        self.delete_job_button = self.add_action(
            "Delete job post", self.delete_job_post, shortcut=QKeySequence.StandardKey.Delete
        )
        self.new_proposal_button = self.add_action("New &proposal", self.new_proposal)
        self.open_button = self.add_action("&Open proposal", self.open_proposal)
        self.copy_button = self.add_action("&Copy as text", self.copy_as_text)
        self.add_action("&Templates && snippets…", self.manage_templates)

        row = action_row(self, "Proposal:")
        self.step_buttons: dict[str, QPushButton] = {}
        for step, text, _done in STEPS:
            self.step_buttons[step.value] = add_to_row(row, text, partial(self.step, step))
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.splitter) - 1, self.message)

        self.selectionChanged.connect(lambda _panel: self._update_buttons())
        self.panels[JOBS].view.doubleClicked.connect(lambda _i: self.edit_job_post())
        self.panels[PROPOSALS].view.doubleClicked.connect(lambda _i: self.open_proposal())
        self._update_buttons()

    # -- selection -----------------------------------------------------------------------
    def _update_buttons(self) -> None:
        job = self.current_id(JOBS)
        for button in (self.edit_job_button, self.delete_job_button, self.new_proposal_button):
            button.setEnabled(job is not None)
        ident = self.current_id(PROPOSALS)
        state = None
        if ident is not None:
            try:
                state = ProposalState(self.app.proposals.get(ident)["state"])
            except USER_ERRORS:
                state = None
        self.open_button.setEnabled(state is not None)
        self.copy_button.setEnabled(state is not None)
        for action, button in self.step_buttons.items():
            enable_step(button, PROPOSAL, state, ProposalAction(action))

    def refresh(self) -> None:
        kept = [self.kept_ids(i) for i in range(len(self.panels))]
        super().refresh()
        for panel, ids in enumerate(kept):
            for ident in ids:
                select_id(self, panel, ident)
        self._update_buttons()

    def say(self, text: str, *, refused: bool = False) -> None:
        self.message.setText(text if refused else "")
        self.message.setVisible(refused)
        self.show_message(text)

    def attempt(self, call: Callable[[], Any], done: str) -> Any | None:
        try:
            result = call()
        except USER_ERRORS as exc:
            self.say(str(exc), refused=True)
            return None
        self.say(done)
        self.refresh()
        return result

    # -- job posts -------------------------------------------------------------------
    def _job_dialog(self, job: dict[str, Any] | None) -> JobPostDialog:
        dialog = JobPostDialog(self.app, job, self)
        dialog.accepted.connect(lambda: self._job_saved(dialog))
        dialog.open()
        return dialog

    def _job_saved(self, dialog: JobPostDialog) -> None:
        self.refresh()
        if dialog.result_data is not None:
            select_id(self, JOBS, dialog.result_data["id"])
            self.say(f"Saved job post {dialog.result_data['title']}")

    def new_job_post(self) -> JobPostDialog:
        return self._job_dialog(None)

    def edit_job_post(self) -> JobPostDialog | None:
        ident = self.current_id(JOBS)
        if ident is None:
            self.say("Select a job post first", refused=True)
            return None
        return self._job_dialog(self.app.jobs.get(ident))

    def delete_job_post(self, *, confirmed: bool = False) -> dict[str, Any] | None:
        ident = self.current_id(JOBS)
        if ident is None:
            return None
        job = self.app.jobs.get(ident)
        if not confirmed and not confirm(
            self, "Delete job post", f"Delete “{job['title']}” and its proposals?"
        ):
            return None
        result: dict[str, Any] | None = self.attempt(
            lambda: self.app.jobs.delete(ident), f"Deleted job post {job['title']}"
        )
        return result

    # -- proposals -----------------------------------------------------------------------
    def _editor(self, job: dict[str, Any], proposal: dict[str, Any] | None) -> ProposalEditor:
        dialog = ProposalEditor(self.app, job, proposal, self)
        dialog.accepted.connect(lambda: self._proposal_saved(dialog))
        dialog.open()
        return dialog

    def _proposal_saved(self, dialog: ProposalEditor) -> None:
        if dialog.result_data is None:
            return
        self.refresh()
        select_id(self, PROPOSALS, dialog.result_data["id"])
        self.say("Saved the proposal (draft): Submit when it is ready")

    def new_proposal(self) -> ProposalEditor | None:
        ident = self.current_id(JOBS)
        if ident is None:
            self.say("Select the job post to bid on", refused=True)
            return None
        return self._editor(self.app.jobs.get(ident), None)

    def open_proposal(self) -> ProposalEditor | None:
        ident = self.current_id(PROPOSALS)
        if ident is None:
            self.say("Select a proposal first", refused=True)
            return None
        proposal = self.app.proposals.get(ident)
        return self._editor(self.app.jobs.get(proposal["job_post_id"]), proposal)

    def copy_as_text(self) -> str | None:
        ident = self.current_id(PROPOSALS)
        if ident is None:
            self.say("Select a proposal first", refused=True)
            return None
        text: str | None = self.attempt(
            lambda: self.app.proposals.as_text(ident),
            "Copied the proposal: paste it on the platform",
        )
        if text is not None:
            QGuiApplication.clipboard().setText(text)
        return text

    def manage_templates(self) -> TemplatesDialog:
        dialog = TemplatesDialog(self.app, self)
        dialog.open()
        return dialog

    def step(self, action: ProposalAction) -> dict[str, Any] | HireDialog | None:
        ident = self.current_id(PROPOSALS)
        if ident is None:
            self.say("Select a proposal first", refused=True)
            return None
        if action is ProposalAction.HIRE:
            return self.hire()
        done = next(d for a, _t, d in STEPS if a is action)
        result: dict[str, Any] | None = self.attempt(
            lambda: self.app.proposals.transition(ident, action.value), done
        )
        return result

    def hire(self) -> HireDialog | None:
        """Accept the offer: the Hire dialog shows the contract it makes and asks for
        its client; on Hire the contract is created and shown in Contracts."""
        ident = self.current_id(PROPOSALS)
        if ident is None:
            self.say("Select a proposal first", refused=True)
            return None
        try:
            terms = self.app.proposals.hire_terms(ident)
        except USER_ERRORS as exc:
            self.say(str(exc), refused=True)
            return None
        dialog = HireDialog(self.app, ident, terms, self)
        dialog.accepted.connect(lambda: self._hired(dialog))
        self.hire_dialog = dialog
        dialog.open()
        return dialog

    def _hired(self, dialog: HireDialog) -> None:
        contract = dialog.result_data
        if contract is None:
            return
        done = f"Hired: contract “{contract['title']}” created"
        self.say(done)
        self.refresh()
        window = self.window()
        set_area = getattr(window, "set_area", None)
        page_of = getattr(window, "page", None)
        if callable(set_area) and callable(page_of):
            set_area("contracts")
            contracts = page_of("contracts")
            contracts.refresh()
            select = getattr(contracts, "select_contract", None)
            if callable(select):
                select(contract["id"])
            contracts.show_message(done)


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:
        return AreaPage(area, backend)  # read-only: the tables, no actions
    return ProposalsPage(area, backend, app)


def screenshot_extras(page: AreaPage, out_dir: Path) -> list[Path]:
    """The job post editor, the proposal editor (a draft and a submitted one), the Hire
    dialog of an offer and the templates manager filled with the workspace's data, as
    proposals-*.png."""
    if not isinstance(page, ProposalsPage):
        return []
    from freelancer_desk.services.listing import ListQuery

    out_dir.mkdir(parents=True, exist_ok=True)
    app = page.app
    paths: list[Path] = []
    jobs = app.sources["job_posts"].fetch(ListQuery(), 0, 50)
    with_questions = [app.jobs.get(str(j["id"])) for j in jobs]
    job = next((j for j in with_questions if j["screening_questions"]), None) or (
        with_questions[0] if with_questions else None
    )
    if job is not None:
        paths.append(grab(JobPostDialog(app, job, page), out_dir / "proposals-job-post.png"))
        draft = ProposalEditor(app, job, None, page)
        templates = app.proposals.templates("template")
        if templates:
            draft.template.setCurrentIndex(draft.template.findData(templates[0]["id"]))
            draft.insert_template()
        for _q, edit in draft.answers:
            edit.setPlainText("Yes — three similar projects last year; links in my profile.")
        draft.bid_kind.setCurrentIndex(draft.bid_kind.findData("fixed"))
        draft.milestones.add_row("Audit and plan", "400.00", "")
        draft.milestones.add_row("Fixes and report", "800.00", "")
        draft.duration.setCurrentText("1 to 3 months")
        draft.connects.setValue(16)
        paths.append(grab(draft, out_dir / "proposals-editor.png"))
    rows = app.sources["proposals"].fetch(ListQuery(), 0, 50)
    sent = next((r for r in rows if r.get("state") != "draft"), None)
    if sent is not None:
        proposal = app.proposals.get(str(sent["id"]))
        viewer = ProposalEditor(app, app.jobs.get(proposal["job_post_id"]), proposal, page)
        paths.append(grab(viewer, out_dir / "proposals-submitted.png"))
    offer = next((r for r in rows if r.get("state") == "offer"), None)
    if offer is not None:
        ident = str(offer["id"])
        hire = HireDialog(app, ident, app.proposals.hire_terms(ident), page)
        paths.append(grab(hire, out_dir / "proposals-hire.png"))
    manager = TemplatesDialog(app, page)
    if manager.list.count():
        manager.list.setCurrentRow(0)
    paths.append(grab(manager, out_dir / "proposals-templates.png"))
    return paths


__all__ = ["ProposalsPage", "build_page", "screenshot_extras"]
