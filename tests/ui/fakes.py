"""In-memory stand-ins for the application behind the window: sources that really
filter, sort and page (and count what they were asked for), and a believable demo."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from freelancer_desk.domain.money import Money
from freelancer_desk.services.listing import Column, ListQuery, Row

NOW = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


class FakeSource:
    """A ListSource over a list of rows; remembers every fetch as (offset, limit)."""

    def __init__(self, key: str, title: str, columns: Sequence[Column], rows: list[Row]):
        self.key = key
        self.title = title
        self.columns = list(columns)
        self.rows = rows
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0
        self._cache: tuple[ListQuery, list[Row]] | None = None

    @property
    def rows_fetched(self) -> int:
        return sum(limit for _, limit in self.fetches)

    def _matching(self, query: ListQuery) -> list[Row]:
        if self._cache is not None and self._cache[0] == query:
            return self._cache[1]
        rows = self.rows
        needle = query.text.casefold()
        if needle:
            texts = [c.key for c in self.columns if c.kind == "text"]
            rows = [r for r in rows if any(needle in str(r.get(k) or "").casefold() for k in texts)]
        for key, wanted in query.filters.items():
            rows = [r for r in rows if str(r.get(key)) == wanted]
        if query.sort is not None:
            sort_key = query.sort

            def value(row: Row) -> tuple[bool, object]:
                v = row.get(sort_key)
                return (v is None, v.amount if isinstance(v, Money) else v)

            present = [r for r in rows if r.get(sort_key) is not None]
            missing = [r for r in rows if r.get(sort_key) is None]
            present.sort(key=value, reverse=query.descending)  # type: ignore[arg-type]
            rows = present + missing
        self._cache = (query, rows)
        return rows

    def count(self, query: ListQuery) -> int:
        self.counts += 1
        return len(self._matching(query))

    def fetch(self, query: ListQuery, offset: int, limit: int) -> list[Row]:
        self.fetches.append((offset, limit))
        return [dict(r) for r in self._matching(query)[offset : offset + limit]]


@dataclass
class FakeBackend:
    data_dir: Path
    sources: dict[str, FakeSource] = field(default_factory=dict)
    tiles: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    demo: Callable[[], tuple[dict[str, FakeSource], dict[str, list[tuple[str, str]]]]] | None = None
    listeners: list[Callable[[], None]] = field(default_factory=list)
    closed: bool = False

    def list_source(self, key: str) -> FakeSource:
        if key not in self.sources:
            self.sources[key] = FakeSource(key, key.replace("_", " ").capitalize(), [], [])
        return self.sources[key]

    def summary(self, area: str) -> list[tuple[str, str]]:
        return self.tiles.get(area, [])

    def is_empty(self) -> bool:
        return not any(s.rows for s in self.sources.values())

    def create_demo(self) -> None:
        sources, tiles = (self.demo or demo_data)()
        self.sources.update(sources)
        self.tiles.update(tiles)
        self.changed()

    def subscribe(self, callback: Callable[[], None]) -> Callable[[], None]:
        self.listeners.append(callback)
        return lambda: self.listeners.remove(callback)

    def changed(self) -> None:
        for callback in list(self.listeners):
            callback()

    def close(self) -> None:
        self.closed = True


def empty_backend(data_dir: Path) -> FakeBackend:
    """Every source exists (with columns) but holds no rows."""
    sources, _tiles = demo_data()
    for source in sources.values():
        source.rows = []
    return FakeBackend(data_dir, sources=sources)


def demo_backend(data_dir: Path) -> FakeBackend:
    sources, tiles = demo_data()
    return FakeBackend(data_dir, sources=sources, tiles=tiles)


BIG_COLUMNS = [
    Column("name", "Name"),
    Column("amount", "Amount", "money"),
    Column("when", "When", "datetime"),
    Column("day", "Day", "date"),
    Column("tracked", "Tracked", "duration"),
    Column("fee", "Fee", "percent"),
    Column("n", "Number", "int"),
    Column("paid", "Paid", "bool"),
    Column("note", "Note", "text", sortable=False),
]


def big_source(n: int = 100_000, key: str = "big") -> FakeSource:
    rows: list[Row] = [
        {
            "id": f"00000000-0000-0000-0000-{i:012d}",
            "name": f"Row {i:06d} {'alpha' if i % 3 == 0 else 'beta'}",
            "amount": Money((i * 7919) % 100_000, "USD") if i % 10 else None,
            "when": NOW - timedelta(minutes=i * 10),
            "day": (NOW - timedelta(days=i % 365)).date(),
            "tracked": (i * 37) % 36_000,
            "fee": (i % 21) * 50,
            "n": n - i,
            "paid": i % 2 == 0,
            "note": None if i % 4 else "note",
        }
        for i in range(n)
    ]
    return FakeSource(key, "Big table", BIG_COLUMNS, rows)


# -- the demo workspace ------------------------------------------------------------------

CLIENTS = [
    ("Northwind Analytics", "Upwork"),
    ("Brightline Studio", "Upwork"),
    ("Kestrel Foods", "Fiverr"),
    ("Mara Okafor", "Fiverr"),
    ("Helios Legal LLP", "Direct"),
    ("Pinecone Robotics", "Direct"),
]


def _id(prefix: int, i: int) -> str:
    return f"{prefix:08x}-0000-4000-8000-{i:012x}"


def _usd(dollars: float) -> Money:
    return Money(round(dollars * 100), "USD")


def demo_data() -> tuple[dict[str, FakeSource], dict[str, list[tuple[str, str]]]]:
    rnd = random.Random(7)
    s: dict[str, FakeSource] = {}

    def add(key: str, title: str, columns: list[Column], rows: list[Row]) -> None:
        s[key] = FakeSource(key, title, columns, rows)

    add(
        "clients",
        "Clients",
        [Column("name", "Name"), Column("platform", "Platform"), Column("country", "Country")],
        [
            {"id": _id(1, i), "name": n, "platform": p, "country": c}
            for i, ((n, p), c) in enumerate(
                zip(CLIENTS, ["US", "UK", "DE", "NG", "US", "CA"], strict=True)
            )
        ],
    )
    gig_titles = [
        "I will design a modern logo and brand kit",
        "I will build a responsive landing page",
        "I will write SEO blog posts for SaaS",
        "I will automate your spreadsheets with Python",
    ]
    add(
        "gigs",
        "Gigs",
        [
            Column("title", "Gig"),
            Column("state", "State"),
            Column("basic", "Basic", "money"),
            Column("standard", "Standard", "money"),
            Column("premium", "Premium", "money"),
            Column("orders", "Orders", "int"),
            Column("revenue", "Revenue", "money"),
        ],
        [
            {
                "id": _id(2, i),
                "title": t,
                "state": "active" if i < 3 else "paused",
                "basic": _usd(25 + 20 * i),
                "standard": _usd(60 + 35 * i),
                "premium": _usd(140 + 60 * i),
                "orders": 14 - 3 * i,
                "revenue": _usd((14 - 3 * i) * (70 + 30 * i)),
            }
            for i, t in enumerate(gig_titles)
        ],
    )
    states = ["in progress", "delivered", "completed", "revision", "late", "cancelled"]
    add(
        "orders",
        "Orders",
        [
            Column("number", "Order"),
            Column("gig", "Gig"),
            Column("client", "Buyer"),
            Column("package", "Package"),
            Column("state", "State"),
            Column("price", "Price", "money"),
            Column("due", "Due", "datetime"),
        ],
        [
            {
                "id": _id(3, i),
                "number": f"FO{31_400 + i * 7}",
                "gig": gig_titles[i % 4],
                "client": CLIENTS[2 + i % 2][0],
                "package": ["Basic", "Standard", "Premium"][i % 3],
                "state": states[i % len(states)],
                "price": _usd([45, 95, 180][i % 3] + 5 * (i % 4)),
                "due": NOW + timedelta(days=3 - i, hours=i * 5),
            }
            for i in range(22)
        ],
    )
    jobs = [
        "Data pipeline for retail analytics (Airflow, dbt)",
        "React dashboard for fleet telemetry",
        "Migrate Django 3 app to Django 5",
        "Fix flaky CI for a Python monorepo",
        "Write docs for an open-source SDK",
        "Build a Shopify app backend",
        "PostgreSQL performance review",
        "Qt desktop tool for lab instruments",
    ]
    add(
        "job_posts",
        "Job posts",
        [
            Column("title", "Job"),
            Column("client", "Client"),
            Column("kind", "Type"),
            Column("budget", "Budget", "money"),
            Column("posted", "Posted", "datetime"),
            Column("proposals", "Proposals", "int"),
        ],
        [
            {
                "id": _id(4, i),
                "title": t,
                "client": CLIENTS[i % 2][0] if i < 4 else "(unknown client)",
                "kind": "hourly" if i % 2 else "fixed",
                "budget": _usd(500 + 350 * i) if i % 2 == 0 else None,
                "posted": NOW - timedelta(hours=6 + 19 * i),
                "proposals": 5 + 7 * i,
            }
            for i, t in enumerate(jobs)
        ],
    )
    add(
        "proposals",
        "Proposals",
        [
            Column("job", "Job"),
            Column("kind", "Type"),
            Column("bid", "Bid", "money"),
            Column("state", "State"),
            Column("connects", "Connects", "int"),
            Column("submitted", "Submitted", "datetime"),
        ],
        [
            {
                "id": _id(5, i),
                "job": t,
                "kind": "hourly" if i % 2 else "fixed",
                "bid": _usd(55 + 5 * i) if i % 2 else _usd(900 + 400 * i),
                "state": ["submitted", "viewed", "interviewing", "hired", "declined", "archived"][
                    i % 6
                ],
                "connects": 8 + 2 * (i % 4),
                "submitted": NOW - timedelta(hours=4 + 23 * i),
            }
            for i, t in enumerate(jobs)
        ],
    )
    contracts = [
        ("Analytics platform — retainer", 0, "hourly", _usd(65), 1000, "active"),
        ("Brand refresh", 1, "fixed", _usd(4200), 1000, "active"),
        ("Data pipeline rebuild", 0, "fixed", _usd(7800), 1000, "active"),
        ("Website maintenance", 5, "hourly", _usd(80), 0, "active"),
        ("Contract review tooling", 4, "fixed", _usd(3500), 0, "ended"),
        ("UX audit", 1, "hourly", _usd(58), 1500, "paused"),
    ]
    add(
        "contracts",
        "Contracts",
        [
            Column("title", "Contract"),
            Column("client", "Client"),
            Column("platform", "Platform"),
            Column("kind", "Type"),
            Column("rate", "Rate / price", "money"),
            Column("fee", "Fee", "percent"),
            Column("state", "State"),
            Column("week", "This week", "duration"),
            Column("started", "Started", "date"),
        ],
        [
            {
                "id": _id(6, i),
                "title": t,
                "client": CLIENTS[c][0],
                "platform": CLIENTS[c][1],
                "kind": k,
                "rate": r,
                "fee": f,
                "state": st,
                "week": rnd.randrange(0, 30) * 1800 if k == "hourly" else None,
                "started": date(2025, 9 + i % 4, 1 + 3 * i),
            }
            for i, (t, c, k, r, f, st) in enumerate(contracts)
        ],
    )
    ms_states = ["released", "approved", "submitted", "funded", "pending funding"]
    add(
        "milestones",
        "Milestones",
        [
            Column("contract", "Contract"),
            Column("title", "Milestone"),
            Column("amount", "Amount", "money"),
            Column("state", "State"),
            Column("due", "Due", "date"),
        ],
        [
            {
                "id": _id(7, i),
                "contract": contracts[[1, 2, 4][i % 3]][0],
                "title": ["Discovery", "First draft", "Revisions", "Delivery", "Handover"][i % 5],
                "amount": _usd([600, 1200, 1500, 900, 2100][i % 5]),
                "state": ms_states[i % 5],
                "due": (NOW + timedelta(days=7 * i - 20)).date(),
            }
            for i in range(10)
        ],
    )
    memos = [
        "Airflow DAG for nightly loads",
        "Code review and fixes",
        "Client call: sprint planning",
        "dbt models for the sales mart",
        "Performance profiling",
        "Patch WordPress plugins",
    ]
    sessions = []
    segments = []
    for i in range(40):
        start = (NOW - timedelta(days=i // 2, hours=2 + 5 * (i % 2))).replace(minute=0)
        minutes = 40 + rnd.randrange(0, 18) * 10
        contract = [0, 3, 5][i % 3]
        sessions.append(
            {
                "id": _id(8, i),
                "contract": contracts[contract][0],
                "memo": memos[i % len(memos)],
                "started": start,
                "ended": start + timedelta(minutes=minutes) if i else None,
                "tracked": minutes * 60,
                "activity": 5000 + rnd.randrange(0, 45) * 100,
            }
        )
        for j in range(minutes // 10):
            segments.append(
                {
                    "id": _id(9, len(segments)),
                    "start": start + timedelta(minutes=10 * j),
                    "contract": contracts[contract][0],
                    "memo": memos[i % len(memos)],
                    "activity": rnd.randrange(3, 11),
                    "tracked": 600,
                    "manual": rnd.random() < 0.05,
                }
            )
    add(
        "sessions",
        "Sessions",
        [
            Column("started", "Started", "datetime"),
            Column("ended", "Ended", "datetime"),
            Column("contract", "Contract"),
            Column("memo", "Memo"),
            Column("tracked", "Tracked", "duration"),
            Column("activity", "Activity", "percent"),
        ],
        sessions,
    )
    add(
        "segments",
        "Segments",
        [
            Column("start", "Segment", "datetime"),
            Column("contract", "Contract"),
            Column("memo", "Memo"),
            Column("activity", "Activity (of 10)", "int"),
            Column("tracked", "Tracked", "duration"),
            Column("manual", "Manual", "bool"),
        ],
        segments,
    )
    ledger = []
    for i in range(60):
        c = i % 6
        gross = _usd(120 + rnd.randrange(0, 90) * 10)
        ledger.append(
            {
                "id": _id(10, i),
                "when": NOW - timedelta(days=i * 1.3, hours=i % 7),
                "description": [
                    "Weekly hourly invoice",
                    "Milestone released",
                    "Order completed",
                    "Service fee",
                    "Withdrawal to bank",
                ][i % 5],
                "client": CLIENTS[c][0],
                "account": ["pending", "escrow", "available", "fees", "withdrawn"][i % 5],
                "amount": -gross.percent(1000) if i % 5 == 3 else gross,
                "available_on": (NOW + timedelta(days=10 - i)).date() if i % 5 == 0 else None,
            }
        )
    add(
        "ledger",
        "Ledger",
        [
            Column("when", "When", "datetime"),
            Column("description", "Description"),
            Column("client", "Client"),
            Column("account", "Account"),
            Column("amount", "Amount", "money"),
            Column("available_on", "Available on", "date"),
        ],
        ledger,
    )
    add(
        "invoices",
        "Invoices",
        [
            Column("number", "Invoice"),
            Column("client", "Client"),
            Column("issued", "Issued", "date"),
            Column("due", "Due", "date"),
            Column("state", "State"),
            Column("total", "Total", "money"),
        ],
        [
            {
                "id": _id(11, i),
                "number": f"INV-2026-{i + 1:03d}",
                "client": CLIENTS[4 + i % 2][0],
                "issued": (NOW - timedelta(days=14 * i)).date(),
                "due": (NOW - timedelta(days=14 * i - 30)).date(),
                "state": ["draft", "sent", "overdue", "paid", "paid"][i % 5],
                "total": (Money(4_50000 + 3_7500 * i, "EUR") if i % 2 else _usd(2400 + 320 * i)),
            }
            for i in range(9)
        ],
    )
    earnings = [
        {
            "id": _id(12, i),
            "client": n,
            "platform": p,
            "gross": _usd(g),
            "fees": _usd(g * fee),
            "net": _usd(g * (1 - fee)),
            "hours": h * 3600 if h else None,
            "rate": _usd(g * (1 - fee) / h) if h else None,
        }
        for i, ((n, p), g, fee, h) in enumerate(
            zip(
                CLIENTS,
                [18_420, 9_860, 2_340, 1_150, 6_200, 4_480],
                [0.1, 0.1, 0.2, 0.2, 0, 0],
                [270, 141, 0, 0, 88, 56],
                strict=True,
            )
        )
    ]
    add(
        "earnings_by_client",
        "Earnings by client",
        [
            Column("client", "Client"),
            Column("platform", "Platform"),
            Column("gross", "Gross", "money"),
            Column("fees", "Fees", "money"),
            Column("net", "Net", "money"),
            Column("hours", "Hours", "duration"),
            Column("rate", "Effective rate", "money"),
        ],
        earnings,
    )
    add(
        "reviews",
        "Reviews",
        [
            Column("client", "Client"),
            Column("platform", "Platform"),
            Column("rating", "Stars", "int"),
            Column("text", "Review"),
            Column("date", "Date", "date"),
        ],
        [
            {
                "id": _id(13, i),
                "client": CLIENTS[i % 4][0],
                "platform": CLIENTS[i % 4][1],
                "rating": 5 - (i % 5 == 4),
                "text": [
                    "Fast, precise and great communication.",
                    "Delivered ahead of schedule, will hire again.",
                    "Exactly what we asked for.",
                    "Very helpful with revisions.",
                    "Good work, a little late on the first draft.",
                ][i % 5],
                "date": (NOW - timedelta(days=9 * i)).date(),
            }
            for i in range(8)
        ],
    )
    tiles = {
        "dashboard": [
            ("In escrow", "$3,600.00"),
            ("Pending", "$2,115.50"),
            ("Available", "$4,980.25"),
            ("This week", "23:40 h"),
            ("Net this month", "$7,412.80"),
        ],
        "earnings": [
            ("Gross (12 months)", "$42,450.00"),
            ("Fees", "$3,088.00"),
            ("Net", "$39,362.00"),
            ("Withdrawn", "$31,900.00"),
        ],
        "tracker": [("Today", "3:20 h"), ("This week", "23:40 h"), ("Average activity", "78%")],
    }
    return s, tiles
