"""Gig lifecycle: draft → active ⇄ paused, and archived for good."""

from __future__ import annotations

from enum import StrEnum

from freelancer_desk.domain.workflow.machine import StateMachine


class GigState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ARCHIVED = "archived"


class GigAction(StrEnum):
    ACTIVATE = "activate"
    PAUSE = "pause"
    ARCHIVE = "archive"


# Archived is final: a seller who wants the gig back duplicates it, which keeps the
# archived gig's orders pointing at what was actually sold.
GIG: StateMachine[GigState, GigAction] = StateMachine(
    "gig",
    {
        GigState.DRAFT: {GigAction.ACTIVATE: GigState.ACTIVE, GigAction.ARCHIVE: GigState.ARCHIVED},
        GigState.ACTIVE: {GigAction.PAUSE: GigState.PAUSED, GigAction.ARCHIVE: GigState.ARCHIVED},
        GigState.PAUSED: {
            GigAction.ACTIVATE: GigState.ACTIVE,
            GigAction.ARCHIVE: GigState.ARCHIVED,
        },
        GigState.ARCHIVED: {},
    },
)
