"""The tables every area shows and every `list` command prints: one `ListSource` per
key, built on SQL so that sorting, filtering and paging happen in the database."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, bindparam, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from freelancer_desk.domain.workflow.order import OWES_DELIVERY
from freelancer_desk.services.listing import Column, ListSource
from freelancer_desk.services.sqllisting import SqlColumn, SqlListSource
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Gig,
    GigPackage,
    Invoice,
    InvoiceLine,
    JobPost,
    LedgerPosting,
    LedgerTotal,
    LedgerTransaction,
    Milestone,
    Order,
    Proposal,
    Reminder,
    Review,
    Segment,
    TimeSession,
    TrackedDay,
)
from freelancer_desk.storage.models.ledger_totals import NO_ID
from freelancer_desk.storage.types import UTCDateTime


def _col(
    key: str,
    title: str,
    expr: Any,
    kind: str = "text",
    *,
    currency: Any = None,
    search: bool = False,
    filter: bool = False,
    sortable: bool = True,
) -> SqlColumn:
    return SqlColumn(
        Column(key, title, kind, sortable),  # type: ignore[arg-type]
        expr,
        currency,
        search,
        filter,
    )


def build_sources(db: Database) -> dict[str, ListSource]:
    """Every table of the app, by key."""
    builders: list[Callable[[Database], SqlListSource]] = [
        _clients,
        _gigs,
        _orders,
        _job_posts,
        _proposals,
        _contracts,
        _milestones,
        _sessions,
        _segments,
        _ledger,
        _invoices,
        _reviews,
        _reminders,
        _earnings_by_client,
    ]
    sources = [build(db) for build in builders]
    return {s.key: s for s in sources}


def _clients(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "clients",
        "Clients",
        lambda: select(Client.id),
        [
            _col("name", "Name", Client.name, search=True),
            _col("platform", "Platform", Client.platform, filter=True),
            _col("company", "Company", Client.company, search=True),
            _col("country", "Country", Client.country, search=True),
            _col("currency", "Currency", Client.currency, filter=True),
            _col("archived", "Archived", Client.archived, "bool", filter=True),
            _col("created_at", "Added", Client.created_at, "datetime"),
        ],
        Client.id,
        default_sort="name",
    )


def _gigs(db: Database) -> SqlListSource:
    from_price = (
        select(func.min(GigPackage.price_minor))
        .where(GigPackage.gig_id == Gig.id)
        .correlate(Gig)
        .scalar_subquery()
    )
    packages = (
        select(func.count(GigPackage.id))
        .where(GigPackage.gig_id == Gig.id)
        .correlate(Gig)
        .scalar_subquery()
    )
    orders = select(func.count(Order.id)).where(Order.gig_id == Gig.id).correlate(Gig)
    return SqlListSource(
        db,
        "gigs",
        "Gigs",
        lambda: select(Gig.id),
        [
            _col("title", "Title", Gig.title, search=True),
            _col("state", "State", Gig.state, "state", filter=True),
            _col("category", "Category", Gig.category, search=True),
            _col("packages", "Packages", packages, "int"),
            _col("from_price", "From", from_price, "money", currency=Gig.currency),
            _col("orders", "Orders", orders.scalar_subquery(), "int"),
            _col("updated_at", "Updated", Gig.updated_at, "datetime"),
        ],
        Gig.id,
        default_sort="updated_at",
        default_descending=True,
    )


class SecondsBetween(FunctionElement[int]):
    """Whole seconds from instant `start` to instant `end` (negative when `end` is
    earlier), in SQL: SQLite keeps instants as UTC text, PostgreSQL as timestamptz."""

    type = Integer()
    name = "seconds_between"
    inherit_cache = True


@compiles(SecondsBetween)
def _seconds_between_sqlite(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    # julianday() reads the stored text (fractions of a second too) as days.
    return f"CAST(ROUND((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


@compiles(SecondsBetween, "postgresql")
def _seconds_between_postgresql(element: SecondsBetween, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) AS BIGINT)"


def _orders(db: Database) -> SqlListSource:
    # "Late" is the domain's rule (workflow.order.is_late: past due while a delivery is
    # owed) against the injected clock, read when each statement runs: a page read
    # tomorrow counts tomorrow's late orders.
    now = bindparam("now", type_=UTCDateTime(), callable_=db.clock.now)
    late = and_(
        Order.state.in_([state.value for state in OWES_DELIVERY]),
        Order.due_at.is_not(None),
        Order.due_at < now,
    )
    late_by = case((late, SecondsBetween(Order.due_at, now)), else_=None)
    return SqlListSource(
        db,
        "orders",
        "Orders",
        lambda: (
            select(Order.id)
            .join(Client, Client.id == Order.client_id)
            .outerjoin(Gig, Gig.id == Order.gig_id)
        ),
        [
            _col("number", "Order", Order.number, search=True),
            _col("title", "Title", Order.title, search=True),
            _col("client", "Buyer", Client.name, search=True),
            _col("package", "Package", Order.package_tier, filter=True),
            _col("state", "State", Order.state, "state", filter=True),
            # Next to the state, where a glance at a row reads them together (the gig's
            # long title after them: it would push them out of sight).
            _col("due_at", "Due", Order.due_at, "datetime"),
            _col("late", "Late by", late_by, "span"),
            _col("gig", "Gig", Gig.title, search=True),
            _col("price", "Price", Order.price_minor, "money", currency=Order.currency),
            _col("revisions_used", "Revisions", Order.revisions_used, "int"),
            _col("ordered_at", "Ordered", Order.ordered_at, "datetime"),
            _col("completed_at", "Completed", Order.completed_at, "datetime"),
        ],
        Order.id,
        default_sort="ordered_at",
        default_descending=True,
        # late=true / late=false: the orders late now (the column says by how much).
        filters={"gig_id": Order.gig_id, "client_id": Order.client_id, "late": late},
        # The joins only look up the gig's and the buyer's names (every order has its
        # buyer; an order outlives its deleted gig): counting needs neither.
        count_base=lambda: select(Order.id),
    )


def _job_posts(db: Database) -> SqlListSource:
    who = func.coalesce(Client.name, JobPost.client_name)
    return SqlListSource(
        db,
        "job_posts",
        "Job posts",
        lambda: select(JobPost.id).outerjoin(Client, Client.id == JobPost.client_id),
        [
            _col("title", "Title", JobPost.title, search=True),
            _col("client", "Client", who, search=True),
            _col("platform", "Platform", JobPost.platform, filter=True),
            _col("budget_kind", "Budget", JobPost.budget_kind, filter=True),
            _col(
                "budget_min", "From", JobPost.budget_min_minor, "money", currency=JobPost.currency
            ),
            _col("budget_max", "To", JobPost.budget_max_minor, "money", currency=JobPost.currency),
            _col("posted_at", "Posted", JobPost.posted_at, "datetime"),
        ],
        JobPost.id,
        default_sort="posted_at",
        default_descending=True,
    )


def _proposals(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "proposals",
        "Proposals",
        lambda: select(Proposal.id).join(JobPost, JobPost.id == Proposal.job_post_id),
        [
            _col("job", "Job", JobPost.title, search=True),
            _col("state", "State", Proposal.state, "state", filter=True),
            _col("bid_kind", "Bid", Proposal.bid_kind, filter=True),
            _col("bid", "Amount", Proposal.bid_minor, "money", currency=Proposal.currency),
            _col("fee", "Fee", Proposal.fee_bp, "percent"),
            _col("connects", "Connects", Proposal.connects_spent, "int"),
            _col("submitted_at", "Submitted", Proposal.submitted_at, "datetime"),
        ],
        Proposal.id,
        default_sort="submitted_at",
        default_descending=True,
        filters={"job_post_id": Proposal.job_post_id},
    )


def _contracts(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "contracts",
        "Contracts",
        lambda: select(Contract.id).join(Client, Client.id == Contract.client_id),
        [
            _col("title", "Title", Contract.title, search=True),
            _col("client", "Client", Client.name, search=True),
            _col("platform", "Platform", Contract.platform, filter=True),
            _col("kind", "Kind", Contract.kind, filter=True),
            _col("state", "State", Contract.state, "state", filter=True),
            _col("rate", "Rate/h", Contract.hourly_rate_minor, "money", currency=Contract.currency),
            _col("fee", "Fee", Contract.fee_bp, "percent"),
            _col("weekly_limit", "Weekly limit", Contract.weekly_limit_minutes * 60, "duration"),
            _col("started_at", "Started", Contract.started_at, "datetime"),
        ],
        Contract.id,
        default_sort="started_at",
        default_descending=True,
        filters={"client_id": Contract.client_id},
    )


def _milestones(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "milestones",
        "Milestones",
        lambda: select(Milestone.id).join(Contract, Contract.id == Milestone.contract_id),
        [
            _col("contract", "Contract", Contract.title, search=True),
            _col("title", "Milestone", Milestone.title, search=True),
            _col("state", "State", Milestone.state, "state", filter=True),
            _col("amount", "Amount", Milestone.amount_minor, "money", currency=Milestone.currency),
            _col(
                "in_escrow",
                "In escrow",
                Milestone.funded_minor - Milestone.released_minor - Milestone.refunded_minor,
                "money",
                currency=Milestone.currency,
            ),
            _col("due_on", "Due", Milestone.due_on, "date"),
            _col("submitted_at", "Submitted", Milestone.submitted_at, "datetime"),
        ],
        Milestone.id,
        default_sort="due_on",
        filters={"contract_id": Milestone.contract_id},
    )


@functools.cache
def _target_title() -> tuple[Any, Any, Any]:
    """The contract's or the order's title, over two aliases (sessions, reviews).

    Made once per process and shared by the sources (a statement may use them any number
    of times): aliasing two mapped classes took 1-2 ms per call, and ~95 ms the first
    time when the mappers were not configured yet, on the GUI thread that builds a
    page's sources."""
    contract = aliased(Contract)
    order = aliased(Order)
    return contract, order, func.coalesce(contract.title, order.title)


def _sessions(db: Database) -> SqlListSource:
    contract, order, target = _target_title()
    tracked = (
        select(func.coalesce(func.sum(Segment.tracked_seconds), 0))
        .where(Segment.session_id == TimeSession.id, Segment.deleted.is_(False))
        .correlate(TimeSession)
        .scalar_subquery()
    )
    return SqlListSource(
        db,
        "sessions",
        "Sessions",
        lambda: (
            select(TimeSession.id)
            .outerjoin(contract, contract.id == TimeSession.contract_id)
            .outerjoin(order, order.id == TimeSession.order_id)
        ),
        [
            _col("started_at", "Started", TimeSession.started_at, "datetime"),
            _col("ended_at", "Ended", TimeSession.ended_at, "datetime"),
            _col("target", "Contract / order", target, search=True),
            _col("memo", "Memo", TimeSession.memo, search=True),
            _col("tracked", "Tracked", tracked, "duration"),
            _col("manual", "Manual", TimeSession.manual, "bool", filter=True),
            _col("device", "Device", TimeSession.device_id, filter=True),
        ],
        TimeSession.id,
        default_sort="started_at",
        default_descending=True,
        filters={"contract_id": TimeSession.contract_id, "order_id": TimeSession.order_id},
        # The joins only look up the title: counting 150,000 sessions needs none of them.
        count_base=lambda: select(TimeSession.id),
    )


def _segments(db: Database) -> SqlListSource:
    contract, order, target = _target_title()
    return SqlListSource(
        db,
        "segments",
        "Segments",
        lambda: (
            select(Segment.id)
            .outerjoin(contract, contract.id == Segment.contract_id)
            .outerjoin(order, order.id == Segment.order_id)
        ),
        [
            _col("slot_start", "Slot", Segment.slot_start, "datetime"),
            _col("target", "Contract / order", target, search=True),
            _col("memo", "Memo", Segment.memo, search=True),
            _col("tracked", "Tracked", Segment.tracked_seconds, "duration"),
            _col("activity", "Activity", Segment.active_minutes, "int"),
            _col("manual", "Manual", Segment.manual, "bool", filter=True),
            _col("idle", "Idle", Segment.idle, "bool", filter=True),
            _col("over_limit", "Over limit", Segment.over_limit, "bool", filter=True),
            _col("deleted", "Deleted", Segment.deleted, "bool", filter=True),
        ],
        Segment.id,
        default_sort="slot_start",
        default_descending=True,
        filters={"session_id": Segment.session_id, "contract_id": Segment.contract_id},
        count_base=lambda: select(Segment.id),
    )


def _ledger(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "ledger",
        "Ledger",
        lambda: (
            select(LedgerPosting.id)
            .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
            .outerjoin(Client, Client.id == LedgerPosting.client_id)
        ),
        [
            _col("occurred_at", "Date", LedgerTransaction.occurred_at, "datetime"),
            _col("kind", "Event", LedgerTransaction.kind, filter=True),
            _col("client", "Client", Client.name, search=True),
            _col("account", "Account", LedgerPosting.account_kind, filter=True),
            _col(
                "amount",
                "Amount",
                LedgerPosting.amount_minor,
                "money",
                currency=LedgerPosting.currency,
            ),
            _col("available_at", "Available", LedgerPosting.available_at, "datetime"),
            _col("memo", "Memo", LedgerTransaction.memo, search=True),
        ],
        LedgerPosting.id,
        default_sort="occurred_at",
        default_descending=True,
        filters={
            "client_id": LedgerPosting.client_id,
            "transaction_id": LedgerPosting.transaction_id,
        },
    )


def _invoices(db: Database) -> SqlListSource:
    total = (
        select(func.coalesce(func.sum(InvoiceLine.amount_minor), 0))
        .where(InvoiceLine.invoice_id == Invoice.id)
        .correlate(Invoice)
        .scalar_subquery()
    )
    return SqlListSource(
        db,
        "invoices",
        "Invoices",
        lambda: select(Invoice.id).join(Client, Client.id == Invoice.client_id),
        [
            _col("number", "Number", Invoice.number, search=True),
            _col("client", "Client", Client.name, search=True),
            _col("state", "State", Invoice.state, "state", filter=True),
            _col("total", "Total", total, "money", currency=Invoice.currency),
            _col("issued_on", "Issued", Invoice.issued_on, "date"),
            _col("due_on", "Due", Invoice.due_on, "date"),
            _col("paid_at", "Paid", Invoice.paid_at, "datetime"),
        ],
        Invoice.id,
        default_sort="issued_on",
        default_descending=True,
        filters={"client_id": Invoice.client_id},
    )


def _reviews(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "reviews",
        "Reviews",
        lambda: select(Review.id).join(Client, Client.id == Review.client_id),
        [
            _col("reviewed_at", "Date", Review.reviewed_at, "datetime"),
            _col("client", "Client", Client.name, search=True),
            _col("platform", "Platform", Review.platform, filter=True),
            _col("direction", "Direction", Review.direction, filter=True),
            _col("rating", "Rating", Review.rating, "int"),
            _col("comment", "Comment", Review.comment, search=True),
        ],
        Review.id,
        default_sort="reviewed_at",
        default_descending=True,
    )


def _reminders(db: Database) -> SqlListSource:
    return SqlListSource(
        db,
        "reminders",
        "Reminders",
        lambda: select(Reminder.id),
        [
            _col("due_at", "Due", Reminder.due_at, "datetime"),
            _col("kind", "Kind", Reminder.kind, filter=True),
            _col("title", "Title", Reminder.title, search=True),
            _col("done_at", "Done", Reminder.done_at, "datetime"),
        ],
        Reminder.id,
        default_sort="due_at",
    )


# Gross earnings = fees + pending + available + withdrawn (see domain/ledger.py): what the
# clients paid that reached the freelancer's side of the books, before fees.
_EARNED = ("fees", "pending", "available", "withdrawn")


def _earnings_by_client(db: Database) -> SqlListSource:
    # From the summaries the database keeps (ledger_totals: postings per client, scope,
    # kind and currency; tracked_days: non-deleted segments per contract and day), not
    # every posting and segment.
    def amount_in(*kinds: str) -> Any:
        return func.coalesce(
            func.sum(
                case(
                    (LedgerTotal.account_kind.in_(kinds), LedgerTotal.amount_minor),
                    else_=literal(0),
                )
            ),
            0,
        )

    money = (
        select(
            LedgerTotal.client_key.label("client_id"),
            LedgerTotal.currency.label("currency"),
            amount_in(*_EARNED).label("gross"),
            amount_in("fees").label("fees"),
        )
        .where(LedgerTotal.client_key != NO_ID)
        .group_by(LedgerTotal.client_key, LedgerTotal.currency)
        .subquery()
    )
    # Summed per contract first (the target index read in order), then per client:
    # joining every day's row to its contract took three times as long.
    per_contract = (
        select(
            TrackedDay.contract_id.label("contract_id"),
            func.sum(TrackedDay.tracked_seconds).label("seconds"),
        )
        .where(TrackedDay.contract_id.is_not(None))
        .group_by(TrackedDay.target_id, TrackedDay.contract_id)
        .subquery()
    )
    hours = (
        select(
            Contract.client_id.label("client_id"),
            func.sum(per_contract.c.seconds).label("seconds"),
        )
        .join(Contract, Contract.id == per_contract.c.contract_id)
        .group_by(Contract.client_id)
        .subquery()
    )
    net = money.c.gross - money.c.fees
    seconds = func.coalesce(hours.c.seconds, 0)
    # Effective rate in minor units per hour; NULL when nothing was tracked.
    per_hour = case(
        (seconds > 0, cast(net * 3600, Float) / seconds),
        else_=None,
    )

    def base() -> Select[Any]:
        return (
            select(Client.id)
            .join(money, money.c.client_id == Client.id)
            .outerjoin(hours, hours.c.client_id == Client.id)
        )

    return SqlListSource(
        db,
        "earnings_by_client",
        "Earnings by client",
        base,
        [
            _col("client", "Client", Client.name, search=True),
            _col("platform", "Platform", Client.platform, filter=True),
            _col("gross", "Gross", money.c.gross, "money", currency=money.c.currency),
            _col("fees", "Fees", money.c.fees, "money", currency=money.c.currency),
            _col("net", "Net", net, "money", currency=money.c.currency),
            _col("hours", "Tracked", seconds, "duration"),
            _col(
                "per_hour",
                "Net per hour",
                func.round(per_hour),
                "money",
                currency=money.c.currency,
            ),
        ],
        Client.id,
        default_sort="net",
        default_descending=True,
        # At most one hours row per client: the outer join changes no count.
        count_base=lambda: select(Client.id).join(money, money.c.client_id == Client.id),
    )
