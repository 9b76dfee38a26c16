"""A heavy, ten-year workspace for the benchmarks, deterministic with a seed.

    python bench/heavy.py --data-dir D [--seed N] [--db-url URL]

With `--db-url` the rows go into that database (an empty PostgreSQL database, e.g.
`postgresql+psycopg://user:pw@127.0.0.1:5432/heavy`) instead of D/workspace.sqlite3;
D still holds the device id and the peers' files. On PostgreSQL the tables are
analysed afterwards (as autovacuum would do soon after such a load).

60 clients, 600 Upwork contracts, 3,000 job posts with one proposal each, 150,000
tracked sessions on two devices (about 350,000 ten-minute segments with per-minute
activity and a snapshot row each — no image files: the rows say retention removed them),
and about 40,000 balanced ledger transactions (weekly hourly billing, milestones through
escrow, bonuses, clearances, weekly withdrawals) built with domain/ledger.py.

Rows are written through the storage models' tables with SQLAlchemy Core executemany;
every invariant `freelancer-desk check` looks at holds. The same 150,000 intervals are
written as a Watson frames file (D/peers/watson/frames) and Timewarrior data files, one
per month (D/peers/timewarrior/data/YYYY-MM.data), so the peers load the very same time.

Bench-only code: not part of the package, never run by `make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, inspect, text

from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain import ledger as money
from freelancer_desk.domain.billing import (
    RoundingRule,
    bill_amount,
    over_weekly_limit,
    split_into_segments,
    within_weekly_limit,
)
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week, security_period_ends_at
from freelancer_desk.storage.models import (
    Client,
    Contract,
    JobPost,
    LedgerPosting,
    LedgerTransaction,
    Milestone,
    Proposal,
    Segment,
    Snapshot,
    TimeSession,
)

START = datetime(2016, 1, 4, tzinfo=UTC)  # a Monday
END = datetime(2026, 1, 5, tzinfo=UTC)  # ten years and a day later, a Monday
NOW = datetime(2026, 1, 31, 12, tzinfo=UTC)  # the generator's clock: every week locked
N_CLIENTS = 60
N_CONTRACTS = 600
N_PROPOSALS = 3_000
N_SESSIONS = 150_000
DEVICES = ("laptop-heavy-bench", "desktop-heavy-bench")
RETENTION = timedelta(days=90)
BATCH = 20_000

_FIRST = "Ada Ben Chloe Dev Eli Fay Gus Hana Ivo Jun Kai Lena Milo Nia Omar Pia Quin Rosa".split()
_LAST = "Aalto Berg Costa Dietz Ek Fujii Garcia Haas Ito Jansen Kowal Lund Moreau Novak".split()
_COMPANY = "Labs Studio Works Systems Digital Health Retail Analytics Media Cloud".split()
_COUNTRY = ["US", "DE", "GB", "CA", "AU", "NL", "FR", "SE", "ES", "IE"]
_ZONES = ["America/New_York", "Europe/Berlin", "Europe/London", "America/Toronto"]
_WORK = (
    "API integration|Checkout redesign|Data pipeline|Dashboard|Mobile app backend|"
    "Search tuning|Payments migration|Admin panel|ETL jobs|Reporting module|"
    "Performance audit|Auth and SSO|Design system|Scraper|Chat widget"
).split("|")
_TAGS = ["planning", "coding", "review", "meeting", "testing", "deploy", "research", "support"]
_MEMOS = {
    "planning": "Planning the sprint",
    "coding": "Implementing the next ticket",
    "review": "Code review and fixes",
    "meeting": "Call with the client",
    "testing": "Writing tests",
    "deploy": "Release and deploy",
    "research": "Reading docs and prototyping",
    "support": "Answering support questions",
}


@dataclass
class _Contract:
    id: uuid.UUID
    number: int
    client: int
    client_id: uuid.UUID
    hourly: bool
    rate: int
    fee_bp: int
    limit_minutes: int | None
    policy: str
    start: datetime
    end: datetime  # last instant of work; ended when before END
    project: str
    # (slot_start, tracked_seconds, segment index) of non-deleted segments
    segments: list[tuple[datetime, int, int]] = field(default_factory=list)


class Heavy:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.contracts: list[_Contract] = []
        self.intervals: list[tuple[datetime, datetime, str, str, uuid.UUID]] = []
        self.ledger: list[tuple[money.Transaction, str, uuid.UUID | None, str]] = []

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def stamp(self, at: datetime) -> dict[str, Any]:
        return {"id": self.uid(), "created_at": at, "updated_at": at}

    # -- people and work ------------------------------------------------------------------
    def make_clients(self) -> None:
        self.client_ids: list[uuid.UUID] = []
        for n in range(N_CLIENTS):
            row = self.stamp(START - timedelta(days=30))
            name = f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
            row.update(
                name=f"{name} ({n + 1:02d})",
                platform="upwork",
                company=f"{self.rng.choice(_LAST)} {self.rng.choice(_COMPANY)}",
                country=self.rng.choice(_COUNTRY),
                timezone=self.rng.choice(_ZONES),
                email=f"client{n + 1:02d}@example.com",
                currency="USD",
                payment_terms_days=None,
                notes="",
                archived=False,
            )
            self.rows["clients"].append(row)
            self.client_ids.append(row["id"])

    def make_contracts(self) -> None:
        span = (END - START).days
        for n in range(N_CONTRACTS):
            client = self.rng.randrange(N_CLIENTS)
            hourly = self.rng.random() < 0.75
            start = START + timedelta(
                days=self.rng.randrange(0, span - 14), hours=self.rng.randint(8, 17)
            )
            end = start + timedelta(weeks=self.rng.randint(4, 62))
            ended = end < END
            fee = 1000 if start.year < 2025 else self.rng.choice([0, 500, 1000, 1200, 1500])
            c = _Contract(
                id=self.uid(),
                number=n + 1,
                client=client,
                client_id=self.client_ids[client],
                hourly=hourly,
                rate=self.rng.randrange(2500, 12500, 250),
                fee_bp=fee,
                limit_minutes=self.rng.choice([None, 20 * 60, 40 * 60]) if hourly else None,
                policy=self.rng.choice(["blurred", "full"]) if hourly else "off",
                start=start,
                end=min(end, END),
                project=f"client-{client + 1:02d}/contract-{n + 1:03d}",
            )
            self.contracts.append(c)
            row = self.stamp(start)
            row["id"] = c.id
            row.update(
                client_id=c.client_id,
                title=f"{self.rng.choice(_WORK)} #{n + 1:03d}",
                reference=f"UPW-{40_000_000 + n * 7919}",
                platform="upwork",
                kind="hourly" if hourly else "fixed",
                state="ended" if ended else "active",
                currency="USD",
                hourly_rate_minor=c.rate if hourly else None,
                fee_bp=fee,
                weekly_limit_minutes=c.limit_minutes,
                rounding_rule="upwork",
                snapshot_policy=c.policy,
                manual_time_allowed=True,
                started_at=start,
                paused_at=None,
                ended_at=end if ended else None,
                notes="",
            )
            self.rows["contracts"].append(row)

    def make_proposals(self) -> None:
        hires = {i: c for i, c in enumerate(self.contracts)}
        hired_slots = set(self.rng.sample(range(N_PROPOSALS), N_CONTRACTS))
        order = iter(sorted(hires))
        losing = ["declined", "withdrawn", "archived", "submitted", "viewed"]
        for n in range(N_PROPOSALS):
            contract = hires[next(order)] if n in hired_slots else None
            if contract is not None:
                posted = contract.start - timedelta(days=self.rng.randint(3, 20))
                client_id: uuid.UUID | None = contract.client_id
            else:
                posted = START + timedelta(minutes=self.rng.randrange(0, 10 * 365 * 24 * 60))
                client_id = None
            hourly = contract.hourly if contract else self.rng.random() < 0.7
            job = self.stamp(posted)
            job.update(
                title=f"{self.rng.choice(_WORK)} needed",
                platform="upwork",
                client_id=client_id,
                client_name="" if client_id else f"{self.rng.choice(_LAST)} Inc.",
                description="Looking for an experienced developer.",
                budget_kind="hourly" if hourly else "fixed",
                budget_min_minor=3000 if hourly else 50_000,
                budget_max_minor=9000 if hourly else 300_000,
                currency="USD",
                skills=["python", "sql"],
                screening_questions=[],
                url="",
                posted_at=posted,
                connects_required=self.rng.choice([4, 8, 12, 16]),
            )
            self.rows["job_posts"].append(job)
            sent = posted + timedelta(hours=self.rng.randint(1, 48))
            state = "hired" if contract else self.rng.choice(losing)
            decided = (
                (contract.start if contract else sent + timedelta(days=self.rng.randint(2, 30)))
                if state in ("hired", "declined", "withdrawn", "archived")
                else None
            )
            prop = self.stamp(sent)
            prop.update(
                job_post_id=job["id"],
                state=state,
                cover_letter="Hello, I have done this kind of work many times.",
                bid_kind="hourly" if hourly else "fixed",
                bid_minor=contract.rate if contract and hourly else 60_000,
                currency="USD",
                fee_bp=1000,
                duration_estimate="1 to 3 months",
                connects_spent=job["connects_required"],
                submitted_at=sent,
                viewed_at=sent + timedelta(hours=5) if state != "submitted" else None,
                decided_at=decided,
                template_id=None,
                contract_id=contract.id if contract else None,
            )
            self.rows["proposals"].append(prop)

    # -- tracked time ----------------------------------------------------------------------
    def make_tracking(self) -> None:
        days = (END - START).days
        # Sessions per device and day: weekdays busier; scaled to exactly N_SESSIONS.
        weights = []
        for d in range(days):
            weekday = (START + timedelta(days=d)).weekday()
            for _device in DEVICES:
                weights.append(self.rng.uniform(0.8, 1.2) * (1.0 if weekday < 5 else 0.35))
        scale = N_SESSIONS / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in self.rng.sample(range(len(counts)), N_SESSIONS - sum(counts)):
            counts[i] += 1
        by_start = sorted(self.contracts, key=lambda c: c.start)
        for d in range(days):
            day = START + timedelta(days=d)
            active = [c for c in by_start if c.start <= day and c.end > day + timedelta(days=1)]
            if not active:
                active = by_start[:1]
            for k, device in enumerate(DEVICES):
                n = counts[d * len(DEVICES) + k]
                at = day + timedelta(hours=6 + 2 * k, minutes=self.rng.randint(0, 59))
                for _ in range(n):
                    contract = self.rng.choice(active)
                    length = timedelta(
                        minutes=self.rng.randint(3, 22), seconds=self.rng.randint(0, 59)
                    )
                    self.make_session(contract, device, at, at + length)
                    at += length + timedelta(
                        minutes=self.rng.randint(0, 12), seconds=self.rng.randint(1, 59)
                    )

    def make_session(
        self, contract: _Contract, device: str, start: datetime, end: datetime
    ) -> None:
        manual = self.rng.random() < 0.01
        tag = self.rng.choice(_TAGS)
        memo = _MEMOS[tag]
        row = self.stamp(start)
        row.update(
            contract_id=contract.id,
            order_id=None,
            memo=memo,
            started_at=start,
            ended_at=end,
            last_seen_at=end,
            device_id=device,
            pid=None,
            end_reason="manual" if manual else self.rng.choice(["stopped", "stopped", "switched"]),
            manual=manual,
            updated_at=end,
        )
        self.rows["time_sessions"].append(row)
        self.intervals.append((start, end, contract.project, tag, row["id"]))
        focus = self.rng.uniform(0.5, 0.95)
        for piece in split_into_segments(start, end):
            slot = piece.segment_start
            covered_from = max(start, slot)
            covered_to = covered_from + timedelta(seconds=piece.seconds)
            activity: list[int] = []
            if not manual:
                for minute in range(10):
                    m_start = slot + timedelta(minutes=minute)
                    overlap = int(
                        (
                            min(m_start + timedelta(minutes=1), covered_to)
                            - max(m_start, covered_from)
                        ).total_seconds()
                    )
                    if overlap > 0 and self.rng.random() < focus:
                        activity.append(self.rng.randint(min(8, overlap), overlap))
                    else:
                        activity.append(0)
            seg = self.stamp(end)
            seg.update(
                session_id=row["id"],
                contract_id=contract.id,
                order_id=None,
                slot_start=slot,
                tracked_seconds=piece.seconds,
                activity=activity,
                active_minutes=sum(1 for a in activity if a > 0),
                memo=memo,
                manual=manual,
                idle=False,
                over_limit=False,
                deleted=False,
                snapshot_missing=False,
            )
            index = len(self.rows["segments"])
            self.rows["segments"].append(seg)
            contract.segments.append((slot, piece.seconds, index))
            if contract.policy != "off" and not manual:
                self.snapshot(seg, device, covered_from, piece.seconds, contract.policy)

    def snapshot(
        self, seg: dict[str, Any], device: str, at: datetime, seconds: int, policy: str
    ) -> None:
        taken = at + timedelta(seconds=self.rng.randrange(max(seconds, 1)))
        digest = f"{self.rng.getrandbits(256):064x}"
        prev = self.chains.get(device, "")
        chain = hashlib.sha256((prev + digest).encode("ascii")).hexdigest()
        self.chains[device] = chain
        folder = taken.strftime("%Y/%m/%d")
        name = f"{taken:%H%M%S}-{seg['id'].hex[:8]}"
        row = self.stamp(taken)
        row.update(
            segment_id=seg["id"],
            taken_at=taken,
            device_id=device,
            policy=policy,
            path=f"{folder}/{name}.webp",
            thumb_path=f"{folder}/{name}-thumb.webp",
            width=1920,
            height=1080,
            sha256=digest,
            prev_chain=prev,
            chain=chain,
            removed_at=min(taken + RETENTION, NOW),
            removed_reason="retention",
        )
        self.rows["snapshots"].append(row)

    def flag_over_limit(self) -> None:
        segments = self.rows["segments"]
        for c in self.contracts:
            if c.limit_minutes is None:
                continue
            for items in self.weeks(c).values():
                flags = over_weekly_limit([s for _, s, _ in items], c.limit_minutes * 60)
                for (_, _, index), over in zip(items, flags, strict=True):
                    segments[index]["over_limit"] = over

    @staticmethod
    def weeks(c: _Contract) -> dict[datetime, list[tuple[datetime, int, int]]]:
        weeks: dict[datetime, list[tuple[datetime, int, int]]] = defaultdict(list)
        for item in sorted(c.segments):
            weeks[billing_week(item[0])[0]].append(item)
        return weeks

    # -- money ---------------------------------------------------------------------------
    def event(self, tx: money.Transaction, kind: str, c: _Contract) -> None:
        self.ledger.append((tx, kind, c.client_id, "contract"))
        if tx.available_at is not None and tx.available_at <= NOW:
            net = sum(
                p.amount.amount for p in tx.postings if p.account.kind is money.AccountKind.PENDING
            )
            cleared = money.pending_cleared(
                Money(net, "USD"), str(c.id), tx.available_at, tx.source, memo="funds available"
            )
            self.ledger.append((cleared, "pending_cleared", c.client_id, "contract"))

    def make_money(self) -> None:
        rule = RoundingRule.from_code("upwork")
        for c in self.contracts:
            if c.hourly:
                limit = None if c.limit_minutes is None else c.limit_minutes * 60
                for week_start, items in sorted(self.weeks(c).items()):
                    within = within_weekly_limit([s for _, s, _ in items], limit)
                    billable = rule.billable_seconds(within)
                    if limit is not None:
                        billable = min(billable, limit)
                    gross = bill_amount(billable, Money(c.rate, "USD"))
                    if gross:
                        tx = money.hourly_week_billed(gross, c.fee_bp, str(c.id), week_start)
                        self.event(tx, "hourly_week_billed", c)
                    if self.rng.random() < 0.3:  # a bonus now and then
                        paid = week_start + timedelta(days=4, hours=self.rng.randint(9, 20))
                        bonus = money.bonus_paid(
                            Money(self.rng.randrange(2000, 30000, 500), "USD"),
                            c.fee_bp,
                            str(c.id),
                            paid,
                            security_period_ends_at(paid),
                            str(self.uid()),
                        )
                        self.event(bonus, "bonus", c)
            else:
                self.make_milestones(c)

    def make_milestones(self, c: _Contract) -> None:
        k = self.rng.randint(2, 6)
        span = (c.end - c.start) / k
        ended = c.end < END
        for i in range(k):
            amount = self.rng.randrange(20_000, 300_000, 5_000)
            funded = c.start + span * i + timedelta(hours=1)
            released = funded + span * 0.8
            last_open = not ended and i == k - 1
            row = self.stamp(funded)
            mid = row["id"]
            row.update(
                contract_id=c.id,
                position=i,
                title=f"Milestone {i + 1}",
                amount_minor=amount,
                currency="USD",
                state="funded" if last_open else "released",
                due_on=released.date(),
                funded_minor=amount,
                released_minor=0 if last_open else amount,
                refunded_minor=0,
                funded_at=funded,
                submitted_at=None if last_open else released - timedelta(days=2),
                approved_at=None if last_open else released,
                refunded_at=None,
                disputed_at=None,
                submission_note="",
            )
            self.rows["milestones"].append(row)
            usd = Money(amount, "USD")
            self.event(
                money.milestone_funded(usd, str(c.id), str(mid), funded), "milestone_funded", c
            )
            if not last_open:
                tx = money.milestone_released(usd, c.fee_bp, str(c.id), str(mid), released)
                self.event(tx, "milestone_released", c)

    def make_withdrawals(self) -> None:
        """Every Thursday 10:00 UTC, 90% of the available pool goes to the bank."""
        events = sorted(self.ledger, key=lambda e: e[0].occurred_at)
        pool = 0
        i = 0
        week = START + timedelta(days=3, hours=10)
        while week < NOW:
            while i < len(events) and events[i][0].occurred_at < week:
                pool += sum(
                    p.amount.amount
                    for p in events[i][0].postings
                    if p.account.kind is money.AccountKind.AVAILABLE
                )
                i += 1
            amount = pool * 9 // 10 // 1000 * 1000
            if amount >= 10_000:
                tx = money.withdrawal(
                    Money(amount, "USD"), Money(99, "USD"), None, week, str(self.uid())
                )
                self.ledger.append((tx, "withdrawal", None, "workspace"))
                pool -= amount
            week += timedelta(weeks=1)

    def ledger_rows(self) -> None:
        for tx, kind, client_id, scope_kind in sorted(
            self.ledger, key=lambda e: (e[0].occurred_at, e[1])
        ):
            row = self.stamp(tx.occurred_at)
            row.update(
                occurred_at=tx.occurred_at,
                kind=kind,
                memo=tx.memo,
                platform="upwork",
                client_id=client_id,
                source_kind=tx.source_kind.value,
                source_id=tx.source_id,
                external_ref=None,
            )
            self.rows["ledger_transactions"].append(row)
            for p in tx.postings:
                pending_in = p.account.kind is money.AccountKind.PENDING and p.amount.amount > 0
                posting = self.stamp(tx.occurred_at)
                posting.update(
                    transaction_id=row["id"],
                    account_kind=p.account.kind.value,
                    scope_kind=scope_kind if p.account.scope else "workspace",
                    scope_id=uuid.UUID(p.account.scope) if p.account.scope else None,
                    client_id=client_id,
                    currency=p.amount.currency,
                    amount_minor=p.amount.amount,
                    available_at=tx.available_at if pending_in else None,
                )
                self.rows["ledger_postings"].append(posting)

    def build(self) -> None:
        self.chains: dict[str, str] = {}
        self.make_clients()
        self.make_contracts()
        self.make_proposals()
        self.make_tracking()
        self.flag_over_limit()
        self.make_money()
        self.make_withdrawals()
        self.ledger_rows()


TABLES = [
    ("clients", Client),
    ("contracts", Contract),
    ("milestones", Milestone),
    ("job_posts", JobPost),
    ("proposals", Proposal),
    ("time_sessions", TimeSession),
    ("segments", Segment),
    ("snapshots", Snapshot),
    ("ledger_transactions", LedgerTransaction),
    ("ledger_postings", LedgerPosting),
]


def write(app: App, heavy: Heavy) -> dict[str, int]:
    counts = {}
    with app.db.engine.begin() as conn:
        for table, model in TABLES:
            rows = heavy.rows[table]
            stmt = insert(model.__table__)  # type: ignore[arg-type]
            for i in range(0, len(rows), BATCH):
                conn.execute(stmt, rows[i : i + BATCH])
            counts[table] = len(rows)
    if not app.db.is_sqlite:
        # Planner statistics for the freshly loaded tables (VACUUM runs outside a
        # transaction).
        with app.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    return counts


def is_empty_database(url: str) -> bool:
    """No clients, contracts or sessions yet (a server database made for the bench)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            return not any(
                name in names and conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first()
                for name in ("clients", "contracts", "time_sessions")
            )
    finally:
        engine.dispose()


# -- the peers' files ----------------------------------------------------------------------


def _chunks(items: Iterable[str], size: int = 5000) -> Iterable[str]:
    buf: list[str] = []
    for item in items:
        buf.append(item)
        if len(buf) >= size:
            yield "".join(buf)
            buf = []
    if buf:
        yield "".join(buf)


def export_watson(
    intervals: list[tuple[datetime, datetime, str, str, uuid.UUID]], folder: Path
) -> None:
    """Watson's frames file: a JSON list of [start, stop, project, id, tags, updated_at]."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = [
        [int(s.timestamp()), int(e.timestamp()), project, ident.hex, [tag], int(e.timestamp())]
        for s, e, project, tag, ident in sorted(intervals)
    ]
    (folder / "frames").write_text(json.dumps(frames), encoding="utf-8")
    (folder / "state").write_text("{}", encoding="utf-8")
    (folder / "config").write_text("", encoding="utf-8")


def export_timewarrior(
    intervals: list[tuple[datetime, datetime, str, str, uuid.UUID]], folder: Path
) -> None:
    """Timewarrior's data folder: one file per month, `inc START - END # tags`."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (folder / "timewarrior.cfg").write_text("verbose = off\nconfirmation = off\n", encoding="utf-8")
    months: dict[str, list[str]] = defaultdict(list)
    tags: set[str] = set()
    for s, e, project, tag, _ in sorted(intervals):
        months[f"{s:%Y-%m}"].append(
            f'inc {s:%Y%m%dT%H%M%SZ} - {e:%Y%m%dT%H%M%SZ} # "{project}" {tag}\n'
        )
        tags.update((project, tag))
    for month, lines in months.items():
        with (data / f"{month}.data").open("w", encoding="utf-8") as fh:
            for chunk in _chunks(lines):
                fh.write(chunk)
    (data / "tags.data").write_text(
        json.dumps({t: {"count": 1} for t in sorted(tags)}), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db-url", default=None, help="an empty server database instead of D/workspace.sqlite3"
    )
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    location = resolve_location(str(args.data_dir), args.db_url)
    if args.db_url is None and (location.data_dir / "workspace.sqlite3").exists():
        sys.exit(f"{location.data_dir} already holds a workspace: use a new folder")
    if args.db_url is not None and not is_empty_database(args.db_url):
        sys.exit("that database already holds a workspace: use a new, empty database")
    app = App.open(location, FakeClock(NOW), create=True)
    try:
        heavy = Heavy(args.seed)
        heavy.build()
        t1 = time.perf_counter()
        counts = write(app, heavy)
        t2 = time.perf_counter()
    finally:
        app.close()
    peers = location.data_dir / "peers"
    export_watson(heavy.intervals, peers / "watson")
    export_timewarrior(heavy.intervals, peers / "timewarrior")
    t3 = time.perf_counter()
    for table, n in counts.items():
        print(f"{table:<22} {n:>9,}")
    print(f"built {t1 - t0:.1f}s, written {t2 - t1:.1f}s, peers {t3 - t2:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
