"""The main window: a sidebar of areas, each area a title, a filter box, optional
figure tiles and one or more lazily paged tables.

Geometry, splitter positions and the last area are kept in `ui.ini` inside the
workspace folder, so every workspace (and every test) has its own.

At start-up the window is built and shown before the workspace is open
(`MainWindow(None, data_dir=…)`): the sidebar is there and the area shows "Opening
workspace…" with what is being done; `attach(backend)` then builds the chosen area.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QIcon,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.ui.areapage import (
    Area,
    AreaPage,
    app_of,
    muted,
    scaled_font,
    tables_warm,
    warm_up_tables,
)
from freelancer_desk.ui.areas import build_page
from freelancer_desk.ui.backend import Backend
from freelancer_desk.ui.tablemodel import freeze_heap, hold_reads, run_in_background

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SETTINGS_FILE = "ui.ini"
FILTER_DELAY_MS = 250
MAX_COLUMN_WIDTH = 340
WARM_UP_MS = 150  # after the workspace is shown, then while its first area reads


AREAS: tuple[Area, ...] = (
    Area(
        "dashboard",
        "Dashboard",
        "Your day at a glance: timer, hours, money and what is due",
        ("earnings_by_client",),
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


def _ignore(_result: object, _failed: bool) -> None:
    """A read done for its side effect (a cache filled)."""


class _ChangeRelay(QObject):
    """Carries the backend's "changed" call, from whatever thread, to the GUI thread."""

    changed = Signal()


class OpeningPage(QWidget):
    """What the area shows while the workspace opens: the icon, "Opening workspace…",
    the folder and the current step, over a busy bar."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("opening")
        self.setAccessibleName("Opening workspace")
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(QSize(64, 64)))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel("Opening workspace…")
        self.title.setFont(scaled_font(self, 1.6, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        folder = muted(QLabel(str(data_dir)))
        folder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.step = muted(QLabel("Starting…"))
        self.step.setObjectName("opening-step")
        self.step.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: how long the steps take is not known
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(280)
        self.bar.setMaximumHeight(8)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(icon)
        layout.addSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(folder)
        layout.addSpacing(18)
        layout.addWidget(self.bar, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(self.step)
        layout.addStretch(3)


class MainWindow(QMainWindow):
    def __init__(
        self,
        backend: Backend | None,
        *,
        remember: bool = True,
        parent: QWidget | None = None,
        data_dir: Path | None = None,
    ) -> None:
        """The window over `backend`; with `backend=None` the window of a workspace
        still opening in `data_dir` (call `attach` when it is open)."""
        super().__init__(parent)
        self._backend = backend
        folder = backend.data_dir if backend is not None else data_dir
        if folder is None:
            raise ValueError("MainWindow needs a backend or the data folder it will open")
        self._folder = folder
        self._settings = (
            QSettings(str(folder / SETTINGS_FILE), QSettings.Format.IniFormat) if remember else None
        )
        self._pages: dict[str, AreaPage] = {}
        self._stale: set[str] = set()  # built pages to re-read when next shown
        self._to_show: str | None = None  # an area built on this turn, shown on the next
        self._start_reads: Callable[[], None] | None = None  # its reads, held till then
        self.setWindowTitle("Freelancer Desk")
        self.setWindowIcon(app_icon())
        self.setAccessibleName("Freelancer Desk")

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Areas")
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setFont(scaled_font(self, 1.1))
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
        brand.setFont(scaled_font(self, 1.15, bold=True))
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
        self.opening: OpeningPage | None = None
        if backend is None:
            self.opening = OpeningPage(folder)
            self.stack.addWidget(self.opening)
            self.stack.setCurrentWidget(self.opening)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(side)
        layout.addWidget(line)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self.statusBar().showMessage(
            f"Workspace: {folder}" if backend is not None else f"Opening {folder}…"
        )
        self.statusBar().setSizeGripEnabled(True)

        self.sidebar.currentRowChanged.connect(self._area_chosen)

        self._relay = _ChangeRelay(self)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)  # many changes in a burst -> one refresh
        self._refresh_timer.timeout.connect(self.refresh)
        self._relay.changed.connect(self._refresh_timer.start)
        # Writes by other processes (a CLI command, a second machine's tracker): the
        # backend says so when asked; asked every two seconds.
        self._external: object = None
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(2000)
        self._watch_timer.timeout.connect(self.check_external_changes)
        self._unsubscribe: Callable[[], None] | None = None
        if backend is not None:
            self._connect(backend)

        self._restore()

    # -- the workspace ---------------------------------------------------------------
    @property
    def backend(self) -> Backend | None:
        return self._backend

    @property
    def is_open(self) -> bool:
        """False while the workspace is still opening (no backend attached yet)."""
        return self._backend is not None

    def _connect(self, backend: Backend) -> None:
        self._external = getattr(backend, "external_changes", None)
        if callable(self._external):
            self._watch_timer.start()
        self._unsubscribe = backend.subscribe(self._relay.changed.emit)
        QTimer.singleShot(WARM_UP_MS, self._warm_up_when_idle)
        # The tables' statements (SQLAlchemy objects, ~6 ms for all, more if it is the
        # first use of the mappers) are made on a reader thread, not when a page is built.
        keys = sorted({key for area in AREAS for key in area.sources})
        run_in_background(lambda: [backend.list_source(key) for key in keys], _ignore)

    def _warm_up_when_idle(self) -> None:
        """Once the area shown at start-up has its data: warm Qt's table classes up
        (`warm_up_tables`), so that the first area with tables the user opens paints
        as soon as the others; then keep the heap made so far out of the garbage
        collector's full walks (`freeze_heap`: 75-170 ms stalls each)."""
        if self._backend is None:
            return
        page = self.stack.currentWidget()
        if isinstance(page, AreaPage) and page.is_loading:
            QTimer.singleShot(WARM_UP_MS, self._warm_up_when_idle)
            return
        if not tables_warm():
            warm_up_tables()
        freeze_heap()

    def show_opening_step(self, text: str) -> None:
        if self.opening is not None:
            self.opening.step.setText(text)

    def detach(self) -> Backend | None:
        """Back to the "Opening workspace…" state (the workspace turned out unusable
        after it was shown); returns the backend, for the caller to close."""
        backend = self._backend
        if backend is None:
            return None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._watch_timer.stop()
        self._external = None
        self._backend = None
        self.opening = OpeningPage(self._folder)
        self.stack.addWidget(self.opening)
        self.stack.setCurrentWidget(self.opening)
        for key, page in self._pages.items():
            index = self.stack.indexOf(page)
            self.stack.insertWidget(index, QWidget())
            self.stack.removeWidget(page)
            page.deleteLater()
            if self._settings is not None:
                self._settings.setValue(f"splitters/{key}", page.splitter.saveState())
        self._pages.clear()
        self._stale.clear()
        self.statusBar().showMessage(f"Opening {self._folder}…")
        return backend

    def attach(self, backend: Backend) -> None:
        """The workspace is open: show the chosen area over it."""
        if self._backend is not None:
            raise RuntimeError("the window already shows a workspace")
        self._backend = backend
        self._connect(backend)
        self.statusBar().showMessage(f"Workspace: {backend.data_dir}")
        self._on_row_changed(self.sidebar.currentRow())
        if self.opening is not None:
            self.stack.removeWidget(self.opening)
            self.opening.deleteLater()
            self.opening = None

    # -- actions ---------------------------------------------------------------------
    def _build_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        self.addAction(self.settings_action)
        self.import_action = QAction("&Import…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.open_import)
        file_menu.addAction(self.import_action)
        self.addAction(self.import_action)
        export_menu = file_menu.addMenu("&Export")
        for text, name in (
            ("Time entries (.&ics)…", "export_ics"),
            ("Whole workspace (&JSON)…", "export_json"),
            ("&Evidence pack for a week…", "export_evidence"),
        ):
            action = QAction(text, self)
            action.triggered.connect(lambda _checked=False, n=name: self.export(n))
            export_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.area_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for number, area in enumerate(AREAS, start=1):
            action = QAction(area.title.replace("&", "&&"), self)
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
        keys_action = QAction("&Keyboard shortcuts", self)
        keys_action.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        keys_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys_action)
        self.addAction(keys_action)
        menu_entry = QAction("Add to the application &menu", self)
        menu_entry.triggered.connect(self._install_menu_entry)
        help_menu.addAction(menu_entry)
        help_menu.addSeparator()
        about_action = QAction("&About Freelancer Desk", self)
        about_action.triggered.connect(self._about)
        help_menu.addAction(about_action)

    def _opened(self) -> Backend | None:
        """The backend, or None (and a word in the status bar) while still opening."""
        if self._backend is None:
            self.statusBar().showMessage("The workspace is still opening…", 4000)
        return self._backend

    def open_settings(self) -> None:
        backend = self._opened()
        if backend is None:
            return
        from freelancer_desk.ui.settings_dialog import open_settings

        open_settings(self, app_of(backend))

    def open_import(self) -> None:
        backend = self._opened()
        if backend is None:
            return
        app = app_of(backend)
        if app is None:
            self.statusBar().showMessage("Importing needs a workspace", 8000)
            return
        from freelancer_desk.ui.import_wizard import open_import_wizard

        open_import_wizard(self, app)

    def export(self, kind: str) -> None:
        backend = self._opened()
        if backend is None:
            return
        app = app_of(backend)
        if app is None:
            self.statusBar().showMessage("Exporting needs a workspace", 8000)
            return
        from freelancer_desk.ui import exports

        done = getattr(exports, kind)(self, app)
        if done is not None:
            self.statusBar().showMessage("Exported.", 8000)

    def show_shortcuts(self) -> None:
        if self._opened() is None:
            return
        from freelancer_desk.ui.desktop import ShortcutsDialog, collect_shortcuts

        ShortcutsDialog(collect_shortcuts(self, [self.page(k) for k in AREA_KEYS]), self).exec()

    def _install_menu_entry(self) -> None:
        from freelancer_desk.ui.desktop import install_desktop_files

        paths = install_desktop_files()
        self.statusBar().showMessage(f"Added to the application menu ({paths[0]})", 8000)

    def _about(self) -> None:
        backend = self._opened()
        if backend is None:
            return
        from freelancer_desk.ui.desktop import AboutDialog

        AboutDialog(backend, self).exec()

    # -- areas -----------------------------------------------------------------------
    @property
    def current_area(self) -> str:
        return AREAS[max(0, self.sidebar.currentRow())].key

    def page(self, key: str) -> AreaPage:
        """The page of area `key`, built the first time it is asked for (once the
        workspace is open); the area just chosen is shown now if it was still to be
        shown on the next turn (`_area_chosen`)."""
        page = self.built_page(key)
        if key == self._to_show:
            self._show_chosen()
        return page

    def built_page(self, key: str) -> AreaPage:
        """The page of area `key`, built if it was not; nothing else (the benchmarks
        watch an area's page without changing when it is shown)."""
        if self._backend is None:
            raise RuntimeError("the workspace is still opening")
        if key not in self._pages:
            index = AREA_KEYS.index(key)
            area = AREAS[index]
            start_reads = hold_reads(self)  # the reader threads would slow the build down
            try:
                page = (area.page or build_page)(area, self._backend)
            finally:
                if self._start_reads is None:  # else when the page is shown
                    start_reads()
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

    def _area_chosen(self, row: int) -> None:
        """The user chose an area. One not built yet is built on this event-loop turn
        and shown (laid out, painted) on the next, the area shown until then staying:
        both on one turn kept the GUI thread 50-130 ms (docs/benchmarks.md, "D (session
        4)"). At once when the window is not on screen."""
        if row < 0 or self._backend is None or not self.isVisible():
            self._on_row_changed(row)
            return
        key = AREA_KEYS[row]
        if key in self._pages:
            self._on_row_changed(row)
            return
        self.area_actions[key].setChecked(True)
        self._to_show = key
        # A timer, not a zero-time call: that is a posted event, sent on the next turn
        # before the timers and input, so the build, the show and the paint ran with no
        # gap between them (66-101 ms on the heavy workspace). First: the held reads
        # start after it.
        QTimer.singleShot(1, self._show_chosen)
        self._start_reads = self._start_reads or hold_reads(self)
        self.built_page(key)

    def _show_chosen(self) -> None:
        """Show the area chosen on the turn before; its reads start on the next turn
        (after its first paint, which they would slow down)."""
        key, self._to_show = self._to_show, None
        try:
            if key is not None and key == self.current_area and self._backend is not None:
                self._on_row_changed(AREA_KEYS.index(key))
        finally:
            QTimer.singleShot(1, self._release_reads)

    def _release_reads(self) -> None:
        start, self._start_reads = self._start_reads, None
        if start is not None:
            start()

    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        key = AREA_KEYS[row]
        self._to_show = None
        self.area_actions[key].setChecked(True)
        if self._backend is None:
            return  # the opening page stays until the workspace is there
        page = self.built_page(key)
        self.stack.setCurrentWidget(page)
        if key in self._stale:
            self._stale.discard(key)
            # Its re-reads start after it is painted (the paint is asked for first): a
            # reader making the rows holds the GIL that each cell's data() call needs,
            # and the page's first paint took 45-130 ms of which ~20 ms was its own.
            if self._start_reads is None and self.isVisible():
                self._start_reads = hold_reads(self)  # released even if refresh() raises
                QTimer.singleShot(1, self._release_reads)
            page.refresh()

    def focus_filter(self) -> None:
        if self._backend is not None:
            self.page(self.current_area).focus_filter()

    def check_external_changes(self) -> None:
        if callable(self._external) and self._external():
            self._refresh_timer.start()

    def refresh(self) -> None:
        """Re-read the area shown now; the other pages built so far are re-read when
        they are shown next (each re-read is a count and a page of rows per table, and
        the figures: done for every built page at once, they kept the reader threads
        busy for seconds and the GUI thread for their results)."""
        current = self.current_area
        for key, page in self._pages.items():
            if key == current and self.stack.currentWidget() is page:
                page.refresh()
            else:
                self._stale.add(key)

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
        self._release_reads()  # not painting any more; its timer may never fire
        self.save_settings()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        super().closeEvent(event)
