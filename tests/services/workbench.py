"""A workspace with every workbench service wired as app.py will wire them, for tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.clients import ClientInput, ClientService
from freelancer_desk.services.contracts import ContractService, MilestoneService
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.gigs import ExtraInput, GigInput, GigService, PackageInput
from freelancer_desk.services.jobs import JobPostService
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.orders import OrderService
from freelancer_desk.services.proposals import ProposalService
from freelancer_desk.services.reviews import ReviewService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction
from freelancer_desk.storage.workspace import open_workspace

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


@dataclass
class Bench:
    clock: FakeClock
    db: Database
    bus: ChangeBus
    clients: ClientService
    gigs: GigService
    orders: OrderService
    jobs: JobPostService
    proposals: ProposalService
    contracts: ContractService
    milestones: MilestoneService
    reviews: ReviewService
    changes: list[Change] = field(default_factory=list)

    def client(self, name: str = "Acme", platform: str = "upwork") -> dict[str, Any]:
        return self.clients.create(ClientInput(name=name, platform=platform))

    def ledger_rows(self, source_id: str) -> list[tuple[str, str, int, datetime | None]]:
        """(transaction kind, account, amount, available_at) of one source, in order."""
        with self.db.read() as s:
            rows = s.execute(
                select(
                    LedgerTransaction.kind,
                    LedgerPosting.account_kind,
                    LedgerPosting.amount_minor,
                    LedgerPosting.available_at,
                )
                .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
                .where(LedgerTransaction.source_id == source_id)
                .order_by(LedgerTransaction.occurred_at, LedgerPosting.account_kind)
            ).all()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def balance(self, account: str, scope_id: str) -> int:
        with self.db.read() as s:
            amounts = s.scalars(
                select(LedgerPosting.amount_minor).where(
                    LedgerPosting.account_kind == account,
                    LedgerPosting.scope_id == uuid.UUID(scope_id),
                )
            ).all()
        return sum(amounts)

    def ledger_sums_to_zero(self) -> bool:
        with self.db.read() as s:
            return sum(s.scalars(select(LedgerPosting.amount_minor)).all()) == 0


def make_bench(tmp_path: Path) -> Bench:
    clock = FakeClock(START)
    db, _ = open_workspace(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", clock)
    bus = ChangeBus()
    ledger = LedgerService()
    bench = Bench(
        clock=clock,
        db=db,
        bus=bus,
        clients=ClientService(db, bus),
        gigs=GigService(db, bus),
        orders=OrderService(db, bus, clock, ledger),
        jobs=JobPostService(db, bus, clock),
        proposals=ProposalService(db, bus, clock),
        contracts=ContractService(db, bus, clock),
        milestones=MilestoneService(db, bus, clock, ledger),
        reviews=ReviewService(db, bus, clock),
    )
    bus.subscribe(bench.changes.append)
    return bench


def package(tier: str, price: int, days: int, revisions: int | None = 1) -> PackageInput:
    return PackageInput(
        tier=tier,
        name=tier.title(),
        price_minor=price,
        delivery_days=days,
        revisions=revisions,
        features=("Source file",),
    )


def logo_gig(**overrides: Any) -> GigInput:
    """A gig with three packages and two extras (one of them extra-fast delivery)."""
    values: dict[str, Any] = {
        "title": "I will design a minimalist logo for your brand",
        "category": "Graphics & Design",
        "tags": ("logo", "minimalist", "brand"),
        "description": "Clean logos, delivered as vector files.",
        "packages": (
            package("basic", 2500, 5, 1),
            package("standard", 6000, 4, 2),
            package("premium", 12000, 3, None),
        ),
        "extras": (
            ExtraInput(title="Social media kit", price_minor=1500, extra_days=1),
            ExtraInput(
                title="Extra-fast delivery",
                price_minor=2000,
                kind="fast_delivery",
                days_saved={"basic": 3, "standard": 2},
            ),
        ),
        "faqs": (("Do I get the source file?", "Yes, in every package."),),
    }
    values.update(overrides)
    return GigInput(**values)
