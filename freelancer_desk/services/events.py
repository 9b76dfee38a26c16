"""One "changed" channel: every mutation publishes what it changed, and whoever shows
data (the window, a tray icon) listens here instead of polling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Change:
    kind: str  # the aggregate: "client", "contract", "milestone", ...
    action: str  # "created", "updated", "deleted", or a transition such as "funded"
    ids: tuple[str, ...] = ()


Listener = Callable[[Change], None]


class ChangeBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def publish(self, change: Change) -> Change:
        for listener in list(self._listeners):
            listener(change)
        return change
