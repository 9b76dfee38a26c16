"""What services raise for bad input. Each carries a one-line message for the user.

Rules refused by the domain raise `RuleError` (domain/errors.py), which names the rule
and the field; lookups that find nothing raise `NotFound`.
"""

from freelancer_desk.domain.errors import RuleError


class NotFound(LookupError):
    """No row of that kind with that id (or the id prefix matches several)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


__all__ = ["NotFound", "RuleError"]
