"""Entry point: `freelancer-desk` with a subcommand runs the CLI, without one opens the window."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself is not imported: ~3 ms of a lean command
if TYPE_CHECKING:
    from typing import NoReturn


def main(argv: list[str] | None = None) -> int:
    """Without `argv` this is the process (the `freelancer-desk` script, `python -m`):
    a command the lean path answered then leaves at once (`_leave`)."""
    from freelancer_desk import cli

    whole_process = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        answered = cli.answer_lean(argv)  # a report or the diary, with sqlite3 alone
    except BrokenPipeError:  # the reader (`| true`) has gone: nothing more to say
        if not whole_process:
            raise
        _leave(EXIT_BROKEN_PIPE, flush=False)
    if answered is not None:
        if whole_process:
            _leave(answered)
        return answered
    args = cli.window_args(argv) or cli.parse_args(argv)
    if args.command is None:
        # Imported here so that the CLI never loads Qt.
        from freelancer_desk.ui.main import run_gui

        return run_gui(args)
    return cli.run(args)


# What a process killed by SIGPIPE reports in a shell (128 + 13), as `git log | true`.
EXIT_BROKEN_PIPE = 141


def _leave(code: int, *, flush: bool = True) -> NoReturn:
    """End the process now: the answer is written and flushed, and nothing else is left
    to do — the interpreter's own teardown (freeing every module and object, ~10 ms)
    would only cost time. Only after the lean path answered: the normal path's atexit
    handlers, logging and open databases get the ordinary exit."""
    if flush:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            code = EXIT_BROKEN_PIPE
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
