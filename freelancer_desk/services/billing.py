"""Hourly billing weeks: what a contract's tracked week is worth, and booking it once
its Work Diary has locked.

A week is billed from its segments with the contract's rounding rule and weekly limit:
the earliest time is billed first, segments holding time over the limit are flagged
`over_limit` and that time is never billed, manual segments are billed and flagged in
the summary. One `hourly_week_billed` transaction per contract and week (its source is
the contract and the week's Monday), so billing twice books nothing new.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, String, cast, func, literal, select, update
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import (
    RoundingRule,
    bill_amount,
    over_weekly_limit,
    within_weekly_limit,
)
from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import SourceKind, hourly_week_billed, hourly_week_source
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    UPWORK,
    Platform,
    UpworkRules,
    billing_week,
    diary_lock_at,
    hourly_available_at,
    review_ends_at,
)
from freelancer_desk.services.common import find
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    CatchUpMark,
    Contract,
    LedgerTransaction,
    Segment,
    TrackedDay,
)
from freelancer_desk.storage.models.catch_up_marks import HOURLY_WEEKS

BILLED_KIND = "hourly_week_billed"


@dataclass(frozen=True, slots=True)
class WeekSummary:
    """One contract's billing week: time, money and the dates that follow from it."""

    contract_id: str
    week_start: datetime
    week_end: datetime
    tracked_seconds: int
    billable_seconds: int
    over_limit_seconds: int
    over_limit_segments: int
    manual_seconds: int
    manual_segments: int
    weekly_limit_seconds: int | None
    rounding: str
    rate: Money
    amount: Money
    fee: Money
    net: Money
    diary_lock_at: datetime
    review_ends_at: datetime
    available_at: datetime
    locked: bool
    billed: bool
    transaction_id: str | None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in fields(self):
            key, value = f.name, getattr(self, f.name)
            if isinstance(value, Money):
                value = value.to_json()
            elif isinstance(value, datetime):
                value = value.isoformat()
            data[key] = value
        return data


def _week_sql(
    dialect: str, rules: UpworkRules, of_date: bool = False
) -> tuple[Callable[[Any], Any], Callable[[Any], Any]] | None:
    """SQL for a stored instant's (or, `of_date`, a stored UTC day's) billing-week Monday
    as 'YYYY-MM-DD' and for a stored contract id as `str(uuid)` spells it (the form
    `hourly_week_source` uses), on the backends that have them; None elsewhere."""
    if dialect == "sqlite":  # instants stored as 'YYYY-MM-DD HH:MM:SS' UTC (days as
        # 'YYYY-MM-DD'), ids as 32 hex
        weekday = f"weekday {(rules.week_starts_on + 1) % 7}"  # SQLite counts from Sunday

        def sqlite_id(col: Any) -> Any:
            parts = [func.substr(col, a, n) for a, n in ((1, 8), (9, 4), (13, 4), (17, 4))]
            out: Any = parts[0]
            for part in [*parts[1:], func.substr(col, 21, 12)]:
                out = out + "-" + part
            return out

        return (lambda col: func.date(col, "-6 days", weekday)), sqlite_id
    if dialect == "postgresql" and rules.week_starts_on == 0:  # ISO weeks start on Monday
        return (
            lambda col: func.to_char(
                func.date_trunc(
                    "week", cast(col, DateTime()) if of_date else func.timezone("UTC", col)
                ),
                "YYYY-MM-DD",
            )
        ), (lambda col: cast(col, String))
    return None


def week_start_of(value: datetime | date) -> datetime:
    """A week's start given as an instant or a date (00:00 UTC of that day)."""
    if isinstance(value, datetime):
        return ensure_utc(value)
    return datetime.combine(value, time(), UTC)


@dataclass(frozen=True, slots=True)
class _Computed:
    segments: list[Segment]
    over: list[bool]
    summary: WeekSummary


class HourlyBillingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        ledger: LedgerService,
        bus: ChangeBus | None = None,
        rules: UpworkRules = UPWORK,
    ) -> None:
        self._db = db
        self._clock = clock
        self._ledger = ledger
        self._bus = bus
        self._rules = rules

    def week_summary(
        self, contract_id: str | uuid.UUID, week_start: datetime | date
    ) -> WeekSummary:
        """What the week is worth now; nothing is written."""
        with self._db.read() as s:
            return self._compute(
                s, find(s, Contract, contract_id, what="contract"), week_start
            ).summary

    def bill_week(self, contract_id: str | uuid.UUID, week_start: datetime | date) -> WeekSummary:
        """Book the week's earnings (pending until the Wednesday after review) and flag
        its over-limit segments. Refused before the week's diary locks; a week already
        billed is returned as it was billed, and one with nothing to bill books nothing."""
        start = week_start_of(week_start)
        now = self._clock.now()
        with self._db.session() as s:
            contract = find(s, Contract, contract_id, what="contract")
            if contract.kind != "hourly" or contract.platform != Platform.UPWORK.value:
                raise RuleError(
                    "billing.not_upwork_hourly",
                    f"cannot bill weeks of contract {contract.title!r}: only Upwork hourly "
                    "contracts are billed by week (invoice direct clients instead)",
                    field="contract",
                )
            lock = diary_lock_at(start, self._rules)
            if now < lock:
                raise RuleError(
                    "billing.diary_open",
                    f"cannot bill the week of {start.date().isoformat()} yet: its Work Diary "
                    f"locks {lock.isoformat()}",
                    field="week_start",
                )
            computed = self._compute(s, contract, start)
            if computed.summary.billed:
                return computed.summary
            for segment, over in zip(computed.segments, computed.over, strict=True):
                segment.over_limit = over
            summary = computed.summary
            if summary.amount:
                row = self._ledger.record(
                    s,
                    hourly_week_billed(
                        summary.amount, contract.fee_bp, str(contract.id), start, self._rules
                    ),
                    kind=BILLED_KIND,
                    platform=contract.platform,
                    client_id=contract.client_id,
                    scope_kind="contract",
                )
                summary = replace(summary, billed=True, transaction_id=str(row.id))
            s.flush()
        if self._bus is not None:
            self._bus.publish(Change("segment", "updated", (str(contract.id),)))
            if summary.billed:
                self._bus.publish(Change("ledger", "recorded", (summary.transaction_id or "",)))
        return summary

    def bill_due_weeks(self) -> list[WeekSummary]:
        """Bill every week of every Upwork hourly contract whose diary has locked and
        that is not billed yet (weeks with tracked time only). Returns what was billed."""
        now = self._clock.now()
        horizon = self._horizon(now)
        with self._db.read() as s:
            mark = s.scalar(select(CatchUpMark.through).where(CatchUpMark.name == HOURLY_WEEKS))
            due = self._due_weeks(s, now, horizon, mark)
        billed = []
        for cid, start in due:
            summary = self.bill_week(cid, start)
            if summary.billed:
                billed.append(summary)
        self._settled(mark, horizon.date())
        return billed

    def billable_weeks_before(self, s: Session, day: date) -> tuple[int, list[WeekSummary]]:
        """For `check`: the unbilled hourly weeks wholly before `day` (catch-up's mark)
        that have tracked time — how many — and those of them that would bill something
        (catch-up, reading from the mark on, would never bill them)."""
        settled, _ = billing_week(datetime.combine(day, time(), UTC), self._rules)
        unbilled = self._due_weeks(s, self._clock.now(), settled)
        billable = []
        for contract_id, start in unbilled:
            contract = s.get(Contract, contract_id)
            if contract is None or contract.hourly_rate_minor is None:
                continue
            summary = self._compute(s, contract, start).summary
            if summary.amount:
                billable.append(summary)
        return len(unbilled), billable

    def _horizon(self, now: datetime) -> datetime:
        """The start of the first week whose diary has not locked at `now`: every week
        starting before it has locked."""
        latest, _ = billing_week(now, self._rules)
        while diary_lock_at(latest, self._rules) > now:
            latest -= timedelta(days=7)
        return latest + timedelta(days=7)

    def _settled(self, mark: date | None, through: date) -> None:
        """Every week before `through` is now billed or has nothing to bill: move the
        mark there — unless a trigger moved or dropped it since it was read as `mark`
        (new time in a settled week, changed billing terms), then the next catch-up
        reads from where the trigger left it."""
        if mark is not None and mark >= through:
            return
        with self._db.session() as s:
            if mark is None:
                if s.get(CatchUpMark, HOURLY_WEEKS) is None:
                    s.add(CatchUpMark(name=HOURLY_WEEKS, through=through))
            else:
                s.execute(
                    update(CatchUpMark)
                    .where(CatchUpMark.name == HOURLY_WEEKS, CatchUpMark.through == mark)
                    .values(through=through)
                )

    def _due_weeks(
        self, s: Session, now: datetime, horizon: datetime, mark: date | None = None
    ) -> list[tuple[uuid.UUID, datetime]]:
        """The locked contract-weeks with tracked time and no `hourly_week` transaction,
        oldest first: one set-based query (the week and the source id computed in SQL,
        NOT EXISTS against the ledger's source index) where the backend has the date
        functions for it, else the weeks are worked out here. With a `mark` (see
        storage/models/catch_up_marks.py) only the days from it on are read: the weeks
        before it are settled."""
        # The weeks come from the tracked_days summary (rows exist only for days with
        # non-deleted segments): tens of thousands of rows, not every segment; from the
        # mark on, the few days since the last catch-up.
        hourly = [
            Contract.kind == "hourly",
            Contract.platform == Platform.UPWORK.value,
            TrackedDay.day < horizon.date(),
        ]
        if mark is not None:
            hourly.append(TrackedDay.day >= mark)
        sql = _week_sql(s.get_bind().dialect.name, self._rules, of_date=True)
        if sql is None:  # another backend: the weeks in Python, the billed ones in one query
            billed = set(
                s.scalars(
                    select(LedgerTransaction.source_id).where(
                        LedgerTransaction.source_kind == SourceKind.HOURLY_WEEK.value
                    )
                )
            )
            rows = s.execute(
                select(TrackedDay.contract_id, TrackedDay.day)
                .join(Contract, Contract.id == TrackedDay.contract_id)
                .where(*hourly)
            ).all()
            weeks = {
                (cid, billing_week(datetime.combine(day, time(), UTC), self._rules)[0])
                for cid, day in rows
                if cid
            }
            found = [
                (cid, start)
                for cid, start in weeks
                if hourly_week_source(str(cid), start)[1] not in billed
            ]
        else:
            week_of, text_id = sql
            cw = (
                select(
                    TrackedDay.contract_id.label("cid"),
                    week_of(TrackedDay.day).label("week"),
                )
                .join(Contract, Contract.id == TrackedDay.contract_id)
                .where(*hourly)
                .distinct()
                .subquery()
            )
            billed_source = (
                select(literal(1))
                .select_from(LedgerTransaction)
                .where(
                    LedgerTransaction.source_kind == SourceKind.HOURLY_WEEK.value,
                    LedgerTransaction.source_id == text_id(cw.c.cid) + "/" + cw.c.week,
                )
            )
            found = [
                (cid, datetime.combine(date.fromisoformat(week), time(), UTC))
                for cid, week in s.execute(
                    select(cw.c.cid, cw.c.week).where(~billed_source.exists())
                ).all()
            ]
        return sorted(
            ((cid, start) for cid, start in found if diary_lock_at(start, self._rules) <= now),
            key=lambda w: (w[1], str(w[0])),
        )

    def _compute(self, s: Session, contract: Contract, week_start: datetime | date) -> _Computed:
        start = week_start_of(week_start)
        lock = diary_lock_at(start, self._rules)  # refuses a start that is not a week's
        _, end = billing_week(start, self._rules)
        if contract.kind != "hourly" or contract.hourly_rate_minor is None:
            raise RuleError(
                "billing.not_hourly",
                f"contract {contract.title!r} is not hourly: it has no billing weeks",
                field="contract",
            )
        segments = list(
            s.scalars(
                select(Segment)
                .where(
                    Segment.contract_id == contract.id,
                    Segment.slot_start >= start,
                    Segment.slot_start < end,
                    Segment.deleted.is_(False),
                )
                .order_by(Segment.slot_start)
            )
        )
        seconds = [seg.tracked_seconds for seg in segments]
        limit = (
            None if contract.weekly_limit_minutes is None else contract.weekly_limit_minutes * 60
        )
        within = within_weekly_limit(seconds, limit)
        over = over_weekly_limit(seconds, limit)
        rule = RoundingRule.from_code(contract.rounding_rule)
        billable = rule.billable_seconds(within)
        if limit is not None:
            billable = min(billable, limit)  # rounding up never bills past the limit
        rate = Money(contract.hourly_rate_minor, contract.currency)
        amount = bill_amount(billable, rate)
        fee, net = amount.split_fee(contract.fee_bp)
        existing = self._ledger.find_source(s, hourly_week_source(str(contract.id), start))
        if existing is not None:  # billed: the money is what was booked, whatever changed since
            amount = Money(
                -sum(p.amount_minor for p in existing.postings if p.account_kind == "client_funds"),
                contract.currency,
            )
            fee = Money(
                sum(p.amount_minor for p in existing.postings if p.account_kind == "fees"),
                contract.currency,
            )
            net = amount - fee
        manual = [seg.tracked_seconds for seg in segments if seg.manual]
        summary = WeekSummary(
            contract_id=str(contract.id),
            week_start=start,
            week_end=end,
            tracked_seconds=sum(seconds),
            billable_seconds=billable,
            over_limit_seconds=sum(seconds) - sum(within),
            over_limit_segments=sum(over),
            manual_seconds=sum(manual),
            manual_segments=len(manual),
            weekly_limit_seconds=limit,
            rounding=contract.rounding_rule,
            rate=rate,
            amount=amount,
            fee=fee,
            net=net,
            diary_lock_at=lock,
            review_ends_at=review_ends_at(start, self._rules),
            available_at=hourly_available_at(start, self._rules),
            locked=self._clock.now() >= lock,
            billed=existing is not None,
            transaction_id=str(existing.id) if existing is not None else None,
        )
        return _Computed(segments, over, summary)
