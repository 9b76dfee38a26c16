"""Snapshots stay on the machine that took them: the Work Diary of another machine on
the same database shows the segments and says where their pictures are."""

from __future__ import annotations

import random
import uuid

from freelancer_desk.app import App, AppBackend, Location
from freelancer_desk.tracker.activity import FakeActivity
from freelancer_desk.tracker.engine import Tracker
from freelancer_desk.tracker.scheduler import FakeScheduler
from freelancer_desk.tracker.screen import FakeScreen
from freelancer_desk.ui.areas.diary import DiaryPage, build_page
from freelancer_desk.ui.mainwindow import AREAS
from freelancer_desk.ui.tracker_runtime import tracker_runtime
from tests.ui.tracker_helpers import rig_fixture  # noqa: F401

AREA = next(a for a in AREAS if a.key == "diary")


def test_the_other_machine_sees_where_the_snapshots_are(qtbot, rig, tmp_path):
    contract = rig.contract("Acme API")
    rig.runtime.start()
    rig.runtime.start_tracking(uuid.UUID(contract), None, "Pagination")
    rig.work(20 * 60)
    rig.runtime.stop_tracking()

    desktop = App.open(Location(tmp_path / "desktop", rig.app.location.db_url), rig.clock)
    desktop.__dict__["tracker"] = Tracker(
        desktop.db,
        rig.clock,
        desktop.device_id,
        4343,
        FakeActivity(),
        FakeScreen(size=(64, 36)),
        desktop.snapshot_dir,
        random.Random(1),
    )
    runtime = tracker_runtime(desktop, scheduler=FakeScheduler(rig.clock), watchdog=False)
    try:
        page = build_page(AREA, AppBackend(desktop))
        assert isinstance(page, DiaryPage)
        qtbot.addWidget(page)
        page.zone_box.setCurrentIndex(page.zone_box.findData("utc"))
        page.go_today()
        # The day is read on a worker thread (e82273f): wait until it is drawn.
        qtbot.waitUntil(lambda: not page.is_loading, timeout=20_000)
        cells = [c for c in page.grid.cells if c.cell.main]
        assert len(cells) == 2
        assert not any(c.has_thumbnail() for c in cells)
        assert {c.placeholder_text() for c in cells} == {"snapshot elsewhere"}
        dialog = page.open_cell(cells[0].cell)
        assert dialog is not None
        picture = dialog.findChild(type(dialog.layout().itemAt(0).widget()), "segment-snapshot")
        assert picture.text().startswith(
            f"the snapshot stays on the computer that took it ({rig.app.device_id})"
        )
        dialog.reject()
    finally:
        runtime.shutdown()
        runtime.setParent(None)
        runtime.deleteLater()
        desktop.close()
