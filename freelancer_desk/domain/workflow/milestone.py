"""Milestone lifecycle: planned → funded (escrow) → submitted → released, with changes, refunds and disputes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.platforms import UPWORK, UpworkRules, auto_release_at
from freelancer_desk.domain.workflow.machine import StateMachine

__all__ = [
    "MILESTONE",
    "MilestoneAction",
    "MilestoneState",
    "auto_release_at",
    "check_editable",
    "is_auto_release_due",
]


class MilestoneState(StrEnum):
    PLANNED = "planned"
    FUNDED = "funded"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    RELEASED = "released"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class MilestoneAction(StrEnum):
    FUND = "fund"
    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    # Approval by the client and the automatic release 14 days after submission are the
    # same step for the money; the ledger entry's memo tells them apart.
    RELEASE = "release"
    REFUND = "refund"
    DISPUTE = "dispute"


_M, _A = MilestoneState, MilestoneAction

# Whenever the money sits in escrow (funded, submitted, changes requested, disputed) the
# client may release it or it may be refunded; a dispute ends in one of the two.
MILESTONE: StateMachine[MilestoneState, MilestoneAction] = StateMachine(
    "milestone",
    {
        _M.PLANNED: {_A.FUND: _M.FUNDED},
        _M.FUNDED: {
            _A.SUBMIT: _M.SUBMITTED,
            _A.RELEASE: _M.RELEASED,
            _A.REFUND: _M.REFUNDED,
            _A.DISPUTE: _M.DISPUTED,
        },
        _M.SUBMITTED: {
            _A.RELEASE: _M.RELEASED,
            _A.REQUEST_CHANGES: _M.CHANGES_REQUESTED,
            _A.REFUND: _M.REFUNDED,
            _A.DISPUTE: _M.DISPUTED,
        },
        _M.CHANGES_REQUESTED: {
            _A.SUBMIT: _M.SUBMITTED,
            _A.RELEASE: _M.RELEASED,
            _A.REFUND: _M.REFUNDED,
            _A.DISPUTE: _M.DISPUTED,
        },
        _M.DISPUTED: {_A.RELEASE: _M.RELEASED, _A.REFUND: _M.REFUNDED},
        _M.RELEASED: {},
        _M.REFUNDED: {},
    },
    reasons={
        (_M.PLANNED, _A.RELEASE): "it is not funded",
        (_M.PLANNED, _A.SUBMIT): "it is not funded (fund it into escrow before work)",
        (_M.PLANNED, _A.REFUND): "it is not funded",
        (_M.PLANNED, _A.DISPUTE): "it is not funded",
        (_M.RELEASED, _A.RELEASE): "it is already released",
        (_M.REFUNDED, _A.RELEASE): "it was refunded",
    },
    verbs={_A.REQUEST_CHANGES: "request changes on"},
)


def is_auto_release_due(
    state: MilestoneState, submitted_at: datetime, now: datetime, rules: UpworkRules = UPWORK
) -> bool:
    """True once a submitted milestone the client left alone must release itself."""
    return state is MilestoneState.SUBMITTED and ensure_utc(now) >= auto_release_at(
        submitted_at, rules
    )


def check_editable(state: MilestoneState) -> None:
    """Title, amount and due date change only while the milestone is planned: once
    funded, the client's money in escrow is for what was agreed."""
    if state is not MilestoneState.PLANNED:
        raise RuleError(
            "milestone.edit_funded",
            f"cannot change milestone: it is {state.value.replace('_', ' ')}; "
            "only a planned milestone can be edited",
            field="state",
        )
