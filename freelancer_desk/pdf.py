"""Invoices and weekly timesheets as PDF files.

This module imports PySide6's QtGui for QPdfWriter — the one exception to "only ui/
imports Qt" (see DESIGN.md, Layers; pyproject.toml's import-linter contract ignores
exactly this module's Qt import). Import it lazily, inside the function that writes a
PDF, so that the core still imports and runs with PySide6 missing.

The pages are drawn from plain data (`ReportService.invoice_document()` and
`timesheet_document()`), in points on A4, black on white: a PDF is printed, so it
ignores the window's palette. Without a running Qt application one offscreen
QGuiApplication is made (the CLI); the window's own application is used otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from freelancer_desk.domain.money import Money

PAGE_W, PAGE_H = 595.0, 842.0  # A4 in points
MARGIN = 50.0
INK = QColor(20, 20, 20)
MUTED = QColor(100, 100, 100)
RULE = QColor(190, 190, 190)
BAND = QColor(242, 242, 242)

_app: QGuiApplication | None = None


def _ensure_app() -> None:
    """Text needs a Qt application. A QApplication (not a bare QGuiApplication), so a
    window started later in the same process can still be made."""
    global _app
    if QGuiApplication.instance() is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication(["freelancer-desk-pdf"])


def _money(value: Any) -> str:
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, dict) and "amount_minor" in value:
        return str(Money(int(value["amount_minor"]), str(value["currency"])))
    return "" if value is None else str(value)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d %b %Y")


def _stamp(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y %H:%M UTC")


def _hours(seconds: int) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


class _Pages:
    """A painter on a PDF, in points, that starts a new page when one is full."""

    def __init__(self, path: Path, title: str) -> None:
        _ensure_app()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = QPdfWriter(str(path))
        self.writer.setTitle(title)
        self.writer.setCreator("Freelancer Desk")
        self.writer.setResolution(72)  # one device unit is one point
        self.writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        self.painter = QPainter()
        if not self.painter.begin(self.writer):
            raise OSError(f"cannot write a PDF to {path}")
        self.page = 1
        self._setup()
        self.y = MARGIN
        self.footer_text = ""

    def _setup(self) -> None:
        self.painter.resetTransform()
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing)

    def font(self, size: float, bold: bool = False) -> QFont:
        font = QFont("DejaVu Sans")
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setPointSizeF(size)
        font.setBold(bold)
        self.painter.setFont(font)
        return font

    def text(
        self,
        x: float,
        y: float,
        w: float,
        text: str,
        *,
        size: float = 9.5,
        bold: bool = False,
        color: QColor = INK,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        wrap: bool = False,
    ) -> float:
        """Draw `text` with its top at y; returns its height."""
        font = self.font(size, bold)
        self.painter.setPen(color)
        metrics = QFontMetricsF(font, self.writer)
        flags = int(align | Qt.AlignmentFlag.AlignTop)
        if wrap:
            flags |= int(Qt.TextFlag.TextWordWrap)
            bound = metrics.boundingRect(QRectF(0, 0, w, 10_000), flags, text)
            height = bound.height()
        else:
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, w)
            height = metrics.height()
        self.painter.drawText(QRectF(x, y, w, height + 2), flags, text)
        return height

    def rule(self, y: float, color: QColor = RULE, width: float = 0.6) -> None:
        self.painter.setPen(QPen(color, width))
        self.painter.drawLine(QPointF(MARGIN, y), QPointF(PAGE_W - MARGIN, y))

    def band(self, y: float, h: float, color: QColor = BAND) -> None:
        self.painter.fillRect(QRectF(MARGIN, y, PAGE_W - 2 * MARGIN, h), color)

    def room(self, needed: float) -> bool:
        """Start a new page unless `needed` points fit above the footer; True if it did."""
        if self.y + needed <= PAGE_H - MARGIN - 24:
            return False
        self.footer()
        self.writer.newPage()
        self.page += 1
        self._setup()
        self.y = MARGIN
        return True

    def footer(self) -> None:
        self.rule(PAGE_H - MARGIN - 12)
        self.text(MARGIN, PAGE_H - MARGIN - 8, 400, self.footer_text, size=7.5, color=MUTED)
        self.text(
            PAGE_W - MARGIN - 50,
            PAGE_H - MARGIN - 8,
            50,
            f"page {self.page}",
            size=7.5,
            color=MUTED,
            align=Qt.AlignmentFlag.AlignRight,
        )

    def finish(self) -> None:
        self.footer()
        self.painter.end()


def _table(
    pages: _Pages,
    columns: Sequence[tuple[str, float, Qt.AlignmentFlag]],
    rows: Sequence[Sequence[str]],
    *,
    wrap_column: int | None = None,
) -> None:
    """A table with a header band, repeated on every page it runs onto."""
    x0 = MARGIN

    def header() -> None:
        pages.band(pages.y, 18)
        x = x0
        for title, width, align in columns:
            pages.text(x + 4, pages.y + 4, width - 8, title, size=8.5, bold=True, align=align)
            x += width
        pages.y += 22

    header()
    for row in rows:
        heights = []
        for i, (cell, (_t, width, _a)) in enumerate(zip(row, columns, strict=True)):
            if i == wrap_column:
                metrics = QFontMetricsF(pages.font(9.5), pages.writer)
                bound = metrics.boundingRect(
                    QRectF(0, 0, width - 8, 10_000),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
                    cell,
                )
                heights.append(bound.height())
            else:
                heights.append(QFontMetricsF(pages.font(9.5), pages.writer).height())
        height = max(heights) + 8
        if pages.room(height):
            header()
        x = x0
        for i, (cell, (_t, width, align)) in enumerate(zip(row, columns, strict=True)):
            pages.text(x + 4, pages.y + 4, width - 8, cell, align=align, wrap=i == wrap_column)
            x += width
        pages.y += height
        pages.rule(pages.y)


_LEFT = Qt.AlignmentFlag.AlignLeft
_RIGHT = Qt.AlignmentFlag.AlignRight


def write_invoice_pdf(doc: dict[str, Any], path: str | Path) -> Path:
    """Draw an invoice (from `ReportService.invoice_document`) to `path`."""
    out = Path(path)
    number = doc.get("number") or "draft"
    pages = _Pages(out, f"Invoice {number}")
    pages.footer_text = (
        f"Invoice {number} · printed {_stamp(doc.get('printed_at'))} by Freelancer Desk"
    )
    width = PAGE_W - 2 * MARGIN
    y = pages.y
    pages.text(MARGIN, y, 300, "INVOICE", size=24, bold=True)
    state = str(doc.get("state", ""))
    if state in ("draft", "void", "paid"):
        colour = {"draft": MUTED, "void": QColor(170, 30, 30), "paid": QColor(20, 110, 50)}[state]
        pages.text(
            MARGIN + 300,
            y + 6,
            width - 300,
            state.upper(),
            size=16,
            bold=True,
            color=colour,
            align=_RIGHT,
        )
    y += 36
    pages.text(MARGIN, y, 300, f"Number {number}", size=11, bold=True)
    y += 24

    # Bill to (left) and the dates (right).
    client = doc.get("client") or {}
    pages.text(MARGIN, y, 240, "BILL TO", size=8, bold=True, color=MUTED)
    facts = [
        ("Issued", _day(doc.get("issued_on")) or "not yet issued"),
        ("Due", _day(doc.get("due_on")) or "—"),
        ("Terms", f"Net {doc.get('terms_days')} days"),
        ("Currency", str(doc.get("currency", ""))),
    ]
    if doc.get("paid_at"):
        facts.append(("Paid", _day(doc["paid_at"])))
    if doc.get("period_start") and doc.get("period_end"):
        last = doc["period_end"] - timedelta(microseconds=1)
        facts.append(("Period", f"{_day(doc['period_start'])} – {_day(last)}"))
    fy = y
    for label, value in facts:
        pages.text(PAGE_W - MARGIN - 250, fy, 80, label, size=9, color=MUTED)
        pages.text(PAGE_W - MARGIN - 170, fy, 170, value, size=9, bold=True, align=_RIGHT)
        fy += 15
    cy = y + 14
    for i, line in enumerate(
        v
        for v in (
            client.get("name"),
            client.get("company"),
            client.get("email"),
            client.get("country"),
        )
        if v
    ):
        cy += pages.text(MARGIN, cy, 240, str(line), size=11 if i == 0 else 9.5, bold=i == 0) + 2
    pages.y = max(fy, cy) + 22

    lines = doc.get("lines") or []
    _table(
        pages,
        [
            ("Description", width - 225, _LEFT),
            ("Qty", 55, _RIGHT),
            ("Unit price", 80, _RIGHT),
            ("Amount", 90, _RIGHT),
        ],
        [
            [
                str(line["description"]),
                f"{line['quantity']:g}",
                _money(line["unit_price"]),
                _money(line["amount"]),
            ]
            for line in lines
        ],
        wrap_column=0,
    )
    pages.room(60)
    pages.y += 8
    pages.text(PAGE_W - MARGIN - 250, pages.y, 120, "Total due", size=12, bold=True)
    pages.text(
        PAGE_W - MARGIN - 160,
        pages.y,
        160,
        _money(doc.get("total")),
        size=12,
        bold=True,
        align=_RIGHT,
    )
    pages.y += 22
    pages.rule(pages.y, INK, 1.0)
    pages.y += 16

    terms = f"Payment terms: net {doc.get('terms_days')} days"
    if doc.get("due_on"):
        terms += f" — please pay by {_day(doc['due_on'])}"
    terms += "."
    if state == "paid":
        terms = f"Paid on {_day(doc.get('paid_at'))}. Thank you!"
    elif state == "void":
        terms = "This invoice was voided and is not payable."
    pages.room(40)
    pages.y += pages.text(MARGIN, pages.y, width, terms, size=9.5, wrap=True) + 10
    notes = str(doc.get("notes") or "").strip()
    if notes:
        pages.room(40)
        pages.text(MARGIN, pages.y, width, "NOTES", size=8, bold=True, color=MUTED)
        pages.y += 14
        pages.y += pages.text(MARGIN, pages.y, width, notes, size=9.5, wrap=True)
    pages.finish()
    return out


def write_timesheet_pdf(doc: dict[str, Any], path: str | Path) -> Path:
    """Draw a contract's weekly timesheet (from `ReportService.timesheet_document`)."""
    out = Path(path)
    week = f"{_day(doc['week_start'])} – {_day(doc['week_end'])}"
    pages = _Pages(out, f"Timesheet {doc['contract']} {week}")
    pages.footer_text = (
        f"Timesheet · {doc['contract']} · week of {_day(doc['week_start'])} · printed "
        f"{_stamp(doc.get('printed_at'))} by Freelancer Desk"
    )
    width = PAGE_W - 2 * MARGIN
    pages.text(MARGIN, pages.y, width, "WEEKLY TIMESHEET", size=20, bold=True)
    pages.y += 32
    pages.y += (
        pages.text(MARGIN, pages.y, width, str(doc["contract"]), size=12, bold=True, wrap=True) + 4
    )
    sub = f"{doc['client']} · {doc['platform']} · {doc['kind']}"
    if doc.get("reference"):
        sub += f" · {doc['reference']}"
    pages.text(MARGIN, pages.y, width, sub, size=9.5, color=MUTED)
    pages.y += 16
    pages.text(MARGIN, pages.y, width, f"Week {week} (Monday–Sunday, UTC)", size=9.5)
    pages.y += 26

    # One row per day: time, the hour span, an activity strip of its 144 segments, memos.
    strip_w = 144 * 1.5
    day_w, time_w = 80.0, 48.0
    memo_w = width - day_w - time_w - strip_w - 12
    pages.band(pages.y, 18)
    heads = [
        ("Day", day_w, _LEFT),
        ("Tracked", time_w, _RIGHT),
        ("Activity 00:00 – 24:00 UTC", strip_w + 12, _LEFT),
        ("Memos", memo_w, _LEFT),
    ]
    x = MARGIN
    for title, w, align in heads:
        pages.text(x + 4, pages.y + 4, w - 8, title, size=8.5, bold=True, align=align)
        x += w
    pages.y += 22
    for day in doc["days"]:
        memos = sorted({s["memo"] for s in day["segments"] if s["memo"]})
        memo = "; ".join(memos) if memos else ""
        metrics = QFontMetricsF(pages.font(8.5), pages.writer)
        bound = metrics.boundingRect(
            QRectF(0, 0, memo_w - 8, 10_000),
            int(Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap),
            memo,
        )
        height = max(24.0, bound.height() + 10)
        pages.room(height)
        y = pages.y
        pages.text(
            MARGIN + 4,
            y + 5,
            day_w - 8,
            day["day"].strftime("%a %d %b"),
            size=9.5,
            bold=bool(day["seconds"]),
        )
        pages.text(
            MARGIN + day_w + 4,
            y + 5,
            time_w - 8,
            _hours(day["seconds"]) if day["seconds"] else "—",
            size=9.5,
            align=_RIGHT,
        )
        sx = MARGIN + day_w + time_w + 6
        pages.painter.fillRect(QRectF(sx, y + 6, strip_w, 11), QColor(248, 248, 248))
        pages.painter.setPen(QPen(RULE, 0.3))
        for hour in range(0, 25, 6):
            hx = sx + hour * 6 * 1.5
            pages.painter.drawLine(QPointF(hx, y + 4), QPointF(hx, y + 19))
        for seg in day["segments"]:
            slot = seg["slot_start"]
            index = slot.hour * 6 + slot.minute // 10
            level = max(0, min(10, int(seg["active_minutes"])))
            shade = 200 - level * 17  # darker is more active
            colour = QColor(200, 60, 40) if seg["over_limit"] else QColor(shade, shade, shade)
            if seg["manual"]:
                colour = QColor(60, 100, 190)
            pages.painter.fillRect(QRectF(sx + index * 1.5, y + 6, 1.5, 11), colour)
        pages.text(
            MARGIN + day_w + time_w + strip_w + 16,
            y + 5,
            memo_w - 8,
            memo,
            size=8.5,
            wrap=True,
            color=MUTED,
        )
        pages.y += height
        pages.rule(pages.y)
    pages.y += 6
    pages.text(
        MARGIN,
        pages.y,
        width,
        "Darker is more active (active minutes of 10); blue: manual time; red: over "
        "the weekly limit.",
        size=7.5,
        color=MUTED,
    )
    pages.y += 22

    facts: list[tuple[str, str]] = [("Tracked", _hours(doc["tracked_seconds"]))]
    summary = doc.get("summary")
    if summary:
        facts += [
            ("Billable", _hours(summary["billable_seconds"])),
            (
                "Weekly limit",
                _hours(summary["weekly_limit_seconds"])
                if summary["weekly_limit_seconds"] is not None
                else "none",
            ),
            ("Over the limit", _hours(summary["over_limit_seconds"])),
            ("Manual", _hours(summary["manual_seconds"])),
            ("Rounding", str(summary["rounding"])),
            ("Rate", f"{_money(summary['rate'])} / h"),
            ("Amount", _money(summary["amount"])),
            ("Platform fee", _money(summary["fee"])),
            ("Net", _money(summary["net"])),
        ]
        if doc.get("platform") == "upwork":
            facts += [
                ("Diary locks", _stamp(datetime.fromisoformat(summary["diary_lock_at"]))),
                ("Review until", _stamp(datetime.fromisoformat(summary["review_ends_at"]))),
                ("Available", _day(datetime.fromisoformat(summary["available_at"]))),
                ("Billed", "yes" if summary["billed"] else "not yet"),
            ]
    pages.room(16 * ((len(facts) + 1) // 2) + 30)
    pages.text(MARGIN, pages.y, width, "SUMMARY", size=8, bold=True, color=MUTED)
    pages.y += 16
    half = (len(facts) + 1) // 2
    col_w = width / 2
    for i, (label, value) in enumerate(facts):
        x = MARGIN + (0 if i < half else col_w)
        y = pages.y + (i if i < half else i - half) * 16
        pages.text(x, y, 110, label, size=9.5, color=MUTED)
        pages.text(x + 110, y, col_w - 130, value, size=9.5, bold=True, align=_RIGHT)
    pages.y += half * 16 + 10
    if doc.get("summary_problem"):
        pages.room(40)
        problem = f"The week's billing cannot be computed: {doc['summary_problem']}"
        pages.y += pages.text(MARGIN, pages.y, width, problem, size=9, color=MUTED, wrap=True)
    pages.finish()
    return out


__all__ = ["write_invoice_pdf", "write_timesheet_pdf"]
