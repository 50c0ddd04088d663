"""Knob recalibration from syndromes alone: extremum seeking with a particle filter.

A knob that compensates a drifting physical parameter (e.g. the Raman frequency offset against
a detuning drift) leaves a coherent error that grows quadratically with the residual, so a
window's mean detection fraction behaves near the optimum as

    D = A + c·(u − u*)² + noise,

u the knob value played, u* the moving optimum, A the detection floor, c > 0 the curvature.
The tracker keeps a weighted cloud of hypotheses (u*, v, A, c), v being u*'s trend per window
(the drift's feed-forward), and updates it exactly by Bayes' rule with each window's (u, D):
a sequential Monte Carlo (particle) filter. Unlike a Kalman filter (linear or extended, both
tried here first), it keeps *both* signs of u − u* alive when the detection fraction rises —
the response is symmetric, so one window cannot tell which way the optimum went — and lets the
next windows decide, instead of committing to one side and paying for a wrong guess. The
floor A is a nuisance that jumps (a cavity's κ switches, a node degrades): a few per cent of
the hypotheses jump in every prediction step, so a jump lands in A, not in the knob.

The policy plays the posterior mean of the next window's u* plus a small alternating dither (a
Gaussian-policy probe that keeps the sign observable). Three exploration windows (nominal,
± ``explore``) set the scale of c and A first. The filter draws from its own seeded generator,
so a run is reproducible (and resumable from a pickled state).

Nothing here knows what the knob does physically (``control.protocol.KnobSpec``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from control.protocol import KnobSpec

__all__ = ["KnobTracker", "TrackerSettings"]


@dataclass(frozen=True)
class TrackerSettings:
    """Tuning of ``KnobTracker``; knob quantities are fractions of the knob's range.

    Attributes:
        explore: probe amplitude of the two exploration windows around nominal.
        dither: half-width of the alternating dither after exploration.
        probe: half-width of the in-window differential probe (``SetKnobs.probe``); when > 0
            it replaces the dither: each window runs half its shots at u + probe and half at
            u − probe, and ``observe_pair`` weighs both halves against the same optimum.
        max_step: largest move of the played value per window (a wrong early curvature
            estimate cannot throw the knob far in one window).
        level_noise: random-walk step of the optimum u* per window.
        slope_noise: random-walk step of u*'s trend per window.
        floor_noise: random-walk step of the floor A per window, relative to A.
        curvature_noise: random-walk step of log c per window.
        jump_probability: chance per window that the floor jumps.
        jump_size: standard deviation of a floor jump, relative to A.
        particles: hypotheses in the cloud.
        seed: seed of the filter's generator.
    """

    explore: float = 0.005
    dither: float = 0.002
    probe: float = 0.0
    max_step: float = 0.0075
    level_noise: float = 0.003
    slope_noise: float = 0.0003
    floor_noise: float = 0.002
    curvature_noise: float = 0.01
    jump_probability: float = 0.02
    jump_size: float = 0.1
    particles: int = 4000
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("explore", "dither", "probe", "max_step", "level_noise", "slope_noise",
                     "floor_noise", "curvature_noise", "jump_size"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} = {value!r}: must be a finite number >= 0")
        if not 0 <= self.jump_probability <= 1:
            raise ValueError(f"jump_probability = {self.jump_probability!r}: must be in [0, 1]")
        if self.explore <= 0:
            raise ValueError(f"explore = {self.explore!r}: must be > 0")
        if self.particles < 100:
            raise ValueError(f"particles = {self.particles!r}: must be >= 100")


class KnobTracker:
    """Tracks the optimum of one knob from per-window detection fractions.

    Args:
        spec: the knob (bounds and nominal value).
        settings: tuning.

    Attributes:
        particles: the hypotheses, shape (4, particles): rows u*, v, A, c (None while
            exploring).
        weights: their normalised weights, shape (particles,).
    """

    def __init__(self, spec: KnobSpec, settings: TrackerSettings | None = None) -> None:
        self.spec = spec
        self.settings = settings or TrackerSettings()
        self.span = spec.high - spec.low
        self.windows = 0
        self.probe: list[tuple[float, float, float]] = []  # exploration (u, D, noise)
        self.particles: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        self.rng = np.random.default_rng(self.settings.seed)
        self._sign = 1.0
        self._floor_moved = 0  # windows left with a free floor
        self._last: float | None = None  # the centre played last
        self.distance: int | None = None  # the code distance its response was learned at

    @property
    def exploring(self) -> bool:
        """True until the filter is initialised."""
        return self.particles is None

    @property
    def estimate(self) -> float:
        """Posterior mean of the optimum u* (nominal while exploring)."""
        if self.particles is None:
            return self.spec.nominal
        return float(self.weights @ self.particles[0])

    @property
    def uncertainty(self) -> float:
        """Posterior standard deviation of u* (knob units; inf while exploring)."""
        if self.particles is None:
            return math.inf
        spread = self.particles[0] - self.estimate
        return float(math.sqrt(self.weights @ spread**2))

    @property
    def curvature(self) -> float | None:
        """Posterior mean of the curvature c (None while exploring)."""
        return None if self.particles is None else float(self.weights @ self.particles[3])

    def observe(self, knob: float, detection: float, *, noise: float) -> None:
        """One window: the knob value in force and its mean detection fraction.

        Args:
            knob: the knob value played.
            detection: the window's mean detection fraction.
            noise: standard error of ``detection`` (> 0).
        """
        self.windows += 1
        noise = max(float(noise), 1e-12)
        if self.particles is None:
            self.probe.append((float(knob), float(detection), noise))
            if len(self.probe) == 3:
                self._initialise()
            return
        self._predict()
        self._weigh(float(knob), float(detection), noise)

    @property
    def probe_offset(self) -> float:
        """The in-window probe half-width to play next (knob units; 0: none)."""
        return 0.0 if self.particles is None else self.settings.probe * self.span

    def observe_pair(self, knob: float, plus: float, minus: float, *, noise: float) -> None:
        """One probed window: the detection fractions of its two halves.

        Args:
            knob: the knob value in force (the probe's centre).
            plus: detection fraction of the half at ``knob + probe_offset``.
            minus: detection fraction of the half at ``knob − probe_offset``.
            noise: standard error of each half's detection fraction (> 0).
        """
        if self.particles is None:
            self.observe(knob, (plus + minus) / 2, noise=noise / math.sqrt(2))
            return
        self.windows += 1
        noise = max(float(noise), 1e-12)
        off = self.probe_offset
        self._predict()
        self._weigh(float(knob) + off, float(plus), noise)
        self._weigh(float(knob) - off, float(minus), noise)

    def floor_moved(self, *, windows: int = 4) -> None:
        """Say that the floor A may have moved, and may go on moving for a while.

        E.g. after a hold through a loss event, whose tail still recovers. The next
        ``windows`` predictions spread every hypothesis' floor by ±30 %, so those windows
        inform the knob through the difference of the probe's halves (or of successive
        windows), not through the floor's level.
        """
        self._floor_moved = max(int(windows), 0)

    def _weigh(self, knob: float, detection: float, noise: float) -> None:
        ustar, _, floor, c = self.particles
        z = (detection - floor - c * (knob - ustar) ** 2) / noise
        logw = np.log(np.maximum(self.weights, 1e-300)) - 0.5 * z * z
        w = np.exp(logw - logw.max())
        self.weights = w / w.sum()
        if 1.0 / float(self.weights @ self.weights) < 0.5 * self.weights.size:
            self._resample()

    def _resample(self) -> None:
        """Systematic resampling, then a little jitter so static parameters do not collapse."""
        n = self.weights.size
        positions = (self.rng.random() + np.arange(n)) / n
        index = np.minimum(np.searchsorted(np.cumsum(self.weights), positions), n - 1)
        p = self.particles[:, index]
        spread = p.std(axis=1, keepdims=True)
        p = p + 0.2 * n ** (-0.2) * spread * self.rng.standard_normal(p.shape)
        p[2:] = np.abs(p[2:])  # floor and curvature stay positive
        self.particles = p
        self.weights = np.full(n, 1.0 / n)

    def _initialise(self) -> None:
        s = self.settings
        n = s.particles
        (u0, d0, n0), (u1, d1, _), (u2, d2, _) = self.probe
        step = (u1 - u2) / 2
        second = d1 + d2 - 2 * d0
        c = second / (2 * step**2) if second > 2 * n0 else 2 * n0 / step**2
        r = self.rng
        self.particles = np.vstack([
            u0 + r.normal(0.0, 2 * abs(step), n),                  # u*: within a few probes
            r.normal(0.0, 5 * s.slope_noise * self.span, n),       # v: an unknown trend
            d0 * (1 + r.normal(0.0, 0.05, n)),                     # A: near the first window
            c * np.exp(r.normal(0.0, 0.7, n)),                     # c: within a factor ~2
        ])
        self.weights = np.full(n, 1.0 / n)
        for u, d, noise in self.probe:
            self._weigh(u, d, noise)

    def _predict(self) -> None:
        s = self.settings
        n = self.weights.size
        r = self.rng
        p = self.particles
        p[0] += p[1] + r.normal(0.0, s.level_noise * self.span, n)
        p[1] += r.normal(0.0, s.slope_noise * self.span, n)
        moved = self._floor_moved > 0
        self._floor_moved = max(self._floor_moved - 1, 0)
        jump = r.random(n) < (1.0 if moved else s.jump_probability)
        size = 0.3 if moved else s.jump_size
        p[2] *= 1 + np.where(jump, r.normal(0.0, size, n), r.normal(0.0, s.floor_noise, n))
        p[2] = np.abs(p[2])
        p[3] *= np.exp(r.normal(0.0, s.curvature_noise, n))

    def next_value(self) -> float:
        """The knob value for the next window: exploration probe, or prediction + dither."""
        s = self.settings
        if self.particles is None:
            offsets = (0.0, s.explore, -s.explore)
            center = self.probe[0][0] if self.probe else self.spec.nominal
            return self.spec.clip(center + offsets[len(self.probe)] * self.span)
        ahead = float(self.weights @ (self.particles[0] + self.particles[1]))
        if self._last is not None and s.max_step > 0:
            limit = s.max_step * self.span
            ahead = min(max(ahead, self._last - limit), self._last + limit)
        self._last = ahead
        if s.probe > 0:  # the in-window probe replaces the dither
            return self.spec.clip(ahead)
        self._sign = -self._sign
        return self.spec.clip(ahead + self._sign * s.dither * self.span)
