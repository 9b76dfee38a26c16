"""Invoice and its lines: for direct clients (payment terms) and as a record of billed
hourly weeks. Lines keep the rate and rounding they were billed with."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import INVOICE_STATES


class Invoice(Entity):
    __tablename__ = "invoices"
    __table_args__ = (
        one_of("state", INVOICE_STATES),
        CheckConstraint("terms_days >= 0", name="terms_nonnegative"),
    )

    number: Mapped[str | None] = mapped_column(String(40), unique=True)  # given on issue
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    contract_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contracts.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(8), default="draft")
    currency: Mapped[str] = mapped_column(String(3))
    issued_on: Mapped[date | None]
    terms_days: Mapped[int] = mapped_column(default=14)
    due_on: Mapped[date | None]
    paid_at: Mapped[datetime | None]
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[InvoiceLine]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )


class InvoiceLine(Entity):
    __tablename__ = "invoice_lines"
    __table_args__ = (CheckConstraint("quantity_milli >= 0", name="quantity_nonnegative"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text)
    quantity_milli: Mapped[int]  # thousandths: 1.5 hours is 1500
    unit_price_minor: Mapped[int]
    amount_minor: Mapped[int]  # frozen at billing: quantity x price, rounded once
    rounding_rule: Mapped[str | None] = mapped_column(String(16))
