"""The declarative base: UUID keys, UTC instants, and a naming convention that lets
Alembic's batch mode rebuild SQLite tables with every constraint named."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from freelancer_desk.storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        date: Date(),
        uuid.UUID: Uuid(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
        list[str]: JSON(),
        list[int]: JSON(),
    }


class Entity(Base):
    """Every aggregate row: a UUID key and the instants it was made and last changed.

    The instants are filled from the database's injected clock on flush (see db.py),
    never from the system clock here.
    """

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def __init__(self, **kwargs: Any) -> None:
        # The key exists from construction, so related rows can point to it before flush.
        kwargs.setdefault("id", uuid.uuid4())
        super().__init__(**kwargs)


def one_of(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A CHECK that `column` holds one of `values` (an enumeration stored as text)."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_allowed")


def state_column(length: int = 24) -> Mapped[str]:
    return mapped_column(String(length))
