"""Where "is the user at the keyboard?" comes from: seconds since the last input.

Only the time since the last keyboard or mouse input is read — never which key or
where the pointer went. X11 answers through the MIT-SCREEN-SAVER extension, Windows
through GetLastInputInfo, macOS through the HID system's HIDIdleTime. Wayland offers no
such answer to an ordinary client, and `detect_activity_source` says so.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


class ActivitySource(Protocol):
    """Seconds since the last user input, or None when it cannot be read right now."""

    name: str

    def idle_seconds(self) -> float | None: ...


class FakeActivity:
    """An activity source for tests: idle time set by hand, or moved with the clock.

    `touch()` is an input event; `advance(s)` lets `s` seconds pass without input. Tests
    that move a FakeClock call both on the same beat.
    """

    name = "fake"

    def __init__(self, idle: float | None = 0.0) -> None:
        self.idle = idle

    def idle_seconds(self) -> float | None:
        return self.idle

    def touch(self) -> None:
        self.idle = 0.0

    def advance(self, seconds: float) -> None:
        if self.idle is not None:
            self.idle += seconds


class X11Activity:
    """X11 idle time from the XScreenSaver extension (python-xlib), in milliseconds."""

    name = "x11"

    def __init__(self, display_name: str | None = None) -> None:
        from Xlib import display as xdisplay  # Linux only; a dependency there

        self._display = xdisplay.Display(display_name)
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise OSError("the X server has no MIT-SCREEN-SAVER extension (no idle time)")
        self._root = self._display.screen().root

    def idle_seconds(self) -> float | None:
        try:
            return float(self._root.screensaver_query_info().idle) / 1000.0
        except Exception:  # connection lost (X server gone): unknown, not "active"
            return None

    def close(self) -> None:
        self._display.close()


class WindowsActivity:  # pragma: no cover - exercised on Windows only
    """Windows idle time: GetTickCount() minus GetLastInputInfo().dwTime (both in ms)."""

    name = "windows"

    def __init__(self) -> None:
        class LastInputInfo(ctypes.Structure):
            _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

        windll: Any = ctypes.windll  # type: ignore[attr-defined]
        self._user32 = windll.user32
        self._kernel32 = windll.kernel32
        self._info = LastInputInfo()
        self._info.cbSize = ctypes.sizeof(LastInputInfo)

    def idle_seconds(self) -> float | None:
        if not self._user32.GetLastInputInfo(ctypes.byref(self._info)):
            return None
        # Both counters are 32-bit milliseconds that wrap every 49.7 days.
        elapsed: int = (self._kernel32.GetTickCount() - self._info.dwTime) & 0xFFFFFFFF
        return elapsed / 1000.0


_HID_IDLE = re.compile(rb'"HIDIdleTime"\s*=\s*(\d+)')


def parse_hid_idle(ioreg_output: bytes) -> float | None:
    """Seconds idle from `ioreg -c IOHIDSystem` output (HIDIdleTime is in nanoseconds)."""
    match = _HID_IDLE.search(ioreg_output)
    return int(match.group(1)) / 1e9 if match else None


class MacActivity:  # pragma: no cover - exercised on macOS only
    """macOS idle time: IOHIDSystem's HIDIdleTime, read through `ioreg` (a few ms a call)."""

    name = "macos"

    def idle_seconds(self) -> float | None:
        try:
            result = subprocess.run(
                ["/usr/sbin/ioreg", "-c", "IOHIDSystem", "-d", "4"],
                capture_output=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return parse_hid_idle(result.stdout)


@dataclass(frozen=True)
class Detected:
    """The source chosen, or None with the reason, in words the user can act on."""

    source: ActivitySource | None
    reason: str


def wayland_session(env: Mapping[str, str]) -> bool:
    return env.get("XDG_SESSION_TYPE") == "wayland" or bool(env.get("WAYLAND_DISPLAY"))


def detect_activity_source(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> Detected:
    """Pick the idle-time source for this desktop, or say why there is none."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    try:
        if platform.startswith("win"):
            return Detected(WindowsActivity(), "Windows GetLastInputInfo")
        if platform == "darwin":
            return Detected(MacActivity(), "macOS HIDIdleTime")
    except OSError as exc:  # pragma: no cover - other platforms
        return Detected(None, f"idle time unavailable: {exc}")
    if wayland_session(env):
        # Under XWayland the X server sees only its own windows' input, so its idle time
        # would grow while the user types into native Wayland windows.
        return Detected(
            None,
            "Wayland session: no idle-time source (X11 idle time would miss Wayland "
            "windows); time is tracked, activity is not measured",
        )
    display = env.get("DISPLAY")
    if not display:
        return Detected(None, "no DISPLAY: no X server to read idle time from")
    try:
        return Detected(X11Activity(display), f"X11 screen saver idle time on {display}")
    except Exception as exc:  # Xlib raises its own errors for a refused connection
        return Detected(None, f"cannot read idle time from X server {display}: {exc}")
