"""The window tests' shared set-up: no modifier key left held from one test to the next.

Qt Test's key click with a modifier (`qtbot.keyClick(w, Qt.Key_Tab, ShiftModifier)`)
ends with a release of the modifier key that still says the modifier is down, and Qt
keeps the modifiers of the last key event as the application's keyboard state
(`QApplication.keyboardModifiers()`): for every later test the user "holds" Shift or
Ctrl. A real keyboard's release does not do that, so this state is the tests' own: it
is let go after each test. (The window itself no longer depends on it where it selects
rows by itself: tests/ui/test_held_keys.py.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

_MODIFIER_KEYS = (
    (Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Shift),
    (Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Control),
    (Qt.KeyboardModifier.AltModifier, Qt.Key.Key_Alt),
    (Qt.KeyboardModifier.MetaModifier, Qt.Key.Key_Meta),
)


def release_held_modifiers() -> None:
    """Let go every modifier key the application believes held: a release of each,
    saying no modifier is down after it, sent to a widget of its own (not to a widget
    of the test, which could act on it)."""
    held = QApplication.keyboardModifiers()
    if held == Qt.KeyboardModifier.NoModifier:
        return
    sink = QWidget()
    for modifier, key in _MODIFIER_KEYS:
        if held & modifier:
            QTest.keyRelease(sink, key)
    sink.deleteLater()


@pytest.fixture(autouse=True)
def _no_modifier_left_held() -> Iterator[None]:
    yield
    if QApplication.instance() is not None:
        release_held_modifiers()
