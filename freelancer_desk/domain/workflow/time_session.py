"""Time session lifecycle: running until stopped, or closed at its last heartbeat after a crash."""

from __future__ import annotations

from enum import StrEnum

from freelancer_desk.domain.workflow.machine import StateMachine


class TimeSessionState(StrEnum):
    RUNNING = "running"
    STOPPED = "stopped"
    ORPHAN_CLOSED = "orphan_closed"


class TimeSessionAction(StrEnum):
    STOP = "stop"
    # The app died while the session ran: the next start ends it at its last heartbeat,
    # so the record says it was not stopped by the user.
    CLOSE_ORPHAN = "close_orphan"


TIME_SESSION: StateMachine[TimeSessionState, TimeSessionAction] = StateMachine(
    "time_session",
    {
        TimeSessionState.RUNNING: {
            TimeSessionAction.STOP: TimeSessionState.STOPPED,
            TimeSessionAction.CLOSE_ORPHAN: TimeSessionState.ORPHAN_CLOSED,
        },
        TimeSessionState.STOPPED: {},
        TimeSessionState.ORPHAN_CLOSED: {},
    },
)
