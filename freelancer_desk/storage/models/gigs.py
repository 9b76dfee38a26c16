"""Gig (Fiverr-style): up to three fixed-price packages, paid extras, FAQ, requirements."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import EXTRA_KINDS, GIG_STATES, PACKAGE_TIERS, PLATFORMS


class Gig(Entity):
    __tablename__ = "gigs"
    __table_args__ = (
        one_of("state", GIG_STATES),
        one_of("platform", PLATFORMS),
        CheckConstraint("fee_bp BETWEEN 0 AND 10000", name="fee_range"),
        CheckConstraint("clearance_days >= 0", name="clearance_nonnegative"),
    )

    title: Mapped[str] = mapped_column(String(80))
    platform: Mapped[str] = mapped_column(String(16), default="fiverr")
    category: Mapped[str] = mapped_column(String(120), default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="draft")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    fee_bp: Mapped[int] = mapped_column(default=2000)
    clearance_days: Mapped[int] = mapped_column(default=14)
    # The least a package may cost in the gig's currency ("$5 or its equivalent");
    # None: the platform's minimum, which is given in USD only.
    min_package_price_minor: Mapped[int | None]

    packages: Mapped[list[GigPackage]] = relationship(
        back_populates="gig", cascade="all, delete-orphan", order_by="GigPackage.position"
    )
    extras: Mapped[list[GigExtra]] = relationship(
        back_populates="gig", cascade="all, delete-orphan", order_by="GigExtra.position"
    )
    faqs: Mapped[list[GigFaq]] = relationship(
        cascade="all, delete-orphan", order_by="GigFaq.position"
    )
    requirements: Mapped[list[GigRequirement]] = relationship(
        cascade="all, delete-orphan", order_by="GigRequirement.position"
    )


class GigPackage(Entity):
    """One of Basic / Standard / Premium: the tier is unique per gig, so three at most."""

    __tablename__ = "gig_packages"
    __table_args__ = (
        UniqueConstraint("gig_id", "tier", name="uq_gig_packages_gig_tier"),
        one_of("tier", PACKAGE_TIERS),
        CheckConstraint("price_minor >= 0", name="price_nonnegative"),
        CheckConstraint("delivery_days >= 1", name="delivery_days_positive"),
        CheckConstraint("revisions IS NULL OR revisions >= 0", name="revisions_nonnegative"),
        CheckConstraint("position BETWEEN 0 AND 2", name="position_range"),
    )

    gig_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text, default="")
    price_minor: Mapped[int]
    delivery_days: Mapped[int]
    revisions: Mapped[int | None]  # None: unlimited
    features: Mapped[list[str]] = mapped_column(default=list)

    gig: Mapped[Gig] = relationship(back_populates="packages")


class GigExtra(Entity):
    """A paid extra. `extra_days` adds to delivery; a fast-delivery extra shortens it."""

    __tablename__ = "gig_extras"
    __table_args__ = (
        one_of("kind", EXTRA_KINDS),
        CheckConstraint("price_minor >= 0", name="price_nonnegative"),
        CheckConstraint("extra_days >= 0", name="extra_days_nonnegative"),
    )

    gig_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16), default="extra")
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price_minor: Mapped[int]
    extra_days: Mapped[int] = mapped_column(default=0)
    # For fast delivery: the days it takes off, per package tier, e.g. {"basic": 2}.
    days_saved: Mapped[dict[str, Any]] = mapped_column(default=dict)

    gig: Mapped[Gig] = relationship(back_populates="extras")


class GigFaq(Entity):
    __tablename__ = "gig_faqs"

    gig_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")


class GigRequirement(Entity):
    """A question the buyer answers before work starts."""

    __tablename__ = "gig_requirements"
    __table_args__ = (one_of("kind", ("text", "choice", "file")),)

    gig_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gigs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(8), default="text")
    choices: Mapped[list[str]] = mapped_column(default=list)
    required: Mapped[bool] = mapped_column(default=True)
