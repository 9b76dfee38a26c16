"""The enumerations stored as checked text, in one place.

Values are lower-case words. Where the domain owns an enumeration (states, kinds,
platforms) the stored values are read off it, so the two cannot drift apart.
"""

from enum import StrEnum

from freelancer_desk.domain.platforms import Platform
from freelancer_desk.domain.workflow.contract import ContractKind, ContractState
from freelancer_desk.domain.workflow.gig import GigState
from freelancer_desk.domain.workflow.milestone import MilestoneState
from freelancer_desk.domain.workflow.order import OrderState
from freelancer_desk.domain.workflow.proposal import ProposalState


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


PLATFORMS = values(Platform)
GIG_STATES = values(GigState)
PACKAGE_TIERS = ("basic", "standard", "premium")
EXTRA_KINDS = ("extra", "fast_delivery")
ORDER_STATES = values(OrderState)
BUDGET_KINDS = ("hourly", "fixed")
PROPOSAL_STATES = values(ProposalState)
TEMPLATE_KINDS = ("template", "snippet")
CONTRACT_KINDS = values(ContractKind)
CONTRACT_STATES = values(ContractState)
SNAPSHOT_POLICIES = ("off", "blurred", "full")
MILESTONE_STATES = values(MilestoneState)
SESSION_END_REASONS = (
    "stopped",
    "orphaned",
    "switched",
    "idle",
    "suspended",
    "clock_change",
    "manual",
)
INTERRUPTION_KINDS = ("idle", "sleep", "clock_back")
INTERRUPTION_DECISIONS = ("keep", "discard", "assign")
INVOICE_STATES = ("draft", "issued", "paid", "void")
ACCOUNT_KINDS = (
    "client_funds",
    "escrow",
    "pending",
    "available",
    "withdrawn",
    "fees",
    "refunds",
    "receivable",
)
REVIEW_DIRECTIONS = ("received", "given")
REMINDER_KINDS = (
    "diary_lock",
    "milestone_auto_release",
    "refund_window",
    "order_due",
    "invoice_due",
    "funds_available",
    "custom",
)
