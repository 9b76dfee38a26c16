"""The Tracker area on a real workspace: start and stop from the big button, an idle
stretch held and kept from the area, manual time (and its overlap refusal), the tray's
tooltip and menu on the same runtime."""

from __future__ import annotations

import uuid
from datetime import UTC

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from freelancer_desk.storage.models import Segment, TimeSession
from freelancer_desk.ui.areas.tracker import TrackerPage, build_page
from freelancer_desk.ui.mainwindow import AREAS
from freelancer_desk.ui.tray import install_tray
from tests.ui.tracker_helpers import backend_fixture, rig_fixture  # noqa: F401

AREA = next(a for a in AREAS if a.key == "tracker")


def page_for(qtbot, backend, rig, title="Acme API") -> tuple[TrackerPage, str]:
    contract = rig.contract(title)
    page = build_page(AREA, backend)
    assert isinstance(page, TrackerPage)
    qtbot.addWidget(page)
    page.show()
    page.picker.reload()
    page.picker.select("contract", uuid.UUID(contract))
    return page, contract


def tracked(rig, contract):
    with rig.app.db.read() as s:
        return sum(
            s.scalars(
                select(Segment.tracked_seconds).where(
                    Segment.contract_id == uuid.UUID(contract), Segment.deleted.is_(False)
                )
            ).all()
        )


def test_start_and_stop_from_the_area(qtbot, backend, rig):
    page, contract = page_for(qtbot, backend, rig)
    page.memo.setText("API pagination")
    qtbot.mouseClick(page.toggle, Qt.MouseButton.LeftButton)
    assert page.toggle.text() == "Stop"
    assert rig.runtime.started and rig.scheduler.started
    rig.work(25 * 60)
    page.update_clock()
    assert page.elapsed.text() == "0:25:00"
    assert "Tracking Acme API" in page.state_label.text()
    qtbot.mouseClick(page.toggle, Qt.MouseButton.LeftButton)
    assert page.toggle.text() == "Start" and page.elapsed.text() == "0:00:00"
    assert tracked(rig, contract) == 25 * 60
    with rig.app.db.read() as s:
        session = s.scalars(select(TimeSession)).one()
        assert (session.memo, session.end_reason) == ("API pagination", "stopped")
    # Today and this week, with the weekly limit of 10 h (read on a worker thread).
    page.wait_loaded()
    assert page.totals_table.item(0, 0).text() == "Acme API"
    assert page.totals_table.item(0, 1).text() == "0:25"
    meter = page.totals_table.cellWidget(0, 3)
    assert meter.accessibleName() == "0:25 of 10 h weekly limit"


def test_idle_stretch_is_shown_and_kept(qtbot, backend, rig):
    page, contract = page_for(qtbot, backend, rig)
    qtbot.mouseClick(page.toggle, Qt.MouseButton.LeftButton)
    rig.work(120)
    rig.work(15 * 60, active=False)  # away: held after 10 min without input
    page.update_clock()
    assert "idle since" in page.state_label.text()
    assert page.held_rows() == []  # still going on: nothing to decide yet
    rig.work(60)  # back
    (row,) = page.held_rows()
    assert row.held.kind.value == "idle" and row.held.seconds >= 14 * 60
    assert any("Held" in page.notices.item(i).text() for i in range(page.notices.count()))
    before = tracked(rig, contract)
    qtbot.mouseClick(row.keep, Qt.MouseButton.LeftButton)
    assert page.held_rows() == []
    assert tracked(rig, contract) - before == row.held.seconds
    qtbot.mouseClick(page.toggle, Qt.MouseButton.LeftButton)


def test_manual_time_added_and_overlap_refused(qtbot, backend, rig):
    page, contract = page_for(qtbot, backend, rig)
    dialog = page.add_manual_time()
    dialog.zone = UTC
    dialog.contract.setCurrentIndex(dialog.contract.findData(contract))
    dialog.day.setDate(QDate(2026, 3, 2))
    dialog.start.setTime(QTime(7, 0))
    dialog.end.setTime(QTime(8, 30))
    dialog.memo.setText("Phone call with the client")
    dialog.accept()
    assert dialog.result_id is not None, dialog.error_text("start") or dialog.error_text()
    assert not dialog.isVisible()
    assert tracked(rig, contract) == 90 * 60
    with rig.app.db.read() as s:
        assert all(
            s.scalars(select(Segment.manual).where(Segment.contract_id == uuid.UUID(contract)))
        )
    again = page.add_manual_time()
    again.zone = UTC
    again.contract.setCurrentIndex(again.contract.findData(contract))
    again.day.setDate(QDate(2026, 3, 2))
    again.start.setTime(QTime(8, 0))
    again.end.setTime(QTime(8, 45))
    again.memo.setText("Overlapping")
    again.accept()
    assert again.isVisible() and "overlaps time tracked" in again.error_text("start")
    again.reject()


def test_tray_tooltip_menu_and_notifications(qtbot, backend, rig):
    page, _contract = page_for(qtbot, backend, rig)
    tray = install_tray(page, rig.app)
    try:
        assert "not tracking" in tray.tooltip_text()
        tray.update_menu()
        titles = [a.text() for a in tray.switch_menu.actions()]
        assert "Acme API (hourly)" in titles
        tray.switch_menu.actions()[titles.index("Acme API (hourly)")].trigger()
        assert rig.runtime.status().running and page.toggle.text() == "Stop"
        rig.work(600)
        text = tray.tooltip_text()
        assert "tracking Acme API" in text and "0:10:00 this session" in text
        assert "today 0:10" in text
        rig.work(11 * 60, active=False)
        rig.work(30)
        assert tray.last_message is not None and tray.last_message[0] == "idle"
        tray.toggle()
        assert not rig.runtime.status().running
    finally:
        tray.shutdown()
        tray.icon.hide()
        tray.setParent(None)
        tray.deleteLater()


def test_tray_tooltip_reads_today_from_the_database_only_after_a_change(
    qtbot, backend, rig, monkeypatch
):
    """The tooltip refreshes every few seconds: between changes it adds the running
    session's progress to the total it read, rather than querying the diary each time."""
    from freelancer_desk.services.events import Change
    from freelancer_desk.ui import tray as tray_module

    page, _contract = page_for(qtbot, backend, rig)
    tray = install_tray(page, rig.app)
    reads = []
    real_totals = tray_module.totals
    monkeypatch.setattr(
        tray_module, "totals", lambda *a, **k: reads.append(1) or real_totals(*a, **k)
    )
    try:
        tray.toggle()  # starts on the only contract: a change, the next tooltip reads
        rig.work(300)
        assert "today 0:05" in tray.tooltip_text()
        read = len(reads)
        rig.work(240)  # segments written in between (every minute): counted once
        for _ in range(3):
            tray.update_tooltip()
        assert "0:09:00 this session" in tray.icon.toolTip()
        assert "today 0:09" in tray.icon.toolTip() and len(reads) == read
        # Another part of the window wrote something: read again once.
        rig.app.bus.publish(Change("time_session", "updated"))
        assert "today 0:09" in tray.tooltip_text() and len(reads) == read + 1
        assert "today 0:09" in tray.tooltip_text() and len(reads) == read + 1
        # And at least every TODAY_REREAD_S, for other processes' writes.
        rig.work(tray_module.TODAY_REREAD_S)
        assert "today 0:14" in tray.tooltip_text() and len(reads) == read + 2
        tray.toggle()  # stopped: a change again
        assert "not tracking · today 0:14" in tray.tooltip_text() and len(reads) > read + 2
    finally:
        tray.shutdown()
        tray.icon.hide()
        tray.setParent(None)
        tray.deleteLater()


def test_read_only_backend_gets_the_plain_page(qtbot, tmp_path):
    from tests.ui.fakes import demo_backend

    page = build_page(AREA, demo_backend(tmp_path))
    qtbot.addWidget(page)
    assert not isinstance(page, TrackerPage)


def test_manual_time_starts_on_the_contract_chosen_for_tracking(qtbot, backend, rig):
    rig.contract("Zeta first")  # listed before the chosen one
    page, contract = page_for(qtbot, backend, rig, title="Acme API")
    other = rig.contract("Beta retainer")
    page.picker.reload()
    page.picker.select("contract", uuid.UUID(other))
    dialog = page.add_manual_time()
    assert dialog.contract.count() >= 3
    assert dialog.contract.currentData() == other
    assert dialog.height() <= dialog.sizeHint().height()  # no blank half dialog
    dialog.reject()
    page.picker.select("contract", uuid.UUID(contract))
    again = page.add_manual_time()
    assert again.contract.currentData() == contract
    again.reject()


def test_the_sessions_get_room_at_1280_by_800(qtbot, backend, rig):
    rig.app.create_demo()
    page, _contract = page_for(qtbot, backend, rig)
    page.resize(1060, 750)  # the page's part of a 1,280×800 window (menu, status bar)
    page.wait_loaded()
    QApplication.processEvents()
    sessions = page.panels[0].view
    assert sessions.model().rowCount() > 10
    row = sessions.verticalHeader().defaultSectionSize()
    assert sessions.viewport().height() >= 6 * row  # three rows fitted before
    # The week's table keeps room for a few contracts' rows.
    assert page.totals_table.viewport().height() >= 3 * row
