"""Seeded drift processes for device parameters.

A drift process produces an *additive* offset ``x(t)``, in the drifting parameter's own units,
that the twin adds to the parameter's nominal value. Time ``t`` is the twin's clock in **seconds**;
every process starts at ``t = 0 s``.

The twin advances window by window and must be able to checkpoint and resume, so each process is
a frozen dataclass of parameters plus an explicit small state (a tuple of floats, JSON-friendly):

    rng = np.random.default_rng(seed)
    state = proc.initial_state(rng)                     # the state at t = 0 s
    state, x = proc.step(state, t0, t1, rng)            # advance t0 → t1 (s); x = offset at t1

Stepping is exact in distribution where a closed form exists (all six processes here): the law of
the offset at ``T`` does not depend on how ``[0, T]`` is subdivided.

Processes (``PROCESSES``):

* ``ou``: Ornstein–Uhlenbeck, mean-reverting Gaussian noise (correlation time ``tau``);
* ``random-walk``: Brownian motion, optionally reflected at bounds;
* ``ramp``: linear drift between a start and a stop time;
* ``sinusoid``: periodic drift;
* ``telegraph``: two-state random switching (0 or ``amplitude``);
* ``burst``: jumps of ``amplitude`` (scheduled and/or Poisson) that recover exponentially.

Randomness comes only from the ``numpy.random.Generator`` passed in (or the integer seed of
``sample_path``): the same seed gives byte-identical paths.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, fields
from typing import Any

import numpy as np

from twin.device.drift.base import DriftProcess
from twin.device.drift.processes import (
    Burst,
    OrnsteinUhlenbeck,
    Ramp,
    RandomWalk,
    Sinusoid,
    Telegraph,
)

__all__ = [
    "PROCESSES",
    "Burst",
    "DriftProcess",
    "OrnsteinUhlenbeck",
    "Ramp",
    "RandomWalk",
    "Sinusoid",
    "Telegraph",
    "make_process",
    "process_params",
    "process_table",
    "sample_path",
]

_REGISTRY: dict[str, type] = {
    "ou": OrnsteinUhlenbeck,
    "random-walk": RandomWalk,
    "ramp": Ramp,
    "sinusoid": Sinusoid,
    "telegraph": Telegraph,
    "burst": Burst,
}

PROCESSES: tuple[str, ...] = tuple(_REGISTRY)
"""Names of the drift processes, as scenario files write them."""


def _lookup(name: Any) -> type:
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"process = {name!r}: must be one of {', '.join(PROCESSES)}")
    return _REGISTRY[name]


def process_params(name: str) -> dict[str, str]:
    """The parameters a process accepts.

    Args:
        name: one of ``PROCESSES``.

    Returns:
        Parameter name → one-line description with unit and allowed range, in signature order.

    Raises:
        ValueError: unknown process name.
    """
    return dict(_lookup(name).PARAMS)


def make_process(name: str, params: Mapping[str, Any]) -> DriftProcess:
    """Build a drift process from its name and parameters (e.g. a scenario's TOML table).

    Args:
        name: one of ``PROCESSES``.
        params: parameter name → value; see ``process_params(name)``. Times in s, offsets in
            the drifting parameter's units.

    Returns:
        The validated frozen process.

    Raises:
        ValueError: unknown name, unknown or missing parameter, wrong type or out-of-range
            value; the message names the key, the value and what is allowed.
    """
    cls = _lookup(name)
    allowed = cls.PARAMS
    if not isinstance(params, Mapping):
        raise ValueError(f"{name}: parameters must be a table of name = value, got {params!r}")
    unknown = [k for k in params if k not in allowed]
    if unknown:
        raise ValueError(f"{name}: unknown parameter {unknown[0]!r}: allowed are "
                         f"{', '.join(allowed)}")
    required = [f.name for f in fields(cls)
                if f.init and f.default is MISSING and f.default_factory is MISSING]
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"{name}: missing parameter {missing[0]!r} "
                         f"({allowed[missing[0]]}); required are {', '.join(required)}")
    kwargs = dict(params)
    if name == "burst" and isinstance(kwargs.get("times"), list):
        kwargs["times"] = tuple(kwargs["times"])
    return cls(**kwargs)


def process_table(process: DriftProcess) -> tuple[str, dict[str, Any]]:
    """``(name, parameters)`` of a process, as a scenario's ``[[drift]]`` table writes them.

    ``make_process(*process_table(p))`` rebuilds a process equal to ``p``; parameters left at
    ``None`` are omitted.
    """
    data = dict(process.to_dict())
    name = data.pop("process", None) or data.pop("name", None) or getattr(process, "name", None)
    data.pop("process", None)
    data.pop("name", None)
    return str(name), {k: v for k, v in data.items() if v is not None}


def sample_path(process: DriftProcess, times: Sequence[float], *, seed: int) -> np.ndarray:
    """The offsets at ``times``, starting from ``initial_state`` at t = 0 s.

    Args:
        process: any drift process.
        times: non-decreasing sample times (s, >= 0).
        seed: integer seed of the ``numpy.random.Generator``; the same seed gives the same bytes.

    Returns:
        Array of shape ``(len(times),)`` of offsets (parameter units).

    Raises:
        ValueError: negative, non-finite or decreasing times.
    """
    rng = np.random.default_rng(seed)
    state = process.initial_state(rng)
    out = np.empty(len(times), dtype=float)
    t_prev = 0.0
    for i, t in enumerate(times):
        t = float(t)
        if not (t >= t_prev and math.isfinite(t)):
            raise ValueError(f"times[{i}] = {t!r}: must be finite, >= 0 and non-decreasing (s)")
        state, out[i] = process.step(state, t_prev, t, rng)
        t_prev = t
    return out
