"""Every setting declared once — name, type, default, help text, version — and the
service that reads, checks and writes them.

Two homes, named by each setting's `scope`:

- "workspace": a row of the workspace's Setting table ({"v": value, "version": n}).
  Travels with the data (and with a PostgreSQL server shared by several machines):
  tracking, snapshots, money, display and reminder preferences.
- "machine": `settings.json` in this computer's config folder (platformdirs), for what
  must be known before a workspace is opened or belongs to this computer only: the
  data folder, the database URL, the theme and start at login.

Exchange rates are not settings: they are dated rows of the ExchangeRate table, entered
and read through `LedgerService.set_rate` / `rate`; the service only passes them on.

When a setting changes meaning its `version` goes up and `upgrade(old_value,
old_version)` turns what older versions stored into the new meaning (Picard's
versioned option upgrades); stored values are upgraded on read and written back by
`upgrade_stored()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select

from freelancer_desk.domain.billing import RoundingRule
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import MoneyError, check_currency
from freelancer_desk.domain.platforms import (
    UPWORK,
    Platform,
    check_upwork_fee,
    default_fee_bp,
)
from freelancer_desk.services.desktop import set_autostart
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.services.ledger import RATE_SCALE, LedgerService
from freelancer_desk.services.machine import (  # the file itself: light, re-exported here
    APP_NAME as APP_NAME,
)
from freelancer_desk.services.machine import (
    LOCAL_FILE as LOCAL_FILE,
)
from freelancer_desk.services.machine import (
    LocalSettings as LocalSettings,
)
from freelancer_desk.services.machine import (
    check_path,
    check_url,
)
from freelancer_desk.services.machine import (
    local_settings_path as local_settings_path,
)
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import ExchangeRate, Setting

Kind = Literal["int", "bool", "choice", "currency", "timezone", "rounding", "fee", "path", "url"]
Scope = Literal["workspace", "machine"]
Upgrade = Callable[[Any, int], Any]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Deadline kinds the reminder service raises (storage.vocab.REMINDER_KINDS), with the
# words the settings dialog shows; the user's own reminders are always on.
REMINDER_KIND_LABELS = {
    "diary_lock": "Work Diary about to lock",
    "milestone_auto_release": "Milestone about to release automatically",
    "refund_window": "Refund-or-dispute window closing",
    "order_due": "Fiverr order due",
    "invoice_due": "Invoice due",
    "funds_available": "Money becoming available",
}
REMINDER_KIND_HELP = {
    "diary_lock": "Half a day before Upwork locks last week's Work Diary (Monday 12:00 "
    "UTC): the last chance to add manual time or delete segments.",
    "milestone_auto_release": "A day before a submitted milestone is released "
    "automatically, 14 days after you submitted it.",
    "refund_window": "Two days before the 7 days to accept a refund or open a dispute "
    "on an ended contract run out.",
    "order_due": "A day before a Fiverr order's delivery is due.",
    "invoice_due": "On the day a direct client's invoice falls due.",
    "funds_available": "When pending earnings become available to withdraw.",
}
ROUNDING_PRESETS = ("upwork", "1m-nearest", "6m-up", "15m-up", "15m-nearest", "30m-up")


@dataclass(frozen=True)
class SettingSpec:
    """One declared setting. `choices` are (value, label) pairs for "choice"; `minimum`
    and `maximum` bound "int" and "fee" (basis points); `presets` are the suggestions
    offered for free-form kinds."""

    name: str
    kind: Kind
    default: Any
    label: str
    help: str
    group: str
    scope: Scope = "workspace"
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    presets: tuple[str, ...] = ()
    version: int = 1
    upgrade: Upgrade | None = None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)


def _snapshot_policy_from_v1(value: Any, version: int) -> Any:
    """Version 1 was a yes/no "take screen snapshots" (full pictures, as Upwork takes
    them); version 2 adds blurred pictures. A yes stays full, a no stays off."""
    if version == 1 and isinstance(value, bool):
        return "full" if value else "off"
    return value


def _fee(platform: Platform, label: str, help_text: str) -> SettingSpec:
    limit = UPWORK.max_fee_bp if platform is Platform.UPWORK else 10_000
    return SettingSpec(
        f"fees.{platform.value}",
        "fee",
        default_fee_bp(platform),
        label,
        help_text,
        "Money",
        minimum=0,
        maximum=limit,
        unit="%",
    )


SETTINGS: tuple[SettingSpec, ...] = (
    # -- tracking ---------------------------------------------------------------------
    SettingSpec(
        "tracker.idle_minutes",
        "int",
        10,
        "Idle after",
        "Minutes without keyboard or mouse input after which the tracker stops counting "
        "and asks what to do with the idle time: keep it, discard it or give it to "
        "another contract.",
        "Tracking",
        minimum=1,
        maximum=120,
        unit="min",
    ),
    SettingSpec(
        "snapshots.default_policy",
        "choice",
        "blurred",
        "Screen snapshots for new work",
        "What the tracker takes once per 10-minute segment on a new contract (each "
        "contract can differ; Fiverr orders take none). Blurred pictures show that you were working "
        "without showing what was on screen; they cannot be un-blurred.",
        "Tracking",
        choices=(
            ("off", "Off — no pictures"),
            ("blurred", "Blurred — shapes only"),
            ("full", "Full — readable pictures"),
        ),
        version=2,
        upgrade=_snapshot_policy_from_v1,
    ),
    SettingSpec(
        "snapshots.retention_days",
        "int",
        90,
        "Keep snapshots for",
        "Pictures older than this are deleted from disk (the record that they existed "
        "stays, so the evidence chain is still whole). 0 keeps them forever.",
        "Tracking",
        minimum=0,
        maximum=3650,
        unit="days",
    ),
    # -- display ----------------------------------------------------------------------
    SettingSpec(
        "display.week_start",
        "choice",
        "monday",
        "Weeks start on",
        "First day of the week in this week's hours and in calendars. Upwork's "
        "billing weeks always run Monday to Sunday in UTC, whatever you choose here.",
        "Display",
        choices=tuple((day, day.title()) for day in WEEKDAYS),
    ),
    SettingSpec(
        "display.time_zone",
        "timezone",
        "system",
        "Show times in",
        "“system” follows this computer's time zone; or an IANA zone such as "
        "Europe/Berlin. Times are stored in UTC either way.",
        "Display",
        presets=("system", "UTC"),
    ),
    SettingSpec(
        "display.theme",
        "choice",
        "system",
        "Theme",
        "Light or dark colours, or the desktop's own choice. Applied at once.",
        "Display",
        scope="machine",
        choices=(("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")),
    ),
    # -- money ------------------------------------------------------------------------
    SettingSpec(
        "money.base_currency",
        "currency",
        "USD",
        "Base currency",
        "Totals across currencies are shown in this currency, converted with the "
        "exchange rates you enter below. Amounts are never converted without a rate.",
        "Money",
        presets=("USD", "EUR", "GBP", "CAD", "AUD", "INR"),
    ),
    _fee(
        Platform.UPWORK,
        "Upwork fee",
        "Service fee on a new Upwork contract (0–15%; each contract keeps its own).",
    ),
    _fee(Platform.FIVERR, "Fiverr fee", "Fiverr's cut of each order."),
    _fee(Platform.DIRECT, "Direct clients fee", "Usually 0%: you invoice the client yourself."),
    SettingSpec(
        "billing.rounding",
        "rounding",
        "upwork",
        "Round tracked time",
        "How tracked time is rounded on new direct-client contracts: “upwork” counts "
        "whole minutes of each 10-minute segment; “15m-up” rounds the total up to a "
        "quarter hour. Raw seconds are always kept.",
        "Money",
        presets=ROUNDING_PRESETS,
    ),
    # -- reminders --------------------------------------------------------------------
    *(
        SettingSpec(
            f"reminders.{kind}",
            "bool",
            True,
            label,
            REMINDER_KIND_HELP[kind],
            "Reminders",
        )
        for kind, label in REMINDER_KIND_LABELS.items()
    ),
    # -- this computer ----------------------------------------------------------------
    SettingSpec(
        "storage.data_dir",
        "path",
        "",
        "Data folder",
        "Where the workspace, snapshots and backups live on this computer. Empty: the "
        "usual place for application data. Takes effect at the next start.",
        "This computer",
        scope="machine",
    ),
    SettingSpec(
        "storage.db_url",
        "url",
        "",
        "Database URL",
        "Empty: a SQLite file inside the data folder. A PostgreSQL URL "
        "(postgresql+psycopg://user@host/db) shares one workspace between computers. "
        "Takes effect at the next start.",
        "This computer",
        scope="machine",
    ),
    SettingSpec(
        "desktop.start_at_login",
        "bool",
        False,
        "Start at login",
        "Open Freelancer Desk in the tray when you log in to this computer (an "
        "autostart entry in ~/.config/autostart).",
        "This computer",
        scope="machine",
    ),
)

SPECS: Mapping[str, SettingSpec] = {spec.name: spec for spec in SETTINGS}
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in SETTINGS))


def spec_of(name: str) -> SettingSpec:
    try:
        return SPECS[name]
    except KeyError:
        raise RuleError(
            "setting.unknown",
            f"{name}: no such setting (see `freelancer-desk settings list`)",
            field=name,
        ) from None


# -- checking values ---------------------------------------------------------------------


def _refuse(spec: SettingSpec, message: str) -> RuleError:
    return RuleError(f"setting.{spec.name}", f"{spec.name}: {message}", field=spec.name)


def validate(spec: SettingSpec, value: Any) -> Any:
    """`value` as the setting's type, or a RuleError naming the setting."""
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise _refuse(spec, f"{value!r} is not true or false")
        return value
    if kind in ("int", "fee"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _refuse(spec, f"{value!r} is not a whole number")
        low, high = spec.minimum, spec.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            shown = (lambda v: f"{v / 100:g}%") if kind == "fee" else str
            raise _refuse(
                spec, f"{shown(value)} is not between {shown(low or 0)} and {shown(high or 0)}"
            )
        if spec.name == "fees.upwork":
            try:
                check_upwork_fee(value)
            except RuleError as exc:
                raise _refuse(spec, str(exc)) from None
        return value
    if not isinstance(value, str):
        raise _refuse(spec, f"{value!r} is not text")
    text = value.strip()
    if kind == "choice":
        if text not in spec.choice_values:
            raise _refuse(spec, f"{text!r} is not one of {', '.join(spec.choice_values)}")
        return text
    if kind == "currency":
        try:
            return check_currency(text.upper())
        except MoneyError as exc:
            raise _refuse(spec, str(exc)) from None
    if kind == "timezone":
        if text.lower() in ("system", ""):
            return "system"
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            raise _refuse(spec, f"{text!r} is not an IANA time zone (like Europe/Berlin)") from None
        return text
    if kind == "rounding":
        try:
            RoundingRule.from_code(text)
        except RuleError as exc:
            raise _refuse(spec, str(exc).replace("rounding ", "", 1)) from None
        return text
    if kind in ("path", "url"):
        try:
            return (check_path if kind == "path" else check_url)(text)
        except ValueError as exc:
            raise _refuse(spec, str(exc)) from None
    raise AssertionError(f"unhandled kind {kind}")


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_text(spec: SettingSpec, text: str) -> Any:
    """A value typed at the command line ("12.5%", "yes", "15") as the setting's type."""
    raw = text.strip()
    if spec.kind == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise _refuse(spec, f"{raw!r} is not yes or no")
    if spec.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise _refuse(spec, f"{raw!r} is not a whole number") from None
    if spec.kind == "fee":
        try:
            percent = Decimal(raw.removesuffix("%").strip())
        except ArithmeticError:
            raise _refuse(spec, f"{raw!r} is not a percentage like 10 or 12.5%") from None
        basis_points = percent * 100
        if basis_points != basis_points.to_integral_value():
            raise _refuse(spec, f"{raw!r} has more than 2 decimals")
        return validate(spec, int(basis_points))
    return validate(spec, raw)


def show(spec: SettingSpec, value: Any) -> str:
    """A value as the CLI prints it."""
    if spec.kind == "bool":
        return "yes" if value else "no"
    if spec.kind == "fee":
        return f"{value / 100:g}%"
    if spec.kind in ("path", "url") and not value:
        return "(default)"
    return str(value)


def time_zones() -> list[str]:
    return sorted(available_timezones())


# -- this computer's file ----------------------------------------------------------------


def machine_value(name: str, local: LocalSettings | None = None) -> Any:
    """One machine setting, readable before any workspace is open (the data folder and
    database URL the app should open)."""
    spec = spec_of(name)
    if spec.scope != "machine":
        raise ValueError(f"{name} lives in the workspace, not on this machine")
    stored = (local or LocalSettings()).read().get(name)
    return _decode(spec, stored)


def _decode(spec: SettingSpec, stored: Any) -> Any:
    """A stored {"v", "version"} record as the current version's value; the default
    when nothing (or nothing valid any more) is stored."""
    if not isinstance(stored, dict) or "v" not in stored:
        return spec.default
    value, version = stored["v"], int(stored.get("version", 1))
    if version < spec.version and spec.upgrade is not None:
        value = spec.upgrade(value, version)
    try:
        return validate(spec, value)
    except RuleError:
        return spec.default  # a hand-edited or foreign value: the default, not a crash


def _record(spec: SettingSpec, value: Any) -> dict[str, Any]:
    return {"v": value, "version": spec.version}


# -- the service -------------------------------------------------------------------------

Effect = Callable[[Any], object]


def default_effects() -> dict[str, Effect]:
    return {"desktop.start_at_login": lambda enabled: set_autostart(bool(enabled))}


@dataclass(frozen=True)
class RateRow:
    base: str
    quote: str
    on: date
    rate: Decimal


@dataclass
class SettingsService:
    """get / set / all / reset over the declared settings. `effects` run after a
    machine setting is written (start at login writes or removes the autostart entry).
    Without a database (`db=None`: no workspace open yet) only machine settings are
    served."""

    db: Database | None
    bus: ChangeBus
    local: LocalSettings = field(default_factory=LocalSettings)
    effects: Mapping[str, Effect] = field(default_factory=default_effects)

    # -- reading --------------------------------------------------------------------

    def _database(self, name: str) -> Database:
        if self.db is None:
            raise RuleError(
                "setting.workspace",
                f"{name}: is kept in the workspace, and no workspace is open",
                field=name,
            )
        return self.db

    def _stored_workspace(self, names: Sequence[str]) -> dict[str, Any]:
        if self.db is None:
            return {}
        stmt = select(Setting).where(Setting.key.in_(names))
        with self.db.read() as s:
            return {row.key: row.value for row in s.scalars(stmt)}

    def get(self, name: str) -> Any:
        spec = spec_of(name)
        if spec.scope == "machine":
            return _decode(spec, self.local.read().get(name))
        self._database(name)
        return _decode(spec, self._stored_workspace([name]).get(name))

    def all(self) -> dict[str, Any]:
        """Every declared setting's value, in declaration order (the machine's only
        when no workspace is open)."""
        workspace, machine = self._stored_workspace(list(SPECS)), self.local.read()
        return {
            spec.name: _decode(
                spec, (machine if spec.scope == "machine" else workspace).get(spec.name)
            )
            for spec in SETTINGS
            if spec.scope == "machine" or self.db is not None
        }

    def is_default(self, name: str) -> bool:
        return bool(self.get(name) == spec_of(name).default)

    # -- writing --------------------------------------------------------------------

    def set(self, name: str, value: Any) -> Any:
        """Check and store one value; returns it as stored."""
        return self.set_many({name: value})[name]

    def set_many(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check every value first (one bad value stores nothing), then store them all."""
        checked = {name: validate(spec_of(name), value) for name, value in values.items()}
        workspace = {n: v for n, v in checked.items() if SPECS[n].scope == "workspace"}
        machine = {n: v for n, v in checked.items() if SPECS[n].scope == "machine"}
        if workspace:
            with self._database(next(iter(workspace))).session() as s:
                rows = {
                    row.key: row
                    for row in s.scalars(select(Setting).where(Setting.key.in_(list(workspace))))
                }
                for name, value in workspace.items():
                    record = _record(SPECS[name], value)
                    if name in rows:
                        rows[name].value = record
                    else:
                        s.add(Setting(key=name, value=record))
        if machine:
            data = self.local.read()
            before = {name: _decode(SPECS[name], data.get(name)) for name in machine}
            data.update({name: _record(SPECS[name], value) for name, value in machine.items()})
            self.local.write(data)
            for name, value in machine.items():
                effect = self.effects.get(name)
                if effect is not None and before[name] != value:
                    effect(value)
        if checked:
            self.bus.publish(Change("setting", "updated", tuple(checked)))
        return checked

    def reset(self, name: str | None = None) -> dict[str, Any]:
        """Back to the declared default: one setting, or all of them."""
        names = [name] if name is not None else [n for n in self.all()]
        return self.set_many({n: spec_of(n).default for n in names})

    def upgrade_stored(self) -> list[str]:
        """Rewrite values stored by an older version of a setting in the current
        version's meaning; returns the names rewritten."""
        upgraded: dict[str, Any] = {}
        stored, local = self._stored_workspace(list(SPECS)), self.local.read()
        for spec in SETTINGS:
            record = local.get(spec.name) if spec.scope == "machine" else stored.get(spec.name)
            if isinstance(record, dict) and int(record.get("version", 1)) < spec.version:
                upgraded[spec.name] = _decode(spec, record)
        if upgraded:
            self.set_many(upgraded)
        return sorted(upgraded)

    # -- exchange rates (the ledger's table, passed through) -----------------------------

    def set_rate(self, quote: str, on: date, rate: Decimal | str, base: str | None = None) -> Any:
        """1 base currency = `rate` `quote` on `on`, through the ledger service."""
        base = base or self.get("money.base_currency")
        result = LedgerService(self._database("rate")).set_rate(base, quote, on, rate)
        self.bus.publish(Change("exchange_rate", "updated", (result["id"],)))
        return result

    def rates(self, limit: int = 50) -> list[RateRow]:
        """The most recently dated exchange rates the user entered."""
        stmt = (
            select(ExchangeRate)
            .order_by(ExchangeRate.on.desc(), ExchangeRate.base, ExchangeRate.quote)
            .limit(limit)
        )
        with self._database("rate").read() as s:
            return [
                RateRow(r.base, r.quote, r.on, Decimal(r.rate_micro) / RATE_SCALE)
                for r in s.scalars(stmt)
            ]
