"""The ledger service: the one place money movements are written, and the questions
asked of the books (balances, the cash-flow calendar, earnings, conversions).

`record()` takes a balanced domain `Transaction` and writes it inside the caller's
session, so a state change (a milestone released) and its postings commit together.
It refuses a transaction that would overdraw escrow, pending or available money, and
recording the same `external_ref` twice returns the first row. `record_batch()` does
the same for many transactions at once (an import of years of history): balances are
read once and kept in memory, and the rows go in with one bulk insert.

Pending becomes available by explicit clearing transactions: `clear_due()` books a
`pending_cleared` transaction for every pending amount whose date has come, dated at
that date (not when the app noticed), so the books read the same whenever it ran.
`balances(as_of)` shows a due amount as available even before `clear_due()` booked
it, exactly as `clear_due()` would book it: the answer never depends on when the
clearing last ran.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.earnings import EarningsGroup, earnings_rows
from freelancer_desk.domain.earnings import (
    EarningsRow as EarningsRow,  # re-exported: its home was here
)
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    Account,
    AccountKind,
    SourceKind,
    Transaction,
    check_transaction,
    pending_cleared,
)
from freelancer_desk.domain.money import Money, MoneyError, check_currency
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Client,
    Contract,
    ExchangeRate,
    Gig,
    LedgerPosting,
    LedgerTotal,
    LedgerTransaction,
    Order,
    Segment,
    TrackedDay,
)
from freelancer_desk.storage.models.ledger_totals import NO_ID
from freelancer_desk.storage.models.tracked_days import whole_days

# Gross earnings = fees + pending + available + withdrawn: what the clients paid that
# reached the freelancer's side of the books, before fees (see domain/ledger.py).
EARNED_KINDS = (
    AccountKind.FEES.value,
    AccountKind.PENDING.value,
    AccountKind.AVAILABLE.value,
    AccountKind.WITHDRAWN.value,
)
CLEARED_KIND = "pending_cleared"
RATE_SCALE = 1_000_000  # ExchangeRate.rate_micro: millionths of the quote currency

_Stmt = TypeVar("_Stmt", bound=Select)  # type: ignore[type-arg]

GroupBy = Literal["client", "platform", "month", "year"]
GROUP_BY_CHOICES: tuple[GroupBy, ...] = ("client", "platform", "month", "year")


# -- what the queries return -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingLot:
    """One amount put into pending, what of it is still pending, and when it clears."""

    posting_id: uuid.UUID
    available_at: datetime | None
    amount: Money  # what went into pending
    remaining: Money  # what of it has not been cleared (as of the query's date)
    client_id: uuid.UUID | None
    client_name: str | None
    platform: str
    scope_kind: str
    scope_id: uuid.UUID | None
    source_kind: str
    source_id: str
    memo: str

    def to_json(self) -> dict[str, Any]:
        return {
            "available_at": self.available_at.isoformat() if self.available_at else None,
            "amount": self.remaining.to_json(),
            "client_id": str(self.client_id) if self.client_id else None,
            "client": self.client_name,
            "platform": self.platform,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "memo": self.memo,
        }


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """What becomes (or became) available on one day, per currency, and from what."""

    day: date
    totals: dict[str, Money]
    lots: tuple[PendingLot, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "totals": {c: m.to_json() for c, m in sorted(self.totals.items())},
            "items": [{**lot.to_json(), "amount": lot.amount.to_json()} for lot in self.lots],
        }


@dataclass(frozen=True, slots=True)
class Rate:
    """1 `base` = `rate` `quote`, as the user entered it for `on` (or its inverse)."""

    base: str
    quote: str
    on: date
    rate: Decimal
    inverted: bool = False


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One transaction for `LedgerService.record_batch`, with what `record()` takes."""

    transaction: Transaction
    kind: str
    platform: str
    client_id: uuid.UUID | None = None
    scope_kind: str = "contract"
    external_ref: str | None = None


class BatchRefused(RuleError):
    """An item of a batch was refused; `index` says which (nothing of the batch stays
    written once the caller's unit of work rolls back)."""

    def __init__(self, index: int, error: RuleError) -> None:
        super().__init__(error.rule, str(error), field=error.field)
        self.index = index


# -- helpers -----------------------------------------------------------------------------


def _scope_id(scope: str | None) -> uuid.UUID | None:
    if scope is None:
        return None
    try:
        return uuid.UUID(scope)
    except ValueError:
        raise RuleError(
            "ledger.scope",
            f"account scope {scope!r} is not the id of a contract, order or client",
            field="scope",
        ) from None


def _uuid(value: uuid.UUID | str | None, what: str) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise RuleError(f"{what}.id", f"{what}: {value!r} is not an id", field=what) from None


def _currency(code: str, what: str = "currency") -> str:
    try:
        return check_currency(code)
    except MoneyError as exc:
        raise RuleError(f"{what}.unknown", f"{what}: {exc}", field=what) from exc


def _zone(tz: str | tzinfo) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            "timezone.unknown", f"timezone: {tz!r} is not an IANA zone", field="timezone"
        ) from None


class LedgerService:
    """Writes money movements and answers questions about them.

    `db` is needed by the queries only; `record()` works in the caller's session, so
    services that only record may still be given `LedgerService()`.
    """

    def __init__(self, db: Database | None = None) -> None:
        self._db = db

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("this LedgerService was built without a database: pass db=")
        return self._db

    # -- writing -------------------------------------------------------------------------

    def record(
        self,
        session: Session,
        transaction: Transaction,
        *,
        kind: str,
        platform: str,
        client_id: uuid.UUID | None,
        scope_kind: str = "contract",
        external_ref: str | None = None,
    ) -> LedgerTransaction:
        """Write `transaction` (already balanced by the domain) in `session`.

        Refused (RuleError) when it would overdraw escrow, pending or available money:
        per account, and per source for escrow and pending (a milestone's release never
        exceeds what that milestone funded). A transaction that takes from available
        money first books the clearances due by its date. With an `external_ref` that
        is already recorded, the existing row is returned and nothing is written.
        """
        if external_ref is not None:
            existing = session.scalar(
                select(LedgerTransaction).where(LedgerTransaction.external_ref == external_ref)
            )
            if existing is not None:
                if (existing.source_kind, existing.source_id) != (
                    transaction.source_kind.value,
                    transaction.source_id,
                ):
                    raise RuleError(
                        "ledger.external_ref",
                        f"external reference {external_ref!r} is already recorded for "
                        f"{existing.source_kind} {existing.source_id}",
                        field="external_ref",
                    )
                return existing
        client = _uuid(client_id, "client")
        for posting in transaction.postings:
            _scope_id(posting.account.scope)  # refuse a scope that is not an id up front
        if any(
            p.account.kind is AccountKind.AVAILABLE and p.amount.is_negative
            for p in transaction.postings
        ):
            self._clear_due(session, transaction.occurred_at)
        touched = {p.account for p in transaction.postings}
        check_transaction(
            transaction,
            self._held(session, touched, platform),
            self._held(session, touched, platform, source=transaction.source),
        )
        return self._write(session, transaction, kind, platform, client, scope_kind, external_ref)

    def record_batch(
        self,
        session: Session,
        items: Sequence[BatchItem],
        *,
        now: datetime | None = None,
        progress: Callable[[int, int], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[uuid.UUID]:
        """Record many transactions, in order, with exactly `record()`'s checks; the
        ids of the transactions (for a known `external_ref`: the existing one's).

        Balances are read once (a few grouped queries) and kept in memory, and new rows
        are inserted in bulk (executemany) when the batch ends or before anything must
        read the database (services/ledger_bulk.py). The one thing memory cannot do is
        clearing: while pending money exists (in the books, or put there by an earlier
        item), an item that takes from available money goes through `record()`, which
        books the clearances due first. A refusal raises `BatchRefused` naming the item;
        `stop` (polled every 500 items and between inserts) returning True raises
        `ledger_bulk.BatchCancelled`. Either way rows of the batch are then in the
        session, so the caller's unit of work must roll back. `now` stamps created_at
        (default: the database's clock).
        """
        from freelancer_desk.services import ledger_bulk

        if now is None:
            now = self.db.clock.now()
        return ledger_bulk.record_batch(self, session, items, now=now, progress=progress, stop=stop)

    @staticmethod
    def _write(
        session: Session,
        transaction: Transaction,
        kind: str,
        platform: str,
        client_id: uuid.UUID | None,
        scope_kind: str,
        external_ref: str | None,
    ) -> LedgerTransaction:
        row = LedgerTransaction(
            occurred_at=transaction.occurred_at,
            kind=kind,
            memo=transaction.memo,
            platform=platform,
            client_id=client_id,
            source_kind=transaction.source_kind.value,
            source_id=transaction.source_id,
            external_ref=external_ref,
        )
        for posting in transaction.postings:
            pending_in = posting.account.kind is AccountKind.PENDING and posting.amount.amount > 0
            row.postings.append(
                LedgerPosting(
                    account_kind=posting.account.kind.value,
                    scope_kind=scope_kind if posting.account.scope else "workspace",
                    scope_id=_scope_id(posting.account.scope),
                    client_id=client_id,
                    currency=posting.amount.currency,
                    amount_minor=posting.amount.amount,
                    available_at=transaction.available_at if pending_in else None,
                )
            )
        session.add(row)
        session.flush()
        return row

    @staticmethod
    def _held(
        session: Session,
        accounts: Iterable[Account],
        platform: str,
        source: tuple[SourceKind, str] | None = None,
    ) -> dict[Account, Money]:
        """Booked balances of `accounts` (all of them, whatever their date), optionally
        only what `source` put there. The platform-wide available account (scope None)
        is the pool: all available money of that currency on `platform`."""
        held: dict[Account, Money] = {}
        for account in accounts:
            stmt = (
                select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0))
                .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                .where(
                    LedgerPosting.account_kind == account.kind.value,
                    LedgerPosting.currency == account.currency,
                )
            )
            if account.scope is not None:
                stmt = stmt.where(LedgerPosting.scope_id == _scope_id(account.scope))
            elif account.kind is AccountKind.AVAILABLE:
                stmt = stmt.where(LedgerTransaction.platform == platform)
            else:
                stmt = stmt.where(LedgerPosting.scope_id.is_(None))
            if source is not None:
                stmt = stmt.where(
                    LedgerTransaction.source_kind == source[0].value,
                    LedgerTransaction.source_id == source[1],
                )
            held[account] = Money(int(session.scalar(stmt) or 0), account.currency)
        return held

    def find_source(
        self, session: Session, source: tuple[SourceKind, str], *, kind: str | None = None
    ) -> LedgerTransaction | None:
        """The first transaction recorded for `source` (of `kind`, when given)."""
        stmt = select(LedgerTransaction).where(
            LedgerTransaction.source_kind == source[0].value,
            LedgerTransaction.source_id == source[1],
        )
        if kind is not None:
            stmt = stmt.where(LedgerTransaction.kind == kind)
        return session.scalars(stmt.order_by(LedgerTransaction.occurred_at).limit(1)).first()

    def clear_due(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Book `pending_cleared` for every pending amount whose date is at or before
        `now` (default: the clock), each dated at its available date. Idempotent."""
        when = ensure_utc(now) if now is not None else self.db.clock.now()
        with self.db.session() as s:
            rows = self._clear_due(s, when)
            return [describe(row) for row in rows]

    def _clear_due(self, session: Session, now: datetime) -> list[LedgerTransaction]:
        written = []
        for lot in pending_lots(session, as_of=now):
            if not lot.remaining or lot.available_at is None or lot.available_at > now:
                continue
            if lot.scope_id is None:  # every pending posting the builders make is scoped
                continue
            transaction = pending_cleared(
                lot.remaining,
                str(lot.scope_id),
                lot.available_at,
                (SourceKind(lot.source_kind), lot.source_id),
            )
            written.append(
                self._write(
                    session,
                    transaction,
                    CLEARED_KIND,
                    lot.platform,
                    lot.client_id,
                    lot.scope_kind,
                    None,
                )
            )
        return written

    # -- balances and the cash-flow calendar ----------------------------------------------

    def balances(
        self,
        as_of: datetime | None = None,
        client_id: uuid.UUID | str | None = None,
        platform: str | None = None,
        currency: str | None = None,
    ) -> dict[str, dict[str, Money]]:
        """Balance per account kind and currency as of `as_of` (default: now): the
        transactions that occurred by then, with every pending amount whose available
        date has come counted as available. Currencies are never added together."""
        when = ensure_utc(as_of) if as_of is not None else self.db.clock.now()
        filters = _Filters(_uuid(client_id, "client"), platform, currency)
        totals: dict[tuple[str, str], int] = defaultdict(int)
        with self.db.read() as s:
            stmt = select(
                LedgerPosting.account_kind,
                LedgerPosting.currency,
                func.sum(LedgerPosting.amount_minor),
            ).group_by(LedgerPosting.account_kind, LedgerPosting.currency)
            if platform is not None:  # a transaction's column: every posting joined
                stmt = stmt.join(
                    LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id
                ).where(LedgerTransaction.occurred_at <= when)
                for kind, cur, total in s.execute(filters.apply(stmt)):
                    totals[(kind, cur)] += int(total or 0)
            else:  # every posting, less those of the (few) transactions after `when`
                counted = stmt.add_columns(func.count())
                later = select(LedgerTransaction.id).where(LedgerTransaction.occurred_at > when)
                postings: dict[tuple[str, str], int] = defaultdict(int)
                # all time: the ledger_totals summary (storage/models/ledger_totals.py)
                for kind, cur, total, n in s.execute(filters.totals(_ALL_TIME)):
                    totals[(kind, cur)] += int(total or 0)
                    postings[(kind, cur)] += int(n or 0)
                for kind, cur, total, n in s.execute(
                    filters.apply(counted.where(LedgerPosting.transaction_id.in_(later)))
                ):
                    totals[(kind, cur)] -= int(total or 0)
                    postings[(kind, cur)] -= n
                for key, n in postings.items():
                    if not n:  # only in transactions after `when`: not there yet
                        del totals[key]
            for lot in pending_lots(s, as_of=when, filters=filters):
                if lot.remaining and lot.available_at is not None and lot.available_at <= when:
                    cur = lot.remaining.currency
                    totals[(AccountKind.PENDING.value, cur)] -= lot.remaining.amount
                    totals[(AccountKind.AVAILABLE.value, cur)] += lot.remaining.amount
        out: dict[str, dict[str, Money]] = {}
        for (kind, cur), total in sorted(totals.items()):
            out.setdefault(kind, {})[cur] = Money(total, cur)
        return out

    def pending_schedule(
        self,
        now: datetime | None = None,
        client_id: uuid.UUID | str | None = None,
        platform: str | None = None,
        currency: str | None = None,
    ) -> list[PendingLot]:
        """What is still pending at `now`, each amount with the instant it becomes
        available (earliest first; amounts without a date last)."""
        when = ensure_utc(now) if now is not None else self.db.clock.now()
        filters = _Filters(_uuid(client_id, "client"), platform, currency)
        with self.db.read() as s:
            lots = [
                lot
                for lot in pending_lots(s, as_of=when, filters=filters)
                if lot.remaining and (lot.available_at is None or lot.available_at > when)
            ]
        far = datetime.max.replace(tzinfo=UTC)
        return sorted(lots, key=lambda lot: (lot.available_at or far, lot.source_id))

    def calendar(
        self,
        start: date,
        end: date,
        tz: str | tzinfo = UTC,
        client_id: uuid.UUID | str | None = None,
        platform: str | None = None,
    ) -> list[CalendarDay]:
        """Per day in [start, end) (local days in `tz`), the pending amounts that become
        available that day — past days show what became available, as it was booked."""
        zone = _zone(tz)
        if end < start:
            raise RuleError("calendar.range", "calendar: end is before start", field="end")
        lo = datetime.combine(start, time(), zone).astimezone(UTC)
        hi = datetime.combine(end, time(), zone).astimezone(UTC)
        filters = _Filters(_uuid(client_id, "client"), platform, None)
        days: dict[date, list[PendingLot]] = defaultdict(list)
        with self.db.read() as s:
            for lot in pending_lots(s, as_of=None, filters=filters, available_in=(lo, hi)):
                assert lot.available_at is not None
                days[lot.available_at.astimezone(zone).date()].append(lot)
        result = []
        for day in sorted(days):
            # In the order they become available (the query's row order is the plan's).
            days[day].sort(key=lambda lot: (lot.available_at, lot.source_id, lot.posting_id))
            totals: dict[str, Money] = {}
            for lot in days[day]:
                cur = lot.amount.currency
                totals[cur] = totals.get(cur, Money.zero(cur)) + lot.amount
            result.append(CalendarDay(day, totals, tuple(days[day])))
        return result

    # -- earnings ---------------------------------------------------------------------

    def earnings(
        self,
        period_start: datetime,
        period_end: datetime,
        group_by: str = "client",
    ) -> list[EarningsRow]:
        """Gross, fees, net, tracked time and net per hour for [period_start, period_end),
        per group and currency. Money counts when it was earned (a release, a billed
        week, an order completed, an invoice paid); tracked time counts by its segment.
        Hours are attributed to the currency of the contract or order they were tracked
        on, so each row's rate is in one currency and nothing is converted."""
        if group_by not in GROUP_BY_CHOICES:
            raise RuleError(
                "earnings.group_by",
                f"group_by: {group_by!r} is not one of {', '.join(GROUP_BY_CHOICES)}",
                field="group_by",
            )
        start, end = ensure_utc(period_start), ensure_utc(period_end)
        if end < start:
            raise RuleError("earnings.period", "period ends before it starts", field="period_end")
        groups: dict[tuple[str, str], EarningsGroup] = {}

        def group(key: str, label: str, cur: str) -> EarningsGroup:
            return groups.setdefault((key, cur), EarningsGroup(label))

        with self.db.read() as s:
            names = {cid: name for cid, name in s.execute(select(Client.id, Client.name))}
            money = (
                select(
                    LedgerTransaction.occurred_at,
                    LedgerTransaction.platform,
                    LedgerPosting.client_id,
                    LedgerPosting.account_kind,
                    LedgerPosting.currency,
                    LedgerPosting.amount_minor,
                )
                .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                .where(
                    LedgerTransaction.occurred_at >= start,
                    LedgerTransaction.occurred_at < end,
                    LedgerPosting.account_kind.in_(EARNED_KINDS),
                )
            )
            if group_by in ("client", "platform"):  # summed in SQL: tens of rows, not 100,000s
                cols: tuple[Any, ...] = (
                    LedgerTransaction.platform,
                    LedgerPosting.client_id,
                    LedgerPosting.account_kind,
                    LedgerPosting.currency,
                )
                summed: Any = money.with_only_columns(
                    *cols, func.sum(LedgerPosting.amount_minor)
                ).group_by(*cols)
                # two queries: one index entry each (min and max together: a scan)
                first = s.scalar(select(func.min(LedgerTransaction.occurred_at)))
                last = s.scalar(select(func.max(LedgerTransaction.occurred_at)))
                if group_by == "client" and (
                    first is None
                    or last is None
                    or (start <= ensure_utc(first) and ensure_utc(last) < end)
                ):  # the whole ledger: no transaction to look at (postings' covering index)
                    # (the ledger_totals summary: a row per client, scope, kind, currency)
                    cols = (
                        literal("").label("platform"),
                        LedgerTotal.client_key,
                        LedgerTotal.account_kind,
                        LedgerTotal.currency,
                    )
                    summed = (
                        select(*cols, func.sum(LedgerTotal.amount_minor))
                        .where(LedgerTotal.account_kind.in_(EARNED_KINDS))
                        .group_by(*cols[1:])
                    )
                for plat, client, kind, cur, total in s.execute(summed):
                    client = None if client == NO_ID else client
                    g = group(*_group_key(group_by, start, plat, client, names), cur)
                    g.gross += int(total or 0)
                    if kind == AccountKind.FEES.value:
                        g.fees += int(total or 0)
                for plat, client, cur, seconds in _tracked_totals(s, start, end):
                    group(*_group_key(group_by, start, plat, client, names), cur).seconds += seconds
            elif (period := _period_sql(s.get_bind().dialect.name, group_by)) is not None:
                # per month or year, summed in SQL: the period's key of each posting
                cols = (
                    period(LedgerTransaction.occurred_at, False).label("k"),
                    LedgerPosting.account_kind,
                    LedgerPosting.currency,
                )
                summed = money.with_only_columns(
                    *cols, func.sum(LedgerPosting.amount_minor)
                ).group_by(*cols)
                for key, kind, cur, total in s.execute(summed):
                    g = group(key, key, cur)
                    g.gross += int(total or 0)
                    if kind == AccountKind.FEES.value:
                        g.fees += int(total or 0)
                for key, _plat, _client, cur, seconds in _tracked_sums(s, start, end, period):
                    group(key, key, cur).seconds += seconds
            else:  # a backend without the date functions: per row
                for at, plat, client, kind, cur, amount in s.execute(money):
                    g = group(*_group_key(group_by, at, plat, client, names), cur)
                    g.gross += amount
                    if kind == AccountKind.FEES.value:
                        g.fees += amount
                for at, plat, client, cur, seconds in _tracked(s, start, end):
                    g = group(*_group_key(group_by, at, plat, client, names), cur)
                    g.seconds += seconds
        return earnings_rows(groups, group_by)

    # -- exchange rates ----------------------------------------------------------------

    def set_rate(self, base: str, quote: str, on: date, rate: Decimal | str) -> dict[str, Any]:
        """Enter 1 `base` = `rate` `quote` for the day `on` (replacing that day's rate)."""
        base, quote = _currency(base, "base"), _currency(quote, "quote")
        if base == quote:
            raise RuleError("rate.pair", f"quote: a rate from {base} to itself", field="quote")
        try:
            value = Decimal(str(rate).strip())
        except InvalidOperation:
            raise RuleError(
                "rate.number", f"rate: {rate!r} is not a number", field="rate"
            ) from None
        micro = value * RATE_SCALE
        if not value.is_finite() or micro != micro.to_integral_value():
            raise RuleError("rate.decimals", f"rate: {rate} has more than 6 decimals", field="rate")
        if micro <= 0:
            raise RuleError("rate.positive", f"rate: {rate} must be more than zero", field="rate")
        with self.db.session() as s:
            row = s.scalar(
                select(ExchangeRate).where(
                    ExchangeRate.base == base, ExchangeRate.quote == quote, ExchangeRate.on == on
                )
            )
            if row is None:
                row = ExchangeRate(base=base, quote=quote, on=on, rate_micro=int(micro))
                s.add(row)
            else:
                row.rate_micro = int(micro)
            s.flush()
            return {
                "id": str(row.id),
                "base": base,
                "quote": quote,
                "on": on.isoformat(),
                "rate": str(Decimal(row.rate_micro) / RATE_SCALE),
            }

    def rate(self, base: str, quote: str, on: date) -> Rate:
        """The user's rate for the pair on the nearest day at or before `on` — entered
        either way round (an inverse is used when it is the more recent). Refused when
        there is none: nothing is converted with a rate the user did not enter."""
        base, quote = _currency(base, "base"), _currency(quote, "currency")
        if base == quote:
            return Rate(base, quote, on, Decimal(1))
        with self.db.read() as s:
            row = s.scalars(
                select(ExchangeRate)
                .where(
                    or_(
                        and_(ExchangeRate.base == base, ExchangeRate.quote == quote),
                        and_(ExchangeRate.base == quote, ExchangeRate.quote == base),
                    ),
                    ExchangeRate.on <= on,
                )
                .order_by(ExchangeRate.on.desc(), (ExchangeRate.base == base).desc())
                .limit(1)
            ).first()
            if row is None:
                raise RuleError(
                    "rate.missing",
                    f"no {base}→{quote} exchange rate on or before {on.isoformat()}: "
                    f"enter one to convert",
                    field="rate",
                )
            value = Decimal(row.rate_micro) / RATE_SCALE
            if row.base == base:
                return Rate(base, quote, row.on, value)
            return Rate(base, quote, row.on, 1 / value, inverted=True)

    def convert(self, amount: Money, to_currency: str, on: date) -> Money:
        """`amount` in `to_currency` at the user's rate for `on` (see `rate`), rounded
        half-up once to the target's minor unit."""
        found = self.rate(amount.currency, to_currency, on)
        return Money.from_decimal(amount.decimal * found.rate, found.quote)


# -- reading the books -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Filters:
    client_id: uuid.UUID | None = None
    platform: str | None = None
    currency: str | None = None

    def apply(self, stmt: _Stmt) -> _Stmt:
        if self.client_id is not None:
            stmt = stmt.where(LedgerPosting.client_id == self.client_id)
        if self.platform is not None:
            stmt = stmt.where(LedgerTransaction.platform == self.platform)
        if self.currency is not None:
            stmt = stmt.where(LedgerPosting.currency == self.currency)
        return stmt

    def totals(self, stmt: _Stmt) -> _Stmt:
        """`stmt` over ledger_totals with the client and currency filters (the summary
        has no platform: its readers ask without one, or only narrow by it)."""
        if self.client_id is not None:
            stmt = stmt.where(LedgerTotal.client_key == self.client_id)
        if self.currency is not None:
            stmt = stmt.where(LedgerTotal.currency == self.currency)
        return stmt


_ALL_TIME = select(
    LedgerTotal.account_kind,
    LedgerTotal.currency,
    func.sum(LedgerTotal.amount_minor),
    func.sum(LedgerTotal.postings),
).group_by(LedgerTotal.account_kind, LedgerTotal.currency)
_MANY_SCOPES = 2000  # more candidate scopes than this: no IN list, every pending posting


def pending_lots(
    session: Session,
    *,
    as_of: datetime | None,
    filters: _Filters = _Filters(),
    available_in: tuple[datetime, datetime] | None = None,
) -> list[PendingLot]:
    """Every amount put into pending (by transactions up to `as_of`), with what of it
    remains: the pending taken out again by the same source and scope (its clearances)
    is set against its amounts in order of their available dates. Read in the caller's
    `session` (so inside a unit of work it sees what that has flushed): the ledger's
    queries and `record_batch` (services.ledger_bulk) use it."""
    stmt = (
        select(
            LedgerPosting.id,
            LedgerPosting.available_at,
            LedgerPosting.amount_minor,
            LedgerPosting.currency,
            LedgerPosting.client_id,
            LedgerPosting.scope_kind,
            LedgerPosting.scope_id,
            LedgerTransaction.platform,
            LedgerTransaction.source_kind,
            LedgerTransaction.source_id,
            LedgerTransaction.memo,
            LedgerTransaction.occurred_at,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account_kind == AccountKind.PENDING.value)
    )
    if as_of is not None:
        stmt = stmt.where(LedgerTransaction.occurred_at <= as_of)
    scopes = _pending_scopes(session, as_of, filters, available_in)
    if scopes is not None:
        if not scopes:
            return []
        ids = [scope for scope in scopes if scope is not None]
        stmt = stmt.where(
            or_(LedgerPosting.scope_id.in_(ids), LedgerPosting.scope_id.is_(None))
            if None in scopes
            else LedgerPosting.scope_id.in_(ids)
        )
    # Only the (source, scope, currency) keys that still hold pending — or, for a date
    # range, put an amount into pending that becomes available in it — are worth their
    # rows: the net per key is summed in SQL, and nearly every key nets to zero.
    key_cols = (
        LedgerTransaction.source_kind,
        LedgerTransaction.source_id,
        LedgerPosting.scope_id,
        LedgerPosting.currency,
    )
    keep = func.sum(LedgerPosting.amount_minor) > 0
    if available_in is not None:
        in_range = and_(
            LedgerPosting.amount_minor > 0,
            LedgerPosting.available_at >= available_in[0],
            LedgerPosting.available_at < available_in[1],
        )
        keep = or_(keep, func.max(case((in_range, 1), else_=0)) == 1)
    keys = filters.apply(
        stmt.with_only_columns(*key_cols).group_by(*key_cols).having(keep)
    ).subquery()
    stmt = stmt.join(
        keys,
        and_(
            keys.c.source_kind == LedgerTransaction.source_kind,
            keys.c.source_id == LedgerTransaction.source_id,
            keys.c.scope_id.is_not_distinct_from(LedgerPosting.scope_id),
            keys.c.currency == LedgerPosting.currency,
        ),
    )
    rows = session.execute(filters.apply(stmt)).all()
    wanted = {r.client_id for r in rows if r.client_id is not None}
    names = {
        cid: name
        for cid, name in session.execute(
            select(Client.id, Client.name).where(Client.id.in_(wanted))
        )
    }
    far = datetime.max.replace(tzinfo=UTC)
    ins: dict[tuple[str, str, uuid.UUID | None, str], list[Any]] = defaultdict(list)
    taken: dict[tuple[str, str, uuid.UUID | None, str], int] = defaultdict(int)
    for r in rows:
        key = (r.source_kind, r.source_id, r.scope_id, r.currency)
        if r.amount_minor > 0:
            ins[key].append(r)
        else:
            taken[key] -= r.amount_minor
    lots = []
    for key, entries in ins.items():
        left = taken.get(key, 0)
        for r in sorted(entries, key=lambda r: (r.available_at or far, r.occurred_at, r.id)):
            used = min(left, r.amount_minor)
            left -= used
            if available_in is not None and not (
                r.available_at is not None and available_in[0] <= r.available_at < available_in[1]
            ):
                continue
            lots.append(
                PendingLot(
                    r.id,
                    r.available_at,
                    Money(r.amount_minor, r.currency),
                    Money(r.amount_minor - used, r.currency),
                    r.client_id,
                    names.get(r.client_id) if r.client_id is not None else None,
                    r.platform,
                    r.scope_kind,
                    r.scope_id,
                    r.source_kind,
                    r.source_id,
                    r.memo,
                )
            )
    return lots


def _pending_scopes(
    session: Session,
    as_of: datetime | None,
    filters: _Filters,
    available_in: tuple[datetime, datetime] | None,
) -> set[uuid.UUID | None] | None:
    """The scopes whose pending postings `pending_lots` must net (None: too many to
    name, net them all): those still holding pending money (the ledger_totals summary,
    all time), those touched by a transaction after `as_of` (their pending as of then
    may differ from now), and for a date range those putting money into pending that
    becomes available in it. Any other scope's pending nets to zero as of `as_of` per
    source too, since no source's pending ever goes below zero (`record` refuses it,
    `freelancer-desk check` reports it: ledger.pending_negative)."""
    found: set[uuid.UUID | None] = set()
    pending = AccountKind.PENDING.value
    for (scope,) in session.execute(
        filters.totals(
            select(LedgerTotal.scope_key)
            .where(LedgerTotal.account_kind == pending, LedgerTotal.amount_minor != 0)
            .distinct()
        )
    ):
        found.add(None if scope == NO_ID else scope)
    later: list[Any] = []
    if as_of is not None:
        later.append(LedgerTransaction.occurred_at > as_of)
    if available_in is not None:
        later.append(
            and_(
                LedgerPosting.amount_minor > 0,
                LedgerPosting.available_at >= available_in[0],
                LedgerPosting.available_at < available_in[1],
            )
        )
    for condition in later:
        found.update(
            session.scalars(
                filters.apply(
                    select(LedgerPosting.scope_id)
                    .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                    .where(LedgerPosting.account_kind == pending, condition)
                    .distinct()
                )
            )
        )
        if len(found) > _MANY_SCOPES:
            return None
    return found if len(found) <= _MANY_SCOPES else None


def _group_key(
    group_by: str,
    at: datetime,
    platform: str,
    client_id: uuid.UUID | None,
    names: Mapping[uuid.UUID, str],
) -> tuple[str, str]:
    if group_by == "client":
        if client_id is None:
            return "", "(no client: withdrawals, platform-wide)"
        return str(client_id), names.get(client_id, str(client_id))
    if group_by == "platform":
        return platform, platform
    month = at.strftime("%Y-%m") if group_by == "month" else at.strftime("%Y")
    return month, month


def _tracked(
    session: Session, start: datetime, end: datetime
) -> list[tuple[datetime, str, uuid.UUID | None, str, int]]:
    """(slot_start, platform, client, currency, seconds) of non-deleted segments in the
    period, on contracts and on orders."""
    out: list[tuple[datetime, str, uuid.UUID | None, str, int]] = []
    in_period = (
        Segment.slot_start >= start,
        Segment.slot_start < end,
        Segment.deleted.is_(False),
    )
    on_contracts = (
        select(
            Segment.slot_start,
            Contract.platform,
            Contract.client_id,
            Contract.currency,
            Segment.tracked_seconds,
        )
        .join(Contract, Contract.id == Segment.contract_id)
        .where(*in_period)
    )
    on_orders = (
        select(
            Segment.slot_start,
            func.coalesce(Gig.platform, "fiverr"),
            Order.client_id,
            Order.currency,
            Segment.tracked_seconds,
        )
        .join(Order, Order.id == Segment.order_id)
        .outerjoin(Gig, Gig.id == Order.gig_id)
        .where(*in_period, Segment.contract_id.is_(None))
    )
    for stmt in (on_contracts, on_orders):
        for at, platform, client_id, currency, seconds in session.execute(stmt):
            out.append((at, platform, client_id, currency, seconds))
    return out


_PeriodSql = Callable[[Any, bool], Any]


def _period_sql(dialect: str, group_by: str) -> _PeriodSql | None:
    """SQL for the month ('YYYY-MM') or year ('YYYY') of a stored instant or date (the
    bool: is it a date), as `_group_key` spells it; None for another grouping or a
    backend without the functions."""
    if group_by not in ("month", "year"):
        return None
    if dialect == "sqlite":  # instants and dates are stored as text starting 'YYYY-MM-DD'
        n = 7 if group_by == "month" else 4
        return lambda col, _is_date: func.substr(col, 1, n)
    if dialect == "postgresql":
        spelled = "YYYY-MM" if group_by == "month" else "YYYY"
        return lambda col, is_date: func.to_char(
            col if is_date else func.timezone("UTC", col), spelled
        )
    return None


def _tracked_sums(
    session: Session, start: datetime, end: datetime, period: _PeriodSql | None = None
) -> list[tuple[str, str, uuid.UUID | None, str, int]]:
    """(period key, platform, client, currency, seconds) of the non-deleted segments in
    [start, end), on contracts and on orders: the whole UTC days from the tracked_days
    summary, the part of a day at either end from the segments, summed in SQL per
    contract or order (and per month or year with `period`; the key is '' without)."""
    first, last, edges = whole_days(start, end)
    parts: list[Any] = []
    if first < last:
        days = select(
            period(TrackedDay.day, True) if period else literal(""),
            TrackedDay.target_id,
            TrackedDay.contract_id,
            TrackedDay.order_id,
            TrackedDay.tracked_seconds,
        )
        # two queries: SQLite reads one index entry for each (together: a scan)
        lowest = session.scalar(select(func.min(TrackedDay.day)))
        highest = session.scalar(select(func.max(TrackedDay.day)))
        if lowest is None or highest is None or not (first <= lowest and highest < last):
            # every day (all time): no condition, the target index is read in order
            days = days.where(TrackedDay.day >= first, TrackedDay.day < last)
        parts.append(days)
    if edges:
        parts.append(
            select(
                period(Segment.slot_start, False) if period else literal(""),
                func.coalesce(Segment.contract_id, Segment.order_id),
                Segment.contract_id,
                case((Segment.contract_id.is_(None), Segment.order_id)),
                Segment.tracked_seconds,
            ).where(
                or_(*(and_(Segment.slot_start >= lo, Segment.slot_start < hi) for lo, hi in edges)),
                Segment.deleted.is_(False),
            )
        )
    if not parts:
        return []
    per_target: dict[tuple[str, uuid.UUID | None, uuid.UUID | None], int] = defaultdict(int)
    # Each part summed on its own: grouping a UNION ALL of both made SQLite sort every
    # day's row (an all-time period ending at `now` has an edge part) instead of reading
    # the target index in order. Without a period the key is not grouped by either: a
    # constant in GROUP BY would stop that too.
    for part in parts:
        k, target, cid, oid, seconds = part.subquery().c
        grouped = (k, target, cid, oid) if period else (target, cid, oid)
        for key, contract_id, order_id, total in session.execute(
            select(k if period else literal(""), cid, oid, func.sum(seconds)).group_by(*grouped)
        ):
            per_target[(key, contract_id, order_id)] += int(total or 0)
    wanted = {c for _, c, _ in per_target if c is not None}
    contracts: dict[uuid.UUID, tuple[str, uuid.UUID | None, str]] = {
        ident: (platform, client_id, currency)
        for ident, platform, client_id, currency in session.execute(
            select(Contract.id, Contract.platform, Contract.client_id, Contract.currency)
        )
        if ident in wanted
    }
    orders: dict[uuid.UUID, tuple[str, uuid.UUID | None, str]] = {}
    order_ids = sorted({o for _, c, o in per_target if c is None and o is not None})
    for i in range(0, len(order_ids), 500):
        chunk = order_ids[i : i + 500]
        for ident, platform, client_id, currency in session.execute(
            select(Order.id, func.coalesce(Gig.platform, "fiverr"), Order.client_id, Order.currency)
            .outerjoin(Gig, Gig.id == Order.gig_id)
            .where(Order.id.in_(chunk))
        ):
            orders[ident] = (platform, client_id, currency)
    out: dict[tuple[str, str, uuid.UUID | None, str], int] = defaultdict(int)
    for (key, contract_id, order_id), total in per_target.items():
        owner = contracts.get(contract_id) if contract_id is not None else None
        if owner is None and contract_id is None and order_id is not None:
            owner = orders.get(order_id)
        if owner is not None:  # a segment whose contract or order is gone counts nowhere
            out[(key, *owner)] += total
    return [(key, plat, client, cur, total) for (key, plat, client, cur), total in out.items()]


def _tracked_totals(
    session: Session, start: datetime, end: datetime
) -> list[tuple[str, uuid.UUID | None, str, int]]:
    """(platform, client, currency, seconds) of the non-deleted segments in the period,
    on contracts and on orders: what `_tracked` gives, without the slot."""
    return [
        (plat, client, cur, seconds)
        for _key, plat, client, cur, seconds in _tracked_sums(session, start, end)
    ]


def describe(row: LedgerTransaction) -> dict[str, Any]:
    from freelancer_desk.services.common import to_dict

    return to_dict(row, children=("postings",))
