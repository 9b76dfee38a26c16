"""JobPost: a job seen on a platform, captured offline to write a proposal for."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import BUDGET_KINDS, PLATFORMS


class JobPost(Entity):
    __tablename__ = "job_posts"
    __table_args__ = (
        one_of("budget_kind", BUDGET_KINDS),
        one_of("platform", PLATFORMS),
        CheckConstraint(
            "budget_min_minor IS NULL OR budget_min_minor >= 0", name="budget_min_nonnegative"
        ),
        CheckConstraint(
            "budget_max_minor IS NULL OR budget_min_minor IS NULL"
            " OR budget_max_minor >= budget_min_minor",
            name="budget_range",
        ),
    )

    title: Mapped[str] = mapped_column(String(300))
    platform: Mapped[str] = mapped_column(String(16), default="upwork")
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    client_name: Mapped[str] = mapped_column(String(200), default="")  # before a Client exists
    description: Mapped[str] = mapped_column(Text, default="")
    budget_kind: Mapped[str] = mapped_column(String(8))
    budget_min_minor: Mapped[int | None]  # hourly: low end of the range; fixed: the budget
    budget_max_minor: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    skills: Mapped[list[str]] = mapped_column(default=list)
    screening_questions: Mapped[list[str]] = mapped_column(default=list)
    url: Mapped[str] = mapped_column(String(2000), default="")
    posted_at: Mapped[datetime | None]
    connects_required: Mapped[int | None]
