"""The dashboard on the demo workspace: real figures on every card, the timer started
and stopped right there, and every card leading to its area, filtered."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from freelancer_desk.services.dashboard import DashboardService
from freelancer_desk.ui.areapage import AreaPage
from freelancer_desk.ui.areas.dashboard import DashboardPage, deadline_of
from freelancer_desk.ui.desktop import format_amounts, format_duration
from freelancer_desk.ui.main import build_window
from freelancer_desk.ui.mainwindow import MainWindow
from freelancer_desk.ui.settings_dialog import settings_service
from tests.ui import desk
from tests.ui.fakes import demo_backend as fake_demo_backend

home, demo_app, demo_backend = desk.home, desk.demo_app, desk.demo_backend


@pytest.fixture
def window(qtbot, demo_backend) -> MainWindow:
    win = build_window(demo_backend, remember=False)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


@pytest.fixture
def page(qtbot, window) -> DashboardPage:
    window.set_area("dashboard")
    page = window.page("dashboard")
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=20_000)  # the money card's figures
    return page


def texts(widget: QWidget) -> list[str]:
    """The text of the labels and buttons shown (replaced ones are hidden until deleted)."""
    for _pass in range(3):  # a refresh queued by a change, then the queued show of new rows
        QApplication.processEvents()
    page = widget if isinstance(widget, AreaPage) else widget.parentWidget()
    while page is not None and not isinstance(page, AreaPage):
        page = page.parentWidget()
    deadline = time.monotonic() + 20
    while page is not None and page.is_loading and time.monotonic() < deadline:
        QApplication.processEvents()  # figures read on a worker thread arrive as events
        time.sleep(0.005)
    shown = [w for w in widget.findChildren(QLabel) + widget.findChildren(QPushButton)]
    return [w.text() for w in shown if w.isVisibleTo(widget)]


def button(widget: QWidget, name_start: str) -> QPushButton:
    found = [
        b for b in widget.findChildren(QPushButton) if b.accessibleName().startswith(name_start)
    ]
    assert found, f"no button named {name_start!r}…"
    return found[0]


def test_money_card_shows_the_ledger_in_the_locale(page, demo_app):
    glance = DashboardService(demo_app.db, demo_app.clock).money()
    shown = texts(page.money_card)
    for amounts in (glance.escrow, glance.pending, glance.available):
        assert amounts  # the demo has money in every state
        assert format_amounts(amounts) in shown
    assert "$5,410.00" in shown  # symbol and grouping from QLocale
    assert any(t.startswith("Fri 27 Nov") and "$810.00" in t for t in shown)  # next date
    assert format_amounts(glance.month_net) in shown
    assert format_amounts(glance.last_month_net) in shown


def test_hours_card_has_a_bar_per_contract_against_its_limit(page, demo_app):
    hours = DashboardService(demo_app.db, demo_app.clock).hours()
    assert hours
    shown = texts(page.hours_card)
    limited = [h for h in hours if h.weekly_limit_seconds]
    assert limited
    for h in limited:
        assert any(
            t.startswith(
                f"{format_duration(h.week_seconds)} / {format_duration(h.weekly_limit_seconds or 0)}"
            )
            for t in shown
        )
    # The timer's week is everything tracked, orders included (as the Tracker area shows).
    _today, week = DashboardService(demo_app.db, demo_app.clock).tracked(page._zone())
    assert format_duration(week) in texts(page.timer_card)


def test_deadlines_proposals_and_orders_are_listed(page, demo_app):
    deadlines = DashboardService(demo_app.db, demo_app.clock).deadlines()
    names = [b.accessibleName() for b in page.deadlines_card.findChildren(QPushButton)]
    for deadline in deadlines:
        assert any(deadline.title in n for n in names)
    assert "4 open" in texts(page.proposals_card)
    assert "5 in progress" in texts(page.orders_card)


def test_a_deadline_reads_the_day_it_falls_not_its_reminders(page, demo_app):
    from datetime import datetime

    from freelancer_desk.ui.desktop import relative_day

    now = demo_app.clock.now()
    orders = [
        d
        for d in DashboardService(demo_app.db, demo_app.clock).deadlines()
        if d.kind == "order_due"
    ]
    assert orders  # the demo has orders due, each reminded of a day before
    rows = page.deadlines_card.findChildren(QPushButton)
    for deadline in orders:
        due = datetime.fromisoformat(demo_app.orders.get(str(deadline.source_id))["due_at"])
        assert deadline.due_at < due  # the reminder comes first
        row = next(b for b in rows if deadline.title in b.accessibleName())
        assert row.accessibleName() == f"Deadline: {deadline.title}, {relative_day(due, now)}"
        assert row.toolTip().startswith("⚠ " if due < now else relative_day(due, now)[0].upper())
    # Listed soonest deadline first, whatever their reminders' lead times.
    shown = [b.accessibleName() for b in rows if b is not page.deadlines_card.open_button]
    listed = DashboardService(demo_app.db, demo_app.clock).deadlines()
    assert len({d.kind for d in listed}) > 1  # leads of 12 h, 1 and 2 days
    by_deadline = sorted(listed, key=deadline_of)
    assert [next(i for i, n in enumerate(shown) if d.title in n) for d in by_deadline] == list(
        range(len(by_deadline))
    )


def test_card_rows_are_cut_with_an_ellipsis_not_clipped(qtbot, window, page):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    QApplication.processEvents()
    rows = [
        b
        for card in (page.deadlines_card, page.hours_card, page.orders_card)
        for b in card.findChildren(QPushButton)
        if hasattr(b, "full_text") and b.isVisibleTo(page)
    ]
    assert rows
    cut = 0
    for row in rows:
        shown = row.text().replace("&&", "&")
        assert row.fontMetrics().horizontalAdvance(shown) <= row.width(), shown
        assert row.toolTip() == row.full_text
        if shown != row.full_text:
            cut += 1
            assert shown.endswith("…") and row.full_text.startswith(shown[:-1])
    assert cut  # at 1,280 px some deadline or contract title is too long for its card


def test_reminders_switched_off_are_not_listed(qtbot, demo_app, demo_backend):
    settings_service(demo_app).set("reminders.order_due", False)
    win = build_window(demo_backend, remember=False)
    qtbot.addWidget(win)
    page = win.page("dashboard")
    assert isinstance(page, DashboardPage)
    names = [b.accessibleName() for b in page.deadlines_card.findChildren(QPushButton)]
    assert names and not any("Order " in n and " is due " in n for n in names)


def test_each_card_leads_to_its_area(qtbot, window, page):
    for card, area in (
        (page.timer_card, "tracker"),
        (page.hours_card, "diary"),
        (page.money_card, "earnings"),
        (page.deadlines_card, "contracts"),
        (page.proposals_card, "proposals"),
        (page.orders_card, "gigs"),
    ):
        window.set_area("dashboard")
        qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
        assert window.current_area == area


def test_a_row_leads_to_its_area_filtered(qtbot, window, page):
    order = button(page.orders_card, "Order: ")
    qtbot.mouseClick(order, Qt.MouseButton.LeftButton)
    assert window.current_area == "gigs"
    gigs = window.page("gigs")
    title = order.accessibleName().removeprefix("Order: ").split(" — ")[0]
    assert gigs.filter_edit.text() == title
    orders = next(m for m in gigs.models if m.source.key == "orders")
    qtbot.waitUntil(lambda: not gigs.is_loading)  # filtered on a worker thread
    assert orders.total == 1

    window.set_area("dashboard")
    qtbot.mouseClick(button(page.proposals_card, "Viewed"), Qt.MouseButton.LeftButton)
    assert window.current_area == "proposals"
    proposals = next(m for m in window.page("proposals").models if m.source.key == "proposals")
    qtbot.waitUntil(lambda: not window.page("proposals").is_loading)
    assert proposals.query.filters == {"state": "viewed"} and proposals.total == 1

    window.set_area("dashboard")
    qtbot.mouseClick(button(page.hours_card, "Hours on "), Qt.MouseButton.LeftButton)
    assert window.current_area == "diary"
    assert window.page("diary").filter_edit.text()


def test_start_and_stop_the_timer_from_the_dashboard(qtbot, page, demo_app):
    assert not demo_app.tracker.status().running
    assert page.target_combo.count() > 0
    page.target_combo.setCurrentIndex(0)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    status = demo_app.tracker.status()
    assert status.running and status.title
    assert any(t.startswith("● Tracking") for t in texts(page.timer_card))
    for _minute in range(25):  # the scheduler ticks; a long silence would be held as sleep
        demo_app.clock.advance(minutes=1)
        demo_app.tracker.tick()
    page.refresh()
    assert "● Tracking  0:25" in texts(page.timer_card)
    qtbot.mouseClick(page.stop_button, Qt.MouseButton.LeftButton)
    assert not demo_app.tracker.status().running
    assert "Not tracking." in texts(page.timer_card)


def test_the_read_only_backend_gets_the_plain_page(qtbot, tmp_path):
    win = build_window(fake_demo_backend(tmp_path), remember=False)
    qtbot.addWidget(win)
    page = win.page("dashboard")
    assert type(page) is AreaPage


def test_the_table_classes_are_warmed_up_offscreen_once_the_first_area_is_read(
    qtbot, demo_backend, monkeypatch
):
    from freelancer_desk.ui import areapage

    monkeypatch.setattr(areapage, "_tables_warm", False)
    warmed: list[bool] = []
    plain = areapage.warm_up_tables

    def spy() -> None:
        page = window.stack.currentWidget()
        warmed.append(isinstance(page, areapage.AreaPage) and not page.is_loading)
        plain()

    monkeypatch.setattr("freelancer_desk.ui.mainwindow.warm_up_tables", spy)
    window = build_window(demo_backend, remember=False)
    qtbot.addWidget(window)
    window.set_area("dashboard")  # cards, no table
    window.show()
    tops = set(QApplication.topLevelWidgets())
    qtbot.waitUntil(areapage.tables_warm, timeout=10_000)
    assert warmed == [True]  # once, after the dashboard's own reads were shown
    qtbot.wait(10)
    # Nothing was shown on screen for it, nothing is left behind.
    assert not [w for w in QApplication.topLevelWidgets() if w not in tops and w.isVisible()]
    window.set_area("gigs")
    gigs = window.page("gigs").panels[0].view
    qtbot.waitUntil(gigs.isVisible, timeout=20_000)  # its rows are read
    qtbot.wait(2 * 150)
    assert warmed == [True]
