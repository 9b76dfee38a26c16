"""Double-entry postings for every money event, and the rules a transaction must keep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money, check_currency
from freelancer_desk.domain.platforms import (
    FIVERR,
    UPWORK,
    FiverrRules,
    UpworkRules,
    billing_week,
    fiverr_available_at,
    hourly_available_at,
    security_period_ends_at,
)


class AccountKind(StrEnum):
    """Where money sits, seen from the freelancer's books.

    CLIENT_FUNDS is the other side of everything the clients pay, so its balance is
    minus what they paid. Gross earnings = fees + pending + available + withdrawn.
    """

    CLIENT_FUNDS = "client_funds"
    ESCROW = "escrow"
    PENDING = "pending"
    AVAILABLE = "available"
    WITHDRAWN = "withdrawn"
    FEES = "fees"
    REFUNDS = "refunds"


# Money held somewhere cannot go below nothing: escrow (a release never exceeds what was
# funded), pending (nothing clears twice) and available (no withdrawing what isn't there).
HOLDING_KINDS: frozenset[AccountKind] = frozenset(
    {AccountKind.ESCROW, AccountKind.PENDING, AccountKind.AVAILABLE}
)


class SourceKind(StrEnum):
    MILESTONE = "milestone"
    ORDER = "order"
    HOURLY_WEEK = "hourly_week"
    INVOICE = "invoice"
    BONUS = "bonus"
    TIP = "tip"
    WITHDRAWAL = "withdrawal"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class Account:
    """An account key: kind, scope (a contract or order id; None for the platform-wide
    account) and currency. Accounts need no creation: a key with postings exists."""

    kind: AccountKind
    scope: str | None
    currency: str

    def __post_init__(self) -> None:
        check_currency(self.currency)

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.scope or '*'}:{self.currency}"


@dataclass(frozen=True, slots=True)
class Posting:
    account: Account
    amount: Money

    def __post_init__(self) -> None:
        if self.amount.currency != self.account.currency:
            raise RuleError(
                "ledger.posting_currency",
                f"a {self.amount.currency} amount cannot be posted to {self.account}",
                field="amount",
            )
        if not self.amount:
            raise RuleError(
                "ledger.zero_posting", f"a posting to {self.account} of zero", field="amount"
            )


@dataclass(frozen=True, slots=True)
class Transaction:
    """Postings that sum to zero per currency, pointing at the event that caused them.

    `available_at` is when the pending money this transaction creates becomes available;
    it is what the cash-flow calendar draws.
    """

    postings: tuple[Posting, ...]
    occurred_at: datetime
    memo: str
    source_kind: SourceKind
    source_id: str
    available_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "postings", tuple(self.postings))
        object.__setattr__(self, "occurred_at", ensure_utc(self.occurred_at))
        if len(self.postings) < 2:
            raise RuleError(
                "ledger.two_postings", "a transaction needs at least two postings", field="postings"
            )
        totals: dict[str, int] = defaultdict(int)
        for posting in self.postings:
            totals[posting.amount.currency] += posting.amount.amount
        unbalanced = {currency: total for currency, total in totals.items() if total}
        if unbalanced:
            detail = ", ".join(str(Money(t, c)) for c, t in sorted(unbalanced.items()))
            raise RuleError(
                "ledger.balanced",
                f"transaction does not balance: off by {detail}",
                field="postings",
            )
        if self.available_at is not None:
            available_at = ensure_utc(self.available_at)
            object.__setattr__(self, "available_at", available_at)
            if available_at < self.occurred_at:
                raise RuleError(
                    "ledger.available_at",
                    "money cannot become available before the event that earned it",
                    field="available_at",
                )
            if not any(
                p.account.kind is AccountKind.PENDING and p.amount.amount > 0 for p in self.postings
            ):
                raise RuleError(
                    "ledger.available_at",
                    "only a transaction that puts money into pending has an available date",
                    field="available_at",
                )

    @property
    def source(self) -> tuple[SourceKind, str]:
        return self.source_kind, self.source_id


# -- balances and the rules that guard them -----------------------------------------------


def apply(balances: Mapping[Account, Money], transaction: Transaction) -> dict[Account, Money]:
    """The balances after `transaction`, as a new dict."""
    after = dict(balances)
    for posting in transaction.postings:
        before = after.get(posting.account, Money.zero(posting.account.currency))
        after[posting.account] = before + posting.amount
    return after


def balances(
    transactions: Iterable[Transaction],
    *,
    as_of: datetime | None = None,
    source: tuple[SourceKind, str] | None = None,
) -> dict[Account, Money]:
    """Balance per account of the transactions that occurred at or before `as_of`,
    optionally only those of one `source` (what one milestone holds in escrow)."""
    cutoff = None if as_of is None else ensure_utc(as_of)
    result: dict[Account, Money] = {}
    for transaction in transactions:
        if cutoff is not None and transaction.occurred_at > cutoff:
            continue
        if source is not None and transaction.source != source:
            continue
        result = apply(result, transaction)
    return result


def check_transaction(
    transaction: Transaction,
    balances: Mapping[Account, Money],
    source_balances: Mapping[Account, Money] | None = None,
) -> None:
    """Refuse a transaction that would overdraw a holding account.

    `balances` are the accounts' current balances. `source_balances`, when given, are
    what the transaction's own source put in them, so a milestone's release is checked
    against what that milestone funded, not its contract's whole escrow. That second
    check covers escrow and pending only: available money is one pool, whoever earned it.
    """
    _check_holdings(transaction, balances, HOLDING_KINDS, "")
    if source_balances is not None:
        where = f" for {transaction.source_kind.value} {transaction.source_id}"
        _check_holdings(transaction, source_balances, _PER_SOURCE_KINDS, where)


_PER_SOURCE_KINDS = frozenset({AccountKind.ESCROW, AccountKind.PENDING})


def _check_holdings(
    transaction: Transaction,
    held: Mapping[Account, Money],
    kinds: frozenset[AccountKind],
    where: str,
) -> None:
    touched = {posting.account for posting in transaction.postings}
    after = apply({account: held[account] for account in touched if account in held}, transaction)
    for account, amount in after.items():
        if account.kind in kinds and amount.is_negative:
            have = held.get(account, Money.zero(account.currency))
            raise RuleError(
                f"ledger.{account.kind.value}_negative",
                f"cannot take {have - amount} from {account.kind.value}"
                f" ({account.scope or 'platform'}){where}: it holds only {have}",
                field="amount",
            )


# -- the general shapes of money events -----------------------------------------------------


def _transaction(
    legs: Iterable[tuple[AccountKind, str | None, Money]],
    occurred_at: datetime,
    memo: str,
    source: tuple[SourceKind, str],
    available_at: datetime | None = None,
) -> Transaction:
    # A zero fee (direct clients, a 0% contract) simply has no fee posting.
    postings = tuple(
        Posting(Account(kind, scope, money.currency), money) for kind, scope, money in legs if money
    )
    return Transaction(postings, occurred_at, memo, source[0], source[1], available_at)


def _positive(amount: Money, what: str) -> Money:
    if amount.amount <= 0:
        raise RuleError(f"ledger.{what}_positive", f"{what} must be more than zero", field="amount")
    return amount


def fund_escrow(
    amount: Money, scope: str, occurred_at: datetime, source: tuple[SourceKind, str], memo: str
) -> Transaction:
    """The client's money goes into escrow."""
    _positive(amount, "funding")
    return _transaction(
        [(AccountKind.CLIENT_FUNDS, scope, -amount), (AccountKind.ESCROW, scope, amount)],
        occurred_at,
        memo,
        source,
    )


def release_escrow(
    amount: Money,
    fee_bp: int,
    scope: str,
    occurred_at: datetime,
    available_at: datetime,
    source: tuple[SourceKind, str],
    memo: str,
) -> Transaction:
    """Escrow pays out: the platform keeps its fee, the net waits in pending."""
    fee, net = _positive(amount, "release").split_fee(fee_bp)
    return _transaction(
        [
            (AccountKind.ESCROW, scope, -amount),
            (AccountKind.PENDING, scope, net),
            (AccountKind.FEES, scope, fee),
        ],
        occurred_at,
        memo,
        source,
        available_at,
    )


def refund_escrow(
    amount: Money, scope: str, occurred_at: datetime, source: tuple[SourceKind, str], memo: str
) -> Transaction:
    """Escrow goes back to the client."""
    _positive(amount, "refund")
    return _transaction(
        [(AccountKind.ESCROW, scope, -amount), (AccountKind.REFUNDS, scope, amount)],
        occurred_at,
        memo,
        source,
    )


def earn(
    gross: Money,
    fee_bp: int,
    scope: str,
    occurred_at: datetime,
    available_at: datetime | None,
    source: tuple[SourceKind, str],
    memo: str,
) -> Transaction:
    """A payment that skips escrow (an hourly week, a bonus, a paid invoice): the net goes
    to pending until `available_at`, or straight to available when that is None."""
    fee, net = _positive(gross, "payment").split_fee(fee_bp)
    landing = AccountKind.AVAILABLE if available_at is None else AccountKind.PENDING
    return _transaction(
        [
            (AccountKind.CLIENT_FUNDS, scope, -gross),
            (landing, scope, net),
            (AccountKind.FEES, scope, fee),
        ],
        occurred_at,
        memo,
        source,
        available_at,
    )


def pending_cleared(
    amount: Money,
    scope: str,
    cleared_at: datetime,
    source: tuple[SourceKind, str],
    memo: str = "cleared",
) -> Transaction:
    """Pending money reaches its available date; `source` is the event that earned it."""
    _positive(amount, "clearance")
    return _transaction(
        [(AccountKind.PENDING, scope, -amount), (AccountKind.AVAILABLE, scope, amount)],
        cleared_at,
        memo,
        source,
    )


def withdrawal(
    amount: Money,
    fee: Money,
    scope: str | None,
    withdrawn_at: datetime,
    withdrawal_id: str,
    memo: str = "withdrawal",
) -> Transaction:
    """`amount` leaves the available balance; the bank receives it less the `fee`."""
    _positive(amount, "withdrawal")
    if fee.is_negative or fee > amount:
        raise RuleError(
            "ledger.withdrawal_fee",
            f"withdrawal fee {fee} must be between zero and the amount {amount}",
            field="fee",
        )
    return _transaction(
        [
            (AccountKind.AVAILABLE, scope, -amount),
            (AccountKind.WITHDRAWN, scope, amount - fee),
            (AccountKind.FEES, scope, fee),
        ],
        withdrawn_at,
        memo,
        (SourceKind.WITHDRAWAL, withdrawal_id),
    )


# -- the platforms' money events, with their dates -----------------------------------------


def milestone_funded(
    amount: Money, contract_id: str, milestone_id: str, funded_at: datetime
) -> Transaction:
    return fund_escrow(
        amount, contract_id, funded_at, (SourceKind.MILESTONE, milestone_id), "milestone funded"
    )


def milestone_released(
    amount: Money,
    fee_bp: int,
    contract_id: str,
    milestone_id: str,
    released_at: datetime,
    rules: UpworkRules = UPWORK,
    memo: str = "milestone released",
) -> Transaction:
    """Released money is available after the security period (5 days on Upwork)."""
    return release_escrow(
        amount,
        fee_bp,
        contract_id,
        released_at,
        security_period_ends_at(released_at, rules),
        (SourceKind.MILESTONE, milestone_id),
        memo,
    )


def milestone_refunded(
    amount: Money, contract_id: str, milestone_id: str, refunded_at: datetime
) -> Transaction:
    return refund_escrow(
        amount, contract_id, refunded_at, (SourceKind.MILESTONE, milestone_id), "milestone refunded"
    )


def hourly_week_source(contract_id: str, week_start: datetime) -> tuple[SourceKind, str]:
    """One source per contract and billing week, so re-billing a week is recognisable."""
    return SourceKind.HOURLY_WEEK, f"{contract_id}/{ensure_utc(week_start).date().isoformat()}"


def hourly_week_billed(
    gross: Money,
    fee_bp: int,
    contract_id: str,
    week_start: datetime,
    rules: UpworkRules = UPWORK,
) -> Transaction:
    """A week's invoice, booked when the week ends; available the Wednesday after review."""
    _, week_end = billing_week(week_start, rules)
    return earn(
        gross,
        fee_bp,
        contract_id,
        week_end,
        hourly_available_at(week_start, rules),
        hourly_week_source(contract_id, week_start),
        "hourly week billed",
    )


def order_placed(amount: Money, order_id: str, placed_at: datetime) -> Transaction:
    """The buyer pays when ordering; the platform holds the money until completion."""
    return fund_escrow(amount, order_id, placed_at, (SourceKind.ORDER, order_id), "order placed")


def order_completed(
    amount: Money,
    order_id: str,
    completed_at: datetime,
    *,
    top_rated: bool = False,
    rules: FiverrRules = FIVERR,
) -> Transaction:
    """The platform keeps its fee; the rest clears after 14 days (7 for Top Rated / Pro)."""
    return release_escrow(
        amount,
        rules.fee_bp,
        order_id,
        completed_at,
        fiverr_available_at(completed_at, top_rated=top_rated, rules=rules),
        (SourceKind.ORDER, order_id),
        "order completed",
    )


def order_cancelled(amount: Money, order_id: str, cancelled_at: datetime) -> Transaction:
    return refund_escrow(
        amount, order_id, cancelled_at, (SourceKind.ORDER, order_id), "order cancelled"
    )


def bonus_paid(
    gross: Money,
    fee_bp: int,
    scope: str,
    paid_at: datetime,
    available_at: datetime | None,
    payment_id: str,
    *,
    tip: bool = False,
) -> Transaction:
    """A bonus (Upwork) or tip (Fiverr): the same fee as the contract or order."""
    kind = SourceKind.TIP if tip else SourceKind.BONUS
    return earn(
        gross, fee_bp, scope, paid_at, available_at, (kind, payment_id), f"{kind.value} paid"
    )


def invoice_paid(
    amount: Money, client_scope: str, invoice_id: str, paid_at: datetime
) -> Transaction:
    """A direct client's payment: no platform fee, available on receipt."""
    return earn(
        amount, 0, client_scope, paid_at, None, (SourceKind.INVOICE, invoice_id), "invoice paid"
    )
