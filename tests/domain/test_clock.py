from datetime import UTC, datetime, timedelta, timezone

import pytest

from freelancer_desk.domain.clock import FakeClock, SystemClock, ensure_utc


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
