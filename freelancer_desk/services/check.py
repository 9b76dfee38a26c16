"""The integrity check: what must hold in a workspace, verified row by row.

`check_workspace(db)` reads everything and lists problems, one line each, naming the
table, the row and the rule. It writes nothing. Some rules are also database
constraints; they are checked again here because a file can be edited by other tools,
restored from an old backup, or copied from a database that did not enforce them.

On SQLite the file itself is checked first (`PRAGMA integrity_check` and
`foreign_key_check`); on other databases those two are skipped.

Given the data folder's delivered files (`App.check` gives them), the copies this device
keeps are checked last, after the database reads: each row's copy must be there with its
size and SHA-256 (hashed only when the size matches: every byte is read, 1-2 s a GiB
here from the page cache, more from a cold disk; docs/benchmarks.md). Rows another device
keeps are that device's to check; the summary says how many. Copies no row names (a crash
between the copy and the commit, an order deleted) are not problems: `notes` gives their
count and size. Nothing is removed.
"""

from __future__ import annotations

import hashlib
import re
import stat
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select
from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import SEGMENT_MINUTES, RoundingRule
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.ledger import HOLDING_KINDS, AccountKind, SourceKind
from freelancer_desk.domain.money import Money, MoneyError, check_currency
from freelancer_desk.domain.platforms import FIVERR, Platform
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.delivered_files import DeliveredFiles, _size_words
from freelancer_desk.storage.models import (
    Client,
    Contract,
    Gig,
    GigPackage,
    Invoice,
    JobPost,
    LedgerPosting,
    LedgerTransaction,
    Milestone,
    Order,
    OrderDelivery,
    OrderExtra,
    Proposal,
    Segment,
    TimeSession,
    billed_weeks,
    ledger_totals,
    tracked_weeks,
)
from freelancer_desk.storage.models.orders import OrderDeliveryFile
from freelancer_desk.storage.models.tracked_days import recompute_sql

# At most this many problems are listed per rule; the rest are counted.
MAX_PER_RULE = 50

SLOT = timedelta(minutes=SEGMENT_MINUTES)
SLOT_SECONDS = SEGMENT_MINUTES * 60
_HOLDING = frozenset(kind.value for kind in HOLDING_KINDS)
_IN_ESCROW_STATES = ("funded", "submitted", "changes_requested", "disputed")


@dataclass
class CheckReport:
    """`problems`: one line each, naming the table, the row and the rule; `checked`:
    how many of each thing were looked at; `notes`: what is worth knowing but breaks no
    rule (what was not checked here and why, copies no row uses)."""

    problems: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _per_rule: dict[str, int] = field(default_factory=lambda: defaultdict(int), repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, rule: str, message: str) -> None:
        self._per_rule[rule] += 1
        if self._per_rule[rule] <= MAX_PER_RULE:
            self.problems.append(f"{message} (rule: {rule})")

    def count(self, what: str, n: int) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    def finish(self) -> CheckReport:
        for rule, n in sorted(self._per_rule.items()):
            if n > MAX_PER_RULE:
                self.problems.append(f"… and {n - MAX_PER_RULE} more problems of rule {rule}")
        return self

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": list(self.problems),
            "checked": dict(self.checked),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """One line: what was checked, then the notes."""
        line = ", ".join(f"{n} {k}" for k, n in self.checked.items())
        return "; ".join([line, *self.notes])


def check_workspace(
    db: Database, files: DeliveredFiles | None = None, device_id: str | None = None
) -> CheckReport:
    """Every check, in order; a check that cannot run is itself a problem. `files` and
    `device_id`: this data folder's delivered files, checked when given."""
    report = CheckReport()
    if db.is_sqlite:
        _guarded(report, "database file", lambda: _sqlite_file(db, report))
    with db.read() as session:
        checks: list[tuple[str, Callable[[Session, CheckReport], None]]] = [
            ("ledger balance", _ledger_balanced),
            ("holding accounts", _holding_accounts),
            ("milestones", _milestones),
            ("orders", _orders),
            ("time sessions", _sessions),
            ("segments", _segments),
            ("tracked time summary", _tracked_days),
            ("tracked time per week", _tracked_weeks),
            ("ledger totals summary", _ledger_totals),
            ("billed weeks summary", _billed_weeks),
            ("catch-up mark", lambda s, r: _catch_up_mark(db, s, r)),
            ("contracts", _contracts),
            ("clients' platforms", _platform_clients),
            ("proposals", _proposals),
            ("invoices", _invoices),
            ("gigs", _gigs),
            ("currencies", _currencies),
        ]
        for name, check in checks:
            _guarded(report, name, lambda check=check: check(session, report))  # type: ignore[misc]
    if files is not None and device_id is not None:
        _guarded(report, "delivered files", lambda: _delivered_files(db, files, device_id, report))
    return report.finish()


def _guarded(report: CheckReport, name: str, run: Callable[[], None]) -> None:
    try:
        run()
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        report.add("check.unreadable", f"{name}: the check could not read the data: {first}")


def _short(ident: object) -> str:
    return str(ident)[:8]


def _money(amount: int, currency: str) -> str:
    try:
        return str(Money(amount, currency))
    except MoneyError:
        return f"{amount} {currency} (minor units)"


# -- the file ------------------------------------------------------------------------------


def _sqlite_file(db: Database, report: CheckReport) -> None:
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("PRAGMA integrity_check").all()
        for (message,) in rows:
            if message != "ok":
                report.add("sqlite.integrity", f"database file: {message}")
        for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
            report.add(
                "sqlite.foreign_key",
                f"{table} row {rowid}: points to a {parent} row that does not exist",
            )
    report.count("database checks", 2)


# -- the ledger ------------------------------------------------------------------------------


def _ledger_balanced(session: Session, report: CheckReport) -> None:
    n_tx = session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    n_postings = session.scalar(select(func.count()).select_from(LedgerPosting)) or 0
    report.count("ledger transactions", n_tx)
    report.count("ledger postings", n_postings)
    unbalanced = session.execute(
        select(
            LedgerPosting.transaction_id,
            LedgerPosting.currency,
            func.sum(LedgerPosting.amount_minor),
        )
        .group_by(LedgerPosting.transaction_id, LedgerPosting.currency)
        .having(func.sum(LedgerPosting.amount_minor) != 0)
        .order_by(LedgerPosting.transaction_id, LedgerPosting.currency)
    ).all()
    for tx_id, currency, total in unbalanced:
        report.add(
            "ledger.balanced",
            f"ledger_transactions {_short(tx_id)}: postings do not sum to zero in {currency}"
            f" (off by {_money(int(total), currency)})",
        )
    postings = (
        select(func.count(LedgerPosting.id))
        .where(LedgerPosting.transaction_id == LedgerTransaction.id)
        .correlate(LedgerTransaction)
        .scalar_subquery()
    )
    for tx_id, n in session.execute(
        select(LedgerTransaction.id, postings)
        .where(postings < 2)
        .order_by(LedgerTransaction.occurred_at)
    ).all():
        report.add(
            "ledger.two_postings",
            f"ledger_transactions {_short(tx_id)}: has {n} posting{'s' if n != 1 else ''},"
            " a transaction needs at least two",
        )
    rows = session.execute(
        select(
            LedgerPosting.id,
            LedgerPosting.account_kind,
            LedgerPosting.amount_minor,
            LedgerPosting.available_at,
            LedgerTransaction.occurred_at,
        ).join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
    ).all()
    for posting_id, kind, amount, available_at, occurred_at in rows:
        if available_at is None:
            continue
        if kind != AccountKind.PENDING.value or amount <= 0:
            report.add(
                "ledger.available_at",
                f"ledger_postings {_short(posting_id)}: has an available date but does not"
                " put money into pending",
            )
        elif available_at < occurred_at:
            report.add(
                "ledger.available_at",
                f"ledger_postings {_short(posting_id)}: becomes available"
                f" ({available_at.isoformat()}) before it was earned ({occurred_at.isoformat()})",
            )


def _holding_accounts(session: Session, report: CheckReport) -> None:
    """Escrow, pending and available money never below zero, at any moment.

    Balances are followed in time order: per account (kind, scope, currency); per
    source too for escrow and pending (a milestone never releases more than it funded);
    and for available, the platform-wide pool of each currency, from which withdrawals
    without a scope are taken.
    """
    rows = session.execute(
        select(
            LedgerTransaction.occurred_at,
            LedgerTransaction.platform,
            LedgerTransaction.source_kind,
            LedgerTransaction.source_id,
            LedgerPosting.account_kind,
            LedgerPosting.scope_kind,
            LedgerPosting.scope_id,
            LedgerPosting.currency,
            LedgerPosting.amount_minor,
        )
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account_kind.in_(sorted(_HOLDING)))
        .order_by(LedgerTransaction.occurred_at)
    ).all()
    balances: dict[tuple[Any, ...], int] = defaultdict(int)
    reported: set[tuple[Any, ...]] = set()
    described: dict[tuple[Any, ...], str] = {}

    def settle(instant: datetime, touched: Iterable[tuple[Any, ...]]) -> None:
        for key in touched:
            if balances[key] < 0 and key not in reported:
                reported.add(key)
                report.add(
                    f"ledger.{key[1]}_negative",
                    f"{described[key]} goes below zero on {instant.isoformat()}: "
                    f"{_money(balances[key], key[-1])}",
                )

    current: datetime | None = None
    touched: set[tuple[Any, ...]] = set()
    for occurred_at, platform, src_kind, src_id, kind, scope_kind, scope_id, cur, amount in rows:
        if current is not None and occurred_at != current:
            settle(current, touched)
            touched = set()
        current = occurred_at
        keys: list[tuple[tuple[Any, ...], str]] = []
        where = f"{scope_kind} {_short(scope_id)}" if scope_id is not None else "workspace"
        if kind == AccountKind.AVAILABLE.value:
            keys.append(
                (
                    ("pool", kind, platform, cur),
                    f"available money on {platform} ({cur}, all scopes)",
                )
            )
            if scope_id is not None:
                keys.append((("account", kind, scope_id, cur), f"available of {where} ({cur})"))
        else:
            keys.append((("account", kind, scope_id, cur), f"{kind} of {where} ({cur})"))
            keys.append(
                (
                    ("source", kind, scope_id, src_kind, src_id, cur),
                    f"{kind} held for {src_kind} {_short(src_id)} ({cur})",
                )
            )
        for key, text in keys:
            balances[key] += int(amount)
            described.setdefault(key, text)
            touched.add(key)
    if current is not None:
        settle(current, touched)
    report.count("holding accounts", sum(1 for key in balances if key[0] != "source"))


def _escrow_by_source(session: Session, source_kind: SourceKind) -> dict[str, int]:
    rows = session.execute(
        select(LedgerTransaction.source_id, func.sum(LedgerPosting.amount_minor))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(
            LedgerTransaction.source_kind == source_kind.value,
            LedgerPosting.account_kind == AccountKind.ESCROW.value,
        )
        .group_by(LedgerTransaction.source_id)
    ).all()
    return {str(source_id): int(total or 0) for source_id, total in rows}


# -- milestones, orders -----------------------------------------------------------------------


def _milestones(session: Session, report: CheckReport) -> None:
    escrow = _escrow_by_source(session, SourceKind.MILESTONE)
    rows = session.execute(
        select(Milestone, Contract.currency, Contract.kind).join(
            Contract, Contract.id == Milestone.contract_id
        )
    ).all()
    report.count("milestones", len(rows))
    for m, contract_currency, _kind in rows:
        name = f"milestones {_short(m.id)} ({m.title!r})"
        held = m.funded_minor - m.released_minor - m.refunded_minor
        if min(m.funded_minor, m.released_minor, m.refunded_minor) < 0:
            report.add("milestone.amounts_nonnegative", f"{name}: an amount is negative")
        if m.released_minor + m.refunded_minor > m.funded_minor:
            report.add(
                "milestone.escrow_covers",
                f"{name}: released {_money(m.released_minor, m.currency)} + refunded "
                f"{_money(m.refunded_minor, m.currency)} exceed funded "
                f"{_money(m.funded_minor, m.currency)}",
            )
        if m.currency != contract_currency:
            report.add(
                "milestone.currency",
                f"{name}: in {m.currency} but its contract is in {contract_currency}",
            )
        if m.state == "planned" and (m.funded_minor or m.released_minor or m.refunded_minor):
            report.add("milestone.state_amounts", f"{name}: planned but money has moved")
        elif m.state in _IN_ESCROW_STATES and held <= 0:
            report.add(
                "milestone.state_amounts",
                f"{name}: {m.state.replace('_', ' ')} but nothing is held in escrow",
            )
        elif m.state in ("released", "refunded"):
            moved = m.released_minor if m.state == "released" else m.refunded_minor
            if moved <= 0:
                report.add(
                    "milestone.state_amounts", f"{name}: {m.state} but no money was {m.state}"
                )
            if held > 0:
                report.add(
                    "milestone.state_amounts",
                    f"{name}: {m.state} but {_money(held, m.currency)} is still in escrow",
                )
        booked = escrow.get(str(m.id))
        if booked is not None and booked != held:
            report.add(
                "milestone.ledger_escrow",
                f"{name}: holds {_money(held, m.currency)} in escrow but its ledger rows hold "
                f"{_money(booked, m.currency)}",
            )


def _orders(session: Session, report: CheckReport) -> None:
    escrow = _escrow_by_source(session, SourceKind.ORDER)
    extras: dict[uuid.UUID, int] = {
        order_id: int(total or 0)
        for order_id, total in session.execute(
            select(
                OrderExtra.order_id, func.sum(OrderExtra.price_minor * OrderExtra.quantity)
            ).group_by(OrderExtra.order_id)
        ).all()
    }
    orders = session.scalars(select(Order)).all()
    report.count("orders", len(orders))
    needs = {
        "delivered": ("delivered_at",),
        "revision_requested": ("delivered_at",),
        "completed": ("delivered_at", "completed_at"),
        "cancelled": ("cancelled_at",),
        "in_progress": ("started_at",),
    }
    for o in orders:
        name = f"orders {o.number or _short(o.id)}"
        if o.revisions_used < 0:
            report.add("order.revisions_used", f"{name}: {o.revisions_used} revisions used")
        elif o.revisions_allowed is not None and o.revisions_used > o.revisions_allowed:
            report.add(
                "order.revision_allowance",
                f"{name}: {o.revisions_used} revisions used of {o.revisions_allowed} allowed",
            )
        if o.price_minor < 0:
            report.add("order.price_nonnegative", f"{name}: price is negative")
        if extras.get(o.id, 0) > o.price_minor:
            report.add(
                "order.extras_within_price",
                f"{name}: its extras cost more than the order's price",
            )
        for attribute in needs.get(o.state, ()):
            if getattr(o, attribute) is None:
                report.add(
                    "order.state_dates",
                    f"{name}: {o.state.replace('_', ' ')} but {attribute} is empty",
                )
        stamps = [
            (label, value)
            for label, value in (
                ("ordered_at", o.ordered_at),
                ("started_at", o.started_at),
                ("delivered_at", o.delivered_at),
                ("completed_at", o.completed_at),
            )
            if value is not None
        ]
        for (a, first), (b, second) in pairwise(stamps):
            if second < first:
                report.add("order.date_order", f"{name}: {b} is before {a}")
        booked = escrow.get(str(o.id))
        if booked is not None and o.state in ("completed", "cancelled") and booked != 0:
            report.add(
                "order.ledger_escrow",
                f"{name}: {o.state} but its ledger rows still hold "
                f"{_money(booked, o.currency)} in escrow",
            )


# -- tracked time ------------------------------------------------------------------------------


def _sessions(session: Session, report: CheckReport) -> None:
    rows = session.execute(
        select(
            TimeSession.id,
            TimeSession.device_id,
            TimeSession.started_at,
            TimeSession.ended_at,
            TimeSession.last_seen_at,
            TimeSession.contract_id,
            TimeSession.order_id,
        ).order_by(TimeSession.device_id, TimeSession.started_at)
    ).all()
    report.count("time sessions", len(rows))
    running: dict[str, list[uuid.UUID]] = defaultdict(list)
    # Per device: the session reaching furthest so far, and where it ends (None: running).
    frontier: dict[str, tuple[uuid.UUID, datetime | None]] = {}
    for ident, device, started, ended, seen, contract_id, order_id in rows:
        name = f"time_sessions {_short(ident)}"
        if (contract_id is None) == (order_id is None):
            report.add(
                "time_session.one_target",
                f"{name}: is for {_targets(contract_id, order_id)}, not exactly one "
                "contract or order",
            )
        if ended is None:
            running[device].append(ident)
        elif ended < started:
            report.add("time_session.ends_after_start", f"{name}: ends before it starts")
        if seen is not None and seen < started:
            report.add("time_session.heartbeat", f"{name}: last heartbeat before it started")
        previous = frontier.get(device)
        if previous is not None and (previous[1] is None or previous[1] > started):
            report.add(
                "time_session.overlap",
                f"{name}: starts ({started.isoformat()}) before session {_short(previous[0])} "
                f"on device {device!r} ends: the same time is tracked twice",
            )
        if previous is None or (previous[1] is not None and (ended is None or ended > previous[1])):
            frontier[device] = (ident, ended)
    for device, idents in running.items():
        if len(idents) > 1:
            report.add(
                "time_session.one_running_per_device",
                f"time_sessions: {len(idents)} sessions are running on device {device!r} "
                f"({', '.join(_short(i) for i in idents)})",
            )


def _segments(session: Session, report: CheckReport) -> None:
    sessions = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                TimeSession.id,
                TimeSession.started_at,
                TimeSession.ended_at,
                TimeSession.contract_id,
                TimeSession.order_id,
                TimeSession.device_id,
            )
        ).all()
    }
    rows = session.execute(
        select(
            Segment.id,
            Segment.session_id,
            Segment.contract_id,
            Segment.order_id,
            Segment.slot_start,
            Segment.tracked_seconds,
            Segment.activity,
            Segment.active_minutes,
            Segment.deleted,
        ).order_by(Segment.slot_start)
    ).all()
    report.count("segments", len(rows))
    per_device_slot: dict[tuple[str, datetime], int] = defaultdict(int)
    for ident, session_id, contract_id, order_id, slot, seconds, activity, active, deleted in rows:
        name = f"segments {_short(ident)} ({slot.isoformat()})"
        if slot.minute % SEGMENT_MINUTES or slot.second or slot.microsecond:
            report.add(
                "segment.aligned",
                f"{name}: does not start on a {SEGMENT_MINUTES}-minute boundary (:00, :10, … :50)",
            )
        if not 0 <= seconds <= SLOT_SECONDS:
            report.add("segment.tracked_seconds", f"{name}: {seconds} s tracked in a 600 s slot")
        _check_activity(report, name, activity, active, seconds)
        owner = sessions.get(session_id)
        if owner is None:
            report.add("segment.session", f"{name}: its session does not exist")
            continue
        started, ended, s_contract, s_order, device = owner
        if (contract_id is None) == (order_id is None):
            report.add(
                "segment.one_target",
                f"{name}: is for {_targets(contract_id, order_id)}, not exactly one "
                "contract or order",
            )
        elif (contract_id, order_id) != (s_contract, s_order):
            report.add(
                "segment.target",
                f"{name}: is for {_targets(contract_id, order_id)} but its session "
                f"{_short(session_id)} for {_targets(s_contract, s_order)}",
            )
        start = started.replace(microsecond=0)
        if slot + SLOT <= start or (ended is not None and slot >= ended):
            report.add(
                "segment.within_session",
                f"{name}: lies outside its session "
                f"({start.isoformat()} – {ended.isoformat() if ended else 'running'})",
            )
        elif ended is not None:
            end = ended.replace(microsecond=0)
            inside = int((min(slot + SLOT, end) - max(slot, start)).total_seconds())
            if seconds > inside:
                report.add(
                    "segment.within_session",
                    f"{name}: {seconds} s tracked but its session covers only {inside} s of the slot",
                )
        if not deleted:
            per_device_slot[(device, slot)] += seconds
    for (device, slot), total in per_device_slot.items():
        if total > SLOT_SECONDS:
            report.add(
                "segment.slot_total",
                f"segments at {slot.isoformat()} on device {device!r}: {total} s tracked in one "
                f"{SEGMENT_MINUTES}-minute slot (counted twice)",
            )


def _tracked_days(session: Session, report: CheckReport) -> None:
    """The summary the database keeps (tracked_days) equals a recomputation from the
    segments: one line naming how many rows disagree and the first of them."""
    dialect = session.get_bind().dialect.name
    _tracked_summary(session, report, "tracked_days", "day", recompute_sql(dialect), "day")


def _tracked_weeks(session: Session, report: CheckReport) -> None:
    """The same for the per-UTC-week summary (tracked_weeks)."""
    dialect = session.get_bind().dialect.name
    _tracked_summary(
        session, report, "tracked_weeks", "week", tracked_weeks.recompute_sql(dialect), "UTC week"
    )


def _tracked_summary(
    session: Session, report: CheckReport, table: str, key_column: str, recompute: str, per: str
) -> None:
    columns = ("segments", "tracked_seconds", "manual_seconds", "over_limit_seconds")

    def key(when: Any, target: Any) -> tuple[str, str]:
        return str(when)[:10], str(uuid.UUID(str(target)))

    stored = {
        key(when, target): tuple(int(v) for v in rest)
        for when, target, *rest in session.execute(
            sql_text(f"SELECT {key_column}, target_id, {', '.join(columns)} FROM {table}")
        )
    }
    wanted = {
        key(when, target): tuple(int(v) for v in rest)
        for when, target, _cid, _oid, *rest in session.execute(sql_text(recompute))
    }
    report.count(table.replace("_", " "), len(stored))
    wrong = sorted(k for k in stored.keys() | wanted.keys() if stored.get(k) != wanted.get(k))
    if not wrong:
        return
    when, target = wrong[0]
    zero = (0, 0, 0, 0)
    have, want = stored.get(wrong[0], zero), wanted.get(wrong[0], zero)
    first = ", ".join(
        f"{name} {a} instead of {b}"
        for name, a, b in zip(columns, have, want, strict=True)
        if a != b
    )
    report.add(
        f"{table}.matches_segments",
        f"{table}: {len(wrong)} (contract or order, {per}) rows disagree with the segments; "
        f"first: {_short(target)} on {when}: {first}",
    )


def _ledger_totals(session: Session, report: CheckReport) -> None:
    """The summary the database keeps (ledger_totals) equals a recomputation from the
    postings: one line naming how many rows disagree and the first of them."""

    def key(*parts: Any) -> tuple[str, ...]:
        kind, cur, client, scope = parts
        return str(kind), str(cur), str(uuid.UUID(str(client))), str(uuid.UUID(str(scope)))

    stored = {
        key(*rest): (int(n), int(total))
        for *rest, n, total in session.execute(
            sql_text(
                "SELECT account_kind, currency, client_key, scope_key, postings, amount_minor "
                f"FROM {ledger_totals.TABLE}"
            )
        )
    }
    dialect = session.get_bind().dialect.name
    wanted = {
        key(*rest): (int(n), int(total))
        for *rest, n, total in session.execute(sql_text(ledger_totals.recompute_sql(dialect)))
    }
    report.count("ledger totals", len(stored))
    wrong = sorted(k for k in stored.keys() | wanted.keys() if stored.get(k) != wanted.get(k))
    if not wrong:
        return
    kind, cur, client, scope = wrong[0]
    have, want = stored.get(wrong[0], (0, 0)), wanted.get(wrong[0], (0, 0))
    report.add(
        "ledger_totals.matches_postings",
        f"ledger_totals: {len(wrong)} (account, client, scope) rows disagree with the postings; "
        f"first: {kind} {cur} of client {_short(client)}, scope {_short(scope)}: "
        f"{have[0]} postings summing {_money(have[1], cur)} instead of {want[0]} summing "
        f"{_money(want[1], cur)}",
    )


def _billed_weeks(session: Session, report: CheckReport) -> None:
    """The summary the database keeps per billed hourly week (billed_weeks) equals a
    recomputation from the postings: one line naming how many rows disagree and the
    first of them."""
    stored = {
        (str(sid), str(cur)): (int(n), int(total))
        for sid, cur, n, total in session.execute(
            sql_text(
                f"SELECT source_id, currency, postings, amount_minor FROM {billed_weeks.TABLE}"
            )
        )
    }
    dialect = session.get_bind().dialect.name
    wanted = {
        (str(sid), str(cur)): (int(n), int(total))
        for sid, cur, n, total in session.execute(sql_text(billed_weeks.recompute_sql(dialect)))
    }
    report.count("billed weeks", len(stored))
    wrong = sorted(k for k in stored.keys() | wanted.keys() if stored.get(k) != wanted.get(k))
    if not wrong:
        return
    sid, cur = wrong[0]
    have, want = stored.get(wrong[0], (0, 0)), wanted.get(wrong[0], (0, 0))
    report.add(
        "billed_weeks.matches_postings",
        f"billed_weeks: {len(wrong)} (hourly week, currency) rows disagree with the postings; "
        f"first: {sid} in {cur}: {have[0]} earned postings summing {_money(have[1], cur)} "
        f"instead of {want[0]} summing {_money(want[1], cur)}",
    )


def _catch_up_mark(db: Database, session: Session, report: CheckReport) -> None:
    """Every Upwork hourly week wholly before catch-up's billing mark is billed or has
    nothing to bill (catch-up reads only the days from the mark on): one line per week
    that would bill something and that catch-up will no longer look at."""
    from freelancer_desk.services.billing import HourlyBillingService
    from freelancer_desk.services.ledger import LedgerService
    from freelancer_desk.storage.models.catch_up_marks import HOURLY_WEEKS, CatchUpMark

    mark = session.scalar(select(CatchUpMark.through).where(CatchUpMark.name == HOURLY_WEEKS))
    if mark is None:
        return
    billing = HourlyBillingService(db, db.clock, LedgerService(db))
    checked, billable = billing.billable_weeks_before(session, mark)
    report.count("unbilled weeks before the catch-up mark", checked)
    for week in billable:
        report.add(
            "catch_up_marks.settled",
            f"catch_up_marks: the week of {week.week_start.date().isoformat()} of contract "
            f"{_short(week.contract_id)} would bill {week.amount} but lies before catch-up's "
            f"mark ({mark.isoformat()}): catch-up will not bill it",
        )


def _targets(contract_id: Any, order_id: Any) -> str:
    """What a session or segment is for, as the check names it."""
    named = [
        f"{what} {_short(ident)}"
        for what, ident in (("contract", contract_id), ("order", order_id))
        if ident is not None
    ]
    return " and ".join(named) or "neither a contract nor an order"


def _check_activity(
    report: CheckReport, name: str, activity: Any, active: int, seconds: int
) -> None:
    if not isinstance(activity, list) or len(activity) > SEGMENT_MINUTES:
        report.add("segment.activity", f"{name}: activity is not a list of at most 10 minutes")
        return
    if any(not isinstance(a, int) or isinstance(a, bool) or not 0 <= a <= 60 for a in activity):
        report.add("segment.activity", f"{name}: an activity minute is not 0–60 seconds")
    if not 0 <= active <= SEGMENT_MINUTES:
        report.add("segment.active_minutes", f"{name}: {active} active minutes")
    elif active > -(-seconds // 60) + 1:
        report.add(
            "segment.active_minutes",
            f"{name}: {active} active minutes but only {seconds} s tracked",
        )


# -- the rest ------------------------------------------------------------------------------


def _contracts(session: Session, report: CheckReport) -> None:
    contracts = session.scalars(select(Contract)).all()
    report.count("contracts", len(contracts))
    for c in contracts:
        name = f"contracts {_short(c.id)} ({c.title!r})"
        if c.state == "ended" and c.ended_at is None:
            report.add("contract.state_dates", f"{name}: ended but ended_at is empty")
        if c.state == "paused" and c.paused_at is None:
            report.add("contract.state_dates", f"{name}: paused but paused_at is empty")
        if c.kind != "hourly" and c.weekly_limit_minutes is not None:
            report.add(
                "contract.weekly_limit_kind", f"{name}: a weekly limit on a fixed-price contract"
            )
        if c.kind == "hourly" and c.hourly_rate_minor is None:
            report.add("contract.hourly_rate", f"{name}: hourly without a rate")
        if c.ended_at is not None and c.ended_at < c.started_at:
            report.add("contract.date_order", f"{name}: ends before it starts")
        try:
            RoundingRule.from_code(c.rounding_rule)
        except RuleError:
            report.add(
                "contract.rounding", f"{name}: rounding {c.rounding_rule!r} is not a known rule"
            )


def _platform_clients(session: Session, report: CheckReport) -> None:
    """A contract is on its client's platform, a job post links to a client on its own
    platform (hiring from it contracts with that client) and an order's buyer is a client
    on its gig's platform (Fiverr without a gig): the services refuse each since session 4
    (contract.platform_client, job_post.platform_client, order.buyer_platform), so only an
    older workspace, an import of one, or another tool can hold them."""
    client_platform: dict[Any, str] = {
        ident: platform
        for ident, platform in session.execute(select(Client.id, Client.platform)).all()
    }
    contracts = session.execute(
        select(Contract.id, Contract.title, Contract.platform, Contract.client_id)
    ).all()
    for ident, title, platform, client_id in contracts:
        on = client_platform.get(client_id)
        if on is not None and on != platform:
            report.add(
                "contract.platform_client",
                f"contracts {_short(ident)} ({title!r}): on {platform} but its client "
                f"{_short(client_id)} is a client on {on}",
            )
    posts = session.execute(
        select(JobPost.id, JobPost.title, JobPost.platform, JobPost.client_id).where(
            JobPost.client_id.is_not(None)
        )
    ).all()
    for ident, title, platform, linked in posts:
        on = client_platform.get(linked)
        if on is not None and on != platform:
            report.add(
                "job_post.platform_client",
                f"job_posts {_short(ident)} ({title!r}): a {platform} job post linked to "
                f"client {_short(linked)}, a client on {on}: hiring from it is refused",
            )
    orders = session.execute(
        select(Order.id, Order.number, Order.client_id, Gig.platform).outerjoin(
            Gig, Gig.id == Order.gig_id
        )
    ).all()
    for ident, number, buyer, gig_platform in orders:
        platform = gig_platform or Platform.FIVERR.value
        on = client_platform.get(buyer)
        if on is not None and on != platform:
            report.add(
                "order.buyer_platform",
                f"orders {number or _short(ident)}: a {platform} order whose buyer "
                f"{_short(buyer)} is a client on {on}",
            )
    report.count("platform links", len(contracts) + len(posts) + len(orders))


def _proposals(session: Session, report: CheckReport) -> None:
    rows = session.execute(select(Proposal.id, Proposal.state, Proposal.contract_id)).all()
    report.count("proposals", len(rows))
    for ident, state, contract_id in rows:
        if contract_id is not None and state != "hired":
            report.add(
                "proposal.contract_when_hired",
                f"proposals {_short(ident)}: points to a contract but is {state}, not hired",
            )


def _invoices(session: Session, report: CheckReport) -> None:
    invoices = session.scalars(select(Invoice)).all()
    report.count("invoices", len(invoices))
    for inv in invoices:
        name = f"invoices {inv.number}"
        if inv.state == "paid" and inv.paid_at is None:
            report.add("invoice.state_dates", f"{name}: paid but paid_at is empty")
        if inv.state in ("issued", "paid") and inv.issued_on is None:
            report.add("invoice.state_dates", f"{name}: {inv.state} but issued_on is empty")
        if inv.due_on is not None and inv.issued_on is not None and inv.due_on < inv.issued_on:
            report.add("invoice.due_after_issue", f"{name}: due before it was issued")


def _gigs(session: Session, report: CheckReport) -> None:
    gigs = session.scalars(select(Gig)).all()
    report.count("gigs", len(gigs))
    minimum = FIVERR.min_package_price
    counts = dict(
        session.execute(
            select(GigPackage.gig_id, func.count(GigPackage.id)).group_by(GigPackage.gig_id)
        ).all()
    )
    for gig in gigs:
        name = f"gigs {_short(gig.id)} ({gig.title!r})"
        n = int(counts.get(gig.id, 0))
        if n > FIVERR.max_packages:
            report.add("gig.package_count", f"{name}: {n} packages, at most 3")
        if gig.state != "active" or gig.platform != "fiverr":
            continue
        if n == 0:
            report.add("gig.active_packages", f"{name}: active without a package")
        # The gig's own minimum ("$5 or its equivalent" in its currency) when set, else
        # the platform's, which is known in USD only.
        if gig.min_package_price_minor is not None:
            floor: int | None = gig.min_package_price_minor
        else:
            floor = minimum.amount if gig.currency == minimum.currency else None
        if floor is None:
            continue
        for package in gig.packages:
            if package.price_minor < floor:
                report.add(
                    "gig.package_price_minimum",
                    f"{name}: package {package.tier} costs "
                    f"{_money(package.price_minor, gig.currency)}, "
                    f"under {_money(floor, gig.currency)}",
                )


def _currencies(session: Session, report: CheckReport) -> None:
    columns: list[tuple[str, Any]] = [
        ("clients", Client.currency),
        ("contracts", Contract.currency),
        ("milestones", Milestone.currency),
        ("orders", Order.currency),
        ("invoices", Invoice.currency),
        ("ledger_postings", LedgerPosting.currency),
    ]
    for table, column in columns:
        for (code,) in session.execute(select(column).distinct()).all():
            try:
                check_currency(code)
            except MoneyError:
                report.add("currency.known", f"{table}: currency {code!r} is not an ISO 4217 code")


# -- delivered files ---------------------------------------------------------------------

_STORED_SUFFIX = re.compile(r"(\.[a-z0-9]{1,10})?")


def _delivered_files(
    db: Database, files: DeliveredFiles, device_id: str, report: CheckReport
) -> None:
    """This device's rows against their copies, then the copies no row names. The rows
    are read first and the files after, outside the read: hashing many files takes long,
    and a read held that long keeps SQLite's log from being checkpointed."""
    with db.read() as session:
        rows = session.execute(
            select(
                OrderDeliveryFile.id,
                OrderDeliveryFile.name,
                OrderDeliveryFile.size_bytes,
                OrderDeliveryFile.sha256,
                OrderDeliveryFile.stored_path,
                OrderDeliveryFile.device_id,
                OrderDelivery.order_id,
            )
            .join(OrderDelivery, OrderDelivery.id == OrderDeliveryFile.delivery_id)
            .order_by(OrderDelivery.delivered_at, OrderDelivery.id, OrderDeliveryFile.position)
        ).all()
    mine = [row for row in rows if row.device_id == device_id]
    report.count("delivered files", len(mine))
    elsewhere = len(rows) - len(mine)
    if elsewhere:
        devices = len({row.device_id for row in rows} - {device_id})
        report.notes.append(
            f"{elsewhere} delivered file{'s' if elsewhere != 1 else ''} kept by "
            f"{devices} other device{'s' if devices != 1 else ''}, not checked here "
            "(their copies are in that device's data folder)"
        )
    # (stored path, size the row says): the copy's (size, sha256), or what is wrong with it
    seen: dict[tuple[str, int], tuple[int, str] | str] = {}
    for row in mine:
        where = (
            f"order_delivery_files {_short(row.id)} ({row.name!r}, order {_short(row.order_id)})"
        )
        sha = str(row.sha256).lower()
        expected = f"{sha[:2]}/{sha}"
        stored = str(row.stored_path)
        if not (stored.startswith(expected) and _STORED_SUFFIX.fullmatch(stored[len(expected) :])):
            # Not read: a path from an edited or imported row may point out of the folder.
            report.add(
                "delivered_file.stored_path",
                f"{where}: stored_path {stored!r} is not where its SHA-256 is kept "
                f"({expected}[.ext])",
            )
            continue
        key = (stored, int(row.size_bytes))
        found = seen.get(key)
        if found is None:
            found = seen[key] = _copy_state(files, stored, key[1])
        if isinstance(found, str):
            report.add("delivered_file.copy", f"{where}: copy deliveries/{stored} {found}")
        elif found[0] != row.size_bytes:
            report.add(
                "delivered_file.copy",
                f"{where}: copy deliveries/{stored} has {found[0]:,} bytes, the row says "
                f"{int(row.size_bytes):,}: changed since it was delivered",
            )
        elif found[1] != sha:
            report.add(
                "delivered_file.copy",
                f"{where}: copy deliveries/{stored} does not match its SHA-256: changed "
                "since it was delivered",
            )
    used = {str(row.stored_path) for row in rows}  # any device's: the same content
    unused = [(path, size) for path, size in files.copies() if path not in used]
    report.count("delivered-file copies", len({stored for stored, _size in seen}))
    if unused:
        total = sum(size for _path, size in unused)
        report.notes.append(
            f"{len(unused)} cop{'ies' if len(unused) != 1 else 'y'} in deliveries/ no row "
            f"uses ({_size_words(total)})"
        )
    unfinished = list(files.unfinished())
    if unfinished:
        total = sum(size for _path, size in unfinished)
        report.notes.append(
            f"{len(unfinished)} unfinished cop{'ies' if len(unfinished) != 1 else 'y'} in "
            f"deliveries/.incoming/ ({_size_words(total)}): being made now, or left by a "
            "delivery that was stopped"
        )


def _copy_state(files: DeliveredFiles, stored: str, size: int) -> tuple[int, str] | str:
    """The copy's (size, SHA-256), the hash left empty when the size is not `size`; or
    what is wrong with it."""
    path = files.path(stored)
    try:
        info = path.lstat()  # not opened unless a plain file: a FIFO would block the read
        if not stat.S_ISREG(info.st_mode):
            return "is not a plain file"
        if info.st_size != size:
            return info.st_size, ""
        with path.open("rb") as fh:
            return info.st_size, hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return "is missing"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
