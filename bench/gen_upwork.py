"""Generate an Upwork transaction history (current 19-column layout, BOM, newest
first, running balance): `python bench/gen_upwork.py ROWS OUT.csv [SEED]`."""

from __future__ import annotations

import csv
import io
import random
import sys
from datetime import date, timedelta

HEADER = (
    "Date,Transaction ID,Transaction Type,Transaction Summary,Transaction Summary Details,"
    "Description 1,Description 2,Description 3,Agency,Freelancer,Team,Account Name,PO,Ref ID,"
    "Amount $,Amount in local currency,Currency,Current Balance $,Payment Method"
).split(",")
CLIENTS = [f"Client {i:02d}" for i in range(40)]


def money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}${abs(minor) // 100:,}.{abs(minor) % 100:02d}"


def generate(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    day = date(2014, 1, 6)
    balance = 0
    lines: list[list[str]] = []
    n = 0
    while len(lines) < rows:
        n += 1
        client = rng.randrange(len(CLIENTS))
        ref = str(10_000_000 + client * 7 + rng.randrange(7))
        kind = rng.choice(("Hourly", "Hourly", "Fixed-price", "Bonus"))
        gross = rng.randrange(2_000, 150_000)
        fee = gross // 10
        label = day.strftime("%b %-d, %Y")
        for t, amount in ((kind, gross), ("Service Fee", -fee)):
            balance += amount
            lines.append(
                [
                    label,
                    str(900_000_000 + len(lines)),
                    t,
                    t,
                    "",
                    f"Project {ref} ({ref})",
                    "",
                    "",
                    "",
                    "Jane Doe",
                    CLIENTS[client],
                    "Jane Doe",
                    "",
                    "",
                    money(amount),
                    money(amount),
                    "USD",
                    money(balance),
                    "",
                ]
            )
        if n % 6 == 0 and balance > 10_000:
            out = balance - rng.randrange(0, 5_000)
            balance -= out
            lines.append(
                [
                    label,
                    str(900_000_000 + len(lines)),
                    "Withdrawal",
                    "Withdrawal",
                    "",
                    "To bank",
                    "",
                    "",
                    "",
                    "Jane Doe",
                    "",
                    "Jane Doe",
                    "",
                    "",
                    money(-out),
                    money(-out),
                    "USD",
                    money(balance),
                    "Direct to Local Bank",
                ]
            )
        day += timedelta(days=rng.choice((0, 1, 1, 2)))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for line in reversed(lines[:rows]):
        writer.writerow(line)
    return b"\xef\xbb\xbf" + buf.getvalue().encode()


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    target = sys.argv[2] if len(sys.argv) > 2 else "upwork-10000.csv"
    with open(target, "wb") as fh:
        fh.write(generate(count, int(sys.argv[3]) if len(sys.argv) > 3 else 7))
