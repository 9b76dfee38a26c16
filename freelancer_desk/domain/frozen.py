"""A base for small immutable value classes written by hand instead of with
`@dataclass(frozen=True, slots=True)`.

`dataclasses` imports `inspect` (and with it `ast`, `dis`, `tokenize`): ~7-11 ms of every
CLI process, for the four classes on the lean path (`Money`, `RoundingRule`,
`SegmentSlice`, `Heartbeat`). A subclass names its fields in `__slots__` and
`__match_args__` (in order) and writes `__init__` (assigning with `object.__setattr__`),
`__eq__` and `__hash__`; this base gives what the dataclass gave besides: the repr
`Name(field=value, ...)`, assignment and deletion refused with
`dataclasses.FrozenInstanceError` (an AttributeError; imported only then), and copy and
pickle through the constructor. tests/domain/test_frozen_values.py pins all of it.
"""

from __future__ import annotations

from typing import Any, NoReturn


class Frozen:
    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def __setattr__(self, name: str, value: object) -> NoReturn:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__match_args__)
        return f"{type(self).__qualname__}({inner})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)
