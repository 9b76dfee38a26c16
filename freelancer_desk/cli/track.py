"""The time tracker from the command line: `track run` (headless, in the foreground),
`start` (a detached `track run`), `stop`, `status`, `manual`, `diary`, `pending`,
`resolve`, `delete` and `verify`.

`track stop` talks to whichever process tracks on this device — a `track run`, a
detached one, or the window — by leaving a stop request it polls every second
(tracker/control.py); if that process does not answer in time it gets SIGTERM. The
orphan rules never touch a live process, so there is no other way to stop it.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
from datetime import datetime, time
from typing import TYPE_CHECKING, Any

from freelancer_desk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    CliError,
    Registry,
    handler,
    print_json,
    say,
    with_app,
)
from freelancer_desk.cli.text import diary_text as _diary_text
from freelancer_desk.cli.text import hm
from freelancer_desk.cli.text import totals_lines as _totals_lines

if TYPE_CHECKING:
    import uuid
    from datetime import tzinfo

    from freelancer_desk.app import App
    from freelancer_desk.tracker.engine import Interruption

POLL_SECONDS = 1.0
LOG_FILE = "tracker.log"


def register(reg: Registry) -> None:
    noun = "track"
    noun_help = "time tracking: run, start, stop, status, manual time, the Work Diary"

    run = reg.verb(noun, "run", "track in the foreground until Ctrl+C or `track stop`",
                   noun_help=noun_help)  # fmt: skip
    _target_args(run)
    run.add_argument("--memo", default="", help="what you are working on")
    run.add_argument("--tick-seconds", type=float, default=5.0, help=argparse.SUPPRESS)
    run.add_argument("--heartbeat-seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    run.add_argument("--json", action="store_true", help="one JSON object per line per event")
    run.set_defaults(**handler(with_app(cmd_run)))

    start = reg.verb(noun, "start", "start `track run` as a detached background process")
    _target_args(start)
    start.add_argument("--memo", default="")
    start.add_argument("--json", action="store_true")
    start.set_defaults(**handler(with_app(cmd_start)))

    stop = reg.verb(noun, "stop", "stop the tracking on this device (whichever process runs it)")
    stop.add_argument("--wait", type=float, default=15.0, help="seconds to wait (default 15)")
    stop.add_argument("--json", action="store_true")
    stop.set_defaults(**handler(with_app(cmd_stop)))

    status = reg.verb(noun, "status", "what is tracking now, held time, today's totals")
    _zone_args(status)
    status.add_argument("--json", action="store_true")
    status.set_defaults(**handler(with_app(cmd_status)))

    manual = reg.verb(noun, "manual", "add manual time (flagged manual; never over tracked time)")
    manual.add_argument("--contract", required=True, help="contract id (or its first digits)")
    manual.add_argument(
        "--from", dest="start", required=True, help="e.g. 2026-01-05T09:00 or 09:00"
    )
    manual.add_argument("--to", dest="end", required=True, help="e.g. 2026-01-05T10:30 or 10:30")
    manual.add_argument("--date", help="the day of HH:MM times (default today)")
    manual.add_argument("--memo", required=True)
    _zone_args(manual)
    manual.add_argument("--json", action="store_true")
    manual.set_defaults(**handler(with_app(cmd_manual)))

    diary = reg.verb(noun, "diary", "the Work Diary of one day: hours, 10-minute cells, totals")
    diary.add_argument("--date", help="YYYY-MM-DD (default today)")
    _zone_args(diary)
    diary.add_argument("--json", action="store_true")
    diary.set_defaults(lean="track diary", **handler(with_app(cmd_diary)))  # cli/lean.py first

    precheck = reg.verb(noun, "precheck", "Upwork segments at risk before the diary locks")
    precheck.add_argument("--json", action="store_true")
    precheck.set_defaults(**handler(with_app(cmd_precheck)))

    pending = reg.verb(noun, "pending", "held time (idle, sleep, clock changes) to decide on")
    pending.add_argument("--json", action="store_true")
    pending.set_defaults(**handler(with_app(cmd_pending)))

    resolve = reg.verb(noun, "resolve", "keep, discard or assign held time")
    resolve.add_argument("id", help="the held time's id (or its first digits)")
    resolve.add_argument("decision", help="keep | discard | assign:CONTRACT")
    resolve.add_argument("--json", action="store_true")
    resolve.set_defaults(**handler(with_app(cmd_resolve)))

    delete = reg.verb(noun, "delete", "delete a segment and its snapshot")
    delete.add_argument("segment", help="segment id (or its first digits)")
    delete.add_argument("--yes", action="store_true", help="really delete (else: say what goes)")
    delete.add_argument("--json", action="store_true")
    delete.set_defaults(**handler(with_app(cmd_delete)))

    verify = reg.verb(noun, "verify", "check this device's snapshot hash chain and files")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(**handler(with_app(cmd_verify)))


def _target_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--contract", help="contract id (or its first digits)")
    group.add_argument("--order", help="order id (or its first digits)")


def _zone_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--utc", action="store_true", help="days and times in UTC")
    group.add_argument("--tz", help="an IANA zone, e.g. Europe/Berlin (default: this computer's)")


# -- helpers ----------------------------------------------------------------------------------


def _zone(args: argparse.Namespace) -> tzinfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from freelancer_desk.tracker.diary import UTC_ZONE, local_zone

    if getattr(args, "utc", False):
        return UTC_ZONE
    name = getattr(args, "tz", None)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CliError(
                f"unknown time zone {name!r} (an IANA name like Europe/Berlin)"
            ) from None
    return local_zone()


def _target(app: App, args: argparse.Namespace) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    from freelancer_desk.services.common import find
    from freelancer_desk.storage.models import Contract, Order

    with app.db.read() as s:
        if args.contract:
            return find(s, Contract, args.contract, what="contract").id, None
        return None, find(s, Order, args.order, what="order").id


class _Out:
    """Lines (or JSON lines) printed from the scheduler's thread and the main one."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self._lock = threading.Lock()

    def event(self, kind: str, message: str, **data: Any) -> None:
        from freelancer_desk.cli.common import jsonable

        with self._lock:
            if self.as_json:
                import json

                payload = {"event": kind, "message": message, **jsonable(data)}
                sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(f"{message}\n")
            sys.stdout.flush()


# -- run / start / stop ----------------------------------------------------------------------


def cmd_run(app: App, args: argparse.Namespace) -> int:
    import signal

    from freelancer_desk.tracker.control import take_stop_request
    from freelancer_desk.tracker.engine import Notice, TickResult
    from freelancer_desk.tracker.scheduler import TrackerScheduler

    out = _Out(args.json)
    contract_id, order_id = _target(app, args)
    tracker = app.tracker
    started = tracker.start(contract_id, order_id, args.memo)
    status = tracker.status()
    for recovered in started.recovered:
        out.event("recovered", f"recovered: {recovered.message}")
    if status.activity_source is None:
        out.event("source", "no activity source here: time is tracked, activity is not measured")
    if status.screen_source is None:
        out.event("source", "no screen source here: no snapshots (tracking goes on)")
    out.event(
        "started",
        f"tracking {status.title} since {started.started_at:%H:%M:%S} UTC "
        f"(pid {os.getpid()}); Ctrl+C or `freelancer-desk track stop` to stop",
        session_id=started.session_id,
        started_at=started.started_at,
        pid=os.getpid(),
    )

    def on_tick(result: TickResult) -> None:
        for held in result.interruptions:
            out.event("held", f"held: {held.message} [id {str(held.id)[:8]}]", id=held.id)
        on_notices(result.notices)

    def on_notices(notices: tuple[Notice, ...]) -> None:
        for notice in notices:
            out.event(notice.kind, notice.message)

    def on_error(exc: BaseException) -> None:
        out.event("error", f"tracker error: {exc}")

    wake = threading.Event()

    def on_signal(_signum: int, _frame: object) -> None:
        wake.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    scheduler = TrackerScheduler(
        tracker,
        app.clock,
        tick_seconds=args.tick_seconds,
        heartbeat_seconds=args.heartbeat_seconds,
        on_tick=on_tick,
        on_notices=on_notices,
        on_error=on_error,
    )
    scheduler.start()
    why = "signal"
    try:
        while not wake.wait(POLL_SECONDS):
            if take_stop_request(app.location.data_dir, started.session_id):
                why = "stop request"
                break
            if not tracker.running:
                why = "session lost"
                break
    finally:
        scheduler.shutdown()
        for sig, old in previous.items():
            signal.signal(sig, old)
    if not tracker.running:
        out.event("stopped", f"stopped ({why})", reason=why)
        return EXIT_ERROR if why == "session lost" else EXIT_OK
    stopped = tracker.stop()
    on_notices(stopped.notices)
    for held in stopped.pending:
        out.event("held", f"held: {held.message} [id {str(held.id)[:8]}]", id=held.id)
    out.event(
        "stopped",
        f"stopped ({why}): {hm(stopped.tracked_seconds)} tracked on {status.title}",
        reason=why,
        session_id=stopped.session_id,
        ended_at=stopped.ended_at,
        tracked_seconds=stopped.tracked_seconds,
    )
    return EXIT_OK


def cmd_start(app: App, args: argparse.Namespace) -> int:
    import subprocess  # here: `track diary` and the others do not need it

    from freelancer_desk.tracker.control import clear_stop_request, running_session

    running = running_session(app.db, app.device_id)
    if running is not None:
        raise CliError(f"already tracking {running.title} (pid {running.pid}): `track stop` first")
    _target(app, args)  # refuse a bad id here, not in a detached process
    data_dir = app.location.data_dir
    clear_stop_request(data_dir)
    command = [sys.executable, "-m", "freelancer_desk", "--data-dir", str(data_dir)]
    if args.db_url:
        command += ["--db-url", args.db_url]
    command += ["track", "run", "--memo", args.memo]
    command += ["--contract", args.contract] if args.contract else ["--order", args.order]
    log_path = data_dir / LOG_FILE
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    options: dict[str, Any] = {}
    if sys.platform.startswith("win"):  # pragma: no cover - Windows only
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True  # not killed with this terminal
    with os.fdopen(fd, "ab") as log:
        child = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, close_fds=True, **options
        )
    deadline = app.clock.monotonic() + 20
    while app.clock.monotonic() < deadline:
        running = running_session(app.db, app.device_id)
        if running is not None and running.pid == child.pid:
            break
        if child.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            raise CliError(f"the tracker did not start: {tail[-1] if tail else 'no output'}")
        threading.Event().wait(0.1)
    else:
        raise CliError(f"the tracker (pid {child.pid}) did not start within 20 s; see {log_path}")
    if args.json:
        print_json({"started": True, "pid": child.pid, "log": str(log_path), **running.to_json()})
    else:
        say(f"tracking {running.title} in the background (pid {child.pid}; log {log_path})")
    return EXIT_OK


def cmd_stop(app: App, args: argparse.Namespace) -> int:
    import signal

    from freelancer_desk.storage.models import TimeSession
    from freelancer_desk.tracker.control import request_stop, running_session
    from freelancer_desk.tracker.recovery import OsProcesses

    running = running_session(app.db, app.device_id)
    if running is None:
        raise CliError("nothing is tracking on this device")
    request_stop(app.location.data_dir, running.session_id)
    signalled = False

    def ended() -> TimeSession | None:
        with app.db.read() as s:
            row = s.get(TimeSession, running.session_id)
            if row is None or row.ended_at is not None:
                s.expunge_all()
                return row
            return None

    deadline = app.clock.monotonic() + max(0.0, args.wait)
    row = ended()
    while row is None:
        if app.clock.monotonic() >= deadline:
            pid = running.pid
            if signalled or pid is None or not hasattr(signal, "SIGTERM"):
                raise CliError(
                    f"the tracking process (pid {pid}) did not stop within {args.wait:g} s"
                )
            if OsProcesses().alive(pid):
                os.kill(pid, signal.SIGTERM)
            signalled = True
            deadline = app.clock.monotonic() + 10
        threading.Event().wait(0.2)
        row = ended()
    tracked = _session_seconds(app, running.session_id)
    result = {
        "stopped": True,
        "session_id": str(running.session_id),
        "title": running.title,
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "end_reason": row.end_reason,
        "tracked_seconds": tracked,
        "pid": running.pid,
        "signalled": signalled,
    }
    if args.json:
        print_json(result)
    else:
        say(f"stopped {running.title}: {hm(tracked)} tracked (pid {running.pid})")
    return EXIT_OK


def _session_seconds(app: App, session_id: uuid.UUID) -> int:
    from sqlalchemy import func, select

    from freelancer_desk.storage.models import Segment

    with app.db.read() as s:
        total = s.scalar(
            select(func.coalesce(func.sum(Segment.tracked_seconds), 0)).where(
                Segment.session_id == session_id, Segment.deleted.is_(False)
            )
        )
    return int(total or 0)


# -- status -------------------------------------------------------------------------------------


def _held_json(held: Interruption) -> dict[str, object]:
    return {
        "id": str(held.id),
        "kind": held.kind.value,
        "session_id": str(held.session_id),
        "start": held.start.isoformat(),
        "end": held.end.isoformat(),
        "seconds": held.seconds,
        "message": held.message,
    }


def _pending(app: App) -> tuple[Interruption, ...]:
    from freelancer_desk.tracker.engine import Tracker

    # Reading held time needs neither the screen nor the input devices.
    reader = Tracker(
        app.db, app.clock, app.device_id, os.getpid(), None, None, app.snapshot_dir, _rng()
    )
    return reader.pending()


def _rng() -> Any:
    import random

    return random.Random()


def cmd_status(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.tracker.control import running_session
    from freelancer_desk.tracker.diary import totals

    now = app.clock.now()
    running = running_session(app.db, app.device_id)
    held = _pending(app)
    today, week = totals(app.db, now, _zone(args))
    if args.json:
        print_json(
            {
                "running": running is not None,
                "session": running.to_json() if running else None,
                "elapsed_seconds": int((now - running.started_at).total_seconds())
                if running
                else None,
                "pending": [_held_json(h) for h in held],
                "today": [t.to_json() for t in today],
                "week": [t.to_json() for t in week],
            }
        )
        return EXIT_OK
    if running is None:
        say("not tracking")
    else:
        elapsed = int((now - running.started_at).total_seconds())
        memo = f" — {running.memo}" if running.memo else ""
        say(
            f"tracking {running.title}{memo} since {running.started_at:%H:%M} UTC "
            f"({hm(elapsed)} ago, {hm(running.saved_seconds)} saved; pid {running.pid})"
        )
    for h in held:
        say(f"held [{str(h.id)[:8]}]: {h.message}")
    for line in _totals_lines("today:", today) + _totals_lines("this week (UTC):", week):
        say(line)
    return EXIT_OK


# -- manual time, pending, delete, verify -------------------------------------------------------

_CLOCK_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def _instant(text: str, day: str | None, zone: tzinfo, now: datetime, what: str) -> datetime:
    from freelancer_desk.tracker.diary import parse_day

    text = text.strip()
    try:
        if _CLOCK_TIME.match(text):
            base = parse_day(day) if day else now.astimezone(zone).date()
            hour, minute = map(int, text.split(":"))
            return datetime.combine(base, time(hour, minute), tzinfo=zone)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--{what} {text!r} is not a time like 2026-01-05T09:00 or 09:00") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def cmd_manual(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.common import find
    from freelancer_desk.storage.models import Contract

    zone = _zone(args)
    now = app.clock.now()
    start = _instant(args.start, args.date, zone, now, "from")
    end = _instant(args.end, args.date, zone, now, "to")
    with app.db.read() as s:
        contract = find(s, Contract, args.contract, what="contract")
        contract_id, title = contract.id, contract.title
    session_id = app.tracker.manual_time(contract_id, start, end, args.memo)
    seconds = int((end - start).total_seconds())
    if args.json:
        print_json(
            {
                "session_id": str(session_id),
                "contract_id": str(contract_id),
                "start": start,
                "end": end,
                "seconds": seconds,
                "memo": args.memo,
            }
        )
    else:
        say(f"added {hm(seconds)} manual time on {title} ({start:%Y-%m-%d %H:%M}–{end:%H:%M})")
    return EXIT_OK


def cmd_pending(app: App, args: argparse.Namespace) -> int:
    held = _pending(app)
    if args.json:
        print_json([_held_json(h) for h in held])
    elif not held:
        say("no held time")
    else:
        for h in held:
            say(f"{str(h.id)[:8]}  {h.kind.value:<10} {hm(h.seconds):>5}  {h.message}")
    return EXIT_OK


def cmd_resolve(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.common import find
    from freelancer_desk.storage.models import Contract

    held = _pending(app)
    matches = [h for h in held if str(h.id).startswith(args.id.strip().lower())]
    if not matches:
        raise CliError(f"no held time with id {args.id!r} (see `track pending`)")
    if len(matches) > 1:
        raise CliError(f"held time id {args.id!r} is ambiguous: give more digits")
    decision_text = args.decision.strip()
    decision: Any
    if decision_text in ("keep", "discard"):
        decision = decision_text
    elif decision_text.startswith("assign:"):
        with app.db.read() as s:
            decision = ("assign", find(s, Contract, decision_text[7:], what="contract").id)
    else:
        raise CliError(f"decide keep, discard or assign:CONTRACT, not {decision_text!r}")
    result = app.tracker.resolve(matches[0].id, decision)
    if args.json:
        print_json(
            {
                "interruption": _held_json(result.interruption),
                "decision": result.decision,
                "kept_seconds": result.kept_seconds,
                "session_id": str(result.session_id) if result.session_id else None,
            }
        )
    else:
        say(f"{result.decision}: {hm(result.kept_seconds)} kept")
    return EXIT_OK


def cmd_delete(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.common import find
    from freelancer_desk.storage.models import Segment
    from freelancer_desk.tracker.diary import day_view

    with app.db.read() as s:
        segment = find(s, Segment, args.segment, what="segment")
        segment_id, slot = segment.id, segment.slot_start
    view = next(v for v in day_view(app.db, slot.date()).segments if v.id == segment_id)
    worth = f", {view.value}" if view.value is not None else ""
    what = (
        f"segment {slot:%Y-%m-%d %H:%M} UTC on {view.title}: "
        f"{hm(view.tracked_seconds)}{worth} and its snapshot"
    )
    if not args.yes:
        say(f"would delete {what}; add --yes to delete it")
        return EXIT_ERROR
    deleted = app.tracker.delete_segment(segment_id)
    if args.json:
        print_json(
            {
                "segment_id": str(deleted.segment_id),
                "slot_start": deleted.slot_start,
                "tracked_seconds": deleted.tracked_seconds,
                "value": view.value,
                "snapshot_files_deleted": deleted.snapshot_files_deleted,
            }
        )
    else:
        say(f"deleted {what}")
    return EXIT_OK


def cmd_verify(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.tracker.screen import SnapshotStore, verify_chain

    report = verify_chain(app.db, SnapshotStore(app.snapshot_dir), app.device_id)
    if args.json:
        print_json(
            {
                "ok": report.ok,
                "checked": report.checked,
                "files_checked": report.files_checked,
                "problems": [
                    {"snapshot_id": p.snapshot_id, "taken_at": p.taken_at, "problem": p.problem}
                    for p in report.problems
                ],
            }
        )
    else:
        say(
            f"{report.checked} snapshots in the chain, {report.files_checked} files checked: "
            + ("all intact" if report.ok else f"{len(report.problems)} problems")
        )
        for p in report.problems:
            say(f"  {p.taken_at:%Y-%m-%d %H:%M} {p.snapshot_id[:8]}: {p.problem}")
    return EXIT_OK if report.ok else EXIT_ERROR


# -- the diary ------------------------------------------------------------------------------------


def cmd_diary(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.tracker.diary import day_view, parse_day

    zone = _zone(args)
    day = parse_day(args.date) if args.date else app.clock.now().astimezone(zone).date()
    view = day_view(app.db, day, zone)
    if args.json:
        print_json(view)
    else:
        for line in _diary_text(view):
            say(line)
    return EXIT_OK


def cmd_precheck(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.tracker.diary import precheck

    check = precheck(app.db, app.clock.now())
    if args.json:
        print_json(check)
        return EXIT_OK
    money = ", ".join(str(m) for m in check.value_at_stake().values()) or "no money"
    say(
        f"week from {check.week_start:%Y-%m-%d} locks {check.locks_at:%a %Y-%m-%d %H:%M} UTC: "
        f"{len(check.items)} segments at risk, {hm(check.seconds_at_stake)} ({money})"
    )
    for item in check.items:
        seg = item.segment
        say(
            f"  {seg.slot_start:%a %H:%M} {hm(seg.tracked_seconds):>5} {seg.title[:30]:<30} "
            f"{', '.join(item.reasons)}"
        )
    return EXIT_OK
