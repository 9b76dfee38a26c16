"""One module per aggregate. Importing this package registers every table."""

from freelancer_desk.storage.models.billed_weeks import BilledWeek
from freelancer_desk.storage.models.catch_up_marks import CatchUpMark
from freelancer_desk.storage.models.clients import Client
from freelancer_desk.storage.models.contracts import Contract, Milestone
from freelancer_desk.storage.models.gigs import Gig, GigExtra, GigFaq, GigPackage, GigRequirement
from freelancer_desk.storage.models.invoices import Invoice, InvoiceLine
from freelancer_desk.storage.models.jobs import JobPost
from freelancer_desk.storage.models.ledger import LedgerPosting, LedgerTransaction
from freelancer_desk.storage.models.ledger_totals import LedgerTotal
from freelancer_desk.storage.models.orders import Order, OrderDelivery, OrderExtra, OrderRevision
from freelancer_desk.storage.models.proposals import (
    Proposal,
    ProposalMilestone,
    ProposalTemplate,
    ScreeningAnswer,
)
from freelancer_desk.storage.models.reminders import Reminder
from freelancer_desk.storage.models.reviews import Review
from freelancer_desk.storage.models.settings import ExchangeRate, Setting
from freelancer_desk.storage.models.tracked_days import TrackedDay
from freelancer_desk.storage.models.tracked_weeks import TrackedWeek
from freelancer_desk.storage.models.tracking import Interruption, Segment, Snapshot, TimeSession

__all__ = [
    "BilledWeek",
    "CatchUpMark",
    "Client",
    "Contract",
    "ExchangeRate",
    "Gig",
    "GigExtra",
    "GigFaq",
    "GigPackage",
    "GigRequirement",
    "Interruption",
    "Invoice",
    "InvoiceLine",
    "JobPost",
    "LedgerPosting",
    "LedgerTotal",
    "LedgerTransaction",
    "Milestone",
    "Order",
    "OrderDelivery",
    "OrderExtra",
    "OrderRevision",
    "Proposal",
    "ProposalMilestone",
    "ProposalTemplate",
    "Reminder",
    "Review",
    "ScreeningAnswer",
    "Segment",
    "Setting",
    "Snapshot",
    "TimeSession",
    "TrackedDay",
    "TrackedWeek",
]
