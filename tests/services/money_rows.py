"""Rows for the money tests, made straight through the storage models so these tests do
not lean on the workbench services: a workspace, clients, contracts, orders, segments."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.money import Money
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract, Milestone, Order, Segment, TimeSession
from freelancer_desk.storage.workspace import open_workspace


def usd(amount: int) -> Money:
    return Money(amount, "USD")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CONTRACT_START = utc(2026, 1, 1)
ORDERED_AT = utc(2026, 1, 2)


@dataclass
class Workspace:
    db: Database
    clock: FakeClock


def open_ws(tmp_path: Path, now: datetime) -> Workspace:
    clock = FakeClock(now)
    db, _ = open_workspace(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", clock)
    return Workspace(db, clock)


def add_client(
    db: Database,
    name: str,
    platform: str = "upwork",
    currency: str = "USD",
    terms: int | None = None,
) -> uuid.UUID:
    with db.session() as s:
        client = Client(name=name, platform=platform, currency=currency, payment_terms_days=terms)
        s.add(client)
        s.flush()
        return client.id


def add_contract(
    db: Database,
    client_id: uuid.UUID,
    *,
    kind: str = "hourly",
    platform: str = "upwork",
    currency: str = "USD",
    rate: int | None = 5000,
    fee_bp: int = 1000,
    limit_minutes: int | None = None,
    rounding: str = "upwork",
    started_at: datetime = CONTRACT_START,
    ended_at: datetime | None = None,
    state: str = "active",
) -> uuid.UUID:
    with db.session() as s:
        contract = Contract(
            client_id=client_id,
            title=f"{kind} work",
            platform=platform,
            kind=kind,
            currency=currency,
            hourly_rate_minor=rate if kind == "hourly" else None,
            fee_bp=fee_bp,
            weekly_limit_minutes=limit_minutes,
            rounding_rule=rounding,
            started_at=started_at,
            ended_at=ended_at,
            state=state,
        )
        s.add(contract)
        s.flush()
        return contract.id


def add_milestone(
    db: Database,
    contract_id: uuid.UUID,
    amount: int,
    *,
    state: str = "funded",
    funded: int = 0,
    submitted_at: datetime | None = None,
) -> uuid.UUID:
    with db.session() as s:
        milestone = Milestone(
            contract_id=contract_id,
            title="milestone",
            amount_minor=amount,
            currency="USD",
            state=state,
            funded_minor=funded,
            submitted_at=submitted_at,
        )
        s.add(milestone)
        s.flush()
        return milestone.id


def add_order(
    db: Database,
    client_id: uuid.UUID,
    price: int,
    *,
    state: str = "in_progress",
    due_at: datetime | None = None,
    ordered_at: datetime = ORDERED_AT,
) -> uuid.UUID:
    with db.session() as s:
        order = Order(
            client_id=client_id,
            title="logo",
            package_tier="basic",
            state=state,
            price_minor=price,
            currency="USD",
            fee_bp=2000,
            ordered_at=ordered_at,
            due_at=due_at,
        )
        s.add(order)
        s.flush()
        return order.id


def add_segments(
    db: Database,
    start: datetime,
    seconds: Iterable[int],
    *,
    contract_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    manual: Iterable[bool] = (),
    deleted: Iterable[bool] = (),
) -> list[uuid.UUID]:
    """Consecutive 10-minute segments from `start`, one per entry of `seconds`."""
    amounts = list(seconds)
    manual_flags = list(manual) or [False] * len(amounts)
    deleted_flags = list(deleted) or [False] * len(amounts)
    with db.session() as s:
        session = TimeSession(
            contract_id=contract_id,
            order_id=order_id,
            started_at=start,
            ended_at=start + timedelta(minutes=10 * len(amounts)),
            last_seen_at=start + timedelta(minutes=10 * len(amounts)),
            device_id=f"test-{uuid.uuid4().hex[:8]}",
        )
        ids = []
        for i, tracked in enumerate(amounts):
            segment = Segment(
                contract_id=contract_id,
                order_id=order_id,
                slot_start=start + timedelta(minutes=10 * i),
                tracked_seconds=tracked,
                manual=manual_flags[i],
                deleted=deleted_flags[i],
            )
            session.segments.append(segment)
            ids.append(segment.id)
        s.add(session)
        return ids


def seven_hours_23() -> list[int]:
    """7 h 23 min in full 10-minute segments and a last one of 3 minutes."""
    return [600] * 44 + [180]
