"""Gigs & Orders: the gig table with its editor and lifecycle (activate, pause, archive,
duplicate, delete), and the orders table with the order's steps (start, deliver,
request a revision, complete, cancel). Deliver asks for the message sent with the
delivery and Request revision for what to change; under the tables the selected order's
due date (and how late it is), its latest delivery and revision request are shown.

Buttons follow the selection and the domain machines: a step the selected row's state
does not allow is disabled, its tooltip saying why. A refusal from a service (a stale
row, a rule the buttons cannot know) appears in red at the end of the action row and
in the status bar — never as a traceback. On a read-only backend (no `App`) the page
only shows the tables.

Editors open with `open()` (window-modal, not a nested event loop), so tests can fill
and accept them: `open_gig_editor()`, `open_order_dialog()` and `open_step_dialog()`
return the dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.clock import span_words
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.workflow.gig import GIG, GigAction, GigState
from freelancer_desk.domain.workflow.order import (
    ORDER,
    OrderAction,
    OrderState,
    check_revision_allowed,
)
from freelancer_desk.services.listing import Column
from freelancer_desk.ui.areapage import Area, AreaPage, app_of, muted
from freelancer_desk.ui.areas.contracts import action_row, add_to_row
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.delivery_files import DeliveredFilesDialog
from freelancer_desk.ui.forms import USER_ERRORS, confirm, error_label
from freelancer_desk.ui.gig_forms import GigEditor, OrderDialog, OrderStepDialog
from freelancer_desk.ui.tablemodel import display_locale, format_value

if TYPE_CHECKING:
    from freelancer_desk.app import App

GIGS, ORDERS = 0, 1


def build_page(area: Area, backend: Backend) -> AreaPage:
    return GigsPage(area, backend)


class GigsPage(AreaPage):
    def __init__(self, area: Area, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(area, backend, parent)
        self.app: App | None = app_of(backend)
        self.buttons: dict[str, QPushButton] = {}
        self.message = error_label()
        self.message.setAccessibleName("Action message")
        # On its own line, wrapped: in the action row, unwrapped, a long refusal made
        # the window as wide as its text.
        self.message.setWordWrap(True)
        self.gig_editor: GigEditor | None = None
        self.order_dialog: OrderDialog | None = None
        self.step_dialog: OrderStepDialog | None = None
        # The selected order's due date, latest delivery and revision request.
        self.order_detail = muted(QLabel())
        self.order_detail.setAccessibleName("Order details")
        self.order_detail.setWordWrap(True)
        self.order_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.order_detail.hide()
        if self.app is None:
            return  # read-only: tables only
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addWidget(self.order_detail)
        # The gig's steps on the page's action row, the order's on a row of their own:
        # thirteen buttons on one row made the window at least 1,564 px wide, more than
        # a 1,280 or 1,440 px screen. Mnemonics clear of the menus' (Alt+F, V, H).
        self.actions_row.insertWidget(0, muted(QLabel("Gig:")))
        self._add("new_gig", "&New gig", self.new_gig, shortcut=QKeySequence.StandardKey.New)
        self._add("edit_gig", "&Edit", self.edit_gig)
        self._add("duplicate_gig", "D&uplicate", self.duplicate_gig)
        self._add("activate_gig", "&Activate", lambda: self._gig_step(GigAction.ACTIVATE))
        self._add("pause_gig", "&Pause", lambda: self._gig_step(GigAction.PAUSE))
        self._add("archive_gig", "Arch&ive", lambda: self._gig_step(GigAction.ARCHIVE))
        self._add("delete_gig", "Delete", self.delete_gig)
        self.order_row = action_row(self, "Order:")
        self._add("new_order", "New &order", self.new_order, row=self.order_row)
        self._add(
            "start_order",
            "&Start",
            lambda: self._order_step(OrderAction.START),
            row=self.order_row,
        )
        self._add(
            "deliver_order",
            "&Deliver…",
            lambda: self._order_step(OrderAction.DELIVER),
            row=self.order_row,
        )
        self._add(
            "revise_order",
            "Request &revision…",
            lambda: self._order_step(OrderAction.REQUEST_REVISION),
            row=self.order_row,
        )
        self._add(
            "complete_order",
            "&Complete",
            lambda: self._order_step(OrderAction.COMPLETE),
            row=self.order_row,
        )
        self._add(
            "cancel_order",
            "Cancel order",
            lambda: self._order_step(OrderAction.CANCEL),
            row=self.order_row,
        )
        self._add("order_files", "Delivered files…", self.open_delivered_files, row=self.order_row)
        layout.insertWidget(layout.indexOf(self.splitter) - 1, self.message)
        self.buttons["delete_gig"].setToolTip("Delete a gig that never sold (Del)")

        gigs_view = self.panels[GIGS].view
        gigs_view.doubleClicked.connect(lambda _index: self.edit_gig())
        # Enter and Del act on the table that has focus, never while typing a filter.
        for key, slot in ((Qt.Key.Key_Return, self.edit_gig), (Qt.Key.Key_Enter, self.edit_gig)):
            enter = QShortcut(QKeySequence(key), gigs_view)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), gigs_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_gig)
        self.selectionChanged.connect(lambda _panel: self.update_actions())
        self._add_late_filter()
        self.update_actions()

    def _add_late_filter(self) -> None:
        """ "Late only" beside the orders table's title: the listing's own `late` filter
        (services/views.py, the CLI's `--where late=true`), so the window and the CLI
        agree on which orders are late."""
        panel = self.panels[ORDERS]
        self.late_only = QCheckBox("&Late only")
        self.late_only.setObjectName("orders-late-only")
        self.late_only.setAccessibleName("Late orders only")
        self.late_only.setToolTip(
            "Only the orders past their due date while a delivery is still owed "
            "(in the CLI: list orders --where late=true)"
        )
        self.late_only.toggled.connect(self.show_late_only)
        box = panel.layout()
        top = box.itemAt(0) if box is not None else None
        row = top.layout() if top is not None else None
        if isinstance(row, QHBoxLayout):
            row.insertWidget(1, self.late_only)  # after the title, before the count
        # After the panel's own update (connected first): say the filter is on.
        panel.model.totalChanged.connect(lambda _total: self._say_late_filter())

    def show_late_only(self, on: bool) -> None:
        """Show only the late orders (on) or every order; the selection is kept when
        the selected order is among the rows shown."""
        model = self.panels[ORDERS].model
        filters = {k: v for k, v in model.query.filters.items() if k != "late"}
        if on:
            filters["late"] = "true"
        if self.late_only.isChecked() != on:
            self.late_only.setChecked(on)  # toggled: comes back here
            return
        kept = self.kept_ids(ORDERS)
        model.set_filters(filters)
        if kept:
            self.select(ORDERS, kept[0])
        self.update_actions()

    def _say_late_filter(self) -> None:
        panel = self.panels[ORDERS]
        model = panel.model
        if model.query.filters.get("late") != "true" or model.loading or model.error:
            return
        count = display_locale().toString(model.total)
        noun = "late order" if model.total == 1 else "late orders"
        panel.count_label.setText(f"{count} {noun}")
        text = model.query.text
        panel.empty_label.setText(
            f"No late orders match “{text}”." if text else "No order is late."
        )

    def _add(
        self,
        key: str,
        text: str,
        slot: Callable[[], object],
        *,
        shortcut: QKeySequence.StandardKey | None = None,
        row: QHBoxLayout | None = None,
    ) -> None:
        if row is None:
            self.buttons[key] = self.add_action(text, slot, shortcut=shortcut)
        else:
            self.buttons[key] = add_to_row(row, text, slot)

    # -- selection -------------------------------------------------------------------
    def selected_gig(self) -> dict[str, Any] | None:
        ident = self.current_id(GIGS)
        if ident is None or self.app is None:
            return None
        try:
            return self.app.gigs.get(ident)
        except USER_ERRORS:
            return None  # deleted meanwhile

    def selected_order(self) -> dict[str, Any] | None:
        ident = self.current_id(ORDERS)
        if ident is None or self.app is None:
            return None
        try:
            return self.app.orders.get(ident)
        except USER_ERRORS:
            return None

    def update_actions(self) -> None:
        """Enable what the selected gig's and order's states allow; a disabled step's
        tooltip says why the machine refuses it."""
        if self.app is None:
            return
        gig = self.selected_gig()
        order = self.selected_order()
        self.buttons["edit_gig"].setEnabled(gig is not None and gig["state"] != "archived")
        self.buttons["duplicate_gig"].setEnabled(gig is not None)
        self.buttons["delete_gig"].setEnabled(gig is not None)
        for gig_action in GigAction:
            button = self.buttons[f"{gig_action.value}_gig"]
            allowed = gig is not None and gig_action.value in gig["allowed_actions"]
            button.setEnabled(allowed)
            button.setToolTip(
                _gig_refusal(gig, gig_action) if gig is not None and not allowed else ""
            )
        self.buttons["new_order"].setEnabled(gig is not None and gig["state"] == "active")
        self.buttons["new_order"].setToolTip(
            ""
            if gig is None or gig["state"] == "active"
            else f"Only an active gig takes orders (this one is {gig['state']})"
        )
        names = {
            OrderAction.START: "start_order",
            OrderAction.DELIVER: "deliver_order",
            OrderAction.REQUEST_REVISION: "revise_order",
            OrderAction.COMPLETE: "complete_order",
            OrderAction.CANCEL: "cancel_order",
        }
        for action, key in names.items():
            button = self.buttons[key]
            allowed = order is not None and action.value in order["allowed_actions"]
            button.setEnabled(allowed)
            if order is not None and not allowed:
                button.setToolTip(_order_refusal(order, action))
            elif key == "start_order":
                button.setToolTip(_start_words(order))
            else:
                button.setToolTip("")
        self.buttons["order_files"].setEnabled(
            order is not None and any(d["files"] for d in order["deliveries"])
        )
        self.show_order_detail(order)

    def show_order_detail(self, order: dict[str, Any] | None) -> None:
        """The selected order's due date (and how late it is), its latest delivery
        message and revision request, under the tables; hidden without an order."""
        if order is None:
            self.order_detail.hide()
            return
        text, full = order_detail(order)
        self.order_detail.setText(text)
        self.order_detail.setToolTip(full if full != text else "")
        self.order_detail.show()

    def refresh(self) -> None:
        """Reload the tables and keep the selected rows selected."""
        kept = [self.kept_ids(i) for i in range(len(self.panels))]
        super().refresh()
        for panel, ids in enumerate(kept):
            if ids:
                self.select(panel, ids[0])
        self.update_actions()

    def select(self, panel: int, ident: str) -> bool:
        """Select the row of `ident` (among the rows loaded so far). While the table's
        rows are being read (a refresh: on a worker thread) it is selected once they are
        there, and False is returned now."""
        table = self.panels[panel]
        model = table.model
        if model.reading:
            table.pending_select = ident  # the newest one asked wins
            model.after_read(lambda: table.pending_select == ident and self.select(panel, ident))
            return False
        table.pending_select = None
        for row in range(model.rowCount()):
            if model.row_id(row) == ident:
                index = model.index(row, 0)
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows
                )
                table.view.selectionModel().setCurrentIndex(index, flags)
                table.view.scrollTo(index)
                return True
        return False

    # -- messages --------------------------------------------------------------------
    def say(self, text: str) -> None:
        self.message.hide()
        self.show_message(text)

    def refuse(self, text: str) -> None:
        """A refusal next to the action row (and in the status bar)."""
        self.message.setText(text)
        self.message.setToolTip(text)
        self.message.show()
        self.show_message(text)

    def run(self, call: Callable[[], Any]) -> Any | None:
        try:
            result = call()
        except USER_ERRORS as exc:
            self.refuse(str(exc))
            return None
        self.message.hide()
        return result

    # -- gigs ------------------------------------------------------------------------
    def open_gig_editor(self, gig_id: str | None = None) -> GigEditor | None:
        """The gig editor, shown window-modal: new, or the gig `gig_id`."""
        app = self.app
        if app is None:
            return None
        gig = self.run(lambda: app.gigs.get(gig_id)) if gig_id else None
        if gig_id and gig is None:
            return None
        if gig is not None:
            ident = str(gig["id"])
            editor = GigEditor(lambda data: app.gigs.update(ident, data), gig, self)
        else:
            editor = GigEditor(app.gigs.create, None, self)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        editor.accepted.connect(lambda: self._gig_saved(editor))
        self.gig_editor = editor
        editor.open()
        return editor

    def _gig_saved(self, editor: GigEditor) -> None:
        if editor.saved is None:
            return
        self.refresh()
        self.select(GIGS, str(editor.saved["id"]))
        self.say(f"Saved gig “{editor.saved['title']}”")

    def new_gig(self) -> GigEditor | None:
        return self.open_gig_editor()

    def edit_gig(self) -> GigEditor | None:
        ident = self.current_id(GIGS)
        if ident is None:
            return None
        return self.open_gig_editor(ident)

    def duplicate_gig(self) -> None:
        app, ident = self.app, self.current_id(GIGS)
        if app is None or ident is None:
            return
        copy = self.run(lambda: app.gigs.duplicate(ident))
        if copy is not None:
            self.refresh()
            self.select(GIGS, str(copy["id"]))
            self.say("Duplicated as a draft")

    def _gig_step(self, action: GigAction) -> None:
        app, ident = self.app, self.current_id(GIGS)
        if app is None or ident is None:
            return
        step = {
            GigAction.ACTIVATE: app.gigs.activate,
            GigAction.PAUSE: app.gigs.pause,
            GigAction.ARCHIVE: app.gigs.archive,
        }[action]
        if action is GigAction.ARCHIVE and not confirm(
            self, "Archive gig", "Archive this gig? An archived gig cannot be edited or activated."
        ):
            return
        result = self.run(lambda: step(ident))
        if result is not None:
            self.refresh()
            self.say(f"Gig {result['state']}")

    def delete_gig(self) -> None:
        app, gig = self.app, self.selected_gig()
        if app is None or gig is None:
            return
        if not confirm(self, "Delete gig", f"Delete “{gig['title']}”? This cannot be undone."):
            return
        if self.run(lambda: app.gigs.delete(str(gig["id"]))) is not None:
            self.refresh()
            self.say("Gig deleted")

    # -- orders ----------------------------------------------------------------------
    def open_order_dialog(self) -> OrderDialog | None:
        """A new order of the selected (active) gig, shown window-modal."""
        app, gig = self.app, self.selected_gig()
        if app is None or gig is None:
            return None
        if gig["state"] != GigState.ACTIVE.value:
            self.refuse(f"cannot order gig: it is {gig['state']}, not active")
            return None
        dialog = OrderDialog(gig, app.orders.place, self._buyers(gig["platform"]), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._order_placed(dialog))
        self.order_dialog = dialog
        dialog.open()
        return dialog

    new_order = open_order_dialog

    def _buyers(self, platform: str) -> list[tuple[str, str]]:
        """The clients of the gig's platform, archived ones left out: only they can be
        its buyers."""
        if self.app is None:
            return []
        from freelancer_desk.services.listing import ListQuery

        rows = self.app.sources["clients"].fetch(
            ListQuery(sort="name", filters={"platform": platform, "archived": "false"}), 0, 500
        )
        return [(str(r["id"]), str(r["name"])) for r in rows]

    def _order_placed(self, dialog: OrderDialog) -> None:
        if dialog.saved is None:
            return
        self.refresh()
        self.select(ORDERS, str(dialog.saved["id"]))
        self.say(f"Order placed: {dialog.saved['title']}")

    def open_step_dialog(self, action: OrderAction) -> OrderStepDialog | None:
        """Deliver the selected order (with its message) or record the buyer's revision
        request (with what to change), shown window-modal; the step runs on OK."""
        app, order = self.app, self.selected_order()
        if app is None or order is None:
            return None
        refusal = _order_refusal(order, action)
        if refusal:
            self.refuse(refusal)
            return None
        if action is OrderAction.DELIVER:
            dialog = OrderStepDialog(order, "deliver", app.orders.deliver, self)
        else:
            dialog = OrderStepDialog(order, "revise", app.orders.request_revision, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._order_stepped(dialog))
        self.step_dialog = dialog
        dialog.open()
        return dialog

    def open_delivered_files(self) -> DeliveredFilesDialog | None:
        """The selected order's deliveries and their files: Open file, Show in folder."""
        app, order = self.app, self.selected_order()
        if app is None or order is None:
            return None
        dialog = DeliveredFilesDialog(order, app.orders.delivered_file, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.files_dialog = dialog
        dialog.open()
        return dialog

    def _order_stepped(self, dialog: OrderStepDialog) -> None:
        if dialog.saved is None:
            return
        self.message.hide()
        self.refresh()
        self.select(ORDERS, str(dialog.saved["id"]))
        self.say(f"Order {dialog.saved['state'].replace('_', ' ')}")

    def _order_step(self, action: OrderAction) -> None:
        app, ident = self.app, self.current_id(ORDERS)
        if app is None or ident is None:
            return
        if action in (OrderAction.DELIVER, OrderAction.REQUEST_REVISION):
            self.open_step_dialog(action)
            return
        steps: dict[OrderAction, Callable[[str], dict[str, Any]]] = {
            OrderAction.START: app.orders.start,
            OrderAction.DELIVER: app.orders.deliver,
            OrderAction.REQUEST_REVISION: app.orders.request_revision,
            OrderAction.COMPLETE: app.orders.complete,
            OrderAction.CANCEL: app.orders.cancel,
        }
        step = steps[action]
        if action is OrderAction.CANCEL and not confirm(
            self, "Cancel order", "Cancel this order? What the buyer paid is refunded."
        ):
            return
        result = self.run(lambda: step(ident))
        if result is not None:
            self.refresh()
            self.say(f"Order {result['state'].replace('_', ' ')}")


_WHEN = Column("when", "When", "datetime")
DETAIL_CHARS = 240  # of a message shown under the tables; all of it in the tooltip


def order_detail(order: dict[str, Any]) -> tuple[str, str]:
    """(shown, full): the order's due date and lateness, its latest delivery message and
    revision request; in what is shown each message is one line of DETAIL_CHARS at most."""
    locale = display_locale()

    def when(value: Any) -> str:
        return format_value(datetime.fromisoformat(value), _WHEN, locale) if value else ""

    head = [str(order.get("number") or ""), str(order.get("title") or "")]
    if order.get("due_at"):
        head.append(f"due {when(order['due_at'])}")
    if order.get("late_seconds") is not None:
        head.append(f"late by {span_words(int(order['late_seconds']))}")
    notes: list[tuple[str, str]] = [
        (f"Delivered {when(d.get('delivered_at'))}", d.get("message") or "")
        for d in (order.get("deliveries") or [])[-1:]
    ] + [
        (f"Revision requested {when(r.get('requested_at'))}", r.get("note") or "")
        for r in (order.get("revisions") or [])[-1:]
    ]

    def joined(cut: bool) -> str:
        out = [" · ".join(part for part in head if part)]
        for label, message in notes:
            if not message:
                out.append(f"{label}: no message")
                continue
            if cut:
                message = " ".join(message.split())
                if len(message) > DETAIL_CHARS:
                    message = message[: DETAIL_CHARS - 1].rstrip() + "…"
            out.append(f"{label}: “{message}”")
        return "\n".join(out)

    return joined(True), joined(False)


def _start_words(order: dict[str, Any] | None) -> str:
    """What Start does for the order's state: begin the work once the buyer's
    requirements are in, or take up the revision the buyer asked for."""
    if order is not None and order["state"] == OrderState.REVISION_REQUESTED.value:
        return "Work on the revision the buyer asked for (the order is in progress again)"
    return "The buyer's requirements arrived: start work"


def _gig_refusal(gig: dict[str, Any], action: GigAction) -> str:
    try:
        GIG.transition(GigState(gig["state"]), action)
    except RuleError as exc:
        return str(exc)
    return ""


def _order_refusal(order: dict[str, Any], action: OrderAction) -> str:
    try:
        ORDER.transition(OrderState(order["state"]), action)
        if action is OrderAction.REQUEST_REVISION:
            check_revision_allowed(order["revisions_used"], order["revisions_allowed"])
    except RuleError as exc:
        return str(exc)
    return ""


def screenshot_extras(page: AreaPage, out_dir: Path) -> list[Path]:
    """Render the gig editor (each tab) and the new-order dialog, filled from the first
    gig in the table, to `out_dir/gigs-*.png`. For `--screenshot`."""
    if not isinstance(page, GigsPage) or page.app is None:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    page.wait_loaded()  # the first rows are read on a worker thread
    model = page.panels[GIGS].model
    gig_ids = [model.row_id(row) for row in range(model.rowCount())]
    if not gig_ids:
        return []
    paths: list[Path] = []
    page.select(GIGS, gig_ids[0])
    editor = page.open_gig_editor(gig_ids[0])
    if editor is not None:
        try:
            for index in range(editor.tabs.count()):
                editor.tabs.setCurrentIndex(index)
                QApplication.processEvents()
                name = editor.tabs.tabText(index).replace("&&", "and").lower()
                path = out_dir / f"gigs-editor-{'-'.join(name.split())}.png"
                if not editor.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                paths.append(path)
        finally:
            editor.reject()
    active = next(
        (ident for ident in gig_ids if page.app.gigs.get(ident)["state"] == GigState.ACTIVE.value),
        None,
    )
    if active is not None:
        page.select(GIGS, active)
        dialog = page.open_order_dialog()
        if dialog is not None:
            try:
                if dialog.extras.count():
                    item = dialog.extras.item(0)
                    if item is not None:
                        item.setCheckState(Qt.CheckState.Checked)
                if dialog.package.count() > 1:
                    dialog.package.setCurrentIndex(1)
                dialog.buyer.setCurrentText("Nina Okafor")
                QApplication.processEvents()
                path = out_dir / "gigs-new-order.png"
                if not dialog.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                paths.append(path)
            finally:
                dialog.reject()
    # The delivery dialog of an order in progress, and the page with its details.
    from freelancer_desk.services.listing import ListQuery

    working = page.app.sources["orders"].fetch(
        ListQuery(filters={"state": OrderState.IN_PROGRESS.value}), 0, 1
    )
    if working:
        page.refresh()
        page.wait_loaded()
        page.select(ORDERS, str(working[0]["id"]))
        page.update_actions()
        path = out_dir / "gigs-order-selected.png"
        if not page.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        paths.append(path)
        step = page.open_step_dialog(OrderAction.DELIVER)
        if step is not None:
            try:
                step.text.setPlainText("Final files attached: logo.svg, logo.png, brand-guide.pdf")
                QApplication.processEvents()
                path = out_dir / "gigs-deliver-order.png"
                if not step.grab().save(str(path)):
                    raise OSError(f"could not write {path}")
                paths.append(path)
            finally:
                step.reject()
    return paths
