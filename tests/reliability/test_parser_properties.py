"""Property tests for every parser of user input: whatever the text, each either returns
a value that round-trips or refuses with its own error type naming the field — never
another exception, never a silent change of value."""

from __future__ import annotations

import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from freelancer_desk.domain.billing import RoundingRule
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import MAX_MINOR, Money, MoneyError, exponent, parse_rate
from freelancer_desk.importers.base import (
    RowError,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_money,
    parse_time,
)
from freelancer_desk.tracker.diary import parse_day

CURRENCIES = ["USD", "EUR", "JPY", "KWD", "GBP"]
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like numbers, dates and amounts, plus anything at all.
numberish = st.text(alphabet=string.digits + "+-.,e%$€¥£ ()\u00a0:/ETZ", max_size=40)
hostile = st.one_of(
    numberish,
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "\x00",
            "1\x00",
            "NaN",
            "sNaN",
            "-Infinity",
            "1e999999999",
            "9" * 5000,
            "\u202e12.50",  # right-to-left override
            "١٢٣",  # Arabic-Indic digits
            "１２３",  # full-width digits
            "💰12",
            "0x10",
            "1_000",
        ]
    ),
)


@FAST
@given(text=hostile, currency=st.sampled_from(CURRENCIES))
@example(text="12.345", currency="USD")
@example(text="1.5", currency="JPY")
@example(text="-0.00", currency="USD")
def test_money_parse_refuses_with_the_field_or_round_trips(text, currency):
    try:
        money = Money.parse(text, currency, field="price")
    except MoneyError as exc:
        assert str(exc).startswith("price: ")
        return
    assert abs(money.amount) <= MAX_MINOR
    assert Money.parse(money.format_plain(), currency) == money
    assert Money.parse(str(money), currency) == money


@FAST
@given(
    amount=st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR),
    currency=st.sampled_from(CURRENCIES),
)
def test_every_money_value_round_trips_through_its_text(amount, currency):
    money = Money(amount, currency)
    assert Money.parse(money.format_plain(), currency) == money
    assert Money.parse(str(money), currency) == money


def test_too_many_decimals_for_the_currency_is_refused_not_rounded():
    assert exponent("JPY") == 0
    with pytest.raises(MoneyError, match=r"amount: '1\.5' has more decimals than JPY allows"):
        Money.parse("1.5", "JPY")
    with pytest.raises(MoneyError, match="more decimals than USD"):
        Money.parse("0.001", "USD")
    assert Money.parse("1.000", "KWD").amount == 1000
    with pytest.raises(MoneyError, match="too large"):
        Money.parse("9" * 5000, "USD")


@FAST
@given(text=hostile)
@example(text="sNaN")
@example(text="NaN")
@example(text="-0")
def test_parse_rate_is_basis_points_or_refused_with_the_field(text):
    try:
        bp = parse_rate(text, field="fee")
    except MoneyError as exc:
        assert str(exc).startswith("fee: ")
        return
    assert isinstance(bp, int) and 0 <= bp <= 10_000
    assert parse_rate(f"{Decimal(bp) / 100}") == bp


@FAST
@given(code=st.one_of(st.text(max_size=30), st.from_regex(r"\A\d{1,25}m-(up|down|nearest)\Z")))
@example(code="0m-up")
@example(code="99999999999999999999m-up")
def test_rounding_rule_from_code_is_a_rule_or_refused_naming_rounding(code):
    try:
        rule = RoundingRule.from_code(code)
    except RuleError as exc:
        assert exc.field == "rounding"
        return
    assert RoundingRule.from_code(rule.code) == rule


@FAST
@given(text=st.one_of(hostile, st.from_regex(r"\A\d{4}-\d{2}-\d{2}\Z")))
@example(text="2026-02-30")
@example(text="0000-01-01")
def test_diary_and_cli_dates_are_real_days_or_refused_naming_date(text):
    try:
        day = parse_day(text)
    except RuleError as exc:
        assert exc.field == "date"
        return
    assert isinstance(day, date) and parse_day(day.isoformat()) == day


@FAST
@given(
    text=st.one_of(hostile, st.from_regex(r"\A\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\Z")),
    order=st.sampled_from(["auto", "mdy", "dmy"]),
)
@example(text="30.02.2026", order="auto")
@example(text="Feb 30, 2026", order="auto")
@example(text="0000-01-01", order="auto")
def test_importer_dates_are_real_days_or_a_row_error(text, order):
    try:
        day = parse_date(text, "Date", order)
    except RowError as exc:
        assert exc.field == "Date" and str(exc)
        return
    assert isinstance(day, date)


@FAST
@given(text=hostile)
def test_importer_times_are_times_of_day_or_a_row_error(text):
    try:
        h, m, s = parse_time(text, "Start time")
    except RowError as exc:
        assert exc.field == "Start time" and str(exc)
        return
    assert 0 <= h <= 23 and 0 <= m <= 59 and 0 <= s <= 59


@FAST
@given(text=hostile, currency=st.sampled_from(CURRENCIES), comma=st.booleans())
@example(text="($1,234.56)", currency="USD", comma=False)
@example(text="1.234,56", currency="EUR", comma=True)
@example(text="¥1,5", currency="JPY", comma=True)
def test_importer_amounts_are_money_or_a_row_error(text, currency, comma):
    try:
        money = parse_money(text, currency, "Amount", decimal_comma=comma)
    except RowError as exc:
        assert exc.field == "Amount" and str(exc)
        return
    assert money.currency == currency and abs(money.amount) <= MAX_MINOR


@FAST
@given(text=hostile)
def test_importer_numbers_are_finite_or_a_row_error(text):
    try:
        value = parse_decimal(text, "Hours")
    except RowError as exc:
        assert exc.field == "Hours" and str(exc)
        return
    assert value.is_finite()


@pytest.mark.parametrize("text", ["1e999999", "1e999999999", "10000.5", "10001:00", "9" * 5000])
def test_importer_durations_too_long_are_a_row_error_naming_the_field(text):
    with pytest.raises(RowError, match="longer than 10,000 hours") as caught:
        parse_duration(text, "Duration")
    assert caught.value.field == "Duration"


@FAST
@given(text=st.one_of(numberish, st.from_regex(r"\A\d{1,3}:\d{2}(:\d{2})?\Z")))
@example(text="1e999999")
@example(text="1e-999999999")
def test_importer_durations_are_seconds_or_a_row_error(text):
    try:
        seconds = parse_duration(text, "Duration")
    except RowError as exc:
        assert exc.field == "Duration"
        return
    assert 0 <= seconds <= 10_000 * 3600
