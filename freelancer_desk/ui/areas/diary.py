"""The Work Diary: one day (local time or UTC), a row per hour with six 10-minute cells.

Each cell shows the segment's thumbnail (or why there is none), its activity meter (0–10
active minutes) and a memo bar coloured by kind: tracked, manual, idle kept, over the
weekly limit (deleted segments stay as a struck-out outline). Clicking a cell opens the
full snapshot with the per-minute activity and a Delete that says how much time and
money go with it. Beside the grid: the billing week's totals per contract and the
pre-check of Upwork hourly weeks before their diary locks (Monday 12:00 UTC).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImageReader,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPixmap,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QListWidget,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from freelancer_desk.storage.models import Segment
from freelancer_desk.tracker.diary import (
    UTC_ZONE,
    Cell,
    DayView,
    DiarySegment,
    Precheck,
    day_bounds,
    day_view,
    local_zone,
    precheck,
    zone_name,
)
from freelancer_desk.ui.areapage import Area, AreaPage, app_of, muted, scaled_font
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.forms import report
from freelancer_desk.ui.tracker_runtime import tracker_runtime

if TYPE_CHECKING:
    from datetime import tzinfo

    from freelancer_desk.app import App

KIND_COLOURS = {
    "tracked": QColor(46, 125, 50),
    "manual": QColor(245, 124, 0),
    "idle": QColor(117, 117, 117),
    "over_limit": QColor(198, 40, 40),
    "deleted": QColor(189, 189, 189),
}
KIND_WORDS = {
    "tracked": "tracked",
    "manual": "manual",
    "idle": "idle, kept",
    "over_limit": "over the weekly limit",
    "deleted": "deleted",
}
CELL_SIZE = QSize(132, 112)
CELL_MIN_WIDTH = 92
THUMB_HEIGHT = 70
HOUR_LABEL_WIDTH = 64


def hm(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _thumbnail(path: Path) -> QPixmap | None:
    """The stored thumbnail (480 px wide) read at the height a cell draws it, never
    taller: the diary of a tracked 8-hour day kept 48 MB, 22 MB like this (44 cells)."""
    reader = QImageReader(str(path))
    size = reader.size()
    if size.isValid() and size.height() > THUMB_HEIGHT:
        width = max(1, round(size.width() * THUMB_HEIGHT / size.height()))
        reader.setScaledSize(QSize(width, THUMB_HEIGHT))
    image = reader.read()
    return None if image.isNull() else QPixmap.fromImage(image)


SNAPSHOT_SIZE = QSize(960, 540)  # the segment dialog's picture, at most


def snapshot_picture(path: Path, bound: QSize = SNAPSHOT_SIZE) -> QPixmap:
    """The full snapshot at `path`, decoded at most `bound` large (aspect kept), or a
    null pixmap. Read with QImageReader, not `QPixmap(path)`: that one decoded the full
    picture and kept it in QPixmapCache after the dialog was closed."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > bound.width() or size.height() > bound.height()):
        reader.setScaledSize(size.scaled(bound, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return QPixmap() if image.isNull() else QPixmap.fromImage(image)


class CellWidget(QWidget):
    """One 10-minute cell, painted: thumbnail, activity meter, memo bar."""

    def sizeHint(self) -> QSize:
        return CELL_SIZE

    def has_thumbnail(self) -> bool:
        return self._source is not None

    def _scaled_thumb(self, width: int) -> QPixmap | None:
        if self._source is None:
            return None
        if self._thumb is None or self._thumb_for != width:
            self._thumb_for = width
            self._thumb = self._source.scaled(
                width,
                THUMB_HEIGHT,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        return self._thumb

    clicked = Signal(object)  # the Cell
    _thumb: QPixmap | None
    _thumb_for: int

    def __init__(self, cell: Cell, snapshot_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cell = cell
        self.snapshot_dir = snapshot_dir
        # As wide as the row allows (six share it), never shorter than its contents.
        self.setMinimumSize(CELL_MIN_WIDTH, CELL_SIZE.height())
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        main = cell.main
        self._source: QPixmap | None = None
        self._thumb = None
        self._thumb_for = 0
        if main is not None and main.thumb_path:
            self._source = _thumbnail(snapshot_dir / main.thumb_path)
        self.setObjectName(f"cell-{cell.start:%H%M}")
        if main is None:
            self.setAccessibleName(f"{cell.start:%H:%M} empty")
            self.setToolTip(f"{cell.start:%H:%M}: nothing tracked")
        else:
            self.setCursor(Qt.CursorShape.PointingHandCursor)
            self.setAccessibleName(
                f"{cell.start:%H:%M} {main.title}, {KIND_WORDS[main.kind]}, "
                f"activity {main.active_minutes} of 10"
            )
            self.setToolTip(
                f"{cell.start:%H:%M} · {main.title}\n{main.memo or '(no memo)'}\n"
                f"{hm(main.tracked_seconds)} · activity {main.active_minutes}/10 · "
                f"{KIND_WORDS[main.kind]}"
            )

    def placeholder_text(self) -> str:
        main = self.cell.main
        if main is None:
            return ""
        if main.deleted:
            return "deleted"
        if main.manual:
            return "manual time"
        if main.snapshot_removed:
            return "snapshot removed"
        if main.thumb_path and main.snapshot_device:
            return "snapshot elsewhere"  # on the computer that took it
        if main.snapshot_policy == "off":
            return "snapshots off"
        return "no snapshot"

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = self.rect().adjusted(2, 2, -2, -2)
        main = self.cell.main
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillRect(rect, base)
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawRect(rect)
        if main is None:
            painter.end()
            return
        thumb_rect = QRect(rect.x() + 2, rect.y() + 2, rect.width() - 4, THUMB_HEIGHT)
        thumb = self._scaled_thumb(thumb_rect.width())
        if thumb is not None:
            x = thumb_rect.x() + (thumb_rect.width() - thumb.width()) // 2
            painter.drawPixmap(x, thumb_rect.y(), thumb)
        else:
            painter.fillRect(thumb_rect, palette.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(thumb_rect, Qt.AlignmentFlag.AlignCenter, self.placeholder_text())
        # The activity meter: ten ticks, one per minute, filled for the active ones.
        meter_y = thumb_rect.bottom() + 5
        tick_w = (rect.width() - 4 - 9 * 2) / 10
        activity = main.activity or (0,) * 10
        for index in range(10):
            left = rect.x() + 2 + index * (tick_w + 2)
            active = index < len(activity) and activity[index] > 0
            colour = KIND_COLOURS["tracked"] if active else palette.color(QPalette.ColorRole.Mid)
            if main.manual:
                colour = palette.color(QPalette.ColorRole.Midlight)
            painter.fillRect(int(left), meter_y, max(1, int(tick_w)), 6, colour)
        # The memo bar: the kind's colour, with the contract or memo on it.
        bar = QRect(rect.x() + 2, meter_y + 10, rect.width() - 4, rect.bottom() - meter_y - 11)
        colour = KIND_COLOURS[main.kind]
        painter.fillRect(bar, colour)
        painter.setPen(QColor("white") if main.kind != "deleted" else QColor(60, 60, 60))
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setStrikeOut(main.deleted)
        painter.setFont(font)
        label = f"{main.active_minutes}/10 · {main.memo or main.title}"
        if main.manual:
            label = f"manual · {main.memo or main.title}"
        text = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, bar.width() - 6)
        painter.drawText(bar.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.cell.main is not None:
            self.clicked.emit(self.cell)
        super().mouseReleaseEvent(event)


class ActivityChart(QWidget):
    """Seconds with input per minute of one segment (0–60), as ten bars."""

    def __init__(self, activity: tuple[int, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activity = tuple(activity) + (0,) * (10 - len(activity))
        self.setMinimumSize(300, 90)
        self.setAccessibleName(
            "Activity per minute: " + ", ".join(f"{a} s" for a in self.activity[:10])
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        rect = self.rect().adjusted(4, 4, -4, -18)
        width = rect.width() / 10
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        for index, seconds in enumerate(self.activity[:10]):
            height = int(rect.height() * min(60, seconds) / 60)
            x = int(rect.x() + index * width)
            painter.fillRect(
                x + 2, rect.bottom() - height, int(width) - 4, height, KIND_COLOURS["tracked"]
            )
            painter.drawText(
                QRect(x, rect.bottom() + 2, int(width), 16),
                Qt.AlignmentFlag.AlignCenter,
                f"{index}′",
            )
        painter.end()


class SegmentDialog(QDialog):
    """One segment: the full snapshot, per-minute activity, the facts, and Delete."""

    def __init__(
        self, segment: DiarySegment, page: DiaryPage, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.segment = segment
        self.page = page
        start = segment.slot_start.astimezone(page.zone)
        self.setWindowTitle(f"Segment {start:%a %Y-%m-%d %H:%M}")
        self.setAccessibleName("Segment")
        picture = QLabel()
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        picture.setMinimumSize(480, 270)
        picture.setObjectName("segment-snapshot")
        pixmap = QPixmap()
        if segment.snapshot_path:
            pixmap = snapshot_picture(page.app.snapshot_dir / segment.snapshot_path)
        if pixmap.isNull():
            reason = "no snapshot"
            if segment.snapshot_removed:
                reason = f"snapshot removed ({segment.snapshot_removed.replace('_', ' ')})"
            elif segment.manual:
                reason = "manual time has no snapshot"
            elif segment.snapshot_policy == "off":
                reason = "snapshots are off for this contract"
            elif segment.snapshot_path and segment.snapshot_device != page.app.device_id:
                reason = (
                    f"the snapshot stays on the computer that took it ({segment.snapshot_device}); "
                    "this workspace keeps its time and fingerprint"
                )
            picture.setText(reason)
            picture.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        else:
            picture.setPixmap(pixmap)
        worth = f" · worth {segment.value}" if segment.value is not None else ""
        facts = QLabel(
            f"<b>{segment.title}</b><br>{segment.memo or '<i>no memo</i>'}<br>"
            f"{start:%H:%M}–{start + timedelta(minutes=10):%H:%M} · {hm(segment.tracked_seconds)} "
            f"tracked · activity {segment.active_minutes}/10 · {KIND_WORDS[segment.kind]}{worth}"
        )
        facts.setWordWrap(True)
        facts.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.delete_button = buttons.addButton(
            "Delete segment…", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setEnabled(not segment.deleted)
        self.delete_button.clicked.connect(self.delete)
        layout = QVBoxLayout(self)
        layout.addWidget(picture, 1)
        layout.addWidget(QLabel("Activity per minute (seconds with input)"))
        layout.addWidget(ActivityChart(segment.activity))
        layout.addWidget(facts)
        layout.addWidget(buttons)

    def confirmation_text(self) -> str:
        segment = self.segment
        start = segment.slot_start.astimezone(self.page.zone)
        money = f" and {segment.value}" if segment.value is not None and segment.value else ""
        return (
            f"Delete the {start:%H:%M} segment on {segment.title}?\n\n"
            f"{hm(segment.tracked_seconds)} of tracked time{money} go with it, "
            "and its snapshot is deleted from this computer. This cannot be undone."
        )

    def delete(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete segment",
            self.confirmation_text(),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        self.page.confirm_box = box
        box.finished.connect(self._confirmed)
        box.open()

    def _confirmed(self, answer: int) -> None:
        self.page.confirm_box = None
        if answer != QMessageBox.StandardButton.Yes.value:
            return
        done = report(self, lambda: self.page.runtime.delete_segment(self.segment.id))
        if done is not None:
            self.page.show_message(
                f"Deleted the {self.segment.slot_start.astimezone(self.page.zone):%H:%M} "
                f"segment ({hm(self.segment.tracked_seconds)})"
            )
            self.accept()


class FlowLayout(QLayout):
    """Its items left to right, on as many lines as the width needs: a line breaks
    between two items, never inside one (the colour legend wrapped mid-entry, "over
    the / weekly limit", as one word-wrapped label)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 10) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in `rect` (when `move`); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        x, y, line_height = area.x(), area.y(), 0
        for item in self._items:
            hint = item.sizeHint()
            if x > area.x() and x + hint.width() > area.right() + 1:
                x, y, line_height = area.x(), y + line_height + self._gap // 2, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._gap
            line_height = max(line_height, hint.height())
        return y + line_height - rect.y() + margins.bottom()


class Legend(QWidget):
    """The memo bars' colours, one label per kind, wrapped between entries."""

    KINDS = ("tracked", "manual", "idle", "over_limit", "deleted")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Colour legend")
        layout = FlowLayout(self)
        self.entries: list[QLabel] = []
        for kind in self.KINDS:
            entry = QLabel(
                f"<span style='color:{KIND_COLOURS[kind].name()}'>■</span> {KIND_WORDS[kind]}"
            )
            entry.setObjectName(f"legend-{kind}")
            entry.setAccessibleName(f"{KIND_WORDS[kind]} colour")
            layout.addWidget(entry)
            self.entries.append(entry)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        """The entries' words, in order."""
        return " · ".join(KIND_WORDS[kind] for kind in self.KINDS)


class DiaryGrid(QWidget):
    """The day's hours, each a row of six cells with the hour's total."""

    cellClicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(2)
        self.grid.setVerticalSpacing(6)
        self.cells: list[CellWidget] = []

    def show_day(self, view: DayView, snapshot_dir: Path, all_hours: bool) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.cells = []
        hours = view.hours if all_hours else view.worked_hours()
        if not hours:
            empty = muted(QLabel(f"Nothing tracked on {view.day:%A %Y-%m-%d}."))
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            empty.setMinimumHeight(120)
            self.grid.addWidget(empty, 0, 0, 1, 8)
            return
        for row, hour in enumerate(hours):
            label = QLabel(f"{hour.start:%H:%M}")
            label.setFont(scaled_font(label, 1.05, bold=True))
            label.setFixedWidth(HOUR_LABEL_WIDTH)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(label, row, 0)
            for column, cell in enumerate(hour.cells):
                widget = CellWidget(cell, snapshot_dir)
                widget.clicked.connect(self.cellClicked.emit)
                self.cells.append(widget)
                self.grid.addWidget(widget, row, column + 1)
            total = muted(QLabel(hm(hour.tracked_seconds)))
            total.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.grid.addWidget(total, row, 7)
        self.grid.setRowStretch(len(hours), 1)

    def cell_at(self, hh_mm: str) -> CellWidget:
        return next(c for c in self.cells if f"{c.cell.start:%H:%M}" == hh_mm)


class DiaryPage(AreaPage):
    # The segment table stays hidden under the day's grid: counting its 344k rows when
    # the page is built was for nothing (docs/benchmarks.md, "H").
    TABLES_READ_WHEN_SHOWN = True

    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        super().__init__(area, backend)
        self.app = app
        self.runtime = tracker_runtime(app)
        self.zone: tzinfo = local_zone()
        self.confirm_box: QMessageBox | None = None
        self.dialog: SegmentDialog | None = None
        self.view: DayView | None = None

        self.prev_button = self.add_action(
            "◀ Previous day", lambda: self.shift_day(-1), name="Previous"
        )
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.date_edit.setAccessibleName("Day")
        self.actions_row.insertWidget(self.actions_row.count() - 1, self.date_edit)
        self.next_button = self.add_action("Next day ▶", lambda: self.shift_day(1), name="Next")
        self.add_action("Today", self.go_today)
        self.zone_box = QComboBox()
        self.zone_box.setAccessibleName("Time zone")
        self.zone_box.addItem(f"Local time ({zone_name(self.zone)})", "local")
        self.zone_box.addItem("UTC (Upwork's week)", "utc")
        self.zone_box.currentIndexChanged.connect(self._zone_changed)
        self.actions_row.insertWidget(self.actions_row.count() - 1, self.zone_box)
        self.day_total = QLabel()
        self.day_total.setFont(scaled_font(self, 1.2, bold=True))
        self.day_total.setAccessibleName("Day total")
        self.actions_row.addWidget(self.day_total)

        self.grid = DiaryGrid()
        self.grid.cellClicked.connect(self.open_cell)
        scroll = QScrollArea()
        scroll.setObjectName("diary-scroll")
        scroll.setAccessibleName("Work Diary: hours and 10-minute cells")
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.grid)

        self.week_list = QListWidget()
        self.week_list.setAccessibleName("Week totals")
        self.week_list.setWordWrap(True)
        # Wrapped at a word where the side panel is too narrow for it (it was cut after
        # "(UTC" at 1440 px), the whole heading in its tooltip too.
        self.week_title = QLabel()
        self.week_title.setFont(scaled_font(self, 1.1, bold=True))
        self.week_title.setWordWrap(True)
        self.precheck_list = QListWidget()
        self.precheck_list.setAccessibleName("Pre-check")
        self.precheck_list.setWordWrap(True)
        self.precheck_title = QLabel()
        self.precheck_title.setFont(scaled_font(self, 1.1, bold=True))
        self.precheck_title.setWordWrap(True)
        self.legend = Legend()
        side = QWidget()
        side.setMaximumWidth(320)
        side.setMinimumWidth(260)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.legend)
        side_layout.addWidget(self.week_title)
        side_layout.addWidget(self.week_list, 1)
        side_layout.addWidget(self.precheck_title)
        side_layout.addWidget(self.precheck_list, 2)

        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        row.addWidget(scroll, 1)
        row.addWidget(side)
        body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.splitter), body, 1)
        self.splitter.hide()  # the grid is the diary; the raw segments stay in the CLI/JSON

        self.runtime.changed.connect(self.reload)
        # The tracker saved time (each minute while tracking): read the day again if it
        # is shown, else when it is.
        self._behind = False
        self.runtime.saved.connect(self._time_saved)
        self.date_edit.dateChanged.connect(lambda _d: self.reload())
        self.set_day(self.default_day())

    # -- navigation ---------------------------------------------------------------------

    def default_day(self) -> date:
        """Today, or the last day with tracked time if today has none yet."""
        today = self.app.clock.now().astimezone(self.zone).date()
        with self.app.db.read() as s:
            last = s.scalar(
                select(func.max(Segment.slot_start)).where(
                    Segment.slot_start <= self.app.clock.now()
                )
            )
        if last is None:
            return today
        last_day = last.astimezone(self.zone).date()
        start, _ = day_bounds(today, self.zone)
        return today if last >= start else last_day

    def current_day(self) -> date:
        qd = self.date_edit.date()
        return date(qd.year(), qd.month(), qd.day())

    def set_day(self, day: date) -> None:
        if day == self.current_day() and self.view is not None:
            self.reload()
            return
        self.date_edit.setDate(QDate(day.year, day.month, day.day))  # reloads

    def shift_day(self, days: int) -> None:
        self.set_day(self.current_day() + timedelta(days=days))

    def go_today(self) -> None:
        self.set_day(self.app.clock.now().astimezone(self.zone).date())

    def _zone_changed(self, _index: int) -> None:
        self.zone = UTC_ZONE if self.zone_box.currentData() == "utc" else local_zone()
        self.reload()

    # -- showing ------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.splitter.isHidden():
            # The segment table is not shown (the grid is the diary): re-reading it was a
            # count over every segment and as many rows as were loaded, for nothing.
            self._load_tiles()
        else:
            super().refresh()
        self.reload()

    def _time_saved(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._behind = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._behind:
            self.reload()

    def reload(self) -> None:
        """The day and the week's pre-check, read on a worker thread (~0.1 s on a large
        workspace), drawn when they are there; the day shown until then stays."""
        self._behind = False
        app, day, zone = self.app, self.current_day(), self.zone

        def fetch() -> tuple[DayView, Precheck]:
            return day_view(app.db, day, zone), precheck(app.db, app.clock.now())

        self.load_in_background("day", fetch, self._show_view)

    def _show_view(self, found: tuple[DayView, Precheck]) -> None:
        self.view, check = found
        self.grid.show_day(self.view, self.app.snapshot_dir, all_hours=False)
        self.day_total.setText(f"{hm(self.view.tracked_seconds)} tracked")
        heading = f"Billing week from {self.view.week_start:%a %b %d} (UTC)"
        self.week_title.setText(heading)
        self.week_title.setToolTip(heading)
        self.week_list.clear()
        for total in self.view.week_totals:
            limit = ""
            if total.limit_minutes:
                limit = f" of {total.limit_minutes / 60:g} h"
            extra = []
            if total.manual_seconds:
                extra.append(f"{hm(total.manual_seconds)} manual")
            if total.over_limit_seconds:
                extra.append(f"{hm(total.over_limit_seconds)} over the limit")
            worth = f" · {total.value}" if total.value is not None else ""
            more = f" ({', '.join(extra)})" if extra else ""
            self.week_list.addItem(f"{hm(total.seconds)}{limit}{worth}{more}\n  {total.title}")
        if not self.view.week_totals:
            self.week_list.addItem("Nothing tracked this week")
        self.show_precheck(check)

    def show_precheck(self, check: Precheck) -> None:
        locks = check.locks_at.astimezone(self.zone)
        money = ", ".join(str(m) for m in check.value_at_stake().values())
        heading = (
            f"Upwork pre-check, before the diary locks {locks:%a %b %d %H:%M}: "
            f"{len(check.items)} segments, "
            f"{hm(check.seconds_at_stake)} at stake" + (f" ({money})" if money else "")
        )
        self.precheck_title.setText(heading)
        self.precheck_title.setToolTip(heading)
        self.precheck_list.clear()
        for item in check.items:
            start = item.segment.slot_start.astimezone(self.zone)
            self.precheck_list.addItem(
                f"{start:%a %H:%M} {hm(item.segment.tracked_seconds)} · "
                f"{', '.join(item.reasons)}\n  {item.segment.title}"
            )
        if not check.items:
            self.precheck_list.addItem("Every Upwork hourly segment this week is protected.")

    def open_cell(self, cell: Cell) -> SegmentDialog | None:
        main = cell.main
        if main is None:
            return None
        self.dialog = SegmentDialog(main, self, self)
        self.dialog.open()
        return self.dialog


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:
        return AreaPage(area, backend)
    return DiaryPage(area, backend, app)


__all__ = ["CellWidget", "DiaryGrid", "DiaryPage", "SegmentDialog", "build_page"]
