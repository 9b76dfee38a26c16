"""The shared `xserver` rule: skipped locally without a display, an error in CI."""

from __future__ import annotations

import pytest

from tests.conftest import _require_x_server


def test_without_a_display_it_skips_locally(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _require_x_server()


def test_without_a_display_it_fails_in_ci(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="in CI this is an error"):
        _require_x_server()


def test_with_a_display_it_returns_it(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":99")
    assert _require_x_server() == ":99"
