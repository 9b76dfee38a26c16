"""Earnings rows: gross, fees, net, tracked time and net per hour of a group (a client,
a platform, a month, a year) in one currency, from sums in minor units. Shared by
services.ledger (over SQLAlchemy) and the CLI's lean path (cli/lean.py, over sqlite3).
Standard library only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from freelancer_desk.domain.money import Money, per_hour


@dataclass(frozen=True, slots=True)
class EarningsRow:
    """Earnings of one group (a client, a platform, a month, a year) in one currency.

    `tracked_seconds` is time tracked in the period on work priced in this currency;
    `per_hour` is net ÷ tracked hours (fixed-price work too), None without tracked time.
    """

    key: str
    label: str
    currency: str
    gross: Money
    fees: Money
    net: Money
    tracked_seconds: int
    per_hour: Money | None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "currency": self.currency,
            "gross": self.gross.to_json(),
            "fees": self.fees.to_json(),
            "net": self.net.to_json(),
            "tracked_seconds": self.tracked_seconds,
            "hours": round(self.tracked_seconds / 3600, 3),
            "per_hour": self.per_hour.to_json() if self.per_hour is not None else None,
        }


@dataclass(slots=True)
class EarningsGroup:
    """A group's sums in one currency, in minor units (gross counts the fees too)."""

    label: str
    gross: int = 0
    fees: int = 0
    seconds: int = 0


def earnings_rows(
    groups: Mapping[tuple[str, str], EarningsGroup], group_by: str
) -> list[EarningsRow]:
    """A row per (key, currency) group: net = gross - fees, its rate per tracked hour;
    by key and currency for months and years, else by currency, highest net first."""
    rows = []
    for (key, cur), g in groups.items():
        net = g.gross - g.fees
        rows.append(
            EarningsRow(
                key,
                g.label,
                cur,
                Money(g.gross, cur),
                Money(g.fees, cur),
                Money(net, cur),
                g.seconds,
                per_hour(net, g.seconds, cur),
            )
        )
    if group_by in ("month", "year"):
        return sorted(rows, key=lambda r: (r.key, r.currency))
    return sorted(rows, key=lambda r: (r.currency, -r.net.amount, r.label))
