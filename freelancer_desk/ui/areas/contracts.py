"""The Contracts area: contracts (hourly or fixed) with pause / resume / end, the
selected contract's milestones through escrow, reviews and the reputation summary.

Every step goes through the services; a refused one shows its message under the
action rows and in the status bar, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.workflow.contract import CONTRACT, ContractAction, ContractState
from freelancer_desk.domain.workflow.milestone import (
    MILESTONE,
    MilestoneAction,
    MilestoneState,
    check_editable,
)
from freelancer_desk.ui.areapage import Area, AreaPage, app_of, muted
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.client_forms import ClientDialog, ClientsDialog
from freelancer_desk.ui.contract_forms import ContractDialog, MilestoneDialog
from freelancer_desk.ui.forms import USER_ERRORS, error_label
from freelancer_desk.ui.review_dialogs import ReputationDialog, ReviewDialog

if TYPE_CHECKING:
    from freelancer_desk.app import App

CONTRACTS, MILESTONES = 0, 1


def action_row(page: AreaPage, caption: str) -> QHBoxLayout:
    """A second row of buttons under the page's action row, captioned."""
    row = QHBoxLayout()
    row.setSpacing(8)
    row.addWidget(muted(QLabel(caption)))
    row.addStretch(1)
    layout = page.layout()
    assert isinstance(layout, QVBoxLayout)
    layout.insertLayout(layout.indexOf(page.splitter) - 1, row)
    return row


def add_to_row(row: QHBoxLayout, text: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(text.replace("&", ""))
    button.clicked.connect(lambda _checked=False: slot())
    row.insertWidget(row.count() - 1, button)
    return button


def select_id(page: AreaPage, panel: int, ident: str) -> bool:
    """Select the row with `ident` in one of the page's tables (if loaded). While the
    table's rows are being read (a refresh, a filter: on a worker thread) it is selected
    once they are there, and False is returned now."""
    table = page.panels[panel]
    model = table.model
    if model.reading:
        table.pending_select = ident  # the newest one asked wins
        model.after_read(lambda: table.pending_select == ident and select_id(page, panel, ident))
        return False
    table.pending_select = None
    for row in range(model.rowCount()):
        if model.row_id(row) == ident:
            # Not `view.selectRow`: it reads the keys held (Shift extended the selection
            # from the anchor, Ctrl toggled the row off) — tests/ui/test_held_keys.py.
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
            flags |= QItemSelectionModel.SelectionFlag.Rows
            table.view.selectionModel().setCurrentIndex(model.index(row, 0), flags)
            return True
    return False


def grab(widget: QWidget, path: Path) -> Path:
    """Render a dialog (shown off-screen) to a PNG."""
    top_level = widget.isWindow()
    if top_level:
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        widget.show()
        QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    if top_level:
        widget.close()
        widget.deleteLater()
    return path


class ContractsPage(AreaPage):
    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        super().__init__(area, backend)
        self.app = app
        self.message = error_label()
        self.message.setAccessibleName("Action message")
        self.contract_buttons: dict[str, QPushButton] = {}
        self.milestone_buttons: dict[str, QPushButton] = {}

        self.add_action("&New contract", self.new_contract, shortcut="Ctrl+N")
        self.edit_button = self.add_action("&Edit contract", self.edit_contract)
        for step, text in (
            (ContractAction.PAUSE, "Pause"),
            (ContractAction.RESUME, "Resume"),
            (ContractAction.END, "End"),
        ):
            self.contract_buttons[step.value] = self.add_action(
                text, partial(self.contract_step, step)
            )
        self.review_button = self.add_action("Add &review", self.add_review)
        self.add_action("Re&putation", self.show_reputation)
        self.add_action("Clien&ts…", self.show_clients)

        row = action_row(self, "Milestone:")
        self.add_milestone_button = add_to_row(row, "&Add milestone", self.add_milestone)
        self.edit_milestone_button = add_to_row(row, "Edit &milestone", self.edit_milestone)
        for move, text in (
            (MilestoneAction.FUND, "Fund"),
            (MilestoneAction.SUBMIT, "Submit"),
            (MilestoneAction.REQUEST_CHANGES, "Request changes"),
            (MilestoneAction.RELEASE, "Approve (release)"),
            (MilestoneAction.REFUND, "Refund"),
            (MilestoneAction.DISPUTE, "Dispute"),
        ):
            self.milestone_buttons[move.value] = add_to_row(
                row, text, partial(self.milestone_step, move)
            )
        add_to_row(row, "Release due", self.auto_release)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.splitter) - 1, self.message)

        self.selectionChanged.connect(self._selection_changed)
        self.panels[CONTRACTS].view.doubleClicked.connect(lambda _i: self.edit_contract())
        self.panels[MILESTONES].view.doubleClicked.connect(lambda _i: self.edit_milestone())
        self._update_buttons()

    # -- selection -----------------------------------------------------------------------
    def selected_contract(self) -> dict[str, Any] | None:
        ident = self.current_id(CONTRACTS)
        return self.app.contracts.get(ident) if ident else None

    def selected_milestone(self) -> dict[str, Any] | None:
        ident = self.current_id(MILESTONES)
        return self.app.milestones.get(ident) if ident else None

    def _selection_changed(self, panel: int) -> None:
        if panel == CONTRACTS:
            ident = self.current_id(CONTRACTS)
            kept = self.selected_ids(MILESTONES)
            self.models[MILESTONES].set_filters({"contract_id": ident} if ident else {})
            for mid in kept:
                select_id(self, MILESTONES, mid)
        self._update_buttons()

    def _update_buttons(self) -> None:
        contract = self.selected_contract()
        state = ContractState(contract["state"]) if contract else None
        self.edit_button.setEnabled(contract is not None and state is not ContractState.ENDED)
        for action, button in self.contract_buttons.items():
            enable_step(button, CONTRACT, state, ContractAction(action))
        self.review_button.setEnabled(state is ContractState.ENDED)
        self.review_button.setToolTip(
            "" if state is ContractState.ENDED else "A contract is reviewed once it has ended"
        )
        self.add_milestone_button.setEnabled(
            contract is not None
            and contract["kind"] == "fixed"
            and state is not ContractState.ENDED
        )
        milestone = self.selected_milestone()
        mstate = MilestoneState(milestone["state"]) if milestone else None
        for action, button in self.milestone_buttons.items():
            enable_step(button, MILESTONE, mstate, MilestoneAction(action))
        refusal = _edit_refusal(contract, milestone)
        self.edit_milestone_button.setEnabled(milestone is not None and not refusal)
        self.edit_milestone_button.setToolTip(
            refusal or ("Select a milestone first" if milestone is None else "")
        )

    def refresh(self) -> None:
        """Re-read, keeping what was selected."""
        kept = [self.kept_ids(i) for i in range(len(self.panels))]
        super().refresh()
        for panel, ids in enumerate(kept):
            for ident in ids:
                select_id(self, panel, ident)
        self._update_buttons()

    def select_contract(self, ident: str) -> bool:
        return select_id(self, CONTRACTS, ident)

    # -- messages ------------------------------------------------------------------------
    def say(self, text: str, *, refused: bool = False) -> None:
        self.message.setText(text if refused else "")
        self.message.setVisible(refused)
        self.show_message(text)

    def attempt(self, call: Callable[[], Any], done: str) -> Any | None:
        """Run a step; a refusal is shown under the action rows, not raised."""
        try:
            result = call()
        except USER_ERRORS as exc:
            self.say(str(exc), refused=True)
            return None
        self.say(done)
        self.refresh()
        return result

    # -- contract actions ------------------------------------------------------------
    def contract_dialog(self, contract: dict[str, Any] | None = None) -> ContractDialog:
        dialog = ContractDialog(self.app, contract, self)
        dialog.accepted.connect(lambda: self._contract_saved(dialog))
        dialog.open()
        return dialog

    def _contract_saved(self, dialog: ContractDialog) -> None:
        self.refresh()
        if dialog.result_data is not None:
            self.select_contract(dialog.result_data["id"])
            self.say(f"Saved contract {dialog.result_data['title']}")

    def new_contract(self) -> ContractDialog:
        return self.contract_dialog()

    def edit_contract(self) -> ContractDialog | None:
        contract = self.selected_contract()
        if contract is None:
            self.say("Select a contract to edit", refused=True)
            return None
        return self.contract_dialog(contract)

    def contract_step(self, action: ContractAction) -> dict[str, Any] | None:
        ident = self.current_id(CONTRACTS)
        if ident is None:
            self.say("Select a contract first", refused=True)
            return None
        call = {
            ContractAction.PAUSE: self.app.contracts.pause,
            ContractAction.RESUME: self.app.contracts.resume,
            ContractAction.END: self.app.contracts.end,
        }[action]
        done = {
            ContractAction.PAUSE: "Contract paused",
            ContractAction.RESUME: "Contract resumed",
            ContractAction.END: "Contract ended",
        }[action]
        result: dict[str, Any] | None = self.attempt(lambda: call(ident), done)
        if result is not None and action is ContractAction.END and result["escrow_minor"]:
            self.say(
                "Contract ended with money in escrow: accept the refund or dispute within 7 days"
            )
        return result

    # -- milestones ------------------------------------------------------------------------
    def add_milestone(self) -> MilestoneDialog | None:
        contract = self.selected_contract()
        if contract is None:
            self.say("Select a fixed-price contract first", refused=True)
            return None
        dialog = MilestoneDialog(self.app, contract, parent=self)
        dialog.accepted.connect(lambda: self._milestone_added(dialog))
        dialog.open()
        return dialog

    def _milestone_added(self, dialog: MilestoneDialog) -> None:
        """The new milestone selected, its next step (Fund) a click away, and said."""
        self.refresh()
        added = dialog.result_data
        if added is not None:
            select_id(self, MILESTONES, str(added["id"]))
            self.say(f"Added milestone {added['title']}: Fund puts its amount in escrow")

    def edit_milestone(self) -> MilestoneDialog | None:
        """Change a planned milestone's title, amount or due date; a funded one (or one
        of an ended contract) is refused under the action rows, as the service would."""
        milestone = self.selected_milestone()
        contract = self.selected_contract()
        if milestone is None or contract is None:
            self.say("Select a milestone to edit", refused=True)
            return None
        refusal = _edit_refusal(contract, milestone)
        if refusal:
            self.say(refusal, refused=True)
            return None
        dialog = MilestoneDialog(self.app, contract, milestone, parent=self)
        dialog.accepted.connect(lambda: self._milestone_saved(dialog))
        dialog.open()
        return dialog

    def _milestone_saved(self, dialog: MilestoneDialog) -> None:
        self.refresh()
        if dialog.result_data is not None:
            self.say(f"Saved milestone {dialog.result_data['title']}")

    def milestone_step(self, action: MilestoneAction) -> dict[str, Any] | None:
        ident = self.current_id(MILESTONES)
        if ident is None:
            self.say("Select a milestone first", refused=True)
            return None
        ms = self.app.milestones
        call: Callable[[str], dict[str, Any]] = {
            MilestoneAction.FUND: ms.fund,
            MilestoneAction.SUBMIT: ms.submit,
            MilestoneAction.REQUEST_CHANGES: ms.request_changes,
            MilestoneAction.RELEASE: ms.approve,
            MilestoneAction.REFUND: ms.refund,
            MilestoneAction.DISPUTE: ms.dispute,
        }[action]
        done = {
            MilestoneAction.FUND: "Milestone funded: the money is in escrow",
            MilestoneAction.SUBMIT: "Milestone submitted: it releases in 14 days unless reviewed",
            MilestoneAction.REQUEST_CHANGES: "Changes requested",
            MilestoneAction.RELEASE: "Milestone approved: released to pending (5-day security period)",
            MilestoneAction.REFUND: "Milestone refunded to the client",
            MilestoneAction.DISPUTE: "Milestone disputed",
        }[action]
        result: dict[str, Any] | None = self.attempt(lambda: call(ident), done)
        return result

    def fund(self) -> dict[str, Any] | None:
        return self.milestone_step(MilestoneAction.FUND)

    def submit(self) -> dict[str, Any] | None:
        return self.milestone_step(MilestoneAction.SUBMIT)

    def approve(self) -> dict[str, Any] | None:
        return self.milestone_step(MilestoneAction.RELEASE)

    def auto_release(self) -> list[dict[str, Any]] | None:
        released: list[dict[str, Any]] | None = self.attempt(
            self.app.milestones.auto_release_due, "Released every milestone past its 14 days"
        )
        if released is not None:
            self.say(f"Released automatically: {len(released)} milestone(s) past their 14 days")
        return released

    # -- reviews -----------------------------------------------------------------------
    def add_review(self) -> ReviewDialog | None:
        contract = self.selected_contract()
        if contract is None:
            self.say("Select an ended contract to review", refused=True)
            return None
        dialog = ReviewDialog(self.app, contract, self)
        dialog.accepted.connect(lambda: self.say("Review saved"))
        dialog.open()
        return dialog

    def show_reputation(self) -> ReputationDialog:
        contract = self.selected_contract()
        dialog = ReputationDialog(self.app, contract["platform"] if contract else "upwork", self)
        dialog.open()
        return dialog

    # -- clients ---------------------------------------------------------------------------
    def show_clients(self) -> ClientsDialog:
        """The clients list: new, edit, archive. The contracts show clients' names, so
        they are read again when it closes."""
        dialog = ClientsDialog(self.app, self)
        dialog.finished.connect(lambda _result: self.refresh())
        dialog.open()
        return dialog


def enable_step(button: QPushButton, machine: Any, state: Any, action: Any) -> None:
    """Enabled when the state machine allows the step; otherwise its refusal is the
    tooltip, so a greyed button says why."""
    if state is None:
        button.setEnabled(False)
        button.setToolTip("Select a row first")
        return
    try:
        machine.transition(state, action)
    except RuleError as exc:
        button.setEnabled(False)
        button.setToolTip(str(exc))
        return
    button.setEnabled(True)
    button.setToolTip("")


def _edit_refusal(contract: dict[str, Any] | None, milestone: dict[str, Any] | None) -> str:
    """Why the selected milestone cannot be edited ("" when it can): the workflow's rule
    (only a planned milestone) and the service's (not on an ended contract)."""
    if milestone is None:
        return ""
    try:
        check_editable(MilestoneState(milestone["state"]))
    except RuleError as exc:
        return str(exc)
    if contract is not None and contract["state"] == ContractState.ENDED.value:
        return "cannot change a milestone of an ended contract"
    return ""


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:
        return AreaPage(area, backend)  # read-only: the tables, no actions
    return ContractsPage(area, backend, app)


def screenshot_extras(page: AreaPage, out_dir: Path) -> list[Path]:
    """The contract, milestone, review and reputation editors, the clients list and a
    client's editor filled with the workspace's data, as contracts-*.png in `out_dir`."""
    if not isinstance(page, ContractsPage):
        return []
    from freelancer_desk.services.listing import ListQuery

    out_dir.mkdir(parents=True, exist_ok=True)
    app = page.app
    rows = app.sources["contracts"].fetch(ListQuery(), 0, 200)
    hourly = next((r for r in rows if r.get("kind") == "hourly"), None)
    fixed = next((r for r in rows if r.get("kind") == "fixed"), None)
    ended = next((r for r in rows if r.get("state") == "ended"), None)
    paths = [grab(ContractDialog(app, None, page), out_dir / "contracts-new.png")]
    if hourly is not None:
        dialog = ContractDialog(app, app.contracts.get(str(hourly["id"])), page)
        paths.append(grab(dialog, out_dir / "contracts-edit-hourly.png"))
    if fixed is not None:
        contract = app.contracts.get(str(fixed["id"]))
        new_fixed = ContractDialog(app, None, page)
        new_fixed.title_edit.setText(contract["title"])
        new_fixed.kind.setCurrentIndex(new_fixed.kind.findData("fixed"))
        for m in contract["milestones"][:3]:
            new_fixed.milestones.add_row(
                m["title"], f"{m['amount_minor'] / 100:.2f}", m.get("due_on") or ""
            )
        paths.append(grab(new_fixed, out_dir / "contracts-new-fixed.png"))
        milestone = contract["milestones"][0] if contract["milestones"] else None
        paths.append(
            grab(
                MilestoneDialog(app, contract, milestone, page), out_dir / "contracts-milestone.png"
            )
        )
        select_id(page, CONTRACTS, contract["id"])
        page.wait_loaded()  # its milestones, read on a worker thread
        paths.append(grab(page, out_dir / "contracts-page-selected.png"))
    if ended is not None:
        review = ReviewDialog(app, app.contracts.get(str(ended["id"])), page)
        review.comment.setPlainText("Clear brief, quick feedback, paid on time.")
        review.sub_ratings["communication"].setCurrentIndex(1)
        paths.append(grab(review, out_dir / "contracts-review.png"))
    paths.append(grab(ReputationDialog(app, "upwork", page), out_dir / "contracts-reputation.png"))
    clients = ClientsDialog(app, page)
    paths.append(grab(clients, out_dir / "contracts-clients.png"))
    direct = app.sources["clients"].fetch(ListQuery(filters={"platform": "direct"}), 0, 1)
    client = app.clients.get(str(direct[0]["id"])) if direct else None
    paths.append(grab(ClientDialog(app, client, page), out_dir / "contracts-client.png"))
    return paths


__all__ = ["ContractsPage", "build_page", "screenshot_extras"]
