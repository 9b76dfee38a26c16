"""What every importer shares: reading a file safely, a preview with per-row
validation, and one all-or-nothing apply.

An importer turns a file into plain records — `TimeEntry` (a stretch of work) or
`MoneyRow` (a platform transaction) — plus `Issue`s naming the row and field at fault.
`preview()` reads the file, resolves who and what the records belong to (clients,
contracts; time needs a contract per client/project, from the caller's mapping or a
match on the contract's reference or title) and counts what is already in the
workspace. `apply()` writes everything in ONE unit of work: any refusal rolls it all
back, so a bad file never leaves half an import behind.

Idempotency: money rows carry the platform's transaction id (or a content hash) as the
ledger's unique `external_ref`; imported time lives on its own device id
(`import:<kind>:<user>`), and a session with the same device, contract, start and end
is the same entry. Each file applied is logged in the settings table under
`import.log:<kind>:<sha256>`.

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.billing import SEGMENT_MINUTES, split_into_segments
from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import MAX_MINOR, Money, MoneyError, check_currency, exponent
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Contract, Segment, Setting, TimeSession

Progress = Callable[[int, int], None]  # (done, total)
Stop = Callable[[], bool]  # polled between batches while writing: True stops the import
Severity = Literal["error", "warning"]

MAX_FILE_BYTES = 200 * 1024 * 1024
LOG_PREFIX = "import.log:"
MAPPING_PREFIX = "import.mapping:"


@dataclass(frozen=True, slots=True)
class Issue:
    """Something wrong with one row (row 0: the file as a whole)."""

    row: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        if not self.row:
            where = "file" if self.field == "file" else f"file, {self.field}"
            return f"{where}: {self.message}"
        return f"row {self.row}, {self.field}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "message": self.message,
            "severity": self.severity,
        }


class ImportRefused(RuleError):
    """The file cannot be imported; the message is the first problem, one line."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        first = issues[0] if issues else Issue(0, "file", "nothing to import")
        more = f" (and {len(issues) - 1} more problems)" if len(issues) > 1 else ""
        super().__init__("import.refused", f"{first}{more}", field=first.field)
        self.issues = tuple(issues)


class ImportCancelled(Exception):
    """The import was stopped while writing (its `stop` check said so): the unit of work
    rolled back, nothing of it was written."""

    def __init__(self) -> None:
        super().__init__("import cancelled: nothing was imported")


def check_stop(stop: Stop | None) -> None:
    if stop is not None and stop():
        raise ImportCancelled


class RowError(ValueError):
    """Raised by parsing helpers; the importer adds the row number."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class TimeEntry:
    row: int
    started_at: datetime
    ended_at: datetime
    key: str  # what maps to a contract: "Client / Project", a tag, a contract id
    memo: str = ""
    user: str = ""
    contract_ref: str | None = None  # a platform contract id found in the row

    @property
    def seconds(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds())


@dataclass(frozen=True, slots=True)
class MoneyRow:
    """A platform transaction. `amount` is as the file shows it: positive adds to the
    freelancer's balance, negative takes from it."""

    row: int
    occurred_at: datetime
    external_ref: str
    type: str  # normalised: hourly, fixed, bonus, refund, fee, withdrawal, withdrawal_fee, ...
    amount: Money
    balance: Money | None
    pending: bool = False
    client_name: str = ""
    contract_ref: str | None = None
    contract_title: str = ""
    description: str = ""
    order_ref: str | None = None


@dataclass
class Parsed:
    """What an importer's parse step returns."""

    kind: str
    target: Literal["time", "ledger"]
    rows: int = 0
    entries: list[TimeEntry] = field(default_factory=list)
    money: list[MoneyRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    platform: str = "upwork"

    def error(self, row: int, field_: str, message: str) -> None:
        self.issues.append(Issue(row, field_, message))

    def warn(self, row: int, field_: str, message: str) -> None:
        self.issues.append(Issue(row, field_, message, "warning"))


@dataclass
class Preview:
    """A file read and checked, not yet written. `ok` when it can be applied."""

    parsed: Parsed
    path: str
    sha256: str
    mapping: dict[str, str] = field(default_factory=dict)  # key -> contract id
    unmapped: list[str] = field(default_factory=list)  # keys with no contract
    key_rows: dict[str, int] = field(default_factory=dict)  # key -> entries
    duplicates: int = 0  # rows already in the workspace
    new_rows: int = 0
    new_clients: list[str] = field(default_factory=list)
    new_contracts: list[str] = field(default_factory=list)
    already_imported: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.parsed.kind

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.parsed.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.parsed.issues if i.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unmapped

    def problems(self) -> list[Issue]:
        """Everything that stops the import: row errors, then keys without a contract."""
        out = list(self.errors)
        for key in self.unmapped:
            out.append(
                Issue(
                    self._first_row(key),
                    "contract",
                    f"no contract for {key!r} ({self.key_rows.get(key, 0)} entries): "
                    f"map it with --map {key!r}=CONTRACT",
                )
            )
        return out

    def _first_row(self, key: str) -> int:
        return next((e.row for e in self.parsed.entries if e.key == key), 0)

    def to_json(self) -> dict[str, Any]:
        p = self.parsed
        return {
            "kind": p.kind,
            "file": self.path,
            "sha256": self.sha256,
            "rows": p.rows,
            "entries": len(p.entries) + len(p.money),
            "new": self.new_rows,
            "duplicates": self.duplicates,
            "already_imported": self.already_imported,
            "mapping": dict(self.mapping),
            "unmapped": list(self.unmapped),
            "new_clients": list(self.new_clients),
            "new_contracts": list(self.new_contracts),
            "issues": [i.to_json() for i in self.problems() + self.warnings],
            "ok": self.ok,
        }


@dataclass(frozen=True)
class ImportResult:
    kind: str
    sha256: str
    sessions: int = 0
    segments: int = 0
    transactions: int = 0
    clients: int = 0
    contracts: int = 0
    skipped: int = 0
    dry_run: bool = False
    warnings: tuple[Issue, ...] = ()

    @property
    def written(self) -> int:
        return self.sessions + self.transactions + self.clients + self.contracts

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "sessions": self.sessions,
            "segments": self.segments,
            "transactions": self.transactions,
            "clients": self.clients,
            "contracts": self.contracts,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "warnings": [w.to_json() for w in self.warnings],
        }


# -- reading files ---------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A file's bytes decoded: the text, the encoding found and the content hash."""

    name: str
    text: str
    encoding: str
    bom: bool
    sha256: str


def read_source(path: str | Path | bytes, name: str = "") -> Source:
    """Read and decode a file. Refused (one issue) when empty, binary or undecodable."""
    if isinstance(path, bytes):
        data, label = path, name or "<data>"
    else:
        p = Path(path)
        if not p.exists():
            raise ImportRefused([Issue(0, "file", f"{p} does not exist")])
        if p.is_dir():
            raise ImportRefused([Issue(0, "file", f"{p} is a folder, not a file")])
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportRefused([Issue(0, "file", f"{p.name} is {size} bytes: too large")])
        data, label = p.read_bytes(), str(p)
    return decode(data, label)


def decode(data: bytes, label: str) -> Source:
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ImportRefused([Issue(0, "file", "the file is empty")])
    bom = False
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            text, enc, bom = data[3:].decode("utf-8", errors="strict"), "utf-8-sig", True
        except UnicodeDecodeError as exc:
            # The byte-order mark says UTF-8, so a bad byte is damage, not cp1252.
            at = exc.start + 3
            row = data[:at].count(b"\n") + 1
            raise ImportRefused(
                [Issue(row, "file", f"not valid UTF-8 at byte {at}: a damaged or binary file")]
            ) from None
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, enc, bom = data.decode("utf-16"), "utf-16", True
        except UnicodeDecodeError:
            raise ImportRefused([Issue(0, "file", "not a text file (bad UTF-16)")]) from None
    else:
        workbook = _workbook_kind(data)
        if workbook:
            raise ImportRefused(
                [Issue(0, "file", f"{workbook}, not a CSV file: export it as CSV and import that")]
            )
        if b"\x00" in data[:4096]:
            raise ImportRefused([Issue(0, "file", "not a text file (binary data)")])
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = data.decode("cp1252", errors="replace"), "cp1252"
    if "\x00" in text or _binary_share(text) > 0.05:
        raise ImportRefused([Issue(0, "file", "not a text file (binary data)")])
    return Source(label, text, enc, bom, digest)


def _workbook_kind(data: bytes) -> str:
    """The name of a spreadsheet format the bytes start with ("" for none): Clockify,
    Toggl and Harvest also export Excel files, which are not CSV."""
    if data.startswith(b"PK\x03\x04") and b"xl/" in data[:65536]:
        return "an Excel workbook (.xlsx)"
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive (.zip, .xlsx or .ods)"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "an old Excel workbook (.xls)"
    return ""


def _binary_share(text: str) -> float:
    sample = text[:8192]
    if not sample:
        return 0.0
    odd = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    return odd / len(sample)


_SEP_LINE = re.compile(r"\ufeff?\"?sep=(.)\"?[ \t]*\r?(?:\n|$)", re.I)


def strip_sep_line(text: str) -> tuple[str, str | None]:
    """Excel writes (and reads) a first line "sep=;" naming the delimiter; a spreadsheet
    does not show it, so the header below it stays row 1. (text without it, delimiter)."""
    m = _SEP_LINE.match(text)
    if m is None:
        return text, None
    return text[m.end() :], m[1]


def first_line(text: str) -> str:
    """The text's first line, whatever its line ends (\r alone: old Mac spreadsheets)."""
    return re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]


def sniff_delimiter(text: str) -> str:
    """`,`, `;` or tab: the one that splits the header line into the most fields."""
    text, named = strip_sep_line(text.lstrip("\ufeff"))
    if named is not None:
        return named
    first = first_line(text)
    counts = {d: _fields_in(first, d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _fields_in(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def norm_header(name: str) -> str:
    """Header names compared loosely: case, spaces and a stray BOM do not matter."""
    return re.sub(r"\s+", " ", name.replace("\ufeff", "").strip().strip('"')).lower()


@dataclass
class Table:
    """A CSV file's header (normalised) and data rows with their row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str
    _found: dict[tuple[str, ...], int | None] = field(default_factory=dict, repr=False)

    def index(self, *names: str) -> int | None:
        """The position of the first of `names` in the header (looked up once per names)."""
        try:
            return self._found[names]
        except KeyError:
            pass
        found = None
        for name in names:
            key = norm_header(name)
            if key in self.header:
                found = self.header.index(key)
                break
        self._found[names] = found
        return found


def read_table(
    text: str,
    parsed: Parsed,
    required: Sequence[str],
    *,
    delimiter: str | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> Table | None:
    """Parse CSV text; every required column must be there (aliases accepted) and every
    row must have the header's number of fields. Problems go to `parsed.issues`; None
    when the file cannot be read at all."""
    text, named = strip_sep_line(text.lstrip("\ufeff"))
    delim = delimiter or named or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    rows: list[tuple[int, list[str]]] = []
    # Rows are numbered as a spreadsheet shows them: one per record, so a description
    # with line breaks inside its quotes is still one row, and a blank line is a row.
    row_no = 1
    try:
        header_raw = next(reader, None)
        if header_raw is None:
            parsed.error(0, "file", "the file is empty")
            return None
        header = [norm_header(h) for h in header_raw]
        for record in reader:
            row_no += 1
            if not any(cell.strip() for cell in record):
                continue
            rows.append((row_no, record))
    except csv.Error as exc:
        parsed.error(row_no + 1, "file", f"not readable as CSV ({exc}): truncated?")
        return None
    table = Table(header, rows, delim)
    missing = []
    for name in required:
        names = [name, *((aliases or {}).get(name, ()))]
        if table.index(*names) is None:
            missing.append(name)
    if missing:
        parsed.error(
            1,
            missing[0],
            f"column {missing[0]!r} is missing"
            + (f" (also {', '.join(repr(m) for m in missing[1:])})" if missing[1:] else "")
            + ": is this the right kind of file?",
        )
        return None
    width = len(header)
    for n, (row_no, record) in enumerate(rows):
        if len(record) > width and not any(c.strip() for c in record[width:]):
            # A trailing delimiter on the data rows only: empty cells past the header.
            rows[n] = (row_no, record[:width])
        elif len(record) != width:
            parsed.error(
                row_no,
                header[min(len(record), width - 1)] if record else "row",
                f"{len(record)} fields where the header has {width}: truncated or shifted row",
            )
    parsed.rows = len(rows)
    return table


def cell(table: Table, record: list[str], *names: str) -> str:
    i = table.index(*names)
    if i is None or i >= len(record):
        return ""
    value = record[i].strip()
    # A line break inside quotes keeps the file's own line end (\r\n from Windows).
    return value.replace("\r\n", "\n") if "\r" in value else value


# -- parsing values --------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}


def parse_date(text: str, field: str, order: str = "auto") -> date:
    """Dates as the tools write them: 2025-06-01, Sep 8, 2025, 06/01/2025 (order
    "mdy"), 01/06/2025 or 01.06.2025 ("dmy"). "auto" takes ISO or month names, and
    day-first for dots."""
    value = text.strip()
    if not value:
        raise RowError(field, "is empty")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", value)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"([A-Za-z]{3})[a-z]*\.? (\d{1,2}),? (\d{4})", value)
        if m and m[1].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
        m = re.fullmatch(r"(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})", value)
        if m and m[2].lower() in _MONTHS:
            return date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
        m = re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2,4})", value)
        if m:
            a, b, year = int(m[1]), int(m[3]), int(m[4])
            year += 2000 if year < 100 else 0
            dmy = order == "dmy" or (order == "auto" and m[2] == ".")
            return date(year, b, a) if dmy else date(year, a, b)
        m = re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})", value)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise RowError(field, f"{text!r} is not a date") from None
    raise RowError(field, f"{text!r} is not a date")


def guess_date_order(values: Iterable[str]) -> str:
    """ "dmy" or "mdy" for slash dates, from a value whose first or second part is over 12."""
    for value in values:
        m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\s*", value)
        if m:
            if int(m[1]) > 12:
                return "dmy"
            if int(m[2]) > 12:
                return "mdy"
    return "auto"


def parse_time(text: str, field: str) -> tuple[int, int, int]:
    """24-hour 13:05[:07] or 12-hour 1:05[:07] PM / 1:05pm."""
    value = text.strip().lower().replace(".", "")
    m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm|a|p)?", value)
    if not m:
        raise RowError(field, f"{text!r} is not a time of day")
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    if m[4]:
        if not 1 <= hour <= 12:
            raise RowError(field, f"{text!r}: a 12-hour time has hours 1 to 12")
        hour = hour % 12 + (12 if m[4].startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise RowError(field, f"{text!r} is not a time of day")
    return hour, minute, second


MAX_DURATION_HOURS = 10_000  # over a year: no single time entry is longer


def parse_duration(text: str, field: str) -> int:
    """Seconds from 1:30:00, 1:30, 90:00:00 or a decimal 1.5 / 1,5 (hours), with the
    units some tools' duration formats add: "1.5 h", "47:06 min" (minutes and seconds),
    "90 min"; refused (RowError naming `field`) when negative or longer than
    MAX_DURATION_HOURS."""
    value = text.strip().replace("\u2212", "-")
    unit = (
        re.fullmatch(r"(.*?)\s*(h|hrs?|hours?|m|mins?|minutes?)", value, re.I)
        if value[-1:].isalpha()
        else None
    )
    if unit and unit[1] and unit[2][0] in "mM":
        mm_ss = re.fullmatch(r"(\d{1,9}):(\d{2})", unit[1])
        if mm_ss:
            value = f"0:{mm_ss[1]}:{mm_ss[2]}"
        else:
            minutes = parse_decimal(unit[1], field)
            if not 0 <= minutes <= MAX_DURATION_HOURS * 60:
                raise RowError(field, f"{text[:40]!r} is negative or too long")
            return int((minutes * 60).to_integral_value())
    elif unit and unit[1]:
        value = unit[1]
    if value.startswith("-") and re.fullmatch(r"-\s*\d+:\d{2}(?::\d{2})?", value):
        raise RowError(field, f"{text!r} is negative")
    m = re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", value)
    if m:
        if len(m[1]) > 6 or int(m[1]) > MAX_DURATION_HOURS:
            raise RowError(field, f"{text[:40]!r} is longer than {MAX_DURATION_HOURS:,} hours")
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
    hours = parse_decimal(value, field)
    if hours < 0:
        raise RowError(field, f"{text!r} is negative")
    # Compared before any arithmetic: "1e999999" hours would overflow the decimal context.
    if hours > MAX_DURATION_HOURS:
        raise RowError(field, f"{text[:40]!r} is longer than {MAX_DURATION_HOURS:,} hours")
    return int((hours * 3600).to_integral_value())


def parse_decimal(text: str, field: str, *, decimal_comma: bool = False) -> Decimal:
    """1234.5, 1,234.50, 1 234,50, 1.234,50, 1'234.50 and 1,5: with both marks the last
    one is the decimal point; a lone comma is one when `decimal_comma` or when it is
    followed by one or two digits (never three: "1,234" is a thousand and more)."""
    value = re.sub(r"[\s\u00a0\u202f']", "", text.strip())
    comma, dot = value.rfind(","), value.rfind(".")
    if comma >= 0 and dot >= 0:
        decimal_comma = comma > dot
    elif comma >= 0 and not decimal_comma:
        decimal_comma = bool(re.fullmatch(r"[-+]?\d+,\d{1,2}", value))
    elif dot >= 0 and decimal_comma:
        # "1.234" in a decimal-comma file is a thousand and more; "1.5" is one and a half.
        decimal_comma = bool(re.fullmatch(r"[-+]?\d{1,3}(?:\.\d{3})+", value))
    grouping, point = (".", ",") if decimal_comma else (",", ".")
    value = value.replace(grouping, "").replace(point, ".")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise RowError(field, f"{text!r} is not a number") from None
    if not result.is_finite():
        raise RowError(field, f"{text!r} is not a number")
    return result


_PLAIN_MONEY = re.compile(r"(-?)\$?(\d{1,3}(?:,\d{3})+|\d+)\.(\d\d)")
# Currency -> whether its minor unit has two decimals (`exponent` checks a code once).
_CENTS: dict[str, bool] = {}


def parse_money(text: str, currency: str, field: str, *, decimal_comma: bool = False) -> Money:
    """ "$1,234.56", "-$50.00", "($50.00)", "1.234,56" (with decimal_comma)."""
    value = text.strip().replace("\u2212", "-")  # a typographic minus
    plain = _PLAIN_MONEY.fullmatch(value)
    if plain and not decimal_comma:
        cents = _CENTS.get(currency)
        if cents is None:
            cents = _CENTS[currency] = exponent(currency) == 2
        if cents:
            # What nearly every row of a platform's export looks like: no Decimal needed.
            minor = int(plain[2].replace(",", "")) * 100 + int(plain[3])
            if minor <= MAX_MINOR:
                return Money(-minor if plain[1] else minor, currency)
    negative = value.startswith("(") and value.endswith(")")
    value = value.strip("()").replace("US$", "").replace(currency, "")
    for symbol in ("$", "€", "£", "¥"):
        value = value.replace(symbol, "")
    value = value.strip()
    if value.startswith("-"):
        negative, value = not negative, value[1:].strip()
    elif value.startswith("+"):
        value = value[1:].strip()
    if not re.fullmatch(r"[\d.,\s\u00a0]+", value or "x"):
        raise RowError(field, f"{text!r} is not an amount")
    number = parse_decimal(value, field, decimal_comma=decimal_comma)
    try:
        money = Money.parse(f"{number:f}", currency, field=field)
    except MoneyError as exc:
        raise RowError(field, str(exc).removeprefix(f"{field}: ")) from None
    return -money if negative else money


def currency_of(text: str, field: str = "currency", default: str = "USD") -> str:
    code = (text or default).strip().upper() or default
    try:
        return check_currency(code)
    except MoneyError:
        raise RowError(field, f"{text!r} is not a currency we know") from None


def zone(name: str | tzinfo | None) -> tzinfo:
    if name is None or name == "":
        return UTC
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuleError(
            "import.timezone", f"timezone: {name!r} is not an IANA zone", field="tz"
        ) from None


def local_instant(day: date, hms: tuple[int, int, int], tz: tzinfo, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, *hms, tzinfo=tz, fold=fold).astimezone(UTC)


def local_span(
    start_day: date,
    start_hms: tuple[int, int, int],
    end_day: date,
    end_hms: tuple[int, int, int],
    tz: tzinfo,
    duration: int | None,
    row: int,
) -> tuple[datetime, datetime]:
    """A local start and end in `tz` as UTC instants. On a DST night the wall clock is
    ambiguous: when the file gives a duration, the reading of the repeated hour that
    agrees with it wins; otherwise the first occurrence. End before start is refused."""
    starts = {local_instant(start_day, start_hms, tz, fold=f) for f in (0, 1)}
    ends = {local_instant(end_day, end_hms, tz, fold=f) for f in (0, 1)}
    if duration is not None:
        for s in sorted(starts):
            for e in sorted(ends):
                if int((e - s).total_seconds()) == duration:
                    return s, e
    start = local_instant(start_day, start_hms, tz)
    end = local_instant(end_day, end_hms, tz)
    if end < start:
        raise RowError("end", f"ends ({end_day} {_hms(end_hms)}) before it starts")
    return start, end


def _hms(hms: tuple[int, int, int]) -> str:
    return f"{hms[0]:02d}:{hms[1]:02d}:{hms[2]:02d}"


CONTRACT_ID_RE = re.compile(r"\((?:contract\s*(?:id)?\s*[:#]?\s*)?#?(\d{5,})\)\s*$", re.I)
CONTRACT_ANY_RE = re.compile(r"contract\s*(?:id)?\s*[:#]?\s*(\d{5,})", re.I)


def contract_ref_in(*texts: str) -> str | None:
    for text in texts:
        m = CONTRACT_ID_RE.search(text.strip()) or CONTRACT_ANY_RE.search(text)
        if m:
            return m.group(1)
    return None


# -- the registry of importers ---------------------------------------------------------


@dataclass(frozen=True)
class ImporterSpec:
    kind: str
    label: str
    target: Literal["time", "ledger"]
    parse: Callable[[Source, dict[str, Any]], Parsed]
    detect: Callable[[Source], bool]
    extensions: tuple[str, ...] = (".csv",)


def header_of(source: Source) -> list[str]:
    text, named = strip_sep_line(source.text.lstrip("\ufeff"))
    first = first_line(text)
    delim = named or sniff_delimiter(first)
    try:
        return [norm_header(h) for h in next(csv.reader([first], delimiter=delim))]
    except (csv.Error, StopIteration):
        return []


# -- resolving and writing -------------------------------------------------------------


def import_device(kind: str, user: str) -> str:
    """Imported time lives on its own device per tool and user: never mixed with, and
    never overlapping, what this machine tracked."""
    user_part = re.sub(r"[^\w.@-]+", "_", user.strip())[:40] or "me"
    return f"import:{kind}:{user_part}"[:64]


def find_contract(session: Session, ident: str) -> Contract | None:
    """A contract by id, id prefix, platform reference or title (case-insensitive)."""
    text = ident.strip()
    if not text:
        return None
    try:
        row = session.get(Contract, uuid.UUID(text))
        if row is not None:
            return row
    except ValueError:
        pass
    row = session.scalar(select(Contract).where(Contract.reference == text))
    if row is not None:
        return row
    if re.fullmatch(r"[0-9a-fA-F]{4,8}", text):
        from sqlalchemy import String, cast

        rows = session.scalars(
            select(Contract).where(cast(Contract.id, String).like(f"{text.lower()}%")).limit(2)
        ).all()
        if len(rows) == 1:
            return rows[0]
    rows = session.scalars(
        select(Contract).where(func.lower(Contract.title) == text.lower()).limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def _auto_contract(session: Session, entry: TimeEntry) -> Contract | None:
    if entry.contract_ref:
        row = find_contract(session, entry.contract_ref)
        if row is not None:
            return row
    row = find_contract(session, entry.key)
    if row is not None:
        return row
    for part in reversed(re.split(r"\s*/\s*", entry.key)):
        row = find_contract(session, part)
        if row is not None:
            return row
    return None


def log_key(kind: str, sha256: str) -> str:
    return f"{LOG_PREFIX}{kind}:{sha256[:48]}"


def resolve_time(
    session: Session, preview: Preview, mapping: Mapping[str, str], now: datetime | None = None
) -> None:
    """Fill the preview's mapping (key -> contract id), unmapped keys and the count of
    entries already in the workspace."""
    keys: dict[str, int] = {}
    for entry in preview.parsed.entries:
        keys[entry.key] = keys.get(entry.key, 0) + 1
    preview.key_rows = keys
    preview.mapping, preview.unmapped = {}, []
    samples = {e.key: e for e in reversed(preview.parsed.entries)}
    for key in keys:
        given = mapping.get(key)
        contract = None
        if given:
            contract = find_contract(session, given)
            if contract is None:
                preview.parsed.error(
                    samples[key].row, "contract", f"--map {key!r}: no contract {given!r}"
                )
                continue
        else:
            contract = _auto_contract(session, samples[key])
        if contract is None:
            preview.unmapped.append(key)
        else:
            preview.mapping[key] = str(contract.id)
    for entry in preview.parsed.entries:
        if now is not None and entry.ended_at > now:
            preview.parsed.error(entry.row, "end", "ends in the future")
    existing = _existing_sessions(session, preview.parsed.kind)
    duplicates = 0
    for entry in preview.parsed.entries:
        cid = preview.mapping.get(entry.key)
        if cid and _session_key(import_device(preview.kind, entry.user), cid, entry) in existing:
            duplicates += 1
    preview.duplicates = duplicates
    preview.new_rows = len(preview.parsed.entries) - duplicates


def _existing_sessions(session: Session, kind: str) -> set[tuple[str, str, datetime, datetime]]:
    rows = session.execute(
        select(
            TimeSession.device_id,
            TimeSession.contract_id,
            TimeSession.started_at,
            TimeSession.ended_at,
        ).where(TimeSession.device_id.like(f"import:{kind}:%"))
    ).all()
    return {(d, str(c), s, e) for d, c, s, e in rows if e is not None}


def _session_key(
    device: str, contract_id: str, entry: TimeEntry
) -> tuple[str, str, datetime, datetime]:
    return (
        device,
        contract_id,
        entry.started_at.replace(microsecond=0),
        entry.ended_at.replace(microsecond=0),
    )


def check_overlaps(parsed: Parsed) -> None:
    """Two entries of one user at the same time would count that time twice."""
    by_user: dict[str, list[TimeEntry]] = {}
    for entry in parsed.entries:
        by_user.setdefault(entry.user, []).append(entry)
    for entries in by_user.values():
        entries.sort(key=lambda e: (e.started_at, e.ended_at))
        for before, after in itertools.pairwise(entries):
            if after.started_at < before.ended_at:
                parsed.error(
                    after.row,
                    "start",
                    f"overlaps row {before.row} ({before.started_at:%Y-%m-%d %H:%M} – "
                    f"{before.ended_at:%H:%M} UTC): the same time would count twice",
                )


def write_time(
    session: Session,
    preview: Preview,
    clock: Clock,
    progress: Progress | None,
    stop: Stop | None = None,
) -> tuple[int, int, int]:
    """Sessions and their wall-clock segments for every new entry; (sessions, segments,
    skipped). `stop` is polled every 200 entries (ImportCancelled)."""
    existing = _existing_sessions(session, preview.kind)
    sessions = segments = skipped = 0
    total = len(preview.parsed.entries)
    now = clock.now()
    for n, entry in enumerate(preview.parsed.entries, 1):
        cid = preview.mapping[entry.key]
        device = import_device(preview.kind, entry.user)
        key = _session_key(device, cid, entry)
        if key in existing:
            skipped += 1
        else:
            existing.add(key)
            start, end = key[2], key[3]
            if end > now:
                raise ImportRefused([Issue(entry.row, "end", "ends in the future")])
            contract_id = uuid.UUID(cid)
            row = TimeSession(
                contract_id=contract_id,
                memo=entry.memo[:10_000],
                started_at=start,
                ended_at=end,
                last_seen_at=end,
                device_id=device,
                pid=None,
                end_reason="manual",
                manual=True,
            )
            session.add(row)
            for piece in split_into_segments(start, end):
                row.segments.append(
                    Segment(
                        contract_id=contract_id,
                        slot_start=piece.segment_start,
                        tracked_seconds=piece.seconds,
                        activity=[],
                        memo=entry.memo[:2_000],
                        manual=True,
                    )
                )
                segments += 1
            sessions += 1
        if n % 200 == 0 or n == total:
            if progress is not None:
                progress(n, total)
            check_stop(stop)
    return sessions, segments, skipped


def write_log(session: Session, preview: Preview, clock: Clock, counts: Mapping[str, int]) -> None:
    key = log_key(preview.kind, preview.sha256)
    entry = {
        "kind": preview.kind,
        "file": Path(preview.path).name,
        "sha256": preview.sha256,
        "at": clock.now().isoformat(),
        "rows": preview.parsed.rows,
        **counts,
    }
    row = session.scalar(select(Setting).where(Setting.key == key))
    if row is None:
        session.add(Setting(key=key, value={"v": entry}))
    else:
        row.value = {"v": {**entry, "first": row.value.get("v", {}).get("at")}}


def import_log(db: Database) -> list[dict[str, Any]]:
    """Every import applied to the workspace, oldest first."""
    with db.read() as s:
        rows = s.scalars(select(Setting).where(Setting.key.like(f"{LOG_PREFIX}%"))).all()
        return sorted((dict(r.value.get("v", {})) for r in rows), key=lambda e: e.get("at", ""))


def load_mapping(db: Database, name: str) -> dict[str, Any] | None:
    with db.read() as s:
        row = s.scalar(select(Setting).where(Setting.key == f"{MAPPING_PREFIX}{name}"))
        return dict(row.value.get("v", {})) if row is not None else None


def save_mapping(db: Database, name: str, mapping: Mapping[str, Any]) -> None:
    key = f"{MAPPING_PREFIX}{name}"[:80]
    with db.session() as s:
        row = s.scalar(select(Setting).where(Setting.key == key))
        if row is None:
            s.add(Setting(key=key, value={"v": dict(mapping)}))
        else:
            row.value = {"v": dict(mapping)}


def week_slots(start: datetime, seconds: int) -> timedelta:
    """A duration rounded to whole 10-minute segments (Upwork's sixths of an hour)."""
    del start
    step = SEGMENT_MINUTES * 60
    return timedelta(seconds=round(seconds / step) * step)


def json_list(source: Source, parsed: Parsed, items: str, what: str) -> list[Any] | None:
    """The file's JSON list (Watson's frames, `timew export`'s intervals); None, with one
    error on `parsed`, when the file is not valid JSON, nests too deep to read, or is not
    a list. `items` names the elements ("frames"), `what` the file ("a Watson frames
    file")."""
    try:
        data = json.loads(source.text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        parsed.error(exc.lineno, "file", f"not valid JSON ({exc.msg}): truncated?")
        return None
    except RecursionError:
        parsed.error(0, "file", f"not a list of {items}: lists nested too deep to read")
        return None
    if not isinstance(data, list):
        parsed.error(0, "file", f"not {what} (a JSON list of {items})")
        return None
    return data
