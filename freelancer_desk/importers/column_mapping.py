"""A CSV whose layout is not known in advance (Fiverr's earnings export changes and is
not documented): the user assigns the file's columns to fields once; the assignment
is remembered in the settings table (`import.mapping:<name>`) and used next time.

Fields (assign a column to each; date and amount are required):
  date         -> the transaction's date (00:00 UTC)
  amount       -> positive: money earned; negative: a charge (fee, withdrawal, refund)
  id           -> the platform's transaction id (de-duplication); without it a hash
                  of the row's content is used
  type         -> withdrawal / fee / refund / anything else (booked by its sign)
  description  -> the memo
  client       -> the buyer (found by name on the platform, or created)
  order        -> the order number (kept in the memo)
  currency     -> the row's currency (else the mapping's "currency", default USD)
Options kept with the mapping: platform (default fiverr), currency, date_order,
decimal_comma.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, time
from typing import Any

from freelancer_desk.importers.base import (
    MoneyRow,
    Parsed,
    RowError,
    Source,
    cell,
    currency_of,
    guess_date_order,
    parse_date,
    parse_money,
    read_table,
)

KIND = "fiverr"
FIELDS = ("date", "amount", "id", "type", "description", "client", "order", "currency")
REQUIRED = ("date", "amount")
TYPES = {
    "withdrawal": "withdrawal",
    "withdraw": "withdrawal",
    "fee": "fee",
    "service fee": "fee",
    "refund": "refund",
    "cancellation": "refund",
    "order cancelled": "refund",
    "tip": "tip",
    "order": "order",
    "revenue": "order",
    "earning": "order",
}


def detect(source: Source) -> bool:
    return False  # never guessed: the user chooses it


def missing_fields(columns: dict[str, str]) -> list[str]:
    return [f for f in REQUIRED if not columns.get(f)]


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    platform = options.get("platform") or "fiverr"
    parsed = Parsed(KIND, "ledger", platform=platform)
    columns: dict[str, str] = dict(options.get("columns") or {})
    unknown = [f for f in columns if f not in FIELDS]
    if unknown:
        parsed.error(0, unknown[0], f"{unknown[0]!r} is not a field: use {', '.join(FIELDS)}")
        return parsed
    missing = missing_fields(columns)
    table = read_table(source.text, parsed, [])
    if table is None or parsed.issues:
        return parsed
    if missing:
        parsed.error(
            1,
            missing[0],
            f"no column assigned to {missing[0]!r}: map it, e.g. --map {missing[0]}=COLUMN "
            f"(columns: {', '.join(table.header)})",
        )
        return parsed
    for name, column in columns.items():
        if column and table.index(column) is None:
            parsed.error(1, name, f"column {column!r} (for {name}) is not in the file")
    if parsed.issues:
        return parsed
    default_currency = options.get("currency") or "USD"
    decimal_comma = bool(options.get("decimal_comma", table.delimiter == ";"))
    order = options.get("date_order") or guess_date_order(
        cell(table, r, columns["date"]) for _, r in table.rows
    )
    seen: dict[str, int] = {}
    rows: list[MoneyRow] = []

    def get(record: list[str], name: str) -> str:
        col = columns.get(name)
        return cell(table, record, col) if col else ""

    for row_no, record in table.rows:
        try:
            day = parse_date(get(record, "date"), columns["date"], order)
            currency = currency_of(
                get(record, "currency") or default_currency, columns.get("currency") or "currency"
            )
            amount = parse_money(
                get(record, "amount"), currency, columns["amount"], decimal_comma=decimal_comma
            )
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        if amount.amount == 0:
            parsed.warn(row_no, columns["amount"], "amount is zero: skipped")
            continue
        ident = get(record, "id")
        if not ident:
            content = "\x1f".join(c.strip() for c in record)
            nth = seen.get(content, 0)
            seen[content] = nth + 1
            ident = "h" + hashlib.sha256(f"{content}\x1e{nth}".encode()).hexdigest()[:32]
        type_text = re.sub(r"\s+", " ", get(record, "type").lower()).strip()
        kind = TYPES.get(type_text) or next(
            (v for k, v in TYPES.items() if k in type_text), "order" if amount.amount > 0 else "fee"
        )
        order_no = get(record, "order")
        description = " · ".join(
            p for p in (get(record, "description"), order_no and f"order {order_no}") if p
        )
        rows.append(
            MoneyRow(
                row=row_no,
                occurred_at=datetime.combine(day, time(), UTC),
                external_ref=f"{platform}:{ident}"[:120],
                type=kind,
                amount=amount,
                balance=None,
                client_name=get(record, "client"),
                description=description,
                order_ref=order_no or None,
            )
        )
    rows.sort(key=lambda r: r.occurred_at)
    parsed.money = rows
    parsed.rows = len(table.rows)
    return parsed
