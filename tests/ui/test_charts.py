"""The bar chart is drawn once per data, size, selection and palette, and a repaint
otherwise copies what was drawn: the same picture either way."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPalette

from freelancer_desk.ui.charts import BarChart, Category


def months() -> list[Category]:
    return [
        Category(f"2026-{m:02d}", f"M{m}", {"USD": 100.0 * m, "EUR": 50.0 * m}, {"USD": f"${m}"})
        for m in range(1, 13)
    ]


@pytest.fixture
def chart(qtbot, monkeypatch) -> tuple[BarChart, list[int]]:
    widget = BarChart("Net per month")
    qtbot.addWidget(widget)
    widget.resize(600, 260)
    drawn: list[int] = []
    plain = BarChart._draw

    def spy(self: BarChart, painter: QPainter) -> None:
        drawn.append(1)
        plain(self, painter)

    monkeypatch.setattr(BarChart, "_draw", spy)
    widget.set_data(months())
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: bool(drawn))
    return widget, drawn


def test_a_repaint_and_the_same_data_again_draw_nothing(chart):
    widget, drawn = chart
    before = len(drawn)
    widget.repaint()
    widget.set_data(months())  # a refresh bringing the same figures
    widget.repaint()
    assert len(drawn) == before
    assert len(widget.bar_rects()) == 24  # the bars of the last drawing, for clicks


def test_new_data_a_selection_a_size_or_a_palette_draw_again(chart, qtbot):
    widget, drawn = chart
    changes = [
        lambda: widget.set_data(months()[:6]),
        lambda: widget.select("2026-03", "USD"),
        lambda: widget.resize(500, 260),
        lambda: widget.setPalette(QPalette(QColor("#202020"))),
        lambda: setattr(widget, "title", "Net per client"),
    ]
    for change in changes:
        before = len(drawn)
        change()
        widget.repaint()
        assert len(drawn) == before + 1
    widget.set_data([])
    widget.repaint()
    before = len(drawn)
    widget.empty_text = "Loading…"  # drawn when there is nothing to show
    widget.repaint()
    assert len(drawn) == before + 1


def test_the_kept_picture_is_what_drawing_on_the_widget_gives(chart):
    widget, _drawn = chart
    widget.select("2026-05", "EUR")
    kept = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    direct = QImage(widget.size(), QImage.Format.Format_RGB32)
    direct.fill(widget.palette().color(QPalette.ColorRole.Base))
    painter = QPainter(direct)
    widget._draw(painter)
    painter.end()
    assert kept == direct


def many_series(count: int) -> list[Category]:
    names = [f"Contract number {i} with a long title" for i in range(count)]
    return [
        Category(f"2026-{m:02d}", f"M{m}", {n: float(m + i) for i, n in enumerate(names)}, {})
        for m in range(1, 5)
    ]


@pytest.mark.parametrize("count", [2, 5])
def test_a_title_leaving_no_room_puts_the_legend_on_its_own_line(qtbot, count):
    widget = BarChart("Net per client (click a bar for its rows)")
    qtbot.addWidget(widget)
    widget.resize(440, 300)  # the title leaves less than an entry and "+N more"
    widget.set_data(many_series(count))
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: bool(widget.legend_texts()))
    line = QFontMetricsF(widget.font()).height()
    entries = widget.legend_texts()
    names = [text for _rect, text in entries if not text.endswith(" more")]
    assert names, entries  # not "+N more" alone
    assert all(rect.top() > 8 + line for rect, _text in entries)  # under the title
    assert all(rect.left() >= 12 - 0.5 for rect, _text in entries)
    bars = [rect for rect, _key, _series in widget.bar_rects()]
    assert bars and min(b.top() for b in bars) > max(r.bottom() for r, _t in entries)


@pytest.mark.parametrize("count", [2, 6, 14, 40])
def test_the_legend_stays_right_of_the_title_and_says_how_many_it_leaves_out(qtbot, count):
    widget = BarChart("Hours tracked per week")
    qtbot.addWidget(widget)
    widget.resize(600, 260)
    widget.set_data(many_series(count))
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: bool(widget.legend_texts()))
    bold = QFont(widget.font())
    bold.setBold(True)
    title_end = 12 + QFontMetricsF(bold).horizontalAdvance(widget.title)
    entries = widget.legend_texts()
    assert all(rect.left() > title_end for rect, _text in entries), entries
    assert all(rect.right() <= widget.width() - 12 + 0.5 for rect, _text in entries)
    more = [text for _rect, text in entries if text.endswith(" more")]
    names = len(entries) - len(more)
    if more:
        assert more == [f"+{count - names} more"]
        assert 0 < names < count
    else:
        assert names == count
