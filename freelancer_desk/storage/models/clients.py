"""Client: someone who pays — on a platform or directly."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Entity, one_of
from freelancer_desk.storage.vocab import PLATFORMS


class Client(Entity):
    __tablename__ = "clients"
    __table_args__ = (one_of("platform", PLATFORMS),)

    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16))
    company: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(80))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name
    email: Mapped[str | None] = mapped_column(String(320))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    payment_terms_days: Mapped[int | None]  # direct clients: net N
    notes: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
