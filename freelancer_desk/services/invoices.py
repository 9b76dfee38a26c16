"""Invoices for direct clients: drafts with lines (or tracked time on a contract),
numbered when issued, due after the client's payment terms, paid into the ledger.

A line's amount is frozen when the line is made: quantity (in thousandths) × unit
price, rounded half-up once, so the invoice's face always multiplies out. Numbers
(2026-0001, …) are given at issue, in order per year of the issue date, so deleting
or voiding a draft never leaves a gap; a voided issued invoice keeps its number.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import RoundingRule, within_weekly_limit
from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import invoice_paid
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    DIRECT,
    DirectRules,
    Platform,
    billing_week,
    invoice_due_at,
)
from freelancer_desk.services.clients import check_currency_field
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract, Invoice, InvoiceLine, Segment

MAX_QUANTITY_MILLI = 10**9  # a million units
MAX_TERMS_DAYS = 365


@dataclass(frozen=True)
class LineInput:
    """A line as entered: `quantity_milli` thousandths (1.5 h is 1500), price per unit."""

    description: str
    quantity_milli: int
    unit_price_minor: int


def line_amount(quantity_milli: int, unit_price_minor: int) -> int:
    """quantity × price in minor units, rounded half-up once."""
    return (2 * quantity_milli * unit_price_minor + 1000) // 2000


def _check_line(line: LineInput) -> tuple[str, int, int]:
    description = clean_text(line.description, field="description", max_chars=500, required=True)
    if not 0 < line.quantity_milli <= MAX_QUANTITY_MILLI:
        raise RuleError(
            "invoice.quantity",
            f"quantity: {line.quantity_milli / 1000:g} must be more than zero and at most "
            f"{MAX_QUANTITY_MILLI // 1000:,}",
            field="quantity",
        )
    if line.unit_price_minor < 0:
        raise RuleError("invoice.unit_price", "unit_price: cannot be negative", field="unit_price")
    return description, line.quantity_milli, line.unit_price_minor


def _check_terms(days: int) -> int:
    if not 0 <= days <= MAX_TERMS_DAYS:
        raise RuleError(
            "invoice.terms",
            f"terms_days: net {days} must be between 0 and {MAX_TERMS_DAYS} days",
            field="terms_days",
        )
    return days


def _total(invoice: Invoice) -> int:
    return sum(line.amount_minor for line in invoice.lines)


class InvoiceService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        ledger: LedgerService,
        bus: ChangeBus,
        rules: DirectRules = DIRECT,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ledger = ledger
        self._bus = bus
        self._rules = rules

    # -- reading ------------------------------------------------------------------------

    def _dict(self, invoice: Invoice) -> dict[str, Any]:
        data = to_dict(invoice, children=("lines",))
        total = Money(_total(invoice), invoice.currency)
        data["total_minor"] = total.amount
        data["total"] = str(total)
        data["overdue"] = self._is_overdue(invoice, self._clock.now().date())
        return data

    @staticmethod
    def _is_overdue(invoice: Invoice, today: date) -> bool:
        return invoice.state == "issued" and invoice.due_on is not None and invoice.due_on < today

    def get(self, ident: str | uuid.UUID) -> dict[str, Any]:
        with self._db.read() as s:
            return self._dict(find(s, Invoice, ident, what="invoice"))

    def overdue(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Issued invoices whose due day has passed (by UTC date), oldest due first."""
        today = (ensure_utc(now) if now is not None else self._clock.now()).date()
        with self._db.read() as s:
            rows = s.scalars(
                select(Invoice)
                .where(Invoice.state == "issued", Invoice.due_on < today)
                .order_by(Invoice.due_on, Invoice.number)
            )
            return [self._dict(row) for row in rows]

    # -- drafts -------------------------------------------------------------------------

    def create_draft(
        self,
        client_id: str | uuid.UUID,
        *,
        lines: tuple[LineInput, ...] | list[LineInput] = (),
        currency: str | None = None,
        terms_days: int | None = None,
        notes: str = "",
    ) -> dict[str, Any]:
        """A draft for a direct client, in the client's currency and payment terms
        unless given (net 30 when the client has none)."""
        checked = [_check_line(line) for line in lines]
        text = clean_text(notes, field="notes", max_chars=100_000)
        with self._db.session() as s:
            client = find(s, Client, client_id, what="client")
            if client.platform != Platform.DIRECT.value:
                raise RuleError(
                    "invoice.direct_only",
                    f"client: {client.name} pays through {client.platform}, which invoices "
                    "for you; invoices are for direct clients",
                    field="client",
                )
            terms = terms_days if terms_days is not None else client.payment_terms_days
            invoice_id = uuid.uuid4()
            invoice = Invoice(
                id=invoice_id,
                number=None,  # given on issue, so drafts leave no gaps
                client_id=client.id,
                state="draft",
                currency=check_currency_field(currency or client.currency),
                terms_days=_check_terms(
                    terms if terms is not None else self._rules.payment_terms_days
                ),
                notes=text,
            )
            for description, quantity, price in checked:
                self._append(invoice, description, quantity, price, None)
            s.add(invoice)
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "created", (result["id"],)))
        return result

    @staticmethod
    def _append(
        invoice: Invoice, description: str, quantity: int, price: int, rounding: str | None
    ) -> InvoiceLine:
        line = InvoiceLine(
            position=len(invoice.lines),
            description=description,
            quantity_milli=quantity,
            unit_price_minor=price,
            amount_minor=line_amount(quantity, price),
            rounding_rule=rounding,
        )
        invoice.lines.append(line)
        return line

    def _draft(self, s: Session, ident: str | uuid.UUID) -> Invoice:
        invoice = find(s, Invoice, ident, what="invoice")
        if invoice.state != "draft":
            raise RuleError(
                "invoice.not_draft",
                f"cannot change invoice {invoice.number}: it is {invoice.state}, not a draft",
                field="state",
            )
        return invoice

    def add_line(self, ident: str | uuid.UUID, line: LineInput) -> dict[str, Any]:
        description, quantity, price = _check_line(line)
        with self._db.session() as s:
            invoice = self._draft(s, ident)
            self._append(invoice, description, quantity, price, None)
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "updated", (result["id"],)))
        return result

    def remove_line(self, ident: str | uuid.UUID, line_id: str | uuid.UUID) -> dict[str, Any]:
        with self._db.session() as s:
            invoice = self._draft(s, ident)
            line = find(s, InvoiceLine, line_id, what="invoice line")
            if line.invoice_id != invoice.id:
                raise RuleError(
                    "invoice.line",
                    f"line {line_id} is not on invoice {invoice.number}",
                    field="line",
                )
            invoice.lines.remove(line)
            for position, rest in enumerate(invoice.lines):
                rest.position = position
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "updated", (result["id"],)))
        return result

    def add_tracked_time(
        self,
        ident: str | uuid.UUID,
        contract_id: str | uuid.UUID,
        period_start: datetime,
        period_end: datetime,
        description: str | None = None,
    ) -> dict[str, Any]:
        """A line for the time tracked on `contract_id` in [period_start, period_end):
        the weekly limit per billing week, then the contract's rounding over the period,
        at the contract's hourly rate. The same contract's time is invoiced once."""
        start, end = ensure_utc(period_start), ensure_utc(period_end)
        if end <= start:
            raise RuleError(
                "invoice.period", "period_end: must be after period_start", field="period_end"
            )
        with self._db.session() as s:
            invoice = self._draft(s, ident)
            contract = find(s, Contract, contract_id, what="contract")
            self._check_contract(s, invoice, contract, start, end)
            billable = self._billable(s, contract, start, end)
            if billable == 0:
                raise RuleError(
                    "invoice.no_time",
                    f"period_start: no tracked time on {contract.title!r} between "
                    f"{start.date().isoformat()} and {end.date().isoformat()}",
                    field="period_start",
                )
            quantity = (2 * billable * 1000 + 3600) // 7200  # hours in thousandths, half-up
            minutes = billable // 60
            last_day = (end - timedelta(microseconds=1)).date()
            text = description or (
                f"{contract.title}: {start.date().isoformat()} – {last_day.isoformat()}, "
                f"{minutes // 60}:{minutes % 60:02d} h"
            )
            assert contract.hourly_rate_minor is not None
            self._append(
                invoice,
                clean_text(text, field="description", max_chars=500, required=True),
                quantity,
                contract.hourly_rate_minor,
                contract.rounding_rule,
            )
            invoice.contract_id = contract.id
            invoice.period_start = min(start, invoice.period_start or start)
            invoice.period_end = max(end, invoice.period_end or end)
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "updated", (result["id"],)))
        return result

    def create_from_time(
        self,
        contract_id: str | uuid.UUID,
        period_start: datetime,
        period_end: datetime,
        *,
        terms_days: int | None = None,
        notes: str = "",
    ) -> dict[str, Any]:
        """A draft for the contract's client holding the period's tracked time."""
        with self._db.read() as s:
            contract = find(s, Contract, contract_id, what="contract")
            client_id, currency = contract.client_id, contract.currency
        draft = self.create_draft(client_id, currency=currency, terms_days=terms_days, notes=notes)
        try:
            return self.add_tracked_time(draft["id"], contract_id, period_start, period_end)
        except RuleError:
            self.delete_draft(draft["id"])
            raise

    def delete_draft(self, ident: str | uuid.UUID) -> dict[str, Any]:
        with self._db.session() as s:
            invoice = self._draft(s, ident)
            result = self._dict(invoice)
            s.delete(invoice)
        self._bus.publish(Change("invoice", "deleted", (result["id"],)))
        return result

    def _check_contract(
        self, s: Session, invoice: Invoice, contract: Contract, start: datetime, end: datetime
    ) -> None:
        if contract.client_id != invoice.client_id:
            raise RuleError(
                "invoice.contract_client",
                f"contract: {contract.title!r} belongs to another client",
                field="contract",
            )
        if contract.kind != "hourly" or contract.hourly_rate_minor is None:
            raise RuleError(
                "invoice.contract_hourly",
                f"contract: {contract.title!r} is not hourly; add its amount as a line",
                field="contract",
            )
        if contract.currency != invoice.currency:
            raise RuleError(
                "invoice.currency",
                f"contract: {contract.title!r} is priced in {contract.currency}, the invoice "
                f"in {invoice.currency}; nothing is converted silently",
                field="contract",
            )
        clash = s.scalars(
            select(Invoice).where(
                Invoice.contract_id == contract.id,
                Invoice.id != invoice.id,
                Invoice.state != "void",
                Invoice.period_start < end,
                Invoice.period_end > start,
            )
        ).first()
        if clash is not None:
            raise RuleError(
                "invoice.period_invoiced",
                f"period_start: time on {contract.title!r} in that period is already on "
                f"invoice {clash.number}",
                field="period_start",
            )

    @staticmethod
    def _billable(s: Session, contract: Contract, start: datetime, end: datetime) -> int:
        segments = s.execute(
            select(Segment.slot_start, Segment.tracked_seconds)
            .where(
                Segment.contract_id == contract.id,
                Segment.slot_start >= start,
                Segment.slot_start < end,
                Segment.deleted.is_(False),
            )
            .order_by(Segment.slot_start)
        ).all()
        limit = (
            None if contract.weekly_limit_minutes is None else contract.weekly_limit_minutes * 60
        )
        weeks: dict[datetime, list[int]] = {}
        for slot, seconds in segments:
            weeks.setdefault(billing_week(slot)[0], []).append(seconds)
        within = [fit for week in weeks.values() for fit in within_weekly_limit(week, limit)]
        return RoundingRule.from_code(contract.rounding_rule).billable_seconds(within)

    # -- issue, pay, void ---------------------------------------------------------------

    def issue(self, ident: str | uuid.UUID, issued_on: date | None = None) -> dict[str, Any]:
        """Number the draft and date it; due `terms_days` after `issued_on` (default today)."""
        day = issued_on or self._clock.now().date()
        with self._db.session() as s:
            invoice = self._draft(s, ident)
            if _total(invoice) <= 0:
                raise RuleError(
                    "invoice.empty", "lines: an invoice needs a total above zero", field="lines"
                )
            invoice.number = self._next_number(s, day.year)
            invoice.issued_on = day
            issued_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
            terms = DirectRules(payment_terms_days=invoice.terms_days, fee_bp=self._rules.fee_bp)
            invoice.due_on = invoice_due_at(issued_at, terms).date()
            invoice.state = "issued"
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "issued", (result["id"],)))
        return result

    @staticmethod
    def _next_number(s: Session, year: int) -> str:
        prefix = f"{year}-"
        taken = s.scalars(select(Invoice.number).where(Invoice.number.like(f"{prefix}%")))
        highest = max(
            (int(n[len(prefix) :]) for n in taken if n and n[len(prefix) :].isdigit()),
            default=0,
        )
        return f"{prefix}{highest + 1:04d}"

    def mark_paid(
        self,
        ident: str | uuid.UUID,
        paid_at: datetime | None = None,
        *,
        external_ref: str | None = None,
    ) -> dict[str, Any]:
        """Record the client's payment: the total is available at once (no platform)."""
        when = ensure_utc(paid_at) if paid_at is not None else self._clock.now()
        with self._db.session() as s:
            invoice = find(s, Invoice, ident, what="invoice")
            if invoice.state != "issued":
                raise RuleError(
                    "invoice.not_issued",
                    f"cannot mark invoice {invoice.number} paid: it is {invoice.state}",
                    field="state",
                )
            assert invoice.issued_on is not None
            if when.date() < invoice.issued_on:
                raise RuleError(
                    "invoice.paid_before_issue",
                    f"paid_at: {when.date().isoformat()} is before the invoice was issued "
                    f"({invoice.issued_on.isoformat()})",
                    field="paid_at",
                )
            row = self._ledger.record(
                s,
                invoice_paid(
                    Money(_total(invoice), invoice.currency),
                    str(invoice.client_id),
                    str(invoice.id),
                    when,
                ),
                kind="invoice_paid",
                platform=Platform.DIRECT.value,
                client_id=invoice.client_id,
                scope_kind="client",
                external_ref=external_ref,
            )
            invoice.state = "paid"
            invoice.paid_at = when
            s.flush()
            result = self._dict(invoice)
            result["transaction_id"] = str(row.id)
        self._bus.publish(Change("invoice", "paid", (result["id"],)))
        self._bus.publish(Change("ledger", "recorded", (result["transaction_id"],)))
        return result

    def void(self, ident: str | uuid.UUID, reason: str = "") -> dict[str, Any]:
        """Cancel a draft or an unpaid invoice; an issued one keeps its number."""
        text = clean_text(reason, field="reason", max_chars=100_000)
        with self._db.session() as s:
            invoice = find(s, Invoice, ident, what="invoice")
            if invoice.state not in ("draft", "issued"):
                raise RuleError(
                    "invoice.void",
                    f"cannot void invoice {invoice.number}: it is {invoice.state}",
                    field="state",
                )
            invoice.state = "void"
            if text:
                invoice.notes = f"{invoice.notes}\nVoid: {text}".strip()
            s.flush()
            result = self._dict(invoice)
        self._bus.publish(Change("invoice", "voided", (result["id"],)))
        return result
