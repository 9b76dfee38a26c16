"""`settings list|get|set|reset`: the declared settings from the command line.

Settings kept on this machine (data folder, database URL, theme, start at login) work
without a workspace; the others open the workspace named by --data-dir/--db-url.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from freelancer_desk.cli.common import EXIT_OK, Registry, handler, print_json, say

if TYPE_CHECKING:
    from freelancer_desk.services.settings import SettingsService


def register(reg: Registry) -> None:
    noun_help = "read and change settings"
    lister = reg.verb("settings", "list", "every setting with its value", noun_help=noun_help)
    lister.add_argument("--json", action="store_true", help="print JSON")
    lister.set_defaults(**handler(_list))

    getter = reg.verb("settings", "get", "one setting's value", noun_help=noun_help)
    getter.add_argument("name", help="e.g. tracker.idle_minutes (see `settings list`)")
    getter.add_argument("--json", action="store_true", help="print JSON")
    getter.set_defaults(**handler(_get))

    setter = reg.verb("settings", "set", "change one setting", noun_help=noun_help)
    setter.add_argument("name")
    setter.add_argument("value", help="e.g. 15, yes, 12.5%%, EUR, dark")
    setter.add_argument("--json", action="store_true", help="print JSON")
    setter.set_defaults(**handler(_set))

    resetter = reg.verb("settings", "reset", "back to the default", noun_help=noun_help)
    resetter.add_argument("name", nargs="?", help="one setting (default: all of them)")
    resetter.add_argument("--json", action="store_true", help="print JSON")
    resetter.set_defaults(**handler(_reset))


def _needs_workspace(names: list[str]) -> bool:
    from freelancer_desk.services.settings import spec_of

    return any(spec_of(name).scope == "workspace" for name in names)


def _with_settings(args: argparse.Namespace, names: list[str], fn: Any) -> int:
    """Run fn(service) with the workspace open only when a workspace setting is named."""
    from freelancer_desk.cli.common import open_app
    from freelancer_desk.services.events import ChangeBus
    from freelancer_desk.services.settings import SettingsService

    if not _needs_workspace(names):
        return int(fn(SettingsService(None, ChangeBus())))
    app = open_app(args)
    try:
        return int(fn(SettingsService(app.db, app.bus)))
    finally:
        app.close()


def _print(args: argparse.Namespace, values: dict[str, Any]) -> None:
    from freelancer_desk.services.settings import SPECS, show

    if args.json:
        print_json(values)
        return
    width = max(len(name) for name in values) if values else 0
    for name, value in values.items():
        say(f"{name.ljust(width)}  {show(SPECS[name], value)}")


def _list(args: argparse.Namespace) -> int:
    from freelancer_desk.app import resolve_location
    from freelancer_desk.services.settings import SETTINGS

    # Without a workspace the machine's settings are still worth listing.
    names = [s.name for s in SETTINGS]
    if not resolve_location(args.data_dir, args.db_url).exists:
        names = [s.name for s in SETTINGS if s.scope == "machine"]

    def run(service: SettingsService) -> int:
        values = service.all()
        if args.json:
            from freelancer_desk.services.settings import SPECS

            print_json(
                [
                    {
                        "name": name,
                        "value": value,
                        "default": SPECS[name].default,
                        "scope": SPECS[name].scope,
                        "label": SPECS[name].label,
                        "help": SPECS[name].help,
                    }
                    for name, value in values.items()
                ]
            )
        else:
            _print(args, values)
        return EXIT_OK

    return _with_settings(args, names, run)


def _get(args: argparse.Namespace) -> int:
    def run(service: SettingsService) -> int:
        _print(args, {args.name: service.get(args.name)})
        return EXIT_OK

    return _with_settings(args, [args.name], run)


def _set(args: argparse.Namespace) -> int:
    from freelancer_desk.services.settings import parse_text, spec_of

    value = parse_text(spec_of(args.name), args.value)

    def run(service: SettingsService) -> int:
        _print(args, service.set_many({args.name: value}))
        return EXIT_OK

    return _with_settings(args, [args.name], run)


def _reset(args: argparse.Namespace) -> int:
    from freelancer_desk.services.settings import SPECS

    names = [args.name] if args.name else list(SPECS)

    def run(service: SettingsService) -> int:
        _print(args, service.reset(args.name))
        return EXIT_OK

    return _with_settings(args, names, run)
