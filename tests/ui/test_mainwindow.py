"""The main window over a fake backend: areas, filter, remembered state, shortcuts,
refresh on "changed", screenshot mode and start-up errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from freelancer_desk.ui.main import build_window, offer_demo, render_screenshots, run_gui
from freelancer_desk.ui.mainwindow import AREA_KEYS, AREAS, MainWindow
from tests.ui.fakes import FakeBackend, demo_backend, empty_backend


@pytest.fixture
def backend(tmp_path: Path) -> FakeBackend:
    return demo_backend(tmp_path)


@pytest.fixture
def window(qtbot, backend) -> MainWindow:
    win = build_window(backend)
    qtbot.addWidget(win)
    return win


def test_area_keys_are_the_documented_ones():
    assert AREA_KEYS == (
        "dashboard",
        "gigs",
        "proposals",
        "contracts",
        "tracker",
        "diary",
        "earnings",
        "reports",
    )


def test_every_area_shows_its_tables(window, backend):
    for area in AREAS:
        window.set_area(area.key)
        page = window.page(area.key)
        assert window.current_area == area.key
        assert window.stack.currentWidget() is page
        assert [m.source.key for m in page.models] == list(area.sources)
        for panel in page.panels:
            assert panel.count_label.text().endswith("rows")
            assert panel.stack.currentWidget() is panel.view
    used = {key for area in AREAS for key in area.sources}
    assert used == set(backend.sources) - {"clients"}


def test_geometry_and_area_survive_a_restart(qtbot, backend):
    first = build_window(backend)
    qtbot.addWidget(first)
    # Smaller than the offscreen screen (800x800): restoreGeometry() keeps a window on it.
    first.resize(750, 540)
    with qtbot.waitExposed(first):
        first.show()
    first.set_area("contracts")
    size = first.size()
    assert size != QSize(1280, 800)  # not the default size
    first.close()
    assert (backend.data_dir / "ui.ini").exists()

    second = build_window(backend)
    qtbot.addWidget(second)
    assert second.current_area == "contracts"
    assert second.size() == size


def test_screenshot_mode_leaves_the_saved_state_alone(qtbot, backend, tmp_path):
    render_screenshots(backend, tmp_path / "shots", size=(900, 600))
    assert not (backend.data_dir / "ui.ini").exists()


@pytest.mark.parametrize(("number", "key"), list(enumerate(AREA_KEYS, start=1)))
def test_ctrl_number_switches_areas(qtbot, window, number, key):
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    other = "reports" if key == "dashboard" else "dashboard"
    window.set_area(other)
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
    assert window.current_area == key


def test_ctrl_f_focuses_the_filter_box(qtbot, window):
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    window.set_area("gigs")
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.page("gigs").filter_edit


def test_typing_in_the_filter_requeries_every_table_of_the_area(qtbot, window):
    window.set_area("gigs")
    page = window.page("gigs")
    gigs, orders = page.models
    qtbot.keyClicks(page.filter_edit, "landing")
    qtbot.waitUntil(lambda: gigs.query.text == "landing", timeout=20_000)
    assert gigs.total == 1 and orders.total > 0
    assert page.panels[0].count_label.text() == "1 matching"

    page.filter_edit.setText("no such thing")
    page.apply_filter()
    panel = page.panels[0]
    assert panel.stack.currentWidget() is panel.empty_label
    assert "no such thing" in panel.empty_label.text()


def test_an_empty_workspace_says_so(qtbot, tmp_path):
    win = build_window(empty_backend(tmp_path))
    qtbot.addWidget(win)
    panel = win.page("dashboard").panels[0]
    assert panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == "No rows in Earnings by client yet."
    assert panel.count_label.text() == "0 rows"


def test_a_change_in_the_backend_refreshes_the_shown_areas(qtbot, window, backend):
    window.set_area("gigs")
    gigs = window.page("gigs").models[0]
    source = backend.sources["gigs"]
    source.rows.append(dict(source.rows[0], id="new-gig", title="I will test your Qt app"))
    source._cache = None
    with qtbot.waitSignal(gigs.totalChanged):
        backend.changed()
    assert gigs.total == 5
    window.close()
    assert backend.listeners == []


def test_a_change_refreshes_hidden_areas_only_when_they_are_shown(qtbot, window, backend):
    gigs_page = window.page("gigs")
    gigs = gigs_page.models[0]
    window.set_area("contracts")
    contracts_page = window.page("contracts")
    refreshed: list[str] = []
    for page in (gigs_page, contracts_page):
        page.refresh = lambda p=page, plain=page.refresh: (refreshed.append(p.area.key), plain())
    source = backend.sources["gigs"]
    source.rows.append(dict(source.rows[0], id="new-gig", title="I will test your Qt app"))
    source._cache = None
    window.refresh()  # what a change from another process leads to
    assert refreshed == ["contracts"]  # the area in front is read again now
    assert gigs.total == 4  # the hidden one is not read meanwhile
    window.set_area("gigs")
    assert refreshed == ["contracts", "gigs"]  # ... but as it is shown
    assert gigs.total == 5
    window.set_area("contracts")
    window.set_area("gigs")
    assert refreshed == ["contracts", "gigs"]  # once, not on every later showing


def test_header_click_sorts_through_the_source(qtbot, window, backend):
    window.set_area("gigs")
    panel = window.page("gigs").panels[0]
    fetches = len(backend.sources["gigs"].fetches)
    panel.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)  # Basic price
    assert panel.model.query.sort == "basic" and panel.model.query.descending
    assert len(backend.sources["gigs"].fetches) == fetches + 1
    assert panel.model.data(panel.model.index(0, 2)) == "$85.00"


def _is_blank(image: QImage) -> bool:
    """True if a grid of sample pixels has (almost) no variance."""
    values = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), 23)
        for y in range(0, image.height(), 19)
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values) < 25


def test_screenshot_mode_writes_one_non_blank_png_per_area(qtbot, tmp_path):
    backend = empty_backend(tmp_path)
    args = argparse.Namespace(data_dir=str(tmp_path), db_url=None, screenshot=str(tmp_path / "out"))
    assert run_gui(args, opener=lambda _args: backend) == 0
    assert backend.closed
    assert not backend.is_empty()  # the demo was created for the pictures
    pngs = sorted(p.name for p in (tmp_path / "out").glob("*.png"))
    assert pngs == sorted(f"{key}.png" for key in AREA_KEYS)
    for name in pngs:
        image = QImage(str(tmp_path / "out" / name))
        assert image.size() == QSize(1400, 900), name
        assert not _is_blank(image), name


def test_an_expected_start_up_error_is_one_line_without_traceback(qtbot, tmp_path, capsys):
    def opener(_args: argparse.Namespace) -> FakeBackend:
        raise ValueError("the database was written by a newer Freelancer Desk (schema 9)")

    args = argparse.Namespace(data_dir=str(tmp_path), db_url=None, screenshot=str(tmp_path))
    assert run_gui(args, opener=opener) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "freelancer-desk: the database was written by a newer Freelancer Desk (schema 9)"
    )


def test_an_unexpected_start_up_error_keeps_its_traceback(qtbot, tmp_path, capsys):
    def opener(_args: argparse.Namespace) -> FakeBackend:
        raise ZeroDivisionError("boom")

    args = argparse.Namespace(data_dir=str(tmp_path), db_url=None, screenshot=str(tmp_path))
    assert run_gui(args, opener=opener) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "Unexpected error: boom" in err


@pytest.mark.parametrize(
    ("button", "created"), [("Open the demo workspace", True), ("Start empty", False)]
)
def test_first_start_offers_the_demo(qtbot, tmp_path, button, created):
    backend = empty_backend(tmp_path)

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)
    assert offer_demo(backend) is created
    assert backend.is_empty() is not created


def test_warming_up_after_a_table_was_shown_does_nothing(qtbot, window, monkeypatch):
    from freelancer_desk.ui import areapage

    window.show()
    window.set_area("gigs")  # a table on screen: Qt's table classes are in use
    qtbot.waitUntil(lambda: window.page("gigs").panels[0].view.isVisible(), timeout=10_000)
    assert areapage.tables_warm()
    made: list[object] = []
    monkeypatch.setattr(areapage, "TablePanel", lambda *a: made.append(a))
    areapage.warm_up_tables()
    assert made == []


def test_the_heap_is_frozen_once_when_the_first_area_is_shown(qtbot, backend, monkeypatch):
    """Full garbage collections walked the whole heap (75-170 ms, GIL held): what is
    alive once the window shows its first area is kept out of them (gc.freeze)."""
    from freelancer_desk.ui import tablemodel

    monkeypatch.setattr(tablemodel, "_HEAP_FROZEN", False)
    calls: list[str] = []
    monkeypatch.setattr(
        tablemodel.gc, "collect", lambda generation=2: calls.append(f"collect {generation}")
    )
    monkeypatch.setattr(tablemodel.gc, "freeze", lambda: calls.append("freeze"))
    win = build_window(backend, remember=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: calls != [], timeout=10_000)
    assert calls == ["collect 1", "freeze"]  # the young generations only, then frozen
    assert not win.page(win.current_area).is_loading
    assert tablemodel.freeze_heap() is False  # once per process
    assert calls == ["collect 1", "freeze"]


def test_what_reads_made_is_frozen_again_once_their_results_are_applied(qtbot, monkeypatch):
    """Rows kept by the pages were walked by every later full collection (20-30 ms, GIL
    held): once the results are applied and no read runs, they are frozen too."""
    from freelancer_desk.ui import tablemodel

    monkeypatch.setattr(tablemodel, "_HEAP_FROZEN", True)
    calls: list[str] = []
    monkeypatch.setattr(
        tablemodel.gc, "collect", lambda generation=2: calls.append(f"collect {generation}")
    )
    monkeypatch.setattr(tablemodel.gc, "freeze", lambda: calls.append("freeze"))
    delivered: list[object] = []
    tablemodel.run_in_background(
        lambda: [{"id": n} for n in range(100)], lambda rows, _failed: delivered.append(rows)
    )
    qtbot.waitUntil(lambda: delivered != [], timeout=10_000)
    assert calls == []  # not on the turn the rows are applied
    qtbot.waitUntil(lambda: calls != [], timeout=10_000)
    assert calls == ["collect 1", "freeze"]
    monkeypatch.setattr(tablemodel, "_RUNNING", 1)  # a read running: nothing frozen now
    assert tablemodel.refreeze_heap() is False
    monkeypatch.setattr(tablemodel, "_RUNNING", 0)
    monkeypatch.setattr(tablemodel, "_HEAP_FROZEN", False)  # before the first freeze
    assert tablemodel.refreeze_heap() is False
    assert calls == ["collect 1", "freeze"]


def test_an_area_chosen_the_first_time_is_built_now_and_shown_on_the_next_turn(qtbot, window):
    # Building a page and laying it out and painting it, on one turn, kept the GUI
    # thread 50-130 ms on the heavy workspace: the two are split.
    window.show()
    qtbot.waitExposed(window)
    window.set_area("gigs")
    shown = window.page("gigs")  # asked for: shown now
    assert window.stack.currentWidget() is shown
    window.set_area("reports")
    assert "reports" in window._pages  # built on this turn
    assert window.stack.currentWidget() is shown  # the area shown until the next
    assert window.current_area == "reports"
    reports = window.built_page("reports")
    assert reports.is_loading  # its reads wait for it to be shown
    qtbot.waitUntil(lambda: window.stack.currentWidget() is reports, timeout=5_000)
    qtbot.waitUntil(lambda: not reports.is_loading, timeout=20_000)  # then they start
    window.set_area("contracts")
    assert window.page("contracts") is window.stack.currentWidget()  # asked for: shown now
    window.set_area("reports")  # built already: shown at once
    assert window.stack.currentWidget() is reports
