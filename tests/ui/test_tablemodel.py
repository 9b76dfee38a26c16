"""The paged table model: what it shows, what it asks the source for, and that it
keeps Qt's model rules (pytest-qt's model tester)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QLocale, QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from freelancer_desk.domain.money import Money
from freelancer_desk.services.listing import Column
from freelancer_desk.ui.tablemodel import (
    RAW_ROLE,
    ListModel,
    format_duration,
    format_money,
    format_percent,
    format_value,
)
from tests.ui.fakes import BIG_COLUMNS, big_source, demo_data

US = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def column_of(model: ListModel, key: str) -> int:
    return next(i for i in range(model.columnCount()) if model.column(i).key == key)


@pytest.mark.parametrize("key", sorted(demo_data()[0]))
def test_every_demo_source_passes_the_model_tester(qtmodeltester, key):
    model = ListModel(demo_data()[0][key], page_size=7, locale=US)
    # Qt's C++ tester (pytest-qt's default). The pure-Python one (force_py=True) also
    # passes, but under PySide6 6.12 it leaves a refcount fault that aborts the
    # interpreter at exit.
    qtmodeltester.check(model)


def test_a_big_source_passes_the_model_tester_while_paging(qtmodeltester):
    # Qt's own tester: it stays connected and checks every change below as it happens
    # (the pure-Python one cannot follow a fetchMore() nested in a reset).
    model = ListModel(big_source(2_000), page_size=50, locale=US)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    model.sort(column_of(model, "amount"), Qt.SortOrder.DescendingOrder)
    model.set_filter_text("alpha")
    model.refresh()
    assert model.total == 667


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(123450, "USD"), "$1,234.50"),
        (Money(-5000, "USD"), "($50.00)"),
        (Money(99, "EUR"), "€0.99"),
        (Money(1500, "JPY"), "¥1,500"),
        (Money(123450, "CAD"), "CAD\u00a01,234.50"),
        (Money(1234, "KWD"), "KWD\u00a01.234"),
    ],
)
def test_money_shows_its_currency(money, text):
    assert format_money(money, US) == text


def test_a_foreign_dollar_is_not_shown_as_the_local_one():
    canada = QLocale(QLocale.Language.English, QLocale.Country.Canada)
    assert format_money(Money(100, "USD"), canada).startswith("USD")
    assert format_money(Money(100, "CAD"), canada) == "$1.00"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0:00"), (59, "0:00"), (3725, "1:02"), (36_000, "10:00"), (-600, "-0:10")],
)
def test_durations_read_as_hours_and_minutes(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("bp", "text"), [(1000, "10%"), (1250, "12.5%"), (1225, "12.25%"), (0, "0%")]
)
def test_percent_from_basis_points(bp, text):
    assert format_percent(bp, US) == text


def test_datetimes_are_shown_in_local_time():
    instant = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    text = format_value(instant, Column("t", "T", "datetime"), US)
    assert "3/2/26" in text or "3/3/26" in text or "3/1/26" in text
    assert format_value(None, Column("t", "T", "datetime"), US) == ""


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        ("awaiting_requirements", "Awaiting requirements"),
        ("in_progress", "In progress"),
        ("draft", "Draft"),
        ("changes_requested", "Changes requested"),
        ("", ""),
    ],
)
def test_workflow_states_are_shown_as_words(state, shown):
    assert format_value(state, Column("state", "State", "state"), US) == shown
    assert format_value(state, Column("memo", "Memo"), US) == state  # text stays as is


def test_roles_give_id_raw_value_and_number_alignment():
    source = big_source(10)
    model = ListModel(source, locale=US)
    amount = model.index(1, column_of(model, "amount"))
    name = model.index(1, column_of(model, "name"))
    assert model.data(amount, Qt.ItemDataRole.UserRole) == source.rows[1]["id"]
    assert model.data(amount, RAW_ROLE) == source.rows[1]["amount"]
    assert model.data(amount) == "$79.19"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    assert model.data(amount, Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.data(name, Qt.ItemDataRole.TextAlignmentRole) != right
    assert model.headerData(0, Qt.Orientation.Horizontal) == BIG_COLUMNS[0].title


def test_opening_and_scrolling_a_huge_table_fetches_only_a_few_pages(qtbot):
    source = big_source(100_000)
    model = ListModel(source, locale=US)
    assert model.total == 100_000
    assert model.rowCount() == 200
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(800, 400)
    with qtbot.waitExposed(view):
        view.show()
    for _ in range(3):
        view.scrollToBottom()
        qtbot.wait(1)
    assert 200 < model.rowCount() <= 1_000
    assert source.rows_fetched == model.rowCount()
    assert all(limit <= 200 for _, limit in source.fetches)


def test_sorting_asks_the_source_and_restarts_from_the_first_page():
    source = big_source(5_000)
    model = ListModel(source, locale=US)
    model.fetchMore(QModelIndex())
    n = column_of(model, "n")
    model.sort(n, Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "n" and not model.query.descending
    assert source.fetches[-1] == (0, 200)
    values = [model.data(model.index(r, n), RAW_ROLE) for r in range(model.rowCount())]
    assert values == sorted(values) and values[0] == 1
    model.sort(n, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(0, n), RAW_ROLE) == 5_000
    model.sort(-1)
    assert model.query.sort is None
    assert model.data(model.index(0, n), RAW_ROLE) == 5_000  # the source's own order


def test_an_unsortable_column_keeps_the_current_order():
    source = big_source(100)
    model = ListModel(source, locale=US)
    calls = len(source.fetches)
    model.sort(column_of(model, "note"), Qt.SortOrder.AscendingOrder)
    assert model.query.sort is None
    assert len(source.fetches) == calls


def test_filter_text_requeries_and_reports_the_new_total(qtbot):
    source = big_source(3_000)
    model = ListModel(source, locale=US)
    with qtbot.waitSignal(model.totalChanged) as blocker:
        model.set_filter_text("  ALPHA ")
    assert blocker.args == [1_000]
    assert model.query.text == "ALPHA"
    names = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
    assert names and all("alpha" in name for name in names)
    model.set_filter_text("nothing like this")
    assert model.total == 0 and model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


def test_exact_filters_go_to_the_source():
    source = big_source(100)
    model = ListModel(source, locale=US)
    model.set_filters({"paid": "True"})
    assert model.total == 50


def test_refresh_keeps_the_rows_already_shown():
    source = big_source(1_000)
    model = ListModel(source, locale=US)
    model.fetchMore(QModelIndex())
    source.rows.insert(0, dict(source.rows[5], id="new", name="Row new"))
    source._cache = None
    model.refresh()
    assert model.rowCount() == 400
    assert model.row_id(0) == "new"
    assert model.total == 1_001


class _GatedSource:
    """A source whose count waits for a gate (a slow count on a worker thread)."""

    def __init__(self, source, gate, fail: bool = False):
        self._source, self._gate, self._fail = source, gate, fail
        self.key, self.title, self.columns = source.key, source.title, source.columns

    def count(self, query):
        assert self._gate.wait(20)
        if self._fail:
            raise OSError("database is locked")
        return self._source.count(query)

    def fetch(self, query, offset, limit):
        return self._source.fetch(query, offset, limit)


def test_a_background_first_load_starts_empty_and_fills_on_the_gui_thread(qtbot):
    import threading

    gate = threading.Event()
    source = big_source(1_000)
    model = ListModel(_GatedSource(source, gate), page_size=100, background=True)
    assert (model.loading, model.total, model.rowCount(), model.canFetchMore(QModelIndex())) == (
        True,
        0,
        0,
        False,
    )
    with qtbot.waitSignal(model.totalChanged, timeout=20_000) as arrived:
        gate.set()
    assert arrived.args == [1_000]
    assert (model.loading, model.total, model.rowCount(), model.error) == (False, 1_000, 100, None)
    assert model.canFetchMore(QModelIndex())


def test_a_requery_while_the_first_load_runs_wins(qtbot):
    import threading

    gate = threading.Event()
    source = big_source(1_000)
    gated = _GatedSource(source, gate)
    model = ListModel(gated, page_size=100, background=True)
    gated._gate = threading.Event()  # the re-query below must not wait
    gated._gate.set()
    model.set_filter_text("alpha")  # read on a worker thread too
    assert model.loading  # the first rows are still not there: "Loading…"
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    filtered = model.total
    assert not model.loading and 0 < filtered < 1_000
    gate.set()  # the first load finishes now: its 1,000 rows must not come back
    qtbot.wait(200)
    assert model.total == filtered


def test_a_background_requery_keeps_the_rows_shown_until_the_new_ones_arrive(qtbot):
    import threading

    from freelancer_desk.ui.areapage import TablePanel

    gate = threading.Event()
    gate.set()
    source = big_source(1_000)
    gated = _GatedSource(source, gate)
    model = ListModel(gated, page_size=100, background=True)
    panel = TablePanel(model)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    shown = [model.row_id(r) for r in range(model.rowCount())]
    gated._gate = threading.Event()  # the sort's count waits until the test says
    selected: list[str] = []
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.after_read(lambda: selected.append(model.row_id(0)))
    # Asked, not read yet: the old rows stay, nothing is fetched under them, and
    # what waits for the new rows has not run; its panel says it is reading.
    assert model.reading and not model.loading
    assert panel.count_label.text() == "Reading…"
    assert [model.row_id(r) for r in range(model.rowCount())] == shown
    assert not model.canFetchMore(QModelIndex())
    assert selected == []
    with qtbot.waitSignal(model.totalChanged, timeout=20_000):
        gated._gate.set()
    assert not model.reading and model.total == 1_000
    assert panel.count_label.text() == "1,000 rows"
    expected = source.fetch(model.query, 0, 1)[0]["id"]
    assert selected == [str(expected)] and model.row_id(0) == str(expected)
    assert model.canFetchMore(QModelIndex())


def test_a_failed_background_load_says_why(qtbot):
    import threading

    gate = threading.Event()
    gate.set()
    model = ListModel(_GatedSource(big_source(10), gate, fail=True), background=True)
    qtbot.waitUntil(lambda: not model.loading, timeout=20_000)
    assert (model.total, model.error) == (0, "database is locked")


def test_the_columns_first_widths_are_what_qt_would_measure(qtbot):
    from freelancer_desk.ui.areapage import TablePanel, content_widths

    panel = TablePanel(ListModel(big_source(500), page_size=200))
    qtbot.addWidget(panel)
    panel.resize(1400, 600)
    panel.show()
    view = panel.view
    ours = content_widths(view, 60)
    view.verticalHeader().setResizeContentsPrecision(60)
    view.resizeColumnsToContents()  # Qt's own measure: every role of every cell
    header = view.horizontalHeader()
    assert ours == [header.sectionSize(s) for s in range(header.count())]


class _GatedFetch:
    """A source whose fetch() of any page after the first waits for `gate`."""

    def __init__(self, source, gate) -> None:
        self._source, self.gate = source, gate
        self.key, self.title, self.columns = source.key, source.title, source.columns

    def count(self, query):
        return self._source.count(query)

    def fetch(self, query, offset, limit):
        if offset:
            assert self.gate.wait(20)
        return self._source.fetch(query, offset, limit)


def test_a_background_page_is_read_off_the_gui_thread_and_added_when_there(qtbot):
    import threading

    gated = _GatedFetch(big_source(1_000), threading.Event())
    model = ListModel(gated, page_size=100, background=True)
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    model.fetchMore(QModelIndex())
    assert model.reading and model.rowCount() == 100  # asked, not there yet
    assert not model.canFetchMore(QModelIndex())  # one page at a time
    with qtbot.waitSignal(model.rowsInserted, timeout=20_000):
        gated.gate.set()
    assert not model.reading and model.rowCount() == 200
    assert model.row_id(100) == str(gated.fetch(model.query, 100, 1)[0]["id"])


def test_a_page_read_before_a_requery_is_dropped(qtbot):
    import threading

    gated = _GatedFetch(big_source(1_000), threading.Event())
    model = ListModel(gated, page_size=100, background=True)
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    model.fetchMore(QModelIndex())  # waits for the gate
    model.set_filter_text("alpha")  # a first page: not gated
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    filtered = [model.row_id(r) for r in range(model.rowCount())]
    gated.gate.set()  # the old query's second page arrives now: not added
    qtbot.wait(200)
    assert [model.row_id(r) for r in range(model.rowCount())] == filtered
    assert len(filtered) == 100 and model.total < 1_000


def test_a_background_model_formats_its_first_rows_and_pages_on_the_reader(qtbot, monkeypatch):
    # Painting a table asks data() for every visible cell, each a call into Python
    # that waits for the GIL while readers work: the shown texts of the first rows and
    # of each page read later are formatted on the reader thread, with the rows.
    import threading

    from freelancer_desk.ui import tablemodel

    gui = threading.get_ident()
    formatted_on: list[bool] = []
    plain = tablemodel.format_value

    def spy(value, column, locale):
        formatted_on.append(threading.get_ident() == gui)
        return plain(value, column, locale)

    monkeypatch.setattr(tablemodel, "format_value", spy)
    source = big_source(1_000)
    model = ListModel(source, page_size=100, background=True, locale=US)
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    model.fetchMore(QModelIndex())
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    assert formatted_on and not any(formatted_on)  # all on a reader
    ahead = tablemodel.TEXTS_AHEAD
    cells = [(r, c) for r in (0, ahead - 1, 150) for c in (0, 1)]
    shown = {cell: model.data(model.index(*cell)) for cell in cells}
    assert not any(formatted_on)  # read from what the reader made
    shown[(ahead, 1)] = model.data(model.index(ahead, 1))  # not formatted ahead: here
    assert formatted_on[-1] is True
    for (row, col), text in shown.items():
        value = source.fetch(model.query, row, 1)[0][model.column(col).key]
        assert text == plain(value, model.column(col), US)


def test_a_background_refresh_reading_the_same_rows_resets_nothing(qtbot):
    # A reset lays the table out and paints it again and drops its selection: F5 or an
    # outside change leave most tables as they were.
    source = big_source(1_000)
    model = ListModel(source, page_size=100, background=True, locale=US)
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(model.total))
    with qtbot.waitSignal(model.totalChanged, timeout=20_000) as told:
        model.refresh()
    assert told.args == [1_000] and resets == [] and not model.reading
    kept: list[str] = []
    model.refresh()
    model.after_read(lambda: kept.append(model.row_id(0)))
    qtbot.waitUntil(lambda: not model.reading, timeout=20_000)
    assert kept == [str(source.rows[0]["id"])] and resets == []
    source.rows.insert(0, dict(source.rows[5], id="new", name="Row new"))
    source._cache = None
    with qtbot.waitSignal(model.totalChanged, timeout=20_000):
        model.refresh()
    assert resets == [1_001] and model.row_id(0) == "new"
    source.rows[1] = dict(source.rows[1], name="Renamed")  # same count, a row changed
    source._cache = None
    with qtbot.waitSignal(model.totalChanged, timeout=20_000):
        model.refresh()
    assert resets == [1_001, 1_001]
    assert model.data(model.index(1, column_of(model, "name"))) == "Renamed"


def test_a_result_waits_for_the_reads_still_running_before_it_is_applied(qtbot, monkeypatch):
    """Applied while a reader runs Python, a result's apply and paint waited for the GIL
    (half of a 50 ms gap): it waits for the other reads, up to QUIET_WAIT_MS."""
    import threading

    from freelancer_desk.ui import tablemodel

    monkeypatch.setattr(tablemodel, "QUIET_WAIT_MS", 60_000)  # only the reads decide here
    go_on = threading.Event()
    applied: list[str] = []

    def slow() -> str:
        go_on.wait(30)
        return "slow"

    tablemodel.run_in_background(slow, lambda result, _failed: applied.append(str(result)))
    tablemodel.run_in_background(lambda: "fast", lambda r, _f: applied.append(str(r)))
    relay = tablemodel._RELAY
    assert relay is not None
    qtbot.waitUntil(lambda: relay.pending == 1, timeout=10_000)  # "fast" is here
    qtbot.wait(50)  # turns go by; the relay looks again and again
    assert applied == [] and relay.pending == 1  # the slow read still runs
    go_on.set()
    qtbot.waitUntil(lambda: len(applied) == 2, timeout=10_000)
    assert applied == ["fast", "slow"]  # in the order they came


def test_a_result_waits_no_longer_than_quiet_wait_ms(qtbot, monkeypatch):
    import threading

    from freelancer_desk.ui import tablemodel

    monkeypatch.setattr(tablemodel, "QUIET_WAIT_MS", 0)
    go_on = threading.Event()
    applied: list[str] = []
    tablemodel.run_in_background(lambda: go_on.wait(30), lambda _r, _f: applied.append("slow"))
    tablemodel.run_in_background(lambda: "fast", lambda r, _f: applied.append(str(r)))
    try:
        qtbot.waitUntil(lambda: applied == ["fast"], timeout=10_000)  # the slow one runs on
    finally:
        go_on.set()
    qtbot.waitUntil(lambda: applied == ["fast", "slow"], timeout=10_000)
