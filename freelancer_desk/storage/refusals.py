"""Rules the database enforces itself with triggers, refused as a `RuleError`.

A trigger cannot raise a Python exception: it aborts the statement with a message that
starts with the rule's id ("segment.one_target: …"), which the driver hands back as an
IntegrityError. `refusal` reads that message back into the RuleError the services
raise for every other broken rule, so the CLI prints one line naming the rule and the
window shows it as a refusal, not a database error. (SQLite's RAISE takes a constant
message: it cannot name the row; the unit of work that wrote it is refused whole.)"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from freelancer_desk.domain.errors import RuleError

SEGMENT_ONE_TARGET = "segment.one_target"
TRIGGER_RULES = frozenset({SEGMENT_ONE_TARGET})


def refusal(exc: IntegrityError) -> RuleError | None:
    """The RuleError a trigger's refusal stands for, or None for any other error."""
    lines = str(exc.orig).strip().splitlines()
    rule, sep, message = (lines[0] if lines else "").partition(": ")
    if not sep or rule not in TRIGGER_RULES:
        return None
    return RuleError(rule, f"{message} (rule: {rule})")
