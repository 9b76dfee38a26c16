"""Clients: create, read, update, archive — with validation that names the field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import MoneyError, check_currency
from freelancer_desk.domain.platforms import Platform
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract, JobPost, Order

PLATFORM_CHOICES = tuple(p.value for p in Platform)


@dataclass(frozen=True)
class ClientInput:
    name: str
    platform: str = "direct"
    company: str | None = None
    country: str | None = None
    timezone: str | None = None
    email: str | None = None
    currency: str = "USD"
    payment_terms_days: int | None = None
    notes: str = ""


def client_input(client: dict[str, Any], **changes: Any) -> ClientInput:
    """A stored client's fields (`ClientService.get`) as input, with `changes`: an edit
    that changes only the fields given."""
    names = ClientInput.__dataclass_fields__
    values = {key: client[key] for key in names if key in client}
    values["notes"] = values.get("notes") or ""
    values.update(changes)
    return ClientInput(**values)


def check_platform(value: str, field: str = "platform") -> str:
    if value not in PLATFORM_CHOICES:
        raise RuleError(
            f"{field}.unknown",
            f"{field}: {value!r} is not one of {', '.join(PLATFORM_CHOICES)}",
            field=field,
        )
    return value


def check_currency_field(value: str, field: str = "currency") -> str:
    try:
        return check_currency(value)
    except MoneyError as exc:
        raise RuleError(f"{field}.unknown", f"{field}: {exc}", field=field) from exc


def _validated(data: ClientInput) -> dict[str, Any]:
    timezone = clean_text(data.timezone, field="timezone", max_chars=64) or None
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise RuleError(
                "timezone.unknown",
                f"timezone: {timezone!r} is not an IANA zone (e.g. Europe/Berlin)",
                field="timezone",
            ) from exc
    email = clean_text(data.email, field="email", max_chars=320) or None
    if email is not None and ("@" not in email or " " in email):
        raise RuleError("email.invalid", f"email: {email!r} is not an address", field="email")
    terms = data.payment_terms_days
    if terms is not None and not 0 <= terms <= 365:
        raise RuleError(
            "payment_terms.range",
            f"payment_terms_days: {terms} must be between 0 and 365",
            field="payment_terms_days",
        )
    return {
        "name": clean_text(data.name, field="name", max_chars=200, required=True),
        "platform": check_platform(data.platform),
        "company": clean_text(data.company, field="company", max_chars=200) or None,
        "country": clean_text(data.country, field="country", max_chars=80) or None,
        "timezone": timezone,
        "email": email,
        "currency": check_currency_field(data.currency),
        "payment_terms_days": terms,
        "notes": clean_text(data.notes, field="notes", max_chars=100_000),
    }


def client_values(data: ClientInput) -> dict[str, Any]:
    """A new client's checked column values, each refusal naming its field: for a caller
    that makes the client inside its own unit of work (a proposal's hire)."""
    return _validated(data)


def _held(s: Session, client: Client) -> list[str]:
    """What holds a client's platform: ["2 contracts", "1 job post"], or []."""
    counts = [
        (
            s.scalar(select(func.count()).select_from(model).where(model.client_id == client.id)),
            what,
        )
        for model, what in ((Contract, "contract"), (Order, "order"), (JobPost, "job post"))
    ]
    return [f"{n} {what}{'' if n == 1 else 's'}" for n, what in counts if n]


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _refuse_platform_change(s: Session, client: Client, platform: str) -> None:
    """A client is who the user deals with on one platform: its contracts are on it,
    its job posts are (services/jobs) and its orders are of its platform's gigs
    (services/contracts.check_client_platform, services/orders). Moving a client that
    holds any would leave them on another platform than their client's; the same
    person elsewhere is another client."""
    held = _held(s, client)
    if held:
        raise RuleError(
            "client.platform_held",
            f"platform: {client.name} holds {_listed(held)} on {client.platform}, "
            f"which stay there; for {platform} add another client",
            field="platform",
        )


class ClientService:
    def __init__(self, db: Database, bus: ChangeBus) -> None:
        self._db = db
        self._bus = bus

    def create(self, data: ClientInput) -> dict[str, Any]:
        values = _validated(data)
        with self._db.session() as s:
            client = Client(**values)
            s.add(client)
            s.flush()
            result = to_dict(client)
        self._bus.publish(Change("client", "created", (result["id"],)))
        return result

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return to_dict(find(s, Client, ident, what="client"))

    def update(self, ident: str, data: ClientInput) -> dict[str, Any]:
        values = _validated(data)
        with self._db.session() as s:
            client = find(s, Client, ident, what="client")
            if values["platform"] != client.platform:
                _refuse_platform_change(s, client, values["platform"])
            for key, value in values.items():
                setattr(client, key, value)
            s.flush()
            result = to_dict(client)
        self._bus.publish(Change("client", "updated", (result["id"],)))
        return result

    def platform_held(self, ident: str) -> str:
        """Why the client's platform cannot change ("" when it can): what holds it, as
        an editor shows before the change is tried."""
        with self._db.read() as s:
            client = find(s, Client, ident, what="client")
            held = _held(s, client)
            if not held:
                return ""
            return (
                f"{client.name} holds {_listed(held)} on {client.platform}; for another "
                "platform add another client"
            )

    def set_archived(self, ident: str, archived: bool) -> dict[str, Any]:
        with self._db.session() as s:
            client = find(s, Client, ident, what="client")
            client.archived = archived
            s.flush()
            result = to_dict(client)
        self._bus.publish(Change("client", "archived" if archived else "restored", (result["id"],)))
        return result
