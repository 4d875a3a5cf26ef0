"""Small helpers for output schemas."""

from __future__ import annotations

from typing import Any


class Extended:
    """`obj` seen with extra attributes: for an output schema that adds computed fields
    (a one-time secret, the caller's permissions) to what a model row already has."""

    def __init__(self, obj: Any, **extra: Any) -> None:
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)
