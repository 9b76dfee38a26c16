"""Contract (hourly or fixed-price) and its milestones in escrow."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import (
    CONTRACT_KINDS,
    CONTRACT_STATES,
    MILESTONE_STATES,
    PLATFORMS,
    SNAPSHOT_POLICIES,
)


class Contract(Entity):
    __tablename__ = "contracts"
    __table_args__ = (
        one_of("kind", CONTRACT_KINDS),
        one_of("state", CONTRACT_STATES),
        one_of("platform", PLATFORMS),
        one_of("snapshot_policy", SNAPSHOT_POLICIES),
        CheckConstraint("fee_bp BETWEEN 0 AND 10000", name="fee_range"),
        CheckConstraint(
            "weekly_limit_minutes IS NULL OR weekly_limit_minutes >= 0", name="weekly_limit_range"
        ),
        CheckConstraint(
            "kind <> 'hourly' OR (hourly_rate_minor IS NOT NULL AND hourly_rate_minor >= 0)",
            name="hourly_rate_required",
        ),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str | None] = mapped_column(String(64), unique=True)  # platform's id
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(8), default="active", index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    hourly_rate_minor: Mapped[int | None]
    fee_bp: Mapped[int] = mapped_column(default=1000)
    weekly_limit_minutes: Mapped[int | None]  # None: no limit
    # A domain RoundingRule code: "upwork" (10-minute segments) or e.g. "15m-up".
    rounding_rule: Mapped[str] = mapped_column(String(16), default="upwork")
    snapshot_policy: Mapped[str] = mapped_column(String(8), default="blurred")
    manual_time_allowed: Mapped[bool] = mapped_column(default=True)
    started_at: Mapped[datetime]
    paused_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="contract", cascade="all, delete-orphan", order_by="Milestone.position"
    )


class Milestone(Entity):
    __tablename__ = "milestones"
    __table_args__ = (
        one_of("state", MILESTONE_STATES),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "funded_minor >= 0 AND released_minor >= 0 AND refunded_minor >= 0",
            name="amounts_nonnegative",
        ),
        # Escrow never goes negative: what leaves it never exceeds what was funded.
        CheckConstraint("released_minor + refunded_minor <= funded_minor", name="escrow_covers"),
    )

    contract_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contracts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    state: Mapped[str] = mapped_column(String(24), default="planned", index=True)
    due_on: Mapped[date | None]
    funded_minor: Mapped[int] = mapped_column(default=0)
    released_minor: Mapped[int] = mapped_column(default=0)
    refunded_minor: Mapped[int] = mapped_column(default=0)
    funded_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    disputed_at: Mapped[datetime | None]
    submission_note: Mapped[str] = mapped_column(Text, default="")

    contract: Mapped[Contract] = relationship(back_populates="milestones")
