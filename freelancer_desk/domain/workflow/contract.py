"""Contract lifecycle (active ⇄ paused → ended), its kind, and the weekly hour limit rule."""

from __future__ import annotations

from enum import StrEnum

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.workflow.machine import StateMachine


class ContractKind(StrEnum):
    HOURLY = "hourly"
    FIXED = "fixed"


class ContractState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class ContractAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"


CONTRACT: StateMachine[ContractState, ContractAction] = StateMachine(
    "contract",
    {
        ContractState.ACTIVE: {
            ContractAction.PAUSE: ContractState.PAUSED,
            ContractAction.END: ContractState.ENDED,
        },
        ContractState.PAUSED: {
            ContractAction.RESUME: ContractState.ACTIVE,
            ContractAction.END: ContractState.ENDED,
        },
        ContractState.ENDED: {},
    },
    reasons={(ContractState.ENDED, ContractAction.END): "it has already ended"},
)


def check_weekly_limit(limit_seconds: int | None, kind: ContractKind) -> int | None:
    """A weekly limit belongs to hourly contracts only; None means no limit."""
    if limit_seconds is None:
        return None
    if kind is not ContractKind.HOURLY:
        raise RuleError(
            "contract.weekly_limit_kind",
            "a weekly hour limit applies to hourly contracts only",
            field="weekly_limit",
        )
    if limit_seconds < 0:
        raise RuleError(
            "contract.weekly_limit_negative",
            f"weekly limit of {limit_seconds / 3600:g} hours is below zero",
            field="weekly_limit",
        )
    return limit_seconds
