"""The Work Diary on a real workspace: the grid of a demo day, a tracked day with real
thumbnails, a cell opened on its full snapshot and per-minute activity, and a segment
deleted after a confirmation that says how much time and money go with it."""

from __future__ import annotations

import uuid

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from freelancer_desk.storage.models import Segment, Snapshot
from freelancer_desk.tracker.diary import UTC_ZONE, day_view
from freelancer_desk.ui.areas.diary import DiaryPage, build_page
from freelancer_desk.ui.mainwindow import AREAS
from tests.ui.tracker_helpers import backend_fixture, rig_fixture  # noqa: F401

AREA = next(a for a in AREAS if a.key == "diary")


def diary(qtbot, backend) -> DiaryPage:
    page = build_page(AREA, backend)
    assert isinstance(page, DiaryPage)
    qtbot.addWidget(page)
    page.zone_box.setCurrentIndex(page.zone_box.findData("utc"))
    page.resize(1300, 900)
    page.show()

    # The day is read on a worker thread: every change of day waits for it to be drawn,
    # as a user's eye does.
    def set_day(day, _change=page.set_day):
        _change(day)
        page.wait_loaded()

    page.set_day = set_day
    page.wait_loaded()
    return page


def test_demo_day_grid(qtbot, backend, rig):
    rig.app.create_demo()
    page = diary(qtbot, backend)
    day = page.current_day()
    assert day < rig.clock.now().date()  # today has nothing yet: the last worked day
    view = day_view(rig.app.db, day, UTC_ZONE)
    worked = view.worked_hours()
    assert worked and len(page.grid.cells) == 6 * len(worked)
    filled = [c for c in page.grid.cells if c.cell.main is not None]
    assert len(filled) == sum(1 for h in worked for c in h.cells if c.segments)
    assert page.day_total.text() == f"{view.tracked_seconds // 3600}:" + (
        f"{view.tracked_seconds % 3600 // 60:02d} tracked"
    )
    assert all(not c.has_thumbnail() for c in filled)  # the demo writes no pictures
    assert {c.placeholder_text() for c in filled} <= {
        "no snapshot",
        "snapshots off",
        "manual time",
        "deleted",
    }
    assert page.week_list.count() >= 1
    assert "pre-check" in page.precheck_title.text()
    page.shift_day(-1)
    assert page.current_day() < day
    page.go_today()
    assert page.current_day() == rig.clock.now().date()
    assert "Nothing tracked" in page.grid.grid.itemAt(0).widget().text()


def test_tracked_day_with_snapshots_open_and_delete(qtbot, backend, rig):
    contract = rig.contract("Acme API")
    rig.runtime.start()
    rig.runtime.start_tracking(uuid.UUID(contract), None, "Pagination")
    rig.work(30 * 60)
    rig.runtime.stop_tracking()
    page = diary(qtbot, backend)
    page.go_today()
    cells = {f"{c.cell.start:%H:%M}": c for c in page.grid.cells if c.cell.main}
    assert sorted(cells) == ["09:00", "09:10", "09:20"]
    assert all(c.has_thumbnail() for c in cells.values())
    assert "Pagination" in cells["09:10"].toolTip()

    dialog = page.open_cell(cells["09:10"].cell)
    assert dialog is not None
    picture = dialog.findChild(type(dialog.layout().itemAt(0).widget()), "segment-snapshot")
    assert picture is not None and not picture.pixmap().isNull()
    segment = dialog.segment
    assert segment.tracked_seconds == 600 and segment.value is not None
    text = dialog.confirmation_text()
    assert "0:10 of tracked time" in text and str(segment.value) in text

    dialog.delete()
    box = page.confirm_box
    assert isinstance(box, QMessageBox) and box.text() == text
    with rig.app.db.read() as s:
        snap = s.scalars(select(Snapshot).where(Snapshot.segment_id == segment.id)).one()
        files = [rig.app.snapshot_dir / snap.path, rig.app.snapshot_dir / snap.thumb_path]
        snap_id = snap.id
    assert all(f.exists() for f in files)
    box.button(QMessageBox.StandardButton.Yes).click()
    with rig.app.db.read() as s:
        assert s.get(Segment, segment.id).deleted
        assert s.get(Snapshot, snap_id).removed_reason == "segment_deleted"
    assert not any(f.exists() for f in files)
    # The diary redraws itself (the day is read again off the GUI thread): the cell is
    # struck out as deleted, the day total drops.
    page.wait_loaded()
    after = {f"{c.cell.start:%H:%M}": c for c in page.grid.cells if c.cell.main}
    assert after["09:10"].cell.main.kind == "deleted"
    assert page.day_total.text() == "0:20 tracked"


def test_refusing_the_confirmation_keeps_the_segment(qtbot, backend, rig):
    contract = rig.contract("Acme API")
    rig.runtime.start()
    rig.runtime.start_tracking(uuid.UUID(contract), None, "")
    rig.work(20 * 60)
    rig.runtime.stop_tracking()
    page = diary(qtbot, backend)
    page.go_today()
    cell = next(c for c in page.grid.cells if c.cell.main)
    dialog = page.open_cell(cell.cell)
    dialog.delete()
    page.confirm_box.button(QMessageBox.StandardButton.No).click()
    with rig.app.db.read() as s:
        assert not s.get(Segment, dialog.segment.id).deleted
    assert dialog.isVisible()
    dialog.reject()


def test_a_refresh_reads_the_day_again_but_not_the_hidden_segment_table(qtbot, backend, rig):
    page = diary(qtbot, backend)
    segments = page.models[0]
    requeried: list[None] = []
    segments.refresh = lambda: requeried.append(None)
    reads: list[None] = []
    page.load_in_background = lambda name, fetch, apply, plain=page.load_in_background: (
        reads.append(None) if name == "day" else None,
        plain(name, fetch, apply),
    )
    assert page.splitter.isHidden()  # the grid is the diary
    page.refresh()
    assert requeried == []
    assert reads == [None]
    page.wait_loaded()


def test_the_hidden_segment_table_is_read_only_once_it_is_shown(qtbot, backend, rig):
    rig.app.create_demo()
    page = diary(qtbot, backend)
    segments = page.models[0]
    assert page.splitter.isHidden()
    # Built and shown without it: no count over every segment, no rows.
    assert segments.started is False
    assert (segments.total, segments.rowCount()) == (0, 0)
    segments.set_filter_text("")  # a filter or sort meanwhile waits for the first read
    assert segments.started is False
    page.splitter.show()
    qtbot.waitUntil(lambda: segments.started and not segments.reading, timeout=20_000)
    assert segments.total == segments.source.count(segments.query) > 0
    assert segments.rowCount() > 0


def test_the_segment_dialog_picture_is_decoded_at_most_960_by_540(qtbot, tmp_path):
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QColor, QImage

    from freelancer_desk.ui.areas.diary import snapshot_picture

    big = QImage(1920, 1200, QImage.Format.Format_RGB32)  # 16:10, larger than the bound
    big.fill(QColor("steelblue"))
    assert big.save(str(tmp_path / "big.png"))
    small = QImage(400, 300, QImage.Format.Format_RGB32)
    small.fill(QColor("white"))
    assert small.save(str(tmp_path / "small.png"))

    assert snapshot_picture(tmp_path / "big.png").size() == QSize(864, 540)
    assert snapshot_picture(tmp_path / "small.png").size() == QSize(400, 300)  # not enlarged
    picture = snapshot_picture(tmp_path / "big.png")
    assert picture.toImage().pixelColor(432, 270).name() == QColor("steelblue").name()
    assert snapshot_picture(tmp_path / "missing.png").isNull()


def _laid_out(page: DiaryPage, width: int, height: int) -> None:
    page.resize(width, height)
    QApplication.sendPostedEvents()  # the layouts' requests, then their geometry
    QApplication.processEvents()


def _check_side_panel(page: DiaryPage) -> None:
    title, legend = page.week_title, page.legend
    # The heading is whole: wrapped at a word, as tall as its wrapped lines, all of it
    # in its tooltip; it stays below the legend.
    assert title.wordWrap() and title.toolTip() == title.text()
    assert title.text().endswith("(UTC)")
    assert title.height() >= title.heightForWidth(title.width())
    assert legend.geometry().bottom() < title.geometry().top()
    # Each legend entry whole on its line, inside the legend; lines break between them.
    for entry in legend.entries:
        assert legend.rect().contains(entry.geometry()), entry.objectName()
        assert entry.size() == entry.sizeHint(), entry.objectName()
    assert legend.height() >= legend.heightForWidth(legend.width())


def test_the_side_panel_wraps_its_heading_and_its_legend_between_entries(qtbot, backend, rig):
    rig.app.create_demo()
    page = diary(qtbot, backend)
    heading = page.week_title.text()
    assert heading.startswith("Billing week from ") and heading.endswith("(UTC)")
    # The page is the window less its sidebar (~200 px) at 1280, 1440 and 1920 px.
    for width, height in ((1080, 700), (1240, 800), (1720, 980)):
        _laid_out(page, width, height)
        _check_side_panel(page)
        assert len({entry.y() for entry in page.legend.entries}) == 2  # two lines at 320 px

    # A larger font (another desktop's) needs more lines for both: they take them.
    big = QFont(page.week_title.font())
    big.setPointSizeF(big.pointSizeF() * 1.5)
    page.week_title.setFont(big)
    for entry in page.legend.entries:
        entry.setFont(big)
    one_line = page.week_title.fontMetrics().horizontalAdvance(heading)
    _laid_out(page, 1240, 800)
    assert one_line > page.week_title.width()  # it would have been cut
    assert page.week_title.height() > page.week_title.fontMetrics().height()  # wrapped
    _check_side_panel(page)
    assert len({entry.y() for entry in page.legend.entries}) >= 3
