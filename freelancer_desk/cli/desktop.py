"""`desktop install|uninstall|status`: the menu entry and icons for this user
(freedesktop paths under $XDG_DATA_HOME, ~/.local/share by default)."""

from __future__ import annotations

import argparse

from freelancer_desk.cli.common import EXIT_OK, Registry, handler, print_json, say


def register(reg: Registry) -> None:
    noun_help = "desktop menu entry and icons for this user"
    install = reg.verb(
        "desktop", "install", "add Freelancer Desk to the application menu", noun_help=noun_help
    )
    install.add_argument("--json", action="store_true", help="print JSON")
    install.set_defaults(**handler(_install))
    uninstall = reg.verb(
        "desktop",
        "uninstall",
        "remove the menu entry, icons and autostart entry",
        noun_help=noun_help,
    )
    uninstall.add_argument("--json", action="store_true", help="print JSON")
    uninstall.set_defaults(**handler(_uninstall))
    status = reg.verb("desktop", "status", "what is installed", noun_help=noun_help)
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(**handler(_status))


def _report(args: argparse.Namespace, verb: str, paths: list[object]) -> int:
    if args.json:
        print_json({verb: [str(p) for p in paths]})
    elif paths:
        for path in paths:
            say(f"{verb} {path}")
    else:
        say(f"nothing {verb}")
    return EXIT_OK


def _install(args: argparse.Namespace) -> int:
    from freelancer_desk.services import desktop

    return _report(args, "installed", list(desktop.install()))


def _uninstall(args: argparse.Namespace) -> int:
    from freelancer_desk.services import desktop

    return _report(args, "removed", list(desktop.uninstall()))


def _status(args: argparse.Namespace) -> int:
    from freelancer_desk.services import desktop

    dirs = desktop.XdgDirs.current()
    files = desktop.installed_files(dirs)
    autostart = desktop.autostart_enabled(dirs)
    if args.json:
        print_json({"installed": [str(p) for p in files], "autostart": autostart})
    else:
        say(f"menu entry: {'installed' if dirs.entry in files else 'not installed'} ({dirs.entry})")
        say(f"icons: {sum(1 for p in files if p != dirs.entry)} installed")
        say(f"start at login: {'on' if autostart else 'off'} ({dirs.autostart})")
    return EXIT_OK
