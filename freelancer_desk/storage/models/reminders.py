"""Reminder: a dated nudge (diary lock, auto-release, refund window, due order),
persisted so the scheduler can re-arm it after a restart or a suspend."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import REMINDER_KINDS


class Reminder(Entity):
    __tablename__ = "reminders"
    __table_args__ = (
        one_of("kind", REMINDER_KINDS),
        Index("ix_reminders_due_at", "due_at"),
        # One reminder per deadline: refreshing deadlines never duplicates one.
        UniqueConstraint("kind", "source_kind", "source_id", name="uq_reminders_deadline"),
    )

    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime]
    source_kind: Mapped[str | None] = mapped_column(String(24))
    source_id: Mapped[str | None] = mapped_column(String(64))
    snoozed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
