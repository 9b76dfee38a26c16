"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 on Python 3.11 took a
reference from None on each call of a method returning nothing (QLabel.setText,
QPainter.fillRect, QWidget.update…), and the window aborted with "deallocating None"
after a few thousand of them (a bar chart's paint, the screenshot mode)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel

CALLS = 500  # a leak of one per call must fail the test, not abort the process


def test_calls_that_return_nothing_leave_none_alone(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    image = QImage(20, 20, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    colour = QColor("red")
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            label.setText("x")
            painter.fillRect(QRectF(1, 1, 5, 5), colour)
        after = sys.getrefcount(None)
    finally:
        painter.end()
    # Other code may hold or drop a few references meanwhile; a leak is one per call.
    assert after > before - CALLS // 4, (before, after)
