"""The main window: a sidebar of areas, each area a title, a filter box, optional
figure tiles and one or more lazily paged tables.

Geometry, splitter positions and the last area are kept in `ui.ini` inside the
workspace folder, so every workspace (and every test) has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QFont,
    QIcon,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk import __version__
from freelancer_desk.ui.backend import Backend, Tile
from freelancer_desk.ui.tablemodel import ListModel, display_locale

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SETTINGS_FILE = "ui.ini"
FILTER_DELAY_MS = 250
MAX_COLUMN_WIDTH = 340


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    blurb: str
    sources: tuple[str, ...]


AREAS: tuple[Area, ...] = (
    Area(
        "dashboard", "Dashboard", "Where the money is and who it came from", ("earnings_by_client",)
    ),
    Area(
        "gigs",
        "Gigs & Orders",
        "Fixed-price packages and the orders they bring",
        ("gigs", "orders"),
    ),
    Area(
        "proposals",
        "Proposals",
        "Job posts you follow and the bids you sent",
        ("job_posts", "proposals"),
    ),
    Area(
        "contracts",
        "Contracts",
        "Hourly and fixed-price work, with milestones in escrow",
        ("contracts", "milestones"),
    ),
    Area("tracker", "Tracker", "Tracked sessions per contract", ("sessions",)),
    Area("diary", "Work Diary", "Ten-minute segments with their activity and memo", ("segments",)),
    Area("earnings", "Earnings", "Every ledger movement and every invoice", ("ledger", "invoices")),
    Area(
        "reports",
        "Reports",
        "Gross, fees, net and effective rate per client; what clients said",
        ("earnings_by_client", "reviews"),
    ),
)
AREA_KEYS: tuple[str, ...] = tuple(area.key for area in AREAS)


def app_icon() -> QIcon:
    icon = QIcon(str(ICON_DIR / "freelancer-desk.svg"))
    for size in (16, 32, 48, 64, 128, 256):
        png = ICON_DIR / f"freelancer-desk-{size}.png"
        if png.exists():
            icon.addFile(str(png), QSize(size, size))
    return icon


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def _muted(label: QLabel) -> QLabel:
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
        self.title_label.setFont(_scaled_font(self, 1.1, bold=True))
        self.count_label = _muted(QLabel())
        self.count_label.setAccessibleName(f"{title} row count")

        self.view = _Table(self._fit_columns)
        self.view.setObjectName(f"table-{model.source.key}")
        self.view.setAccessibleName(f"{title} table")
        self.view.setModel(model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setShowGrid(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().hide()
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
        self.empty_label = _muted(QLabel())
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

        self._natural: list[int] = []  # content widths, before the slack is handed out
        self._fitting = False
        self._user_sized = False
        model.totalChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        total = self.model.total
        text = self.model.query.text
        count = display_locale().toString(total)
        noun = "row" if total == 1 else "rows"
        self.count_label.setText(f"{count} matching" if text else f"{count} {noun}")
        title = self.model.source.title
        self.empty_label.setText(
            f"No rows in {title} match “{text}”." if text else f"No rows in {title} yet."
        )
        self.stack.setCurrentIndex(0 if total else 1)
        if total and not self._natural:
            self._size_columns()

    def _size_columns(self) -> None:
        """Columns as wide as their first rows need (capped), measured once."""
        self._fitting = True
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        self._natural = [
            min(header.sectionSize(section) + 18, MAX_COLUMN_WIDTH)
            for section in range(header.count())
        ]
        self._fitting = False
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
        self.value_label.setFont(_scaled_font(self, 1.7, bold=True))
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption_label = _muted(QLabel(caption))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.value_label)


class AreaPage(QWidget):
    """One area: title, blurb and filter box on top, tiles, then the tables."""

    def __init__(self, area: Area, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.area = area
        self._backend = backend
        self.setObjectName(f"area-{area.key}")
        self.setAccessibleName(area.title)

        title = QLabel(area.title)
        title.setFont(_scaled_font(self, 1.8, bold=True))
        title.setAccessibleName("Area title")
        blurb = _muted(QLabel(area.blurb))
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

        self.models = [ListModel(backend.list_source(key), parent=self) for key in area.sources]
        self.panels = [TablePanel(model) for model in self.models]
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
        layout.addLayout(self.tiles_row)
        layout.addWidget(self.splitter, 1)
        self._show_tiles(backend.summary(area.key))

    def _show_tiles(self, tiles: Sequence[Tile]) -> None:
        for tile in self._tiles:
            self.tiles_row.removeWidget(tile)
            tile.deleteLater()
        self._tiles = [FigureTile(caption, value) for caption, value in tiles]
        for tile in self._tiles:
            self.tiles_row.addWidget(tile, 1)

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        for model in self.models:
            model.set_filter_text(self.filter_edit.text())

    def refresh(self) -> None:
        for model in self.models:
            model.refresh()
        self._show_tiles(self._backend.summary(self.area.key))

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()


class _ChangeRelay(QObject):
    """Carries the backend's "changed" call, from whatever thread, to the GUI thread."""

    changed = Signal()


class MainWindow(QMainWindow):
    def __init__(
        self, backend: Backend, *, remember: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._backend = backend
        self._settings = (
            QSettings(str(backend.data_dir / SETTINGS_FILE), QSettings.Format.IniFormat)
            if remember
            else None
        )
        self._pages: dict[str, AreaPage] = {}
        self.setWindowTitle("Freelancer Desk")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("Freelancer Desk")

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Areas")
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setFont(_scaled_font(self, 1.1))
        self.sidebar.setBackgroundRole(QPalette.ColorRole.Window)
        self.sidebar.viewport().setBackgroundRole(QPalette.ColorRole.Window)
        # Geometry only: the colours stay the palette's, so light and dark both work.
        self.sidebar.setStyleSheet(
            "QListWidget#sidebar { padding: 0 8px; }"
            "QListWidget#sidebar::item { padding-left: 10px; border-radius: 6px; }"
            "QListWidget#sidebar::item:selected {"
            " background: palette(highlight); color: palette(highlighted-text); }"
        )
        self.sidebar.setSpacing(1)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        row_height = self.sidebar.fontMetrics().height() + 18
        for number, area in enumerate(AREAS, start=1):
            item = QListWidgetItem(area.title)
            item.setSizeHint(QSize(0, row_height))
            item.setToolTip(f"{area.title}  (Ctrl+{number})")
            item.setData(Qt.ItemDataRole.UserRole, area.key)
            self.sidebar.addItem(item)

        brand_icon = QLabel()
        brand_icon.setPixmap(app_icon().pixmap(QSize(28, 28)))
        brand = QLabel("Freelancer Desk")
        brand.setFont(_scaled_font(self, 1.15, bold=True))
        brand_row = QHBoxLayout()
        brand_row.setContentsMargins(14, 16, 10, 14)
        brand_row.setSpacing(8)
        brand_row.addWidget(brand_icon)
        brand_row.addWidget(brand, 1)

        side = QWidget()
        side.setObjectName("sidebar-panel")
        side.setFixedWidth(
            max(200, self.sidebar.fontMetrics().horizontalAdvance("Gigs & Orders") + 90)
        )
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.setSpacing(0)
        side_layout.addLayout(brand_row)
        side_layout.addWidget(self.sidebar, 1)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.VLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Area")
        for _area in AREAS:
            self.stack.addWidget(QWidget())  # placeholder until the area is first shown

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(line)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self.statusBar().showMessage(f"Workspace: {backend.data_dir}")
        self.statusBar().setSizeGripEnabled(True)

        self.sidebar.currentRowChanged.connect(self._on_row_changed)

        self._relay = _ChangeRelay(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)  # many changes in a burst -> one refresh
        self._refresh_timer.timeout.connect(self.refresh)
        self._relay.changed.connect(self._refresh_timer.start)
        self._unsubscribe: Callable[[], None] | None = backend.subscribe(self._relay.changed.emit)

        self._restore()

    # -- actions ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.area_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for number, area in enumerate(AREAS, start=1):
            action = QAction(area.title, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, key=area.key: self.set_area(key))
            group.addAction(action)
            view_menu.addAction(action)
            self.addAction(action)
            self.area_actions[area.key] = action
        view_menu.addSeparator()
        self.find_action = QAction("&Filter", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_filter)
        view_menu.addAction(self.find_action)
        refresh_action = QAction("&Refresh", self)
        refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh_action.triggered.connect(self.refresh)
        view_menu.addAction(refresh_action)
        self.addAction(self.find_action)
        self.addAction(refresh_action)

        help_menu = self.menuBar().addMenu("&Help")
        about_action = QAction("&About Freelancer Desk", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(about_action)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            "About Freelancer Desk",
            f"<b>Freelancer Desk {__version__}</b><p>Gigs, proposals, contracts, time "
            f"and earnings in one local workspace.</p><p>Workspace: {self._backend.data_dir}</p>",
        )

    # -- areas -----------------------------------------------------------------------
    @property
    def current_area(self) -> str:
        return AREAS[max(0, self.sidebar.currentRow())].key

    def page(self, key: str) -> AreaPage:
        """The page of area `key`, built the first time it is asked for."""
        if key not in self._pages:
            index = AREA_KEYS.index(key)
            page = AreaPage(AREAS[index], self._backend)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            if placeholder is not None:
                self.stack.removeWidget(placeholder)
                placeholder.deleteLater()
            self._pages[key] = page
            if self._settings is not None:
                state = self._settings.value(f"splitters/{key}")
                if state is not None:
                    page.splitter.restoreState(state)
        return self._pages[key]

    def set_area(self, key: str) -> None:
        self.sidebar.setCurrentRow(AREA_KEYS.index(key))

    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = AREA_KEYS[row]
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        self.area_actions[key].setChecked(True)

    def focus_filter(self) -> None:
        self.page(self.current_area).focus_filter()

    def refresh(self) -> None:
        for page in self._pages.values():
            page.refresh()

    # -- remembering -----------------------------------------------------------------
    def _restore(self) -> None:
        key = AREA_KEYS[0]
        if self._settings is not None:
            geometry = self._settings.value("window/geometry")
            if geometry is None or not self.restoreGeometry(geometry):
                self.resize(1280, 800)
            saved = self._settings.value("window/area")
            if isinstance(saved, str) and saved in AREA_KEYS:
                key = saved
        else:
            self.resize(1280, 800)
        self.set_area(key)

    def save_settings(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/area", self.current_area)
        for key, page in self._pages.items():
            self._settings.setValue(f"splitters/{key}", page.splitter.saveState())
        self._settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().closeEvent(event)
