"""Pulse envelopes (Gaussian, sin², flat-top) and the STIRAP pump/Stokes pair.

Units: times in µs, Rabi frequencies in rad/µs (2π × MHz). An envelope Ω(t) is the *Rabi
frequency* of the transition it drives: the coupling term in the Hamiltonian is Ω(t)/2.

The same envelope is evaluated by numpy (``Pulse.__call__``) and inside numba kernels
(``envelope``), from the packed parameter vector ``Pulse.packed()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["SHAPES", "Pulse", "StirapPulses", "envelope"]

SHAPES: tuple[str, ...] = ("gaussian", "sin2", "flattop")
"""Known envelope shapes; the index in this tuple is the shape code used by numba kernels."""

_GAUSS_CUT = 4.0  # a Gaussian is taken as zero beyond ±4 half-widths (exp(-16) ≈ 1e-7)


@numba.njit(cache=True, fastmath=False)
def envelope(code: int, amplitude: float, center: float, width: float, rise: float,
             t: float) -> float:
    """Envelope value Ω(t) in rad/µs for a packed pulse (numba-compiled, scalar).

    Args:
        code: shape index into ``SHAPES`` (0 gaussian, 1 sin2, 2 flattop).
        amplitude: peak Rabi frequency Ω0 (rad/µs).
        center: pulse centre (µs).
        width: gaussian: 1/e half-width T in Ω0·exp(−(t−c)²/T²); sin2 and flattop: full
            duration (µs).
        rise: flattop only: duration of each sin² edge (µs).
        t: time (µs).
    """
    x = t - center
    if code == 0:
        if abs(x) > _GAUSS_CUT * width:
            return 0.0
        return amplitude * math.exp(-(x / width) ** 2)
    half = 0.5 * width
    if x <= -half or x >= half:
        return 0.0
    if code == 1:
        return amplitude * math.cos(math.pi * x / width) ** 2
    # flattop: sin² edges of length `rise`, flat in between
    if rise > 0.0:
        d = half - abs(x)  # distance to the nearer end
        if d < rise:
            return amplitude * math.sin(0.5 * math.pi * d / rise) ** 2
    return amplitude


@dataclass(frozen=True)
class Pulse:
    """One pulse envelope.

    Attributes:
        amplitude: peak Rabi frequency Ω0 (rad/µs), ≥ 0.
        center: centre time (µs).
        width: gaussian: 1/e half-width T in Ω0·exp(−(t−c)²/T²) (µs); sin2: full duration of
            Ω0·cos²(π(t−c)/width) (µs); flattop: full duration including both edges (µs). > 0.
        shape: one of ``SHAPES``.
        rise: flattop only: length of each sin² edge (µs), 0 ≤ rise ≤ width/2.
    """

    amplitude: float
    center: float
    width: float
    shape: str = "gaussian"
    rise: float = 0.0

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"shape = {self.shape!r}: must be one of {', '.join(SHAPES)}")
        if not (math.isfinite(self.amplitude) and self.amplitude >= 0):
            raise ValueError(f"amplitude = {self.amplitude}: must be finite and >= 0 (rad/µs)")
        if not (math.isfinite(self.width) and self.width > 0):
            raise ValueError(f"width = {self.width}: must be finite and > 0 (µs)")
        if not math.isfinite(self.center):
            raise ValueError(f"center = {self.center}: must be finite (µs)")
        if not (0 <= self.rise <= self.width / 2):
            raise ValueError(f"rise = {self.rise}: must be in [0, width/2 = {self.width / 2}] (µs)")

    @property
    def code(self) -> int:
        """Shape index into ``SHAPES`` (for numba kernels)."""
        return SHAPES.index(self.shape)

    @property
    def support(self) -> tuple[float, float]:
        """Times (µs) outside which the envelope is zero (gaussian: cut at ±4 half-widths)."""
        half = _GAUSS_CUT * self.width if self.shape == "gaussian" else 0.5 * self.width
        return (self.center - half, self.center + half)

    @property
    def area(self) -> float:
        """Pulse area ∫Ω(t)dt (rad)."""
        if self.shape == "gaussian":
            return self.amplitude * self.width * math.sqrt(math.pi) * math.erf(_GAUSS_CUT)
        if self.shape == "sin2":
            return 0.5 * self.amplitude * self.width
        return self.amplitude * (self.width - self.rise)

    def packed(self) -> np.ndarray:
        """Parameters as float64 array ``[code, amplitude, center, width, rise]``, shape (5,)."""
        return np.array([self.code, self.amplitude, self.center, self.width, self.rise], float)

    def __call__(self, t: float | np.ndarray) -> float | np.ndarray:
        """Envelope Ω(t) (rad/µs) at time(s) ``t`` (µs): a float for a scalar, else same shape."""
        if np.ndim(t) == 0:
            return envelope(self.code, self.amplitude, self.center, self.width, self.rise,
                            float(t))
        t_arr = np.asarray(t, dtype=float)
        flat = np.array([envelope(self.code, self.amplitude, self.center, self.width,
                                  self.rise, float(x)) for x in t_arr.ravel()])
        return flat.reshape(t_arr.shape)


@dataclass(frozen=True)
class StirapPulses:
    """A pump/Stokes pulse pair.

    The pump drives initial↔intermediate, the Stokes intermediate↔target. Counter-intuitive
    order (Stokes first) transfers population adiabatically through the dark state.
    """

    pump: Pulse
    stokes: Pulse

    @classmethod
    def counterintuitive(
        cls,
        *,
        amplitude: float,
        width: float,
        delay: float,
        shape: str = "gaussian",
        stokes_amplitude: float | None = None,
        rise: float = 0.0,
        center: float = 0.0,
    ) -> StirapPulses:
        """The standard pair: Stokes centred at ``center − delay/2``, pump at ``center + delay/2``.

        Args:
            amplitude: pump peak Rabi frequency (rad/µs).
            width: width of both pulses (µs; meaning per ``Pulse.width``).
            delay: pump centre minus Stokes centre (µs). Positive = counter-intuitive
                (Stokes first, the STIRAP order); negative = intuitive order.
            shape: envelope shape of both pulses.
            stokes_amplitude: Stokes peak Rabi frequency (rad/µs); defaults to ``amplitude``.
            rise: flattop edge length (µs).
            center: midpoint between the two pulse centres (µs).
        """
        s_amp = amplitude if stokes_amplitude is None else stokes_amplitude
        pump = Pulse(amplitude, center + delay / 2, width, shape, rise)
        stokes = Pulse(s_amp, center - delay / 2, width, shape, rise)
        return cls(pump=pump, stokes=stokes)

    @property
    def t_span(self) -> tuple[float, float]:
        """(start, end) in µs covering the support of both pulses."""
        a, b = self.pump.support, self.stokes.support
        return (min(a[0], b[0]), max(a[1], b[1]))

    @property
    def delay(self) -> float:
        """Pump centre minus Stokes centre (µs)."""
        return self.pump.center - self.stokes.center
