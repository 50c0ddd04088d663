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
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

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
    "sample_path",
]

PROCESSES: tuple[str, ...] = ("ou", "random-walk", "ramp", "sinusoid", "telegraph", "burst")

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


# ---------------------------------------------------------------- validation helpers


def _number(name: str, value: Any, unit: str) -> float:
    """``value`` as a float; bools and non-numbers are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} = {value!r}: must be of type float ({unit})")
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range
        digits = str(value)
        raise ValueError(f"{name} = {digits[:12]}...{digits[-4:]} ({len(digits)} digits): must "
                         f"be finite ({unit})") from None


def _finite(name: str, value: Any, unit: str) -> float:
    x = _number(name, value, unit)
    if not math.isfinite(x):
        raise ValueError(f"{name} = {value!r}: must be finite ({unit})")
    return x


def _positive(name: str, value: Any, unit: str) -> float:
    x = _number(name, value, unit)
    if not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{name} = {value!r}: must be > 0 ({unit})")
    return x


def _nonneg(name: str, value: Any, unit: str) -> float:
    x = _number(name, value, unit)
    if not (x >= 0 and math.isfinite(x)):
        raise ValueError(f"{name} = {value!r}: must be >= 0 ({unit})")
    return x


def _optional(check, name: str, value: Any, unit: str) -> float | None:
    return None if value is None else check(name, value, unit)


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _check_times(t0: float, t1: float) -> tuple[float, float]:
    t0, t1 = float(t0), float(t1)
    if not (math.isfinite(t0) and math.isfinite(t1)):
        raise ValueError(f"step: times must be finite (s), got t0 = {t0!r}, t1 = {t1!r}")
    if t1 < t0:
        raise ValueError(f"step: t1 = {t1!r} must be >= t0 = {t0!r} (s)")
    return t0, t1


class _Base:
    """Shared ``to_dict`` and ``value`` (state ``(x, ...)`` holds the offset first)."""

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


class _ClosedForm(_Base):
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
        t0, t1 = _check_times(t0, t1)
        x = self.at(t1)
        return (x,), x


# ---------------------------------------------------------------- processes


@dataclass(frozen=True)
class OrnsteinUhlenbeck(_Base):
    """Ornstein–Uhlenbeck offset: Gaussian, mean-reverting, exponentially correlated.

    ``dx = -(x - mean)/tau dt + sigma·sqrt(2/tau) dW``; stationary law ``N(mean, sigma²)``,
    autocorrelation ``exp(-|lag|/tau)``. Stepped exactly over any ``Δ = t1 - t0``:
    ``x1 = mean + (x0 - mean)·e^{-Δ/τ} + sigma·sqrt(1 - e^{-2Δ/τ})·N(0, 1)``.
    State: ``(x,)``.

    Attributes:
        tau: correlation (mean-reversion) time (s, > 0).
        sigma: stationary standard deviation (parameter units, >= 0).
        mean: long-run mean of the offset (parameter units).
        start: offset at t = 0 s (parameter units); ``None`` draws it from the stationary law.
    """

    tau: float
    sigma: float
    mean: float = 0.0
    start: float | None = None
    name: str = field(default="ou", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "tau": "correlation time (s, > 0)",
        "sigma": "stationary standard deviation (parameter units, >= 0)",
        "mean": "long-run mean offset (parameter units; default 0)",
        "start": "offset at t = 0 (parameter units; default: drawn from the stationary law)",
    }

    def __post_init__(self) -> None:
        _set(self, "tau", _positive("tau", self.tau, "s"))
        _set(self, "sigma", _nonneg("sigma", self.sigma, "parameter units"))
        _set(self, "mean", _finite("mean", self.mean, "parameter units"))
        _set(self, "start", _optional(_finite, "start", self.start, "parameter units"))

    @property
    def scale(self) -> float:
        """``sigma`` (parameter units)."""
        return self.sigma

    def initial_state(self, rng: np.random.Generator) -> State:
        """``(start,)``, or a stationary draw ``N(mean, sigma²)`` when ``start`` is None."""
        if self.start is not None:
            return (self.start,)
        return (self.mean + self.sigma * float(rng.standard_normal()),)

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """Exact OU transition from ``t0`` to ``t1`` (s); draws one normal."""
        t0, t1 = _check_times(t0, t1)
        decay = math.exp(-(t1 - t0) / self.tau)
        spread = self.sigma * math.sqrt(-math.expm1(-2.0 * (t1 - t0) / self.tau))
        x = self.mean + (state[0] - self.mean) * decay + spread * float(rng.standard_normal())
        return (x,), x


def _reflect(x: float, low: float | None, high: float | None) -> float:
    """Fold ``x`` into ``[low, high]`` by mirror reflection at the bounds."""
    if low is not None and high is not None:
        width = high - low
        if width == 0:
            return low
        y = (x - low) % (2.0 * width)
        return low + (2.0 * width - y if y > width else y)
    if low is not None and x < low:
        return 2.0 * low - x
    if high is not None and x > high:
        return 2.0 * high - x
    return x


@dataclass(frozen=True)
class RandomWalk(_Base):
    """Brownian-motion offset, ``Var[x(t) - x(0)] = sigma²·t``, optionally reflected at bounds.

    Stepped exactly: ``x1 = x0 + sigma·sqrt(Δ)·N(0, 1)``, then folded into ``[low, high]``
    (folding free Brownian motion at the bounds gives reflected Brownian motion in law).
    State: ``(x,)``.

    Attributes:
        sigma: standard-deviation growth (parameter units per sqrt(s), >= 0).
        start: offset at t = 0 s (parameter units; inside the bounds).
        low: lower reflecting bound (parameter units), or None.
        high: upper reflecting bound (parameter units, >= low), or None.
    """

    sigma: float
    start: float = 0.0
    low: float | None = None
    high: float | None = None
    name: str = field(default="random-walk", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "sigma": "std growth per sqrt(second) (parameter units/sqrt(s), >= 0)",
        "start": "offset at t = 0 (parameter units; default 0)",
        "low": "lower reflecting bound (parameter units; default none)",
        "high": "upper reflecting bound (parameter units; default none)",
    }

    def __post_init__(self) -> None:
        _set(self, "sigma", _nonneg("sigma", self.sigma, "parameter units/sqrt(s)"))
        _set(self, "start", _finite("start", self.start, "parameter units"))
        _set(self, "low", _optional(_finite, "low", self.low, "parameter units"))
        _set(self, "high", _optional(_finite, "high", self.high, "parameter units"))
        if self.low is not None and self.high is not None and self.high < self.low:
            raise ValueError(f"high = {self.high!r}: must be >= low = {self.low!r} "
                             "(parameter units)")
        if self.low is not None and self.start < self.low:
            raise ValueError(f"start = {self.start!r}: must be >= low = {self.low!r} "
                             "(parameter units)")
        if self.high is not None and self.start > self.high:
            raise ValueError(f"start = {self.start!r}: must be <= high = {self.high!r} "
                             "(parameter units)")

    @property
    def scale(self) -> float:
        """Spread after one second, ``sigma·sqrt(1 s)``, capped at half the bound width."""
        if self.low is not None and self.high is not None:
            return min(self.sigma, 0.5 * (self.high - self.low))
        return self.sigma

    def initial_state(self, rng: np.random.Generator) -> State:
        """``(start,)``; draws nothing."""
        return (self.start,)

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """Exact (reflected) Brownian increment from ``t0`` to ``t1`` (s); draws one normal."""
        t0, t1 = _check_times(t0, t1)
        x = state[0] + self.sigma * math.sqrt(t1 - t0) * float(rng.standard_normal())
        x = _reflect(x, self.low, self.high)
        return (x,), x


@dataclass(frozen=True)
class Ramp(_ClosedForm):
    """Linear drift: ``x(t) = offset + rate·(clip(t, start_time, stop_time) - start_time)``.

    Zero slope before ``start_time`` and after ``stop_time`` (the value holds). Deterministic;
    state: ``(x,)``.

    Attributes:
        rate: slope (parameter units per s).
        start_time: when the ramp begins (s).
        stop_time: when it stops and holds (s, >= start_time), or None for never.
        offset: offset before the ramp begins (parameter units).
    """

    rate: float
    start_time: float = 0.0
    stop_time: float | None = None
    offset: float = 0.0
    name: str = field(default="ramp", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "rate": "slope (parameter units/s)",
        "start_time": "time the ramp begins (s; default 0)",
        "stop_time": "time the ramp stops and holds (s, >= start_time; default never)",
        "offset": "offset before the ramp begins (parameter units; default 0)",
    }

    def __post_init__(self) -> None:
        _set(self, "rate", _finite("rate", self.rate, "parameter units/s"))
        _set(self, "start_time", _finite("start_time", self.start_time, "s"))
        _set(self, "stop_time", _optional(_finite, "stop_time", self.stop_time, "s"))
        _set(self, "offset", _finite("offset", self.offset, "parameter units"))
        if self.stop_time is not None and self.stop_time < self.start_time:
            raise ValueError(f"stop_time = {self.stop_time!r}: must be >= start_time = "
                             f"{self.start_time!r} (s)")

    @property
    def scale(self) -> float:
        """The total excursion ``|rate|·(stop_time - start_time)``; ``|rate|·1 s`` if unbounded."""
        if self.stop_time is not None:
            return abs(self.rate) * (self.stop_time - self.start_time)
        return abs(self.rate)

    def at(self, t: float) -> float:
        """The offset at time ``t`` (s), closed form."""
        hi = math.inf if self.stop_time is None else self.stop_time
        return self.offset + self.rate * (min(max(t, self.start_time), hi) - self.start_time)


@dataclass(frozen=True)
class Sinusoid(_ClosedForm):
    """Periodic drift: ``x(t) = offset + amplitude·sin(2π·t/period + phase)``.

    Deterministic; state: ``(x,)``.

    Attributes:
        amplitude: peak deviation (parameter units).
        period: period (s, > 0).
        phase: phase at t = 0 s (rad).
        offset: constant added (parameter units).
    """

    amplitude: float
    period: float
    phase: float = 0.0
    offset: float = 0.0
    name: str = field(default="sinusoid", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "amplitude": "peak deviation (parameter units)",
        "period": "period (s, > 0)",
        "phase": "phase at t = 0 (rad; default 0)",
        "offset": "constant added (parameter units; default 0)",
    }

    def __post_init__(self) -> None:
        _set(self, "amplitude", _finite("amplitude", self.amplitude, "parameter units"))
        _set(self, "period", _positive("period", self.period, "s"))
        _set(self, "phase", _finite("phase", self.phase, "rad"))
        _set(self, "offset", _finite("offset", self.offset, "parameter units"))

    @property
    def scale(self) -> float:
        """``|amplitude|`` (parameter units)."""
        return abs(self.amplitude)

    def at(self, t: float) -> float:
        """The offset at time ``t`` (s), closed form."""
        return self.offset + self.amplitude * math.sin(2.0 * math.pi * t / self.period
                                                       + self.phase)


@dataclass(frozen=True)
class Telegraph(_Base):
    """Random telegraph noise: the offset switches between 0 ("down") and ``amplitude`` ("up").

    A two-state Markov chain with rates ``rate_up`` (down → up) and ``rate_down`` (up → down),
    stepped exactly: with ``k = r_u + r_d`` and ``π_up = r_u/k``,
    ``P(up at t1 | up at t0) = π_up + π_down·e^{-kΔ}``,
    ``P(up at t1 | down at t0) = π_up·(1 - e^{-kΔ})``.
    Stationary up-fraction ``π_up``; mean switching rate ``2·r_u·r_d/k`` per s.
    State: ``(up,)`` with ``up`` 1.0 or 0.0.

    Attributes:
        amplitude: offset in the "up" state (parameter units).
        rate_up: switching rate down → up (1/s, >= 0).
        rate_down: switching rate up → down (1/s, >= 0).
        start_up: state at t = 0 s; ``None`` draws it from the stationary law (needs a rate > 0).
    """

    amplitude: float
    rate_up: float
    rate_down: float
    start_up: bool | None = None
    name: str = field(default="telegraph", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "amplitude": "offset in the 'up' state; 0 in 'down' (parameter units)",
        "rate_up": "switching rate down -> up (1/s, >= 0)",
        "rate_down": "switching rate up -> down (1/s, >= 0)",
        "start_up": "state at t = 0 (true/false; default: drawn from the stationary law)",
    }

    def __post_init__(self) -> None:
        _set(self, "amplitude", _finite("amplitude", self.amplitude, "parameter units"))
        _set(self, "rate_up", _nonneg("rate_up", self.rate_up, "1/s"))
        _set(self, "rate_down", _nonneg("rate_down", self.rate_down, "1/s"))
        if self.start_up is not None and not isinstance(self.start_up, bool | np.bool_):
            raise ValueError(f"start_up = {self.start_up!r}: must be of type bool or None")
        if self.start_up is not None:
            _set(self, "start_up", bool(self.start_up))
        if self.start_up is None and self.rate_up + self.rate_down == 0:
            raise ValueError("start_up = None: needs rate_up + rate_down > 0 for a stationary "
                             "draw; give start_up = true/false")

    @property
    def scale(self) -> float:
        """``|amplitude|`` (parameter units)."""
        return abs(self.amplitude)

    @property
    def up_fraction(self) -> float:
        """Stationary probability of the "up" state, ``r_u/(r_u + r_d)``."""
        return self.rate_up / (self.rate_up + self.rate_down)

    def value(self, state: State) -> float:
        """``amplitude`` if up, else 0 (parameter units)."""
        return self.amplitude * state[0]

    def initial_state(self, rng: np.random.Generator) -> State:
        """``(1.0,)`` or ``(0.0,)``; a stationary draw (one uniform) when ``start_up`` is None."""
        if self.start_up is not None:
            return (1.0 if self.start_up else 0.0,)
        return (1.0 if float(rng.random()) < self.up_fraction else 0.0,)

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """Exact two-state transition from ``t0`` to ``t1`` (s); draws one uniform."""
        t0, t1 = _check_times(t0, t1)
        k = self.rate_up + self.rate_down
        u = float(rng.random())
        if k == 0:
            up = state[0]
        else:
            decay = math.exp(-k * (t1 - t0))
            pi_up = self.rate_up / k
            p_up = pi_up + (1.0 - pi_up) * decay if state[0] else pi_up * (1.0 - decay)
            up = 1.0 if u < p_up else 0.0
        return (up,), self.amplitude * up


@dataclass(frozen=True)
class Burst(_Base):
    """Bursts: jumps of ``amplitude`` that recover exponentially.

    ``x(t) = Σ_{t_k ≤ t} amplitude·exp(-(t - t_k)/recovery)`` over scheduled ``times`` and
    Poisson arrivals at ``rate`` per s. Stepped exactly: the offset decays by
    ``exp(-Δ/recovery)``, scheduled bursts in ``(t0, t1]`` are added, and a Poisson number of
    random bursts with times uniform in ``(t0, t1]`` is drawn. Scheduled bursts at ``t_k ≤ 0``
    are in the initial state. State: ``(x, t, n)``: the offset, its time (s), and the number of
    bursts so far (scheduled and random).

    Attributes:
        amplitude: jump size (parameter units).
        recovery: exponential recovery time constant (s, > 0).
        rate: mean rate of random bursts (1/s, >= 0; Poisson).
        times: scheduled burst times (s), kept sorted.
    """

    amplitude: float
    recovery: float
    rate: float = 0.0
    times: tuple[float, ...] = ()
    name: str = field(default="burst", init=False, repr=False, compare=False)

    PARAMS: ClassVar[dict[str, str]] = {
        "amplitude": "jump size (parameter units)",
        "recovery": "exponential recovery time constant (s, > 0)",
        "rate": "mean rate of random (Poisson) bursts (1/s, >= 0; default 0)",
        "times": "scheduled burst times (list of s; default none)",
    }

    def __post_init__(self) -> None:
        _set(self, "amplitude", _finite("amplitude", self.amplitude, "parameter units"))
        _set(self, "recovery", _positive("recovery", self.recovery, "s"))
        _set(self, "rate", _nonneg("rate", self.rate, "1/s"))
        if isinstance(self.times, str | bytes | Mapping) or not isinstance(
                self.times, Sequence | np.ndarray):
            raise ValueError(f"times = {self.times!r}: must be a list of times (s)")
        ts = [_finite(f"times[{i}]", t, "s") for i, t in enumerate(self.times)]
        _set(self, "times", tuple(sorted(ts)))

    @property
    def scale(self) -> float:
        """``|amplitude|`` (parameter units)."""
        return abs(self.amplitude)

    def _scheduled(self, t0: float, t1: float) -> tuple[float, int]:
        """Sum of ``exp(-(t1 - t_k)/recovery)`` and count over scheduled ``t0 < t_k ≤ t1``."""
        i = int(np.searchsorted(self.times, t0, side="right"))
        j = int(np.searchsorted(self.times, t1, side="right"))
        s = sum(math.exp(-(t1 - tk) / self.recovery) for tk in self.times[i:j])
        return s, j - i

    def initial_state(self, rng: np.random.Generator) -> State:
        """``(x(0), 0.0, n)`` with the scheduled bursts at ``t_k ≤ 0``; draws nothing."""
        j = int(np.searchsorted(self.times, 0.0, side="right"))
        s = sum(math.exp(tk / self.recovery) for tk in self.times[:j])
        return (self.amplitude * s, 0.0, float(j))

    def step(self, state: State, t0: float, t1: float,
             rng: np.random.Generator) -> tuple[State, float]:
        """Exact step from ``t0`` to ``t1`` (s).

        ``t0`` must equal the time held in ``state``. Draws one Poisson count and that many
        uniforms when ``rate > 0``, nothing otherwise.

        Raises:
            ValueError: ``t0`` is not the state's time, or ``t1 < t0``.
        """
        t0, t1 = _check_times(t0, t1)
        x, t_state, n = state
        if abs(t0 - t_state) > 1e-9 * max(1.0, abs(t0)):
            raise ValueError(f"step: t0 = {t0!r} does not match the state's time "
                             f"{t_state!r} (s)")
        dt = t1 - t_state
        s, count = self._scheduled(t_state, t1)
        if self.rate > 0:
            k = int(rng.poisson(self.rate * dt))
            if k:
                arrivals = rng.uniform(t_state, t1, size=k)
                s += float(np.sum(np.exp(-(t1 - arrivals) / self.recovery)))
                count += k
        x = x * math.exp(-dt / self.recovery) + self.amplitude * s
        return (x, t1, n + count), x


# ---------------------------------------------------------------- registry and helpers

_REGISTRY: dict[str, type] = {
    "ou": OrnsteinUhlenbeck,
    "random-walk": RandomWalk,
    "ramp": Ramp,
    "sinusoid": Sinusoid,
    "telegraph": Telegraph,
    "burst": Burst,
}


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
