"""Transmon ladder 0 → 1 → 2 for ladder STIRAP, from ``scqubits.Transmon``.

The Cooper-pair-box Hamiltonian H = 4 EC (n − ng)² − EJ cos φ is diagonalised in the charge basis
(|n| ≤ ncut) by scqubits; energies come out in GHz (frequency units, E/h) and are converted to
angular frequencies in rad/µs: ω = 2π · f[GHz] · 1e3. The spectrum and the charge matrix elements
are computed once per (EJ, EC, ng, ncut) and cached.

Transmon limit (EJ/EC ≫ 1): ω01/2π ≈ √(8 EJ EC) − EC, ω12 − ω01 ≈ −EC, and the charge matrix
element |⟨j+1|n|j⟩| ∝ √(j+1), so |⟨1|n|2⟩| / |⟨0|n|1⟩| → √2 (harmonic-oscillator-like).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from physics.levels import ThreeLevelSystem
from physics.pulses import StirapPulses

__all__ = ["TransmonLadder"]

_GHZ_TO_RAD_PER_US = 2.0 * math.pi * 1e3


@lru_cache(maxsize=128)
def _spectrum(EJ: float, EC: float, ng: float, ncut: int) -> tuple[tuple[float, ...], float, float]:
    """(ω_0, ω_1, ω_2) relative to level 0 (rad/µs), |⟨0|n|1⟩|, |⟨1|n|2⟩| (charge units)."""
    try:
        import scqubits
    except ImportError as exc:  # pragma: no cover - scqubits is a core dependency
        raise ImportError("physics.transmon needs scqubits: pip install scqubits") from exc
    scqubits.settings.PROGRESSBAR_DISABLED = True
    tmon = scqubits.Transmon(EJ=EJ, EC=EC, ng=ng, ncut=ncut, truncated_dim=3)
    evals, evecs = tmon.eigensys(evals_count=3)
    n_op = tmon.n_operator()
    mel = evecs.conj().T @ n_op @ evecs
    f = np.asarray(evals, float) - float(evals[0])
    omegas = tuple(float(x) * _GHZ_TO_RAD_PER_US for x in f)
    return omegas, float(abs(mel[0, 1])), float(abs(mel[1, 2]))


@dataclass(frozen=True)
class TransmonLadder:
    """Levels 0, 1, 2 of a transmon, as a ladder three-level system for STIRAP.

    Attributes:
        EJ: Josephson energy (GHz, E/h), > 0.
        EC: charging energy (GHz, E/h), > 0.
        ng: offset charge (Cooper pairs), finite.
        ncut: charge-basis cutoff (|n| ≤ ncut), ≥ 3.
    """

    EJ: float
    EC: float
    ng: float = 0.0
    ncut: int = 30

    def __post_init__(self) -> None:
        for name in ("EJ", "EC"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} = {v!r}: must be finite and > 0 (GHz)")
        if not (isinstance(self.ng, int | float) and math.isfinite(self.ng)):
            raise ValueError(f"ng = {self.ng!r}: must be finite (Cooper pairs)")
        if isinstance(self.ncut, bool) or not isinstance(self.ncut, int) or self.ncut < 3:
            raise ValueError(f"ncut = {self.ncut!r}: must be an integer >= 3")

    def _spec(self) -> tuple[tuple[float, ...], float, float]:
        return _spectrum(float(self.EJ), float(self.EC), float(self.ng), int(self.ncut))

    @property
    def frequencies(self) -> np.ndarray:
        """Angular frequencies of levels 0, 1, 2 relative to level 0 (rad/µs), shape (3,)."""
        return np.array(self._spec()[0])

    @property
    def omega01(self) -> float:
        """Transition frequency ω01 (rad/µs)."""
        return self._spec()[0][1]

    @property
    def omega12(self) -> float:
        """Transition frequency ω12 (rad/µs)."""
        w = self._spec()[0]
        return w[2] - w[1]

    @property
    def anharmonicity(self) -> float:
        """ω12 − ω01 (rad/µs); negative for a transmon (≈ −2π·EC·1e3)."""
        w = self._spec()[0]
        return (w[2] - w[1]) - w[1]

    @property
    def matrix_element_ratio(self) -> float:
        """|⟨1|n|2⟩| / |⟨0|n|1⟩| (dimensionless; → √2 in the transmon limit)."""
        _, n01, n12 = self._spec()
        return n12 / n01

    def three_level(
        self,
        *,
        t1: float,
        t1_top: float | None = None,
        t_phi: float | None = None,
        detuning_1ph: float = 0.0,
        detuning_2ph: float = 0.0,
    ) -> ThreeLevelSystem:
        """The ladder ``ThreeLevelSystem`` 0 → 1 → 2 of this transmon.

        Decay goes back down the ladder (``loss_fraction = 0``): 1 → 0 at γ = 1/t1, 2 → 1 at
        γ_top = 1/t1_top. The charge matrix element of 1 → 2 is ``matrix_element_ratio`` (≈ √2)
        times that of 0 → 1, so by default t1_top = t1 / matrix_element_ratio² (≈ t1/2: the
        same bath seen through |⟨1|n|2⟩|² ≈ 2 |⟨0|n|1⟩|²).

        Args:
            t1: energy-relaxation time of level 1 (µs), > 0.
            t1_top: energy-relaxation time of level 2 into 1 (µs), > 0; None → t1 / ratio².
            t_phi: pure-dephasing time of the 0–2 coherence (µs), > 0: ρ02 decays as
                exp(−t/t_phi) (``dephasing = 1/t_phi``); None → no pure dephasing.
            detuning_1ph: one-photon detuning Δ of the pump from ω01 (rad/µs).
            detuning_2ph: two-photon detuning δ from ω02 (rad/µs).

        Returns:
            ``ThreeLevelSystem(kind="ladder", loss_fraction=0, ...)`` with rates in 1/µs.

        Raises:
            ValueError: if a time is not finite and > 0.
        """
        for name, v in (("t1", t1), ("t1_top", t1_top), ("t_phi", t_phi)):
            if v is None and name != "t1":
                continue
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise ValueError(f"{name} = {v!r}: must be finite and > 0 (µs)")
        top = t1 / self.matrix_element_ratio**2 if t1_top is None else t1_top
        return ThreeLevelSystem(
            kind="ladder",
            gamma=1.0 / t1,
            loss_fraction=0.0,
            gamma_top=1.0 / top,
            dephasing=0.0 if t_phi is None else 1.0 / t_phi,
            detuning_1ph=detuning_1ph,
            detuning_2ph=detuning_2ph,
        )

    def ladder_pulses(
        self, *, amplitude: float, width: float, delay: float, shape: str = "gaussian"
    ) -> StirapPulses:
        """Counter-intuitive STIRAP pair for 0 → 2 through 1 driven by the same drive strength.

        Both tones couple through the charge operator, so for equal drive amplitude the Stokes
        (1 ↔ 2) Rabi frequency is ``matrix_element_ratio`` times the pump (0 ↔ 1) one.

        Args:
            amplitude: pump peak Rabi frequency Ω_p (rad/µs), ≥ 0.
            width: pulse width (µs; meaning per ``Pulse.width``), > 0.
            delay: pump centre minus Stokes centre (µs); > 0 is the STIRAP order.
            shape: envelope shape (one of ``physics.pulses.SHAPES``).

        Returns:
            ``StirapPulses`` with Stokes amplitude = amplitude · matrix_element_ratio.
        """
        return StirapPulses.counterintuitive(
            amplitude=amplitude,
            width=width,
            delay=delay,
            shape=shape,
            stokes_amplitude=amplitude * self.matrix_element_ratio,
        )
