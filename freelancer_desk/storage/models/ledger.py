"""Ledger: transactions of postings that sum to zero per currency.

Accounts are not rows: a posting names its account by kind, scope and currency.
Every transaction points to its source (milestone, order, invoice, imported row).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import ACCOUNT_KINDS, PLATFORMS


class LedgerTransaction(Entity):
    __tablename__ = "ledger_transactions"
    __table_args__ = (
        one_of("platform", PLATFORMS),
        Index("ix_ledger_transactions_occurred_at", "occurred_at"),
        # Covering the transaction's kind and id: the hours report's billed weeks read
        # their hourly_week transactions by source id without a table row each (0008).
        Index("ix_ledger_transactions_source_cover", "source_kind", "source_id", "kind", "id"),
    )

    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))  # e.g. milestone_released, hourly_week
    memo: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL"), index=True
    )
    source_kind: Mapped[str] = mapped_column(String(24))  # milestone, order, invoice, import...
    source_id: Mapped[str] = mapped_column(String(64))
    # Idempotent import: the platform's transaction id, unique when present.
    external_ref: Mapped[str | None] = mapped_column(String(120), unique=True)

    postings: Mapped[list[LedgerPosting]] = relationship(
        back_populates="transaction", cascade="all, delete-orphan"
    )


class LedgerPosting(Entity):
    __tablename__ = "ledger_postings"
    __table_args__ = (
        one_of("account_kind", ACCOUNT_KINDS),
        CheckConstraint("amount_minor <> 0", name="amount_nonzero"),
        Index("ix_ledger_postings_account", "account_kind", "currency", "scope_id"),
        Index("ix_ledger_postings_available_at", "available_at"),
        # From a transaction to its postings, covering what the earnings reports read:
        # a period's transactions (by occurred_at) join their postings without a table
        # lookup per posting. It leads with transaction_id, so it serves that key too.
        Index(
            "ix_ledger_postings_transaction_kind",
            "transaction_id",
            "account_kind",
            "client_id",
            "currency",
            "amount_minor",
        ),
        # Per client and currency, covering the earnings per client (a GROUP BY that
        # then reads the index in order instead of every posting row).
        Index(
            "ix_ledger_postings_client_cover",
            "client_id",
            "currency",
            "account_kind",
            "amount_minor",
        ),
    )

    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="CASCADE")
    )
    account_kind: Mapped[str] = mapped_column(String(16))
    scope_kind: Mapped[str] = mapped_column(String(16), default="workspace")
    scope_id: Mapped[uuid.UUID | None]
    client_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("clients.id", ondelete="SET NULL")
    )
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    # For pending money: the instant it becomes available (the cash-flow calendar).
    available_at: Mapped[datetime | None]

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="postings")
