from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freelancer_desk.domain.billing import (
    UPWORK_SEGMENTS,
    Heartbeat,
    RoundingMode,
    RoundingRule,
    SegmentSlice,
    activity_level,
    bill_amount,
    heartbeat_merge,
    over_weekly_limit,
    segment_start,
    split_into_segments,
    within_weekly_limit,
)
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


UP, NEAREST, DOWN = RoundingMode.UP, RoundingMode.NEAREST, RoundingMode.DOWN

# -- rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "mode", "seconds", "expected"),
    [
        (1, UP, 0, 0),
        (1, UP, 1, 60),
        (1, DOWN, 119, 60),
        (1, NEAREST, 89, 60),
        (1, NEAREST, 90, 120),  # a half goes up
        (6, UP, 361, 720),
        (6, DOWN, 719, 360),
        (6, NEAREST, 540, 720),
        (15, UP, 900, 900),
        (15, NEAREST, 449, 0),
        (15, NEAREST, 450, 900),
        (30, DOWN, 1799, 0),
        (30, UP, 1, 1800),
    ],
)
def test_rounding_rule_apply(minutes, mode, seconds, expected):
    assert RoundingRule.every(minutes, mode).apply(seconds) == expected


# The worked example of the Money issue: 7 h 23 min tracked in a week.
WEEK = 7 * 3600 + 23 * 60


@pytest.mark.parametrize(
    ("rule", "billed_minutes"),
    [
        (RoundingRule.every(1, UP), 443),
        (RoundingRule.every(6, UP), 444),
        (RoundingRule.every(6, NEAREST), 444),
        (RoundingRule.every(6, DOWN), 438),
        (RoundingRule.every(15, UP), 450),
        (RoundingRule.every(15, NEAREST), 450),
        (RoundingRule.every(15, DOWN), 435),
        (RoundingRule.every(30, UP), 450),
        (RoundingRule.every(30, NEAREST), 450),
        (RoundingRule.every(30, DOWN), 420),
    ],
)
def test_week_of_7h23_per_rounding_rule(rule, billed_minutes):
    segments = [600] * 44 + [180]  # 44 full segments and 3 minutes
    assert rule.billable_seconds(segments) == billed_minutes * 60


def test_upwork_segments_round_each_segment_to_whole_minutes():
    # Started at :03:30 and stopped at :52:10 — partial first and last segments.
    slices = split_into_segments(utc(2026, 1, 5, 9, 3, 30), utc(2026, 1, 5, 9, 52, 10))
    seconds = [s.seconds for s in slices]
    assert seconds == [390, 600, 600, 600, 600, 130]
    assert UPWORK_SEGMENTS.billable_seconds(seconds) == (6 + 4 * 10 + 2) * 60
    assert UPWORK_SEGMENTS.billable_seconds([600] * 44 + [180]) == WEEK


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("upwork", UPWORK_SEGMENTS),
        ("15m-up", RoundingRule(900, UP)),
        ("6m-nearest", RoundingRule(360, NEAREST)),
        ("1m-down", RoundingRule(60, DOWN)),
    ],
)
def test_rounding_codes_round_trip(code, rule):
    assert RoundingRule.from_code(code) == rule
    assert rule.code == code


@pytest.mark.parametrize("code", ["", "15", "15m", "0m-up", "15m-sideways", "Upwork"])
def test_bad_rounding_codes_refused(code):
    with pytest.raises(RuleError, match="is not 'upwork'") as info:
        RoundingRule.from_code(code)
    assert info.value.field == "rounding"


def test_rounding_rule_refusals():
    with pytest.raises(RuleError, match="at least 1 second"):
        RoundingRule(0, UP)
    with pytest.raises(RuleError, match="negative"):
        RoundingRule.every(1, UP).apply(-1)
    with pytest.raises(RuleError, match="no text form"):
        _ = RoundingRule(90, UP).code


@given(st.integers(0, 10**7), st.sampled_from([1, 6, 15, 30]), st.sampled_from(list(RoundingMode)))
def test_rounding_is_within_one_unit_and_on_the_grid(seconds, minutes, mode):
    rule = RoundingRule.every(minutes, mode)
    result = rule.apply(seconds)
    assert result % rule.unit_seconds == 0
    assert abs(result - seconds) < rule.unit_seconds
    assert RoundingRule.every(minutes, DOWN).apply(seconds) <= result or mode is DOWN
    assert result <= RoundingRule.every(minutes, UP).apply(seconds)


# -- segments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "start"),
    [
        (utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 9, 0)),
        (utc(2026, 1, 5, 9, 9, 59, 999999), utc(2026, 1, 5, 9, 0)),
        (utc(2026, 1, 5, 9, 10), utc(2026, 1, 5, 9, 10)),
        (utc(2026, 1, 5, 23, 59, 59), utc(2026, 1, 5, 23, 50)),
    ],
)
def test_segment_start(instant, start):
    assert segment_start(instant) == start


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 9, 0), []),
        (utc(2026, 1, 5, 9, 3), utc(2026, 1, 5, 9, 3), []),
        (utc(2026, 1, 5, 9, 0), utc(2026, 1, 5, 9, 10), [(utc(2026, 1, 5, 9, 0), 600)]),
        (
            utc(2026, 1, 5, 9, 5),
            utc(2026, 1, 5, 9, 15),
            [(utc(2026, 1, 5, 9, 0), 300), (utc(2026, 1, 5, 9, 10), 300)],
        ),
        (
            utc(2026, 1, 5, 23, 55),
            utc(2026, 1, 6, 0, 1),
            [(utc(2026, 1, 5, 23, 50), 300), (utc(2026, 1, 6, 0, 0), 60)],
        ),
        # Sub-second ends are floored: [09:00:00.7, 09:00:02.2) counts as 2 seconds.
        (
            utc(2026, 1, 5, 9, 0, 0, 700000),
            utc(2026, 1, 5, 9, 0, 2, 200000),
            [(utc(2026, 1, 5, 9, 0), 2)],
        ),
    ],
)
def test_split_into_segments(start, end, expected):
    assert split_into_segments(start, end) == [SegmentSlice(s, n) for s, n in expected]


def test_split_refuses_backwards_interval():
    with pytest.raises(RuleError, match="before it starts") as info:
        split_into_segments(utc(2026, 1, 5, 10), utc(2026, 1, 5, 9))
    assert info.value.field == "ended_at"


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
    ),
    st.integers(0, 3 * 86400),
)
def test_split_loses_no_second(start, length):
    end = start + timedelta(seconds=length)
    slices = split_into_segments(start, end)
    whole = int((end.replace(microsecond=0) - start.replace(microsecond=0)).total_seconds())
    assert sum(s.seconds for s in slices) == whole
    assert all(0 < s.seconds <= 600 for s in slices)
    assert all(s.segment_start.minute % 10 == 0 and s.segment_start.second == 0 for s in slices)
    starts = [s.segment_start for s in slices]
    assert starts == sorted(set(starts))


@pytest.mark.parametrize(
    ("minutes", "level"),
    [([], 0), ([True] * 10, 10), ([True, False] * 5, 5), ([False] * 3 + [True] * 4, 4)],
)
def test_activity_level(minutes, level):
    assert activity_level(minutes) == level


def test_activity_level_refuses_more_than_a_segment():
    with pytest.raises(RuleError, match="has 10 minutes, not 11"):
        activity_level([True] * 11)


# -- weekly limit ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("segments", "limit", "within", "over"),
    [
        ([600, 600, 600], None, [600, 600, 600], [False, False, False]),
        ([600, 600, 600], 1200, [600, 600, 0], [False, False, True]),
        ([600, 600, 600], 900, [600, 300, 0], [False, True, True]),
        ([600, 300, 600], 900, [600, 300, 0], [False, False, True]),
        ([600], 0, [0], [True]),
        ([], 3600, [], []),
    ],
)
def test_weekly_limit(segments, limit, within, over):
    assert within_weekly_limit(segments, limit) == within
    assert over_weekly_limit(segments, limit) == over


def test_weekly_limit_below_zero_refused():
    with pytest.raises(RuleError, match="below zero"):
        within_weekly_limit([600], -3600)


@given(st.lists(st.integers(0, 600), max_size=60), st.integers(0, 40 * 3600))
def test_weekly_limit_bills_at_most_the_limit(segments, limit):
    within = within_weekly_limit(segments, limit)
    assert sum(within) == min(limit, sum(segments))
    assert all(0 <= w <= s for w, s in zip(within, segments, strict=True))


# -- amounts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "rate", "amount"),
    [
        (3600, Money(5000, "USD"), Money(5000, "USD")),
        (WEEK, Money(5000, "USD"), Money(36917, "USD")),  # 443/60 h × $50 = $369.1666…
        (60, Money(100, "USD"), Money(2, "USD")),  # 1.666… cents → 2
        (18, Money(100, "USD"), Money(1, "USD")),  # exactly half a cent → up
        (17, Money(100, "USD"), Money(0, "USD")),
        (1800, Money(3333, "JPY"), Money(1667, "JPY")),
        (0, Money(5000, "USD"), Money(0, "USD")),
    ],
)
def test_bill_amount(seconds, rate, amount):
    assert bill_amount(seconds, rate) == amount


def test_bill_amount_refuses_negatives():
    with pytest.raises(RuleError, match="cannot be negative"):
        bill_amount(-1, Money(100, "USD"))
    with pytest.raises(RuleError) as info:
        bill_amount(60, Money(-100, "USD"))
    assert info.value.field == "rate"


@given(st.integers(0, 10**7), st.integers(0, 10**6))
def test_bill_amount_is_within_half_a_minor_unit(seconds, rate):
    billed = bill_amount(seconds, Money(rate, "USD")).amount
    exact_times_3600 = seconds * rate
    assert abs(billed * 3600 - exact_times_3600) * 2 <= 3600


# -- heartbeats ---------------------------------------------------------------------------

T0 = utc(2026, 1, 5, 9, 0)
PULSE = timedelta(seconds=90)
ACTIVE = {"session": "s1", "idle": False}


def hb(offset: int, duration: int, data=ACTIVE) -> Heartbeat:
    return Heartbeat(T0 + timedelta(seconds=offset), timedelta(seconds=duration), data)


@pytest.mark.parametrize(
    ("last", "new", "merged_duration"),
    [
        (hb(0, 0), hb(60, 0), 60),  # the usual 60-second pulse
        (hb(0, 60), hb(60, 0), 60),  # a beat at the end adds nothing
        (hb(0, 60), hb(150, 0), 150),  # exactly at end + pulsetime still merges
        (hb(0, 60), hb(151, 0), None),  # one second later is a gap
        (hb(0, 120), hb(30, 10), 120),  # inside: nothing changes
        (hb(0, 60), hb(30, 100), 130),  # overlapping and longer: stretches
        (hb(0, 60), hb(60, 0, {"session": "s1", "idle": True}), None),  # data differs
        (hb(0, 60), hb(60, 0, {"session": "s2", "idle": False}), None),
        (hb(60, 60), hb(30, 0), None),  # from before the last one (clock went back)
    ],
)
def test_heartbeat_merge(last, new, merged_duration):
    merged = heartbeat_merge(last, new, PULSE)
    if merged_duration is None:
        assert merged is None
    else:
        assert merged == Heartbeat(last.timestamp, timedelta(seconds=merged_duration), last.data)


def test_heartbeat_refuses_naive_and_negative():
    with pytest.raises(ValueError, match="naive"):
        Heartbeat(datetime(2026, 1, 5), timedelta(0), ACTIVE)
    with pytest.raises(RuleError, match="negative"):
        Heartbeat(T0, timedelta(seconds=-1), ACTIVE)


@given(st.lists(st.tuples(st.integers(0, 200), st.integers(0, 120)), min_size=1, max_size=30))
def test_merged_heartbeats_cover_what_they_merged(steps):
    # Beats in time order merged one by one never shrink and always end at the latest end.
    at = 0
    current = hb(0, 0)
    for gap, duration in steps:
        at += gap
        beat = hb(at, duration)
        merged = heartbeat_merge(current, beat, PULSE)
        if merged is None:
            assert beat.timestamp > current.end + PULSE
            current = beat
        else:
            assert merged.timestamp == current.timestamp
            assert merged.end == max(current.end, beat.end)
            current = merged
