"""The Tracker area: a big Start/Stop, what to track and the memo, the running time,
today and this week per contract against their weekly limits, held time waiting for a
decision (Keep / Discard / Assign…), and what the tracker had to say. The sessions table
stays below.

Everything the tracker does arrives through the shared `TrackerRuntime`'s signals; the
running clock is redrawn once a second from `Tracker.status()` (memory, no database).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, QTime, QTimer
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import select

from freelancer_desk.storage.models import Contract, Order
from freelancer_desk.tracker.diary import ContractTotal, local_zone, totals
from freelancer_desk.tracker.engine import Interruption
from freelancer_desk.ui.areapage import Area, AreaPage, app_of, muted, scaled_font
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.forms import FormDialog, report
from freelancer_desk.ui.tracker_runtime import TrackerRuntime, tracker_runtime

if TYPE_CHECKING:
    from freelancer_desk.app import App

TOTALS_REFRESH_MS = 30_000
MAX_NOTICES = 50
START_COLOUR = QColor(46, 125, 50)
STOP_COLOUR = QColor(198, 40, 40)
AMBER = QColor(239, 108, 0)
LIMIT_WARNING = 0.9


def hms(seconds: int) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def hm(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


Target = tuple[str, uuid.UUID]  # ("contract" | "order", id)


def targets(app: App) -> list[tuple[str, Target]]:
    """What can be tracked: active contracts, then open orders (title, (kind, id))."""
    with app.db.read() as s:
        contracts = s.execute(
            select(Contract.title, Contract.id, Contract.kind)
            .where(Contract.state == "active")
            .order_by(Contract.title)
        ).all()
        orders = s.execute(
            select(Order.title, Order.id)
            .where(Order.state.not_in(("completed", "cancelled")))
            .order_by(Order.title)
        ).all()
    items = [(f"{title} ({kind})", ("contract", cid)) for title, cid, kind in contracts]
    items += [(f"{title} (order)", ("order", oid)) for title, oid in orders]
    return items


def _key(target: Target) -> str:
    """Combo-box data: Qt compares plain strings, not Python objects."""
    return f"{target[0]}:{target[1]}"


def _target(key: str) -> Target:
    kind, ident = key.split(":", 1)
    return kind, uuid.UUID(ident)


class TargetPicker(QComboBox):
    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.setAccessibleName("Contract or order to track")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(28)

    def reload(self) -> None:
        """Read the targets now (on this thread) and show them."""
        self.fill(targets(self.app))

    def fill(self, items: list[tuple[str, Target]]) -> None:
        """Show `items` (read by `targets()`), keeping the current choice."""
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        for title, target in items:
            self.addItem(title, _key(target))
        if current is not None:
            index = self.findData(current)
            if index >= 0:
                self.setCurrentIndex(index)
        self.blockSignals(False)

    def target(self) -> Target | None:
        data = self.currentData()
        return _target(data) if isinstance(data, str) else None

    def select(self, kind: str, ident: uuid.UUID | None) -> None:
        index = self.findData(f"{kind}:{ident}")
        if index >= 0:
            self.setCurrentIndex(index)


class ManualTimeDialog(FormDialog):
    """Add manual time: contract, day, from, to, memo (refusals under their field)."""

    def __init__(
        self,
        runtime: TrackerRuntime,
        parent: QWidget | None = None,
        contract: uuid.UUID | None = None,
    ) -> None:
        super().__init__("Add manual time", parent)
        self.runtime = runtime
        self.zone = local_zone()
        today = runtime.app.clock.now().astimezone(self.zone).date()
        self.contract = QComboBox()
        for title, target in targets(runtime.app):
            if target[0] == "contract":
                self.contract.addItem(title, str(target[1]))
        # The contract chosen above the Start button, not whichever is first.
        chosen = self.contract.findData(str(contract)) if contract is not None else -1
        if chosen >= 0:
            self.contract.setCurrentIndex(chosen)
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.start = QTimeEdit(QTime(9, 0))
        self.end = QTimeEdit(QTime(10, 0))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("HH:mm")
        self.memo = QLineEdit()
        self.add_field("contract", "Contract", self.contract)
        self.add_field("date", "Day", self.day, f"times in {getattr(self.zone, 'key', self.zone)}")
        self.add_field("start", "From", self.start)
        self.add_field("end", "To", self.end)
        self.add_field("memo", "Memo", self.memo, "manual time is flagged in the Work Diary")
        self.result_id: uuid.UUID | None = None
        self.resize(560, self.sizeHint().height())  # five fields: no blank half dialog

    def instants(self) -> tuple[datetime, datetime]:
        qd = self.day.date()
        day = date(qd.year(), qd.month(), qd.day())
        start = time(self.start.time().hour(), self.start.time().minute())
        end = time(self.end.time().hour(), self.end.time().minute())
        return (
            datetime.combine(day, start, tzinfo=self.zone),
            datetime.combine(day, end, tzinfo=self.zone),
        )

    def accept(self) -> None:
        data = self.contract.currentData()
        if not isinstance(data, str):
            self.show_error("contract", "no active contract to add time to")
            return
        contract_id = uuid.UUID(data)
        start, end = self.instants()
        result = self.run_service(
            lambda: self.runtime.manual_time(contract_id, start, end, self.memo.text())
        )
        if result is not None:
            self.result_id = result
            super().accept()


class HeldRow(QFrame):
    """One held stretch with its three decisions."""

    def __init__(self, page: TrackerPage, held: Interruption) -> None:
        super().__init__()
        self.held = held
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Held time {held.id}")
        zone = local_zone()
        start, end = held.start.astimezone(zone), held.end.astimezone(zone)
        kind = {"idle": "Idle", "sleep": "Asleep / clock forward", "clock_back": "Clock set back"}
        text = QLabel(
            f"<b>{kind.get(held.kind.value, held.kind.value)}</b> — {hm(held.seconds)} "
            f"({start:%a %H:%M}–{end:%H:%M})"
        )
        text.setWordWrap(True)
        self.keep = QPushButton("Keep")
        self.discard = QPushButton("Discard")
        self.assign = QPushButton("Assign…")
        self.keep.setToolTip("Count it on the session's contract (flagged idle in the diary)")
        self.discard.setToolTip("Do not count it")
        self.assign.setToolTip("Count it on another contract")
        self.keep.clicked.connect(lambda: page.resolve(held, "keep"))
        self.discard.clicked.connect(lambda: page.resolve(held, "discard"))
        self.assign.clicked.connect(lambda: page.assign(held))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(text, 1)
        for button in (self.keep, self.discard, self.assign):
            layout.addWidget(button)


def limit_meter(seconds: int, limit_minutes: int) -> QWidget:
    """A thin bar and "11:54 of 20 h": amber from 90% of the limit, red over it."""
    box = QWidget()
    box.setAccessibleName(f"{hm(seconds)} of {limit_minutes // 60} h weekly limit")
    bar = QProgressBar()
    bar.setRange(0, limit_minutes)
    bar.setValue(min(limit_minutes, seconds // 60))
    bar.setTextVisible(False)
    bar.setFixedHeight(8)
    share = seconds / (limit_minutes * 60)
    if share >= LIMIT_WARNING:
        palette = bar.palette()
        palette.setColor(QPalette.ColorRole.Highlight, STOP_COLOUR if share >= 1 else AMBER)
        bar.setPalette(palette)
    text = QLabel(f"{hm(seconds)} of {limit_minutes / 60:g} h")
    layout = QHBoxLayout(box)
    layout.setContentsMargins(6, 0, 6, 0)
    layout.addWidget(bar, 1)
    layout.addWidget(text)
    return box


class TrackerPage(AreaPage):
    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        super().__init__(area, backend)
        self.app = app
        self.runtime = tracker_runtime(app)
        self.zone = local_zone()

        # -- the control card ------------------------------------------------------------
        self.toggle = QPushButton("Start")
        self.toggle.setObjectName("tracker-toggle")
        self.toggle.setAccessibleName("Start or stop tracking")
        self.toggle.setFont(scaled_font(self, 1.6, bold=True))
        self.toggle.setMinimumSize(150, 64)
        self.toggle.setShortcut("Ctrl+Space")
        self.toggle.clicked.connect(self.toggle_tracking)
        self.picker = TargetPicker(app)
        self.picker.activated.connect(self._picked)
        self.memo = QLineEdit()
        self.memo.setPlaceholderText("What are you working on? (the memo of the segments)")
        self.memo.setAccessibleName("Memo")
        self.memo.returnPressed.connect(self.apply_memo)
        self.elapsed = QLabel("0:00:00")
        self.elapsed.setObjectName("tracker-elapsed")
        self.elapsed.setAccessibleName("Elapsed")
        self.elapsed.setFont(scaled_font(self, 2.4, bold=True))
        self.elapsed.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.state_label = muted(QLabel())
        self.state_label.setWordWrap(True)
        self.sources_label = muted(QLabel())
        self.sources_label.setWordWrap(True)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setAutoFillBackground(True)
        card.setBackgroundRole(QPalette.ColorRole.Base)
        grid = QGridLayout(card)
        grid.setContentsMargins(16, 12, 16, 12)
        grid.setHorizontalSpacing(14)
        grid.addWidget(self.toggle, 0, 0, 2, 1)
        grid.addWidget(self.picker, 0, 1)
        grid.addWidget(self.memo, 1, 1)
        grid.addWidget(self.elapsed, 0, 2, 2, 1)
        grid.addWidget(self.state_label, 2, 0, 1, 3)
        grid.addWidget(self.sources_label, 3, 0, 1, 3)
        grid.setColumnStretch(1, 1)

        # -- today / this week per contract ----------------------------------------------
        self.totals_table = QTableWidget(0, 4)
        self.totals_table.setObjectName("tracker-totals")
        self.totals_table.setAccessibleName("Today and this week per contract")
        self.totals_table.setHorizontalHeaderLabels(["Contract", "Today", "This week", "Limit"])
        self.totals_table.verticalHeader().hide()
        self.totals_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.totals_table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.totals_table.setShowGrid(False)
        self.totals_table.setTabKeyNavigation(False)  # Tab leaves the table
        self.totals_table.setAlternatingRowColors(True)
        header = self.totals_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(3, 190)
        totals_box = self._boxed("Today and this week", self.totals_table)

        # -- held time and notices ---------------------------------------------------------
        self._held_rows: list[HeldRow] = []
        self.held_box = QVBoxLayout()
        self.held_box.setSpacing(6)
        self.held_empty = muted(QLabel("Nothing held: idle, sleep and clock changes show up here."))
        self.held_empty.setWordWrap(True)
        self.held_box.addWidget(self.held_empty)
        held_widget = QWidget()
        held_widget.setLayout(self.held_box)
        self.notices = QListWidget()
        self.notices.setObjectName("tracker-notices")
        self.notices.setAccessibleName("Tracker notices")
        self.notices.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self._boxed("Held time to decide on", held_widget))
        side.addWidget(self._boxed("Notices", self.notices), 1)

        middle = QHBoxLayout()
        middle.setSpacing(14)
        middle.addWidget(totals_box, 3)
        middle.addLayout(side, 2)
        holder = QWidget()
        stack = QVBoxLayout(holder)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.setSpacing(12)
        stack.addWidget(card)
        stack.addLayout(middle, 1)
        holder.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        # The week's table and the notices ask for no more height than a few rows: at
        # 1,280×800 their wishes left the sessions below three rows, under an empty
        # notices box; the height left over is shared with the sessions.
        for box in (self.totals_table, self.notices):
            box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            box.setMinimumHeight(6 * box.fontMetrics().height())
        layout.insertWidget(layout.indexOf(self.splitter), holder, 1)
        layout.setStretchFactor(self.splitter, 1)

        self.manual_button = self.add_action("Add &manual time…", self.add_manual_time)

        self.runtime.changed.connect(self.refresh_state)
        self.runtime.notice.connect(self.add_notice)
        # The clock (each second, each tick) and the totals (each 30 s) are drawn while
        # the area is shown; behind another area they wait until it is shown again.
        self._totals_behind = False
        self.runtime.ticked.connect(lambda _result: self._clock_due())
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._clock_due)
        self._clock.start()
        self._totals_timer = QTimer(self)
        self._totals_timer.setInterval(TOTALS_REFRESH_MS)
        self._totals_timer.timeout.connect(self._totals_due)
        self._totals_timer.start()
        self.refresh_state()

    @staticmethod
    def _boxed(title: str, widget: QWidget) -> QWidget:
        box = QWidget()
        label = QLabel(title)
        label.setFont(scaled_font(box, 1.1, bold=True))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(label)
        layout.addWidget(widget, 1)
        return box

    # -- actions ----------------------------------------------------------------------------

    def toggle_tracking(self) -> None:
        if self.runtime.status().running:
            report(self, self.runtime.stop_tracking)
            return
        target = self.picker.target()
        if target is None:
            self.state_label.setText("Nothing to track: add a contract or an order first.")
            return
        kind, ident = target
        self.runtime.start()
        report(
            self,
            lambda: self.runtime.start_tracking(
                ident if kind == "contract" else None,
                ident if kind == "order" else None,
                self.memo.text(),
            ),
        )

    def _picked(self, _index: int) -> None:
        """Picking another target while tracking switches to it."""
        status = self.runtime.status()
        target = self.picker.target()
        if not status.running or target is None:
            return
        kind, ident = target
        if (status.contract_id, status.order_id) == (
            ident if kind == "contract" else None,
            ident if kind == "order" else None,
        ):
            return
        report(
            self,
            lambda: self.runtime.switch(
                ident if kind == "contract" else None,
                ident if kind == "order" else None,
                self.memo.text(),
            ),
        )

    def apply_memo(self) -> None:
        changed = self.runtime.status().running and report(
            self, lambda: self.runtime.set_memo(self.memo.text())
        )
        if changed is not None and changed is not False:
            self.show_message("Memo changed: it applies from this segment on")

    def resolve(self, held: Interruption, decision: str) -> None:
        report(self, lambda: self.runtime.resolve(held.id, decision))  # type: ignore[arg-type]

    def assign(self, held: Interruption) -> None:
        choices = [(t, target) for t, target in targets(self.app) if target[0] == "contract"]
        if not choices:
            return
        title, ok = QInputDialog.getItem(
            self, "Assign held time", "Contract:", [c[0] for c in choices], 0, False
        )
        if ok:
            target = dict(choices)[title]
            report(self, lambda: self.runtime.resolve(held.id, ("assign", target[1])))

    def add_manual_time(self) -> ManualTimeDialog:
        """The manual time dialog, on the contract chosen for tracking (if it is one);
        once added, the status bar says how much on which contract."""
        target = self.picker.target()
        contract = target[1] if target is not None and target[0] == "contract" else None
        dialog = ManualTimeDialog(self.runtime, self, contract)
        dialog.accepted.connect(lambda: self._manual_added(dialog))
        dialog.open()
        return dialog

    def _manual_added(self, dialog: ManualTimeDialog) -> None:
        start, end = dialog.instants()
        seconds = int((end - start).total_seconds())
        self.show_message(
            f"Added {hm(seconds)} of manual time on {dialog.contract.currentText()}: "
            f"{start:%a %H:%M}–{end:%H:%M}"
        )

    def add_notice(self, kind: str, message: str) -> None:
        at = self.app.clock.now().astimezone(self.zone)
        self.notices.insertItem(0, f"{at:%H:%M}  {message}")
        while self.notices.count() > MAX_NOTICES:
            self.notices.takeItem(self.notices.count() - 1)

    # -- showing ------------------------------------------------------------------------------

    def _clock_due(self) -> None:
        if self.isVisible():
            self.update_clock()

    def _totals_due(self) -> None:
        if self.isVisible():
            self.refresh_totals()
        else:
            self._totals_behind = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._totals_behind:
            self.refresh_totals()
        self.update_clock()

    def refresh(self) -> None:
        super().refresh()
        self.refresh_state()

    def refresh_state(self) -> None:
        status = self.runtime.status()
        running = status.running
        self.toggle.setText("Stop" if running else "Start")
        colour = STOP_COLOUR if running else START_COLOUR
        self.toggle.setStyleSheet(
            f"QPushButton {{ background: {colour.name()}; color: white; border-radius: 6px;"
            " padding: 8px 18px; }"
        )
        if running:
            self.picker.select(
                "contract" if status.contract_id else "order",
                status.contract_id or status.order_id,
            )
            if not self.memo.hasFocus():
                self.memo.setText(status.memo)
        else:
            # Read on a worker thread (a query: 10-25 ms on the heavy workspace).
            app = self.app
            self.load_in_background("targets", lambda: targets(app), self.picker.fill)
        sources = []
        sources.append(
            f"activity: {status.activity_source}"
            if status.activity_source
            else "activity not measured here (no idle-time source: Wayland, or no display)"
        )
        sources.append(
            f"snapshots: {status.screen_source}"
            if status.screen_source
            else "no snapshots here (Wayland, no display, or turned off); time is still tracked"
        )
        self.sources_label.setText(" · ".join(sources))
        self.refresh_held()
        self.refresh_totals()
        self.update_clock()

    def refresh_held(self) -> None:
        for row in self._held_rows:
            self.held_box.removeWidget(row)
            row.deleteLater()
        held = self.runtime.tracker.pending()
        self.held_empty.setVisible(not held)
        self._held_rows = [HeldRow(self, item) for item in held]
        for row in self._held_rows:
            self.held_box.addWidget(row)

    def held_rows(self) -> list[HeldRow]:
        return list(self._held_rows)

    def refresh_totals(self) -> None:
        """Today's and this week's totals per contract, read on a worker thread."""
        self._totals_behind = False
        db, now, zone = self.app.db, self.app.clock.now(), self.zone
        self.load_in_background("totals", lambda: totals(db, now, zone), self._draw_totals)

    def _draw_totals(
        self, read: tuple[tuple[ContractTotal, ...], tuple[ContractTotal, ...]]
    ) -> None:
        today, week = read
        status = self.runtime.status()
        by_key: dict[tuple[uuid.UUID | None, uuid.UUID | None], list[ContractTotal | None]] = {}
        for index, group in enumerate((today, week)):
            for t in group:
                by_key.setdefault((t.contract_id, t.order_id), [None, None])[index] = t
        self.totals_table.setRowCount(len(by_key))
        unsaved = status.unsaved_seconds if status.running else 0
        running_key = (status.contract_id, status.order_id)
        for row, (key, (day, week_total)) in enumerate(
            sorted(by_key.items(), key=lambda kv: -((kv[1][1] or kv[1][0]).seconds))  # type: ignore[union-attr]
        ):
            any_total = week_total or day
            assert any_total is not None
            extra = unsaved if key == running_key else 0
            day_seconds = (day.seconds if day else 0) + extra
            week_seconds = (week_total.seconds if week_total else 0) + extra
            self.totals_table.setItem(row, 0, QTableWidgetItem(any_total.title))
            for column, seconds in ((1, day_seconds), (2, week_seconds)):
                item = QTableWidgetItem(hm(seconds))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.totals_table.setItem(row, column, item)
            limit = any_total.limit_minutes
            if limit:
                self.totals_table.setCellWidget(row, 3, limit_meter(week_seconds, limit))
            else:
                self.totals_table.removeCellWidget(row, 3)
                self.totals_table.setItem(row, 3, QTableWidgetItem("no limit"))
        if not by_key:
            self.totals_table.setRowCount(1)
            self.totals_table.setItem(0, 0, QTableWidgetItem("Nothing tracked this week"))

    def update_clock(self) -> None:
        status = self.runtime.status()
        if not status.running:
            self.elapsed.setText("0:00:00")
            self.state_label.setText(
                "Not tracking. Pick a contract or order, write a memo, press Start (Ctrl+Space)."
            )
            return
        self.elapsed.setText(hms(status.session_seconds))
        parts = [f"Tracking {status.title}"]
        if status.slot_start is not None:
            slot = status.slot_start.astimezone(self.zone)
            parts.append(
                f"segment {slot:%H:%M}: {status.slot_seconds // 60}:{status.slot_seconds % 60:02d}"
                " in, activity "
                f"{sum(1 for a in status.slot_activity if a)}/10"
            )
        if status.idle_since is not None:
            idle = status.idle_since.astimezone(self.zone)
            parts.append(f"idle since {idle:%H:%M} — held, not counted")
        self.state_label.setText(" · ".join(parts))


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:
        return AreaPage(area, backend)
    return TrackerPage(area, backend, app)


__all__ = ["HeldRow", "ManualTimeDialog", "TrackerPage", "build_page", "hm", "hms", "targets"]
