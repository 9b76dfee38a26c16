"""What the Dashboard shows, in one read: hours per contract against weekly limits,
money at a glance, the next deadlines, open proposals by state and orders in progress.

Qt-free like every service; the window formats the figures in the user's locale.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Invoice,
    Milestone,
    Order,
    Proposal,
    Reminder,
    Segment,
)

OPEN_PROPOSAL_STATES = ("submitted", "viewed", "interviewing", "offer")
ORDERS_IN_PROGRESS = ("awaiting_requirements", "in_progress", "delivered", "revision_requested")


@dataclass(frozen=True)
class ContractHours:
    contract_id: uuid.UUID
    title: str
    client: str
    today_seconds: int
    week_seconds: int  # this billing week (Monday 00:00 UTC), where weekly limits apply
    weekly_limit_seconds: int | None

    @property
    def over_limit(self) -> bool:
        return (
            self.weekly_limit_seconds is not None and self.week_seconds > self.weekly_limit_seconds
        )


@dataclass(frozen=True)
class Availability:
    """Pending money that becomes available at one instant, per currency."""

    at: datetime
    amounts: tuple[Money, ...]


@dataclass(frozen=True)
class MoneyGlance:
    escrow: tuple[Money, ...]
    pending: tuple[Money, ...]
    available: tuple[Money, ...]
    next_available: tuple[Availability, ...]
    month_net: tuple[Money, ...]
    last_month_net: tuple[Money, ...]


@dataclass(frozen=True)
class Deadline:
    id: uuid.UUID
    kind: str
    title: str
    due_at: datetime
    source_kind: str | None
    source_id: str | None
    target: str  # what it is about, as the lists can find it: a contract title, an order number


@dataclass(frozen=True)
class OrderInProgress:
    id: uuid.UUID
    title: str
    buyer: str
    state: str
    due_at: datetime | None
    price: Money


def _amounts(totals: dict[str, Money] | None) -> tuple[Money, ...]:
    return tuple(m for _c, m in sorted((totals or {}).items()) if m.amount)


def _month_start(day: datetime) -> datetime:
    return day.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _target(s: Session, source_kind: str | None, source_id: str | None) -> str:
    """The searchable name of what a reminder is about ("" when it is gone)."""
    if not source_kind or not source_id:
        return ""
    try:
        key = uuid.UUID(source_id.split("/")[0])
    except ValueError:
        return ""
    if source_kind in ("contract", "hourly_week"):
        return s.scalar(select(Contract.title).where(Contract.id == key)) or ""
    if source_kind == "milestone":
        return (
            s.scalar(
                select(Contract.title)
                .join(Milestone, Milestone.contract_id == Contract.id)
                .where(Milestone.id == key)
            )
            or ""
        )
    if source_kind == "order":
        row = s.execute(select(Order.number, Order.title).where(Order.id == key)).first()
        return (row[0] or row[1]) if row else ""
    if source_kind == "invoice":
        return s.scalar(select(Invoice.number).where(Invoice.id == key)) or ""
    return ""


class DashboardService:
    def __init__(self, db: Database, clock: Clock, ledger: LedgerService | None = None) -> None:
        self._db = db
        self._clock = clock
        self._ledger = ledger or LedgerService(db)

    def hours(self, zone: tzinfo = UTC) -> list[ContractHours]:
        """Active contracts with a weekly limit or time this week; today is the local
        day in `zone`."""
        now = self._clock.now()
        week_start, week_end = billing_week(now)
        local_midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
        day_start = local_midnight.astimezone(UTC)
        day_end = (local_midnight + timedelta(days=1)).astimezone(UTC)
        lo, hi = min(week_start, day_start), max(week_end, day_end)
        with self._db.read() as s:
            rows = s.execute(
                select(Segment.contract_id, Segment.slot_start, Segment.tracked_seconds).where(
                    Segment.contract_id.is_not(None),
                    Segment.deleted.is_(False),
                    Segment.slot_start >= lo,
                    Segment.slot_start < hi,
                )
            ).all()
            today: Counter[uuid.UUID] = Counter()
            week: Counter[uuid.UUID] = Counter()
            for cid, slot, seconds in rows:
                if cid is None:
                    continue
                if day_start <= slot < day_end:
                    today[cid] += seconds
                if week_start <= slot < week_end:
                    week[cid] += seconds
            contracts = s.execute(
                select(Contract.id, Contract.title, Client.name, Contract.weekly_limit_minutes)
                .join(Client, Client.id == Contract.client_id)
                .where(
                    or_(
                        Contract.id.in_(set(today) | set(week)),
                        (Contract.state == "active")
                        & (Contract.kind == "hourly")
                        & Contract.weekly_limit_minutes.is_not(None),
                    )
                )
            ).all()
        result = [
            ContractHours(
                cid,
                title,
                client,
                today[cid],
                week[cid],
                limit * 60 if limit is not None else None,
            )
            for cid, title, client, limit in contracts
        ]
        return sorted(result, key=lambda h: (-h.week_seconds, h.title))

    def tracked(self, zone: tzinfo = UTC) -> tuple[int, int]:
        """Seconds tracked today (the local day in `zone`) and this billing week on every
        contract and order, deleted segments left out: the timer's figures, the same as
        the Tracker area's (`hours` keeps to contracts, as Upwork's weeks do)."""
        now = self._clock.now()
        week_start, week_end = billing_week(now)
        local_midnight = datetime.combine(now.astimezone(zone).date(), time(), zone)
        day_start = local_midnight.astimezone(UTC)
        day_end = (local_midnight + timedelta(days=1)).astimezone(UTC)

        def between(lo: datetime, hi: datetime) -> ColumnElement[int]:
            inside = and_(Segment.slot_start >= lo, Segment.slot_start < hi)
            return func.coalesce(func.sum(case((inside, Segment.tracked_seconds), else_=0)), 0)

        with self._db.read() as s:
            today, week = s.execute(
                select(between(day_start, day_end), between(week_start, week_end)).where(
                    Segment.deleted.is_(False),
                    Segment.slot_start >= min(week_start, day_start),
                    Segment.slot_start < max(week_end, day_end),
                )
            ).one()
        return int(today), int(week)

    def money(self, next_dates: int = 3) -> MoneyGlance:
        now = self._clock.now()
        balances = self._ledger.balances(now)
        by_instant: dict[datetime, dict[str, Money]] = {}
        for lot in self._ledger.pending_schedule(now):
            if lot.available_at is None:
                continue
            totals = by_instant.setdefault(lot.available_at, {})
            cur = lot.remaining.currency
            totals[cur] = totals.get(cur, Money.zero(cur)) + lot.remaining
        upcoming = tuple(
            Availability(at, _amounts(totals)) for at, totals in sorted(by_instant.items())
        )[:next_dates]
        this_month = _month_start(now)
        last_month = _month_start(this_month - timedelta(days=1))
        return MoneyGlance(
            escrow=_amounts(balances.get("escrow")),
            pending=_amounts(balances.get("pending")),
            available=_amounts(balances.get("available")),
            next_available=upcoming,
            month_net=self._net(this_month, now),
            last_month_net=self._net(last_month, this_month),
        )

    def _net(self, start: datetime, end: datetime) -> tuple[Money, ...]:
        totals: dict[str, Money] = {}
        for row in self._ledger.earnings(start, end, group_by="month"):
            totals[row.currency] = totals.get(row.currency, Money.zero(row.currency)) + row.net
        return _amounts(totals)

    def deadlines(self, kinds: Collection[str] | None = None, limit: int = 6) -> list[Deadline]:
        """Open deadline reminders, soonest first (overdue ones included), of `kinds`
        (None: every kind)."""
        stmt = (
            select(Reminder)
            .where(Reminder.done_at.is_(None), Reminder.kind != "custom")
            .order_by(Reminder.due_at, Reminder.title)
            .limit(limit)
        )
        if kinds is not None:
            stmt = stmt.where(Reminder.kind.in_(list(kinds)))
        with self._db.read() as s:
            return [
                Deadline(
                    r.id,
                    r.kind,
                    r.title,
                    r.due_at,
                    r.source_kind,
                    r.source_id,
                    _target(s, r.source_kind, r.source_id),
                )
                for r in s.scalars(stmt)
            ]

    def trackable(self) -> list[tuple[str, uuid.UUID, str]]:
        """What the timer can start on: ("contract" | "order", id, label) for active
        hourly contracts, then orders in progress."""
        with self._db.read() as s:
            contracts = s.execute(
                select(Contract.id, Contract.title, Client.name)
                .join(Client, Client.id == Contract.client_id)
                .where(Contract.state == "active", Contract.kind == "hourly")
                .order_by(Contract.title)
            ).all()
            orders = s.execute(
                select(Order.id, Order.title, Client.name)
                .join(Client, Client.id == Order.client_id)
                .where(Order.state.in_(ORDERS_IN_PROGRESS))
                .order_by(Order.title)
            ).all()
        return [("contract", cid, f"{title} — {client}") for cid, title, client in contracts] + [
            ("order", oid, f"{title} — {client} (order)") for oid, title, client in orders
        ]

    def proposals_by_state(self) -> dict[str, int]:
        """Open proposals per state, in the order a proposal goes through them."""
        with self._db.read() as s:
            counts = dict(
                s.execute(
                    select(Proposal.state, func.count(Proposal.id))
                    .where(Proposal.state.in_(OPEN_PROPOSAL_STATES))
                    .group_by(Proposal.state)
                ).all()
            )
        return {state: int(counts.get(state, 0)) for state in OPEN_PROPOSAL_STATES}

    def orders_in_progress(self, limit: int = 6) -> tuple[int, list[OrderInProgress]]:
        """How many orders are in progress, and the `limit` due soonest."""
        where = Order.state.in_(ORDERS_IN_PROGRESS)
        with self._db.read() as s:
            total = int(s.scalar(select(func.count(Order.id)).where(where)) or 0)
            rows = s.execute(
                select(Order, Client.name)
                .join(Client, Client.id == Order.client_id)
                .where(where)
                .order_by(Order.due_at.is_(None), Order.due_at, Order.title)
                .limit(limit)
            ).all()
            orders = [
                OrderInProgress(
                    o.id, o.title, buyer, o.state, o.due_at, Money(o.price_minor, o.currency)
                )
                for o, buyer in rows
            ]
        return total, orders
