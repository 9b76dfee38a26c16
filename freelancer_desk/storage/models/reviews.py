"""Review: feedback received from a client or given to one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import PLATFORMS, REVIEW_DIRECTIONS


class Review(Entity):
    __tablename__ = "reviews"
    __table_args__ = (
        one_of("direction", REVIEW_DIRECTIONS),
        one_of("platform", PLATFORMS),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL")
    )
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    platform: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    rating: Mapped[int]
    sub_ratings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # name -> 1..5
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime]
