"""Knob recalibration from syndromes alone: extremum seeking with an extended Kalman filter.

A knob that compensates a drifting physical parameter (e.g. the Raman frequency offset against
a detuning drift) leaves a coherent error that grows quadratically with the residual, so a
window's mean detection fraction behaves near the optimum as

    D = A + c·(u − u*)² + noise,

u the knob value played, u* the moving optimum, A the detection floor, c > 0 the curvature.
The tracker keeps the state x = (u*, slope of u*, A, log c) in an extended Kalman filter:
u* moves by its slope each window (local linear trend, the feed-forward), the slope, A and c
wander slowly. Each window's (u, D) is one nonlinear measurement (Jacobian
[−2c(u − u*), 0, 1, c(u − u*)²]); the sign of u − u* is learned because the policy plays a
small alternating dither around its prediction (a Gaussian-policy probe). Three exploration
windows (nominal, ± ``explore``) initialise c, A and u* from finite differences.

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
    """Tuning of ``KnobTracker``; knob quantities are fractions of the knob's range per window.

    Attributes:
        explore: probe amplitude of the two exploration windows around nominal.
        dither: half-width of the alternating dither after exploration.
        level_noise: process noise of u* per window.
        slope_noise: process noise of u*'s slope per window.
        floor_noise: process noise of A per window, relative to A.
        curvature_noise: process noise of log c per window.
    """

    explore: float = 0.005
    dither: float = 0.004
    level_noise: float = 0.003
    slope_noise: float = 0.0005
    floor_noise: float = 0.001
    curvature_noise: float = 0.002


class KnobTracker:
    """Tracks the optimum of one knob from per-window detection fractions.

    Args:
        spec: the knob (bounds and nominal value).
        settings: tuning.
    """

    def __init__(self, spec: KnobSpec, settings: TrackerSettings | None = None) -> None:
        self.spec = spec
        self.settings = settings or TrackerSettings()
        self.span = spec.high - spec.low
        self.windows = 0
        self.probe: list[tuple[float, float, float]] = []  # exploration (u, D, noise)
        self.x: np.ndarray | None = None  # (u*, slope, A, log c)
        self.P: np.ndarray | None = None
        self._sign = 1.0
        self.distance: int | None = None  # the code distance its response was learned at

    @property
    def exploring(self) -> bool:
        """True until the filter is initialised."""
        return self.x is None

    @property
    def estimate(self) -> float:
        """Current estimate of the optimum (nominal while exploring)."""
        return self.spec.nominal if self.x is None else float(self.x[0])

    @property
    def curvature(self) -> float | None:
        """Current curvature estimate c (None while exploring)."""
        return None if self.x is None else float(math.exp(self.x[3]))

    def observe(self, knob: float, detection: float, *, noise: float) -> None:
        """One window: the knob value in force and its mean detection fraction.

        Args:
            knob: the knob value played.
            detection: the window's mean detection fraction.
            noise: standard error of ``detection``.
        """
        self.windows += 1
        if self.x is None:
            self.probe.append((float(knob), float(detection), float(noise)))
            if len(self.probe) == 3:
                self._initialise()
            return
        self._predict()
        u, d = float(knob), float(detection)
        ustar, _, a, logc = self.x
        c = math.exp(logc)
        e = u - ustar
        h = a + c * e * e
        H = np.array([-2 * c * e, 0.0, 1.0, c * e * e])
        S = float(H @ self.P @ H) + noise**2
        K = self.P @ H / S
        innovation = d - h
        limit = 6 * math.sqrt(S)  # robust: one wild window cannot throw the filter away
        innovation = max(-limit, min(limit, innovation))
        self.x = self.x + K * innovation
        self.P = (np.eye(4) - np.outer(K, H)) @ self.P
        self.x[0] = min(max(self.x[0], self.spec.low - self.span), self.spec.high + self.span)

    def _initialise(self) -> None:
        (u0, d0, n0), (u1, d1, _), (u2, d2, _) = self.probe
        step = (u1 - u2) / 2
        second = d1 + d2 - 2 * d0
        noise = max(n0, 1e-12)
        c = second / (2 * step**2) if second > 2 * noise else 2 * noise / step**2
        ustar = u0 - (d1 - d2) / (4 * c * step)
        ustar = min(max(ustar, u0 - 3 * abs(step)), u0 + 3 * abs(step))
        a = max(d0 - c * (u0 - ustar) ** 2, 0.0)
        self.x = np.array([ustar, 0.0, a, math.log(c)])
        self.P = np.diag([(2 * step) ** 2, (0.01 * self.span) ** 2, (0.1 * a + noise) ** 2,
                          0.5**2])

    def _predict(self) -> None:
        s = self.settings
        F = np.eye(4)
        F[0, 1] = 1.0
        self.x = F @ self.x
        q = np.array([(s.level_noise * self.span) ** 2, (s.slope_noise * self.span) ** 2,
                      (s.floor_noise * max(self.x[2], 1e-6)) ** 2, s.curvature_noise**2])
        self.P = F @ self.P @ F.T + np.diag(q)

    def next_value(self) -> float:
        """The knob value for the next window: exploration probe, or prediction + dither."""
        s = self.settings
        if self.x is None:
            offsets = (0.0, s.explore, -s.explore)
            center = self.probe[0][0] if self.probe else None
            return self.spec.clip((center if center is not None else self.spec.nominal)
                                  + offsets[len(self.probe)] * self.span)
        self._sign = -self._sign
        return self.spec.clip(float(self.x[0] + self.x[1]) + self._sign * s.dither * self.span)
