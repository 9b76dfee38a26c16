"""Time, injected: the one module that reads the wall clock.

Everything else receives a `Clock` and asks it for `now()` (aware, UTC) and
`monotonic()` (seconds, never jumps). Tests pass a `FakeClock` and move it by hand.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin; unaffected by wall-clock changes."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock for tests: it stands still until moved.

    `advance()` moves both the wall clock and the monotonic clock (time passing);
    `jump()` moves only the wall clock (the user or NTP setting the clock);
    `suspend()` moves the wall clock but not the monotonic one, as a sleeping
    machine does on Linux, where CLOCK_MONOTONIC stops during suspend.
    """

    def __init__(self, start: datetime | None = None, monotonic_start: float = 1000.0) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._now = ensure_utc(start)
        self._mono = monotonic_start

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0.0, **kwargs: float) -> None:
        delta = timedelta(seconds=seconds, **kwargs)
        if delta < timedelta(0):
            raise ValueError("time does not run backwards; use jump() for a clock change")
        self._now += delta
        self._mono += delta.total_seconds()

    def jump(self, seconds: float = 0.0, **kwargs: float) -> None:
        self._now += timedelta(seconds=seconds, **kwargs)

    def suspend(self, seconds: float = 0.0, **kwargs: float) -> None:
        self._now += timedelta(seconds=seconds, **kwargs)

    def set(self, instant: datetime) -> None:
        self._now = ensure_utc(instant)


def ensure_utc(value: datetime) -> datetime:
    """Return `value` in UTC; a naive datetime is refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} refused: instants must carry a zone")
    return value.astimezone(UTC)


def span_words(seconds: int) -> str:
    """How long, in words for a glance: 93_780 -> "1 d 2 h", 7_500 -> "2 h 5 min",
    40 -> "under a minute" (rounded down; a negative span reads as none)."""
    days, rest = divmod(max(seconds, 0), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"
