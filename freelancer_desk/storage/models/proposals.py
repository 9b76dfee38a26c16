"""Proposal: a bid on a job post, with its cover letter, screening answers and planned
milestones; templates and snippets to write it quickly."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import BUDGET_KINDS, PROPOSAL_STATES, TEMPLATE_KINDS


class Proposal(Entity):
    __tablename__ = "proposals"
    __table_args__ = (
        one_of("state", PROPOSAL_STATES),
        one_of("bid_kind", BUDGET_KINDS),
        CheckConstraint("bid_minor >= 0", name="bid_nonnegative"),
        CheckConstraint("fee_bp BETWEEN 0 AND 10000", name="fee_range"),
        CheckConstraint("connects_spent >= 0", name="connects_nonnegative"),
    )

    job_post_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job_posts.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    cover_letter: Mapped[str] = mapped_column(Text, default="")
    bid_kind: Mapped[str] = mapped_column(String(8))
    bid_minor: Mapped[int]  # hourly rate, or the fixed total
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    fee_bp: Mapped[int] = mapped_column(default=1000)
    duration_estimate: Mapped[str] = mapped_column(String(80), default="")
    connects_spent: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None]
    viewed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]  # hired, declined, withdrawn or archived
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("proposal_templates.id", ondelete="SET NULL")
    )
    # Set once on hire; unique so that a proposal can never be hired twice.
    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), unique=True
    )

    milestones: Mapped[list[ProposalMilestone]] = relationship(
        cascade="all, delete-orphan", order_by="ProposalMilestone.position"
    )
    answers: Mapped[list[ScreeningAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="ScreeningAnswer.position"
    )


class ProposalMilestone(Entity):
    """A milestone planned in the bid; carried into the contract on hire."""

    __tablename__ = "proposal_milestones"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int]
    due_on: Mapped[date | None]


class ScreeningAnswer(Entity):
    __tablename__ = "screening_answers"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")


class ProposalTemplate(Entity):
    """A cover-letter template or a reusable snippet, with {client}, {job}, {skill}
    placeholders filled on insert."""

    __tablename__ = "proposal_templates"
    __table_args__ = (one_of("kind", TEMPLATE_KINDS),)

    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default="template")
    body: Mapped[str] = mapped_column(Text, default="")
