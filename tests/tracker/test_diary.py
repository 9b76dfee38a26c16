"""The Work Diary's day and week totals equal an independent sum over the segments."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.billing import RoundingRule, bill_amount
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import billing_week
from freelancer_desk.storage.models import Contract, Segment
from freelancer_desk.tracker.diary import day_view, totals

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("diary") / "ws"
    application = App.open(resolve_location(str(path)), FakeClock(NOW))
    application.create_demo()
    yield application
    application.close()


def expected(app, lo, hi):
    """(contract, order) -> (seconds, manual, over, value minor units or None)."""
    out: dict = defaultdict(lambda: [0, 0, 0, None])
    with app.db.read() as s:
        contracts = {c.id: c for c in s.scalars(select(Contract))}
        for g in s.scalars(
            select(Segment).where(
                Segment.slot_start >= lo, Segment.slot_start < hi, Segment.deleted.is_(False)
            )
        ):
            row = out[(g.contract_id, g.order_id)]
            row[0] += g.tracked_seconds
            row[1] += g.tracked_seconds if g.manual else 0
            row[2] += g.tracked_seconds if g.over_limit else 0
            c = contracts.get(g.contract_id)
            if c is not None and c.kind == "hourly" and c.hourly_rate_minor is not None:
                worth = 0
                if not g.over_limit:
                    rule = RoundingRule.from_code(c.rounding_rule)
                    rate = Money(c.hourly_rate_minor, c.currency)
                    worth = bill_amount(rule.apply(g.tracked_seconds), rate).amount
                row[3] = (row[3] or 0) + worth
    return {k: tuple(v) for k, v in out.items()}


def as_dict(found):
    return {
        (t.contract_id, t.order_id): (
            t.seconds,
            t.manual_seconds,
            t.over_limit_seconds,
            t.value.amount if t.value is not None else None,
        )
        for t in found
    }


def test_day_and_week_totals_equal_the_segments(app):
    with app.db.read() as s:
        slots = list(s.scalars(select(Segment.slot_start).where(Segment.deleted.is_(False))))
    busiest = Counter(slot.date() for slot in slots).most_common(3)
    assert busiest
    for day, _n in busiest:
        view = day_view(app.db, day)
        lo = datetime.combine(day, datetime.min.time(), UTC)
        assert as_dict(view.day_totals) == expected(app, lo, lo + timedelta(days=1))
        week, end = billing_week(lo)
        assert as_dict(view.week_totals) == expected(app, week, end)
        assert sum(c.tracked_seconds for h in view.hours for c in h.cells) == sum(
            v[0] for v in expected(app, lo, lo + timedelta(days=1)).values()
        )
        assert all(s.title != "?" for s in view.segments)
        today, this_week = totals(app.db, lo + timedelta(hours=12))
        assert as_dict(today) == as_dict(view.day_totals)
        assert as_dict(this_week) == as_dict(view.week_totals)


def test_week_totals_value_each_segment_at_its_rounded_length():
    """contract_totals adds each live segment's worth (Owners.value), whatever the rule —
    also an unknown rounding code (Upwork's rule then) — and lengths met again."""
    import random
    import uuid
    from types import SimpleNamespace

    from freelancer_desk.tracker.daybook import ContractFacts, OrderFacts, Owners, contract_totals

    owners = Owners()
    ids = [uuid.UUID(int=n) for n in range(1, 6)]
    for cid, (kind, rate, rule) in zip(
        ids,
        [
            ("hourly", 4500, "upwork"),
            ("hourly", 3333, "6m-nearest"),
            ("hourly", 12000, "no-such-rule"),
            ("hourly", None, "upwork"),
            ("fixed", 9000, "1m-up"),
        ],
        strict=True,
    ):
        owners.contracts[cid] = ContractFacts(
            cid, f"c{cid.int}", kind, "upwork", "USD", rate, rule, "blurred", None
        )
    order = uuid.UUID(int=99)
    owners.orders[order] = OrderFacts(order, "an order", "none")
    rnd = random.Random(3)
    rows = [
        SimpleNamespace(
            contract_id=None if n % 13 == 0 else rnd.choice(ids),
            order_id=order if n % 13 == 0 else None,
            tracked_seconds=rnd.choice([600, 600, 599, 1, 61, rnd.randrange(601)]),
            manual=rnd.random() < 0.2,
            over_limit=rnd.random() < 0.1,
            deleted=rnd.random() < 0.1,
        )
        for n in range(400)
    ]
    got = {(t.contract_id, t.order_id): t for t in contract_totals(rows, owners)}
    for (cid, oid), total in got.items():
        live = [g for g in rows if not g.deleted and (g.contract_id, g.order_id) == (cid, oid)]
        assert total.seconds == sum(g.tracked_seconds for g in live)
        assert total.manual_seconds == sum(g.tracked_seconds for g in live if g.manual)
        assert total.over_limit_seconds == sum(g.tracked_seconds for g in live if g.over_limit)
        worths = [owners.value(g) for g in live]
        if worths[0] is None:
            assert total.value is None
        else:
            assert total.value == Money(sum(w.amount for w in worths), "USD")
    assert {k for k in got if k[0] in ids[:3]} and got[(None, order)].value is None


def test_week_totals_from_the_daily_summary_equal_those_of_the_segments(app):
    """day_view and totals add the billing week up from tracked_days (and the hourly
    contracts' seconds); the answer, order included, is contract_totals of the week's
    segments — on weeks holding deleted, manual and over-limit segments."""
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from freelancer_desk.storage.models import Order
    from freelancer_desk.tracker.daybook import ContractFacts, OrderFacts, Owners, contract_totals

    owners = Owners()
    with app.db.read() as s:
        for c in s.scalars(select(Contract)):
            owners.contracts[c.id] = ContractFacts(
                c.id,
                c.title,
                c.kind,
                c.platform,
                c.currency,
                c.hourly_rate_minor,
                c.rounding_rule,
                c.snapshot_policy,
                c.weekly_limit_minutes,
            )
        for o in s.scalars(select(Order)):
            owners.orders[o.id] = OrderFacts(o.id, o.title, o.snapshot_policy)
        picks = {}
        for flag in (Segment.deleted, Segment.manual, Segment.over_limit, Segment.idle):
            slot = s.scalar(select(Segment.slot_start).where(flag.is_(True)).limit(1))
            assert slot is not None, flag
            picks[flag.key] = slot
        busiest = Counter(s.scalars(select(Segment.slot_start))).most_common(1)[0][0]

    def segments(lo, hi):
        with app.db.read() as s:
            return [
                SimpleNamespace(
                    **{
                        k: getattr(g, k)
                        for k in (
                            "contract_id",
                            "order_id",
                            "tracked_seconds",
                            "manual",
                            "over_limit",
                            "deleted",
                        )
                    }
                )
                for g in s.scalars(
                    select(Segment)
                    .where(Segment.slot_start >= lo, Segment.slot_start < hi)
                    .order_by(Segment.slot_start, Segment.created_at)
                )
            ]

    new_york = ZoneInfo("America/New_York")
    for at in [*picks.values(), busiest]:
        week, end = billing_week(at)
        want = contract_totals(segments(week, end), owners)
        assert any(t.over_limit_seconds for t in want) or at != picks["over_limit"]
        assert day_view(app.db, at.date()).week_totals == want
        assert day_view(app.db, at.date(), new_york).week_totals == contract_totals(
            segments(*billing_week(datetime.combine(at.date(), datetime.min.time(), new_york))),
            owners,
        )
        today, this_week = totals(app.db, at)
        assert this_week == want
        day = datetime.combine(at.date(), datetime.min.time(), UTC)
        assert today == contract_totals(segments(day, day + timedelta(days=1)), owners)
        today, _ = totals(app.db, at, new_york)  # a New York day is no UTC day: its segments
        local = datetime.combine(at.astimezone(new_york).date(), datetime.min.time(), new_york)
        assert today == contract_totals(segments(local, local + timedelta(days=1)), owners)


def test_summed_totals_equal_contract_totals_and_step_aside_on_a_tie():
    """summed_totals (a span's totals from sums per contract or order and the hourly
    contracts' seconds) equals contract_totals over the same rows, and answers None when
    two totals tie on time and title — their order is the first segment's."""
    import random
    import uuid
    from types import SimpleNamespace

    from freelancer_desk.tracker.daybook import (
        ContractFacts,
        OrderFacts,
        Owners,
        contract_totals,
        summed_totals,
    )

    def sums_of(rows):
        groups: dict = {}
        worked: dict = defaultdict(Counter)
        for g in rows:
            if g.deleted:
                continue
            key = (g.contract_id, g.order_id)
            got = groups.setdefault(key, [0, 0, 0])
            got[0] += g.tracked_seconds
            got[1] += g.tracked_seconds if g.manual else 0
            got[2] += g.tracked_seconds if g.over_limit else 0
            if g.contract_id and not g.over_limit:
                worked[g.contract_id][g.tracked_seconds] += 1
        sums = [
            SimpleNamespace(
                contract_id=c, order_id=o, seconds=a, manual_seconds=b, over_limit_seconds=d
            )
            for (c, o), (a, b, d) in groups.items()
        ]
        random.Random(len(sums)).shuffle(sums)  # a summary's order is no segment's
        return sums, worked

    owners = Owners()
    ids = [uuid.UUID(int=n) for n in range(1, 7)]
    for cid, (kind, rate, rule, limit) in zip(
        ids,
        [
            ("hourly", 4500, "upwork", 600),
            ("hourly", 3333, "6m-nearest", None),
            ("hourly", 12000, "no-such-rule", 40),
            ("hourly", None, "upwork", None),
            ("fixed", 9000, "1m-up", None),
            ("hourly", 2000, "15m-up", None),
        ],
        strict=True,
    ):
        owners.contracts[cid] = ContractFacts(
            cid, f"c{cid.int}", kind, "upwork", "USD", rate, rule, "blurred", limit
        )
    order = uuid.UUID(int=99)
    owners.orders[order] = OrderFacts(order, "an order", "none")
    rnd = random.Random(5)
    for _ in range(20):
        rows = [
            SimpleNamespace(
                contract_id=None if n % 13 == 0 else rnd.choice(ids),
                order_id=order if n % 13 == 0 else None,
                tracked_seconds=rnd.choice([600, 0, 599, 1, 61, rnd.randrange(601)]),
                manual=rnd.random() < 0.2,
                over_limit=rnd.random() < 0.1,
                deleted=rnd.random() < 0.1,
            )
            for n in range(rnd.randrange(1, 200))
        ]
        want = contract_totals(rows, owners)
        assert summed_totals(*sums_of(rows), owners) == want
    assert summed_totals([], {}, owners) == ()

    # two contracts with one title and as much time: contract_totals lists first the one
    # whose segment came first; sums cannot tell, so summed_totals says so
    twin = uuid.UUID(int=7)
    owners.contracts[twin] = owners.contracts[ids[0]]._replace(id=twin)
    rows = [
        SimpleNamespace(
            contract_id=cid,
            order_id=None,
            tracked_seconds=600,
            manual=False,
            over_limit=False,
            deleted=False,
        )
        for cid in (twin, ids[0])
    ]
    assert [t.contract_id for t in contract_totals(rows, owners)] == [twin, ids[0]]
    assert summed_totals(*sums_of(rows), owners) is None


def test_a_tie_in_the_week_is_ordered_by_the_first_segment(tmp_path):
    """Two contracts with one title and as much time in a week: the summary cannot tell
    which came first, so the week is read from its segments — in their order."""
    application = App.open(resolve_location(str(tmp_path / "ws")), FakeClock(NOW))
    try:
        application.create_demo()
        live = (Segment.deleted.is_(False), Segment.contract_id.is_not(None))

        def firsts(s, lo, hi):
            """contract -> (its first live segment's (slot, created), its seconds)."""
            out: dict = {}
            for g in s.scalars(
                select(Segment).where(*live, Segment.slot_start >= lo, Segment.slot_start < hi)
            ):
                first, seconds = out.get(g.contract_id, ((g.slot_start, g.created_at), 0))
                out[g.contract_id] = (
                    min(first, (g.slot_start, g.created_at)),
                    seconds + g.tracked_seconds,
                )
            return out

        with application.db.session() as s:
            slots = sorted(set(s.scalars(select(Segment.slot_start).where(*live))))
            for slot in slots[:: max(1, len(slots) // 50)]:
                lo, hi = billing_week(slot)
                spans = firsts(s, lo, hi)
                if len(spans) >= 2:
                    break
            (a, (_, a_seconds)), (b, (_, b_seconds)) = sorted(spans.items())[:2]
            if a_seconds > b_seconds:
                a, b, a_seconds, b_seconds = b, a, b_seconds, a_seconds
            cut = b_seconds - a_seconds  # b's time trimmed down to a's
            for g in s.scalars(
                select(Segment).where(
                    *live,
                    Segment.contract_id == b,
                    Segment.slot_start >= lo,
                    Segment.slot_start < hi,
                )
            ):
                taken = min(cut, g.tracked_seconds)
                g.tracked_seconds -= taken
                cut -= taken
            assert cut == 0
            s.get(Contract, b).title = s.get(Contract, a).title
        with application.db.read() as s:
            spans = firsts(s, lo, hi)
        view = day_view(application.db, lo.date())
        twins = [t for t in view.week_totals if t.contract_id in (a, b)]
        assert [(t.seconds, t.title) for t in twins[1:]] == [(twins[0].seconds, twins[0].title)]
        assert [t.contract_id for t in twins] == sorted((a, b), key=lambda c: spans[c][0])
        assert totals(application.db, lo + timedelta(hours=1))[1] == view.week_totals
    finally:
        application.close()
