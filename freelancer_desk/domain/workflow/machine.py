"""A state machine as a data table: the one place an aggregate's transition is decided."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Generic, TypeVar

from freelancer_desk.domain.errors import RuleError

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True)
class StateMachine(Generic[S, A]):
    """`table[state][action]` is the next state; a missing entry is a refused step.

    `reasons` words a refusal for the cases users meet ("it is not funded"); any other
    refusal names the states the action needs, read off the table itself. `verbs` says
    an action in a message where its name alone reads badly ("request changes on").
    """

    aggregate: str
    table: Mapping[S, Mapping[A, S]]
    reasons: Mapping[tuple[S, A], str] = field(default_factory=dict)
    verbs: Mapping[A, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views: the machines are module-level constants shared by everyone.
        frozen = {state: MappingProxyType(dict(moves)) for state, moves in self.table.items()}
        object.__setattr__(self, "table", MappingProxyType(frozen))
        object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))
        object.__setattr__(self, "verbs", MappingProxyType(dict(self.verbs)))

    def allowed_actions(self, state: S) -> tuple[A, ...]:
        """What the user may do now, in the table's order (the UI's buttons)."""
        return tuple(self.table.get(state, {}))

    def can(self, state: S, action: A) -> bool:
        return action in self.table.get(state, {})

    def is_final(self, state: S) -> bool:
        return not self.table.get(state)

    def transition(self, current: S, action: A) -> S:
        """The state after `action`, or a RuleError naming the rule that refuses it."""
        moves = self.table.get(current, {})
        if action in moves:
            return moves[action]
        raise RuleError(
            f"{self.aggregate}.{action.value}",
            f"cannot {self.verbs.get(action) or _words(action)} {_words_of(self.aggregate)}: "
            f"{self._reason(current, action)} (state: {_words(current)})",
            field="state",
        )

    def _reason(self, current: S, action: A) -> str:
        if (current, action) in self.reasons:
            return self.reasons[(current, action)]
        needed = [_words(state) for state, moves in self.table.items() if action in moves]
        return f"it must be {' or '.join(needed)}"


def _words(member: StrEnum) -> str:
    return _words_of(member.value)


def _words_of(identifier: str) -> str:
    return identifier.replace("_", " ")
