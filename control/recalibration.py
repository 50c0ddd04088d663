"""Knob recalibration from syndromes alone: a Rao-Blackwellised particle filter.

A knob that compensates a drifting physical parameter (e.g. the Raman frequency offset against
a detuning drift) leaves a coherent error that grows quadratically with the residual, so the
mean detection fraction of the detectors the knob moves behaves near the optimum as

    D = A + c·(u − u*)² + noise,

u the knob value played, u* the moving optimum, A the detection floor, c > 0 the curvature.
Given u*, D is *linear* in θ = (A, c), so the filter samples only the optimum and its trend per
window, (u*, v), as particles, and carries an exact Kalman filter over θ inside each particle
(Rao-Blackwellisation): the floor and the curvature are learned by least squares from every
window instead of by the random walk of a sampled parameter.

The particles keep *both* signs of u − u* alive when D rises (the response is symmetric: one
window cannot tell which way the optimum went) and let the next windows decide. A probed window
(``observe_pair``: half the shots at u + δ, half at u − δ) gives two independent observations:
the halves' mean (a level, floor included) and their difference 4·c·δ·(u − u*), which no floor
move enters. The floor also jumps (a cavity's κ switches, a node degrades): in each prediction a
few per cent of the particles widen their floor's variance by a jump, so a jump lands in A, not
in the knob.

*Which* detectors: the caller may pass the detection fractions of several detector groups (for
a CSS code, the two decoding graphs: X-type and Z-type checks). The exploration (nominal, then
± ``explore``: with an in-window probe the ± pair shares one window, half the shots each,
so no drift comes between them and it costs one window instead of two) measures each
group's curvature, and the tracker follows the group with
the best response-to-noise ratio from then on. A knob that makes one Pauli type of error moves
one group only (the Raman detuning makes X errors: on the d = 5 surface code the Z-check group
responds 10× more than the X-check group), so following that group alone doubles the squared
signal-to-noise ratio of every window against the mean over all detectors.

The policy plays the posterior mean of the next window's u* (with the tracked trend as
feed-forward), plus a small alternating dither when there is no in-window probe. The filter draws
from its own seeded generator, so a run is reproducible (and resumable from a pickled state).

Nothing here knows what the knob does physically (``control.protocol.KnobSpec``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from control.protocol import KnobSpec

__all__ = ["KnobTracker", "TrackerSettings"]

_C_LOW = 0.25
"""Lowest curvature of the prior mixture, relative to the exploration's estimate."""


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
        curvature_noise: random-walk step of the curvature c per window, relative to c.
        reset_fraction: share of the hypotheses redrawn each probed window where the probe's
            slope points (sensor resetting, ``_reset_from_slope``).
        optimum_jump_probability: chance per window that a hypothesis' optimum jumps.
        optimum_jump_size: standard deviation of such a jump.
        jump_probability: chance per window that the floor jumps.
        jump_size: standard deviation of a floor jump, relative to A.
        particles: hypotheses (u*, v) in the cloud.
        seed: seed of the filter's generator.
    """

    explore: float = 0.005
    dither: float = 0.002
    probe: float = 0.0
    max_step: float = 0.0075
    level_noise: float = 0.003
    slope_noise: float = 0.0001
    floor_noise: float = 0.002
    curvature_noise: float = 0.01
    reset_fraction: float = 0.02
    optimum_jump_probability: float = 0.02
    optimum_jump_size: float = 0.02
    jump_probability: float = 0.02
    jump_size: float = 0.1
    particles: int = 2000
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("explore", "dither", "probe", "max_step", "level_noise", "slope_noise",
                     "floor_noise", "curvature_noise", "optimum_jump_size", "jump_size"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} = {value!r}: must be a finite number >= 0")
        for name in ("jump_probability", "optimum_jump_probability", "reset_fraction"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} = {getattr(self, name)!r}: must be in [0, 1]")
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
        particles: the sampled hypotheses, shape (2, particles): rows u*, v (None while
            exploring).
        weights: their normalised weights, shape (particles,).
        mean: each particle's Kalman mean of θ = (A, c), shape (2, particles).
        cov: each particle's Kalman covariance of θ as rows (var A, cov(A, c), var c),
            shape (3, particles).
        signal: index of the detector group followed (None while exploring).
    """

    def __init__(self, spec: KnobSpec, settings: TrackerSettings | None = None) -> None:
        self.spec = spec
        self.settings = settings or TrackerSettings()
        self.span = spec.high - spec.low
        self.windows = 0
        self.probe: list[tuple[float, np.ndarray, np.ndarray]] = []  # exploration (u, D, σ)
        self.particles: np.ndarray | None = None
        self.weights: np.ndarray | None = None
        self.mean: np.ndarray | None = None
        self.cov: np.ndarray | None = None
        self.signal: int | None = None
        self.rng = np.random.default_rng(self.settings.seed)
        self._sign = 1.0
        self._floor_moved = 0  # windows left with a free floor
        self._last: float | None = None  # the centre played last
        self._c_min = 0.0  # smallest curvature kept (set at initialisation)
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
        return None if self.mean is None else float(self.weights @ self.mean[1])

    @property
    def floor(self) -> float | None:
        """Posterior mean of the floor A (None while exploring)."""
        return None if self.mean is None else float(self.weights @ self.mean[0])

    @property
    def probe_offset(self) -> float:
        """The in-window probe half-width to play next (knob units; 0: none)."""
        s = self.settings
        if self.particles is None:  # the exploration's ± pair runs inside the second window
            return s.explore * self.span if s.probe > 0 and len(self.probe) == 1 else 0.0
        return s.probe * self.span

    def _groups(self, detection: float | Sequence[float], noise: float | Sequence[float]
                ) -> tuple[np.ndarray, np.ndarray]:
        d = np.atleast_1d(np.asarray(detection, dtype=np.float64))
        n = np.broadcast_to(np.atleast_1d(np.asarray(noise, dtype=np.float64)), d.shape)
        if d.ndim != 1 or d.size == 0:
            raise ValueError(f"detection: one fraction per detector group, got shape {d.shape}")
        if self.probe and d.size != self.probe[0][1].size:
            raise ValueError(f"detection: {d.size} groups, but {self.probe[0][1].size} in the "
                             "first window")
        return d, np.maximum(n, 1e-12)

    def observe(self, knob: float, detection: float | Sequence[float], *,
                noise: float | Sequence[float]) -> None:
        """One window: the knob value in force and its mean detection fraction(s).

        Args:
            knob: the knob value played.
            detection: the window's mean detection fraction, or one per detector group,
                shape (groups,) (the same groups every window).
            noise: standard error of each fraction (> 0), a number or shape (groups,).
        """
        self.windows += 1
        d, n = self._groups(detection, noise)
        if self.particles is None:
            self.probe.append((float(knob), d, n))
            if len(self.probe) == 3:
                self._initialise()
            return
        self._predict()
        g = self.signal
        self._level(float(knob), 0.0, float(d[g]), float(n[g]))

    def observe_pair(self, knob: float, plus: float | Sequence[float],
                     minus: float | Sequence[float], *, noise: float | Sequence[float]
                     ) -> None:
        """One probed window: the detection fractions of its two halves.

        The halves' mean is weighed as a level (floor included) and their difference,
        4·c·δ·(u − u*), on its own: the two are independent, and no floor move enters the
        difference.

        Args:
            knob: the knob value in force (the probe's centre).
            plus: detection fraction(s) of the half at ``knob + probe_offset`` (a number, or
                one per detector group).
            minus: the same for the half at ``knob − probe_offset``.
            noise: standard error of each half's fraction(s) (> 0).
        """
        p, n = self._groups(plus, noise)
        m, _ = self._groups(minus, noise)
        if self.particles is None:
            off = self.probe_offset
            if off and len(self.probe) == 1:  # exploration: u ± explore in one window
                self.windows += 1
                self.probe += [(float(knob) + off, p, n), (float(knob) - off, m, n)]
                self._initialise()
            else:
                self.observe(knob, (p + m) / 2, noise=n / math.sqrt(2))
            return
        self.windows += 1
        g = self.signal
        off = self.probe_offset
        self._predict()
        self._reset_from_slope(float(knob), off, float(p[g] - m[g]), float(n[g]) * math.sqrt(2))
        self._level(float(knob), off, float(p[g] + m[g]) / 2, float(n[g]) / math.sqrt(2))
        self._difference(float(knob), off, float(p[g] - m[g]), float(n[g]) * math.sqrt(2))

    def _reset_from_slope(self, knob: float, off: float, diff: float, noise: float) -> None:
        """Sensor resetting: move a few hypotheses to where this window's slope points.

        The probe difference is linear in u − u* and carries its sign: u* ≈ u − diff / (4·c·δ).
        A fraction ``reset_fraction`` of the particles (drawn at random) is redrawn around that
        value, ± twice its standard error. A sharp level observation keeps only the few
        particles at the right |u − u*|; after a sudden move of the optimum those may all lie
        on the wrong side, and without fresh hypotheses on the right side the filter would
        follow the mirror image away (seen once on mixed-drift: the knob ran 0.05 rad/µs off).
        """
        fraction = self.settings.reset_fraction
        c = self.curvature
        if fraction <= 0 or off <= 0 or not c or c <= 0:
            return
        n = self.weights.size
        pick = self.rng.random(n) < fraction
        k = int(pick.sum())
        if k == 0:
            return
        slope = 4.0 * c * off
        centre = knob - diff / slope
        spread = 2.0 * noise / slope
        self.particles[0, pick] = centre + self.rng.normal(0.0, spread, k)

    def floor_moved(self, *, windows: int = 4) -> None:
        """Say that the floor A may have moved, and may go on moving for a while.

        E.g. after a hold through a loss event, whose tail still recovers. The next
        ``windows`` predictions widen every hypothesis' floor by ±30 %, so those windows
        inform the knob through the difference of the probe's halves (or of successive
        windows), not through the floor's level.
        """
        self._floor_moved = max(int(windows), 0)

    # --- the filter ------------------------------------------------------------------------
    def _level(self, knob: float, off: float, y: float, noise: float) -> None:
        """Weigh a level observation y = A + c·((u − u*)² + off²)."""
        r = knob - self.particles[0]
        self._update(1.0, r * r + off * off, y, noise * noise)

    def _difference(self, knob: float, off: float, y: float, noise: float) -> None:
        """Weigh a probe difference y = D₊ − D₋ = 4·c·off·(u − u*)."""
        self._update(0.0, 4.0 * off * (knob - self.particles[0]), y, noise * noise)

    def _update(self, h0: float, h1: np.ndarray, y: float, var: float) -> None:
        """Kalman update of every particle's θ, and Bayes' rule on the particle weights.

        The observation is y = h0·A + h1·c + noise.

        Args:
            h0: the floor's coefficient (the same for every particle).
            h1: each particle's curvature coefficient, shape (particles,).
            y: the observation.
            var: its noise variance.
        """
        (m0, m1), (p00, p01, p11) = self.mean, self.cov
        ph0 = p00 * h0 + p01 * h1
        ph1 = p01 * h0 + p11 * h1
        s = h0 * ph0 + h1 * ph1 + var
        e = y - (h0 * m0 + h1 * m1)
        logw = np.log(np.maximum(self.weights, 1e-300)) - 0.5 * (e * e / s + np.log(s))
        w = np.exp(logw - logw.max())
        self.weights = w / w.sum()
        gain = e / s
        self.mean = np.vstack([m0 + ph0 * gain,
                               np.maximum(m1 + ph1 * gain, self._c_min)])  # c stays > 0
        self.cov = np.vstack([p00 - ph0 * ph0 / s, p01 - ph0 * ph1 / s, p11 - ph1 * ph1 / s])
        if 1.0 / float(self.weights @ self.weights) < 0.5 * self.weights.size:
            self._resample()

    def _resample(self) -> None:
        """Systematic resampling, then a little jitter of (u*, v) against collapse."""
        n = self.weights.size
        positions = (self.rng.random() + np.arange(n)) / n
        index = np.minimum(np.searchsorted(np.cumsum(self.weights), positions), n - 1)
        p = self.particles[:, index]
        spread = p.std(axis=1, keepdims=True)
        self.particles = p + 0.2 * n ** (-0.2) * spread * self.rng.standard_normal(p.shape)
        self.mean = self.mean[:, index]
        self.cov = self.cov[:, index]
        self.weights = np.full(n, 1.0 / n)

    def _initialise(self) -> None:
        s = self.settings
        n = s.particles
        (u0, d0, n0), (u1, d1, n1), (u2, d2, n2) = self.probe
        step = (u1 - u2) / 2
        second = d1 + d2 - 2 * d0
        noise2 = np.sqrt(n0**2 * 4 + n1**2 + n2**2)  # of the second difference
        g = self.signal = int(np.argmax(second / noise2))  # the most responsive group
        c = (second[g] / (2 * step**2) if second[g] > 2 * noise2[g]
             else 2 * noise2[g] / step**2)
        self._c_min = 1e-3 * c * _C_LOW
        r = self.rng
        self.particles = np.vstack([
            u0 + r.normal(0.0, 2 * abs(step), n),                  # u*: within a few probes
            r.normal(0.0, 5 * s.slope_noise * self.span, n),       # v: an unknown trend
        ])
        # The curvature's prior is a mixture over the particles: each draws its mean from
        # [c/4, 2c] (log-uniform) with a 30 % spread. The second difference c is biased high
        # (the drift between the exploration windows adds to the ± windows' residuals).
        curvature = c * np.exp(r.uniform(math.log(_C_LOW), math.log(2.0), n))
        self.mean = np.vstack([np.full(n, d0[g]), curvature])
        self.cov = np.vstack([np.full(n, (0.1 * d0[g]) ** 2),  # the floor: near the first window
                              np.zeros(n), (0.3 * curvature) ** 2])
        self.weights = np.full(n, 1.0 / n)
        same_window = self.windows == 2  # the ± pair shared the second window
        for i, (u, d, noise) in enumerate(self.probe):
            if i == 1 or (i == 2 and not same_window):  # the optimum drifts between windows
                self._predict()
            self._level(u, 0.0, float(d[g]), float(noise[g]))

    def _predict(self) -> None:
        s = self.settings
        n = self.weights.size
        r = self.rng
        p = self.particles
        p[0] += p[1] + r.normal(0.0, s.level_noise * self.span, n)
        # a few hypotheses jump far: if the cloud ever sits on the wrong side of the optimum
        # (a run of unlucky windows), the next probe finds mass on the right side to move to
        leap = r.random(n) < s.optimum_jump_probability
        p[0, leap] += r.normal(0.0, s.optimum_jump_size * self.span, int(leap.sum()))
        p[1] += r.normal(0.0, s.slope_noise * self.span, n)
        moved = self._floor_moved > 0
        self._floor_moved = max(self._floor_moved - 1, 0)
        floor = np.abs(self.mean[0])
        if moved:
            grow = (0.3 * floor) ** 2
        else:
            jump = r.random(n) < s.jump_probability
            grow = np.where(jump, (s.jump_size * floor) ** 2, (s.floor_noise * floor) ** 2)
        self.cov[0] += grow
        self.cov[2] += (s.curvature_noise * self.mean[1]) ** 2

    def next_value(self) -> float:
        """The knob value for the next window: exploration probe, or prediction + dither."""
        s = self.settings
        if self.particles is None:
            center = self.probe[0][0] if self.probe else self.spec.nominal
            if s.probe > 0:  # nominal, then a window probed at ± explore around it
                return self.spec.clip(center)
            offsets = (0.0, s.explore, -s.explore)
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
