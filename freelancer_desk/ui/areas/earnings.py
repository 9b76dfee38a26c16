"""Earnings: balances per currency, when pending money becomes available, net per
month (click a bar to see the ledger rows behind it), the ledger and the invoices, with
invoice actions and CSV export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from freelancer_desk.app import App
from freelancer_desk.domain.money import Money
from freelancer_desk.services.ledger import CalendarDay, EarningsRow, PendingLot
from freelancer_desk.services.reports import Drill, ReportService, day_instant, ledger_source
from freelancer_desk.ui.areapage import Area, AreaPage, TablePanel, app_of, muted
from freelancer_desk.ui.backend import Backend, Tile
from freelancer_desk.ui.charts import BarChart, Category
from freelancer_desk.ui.forms import FormDialog, report
from freelancer_desk.ui.report_tables import export_model_csv
from freelancer_desk.ui.tablemodel import ListModel

MONTHS_SHOWN = 12
TIMELINE_DAYS = 60


def build_page(area: Area, backend: Backend) -> AreaPage:
    app = app_of(backend)
    if app is None:  # the read-only fake backend of the UI tests
        return AreaPage(area, backend)
    return EarningsPage(area, backend, app)


def reports_of(app: App) -> ReportService:
    found = getattr(app, "reports", None)
    return (
        found if isinstance(found, ReportService) else ReportService(app.db, app.clock, app.ledger)
    )


@dataclass(frozen=True)
class EarningsFigures:
    """What the page draws above its tables, read on a worker thread."""

    now: datetime
    balances: dict[str, dict[str, Money]]
    lots: list[PendingLot]
    first_month: date
    months: list[EarningsRow]
    calendar: list[CalendarDay]


class EarningsPage(AreaPage):
    SUMMARY_TILES = False  # the balances per currency are drawn here

    def __init__(self, area: Area, backend: Backend, app: App) -> None:
        # The plain page builds the invoices table; the ledger table, which takes
        # drill-down filters, is built here over the drill-aware source and goes first.
        super().__init__(replace(area, sources=("invoices",)), backend)
        self.app = app
        self.reports = reports_of(app)

        self.ledger_model = ListModel(ledger_source(app.db), parent=self, background=True)
        self.ledger_model.totalChanged.connect(self._model_arrived)
        self.ledger_panel = TablePanel(self.ledger_model)
        self.splitter.insertWidget(0, self.ledger_panel)
        self.models.insert(0, self.ledger_model)
        self.panels.insert(0, self.ledger_panel)
        self.ledger_panel.view.selectionModel().selectionChanged.connect(
            lambda *_a: self.selectionChanged.emit(0)
        )
        self.invoice_model = self.models[1]

        self.month_chart = BarChart("Net per month (click a bar for its ledger rows)")
        self.month_chart.setObjectName("chart-net-per-month")
        self.month_chart.barClicked.connect(self.drill_month)
        self.timeline = BarChart(
            f"Becomes available in the next {TIMELINE_DAYS} days", label_every=7
        )
        self.timeline.setObjectName("chart-cash-flow")
        self.timeline.empty_text = "Nothing pending."
        charts = QWidget()
        row = QHBoxLayout(charts)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.month_chart, 3)
        row.addWidget(self.timeline, 2)
        self.splitter.insertWidget(0, charts)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)

        self.next_label = muted(QLabel())
        self.next_label.setWordWrap(True)
        self.next_label.setAccessibleName("Next available dates")
        self.drill_label = muted(QLabel())
        self.drill_label.setAccessibleName("Drill-down")
        layout = self.layout()
        assert layout is not None
        index = layout.indexOf(self.splitter)
        layout.insertWidget(index, self.next_label)  # type: ignore[attr-defined]
        layout.insertWidget(index + 1, self.drill_label)  # type: ignore[attr-defined]

        self.add_action("&New invoice…", self.new_invoice, shortcut="Ctrl+N")
        self.add_action("&Issue", self.issue_invoice)
        self.add_action("Mark &paid", self.mark_paid)
        self.add_action("&Void", self.void_invoice)
        self.add_action("Save &PDF…", self.save_pdf)
        self.add_action("Export ledger CSV…", lambda: self.export_csv(0))
        self.add_action("Export invoices CSV…", lambda: self.export_csv(1))
        self.show_all_button = self.add_action("Show all ledger rows", self.clear_drill)
        self.drill: Drill | None = None
        self.reload()

    # -- figures ---------------------------------------------------------------------

    def _show_tiles(self, tiles: Sequence[Tile]) -> None:
        if getattr(self, "app", None) is None:
            super()._show_tiles(tiles)
        # The balances come with the other figures (`reload`, off the GUI thread).

    def _show_balances(self, balances: dict[str, dict[str, Money]]) -> None:
        currencies = sorted({c for kinds in balances.values() for c in kinds})
        figures = []
        for cur in currencies or ["USD"]:
            for kind, caption in (
                ("escrow", "In escrow"),
                ("pending", "Pending"),
                ("available", "Available"),
                ("withdrawn", "Withdrawn"),
            ):
                money = balances.get(kind, {}).get(cur, Money.zero(cur))
                figures.append(
                    (f"{caption} · {cur}", f"{money.decimal:,.2f}", f"tile-{kind}-{cur}")
                )
        self.set_tiles(figures)

    def fetch_figures(self) -> EarningsFigures:
        """Balances, what is pending, net per month and the next days' calendar (the
        ledger's slow reads: a worker thread calls this)."""
        app, now = self.app, self.app.clock.now()
        first = date(now.year, now.month, 1)
        for _ in range(MONTHS_SHOWN - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        start = now.date()
        return EarningsFigures(
            now=now,
            balances=app.ledger.balances(),
            lots=list(app.ledger.pending_schedule(now)),
            first_month=first,
            months=list(
                self.reports.earnings(day_instant(first), now + timedelta(seconds=1), "month")
            ),
            calendar=list(app.ledger.calendar(start, start + timedelta(days=TIMELINE_DAYS))),
        )

    def reload(self) -> None:
        """Read the figures on a worker thread, draw them when they are there."""
        if not self._tiles:
            self.next_label.setText("Loading balances and what becomes available…")
            for chart in (self.month_chart, self.timeline):
                chart.empty_text = "Loading…"
                chart.update()
        self.load_in_background("figures", self.fetch_figures, self.show_figures)

    def show_figures(self, figures: EarningsFigures) -> None:
        now, lots = figures.now, figures.lots
        self.month_chart.empty_text = "Nothing earned in these months."
        self.timeline.empty_text = "Nothing pending."
        self._show_balances(figures.balances)
        upcoming: dict[tuple[date, str], int] = {}
        for lot in lots:
            if lot.available_at is None:
                continue
            when = (lot.available_at.date(), lot.remaining.currency)
            upcoming[when] = upcoming.get(when, 0) + lot.remaining.amount
        parts = [
            f"{day.strftime('%d %b')}: {Money(amount, cur)}"
            for (day, cur), amount in sorted(upcoming.items())[:6]
        ]
        self.next_label.setText(
            "Next available — " + " · ".join(parts) if parts else "Nothing pending."
        )
        # Net per month over the last twelve months.
        first, rows = figures.first_month, figures.months
        months: dict[str, Category] = {}
        cursor = first
        while cursor <= now.date():
            key = cursor.strftime("%Y-%m")
            months[key] = Category(key, cursor.strftime("%b %y"), {}, {})
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        for row in rows:
            cat = months.get(row.key)
            if cat is None or (not row.gross and not row.net):
                continue
            cat.values[row.currency] = float(row.net.decimal)
            cat.texts[row.currency] = f"net {row.net} (gross {row.gross}, fees {row.fees})"
        self.month_chart.set_data(list(months.values()))
        # What becomes available per day, the next sixty days.
        start = now.date()
        by_day = {d.day: d for d in figures.calendar}
        days = []
        for offset in range(TIMELINE_DAYS):
            day = start + timedelta(days=offset)
            found = by_day.get(day)
            values = {c: float(m.decimal) for c, m in found.totals.items()} if found else {}
            texts = {c: str(m) for c, m in found.totals.items()} if found else {}
            days.append(Category(day.isoformat(), day.strftime("%d %b"), values, texts))
        self.timeline.set_data(days)

    def refresh(self) -> None:
        super().refresh()
        self.reload()

    # -- drill-down ------------------------------------------------------------------

    def drill_month(self, key: str, currency: str) -> None:
        year, month = (int(p) for p in key.split("-"))
        lo = datetime(year, month, 1, tzinfo=UTC)
        hi = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        drill = self.drill = Drill(lo, hi, "month", key, currency or None)
        self.ledger_model.set_filters(drill.filters())

        def say() -> None:  # once the rows are read (on a worker thread)
            if self.drill is drill:
                self.drill_label.setText(
                    f"Ledger: the earned postings behind {key} {currency} "
                    f"({self.ledger_model.total} rows). “Show all ledger rows” clears this."
                )

        self.ledger_model.after_read(say)

    def clear_drill(self) -> None:
        self.drill = None
        self.month_chart.select(None)
        self.ledger_model.set_filters({})
        self.drill_label.setText("")

    # -- invoices --------------------------------------------------------------------

    def _invoice_id(self) -> str | None:
        ident = self.current_id(1)
        if ident is None:
            self.show_message("Select an invoice first.")
        return ident

    def issue_invoice(self) -> None:
        ident = self._invoice_id()
        if ident and report(self, lambda: self.app.invoices.issue(ident)) is not None:
            self.refresh()

    def mark_paid(self) -> None:
        ident = self._invoice_id()
        if ident and report(self, lambda: self.app.invoices.mark_paid(ident)) is not None:
            self.refresh()

    def void_invoice(self) -> None:
        ident = self._invoice_id()
        if ident and report(self, lambda: self.app.invoices.void(ident)) is not None:
            self.refresh()

    def save_pdf(self, path: str | None = None) -> str | None:
        ident = self._invoice_id()
        if ident is None:
            return None
        doc = report(self, lambda: self.reports.invoice_document(ident))
        if doc is None:
            return None
        if path is None:
            name = f"invoice-{doc['number'] or 'draft'}.pdf"
            path, _f = QFileDialog.getSaveFileName(self, "Save invoice PDF", name, "PDF (*.pdf)")
            if not path:
                return None
        from freelancer_desk.pdf import write_invoice_pdf

        write_invoice_pdf(doc, path)
        self.show_message(f"Saved {path}")
        return path

    def export_csv(self, panel: int, path: str | None = None) -> int | None:
        count = export_model_csv(self, self.models[panel], path)
        if count is not None:
            self.show_message(f"Exported {count} rows")
        return count

    def new_invoice(self) -> None:
        dialog = NewInvoiceDialog(self.app, self)
        if dialog.exec():
            self.refresh()


class NewInvoiceDialog(FormDialog):
    """A draft for a direct client: lines typed as "description | qty | price", or the
    tracked time of one of the client's hourly contracts in a period."""

    def __init__(self, app: App, parent: QWidget | None = None) -> None:
        super().__init__("New invoice", parent)
        self.app = app
        from sqlalchemy import select

        from freelancer_desk.storage.models import Client, Contract

        with app.db.read() as s:
            clients = s.execute(
                select(Client.id, Client.name)
                .where(Client.platform == "direct")
                .order_by(Client.name)
            ).all()
            contracts = s.execute(
                select(Contract.id, Contract.title, Contract.client_id).where(
                    Contract.platform == "direct", Contract.kind == "hourly"
                )
            ).all()
        self.client = QComboBox()
        for cid, name in clients:
            self.client.addItem(name, str(cid))
        self.add_field("client", "&Client", self.client, "Invoices are for direct clients.")
        self.source = QComboBox()
        self.source.addItem("Lines I type", "lines")
        self.source.addItem("Tracked time on a contract", "time")
        self.add_field("source", "&From", self.source)
        self.lines = QPlainTextEdit()
        self.lines.setPlaceholderText("Design review | 2.5 | 85.00\nHosting setup | 1 | 120")
        self.add_field("lines", "&Lines", self.lines, "One per line: description | qty | price")
        self.contract = QComboBox()
        for cid, title, _client in contracts:
            self.contract.addItem(title, str(cid))
        self.add_field("contract", "C&ontract", self.contract)
        today = app.clock.now().date()
        self.start = QDateEdit(QDate(today.year, today.month, 1))
        self.start.setCalendarPopup(True)
        self.end = QDateEdit(QDate(today.year, today.month, today.day))
        self.end.setCalendarPopup(True)
        self.add_field("period_start", "From &day", self.start)
        self.add_field("period_end", "&To day (included)", self.end)
        self.terms = QSpinBox()
        self.terms.setRange(-1, 365)
        self.terms.setSpecialValueText("the client's terms")
        self.terms.setValue(-1)
        self.add_field("terms_days", "&Net days", self.terms)
        self.created: dict[str, object] | None = None

    def accept(self) -> None:
        from freelancer_desk.services.invoices import LineInput

        terms = None if self.terms.value() < 0 else self.terms.value()
        if self.source.currentData() == "time":
            start = day_instant(self.start.date().toPython())  # type: ignore[arg-type]
            end = day_instant(self.end.date().toPython()) + timedelta(days=1)  # type: ignore[arg-type]
            contract = self.contract.currentData()
            result = self.run_service(
                lambda: self.app.invoices.create_from_time(contract, start, end, terms_days=terms)
            )
        else:
            client = self.client.currentData()

            def create() -> dict[str, object]:
                from decimal import Decimal, InvalidOperation

                from freelancer_desk.domain.errors import RuleError
                from freelancer_desk.services.common import find
                from freelancer_desk.storage.models import Client

                with self.app.db.read() as s:
                    currency = find(s, Client, client, what="client").currency
                lines = []
                for text in self.lines.toPlainText().splitlines():
                    if not text.strip():
                        continue
                    parts = [p.strip() for p in text.split("|")]
                    try:
                        description, qty, price = parts
                        milli = int(Decimal(qty) * 1000)
                    except (ValueError, InvalidOperation):
                        raise RuleError(
                            "invoice.line",
                            f"lines: {text!r} is not description | qty | price",
                            field="lines",
                        ) from None
                    unit = Money.parse(price, currency, field="lines")
                    lines.append(LineInput(description, milli, unit.amount))
                return self.app.invoices.create_draft(client, lines=lines, terms_days=terms)

            result = self.run_service(create)
        if result is not None:
            self.created = result
            super().accept()
