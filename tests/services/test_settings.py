"""Settings: one declared list, typed checks naming the setting, two homes (the
workspace's Setting table and this machine's settings.json), reset, a versioned
upgrade, start at login, and exchange rates passed through to the ledger."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.events import ChangeBus
from freelancer_desk.services.ledger import LedgerService
from freelancer_desk.services.settings import (
    GROUPS,
    SETTINGS,
    SPECS,
    LocalSettings,
    SettingsService,
    machine_value,
    parse_text,
    show,
    validate,
)
from freelancer_desk.storage.models import Setting
from freelancer_desk.storage.workspace import open_workspace

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return home


@pytest.fixture
def clock():
    return FakeClock(NOW)


def open_db(tmp_path, clock):
    database, _ = open_workspace(tmp_path / "ws", f"sqlite:///{tmp_path / 'w.sqlite3'}", clock)
    return database


@pytest.fixture
def db(tmp_path, clock):
    database = open_db(tmp_path, clock)
    yield database
    database.dispose()


@pytest.fixture
def service(db, home):
    return SettingsService(db, ChangeBus())


def test_the_declared_list_is_whole():
    assert len(SPECS) == len(SETTINGS)  # names are unique
    for spec in SETTINGS:
        assert spec.label and spec.help.endswith((".", ")")), spec.name
        assert validate(spec, spec.default) == spec.default, spec.name
        assert spec.group in GROUPS
    wanted = {
        "tracker.idle_minutes",
        "snapshots.default_policy",
        "snapshots.retention_days",
        "display.week_start",
        "display.time_zone",
        "display.theme",
        "money.base_currency",
        "fees.upwork",
        "fees.fiverr",
        "fees.direct",
        "billing.rounding",
        "storage.data_dir",
        "storage.db_url",
        "desktop.start_at_login",
        "reminders.diary_lock",
        "reminders.invoice_due",
    }
    assert wanted <= set(SPECS)
    machine = {s.name for s in SETTINGS if s.scope == "machine"}
    assert machine == {
        "storage.data_dir",
        "storage.db_url",
        "display.theme",
        "desktop.start_at_login",
    }


def test_a_new_workspace_reads_the_defaults(service):
    values = service.all()
    assert list(values) == [s.name for s in SETTINGS]
    assert values["tracker.idle_minutes"] == 10
    assert values["fees.upwork"] == 1000 and values["fees.fiverr"] == 2000
    assert values["fees.direct"] == 0
    assert values["snapshots.default_policy"] == "blurred"
    assert all(service.is_default(name) for name in SPECS)


def test_workspace_settings_survive_reopening(tmp_path, clock, home):
    first = open_db(tmp_path, clock)
    SettingsService(first, ChangeBus()).set_many(
        {"tracker.idle_minutes": 5, "money.base_currency": "eur", "display.time_zone": "Asia/Tokyo"}
    )
    first.dispose()
    again = open_db(tmp_path, clock)
    try:
        service = SettingsService(again, ChangeBus())
        assert service.get("tracker.idle_minutes") == 5
        assert service.get("money.base_currency") == "EUR"  # stored as the ISO code
        assert service.get("display.time_zone") == "Asia/Tokyo"
        with again.read() as s:
            row = s.scalar(select(Setting).where(Setting.key == "tracker.idle_minutes"))
            assert row is not None and row.value == {"v": 5, "version": 1}
    finally:
        again.dispose()


def test_machine_settings_live_in_the_config_folder_not_the_workspace(service, db, home):
    service.set("display.theme", "dark")
    service.set("storage.data_dir", str(home / "Freelance"))
    path = home / ".config" / "freelancer-desk" / "settings.json"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["display.theme"] == {"v": "dark", "version": 1}
    with db.read() as s:
        assert s.scalar(select(Setting).where(Setting.key == "display.theme")) is None
    # Readable before any workspace is open.
    assert machine_value("storage.data_dir") == str(home / "Freelance")
    assert machine_value("storage.db_url") == ""


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("tracker.idle_minutes", 0, "between 1 and 120"),
        ("tracker.idle_minutes", "ten", "not a whole number"),
        ("tracker.idle_minutes", True, "not a whole number"),
        ("snapshots.default_policy", "sharp", "one of off, blurred, full"),
        ("money.base_currency", "XYZ", "XYZ"),
        ("display.time_zone", "Mars/Olympus", "IANA"),
        ("fees.upwork", 2000, "between 0% and 15%"),
        ("billing.rounding", "7m-sideways", "upwork"),
        ("storage.data_dir", "relative/folder", "absolute"),
        ("storage.db_url", "workspace.sqlite3", "database URL"),
        ("desktop.start_at_login", "yes", "true or false"),
        ("display.theme", "sepia", "system, light, dark"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(service, name, value, words):
    with pytest.raises(RuleError) as caught:
        service.set(name, value)
    assert caught.value.field == name
    assert str(caught.value).startswith(f"{name}: ")
    assert words in str(caught.value)
    assert service.is_default(name)


def test_an_unknown_setting_is_refused(service):
    with pytest.raises(RuleError, match="no such setting") as caught:
        service.get("tracker.idle")
    assert caught.value.field == "tracker.idle"


def test_one_bad_value_stores_nothing(service):
    with pytest.raises(RuleError):
        service.set_many({"tracker.idle_minutes": 3, "fees.fiverr": -1})
    assert service.get("tracker.idle_minutes") == 10


def test_text_from_the_command_line(service):
    assert parse_text(SPECS["fees.upwork"], "12.5%") == 1250
    assert parse_text(SPECS["fees.upwork"], "5") == 500
    assert parse_text(SPECS["desktop.start_at_login"], "Yes") is True
    assert parse_text(SPECS["reminders.order_due"], "off") is False
    assert parse_text(SPECS["tracker.idle_minutes"], " 15 ") == 15
    with pytest.raises(RuleError, match="more than 2 decimals"):
        parse_text(SPECS["fees.upwork"], "10.125")
    with pytest.raises(RuleError, match="not yes or no"):
        parse_text(SPECS["reminders.order_due"], "maybe")
    assert show(SPECS["fees.upwork"], 1250) == "12.5%"
    assert show(SPECS["storage.db_url"], "") == "(default)"


def test_reset_one_and_all(service):
    service.set_many({"tracker.idle_minutes": 3, "display.theme": "light"})
    service.reset("tracker.idle_minutes")
    assert service.get("tracker.idle_minutes") == 10
    assert service.get("display.theme") == "light"
    service.reset()
    assert all(service.is_default(name) for name in SPECS)


def test_changes_are_published(db, home):
    bus = ChangeBus()
    seen = []
    bus.subscribe(seen.append)
    SettingsService(db, bus).set("fees.fiverr", 2500)
    assert [(c.kind, c.action, c.ids) for c in seen] == [("setting", "updated", ("fees.fiverr",))]


def test_a_value_stored_by_version_1_is_upgraded(service, db):
    # Version 1 of the snapshot setting was a yes/no "take snapshots".
    with db.session() as s:
        s.add(Setting(key="snapshots.default_policy", value={"v": True}))
    assert service.get("snapshots.default_policy") == "full"
    assert service.upgrade_stored() == ["snapshots.default_policy"]
    with db.read() as s:
        row = s.scalar(select(Setting).where(Setting.key == "snapshots.default_policy"))
        assert row is not None and row.value == {"v": "full", "version": 2}
    assert service.upgrade_stored() == []  # nothing left to upgrade

    with db.session() as s:
        row = s.scalar(select(Setting).where(Setting.key == "snapshots.default_policy"))
        assert row is not None
        row.value = {"v": False, "version": 1}
    assert service.get("snapshots.default_policy") == "off"


def test_a_hand_edited_value_reads_as_the_default(service, home):
    path = home / ".config" / "freelancer-desk" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"display.theme": {"v": "sepia"}}), encoding="utf-8")
    assert service.get("display.theme") == "system"


def test_start_at_login_writes_and_removes_the_autostart_entry(service, home):
    entry = home / ".config" / "autostart" / "freelancer-desk.desktop"
    service.set("desktop.start_at_login", True)
    text = entry.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "X-GNOME-Autostart-enabled=true" in text
    service.set("desktop.start_at_login", False)
    assert not entry.exists()


def test_start_at_login_honours_xdg_config_home(db, home, tmp_path, monkeypatch):
    config = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    service = SettingsService(db, ChangeBus(), local=LocalSettings(tmp_path / "local.json"))
    service.set("desktop.start_at_login", True)
    assert (config / "autostart" / "freelancer-desk.desktop").exists()
    assert (tmp_path / "local.json").exists()


def test_exchange_rates_go_through_the_ledger(service, db, clock):
    service.set("money.base_currency", "EUR")
    today = clock.now().date()
    service.set_rate("USD", today, "1.08")
    service.set_rate("GBP", date(2026, 11, 1), Decimal("0.86"))
    assert LedgerService(db).rate("EUR", "USD", today).rate == Decimal("1.08")
    assert [(r.base, r.quote, r.on, r.rate) for r in service.rates()] == [
        ("EUR", "USD", today, Decimal("1.08")),
        ("EUR", "GBP", date(2026, 11, 1), Decimal("0.86")),
    ]
    with pytest.raises(RuleError) as caught:
        service.set_rate("USD", today, "-1")
    assert caught.value.field == "rate"
