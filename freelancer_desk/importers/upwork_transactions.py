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

Also read: the oldest statements' "ID" for "Ref ID"; "Amount ($)", "Amount (USD)",
"Current Balance" and "Client" spellings; a file saved again by a spreadsheet (dates
as 9/8/2025, amounts without "$" or as (40.00), `;` between fields with decimal
commas: 1.234,56; a first line "sep=;"; Windows-1252 text). Only Date, the id, the
type and the amount are required; a file without balances books every row as
available money (nothing pending).
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
    Table,
    contract_ref_in,
    header_of,
    parse_date,
    parse_money,
    read_table,
)

KIND = "upwork"
# Each column by the names it has gone by, first found wins: the current layout's, the
# older one's ("Ref ID", or "ID" in the oldest statements), and spreadsheet variants.
REF = ("Transaction ID", "Ref ID", "ID", "Reference ID")
TYPE = ("Transaction Type", "Type")
AMOUNT = ("Amount $", "Amount ($)", "Amount (USD)", "Amount USD", "Amount")
BALANCE = ("Current Balance $", "Current Balance ($)", "Current Balance", "Balance $", "Balance")
TEAM = ("Team", "Client", "Client Name")
TEXTS = (
    "Transaction Summary",
    "Transaction Summary Details",
    "Description 1",
    "Description 2",
    "Description 3",
    "Description",
)

TYPES = {
    "hourly": "hourly",
    "fixed price": "fixed",
    "fixed-price": "fixed",
    "fixed": "fixed",
    "milestone": "fixed",
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
        ("ref id" in header or "id" in header)
        and "type" in header
        and "balance" in header
        and ("team" in header or "account name" in header)
    )


def parse(source: Source, options: dict[str, Any]) -> Parsed:
    parsed = Parsed(KIND, "ledger", platform="upwork")
    table = read_table(
        source.text,
        parsed,
        ("Date", REF[0], TYPE[0], AMOUNT[0]),
        aliases={REF[0]: REF[1:], TYPE[0]: TYPE[1:], AMOUNT[0]: AMOUNT[1:]},
    )
    if table is None or parsed.issues:
        return parsed
    currency = "USD"
    rows: list[MoneyRow] = []
    # Column positions found once; dates, types and descriptions repeat across rows, so
    # each distinct text is parsed once (a 10,000-row history has a few hundred).
    ref_field = _name(table, REF)
    type_field = _name(table, TYPE)
    amount_field = _name(table, AMOUNT)
    balance_field = _name(table, BALANCE)
    text_fields = tuple(name for name in TEXTS if table.index(name) is not None)
    title_at = next(
        (i for i, name in enumerate(text_fields) if name in ("Description 1", "Description")), 0
    )
    decimal_comma = table.delimiter == ";"
    # An empty balance marks a pending row; without the column nothing is known pending.
    has_balances = table.index(*BALANCE) is not None
    at = [
        table.index("Date"),
        table.index(*REF),
        table.index(*TYPE),
        table.index(*AMOUNT),
        table.index(*BALANCE),
        table.index(*TEAM),
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
                parsed.warn(row_no, type_field, f"unknown type {type_text!r}: booked by its sign")
                kind = "other"
            amount = parse_money(amount_text, currency, amount_field, decimal_comma=decimal_comma)
            balance = (
                parse_money(balance_text, currency, balance_field, decimal_comma=decimal_comma)
                if balance_text
                else None
            )
            texts = tuple(cells)
            memo = memos.get(texts)
            if memo is None:
                memo = memos[texts] = _memo(texts, title_at)
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
                pending=balance is None and has_balances,
                client_name=team,
                contract_ref=contract_ref,
                contract_title=title,
                description=description,
            )
        )
    refs: dict[str, int] = {}
    for r in rows:
        if r.external_ref in refs:
            parsed.warn(r.row, ref_field, f"same id as row {refs[r.external_ref]}: skipped")
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


def _name(table: Table, names: tuple[str, ...]) -> str:
    """The file's own spelling of the first of `names` it has (for messages)."""
    at = table.index(*names)
    return names[0] if at is None else next(n for n in names if table.index(n) == at)


def _memo(texts: tuple[str, ...], title_at: int) -> tuple[str, str | None, str]:
    """(description, contract reference, contract title) from a row's description cells."""
    texts = tuple(t.replace("\r\n", "\n") for t in texts)  # line breaks inside quotes
    title = texts[title_at] if texts else ""
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
