"""Workspace settings (key -> JSON value) and exchange rates the user enters per date."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from freelancer_desk.storage.base import Entity


class Setting(Entity):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[dict[str, Any]] = mapped_column()  # {"v": <the value>}


class ExchangeRate(Entity):
    """1 unit of `base` is worth `rate_micro` / 1,000,000 units of `quote` on `on`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        UniqueConstraint("base", "quote", "on", name="uq_exchange_rates_pair_day"),
        CheckConstraint("rate_micro > 0", name="rate_positive"),
    )

    base: Mapped[str] = mapped_column(String(3))
    quote: Mapped[str] = mapped_column(String(3))
    on: Mapped[date]
    rate_micro: Mapped[int]
