"""The text the report and diary commands print, one function each, shared by the normal
path (cli/money.py, cli/track.py) and the lean one (cli/lean.py). Standard library only,
and nothing at import time beyond `typing`: the lean path prints with these without
loading argparse, csv or `cli.common`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import date

    from freelancer_desk.domain.money import Money
    from freelancer_desk.tracker.daybook import ContractTotal, DayView

NOTHING_IN_PERIOD = "nothing in that period"


class EarningsLine(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def gross(self) -> Money: ...
    @property
    def fees(self) -> Money: ...
    @property
    def net(self) -> Money: ...
    @property
    def tracked_seconds(self) -> int: ...
    @property
    def per_hour(self) -> Money | None: ...


class HoursLine(Protocol):
    @property
    def week_start(self) -> date: ...
    @property
    def tracked_seconds(self) -> int: ...
    @property
    def title(self) -> str: ...


def earnings_lines(rows: Sequence[EarningsLine]) -> list[str]:
    """`report earnings` as text, one line per row (services' rows or the lean path's)."""
    lines = []
    for r in rows:
        rate = f"{r.per_hour}/h" if r.per_hour is not None else "—"
        lines.append(
            f"{r.label:<36.36} gross {r.gross!s:>14} fees {r.fees!s:>12} net {r.net!s:>14} "
            f"{r.tracked_seconds // 3600:>4}h {rate}"
        )
    return lines or ["no earnings in that period"]


def hours_lines(rows: Sequence[HoursLine]) -> list[str]:
    """`report hours` as text, one line per row (services' rows or the lean path's).
    A week's date is formatted once (all time is ~20,000 rows over ~500 weeks)."""
    weeks: dict[date, str] = {}
    lines = []
    for r in rows:
        week = weeks.get(r.week_start)
        if week is None:
            week = weeks[r.week_start] = r.week_start.isoformat()
        seconds = r.tracked_seconds
        lines.append(f"{week}  {seconds // 3600:>3}:{seconds % 3600 // 60:02d}  {r.title}")
    return lines or [NOTHING_IN_PERIOD]


# -- the Work Diary -----------------------------------------------------------------------


def hm(seconds: int) -> str:
    minutes = max(0, int(seconds)) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def totals_lines(title: str, totals: Sequence[ContractTotal]) -> list[str]:
    lines = [title]
    for t in totals:
        limit = (
            f" of {t.limit_minutes // 60}:{t.limit_minutes % 60:02d} limit"
            if t.limit_minutes
            else ""
        )
        value = f"  {t.value}" if t.value is not None else ""
        extra = []
        if t.manual_seconds:
            extra.append(f"{hm(t.manual_seconds)} manual")
        if t.over_limit_seconds:
            extra.append(f"{hm(t.over_limit_seconds)} over the limit")
        more = f" ({', '.join(extra)})" if extra else ""
        lines.append(f"  {hm(t.seconds):>6}{limit}  {t.title}{value}{more}")
    if not totals:
        lines.append("  nothing tracked")
    return lines


KIND_MARK = {"tracked": " ", "manual": "m", "idle": "i", "over_limit": "!", "deleted": "x"}


def diary_text(view: DayView) -> list[str]:
    """`track diary` as text: the day's worked hours, cells and the day's and billing
    week's totals."""
    lines = [f"Work Diary {view.day} ({view.zone}): {hm(view.tracked_seconds)} tracked"]
    lines.append("legend: activity 0-10 per cell; m manual, i idle kept, ! over limit, x deleted")
    for hour in view.worked_hours():
        cells = []
        memos: list[str] = []
        for cell in hour.cells:
            main = cell.main
            if main is None:
                cells.append("[   ]")
                continue
            level = "--" if main.manual else f"{main.active_minutes:>2}"
            cells.append(f"[{level}{KIND_MARK[main.kind]}]")
            label = f"{main.title}: {main.memo}" if main.memo else main.title
            if label not in memos:
                memos.append(label)
        memo = "; ".join(memos)
        memo = memo if len(memo) <= 70 else memo[:69] + "…"
        lines.append(f"{hour.start:%H:%M} {''.join(cells)} {hm(hour.tracked_seconds):>5}  {memo}")
    if not view.worked_hours():
        lines.append("  nothing tracked this day")
    lines += totals_lines("day:", view.day_totals)
    lines += totals_lines(f"billing week from {view.week_start:%Y-%m-%d} (UTC):", view.week_totals)
    return lines
