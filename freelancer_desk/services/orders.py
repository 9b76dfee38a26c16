"""Orders (Fiverr side): a gig bought with one package and some extras — price and due
date computed and frozen — then started, delivered, revised, completed or cancelled.

A delivery is a message plus files: the workspace keeps a copy of each file sent
(content-addressed under the data folder's `deliveries/`, storage/delivered_files.py),
so what was sent, when, can be found and opened later.

Money: the buyer pays when ordering, so placing an order moves its price into escrow;
completion releases it (the platform's fee, the rest pending until clearance) and
cancellation refunds whatever the order still holds.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain import ledger as books
from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    FIVERR,
    FiverrRules,
    fiverr_available_at,
    order_auto_completes_at,
)
from freelancer_desk.domain.workflow.gig import GigState
from freelancer_desk.domain.workflow.order import (
    ORDER,
    OrderAction,
    OrderState,
    delivery_days,
    is_auto_complete_due,
    late_by,
    order_allowed_actions,
    order_due_at,
    request_revision,
)
from freelancer_desk.domain.workflow.order import is_late as order_is_late
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.delivered_files import MAX_FILES, DeliveredFiles, StoredFile
from freelancer_desk.storage.models import (
    Client,
    Gig,
    LedgerPosting,
    Order,
    OrderDelivery,
    OrderExtra,
    OrderRevision,
)
from freelancer_desk.storage.models.orders import OrderDeliveryFile

ORDER_CHILDREN = ("extras", "deliveries", "revisions")


@dataclass(frozen=True)
class OrderInput:
    gig_id: str
    package: str  # tier: basic / standard / premium
    extras: tuple[str, ...] = ()  # ids (or id prefixes) of the gig's extras
    client_id: str | None = None
    buyer: str = ""  # a new client of the gig's platform when client_id is not given
    number: str | None = None  # the platform's order number
    requirements: dict[str, str] | None = None  # question -> answer, if already given
    notes: str = ""


def _rules_for(order: Order, base: FiverrRules) -> FiverrRules:
    """The platform rules as frozen on the order: its fee and clearance."""
    return replace(base, fee_bp=order.fee_bp, clearance=timedelta(days=order.clearance_days))


def escrow_held(session: Session, scope_id: uuid.UUID) -> int:
    """Minor units the ledger holds in escrow for one order or contract."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerPosting.amount_minor), 0)).where(
            LedgerPosting.account_kind == books.AccountKind.ESCROW.value,
            LedgerPosting.scope_id == scope_id,
        )
    )
    return int(total or 0)


class OrderService:
    def __init__(
        self,
        db: Database,
        bus: ChangeBus,
        clock: Clock,
        ledger: LedgerService,
        rules: FiverrRules = FIVERR,
        *,
        files: DeliveredFiles | None = None,
        device_id: str = "",
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._ledger = ledger
        self._rules = rules
        self._files = files  # None: deliveries carry no files (a store-less service)
        self._device_id = device_id

    # -- reading ---------------------------------------------------------------------

    def _dict(self, order: Order) -> dict[str, Any]:
        result = to_dict(order, children=ORDER_CHILDREN)
        result["deliveries"] = [
            {**to_dict(d), "files": [to_dict(f) for f in d.files]} for d in order.deliveries
        ]
        state = OrderState(order.state)
        result["allowed_actions"] = [
            a.value
            for a in order_allowed_actions(state, order.revisions_used, order.revisions_allowed)
        ]
        now = self._clock.now()
        result["is_late"] = self._late(order, now)
        late = late_by(order.due_at, now, state)
        result["late_seconds"] = None if late is None else int(late.total_seconds())
        result["auto_completes_at"] = (
            order_auto_completes_at(order.delivered_at, self._rules).isoformat()
            if state is OrderState.DELIVERED and order.delivered_at is not None
            else None
        )
        return result

    @staticmethod
    def _late(order: Order, now: datetime) -> bool:
        return order.due_at is not None and order_is_late(
            order.due_at, now, OrderState(order.state)
        )

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return self._dict(find(s, Order, ident, what="order"))

    def is_late(self, ident: str) -> bool:
        """Past due while the seller still owes a delivery."""
        with self._db.read() as s:
            return self._late(find(s, Order, ident, what="order"), self._clock.now())

    # -- placing ---------------------------------------------------------------------

    def place(self, data: OrderInput) -> dict[str, Any]:
        """Buy `data.package` of a gig with some extras. Price, revisions and the delivery
        days are copied onto the order, so later gig edits never change what was sold."""
        now = self._clock.now()
        with self._db.session() as s:
            gig = find(s, Gig, data.gig_id, what="gig")
            if gig.state != GigState.ACTIVE.value:
                raise RuleError(
                    "order.gig_not_active",
                    f"cannot order gig: it is {gig.state}, not active",
                    field="gig",
                )
            package = next((p for p in gig.packages if p.tier == data.package), None)
            if package is None:
                raise RuleError(
                    "order.package", f"the gig has no {data.package} package", field="package"
                )
            extras = self._chosen_extras(gig, data.extras)
            fast = [e for e in extras if e.kind == "fast_delivery"]
            if len(fast) > 1:
                raise RuleError(
                    "order.extra_fast_delivery",
                    "only one extra-fast delivery can be chosen",
                    field="extras",
                )
            fast_days = None
            if fast:
                saved = fast[0].days_saved.get(package.tier)
                if saved is None:
                    raise RuleError(
                        "order.extra_fast_delivery",
                        f"extra-fast delivery is not offered with the {package.tier} package",
                        field="extras",
                    )
                fast_days = package.delivery_days - int(saved)
            days = delivery_days(
                package.delivery_days,
                [e.extra_days for e in extras if e.kind != "fast_delivery"],
                fast_days,
            )
            number = clean_text(data.number, field="number", max_chars=40) or None
            if number is not None and s.scalar(select(Order.id).where(Order.number == number)):
                raise RuleError(
                    "order.number_unique",
                    f"order number {number} is already recorded",
                    field="number",
                )
            client = self._client(s, data, gig.platform)
            price = package.price_minor + sum(e.price_minor for e in extras)
            order = Order(
                number=number,
                gig_id=gig.id,
                package_id=package.id,
                client_id=client.id,
                title=f"{gig.title} — {package.name}"[:200],
                package_tier=package.tier,
                state=OrderState.AWAITING_REQUIREMENTS.value,
                price_minor=price,
                currency=gig.currency,
                fee_bp=gig.fee_bp,
                clearance_days=gig.clearance_days,
                revisions_allowed=package.revisions,
                revisions_used=0,
                requirements=self._answers(data.requirements),
                ordered_at=now,
                delivery_days=days,
                # Provisional: the delivery clock starts when the requirements arrive, and
                # start() sets the due date from the stored days then.
                due_at=order_due_at(now, days),
                notes=clean_text(data.notes, field="notes", max_chars=100_000),
            )
            order.extras = [
                OrderExtra(
                    extra_id=e.id,
                    title=e.title,
                    price_minor=e.price_minor,
                    days_delta=(
                        fast_days - package.delivery_days
                        if e.kind == "fast_delivery" and fast_days is not None
                        else e.extra_days
                    ),
                    quantity=1,
                )
                for e in extras
            ]
            s.add(order)
            s.flush()
            self._ledger.record(
                s,
                books.order_placed(Money(price, order.currency), str(order.id), now),
                kind="order_placed",
                platform=gig.platform,
                client_id=client.id,
                scope_kind="order",
            )
            s.flush()
            result = self._dict(order)
        self._bus.publish(Change("order", "created", (result["id"],)))
        self._bus.publish(Change("ledger", "recorded", (result["id"],)))
        return result

    @staticmethod
    def _chosen_extras(gig: Gig, idents: Sequence[str]) -> list[Any]:
        chosen = []
        for ident in idents:
            text = str(ident).strip().lower()
            matches = [e for e in gig.extras if str(e.id) == text or str(e.id).startswith(text)]
            if len(text) < 4 or len(matches) != 1:
                raise RuleError(
                    "order.extra", f"the gig has no extra with id {ident!r}", field="extras"
                )
            if matches[0] in chosen:
                raise RuleError(
                    "order.extra_twice",
                    f"extra {matches[0].title!r} is chosen twice",
                    field="extras",
                )
            chosen.append(matches[0])
        return chosen

    @staticmethod
    def _client(session: Session, data: OrderInput, platform: str) -> Client:
        """The buyer: an existing client of the gig's platform (as a contract is on its
        client's, services/contracts.check_client_platform), or a new one of it."""
        if data.client_id:
            client = find(session, Client, data.client_id, what="client")
            if client.platform != platform:
                raise RuleError(
                    "order.buyer_platform",
                    f"buyer: {client.name} is a client on {client.platform}; a {platform} "
                    f"gig's buyer is a client on {platform}",
                    field="buyer",
                )
            return client
        name = clean_text(data.buyer, field="buyer", max_chars=200, required=True)
        client = Client(name=name, platform=platform)
        session.add(client)
        return client

    @staticmethod
    def _answers(answers: dict[str, str] | None) -> dict[str, Any]:
        return {
            clean_text(q, field="requirements", max_chars=1000, required=True): clean_text(
                a, field="requirements", max_chars=10_000
            )
            for q, a in (answers or {}).items()
        }

    # -- transitions -----------------------------------------------------------------

    def _step(
        self, ident: str, action: OrderAction, change: str, apply: Any = None
    ) -> dict[str, Any]:
        """Move the order through the domain machine; `apply(session, order, new_state)`
        does what the step means beyond the state (dates, rows, the ledger)."""
        money_moved = False
        with self._db.session() as s:
            order = find(s, Order, ident, what="order", lock=True)
            if action is OrderAction.REQUEST_REVISION:
                new_state = request_revision(
                    OrderState(order.state), order.revisions_used, order.revisions_allowed
                )
            else:
                new_state = ORDER.transition(OrderState(order.state), action)
            if apply is not None:
                money_moved = bool(apply(s, order, new_state))
            order.state = new_state.value
            s.flush()
            result = self._dict(order)
        self._bus.publish(Change("order", change, (result["id"],)))
        if money_moved:
            self._bus.publish(Change("ledger", "recorded", (result["id"],)))
        return result

    def start(self, ident: str, requirements: dict[str, str] | None = None) -> dict[str, Any]:
        """The buyer's requirements arrived (or the seller starts without them): the
        delivery clock starts now. After a revision request this resumes the work."""
        now = self._clock.now()
        answers = self._answers(requirements)

        def apply(_s: Session, order: Order, _new: OrderState) -> bool:
            if answers:
                order.requirements = {**order.requirements, **answers}
            if order.started_at is None:
                if order.delivery_days is not None:
                    order.due_at = order_due_at(now, order.delivery_days)
                elif order.due_at is not None:
                    # An order recorded without its days (imported, or older): the
                    # provisional due date moves by the wait.
                    order.due_at = order.due_at + (now - order.ordered_at)
                order.started_at = now
            return False

        return self._step(ident, OrderAction.START, "started", apply)

    def deliver(
        self, ident: str, message: str = "", files: Sequence[str | os.PathLike[str]] = ()
    ) -> dict[str, Any]:
        """Deliver with a message and files. Every file is checked before any is copied
        (missing, unreadable, not a file, over the limit: refused naming it), then each
        is copied into the workspace, outside the database's write lock, and only then
        the delivery and its file rows are committed together. A refused or failed step
        leaves no row; a copy already made stays as an unreferenced file that the same
        file's next delivery reuses (storage/delivered_files.py)."""
        text = clean_text(message, field="message", max_chars=100_000)
        stored = self._store_files(ident, files) if files else []
        now = self._clock.now()

        def apply(_s: Session, order: Order, _new: OrderState) -> bool:
            order.delivered_at = now
            delivery = OrderDelivery(delivered_at=now, message=text)
            delivery.files = [
                OrderDeliveryFile(
                    position=i,
                    name=f.name,
                    size_bytes=f.size_bytes,
                    sha256=f.sha256,
                    media_type=f.media_type,
                    stored_path=f.stored_path,
                    device_id=self._device_id,
                    source_path=f.source_path,
                )
                for i, f in enumerate(stored)
            ]
            order.deliveries.append(delivery)
            return False

        return self._step(ident, OrderAction.DELIVER, "delivered", apply)

    def _store_files(self, ident: str, files: Sequence[str | os.PathLike[str]]) -> list[StoredFile]:
        if self._files is None:
            raise RuleError(
                "delivery.files_unavailable",
                "files: this workspace keeps no delivered files here",
                field="files",
            )
        if len(files) > MAX_FILES:
            raise RuleError(
                "delivery.too_many_files",
                f"files: {len(files)} given, at most {MAX_FILES} a delivery",
                field="files",
            )
        with self._db.read() as s:  # refuse before copying anything
            order = find(s, Order, ident, what="order")
            ORDER.transition(OrderState(order.state), OrderAction.DELIVER)
        store, seen = self._files, set()
        for path in files:
            resolved = store.check(path)
            if resolved in seen:
                raise RuleError(
                    "delivery.file_twice", f"file {resolved}: given twice", field="files"
                )
            seen.add(resolved)
        return [store.store(path) for path in files]

    def delivered_file(self, file: dict[str, Any]) -> Path | None:
        """Where a delivered file's copy is on this machine: None when another machine
        keeps it (a server database) or it is gone."""
        if self._files is None or file.get("device_id") != self._device_id:
            return None
        return self._files.kept_copy(str(file["stored_path"]), str(file["sha256"]))

    def request_revision(self, ident: str, note: str = "") -> dict[str, Any]:
        """The buyer sends a delivery back; counted against the package's revisions."""
        now = self._clock.now()
        text = clean_text(note, field="note", max_chars=100_000)

        def apply(_s: Session, order: Order, _new: OrderState) -> bool:
            order.revisions_used += 1
            order.revisions.append(OrderRevision(requested_at=now, note=text))
            return False

        return self._step(ident, OrderAction.REQUEST_REVISION, "revision_requested", apply)

    def complete(self, ident: str) -> dict[str, Any]:
        """The buyer accepts the delivery."""
        return self._complete(ident, self._clock.now(), "completed")

    def _complete(self, ident: str, completed_at: datetime, change: str) -> dict[str, Any]:
        def apply(s: Session, order: Order, _new: OrderState) -> bool:
            order.completed_at = completed_at
            self._record_completion(s, order, completed_at)
            return True

        return self._step(ident, OrderAction.COMPLETE, change, apply)

    def _record_completion(self, s: Session, order: Order, completed_at: datetime) -> None:
        rules = _rules_for(order, self._rules)
        price = Money(order.price_minor, order.currency)
        held = escrow_held(s, order.id)
        if held == order.price_minor:
            transaction = books.order_completed(price, str(order.id), completed_at, rules=rules)
        elif held == 0:
            # An order that reached us without its placement (imported, or made before
            # the ledger): the buyer's payment and the release are one event.
            transaction = books.earn(
                price,
                order.fee_bp,
                str(order.id),
                completed_at,
                fiverr_available_at(completed_at, rules=rules),
                (books.SourceKind.ORDER, str(order.id)),
                "order completed",
            )
        else:
            raise RuleError(
                "order.escrow_mismatch",
                f"cannot complete order: escrow holds {Money(held, order.currency)}, "
                f"not its price {price}",
                field="price",
            )
        self._ledger.record(
            s,
            transaction,
            kind="order_completed",
            platform=self._platform(s, order),
            client_id=order.client_id,
            scope_kind="order",
        )

    def cancel(self, ident: str, reason: str = "") -> dict[str, Any]:
        """Cancel before completion; whatever the order holds in escrow is refunded."""
        now = self._clock.now()
        text = clean_text(reason, field="reason", max_chars=100_000)

        def apply(s: Session, order: Order, _new: OrderState) -> bool:
            order.cancelled_at = now
            if text:
                order.notes = f"{order.notes}\nCancelled: {text}".strip()
            held = escrow_held(s, order.id)
            if held <= 0:
                return False
            self._ledger.record(
                s,
                books.order_cancelled(Money(held, order.currency), str(order.id), now),
                kind="order_cancelled",
                platform=self._platform(s, order),
                client_id=order.client_id,
                scope_kind="order",
            )
            return True

        return self._step(ident, OrderAction.CANCEL, "cancelled", apply)

    def auto_complete_due(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Complete every order delivered at least the auto-complete delay ago. Each
        completes at the instant it was due, not when the app noticed, so clearance
        dates come out as the platform computes them."""
        now = ensure_utc(now) if now is not None else self._clock.now()
        with self._db.read() as s:
            due = [
                (str(o.id), order_auto_completes_at(o.delivered_at, self._rules))
                for o in s.scalars(
                    select(Order).where(Order.state == OrderState.DELIVERED.value)
                ).all()
                if o.delivered_at is not None
                and is_auto_complete_due(OrderState(o.state), o.delivered_at, now, self._rules)
            ]
        completed = []
        for ident, at in due:
            try:
                completed.append(self._complete(ident, at, "auto_completed"))
            except RuleError:
                continue  # another machine or process moved it meanwhile
        return completed

    @staticmethod
    def _platform(s: Session, order: Order) -> str:
        gig = s.get(Gig, order.gig_id) if order.gig_id is not None else None
        return gig.platform if gig is not None else "fiverr"
