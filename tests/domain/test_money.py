import pytest
from hypothesis import given
from hypothesis import strategies as st

from freelancer_desk.domain.money import Money, MoneyError, parse_rate


def test_parse_respects_currency_decimals():
    assert Money.parse("1,234.50", "USD") == Money(123450, "USD")
    assert Money.parse("1500", "JPY") == Money(1500, "JPY")
    assert Money.parse("1.234", "KWD") == Money(1234, "KWD")
    with pytest.raises(MoneyError, match="more decimals than JPY"):
        Money.parse("10.5", "JPY")
    with pytest.raises(MoneyError, match="more decimals than USD"):
        Money.parse("0.001", "USD")


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "--5", "1e5", "NaN", "inf", "12,34"])
def test_parse_refuses_garbage_naming_the_field(text):
    with pytest.raises(MoneyError, match=r"^price:"):
        Money.parse(text, "USD", field="price")


def test_huge_amounts_refused():
    with pytest.raises(MoneyError, match="too large"):
        Money.parse("99999999999999999999", "USD")


def test_currencies_never_mix():
    with pytest.raises(MoneyError, match="USD with EUR"):
        Money(100, "USD") + Money(100, "EUR")


def test_unknown_currency_refused():
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money(1, "USS")
    with pytest.raises(MoneyError):
        Money(1, "usd")


def test_float_amount_refused():
    with pytest.raises(MoneyError, match="integer"):
        Money(1.5, "USD")  # type: ignore[arg-type]


def test_fee_split_rounds_half_up_and_loses_nothing():
    fee, net = Money(12345, "USD").split_fee(1000)
    assert (fee, net) == (Money(1235, "USD"), Money(11110, "USD"))
    fee, net = Money(999, "JPY").split_fee(2000)
    assert fee + net == Money(999, "JPY") and fee == Money(200, "JPY")


def test_allocate_spreads_remainder():
    parts = Money(100, "USD").allocate([1, 1, 1])
    assert [p.amount for p in parts] == [34, 33, 33]
    assert sum(p.amount for p in Money(-100, "USD").allocate([1, 1, 1])) == -100


@given(st.integers(-(10**12), 10**12), st.integers(0, 10_000))
def test_fee_split_is_exact(amount, bp):
    fee, net = Money(amount, "USD").split_fee(bp)
    assert fee.amount + net.amount == amount


@given(st.integers(-(10**12), 10**12), st.lists(st.integers(0, 1000), min_size=1, max_size=8))
def test_allocate_is_exact(amount, ratios):
    if sum(ratios) == 0:
        return
    parts = Money(amount, "EUR").allocate(ratios)
    assert sum(p.amount for p in parts) == amount
    assert len(parts) == len(ratios)


@given(st.integers(-(10**12), 10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_format_parse_round_trip(amount, currency):
    money = Money(amount, currency)
    assert Money.parse(money.format_plain(), currency) == money


def test_parse_rate():
    assert parse_rate("10") == 1000
    assert parse_rate("12.5%") == 1250
    with pytest.raises(MoneyError, match="fee"):
        parse_rate("101")
    with pytest.raises(MoneyError):
        parse_rate("ten")


def test_per_hour_rounds_half_up_away_from_zero():
    from freelancer_desk.domain.money import per_hour

    assert per_hour(100, 0, "USD") is None  # no tracked time, no rate
    assert per_hour(100, -5, "USD") is None
    assert per_hour(90_001, 34_200, "USD") == Money(9474, "USD")  # 900.01 / 9.5 h = 94.7389…
    assert per_hour(1, 7200, "USD") == Money(1, "USD")  # 0.5 -> 1
    assert per_hour(-1, 7200, "USD") == Money(-1, "USD")  # -0.5 -> -1
    assert per_hour(1, 7201, "USD") == Money(0, "USD")
    assert per_hour(12_345, 3600, "EUR") == Money(12_345, "EUR")
