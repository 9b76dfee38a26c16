"""Reports: for a period (this month … all time, or from–to), earnings grouped by client,
platform, month or year (gross, fees, net, hours, effective rate; one row per currency,
nothing added across currencies) with a bar chart of net per group — click a bar (or a
row) to see the ledger rows behind it — hours per week per contract, proposals, gigs
(real $/h per package and extra) and the reviews. Every table exports to CSV.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from freelancer_desk.app import App
from freelancer_desk.services.ledger import EarningsRow
from freelancer_desk.services.listing import Column, Row
from freelancer_desk.services.reports import (
    Drill,
    GigRow,
    HoursRow,
    ProposalsRow,
    ReportService,
    day_instant,
    earnings_totals,
    ledger_source,
    period_bounds,
)
from freelancer_desk.ui.areapage import Area, AreaPage, TablePanel, app_of, muted
from freelancer_desk.ui.backend import Backend, Tile
from freelancer_desk.ui.charts import BarChart, Category
from freelancer_desk.ui.report_tables import RowsSource, export_model_csv
from freelancer_desk.ui.tablemodel import ListModel, format_duration

PERIODS = (
    ("this-month", "This month"),
    ("last-month", "Last month"),
    ("this-year", "This year"),
    ("last-year", "Last year"),
    ("all", "All time"),
    ("custom", "From – to"),
)
GROUPS = (("client", "Client"), ("platform", "Platform"), ("month", "Month"), ("year", "Year"))
DEFAULT_PERIOD = "this-year"
SERIES_NAME_CHARS = 28

# Tabs, in order.
EARNINGS_TAB, HOURS_TAB, PROPOSALS_TAB, GIGS_TAB, REVIEWS_TAB = range(5)
TAB_KEYS = ("earnings", "hours", "proposals", "gigs", "reviews")


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:  # the read-only fake backend of the UI tests
        return AreaPage(area, backend)
    return ReportsPage(area, backend, app)


def reports_of(app: App) -> ReportService:
    found = getattr(app, "reports", None)
    return (
        found if isinstance(found, ReportService) else ReportService(app.db, app.clock, app.ledger)
    )


def _hours(seconds: int) -> float:
    return seconds / 3600


def _short(text: str, limit: int = SERIES_NAME_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _GroupModel(ListModel):
    """The earnings table: its first column is named after the grouping."""

    group_title = "Client"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            section == 0
            and orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
        ):
            return self.group_title
        return super().headerData(section, orientation, role)


EARNINGS_COLUMNS = (
    Column("label", "Client"),
    Column("currency", "Currency"),
    Column("gross", "Gross", "money"),
    Column("fees", "Fees", "money"),
    Column("net", "Net", "money"),
    Column("hours", "Hours", "duration"),
    Column("per_hour", "Net per hour", "money"),
)
HOURS_COLUMNS = (
    Column("week_start", "Week of", "date"),
    Column("title", "Contract or order"),
    Column("client", "Client"),
    Column("platform", "Platform"),
    Column("tracked", "Tracked", "duration"),
    Column("manual", "Manual", "duration"),
    Column("over_limit", "Over limit", "duration"),
    Column("limit", "Weekly limit", "duration"),
    Column("billed", "Billed", "money"),
)
PROPOSALS_COLUMNS = (
    Column("month", "Sent in"),
    Column("sent", "Sent", "int"),
    Column("viewed", "Viewed", "int"),
    Column("interviewed", "Interviewed", "int"),
    Column("hired", "Hired", "int"),
    Column("declined", "Declined", "int"),
    Column("win_rate", "Win rate", "percent"),
    Column("connects", "Connects", "int"),
    Column("per_hire", "Connects per hire"),
)
GIGS_COLUMNS = (
    Column("item", "Gig, package or extra"),
    Column("level", "Level"),
    Column("currency", "Currency"),
    Column("orders", "Orders", "int"),
    Column("gross", "Revenue", "money"),
    Column("fees", "Fees", "money"),
    Column("net", "Net", "money"),
    Column("hours", "Hours", "duration"),
    Column("per_hour", "Real net per hour", "money"),
)


def earnings_row(row: EarningsRow) -> Row:
    return {
        "id": f"{row.key}|{row.currency}",
        "key": row.key,
        "label": row.label,
        "currency": row.currency,
        "gross": row.gross,
        "fees": row.fees,
        "net": row.net,
        "hours": row.tracked_seconds,
        "per_hour": row.per_hour,
    }


def hours_row(row: HoursRow) -> Row:
    return {
        "id": f"{row.week_start.isoformat()}|{row.target_id}",
        "week_start": row.week_start,
        "title": row.title,
        "client": row.client,
        "platform": row.platform,
        "tracked": row.tracked_seconds,
        "manual": row.manual_seconds,
        "over_limit": row.over_limit_seconds,
        "limit": row.weekly_limit_seconds,
        "billed": row.billed,
    }


def proposals_row(row: ProposalsRow) -> Row:
    return {
        "id": row.key,
        "month": "Whole period" if row.key == "all" else row.key,
        "sent": row.sent,
        "viewed": row.viewed,
        "interviewed": row.interviewed,
        "hired": row.hired,
        "declined": row.declined,
        "win_rate": row.win_rate_bp,
        "connects": row.connects,
        "per_hire": None if row.connects_per_hire is None else f"{row.connects_per_hire:g}",
    }


def gig_row(row: GigRow) -> Row:
    indent = "" if row.level == "gig" else ("    " if row.level == "package" else "    + ")
    return {
        "id": f"{row.gig_id}|{row.level}|{row.key}|{row.currency}",
        "item": indent + row.label,
        "level": row.level,
        "currency": row.currency,
        "orders": row.orders,
        "gross": row.gross,
        "fees": row.fees,
        "net": row.net,
        "hours": row.tracked_seconds,
        "per_hour": row.per_hour,
    }


@dataclass(frozen=True)
class ReportDrawing:
    """The tables' rows and the charts' bars of one period's reports, made from them on
    the worker thread too (the hours of all time: 19k rows, ~30-60 ms on the GUI thread
    while the other readers held the GIL)."""

    earnings_rows: list[Row]
    earnings_bars: list[Category]
    hours_rows: list[Row]
    hours_bars: tuple[list[Category], list[str]]
    proposals_rows: list[Row]
    proposals_bars: list[Category]
    gigs_rows: list[Row]
    gigs_bars: tuple[list[Category], list[str]]


@dataclass(frozen=True)
class ReportFigures:
    """One period's reports, read on a worker thread."""

    start: datetime
    end: datetime
    group: str
    earnings: Sequence[EarningsRow]
    hours: Sequence[HoursRow]
    proposals: Sequence[ProposalsRow]
    gigs: Sequence[GigRow]

    def drawing(self) -> ReportDrawing:
        return ReportDrawing(
            [earnings_row(r) for r in self.earnings],
            _earnings_categories(self.earnings, self.group),
            [hours_row(r) for r in self.hours],
            _hours_categories(self.hours),
            [proposals_row(r) for r in self.proposals],
            _proposal_categories(self.proposals),
            [gig_row(r) for r in self.gigs],
            _gig_categories(self.gigs),
        )


class ReportsPage(AreaPage):
    SUMMARY_TILES = False  # the period's totals are drawn here
    TABLES_READ_WHEN_SHOWN = True  # the reviews, in their tab

    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        # Only the reviews table of the plain page is kept: the earnings-by-client table
        # it would build first (and read) is replaced by the report's own.
        super().__init__(replace(area, sources=("reviews",)), backend)
        self.app = app
        self.reports = reports_of(app)
        self.earnings: list[EarningsRow] = []
        self.totals: dict[str, EarningsRow] = {}
        self.drill: Drill | None = None
        # The figures shown, and the tabs whose table and chart do not have them yet.
        self._drawn: ReportDrawing | None = None
        self._stale_tabs: set[str] = set()
        self.start, self.end = day_instant(date(2000, 1, 1)), day_instant(date(2000, 1, 2))

        # Tables: the reviews panel of the plain page stays; the rest are reports.
        self.reviews_model = self.models[0]
        self.reviews_panel = self.panels[0]
        self.earnings_source = RowsSource("report-earnings", "Earnings", EARNINGS_COLUMNS)
        self.earnings_model = _GroupModel(self.earnings_source, parent=self)
        # Read when shown, with the period's drill set first (below): started at once it
        # counted the whole ledger, then again the period's rows when the figures came.
        self.ledger_model = ListModel(
            ledger_source(app.db), parent=self, background=True, start=False
        )
        self.ledger_model.totalChanged.connect(self._model_arrived)
        self.hours_source = RowsSource("report-hours", "Hours per week", HOURS_COLUMNS)
        self.hours_model = ListModel(self.hours_source, parent=self)
        self.proposals_source = RowsSource("report-proposals", "Proposals", PROPOSALS_COLUMNS)
        self.proposals_model = ListModel(self.proposals_source, parent=self)
        self.gigs_source = RowsSource("report-gigs", "Gigs", GIGS_COLUMNS)
        self.gigs_model = ListModel(self.gigs_source, parent=self)
        self.tables: dict[str, ListModel] = {
            "earnings": self.earnings_model,
            "ledger": self.ledger_model,
            "hours": self.hours_model,
            "proposals": self.proposals_model,
            "gigs": self.gigs_model,
            "reviews": self.reviews_model,
        }
        panels = {key: TablePanel(model) for key, model in self.tables.items() if key != "reviews"}
        panels["reviews"] = self.reviews_panel
        for key, panel in panels.items():
            self._add_export_button(key, panel)
        self.table_panels = panels
        self.models = list(self.tables.values())
        self.panels = list(panels[key] for key in self.tables)
        for index, panel in enumerate(self.panels):
            if panel is not self.reviews_panel:
                panel.view.selectionModel().selectionChanged.connect(
                    lambda *_a, i=index: self.selectionChanged.emit(i)
                )
        panels["earnings"].view.selectionModel().selectionChanged.connect(
            lambda *_a: self._drill_selected_row()
        )

        # Charts.
        self.earnings_chart = BarChart("Net per client (click a bar for its ledger rows)")
        self.earnings_chart.setObjectName("chart-report-earnings")
        self.earnings_chart.empty_text = "Nothing earned in this period."
        self.earnings_chart.barClicked.connect(self.drill_to)
        self.hours_chart = BarChart(
            "Hours tracked per week", stacked=True, axis_format=lambda v: f"{v:.0f} h"
        )
        self.hours_chart.setObjectName("chart-report-hours")
        self.hours_chart.empty_text = "No time tracked in this period."
        self.proposals_chart = BarChart("Proposals per month, and how far they went")
        self.proposals_chart.setObjectName("chart-report-proposals")
        self.proposals_chart.empty_text = "No proposals sent in this period."
        self.gigs_chart = BarChart(
            "Net per package and extra (hover for the real $/h)", stacked=True
        )
        self.gigs_chart.setObjectName("chart-report-gigs")
        self.gigs_chart.empty_text = "No gig earned money in this period."
        self.charts = (self.earnings_chart, self.hours_chart, self.proposals_chart, self.gigs_chart)

        self.drill_label = muted(QLabel())
        self.drill_label.setAccessibleName("Drill-down")
        self.drill_label.setWordWrap(True)
        self.show_all_button = QPushButton("Show the whole period")
        self.show_all_button.clicked.connect(lambda _c=False: self.clear_drill())
        self.show_all_button.setEnabled(False)  # until a drill-down narrows the ledger

        # Tabs.
        self.tabs = QTabWidget()
        self.tabs.setObjectName("report-tabs")
        self.tabs.setDocumentMode(True)
        earnings_tab = QSplitter(Qt.Orientation.Vertical)
        earnings_tab.setChildrenCollapsible(False)
        earnings_tab.setHandleWidth(12)
        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.setChildrenCollapsible(False)
        upper.setHandleWidth(12)
        upper.addWidget(self.earnings_chart)
        upper.addWidget(panels["earnings"])
        upper.setStretchFactor(0, 2)
        upper.setStretchFactor(1, 3)
        upper.setSizes([400, 600])  # the table needs the room more than the chart
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        drill_row = QHBoxLayout()
        drill_row.addWidget(self.drill_label, 1)
        drill_row.addWidget(self.show_all_button)
        lower_layout.addLayout(drill_row)
        lower_layout.addWidget(panels["ledger"], 1)
        earnings_tab.addWidget(upper)
        earnings_tab.addWidget(lower)
        earnings_tab.setStretchFactor(0, 3)
        earnings_tab.setStretchFactor(1, 2)
        self.tabs.addTab(earnings_tab, "&Earnings")
        self.tabs.addTab(self._chart_over_table(self.hours_chart, panels["hours"]), "&Hours")
        self.tabs.addTab(
            self._chart_over_table(self.proposals_chart, panels["proposals"]), "Pr&oposals"
        )
        self.tabs.addTab(self._chart_over_table(self.gigs_chart, panels["gigs"]), "&Gigs")
        self.tabs.addTab(self.reviews_panel, "Re&views")
        self.splitter.insertWidget(0, self.tabs)  # the reviews panel moved into a tab
        self.tabs.currentChanged.connect(lambda index: self.tab_ready(TAB_KEYS[index]))

        # Period and grouping, at the start of the action row.
        self.period = QComboBox()
        self.period.setAccessibleName("Period")
        for key, text in PERIODS:
            self.period.addItem(text, key)
        self.period.setCurrentIndex(self.period.findData(DEFAULT_PERIOD))
        today = app.clock.now().date()
        self.from_edit = QDateEdit(QDate(today.year, 1, 1))
        self.from_edit.setAccessibleName("From day")
        self.to_edit = QDateEdit(QDate(today.year, today.month, today.day))
        self.to_edit.setAccessibleName("To day (included)")
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.group = QComboBox()
        self.group.setAccessibleName("Group by")
        for key, text in GROUPS:
            self.group.addItem(text, key)
        self.period_label = muted(QLabel())
        self.period_label.setAccessibleName("Period shown")
        controls: list[QWidget] = [
            self._caption("&Period", self.period),
            self.period,
            self.from_edit,
            self._caption("–", None),
            self.to_edit,
            self._caption("&Group by", self.group),
            self.group,
            self.period_label,
        ]
        for index, widget in enumerate(controls):
            self.actions_row.insertWidget(index, widget)
        self.actions_row.insertSpacing(len(controls), 12)
        self.add_action("Export CSV…", self.export_current, shortcut="Ctrl+E")
        self.period.currentIndexChanged.connect(lambda _i: self.reload())
        self.group.currentIndexChanged.connect(lambda _i: self.reload())
        self.from_edit.dateChanged.connect(lambda _d: self._custom_changed())
        self.to_edit.dateChanged.connect(lambda _d: self._custom_changed())
        # Until the first figures arrive the charts say so, not "nothing in this period".
        charts = (self.earnings_chart, self.hours_chart, self.proposals_chart, self.gigs_chart)
        self._empty_texts = {chart: chart.empty_text for chart in charts}
        for chart in charts:
            chart.empty_text = "Loading…"
        lo_day, hi_day = self.bounds()
        self.ledger_model.set_filters(Drill(day_instant(lo_day), day_instant(hi_day)).filters())
        self.reload()

    # -- layout helpers ----------------------------------------------------------------

    @staticmethod
    def _caption(text: str, buddy: QWidget | None) -> QLabel:
        label = QLabel(text)
        if buddy is not None:
            label.setBuddy(buddy)
        return label

    @staticmethod
    def _chart_over_table(chart: BarChart, panel: TablePanel) -> QSplitter:
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.setHandleWidth(12)
        split.addWidget(chart)
        split.addWidget(panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        return split

    def _add_export_button(self, key: str, panel: TablePanel) -> None:
        button = QPushButton("Export CSV…")
        button.setObjectName(f"export-{key}")
        button.setAccessibleName(f"Export {panel.model.source.title} as CSV")
        button.setFlat(True)
        button.clicked.connect(lambda _c=False, k=key: self.export_csv(k))
        top = panel.layout().itemAt(0).layout()  # type: ignore[union-attr]
        if top is not None:
            top.addWidget(button)

    # -- the period -------------------------------------------------------------------

    def period_key(self) -> str:
        return str(self.period.currentData())

    def group_key(self) -> str:
        return str(self.group.currentData())

    def set_period(self, key: str, start: date | None = None, end: date | None = None) -> None:
        """Choose a period (for "custom", `end` is the last day included)."""
        if start is not None and end is not None:
            for edit, day in ((self.from_edit, start), (self.to_edit, end)):
                edit.blockSignals(True)
                edit.setDate(QDate(day.year, day.month, day.day))
                edit.blockSignals(False)
        index = self.period.findData(key)
        if index == self.period.currentIndex():
            self.reload()
        else:
            self.period.setCurrentIndex(index)

    def set_group(self, key: str) -> None:
        index = self.group.findData(key)
        if index == self.group.currentIndex():
            self.reload()
        else:
            self.group.setCurrentIndex(index)

    def _custom_changed(self) -> None:
        if self.period_key() == "custom":
            self.reload()

    def bounds(self) -> tuple[date, date]:
        """[start, end) days of the chosen period."""
        today = self.app.clock.now().date()
        custom = self.period_key() == "custom"
        for edit in (self.from_edit, self.to_edit):
            edit.setEnabled(custom)
        start = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        assert isinstance(start, date) and isinstance(last, date)
        if custom and last < start:
            start, last = last, start
        return period_bounds(self.period_key(), today, start, last + timedelta(days=1))

    # -- figures ----------------------------------------------------------------------

    def _show_tiles(self, tiles: Sequence[Tile]) -> None:
        if getattr(self, "app", None) is None:
            super()._show_tiles(tiles)
            return
        seconds = sum(r.tracked_seconds for r in self.totals.values())
        figures: list[tuple[str, str, str]] = []
        for cur, total in sorted(self.totals.items()):
            figures.append((f"gross-{cur}", f"Gross · {cur}", f"{total.gross.decimal:,.2f}"))
            figures.append((f"net-{cur}", f"Net · {cur}", f"{total.net.decimal:,.2f}"))
            rate = total.per_hour
            figures.append(
                (
                    f"per-hour-{cur}",
                    f"Net per hour · {cur}",
                    "—" if rate is None else f"{rate.decimal:,.2f}",
                )
            )
        figures.append(("hours", "Hours tracked", format_duration(seconds)))
        self.set_tiles([(caption, value, f"tile-{name}") for name, caption, value in figures])

    def reload(self) -> None:
        """The period's figures, read on a worker thread (all-time hours and earnings
        take ~1 s on a large workspace) and drawn when they are there."""
        lo_day, hi_day = self.bounds()
        start, end = day_instant(lo_day), day_instant(hi_day)
        group = self.group_key()
        last = hi_day - timedelta(days=1)
        self.period_label.setText(
            f"up to {last:%d %b %Y}"
            if self.period_key() == "all"
            else f"{lo_day:%d %b %Y} – {last:%d %b %Y}"
        )
        reports = self.reports

        def fetch() -> tuple[ReportFigures, ReportDrawing]:
            figures = ReportFigures(
                start,
                end,
                group,
                reports.earnings(start, end, group),
                reports.hours(start, end),
                reports.proposals(start, end),
                reports.gigs(start, end),
            )
            return figures, figures.drawing()

        self.load_in_background("figures", fetch, lambda found: self.show_figures(*found))

    def show_figures(self, figures: ReportFigures, drawing: ReportDrawing | None = None) -> None:
        """Show one period's figures: the tiles and the tab shown now at once, each
        other tab's table and chart when it is shown (`tab_ready`). All four on one
        turn, with their first column sizing, took 11-24 ms on the GUI thread, and the
        page's paint after it ~25-35 ms more: over 50 ms without a frame (issue 7)."""
        drawn = drawing or figures.drawing()
        for chart, text in self._empty_texts.items():
            chart.empty_text = text
        self.start, self.end, group = figures.start, figures.end, figures.group
        group_title = dict(GROUPS)[group]
        self.earnings = list(figures.earnings)
        self.totals = earnings_totals(self.earnings)
        self.earnings_model.group_title = group_title
        self.table_panels["earnings"].title_label.setText(f"Earnings by {group_title.lower()}")
        self.earnings_chart.title = f"Net per {group_title.lower()} (click a bar for its rows)"
        self.earnings_chart.setAccessibleName(self.earnings_chart.title)
        self._drawn = drawn
        self._stale_tabs = {"earnings", "hours", "proposals", "gigs"}
        self.clear_drill()
        self._show_tiles([])
        self.tab_ready(self.current_tab)

    @property
    def current_tab(self) -> str:
        return TAB_KEYS[self.tabs.currentIndex()]

    def tab_ready(self, key: str) -> None:
        """Fill tab `key`'s table and chart with the figures shown, if they are not in
        it yet (a tab hidden when they came)."""
        drawn = self._drawn
        if key not in self._stale_tabs or drawn is None:
            return
        self._stale_tabs.discard(key)
        if key == "earnings":
            self.earnings_source.set_rows(drawn.earnings_rows)
            self.earnings_model.refresh()
            self.earnings_model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)
            self.earnings_chart.set_data(drawn.earnings_bars)
            if self.drill is not None and self.drill.key is not None:
                self.earnings_chart.select(self.drill.key, self.drill.currency or "")
        elif key == "hours":
            self.hours_source.set_rows(drawn.hours_rows)
            self.hours_model.refresh()
            self.hours_chart.set_data(*drawn.hours_bars)
        elif key == "proposals":
            self.proposals_source.set_rows(drawn.proposals_rows)
            self.proposals_model.refresh()
            self.proposals_chart.set_data(
                drawn.proposals_bars, ["Sent", "Viewed", "Interviewed", "Hired"]
            )
        elif key == "gigs":
            self.gigs_source.set_rows(drawn.gigs_rows)
            self.gigs_model.refresh()
            self.gigs_chart.set_data(*drawn.gigs_bars)

    def refresh(self) -> None:
        self.reviews_model.refresh()
        self.reload()

    # -- drill-down -------------------------------------------------------------------

    def drill_to(self, key: str, currency: str) -> None:
        """Show the ledger rows behind one group's figure (a bar, or a table row)."""
        drill = self.drill = Drill(self.start, self.end, self.group_key(), key, currency or None)
        self.ledger_model.set_filters(drill.filters())
        label = next(
            (r.label for r in self.earnings if r.key == key and r.currency == currency), key
        )

        def say() -> None:  # once the rows are read (on a worker thread)
            if self.drill is drill:
                self.drill_label.setText(
                    f"Ledger rows behind {label} · {currency}: {self.ledger_model.total} "
                    "postings (they add up to the row's gross)."
                )

        self.ledger_model.after_read(say)
        self.show_all_button.setEnabled(True)
        self.tabs.setCurrentIndex(EARNINGS_TAB)

    def _drill_selected_row(self) -> None:
        ident = self.current_id(self.models.index(self.earnings_model))
        if ident is None:
            return
        key, _bar, currency = ident.rpartition("|")
        self.earnings_chart.select(key, currency)
        self.drill_to(key, currency)

    def clear_drill(self) -> None:
        """The ledger rows behind the whole period's earnings."""
        drill = self.drill = Drill(self.start, self.end)
        self.earnings_chart.select(None)
        self.ledger_model.set_filters(drill.filters())

        def say() -> None:  # once the rows are read (on a worker thread)
            if self.drill is drill:
                self.drill_label.setText(
                    "Ledger rows behind the period's earnings: "
                    f"{self.ledger_model.total} postings. "
                    "Click a bar or a row above to see one group's."
                )

        self.ledger_model.after_read(say)
        self.show_all_button.setEnabled(False)

    # -- export -----------------------------------------------------------------------

    def export_csv(self, table: str, path: str | None = None) -> int | None:
        """Write one table ("earnings", "ledger", "hours", "proposals", "gigs",
        "reviews") as it is shown — filtered, sorted, drilled — to CSV."""
        self.tab_ready(table)
        count = export_model_csv(self, self.tables[table], path)
        if count is not None:
            self.show_message(f"Exported {count} rows")
        return count

    def export_current(self) -> int | None:
        return self.export_csv(self.current_tab)


def _earnings_categories(rows: Sequence[EarningsRow], group: str) -> list[Category]:
    cats: dict[str, Category] = {}
    if group == "month" and rows:  # every month of the span, hours-only ones too
        keys = sorted(r.key for r in rows)
        cursor = date.fromisoformat(f"{keys[0]}-01")
        while (key := f"{cursor:%Y-%m}") <= keys[-1]:
            cats[key] = Category(key, f"{cursor:%b %y}", {}, {})
            cursor = (cursor + timedelta(days=32)).replace(day=1)
    for r in rows:
        if not r.gross and not r.net:
            continue  # hours only: nothing to draw
        label = r.label
        if group == "month":
            year, month = r.key.split("-")
            label = date(int(year), int(month), 1).strftime("%b %y")
        elif group == "platform":
            label = r.label.title() if r.label == r.key else r.label
        cat = cats.setdefault(r.key, Category(r.key, label or "(none)", {}, {}))
        cat.values[r.currency] = float(r.net.decimal)
        rate = f", {r.per_hour}/h" if r.per_hour is not None else ""
        cat.texts[r.currency] = f"net {r.net} (gross {r.gross}, fees {r.fees}{rate})"
    ordered = list(cats.values())
    if group in ("client", "platform"):
        ordered.sort(key=lambda c: -max(c.values.values(), default=0))
    return ordered


def _hours_categories(rows: Sequence[HoursRow]) -> tuple[list[Category], list[str]]:
    """One stacked bar per week, a series per contract or order (titles shortened; the
    same title twice gets its client)."""
    titles: dict[str, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.target_id not in titles:
            seen[_short(r.title)] += 1
            titles[r.target_id] = _short(r.title)
    for r in rows:
        if seen[titles[r.target_id]] > 1:
            titles[r.target_id] = _short(f"{r.title} ({r.client})")
    totals: dict[str, int] = defaultdict(int)
    for r in rows:
        totals[titles[r.target_id]] += r.tracked_seconds
    series = sorted(totals, key=lambda name: -totals[name])
    weeks: dict[date, Category] = {}
    for r in rows:
        cat = weeks.setdefault(
            r.week_start, Category(r.week_start.isoformat(), f"{r.week_start:%d %b}", {}, {})
        )
        name = titles[r.target_id]
        cat.values[name] = cat.values.get(name, 0.0) + _hours(r.tracked_seconds)
        cat.texts[name] = f"{name}: {format_duration(int(cat.values[name] * 3600))} h"
    return [weeks[w] for w in sorted(weeks)], series


def _proposal_categories(rows: Sequence[ProposalsRow]) -> list[Category]:
    cats = []
    for r in rows:
        if r.key == "all":
            continue
        year, month = r.key.split("-")
        counts = {
            "Sent": r.sent,
            "Viewed": r.viewed,
            "Interviewed": r.interviewed,
            "Hired": r.hired,
        }
        cats.append(
            Category(
                r.key,
                date(int(year), int(month), 1).strftime("%b %y"),
                {k: float(v) for k, v in counts.items()},
                {k: f"{v} {k.lower()}" for k, v in counts.items()},
            )
        )
    return cats


def _gig_categories(rows: Sequence[GigRow]) -> tuple[list[Category], list[str]]:
    """A bar per package and per extra, coloured by its gig (a series per gig and
    currency, so each bar holds one amount in one currency)."""
    currencies = {r.currency for r in rows}
    cats: list[Category] = []
    series: list[str] = []
    for r in rows:
        if r.level == "gig":
            continue
        name = _short(r.gig.removeprefix("I will ").capitalize())
        if len(currencies) > 1:
            name = f"{name} · {r.currency}"
        if name not in series:
            series.append(name)
        rate = f"{r.per_hour}/h real" if r.per_hour is not None else "no tracked time"
        cats.append(
            Category(
                f"{r.gig_id}|{r.level}|{r.key}|{r.currency}",
                ("+ " if r.level == "extra" else "") + r.label,
                {name: float(r.net.decimal)},
                {name: f"{r.gig}: net {r.net}, {r.orders} orders, {rate}"},
            )
        )
    return cats, series


# -- screenshots ---------------------------------------------------------------------------


def dark_palette() -> QPalette:
    """The app's dark palette (as `apply_theme("dark")` sets it), for a preview."""
    from freelancer_desk.ui.desktop import _DARK

    palette = QPalette(QApplication.palette())
    for role, colour in _DARK.items():
        palette.setColor(role, colour)
    for role in (
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
        QPalette.ColorRole.WindowText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, "#6f7176")
    return palette


def screenshot_extras(page: AreaPage, out_dir: Path) -> list[Path]:
    """The report by month with a bar drilled down, the hours, proposals and gigs tabs,
    and the report in the dark palette, as reports-*.png in `out_dir`."""
    if not isinstance(page, ReportsPage):
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    window = page.window()

    def shot(name: str, prepare: Callable[[], None], widget: QWidget = window) -> None:
        prepare()
        page.wait_loaded()  # the period's figures are read on a worker thread
        path = out_dir / f"reports-{name}.png"
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        paths.append(path)

    period, group = page.period_key(), page.group_key()
    try:
        page.set_period("all")

        def by_month() -> None:
            page.set_group("month")
            page.wait_loaded()
            bars = page.earnings_chart.bar_rects()
            if bars:
                _rect, key, series = bars[-1]
                page.earnings_chart.select(key, series)
                page.drill_to(key, series)

        shot("by-month", by_month)
        shot("hours", lambda: page.tabs.setCurrentIndex(HOURS_TAB))
        shot("proposals", lambda: page.tabs.setCurrentIndex(PROPOSALS_TAB))
        shot("gigs", lambda: page.tabs.setCurrentIndex(GIGS_TAB))

        def dark() -> None:
            page.set_group("client")
            page.tabs.setCurrentIndex(EARNINGS_TAB)
            page.setPalette(dark_palette())
            page.setAutoFillBackground(True)

        try:  # the page alone: the sidebar keeps the palette it was polished with
            shot("dark", dark, page)
            shot("dark-hours", lambda: page.tabs.setCurrentIndex(HOURS_TAB), page)
        finally:
            page.setPalette(QPalette())
            page.setAutoFillBackground(False)
    finally:
        page.tabs.setCurrentIndex(EARNINGS_TAB)
        page.group.setCurrentIndex(page.group.findData(group))
        page.set_period(period)
    return paths
