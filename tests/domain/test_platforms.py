import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    DIRECT,
    FIVERR,
    UPWORK,
    Platform,
    auto_release_at,
    billing_week,
    check_gig_description,
    check_gig_tags,
    check_gig_title,
    check_package_count,
    check_package_price,
    check_upwork_fee,
    default_fee_bp,
    default_rules,
    diary_lock_at,
    fiverr_available_at,
    hourly_available_at,
    invoice_due_at,
    order_auto_completes_at,
    refund_or_dispute_until,
    review_ends_at,
    review_window_ends_at,
    security_period_ends_at,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


MON = utc(2026, 1, 5)  # a Monday
NEXT_MON = utc(2026, 1, 12)


@pytest.mark.parametrize(
    "instant",
    [
        MON,
        utc(2026, 1, 5, 0, 0, 1),
        utc(2026, 1, 8, 13, 30),
        utc(2026, 1, 11, 23, 59, 59, 999999),
    ],
)
def test_billing_week_is_monday_to_monday_utc(instant):
    assert billing_week(instant) == (MON, NEXT_MON)


def test_billing_week_boundary_belongs_to_the_next_week():
    assert billing_week(NEXT_MON) == (NEXT_MON, utc(2026, 1, 19))


def test_billing_week_uses_utc_not_local_date():
    # Monday 01:00 in UTC+2 is still Sunday in UTC: the previous week.
    plus2 = timezone(timedelta(hours=2))
    assert billing_week(datetime(2026, 1, 12, 1, 0, tzinfo=plus2)) == (MON, NEXT_MON)


def test_billing_week_refuses_naive():
    with pytest.raises(ValueError, match="naive"):
        billing_week(datetime(2026, 1, 5))


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 3), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    )
)
def test_billing_week_contains_instant_and_starts_on_monday(instant):
    start, end = billing_week(instant)
    assert start <= instant < end
    assert start.weekday() == 0 and start.time() == datetime.min.time()
    assert end - start == timedelta(days=7)


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        (diary_lock_at, utc(2026, 1, 12, 12, 0)),  # Monday noon
        (review_ends_at, utc(2026, 1, 17)),  # first instant after Friday 23:59:59
        (hourly_available_at, utc(2026, 1, 21)),  # the Wednesday after
    ],
)
def test_hourly_week_timeline(function, expected):
    assert function(MON) == expected


def test_review_covers_friday_last_second():
    assert review_ends_at(MON) - timedelta(seconds=1) == utc(2026, 1, 16, 23, 59, 59)
    assert review_ends_at(MON).weekday() == 5
    assert hourly_available_at(MON).weekday() == 2


@pytest.mark.parametrize("not_a_start", [utc(2026, 1, 6), utc(2026, 1, 5, 0, 0, 1)])
def test_week_functions_refuse_an_instant_that_is_not_a_week_start(not_a_start):
    with pytest.raises(RuleError, match="not the start of a billing week") as info:
        diary_lock_at(not_a_start)
    assert info.value.rule == "upwork.billing_week" and info.value.field == "week_start"


def test_rules_are_overridable():
    sunday_weeks = dataclasses.replace(
        UPWORK, week_starts_on=6, available_after_week=timedelta(days=10)
    )
    sunday = utc(2026, 1, 4)
    assert billing_week(utc(2026, 1, 7), sunday_weeks) == (sunday, utc(2026, 1, 11))
    assert hourly_available_at(sunday, sunday_weeks) == utc(2026, 1, 21)
    assert UPWORK.week_starts_on == 0  # the default is untouched


@pytest.mark.parametrize(
    ("function", "start", "expected"),
    [
        (auto_release_at, utc(2026, 3, 1, 10), utc(2026, 3, 15, 10)),
        (security_period_ends_at, utc(2026, 3, 15, 10), utc(2026, 3, 20, 10)),
        (refund_or_dispute_until, utc(2026, 3, 1), utc(2026, 3, 8)),
        (order_auto_completes_at, utc(2026, 3, 1, 8), utc(2026, 3, 4, 8)),
        (review_window_ends_at, utc(2026, 3, 1), utc(2026, 3, 15)),
        (invoice_due_at, utc(2026, 3, 1), utc(2026, 3, 31)),
    ],
)
def test_platform_deadlines(function, start, expected):
    assert function(start) == expected


@pytest.mark.parametrize(("top_rated", "days"), [(False, 14), (True, 7)])
def test_fiverr_clearance(top_rated, days):
    done = utc(2026, 2, 1, 9)
    assert fiverr_available_at(done, top_rated=top_rated) == done + timedelta(days=days)


def test_net_terms_override_and_negative_refused():
    net14 = dataclasses.replace(DIRECT, payment_terms_days=14)
    assert invoice_due_at(utc(2026, 3, 1), net14) == utc(2026, 3, 15)
    with pytest.raises(RuleError, match="negative"):
        invoice_due_at(utc(2026, 3, 1), dataclasses.replace(DIRECT, payment_terms_days=-1))


@pytest.mark.parametrize(
    ("platform", "fee"), [(Platform.UPWORK, 1000), (Platform.FIVERR, 2000), (Platform.DIRECT, 0)]
)
def test_default_fees(platform, fee):
    assert default_fee_bp(platform) == fee
    assert default_rules(platform) in (UPWORK, FIVERR, DIRECT)


@pytest.mark.parametrize(
    ("bp", "ok"), [(0, True), (1000, True), (1500, True), (1501, False), (-1, False)]
)
def test_upwork_fee_range(bp, ok):
    if ok:
        assert check_upwork_fee(bp) == bp
    else:
        with pytest.raises(RuleError, match="between 0% and 15%") as info:
            check_upwork_fee(bp)
        assert info.value.field == "fee"


@pytest.mark.parametrize(
    ("title", "rule"),
    [
        ("I will design your logo", None),
        ("  I will design your logo  ", None),
        ("I will " + "x" * 73, None),  # exactly 80
        ("I will " + "x" * 74, "fiverr.gig_title_length"),
        ("Logo design", "fiverr.gig_title_prefix"),
        ("I will", "fiverr.gig_title_prefix"),
        ("i will design", "fiverr.gig_title_prefix"),
    ],
)
def test_gig_title(title, rule):
    if rule is None:
        assert check_gig_title(title) == title.strip()
    else:
        with pytest.raises(RuleError) as info:
            check_gig_title(title)
        assert info.value.rule == rule and info.value.field == "title"


@pytest.mark.parametrize(
    ("tags", "rule"),
    [
        ([], None),
        (["logo", "brand", "design", "vector", "minimal"], None),
        (["a", "b", "c", "d", "e", "f"], "fiverr.gig_tag_count"),
        (["logo", " "], "fiverr.gig_tag_empty"),
    ],
)
def test_gig_tags(tags, rule):
    if rule is None:
        assert check_gig_tags(tags) == tuple(tags)
    else:
        with pytest.raises(RuleError) as info:
            check_gig_tags(tags)
        assert info.value.rule == rule


def test_gig_description_length():
    assert check_gig_description("x" * 1200)
    with pytest.raises(RuleError, match="1201 characters; at most 1200"):
        check_gig_description("x" * 1201)


def test_fourth_package_refused():
    assert check_package_count(3) == 3
    with pytest.raises(RuleError, match="at most 3 packages; this would be package 4"):
        check_package_count(4)


@pytest.mark.parametrize(
    ("price", "rules", "rule"),
    [
        (Money(500, "USD"), FIVERR, None),
        (Money(499, "USD"), FIVERR, "fiverr.package_price_minimum"),
        (Money(500, "EUR"), FIVERR, "fiverr.package_price_currency"),
        (Money(500, "EUR"), dataclasses.replace(FIVERR, min_package_price=Money(450, "EUR")), None),
    ],
)
def test_package_price_minimum(price, rules, rule):
    if rule is None:
        assert check_package_price(price, rules) == price
    else:
        with pytest.raises(RuleError) as info:
            check_package_price(price, rules)
        assert info.value.rule == rule and info.value.field == "price"


def test_rules_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        FIVERR.fee_bp = 0  # type: ignore[misc]
