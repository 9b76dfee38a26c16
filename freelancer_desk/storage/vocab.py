"""The enumerations stored as checked text, in one place.

Values are lower-case words; the rules about moving between them live in domain/.
"""

PLATFORMS = ("upwork", "fiverr", "direct", "other")
GIG_STATES = ("draft", "active", "paused", "archived")
PACKAGE_TIERS = ("basic", "standard", "premium")
EXTRA_KINDS = ("extra", "fast_delivery")
ORDER_STATES = (
    "awaiting_requirements",
    "in_progress",
    "delivered",
    "revision_requested",
    "completed",
    "cancelled",
)
BUDGET_KINDS = ("hourly", "fixed")
PROPOSAL_STATES = (
    "draft",
    "submitted",
    "viewed",
    "interviewing",
    "offer",
    "hired",
    "declined",
    "withdrawn",
    "archived",
)
TEMPLATE_KINDS = ("template", "snippet")
CONTRACT_KINDS = ("hourly", "fixed")
CONTRACT_STATES = ("active", "paused", "ended")
SNAPSHOT_POLICIES = ("off", "blurred", "full")
ROUNDING_RULES = (
    "upwork_10min",
    "exact",
    "up_1",
    "nearest_1",
    "down_1",
    "up_6",
    "nearest_6",
    "down_6",
    "up_15",
    "nearest_15",
    "down_15",
    "up_30",
    "nearest_30",
    "down_30",
)
MILESTONE_STATES = (
    "planned",
    "funded",
    "submitted",
    "changes_requested",
    "released",
    "refunded",
    "disputed",
)
SESSION_END_REASONS = ("stopped", "orphaned", "switched", "idle", "suspended", "manual")
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
