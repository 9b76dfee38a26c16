"""The tray icon: start/stop, switch contract, memo, the window; a tooltip with the
running contract, elapsed time and today's total; notifications for idle, the weekly
limit and recovery. Tracking goes on with the window closed (hidden) while the tray is
there; without a system tray (no tray host, some Wayland desktops) closing the window
quits as before and the runtime still ticks while the window is open.

    tray = install_tray(window, app)   # starts the shared TrackerRuntime too
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QSystemTrayIcon, QWidget

from freelancer_desk.tracker.diary import local_zone, totals
from freelancer_desk.ui.areas.tracker import hms, targets
from freelancer_desk.ui.forms import report
from freelancer_desk.ui.tracker_runtime import TrackerRuntime, tracker_runtime

if TYPE_CHECKING:
    from freelancer_desk.app import App
    from freelancer_desk.tracker.engine import Status

TOOLTIP_MS = 5000
# Today's total is read from the database when something changed (this process's bus,
# the runtime), when the local day turns, and at least this often (another process's
# writes); in between the running session's progress is added from memory.
TODAY_REREAD_S = 300.0
NOTIFY_KINDS = {"idle", "held", "limit_warning", "over_limit", "recovery", "session_lost",
                "snapshot_failed", "stopped", "error"}  # fmt: skip


@dataclass(frozen=True)
class _Today:
    day: date
    seconds: int  # today's total when read, the running session's unsaved part included
    session_seconds: int  # the running session's count then
    session_id: object
    read_at: float  # the clock's monotonic time


def _icon(window: QWidget) -> QIcon:
    icon = window.windowIcon()
    if icon.isNull():
        from freelancer_desk.ui.mainwindow import app_icon

        icon = app_icon()
    return icon


class TrayController(QObject):
    """Owns the tray icon and its menu; drives the shared runtime."""

    def __init__(self, window: QWidget, app: App, runtime: TrackerRuntime) -> None:
        super().__init__(window)
        self.window = window
        self.app = app
        self.runtime = runtime
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.icon = QSystemTrayIcon(_icon(window), self)
        self.icon.setObjectName("tracker-tray")
        self.menu = QMenu(window)
        self.toggle_action = QAction("Start tracking", self.menu)
        self.toggle_action.triggered.connect(self.toggle)
        self.switch_menu = QMenu("Switch to", self.menu)
        self.memo_action = QAction("Memo…", self.menu)
        self.memo_action.triggered.connect(self.ask_memo)
        self.show_action = QAction("Show window", self.menu)
        self.show_action.triggered.connect(self.show_window)
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(self.quit)
        self.menu.addAction(self.toggle_action)
        self.menu.addMenu(self.switch_menu)
        self.menu.addAction(self.memo_action)
        self.menu.addSeparator()
        self.menu.addAction(self.show_action)
        self.menu.addAction(self.quit_action)
        self.menu.aboutToShow.connect(self.update_menu)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.last_message: tuple[str, str] | None = None
        self._last_target: tuple[str, object] | None = None
        self._today: _Today | None = None
        self._unsubscribe = app.bus.subscribe(self._forget_today)

        runtime.changed.connect(self._forget_today)
        runtime.changed.connect(self.update_tooltip)
        runtime.notice.connect(self.notify)
        self._timer = QTimer(self)
        self._timer.setInterval(TOOLTIP_MS)
        self._timer.timeout.connect(self.update_tooltip)
        self._timer.start()
        qapp = QApplication.instance()
        if isinstance(qapp, QApplication):
            qapp.aboutToQuit.connect(self.shutdown)
            if self.available:
                qapp.setQuitOnLastWindowClosed(False)  # the tray keeps tracking
        self.update_menu()
        self.update_tooltip()
        if self.available:
            self.icon.show()

    # -- menu ------------------------------------------------------------------------

    def update_menu(self) -> None:
        status = self.runtime.status()
        self.toggle_action.setText(
            f"Stop tracking {status.title}" if status.running else "Start tracking"
        )
        self.memo_action.setEnabled(status.running)
        self.switch_menu.clear()
        for title, target in targets(self.app):
            action = self.switch_menu.addAction(title)
            action.triggered.connect(lambda _c=False, t=target: self.track(t))
            action.setCheckable(True)
            action.setChecked(
                status.running
                and (status.contract_id, status.order_id)
                == (
                    target[1] if target[0] == "contract" else None,
                    target[1] if target[0] == "order" else None,
                )
            )

    def track(self, target: tuple[str, object]) -> None:
        """Start on `target`, or switch to it when something else runs."""
        kind, ident = target
        contract = ident if kind == "contract" else None
        order = ident if kind == "order" else None
        self._last_target = target
        status = self.runtime.status()
        memo = status.memo if status.running else ""
        self.runtime.start()
        if status.running:
            report(self.window, lambda: self.runtime.switch(contract, order, memo))  # type: ignore[arg-type]
        else:
            report(self.window, lambda: self.runtime.start_tracking(contract, order, memo))  # type: ignore[arg-type]

    def toggle(self) -> None:
        if self.runtime.status().running:
            report(self.window, self.runtime.stop_tracking)
            return
        target = self._last_target
        choices = targets(self.app)
        if target is None and choices:
            target = choices[0][1]
        if target is None:
            self.notify("error", "Nothing to track: add a contract or an order first")
            return
        self.track(target)

    def ask_memo(self) -> None:
        status = self.runtime.status()
        if not status.running:
            return
        text, ok = QInputDialog.getText(
            self.window, "Memo", "What are you working on?", text=status.memo
        )
        if ok:
            report(self.window, lambda: self.runtime.set_memo(text))

    def show_window(self) -> None:
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        self.shutdown()
        QApplication.quit()

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            if self.window.isVisible():
                self.window.hide()
            else:
                self.show_window()

    # -- tooltip and notifications -----------------------------------------------------------

    def _forget_today(self, _change: object = None) -> None:
        self._today = None  # any thread may publish: one assignment, read again later

    def today_seconds(self, status: Status) -> int:
        """Today's tracked seconds: read from the database (see TODAY_REREAD_S), plus
        what the running session counted since."""
        now, mono = self.app.clock.now(), self.app.clock.monotonic()
        day = now.astimezone(local_zone()).date()
        session = status.session_seconds if status.running else 0
        cached = self._today
        if (
            cached is not None
            and cached.day == day
            and cached.session_id == status.session_id
            and 0 <= mono - cached.read_at < TODAY_REREAD_S
        ):
            return cached.seconds + session - cached.session_seconds
        today, _week = totals(self.app.db, now, local_zone())
        seconds = sum(t.seconds for t in today) + (status.unsaved_seconds if status.running else 0)
        self._today = _Today(day, seconds, session, status.session_id, mono)
        return seconds

    def tooltip_text(self) -> str:
        status = self.runtime.status()
        total = f"today {hms(self.today_seconds(status))[:-3]}"
        if status.running:
            idle = " (idle: held)" if status.idle_since else ""
            return (
                f"Freelancer Desk — tracking {status.title}{idle}\n"
                f"{hms(status.session_seconds)} this session · {total}"
            )
        return f"Freelancer Desk — not tracking · {total}"

    def update_tooltip(self) -> None:
        text = self.tooltip_text()
        if text != self.icon.toolTip():
            self.icon.setToolTip(text)
        label = "Stop tracking" if self.runtime.status().running else "Start tracking"
        if label != self.toggle_action.text():
            self.toggle_action.setText(label)

    def notify(self, kind: str, message: str) -> None:
        if kind not in NOTIFY_KINDS:
            return
        self.last_message = (kind, message)
        titles = {
            "idle": "You were idle",
            "held": "Time held for you",
            "limit_warning": "Weekly limit at 90%",
            "over_limit": "Weekly limit reached",
            "recovery": "Tracking recovered",
            "session_lost": "Tracking stopped",
            "snapshot_failed": "Snapshots failing",
            "stopped": "Tracking stopped",
            "error": "Tracker problem",
        }
        if self.available and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Warning
                if kind in {"over_limit", "error", "snapshot_failed", "session_lost"}
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.icon.showMessage(titles.get(kind, "Freelancer Desk"), message, icon, 10_000)
        self.update_tooltip()

    def shutdown(self) -> None:
        self._timer.stop()
        self._unsubscribe()
        self._unsubscribe = lambda: None
        self.runtime.shutdown()
        self.icon.hide()


def install_tray(window: QWidget, app: App) -> TrayController:
    """The tray for `window` over `app`; starts the shared tracker runtime (closing this
    device's orphans and telling the user)."""
    runtime = tracker_runtime(app)
    controller = TrayController(window, app, runtime)
    runtime.start()
    return controller


__all__ = ["TrayController", "install_tray"]
