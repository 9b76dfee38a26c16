"""A Qt table model over a `ListSource` that holds only the pages it has shown.

Rows arrive a page at a time through `canFetchMore`/`fetchMore` as the view scrolls;
sorting and the filter text are handed to the source (the database), never done in
Qt. `Qt.UserRole` gives a row's id, `RAW_ROLE` its typed value.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime
from functools import partial

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)

from freelancer_desk.domain.clock import span_words
from freelancer_desk.domain.money import Money, exponent
from freelancer_desk.services.listing import Column, ListQuery, ListSource, Row

PAGE_SIZE = 200
# Rows whose shown texts a reader thread formats with them (a table's first screens and
# the rows `content_widths` measures): the GUI thread then paints them without
# formatting anything (QLocale's money and dates, several calls into Qt per cell).
TEXTS_AHEAD = 80
RAW_ROLE = Qt.ItemDataRole.UserRole + 1

_NUMERIC = frozenset({"int", "money", "duration", "span", "percent"})
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter

# Symbols that name one currency wherever they are read; anything else shows its code.
_SYMBOLS = {"EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "USD": "$"}

AnyIndex = QModelIndex | QPersistentModelIndex


def display_locale() -> QLocale:
    """The user's locale; the unconfigured "C" locale (no grouping, odd dates) reads
    as US English instead."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def format_duration(seconds: int) -> str:
    """3725 -> "1:02" (hours:minutes, rounded down to the minute)."""
    sign = "-" if seconds < 0 else ""
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def format_money(value: Money, locale: QLocale) -> str:
    native = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencyIsoCode)
    if value.currency == native:
        symbol = locale.currencySymbol(QLocale.CurrencySymbolFormat.CurrencySymbol)
    else:
        symbol = _SYMBOLS.get(value.currency, "")
        # "$" alone would read as the local dollar in Canada or Australia.
        if not symbol or locale.currencySymbol() == symbol:
            symbol = f"{value.currency}\u00a0"
    # float is exact enough here: display only, and far below 2**53 minor units.
    return locale.toCurrencyString(float(value.decimal), symbol, exponent(value.currency))


def format_percent(basis_points: int, locale: QLocale) -> str:
    decimals = 0 if basis_points % 100 == 0 else 2 if basis_points % 10 else 1
    return f"{locale.toString(basis_points / 100, 'f', decimals)}{locale.percent()}"


def state_words(state: str) -> str:
    """A workflow state as the window says it: "awaiting_requirements" → "Awaiting
    requirements" (the value stays as stored: filters, CSV and the CLI use it)."""
    words = state.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def format_value(value: object, column: Column, locale: QLocale) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind == "money" and isinstance(value, Money):
        return format_money(value, locale)
    if kind == "datetime" and isinstance(value, datetime):
        local = QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000)).toLocalTime()
        return locale.toString(local, QLocale.FormatType.ShortFormat)
    if kind == "date" and isinstance(value, date):
        return locale.toString(
            QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat
        )
    if kind == "duration" and isinstance(value, int):
        return format_duration(value)
    if kind == "span" and isinstance(value, int):
        return span_words(value)
    if kind == "percent" and isinstance(value, int):
        return format_percent(value, locale)
    if kind == "bool":
        return "✓" if value else ""
    if kind == "state" and isinstance(value, str):
        return state_words(value)
    if kind == "int" and isinstance(value, int):
        return locale.toString(value)
    return str(value)


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()
WORKERS = 3
# docs/benchmarks.md, "D": a 200x10 table's repaint with a reader busy in Python took
# 68-107 ms (median) at Python's default 5 ms, 33-42 ms at 1 ms (38 ms with no reader).
GIL_SWITCH_S = 0.001


class _Relay(QObject):
    """Carries every background read's result to the GUI thread. One for the process,
    never deleted: a worker thread must not emit on an object the GUI thread may be
    deleting (a page closed meanwhile) — the receivers check they are alive instead.

    The results are applied one per event-loop turn (a zero timer), rows before the
    results sent with `late=True` (a page's charts and figures): the three readers'
    results of a refresh arrive together and, applied back to back, kept the GUI thread
    from painting and from its timers for 86-185 ms (docs/benchmarks.md, "D", "H").

    While reads still run, a result waits for them up to QUIET_WAIT_MS: applied (and
    painted) meanwhile, the GUI thread's Python calls waited for the GIL the readers
    held. The dashboard shown after an outside change: a gap of 50 ms of which 24 ms
    was the GUI thread's own work, the rest waiting (bench/stalls.py --detail)."""

    done = Signal(object, object)  # deliver(result, failed), (result, failed, late)

    def __init__(self) -> None:
        super().__init__()
        self._soon: deque[tuple[Callable[[object, bool], None], object, bool]] = deque()
        self._late: deque[tuple[Callable[[object, bool], None], object, bool]] = deque()
        self._waiting_since: float | None = None  # when the oldest result came
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._next)
        # Once the results are applied and no read runs: the heap made since frozen too.
        self._refreeze = QTimer(self)
        self._refreeze.setSingleShot(True)
        self._refreeze.setInterval(REFREEZE_MS)
        self._refreeze.timeout.connect(refreeze_heap)

    @Slot(object, object)
    def _dispatch(self, deliver: Callable[[object, bool], None], payload: object) -> None:
        if isinstance(payload, tuple):
            result, failed, late = payload
            (self._late if late else self._soon).append((deliver, result, bool(failed)))
            if self._waiting_since is None:
                self._waiting_since = time.monotonic()
            if not self._timer.isActive():
                self._timer.start()

    @property
    def pending(self) -> int:
        """Results arrived on the GUI thread and not applied yet."""
        return len(self._soon) + len(self._late)

    def _next(self) -> None:
        if not self._soon and not self._late:
            self._timer.stop()
            self._waiting_since = None
            return
        since = self._waiting_since
        if _RUNNING and since is not None and time.monotonic() - since < QUIET_WAIT_MS / 1000:
            self._timer.setInterval(QUIET_POLL_MS)  # not a busy loop meanwhile
            return
        # Applied now, then the rest waiting, one per turn.
        self._timer.setInterval(0)
        self._waiting_since = None
        queue = self._soon or self._late
        deliver, result, failed = queue.popleft()
        try:
            deliver(result, failed)
        finally:
            if not self._soon and not self._late:
                self._timer.stop()
                self._refreeze.start()


_RELAY: _Relay | None = None
_HEAP_FROZEN = False
_RUNNING = 0  # reads running on the reader threads now
# A result waits for the reads still running up to this long, looking every poll.
QUIET_WAIT_MS = 120
QUIET_POLL_MS = 4
# How long after the last result was applied the heap is frozen again.
REFREEZE_MS = 500


class _Hold:
    """Reads held back (`hold_reads`), and who holds them (weakly: a hold keeps no
    window alive)."""

    __slots__ = ("owner", "reads")

    def __init__(self, owner: QObject | None) -> None:
        self.owner = weakref.ref(owner) if owner is not None else None
        self.reads: list[Callable[[], None]] = []

    @property
    def orphaned(self) -> bool:
        """Its owner was deleted (without releasing it)."""
        if self.owner is None:
            return False
        owner = self.owner()
        return owner is None or not shiboken6.isValid(owner)


# Reads asked for while a page is being built: started when it is built (`hold_reads`).
_HOLD: _Hold | None = None


def hold_reads(owner: QObject | None = None) -> Callable[[], None]:
    """Hold back the reads asked for from now on (the reader threads would take the GIL
    from the GUI thread building and painting a page: its build took 2-3 times longer
    under them); returns what starts them, which the caller must call (a second call
    does nothing). Nested holds start nothing until the outer one's release.

    A hold never outlives its `owner` (the window): once the owner is deleted, the next
    read or hold asked for (or `reads_held`) releases it. A window closed or deleted
    before its release timer fired held every later read of the process back for good
    (tests/ui/test_read_holds.py)."""
    global _HOLD
    if _current_hold() is not None:
        return lambda: None
    hold = _HOLD = _Hold(owner)
    return partial(_release, hold)


def reads_held() -> bool:
    """True while the reads asked for are held back (`hold_reads`)."""
    return _current_hold() is not None


def _current_hold() -> _Hold | None:
    """The hold in force; one whose owner is gone is released first (its reads start)."""
    hold = _HOLD
    if hold is not None and hold.orphaned:
        _release(hold)
        return None
    return hold


def _release(hold: _Hold) -> None:
    global _HOLD
    if _HOLD is not hold:
        return  # released already: a later hold is someone else's
    _HOLD = None
    reads, hold.reads = hold.reads, []
    for start in reads:
        start()


def freeze_heap() -> bool:
    """Keep every object alive now out of later garbage collections (`gc.freeze`), the
    young ones collected first; once per process, on an idle turn after the workspace
    is shown.

    A full (oldest-generation) collection walks every tracked object and holds the GIL
    throughout: with the heavy workspace open (SQLAlchemy's mappers and caches, Qt's
    wrappers, the modules) it took 75-170 ms, set off by a reader thread making rows,
    and no Python ran on the GUI thread meanwhile: F5 in Earnings stalled the window
    that long (docs/benchmarks.md, "D (session 4)"). Frozen, those objects are never
    walked again; later collections see only what was made since. Only the young
    generations are collected first (~1 ms): a full collection there took 50-60 ms and
    found nothing to free on the heavy workspace. Returns False when it was done
    already."""
    global _HEAP_FROZEN
    if _HEAP_FROZEN:
        return False
    _HEAP_FROZEN = True
    gc.collect(1)
    gc.freeze()
    return True


def refreeze_heap() -> bool:
    """Freeze again, once the heap was frozen (`freeze_heap`), what was made since: the
    rows the pages keep (dicts, lists; 300k+ objects with the heavy workspace's areas
    read) were walked by every later full collection, 20-30 ms with the GIL held, set
    off by a reader making rows while the GUI thread painted (bench/stalls.py with a gc
    callback: both gaps over 50 ms of a run came with one). Only when no read is running
    and no result waits (an idle turn after them): the young generations are collected
    first (~1-5 ms), so a read's short-lived garbage is not kept. The trade-off is
    freeze_heap's: an object frozen that later becomes part of a garbage cycle stays in
    memory (bench/memory_refreeze.py measures it). Returns whether it froze."""
    if not _HEAP_FROZEN or _RUNNING or (_RELAY is not None and _RELAY.pending):
        return False
    gc.collect(1)
    gc.freeze()
    return True


def run_in_background(
    fetch: Callable[[], object], deliver: Callable[[object, bool], None], *, late: bool = False
) -> Future[None]:
    """Run `fetch()` on one of the window's reader threads (three, made on first use and
    kept: starting a thread per read made the GUI thread wait for it to start), then
    `deliver(result, False)` — or `deliver(error, True)` — on the GUI thread. Call it on
    the GUI thread; `deliver` must check that what it fills still exists. Results are
    applied one per event-loop turn, in the order they came; `late=True` ones (figures,
    charts) after every table's rows waiting then."""
    global _POOL, _RELAY
    with _POOL_LOCK:
        if _POOL is None:
            # The GUI thread calls into Python for each cell it draws (`data()`) and
            # each time waits for the GIL if a reader holds it: up to the switch interval
            # per call (5 ms by default; a table's repaint makes hundreds of calls).
            if sys.getswitchinterval() > GIL_SWITCH_S:
                sys.setswitchinterval(GIL_SWITCH_S)
            _POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="window-read")
        pool = _POOL
    if _RELAY is None:
        _RELAY = _Relay()
        _RELAY.done.connect(_RELAY._dispatch)
    relay = _RELAY

    def run() -> None:
        global _RUNNING
        with _POOL_LOCK:
            _RUNNING += 1
        try:
            result, failed = fetch(), False
        except Exception as exc:  # said on the GUI thread
            result, failed = exc, True
        finally:
            with _POOL_LOCK:
                _RUNNING -= 1
        relay.done.emit(deliver, (result, failed, late))

    hold = _current_hold()
    if hold is not None:  # a page is being built: started once it is
        future: Future[None] = Future()

        def start() -> None:
            pool.submit(run).add_done_callback(lambda _done: future.set_result(None))

        hold.reads.append(start)
        return future
    return pool.submit(run)  # done once the result is on its way to the GUI thread


class ListModel(QAbstractTableModel):
    """Rows of one `ListSource`, fetched lazily in pages of `page_size`.

    With `background=True` the first page (and the count) is read on a worker thread:
    the model starts empty with `loading` True and fills itself when the rows arrive
    (`totalChanged` then). Re-queries (filter, sort, refresh) are read on a worker
    thread too (a count and a sorted page of 344k segments: 0.2-1 s): the rows shown
    stay until the new ones arrive (`reading` True meanwhile, no fetchMore), and the
    newest query wins over any read still running. Without it every read is done at
    once, on the calling thread."""

    # Emitted after every re-query with the total number of matching rows.
    totalChanged = Signal(int)
    # Emitted when a re-query starts on a worker thread (its rows come with totalChanged).
    requeryStarted = Signal()

    def __init__(
        self,
        source: ListSource,
        *,
        page_size: int = PAGE_SIZE,
        locale: QLocale | None = None,
        parent: QObject | None = None,
        background: bool = False,
        start: bool = True,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._columns: list[Column] = list(source.columns)
        self._page_size = page_size
        self._locale = locale or display_locale()
        self._query = ListQuery()
        self._rows: list[Row] = []
        # Each row's shown texts once formatted (None: not yet), kept with the rows.
        self._texts: list[list[str] | None] = []
        self._align = [_RIGHT if c.kind in _NUMERIC else _LEFT for c in self._columns]
        self._total = 0
        # True while a reset or an insertion is being announced: a fetchMore() from a
        # slot connected to those signals would nest one change inside another.
        self._announcing = False
        self._generation = 0
        self._background = background
        self._loading = False
        self._reading = False
        self._after_read: list[Callable[[], object]] = []
        self.error: str | None = None  # why the background load failed, if it did
        self._started = False
        if start:
            self.start()

    @property
    def started(self) -> bool:
        """False until the first rows were asked for (`start`)."""
        return self._started

    def start(self) -> None:
        """Read the first rows. A model made with `start=False` reads nothing before
        (a table hidden until it is asked for: the Work Diary's 344k segments were
        counted each time its page was built); filters and sorting set meanwhile are
        kept for that first read."""
        if self._started:
            return
        self._started = True
        if self._background:
            self._load_in_background(self._page_size)
        else:
            self._load(self._page_size)

    @property
    def loading(self) -> bool:
        """True while the first page is still being read on a worker thread."""
        return self._loading

    @property
    def reading(self) -> bool:
        """True while rows are being read on a worker thread (the first load or a
        re-query); the rows held are the previous query's meanwhile."""
        return self._reading

    def after_read(self, then: Callable[[], object]) -> None:
        """Call `then()` now, or once the rows being read have been applied (a selection
        kept across a refresh is made again on the new rows)."""
        if self._reading:
            self._after_read.append(then)
        else:
            then()

    def _formatter(self) -> Callable[[Row], list[str]]:
        """A row's shown texts, callable on a reader thread (its own QLocale copy)."""
        columns, locale = tuple(self._columns), QLocale(self._locale)

        def texts(row: Row) -> list[str]:
            return [format_value(row.get(c.key), c, locale) for c in columns]

        return texts

    def _load_in_background(self, limit: int, *, first: bool = True) -> None:
        self._generation += 1
        generation, query, source = self._generation, self._query, self._source
        self._loading = first
        self._reading = True
        texts = self._formatter()
        # What is held now: no page is added to it while this read runs (`reading`).
        held, held_total = self._rows, self._total

        def fetch() -> object:
            total = source.count(query)
            rows = source.fetch(query, 0, min(limit, total))
            if not first and total == held_total and rows == held:
                return (total, None, None)  # the rows held (a refresh, nothing changed)
            return (total, rows, [texts(row) for row in rows[:TEXTS_AHEAD]])

        def deliver(result: object, failed: bool) -> None:
            if shiboken6.isValid(self):  # not deleted meanwhile (its page closed)
                self._arrived(generation, result, failed)

        run_in_background(fetch, deliver)

    def _arrived(self, generation: int, result: object, failed: bool) -> None:
        if generation != self._generation:
            return  # a newer query was asked meanwhile
        self._loading = False
        self._reading = False
        total: int = 0
        rows: list[Row] = []
        texts: list[list[str] | None] = []
        if not failed and isinstance(result, tuple):
            if result[1] is None:
                # The same rows as those held: no reset, which would lay the table out
                # and paint it again, and drop and make again its selection.
                self.error = None
                self._settled()
                return
            total, rows, texts = result[0], list(result[1]), list(result[2])
        self.error = str(result) if failed else None
        self._announcing = True
        try:
            self.beginResetModel()
            self._total, self._rows = total, rows
            self._texts = texts + [None] * (len(rows) - len(texts))
            self.endResetModel()
        finally:
            self._announcing = False
        self._settled()

    def _settled(self) -> None:
        waiting, self._after_read = self._after_read, []
        for then in waiting:  # before totalChanged: a kept selection is back by then
            then()
        self.totalChanged.emit(self._total)

    # -- what the window reads -------------------------------------------------------
    @property
    def source(self) -> ListSource:
        return self._source

    @property
    def query(self) -> ListQuery:
        return self._query

    @property
    def total(self) -> int:
        """Rows matching the current query, fetched or not."""
        return self._total

    @property
    def loaded(self) -> int:
        return len(self._rows)

    def column(self, section: int) -> Column:
        return self._columns[section]

    def display_texts(self, section: int, rows: int) -> list[str]:
        """The shown texts of column `section` in the first `rows` rows (for sizing)."""
        return [self._row_texts(row)[section] for row in range(min(rows, len(self._rows)))]

    def _row_texts(self, row: int) -> list[str]:
        texts = self._texts[row]
        if texts is None:
            values = self._rows[row]
            texts = self._texts[row] = [
                format_value(values.get(c.key), c, self._locale) for c in self._columns
            ]
        return texts

    def row_id(self, row: int) -> str:
        return str(self._rows[row]["id"])

    # -- re-querying -----------------------------------------------------------------
    def set_filter_text(self, text: str) -> None:
        text = text.strip()
        if text != self._query.text:
            self._requery(replace(self._query, text=text))

    def set_filters(self, filters: dict[str, str]) -> None:
        if filters != self._query.filters:
            self._requery(replace(self._query, filters=dict(filters)))

    def refresh(self) -> None:
        """Re-read after the data changed, keeping as many rows as were shown."""
        self._requery(self._query, keep=len(self._rows))

    def _requery(self, query: ListQuery, keep: int = 0) -> None:
        if not self._started:
            self._query = query  # read when it is started
            return
        if self._background:
            self._query = query
            self._load_in_background(max(self._page_size, keep), first=self._loading)
            self.requeryStarted.emit()
            return
        self._generation += 1  # a first load still running is superseded
        self._loading = False
        self._reading = False
        self._announcing = True
        try:
            self.beginResetModel()
            self._query = query
            self._load(max(self._page_size, keep))
            self.endResetModel()
        finally:
            self._announcing = False
        self.totalChanged.emit(self._total)

    def _load(self, limit: int) -> None:
        self._total = self._source.count(self._query)
        self._rows = self._source.fetch(self._query, 0, min(limit, self._total))
        self._texts = [None] * len(self._rows)

    # -- QAbstractTableModel ---------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return (
            not parent.isValid()
            and not self._announcing
            and not self._reading
            and len(self._rows) < self._total
        )

    def fetchMore(self, parent: AnyIndex) -> None:
        """The next page; with `background=True` read on a worker thread and added when
        it is there (`reading` meanwhile: no second page is asked for)."""
        if not self.canFetchMore(parent):
            return
        start = len(self._rows)
        limit = min(self._page_size, self._total - start)
        if not self._background:
            self._append(start, self._source.fetch(self._query, start, limit))
            return
        generation, query, source = self._generation, self._query, self._source
        self._reading = True
        texts = self._formatter()

        def fetch() -> object:
            rows = source.fetch(query, start, limit)
            return (rows, [texts(row) for row in rows])

        def deliver(result: object, failed: bool) -> None:
            if shiboken6.isValid(self):  # not deleted meanwhile (its page closed)
                self._page_arrived(generation, start, result, failed)

        run_in_background(fetch, deliver)

    def _page_arrived(self, generation: int, start: int, result: object, failed: bool) -> None:
        if generation != self._generation:
            return  # a re-query was asked meanwhile: its own read is under way
        self._reading = False
        if failed:
            self.error = str(result)
            self._total = start  # no more pages asked for (nor failed again and again)
        elif isinstance(result, tuple) and len(self._rows) == start:
            self._append(start, result[0], result[1])
        waiting, self._after_read = self._after_read, []
        for then in waiting:
            then()

    def _append(self, start: int, page: list[Row], texts: list[list[str]] | None = None) -> None:
        if not page:
            # The table shrank under us; believe what we hold.
            self._total = start
            return
        self._announcing = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self._rows.extend(page)
            self._texts.extend(texts if texts is not None else [None] * len(page))
            self.endInsertRows()
        finally:
            self._announcing = False

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._row_texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._align[index.column()]
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            value = row.get(column.key)
            if isinstance(value, datetime):
                local = QDateTime.fromMSecsSinceEpoch(int(value.timestamp() * 1000))
                return self._locale.toString(local.toLocalTime(), QLocale.FormatType.LongFormat)
            return None
        if role == Qt.ItemDataRole.UserRole:
            return str(row["id"])
        if role == RAW_ROLE:
            return row.get(column.key)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.kind in _NUMERIC else _LEFT
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Ask the source for a new order; column -1 (or an unsortable one) means the
        source's own order."""
        key = None
        if 0 <= column < len(self._columns) and self._columns[column].sortable:
            key = self._columns[column].key
        descending = key is not None and order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self._query.sort, self._query.descending):
            self._requery(replace(self._query, sort=key, descending=descending))
