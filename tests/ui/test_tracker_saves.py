"""While tracking, the tracker saves its segment and heartbeat each minute from the
window's own process. The window shows the new time in the area on screen (the Work
Diary here), the hidden dashboard when it is shown, and never refreshes the whole window
for it: the watcher does not take these writes for another process's."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel
from sqlalchemy import func, select

from freelancer_desk.storage.models import Segment
from freelancer_desk.ui.areas.dashboard import format_duration
from freelancer_desk.ui.areas.diary import hm
from freelancer_desk.ui.main import build_window
from tests.ui.tracker_helpers import backend_fixture, rig_fixture  # noqa: F401


def saved_seconds(rig) -> int:
    with rig.app.db.read() as s:
        return int(s.scalar(select(func.coalesce(func.sum(Segment.tracked_seconds), 0))) or 0)


def texts(widget) -> list[str]:
    return [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton)]


def test_saved_time_shows_in_the_visible_diary_without_a_whole_window_refresh(qtbot, backend, rig):
    contract = rig.contract("Acme API")
    window = build_window(backend, remember=False)
    qtbot.addWidget(window)
    try:
        window.show()
        dashboard = window.page("dashboard")
        window.set_area("diary")
        diary = window.page("diary")
        diary.wait_loaded()
        dashboard.wait_loaded()
        rig.runtime.start()
        rig.runtime.start_tracking(uuid.UUID(contract), None, "Pagination")
        QApplication.processEvents()  # the start's bus change refreshes the window once
        diary.wait_loaded()
        window.set_area("dashboard")  # ... the hidden dashboard as it is shown
        dashboard.wait_loaded()
        window.set_area("diary")
        diary.wait_loaded()

        refreshes: list[str] = []
        for key, page in window._pages.items():
            page.refresh = lambda key=key: refreshes.append(key)
        saves: list[None] = []
        rig.runtime.saved.connect(lambda: saves.append(None))

        rig.work(5 * 60)  # five minutes: segments flushed and heartbeats, each minute
        QApplication.processEvents()
        window.check_external_changes()  # the watcher's look, as its timer does
        QApplication.processEvents()
        diary.wait_loaded()

        saved = saved_seconds(rig)
        assert saved >= 4 * 60
        assert len(saves) >= 4
        assert diary.day_total.text() == f"{hm(saved)} tracked"
        assert refreshes == []  # no area refreshed as a whole, the dashboard neither
        assert backend.external_changes() is False

        window.set_area("dashboard")  # hidden meanwhile: read again when shown
        dashboard.wait_loaded()
        assert format_duration(saved) in texts(dashboard.hours_card)  # today, this week
        assert refreshes == []
    finally:
        if rig.runtime.status().running:
            rig.runtime.stop_tracking()
        window.close()


def test_a_heartbeat_that_saves_nothing_new_says_nothing(qtbot, backend, rig):
    contract = rig.contract("Acme API")
    rig.runtime.start()
    rig.runtime.start_tracking(uuid.UUID(contract), None, "")
    rig.work(2 * 60)
    saves: list[None] = []
    rig.runtime.saved.connect(lambda: saves.append(None))
    rig.runtime.tracker.heartbeat()  # everything counted is saved already
    rig.runtime.tracker.heartbeat()
    rig.runtime._on_pulse()
    assert saves == []
    rig.runtime.stop_tracking()


def test_the_hidden_dashboard_reads_nothing_until_shown(qtbot, backend, rig):
    contract = rig.contract("Acme API")
    window = build_window(backend, remember=False)
    qtbot.addWidget(window)
    try:
        window.show()
        dashboard = window.page("dashboard")
        dashboard.wait_loaded()
        rig.runtime.start()
        rig.runtime.start_tracking(uuid.UUID(contract), None, "")
        QApplication.processEvents()
        window.set_area("diary")
        window.page("diary").wait_loaded()
        dashboard.wait_loaded()
        reads: list[None] = []
        hours = dashboard.data.hours
        dashboard.data.hours = lambda zone: reads.append(None) or hours(zone)

        rig.work(3 * 60)
        dashboard._tick.timeout.emit()  # its 30 s redraw of the timer card, as the timer does
        QApplication.processEvents()
        assert reads == []

        window.set_area("dashboard")
        dashboard.wait_loaded()
        assert reads == [None]  # read again on showing, once for the timer and hours cards
        saved = saved_seconds(rig)
        assert saved >= 2 * 60
        assert format_duration(saved) in texts(dashboard.hours_card)
        assert format_duration(saved) in texts(dashboard.timer_card)
    finally:
        if rig.runtime.status().running:
            rig.runtime.stop_tracking()
        window.close()


def test_the_hidden_tracker_area_draws_nothing_until_shown(qtbot, backend, rig, monkeypatch):
    from freelancer_desk.ui.areas import tracker as tracker_area

    contract = rig.contract("Acme API")
    window = build_window(backend, remember=False)
    qtbot.addWidget(window)
    try:
        window.show()
        window.set_area("tracker")
        page = window.page("tracker")
        rig.runtime.start()
        rig.runtime.start_tracking(uuid.UUID(contract), None, "")
        QApplication.processEvents()
        window.set_area("diary")
        window.page("diary").wait_loaded()
        shown = page.elapsed.text()
        reads: list[None] = []
        totals = tracker_area.totals
        monkeypatch.setattr(
            tracker_area, "totals", lambda *a, **k: reads.append(None) or totals(*a, **k)
        )

        rig.work(2 * 60)  # ticks
        page._clock.timeout.emit()  # its timers, as they fire
        page._totals_timer.timeout.emit()
        QApplication.processEvents()
        assert reads == []
        assert page.elapsed.text() == shown

        window.set_area("tracker")
        QApplication.processEvents()
        assert len(reads) == 1  # the totals, read again on showing
        assert page.elapsed.text() == "0:02:00"
        assert page.elapsed.text() != shown
    finally:
        if rig.runtime.status().running:
            rig.runtime.stop_tracking()
        window.close()
