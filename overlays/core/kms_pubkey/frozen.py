"""`Frozen`: the base of the SDK's small value classes (keys, credentials, declarations).

Plain classes with `__slots__` and a written-out `__init__`: attrs, dataclasses and NamedTuple
compile methods for every class they make, 0.5-1 ms each on a cold start. A `Frozen` instance
cannot change once built: its `__init__` fills the fields through `_set`, and assigning or
deleting one afterwards raises `AttributeError`. Instances are compared and hashed by their
fields (the class's own `__slots__`), and the repr shows every field but those in `_hidden`.
Weak references work, as they did on the attrs classes.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Frozen:
    __slots__: ClassVar[tuple[str, ...]] = ("__weakref__",)  # a subclass lists its fields in its own
    _hidden: ClassVar[frozenset[str]] = frozenset()
    """Fields the repr never shows: secrets, key bytes, the contents of credential files."""

    def _set(self, **fields: object) -> None:
        """Fill the fields, once, from `__init__`."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @classmethod
    def _slot_setters(cls, names: tuple[str, ...]) -> tuple[Any, ...]:
        """Each named slot's own setter, `(instance, value)`, for the `__init__` of a class made
        on a hot path (a key per answer): filling a field with these is about four times faster
        than `_set`, which goes through keyword arguments and `object.__setattr__`."""
        return tuple(cls.__dict__[name].__set__ for name in names)

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: {name} cannot be deleted")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, *self._values()))

    def __repr__(self) -> str:
        shown = [f"{name}={getattr(self, name)!r}" for name in self.__slots__ if name not in self._hidden]
        return f"{type(self).__qualname__}({', '.join(shown)})"

    # copy and pickle: the fields are set as `__init__` sets them, not through `__setattr__`.
    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._set(**state)
