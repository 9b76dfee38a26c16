"""Small charts drawn with QPainter (QtCharts is deprecated and not in Essentials).

`BarChart` draws categories along the x axis with one bar per series (a currency) in
each, and emits `barClicked(category key, series)` so a page can drill down to the rows
behind a bar; `stacked=True` stacks the series in one bar per category instead (hours
per contract per week). Long category labels and legend names are elided. Colours come from the palette (text, grid, background) so the chart reads
in light and dark themes; the series use a small colour-blind-safe palette (Okabe-Ito),
the one place colours are fixed.

A chart is drawn (in Python: a few hundred QPainter calls, each waiting for the GIL
while the window's readers work) into a pixmap once per data, size, selection or
palette; a repaint otherwise copies that pixmap, and data set again unchanged (a
refresh) draws nothing (docs/benchmarks.md, "D (session 4)").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and on both a
# light and a dark background.
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
LEGEND_MIN_ENTRY = 96.0  # px: a swatch and a name still worth reading


def series_colour(index: int) -> QColor:
    return QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])


@dataclass(frozen=True)
class Category:
    key: str  # what barClicked reports (a month "2026-10", a day "2026-12-02", ...)
    label: str  # shown under the bars
    values: dict[str, float]  # series -> value (in major units, for drawing only)
    texts: dict[str, str]  # series -> the exact value as text (tooltips, labels)


class BarChart(QWidget):
    """Grouped bars per category; click a bar to get its (key, series)."""

    barClicked = Signal(str, str)

    def __init__(
        self,
        title: str,
        parent: QWidget | None = None,
        *,
        label_every: int = 1,
        value_labels: bool = True,
        axis_format: Callable[[float], str] | None = None,
        stacked: bool = False,
    ) -> None:
        super().__init__(parent)
        self._picture: QPixmap | None = None  # the chart as last drawn
        self.setAccessibleName(title)
        self._title = title
        self._empty_text = "Nothing to show yet."
        self._categories: list[Category] = []
        self._series: list[str] = []
        self._bars: list[tuple[QRectF, str, str, str]] = []  # rect, key, series, text
        self._legend: list[tuple[QRectF, str]] = []  # where each legend text went
        self._selected: tuple[str, str] | None = None
        self._label_every = max(1, label_every)
        self._value_labels = value_labels
        self._axis_format = axis_format or _short
        self._stacked = stacked  # one bar per category, the series stacked in it
        self.setMouseTracking(True)
        self.setMinimumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(520, 240)

    @property
    def title(self) -> str:
        return self._title

    @title.setter
    def title(self, text: str) -> None:
        if text != self._title:
            self._title = text
            self._redraw()

    @property
    def empty_text(self) -> str:
        """What the chart says when it has no values (drawn, so setting it redraws)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            if not any(c.values for c in self._categories):
                self._redraw()

    def _redraw(self) -> None:
        """Draw the chart again on its next paint."""
        self._picture = None
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.FontChange,
            QEvent.Type.StyleChange,
            QEvent.Type.EnabledChange,
        ):
            self._redraw()

    # -- data ------------------------------------------------------------------------

    def set_data(self, categories: Sequence[Category], series: Sequence[str] | None = None) -> None:
        """Show these bars (and drop the selection); the same data again, with nothing
        selected, changes nothing and draws nothing."""
        categories = list(categories)
        if series is None:
            seen: list[str] = []
            for c in categories:
                for s in c.values:
                    if s not in seen:
                        seen.append(s)
            series = sorted(seen)
        series = list(series)
        if (categories, series, self._selected) == (self._categories, self._series, None):
            return
        self._categories, self._series = categories, series
        self._selected = None
        summary = "; ".join(
            f"{c.label}: " + ", ".join(c.texts.get(s, "") for s in self._series if s in c.texts)
            for c in self._categories
        )
        self.setAccessibleDescription(summary[:2000])
        self._redraw()

    @property
    def categories(self) -> list[Category]:
        return list(self._categories)

    @property
    def series(self) -> list[str]:
        return list(self._series)

    def bar_rects(self) -> list[tuple[QRectF, str, str]]:
        """Where each bar was last drawn: (rect, key, series); for tests and clicks."""
        return [(rect, key, series) for rect, key, series, _t in self._bars]

    def legend_texts(self) -> list[tuple[QRectF, str]]:
        """Where each legend text was last drawn, right to left; for tests."""
        return list(self._legend)

    def select(self, key: str | None, series: str | None = None) -> None:
        selected = None if key is None else (key, series or "")
        if selected != self._selected:
            self._selected = selected
            self._redraw()

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.width() <= 0 or self.height() <= 0:
            return
        ratio = self.devicePixelRatioF()
        picture = self._picture
        if (
            picture is None
            or picture.deviceIndependentSize().toSize() != self.size()
            or picture.devicePixelRatioF() != ratio
        ):
            picture = QPixmap(self.size() * ratio)
            picture.setDevicePixelRatio(ratio)
            picture.fill(self.palette().color(QPalette.ColorRole.Base))
            drawing = QPainter(picture)
            try:
                self._draw(drawing)
            finally:
                drawing.end()
            self._picture = picture
        painter = QPainter(self)
        painter.drawPixmap(0, 0, picture)
        painter.end()

    def _draw(self, painter: QPainter) -> None:
        """The whole chart, and where its bars are (`_bars`, for clicks and tests)."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        grid = pal.color(QPalette.ColorRole.Mid)
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        painter.setPen(QPen(grid, 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        font = self.font()
        bold = self.font()
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text)
        metrics = QFontMetricsF(font)
        line = metrics.height()
        painter.drawText(QRectF(12, 8, self.width() - 24, line), self.title)
        self._bars = []
        self._legend = []
        painter.setFont(font)
        values = [v for c in self._categories for v in c.values.values()]
        if not values:
            painter.setPen(muted)
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        # Legend (series) at the top right, in the room the title leaves: as many
        # entries as fit at a readable width, then "+N more".
        # With no room for one entry and "+N more" beside the title, the legend takes a
        # line of its own under it (a "+2 more" alone said nothing).
        x = self.width() - 12.0
        title_w = QFontMetricsF(bold).horizontalAdvance(self.title)
        room = max(60.0, self.width() - 24 - title_w - 24)
        shown = len(self._series)
        top = 8.0  # the legend's line
        below = 0.0  # what a legend under the title adds above the plot
        if shown > 1 and room < 2 * LEGEND_MIN_ENTRY and shown * LEGEND_MIN_ENTRY > room:
            top, below = 8 + line * 1.3, line * 1.3
            room = max(60.0, self.width() - 24.0)
        fits = max(1, int(room // LEGEND_MIN_ENTRY))
        if shown > fits:
            shown = max(0, fits - 1)
            more = f"+{len(self._series) - shown} more"
            x -= metrics.horizontalAdvance(more)
            painter.setPen(muted)
            painter.drawText(QPointF(x, top + metrics.ascent()), more)
            self._legend.append((QRectF(x, top, metrics.horizontalAdvance(more), line), more))
            x -= 12
            room = max(0.0, x - (self.width() - 12.0 - room))
        per_name = room / max(1, shown) - 28
        for index in reversed(range(shown)):
            name = metrics.elidedText(
                self._series[index], Qt.TextElideMode.ElideRight, max(per_name, 24)
            )
            w = metrics.horizontalAdvance(name)
            x -= w
            painter.setPen(text)
            painter.drawText(QPointF(x, top + metrics.ascent()), name)
            self._legend.append((QRectF(x, top, w, line), name))
            x -= 16
            painter.fillRect(QRectF(x, top + line / 2 - 5, 10, 10), series_colour(index))
            x -= 12
        if self._stacked:
            values = [
                total
                for c in self._categories
                for total in (
                    sum(v for v in c.values.values() if v > 0),
                    sum(v for v in c.values.values() if v < 0),
                )
            ]
        top_value = max(0.0, *values)
        low_value = min(0.0, *values)
        if top_value == low_value:
            top_value = 1.0
        axis_w = max(
            metrics.horizontalAdvance(self._axis_format(v)) for v in (top_value, low_value)
        )
        plot = QRectF(
            16 + axis_w,
            16 + line * 1.6 + below,
            self.width() - 32 - axis_w,
            self.height() - (16 + line * 1.6 + below) - line * 1.8 - 8,
        )
        if plot.width() < 20 or plot.height() < 20:
            return
        span = top_value - low_value

        def y_of(value: float) -> float:
            return plot.bottom() - (value - low_value) / span * plot.height()

        # Grid lines at 0, and at a round step.
        painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
        for tick in _ticks(low_value, top_value):
            y = y_of(tick)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(muted)
            painter.drawText(
                QRectF(4, y - line / 2, axis_w + 8, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                self._axis_format(tick),
            )
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
        painter.setPen(QPen(muted, 1))
        zero = y_of(0.0)
        painter.drawLine(QPointF(plot.left(), zero), QPointF(plot.right(), zero))

        count = len(self._categories)
        slot = plot.width() / count
        group = slot * 0.78
        bar_w = group if self._stacked else group / max(1, len(self._series))
        selected_pen = QPen(text, 2)
        for ci, cat in enumerate(self._categories):
            gx = plot.left() + ci * slot + (slot - group) / 2
            above, below = 0.0, 0.0  # the stack so far (stacked charts)
            for si, name in enumerate(self._series):
                if name not in cat.values:
                    continue
                value = cat.values[name]
                if self._stacked:
                    base = above if value >= 0 else below
                    y0, y = y_of(base), y_of(base + value)
                    if value >= 0:
                        above += value
                    else:
                        below += value
                    rect = QRectF(gx, min(y, y0), max(bar_w - 1, 1), abs(y0 - y))
                    if rect.height() < 1:
                        rect.setHeight(1)
                    painter.fillRect(rect, series_colour(si))
                    if self._selected == (cat.key, name) or self._selected == (cat.key, ""):
                        painter.setPen(selected_pen)
                        painter.drawRect(rect.adjusted(-1, -1, 1, 1))
                    self._bars.append((rect, cat.key, name, cat.texts.get(name, "")))
                    continue
                y = y_of(value)
                rect = QRectF(gx + si * bar_w, min(y, zero), max(bar_w - 1, 1), abs(zero - y))
                if rect.height() < 1:
                    rect.setHeight(1)
                painter.fillRect(rect, series_colour(si))
                if self._selected == (cat.key, name) or self._selected == (cat.key, ""):
                    painter.setPen(selected_pen)
                    painter.drawRect(rect.adjusted(-1, -1, 1, 1))
                self._bars.append((rect, cat.key, name, cat.texts.get(name, "")))
                if self._value_labels and bar_w >= metrics.horizontalAdvance("0000"):
                    label = self._axis_format(value)
                    painter.setPen(text)
                    ly = rect.top() - 3 if value >= 0 else rect.bottom() + metrics.ascent() + 2
                    if ly > plot.bottom():  # below the plot: above the zero line instead
                        ly = zero - 3
                    painter.drawText(
                        QRectF(rect.center().x() - 40, ly - metrics.ascent(), 80, line),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                        label,
                    )
            if self._stacked and self._value_labels and above > 0:
                label = self._axis_format(above)
                if group >= metrics.horizontalAdvance(label) + 4:
                    painter.setPen(text)
                    painter.drawText(
                        QRectF(gx + group / 2 - 40, y_of(above) - 3 - line, 80, line),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                        label,
                    )
            if ci % self._label_every == 0:
                painter.setPen(muted)
                span_w = slot * max(3, self._label_every)
                room_w = slot * self._label_every - 6
                if metrics.horizontalAdvance(cat.label) > room_w:  # long names: elided
                    span_w = max(room_w, 12)
                painter.drawText(
                    QRectF(
                        plot.left() + (ci + 0.5) * slot - span_w / 2,
                        plot.bottom() + 4,
                        span_w,
                        line,
                    ),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                    metrics.elidedText(cat.label, Qt.TextElideMode.ElideRight, span_w),
                )

    # -- interaction -----------------------------------------------------------------

    def _hit(self, point: QPointF) -> tuple[QRectF, str, str, str] | None:
        for bar in self._bars:
            rect = bar[0].adjusted(-2, -6, 2, 6)
            if rect.contains(point):
                return bar
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._hit(event.position())
        if hit is None:
            QToolTip.hideText()
            return
        _rect, key, series, text = hit
        label = next((c.label for c in self._categories if c.key == key), key)
        QToolTip.showText(event.globalPosition().toPoint(), f"{label}: {text or series}", self)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self._hit(event.position())
        if hit is not None:
            self.select(hit[1], hit[2])
            self.barClicked.emit(hit[1], hit[2])


def _short(value: float) -> str:
    """1234 -> "1.2k", 250 -> "250"."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if magnitude >= 10_000:
        return f"{value / 1000:.0f}k"
    if magnitude >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.0f}"


def _ticks(low: float, high: float) -> list[float]:
    """Round grid values between low and high (about four of them)."""
    span = high - low
    if span <= 0:
        return [0.0]
    raw = span / 4
    power = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    step = max(power * min((m for m in (1, 2, 2.5, 5, 10) if m * power >= raw), default=10), 1)
    first = (low // step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        if value >= low - 1e-9:
            ticks.append(value)
        value += step
    return ticks
