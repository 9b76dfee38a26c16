"""`LedgerService.record_batch`'s engine: many transactions (an import of years of
history) recorded with exactly `record()`'s checks, at bulk speed.

- Balances are read once (a few grouped queries) and kept in memory as integers; an
  item is checked by integer arithmetic, and only one that would overdraw goes through
  the domain's `check_transaction` (which refuses it, with its message).
- Rows are queued as plain tuples and inserted with one executemany per table, their
  values converted column by column by each column type's own bind processor (values
  that repeat, such as stamps and scopes, once), straight to the driver.
- Keys are time-ordered within a batch (one random 96-bit prefix, then a counter), so
  every index on the keys (the transactions' and postings' primary keys, the postings'
  transaction_id index) grows at one end instead of at random pages.
- Clearing is the one thing memory does not do: an item that takes from available money
  at or after the earliest date some pending money becomes available (in the books or
  queued) goes through `record()`, which books the clearances due first; the batch then
  reads that date again. Before it, clearing would book nothing, so the item stays in
  the batch (an import of years of history into a workspace with pending money is not
  recorded row by row).

The caller's unit of work makes it all-or-nothing: a refusal (`BatchRefused`) or a
stop (`BatchCancelled`) leaves rows in the session, which the caller rolls back.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.types import NullType

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    HOLDING_KINDS,
    Account,
    AccountKind,
    SourceKind,
    check_transaction,
)
from freelancer_desk.domain.money import Money
from freelancer_desk.services.ledger import (
    BatchItem,
    BatchRefused,
    LedgerService,
    _scope_id,
    _uuid,
    pending_lots,
)
from freelancer_desk.storage.models import (
    LedgerPosting,
    LedgerTransaction,
    billed_weeks,
    ledger_totals,
)

_PER_SOURCE_KINDS = frozenset({AccountKind.ESCROW, AccountKind.PENDING})
# The kinds as stored (`_value_`: an enum's .value is a slow lookup, and hashing a
# member runs Python code: the batch's keys are plain strings).
_HOLDING = frozenset(k._value_ for k in HOLDING_KINDS)
_PER_SOURCE = frozenset(k._value_ for k in _PER_SOURCE_KINDS)
_AVAILABLE = AccountKind.AVAILABLE._value_
_PENDING = AccountKind.PENDING._value_
_CHUNK = 500  # ids per IN (...) query
_INSERT_CHUNK = 5000  # rows per executemany: the stop check runs between them
# Rows a write must add (and hold at least as many as the table) for its table's
# secondary indexes to be made again afterwards instead of kept up row by row.
REBUILD_MIN_ROWS = 1000
POLL_EVERY = 500  # items between progress reports and stop checks

# What a transaction and a posting hold beyond their id and time stamps (and a posting's
# transaction_id), in the order the inserts take them; the demo copies rows by them.
TRANSACTION_FIELDS = (
    "occurred_at",
    "kind",
    "memo",
    "platform",
    "client_id",
    "source_kind",
    "source_id",
    "external_ref",
)
POSTING_FIELDS = (
    "account_kind",
    "scope_kind",
    "scope_id",
    "client_id",
    "currency",
    "amount_minor",
    "available_at",
)
_TRANSACTION_COLUMNS = ("id", "created_at", "updated_at", *TRANSACTION_FIELDS)
_POSTING_COLUMNS = ("id", "created_at", "updated_at", "transaction_id", *POSTING_FIELDS)
# A posting row's (account_kind, scope_id, client_id, currency, amount_minor): what
# ledger_totals.add_sums counts.
_SUMMED = itemgetter(
    *(
        _POSTING_COLUMNS.index(c)
        for c in ("account_kind", "scope_id", "client_id", "currency", "amount_minor")
    )
)
# Where billed_weeks.add_sums finds its values in the rows.
_T_KIND = _TRANSACTION_COLUMNS.index("kind")
_T_SOURCE_KIND = _TRANSACTION_COLUMNS.index("source_kind")
_T_SOURCE_ID = _TRANSACTION_COLUMNS.index("source_id")
_P_TRANSACTION = _POSTING_COLUMNS.index("transaction_id")
_P_KIND = _POSTING_COLUMNS.index("account_kind")
_P_CURRENCY = _POSTING_COLUMNS.index("currency")
_P_AMOUNT = _POSTING_COLUMNS.index("amount_minor")
# Columns whose values are (nearly) all different: converted one by one, not memoised.
_UNIQUE_COLUMNS = frozenset({"id", "memo", "source_id", "external_ref", "amount_minor"})

# A balance the batch keeps: an account as (stored kind, scope, currency, its platform
# for the platform-wide available pool, else None), or what one source put in an escrow
# or pending account. Plain strings: hashing an Account (a dataclass over an enum) runs
# Python code, and an item looks its accounts up several times.
_Key = tuple[str, str | None, str, str | None]
_SourceKey = tuple[tuple[str, str], _Key]
_T = TypeVar("_T")


class BatchCancelled(Exception):
    """The caller's stop check said stop: nothing of the batch may stay (the caller's
    unit of work rolls back)."""


class KeyMaker:
    """UUIDs that sort in the order they are made: a random 96-bit prefix (version-4
    and variant bits kept) and a 32-bit counter. Unique across batches as random UUIDs
    are (90 random bits), and a batch's keys land at one end of each key index."""

    _VERSION_BITS = 0xF << 76 | 0x3 << 62
    _VERSION_4 = 0x4 << 76 | 0x2 << 62

    def __init__(self) -> None:
        self._next = 0
        self._left = 0

    def __call__(self) -> uuid.UUID:
        if self._left == 0:
            prefix = int.from_bytes(os.urandom(16), "big") >> 32 << 32
            self._next = prefix & ~self._VERSION_BITS | self._VERSION_4
            self._left = 2**32 - 1
        self._left -= 1
        self._next += 1
        return uuid.UUID(int=self._next)


def record_batch(
    service: LedgerService,
    session: Session,
    items: Sequence[BatchItem],
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[uuid.UUID]:
    """See `LedgerService.record_batch`."""
    batch = _Batch(session, now, stop)
    batch.preload(items)
    ids: list[uuid.UUID] = []
    total = len(items)
    available = AccountKind.AVAILABLE
    for index, item in enumerate(items):
        t = item.transaction
        try:
            if (
                batch.next_due is not None
                and t.occurred_at >= batch.next_due
                and any(p.account.kind is available and p.amount.amount < 0 for p in t.postings)
            ):
                batch.write()
                row = service.record(
                    session,
                    t,
                    kind=item.kind,
                    platform=item.platform,
                    client_id=item.client_id,
                    scope_kind=item.scope_kind,
                    external_ref=item.external_ref,
                )
                batch.forget(item.external_ref, row)
                batch.read_next_due()
                ids.append(row.id)
            else:
                ids.append(batch.record(item))
        except RuleError as exc:
            raise BatchRefused(index, exc) from None
        done = index + 1
        if done % POLL_EVERY == 0 or done == total:
            if progress is not None:
                progress(done, total)
            batch.check_stop()
    batch.write()
    return ids


def _chunks(values: Sequence[_T], size: int = _CHUNK) -> Iterable[Sequence[_T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def in_texts(
    session: Session, column: QueryableAttribute[Any], values: Sequence[str]
) -> Iterable[ColumnElement[bool]]:
    """`column IN values` for many text values, as few statements' conditions as the
    backend allows: one on SQLite (`IN (SELECT value FROM json_each(?))`, one bound
    JSON array) and PostgreSQL (`= ANY(?)`, one bound array), else chunks of 500."""
    if not values:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        each = func.json_each(bindparam(None, json.dumps(list(values)))).table_valued("value")
        yield column.in_(select(each.c.value))
    elif dialect == "postgresql":
        yield column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    else:
        for chunk in _chunks(values):
            yield column.in_(chunk)


class _Batch:
    """The batch's memory: balances read once and updated as items are queued.

    Invariant: a cached balance is the database's at the moment it was read plus every
    queued posting since; a miss first writes the queue, so a read is never stale.
    """

    def __init__(self, session: Session, now: datetime, stop: Callable[[], bool] | None) -> None:
        self.session = session
        self.now = now
        self.stop = stop
        self.held: dict[_Key, int] = {}
        self.by_source: dict[_SourceKey, int] = {}
        self.known_sources: set[tuple[str, str]] = set()  # in the books or queued
        self.refs: dict[str, tuple[uuid.UUID, str, str]] = {}
        self.transactions: list[tuple[Any, ...]] = []
        self.postings: list[tuple[Any, ...]] = []
        # The earliest available_at of pending money that may still clear (None: none).
        self.next_due: datetime | None = None
        self.scope_ids: dict[str | None, uuid.UUID | None] = {None: None}
        self.clients: dict[Any, uuid.UUID | None] = {None: None}
        self.key = KeyMaker()

    def check_stop(self) -> None:
        if self.stop is not None and self.stop():
            raise BatchCancelled

    # -- reading, in bulk ------------------------------------------------------------

    def preload(self, items: Sequence[BatchItem]) -> None:
        s = self.session
        s.flush()
        refs = [r for r in dict.fromkeys(i.external_ref for i in items) if r is not None]
        for where in in_texts(s, LedgerTransaction.external_ref, refs):
            for tid, ref, kind, sid in s.execute(
                select(
                    LedgerTransaction.id,
                    LedgerTransaction.external_ref,
                    LedgerTransaction.source_kind,
                    LedgerTransaction.source_id,
                ).where(where)
            ):
                self.refs[str(ref)] = (tid, kind, sid)
        by_kind: dict[str, dict[str, None]] = {}
        for i in items:
            t = i.transaction
            by_kind.setdefault(t.source_kind.value, {})[t.source_id] = None
        for source_kind, names in by_kind.items():
            for where in in_texts(s, LedgerTransaction.source_id, list(names)):
                self.known_sources.update(
                    (source_kind, sid)
                    for sid in s.scalars(
                        select(LedgerTransaction.source_id)
                        .where(LedgerTransaction.source_kind == source_kind, where)
                        .distinct()
                    )
                )
        if (
            s.scalar(
                select(LedgerPosting.id)
                .where(LedgerPosting.account_kind == AccountKind.PENDING.value)
                .limit(1)
            )
            is not None
        ):
            self.read_next_due()
        holding = [k.value for k in HOLDING_KINDS]
        scopes: list[uuid.UUID] = []
        for i in items:
            for p in i.transaction.postings:
                if p.account.scope is not None and p.account.kind in HOLDING_KINDS:
                    with contextlib.suppress(ValueError):  # refused when recorded
                        scopes.append(uuid.UUID(p.account.scope))
        scopes = list(dict.fromkeys(scopes))
        found: dict[_Key, int] = {}
        for ids in _chunks(scopes):
            for kind, scope, cur, total in s.execute(
                select(
                    LedgerPosting.account_kind,
                    LedgerPosting.scope_id,
                    LedgerPosting.currency,
                    func.sum(LedgerPosting.amount_minor),
                )
                .where(LedgerPosting.scope_id.in_(ids), LedgerPosting.account_kind.in_(holding))
                .group_by(
                    LedgerPosting.account_kind, LedgerPosting.scope_id, LedgerPosting.currency
                )
            ):
                found[(kind, str(scope), cur, None)] = int(total or 0)
        for kind, cur, total in s.execute(
            select(
                LedgerPosting.account_kind,
                LedgerPosting.currency,
                func.sum(LedgerPosting.amount_minor),
            )
            .where(LedgerPosting.scope_id.is_(None), LedgerPosting.account_kind.in_(holding))
            .group_by(LedgerPosting.account_kind, LedgerPosting.currency)
        ):
            if kind != _AVAILABLE:
                found[(kind, None, cur, None)] = int(total or 0)
        for plat, cur, total in s.execute(
            select(
                LedgerTransaction.platform,
                LedgerPosting.currency,
                func.sum(LedgerPosting.amount_minor),
            )
            .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
            .where(LedgerPosting.account_kind == AccountKind.AVAILABLE.value)
            .group_by(LedgerTransaction.platform, LedgerPosting.currency)
        ):
            found[(_AVAILABLE, None, cur, plat)] = int(total or 0)
        # Every holding account the items touch is now known: absent means zero.
        for i in items:
            for p in i.transaction.postings:
                if p.account.kind in HOLDING_KINDS:
                    key = self._key(p.account, i.platform)
                    self.held[key] = found.get(key, 0)

    def read_next_due(self) -> None:
        """When the books' pending money next clears: the earliest available date of a
        lot with something remaining (as `_clear_due` picks them, over all dates: never
        later than what a clearing at an item's date would book)."""
        self.write()
        due = [
            lot.available_at
            for lot in pending_lots(self.session, as_of=None)
            if lot.remaining and lot.available_at is not None and lot.scope_id is not None
        ]
        self.next_due = min(due) if due else None

    @staticmethod
    def _key(account: Account, platform: str) -> _Key:
        kind = account.kind._value_
        if kind == _AVAILABLE and account.scope is None:
            return kind, None, account.currency, platform
        return kind, account.scope, account.currency, None

    def _balance(self, account: Account, platform: str) -> int:
        key = self._key(account, platform)
        if key not in self.held:
            self.write()
            held = LedgerService._held(self.session, [account], platform)
            self.held[key] = held[account].amount
        return self.held[key]

    def _source_balance(self, source: tuple[SourceKind, str], account: Account) -> int:
        skey = (source[0]._value_, source[1])
        key = (skey, self._key(account, ""))
        if key not in self.by_source:
            if skey in self.known_sources:
                self.write()
                held = LedgerService._held(self.session, [account], "", source=source)
                self.by_source[key] = held[account].amount
            else:
                self.by_source[key] = 0
        return self.by_source[key]

    # -- one item ----------------------------------------------------------------------

    def record(self, item: BatchItem) -> uuid.UUID:
        t = item.transaction
        skey = (t.source_kind._value_, t.source_id)
        if item.external_ref is not None and item.external_ref in self.refs:
            tid, kind, sid = self.refs[item.external_ref]
            if (kind, sid) != skey:
                raise RuleError(
                    "ledger.external_ref",
                    f"external reference {item.external_ref!r} is already recorded for "
                    f"{kind} {sid}",
                    field="external_ref",
                )
            return tid
        try:
            client = self.clients[item.client_id]
        except KeyError:
            client = self.clients[item.client_id] = _uuid(item.client_id, "client")
        for posting in t.postings:
            if posting.account.scope not in self.scope_ids:
                # refuses a scope that is not an id, up front as record() does
                self.scope_ids[posting.account.scope] = _scope_id(posting.account.scope)
        # What each holding account gets (an account may appear in more than one posting).
        platform = item.platform
        deltas: dict[_Key, list[Any]] = {}  # key -> [account, delta]
        for p in t.postings:
            acc = p.account
            key = self._key(acc, platform)
            if key[0] in _HOLDING:
                if key in deltas:
                    deltas[key][1] += p.amount.amount
                else:
                    deltas[key] = [acc, p.amount.amount]
        held = self.held
        overdrawn = False
        for key, (acc, delta) in deltas.items():
            balance = held.get(key)
            if balance is None:
                balance = self._balance(acc, platform)
            if balance + delta < 0:
                overdrawn = True
            if key[0] in _PER_SOURCE and self._source_balance(t.source, acc) + delta < 0:
                overdrawn = True
        if overdrawn:
            # The domain's rule says why (the integer check above is the same rule).
            check_transaction(
                t,
                {a: Money(self._balance(a, platform), a.currency) for a, _ in deltas.values()},
                {
                    a: Money(self._source_balance(t.source, a), a.currency)
                    for a, _ in deltas.values()
                    if a.kind in _PER_SOURCE_KINDS
                },
            )
        for key, (_acc, amount) in deltas.items():
            held[key] += amount
            kind, scope, currency, _ = key
            if kind == _AVAILABLE and scope is not None:
                pool = (_AVAILABLE, None, currency, platform)
                if pool in held:
                    held[pool] += amount
            if kind in _PER_SOURCE:
                self.by_source[(skey, key)] += amount
        due = t.available_at  # set only with money put into pending (the domain's rule)
        if due is not None and (self.next_due is None or due < self.next_due):
            self.next_due = due
        self.known_sources.add(skey)
        tid = self._queue(item, client, skey[0])
        if item.external_ref is not None:
            self.refs[item.external_ref] = (tid, *skey)
        return tid

    def _queue(self, item: BatchItem, client_id: uuid.UUID | None, source_kind: str) -> uuid.UUID:
        """The rows `LedgerService._write` would add, kept for one bulk insert (in the
        order of `_TRANSACTION_COLUMNS` and `_POSTING_COLUMNS`)."""
        t = item.transaction
        tid = self.key()
        stamp = self.now
        self.transactions.append(
            (
                tid,
                stamp,
                stamp,
                t.occurred_at,
                item.kind,
                t.memo,
                item.platform,
                client_id,
                source_kind,
                t.source_id,
                item.external_ref,
            )
        )
        for posting in t.postings:
            acc = posting.account
            kind = acc.kind._value_
            amount = posting.amount.amount
            self.postings.append(
                (
                    self.key(),
                    stamp,
                    stamp,
                    tid,
                    kind,
                    item.scope_kind if acc.scope else "workspace",
                    self.scope_ids[acc.scope],
                    client_id,
                    acc.currency,
                    amount,
                    t.available_at if kind == _PENDING and amount > 0 else None,
                )
            )
        return tid

    # -- writing -------------------------------------------------------------------------

    def write(self) -> None:
        """Insert what is queued (after the session's own pending rows: clients and
        contracts the postings point to)."""
        if not self.transactions:
            return
        self.session.flush()
        conn = self.session.connection()
        transactions = LedgerTransaction.__table__
        postings = LedgerPosting.__table__
        assert isinstance(transactions, Table) and isinstance(postings, Table)
        with indexes_made_after(conn, transactions.name, len(self.transactions)):
            _insert(conn, transactions, _TRANSACTION_COLUMNS, self.transactions, self.check_stop)
        # The summaries ledger_totals and billed_weeks: one upsert per key for the batch
        # instead of the trigger's one per posting (it stands aside inside bulk_insert,
        # only around this insert: record() and everything else stay counted by it).
        with (
            ledger_totals.bulk_insert(conn) as counted_here,
            indexes_made_after(conn, postings.name, len(self.postings)),
        ):
            _insert(conn, postings, _POSTING_COLUMNS, self.postings, self.check_stop)
            if counted_here:
                ledger_totals.add_sums(conn, map(_SUMMED, self.postings))
                billed_weeks.add_sums(conn, self._billed())
        self.transactions, self.postings = [], []

    def _billed(self) -> Iterator[tuple[str, str, int]]:
        """The batch's earned postings of billed hourly weeks, as billed_weeks.add_sums
        counts them (an import has none: one look at each transaction's kind)."""
        weeks = {
            row[0]: row[_T_SOURCE_ID]
            for row in self.transactions
            if row[_T_SOURCE_KIND] == billed_weeks.HOURLY_WEEK
            and row[_T_KIND] != billed_weeks.CLEARED
        }
        if not weeks:
            return
        earned = frozenset(billed_weeks.EARNED)
        for p in self.postings:
            source_id = weeks.get(p[_P_TRANSACTION])
            if source_id is not None and p[_P_KIND] in earned:
                yield source_id, p[_P_CURRENCY], p[_P_AMOUNT]

    def forget(self, external_ref: str | None, row: LedgerTransaction) -> None:
        """After `record()` wrote (and maybe cleared pending): read balances afresh."""
        self.held.clear()
        self.by_source.clear()
        self.known_sources.add((row.source_kind, row.source_id))
        if external_ref is not None:
            self.refs[external_ref] = (row.id, row.source_kind, row.source_id)


@contextlib.contextmanager
def indexes_made_after(conn: Connection, table: str, adding: int) -> Iterator[bool]:
    """Around a bulk insert of `adding` rows into `table`: on SQLite, inside a
    transaction, when the rows are at least REBUILD_MIN_ROWS and as many as the table
    holds (a first import), the table's secondary non-unique indexes are dropped and
    made again after the insert from their own CREATE statements (their sqlite_stat1
    rows kept): one sort of every key instead of one b-tree insert per row and index
    (20,000 postings into a new workspace: 0.39 -> 0.26 s). Yields whether it did.

    DDL is transactional in SQLite: a rollback (a stop, a refusal, a failed statement)
    brings the indexes back as they were, and no other connection sees them missing
    (readers see the last commit; one writer at a time). Left by an exception, they are
    made again at once if the transaction still takes statements. Elsewhere (PostgreSQL:
    DROP INDEX would lock the table for the whole import; a table already larger than
    the batch: rebuilding would sort the rows already there too) nothing changes."""
    driver = conn.connection.driver_connection
    if (
        conn.dialect.name != "sqlite"
        or adding < REBUILD_MIN_ROWS
        or not getattr(driver, "in_transaction", False)
        or (conn.exec_driver_sql(f'SELECT max(rowid) FROM "{table}"').scalar() or 0) > adding
    ):
        yield False
        return
    indexes = [
        (name, sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table,),
        )
        if not sql.lstrip().upper().startswith("CREATE UNIQUE")
    ]
    if not indexes:
        yield False
        return
    names = [name for name, _ in indexes]
    marks = ", ".join("?" * len(names))
    stats: list[Any] = []
    has_stats = (
        conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        ).first()
        is not None
    )
    if has_stats:  # DROP INDEX deletes them
        stats = list(
            conn.exec_driver_sql(
                f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = ? AND idx IN ({marks})",
                (table, *names),
            )
        )
    for name in names:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def make_again() -> None:
        present = {
            r[0]
            for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
            )
        }
        for name, sql in indexes:
            if name not in present:
                conn.exec_driver_sql(sql)
        if stats:
            conn.exec_driver_sql(
                f"DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx IN ({marks})", (table, *names)
            )
            conn.exec_driver_sql(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)",
                [tuple(r) for r in stats],
            )

    try:
        yield True
    except BaseException:
        with contextlib.suppress(SQLAlchemyError):
            make_again()
        raise
    make_again()


def _insert(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    check_stop: Callable[[], None],
) -> None:
    """Insert `rows` (tuples in the order of `names`) with executemany, straight to the
    driver: each column's values converted by the column type's own bind processor for
    this dialect (so every backend stores what the ORM would), repeated values once."""
    dialect = conn.dialect
    columns = [table.c[name] for name in names]
    converted: list[Iterable[Any]] = []
    for c, values in zip(columns, zip(*rows, strict=True), strict=True):
        # dialect_impl: a TypeDecorator's own bind_processor() chains to its generic
        # impl (DateTime), not the dialect's (SQLite's DATETIME text with microseconds).
        proc = c.type.dialect_impl(dialect).bind_processor(dialect)
        if proc is None:
            converted.append(values)
        elif c.name in _UNIQUE_COLUMNS:
            converted.append([None if v is None else proc(v) for v in values])
        else:
            memo: dict[Any, Any] = {None: None}
            out = []
            for v in values:
                try:
                    out.append(memo[v])
                except KeyError:
                    out.append(memo.setdefault(v, proc(v)))
            converted.append(out)
    plain = Table(table.name, MetaData(), *(Column(n, NullType()) for n in names))
    compiled = insert(plain).compile(dialect=dialect)
    params: list[Any]
    if compiled.positional:
        order = [names.index(n) for n in compiled.positiontup or ()]
        cols = [list(converted[i]) for i in order]
        params = list(zip(*cols, strict=True))
    else:
        params = [dict(zip(names, row, strict=True)) for row in zip(*converted, strict=True)]
    for i in range(0, len(params), _INSERT_CHUNK):
        conn.exec_driver_sql(compiled.string, params[i : i + _INSERT_CHUNK])
        check_stop()
