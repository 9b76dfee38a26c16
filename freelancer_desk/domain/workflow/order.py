"""Fiverr-style order lifecycle, revision allowance, due date and lateness."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.platforms import FIVERR, FiverrRules, order_auto_completes_at
from freelancer_desk.domain.workflow.machine import StateMachine


class OrderState(StrEnum):
    AWAITING_REQUIREMENTS = "awaiting_requirements"
    IN_PROGRESS = "in_progress"
    DELIVERED = "delivered"
    REVISION_REQUESTED = "revision_requested"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class OrderAction(StrEnum):
    START = "start"
    DELIVER = "deliver"
    REQUEST_REVISION = "request_revision"
    # By the buyer, or automatically once the auto-complete delay after delivery passed.
    COMPLETE = "complete"
    CANCEL = "cancel"


_O, _A = OrderState, OrderAction

ORDER: StateMachine[OrderState, OrderAction] = StateMachine(
    "order",
    {
        # The buyer's requirements arrived, or the seller starts without them.
        _O.AWAITING_REQUIREMENTS: {_A.START: _O.IN_PROGRESS, _A.CANCEL: _O.CANCELLED},
        _O.IN_PROGRESS: {_A.DELIVER: _O.DELIVERED, _A.CANCEL: _O.CANCELLED},
        _O.DELIVERED: {
            _A.REQUEST_REVISION: _O.REVISION_REQUESTED,
            _A.COMPLETE: _O.COMPLETED,
            _A.CANCEL: _O.CANCELLED,
        },
        # A quick fix may be delivered straight away without marking work as started.
        _O.REVISION_REQUESTED: {
            _A.START: _O.IN_PROGRESS,
            _A.DELIVER: _O.DELIVERED,
            _A.CANCEL: _O.CANCELLED,
        },
        _O.COMPLETED: {},
        _O.CANCELLED: {},
    },
    reasons={
        (_O.CANCELLED, _A.COMPLETE): "it was cancelled",
        (_O.COMPLETED, _A.COMPLETE): "it is already completed",
        (_O.COMPLETED, _A.CANCEL): "it is completed",
        (_O.AWAITING_REQUIREMENTS, _A.COMPLETE): "it was never delivered",
        (_O.IN_PROGRESS, _A.COMPLETE): "it is not delivered",
    },
    verbs={_A.REQUEST_REVISION: "request a revision on"},
)

# A package's revision allowance: a count, or None for unlimited revisions.
RevisionAllowance = int | None
UNLIMITED_REVISIONS: RevisionAllowance = None


def check_revision_allowed(revisions_used: int, allowance: RevisionAllowance) -> None:
    """Refuse a revision beyond the package's allowance (`revisions_used` so far)."""
    if allowance is not None and revisions_used >= allowance:
        raise RuleError(
            "order.revision_allowance",
            f"cannot request revision: the package includes {allowance} "
            f"revision{'s' if allowance != 1 else ''} and {revisions_used} "
            f"{'have' if revisions_used != 1 else 'has'} been used",
            field="revisions",
        )


def request_revision(
    current: OrderState, revisions_used: int, allowance: RevisionAllowance
) -> OrderState:
    """The one way to ask for a revision: the state must allow it and so must the package."""
    new_state = ORDER.transition(current, OrderAction.REQUEST_REVISION)
    check_revision_allowed(revisions_used, allowance)
    return new_state


def order_allowed_actions(
    state: OrderState, revisions_used: int, allowance: RevisionAllowance
) -> tuple[OrderAction, ...]:
    """`ORDER.allowed_actions` without a revision request the package no longer covers."""
    exhausted = allowance is not None and revisions_used >= allowance
    return tuple(
        action
        for action in ORDER.allowed_actions(state)
        if not (exhausted and action is OrderAction.REQUEST_REVISION)
    )


def delivery_days(
    package_days: int, extra_days: Iterable[int] = (), extra_fast_days: int | None = None
) -> int:
    """Days to deliver: the package's (or extra-fast delivery's, which replaces it) plus
    the days each chosen extra adds."""
    if package_days < 1:
        raise RuleError(
            "order.delivery_days", "a package takes at least 1 day", field="delivery_days"
        )
    base = package_days
    if extra_fast_days is not None:
        if not 1 <= extra_fast_days < package_days:
            raise RuleError(
                "order.extra_fast_delivery",
                f"extra-fast delivery must be between 1 day and less than the package's "
                f"{package_days} days, not {extra_fast_days}",
                field="extra_fast_days",
            )
        base = extra_fast_days
    added = list(extra_days)
    if any(days < 0 for days in added):
        raise RuleError(
            "order.extra_days", "an extra cannot take negative days", field="extra_days"
        )
    return base + sum(added)


def order_due_at(started_at: datetime, days: int) -> datetime:
    """Due `days` whole days after the order started (requirements in, or seller began)."""
    return ensure_utc(started_at) + timedelta(days=days)


# The states in which the seller owes the buyer a delivery: the due date can pass.
OWES_DELIVERY: tuple[OrderState, ...] = (OrderState.IN_PROGRESS, OrderState.REVISION_REQUESTED)


def is_late(due_at: datetime, now: datetime, state: OrderState) -> bool:
    """Late when past due while the seller owes a delivery (in progress or revising);
    delivering exactly at the due instant is on time."""
    return state in OWES_DELIVERY and ensure_utc(now) > ensure_utc(due_at)


def late_by(due_at: datetime | None, now: datetime, state: OrderState) -> timedelta | None:
    """How long past due a late order is; None when it is not late (see `is_late`)."""
    if due_at is None or not is_late(due_at, now, state):
        return None
    return ensure_utc(now) - ensure_utc(due_at)


def is_auto_complete_due(
    state: OrderState, delivered_at: datetime, now: datetime, rules: FiverrRules = FIVERR
) -> bool:
    """True once a delivered order the buyer left alone must complete itself."""
    return state is OrderState.DELIVERED and ensure_utc(now) >= order_auto_completes_at(
        delivered_at, rules
    )
