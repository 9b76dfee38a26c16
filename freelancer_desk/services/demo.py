"""The demo workspace: a believable freelancer's books, dated relative to the clock.

Six clients on Upwork, Fiverr and direct; three Fiverr gigs and orders in every state;
job posts and proposals in every state; hourly and fixed-price contracts with
milestones in every state; eight weeks of tracked 10-minute segments; and the ledger
rows of every money event, written through the domain's transaction builders.

Everything is drawn from one `random.Random(seed)` — the row ids too — and every instant
from the clock, so two demos made with the same seed at the same instant are identical.
No snapshot image is written: segments on contracts that take snapshots say theirs is
missing.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain import ledger as money_events
from freelancer_desk.domain.billing import (
    UPWORK_SEGMENTS,
    RoundingMode,
    RoundingRule,
    bill_amount,
    over_weekly_limit,
    split_into_segments,
    within_weekly_limit,
)
from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import AccountKind, Transaction
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    FIVERR,
    auto_release_at,
    billing_week,
    check_gig_description,
    check_gig_tags,
    check_gig_title,
    check_package_count,
    check_package_price,
    diary_lock_at,
    fiverr_available_at,
    order_auto_completes_at,
    refund_or_dispute_until,
    security_period_ends_at,
)
from freelancer_desk.domain.workflow.contract import CONTRACT, ContractAction, ContractState
from freelancer_desk.domain.workflow.machine import StateMachine
from freelancer_desk.domain.workflow.milestone import (
    MILESTONE,
    MilestoneAction,
    MilestoneState,
)
from freelancer_desk.domain.workflow.order import (
    ORDER,
    OrderAction,
    OrderState,
    delivery_days,
    order_due_at,
    request_revision,
)
from freelancer_desk.domain.workflow.proposal import PROPOSAL, ProposalAction, ProposalState
from freelancer_desk.services.ledger import CLEARED_KIND, LedgerService
from freelancer_desk.services.ledger_bulk import POSTING_FIELDS, TRANSACTION_FIELDS
from freelancer_desk.storage.base import Entity
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Client,
    Contract,
    ExchangeRate,
    Gig,
    GigExtra,
    GigFaq,
    GigPackage,
    GigRequirement,
    Invoice,
    InvoiceLine,
    JobPost,
    LedgerPosting,
    LedgerTransaction,
    Milestone,
    Order,
    OrderDelivery,
    OrderExtra,
    OrderRevision,
    Proposal,
    ProposalMilestone,
    ProposalTemplate,
    Reminder,
    Review,
    ScreeningAnswer,
    Segment,
    Setting,
    Snapshot,
    TimeSession,
)

E = TypeVar("E", bound=Entity)
S = TypeVar("S", bound=StrEnum)

# Every table the summary counts, in the order a reader meets them.
COUNTED: tuple[type[Entity], ...] = (
    Client,
    Gig,
    GigPackage,
    GigExtra,
    GigFaq,
    GigRequirement,
    Order,
    OrderExtra,
    OrderDelivery,
    OrderRevision,
    JobPost,
    ProposalTemplate,
    Proposal,
    ProposalMilestone,
    ScreeningAnswer,
    Contract,
    Milestone,
    TimeSession,
    Segment,
    Snapshot,
    Invoice,
    InvoiceLine,
    LedgerTransaction,
    LedgerPosting,
    Review,
    Reminder,
    ExchangeRate,
    Setting,
)

# A workspace with a row in any of these is someone's data: the demo will not mix in.
_USER_DATA: tuple[type[Entity], ...] = (
    Client,
    Gig,
    Order,
    JobPost,
    ProposalTemplate,
    Proposal,
    Contract,
    TimeSession,
    Invoice,
    LedgerTransaction,
    Review,
    Reminder,
    ExchangeRate,
)


@dataclass(frozen=True)
class DemoSummary:
    """Rows per table after the demo was written."""

    counts: dict[str, int] = field(default_factory=dict)

    def items(self) -> Iterator[tuple[str, int]]:
        return iter(self.counts.items())

    def __getitem__(self, table: str) -> int:
        return self.counts[table]

    def to_json(self) -> dict[str, int]:
        return dict(self.counts)

    def __str__(self) -> str:
        return ", ".join(f"{n} {table}" for table, n in self.counts.items())


def workspace_is_empty(session: Session) -> dict[str, int]:
    """The tables holding rows already (empty dict: nothing there)."""
    found: dict[str, int] = {}
    for model in _USER_DATA:
        n = session.scalar(select(func.count()).select_from(model)) or 0
        if n:
            found[str(model.__tablename__)] = n
    return found


def create_demo(
    db: Database, clock: Clock, ledger: LedgerService, device_id: str, seed: int = 7
) -> DemoSummary:
    """Fill an empty workspace with the demo, in one unit of work; refuse a non-empty one."""
    with db.session() as session:
        found = workspace_is_empty(session)
        if found:
            listed = ", ".join(f"{n} {table}" for table, n in found.items())
            raise RuleError(
                "demo.empty_workspace",
                f"cannot create the demo: the workspace already holds data ({listed}); "
                "use a new data folder (--data-dir) for the demo",
            )
        _Demo(session, clock, ledger, device_id, random.Random(seed)).build(seed)
        session.flush()
        counts = {
            str(model.__tablename__): session.scalar(select(func.count()).select_from(model)) or 0
            for model in COUNTED
        }
    return DemoSummary(counts)


def walk(machine: StateMachine[S, Any], start: S, actions: Sequence[Any]) -> S:
    """The state after `actions` from `start`, each step decided by the domain's machine."""
    state = start
    for action in actions:
        state = machine.transition(state, action)
    return state


def usd(amount: float) -> Money:
    return Money(round(amount * 100), "USD")


@dataclass
class _Entry:
    transaction: Transaction
    kind: str
    platform: str
    client_id: uuid.UUID | None
    scope_kind: str
    seq: int


@dataclass
class _Block:
    target: Contract | Order
    minutes: int
    memo: str
    manual: bool = False


# -- data ------------------------------------------------------------------------------

_CLIENTS: list[dict[str, Any]] = [
    {
        "key": "northwind",
        "name": "Megan Torres",
        "company": "Northwind Outfitters",
        "platform": "upwork",
        "country": "United States",
        "timezone": "America/Chicago",
        "currency": "USD",
        "notes": "Apparel store on Shopify Plus. Prefers async updates in Slack; demo on Fridays.",
    },
    {
        "key": "halvorsen",
        "name": "Lars Halvorsen",
        "company": "Halvorsen Analytics AS",
        "platform": "upwork",
        "country": "Norway",
        "timezone": "Europe/Oslo",
        "currency": "USD",
        "notes": "Data consultancy. Airflow + dbt on BigQuery; paused hourly work over budget review.",
    },
    {
        "key": "kestrel",
        "name": "Dev Patel",
        "company": "Kestrel Labs",
        "platform": "upwork",
        "country": "Canada",
        "timezone": "America/Toronto",
        "currency": "USD",
        "notes": "Seed-stage start-up. Contract ended early; last milestone in dispute.",
    },
    {
        "key": "lefevre",
        "name": "Camille Lefèvre",
        "company": "Maison Lefèvre Studio",
        "platform": "direct",
        "country": "France",
        "timezone": "Europe/Paris",
        "currency": "EUR",
        "email": "camille@maison-lefevre.fr",
        "payment_terms_days": 30,
        "notes": "Design studio, referred by a former colleague. Invoiced every four weeks, net 30.",
    },
    {
        "key": "priya",
        "name": "Priya Raman",
        "company": None,
        "platform": "fiverr",
        "country": "India",
        "timezone": "Asia/Kolkata",
        "currency": "USD",
        "notes": "Repeat buyer: landing pages for her coaching business.",
    },
    {
        "key": "becker",
        "name": "Tom Becker",
        "company": "Becker Fahrräder GmbH",
        "platform": "fiverr",
        "country": "Germany",
        "timezone": "Europe/Berlin",
        "currency": "USD",
        "notes": "Bike shop with a Django booking app; orders small fixes often.",
    },
]

_GIGS: list[dict[str, Any]] = [
    {
        "key": "landing",
        "title": "I will build a responsive landing page with React and Tailwind CSS",
        "category": "Programming & Tech > Website Development",
        "tags": ["react", "tailwind css", "landing page", "responsive", "nextjs"],
        "state": "active",
        "description": (
            "A fast, accessible landing page built with React (Next.js) and Tailwind CSS, "
            "from your Figma file or from scratch. Pixel-perfect on phones, tablets and "
            "desktops, with a working contact form and a Lighthouse score above 90. You "
            "get clean, commented code and a short handover video."
        ),
        "packages": [
            (
                "Starter",
                "One focused page",
                12000,
                3,
                1,
                ["1 page", "Responsive design", "Contact form"],
            ),
            (
                "Business",
                "A landing page with the sections a small business needs",
                28000,
                5,
                2,
                [
                    "Up to 4 sections",
                    "Responsive design",
                    "Contact form",
                    "Basic SEO",
                    "Speed optimisation",
                ],
            ),
            (
                "Launch",
                "A small site, deployed and ready for traffic",
                56000,
                8,
                None,
                [
                    "Up to 6 pages",
                    "Responsive design",
                    "Contact form",
                    "SEO and analytics set-up",
                    "CMS integration",
                    "Deployment to Vercel",
                ],
            ),
        ],
        "extras": [
            (
                "fast_delivery",
                "Extra-fast delivery",
                6000,
                0,
                {"basic": 1, "standard": 2, "premium": 3},
            ),
            ("extra", "Additional page", 4500, 1, {}),
            ("extra", "Handover video walkthrough", 3000, 0, {}),
        ],
        "faqs": [
            (
                "Do you design the page too?",
                "Yes — send reference sites and I propose a layout first.",
            ),
            ("Which hosting do you support?", "Vercel and Netlify by default; others on request."),
            (
                "Can I edit the text myself later?",
                "With the Launch package the texts live in a CMS.",
            ),
        ],
        "requirements": [
            ("What is the page about, and who is it for?", "text", [], True),
            (
                "Do you have a design?",
                "choice",
                ["Figma file", "Reference sites", "No, please design it"],
                True,
            ),
            ("Upload your logo and brand assets", "file", [], False),
        ],
    },
    {
        "key": "django",
        "title": "I will fix bugs and add features to your Python or Django app",
        "category": "Programming & Tech > Software Development",
        "tags": ["python", "django", "bug fix", "api", "flask"],
        "state": "active",
        "description": (
            "Stuck with a traceback, a failing deploy or a feature half done? I fix bugs and "
            "build small features in Python, Django, Django REST Framework and Flask, with a "
            "test for every fix and a short note on what was wrong."
        ),
        "packages": [
            (
                "Quick fix",
                "One bug, one test",
                4000,
                1,
                1,
                ["1 bug fix", "Up to 1 hour of work", "Regression test"],
            ),
            (
                "Feature",
                "A small feature or up to three bugs",
                9500,
                2,
                2,
                ["Up to 3 bug fixes", "Up to 3 hours of work", "Tests", "Deployment help"],
            ),
            (
                "Sprint",
                "A day of focused work on your app",
                22000,
                4,
                3,
                ["Up to 8 hours of work", "Tests", "Code review notes", "Deployment help"],
            ),
        ],
        "extras": [
            ("fast_delivery", "Extra-fast delivery", 2500, 0, {"standard": 1, "premium": 2}),
            ("extra", "Unit tests for the touched code", 5000, 1, {}),
        ],
        "faqs": [
            ("Do you need access to my server?", "Usually a repository invite is enough."),
            ("Which Python versions?", "3.9 and newer; older code I can help upgrade."),
        ],
        "requirements": [
            (
                "Describe the bug or feature, with the error message if there is one",
                "text",
                [],
                True,
            ),
            (
                "How do I get the code?",
                "choice",
                ["GitHub", "GitLab", "Bitbucket", "Zip file"],
                True,
            ),
        ],
    },
    {
        "key": "ga4",
        "title": "I will set up Google Analytics 4 and Tag Manager tracking",
        "category": "Digital Marketing > Web Analytics",
        "tags": ["google analytics", "ga4", "tag manager", "conversion tracking"],
        "state": "paused",
        "description": (
            "GA4 and Google Tag Manager set up properly: events, conversions, consent mode "
            "and a clean data stream, verified in DebugView."
        ),
        "packages": [
            (
                "Basic",
                "GA4 property and tag",
                3500,
                2,
                1,
                ["GA4 property", "GTM container", "Page views"],
            ),
            (
                "Standard",
                "Events and conversions",
                7500,
                3,
                2,
                ["Up to 8 events", "3 conversions", "Consent mode"],
            ),
            (
                "Premium",
                "E-commerce tracking",
                15000,
                5,
                3,
                ["Up to 20 events", "E-commerce tracking", "Consent mode", "Looker Studio report"],
            ),
        ],
        "extras": [
            (
                "fast_delivery",
                "Extra-fast delivery",
                2000,
                0,
                {"basic": 1, "standard": 1, "premium": 2},
            ),
            ("extra", "Looker Studio dashboard", 6000, 2, {}),
        ],
        "faqs": [("Do you need admin access?", "Editor access to GA4 and GTM is enough.")],
        "requirements": [("Website URL and platform (Shopify, WordPress, …)", "text", [], True)],
    },
]

_MEMOS: dict[str, list[str]] = {
    "storefront": [
        "Theme fixes: product grid on mobile",
        "Shopify Flow for low-stock alerts",
        "Collection filters and sorting",
        "Speed work: lazy-loading images",
        "Gift card email template",
        "Holiday banner and countdown",
        "Weekly sync and backlog grooming",
        "Metafields for size guides",
    ],
    "pipeline": [
        "Airflow DAG retries and alerts",
        "dbt models for the marketing mart",
        "BigQuery cost review",
        "Backfill of October events",
        "Data quality tests",
    ],
    "consulting": [
        "Booking platform architecture review",
        "Pair session with Camille's team",
        "Postgres indexing and slow queries",
        "CI pipeline clean-up",
    ],
    "checkout": [
        "Checkout extensibility prototype",
        "Front-end build: cart drawer",
        "Front-end build: address autocomplete",
    ],
    "dashboards": ["Data model review notes", "Power BI report: revenue page"],
    "order": ["Django booking app: timezone bug", "Writing regression tests"],
}


# -- the builder --------------------------------------------------------------------------


class _Demo:
    def __init__(
        self,
        session: Session,
        clock: Clock,
        ledger: LedgerService,
        device_id: str,
        rng: random.Random,
    ) -> None:
        self.s = session
        self.ledger = ledger
        self.device = device_id
        self.rng = rng
        self.now = clock.now().replace(microsecond=0)
        self.today = self.now.replace(hour=0, minute=0, second=0)
        self.entries: list[_Entry] = []
        self.clients: dict[str, Client] = {}
        self.gigs: dict[str, Gig] = {}
        self.contracts: dict[str, Contract] = {}
        self.orders: dict[str, Order] = {}
        self.milestones: dict[str, Milestone] = {}
        self.templates: dict[str, ProposalTemplate] = {}
        self.segments: list[Segment] = []
        self.invoices: list[Invoice] = []

    # helpers ---------------------------------------------------------------------------
    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def new(self, model: type[E], **values: Any) -> E:
        row = model(id=self.uid(), **values)
        self.s.add(row)
        return row

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours, minutes=minutes)

    def later(self, days: float = 0, hours: float = 0) -> datetime:
        return self.now + timedelta(days=days, hours=hours)

    def day_at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """A working hour `days_ago` days back; never later than an hour before now."""
        at = self.today - timedelta(days=days_ago) + timedelta(hours=hour, minutes=minute)
        return min(at, self.now - timedelta(hours=1))

    def money_event(
        self,
        transaction: Transaction,
        kind: str,
        platform: str,
        client: Client,
        scope_kind: str,
    ) -> None:
        self.entries.append(
            _Entry(transaction, kind, platform, client.id, scope_kind, len(self.entries))
        )

    def clear_if_due(
        self,
        transaction: Transaction,
        platform: str,
        client: Client,
        scope_kind: str,
    ) -> None:
        """Pending money whose date has come moves to available."""
        when = transaction.available_at
        if when is None or when > self.now:
            return
        net = sum(
            (p.amount for p in transaction.postings if p.account.kind.value == "pending"),
            Money.zero(transaction.postings[0].amount.currency),
        )
        scope = next(
            p.account.scope for p in transaction.postings if p.account.kind.value == "pending"
        )
        assert scope is not None
        cleared = money_events.pending_cleared(
            net, scope, when, transaction.source, memo="funds available"
        )
        self.money_event(cleared, CLEARED_KIND, platform, client, scope_kind)

    # the whole workspace -----------------------------------------------------------------
    def build(self, seed: int) -> None:
        self.make_clients()
        self.s.flush()
        self.make_gigs()
        self.make_templates()
        self.s.flush()
        self.make_orders()
        self.make_contracts()
        self.s.flush()
        self.make_milestones()
        self.make_job_posts()
        self.s.flush()
        self.make_tracking()
        self.s.flush()
        self.bill_hourly_weeks()
        self.make_invoices()
        self.make_bonus_and_tip()
        self.record_ledger()
        self.make_withdrawal()
        self.renumber_ledger()
        self.make_reviews()
        self.make_reminders()
        self.make_settings(seed)

    # clients -------------------------------------------------------------------------------
    def make_clients(self) -> None:
        for spec in _CLIENTS:
            data = {k: v for k, v in spec.items() if k != "key"}
            self.clients[spec["key"]] = self.new(Client, **data)

    # gigs ----------------------------------------------------------------------------------
    def make_gigs(self) -> None:
        tiers = ("basic", "standard", "premium")
        for spec in _GIGS:
            gig = self.new(
                Gig,
                title=check_gig_title(spec["title"]),
                platform="fiverr",
                category=spec["category"],
                tags=list(check_gig_tags(spec["tags"])),
                description=check_gig_description(spec["description"]),
                state=spec["state"],
                currency="USD",
                fee_bp=FIVERR.fee_bp,
                clearance_days=FIVERR.clearance.days,
            )
            self.gigs[spec["key"]] = gig
            for position, (name, text, price, days, revisions, features) in enumerate(
                spec["packages"]
            ):
                check_package_count(position + 1)
                check_package_price(Money(price, "USD"))
                gig.packages.append(
                    GigPackage(
                        id=self.uid(),
                        tier=tiers[position],
                        position=position,
                        name=name,
                        description=text,
                        price_minor=price,
                        delivery_days=days,
                        revisions=revisions,
                        features=list(features),
                    )
                )
            for position, (kind, title, price, days, saved) in enumerate(spec["extras"]):
                gig.extras.append(
                    GigExtra(
                        id=self.uid(),
                        position=position,
                        kind=kind,
                        title=title,
                        price_minor=price,
                        extra_days=days,
                        days_saved=dict(saved),
                    )
                )
            for position, (question, answer) in enumerate(spec["faqs"]):
                gig.faqs.append(
                    GigFaq(id=self.uid(), position=position, question=question, answer=answer)
                )
            for position, (question, kind, choices, required) in enumerate(spec["requirements"]):
                gig.requirements.append(
                    GigRequirement(
                        id=self.uid(),
                        position=position,
                        question=question,
                        kind=kind,
                        choices=list(choices),
                        required=required,
                    )
                )

    # orders --------------------------------------------------------------------------------
    def order_number(self) -> str:
        return "FO" + "".join(self.rng.choice("0123456789ABCDEF") for _ in range(11))

    def make_orders(self) -> None:
        A = OrderAction
        plans: list[dict[str, Any]] = [
            {
                "key": "landing_done",
                "gig": "landing",
                "tier": "standard",
                "buyer": "priya",
                "extras": ["Extra-fast delivery"],
                "actions": [A.START, A.DELIVER, A.REQUEST_REVISION, A.DELIVER, A.COMPLETE],
                "ordered": 36,
                "title": "Landing page for a mindfulness coaching programme",
            },
            {
                "key": "django_sprint",
                "gig": "django",
                "tier": "premium",
                "buyer": "becker",
                "extras": [],
                "actions": [A.START, A.DELIVER, A.COMPLETE],
                "ordered": 12,
                "title": "Booking app: calendar sync with Google Calendar",
            },
            {
                "key": "django_quick",
                "gig": "django",
                "tier": "basic",
                "buyer": "becker",
                "extras": [],
                "actions": [A.START, A.DELIVER, A.COMPLETE],
                "ordered": 48,
                "title": "Fix 500 error on the booking confirmation page",
                "auto_completed": True,
            },
            {
                "key": "landing_progress",
                "gig": "landing",
                "tier": "basic",
                "buyer": "priya",
                "extras": [],
                "actions": [A.START],
                "ordered": 1.2,
                "title": "Webinar sign-up page",
            },
            {
                "key": "django_late",
                "gig": "django",
                "tier": "standard",
                "buyer": "becker",
                "extras": ["Unit tests for the touched code"],
                "actions": [A.START],
                "ordered": 5.5,
                "title": "Booking app: opening hours per branch",
            },
            {
                "key": "landing_delivered",
                "gig": "landing",
                "tier": "premium",
                "buyer": "priya",
                "extras": ["Additional page"],
                "actions": [A.START, A.DELIVER],
                "ordered": 10,
                "delivered": (0.8, 1.6),
                "title": "Coaching site: home, about, programmes, blog, contact, booking",
            },
            {
                "key": "django_revision",
                "gig": "django",
                "tier": "premium",
                "buyer": "becker",
                "extras": [],
                "actions": [A.START, A.DELIVER, A.REQUEST_REVISION],
                "ordered": 3,
                "delivered": (1.5, 2.0),
                "title": "Booking app: e-mail reminders a day before",
            },
            {
                "key": "landing_waiting",
                "gig": "landing",
                "tier": "basic",
                "buyer": "priya",
                "extras": [],
                "actions": [],
                "ordered": 0.17,
                "title": "Sign-up page for a yoga retreat",
            },
            {
                "key": "ga4_cancelled",
                "gig": "ga4",
                "tier": "standard",
                "buyer": "becker",
                "extras": [],
                "actions": [A.START, A.CANCEL],
                "ordered": 25,
                "title": "Conversion tracking for the shop",
                "cancel_note": "Mutual cancellation: the shop moved to a new platform.",
            },
        ]
        for plan in plans:
            self.make_order(plan, OrderState.AWAITING_REQUIREMENTS)

    def make_order(self, plan: dict[str, Any], initial: OrderState) -> None:
        A = OrderAction
        gig = self.gigs[plan["gig"]]
        package = next(p for p in gig.packages if p.tier == plan["tier"])
        buyer = self.clients[plan["buyer"]]
        extras = [e for e in gig.extras if e.title in plan["extras"]]
        fast = next((e for e in extras if e.kind == "fast_delivery"), None)
        fast_days = None
        if fast is not None:
            fast_days = package.delivery_days - int(fast.days_saved.get(package.tier, 0))
        days = delivery_days(
            package.delivery_days,
            [e.extra_days for e in extras if e.kind == "extra"],
            fast_days,
        )
        price = package.price_minor + sum(e.price_minor for e in extras)
        ordered_at = self.ago(days=plan["ordered"]).replace(second=self.rng.randrange(60))
        order = self.new(
            Order,
            number=self.order_number(),
            gig_id=gig.id,
            package_id=package.id,
            client_id=buyer.id,
            title=plan["title"],
            package_tier=package.tier,
            state=initial.value,
            price_minor=price,
            currency=gig.currency,
            fee_bp=gig.fee_bp,
            clearance_days=gig.clearance_days,
            revisions_allowed=package.revisions,
            revisions_used=0,
            ordered_at=ordered_at,
            notes=plan.get("cancel_note", ""),
        )
        for extra in extras:
            order.extras.append(
                OrderExtra(
                    id=self.uid(),
                    extra_id=extra.id,
                    title=extra.title,
                    price_minor=extra.price_minor,
                    days_delta=(fast_days - package.delivery_days)
                    if extra is fast and fast_days is not None
                    else extra.extra_days,
                )
            )
        self.orders[plan["key"]] = order
        amount = Money(price, order.currency)
        self.money_event(
            money_events.order_placed(amount, str(order.id), ordered_at),
            "order_placed",
            "fiverr",
            buyer,
            "order",
        )
        # Walk the timeline: each step a little after the last, never past now.
        state = initial
        at = ordered_at
        answers = {r.question: self.requirement_answer(r) for r in gig.requirements}
        for action in plan["actions"]:
            if action is A.REQUEST_REVISION:
                state = request_revision(state, order.revisions_used, order.revisions_allowed)
            else:
                state = ORDER.transition(state, action)
            if action is A.START:
                at = at + timedelta(hours=self.rng.uniform(1, 6))
                order.started_at = at
                order.requirements = answers
                order.due_at = order_due_at(at, days)
                if plan["key"] == "django_late":
                    # Started on time but still not delivered: the due date has passed.
                    assert order.due_at < self.now
            elif action is A.DELIVER:
                assert order.due_at is not None
                if order.delivered_at is not None:  # a revision, delivered within hours
                    at = at + timedelta(hours=self.rng.uniform(3, 20))
                else:
                    span = (order.due_at - at).total_seconds()
                    at = at + timedelta(seconds=span * self.rng.uniform(0.55, 0.85))
                if "delivered" in plan:
                    # Delivered recently: before it auto-completes, before the due date.
                    at = self.ago(days=self.rng.uniform(*plan["delivered"]))
                order.delivered_at = at
                order.deliveries.append(
                    OrderDelivery(
                        id=self.uid(),
                        delivered_at=at,
                        message=self.rng.choice(
                            [
                                "Delivered — the preview link and the repository are attached.",
                                "Here is the delivery, with a short video of the changes.",
                                "All done: fixed, tested, and the notes are in the README.",
                            ]
                        ),
                    )
                )
            elif action is A.REQUEST_REVISION:
                at = at + timedelta(hours=self.rng.uniform(5, 20))
                order.revisions_used += 1
                order.revisions.append(
                    OrderRevision(
                        id=self.uid(),
                        requested_at=at,
                        note=self.rng.choice(
                            [
                                "Could the hero text be larger on phones?",
                                "The reminder e-mail goes out in UTC, not in our time zone.",
                            ]
                        ),
                    )
                )
            elif action is A.COMPLETE:
                assert order.delivered_at is not None
                if plan.get("auto_completed"):
                    at = order_auto_completes_at(order.delivered_at)
                    order.notes = "Completed automatically 3 days after delivery."
                else:
                    at = at + timedelta(hours=self.rng.uniform(3, 30))
                order.completed_at = at
                done = money_events.order_completed(amount, str(order.id), at)
                self.money_event(done, "order_completed", "fiverr", buyer, "order")
                self.clear_if_due(done, "fiverr", buyer, "order")
            elif action is A.CANCEL:
                at = at + timedelta(days=2)
                order.cancelled_at = at
                self.money_event(
                    money_events.order_cancelled(amount, str(order.id), at),
                    "order_cancelled",
                    "fiverr",
                    buyer,
                    "order",
                )
            assert at <= self.now, (plan["key"], action)
        order.state = state.value
        if state is OrderState.AWAITING_REQUIREMENTS:
            order.requirements = {}

    def requirement_answer(self, requirement: GigRequirement) -> str:
        if requirement.kind == "choice":
            return requirement.choices[0]
        if requirement.kind == "file":
            return "brand-assets.zip"
        return "See the brief attached; the audience is small-business owners."

    # templates -----------------------------------------------------------------------------
    def make_templates(self) -> None:
        bodies = {
            ("Hourly — ongoing support", "template"): (
                "Hi {client},\n\nI read your post about {job}. I have spent the last six "
                "years on exactly this kind of {skill} work, most recently keeping a Shopify "
                "Plus store with 40k monthly visitors fast and bug-free.\n\nHow I would "
                "start: a short call to agree on priorities, then a weekly plan you can "
                "follow in the Work Diary.\n\nBest,\nAlex"
            ),
            ("Fixed price — project", "template"): (
                "Hi {client},\n\n{job} is a project I can deliver in clear milestones, each "
                "with something you can click through. My recent {skill} projects are in my "
                "portfolio.\n\nProposed plan:\n1. Discovery and wireframes\n2. Build\n3. QA "
                "and launch\n\nBest,\nAlex"
            ),
            ("Availability", "snippet"): (
                "I am available 25–30 hours a week, overlapping 09:00–13:00 US Central."
            ),
            ("Portfolio links", "snippet"): (
                "Recent work: northwind-outfitters.com (Shopify), a Django booking app for a "
                "bike shop, and dashboards for a Nordic analytics firm."
            ),
            ("Questions before I start", "snippet"): (
                "A few questions: who approves the designs, is there a staging environment, "
                "and what is the launch date you are working towards?"
            ),
        }
        for (name, kind), body in bodies.items():
            self.templates[name] = self.new(ProposalTemplate, name=name, kind=kind, body=body)

    # contracts -----------------------------------------------------------------------------
    def contract_reference(self) -> str:
        return str(self.rng.randrange(30_000_000, 40_000_000))

    def make_contracts(self) -> None:
        specs: list[dict[str, Any]] = [
            {
                "key": "storefront",
                "client": "northwind",
                "title": "Shopify storefront maintenance and improvements",
                "kind": "hourly",
                "rate": 6500,
                "fee": 1000,
                "limit": 20 * 60,
                "policy": "blurred",
                "started": 150,
                "actions": [],
            },
            {
                "key": "pipeline",
                "client": "halvorsen",
                "title": "Data engineer: Airflow and dbt pipeline support",
                "kind": "hourly",
                "rate": 8000,
                "fee": 800,
                "limit": 10 * 60,
                "policy": "full",
                "started": 120,
                "actions": [ContractAction.PAUSE],
                "paused": 9,
            },
            {
                "key": "checkout",
                "client": "northwind",
                "title": "Checkout redesign for the apparel store",
                "kind": "fixed",
                "fee": 1000,
                "policy": "off",
                "started": 60,
                "actions": [],
            },
            {
                "key": "mvp",
                "client": "kestrel",
                "title": "iOS MVP with Swift and Firebase",
                "kind": "fixed",
                "fee": 1000,
                "policy": "off",
                "started": 75,
                "actions": [ContractAction.END],
                "ended": 4,
            },
            {
                "key": "dashboards",
                "client": "halvorsen",
                "title": "Migrate Tableau dashboards to Power BI",
                "kind": "fixed",
                "fee": 1350,
                "policy": "off",
                "started": 14,
                "actions": [],
            },
            {
                "key": "consulting",
                "client": "lefevre",
                "title": "Booking platform consulting retainer",
                "kind": "hourly",
                "rate": 8500,
                "fee": 0,
                "limit": None,
                "policy": "off",
                "started": 100,
                "actions": [],
                "currency": "EUR",
                "rounding": "15m-up",
                "platform": "direct",
            },
        ]
        for spec in specs:
            client = self.clients[spec["client"]]
            state = walk(CONTRACT, ContractState.ACTIVE, spec["actions"])
            platform = spec.get("platform", "upwork")
            contract = self.new(
                Contract,
                client_id=client.id,
                title=spec["title"],
                reference=self.contract_reference() if platform == "upwork" else None,
                platform=platform,
                kind=spec["kind"],
                state=state.value,
                currency=spec.get("currency", "USD"),
                hourly_rate_minor=spec.get("rate"),
                fee_bp=spec["fee"],
                weekly_limit_minutes=spec.get("limit"),
                rounding_rule=spec.get("rounding", "upwork"),
                snapshot_policy=spec["policy"],
                manual_time_allowed=True,
                started_at=self.day_at(spec["started"], 15),
                paused_at=self.day_at(spec["paused"], 17) if "paused" in spec else None,
                ended_at=self.day_at(spec["ended"], 16) if "ended" in spec else None,
                notes="",
            )
            self.contracts[spec["key"]] = contract

    # milestones ----------------------------------------------------------------------------
    def make_milestones(self) -> None:
        F, SUB, RC = MilestoneAction.FUND, MilestoneAction.SUBMIT, MilestoneAction.REQUEST_CHANGES
        REL, REF, DIS = MilestoneAction.RELEASE, MilestoneAction.REFUND, MilestoneAction.DISPUTE
        # (contract, title, amount, due in days (negative: past), [(action, days ago)], memo)
        plans: list[tuple[str, str, int, int, list[tuple[MilestoneAction, float]]]] = [
            ("checkout", "Discovery and wireframes", 60000, -45, [(F, 58), (SUB, 46), (REL, 44)]),
            ("checkout", "High-fidelity designs", 90000, -20, [(F, 40), (SUB, 18), (REL, 4)]),
            ("checkout", "Front-end build", 150000, 2, [(F, 17), (SUB, 3)]),
            ("checkout", "QA and launch", 50000, 20, []),
            ("mvp", "Backend API and data model", 120000, -52, [(F, 73), (SUB, 55), (REL, 53)]),
            ("mvp", "iOS beta on TestFlight", 180000, -20, [(F, 35), (REF, 4)]),
            ("mvp", "App Store release", 120000, -6, [(F, 20), (SUB, 9), (DIS, 2)]),
            ("dashboards", "Data model review", 40000, -5, [(F, 12), (SUB, 8), (RC, 4)]),
            ("dashboards", "Dashboard rebuild", 110000, 12, [(F, 3)]),
        ]
        positions: dict[str, int] = defaultdict(int)
        for key, title, amount, due, steps in plans:
            contract = self.contracts[key]
            client = next(c for c in self.clients.values() if c.id == contract.client_id)
            milestone = self.new(
                Milestone,
                contract_id=contract.id,
                position=positions[key],
                title=title,
                amount_minor=amount,
                currency=contract.currency,
                state=MilestoneState.PLANNED.value,
                due_on=(self.today + timedelta(days=due)).date(),
                funded_minor=0,
                released_minor=0,
                refunded_minor=0,
            )
            positions[key] += 1
            self.milestones[f"{key}:{title}"] = milestone
            state = MilestoneState.PLANNED
            money = Money(amount, contract.currency)
            cid, mid = str(contract.id), str(milestone.id)
            for action, days_ago in steps:
                state = MILESTONE.transition(state, action)
                at = self.day_at(int(days_ago), self.rng.randrange(13, 20), self.rng.randrange(60))
                if action is F:
                    milestone.funded_minor = amount
                    milestone.funded_at = at
                    self.money_event(
                        money_events.milestone_funded(money, cid, mid, at),
                        "milestone_funded",
                        contract.platform,
                        client,
                        "contract",
                    )
                elif action is SUB:
                    milestone.submitted_at = at
                    milestone.submission_note = "Delivered: links and notes in the message thread."
                elif action is RC:
                    milestone.submission_note += "\nClient asked for changes to the sales page."
                elif action is REL:
                    auto = milestone.submitted_at is not None and days_ago < 10
                    if auto:
                        at = auto_release_at(milestone.submitted_at)  # type: ignore[arg-type]
                    milestone.released_minor = amount
                    milestone.approved_at = at
                    released = money_events.milestone_released(
                        money,
                        contract.fee_bp,
                        cid,
                        mid,
                        at,
                        memo="released automatically 14 days after submission"
                        if auto
                        else "milestone released",
                    )
                    self.money_event(
                        released, "milestone_released", contract.platform, client, "contract"
                    )
                    self.clear_if_due(released, contract.platform, client, "contract")
                elif action is REF:
                    if contract.ended_at is not None:
                        at = contract.ended_at
                    milestone.refunded_minor = amount
                    milestone.refunded_at = at
                    self.money_event(
                        money_events.milestone_refunded(money, cid, mid, at),
                        "milestone_refunded",
                        contract.platform,
                        client,
                        "contract",
                    )
                elif action is DIS:
                    milestone.disputed_at = at
            milestone.state = state.value

    # job posts and proposals ----------------------------------------------------------------
    def make_job_posts(self) -> None:
        P = ProposalAction
        hourly_t = self.templates["Hourly — ongoing support"]
        fixed_t = self.templates["Fixed price — project"]
        jobs: list[dict[str, Any]] = [
            {
                "title": "Shopify developer for ongoing storefront maintenance",
                "client": "northwind",
                "kind": "hourly",
                "budget": (5000, 7500),
                "skills": ["Shopify", "Liquid", "JavaScript", "CSS"],
                "questions": [
                    "Share a Shopify store you have worked on.",
                    "What is your availability?",
                ],
                "posted": 156,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.INTERVIEW, P.RECEIVE_OFFER, P.HIRE],
                "bid": 6500,
                "contract": "storefront",
                "skill": "Shopify",
            },
            {
                "title": "Data engineer for Airflow / dbt pipeline support (10 h/week)",
                "client": "halvorsen",
                "kind": "hourly",
                "budget": (6000, 9000),
                "skills": ["Apache Airflow", "dbt", "BigQuery", "Python"],
                "questions": ["Describe a pipeline you kept running in production."],
                "posted": 126,
                "actions": [P.SUBMIT, P.INTERVIEW, P.RECEIVE_OFFER, P.HIRE],
                "bid": 8000,
                "contract": "pipeline",
                "skill": "data engineering",
            },
            {
                "title": "Redesign checkout flow for an apparel store",
                "client": "northwind",
                "kind": "fixed",
                "budget": (350000, None),
                "skills": ["Shopify", "UX design", "Checkout extensibility"],
                "questions": [],
                "posted": 64,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.RECEIVE_OFFER, P.HIRE],
                "bid": 350000,
                "contract": "checkout",
                "milestones": [
                    ("Discovery and wireframes", 60000),
                    ("High-fidelity designs", 90000),
                    ("Front-end build", 150000),
                    ("QA and launch", 50000),
                ],
                "skill": "Shopify",
            },
            {
                "title": "Build an MVP iOS app with Swift and Firebase",
                "client": "kestrel",
                "kind": "fixed",
                "budget": (400000, None),
                "skills": ["Swift", "SwiftUI", "Firebase", "iOS"],
                "questions": [
                    "Link an app you shipped to the App Store.",
                    "How would you test offline mode?",
                ],
                "posted": 80,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.INTERVIEW, P.RECEIVE_OFFER, P.HIRE],
                "bid": 420000,
                "contract": "mvp",
                "milestones": [
                    ("Backend API and data model", 120000),
                    ("iOS beta on TestFlight", 180000),
                    ("App Store release", 120000),
                ],
                "skill": "iOS",
            },
            {
                "title": "Migrate Tableau dashboards to Power BI",
                "client": "halvorsen",
                "kind": "fixed",
                "budget": (150000, None),
                "skills": ["Power BI", "Tableau", "DAX"],
                "questions": [],
                "posted": 17,
                "actions": [P.SUBMIT, P.RECEIVE_OFFER, P.HIRE],
                "bid": 150000,
                "contract": "dashboards",
                "milestones": [("Data model review", 40000), ("Dashboard rebuild", 110000)],
                "skill": "Power BI",
            },
            {
                "title": "Headless CMS migration: Contentful to Sanity",
                "name": "Fjord Media",
                "kind": "fixed",
                "budget": (200000, None),
                "skills": ["Sanity", "Contentful", "Next.js"],
                "questions": ["Have you migrated content models before?"],
                "posted": 0.3,
                "actions": [],
                "bid": 220000,
                "milestones": [("Content model and scripts", 90000), ("Migration and QA", 130000)],
                "skill": "headless CMS",
            },
            {
                "title": "Fix performance issues in a Next.js marketing site",
                "name": "Quillstone Software",
                "kind": "hourly",
                "budget": (4000, 7000),
                "skills": ["Next.js", "React", "Web performance"],
                "questions": ["What Lighthouse score did you reach on a recent project?"],
                "posted": 2,
                "actions": [P.SUBMIT],
                "bid": 6000,
                "skill": "web performance",
            },
            {
                "title": "Build a Chrome extension for price tracking",
                "name": "Tidewater Deals",
                "kind": "fixed",
                "budget": (80000, None),
                "skills": ["JavaScript", "Chrome extensions"],
                "questions": [],
                "posted": 6,
                "actions": [P.SUBMIT, P.MARK_VIEWED],
                "bid": 90000,
                "milestones": [("Working extension", 90000)],
                "skill": "JavaScript",
            },
            {
                "title": "Python developer to automate invoice processing",
                "name": "Greenleaf Accounting",
                "kind": "hourly",
                "budget": (4500, 6500),
                "skills": ["Python", "OCR", "Automation"],
                "questions": ["Which OCR tools have you used?", "Can you start next week?"],
                "posted": 9,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.INTERVIEW],
                "bid": 6000,
                "skill": "Python automation",
            },
            {
                "title": "Long-term React developer for a SaaS analytics dashboard",
                "name": "Orbital Metrics",
                "kind": "hourly",
                "budget": (5500, 8000),
                "skills": ["React", "TypeScript", "D3.js"],
                "questions": ["Share a dashboard you built."],
                "posted": 11,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.INTERVIEW, P.RECEIVE_OFFER],
                "bid": 7000,
                "skill": "React",
            },
            {
                "title": "Rebuild a WordPress site in Webflow",
                "name": "Copper & Pine Bakery",
                "kind": "fixed",
                "budget": (120000, None),
                "skills": ["Webflow", "WordPress"],
                "questions": [],
                "posted": 30,
                "actions": [P.SUBMIT, P.MARK_VIEWED, P.DECLINE],
                "bid": 140000,
                "milestones": [("Webflow build", 140000)],
                "skill": "Webflow",
            },
            {
                "title": "Full-stack developer for a marketplace MVP",
                "name": "Nestwise",
                "kind": "fixed",
                "budget": (800000, None),
                "skills": ["Django", "React", "Stripe Connect"],
                "questions": ["Have you built a two-sided marketplace?"],
                "posted": 21,
                "actions": [P.SUBMIT, P.WITHDRAW],
                "bid": 780000,
                "milestones": [("Marketplace core", 480000), ("Payments and launch", 300000)],
                "skill": "full-stack",
            },
            {
                "title": "Quick Shopify theme tweak",
                "name": "Lumen Candles",
                "kind": "fixed",
                "budget": (5000, None),
                "skills": ["Shopify", "Liquid"],
                "questions": [],
                "posted": 40,
                "actions": [P.SUBMIT, P.ARCHIVE],
                "bid": 6000,
                "milestones": [("Theme tweak", 6000)],
                "skill": "Shopify",
            },
            {
                "title": "Django REST API for a logistics start-up",
                "name": "Parcelwise",
                "kind": "hourly",
                "budget": (5000, 8000),
                "skills": ["Django", "Django REST Framework", "PostgreSQL"],
                "questions": [],
                "posted": 1,
                "actions": None,
                "skill": "Django",
            },
            {
                "title": "D3.js data visualisations for a news site",
                "name": "The Harbour Ledger",
                "kind": "fixed",
                "budget": (250000, None),
                "skills": ["D3.js", "JavaScript", "Data visualisation"],
                "questions": ["Link interactive graphics you made."],
                "posted": 3,
                "actions": None,
                "skill": "D3.js",
            },
        ]
        for spec in jobs:
            client = self.clients.get(spec.get("client", ""))
            low, high = spec["budget"]
            posted = self.ago(days=spec["posted"], hours=self.rng.uniform(0, 3))
            job = self.new(
                JobPost,
                title=spec["title"],
                platform="upwork",
                client_id=client.id if client else None,
                client_name=client.company or client.name if client else spec["name"],
                description=(
                    f"We are looking for an experienced freelancer: {spec['title'].lower()}. "
                    f"Skills: {', '.join(spec['skills'])}. Please answer the questions below."
                ),
                budget_kind=spec["kind"],
                budget_min_minor=low,
                budget_max_minor=high,
                currency="USD",
                skills=list(spec["skills"]),
                screening_questions=list(spec["questions"]),
                url=f"https://www.upwork.com/jobs/~01{self.rng.getrandbits(64):016x}",
                posted_at=posted,
                connects_required=self.rng.choice([8, 10, 12, 14, 16]),
            )
            if spec["actions"] is None:
                continue
            self.make_proposal(job, spec, client, hourly_t if spec["kind"] == "hourly" else fixed_t)

    def make_proposal(
        self,
        job: JobPost,
        spec: dict[str, Any],
        client: Client | None,
        template: ProposalTemplate,
    ) -> None:
        P = ProposalAction
        contract = self.contracts.get(spec.get("contract", ""))
        state = walk(PROPOSAL, ProposalState.DRAFT, spec["actions"])
        assert job.posted_at is not None
        at = job.posted_at + timedelta(hours=self.rng.uniform(1, 5))
        submitted_at = viewed_at = decided_at = None
        for action in spec["actions"]:
            if action is P.SUBMIT:
                submitted_at = at
            elif action is P.MARK_VIEWED:
                viewed_at = at = at + timedelta(hours=self.rng.uniform(3, 30))
            elif action is P.HIRE and contract is not None:
                decided_at = contract.started_at
            elif action in (P.DECLINE, P.WITHDRAW, P.ARCHIVE):
                decided_at = at = at + timedelta(days=self.rng.uniform(2, 6))
            else:
                at = at + timedelta(hours=self.rng.uniform(6, 48))
            assert at <= self.now
        who = client.name.split()[0] if client else "there"
        letter = (
            template.body.replace("{client}", who)
            .replace("{job}", job.title.lower())
            .replace("{skill}", spec["skill"])
        )
        letter += "\n\n" + self.templates["Availability"].body
        fee = contract.fee_bp if contract is not None else 1000
        proposal = self.new(
            Proposal,
            job_post_id=job.id,
            state=state.value,
            cover_letter=letter,
            bid_kind=spec["kind"],
            bid_minor=spec["bid"],
            currency="USD",
            fee_bp=fee,
            duration_estimate="More than 6 months" if spec["kind"] == "hourly" else "1 to 3 months",
            connects_spent=(job.connects_required or 0) if submitted_at else 0,
            submitted_at=submitted_at,
            viewed_at=viewed_at,
            decided_at=decided_at,
            template_id=template.id,
            contract_id=contract.id
            if contract is not None and state is ProposalState.HIRED
            else None,
        )
        for position, question in enumerate(job.screening_questions):
            proposal.answers.append(
                ScreeningAnswer(
                    id=self.uid(),
                    position=position,
                    question=question,
                    answer=self.rng.choice(
                        [
                            "Yes — details and links are in the cover letter.",
                            "Happy to walk you through it on a call; short version: it ran "
                            "for two years with 99.9% uptime.",
                            "I can start on Monday and overlap your mornings.",
                        ]
                    ),
                )
            )
        base = job.posted_at.date()
        for position, (title, amount) in enumerate(spec.get("milestones", [])):
            proposal.milestones.append(
                ProposalMilestone(
                    id=self.uid(),
                    position=position,
                    title=title,
                    amount_minor=amount,
                    due_on=base + timedelta(days=14 * (position + 1)),
                )
            )

    # tracked time ----------------------------------------------------------------------------
    def make_tracking(self) -> None:
        storefront = self.contracts["storefront"]
        pipeline = self.contracts["pipeline"]
        consulting = self.contracts["consulting"]
        checkout = self.contracts["checkout"]
        dashboards = self.contracts["dashboards"]
        late = self.orders["django_late"]
        first_week, _ = billing_week(self.now)
        first_week -= timedelta(weeks=8)
        heavy_week = first_week + timedelta(weeks=5)  # the week that runs over the limit
        day = first_week
        manual_days = {first_week + timedelta(days=d) for d in (9, 23, 44)}
        deleted_done = False
        while day < self.today:
            weekday = day.weekday()
            heavy = billing_week(day)[0] == heavy_week
            works = (weekday < 5 and self.rng.random() < 0.93) or (
                weekday == 5 and (heavy or self.rng.random() < 0.12)
            )
            if not works:
                day += timedelta(days=1)
                continue
            blocks: list[_Block] = []
            if weekday < 5:
                minutes = self.rng.randint(170, 260) + (70 if heavy else 0)
                blocks.append(_Block(storefront, minutes, self.rng.choice(_MEMOS["storefront"])))
                paused = pipeline.paused_at
                if paused and day + timedelta(days=1) < paused and self.rng.random() < 0.8:
                    blocks.append(
                        _Block(
                            pipeline,
                            self.rng.randint(80, 130),
                            self.rng.choice(_MEMOS["pipeline"]),
                        )
                    )
                if self.rng.random() < 0.6:
                    blocks.append(
                        _Block(
                            consulting,
                            self.rng.randint(60, 120),
                            self.rng.choice(_MEMOS["consulting"]),
                        )
                    )
                if checkout.started_at < day and self.rng.random() < 0.35:
                    blocks.append(
                        _Block(
                            checkout, self.rng.randint(45, 100), self.rng.choice(_MEMOS["checkout"])
                        )
                    )
                if dashboards.started_at < day and self.rng.random() < 0.5:
                    blocks.append(
                        _Block(
                            dashboards,
                            self.rng.randint(50, 110),
                            self.rng.choice(_MEMOS["dashboards"]),
                        )
                    )
                if late.started_at and late.started_at < day:
                    blocks.append(
                        _Block(late, self.rng.randint(50, 80), self.rng.choice(_MEMOS["order"]))
                    )
            else:
                blocks.append(
                    _Block(storefront, self.rng.randint(120, 200), "Weekend release support")
                )
            self.rng.shuffle(blocks)
            if day in manual_days:
                blocks.append(
                    _Block(
                        storefront,
                        self.rng.choice([30, 40, 50]),
                        "Call with Megan: sprint planning (phone, added by hand)",
                        manual=True,
                    )
                )
            deleted_done = self.lay_out_day(day, blocks, deleted_done)
            day += timedelta(days=1)
        self.flag_over_limit()

    def lay_out_day(self, day: datetime, blocks: list[_Block], deleted_done: bool) -> bool:
        at = day + timedelta(
            hours=7, minutes=self.rng.randint(15, 100), seconds=self.rng.randrange(60)
        )
        worked = 0
        for block in blocks:
            if at.hour >= 20 or at.date() != day.date():
                break
            pieces = [block.minutes]
            if block.minutes > 150 and not block.manual:
                first = block.minutes // 2 + self.rng.randint(-20, 20)
                pieces = [first, block.minutes - first]
            for minutes in pieces:
                if worked > 200 and worked - minutes <= 200:
                    at += timedelta(minutes=self.rng.randint(35, 60))  # lunch
                length = timedelta(minutes=minutes, seconds=self.rng.randint(-90, 90))
                end = at + length
                if end > self.now - timedelta(hours=1):
                    return deleted_done
                switched = self.rng.random() < 0.2
                deleted_done = self.make_session(block, at, end, switched, deleted_done)
                worked += minutes
                at = (
                    end
                    if switched
                    else end
                    + timedelta(minutes=self.rng.randint(4, 25), seconds=self.rng.randrange(60))
                )
        return deleted_done

    def make_session(
        self, block: _Block, start: datetime, end: datetime, switched: bool, deleted_done: bool
    ) -> bool:
        target = block.target
        is_contract = isinstance(target, Contract)
        reason = "manual" if block.manual else ("switched" if switched else "stopped")
        session = self.new(
            TimeSession,
            contract_id=target.id if is_contract else None,
            order_id=None if is_contract else target.id,
            memo=block.memo,
            started_at=start,
            ended_at=end,
            last_seen_at=end,
            device_id=self.device,
            pid=None,
            end_reason=reason,
            manual=block.manual,
        )
        policy = target.snapshot_policy if isinstance(target, Contract) else "off"
        slices = split_into_segments(start, end)
        focus = self.rng.uniform(0.55, 0.95)
        idle_at = (
            self.rng.randrange(1, len(slices) - 1)
            if len(slices) > 4 and not block.manual and self.rng.random() < 0.12
            else -1
        )
        for index, piece in enumerate(slices):
            slot = piece.segment_start
            covered_from = max(start.replace(microsecond=0), slot)
            activity: list[int] = []
            idle = index == idle_at
            if not block.manual:
                for minute in range(10):
                    m_start = slot + timedelta(minutes=minute)
                    m_end = m_start + timedelta(minutes=1)
                    overlap = (
                        min(m_end, covered_from + timedelta(seconds=piece.seconds))
                        - max(m_start, covered_from)
                    ).total_seconds()
                    seconds = int(max(0, overlap))
                    if seconds and not idle and self.rng.random() < focus:
                        activity.append(self.rng.randint(min(8, seconds), seconds))
                    else:
                        activity.append(0)
            deleted = False
            if (
                not deleted_done
                and not block.manual
                and policy != "off"
                and piece.seconds == 600
                and self.rng.random() < 0.01
            ):
                deleted = deleted_done = True
            segment = Segment(
                id=self.uid(),
                contract_id=session.contract_id,
                order_id=session.order_id,
                slot_start=slot,
                tracked_seconds=piece.seconds,
                activity=activity,
                active_minutes=sum(1 for a in activity if a > 0),
                memo="Removed: a private message was on screen" if deleted else block.memo,
                manual=block.manual,
                idle=idle,
                over_limit=False,
                deleted=deleted,
                snapshot_missing=policy != "off" and not block.manual,
            )
            session.segments.append(segment)
            self.segments.append(segment)
        return deleted_done

    def week_segments(self, contract: Contract) -> dict[datetime, list[Segment]]:
        weeks: dict[datetime, list[Segment]] = defaultdict(list)
        for segment in self.segments:
            if segment.contract_id == contract.id and not segment.deleted:
                weeks[billing_week(segment.slot_start)[0]].append(segment)
        for items in weeks.values():
            items.sort(key=lambda s: s.slot_start)
        return weeks

    def flag_over_limit(self) -> None:
        for contract in self.contracts.values():
            if contract.weekly_limit_minutes is None:
                continue
            for items in self.week_segments(contract).values():
                flags = over_weekly_limit(
                    [s.tracked_seconds for s in items], contract.weekly_limit_minutes * 60
                )
                for segment, over in zip(items, flags, strict=True):
                    segment.over_limit = over

    # hourly billing --------------------------------------------------------------------------
    def bill_hourly_weeks(self) -> None:
        for contract in self.contracts.values():
            if contract.kind != "hourly" or contract.platform != "upwork":
                continue
            assert contract.hourly_rate_minor is not None
            client = next(c for c in self.clients.values() if c.id == contract.client_id)
            rate = Money(contract.hourly_rate_minor, contract.currency)
            limit = (
                None
                if contract.weekly_limit_minutes is None
                else contract.weekly_limit_minutes * 60
            )
            for week_start, items in sorted(self.week_segments(contract).items()):
                if week_start + timedelta(weeks=1) > self.now:
                    continue  # the current week is billed when it ends
                billed = within_weekly_limit([s.tracked_seconds for s in items], limit)
                gross = bill_amount(UPWORK_SEGMENTS.billable_seconds(billed), rate)
                if not gross:
                    continue
                week = money_events.hourly_week_billed(
                    gross, contract.fee_bp, str(contract.id), week_start
                )
                self.money_event(week, "hourly_week", contract.platform, client, "contract")
                self.clear_if_due(week, contract.platform, client, "contract")

    # invoices (direct client) ---------------------------------------------------------------
    def make_invoices(self) -> None:
        contract = self.contracts["consulting"]
        client = self.clients["lefevre"]
        assert contract.hourly_rate_minor is not None
        rate = Money(contract.hourly_rate_minor, contract.currency)
        rounding = RoundingRule.every(15, RoundingMode.UP)
        weeks = self.week_segments(contract)
        current, _ = billing_week(self.now)
        periods = [
            (current - timedelta(weeks=8), current - timedelta(weeks=4), True),
            (current - timedelta(weeks=4), current, False),
        ]
        terms = client.payment_terms_days or 30
        for number, (start, end, paid) in enumerate(periods, start=7):
            issued = end + timedelta(hours=9)
            if issued > self.now:
                issued = self.now
            invoice = self.new(
                Invoice,
                number=f"{issued.year}-{number:04d}",  # as InvoiceService numbers them
                client_id=client.id,
                contract_id=contract.id,
                state="issued",
                currency=contract.currency,
                issued_on=issued.date(),
                terms_days=terms,
                due_on=issued.date() + timedelta(days=terms),
                period_start=start,
                period_end=end,
                notes="Payable by SEPA transfer to the IBAN on file. Merci !",
            )
            self.invoices.append(invoice)
            total = Money.zero(contract.currency)
            week = start
            position = 0
            while week < end:
                items = weeks.get(week, [])
                seconds = rounding.billable_seconds(s.tracked_seconds for s in items)
                if seconds:
                    amount = bill_amount(seconds, rate)
                    invoice.lines.append(
                        InvoiceLine(
                            id=self.uid(),
                            position=position,
                            description=f"Consulting, week of {week.date().isoformat()}",
                            quantity_milli=seconds * 1000 // 3600,
                            unit_price_minor=rate.amount,
                            amount_minor=amount.amount,
                            rounding_rule=contract.rounding_rule,
                        )
                    )
                    position += 1
                    total = total + amount
                week += timedelta(weeks=1)
            if paid and total:
                paid_at = issued + timedelta(days=9, hours=5)
                invoice.state = "paid"
                invoice.paid_at = paid_at
                self.money_event(
                    money_events.invoice_paid(total, str(client.id), str(invoice.id), paid_at),
                    "invoice_paid",
                    "direct",
                    client,
                    "client",
                )
                self.new(
                    ExchangeRate, base="EUR", quote="USD", on=paid_at.date(), rate_micro=1_081_400
                )
        self.new(ExchangeRate, base="EUR", quote="USD", on=self.today.date(), rate_micro=1_078_900)

    # bonus and tip ---------------------------------------------------------------------------
    def make_bonus_and_tip(self) -> None:
        contract = self.contracts["storefront"]
        client = self.clients["northwind"]
        paid_at = self.day_at(12, 18, 40)
        bonus = money_events.bonus_paid(
            usd(150),
            contract.fee_bp,
            str(contract.id),
            paid_at,
            security_period_ends_at(paid_at),
            str(self.uid()),
        )
        self.money_event(bonus, "bonus", "upwork", client, "contract")
        self.clear_if_due(bonus, "upwork", client, "contract")
        order = self.orders["django_sprint"]
        assert order.completed_at is not None
        buyer = self.clients["becker"]
        tip = money_events.bonus_paid(
            usd(20),
            order.fee_bp,
            str(order.id),
            order.completed_at,
            fiverr_available_at(order.completed_at),
            str(self.uid()),
            tip=True,
        )
        self.money_event(tip, "tip", "fiverr", buyer, "order")
        self.clear_if_due(tip, "fiverr", buyer, "order")

    # the ledger ------------------------------------------------------------------------------
    def record_ledger(self) -> None:
        """Write every money event in time order through the ledger service, which
        refuses any that would overdraw escrow, pending or available money."""
        for entry in sorted(self.entries, key=lambda e: (e.transaction.occurred_at, e.seq)):
            self.record(entry)

    def record(self, entry: _Entry) -> None:
        self.ledger.record(
            self.s,
            entry.transaction,
            kind=entry.kind,
            platform=entry.platform,
            client_id=entry.client_id,
            scope_kind=entry.scope_kind,
        )

    def make_withdrawal(self) -> None:
        """Most of the Upwork money available two days ago goes to the bank, from the
        platform-wide pool (the account with no scope)."""
        when = self.day_at(2, 10, 15)
        pool = sum(
            p.amount.amount
            for e in self.entries
            if e.platform == "upwork" and e.transaction.occurred_at <= when
            for p in e.transaction.postings
            if p.account.kind is AccountKind.AVAILABLE and p.account.currency == "USD"
        )
        amount = Money(pool * 8 // 10 // 10_000 * 10_000, "USD")
        if amount.amount <= 0:
            return
        tx = money_events.withdrawal(
            amount, usd(0.99), None, when, str(self.uid()), memo="withdrawal to bank account"
        )
        entry = _Entry(tx, "withdrawal", "upwork", None, "workspace", len(self.entries))
        self.entries.append(entry)
        self.record(entry)

    def renumber_ledger(self) -> None:
        """`LedgerService.record` draws uuid4 ids; copy its rows under ids drawn from the
        seed, so that two demos made with one seed are identical row for row."""
        self.s.flush()
        rows = self.s.scalars(
            select(LedgerTransaction).order_by(
                LedgerTransaction.occurred_at, LedgerTransaction.created_at
            )
        ).all()
        copies: list[LedgerTransaction] = []
        for row in sorted(rows, key=lambda r: (r.occurred_at, r.kind, r.source_id)):
            copy = LedgerTransaction(
                id=self.uid(),
                **{k: getattr(row, k) for k in TRANSACTION_FIELDS},
            )
            for posting in sorted(
                row.postings, key=lambda p: (p.account_kind, p.currency, p.amount_minor)
            ):
                copy.postings.append(
                    LedgerPosting(id=self.uid(), **{k: getattr(posting, k) for k in POSTING_FIELDS})
                )
            copies.append(copy)
            self.s.delete(row)
        self.s.flush()
        self.s.add_all(copies)

    # reviews ---------------------------------------------------------------------------------
    def make_reviews(self) -> None:
        mvp = self.contracts["mvp"]
        assert mvp.ended_at is not None
        kestrel = self.clients["kestrel"]
        self.new(
            Review,
            client_id=kestrel.id,
            contract_id=mvp.id,
            platform="upwork",
            direction="received",
            rating=4,
            sub_ratings={
                "skills": 5,
                "quality": 4,
                "availability": 4,
                "deadlines": 3,
                "communication": 4,
                "cooperation": 4,
            },
            comment="Strong backend work and clear communication. We cut scope on our side.",
            reviewed_at=mvp.ended_at + timedelta(days=1, hours=3),
        )
        self.new(
            Review,
            client_id=kestrel.id,
            contract_id=mvp.id,
            platform="upwork",
            direction="given",
            rating=3,
            sub_ratings={"clarity": 3, "communication": 4, "payment": 3},
            comment="Friendly team; requirements changed often and the last milestone is in dispute.",
            reviewed_at=mvp.ended_at + timedelta(days=1, hours=5),
        )
        for key, rating, comment in [
            (
                "landing_done",
                5,
                "Beautiful page, delivered fast, and the revision was done in hours.",
            ),
            (
                "django_sprint",
                5,
                "Fixed our calendar sync and explained everything. Will order again!",
            ),
            ("django_quick", 5, "Quick and precise."),
        ]:
            order = self.orders[key]
            assert order.completed_at is not None
            buyer_id = order.client_id
            self.new(
                Review,
                client_id=buyer_id,
                order_id=order.id,
                platform="fiverr",
                direction="received",
                rating=rating,
                sub_ratings={"communication": 5, "service": 5, "recommend": 5},
                comment=comment,
                reviewed_at=order.completed_at + timedelta(hours=self.rng.uniform(2, 40)),
            )
        order = self.orders["django_sprint"]
        assert order.completed_at is not None
        self.new(
            Review,
            client_id=order.client_id,
            order_id=order.id,
            platform="fiverr",
            direction="given",
            rating=5,
            sub_ratings={},
            comment="Clear requirements and quick answers. A pleasure to work with.",
            reviewed_at=order.completed_at + timedelta(hours=6),
        )

    # reminders -------------------------------------------------------------------------------
    def make_reminders(self) -> None:
        storefront = self.contracts["storefront"]
        week_start, _ = billing_week(self.now)
        self.new(
            Reminder,
            kind="diary_lock",
            title=f"Work Diary locks for the week of {week_start.date().isoformat()}",
            body=f"Check memos and manual time on “{storefront.title}” before Monday 12:00 UTC.",
            due_at=diary_lock_at(week_start) - timedelta(hours=3),
            source_kind="contract",
            source_id=str(storefront.id),
        )
        front = self.milestones["checkout:Front-end build"]
        assert front.submitted_at is not None
        self.new(
            Reminder,
            kind="milestone_auto_release",
            title=f"“{front.title}” releases automatically",
            body="The client has 14 days to review the submission; then escrow pays out.",
            due_at=auto_release_at(front.submitted_at),
            source_kind="milestone",
            source_id=str(front.id),
        )
        mvp = self.contracts["mvp"]
        disputed = self.milestones["mvp:App Store release"]
        assert mvp.ended_at is not None
        self.new(
            Reminder,
            kind="refund_window",
            title=f"Accept the refund or dispute “{disputed.title}”",
            body="The contract ended with money in escrow.",
            due_at=refund_or_dispute_until(mvp.ended_at),
            source_kind="milestone",
            source_id=str(disputed.id),
            done_at=disputed.disputed_at,
        )
        for key in ("django_late", "landing_progress"):
            order = self.orders[key]
            assert order.due_at is not None
            self.new(
                Reminder,
                kind="order_due",
                title=f"Deliver “{order.title}”",
                body=f"Fiverr order {order.number}",
                due_at=order.due_at - timedelta(hours=6),
                source_kind="order",
                source_id=str(order.id),
            )
        for invoice in self.invoices:
            if invoice.state != "issued":
                continue
            assert invoice.due_on is not None
            self.new(
                Reminder,
                kind="invoice_due",
                title=f"Invoice {invoice.number} is due",
                body="Maison Lefèvre Studio, net 30.",
                due_at=datetime.combine(invoice.due_on, time(9), tzinfo=UTC),
                source_kind="invoice",
                source_id=str(invoice.id),
            )
        upcoming = sorted(
            (
                e.transaction
                for e in self.entries
                if e.transaction.available_at and e.transaction.available_at > self.now
            ),
            key=lambda t: t.available_at or self.now,
        )
        if upcoming:
            first = upcoming[0]
            assert first.available_at is not None
            self.new(
                Reminder,
                kind="funds_available",
                title="Pending earnings become available",
                body=f"From {first.memo} ({first.source_kind.value}).",
                due_at=first.available_at,
                source_kind=first.source_kind.value,
                source_id=first.source_id[:64],
            )
        self.new(
            Reminder,
            kind="custom",
            title="Send holiday availability to Camille",
            body="Studio closes 23 Dec – 2 Jan; agree on the January retainer hours.",
            due_at=self.later(days=3).replace(hour=9, minute=0, second=0),
            snoozed_until=None,
        )

    def make_settings(self, seed: int) -> None:
        """Says the workspace is a demo, so the app can offer to start afresh."""
        self.new(
            Setting, key="demo", value={"v": {"seed": seed, "created_at": self.now.isoformat()}}
        )
