"""The Dashboard: what a freelancer opens every morning — the timer (start and stop
right here), hours per contract against weekly limits, money at a glance, the next
deadlines, open proposals by state and orders in progress. Every card leads to its
area, filtered to what was clicked.

On a read-only backend (the UI tests' fakes) the plain tiles-and-table page is shown.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.money import Money
from freelancer_desk.services.dashboard import (
    ContractHours,
    DashboardService,
    Deadline,
    MoneyGlance,
    OrderInProgress,
)
from freelancer_desk.services.events import Change
from freelancer_desk.services.reminders import DEFAULT_LEADS
from freelancer_desk.services.settings import REMINDER_KIND_LABELS
from freelancer_desk.ui.areapage import Area, AreaPage, app_of, muted, scaled_font
from freelancer_desk.ui.desktop import (
    format_amounts,
    format_duration,
    format_instant,
    relative_day,
)
from freelancer_desk.ui.forms import report
from freelancer_desk.ui.settings_dialog import settings_service
from freelancer_desk.ui.tablemodel import display_locale
from freelancer_desk.ui.tracker_runtime import tracker_runtime

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.ui.backend import Backend

TIMER_REFRESH_MS = 30_000
# Where each kind of deadline is dealt with.
DEADLINE_AREAS = {
    "diary_lock": "diary",
    "milestone_auto_release": "contracts",
    "refund_window": "contracts",
    "order_due": "gigs",
    "invoice_due": "earnings",
    "funds_available": "earnings",
}
STATE_WORDS = {
    "submitted": "Submitted",
    "viewed": "Viewed",
    "interviewing": "Interviewing",
    "offer": "Offer received",
    "awaiting_requirements": "waiting for requirements",
    "in_progress": "in progress",
    "delivered": "delivered",
    "revision_requested": "revision requested",
}


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:
        return AreaPage(area, backend)
    return DashboardPage(area, backend, app)


class Card(QFrame):
    """A titled panel whose title is a button leading to an area."""

    def __init__(self, title: str, action_text: str, go: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName(f"card-{title.lower().replace(' ', '-')}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAccessibleName(title)
        heading = QLabel(title)
        heading.setFont(scaled_font(self, 1.15, bold=True))
        self.open_button = _link(f"{action_text} ›", go, f"{title}: {action_text}")
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(self.open_button)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(self.body)
        layout.addStretch(1)

    def clear(self) -> None:
        _clear_layout(self.body)


def _clear_layout(layout: QVBoxLayout | QHBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        child = item.layout()
        if child is not None:
            _clear_layout(child)  # type: ignore[arg-type]


def _link(text: str, go: Callable[[], None], name: str) -> QPushButton:
    """A flat button that reads like a link and works from the keyboard."""
    button = QPushButton(text)
    button.setFlat(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setAccessibleName(name)
    button.setStyleSheet("QPushButton { text-align: left; padding: 2px 6px; }")
    button.clicked.connect(lambda _checked=False: go())
    return button


class _RowButton(QPushButton):
    """A card's row as a link, its text cut with "…" to the width the card gives it
    (it was clipped mid-letter: "…due Tue 24 Nov 2026 09:17 UT"), all of it in the
    tooltip and the accessible name."""

    PADDING = 16  # the style sheet's 6 px each side, and the frame

    def __init__(self, text: str, go: Callable[[], None], name: str) -> None:
        super().__init__()
        self.full_text = text
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(name)
        self.setStyleSheet("QPushButton { text-align: left; padding: 2px 6px; }")
        self.clicked.connect(lambda _checked=False: go())
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(0, self.width() - self.PADDING)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        self.setText(shown.replace("&", "&&"))  # "&" is shown, not a mnemonic


def _row_button(text: str, go: Callable[[], None], name: str) -> QPushButton:
    return _RowButton(text, go, name)


def deadline_of(deadline: Deadline) -> datetime:
    """When the deadline itself falls: its reminder (`due_at`) comes the kind's lead
    time before it (an order due Friday is reminded of on Thursday)."""
    return deadline.due_at + DEFAULT_LEADS.get(deadline.kind, timedelta(0))


def _figure(caption: str, value: str, scale: float = 1.5) -> QWidget:
    holder = QWidget()
    box = QVBoxLayout(holder)
    box.setContentsMargins(0, 0, 0, 0)
    box.setSpacing(0)
    box.addWidget(muted(QLabel(caption)))
    shown = QLabel(value)
    shown.setFont(scaled_font(holder, scale, bold=True))
    shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.addWidget(shown)
    holder.setAccessibleName(f"{caption}: {value}")
    return holder


class DashboardPage(AreaPage):
    SUMMARY_TILES = False  # the cards say more than the generic tiles

    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        self.app = app
        self.data = DashboardService(app.db, app.clock, app.ledger)
        # The cards replace the generic tiles and the earnings table: that table is not
        # built (nor read: ~0.4 s on a large workspace).
        super().__init__(replace(area, sources=()), backend)
        self.splitter.hide()
        self.filter_edit.hide()
        self._locale = display_locale()

        self.timer_card = Card("Timer", "Open Tracker", lambda: self.go("tracker"))
        self.hours_card = Card("Hours this week", "Open Work Diary", lambda: self.go("diary"))
        self.money_card = Card("Money", "Open Earnings", lambda: self.go("earnings"))
        self.deadlines_card = Card("Next deadlines", "Open Contracts", lambda: self.go("contracts"))
        self.proposals_card = Card("Open proposals", "Open Proposals", lambda: self.go("proposals"))
        self.orders_card = Card(
            "Orders in progress", "Open Gigs && Orders", lambda: self.go("gigs")
        )

        grid = QGridLayout()
        grid.setSpacing(14)
        grid.addWidget(self.timer_card, 0, 0)
        grid.addWidget(self.money_card, 0, 1)
        grid.addWidget(self.hours_card, 1, 0)
        grid.addWidget(self.deadlines_card, 1, 1)
        grid.addWidget(self.proposals_card, 2, 0)
        grid.addWidget(self.orders_card, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        holder = QWidget()
        holder.setLayout(grid)
        scroll = QScrollArea()
        scroll.setObjectName("dashboard-cards")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(holder)
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.addWidget(scroll, 1)

        self._tick = QTimer(self)
        self._tick.setInterval(TIMER_REFRESH_MS)
        self._tick.timeout.connect(self._timer_due)
        # The tracker saved time (each minute while tracking): the timer's and the hours'
        # figures are read again if shown, else when the dashboard is shown (another area
        # in front: nothing is read nor drawn meanwhile, the 30 s timer's redraw neither).
        self._hours_behind = False
        tracker_runtime(app).saved.connect(self._time_saved)
        self.refresh_cards()

    # The generic tiles are not shown: the cards say more.
    def _show_tiles(self, tiles: Sequence[tuple[str, str]]) -> None:
        return None

    def refresh(self) -> None:
        self.refresh_cards()

    def focus_filter(self) -> None:
        return None  # nothing to filter here

    # -- navigation --------------------------------------------------------------------

    def go(self, key: str, text: str = "", filters: dict[str, str] | None = None) -> None:
        """Show area `key`, its tables filtered by `text` and exact `filters`."""
        window = self.window()
        set_area = getattr(window, "set_area", None)
        page_of = getattr(window, "page", None)
        if set_area is None or page_of is None:
            return
        set_area(key)
        page = page_of(key)
        page.filter_edit.setText(text)
        page.apply_filter()
        for model in page.models:
            keys = {column.key for column in model.source.columns}
            model.set_filters({k: v for k, v in (filters or {}).items() if k in keys})
        if filters:
            shown = ", ".join(f"{k} {STATE_WORDS.get(v, v).lower()}" for k, v in filters.items())
            self.show_message(f"Showing {shown} — press F5 in that area to see everything")

    # -- the cards ---------------------------------------------------------------------

    def _timer_due(self) -> None:
        if self.isVisible():
            self._show_timer()
        else:
            self._hours_behind = True

    def _time_saved(self) -> None:
        if self.isVisible():
            self._show_timer_and_hours()
        else:
            self._hours_behind = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._hours_behind:
            self._hours_behind = False
            self._show_timer_and_hours()

    def refresh_cards(self) -> None:
        self._hours_behind = False
        self._show_timer_and_hours()
        self._show_money()
        self._show_deadlines()
        self._show_proposals()
        self._show_orders()

    def _zone(self) -> tzinfo:
        try:
            name = settings_service(self.app).get("display.time_zone")
        except Exception:  # settings must never keep the dashboard from showing
            name = "system"
        if name == "system":
            local = self.app.clock.now().astimezone().tzinfo
            return local if local is not None else ZoneInfo("UTC")
        return ZoneInfo(name)

    def _timer_totals(self) -> None:
        """Today's and this week's totals: read on a worker thread, drawn when there."""
        self.load_in_background(
            "timer-hours", lambda: self.data.tracked(self._zone()), self._draw_timer_totals
        )

    def _draw_timer_totals(self, tracked: tuple[int, int]) -> None:
        """Everything tracked, orders included, as the Tracker area counts it."""
        today, week = tracked
        figures = QHBoxLayout()
        figures.setSpacing(24)
        figures.addWidget(_figure("Today", format_duration(today)))
        figures.addWidget(_figure("This week", format_duration(week)))
        figures.addStretch(1)
        self.timer_card.body.addSpacing(8)
        self.timer_card.body.addLayout(figures)

    def _show_timer(self) -> None:
        card = self.timer_card
        card.clear()
        self._show_timer_controls()
        self._timer_totals()

    def _show_timer_controls(self) -> None:
        card = self.timer_card
        status = self.app.tracker.status()
        if status.running:
            self._tick.start()
            line = QLabel(f"● Tracking  {format_duration(status.session_seconds)}")
            line.setFont(scaled_font(card, 1.5, bold=True))
            line.setAccessibleName(f"Tracking for {format_duration(status.session_seconds)}")
            card.body.addWidget(line)
            card.body.addWidget(QLabel(status.title))
            if status.memo:
                card.body.addWidget(muted(QLabel(status.memo)))
            self.stop_button = QPushButton("&Stop timer")
            self.stop_button.setAccessibleName("Stop timer")
            self.stop_button.clicked.connect(self.stop_timer)
            row = QHBoxLayout()
            row.addWidget(self.stop_button)
            row.addStretch(1)
            card.body.addLayout(row)
            return
        self._tick.stop()
        card.body.addWidget(muted(QLabel("Not tracking.")))
        self.target_combo = QComboBox()
        self.target_combo.setAccessibleName("Track time on")
        self.target_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.target_combo.setMinimumContentsLength(20)
        self.start_button = QPushButton("S&tart timer")
        self.start_button.setAccessibleName("Start timer")
        self.start_button.setEnabled(False)  # until the targets are there
        self.start_button.clicked.connect(self.start_timer)
        row = QHBoxLayout()
        row.addWidget(self.target_combo, 1)
        row.addWidget(self.start_button)
        card.body.addLayout(row)
        # What can be tracked: a query, read on a worker thread.
        combo, button = self.target_combo, self.start_button
        self.load_in_background(
            "trackable", self.data.trackable, lambda t: self._fill_targets(combo, button, t)
        )

    def _fill_targets(
        self, combo: QComboBox, button: QPushButton, targets: Sequence[tuple[str, Any, str]]
    ) -> None:
        if not shiboken6.isValid(combo) or combo is not self.target_combo:
            return  # the card was drawn again meanwhile
        for kind, ident, label in targets:
            combo.addItem(label, (kind, str(ident)))
        button.setEnabled(bool(targets))
        if not targets:
            self.timer_card.body.addWidget(
                muted(QLabel("No active hourly contract or order to track."))
            )

    def start_timer(self) -> None:
        chosen = self.target_combo.currentData()
        if not chosen:
            return
        kind, ident = chosen
        target = uuid.UUID(ident)
        started = report(
            self,
            lambda: self.app.tracker.start(
                contract_id=target if kind == "contract" else None,
                order_id=target if kind == "order" else None,
            ),
        )
        if started is not None:
            self.app.bus.publish(Change("time_session", "started", (str(started.session_id),)))
            self.show_message(f"Tracking {self.target_combo.currentText()}")
        self._show_timer()

    def stop_timer(self) -> None:
        stopped = report(self, self.app.tracker.stop)
        if stopped is not None:
            self.app.bus.publish(Change("time_session", "stopped", (str(stopped.session_id),)))
            self.show_message(f"Stopped: {format_duration(stopped.tracked_seconds)} tracked")
        self.refresh_cards()

    def _show_timer_and_hours(self) -> None:
        """The timer card and the hours card from one read of the hours (both show
        them: read twice, that was a second 30-60 ms query on the heavy workspace)."""
        self.timer_card.clear()
        self._show_timer_controls()
        self._loads.pop("timer-hours", None)  # an older timer-only read is not applied
        self._loading_note(self.hours_card)

        def read() -> tuple[tuple[int, int], Sequence[ContractHours]]:
            zone = self._zone()
            return self.data.tracked(zone), self.data.hours(zone)

        def draw(both: tuple[tuple[int, int], Sequence[ContractHours]]) -> None:
            self._draw_timer_totals(both[0])
            self._draw_hours(both[1])

        self.load_in_background("hours", read, draw)

    def _loading_note(self, card: Card) -> None:
        """An empty card says it is being filled (a shown one keeps its figures)."""
        if card.body.count() == 0:
            card.body.addWidget(muted(QLabel("Loading…")))

    def _draw_hours(self, hours: Sequence[ContractHours]) -> None:
        card = self.hours_card
        card.clear()
        if not hours:
            card.body.addWidget(muted(QLabel("No time tracked this week.")))
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        for column, caption in enumerate(("Contract", "Today", "This week", "")):
            grid.addWidget(muted(QLabel(caption)), 0, column)
        for row, h in enumerate(hours[:6], start=1):
            grid.addWidget(
                _row_button(
                    h.title,
                    partial(self.go, "diary", h.title),
                    f"Hours on {h.title}",
                ),
                row,
                0,
            )
            today = QLabel(format_duration(h.today_seconds))
            today.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(today, row, 1)
            bar = QProgressBar()
            bar.setTextVisible(False)
            bar.setMinimumWidth(120)
            bar.setMaximumHeight(10)
            week = format_duration(h.week_seconds)
            if h.weekly_limit_seconds:
                bar.setRange(0, h.weekly_limit_seconds)
                bar.setValue(min(h.week_seconds, h.weekly_limit_seconds))
                limit = format_duration(h.weekly_limit_seconds)
                text = f"{week} / {limit}" + ("  over!" if h.over_limit else "")
                bar.setAccessibleName(f"{h.title}: {week} of {limit} this week")
            else:
                bar.setRange(0, 1)
                bar.setValue(0)
                text = f"{week}  no limit"
                bar.setAccessibleName(f"{h.title}: {week} this week, no limit")
            bar.setToolTip(bar.accessibleName())
            shown = QLabel(text)
            shown.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(shown, row, 3)
            grid.addWidget(bar, row, 2)
        grid.setColumnStretch(0, 1)
        card.body.addLayout(grid)
        card.body.addWidget(
            muted(QLabel("Weeks as Upwork bills them: Monday 00:00 – Sunday 24:00 UTC."))
        )

    def _show_money(self) -> None:
        """The balances read the whole ledger: on a worker thread, drawn when there."""
        if self.money_card.body.count() == 0:
            self.money_card.body.addWidget(muted(QLabel("Adding up the ledger…")))
        self.load_in_background("money", self.data.money, self._draw_money)

    def _draw_money(self, glance: MoneyGlance) -> None:
        card = self.money_card
        card.clear()
        loc = self._locale
        figures = QHBoxLayout()
        figures.setSpacing(24)
        for caption, amounts in (
            ("In escrow", glance.escrow),
            ("Pending", glance.pending),
            ("Available", glance.available),
        ):
            figures.addWidget(_figure(caption, format_amounts(amounts, loc)))
        figures.addStretch(1)
        card.body.addLayout(figures)
        if glance.next_available:
            card.body.addWidget(muted(QLabel("Becomes available")))
            now = self.app.clock.now()
            for lot in glance.next_available:
                text = (
                    f"{format_instant(lot.at, loc)} ({relative_day(lot.at, now)}):  "
                    f"{', '.join(format_amounts([m], loc) for m in lot.amounts)}"
                )
                card.body.addWidget(
                    _row_button(text, lambda: self.go("earnings"), f"Available {text}")
                )
        months = QHBoxLayout()
        months.setSpacing(24)
        months.addWidget(_figure("Net this month", format_amounts(glance.month_net, loc), 1.2))
        months.addWidget(_figure("Net last month", format_amounts(glance.last_month_net, loc), 1.2))
        months.addStretch(1)
        card.body.addSpacing(6)
        card.body.addLayout(months)
        card.body.addWidget(
            _row_button(
                self._month_line(glance.month_net, glance.last_month_net),
                lambda: self.go("reports"),
                "This month's net against last month",
            )
        )

    def _month_line(self, now: Sequence[Money], before: Sequence[Money]) -> str:
        """ "▲ 12% on last month" per currency with both months; the earnings report
        is one click away."""
        last = {m.currency: m for m in before}
        parts = []
        for money in now:
            prior = last.get(money.currency)
            if prior is None or not prior.amount:
                continue
            change = (money.amount - prior.amount) * 100 // abs(prior.amount)
            arrow = "▲" if change >= 0 else "▼"
            parts.append(f"{money.currency} {arrow} {abs(change)}%")
        if not parts:
            return "No earnings last month to compare with — see Reports"
        return f"{', '.join(parts)} on last month so far — see Reports"

    def _show_deadlines(self) -> None:
        self._loading_note(self.deadlines_card)
        self.load_in_background("deadlines", self._read_deadlines, self._draw_deadlines)

    def _read_deadlines(self) -> Sequence[Deadline]:
        try:
            values = settings_service(self.app).all()
        except Exception:  # settings must never keep the dashboard from showing
            values = {}
        kinds = [k for k in REMINDER_KIND_LABELS if values.get(f"reminders.{k}", True)]
        return self.data.deadlines(kinds)

    def _draw_deadlines(self, deadlines: Sequence[Deadline]) -> None:
        card = self.deadlines_card
        card.clear()
        if not deadlines:
            card.body.addWidget(muted(QLabel("Nothing due. Enjoy it.")))
            return
        now = self.app.clock.now()
        # Soonest deadline first: read by their reminders, a refund window (reminded of
        # two days ahead) came before an order due sooner (reminded of one day ahead).
        for deadline in sorted(deadlines, key=deadline_of):
            # The day of the deadline itself, as its title says it, not its reminder's:
            # "Today — Order … is due Fri 27 Nov" was read on Thursday.
            falls = deadline_of(deadline)
            when = relative_day(falls, now)
            overdue = falls < now
            label = f"{'⚠ ' if overdue else ''}{when.capitalize()} — {deadline.title}"
            area = DEADLINE_AREAS.get(deadline.kind, "contracts")
            button = _row_button(
                label,
                partial(self.go, area, deadline.target),
                f"Deadline: {deadline.title}, {when}",
            )
            if overdue:
                palette = button.palette()
                palette.setColor(QPalette.ColorRole.ButtonText, Qt.GlobalColor.red)
                button.setPalette(palette)
            card.body.addWidget(button)

    def _show_proposals(self) -> None:
        self._loading_note(self.proposals_card)
        self.load_in_background("proposals", self.data.proposals_by_state, self._draw_proposals)

    def _draw_proposals(self, counts: dict[str, int]) -> None:
        card = self.proposals_card
        card.clear()
        total = sum(counts.values())
        card.body.addWidget(QLabel(f"{total} open" if total else "No open proposals."))
        row = QHBoxLayout()
        row.setSpacing(4)
        for state, count in counts.items():
            words = STATE_WORDS.get(state, state)
            button = _link(
                f"{words}: {count}",
                partial(self.go, "proposals", "", {"state": state}),
                f"{words}: {count} proposals",
            )
            button.setEnabled(count > 0)
            row.addWidget(button)
        row.addStretch(1)
        card.body.addLayout(row)

    def _show_orders(self) -> None:
        self._loading_note(self.orders_card)
        self.load_in_background("orders", self.data.orders_in_progress, self._draw_orders)

    def _draw_orders(self, found: tuple[int, Sequence[OrderInProgress]]) -> None:
        card = self.orders_card
        card.clear()
        total, orders = found
        if not total:
            card.body.addWidget(muted(QLabel("No orders in progress.")))
            return
        card.body.addWidget(QLabel(f"{total} in progress"))
        now = self.app.clock.now()
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for row, order in enumerate(orders):
            state = STATE_WORDS.get(order.state, order.state)
            text = f"{order.title} — {order.buyer}"
            grid.addWidget(
                _row_button(text, partial(self.go, "gigs", order.title), f"Order: {text}, {state}"),
                row,
                0,
            )
            due = QLabel(state)
            if order.due_at is not None:
                late = order.due_at < now and order.state != "delivered"
                when = relative_day(order.due_at, now)
                if order.state == "delivered":
                    due.setText(state)
                elif late:
                    due.setText(f"⚠ late: due {when}")
                else:
                    due.setText(f"due {when}")
            else:
                muted(due)
            due.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(due, row, 1)
        grid.setColumnStretch(0, 1)
        card.body.addLayout(grid)
