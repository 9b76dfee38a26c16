"""The Earnings area on a real App with the demo: charts draw, a bar drills the ledger
down to its rows, CSV export writes the rows, a PDF can be saved."""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.ui.mainwindow import AREAS

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def page(qtbot, tmp_path):
    from freelancer_desk.ui.areas.earnings import build_page

    app = App.open(resolve_location(str(tmp_path / "ws")), FakeClock(NOW))
    app.create_demo()
    area = next(a for a in AREAS if a.key == "earnings")
    widget = build_page(area, AppBackend(app))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.is_loading, timeout=20_000)  # figures: a worker thread
    yield widget
    app.close()


def distinct_colours(widget) -> int:
    image: QImage = widget.grab().toImage()
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    )


def test_charts_are_not_blank(page):
    assert distinct_colours(page.month_chart) > 8
    assert distinct_colours(page.timeline) > 8
    assert any(c.values for c in page.month_chart.categories)


def test_clicking_a_bar_filters_the_ledger(page, qtbot):
    everything = page.ledger_model.total
    rect, key, series = page.month_chart.bar_rects()[-1]
    qtbot.mouseClick(page.month_chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert page.drill is not None and page.drill.key == key
    qtbot.waitUntil(lambda: not page.is_loading)  # the ledger rows: a worker thread
    shown = page.ledger_model.total
    assert f"({shown} rows)" in page.drill_label.text()  # the count once read
    assert 0 < shown < everything
    rows = page.ledger_model.source.fetch(page.ledger_model.query, 0, shown)
    month = next(
        r for r in page.reports.earnings(*_all(), "month") if r.key == key and r.currency == series
    )
    assert sum(r["amount"].amount for r in rows) == month.gross.amount
    page.clear_drill()
    qtbot.waitUntil(lambda: not page.is_loading)
    assert page.ledger_model.total == everything


def _all():
    return datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def test_csv_export_writes_every_row(page, tmp_path):
    out = tmp_path / "ledger.csv"
    count = page.export_csv(0, str(out))
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert count == page.ledger_model.total == len(rows) - 1
    assert "amount_currency" in rows[0]


def test_invoice_pdf_from_the_page(page, tmp_path):
    page.panels[1].view.selectRow(0)
    path = page.save_pdf(str(tmp_path / "i.pdf"))
    assert path is not None
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_tiles_per_currency(page):
    names = {t.objectName() for t in page._tiles}
    assert {
        "tile-escrow-USD",
        "tile-pending-USD",
        "tile-available-USD",
        "tile-withdrawn-USD",
    } <= names
