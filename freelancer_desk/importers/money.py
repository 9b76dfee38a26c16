"""Platform transactions into the ledger: clients and contracts found or created,
one balanced transaction per row, recorded through `LedgerService.record_batch`
(record()'s checks in bulk: it refuses an overdraft and skips a known `external_ref`).

How a row is booked (A is the row's amount, scope its contract when known):
  earning (A > 0: hourly, fixed, bonus, payment, …)  client_funds −A → available +A
  pending earning (no balance yet, dated ahead)      client_funds −A → pending +A,
                                                     available on the row's date
  fee, withdrawal fee, connects, other charges       available −A → fees +A
  a pending earning's service fee                    that earning's pending −A → fees +A
  withdrawal                                         available −A → withdrawn +A
  refund (A < 0)                                     available −A → refunds +A
  opening balance (money there before the file)      client_funds −B → available +B
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import (
    Account,
    AccountKind,
    Posting,
    SourceKind,
    Transaction,
)
from freelancer_desk.domain.money import MAX_MINOR, Money
from freelancer_desk.importers.base import (
    ImportCancelled,
    ImportRefused,
    Issue,
    MoneyRow,
    Preview,
    Progress,
    Stop,
    check_stop,
)
from freelancer_desk.services.ledger import BatchItem, BatchRefused, LedgerService
from freelancer_desk.services.ledger_bulk import BatchCancelled, in_texts
from freelancer_desk.storage.models import Client, Contract, LedgerTransaction

CHARGE_TO = {
    "withdrawal": AccountKind.WITHDRAWN,
    "refund": AccountKind.REFUNDS,
}


@dataclass
class _Books:
    clients: dict[tuple[str, str], uuid.UUID] = field(default_factory=dict)
    contracts: dict[str, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    new_clients: int = 0
    new_contracts: int = 0


def existing_refs(session: Session, refs: Iterable[str]) -> set[str]:
    """Which of `refs` the ledger already holds (one query on SQLite and PostgreSQL)."""
    wanted = list(dict.fromkeys(refs))
    found: set[str] = set()
    for where in in_texts(session, LedgerTransaction.external_ref, wanted):
        found.update(
            r for r in session.scalars(select(LedgerTransaction.external_ref).where(where)) if r
        )
    return found


def resolve_money(session: Session, preview: Preview) -> None:
    """Count duplicates, and name the clients and contracts the import would create."""
    rows = preview.parsed.money
    seen = existing_refs(session, (r.external_ref for r in rows))
    preview.duplicates = sum(1 for r in rows if r.external_ref in seen)
    preview.new_rows = len(rows) - preview.duplicates
    platform = preview.parsed.platform
    names = {
        n.lower() for n in session.scalars(select(Client.name).where(Client.platform == platform))
    }
    refs = set(session.scalars(select(Contract.reference).where(Contract.reference.is_not(None))))
    new_clients: dict[str, None] = {}
    new_contracts: dict[str, str] = {}
    totals: dict[str, int] = {}
    for r in rows:
        if r.external_ref in seen:
            continue
        currency = r.amount.currency
        before = totals.get(currency, 0)
        totals[currency] = before + abs(r.amount.amount)
        if totals[currency] > MAX_MINOR >= before:  # every sum of these rows stays in range
            preview.parsed.error(
                r.row,
                "Amount",
                f"the file's amounts add up past {Money(MAX_MINOR, r.amount.currency)}, "
                "more than the books hold",
            )
        if r.client_name and r.client_name.lower() not in names:
            new_clients[r.client_name] = None
        if r.contract_ref and r.contract_ref not in refs and r.client_name:
            new_contracts.setdefault(r.contract_ref, r.contract_title or r.description)
    preview.new_clients = list(new_clients)
    preview.new_contracts = [f"{ref}: {title}"[:120] for ref, title in new_contracts.items()]


def _known(session: Session, books: _Books, rows: list[MoneyRow], platform: str) -> None:
    """The platform's clients and the contracts the rows name, read once (not a query
    per row): `_client` and `_contract` then only create what is missing."""
    for cid, name in session.execute(
        select(Client.id, Client.name).where(Client.platform == platform).order_by(Client.id)
    ):
        books.clients.setdefault((platform, name.lower()), cid)
    refs = list(dict.fromkeys(r.contract_ref for r in rows if r.contract_ref))
    for i in range(0, len(refs), 500):
        for ref, cid, client_id in session.execute(
            select(Contract.reference, Contract.id, Contract.client_id).where(
                Contract.reference.in_(refs[i : i + 500])
            )
        ):
            books.contracts[str(ref)] = (cid, client_id)


def _client(session: Session, books: _Books, name: str, platform: str, currency: str) -> uuid.UUID:
    """The platform's client of that name (case-insensitive), created when new; the
    books hold every existing one (`_known`), so a miss needs no query."""
    key = (platform, name.lower())
    if key in books.clients:
        return books.clients[key]
    row = Client(name=name[:200], platform=platform, currency=currency, notes="imported")
    session.add(row)
    books.new_clients += 1
    books.clients[key] = row.id
    return row.id


def _contract(
    session: Session, books: _Books, r: MoneyRow, client_id: uuid.UUID, platform: str
) -> uuid.UUID:
    assert r.contract_ref is not None
    if r.contract_ref in books.contracts:  # every existing one is there (`_known`)
        return books.contracts[r.contract_ref][0]
    hourly = r.type == "hourly"
    row = Contract(
        client_id=client_id,
        title=(r.contract_title or r.description or f"Contract {r.contract_ref}")[:300],
        reference=r.contract_ref,
        platform=platform,
        kind="hourly" if hourly else "fixed",
        state="active",
        currency=r.amount.currency,
        hourly_rate_minor=0 if hourly else None,
        fee_bp=1000 if platform == "upwork" else 2000,
        snapshot_policy="off",
        started_at=r.occurred_at,
        notes="imported from a transaction history; rate unknown" if hourly else "imported",
    )
    session.add(row)
    books.new_contracts += 1
    books.contracts[r.contract_ref] = (row.id, row.client_id)
    return row.id


@functools.lru_cache(maxsize=4096)
def _scope_text(contract_id: uuid.UUID) -> str:
    return str(contract_id)


# Rows are booked with `LedgerService.record_batch` (record()'s checks, balances kept in
# memory, one bulk insert); False books them one by one with record(), which the tests
# use to show both paths book the same.
USE_BATCH = True


def write_money(
    session: Session,
    preview: Preview,
    clock: Clock,
    ledger: LedgerService,
    progress: Progress | None,
    stop: Stop | None = None,
) -> tuple[int, int, int, int]:
    """Book every new row; (transactions, clients, contracts, skipped). `stop` is polled
    every 500 rows and between bulk inserts (ImportCancelled)."""
    platform = preview.parsed.platform
    rows = preview.parsed.money
    seen = existing_refs(session, (r.external_ref for r in rows))
    books = _Books()
    _known(session, books, rows, platform)
    skipped = 0
    now = clock.now()
    pending_sources: dict[str | None, list[tuple[MoneyRow, str | None]]] = {}
    items: list[BatchItem] = []
    item_rows: list[MoneyRow] = []
    for r in rows:
        if r.external_ref in seen:
            skipped += 1
            continue
        seen.add(r.external_ref)
        client_id = None
        if r.client_name:
            client_id = _client(session, books, r.client_name, platform, r.amount.currency)
        scope: str | None = None
        if r.contract_ref and client_id is not None:
            scope = _scope_text(_contract(session, books, r, client_id, platform))
        elif r.contract_ref and r.contract_ref in books.contracts:
            scope = _scope_text(books.contracts[r.contract_ref][0])
        try:
            transaction = _transaction(r, scope, now, pending_sources)
        except RuleError as exc:
            raise ImportRefused([Issue(r.row, exc.field or "amount", str(exc))]) from None
        items.append(
            BatchItem(
                transaction,
                kind=f"import_{r.type}",
                platform=platform,
                client_id=client_id,
                scope_kind="contract",
                external_ref=r.external_ref,
            )
        )
        item_rows.append(r)
    if USE_BATCH:
        try:
            ledger.record_batch(session, items, now=now, progress=progress, stop=stop)
        except BatchRefused as exc:
            r = item_rows[exc.index]
            raise ImportRefused([Issue(r.row, exc.field or "amount", str(exc))]) from None
        except BatchCancelled:
            raise ImportCancelled from None
    else:
        for n, (item, r) in enumerate(zip(items, item_rows, strict=True), 1):
            try:
                ledger.record(
                    session,
                    item.transaction,
                    kind=item.kind,
                    platform=item.platform,
                    client_id=item.client_id,
                    scope_kind=item.scope_kind,
                    external_ref=item.external_ref,
                )
            except RuleError as exc:
                raise ImportRefused([Issue(r.row, exc.field or "amount", str(exc))]) from None
            if n % 500 == 0 or n == len(items):
                if progress is not None:
                    progress(n, len(items))
                check_stop(stop)
    if progress is not None and not items:
        progress(len(rows), len(rows))
    return len(items), books.new_clients, books.new_contracts, skipped


@functools.lru_cache(maxsize=4096)
def _account(kind: AccountKind, scope: str | None, currency: str) -> Account:
    """Accounts are immutable keys: the rows of one contract share theirs."""
    return Account(kind, scope, currency)


def _transaction(
    r: MoneyRow,
    scope: str | None,
    now: datetime,
    pending_sources: dict[str | None, list[tuple[MoneyRow, str | None]]],
) -> Transaction:
    cur = r.amount.currency
    amount = r.amount.amount
    source = (SourceKind.IMPORT, r.external_ref)
    memo = (r.description or r.type)[:500]
    # One leg moves the row's own amount (its Money reused), the other its opposite.
    signed = r.amount
    opposite = Money(-amount, cur)

    def leg(kind: AccountKind, where: str | None, money: Money) -> Posting:
        return Posting(_account(kind, where, cur), money)

    if amount == 0:
        raise RuleError("import.zero", "amount is zero: nothing to book", field="amount")
    if amount > 0:
        if r.pending and scope is not None:
            occurred = min(r.occurred_at, now)
            pending_sources.setdefault(r.contract_ref, []).append((r, scope))
            return Transaction(
                (
                    leg(AccountKind.CLIENT_FUNDS, scope, opposite),
                    leg(AccountKind.PENDING, scope, signed),
                ),
                occurred,
                memo,
                *source,
                available_at=r.occurred_at,
            )
        return Transaction(
            (
                leg(AccountKind.CLIENT_FUNDS, scope, opposite),
                leg(AccountKind.AVAILABLE, scope, signed),
            ),
            r.occurred_at,
            memo,
            *source,
        )
    to_kind = CHARGE_TO.get(r.type, AccountKind.FEES)
    if r.pending and to_kind is AccountKind.FEES:
        earnings = pending_sources.get(r.contract_ref) or []
        if not earnings:
            raise RuleError(
                "import.pending_fee",
                "a pending charge with no pending earning of the same contract before it",
                field="amount",
            )
        earning, earning_scope = earnings[-1]
        return Transaction(
            (
                leg(AccountKind.PENDING, earning_scope, signed),
                leg(AccountKind.FEES, earning_scope, opposite),
            ),
            min(r.occurred_at, now),
            memo,
            SourceKind.IMPORT,
            earning.external_ref,
        )
    return Transaction(
        (leg(AccountKind.AVAILABLE, None, signed), leg(to_kind, scope, opposite)),
        r.occurred_at,
        memo,
        *source,
    )
