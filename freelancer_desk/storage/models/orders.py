"""Order: a gig bought with one package and some extras, from requirements to clearance."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import ORDER_STATES, SNAPSHOT_POLICIES


class Order(Entity):
    __tablename__ = "orders"
    __table_args__ = (
        one_of("state", ORDER_STATES),
        one_of("snapshot_policy", SNAPSHOT_POLICIES),
        CheckConstraint("price_minor >= 0", name="price_nonnegative"),
        CheckConstraint("fee_bp BETWEEN 0 AND 10000", name="fee_range"),
        CheckConstraint("revisions_used >= 0", name="revisions_used_nonnegative"),
        CheckConstraint(
            "revisions_allowed IS NULL OR revisions_allowed >= 0", name="revisions_allowed_range"
        ),
        # The orders table's default sort (newest first, then id) walks it, and a page
        # read by key starts with a range on it, instead of sorting every order (0009).
        Index("ix_orders_ordered_at", "ordered_at", "id"),
    )

    number: Mapped[str | None] = mapped_column(String(40), unique=True)  # platform's order id
    gig_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("gigs.id", ondelete="SET NULL"), index=True
    )
    package_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("gig_packages.id", ondelete="SET NULL")
    )
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    package_tier: Mapped[str] = mapped_column(String(16))  # frozen copy: the gig may change
    state: Mapped[str] = mapped_column(String(24), default="awaiting_requirements", index=True)
    price_minor: Mapped[int]  # package plus extras, as bought
    currency: Mapped[str] = mapped_column(String(3))
    fee_bp: Mapped[int]
    clearance_days: Mapped[int] = mapped_column(default=14)
    delivery_days: Mapped[int | None]  # as bought: the package's days with the extras'
    # The server default is the one 0002 gave existing rows; new ones get it too.
    snapshot_policy: Mapped[str] = mapped_column(String(8), default="off", server_default="off")
    revisions_allowed: Mapped[int | None]  # None: unlimited
    revisions_used: Mapped[int] = mapped_column(default=0)
    requirements: Mapped[dict[str, Any]] = mapped_column(default=dict)  # question -> answer
    ordered_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    extras: Mapped[list[OrderExtra]] = relationship(cascade="all, delete-orphan")
    deliveries: Mapped[list[OrderDelivery]] = relationship(
        cascade="all, delete-orphan", order_by="OrderDelivery.delivered_at"
    )
    revisions: Mapped[list[OrderRevision]] = relationship(
        cascade="all, delete-orphan", order_by="OrderRevision.requested_at"
    )


class OrderExtra(Entity):
    """An extra as bought: a copy of its title, price and days at order time."""

    __tablename__ = "order_extras"
    __table_args__ = (
        CheckConstraint("price_minor >= 0", name="price_nonnegative"),
        CheckConstraint("quantity >= 1", name="quantity_positive"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    extra_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("gig_extras.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(120))
    price_minor: Mapped[int]
    days_delta: Mapped[int] = mapped_column(default=0)  # negative for fast delivery
    quantity: Mapped[int] = mapped_column(default=1)


class OrderDelivery(Entity):
    __tablename__ = "order_deliveries"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    delivered_at: Mapped[datetime]
    message: Mapped[str] = mapped_column(Text, default="")


class OrderRevision(Entity):
    __tablename__ = "order_revisions"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
