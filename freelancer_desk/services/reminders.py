"""Reminders, persisted in the workspace: the user's own, and the platforms' deadlines
kept up to date by `refresh_deadlines()` — diary locks, milestone auto-release, the
refund-or-dispute window, Fiverr orders due, invoices due.

A deadline reminder is keyed by (kind, source_kind, source_id), so refreshing again
changes nothing; a moved deadline (a milestone submitted again) moves its reminder
and opens it again; a reminder whose reason is gone (the milestone was approved) is
removed unless the user already marked it done. Each reminder is due some lead time
before its deadline, so there is still time to act.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import AccountKind, hourly_week_source
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    UPWORK,
    Platform,
    UpworkRules,
    auto_release_at,
    billing_week,
    diary_lock_at,
    refund_or_dispute_until,
)
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Contract,
    Invoice,
    LedgerPosting,
    Milestone,
    Order,
    Reminder,
    Segment,
)
from freelancer_desk.storage.vocab import REMINDER_KINDS

# How long before each deadline its reminder is due.
DEFAULT_LEADS: Mapping[str, timedelta] = {
    "diary_lock": timedelta(hours=12),  # the week has ended; half a day to fix the diary
    "milestone_auto_release": timedelta(days=1),
    "refund_window": timedelta(days=2),
    "order_due": timedelta(days=1),
    "invoice_due": timedelta(0),  # on the due day
}
DEADLINE_KINDS = tuple(DEFAULT_LEADS)
ACTIVE_ORDER_STATES = ("awaiting_requirements", "in_progress", "revision_requested")
WAITING_MILESTONE_STATES = ("submitted",)


@dataclass(frozen=True, slots=True)
class _Wanted:
    kind: str
    source_kind: str
    source_id: str
    due_at: datetime
    title: str
    body: str


def _when(instant: datetime) -> str:
    return instant.strftime("%a %d %b %Y %H:%M UTC")


class ReminderService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        bus: ChangeBus,
        leads: Mapping[str, timedelta] | None = None,
        rules: UpworkRules = UPWORK,
    ) -> None:
        self._db = db
        self._clock = clock
        self._bus = bus
        self._leads = {**DEFAULT_LEADS, **(leads or {})}
        self._rules = rules

    # -- the user's reminders ----------------------------------------------------------

    def add(
        self,
        title: str,
        due_at: datetime,
        *,
        kind: str = "custom",
        body: str = "",
        source_kind: str | None = None,
        source_id: str | None = None,
    ) -> dict[str, Any]:
        if kind not in REMINDER_KINDS:
            raise RuleError(
                "reminder.kind",
                f"kind: {kind!r} is not one of {', '.join(REMINDER_KINDS)}",
                field="kind",
            )
        with self._db.session() as s:
            reminder = Reminder(
                kind=kind,
                title=clean_text(title, field="title", max_chars=300, required=True),
                body=clean_text(body, field="body", max_chars=10_000),
                due_at=ensure_utc(due_at),
                source_kind=source_kind,
                source_id=source_id,
            )
            s.add(reminder)
            s.flush()
            result = to_dict(reminder)
        self._bus.publish(Change("reminder", "created", (result["id"],)))
        return result

    def list_reminders(self, *, include_done: bool = False) -> list[dict[str, Any]]:
        """Reminders by due date (open ones only unless `include_done`)."""
        stmt = select(Reminder).order_by(Reminder.due_at, Reminder.title)
        if not include_done:
            stmt = stmt.where(Reminder.done_at.is_(None))
        with self._db.read() as s:
            return [to_dict(r) for r in s.scalars(stmt)]

    def due(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Open reminders due at `now` (default: the clock) and not snoozed past it."""
        when = ensure_utc(now) if now is not None else self._clock.now()
        stmt = (
            select(Reminder)
            .where(
                Reminder.done_at.is_(None),
                Reminder.due_at <= when,
                or_(Reminder.snoozed_until.is_(None), Reminder.snoozed_until <= when),
            )
            .order_by(Reminder.due_at, Reminder.title)
        )
        with self._db.read() as s:
            return [to_dict(r) for r in s.scalars(stmt)]

    def done(self, ident: str | uuid.UUID) -> dict[str, Any]:
        return self._change(ident, "done", lambda r: setattr(r, "done_at", self._clock.now()))

    def reopen(self, ident: str | uuid.UUID) -> dict[str, Any]:
        return self._change(ident, "reopened", lambda r: setattr(r, "done_at", None))

    def snooze(self, ident: str | uuid.UUID, until: datetime | timedelta) -> dict[str, Any]:
        """Hide a reminder until `until` (an instant, or a delay from now)."""
        now = self._clock.now()
        instant = now + until if isinstance(until, timedelta) else ensure_utc(until)
        if instant <= now:
            raise RuleError(
                "reminder.snooze", "until: a reminder is snoozed until a later time", field="until"
            )
        return self._change(ident, "snoozed", lambda r: setattr(r, "snoozed_until", instant))

    def delete(self, ident: str | uuid.UUID) -> dict[str, Any]:
        with self._db.session() as s:
            reminder = find(s, Reminder, ident, what="reminder")
            result = to_dict(reminder)
            s.delete(reminder)
        self._bus.publish(Change("reminder", "deleted", (result["id"],)))
        return result

    def _change(
        self, ident: str | uuid.UUID, action: str, apply: Callable[[Reminder], None]
    ) -> dict[str, Any]:
        with self._db.session() as s:
            reminder = find(s, Reminder, ident, what="reminder")
            apply(reminder)
            s.flush()
            result = to_dict(reminder)
        self._bus.publish(Change("reminder", action, (result["id"],)))
        return result

    # -- the platforms' deadlines ------------------------------------------------------

    def refresh_deadlines(self, now: datetime | None = None) -> dict[str, list[str]]:
        """Create, move or remove deadline reminders to match the workspace. Returns the
        ids created, updated and removed; running it again returns three empty lists."""
        when = ensure_utc(now) if now is not None else self._clock.now()
        result: dict[str, list[str]] = {"created": [], "updated": [], "removed": []}
        with self._db.session() as s:
            wanted = {(w.kind, w.source_kind, w.source_id): w for w in self._wanted(s, when)}
            existing = s.scalars(
                select(Reminder).where(
                    Reminder.kind.in_(DEADLINE_KINDS), Reminder.source_id.is_not(None)
                )
            ).all()
            seen = set()
            for reminder in existing:
                key = (reminder.kind, reminder.source_kind or "", reminder.source_id or "")
                want = wanted.get(key)
                if want is None or key in seen:
                    if self._obsolete(reminder, when, duplicate=key in seen):
                        result["removed"].append(str(reminder.id))
                        s.delete(reminder)
                    continue
                seen.add(key)
                if self._update(reminder, want):
                    result["updated"].append(str(reminder.id))
            for key, want in wanted.items():
                if key not in seen:
                    reminder = Reminder(
                        kind=want.kind,
                        title=want.title,
                        body=want.body,
                        due_at=want.due_at,
                        source_kind=want.source_kind,
                        source_id=want.source_id,
                    )
                    s.add(reminder)
                    result["created"].append(str(reminder.id))
        for action, ids in result.items():
            if ids:
                self._bus.publish(Change("reminder", action, tuple(ids)))
        return result

    @staticmethod
    def _obsolete(reminder: Reminder, now: datetime, *, duplicate: bool) -> bool:
        if duplicate:
            return True
        if reminder.done_at is not None:
            return False  # the user dealt with it: kept as history
        # A diary lock that has passed leaves the wanted set by itself; it stays as history.
        return not (reminder.kind == "diary_lock" and reminder.due_at <= now)

    @staticmethod
    def _update(reminder: Reminder, want: _Wanted) -> bool:
        changed = False
        if reminder.due_at != want.due_at:
            reminder.due_at = want.due_at
            reminder.done_at = None  # a new deadline is a new reminder
            reminder.snoozed_until = None
            changed = True
        if (reminder.title, reminder.body) != (want.title, want.body):
            reminder.title, reminder.body = want.title, want.body
            changed = True
        return changed

    def _wanted(self, s: Session, now: datetime) -> list[_Wanted]:
        return [
            *self._diary_locks(s, now),
            *self._auto_releases(s),
            *self._refund_windows(s, now),
            *self._orders_due(s),
            *self._invoices_due(s),
        ]

    def _due(self, kind: str, deadline: datetime) -> datetime:
        return deadline - self._leads[kind]

    def _diary_locks(self, s: Session, now: datetime) -> list[_Wanted]:
        """Weeks with tracked time on Upwork hourly contracts whose diary is still open."""
        earliest = billing_week(now - self._rules.diary_lock_after_week, self._rules)[0]
        rows = s.execute(
            select(Segment.contract_id, Segment.slot_start, Contract.title)
            .join(Contract, Contract.id == Segment.contract_id)
            .where(
                Contract.kind == "hourly",
                Contract.platform == Platform.UPWORK.value,
                Segment.deleted.is_(False),
                Segment.slot_start >= earliest,
            )
        ).all()
        weeks = {(cid, billing_week(slot, self._rules)[0], title) for cid, slot, title in rows}
        out = []
        for cid, start, title in sorted(weeks, key=lambda w: (w[1], str(w[0]))):
            lock = diary_lock_at(start, self._rules)
            if lock <= now:
                continue
            _, source_id = hourly_week_source(str(cid), start)
            out.append(
                _Wanted(
                    "diary_lock",
                    "hourly_week",
                    source_id,
                    self._due("diary_lock", lock),
                    f"Work Diary of {title} locks {_when(lock)}",
                    f"Check the week of {start.date().isoformat()}: add manual time or "
                    "delete segments before the lock; after it the week is billed as it is.",
                )
            )
        return out

    def _auto_releases(self, s: Session) -> list[_Wanted]:
        rows = s.execute(
            select(Milestone.id, Milestone.title, Milestone.submitted_at, Contract.title)
            .join(Contract, Contract.id == Milestone.contract_id)
            .where(
                Milestone.state.in_(WAITING_MILESTONE_STATES), Milestone.submitted_at.is_not(None)
            )
        ).all()
        out = []
        for mid, title, submitted_at, contract in rows:
            if submitted_at is None:
                continue
            at = auto_release_at(submitted_at, self._rules)
            out.append(
                _Wanted(
                    "milestone_auto_release",
                    "milestone",
                    str(mid),
                    self._due("milestone_auto_release", at),
                    f"Milestone {title!r} ({contract}) releases itself {_when(at)}",
                    "The client can approve or ask for changes until then.",
                )
            )
        return out

    def _refund_windows(self, s: Session, now: datetime) -> list[_Wanted]:
        """Contracts ended with money still in escrow: refund or dispute in 7 days."""
        held = (
            select(
                LedgerPosting.scope_id,
                LedgerPosting.currency,
                func.sum(LedgerPosting.amount_minor).label("held"),
            )
            .where(LedgerPosting.account_kind == AccountKind.ESCROW.value)
            .group_by(LedgerPosting.scope_id, LedgerPosting.currency)
            .subquery()
        )
        rows = s.execute(
            select(Contract.id, Contract.title, Contract.ended_at, held.c.currency, held.c.held)
            .join(held, held.c.scope_id == Contract.id)
            .where(Contract.ended_at.is_not(None), held.c.held > 0)
        ).all()
        out = []
        for cid, title, ended_at, currency, amount in rows:
            until = refund_or_dispute_until(ended_at, self._rules)
            if until <= now:
                continue
            out.append(
                _Wanted(
                    "refund_window",
                    "contract",
                    str(cid),
                    self._due("refund_window", until),
                    f"{title}: accept the refund or dispute before {_when(until)}",
                    f"The contract ended with {Money(int(amount), currency)} in escrow.",
                )
            )
        return out

    def _orders_due(self, s: Session) -> list[_Wanted]:
        rows = s.execute(
            select(Order.id, Order.title, Order.number, Order.due_at).where(
                Order.state.in_(ACTIVE_ORDER_STATES), Order.due_at.is_not(None)
            )
        ).all()
        return [
            _Wanted(
                "order_due",
                "order",
                str(oid),
                self._due("order_due", due_at),
                f"Order {number or title} is due {_when(due_at)}",
                "Deliver before the deadline: a late order shows on the gig's record.",
            )
            for oid, title, number, due_at in rows
            if due_at is not None
        ]

    def _invoices_due(self, s: Session) -> list[_Wanted]:
        rows = s.execute(
            select(Invoice.id, Invoice.number, Invoice.due_on).where(
                Invoice.state == "issued", Invoice.due_on.is_not(None)
            )
        ).all()
        return [
            _Wanted(
                "invoice_due",
                "invoice",
                str(iid),
                self._due("invoice_due", datetime.combine(due_on, time(), UTC)),
                f"Invoice {number} is due {due_on.isoformat()}",
                "Overdue from the next day: send the client a reminder.",
            )
            for iid, number, due_on in rows
            if due_on is not None
        ]


def set_deadline(
    s: Session,
    *,
    kind: str,
    source_kind: str,
    source_id: str,
    title: str,
    due_at: datetime,
    body: str = "",
) -> Reminder:
    """The reminder for one deadline, created or moved (and reopened) in `s`: there is
    never more than one per (kind, source), which the database also enforces."""
    reminder = s.scalar(
        select(Reminder).where(
            Reminder.kind == kind,
            Reminder.source_kind == source_kind,
            Reminder.source_id == source_id,
        )
    )
    if reminder is None:
        reminder = Reminder(kind=kind, source_kind=source_kind, source_id=source_id)
        s.add(reminder)
    reminder.title = title[:300]
    reminder.body = body
    reminder.due_at = due_at
    reminder.done_at = None
    reminder.snoozed_until = None
    return reminder
