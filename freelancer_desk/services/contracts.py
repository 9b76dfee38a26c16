"""Contracts (hourly or fixed-price) and their milestones in escrow.

Every state change goes through the domain machines; every money-moving milestone step
(fund, release, refund) writes its ledger transaction in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from freelancer_desk.domain import ledger as books
from freelancer_desk.domain.billing import RoundingRule
from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    UPWORK,
    Platform,
    UpworkRules,
    auto_release_at,
    check_upwork_fee,
    default_fee_bp,
    refund_or_dispute_until,
)
from freelancer_desk.domain.workflow.contract import (
    CONTRACT,
    ContractAction,
    ContractKind,
    ContractState,
    check_weekly_limit,
)
from freelancer_desk.domain.workflow.milestone import (
    MILESTONE,
    MilestoneAction,
    MilestoneState,
    check_editable,
    is_auto_release_due,
)
from freelancer_desk.services.clients import check_currency_field, check_platform
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.reminders import set_deadline
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract, Milestone, Reminder
from freelancer_desk.storage.vocab import SNAPSHOT_POLICIES

# Milestone states in which the client's money sits in escrow.
IN_ESCROW = frozenset(
    {
        MilestoneState.FUNDED,
        MilestoneState.SUBMITTED,
        MilestoneState.CHANGES_REQUESTED,
        MilestoneState.DISPUTED,
    }
)


@dataclass(frozen=True)
class ContractInput:
    client_id: str
    title: str
    kind: str  # hourly / fixed
    platform: str | None = None  # must be the client's; None: the client's
    currency: str = "USD"
    hourly_rate_minor: int | None = None  # hourly contracts only
    fee_bp: int | None = None  # None: the user's default for the platform (NewWorkDefaults)
    weekly_limit_minutes: int | None = None  # hourly only; None: no limit
    rounding_rule: str | None = None  # a domain RoundingRule code, e.g. "15m-up"; None: default
    snapshot_policy: str | None = None  # off / blurred / full; None: the default
    manual_time_allowed: bool = True
    reference: str | None = None  # the platform's contract id
    notes: str = ""
    started_at: datetime | None = None  # default: now


@dataclass(frozen=True)
class NewWorkDefaults:
    """The terms a new contract gets where its input leaves them open (None): the
    user's settings "Upwork fee" / "Fiverr fee" / "Direct clients fee", "Round tracked
    time" and "Screen snapshots for new work". Upwork contracts always round Upwork's
    way (whole minutes of each 10-minute segment): the rounding setting is for the
    others. A platform without a fee here gets the platform's own default."""

    fee_bp: Mapping[str, int] = field(default_factory=dict)  # platform -> basis points
    rounding_rule: str = "upwork"
    snapshot_policy: str = "blurred"

    @classmethod
    def of_contract(cls, contract: Contract) -> NewWorkDefaults:
        """An existing contract's own terms: what an edit that leaves a term open keeps."""
        return cls(
            fee_bp={contract.platform: contract.fee_bp},
            rounding_rule=contract.rounding_rule,
            snapshot_policy=contract.snapshot_policy,
        )

    def rounding_for(self, platform: str) -> str:
        return "upwork" if platform == Platform.UPWORK.value else self.rounding_rule


DefaultsSource = Callable[[], NewWorkDefaults]


@dataclass(frozen=True)
class MilestoneInput:
    title: str
    amount_minor: int
    due_on: date | None = None


def check_fee(platform: str, fee_bp: int | None, rules: UpworkRules = UPWORK) -> int:
    """The contract's fee in basis points: the platform's default when not given; an
    Upwork fee must lie in Upwork's range (0–15% since 2025)."""
    if fee_bp is None:
        return default_fee_bp(Platform(platform)) if platform in set(Platform) else 0
    if isinstance(fee_bp, bool) or not isinstance(fee_bp, int) or not 0 <= fee_bp <= 10_000:
        raise RuleError("contract.fee_range", "fee must be between 0% and 100%", field="fee")
    if platform == Platform.UPWORK.value:
        return check_upwork_fee(fee_bp, rules)
    return fee_bp


def _positive_amount(value: int, *, field: str, rule: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuleError(rule, f"{what} must be more than zero", field=field)
    return value


def check_client_platform(platform: str | None, client_platform: str) -> str:
    """A contract is on its client's platform. A client is who the user deals with on
    one platform (the importers key clients by platform and name): the platform decides
    the fee, the clearance, the reviews and whether there are invoices, and the earnings
    by client show the client's platform — a contract on another would count its money
    under the wrong one. The same person met elsewhere is another client."""
    if platform is None:
        return client_platform
    platform = check_platform(platform)
    if platform != client_platform:
        raise RuleError(
            "contract.platform_client",
            f"platform: a contract is on its client's platform ({client_platform}), not "
            f"{platform}; on {platform} the client is another client record",
            field="platform",
        )
    return platform


def contract_values(
    data: ContractInput,
    now: datetime,
    rules: UpworkRules,
    defaults: NewWorkDefaults | None = None,
    client_platform: str | None = None,
) -> dict[str, Any]:
    """Validated column values for a contract (also used by a proposal's hire); terms
    the input leaves open (None) come from `defaults`. With `client_platform` the
    contract must be on it (and is when the input leaves the platform open)."""
    defaults = defaults or NewWorkDefaults()
    try:
        kind = ContractKind(data.kind)
    except ValueError as exc:
        raise RuleError(
            "contract.kind", f"contract kind {data.kind!r} is not hourly or fixed", field="kind"
        ) from exc
    if client_platform is not None:
        platform = check_client_platform(data.platform, client_platform)
    elif data.platform is None:
        raise RuleError("contract.platform", "choose the platform", field="platform")
    else:
        platform = check_platform(data.platform)
    rate = data.hourly_rate_minor
    if kind is ContractKind.HOURLY:
        rate = _positive_amount(
            rate if rate is not None else 0,
            field="hourly_rate",
            rule="contract.hourly_rate",
            what="an hourly contract's rate",
        )
    elif rate is not None:
        raise RuleError(
            "contract.hourly_rate_kind",
            "a fixed-price contract has milestones, not an hourly rate",
            field="hourly_rate",
        )
    limit = data.weekly_limit_minutes
    check_weekly_limit(None if limit is None else limit * 60, kind)
    rounding_code = data.rounding_rule
    if rounding_code is None:
        rounding_code = defaults.rounding_for(platform)
    rounding = RoundingRule.from_code(clean_text(rounding_code, field="rounding", max_chars=16))
    policy = defaults.snapshot_policy if data.snapshot_policy is None else data.snapshot_policy
    if policy not in SNAPSHOT_POLICIES:
        raise RuleError(
            "contract.snapshot_policy",
            f"snapshot policy {policy!r} is not off, blurred or full",
            field="snapshot_policy",
        )
    fee_bp = data.fee_bp if data.fee_bp is not None else defaults.fee_bp.get(platform)
    started_at = now
    if data.started_at is not None:
        try:
            started_at = ensure_utc(data.started_at)
        except ValueError as exc:
            raise RuleError("contract.started_at", str(exc), field="started_at") from exc
    return {
        "title": clean_text(data.title, field="title", max_chars=300, required=True),
        "kind": kind.value,
        "platform": platform,
        "currency": check_currency_field(data.currency),
        "hourly_rate_minor": rate,
        "fee_bp": check_fee(platform, fee_bp, rules),
        "weekly_limit_minutes": limit,
        "rounding_rule": rounding.code,
        "snapshot_policy": policy,
        "manual_time_allowed": bool(data.manual_time_allowed),
        "reference": clean_text(data.reference, field="reference", max_chars=64) or None,
        "notes": clean_text(data.notes, field="notes", max_chars=100_000),
        "started_at": started_at,
    }


def milestone_values(data: MilestoneInput) -> dict[str, Any]:
    if data.due_on is not None and not isinstance(data.due_on, date):
        raise RuleError("milestone.due_on", "due date must be a date", field="due_on")
    return {
        "title": clean_text(data.title, field="title", max_chars=200, required=True),
        "amount_minor": _positive_amount(
            data.amount_minor, field="amount", rule="milestone.amount", what="a milestone's amount"
        ),
        "due_on": data.due_on,
    }


def held_minor(milestone: Milestone) -> int:
    """What the milestone still holds in escrow."""
    return milestone.funded_minor - milestone.released_minor - milestone.refunded_minor


def contract_escrow_minor(contract: Contract) -> int:
    return sum(held_minor(m) for m in contract.milestones)


def _close_reminders(s: Session, kind: str, source_id: str, now: datetime) -> None:
    s.execute(
        update(Reminder)
        .where(
            Reminder.kind == kind,
            Reminder.source_id == source_id,
            Reminder.done_at.is_(None),
        )
        .values(done_at=now, updated_at=now)
    )


def milestone_dict(milestone: Milestone) -> dict[str, Any]:
    result = to_dict(milestone)
    state = MilestoneState(milestone.state)
    result["allowed_actions"] = [a.value for a in MILESTONE.allowed_actions(state)]
    result["escrow_minor"] = held_minor(milestone)
    return result


def contract_dict(contract: Contract) -> dict[str, Any]:
    result = to_dict(contract)
    result["milestones"] = [milestone_dict(m) for m in contract.milestones]
    result["allowed_actions"] = [
        a.value for a in CONTRACT.allowed_actions(ContractState(contract.state))
    ]
    result["escrow_minor"] = contract_escrow_minor(contract)
    return result


class ContractService:
    def __init__(
        self,
        db: Database,
        bus: ChangeBus,
        clock: Clock,
        rules: UpworkRules = UPWORK,
        defaults: DefaultsSource = NewWorkDefaults,
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._rules = rules
        self._defaults = defaults

    def defaults(self) -> NewWorkDefaults:
        """What a new contract gets for the terms its input leaves open."""
        return self._defaults()

    def create(
        self, data: ContractInput, milestones: tuple[MilestoneInput, ...] = ()
    ) -> dict[str, Any]:
        with self._db.session() as s:
            client = find(s, Client, data.client_id, what="client")
            values = contract_values(
                data, self._clock.now(), self._rules, self._defaults(), client.platform
            )
            planned = [milestone_values(m) for m in milestones]
            if planned and values["kind"] != ContractKind.FIXED.value:
                raise RuleError(
                    "milestone.contract_kind",
                    "milestones belong to fixed-price contracts",
                    field="milestones",
                )
            _refuse_taken_reference(s, values["reference"], None)
            contract = Contract(**values, client_id=client.id, state=ContractState.ACTIVE.value)
            contract.milestones = [
                Milestone(**m, position=i, currency=contract.currency)
                for i, m in enumerate(planned)
            ]
            s.add(contract)
            s.flush()
            result = contract_dict(contract)
        self._bus.publish(Change("contract", "created", (result["id"],)))
        return result

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return contract_dict(find(s, Contract, ident, what="contract"))

    def update(self, ident: str, data: ContractInput) -> dict[str, Any]:
        """Change terms. The kind, client and currency stay what the contract began
        with: tracked time, milestones and ledger rows depend on them. The platform may
        only move to the client's (a contract recorded on another before that rule keeps
        its own while other terms change); None keeps it."""
        with self._db.session() as s:
            contract = find(s, Contract, ident, what="contract")
            client = find(s, Client, data.client_id, what="client")
            platform = data.platform if data.platform is not None else contract.platform
            values = contract_values(
                replace(data, platform=platform),
                contract.started_at,
                self._rules,
                NewWorkDefaults.of_contract(contract),
                None if platform == contract.platform else client.platform,
            )
            if contract.state == ContractState.ENDED.value:
                raise RuleError(
                    "contract.ended", "cannot change contract: it has ended", field="state"
                )
            for column, new in (
                ("kind", values["kind"]),
                ("client_id", client.id),
                ("currency", values["currency"]),
            ):
                if getattr(contract, column) != new:
                    raise RuleError(
                        f"contract.{column}_fixed",
                        f"a contract's {column.removesuffix('_id')} cannot change; "
                        "end it and start another",
                        field=column.removesuffix("_id"),
                    )
            _refuse_taken_reference(s, values["reference"], contract)
            for key, value in values.items():
                setattr(contract, key, value)
            s.flush()
            result = contract_dict(contract)
        self._bus.publish(Change("contract", "updated", (result["id"],)))
        return result

    def _transition(self, ident: str, action: ContractAction) -> dict[str, Any]:
        now = self._clock.now()
        with self._db.session() as s:
            contract = find(s, Contract, ident, what="contract")
            new_state = CONTRACT.transition(ContractState(contract.state), action)
            contract.state = new_state.value
            if action is ContractAction.PAUSE:
                contract.paused_at = now
            elif action is ContractAction.RESUME:
                contract.paused_at = None
            else:
                contract.ended_at = now
                self._open_refund_window(s, contract, now)
            s.flush()
            result = contract_dict(contract)
        self._bus.publish(Change("contract", new_state.value, (result["id"],)))
        return result

    def _open_refund_window(self, s: Session, contract: Contract, ended_at: datetime) -> None:
        """Ending with money in escrow: the freelancer has a week to accept the refund or
        dispute; the deadline is kept as a reminder (the scheduler re-arms it)."""
        held = contract_escrow_minor(contract)
        if held <= 0:
            return
        set_deadline(
            s,
            kind="refund_window",
            title=f"Accept the refund or dispute: {contract.title}",
            body=(
                f"{Money(held, contract.currency)} is still in escrow on this ended "
                "contract. Accept the refund or open a dispute before the deadline."
            ),
            due_at=refund_or_dispute_until(ended_at, self._rules),
            source_kind="contract",
            source_id=str(contract.id),
        )

    def pause(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, ContractAction.PAUSE)

    def resume(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, ContractAction.RESUME)

    def end(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, ContractAction.END)


class MilestoneService:
    def __init__(
        self,
        db: Database,
        bus: ChangeBus,
        clock: Clock,
        ledger: LedgerService,
        rules: UpworkRules = UPWORK,
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._ledger = ledger
        self._rules = rules

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return milestone_dict(find(s, Milestone, ident, what="milestone"))

    def add(self, contract_ident: str, data: MilestoneInput) -> dict[str, Any]:
        values = milestone_values(data)
        with self._db.session() as s:
            contract = find(s, Contract, contract_ident, what="contract")
            if contract.kind != ContractKind.FIXED.value:
                raise RuleError(
                    "milestone.contract_kind",
                    "milestones belong to fixed-price contracts",
                    field="contract",
                )
            _refuse_ended(contract, "add a milestone to")
            position = max((m.position for m in contract.milestones), default=-1) + 1
            milestone = Milestone(**values, position=position, currency=contract.currency)
            contract.milestones.append(milestone)
            s.flush()
            result = milestone_dict(milestone)
        self._bus.publish(Change("milestone", "created", (result["id"],)))
        return result

    def update(self, ident: str, data: MilestoneInput) -> dict[str, Any]:
        """Change title, amount or due date — only while it is planned (not funded)."""
        values = milestone_values(data)
        with self._db.session() as s:
            milestone = find(s, Milestone, ident, what="milestone", lock=True)
            check_editable(MilestoneState(milestone.state))
            _refuse_ended(milestone.contract, "change a milestone of")
            for key, value in values.items():
                setattr(milestone, key, value)
            s.flush()
            result = milestone_dict(milestone)
        self._bus.publish(Change("milestone", "updated", (result["id"],)))
        return result

    # -- transitions -------------------------------------------------------------------

    def _step(
        self,
        ident: str,
        action: MilestoneAction,
        change: str,
        apply: Any,
    ) -> dict[str, Any]:
        """The one path of every milestone step: the domain machine decides, `apply`
        does the rest in the same unit of work and says whether money moved."""
        with self._db.session() as s:
            milestone = find(s, Milestone, ident, what="milestone", lock=True)
            new_state = MILESTONE.transition(MilestoneState(milestone.state), action)
            money_moved = bool(apply(s, milestone))
            milestone.state = new_state.value
            s.flush()
            result = milestone_dict(milestone)
            contract_id = str(milestone.contract_id)
        self._bus.publish(Change("milestone", change, (result["id"],)))
        if money_moved:
            self._bus.publish(Change("contract", "updated", (contract_id,)))
            self._bus.publish(Change("ledger", "recorded", (result["id"],)))
        return result

    def _record(self, s: Session, milestone: Milestone, transaction: Any, kind: str) -> None:
        contract = milestone.contract
        self._ledger.record(
            s,
            transaction,
            kind=kind,
            platform=contract.platform,
            client_id=contract.client_id,
            scope_kind="contract",
        )

    def fund(self, ident: str) -> dict[str, Any]:
        """The client puts the milestone's amount into escrow."""
        now = self._clock.now()

        def apply(s: Session, m: Milestone) -> bool:
            _refuse_ended(m.contract, "fund a milestone of")
            self._record(
                s,
                m,
                books.milestone_funded(
                    Money(m.amount_minor, m.currency), str(m.contract_id), str(m.id), now
                ),
                "milestone_funded",
            )
            m.funded_minor += m.amount_minor
            m.funded_at = now
            return True

        return self._step(ident, MilestoneAction.FUND, "funded", apply)

    def submit(self, ident: str, note: str = "") -> dict[str, Any]:
        """Work handed in: the client has 14 days to approve or ask for changes."""
        now = self._clock.now()
        text = clean_text(note, field="note", max_chars=100_000)

        def apply(s: Session, m: Milestone) -> bool:
            m.submitted_at = now
            m.submission_note = text
            set_deadline(
                s,
                kind="milestone_auto_release",
                title=f"Releases automatically unless reviewed: {m.title}",
                due_at=auto_release_at(now, self._rules),
                source_kind="milestone",
                source_id=str(m.id),
            )
            return False

        return self._step(ident, MilestoneAction.SUBMIT, "submitted", apply)

    def request_changes(self, ident: str, note: str = "") -> dict[str, Any]:
        now = self._clock.now()
        text = clean_text(note, field="note", max_chars=100_000)

        def apply(s: Session, m: Milestone) -> bool:
            if text:
                m.submission_note = f"{m.submission_note}\nChanges requested: {text}".strip()
            _close_reminders(s, "milestone_auto_release", str(m.id), now)
            return False

        return self._step(ident, MilestoneAction.REQUEST_CHANGES, "changes_requested", apply)

    def approve(self, ident: str) -> dict[str, Any]:
        """The client approves: escrow is released, less the contract's fee, into
        pending until the security period ends."""
        return self._release(ident, self._clock.now(), "milestone approved", "released")

    def _release(self, ident: str, released_at: datetime, memo: str, change: str) -> dict[str, Any]:
        now = self._clock.now()

        def apply(s: Session, m: Milestone) -> bool:
            held = held_minor(m)
            if held <= 0:
                raise RuleError(
                    "milestone.release", "cannot release milestone: escrow holds nothing for it"
                )
            self._record(
                s,
                m,
                books.milestone_released(
                    Money(held, m.currency),
                    m.contract.fee_bp,
                    str(m.contract_id),
                    str(m.id),
                    released_at,
                    self._rules,
                    memo,
                ),
                "milestone_released",
            )
            m.released_minor += held
            m.approved_at = released_at
            self._after_escrow_left(s, m, now)
            return True

        return self._step(ident, MilestoneAction.RELEASE, change, apply)

    def release(self, ident: str) -> dict[str, Any]:
        """Same as approve(): the client released the payment."""
        return self.approve(ident)

    def refund(self, ident: str) -> dict[str, Any]:
        """What the milestone holds in escrow goes back to the client."""
        now = self._clock.now()

        def apply(s: Session, m: Milestone) -> bool:
            held = held_minor(m)
            if held <= 0:
                raise RuleError(
                    "milestone.refund", "cannot refund milestone: escrow holds nothing for it"
                )
            self._record(
                s,
                m,
                books.milestone_refunded(
                    Money(held, m.currency), str(m.contract_id), str(m.id), now
                ),
                "milestone_refunded",
            )
            m.refunded_minor += held
            m.refunded_at = now
            self._after_escrow_left(s, m, now)
            return True

        return self._step(ident, MilestoneAction.REFUND, "refunded", apply)

    def dispute(self, ident: str) -> dict[str, Any]:
        now = self._clock.now()

        def apply(s: Session, m: Milestone) -> bool:
            m.disputed_at = now
            _close_reminders(s, "milestone_auto_release", str(m.id), now)
            return False

        return self._step(ident, MilestoneAction.DISPUTE, "disputed", apply)

    def _after_escrow_left(self, s: Session, m: Milestone, now: datetime) -> None:
        _close_reminders(s, "milestone_auto_release", str(m.id), now)
        contract = m.contract
        if contract.state == ContractState.ENDED.value and contract_escrow_minor(contract) <= 0:
            _close_reminders(s, "refund_window", str(contract.id), now)

    def auto_release_due(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Release every milestone submitted at least 14 days ago that the client left
        alone. Each releases at the instant it fell due, so its security period (and its
        available date) is what the platform computes, however late the app looks."""
        now = ensure_utc(now) if now is not None else self._clock.now()
        with self._db.read() as s:
            due = [
                (str(m.id), auto_release_at(m.submitted_at, self._rules))
                for m in s.scalars(
                    select(Milestone).where(Milestone.state == MilestoneState.SUBMITTED.value)
                ).all()
                if m.submitted_at is not None
                and is_auto_release_due(MilestoneState(m.state), m.submitted_at, now, self._rules)
            ]
        released = []
        for ident, at in due:
            try:
                released.append(
                    self._release(ident, at, "milestone released automatically", "auto_released")
                )
            except RuleError:
                continue  # another machine or process moved it meanwhile
        return released


def _refuse_taken_reference(s: Session, reference: str | None, own: Contract | None) -> None:
    """The platform's contract id identifies one contract (imports rely on it)."""
    if reference is None:
        return
    query = select(Contract.id).where(Contract.reference == reference)
    if own is not None:
        query = query.where(Contract.id != own.id)
    if s.scalar(query) is not None:
        raise RuleError(
            "contract.reference_unique",
            f"contract reference {reference} is already recorded",
            field="reference",
        )


def _refuse_ended(contract: Contract, doing: str) -> None:
    if contract.state == ContractState.ENDED.value:
        raise RuleError(
            "milestone.contract_ended",
            f"cannot {doing} an ended contract",
            field="contract",
        )
