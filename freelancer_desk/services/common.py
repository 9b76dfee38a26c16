"""Helpers every service shares: finding a row by id or id prefix, and turning a row
into plain JSON-ready data."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import String, cast, inspect, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.errors import NotFound
from freelancer_desk.storage.base import Entity

E = TypeVar("E", bound=Entity)

_PREFIX = re.compile(r"^[0-9a-fA-F]{4,8}$")


def find(
    session: Session, model: type[E], ident: str | uuid.UUID, *, what: str, lock: bool = False
) -> E:
    """The row of `model` whose id is `ident`, or whose id starts with `ident` (4 to 8
    hex digits, like a short git hash). NotFound names the kind and the id.

    `lock`: the row is locked until the unit of work ends (SELECT … FOR UPDATE on a
    server; SQLite serializes writers anyway), so a state change decided on what was
    read cannot race another machine's change of the same row."""
    if isinstance(ident, uuid.UUID):
        key: uuid.UUID | None = ident
    else:
        text = str(ident).strip()
        try:
            key = uuid.UUID(text)
        except ValueError:
            key = None
        if key is None:
            if not _PREFIX.match(text):
                raise NotFound(f"{what} id {text!r} is not an id (a UUID or its first 4-8 digits)")
            stmt = select(model).where(cast(model.id, String).like(f"{text.lower()}%")).limit(2)
            rows = session.scalars(stmt).all()
            if not rows:
                raise NotFound(f"no {what} with id {text!r}")
            if len(rows) > 1:
                raise NotFound(f"{what} id {text!r} is ambiguous: give more digits")
            key = rows[0].id
            if not lock:
                return rows[0]
    row = session.get(model, key, with_for_update=lock or None, populate_existing=lock)
    if row is None:
        raise NotFound(f"no {what} with id {str(ident)!r}")
    return row


def plain(value: Any) -> Any:
    """A JSON-ready form of a column value."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_dict(entity: Entity, *, children: tuple[str, ...] = ()) -> dict[str, Any]:
    """The row's columns as plain data; `children` names relationships to include."""
    mapper = inspect(type(entity))
    data = {attr.key: plain(getattr(entity, attr.key)) for attr in mapper.column_attrs}
    for name in children:
        related = getattr(entity, name)
        if related is None:
            data[name] = None
        elif isinstance(related, list):
            data[name] = [to_dict(item) for item in related]
        else:
            data[name] = to_dict(related)
    return data


def clean_text(value: str | None, *, field: str, max_chars: int, required: bool = False) -> str:
    """Trimmed text within a length limit; NUL bytes refused (they break exports)."""
    text = (value or "").strip()
    if "\x00" in text:
        raise RuleError(f"{field}.nul", f"{field}: contains a NUL character", field=field)
    if required and not text:
        raise RuleError(f"{field}.required", f"{field}: is required", field=field)
    if len(text) > max_chars:
        raise RuleError(
            f"{field}.too_long",
            f"{field}: {len(text)} characters, at most {max_chars} allowed",
            field=field,
        )
    return text
