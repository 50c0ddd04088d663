"""Cavity-QED numbers from a cavity's geometry and mirrors, each from its textbook formula.

Units: lengths in µm, rates in rad/µs (2π × MHz), field half-widths as in ``physics.cavity``.

* **κ from finesse and length.** The free spectral range is c/(2L) and the linewidth (FWHM,
  energy) FSR/F, so the energy decay rate is 2κ = 2π·c/(2LF) and the field half-width
  κ = π c / (2 L F). A finesse of 5·10⁴ at L = 1 mm gives κ = 2π × 1.50 MHz.
* **g from the mode volume.** For a Gaussian standing-wave mode of waist w₀ and length L,
  V = π w₀² L / 4, and an atom at an antinode on a transition with population decay rate Γ
  and wavelength λ: g_max = √(3 c λ² Γ / (8 π V)) (from g = d·√(ω/(2ħε₀V)) with
  d² = 3πε₀ħc³Γ/ω³). The transition actually used and the atom's motion reduce g²
  by ``transition_factor`` (its squared relative strength against the cycling transition)
  and ``motion_factor`` (⟨cos²kz⟩ and the radial mode profile over the thermal wave packet).
* **Out-coupling that balances the reflection gate.** A one-sided cavity reflects the
  resonant photon with r = 1 − 2η_out/(1 + 2C) when the atom couples and 1 − 2η_out when it
  does not (``physics.remote_gate.Reflection``); the two have equal magnitude (no
  which-state loss imbalance) at η_out = (1 + 2C)/(2 + 2C).

Example:
    >>> import math
    >>> round(kappa_from_finesse(5e4, length_um=1000.0) / (2 * math.pi), 3)  # MHz
    1.499
    >>> round(balanced_outcoupling(13.0), 4)
    0.9643
"""

from __future__ import annotations

import math

__all__ = [
    "SPEED_OF_LIGHT",
    "balanced_outcoupling",
    "coupling_from_geometry",
    "kappa_from_finesse",
]

SPEED_OF_LIGHT = 299_792_458.0
"""c in m/s."""


def _positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value > 0):
        raise ValueError(f"{name} = {value!r}: must be a finite number > 0")
    return float(value)


def kappa_from_finesse(finesse: float, *, length_um: float) -> float:
    """Cavity field half-width κ = π c / (2 L F) (rad/µs).

    Args:
        finesse: cavity finesse F > 0.
        length_um: cavity length L (µm) > 0.
    """
    f = _positive("finesse", finesse)
    length = _positive("length_um", length_um) * 1e-6
    return math.pi * SPEED_OF_LIGHT / (2.0 * length * f) * 1e-6


def coupling_from_geometry(*, length_um: float, waist_um: float, wavelength_nm: float,
                           decay_rate: float, transition_factor: float = 1.0,
                           motion_factor: float = 1.0) -> float:
    """Atom–cavity coupling g (rad/µs) of a Gaussian standing-wave mode.

    g = √(transition_factor · motion_factor · 3 c λ² Γ / (8 π V)), V = π w₀² L / 4.

    Args:
        length_um: cavity length L (µm) > 0.
        waist_um: mode waist w₀ (µm) > 0.
        wavelength_nm: transition wavelength λ (nm) > 0.
        decay_rate: population decay rate Γ of the transition (rad/µs) > 0.
        transition_factor: squared relative strength of the transition used against the
            cycling one, in (0, 1].
        motion_factor: reduction of g² by the atom's position spread, in (0, 1].
    """
    length = _positive("length_um", length_um) * 1e-6
    waist = _positive("waist_um", waist_um) * 1e-6
    lam = _positive("wavelength_nm", wavelength_nm) * 1e-9
    gamma = _positive("decay_rate", decay_rate) * 1e6  # 1/s
    for name, v in (("transition_factor", transition_factor),
                    ("motion_factor", motion_factor)):
        if not (isinstance(v, int | float) and math.isfinite(v) and 0 < v <= 1):
            raise ValueError(f"{name} = {v!r}: must be in (0, 1]")
    volume = math.pi * waist**2 * length / 4.0
    g_max = math.sqrt(3.0 * SPEED_OF_LIGHT * lam**2 * gamma / (8.0 * math.pi * volume))
    return g_max * math.sqrt(transition_factor * motion_factor) * 1e-6


def balanced_outcoupling(cooperativity: float) -> float:
    """η_out = (1 + 2C)/(2 + 2C): the out-coupling with |r_coupled| = |r_uncoupled|.

    Args:
        cooperativity: C = g²/(2κγ) ≥ 0.
    """
    if not (isinstance(cooperativity, int | float) and math.isfinite(cooperativity)
            and cooperativity >= 0):
        raise ValueError(f"cooperativity = {cooperativity!r}: must be >= 0")
    return (1.0 + 2.0 * cooperativity) / (2.0 + 2.0 * cooperativity)
