"""Choosing the activity and screen sources, and reading macOS idle time."""

from __future__ import annotations

import pytest

from freelancer_desk.tracker.activity import FakeActivity, detect_activity_source, parse_hid_idle
from freelancer_desk.tracker.screen import detect_screen_source
from freelancer_desk.tracker.xcb import available as xcb_available


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "no DISPLAY"),
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "Wayland session"),
        ({"XDG_SESSION_TYPE": "wayland"}, "Wayland session"),
        pytest.param(
            {"DISPLAY": ":987654"},
            "cannot read idle time from X server :987654",
            # python-xlib leaves the sockets of a refused connection open (its bug).
            marks=pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
        ),
    ],
)
def test_no_activity_source_says_why(env, reason):
    detected = detect_activity_source(env, "linux")
    assert detected.source is None
    assert reason in detected.reason


@pytest.mark.parametrize(
    ("env", "enabled", "reason"),
    [
        ({"DISPLAY": ":0"}, False, "turned off"),
        ({"WAYLAND_DISPLAY": "wayland-0"}, True, "Wayland session"),
        ({}, True, "no DISPLAY"),
    ],
)
def test_no_screen_source_says_why(env, enabled, reason):
    detected = detect_screen_source(env, "linux", enabled=enabled)
    assert detected.source is None and reason in detected.reason


def test_x11_screen_source_is_chosen_with_a_display():
    detected = detect_screen_source({"DISPLAY": ":5"}, "linux")
    # libxcb through ctypes where it loads (any X11 desktop has it), else Pillow.
    expected = "xcb" if xcb_available() else "pillow"
    assert detected.source is not None and detected.source.name == expected


def test_x11_without_libxcb_falls_back_to_pillow(monkeypatch):
    monkeypatch.setattr("freelancer_desk.tracker.xcb.available", lambda: False)
    detected = detect_screen_source({"DISPLAY": ":5"}, "linux")
    assert detected.source is not None and detected.source.name == "pillow"
    assert "Pillow ImageGrab on X11 :5" in detected.reason


def test_hid_idle_time_parsing():
    sample = b'    | |   "HIDIdleTime" = 2500000000\n    | |   "HIDKeyboardModifierAlphaLock" = No'
    assert parse_hid_idle(sample) == 2.5
    assert parse_hid_idle(b"nothing here") is None


def test_fake_activity():
    fake = FakeActivity()
    fake.advance(30)
    assert fake.idle_seconds() == 30
    fake.touch()
    assert fake.idle_seconds() == 0
    unknown = FakeActivity(None)
    unknown.advance(5)
    assert unknown.idle_seconds() is None
