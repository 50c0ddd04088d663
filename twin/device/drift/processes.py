"""The six drift processes (see ``twin.device.drift`` for the contract and the registry)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from twin.device.drift.base import (
    ClosedFormProcess,
    OffsetProcess,
    State,
    check_times,
    optional,
    set_field,
)
from twin.validation import finite_float, nonnegative_float, positive_float

__all__ = ["Burst", "OrnsteinUhlenbeck", "Ramp", "RandomWalk", "Sinusoid", "Telegraph"]


@dataclass(frozen=True)
class OrnsteinUhlenbeck(OffsetProcess):
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
        set_field(self, "tau", positive_float("tau", self.tau, "s"))
        set_field(self, "sigma", nonnegative_float("sigma", self.sigma, "parameter units"))
        set_field(self, "mean", finite_float("mean", self.mean, "parameter units"))
        set_field(self, "start", optional(finite_float, "start", self.start, "parameter units"))

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
        t0, t1 = check_times(t0, t1)
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
class RandomWalk(OffsetProcess):
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
        set_field(self, "sigma", nonnegative_float("sigma", self.sigma, "parameter units/sqrt(s)"))
        set_field(self, "start", finite_float("start", self.start, "parameter units"))
        set_field(self, "low", optional(finite_float, "low", self.low, "parameter units"))
        set_field(self, "high", optional(finite_float, "high", self.high, "parameter units"))
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
        t0, t1 = check_times(t0, t1)
        x = state[0] + self.sigma * math.sqrt(t1 - t0) * float(rng.standard_normal())
        x = _reflect(x, self.low, self.high)
        return (x,), x


@dataclass(frozen=True)
class Ramp(ClosedFormProcess):
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
        set_field(self, "rate", finite_float("rate", self.rate, "parameter units/s"))
        set_field(self, "start_time", finite_float("start_time", self.start_time, "s"))
        set_field(self, "stop_time", optional(finite_float, "stop_time", self.stop_time, "s"))
        set_field(self, "offset", finite_float("offset", self.offset, "parameter units"))
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
class Sinusoid(ClosedFormProcess):
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
        set_field(self, "amplitude", finite_float("amplitude", self.amplitude, "parameter units"))
        set_field(self, "period", positive_float("period", self.period, "s"))
        set_field(self, "phase", finite_float("phase", self.phase, "rad"))
        set_field(self, "offset", finite_float("offset", self.offset, "parameter units"))

    @property
    def scale(self) -> float:
        """``|amplitude|`` (parameter units)."""
        return abs(self.amplitude)

    def at(self, t: float) -> float:
        """The offset at time ``t`` (s), closed form."""
        return self.offset + self.amplitude * math.sin(2.0 * math.pi * t / self.period
                                                       + self.phase)


@dataclass(frozen=True)
class Telegraph(OffsetProcess):
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
        set_field(self, "amplitude", finite_float("amplitude", self.amplitude, "parameter units"))
        set_field(self, "rate_up", nonnegative_float("rate_up", self.rate_up, "1/s"))
        set_field(self, "rate_down", nonnegative_float("rate_down", self.rate_down, "1/s"))
        if self.start_up is not None and not isinstance(self.start_up, bool | np.bool_):
            raise ValueError(f"start_up = {self.start_up!r}: must be of type bool or None")
        if self.start_up is not None:
            set_field(self, "start_up", bool(self.start_up))
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
        t0, t1 = check_times(t0, t1)
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
class Burst(OffsetProcess):
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
        set_field(self, "amplitude", finite_float("amplitude", self.amplitude, "parameter units"))
        set_field(self, "recovery", positive_float("recovery", self.recovery, "s"))
        set_field(self, "rate", nonnegative_float("rate", self.rate, "1/s"))
        if isinstance(self.times, str | bytes | Mapping) or not isinstance(
                self.times, Sequence | np.ndarray):
            raise ValueError(f"times = {self.times!r}: must be a list of times (s)")
        ts = [finite_float(f"times[{i}]", t, "s") for i, t in enumerate(self.times)]
        set_field(self, "times", tuple(sorted(ts)))

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
        t0, t1 = check_times(t0, t1)
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
