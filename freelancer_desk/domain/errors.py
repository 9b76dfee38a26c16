"""The one error the domain raises when a rule refuses something; it names the rule and field."""

from __future__ import annotations


class RuleError(ValueError):
    """A refused step. `rule` is a stable id ("milestone.release"), `field` the input at fault.

    The message is written for the user ("cannot release milestone: it is not funded
    (state: planned)"), so the CLI prints it as one line and the UI shows it next to
    `field` when there is one.
    """

    def __init__(self, rule: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
