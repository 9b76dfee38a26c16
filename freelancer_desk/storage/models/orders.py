"""Order: a gig bought with one package and some extras, from requirements to clearance."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
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

    files: Mapped[list[OrderDeliveryFile]] = relationship(
        cascade="all, delete-orphan", order_by="OrderDeliveryFile.position", lazy="selectin"
    )


class OrderDeliveryFile(Entity):
    """A file sent with a delivery (0011): its name as sent, size, SHA-256 and media type
    (guessed from the name; None when unknown), and where the workspace keeps its copy.

    The workspace keeps a copy of every delivered file, so "what did I send them?" is
    answered by the file itself, not by a path that may have moved or changed since. The
    copies live in this machine's data folder under `deliveries/`, content-addressed by
    SHA-256 (`deliveries/ab/abcd….pdf`, storage/delivered_files.py): the same file sent
    twice is stored once, and a stored copy is never rewritten or removed (deleting an
    order keeps its files; `check` leaves them be). `stored_path` is relative to that
    folder and `device_id` names the machine whose data folder holds it: on a server
    database the other machines see the row but not the copy (as with snapshots).
    `source_path` is where the file was picked from, for finding the original again.
    """

    __tablename__ = "order_delivery_files"
    __table_args__ = (
        CheckConstraint("size_bytes >= 0", name="size_nonnegative"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("position >= 0", name="position_nonnegative"),
    )

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("order_deliveries.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)  # the order the files were given in
    name: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str | None] = mapped_column(String(127))
    stored_path: Mapped[str] = mapped_column(String(200))  # relative to deliveries/
    device_id: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(Text, default="")


class OrderRevision(Entity):
    __tablename__ = "order_revisions"

    order_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime]
    note: Mapped[str] = mapped_column(Text, default="")
