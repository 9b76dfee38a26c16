"""The building blocks of an area: a page with a title, a filter box, an action row,
figure tiles and one or more lazily paged tables.

An area that edits data subclasses `AreaPage` in its own module under `ui/areas/` and
adds buttons with `add_action()`; `selected_ids()` says what the user picked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.domain.money import Money
from freelancer_desk.services.listing import Column, ListQuery, Row
from freelancer_desk.ui.backend import Backend, Tile
from freelancer_desk.ui.tablemodel import ListModel, display_locale, run_in_background

if TYPE_CHECKING:
    from freelancer_desk.app import App

FILTER_DELAY_MS = 250
MAX_COLUMN_WIDTH = 340
SIZE_ROWS = 60  # rows measured for the columns' first widths


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    blurb: str
    sources: tuple[str, ...]
    # Builds the page; None: a read-only AreaPage over `sources`.
    page: Callable[[Area, Backend], AreaPage] | None = None


def app_of(backend: Backend) -> App | None:
    """The whole application behind the backend, for areas that edit data; None when
    the window runs on a read-only backend (the UI tests' fakes)."""
    return getattr(backend, "app", None)


def scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def muted(label: QLabel) -> QLabel:
    """Secondary text in the palette's own placeholder colour (follows light/dark)."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class TablePanel(QWidget):
    """One table: its title and row count above, an empty-state line instead of an
    empty grid."""

    def __init__(self, model: ListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        title = model.source.title
        self.setAccessibleName(f"{title} panel")

        self.title_label = QLabel(title)
        self.title_label.setFont(scaled_font(self, 1.1, bold=True))
        self.count_label = muted(QLabel())
        self.count_label.setAccessibleName(f"{title} row count")

        self.view = _Table(self._fit_columns)
        self.view.setObjectName(f"table-{model.source.key}")
        self.view.setAccessibleName(f"{title} table")
        self.view.setModel(model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        # Arrows move between cells; Tab leaves the table (otherwise keyboard users are
        # trapped in it until its last cell).
        self.view.setTabKeyNavigation(False)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
        # resizeColumnsToContents() measures as many rows as the *vertical* header's
        # precision says (1,000 by default: every loaded row, ~0.1-0.3 s); 60 is plenty.
        self.view.verticalHeader().setResizeContentsPrecision(60)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.sectionResized.connect(self._on_section_resized)
        header.setResizeContentsPrecision(60)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # No indicator means "the source's own order"; a third click returns to it.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)

        # Framed and filled like the table it stands in for.
        self.empty_label = muted(QLabel())
        self.empty_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.empty_label.setAutoFillBackground(True)
        self.empty_label.setBackgroundRole(QPalette.ColorRole.Base)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName(f"{title} empty")

        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)

        top = QHBoxLayout()
        top.setContentsMargins(2, 0, 2, 0)
        top.addWidget(self.title_label)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

        self.had_selection = False  # rows were selected when the model was last reset
        # The row to select once the rows being read are there (the newest one asked).
        self.pending_select: str | None = None
        self._natural: list[int] = []  # content widths, before the slack is handed out
        self._fitting = False
        self._user_sized = False
        model.totalChanged.connect(self._update)
        model.requeryStarted.connect(self._reading)
        self._update()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        global _tables_warm
        _tables_warm = True  # Qt's table classes are in use: nothing left to warm up
        if not self.model.started:  # a table hidden until now reads its first rows
            self.model.start()
            self._update()

    def _reading(self) -> None:
        """A sort, filter or refresh is being read: the rows shown are the previous
        ones until it is there (0.2-1 s on a large table)."""
        if not self.model.loading:
            self.count_label.setText("Reading…")

    def _update(self) -> None:
        total = self.model.total
        text = self.model.query.text
        title = self.model.source.title
        if self.model.loading:
            self.count_label.setText("")
            self.empty_label.setText(f"Loading {title}…")
            self.stack.setCurrentIndex(1)
            return
        count = display_locale().toString(total)
        noun = "row" if total == 1 else "rows"
        self.count_label.setText(f"{count} matching" if text else f"{count} {noun}")
        if self.model.error is not None:
            self.empty_label.setText(f"{title} could not be read: {self.model.error}")
        else:
            self.empty_label.setText(
                f"No rows in {title} match “{text}”." if text else f"No rows in {title} yet."
            )
        self.stack.setCurrentIndex(0 if total else 1)
        if total and not self._natural:
            self._size_columns()

    def _size_columns(self) -> None:
        """Columns as wide as their first rows need (capped), measured once."""
        self._natural = [
            min(width + 18, MAX_COLUMN_WIDTH) for width in content_widths(self.view, SIZE_ROWS)
        ]
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Natural widths, with the slack given to the main text column (the title or
        name) rather than to whatever column happens to be last."""
        if not self._natural or self._user_sized:
            return
        columns = [self.model.column(i) for i in range(len(self._natural))]
        texts = [i for i, c in enumerate(columns) if c.kind == "text"] or [0]
        primary = max(texts, key=lambda i: self._natural[i])
        slack = max(0, self.view.viewport().width() - sum(self._natural))
        self._fitting = True
        header = self.view.horizontalHeader()
        for section, width in enumerate(self._natural):
            header.resizeSection(section, width + (slack if section == primary else 0))
        self._fitting = False

    def _on_section_resized(self, _section: int, _old: int, _new: int) -> None:
        if not self._fitting:
            self._user_sized = True  # the user's widths win from now on


def content_widths(view: QTableView, rows: int) -> list[int]:
    """What `resizeColumnsToContents()` would make of each column over the first `rows`
    rows: the widest of the header and of the cells' texts, measured here from the
    model's texts (Qt asks the model for every role of every cell through the delegate:
    50-150 ms on the GUI thread for an area's first rows, ~5 ms so)."""
    model = view.model()
    header = view.horizontalHeader()
    metrics = QFontMetricsF(view.font())
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    grid = 1 if view.showGrid() else 0
    count = min(rows, model.rowCount())
    texts = getattr(model, "display_texts", None)
    widths = []
    for section in range(model.columnCount()):
        if texts is not None:
            column = texts(section, count)
        else:
            column = [str(model.index(r, section).data() or "") for r in range(count)]
        cells = max((math.ceil(metrics.horizontalAdvance(t)) for t in column), default=0)
        widths.append(max(header.sectionSizeHint(section), cells + margin + grid))
    return widths


class _Table(QTableView):
    """A table view that reports its own resizes (to re-fit its columns)."""

    def __init__(self, on_resize: Callable[[], None]) -> None:
        super().__init__()
        self._on_resize = on_resize

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._on_resize()


class FigureTile(QFrame):
    """A figure with its caption: "Available" / "$1,240.00"."""

    def __init__(self, caption: str, value: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAccessibleName(f"{caption}: {value}")
        # Tiles share the row and may clip rather than force a wide window.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self.value_label = QLabel(value)
        self.value_label.setFont(scaled_font(self, 1.7, bold=True))
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption_label = muted(QLabel(caption))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.value_label)

    def set_value(self, caption: str, value: str) -> None:
        if value != self.value_label.text():
            self.value_label.setText(value)
            self.setAccessibleName(f"{caption}: {value}")


class _WarmUpSource:
    """A few rows of every kind a table shows, for `warm_up_tables`."""

    key = "warm-up"
    title = "Warm-up"
    columns: Sequence[Column] = (
        Column("name", "Name"),
        Column("amount", "Amount", "money"),
        Column("at", "When", "datetime"),
        Column("count", "Count", "int"),
        Column("done", "Done", "bool"),
    )

    def __init__(self) -> None:
        at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
        self.rows: list[Row] = [
            {
                "id": str(n),
                "name": f"Row {n}",
                "amount": Money(12_345 * n, "USD"),
                "at": at,
                "count": n,
                "done": n % 2 == 0,
            }
            for n in range(40)
        ]

    def count(self, query: ListQuery) -> int:
        return len(self.rows)

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]:
        return self.rows[offset : offset + limit]


_tables_warm = False


def tables_warm() -> bool:
    """True once a table was laid out and painted in this process."""
    return _tables_warm


def warm_up_tables() -> None:
    """Lay out and paint one small table offscreen (never on screen), once per process.

    The first table a process shows pays Qt's first-use costs (its item view, header
    and delegate classes, their style and text layout: the first area with tables took
    ~50 ms longer to paint than the others, docs/benchmarks.md "D", "H"); the window
    calls this on an idle turn once the area chosen at start-up shows its data."""
    global _tables_warm
    if _tables_warm:
        return
    panel = TablePanel(ListModel(_WarmUpSource()))
    panel.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    panel.resize(640, 360)
    panel.show()  # polished and laid out, not mapped
    panel.grab()  # painted into a pixmap
    panel.hide()
    panel.deleteLater()
    _tables_warm = True


class AreaPage(QWidget):
    """One area: title, blurb and filter box on top, an action row, tiles, then the
    tables."""

    # Emitted with the panel's index when the selection in one of the tables changes.
    selectionChanged = Signal(int)
    # Emitted on the GUI thread when the last background load has been applied.
    loaded = Signal()
    # False for a page that draws its own figures instead of the backend's tiles.
    SUMMARY_TILES = True
    # True for a page whose tables are hidden at first: their rows are read when shown.
    TABLES_READ_WHEN_SHOWN = False

    def __init__(self, area: Area, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area = area
        self._backend = backend
        self.backend = backend
        self.setObjectName(f"area-{area.key}")
        self.setAccessibleName(area.title)

        title = QLabel(area.title)
        title.setFont(scaled_font(self, 1.8, bold=True))
        title.setAccessibleName("Area title")
        blurb = muted(QLabel(area.blurb))
        blurb.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter…  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(f"Filter {area.title}")
        self.filter_edit.setMinimumWidth(220)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self.filter_edit.returnPressed.connect(self.apply_filter)

        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(blurb)
        top = QHBoxLayout()
        top.addLayout(heading, 1)
        top.addWidget(self.filter_edit, 0, Qt.AlignmentFlag.AlignBottom)

        self.tiles_row = QHBoxLayout()
        self.tiles_row.setSpacing(12)
        self._tiles: list[FigureTile] = []

        # On the real application the first rows are read on worker threads (a count
        # over 98k ledger postings or 344k segments); the UI tests' fakes answer at once.
        background = app_of(backend) is not None
        self.models = [
            ListModel(
                backend.list_source(key),
                parent=self,
                background=background,
                start=not self.TABLES_READ_WHEN_SHOWN,
            )
            for key in area.sources
        ]
        for model in self.models:
            model.totalChanged.connect(self._model_arrived)
        self.panels = [TablePanel(model) for model in self.models]
        for panel in self.panels:
            # The panel's index when it changes (a page may insert panels of its own).
            panel.view.selectionModel().selectionChanged.connect(
                lambda *_args, p=panel: self.selectionChanged.emit(self.panels.index(p))
            )
            # A reset (new rows read) drops the selection without saying so; the rows of
            # a re-query arrive later than the page asked for them, so it is said then.
            panel.model.modelAboutToBeReset.connect(lambda p=panel: self._before_reset(p))
            panel.model.totalChanged.connect(lambda _total, p=panel: self._after_reset(p))
        self.actions_row = QHBoxLayout()
        self.actions_row.setSpacing(8)
        self.actions_row.addStretch(1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName(f"splitter-{area.key}")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(14)
        for panel in self.panels:
            self.splitter.addWidget(panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addLayout(self.actions_row)
        layout.addLayout(self.tiles_row)
        layout.addWidget(self.splitter, 1)
        self._loads: dict[str, int] = {}  # name -> generation of the load still running
        self._generation = 0
        self._appliers: dict[tuple[str, int], Callable[[Any], None]] = {}
        self._show_tiles([])
        self._load_tiles()

    def _load_tiles(self) -> None:
        """The backend's figures for this area (counts, sums: up to ~0.3 s on a large
        workspace), read on a worker thread."""
        if self.SUMMARY_TILES:
            key = self.area.key
            backend = self._backend
            self.load_in_background("tiles", lambda: list(backend.summary(key)), self._show_tiles)

    # -- loading off the GUI thread --------------------------------------------------
    def load_in_background(
        self,
        name: str,
        fetch: Callable[[], Any],
        apply: Callable[[Any], None],
        *,
        late: bool = True,
    ) -> Future[None]:
        """Run `fetch()` on a worker thread (it reads through the services, each call
        with its own session) and `apply(result)` on the GUI thread afterwards. A newer
        load of the same `name` supersedes an older one still running (only the newest
        result is applied). A failure is said in the status bar. The result is applied
        after the tables' rows that arrived with it (`late`, `run_in_background`): the
        rows come first, the figures and charts on a later event-loop turn."""
        self._generation += 1
        generation = self._generation
        self._loads[name] = generation
        self._appliers[(name, generation)] = apply

        def deliver(result: object, failed: bool) -> None:
            if shiboken6.isValid(self):  # not deleted meanwhile (the window closed it)
                self._deliver(name, generation, result, failed)

        return run_in_background(fetch, deliver, late=late)

    @property
    def is_loading(self) -> bool:
        """True while a background load (figures, or a table's rows: the first ones or
        a re-query's) has not been applied yet."""
        models = {*self.models, *self.findChildren(ListModel)}  # a page's own tables too
        return bool(self._loads) or any(model.reading for model in models)

    def wait_loaded(self, timeout: float = 120.0) -> None:
        """Process events until the figures and first rows read on worker threads are
        shown (for `--screenshot` and the editors' pictures; the window never waits)."""
        deadline = time.monotonic() + timeout
        QApplication.processEvents()
        while self.is_loading and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
        QApplication.processEvents()

    def _before_reset(self, panel: TablePanel) -> None:
        panel.had_selection = panel.view.selectionModel().hasSelection()

    def _after_reset(self, panel: TablePanel) -> None:
        if panel.had_selection and not panel.view.selectionModel().hasSelection():
            panel.had_selection = False
            if panel in self.panels:
                self.selectionChanged.emit(self.panels.index(panel))

    def _model_arrived(self, _total: int) -> None:
        if not self.is_loading:
            self.loaded.emit()

    def _deliver(self, name: str, generation: int, result: object, failed: bool) -> None:
        apply = self._appliers.pop((name, generation), None)
        if self._loads.get(name) != generation or apply is None:
            return  # superseded by a newer load of the same figures
        del self._loads[name]
        if failed:
            self.show_message(f"Could not load {self.area.title}: {result}")
        else:
            apply(result)
        if not self.is_loading:
            self.loaded.emit()

    def _show_tiles(self, tiles: Sequence[Tile]) -> None:
        self.set_tiles([(caption, value, "") for caption, value in tiles])

    def set_tiles(self, figures: Sequence[tuple[str, str, str]]) -> None:
        """Show these (caption, value, object name) tiles. When the captions and names
        are those shown (a refresh), only the values change: new tiles would lay the
        whole page out and paint it again."""
        shown = [(t.caption_label.text(), t.objectName()) for t in self._tiles]
        if shown == [(caption, name) for caption, _value, name in figures]:
            for tile, (caption, value, _name) in zip(self._tiles, figures, strict=True):
                tile.set_value(caption, value)
            return
        for tile in self._tiles:
            self.tiles_row.removeWidget(tile)
            tile.hide()
            tile.deleteLater()
        self._tiles = []
        for caption, value, name in figures:
            tile = FigureTile(caption, value)
            tile.setObjectName(name)
            self._tiles.append(tile)
            self.tiles_row.addWidget(tile, 1)

    def add_action(
        self,
        text: str,
        slot: Callable[[], object],
        *,
        shortcut: str | QKeySequence.StandardKey | None = None,
        name: str | None = None,
    ) -> QPushButton:
        """A button in the action row (left to right, in the order added), with an
        optional shortcut active while this area is shown."""
        button = QPushButton(text)
        button.setAccessibleName(name or text.replace("&", ""))
        button.clicked.connect(lambda _checked=False: slot())
        self.actions_row.insertWidget(self.actions_row.count() - 1, button)
        if shortcut is not None:
            key = QKeySequence(shortcut)
            shortcut_object = QShortcut(key, self)
            shortcut_object.activated.connect(slot)
            button.setToolTip(f"{text.replace('&', '')} ({key.toString()})")
        return button

    def selected_ids(self, panel: int = 0) -> list[str]:
        """The ids of the selected rows of one table, top to bottom."""
        table = self.panels[panel]
        rows = sorted({index.row() for index in table.view.selectionModel().selectedRows()})
        model = table.model
        return [str(model.index(row, 0).data(Qt.ItemDataRole.UserRole)) for row in rows]

    def kept_ids(self, panel: int = 0) -> list[str]:
        """What a refresh keeps selected: the row still waiting for its table's rows to
        be read (a row just made, say), else the selected ones."""
        pending = self.panels[panel].pending_select
        return [pending] if pending is not None else self.selected_ids(panel)

    def current_id(self, panel: int = 0) -> str | None:
        ids = self.selected_ids(panel)
        return ids[0] if ids else None

    def show_message(self, text: str) -> None:
        """A one-line message in the window's status bar (if there is a window)."""
        window = self.window()
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(text, 8000)

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        for model in self.models:
            model.set_filter_text(self.filter_edit.text())

    def refresh(self) -> None:
        for model in self.models:
            model.refresh()
        self._load_tiles()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()
