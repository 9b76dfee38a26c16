"""Money in integer minor units with an ISO 4217 code; never floats.

`Money(1999, "USD")` is $19.99. Arithmetic refuses to mix currencies; splitting
(a fee, an allocation across milestones) never loses or invents a minor unit.
Fee rates are basis points: 1000 = 10.00 %.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from freelancer_desk.domain.frozen import Frozen

if TYPE_CHECKING:
    from decimal import Decimal

# `decimal` is imported by the methods that need it (parse, percent, presentation), not
# here: the CLI's lean `track diary` and `report hours` never touch it.

# Minor-unit exponents (ISO 4217). Currencies not listed use 2.
_EXPONENTS: dict[str, int] = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "UYI": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}

# Codes we accept. A typo ("USS") is refused rather than silently becoming a currency.
KNOWN_CURRENCIES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
    PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SYP
    SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYI UYU UZS VES VND VUV WST XAF
    XCD XOF XPF YER ZAR ZMW ZWL
    """.split()
)

# 10**15 minor units: a quadrillion cents is far beyond any freelancer's ledger and far
# inside SQLite's and PostgreSQL's 64-bit integers, even summed over years.
MAX_MINOR = 10**15

_AMOUNT_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?$")


class MoneyError(ValueError):
    """A money value or operation that breaks a rule; the message names the rule."""


def check_currency(code: str) -> str:
    if not isinstance(code, str) or code.upper() != code or code not in KNOWN_CURRENCIES:
        raise MoneyError(f"currency {code!r} is not an ISO 4217 code we know (e.g. USD, EUR, JPY)")
    return code


def exponent(currency: str) -> int:
    """Number of decimals of the currency's minor unit (JPY 0, USD 2, KWD 3)."""
    return _EXPONENTS.get(check_currency(currency), 2)


class Money(Frozen):
    """What `@dataclass(frozen=True, slots=True)` gave, written out (domain/frozen.py):
    `Money(amount, currency)` by position or keyword, equal only to a Money of the same
    amount and currency, hashable, immutable, repr `Money(amount=1999, currency='USD')`."""

    __slots__ = ("amount", "currency")
    __match_args__ = ("amount", "currency")
    amount: int  # minor units
    currency: str

    def __init__(self, amount: int, currency: str) -> None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise MoneyError(f"amount must be an integer number of minor units, not {amount!r}")
        check_currency(currency)
        if abs(amount) > MAX_MINOR:
            raise MoneyError(f"amount {amount} is out of range (at most {MAX_MINOR} minor units)")
        object.__setattr__(self, "amount", amount)
        object.__setattr__(self, "currency", currency)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return (self.amount, self.currency) == (other.amount, other.currency)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    # -- construction -------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str, *, field: str = "amount") -> Money:
        """Parse "1,234.50" in `currency`. Refuses more decimals than the currency has."""
        exp = exponent(currency)
        cleaned = (text or "").strip().replace(" ", "").replace("\u00a0", "")
        for symbol in ("$", "€", "£", "¥"):
            cleaned = cleaned.replace(symbol, "")
        if cleaned.upper().endswith(currency):
            cleaned = cleaned[: -len(currency)]
        if not cleaned or not _AMOUNT_RE.match(cleaned) or cleaned in {"+", "-", ".", "+.", "-."}:
            raise MoneyError(f"{field}: {text!r} is not an amount (write it like 1234.50)")
        from decimal import Decimal, InvalidOperation

        try:
            value = Decimal(cleaned.replace(",", ""))
        except InvalidOperation as exc:  # pragma: no cover - the regex keeps this out
            raise MoneyError(f"{field}: {text!r} is not an amount") from exc
        scaled = value.scaleb(exp)
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{field}: {text!r} has more decimals than {currency} allows ({exp})")
        minor = int(scaled)
        if abs(minor) > MAX_MINOR:
            raise MoneyError(f"{field}: {text!r} is too large")
        return cls(minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str) -> Money:
        """Round a decimal amount half-up to the currency's minor unit."""
        from decimal import ROUND_HALF_UP, Decimal

        exp = exponent(currency)
        return cls(int(value.scaleb(exp).quantize(Decimal(1), rounding=ROUND_HALF_UP)), currency)

    # -- arithmetic ---------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(
                f"cannot combine {self.currency} with {other.currency}: convert explicitly first"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money multiplies by whole numbers only; use allocate() or percent()")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def percent(self, basis_points: int) -> Money:
        """`basis_points`/10000 of this amount, rounded half-up (away from zero)."""
        from decimal import Decimal

        return Money.from_decimal(
            self.decimal * Decimal(basis_points) / Decimal(10_000), self.currency
        )

    def split_fee(self, basis_points: int) -> tuple[Money, Money]:
        """(fee, net) with fee + net == self exactly: the fee rounds, the net absorbs it."""
        if not 0 <= basis_points <= 10_000:
            raise MoneyError(f"fee rate {basis_points / 100:g}% must be between 0% and 100%")
        fee = self.percent(basis_points)
        return fee, self - fee

    def allocate(self, ratios: list[int]) -> list[Money]:
        """Split by integer ratios; remainders go one minor unit at a time to the largest
        fractional parts, so the parts always sum to the whole."""
        if not ratios or any(r < 0 for r in ratios) or sum(ratios) == 0:
            raise MoneyError("allocation needs non-negative ratios that are not all zero")
        total = sum(ratios)
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.amount)
        shares = [whole * r // total for r in ratios]
        remainders = sorted(range(len(ratios)), key=lambda i: (-(whole * ratios[i] % total), i))
        for i in remainders[: whole - sum(shares)]:
            shares[i] += 1
        return [Money(sign * s, self.currency) for s in shares]

    # -- presentation -------------------------------------------------------------
    @property
    def decimal(self) -> Decimal:
        from decimal import Decimal

        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def format_plain(self) -> str:
        """ "1234.50" — the currency's decimals, no symbol, no grouping."""
        return self._text(grouped=False)

    def _text(self, *, grouped: bool) -> str:
        """The amount with the currency's decimals (and "," between thousands when
        `grouped`) in integer arithmetic: what formatting `self.decimal` with ".2f" or
        ",.2f" gave, without importing `decimal`."""
        exp = exponent(self.currency)
        whole, frac = divmod(abs(self.amount), 10**exp)
        sign = "-" if self.amount < 0 else ""
        text = f"{sign}{whole:,}" if grouped else f"{sign}{whole}"
        if exp:
            text += f".{frac:0{exp}d}"
        return text

    def __str__(self) -> str:
        return f"{self._text(grouped=True)} {self.currency}"

    def to_json(self) -> dict[str, object]:
        return {"amount_minor": self.amount, "currency": self.currency, "display": str(self)}


def per_hour(net_minor: int, seconds: int, currency: str) -> Money | None:
    """Net minor units per tracked hour, rounded half-up (away from zero); None without
    tracked time. (The rate of an earnings row: the ledger's and the reports' rows and
    the CLI's lean path, cli/lean.py.)"""
    if seconds <= 0:
        return None
    numerator = net_minor * 3600
    sign = -1 if numerator < 0 else 1
    return Money(sign * ((2 * abs(numerator) + seconds) // (2 * seconds)), currency)


def parse_rate(text: str, *, field: str = "fee") -> int:
    """Parse a percentage like "10", "12.5" or "12.5%" into basis points (0..10000)."""
    from decimal import Decimal, InvalidOperation

    cleaned = (text or "").strip().rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"{field}: {text!r} is not a percentage") from exc
    if not value.is_finite():  # NaN, sNaN (which raises on arithmetic), Infinity
        raise MoneyError(f"{field}: {text!r} is not a percentage")
    # The range first: 1E999999 * 100 overflows the decimal context.
    if not 0 <= value <= 100:
        raise MoneyError(f"{field}: {text!r} must be between 0% and 100%")
    bp = value * 100
    if bp != bp.to_integral_value():
        raise MoneyError(f"{field}: {text!r} has more than two decimals")
    return int(bp)
