"""The drift-process contract (``DriftProcess``) and what the processes share.

See ``twin.device.drift`` for what a drift process is; the processes are in
``twin.device.drift.processes``.
"""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

__all__ = ["ClosedFormProcess", "DriftProcess", "OffsetProcess", "State", "check_times",
           "optional", "set_field"]

State = tuple[float, ...]


@runtime_checkable
class DriftProcess(Protocol):
    """An additive offset ``x(t)`` (parameter units) of a device parameter; ``t`` in seconds."""

    name: str

    def initial_state(self, rng: np.random.Generator) -> State:
        """The state at ``t = 0 s`` (may draw from ``rng``)."""
        ...

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """Advance from ``t0`` to ``t1`` (s); return ``(new state, offset at t1)``, exactly."""
        ...

    def value(self, state: State) -> float:
        """The offset (parameter units) held in ``state``."""
        ...

    @property
    def scale(self) -> float:
        """Characteristic amplitude in parameter units (for grid steps and plots)."""
        ...


def optional(check, name: str, value: Any, unit: str) -> float | None:
    """``None``, or ``check(name, value, unit)`` (a ``twin.validation`` float check)."""
    return None if value is None else check(name, value, unit)


def set_field(obj: object, name: str, value: Any) -> None:
    """Set a field of a frozen dataclass in its ``__post_init__`` (its normalised value)."""
    object.__setattr__(obj, name, value)


def check_times(t0: float, t1: float) -> tuple[float, float]:
    """``(t0, t1)`` as floats (s) with ``t0 <= t1``, both finite.

    Raises:
        ValueError: non-finite or decreasing times.
    """
    t0, t1 = float(t0), float(t1)
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ValueError(f"step: times must be finite (s), got t0 = {t0!r}, t1 = {t1!r}")
    if t1 < t0:
        raise ValueError(f"step: t1 = {t1!r} must be >= t0 = {t0!r} (s)")
    return t0, t1


class OffsetProcess:
    """Base of the processes: ``to_dict`` and ``value`` (the state holds the offset first)."""

    name: str
    PARAMS: ClassVar[dict[str, str]]

    def value(self, state: State) -> float:
        """The offset (parameter units) held in ``state``."""
        return float(state[0])

    def to_dict(self) -> dict[str, Any]:
        """``{"process": name, param: value, ...}``; ``None`` values left out, tuples as lists.

        ``make_process(d.pop("process"), d)`` rebuilds an equal process.
        """
        out: dict[str, Any] = {"process": self.name}
        for f in fields(self):  # type: ignore[arg-type]
            if f.name == "name":
                continue
            v = getattr(self, f.name)
            if v is None:
                continue
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out


class ClosedFormProcess(OffsetProcess):
    """A deterministic drift given by ``at(t)``: state ``(x,)``, stepping draws nothing."""

    def at(self, t: float) -> float:  # pragma: no cover - every subclass defines it
        """The offset at time ``t`` (s)."""
        raise NotImplementedError

    def initial_state(self, rng: np.random.Generator) -> State:
        """``(x(0),)``; draws nothing."""
        return (self.at(0.0),)

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """The closed form at ``t1`` (s); draws nothing."""
        t0, t1 = check_times(t0, t1)
        x = self.at(t1)
        return (x,), x
