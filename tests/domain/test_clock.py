from datetime import UTC, datetime, timedelta, timezone

import pytest

from freelancer_desk.domain.clock import FakeClock, SystemClock, ensure_utc, span_words


def test_system_clock_is_aware_utc():
    now = SystemClock().now()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_fake_clock_advance_moves_both_clocks():
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), monotonic_start=5.0)
    clock.advance(minutes=10)
    assert clock.now() == datetime(2026, 3, 2, 12, 10, tzinfo=UTC)
    assert clock.monotonic() == 605.0


def test_fake_clock_suspend_and_jump_leave_monotonic_alone():
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC), monotonic_start=5.0)
    clock.suspend(hours=2)
    clock.jump(minutes=-30)
    assert clock.now() == datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    assert clock.monotonic() == 5.0


def test_advance_refuses_negative():
    with pytest.raises(ValueError):
        FakeClock().advance(-1)


def test_ensure_utc_refuses_naive_and_converts_offsets():
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 1, 1, 12, 0))
    plus2 = timezone(timedelta(hours=2))
    assert ensure_utc(datetime(2026, 1, 1, 12, 0, tzinfo=plus2)) == datetime(
        2026, 1, 1, 10, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (93_780, "1 d 2 h"),
        (86_400 * 3 + 59 * 60, "3 d"),  # minutes drop out once a span is days long
        (7_500, "2 h 5 min"),
        (7_200, "2 h"),
        (60, "1 min"),
        (40, "under a minute"),
        (-5, "under a minute"),
    ],
)
def test_a_span_in_words(seconds: int, words: str) -> None:
    assert span_words(seconds) == words
