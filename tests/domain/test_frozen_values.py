"""Money, RoundingRule, SegmentSlice and Heartbeat are written by hand (domain/frozen.py:
the CLI's lean path does not import `dataclasses`); they keep what the frozen
dataclasses gave. Each is checked beside a dataclass with the same fields."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from freelancer_desk.domain.billing import (
    UPWORK_SEGMENTS,
    Heartbeat,
    RoundingMode,
    RoundingRule,
    SegmentSlice,
)
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money, MoneyError

AT = datetime(2025, 6, 11, 9, 10, tzinfo=UTC)

# (class, a value, the same built by keyword, another value, field names)
CASES: list[tuple[type, Any, Any, Any, tuple[str, ...]]] = [
    (
        Money,
        Money(1999, "USD"),
        Money(currency="USD", amount=1999),
        Money(1999, "EUR"),
        ("amount", "currency"),
    ),
    (
        RoundingRule,
        RoundingRule(900, RoundingMode.UP),
        RoundingRule(unit_seconds=900, mode=RoundingMode.UP, per_segment=False),
        RoundingRule(900, RoundingMode.UP, True),
        ("unit_seconds", "mode", "per_segment"),
    ),
    (
        SegmentSlice,
        SegmentSlice(AT, 600),
        SegmentSlice(seconds=600, segment_start=AT),
        SegmentSlice(AT, 599),
        ("segment_start", "seconds"),
    ),
    (
        Heartbeat,
        Heartbeat(AT, timedelta(seconds=5), {"session": "a"}),
        Heartbeat(data={"session": "a"}, duration=timedelta(seconds=5), timestamp=AT),
        Heartbeat(AT, timedelta(seconds=6), {"session": "a"}),
        ("timestamp", "duration", "data"),
    ),
]
IDS = [case[0].__name__ for case in CASES]


def _twin(cls: type, names: tuple[str, ...]) -> type:
    """A frozen dataclass with the same name and fields: the behaviour to keep."""
    return dataclasses.make_dataclass(cls.__name__, names, frozen=True)


@pytest.mark.parametrize(("cls", "value", "by_keyword", "other", "names"), CASES, ids=IDS)
def test_construction_equality_and_repr_are_the_dataclass_ones(
    cls: type, value: Any, by_keyword: Any, other: Any, names: tuple[str, ...]
) -> None:
    twin = _twin(cls, names)
    fields = tuple(getattr(value, n) for n in names)
    assert repr(value) == repr(twin(*fields))
    assert cls.__match_args__ == names == twin.__match_args__  # type: ignore[attr-defined]
    assert value == by_keyword
    assert value != other
    assert not (value == other)  # noqa: SIM201 - __eq__ itself, not __ne__
    # Equal only to the same type: a tuple or a twin dataclass with the same fields is not.
    assert value != fields
    assert value != twin(*fields)
    assert value.__eq__(fields) is NotImplemented


@pytest.mark.parametrize(("cls", "value", "by_keyword", "other", "names"), CASES, ids=IDS)
def test_frozen_slotted_and_hashable_by_value(
    cls: type, value: Any, by_keyword: Any, other: Any, names: tuple[str, ...]
) -> None:
    for name in names:
        with pytest.raises(
            dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"
        ):
            setattr(value, name, getattr(other, name))
        with pytest.raises(AttributeError):
            delattr(value, name)
    with pytest.raises(AttributeError):
        value.extra = 1
    assert not hasattr(value, "__dict__")
    assert value == by_keyword
    if cls is Heartbeat:  # its data is a dict, as a dataclass's hash would refuse too
        with pytest.raises(TypeError, match="unhashable"):
            hash(value)
        hashable = Heartbeat(AT, timedelta(seconds=5), frozenset())  # type: ignore[arg-type]
        assert hash(hashable) == hash(Heartbeat(AT, timedelta(seconds=5), frozenset()))  # type: ignore[arg-type]
    else:
        assert hash(value) == hash(by_keyword)
        assert len({value, by_keyword, other}) == 2


@pytest.mark.parametrize(("cls", "value", "by_keyword", "other", "names"), CASES, ids=IDS)
def test_copy_and_pickle_give_an_equal_value(
    cls: type, value: Any, by_keyword: Any, other: Any, names: tuple[str, ...]
) -> None:
    for again in (
        copy.copy(value),
        copy.deepcopy(value),
        pickle.loads(pickle.dumps(value)),
        pickle.loads(pickle.dumps(value, protocol=2)),
    ):
        assert type(again) is cls
        assert again == value
        assert repr(again) == repr(value)


def test_match_by_position_and_keyword() -> None:
    match Money(250, "EUR"):
        case Money(amount, "EUR"):
            assert amount == 250
        case _:
            pytest.fail("Money(amount, currency) did not match")
    match SegmentSlice(AT, 42):
        case SegmentSlice(start, seconds=seconds):
            assert (start, seconds) == (AT, 42)
        case _:
            pytest.fail("SegmentSlice did not match")


def test_construction_checks_stay() -> None:
    with pytest.raises(MoneyError, match="integer number of minor units"):
        Money(True, "USD")
    with pytest.raises(MoneyError, match="integer number of minor units"):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="ISO 4217"):
        Money(1, "usd")
    with pytest.raises(MoneyError, match="out of range"):
        Money(10**15 + 1, "USD")
    with pytest.raises(TypeError):
        Money(1)  # type: ignore[call-arg]
    with pytest.raises(RuleError, match="at least 1 second"):
        RoundingRule(0, RoundingMode.UP)
    with pytest.raises(RuleError, match="negative time"):
        Heartbeat(AT, timedelta(seconds=-1), {})
    # A heartbeat's instant is kept in UTC, as __post_init__ did.
    plus2 = timezone(timedelta(hours=2))
    beat = Heartbeat(AT.astimezone(plus2), timedelta(0), {})
    assert beat.timestamp.tzinfo is UTC
    assert beat == Heartbeat(AT, timedelta(0), {})


def test_rounding_rule_defaults_and_code() -> None:
    assert RoundingRule(60, RoundingMode.DOWN).per_segment is False
    assert RoundingRule(60, RoundingMode.DOWN, per_segment=True) == UPWORK_SEGMENTS
    assert UPWORK_SEGMENTS.code == "upwork"
    assert RoundingRule.from_code("15m-up") == RoundingRule(900, RoundingMode.UP)
    assert repr(UPWORK_SEGMENTS) == (
        "RoundingRule(unit_seconds=60, mode=<RoundingMode.DOWN: 'down'>, per_segment=True)"
    )


def test_money_text_without_decimal() -> None:
    """str() and format_plain() are integer arithmetic now; they print what formatting
    the Decimal printed (a wide sweep is in the commit's check, these are the edges)."""
    cases = {
        Money(0, "USD"): ("0.00 USD", "0.00"),
        Money(-5, "USD"): ("-0.05 USD", "-0.05"),
        Money(123456789, "USD"): ("1,234,567.89 USD", "1234567.89"),
        Money(-100000, "JPY"): ("-100,000 JPY", "-100000"),
        Money(1234567, "KWD"): ("1,234.567 KWD", "1234.567"),
        Money(-(10**15), "USD"): ("-10,000,000,000,000.00 USD", "-10000000000000.00"),
    }
    for money, (text, plain) in cases.items():
        exp = {"USD": 2, "JPY": 0, "KWD": 3}[money.currency]
        assert (str(money), money.format_plain()) == (text, plain)
        assert f"{money.decimal:,.{exp}f} {money.currency}" == text
        assert f"{money.decimal:.{exp}f}" == plain
