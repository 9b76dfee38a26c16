"""Upwork transaction history (Reports → Transaction history → Download CSV), both
layouts seen in the wild.

Older, 13 quoted columns, newest first, with a running balance:
  Date, Ref ID, Type, Description, Agency, Freelancer, Team, Account Name, PO, Amount,
  Amount in local currency, Currency, Balance
Current, 19 columns, with a UTF-8 byte-order mark and header case that drifts:
  Date, Transaction ID, Transaction Type, Transaction Summary, Transaction Summary
  Details, Description 1, Description 2, Description 3, Agency, Freelancer, Team,
  Account Name, PO, Ref ID, Amount $, Amount in local currency, Currency, Current
  Balance $, Payment Method

Columns used:
  Date                         -> the transaction's date (00:00 UTC); "Sep 8, 2025" or ISO
  Transaction ID (Ref ID old)  -> ledger external_ref "upwork:<id>" (de-duplication)
  Transaction Type / Type      -> how it is booked (see importers/money.py)
  Summary, Details, Descr. 1-3 -> the memo; "(12345678)" or "Contract ID: …" in them
   / Description                  is the contract's reference, Description 1 its title
  Team                         -> the client (found by name, or created)
  Amount $ / Amount            -> the amount in USD (the account's currency)
  Current Balance $ / Balance  -> checked against the running total; empty: pending
Not used: Agency, Freelancer, Account Name, PO, Ref ID (current layout), Amount in
local currency, Currency (the local currency), Payment Method.
"""

from __future__ import annotations

import operator
import re
from datetime import UTC, datetime, time
from typing import Any

from freelancer_desk.domain.money import MAX_MINOR, Money
from freelancer_desk.importers.base import (
    MoneyRow,
    Parsed,
    RowError,
    Source,
    contract_ref_in,
    header_of,
    parse_date,
    parse_money,
    read_table,
)

KIND = "upwork"
OLD_COLUMNS = ("Date", "Ref ID", "Type", "Description", "Team", "Amount", "Balance")
NEW_COLUMNS = ("Date", "Transaction ID", "Transaction Type", "Team", "Amount $")

TYPES = {
    "hourly": "hourly",
    "fixed price": "fixed",
    "fixed-price": "fixed",
    "fixed": "fixed",
    "bonus": "bonus",
    "refund": "refund",
    "service fee": "fee",
    "fee": "fee",
    "membership fee": "fee",
    "withdrawal": "withdrawal",
    "withdrawal fee": "withdrawal_fee",
    "connects": "connects",
    "payment": "payment",
    "miscellaneous": "other",
    "adjustment": "other",
}


def detect(source: Source) -> bool:
    header = header_of(source)
    return ("transaction id" in header and "transaction type" in header) or (
        "ref id" in header and "type" in header and "balance" in header and "team" in header
    )


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "ledger", platform="upwork")
    header = header_of(source)
    current = "transaction id" in header
    table = read_table(
        source.text,
        parsed,
        NEW_COLUMNS if current else OLD_COLUMNS,
        aliases={"Balance": ("Current Balance $",)},
    )
    if table is None or parsed.issues:
        return parsed
    currency = "USD"
    rows: list[MoneyRow] = []
    # Column positions found once; dates, types and descriptions repeat across rows, so
    # each distinct text is parsed once (a 10,000-row history has a few hundred).
    ref_field = "Transaction ID" if current else "Ref ID"
    type_field = "Transaction Type" if current else "Type"
    amount_field = "Amount $" if current else "Amount"
    balance_field = "Current Balance $" if current else "Balance"
    text_fields = (
        (
            "Transaction Summary",
            "Transaction Summary Details",
            "Description 1",
            "Description 2",
            "Description 3",
        )
        if current
        else ("Description",)
    )
    at = [
        table.index("Date"),
        table.index(ref_field),
        table.index(type_field),
        table.index(amount_field),
        table.index(balance_field, "Balance"),
        table.index("Team"),
        *(table.index(name) for name in text_fields),
    ]
    # Every row has the header's width here (read_table reported any other): one cell
    # past the end stands for a column the file does not have.
    width = len(table.header)
    pick = operator.itemgetter(*(width if i is None else i for i in at))
    past_end = [""]
    days: dict[str, datetime] = {}
    kinds: dict[str, str | None] = {}
    memos: dict[tuple[str, ...], tuple[str, str | None, str]] = {}

    for row_no, record in table.rows:
        date_text, ref, type_text, amount_text, balance_text, team, *cells = map(
            str.strip, pick(record + past_end)
        )
        try:
            occurred = days.get(date_text)
            if occurred is None:
                day = parse_date(date_text, "Date")
                occurred = days[date_text] = datetime.combine(day, time(), UTC)
            if not ref:
                raise RowError(ref_field, "is empty")
            try:
                kind = kinds[type_text]
            except KeyError:
                kind = kinds[type_text] = TYPES.get(re.sub(r"\s+", " ", type_text.lower()).strip())
            if kind is None:
                parsed.warn(row_no, "Type", f"unknown type {type_text!r}: booked by its sign")
                kind = "other"
            amount = parse_money(amount_text, currency, amount_field)
            balance = parse_money(balance_text, currency, balance_field) if balance_text else None
            texts = tuple(cells)
            memo = memos.get(texts)
            if memo is None:
                memo = memos[texts] = _memo(texts, current)
            description, contract_ref, title = memo
        except RowError as exc:
            parsed.error(row_no, exc.field, exc.message)
            continue
        if amount.amount == 0:
            parsed.warn(row_no, amount_field, "amount is zero: skipped")
            continue
        rows.append(
            MoneyRow(
                row=row_no,
                occurred_at=occurred,
                external_ref=f"upwork:{ref}",
                type=kind,
                amount=amount,
                balance=balance,
                pending=balance is None,
                client_name=team,
                contract_ref=contract_ref,
                contract_title=title,
                description=description,
            )
        )
    refs: dict[str, int] = {}
    for r in rows:
        if r.external_ref in refs:
            parsed.warn(r.row, "Transaction ID", f"same id as row {refs[r.external_ref]}: skipped")
        refs.setdefault(r.external_ref, r.row)
    unique = {r.external_ref: r for r in reversed(rows)}
    rows = [r for r in rows if unique[r.external_ref] is r]
    if len(rows) > 1 and (rows[0].occurred_at, -rows[0].row) > (
        rows[-1].occurred_at,
        -rows[-1].row,
    ):
        rows.reverse()  # newest first in the file: book oldest first
    rows.sort(key=lambda r: r.occurred_at)  # stable: same-day rows keep the file's order
    parsed.money = _check_balance(rows, parsed)
    return parsed


def _memo(texts: tuple[str, ...], current: bool) -> tuple[str, str | None, str]:
    """(description, contract reference, contract title) from a row's description cells."""
    title = texts[2] if current else texts[0]
    description = " · ".join(t for t in texts if t)
    contract_ref = contract_ref_in(*texts)
    title = re.sub(r"\s*\((?:contract\s*(?:id)?\s*[:#]?\s*)?#?\d{5,}\)\s*$", "", title, flags=re.I)
    title = re.sub(r"^invoice for [^-]*-[^-]*- ", "", title, flags=re.I).strip()
    return description, contract_ref, title


def _check_balance(rows: list[MoneyRow], parsed: Parsed) -> list[MoneyRow]:
    """Walk the rows oldest first: each balance must be the previous one plus the amount.
    A mismatch is reported (a warning: the books follow the amounts). Money already there
    before the first row becomes an opening balance."""
    running: Money | None = None
    opening: MoneyRow | None = None
    for r in rows:
        if r.balance is None:
            continue
        if running is None:
            if abs(r.balance.amount - r.amount.amount) > MAX_MINOR:
                parsed.error(
                    r.row,
                    "Balance",
                    f"balance {r.balance} less the amount {r.amount} is out of range",
                )
                return rows
            before = r.balance - r.amount
            if before.amount > 0:
                opening = MoneyRow(
                    row=r.row,
                    occurred_at=r.occurred_at,
                    external_ref=f"{r.external_ref}:opening",
                    type="opening",
                    amount=before,
                    balance=before,
                    description="opening balance before the imported history",
                )
            elif before.amount < 0:
                parsed.warn(r.row, "Balance", f"the history starts at a negative balance {before}")
        elif running.amount + r.amount.amount != r.balance.amount:  # one currency: USD
            total = running.amount + r.amount.amount
            off = r.balance.amount - total
            if max(abs(total), abs(off)) > MAX_MINOR:
                parsed.warn(r.row, "Balance", f"balance {r.balance} does not follow the amounts")
            else:
                parsed.warn(
                    r.row,
                    "Balance",
                    f"balance {r.balance} but the running total is {running + r.amount} "
                    f"(off by {r.balance - running - r.amount})",
                )
        running = r.balance
    return ([opening] if opening else []) + rows
