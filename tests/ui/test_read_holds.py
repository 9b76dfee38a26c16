"""A hold on the reader threads (`tablemodel.hold_reads`, taken by the window while it
builds and paints an area) never outlives the window that took it: closing the window
ends it, and so does deleting it unclosed. Held on, every later read of the process
(another window's, a dialog's) was queued and never started: tables never filled. A
release called twice does not end a hold taken since."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject

from freelancer_desk.app import AppBackend
from freelancer_desk.ui import tablemodel
from freelancer_desk.ui.main import build_window
from tests.ui.reads import WAIT_MS, settle
from tests.ui.upwork_helpers import real_app_fixture, window_fixture  # noqa: F401

UNBUILT = "contracts"  # an area the window does not build before it is chosen


def _a_read_runs(qtbot) -> None:
    """A read asked for now is started and its result applied."""
    applied: list[object] = []
    tablemodel.run_in_background(lambda: "rows", lambda result, _failed: applied.append(result))
    qtbot.waitUntil(lambda: applied == ["rows"], timeout=WAIT_MS)


def test_closing_the_window_ends_its_hold(qtbot, window):
    settle(qtbot, window)
    window.set_area(UNBUILT)  # built on this turn, shown on the next: its reads held
    assert tablemodel.reads_held()
    window.close()
    assert not tablemodel.reads_held()
    _a_read_runs(qtbot)


def test_a_window_deleted_unclosed_holds_nothing(qtbot, real_app):
    window = build_window(AppBackend(real_app), remember=False)
    window.show()
    settle(qtbot, window)
    window.set_area(UNBUILT)
    assert tablemodel.reads_held()
    window.deleteLater()  # before the turn that shows the area and releases the reads
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    assert not shiboken6.isValid(window)
    assert not tablemodel.reads_held()
    _a_read_runs(qtbot)


def test_a_release_called_twice_does_not_end_a_later_hold(qtbot):
    release = tablemodel.hold_reads()
    release()
    later = tablemodel.hold_reads()
    try:
        release()
        assert tablemodel.reads_held()
    finally:
        later()
    assert not tablemodel.reads_held()
    _a_read_runs(qtbot)


def test_a_hold_for_an_owner_deleted_meanwhile_starts_its_reads(qtbot):
    owner = QObject()
    tablemodel.hold_reads(owner)
    applied: list[object] = []
    tablemodel.run_in_background(lambda: "held", lambda result, _f: applied.append(result))
    shiboken6.delete(owner)
    assert not tablemodel.reads_held()  # the hold went with its owner: its reads start
    qtbot.waitUntil(lambda: applied == ["held"], timeout=WAIT_MS)
