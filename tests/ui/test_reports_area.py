"""The Reports area on a real App with the demo: the period and the grouping change what
it shows, its totals equal an independent sum over the ledger rows, a bar drills the
ledger down to its rows, every table exports to CSV, the charts draw."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from sqlalchemy import select

from freelancer_desk.app import App, AppBackend, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction
from freelancer_desk.ui.areapage import AreaPage
from freelancer_desk.ui.areas.reports import (
    EARNINGS_TAB,
    GIGS_TAB,
    HOURS_TAB,
    PROPOSALS_TAB,
    TAB_KEYS,
)
from freelancer_desk.ui.mainwindow import AREAS
from tests.ui.fakes import demo_backend

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
EARNED = ("fees", "pending", "available", "withdrawn")
AREA = next(a for a in AREAS if a.key == "reports")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    # The page only reads, so one demo serves every test of this module.
    path = tmp_path_factory.mktemp("reports-area") / "ws"
    application = App.open(resolve_location(str(path)), FakeClock(NOW))
    application.create_demo()
    yield application
    application.close()


@pytest.fixture
def page(qtbot, app):
    from freelancer_desk.ui.areas.reports import build_page

    widget = build_page(AREA, AppBackend(app))
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    qtbot.waitExposed(widget)

    # The figures are read on a worker thread: wait for them after the first show and
    # after every change of period or grouping, as a user's eye does.
    def settle() -> None:
        qtbot.waitUntil(lambda: not widget.is_loading, timeout=20_000)

    def waiting(change):
        def changed(*args, **kwargs):
            change(*args, **kwargs)
            settle()

        return changed

    widget.set_period = waiting(widget.set_period)
    widget.set_group = waiting(widget.set_group)
    settle()
    return widget


def independent_sums(app, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """(gross, fees) per currency: the earned postings of [start, end), summed here."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with app.db.read() as s:
        rows = s.execute(
            select(
                LedgerTransaction.occurred_at,
                LedgerPosting.account_kind,
                LedgerPosting.currency,
                LedgerPosting.amount_minor,
            ).join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        ).all()
    for at, kind, cur, amount in rows:
        if kind in EARNED and start <= at.replace(tzinfo=at.tzinfo or UTC) < end:
            sums[cur][0] += amount
            sums[cur][1] += amount if kind == "fees" else 0
    return {cur: (g, f) for cur, (g, f) in sums.items() if (g, f) != (0, 0)}


def shown_totals(page) -> dict[str, tuple[int, int]]:
    return {
        cur: (t.gross.amount, t.fees.amount)
        for cur, t in page.totals.items()
        if (t.gross.amount, t.fees.amount) != (0, 0)
    }


def distinct_colours(widget) -> int:
    image: QImage = widget.grab().toImage()
    return len(
        {image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    )


def test_read_only_backend_gets_the_plain_page(qtbot, tmp_path):
    from freelancer_desk.ui.areas.reports import ReportsPage, build_page

    widget = build_page(AREA, demo_backend(tmp_path))
    qtbot.addWidget(widget)
    assert isinstance(widget, AreaPage) and not isinstance(widget, ReportsPage)


@pytest.mark.parametrize("period", ["this-month", "last-month", "this-year", "all"])
def test_totals_equal_an_independent_sum_over_the_ledger(page, app, period):
    page.set_period(period)
    assert shown_totals(page) == independent_sums(app, page.start, page.end)
    for cur, total in page.totals.items():
        assert total.net == total.gross - total.fees
        tile = next(t for t in page._tiles if t.objectName() == f"tile-net-{cur}")
        assert tile.value_label.text() == f"{total.net.decimal:,.2f}"


def test_the_period_changes_the_totals(page):
    page.set_period("all")
    everything = shown_totals(page)
    page.set_period("this-month")
    november = shown_totals(page)
    page.set_period("last-month")
    october = shown_totals(page)
    assert november and october and everything
    assert november != everything and october != november
    assert everything["USD"][0] == november["USD"][0] + october["USD"][0]  # Oct–Nov only
    page.set_period("last-year")
    assert shown_totals(page) == {}
    assert page.earnings_model.total == 0
    page.set_period("custom", date(2026, 11, 1), date(2026, 11, 30))
    assert shown_totals(page) == november
    assert page.start == datetime(2026, 11, 1, tzinfo=UTC)
    assert page.end == datetime(2026, 12, 1, tzinfo=UTC)


def test_grouping_changes_the_rows(page):
    page.set_period("all")
    keys = {}
    for group in ("client", "platform", "month", "year"):
        page.set_group(group)
        rows = page.earnings_source.rows
        keys[group] = {(r["key"], r["currency"]) for r in rows}
        assert page.earnings_model.total == len(rows) > 0
        assert page.earnings_model.headerData(0, Qt.Orientation.Horizontal) == group.title()
    assert {k for k, _c in keys["month"]} == {"2026-09", "2026-10", "2026-11"}
    assert {k for k, _c in keys["year"]} == {"2026"}
    assert {k for k, _c in keys["platform"]} >= {"upwork", "fiverr"}
    assert len(keys["client"]) > len(keys["platform"])
    # Never added across currencies: one row per group and currency.
    assert ("2026-11", "EUR") in keys["month"] and ("2026-11", "USD") in keys["month"]
    labels = [c.label for c in page.earnings_chart.categories]
    page.set_group("month")
    assert [c.label for c in page.earnings_chart.categories] == ["Sep 26", "Oct 26", "Nov 26"]
    assert labels != [c.label for c in page.earnings_chart.categories]


def test_group_totals_are_the_same_for_every_grouping(page, app):
    page.set_period("this-year")
    expected = independent_sums(app, page.start, page.end)
    for group in ("client", "platform", "month", "year"):
        page.set_group(group)
        assert shown_totals(page) == expected


def test_clicking_a_bar_filters_the_drill_down(page, qtbot):
    page.set_period("all")
    page.set_group("month")
    qtbot.wait(10)
    everything = page.ledger_model.total
    bars = page.earnings_chart.bar_rects()
    assert bars
    rect, key, currency = next(b for b in bars if b[1] == "2026-11" and b[2] == "USD")
    qtbot.mouseClick(page.earnings_chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert page.drill is not None and (page.drill.key, page.drill.currency) == (key, currency)
    qtbot.waitUntil(lambda: not page.is_loading)  # the ledger rows: a worker thread
    shown = page.ledger_model.total
    assert 0 < shown < everything
    rows = page.ledger_model.source.fetch(page.ledger_model.query, 0, shown)
    row = next(r for r in page.earnings if r.key == key and r.currency == currency)
    assert sum(r["amount"].amount for r in rows) == row.gross.amount
    assert all(r["amount"].currency == currency for r in rows)
    assert all(r["occurred_at"].strftime("%Y-%m") == key for r in rows)
    assert "2026-11" in page.drill_label.text()
    assert f": {shown} postings" in page.drill_label.text()  # the count once read
    page.clear_drill()
    qtbot.waitUntil(lambda: not page.is_loading)
    assert page.ledger_model.total == everything
    assert f"earnings: {everything} postings" in page.drill_label.text()


def test_selecting_a_row_drills_too(page):
    page.set_period("all")
    page.set_group("client")
    target = page.earnings_source.rows[0]
    page.table_panels["earnings"].view.selectRow(0)
    assert page.drill is not None
    assert (page.drill.key, page.drill.currency) == (target["key"], target["currency"])
    rows = page.ledger_model.source.fetch(page.ledger_model.query, 0, 10_000)
    assert sum(r["amount"].amount for r in rows) == target["gross"].amount


@pytest.mark.parametrize("table", ["earnings", "ledger", "hours", "proposals", "gigs", "reviews"])
def test_csv_export_writes_the_rows(page, qtbot, tmp_path, table):
    page.set_period("all")
    # The table as shown: a hidden tab's rows are read when it is shown.
    page.tabs.setCurrentIndex(TAB_KEYS.index(table) if table in TAB_KEYS else EARNINGS_TAB)
    qtbot.waitUntil(lambda: not page.is_loading, timeout=20_000)
    out = tmp_path / f"{table}.csv"
    count = page.export_csv(table, str(out))
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    model = page.tables[table]
    assert count == model.total == len(rows) - 1
    assert count > 0
    if table == "earnings":
        header = rows[0]
        assert {"gross", "gross_currency", "net", "hours_hours"} <= set(header)
        by_cur: dict[str, int] = defaultdict(int)
        for line in rows[1:]:
            cur = line[header.index("gross_currency")]
            by_cur[cur] += round(float(line[header.index("gross")]) * 100)
        assert {c: g for c, g in by_cur.items() if g} == {
            c: g for c, (g, _f) in shown_totals(page).items()
        }


def test_the_charts_render_non_blank(page, qtbot):
    page.set_period("all")
    for index, chart in enumerate(page.charts):
        page.tabs.setCurrentIndex(index)
        qtbot.wait(10)
        assert any(c.values for c in chart.categories), chart.objectName()
        assert distinct_colours(chart) > 8, chart.objectName()
        assert chart.bar_rects(), chart.objectName()


def test_hours_gigs_and_proposals_tables(page, app):
    page.set_period("all")
    # A hidden tab gets the period's figures when it is shown, as a user sees them.
    for tab in (HOURS_TAB, PROPOSALS_TAB, GIGS_TAB):
        page.tabs.setCurrentIndex(tab)
    hours = page.reports.hours(page.start, page.end)
    assert page.hours_model.total == len(hours)
    assert sum(r["tracked"] for r in page.hours_source.rows) == sum(
        r.tracked_seconds for r in hours
    )
    proposals = {r["id"]: r for r in page.proposals_source.rows}
    assert proposals["all"]["sent"] == sum(v["sent"] for k, v in proposals.items() if k != "all")
    levels = {r["level"] for r in page.gigs_source.rows}
    assert {"gig", "package", "extra"} <= levels


def test_screenshot_extras(page, tmp_path):
    from freelancer_desk.ui.areas.reports import screenshot_extras

    paths = screenshot_extras(page, tmp_path)
    names = {p.name for p in paths}
    assert {"reports-by-month.png", "reports-gigs.png", "reports-dark.png"} <= names
    assert all(p.stat().st_size > 5000 for p in paths)
    assert page.period_key() == "this-year" and page.group_key() == "client"


def test_a_tab_hidden_when_the_figures_came_shows_them_when_shown(page):
    page.set_period("all")
    page.tabs.setCurrentIndex(HOURS_TAB)
    all_time = page.hours_model.total
    assert all_time > 0
    page.set_group("month")  # the earnings tab is hidden meanwhile
    page.set_period("last-year")  # nothing tracked then: the hours tab empties at once
    assert page.hours_model.total == 0 and page.hours_chart.categories == []
    page.tabs.setCurrentIndex(EARNINGS_TAB)
    assert page.earnings_model.total == 0
    page.set_period("all")
    assert {r["key"] for r in page.earnings_source.rows} == {"2026-09", "2026-10", "2026-11"}
    assert [c.label for c in page.earnings_chart.categories] == ["Sep 26", "Oct 26", "Nov 26"]
    page.tabs.setCurrentIndex(HOURS_TAB)
    assert page.hours_model.total == all_time
