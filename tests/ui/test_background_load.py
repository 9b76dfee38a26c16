"""Figures read off the GUI thread (`AreaPage.load_in_background`): the result is
applied on the GUI thread, a newer load of the same figures wins over an older one
still running, a failure is said in the status bar, and the generic tiles arrive so."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent import futures

from PySide6.QtCore import QThread

from freelancer_desk.ui.areapage import AreaPage
from freelancer_desk.ui.main import build_window
from freelancer_desk.ui.mainwindow import AREAS
from tests.ui.fakes import demo_backend

WAIT_MS = 20_000


def test_the_result_is_applied_on_the_gui_thread_and_the_newest_load_wins(qtbot, tmp_path):
    page = AreaPage(AREAS[1], demo_backend(tmp_path))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    first_may_finish = threading.Event()
    applied: list[tuple[str, bool]] = []

    def apply(result: str) -> None:
        applied.append((result, QThread.currentThread() is page.thread()))

    def slow() -> str:
        assert first_may_finish.wait(WAIT_MS / 1000)
        return "old"

    page.load_in_background("figures", slow, apply)
    page.load_in_background("figures", lambda: "new", apply)
    qtbot.waitUntil(lambda: bool(applied), timeout=WAIT_MS)
    assert page.is_loading is False  # the newest one is in; the old one is not awaited
    first_may_finish.set()
    qtbot.wait(50)
    assert applied == [("new", True)]


def test_a_failed_load_is_said_in_the_status_bar(qtbot, tmp_path):
    window = build_window(demo_backend(tmp_path), remember=False)
    qtbot.addWidget(window)
    page = window.page("gigs")
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    applied: list[object] = []

    def broken() -> object:
        raise OSError("disk I/O error")

    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.load_in_background("figures", broken, applied.append)
    assert applied == []
    assert window.statusBar().currentMessage() == "Could not load Gigs & Orders: disk I/O error"


def test_the_generic_tiles_arrive_from_the_backend(qtbot, tmp_path):
    backend = demo_backend(tmp_path)
    tracker = next(a for a in AREAS if a.key == "tracker")
    page = AreaPage(tracker, backend)
    qtbot.addWidget(page)
    assert page._tiles == []  # asked for, not there yet
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    shown = [(t.caption_label.text(), t.value_label.text()) for t in page._tiles]
    assert shown == [("Today", "3:20 h"), ("This week", "23:40 h"), ("Average activity", "78%")]


def test_results_arriving_together_are_applied_one_per_turn_rows_before_figures(qtbot):
    # What a refresh brings back at once (three readers: figures, a count, a page of
    # rows): one result per event-loop turn, the figures (`late`) after the rows, so
    # the window paints and runs its timers in between.
    from freelancer_desk.ui.tablemodel import _Relay

    relay = _Relay()
    applied: list[tuple[str, bool]] = []

    def deliver(name: str) -> Callable[[object, bool], None]:
        return lambda result, failed: applied.append((f"{name}={result}", failed))

    relay._dispatch(deliver("figures"), ("balances", False, True))
    relay._dispatch(deliver("ledger"), ("rows", False, False))
    relay._dispatch(deliver("invoices"), (ValueError("gone"), True, False))
    assert applied == []  # nothing is applied while the results arrive
    assert relay.pending == 3
    relay._next()
    assert applied == [("ledger=rows", False)]
    relay._next()
    assert [name for name, _failed in applied] == ["ledger=rows", "invoices=gone"]
    assert applied[1][1] is True
    relay._next()
    assert applied[2] == ("figures=balances", False)
    assert relay.pending == 0


def test_a_page_shows_its_rows_before_its_figures_when_both_are_there(qtbot, tmp_path):
    from freelancer_desk.ui.tablemodel import run_in_background

    page = AreaPage(AREAS[1], demo_backend(tmp_path))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    applied: list[str] = []
    figures = page.load_in_background("figures", lambda: "figures", applied.append)
    rows = run_in_background(lambda: "rows", lambda result, _failed: applied.append(str(result)))
    # Both results are on their way to the GUI thread before it turns again.
    futures.wait([figures, rows], timeout=WAIT_MS / 1000)
    assert applied == []
    qtbot.waitUntil(lambda: len(applied) == 2, timeout=WAIT_MS)
    assert applied == ["rows", "figures"]


def test_a_refresh_with_the_same_tiles_changes_their_values_only(qtbot, tmp_path):
    # New tiles lay the whole page out again and paint it all (tables too).
    tracker = next(a for a in AREAS if a.key == "tracker")
    page = AreaPage(tracker, demo_backend(tmp_path))
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=WAIT_MS)
    page._show_tiles([("Today", "1:00 h"), ("This week", "5:00 h")])
    before = list(page._tiles)
    page._show_tiles([("Today", "1:30 h"), ("This week", "5:00 h")])
    assert page._tiles == before
    assert [t.value_label.text() for t in page._tiles] == ["1:30 h", "5:00 h"]
    assert before[0].accessibleName() == "Today: 1:30 h"
    page._show_tiles([("Today", "1:30 h")])  # another set of figures: tiles made anew
    assert len(page._tiles) == 1 and page._tiles[0] not in before
    assert page.tiles_row.count() == 1


def test_reads_asked_while_held_start_on_release_and_their_futures_follow(qtbot):
    from freelancer_desk.ui import tablemodel

    applied: list[str] = []
    release = tablemodel.hold_reads()
    inner_release = tablemodel.hold_reads()  # nested: starts nothing
    future = tablemodel.run_in_background(
        lambda: "rows", lambda result, _failed: applied.append(str(result))
    )
    inner_release()
    qtbot.wait(100)
    assert applied == [] and not future.done()
    release()
    qtbot.waitUntil(lambda: applied == ["rows"], timeout=WAIT_MS)
    assert future.result(timeout=WAIT_MS / 1000) is None
    after = tablemodel.run_in_background(lambda: "more", lambda r, _f: applied.append(str(r)))
    qtbot.waitUntil(lambda: applied == ["rows", "more"], timeout=WAIT_MS)  # not held now
    assert after.done()
