"""The window on the real application: `--screenshot` renders every area of a demo
workspace, each showing real rows."""

import argparse

from PySide6.QtGui import QImage

from freelancer_desk.ui.main import run_gui
from freelancer_desk.ui.mainwindow import AREAS


def test_screenshot_of_every_area_on_a_new_workspace(qapp, tmp_path):
    out = tmp_path / "shots"
    args = argparse.Namespace(data_dir=str(tmp_path / "ws"), db_url=None, screenshot=str(out))
    assert run_gui(args) == 0
    for area in AREAS:
        image = QImage(str(out / f"{area.key}.png"))
        assert not image.isNull(), area.key
        assert image.width() >= 1000 and image.height() >= 700
        # A table full of rows has many distinct colours (text anti-aliasing); a blank or
        # empty-state area has few (an empty workspace measures 20-50 here, the demo 140+).
        colours = {
            image.pixel(x, y)
            for x in range(250, image.width(), 7)
            for y in range(180, image.height(), 7)
        }
        assert len(colours) > 100, (area.key, len(colours))
    # The editors an area renders too, the clients list and a client's among them.
    for name in ("contracts-new", "contracts-clients", "contracts-client"):
        assert not QImage(str(out / f"{name}.png")).isNull(), name
