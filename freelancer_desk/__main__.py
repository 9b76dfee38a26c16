"""Entry point: `freelancer-desk` with a subcommand runs the CLI, without one opens the window."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from freelancer_desk import cli

    argv = list(sys.argv[1:] if argv is None else argv)
    answered = cli.answer_lean(argv)  # a report or the diary, with sqlite3 alone
    if answered is not None:
        return answered
    args = cli.window_args(argv) or cli.parse_args(argv)
    if args.command is None:
        # Imported here so that the CLI never loads Qt.
        from freelancer_desk.ui.main import run_gui

        return run_gui(args)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
