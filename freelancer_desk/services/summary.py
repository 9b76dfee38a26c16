"""The figures shown as tiles above each area: counts and money at a glance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week
from freelancer_desk.domain.workflow.order import OWES_DELIVERY
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Contract,
    Gig,
    LedgerPosting,
    Milestone,
    Order,
    Proposal,
    Segment,
    TimeSession,
)

Tile = tuple[str, str]

OPEN_PROPOSAL_STATES = ("submitted", "viewed", "interviewing", "offer")
ACTIVE_ORDER_STATES = ("awaiting_requirements", "in_progress", "delivered", "revision_requested")


def _hm(seconds: int) -> str:
    minutes = seconds // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def _amounts(totals: dict[str, int]) -> str:
    """One line per currency: amounts in different currencies are never added."""
    shown = [str(Money(v, c)) for c, v in sorted(totals.items()) if v]
    return "\n".join(shown) if shown else "0"


class SummaryService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def balances(self) -> dict[str, dict[str, int]]:
        """Balance per account kind and currency, in minor units."""
        stmt = select(
            LedgerPosting.account_kind, LedgerPosting.currency, func.sum(LedgerPosting.amount_minor)
        ).group_by(LedgerPosting.account_kind, LedgerPosting.currency)
        out: dict[str, dict[str, int]] = {}
        with self._db.read() as s:
            for kind, currency, total in s.execute(stmt):
                out.setdefault(kind, {})[currency] = int(total or 0)
        return out

    def _count(self, stmt: object) -> int:
        with self._db.read() as s:
            return int(s.execute(stmt).scalar_one())  # type: ignore[call-overload]

    def week_seconds(self) -> int:
        start, end = billing_week(self._clock.now())
        stmt = select(func.coalesce(func.sum(Segment.tracked_seconds), 0)).where(
            Segment.slot_start >= start, Segment.slot_start < end, Segment.deleted.is_(False)
        )
        return self._count(stmt)

    def tiles(self, area: str) -> Sequence[Tile]:
        if area in {"dashboard", "earnings"}:
            b = self.balances()
            tiles: list[Tile] = [
                ("In escrow", _amounts(b.get("escrow", {}))),
                ("Pending", _amounts(b.get("pending", {}))),
                ("Available", _amounts(b.get("available", {}))),
            ]
            if area == "dashboard":
                tiles.append(("Tracked this week", _hm(self.week_seconds())))
            else:
                tiles.append(("Withdrawn", _amounts(b.get("withdrawn", {}))))
            return tiles
        if area == "gigs":
            return [
                (
                    "Active gigs",
                    str(self._count(select(func.count(Gig.id)).where(Gig.state == "active"))),
                ),
                (
                    "Orders in progress",
                    str(
                        self._count(
                            select(func.count(Order.id)).where(Order.state.in_(ACTIVE_ORDER_STATES))
                        )
                    ),
                ),
                (
                    "Late",
                    str(
                        self._count(
                            # The workflow's rule, as the orders table's Late column:
                            # past due while a delivery is owed (a delivered order is not).
                            select(func.count(Order.id)).where(
                                Order.state.in_([state.value for state in OWES_DELIVERY]),
                                Order.due_at < self._clock.now(),
                            )
                        )
                    ),
                ),
            ]
        if area == "proposals":
            sent = self._count(select(func.count(Proposal.id)).where(Proposal.state != "draft"))
            hired = self._count(select(func.count(Proposal.id)).where(Proposal.state == "hired"))
            connects = self._count(select(func.coalesce(func.sum(Proposal.connects_spent), 0)))
            rate = f"{hired * 100 // sent}%" if sent else "—"
            return [
                (
                    "Open",
                    str(
                        self._count(
                            select(func.count(Proposal.id)).where(
                                Proposal.state.in_(OPEN_PROPOSAL_STATES)
                            )
                        )
                    ),
                ),
                ("Win rate", rate),
                ("Connects spent", str(connects)),
            ]
        if area == "contracts":
            active = self._count(select(func.count(Contract.id)).where(Contract.state == "active"))
            due = self._count(
                select(func.count(Milestone.id)).where(Milestone.state == "submitted")
            )
            return [("Active contracts", str(active)), ("Awaiting approval", str(due))]
        if area in {"tracker", "diary"}:
            running = self._count(
                select(func.count(TimeSession.id)).where(TimeSession.ended_at.is_(None))
            )
            today_start = self._clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
            today = self._count(
                select(func.coalesce(func.sum(Segment.tracked_seconds), 0)).where(
                    Segment.slot_start >= today_start,
                    Segment.slot_start < today_start + timedelta(days=1),
                    Segment.deleted.is_(False),
                )
            )
            return [
                ("Running", "yes" if running else "no"),
                ("Today (UTC)", _hm(today)),
                ("This week", _hm(self.week_seconds())),
            ]
        return []
