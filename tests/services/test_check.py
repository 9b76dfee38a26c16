"""The integrity check finds what was planted, names the table, row and rule, and says
nothing about a sound workspace."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.services.check import MAX_PER_RULE, check_workspace
from freelancer_desk.services.demo import create_demo
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.storage.models import (
    Client,
    Contract,
    JobPost,
    LedgerPosting,
    LedgerTransaction,
    Milestone,
    Order,
    Segment,
    TimeSession,
)
from freelancer_desk.storage.models.tracking import drop_one_target_trigger_ddl
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
T = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path):
    database, _ = open_workspace(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}", FakeClock(NOW))
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db):
    create_demo(db, db.clock, LedgerService(db), "laptop")
    return db


def problems(db, rule: str | None = None) -> list[str]:
    report = check_workspace(db)
    assert report.ok == (not report.problems)
    if rule is None:
        return report.problems
    return [p for p in report.problems if f"(rule: {rule})" in p]


def add_client(db) -> uuid.UUID:
    with db.session() as s:
        client = Client(name="Acme", platform="upwork")
        s.add(client)
    return client.id


def add_contract(db, client_id) -> Contract:
    with db.session() as s:
        contract = Contract(
            client_id=client_id,
            title="Site",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=5000,
            started_at=T - timedelta(days=30),
        )
        s.add(contract)
    return contract


def add_session(db, contract_id, start, end, device="laptop") -> uuid.UUID:
    with db.session() as s:
        session = TimeSession(
            contract_id=contract_id,
            started_at=start,
            ended_at=end,
            last_seen_at=end or start,
            device_id=device,
        )
        s.add(session)
    return session.id


def add_segment(db, session_id, contract_id, slot, seconds=600) -> uuid.UUID:
    active = seconds // 60
    with db.session() as s:
        segment = Segment(
            session_id=session_id,
            contract_id=contract_id,
            slot_start=slot,
            tracked_seconds=seconds,
            activity=[30] * active + [0] * (10 - active),
            active_minutes=active,
        )
        s.add(segment)
    return segment.id


def raw(db, *statements: str, pragmas: tuple[str, ...] = ()) -> None:
    """Write behind the models' back, as another tool editing the file would."""
    with db.engine.connect() as conn:
        for pragma in pragmas:
            conn.exec_driver_sql(pragma)
        for statement in statements:
            conn.exec_driver_sql(statement)
        conn.commit()


# -- sound workspaces --------------------------------------------------------------------------


def test_an_empty_workspace_is_sound(db):
    report = check_workspace(db)
    assert report.ok and report.problems == []
    # integrity_check and foreign_key_check read the SQLite file; other servers keep their own.
    assert report.checked.get("database checks", 0) == (2 if db.is_sqlite else 0)
    assert report.checked["ledger transactions"] == 0
    assert report.to_json() == {
        "ok": True,
        "problems": [],
        "checked": report.checked,
        "notes": [],
    }


def test_the_demo_is_sound_and_counted(demo_db):
    report = check_workspace(demo_db)
    assert report.ok, report.problems
    for what in ("ledger transactions", "holding accounts", "milestones", "orders", "segments"):
        assert report.checked[what] > 0


# -- planted problems --------------------------------------------------------------------------


def test_finds_an_unbalanced_transaction_written_by_raw_sql(db):
    tx = uuid.uuid4()
    stamp = "2026-11-20 10:00:00.000000"
    raw(
        db,
        "INSERT INTO ledger_transactions (id, created_at, updated_at, occurred_at, kind, memo,"
        " platform, source_kind, source_id) VALUES"
        f" ('{tx.hex}', '{stamp}', '{stamp}', '{stamp}', 'bonus', '', 'upwork', 'bonus', 'x')",
        "INSERT INTO ledger_postings (id, created_at, updated_at, transaction_id, account_kind,"
        " scope_kind, currency, amount_minor) VALUES"
        f" ('{uuid.uuid4().hex}', '{stamp}', '{stamp}', '{tx.hex}', 'client_funds', 'workspace',"
        " 'USD', -10000),"
        f" ('{uuid.uuid4().hex}', '{stamp}', '{stamp}', '{tx.hex}', 'available', 'workspace',"
        " 'USD', 9000)",
    )
    found = problems(db, "ledger.balanced")
    assert len(found) == 1
    assert found[0].startswith(f"ledger_transactions {str(tx)[:8]}:")
    assert "-10.00 USD" in found[0]


def test_finds_a_transaction_with_one_posting(db):
    with db.session() as s:
        row = LedgerTransaction(
            occurred_at=T, kind="x", platform="upwork", source_kind="bonus", source_id="1"
        )
        row.postings.append(
            LedgerPosting(account_kind="fees", currency="USD", amount_minor=100, scope_kind="w")
        )
        s.add(row)
    assert problems(db, "ledger.two_postings")
    assert problems(db, "ledger.balanced")


def test_finds_negative_escrow(db):
    scope = uuid.uuid4()
    with db.session() as s:
        row = LedgerTransaction(
            occurred_at=T, kind="milestone_released", platform="upwork",
            source_kind="milestone", source_id=str(uuid.uuid4()),
        )  # fmt: skip
        for kind, amount in (("escrow", -5000), ("pending", 4500), ("fees", 500)):
            row.postings.append(
                LedgerPosting(
                    account_kind=kind,
                    scope_kind="contract",
                    scope_id=scope,
                    currency="USD",
                    amount_minor=amount,
                )
            )
        s.add(row)
    found = problems(db, "ledger.escrow_negative")
    assert found and all(str(scope)[:8] in p or "milestone" in p for p in found)
    assert "-50.00 USD" in found[0]
    assert not problems(db, "ledger.balanced")


def test_escrow_followed_in_time_order(db):
    """Funding booked after the release it pays for: the escrow was negative meanwhile."""
    scope = uuid.uuid4()
    source = str(uuid.uuid4())
    with db.session() as s:
        for when, legs in (
            (T, (("escrow", -5000), ("pending", 5000))),
            (T + timedelta(days=1), (("client_funds", -5000), ("escrow", 5000))),
        ):
            row = LedgerTransaction(
                occurred_at=when, kind="k", platform="upwork",
                source_kind="milestone", source_id=source,
            )  # fmt: skip
            for kind, amount in legs:
                row.postings.append(
                    LedgerPosting(
                        account_kind=kind, scope_kind="contract", scope_id=scope,
                        currency="USD", amount_minor=amount,
                    )
                )  # fmt: skip
            s.add(row)
    found = problems(db, "ledger.escrow_negative")
    assert found and T.date().isoformat() in found[0]


def test_finds_a_withdrawal_beyond_the_available_pool(demo_db):
    with demo_db.session() as s:
        row = LedgerTransaction(
            occurred_at=NOW - timedelta(hours=1), kind="withdrawal", platform="upwork",
            source_kind="withdrawal", source_id="w-1",
        )  # fmt: skip
        for kind, amount in (("available", -(10**9)), ("withdrawn", 10**9)):
            row.postings.append(
                LedgerPosting(account_kind=kind, currency="USD", amount_minor=amount)
            )
        s.add(row)
    found = problems(demo_db, "ledger.available_negative")
    assert len(found) == 1 and "available money on upwork (USD" in found[0]


def test_finds_a_misaligned_segment(db):
    contract = add_contract(db, add_client(db))
    session = add_session(db, contract.id, T, T + timedelta(hours=1))
    seg = add_segment(db, session, contract.id, T + timedelta(minutes=3), seconds=420)
    found = problems(db, "segment.aligned")
    assert len(found) == 1 and found[0].startswith(f"segments {str(seg)[:8]}")
    assert problems(db) == found


def test_finds_a_segment_outside_its_session_and_one_tracking_too_much(db):
    contract = add_contract(db, add_client(db))
    session = add_session(db, contract.id, T + timedelta(minutes=5), T + timedelta(minutes=30))
    add_segment(db, session, contract.id, T + timedelta(hours=2))
    add_segment(db, session, contract.id, T, seconds=600)  # the session covers 300 s of it
    found = problems(db, "segment.within_session")
    assert len(found) == 2
    assert any("outside its session" in p for p in found)
    assert any("covers only 300 s" in p for p in found)


def without_target_rule(db) -> tuple[str, ...]:
    """The statements dropping segment.one_target's triggers (0012): what an older
    workspace lacks, so a bad row can be planted as it could have been written then."""
    return tuple(drop_one_target_trigger_ddl(db.engine.dialect.name))


def add_order(db, client_id) -> uuid.UUID:
    with db.session() as s:
        order = Order(
            client_id=client_id,
            title="Logo",
            package_tier="basic",
            price_minor=10000,
            currency="USD",
            fee_bp=2000,
            ordered_at=T - timedelta(days=3),
        )
        s.add(order)
    return order.id


def test_finds_a_segment_for_another_contract_than_its_session(db):
    client = add_client(db)
    one, other = add_contract(db, client), add_contract(db, client)
    session = add_session(db, one.id, T, T + timedelta(hours=1))
    seg = add_segment(db, session, one.id, T)
    assert problems(db) == []
    raw(db, *without_target_rule(db), f"UPDATE segments SET contract_id = '{other.id.hex}'")
    assert problems(db) == [
        f"segments {str(seg)[:8]} (2026-11-20T10:00:00+00:00): is for contract "
        f"{str(other.id)[:8]} but its session {str(session)[:8]} for contract "
        f"{str(one.id)[:8]} (rule: segment.target)"
    ]


@pytest.mark.sqlite_only  # writes past the sessions' CHECK with a SQLite pragma
def test_finds_a_segment_and_a_session_without_exactly_one_target(db):
    client = add_client(db)
    contract = add_contract(db, client)
    order = add_order(db, client)
    session = add_session(db, contract.id, T, T + timedelta(hours=1))
    seg = add_segment(db, session, contract.id, T)
    raw(
        db,
        *without_target_rule(db),
        f"UPDATE segments SET order_id = '{order.hex}'",
        f"UPDATE time_sessions SET order_id = '{order.hex}'",
        pragmas=("PRAGMA ignore_check_constraints = ON",),
    )
    both = f"contract {str(contract.id)[:8]} and order {str(order)[:8]}"
    assert problems(db, "segment.one_target") == [
        f"segments {str(seg)[:8]} (2026-11-20T10:00:00+00:00): is for {both}, not exactly one "
        "contract or order (rule: segment.one_target)"
    ]
    assert problems(db, "time_session.one_target") == [
        f"time_sessions {str(session)[:8]}: is for {both}, not exactly one contract or order "
        "(rule: time_session.one_target)"
    ]
    assert problems(db, "segment.target") == []  # one finding per segment, not two


def test_finds_a_tracked_time_summary_that_disagrees_with_the_segments(db):
    contract = add_contract(db, add_client(db))
    session = add_session(db, contract.id, T, T + timedelta(hours=1))
    add_segment(db, session, contract.id, T, seconds=600)
    add_segment(db, session, contract.id, T + timedelta(minutes=10), seconds=300)
    assert problems(db) == []  # the triggers kept it
    raw(db, "UPDATE tracked_days SET tracked_seconds = tracked_seconds + 60")
    found = problems(db, "tracked_days.matches_segments")
    assert found == [
        f"tracked_days: 1 (contract or order, day) rows disagree with the segments; first: "
        f"{str(contract.id)[:8]} on 2026-11-20: tracked_seconds 960 instead of 900 "
        "(rule: tracked_days.matches_segments)"
    ]
    raw(db, "DELETE FROM tracked_days")
    found = problems(db, "tracked_days.matches_segments")
    assert len(found) == 1 and "segments 0 instead of 2" in found[0]


def test_finds_a_weekly_tracked_time_summary_that_disagrees_with_the_segments(db):
    contract = add_contract(db, add_client(db))
    session = add_session(db, contract.id, T, T + timedelta(hours=1))
    add_segment(db, session, contract.id, T, seconds=600)
    add_segment(db, session, contract.id, T + timedelta(minutes=10), seconds=300)
    assert problems(db) == []  # the triggers kept it
    raw(db, "UPDATE tracked_weeks SET manual_seconds = manual_seconds + 60")
    found = problems(db, "tracked_weeks.matches_segments")
    monday = (T.date() - timedelta(days=T.weekday())).isoformat()
    assert found == [
        f"tracked_weeks: 1 (contract or order, UTC week) rows disagree with the segments; "
        f"first: {str(contract.id)[:8]} on {monday}: manual_seconds 60 instead of 0 "
        "(rule: tracked_weeks.matches_segments)"
    ]
    raw(db, "DELETE FROM tracked_weeks")
    found = problems(db, "tracked_weeks.matches_segments")
    assert len(found) == 1 and "segments 0 instead of 2" in found[0]
    assert problems(db, "tracked_days.matches_segments") == []


def test_finds_overlapping_sessions_and_double_counted_slots(db):
    contract = add_contract(db, add_client(db))
    first = add_session(db, contract.id, T, T + timedelta(hours=1))
    second = add_session(db, contract.id, T + timedelta(minutes=30), T + timedelta(hours=2))
    add_segment(db, first, contract.id, T + timedelta(minutes=30))
    add_segment(db, second, contract.id, T + timedelta(minutes=30))
    overlap = problems(db, "time_session.overlap")
    assert len(overlap) == 1 and str(second)[:8] in overlap[0] and str(first)[:8] in overlap[0]
    assert problems(db, "segment.slot_total")
    # Back to back is not an overlap: intervals are half-open.
    add_session(db, contract.id, T + timedelta(hours=2), T + timedelta(hours=3))
    assert len(problems(db, "time_session.overlap")) == 1


def test_finds_two_running_sessions_on_one_device(db):
    contract = add_contract(db, add_client(db))
    add_session(db, contract.id, T, None)
    raw(db, "DROP INDEX uq_time_sessions_running_per_device")  # as an old file might lack it
    add_session(db, contract.id, T + timedelta(hours=1), None)
    add_session(db, contract.id, T + timedelta(hours=1), None, device="desktop")
    found = problems(db, "time_session.one_running_per_device")
    assert len(found) == 1 and "'laptop'" in found[0]


@pytest.mark.sqlite_only  # writes past the constraints with SQLite pragmas
def test_finds_milestone_money_beyond_its_funding(demo_db):
    with demo_db.read() as s:
        m = s.scalars(select(Milestone).where(Milestone.state == "released")).first()
        assert m is not None
        ident = m.id
    raw(
        demo_db,
        f"UPDATE milestones SET released_minor = funded_minor + 100 WHERE id = '{ident.hex}'",
        pragmas=("PRAGMA ignore_check_constraints = ON",),
    )
    found = problems(demo_db, "milestone.escrow_covers")
    assert len(found) == 1 and found[0].startswith(f"milestones {str(ident)[:8]}")
    # Its ledger rows no longer agree with it either.
    assert problems(demo_db, "milestone.ledger_escrow")


def test_finds_a_milestone_state_without_its_money(demo_db):
    with demo_db.session() as s:
        m = s.scalars(select(Milestone).where(Milestone.state == "planned")).first()
        assert m is not None
        m.state = "submitted"
    found = problems(demo_db, "milestone.state_amounts")
    assert len(found) == 1 and "submitted but nothing is held in escrow" in found[0]


@pytest.mark.sqlite_only  # writes past the constraints with SQLite pragmas
def test_finds_negative_revisions_and_missing_dates_on_orders(demo_db):
    with demo_db.read() as s:
        order = s.scalars(select(Order).where(Order.state == "completed")).first()
        assert order is not None
        ident, number = order.id, order.number
    raw(
        demo_db,
        f"UPDATE orders SET revisions_used = -1, completed_at = NULL WHERE id = '{ident.hex}'",
        pragmas=("PRAGMA ignore_check_constraints = ON",),
    )
    assert problems(demo_db, "order.revisions_used") == [
        f"orders {number}: -1 revisions used (rule: order.revisions_used)"
    ]
    assert problems(demo_db, "order.state_dates")


@pytest.mark.sqlite_only  # writes past the constraints with SQLite pragmas
def test_finds_a_dangling_foreign_key(db):
    stamp = "2026-11-20 10:00:00.000000"
    raw(
        db,
        "INSERT INTO segments (id, created_at, updated_at, session_id, slot_start,"
        " tracked_seconds, activity, active_minutes, memo, manual, idle, over_limit, deleted,"
        f" snapshot_missing, contract_id) VALUES ('{uuid.uuid4().hex}', '{stamp}', '{stamp}',"
        f" '{uuid.uuid4().hex}', '{stamp}', 600, '[]', 0, '', 0, 0, 0, 0, 0,"
        f" '{uuid.uuid4().hex}')",
        pragmas=("PRAGMA foreign_keys = OFF",),
    )
    found = problems(db, "sqlite.foreign_key")
    assert found and found[0].startswith("segments row ")
    assert problems(db, "segment.session")


def test_finds_links_to_a_client_of_another_platform(db):
    """Refused by the services since session 4 (job_post.platform_client,
    contract.platform_client, order.buyer_platform); an older workspace can hold them:
    built here directly in storage."""
    with db.session() as s:
        on_fiverr = Client(name="Gig buyer", platform="fiverr")
        on_upwork = Client(name="Acme", platform="upwork")
        s.add_all([on_fiverr, on_upwork])
        s.flush()
        post = JobPost(
            title="Data pipeline", platform="upwork", client_id=on_fiverr.id, budget_kind="fixed"
        )
        sound_post = JobPost(
            title="ETL", platform="upwork", client_id=on_upwork.id, budget_kind="fixed"
        )
        contract = Contract(
            client_id=on_fiverr.id,
            title="Site",
            platform="upwork",
            kind="hourly",
            hourly_rate_minor=5000,
            started_at=T - timedelta(days=30),
        )
        s.add_all([post, sound_post, contract])
    order = add_order(db, on_upwork.id)  # no gig: a Fiverr order
    assert problems(db, "job_post.platform_client") == [
        f"job_posts {str(post.id)[:8]} ('Data pipeline'): a upwork job post linked to client "
        f"{str(on_fiverr.id)[:8]}, a client on fiverr: hiring from it is refused "
        "(rule: job_post.platform_client)"
    ]
    assert problems(db, "contract.platform_client") == [
        f"contracts {str(contract.id)[:8]} ('Site'): on upwork but its client "
        f"{str(on_fiverr.id)[:8]} is a client on fiverr (rule: contract.platform_client)"
    ]
    assert problems(db, "order.buyer_platform") == [
        f"orders {str(order)[:8]}: a fiverr order whose buyer {str(on_upwork.id)[:8]} is a "
        "client on upwork (rule: order.buyer_platform)"
    ]
    assert len(problems(db)) == 3


def test_finds_an_unknown_currency(db):
    with db.session() as s:
        s.add(Client(name="Typo Ltd", platform="direct", currency="USS"))
    found = problems(db, "currency.known")
    assert found == ["clients: currency 'USS' is not an ISO 4217 code (rule: currency.known)"]


def test_many_problems_of_one_rule_are_capped(db):
    contract = add_contract(db, add_client(db))
    session = add_session(db, contract.id, T, T + timedelta(days=1))
    for i in range(MAX_PER_RULE + 5):
        add_segment(db, session, contract.id, T + timedelta(minutes=10 * i + 1), seconds=60)
    report = check_workspace(db)
    aligned = [p for p in report.problems if "(rule: segment.aligned)" in p]
    assert len(aligned) == MAX_PER_RULE
    assert report.problems[-1] == "… and 5 more problems of rule segment.aligned"
