"""Three-level schemes for STIRAP: Λ (two ground states, one excited) and ladder (0 → 1 → 2).

States are indexed 0 = initial, 1 = intermediate, 2 = target. The pump drives 0 ↔ 1, the Stokes
1 ↔ 2. Units: rad/µs for detunings and rates.

Rotating-frame Hamiltonian (ħ = 1), RWA, shared by every backend::

    H(t) = Δ |1⟩⟨1| + δ |2⟩⟨2| + ½ Ωp(t) (|0⟩⟨1| + h.c.) + ½ Ωs(t) (|2⟩⟨1| + h.c.)

with Δ = ``detuning_1ph`` (one-photon detuning of the pump from 0 ↔ 1) and δ =
``detuning_2ph`` (two-photon detuning, 0 ↔ 2 Raman resonance mismatch).

Dissipation (Lindblad collapse operators):

* the intermediate state decays at population rate γ = ``gamma``: a fraction
  ``loss_fraction`` into a sink outside the system (trace loss, e.g. scattering out of the Λ
  or a lost photon), the rest back into the system: for Λ split equally into 0 and 2
  (√(γ(1−f)/2)·|0⟩⟨1|, √(γ(1−f)/2)·|2⟩⟨1|), for a ladder into 0 (√(γ(1−f))·|0⟩⟨1|);
* ladder only: the top state decays 2 → 1 at population rate ``gamma_top`` (√γ_top·|1⟩⟨2|);
* pure dephasing of the 0–2 coherence at rate γ_φ = ``dephasing``: √(γ_φ/2)·(|0⟩⟨0| − |2⟩⟨2|),
  so ρ02 decays as exp(−γ_φ t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["KINDS", "ThreeLevelSystem"]

KINDS: tuple[str, ...] = ("lambda", "ladder")


@dataclass(frozen=True)
class ThreeLevelSystem:
    """A Λ or ladder three-level system with detunings, decay and dephasing.

    Attributes:
        kind: ``"lambda"`` or ``"ladder"``.
        gamma: population decay rate of the intermediate state 1 (rad/µs, = 1/T1), ≥ 0.
        loss_fraction: fraction of ``gamma`` that leaves the system (sink), in [0, 1].
        gamma_top: ladder only: population decay rate 2 → 1 (rad/µs), ≥ 0.
        dephasing: pure dephasing rate of the 0–2 coherence (rad/µs), ≥ 0.
        detuning_1ph: one-photon detuning Δ (rad/µs).
        detuning_2ph: two-photon detuning δ (rad/µs).
    """

    kind: str = "lambda"
    gamma: float = 0.0
    loss_fraction: float = 1.0
    gamma_top: float = 0.0
    dephasing: float = 0.0
    detuning_1ph: float = 0.0
    detuning_2ph: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind = {self.kind!r}: must be one of {', '.join(KINDS)}")
        for name in ("gamma", "gamma_top", "dephasing"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} = {v}: must be finite and >= 0 (rad/µs)")
        if not (0.0 <= self.loss_fraction <= 1.0):
            raise ValueError(f"loss_fraction = {self.loss_fraction}: must be in [0, 1]")
        if self.kind == "lambda" and self.gamma_top != 0.0:
            raise ValueError(f"gamma_top = {self.gamma_top}: only a ladder has a decaying top "
                             "state; must be 0 for kind = 'lambda'")
        for name in ("detuning_1ph", "detuning_2ph"):
            v = getattr(self, name)
            if not math.isfinite(v):
                raise ValueError(f"{name} = {v}: must be finite (rad/µs)")

    def collapse_operators(self) -> list[np.ndarray]:
        """Lindblad collapse operators, each a (3, 3) complex array (sink decay as trace loss).

        The sink channel is represented as a non-Hermitian decay: ``√(γ f)·|s⟩⟨1|`` with ``|s⟩``
        outside the 3-dim space, so it contributes only ``−½ γ f {|1⟩⟨1|, ρ}``. It is returned
        separately by ``sink_rate``; the operators here keep the state inside the system.
        """
        ops: list[np.ndarray] = []
        back = self.gamma * (1.0 - self.loss_fraction)
        if back > 0:
            if self.kind == "lambda":
                for target in (0, 2):
                    op = np.zeros((3, 3), complex)
                    op[target, 1] = math.sqrt(back / 2)
                    ops.append(op)
            else:
                op = np.zeros((3, 3), complex)
                op[0, 1] = math.sqrt(back)
                ops.append(op)
        if self.gamma_top > 0:
            op = np.zeros((3, 3), complex)
            op[1, 2] = math.sqrt(self.gamma_top)
            ops.append(op)
        if self.dephasing > 0:
            ops.append(np.diag([1.0, 0.0, -1.0]).astype(complex) * math.sqrt(self.dephasing / 2))
        return ops

    @property
    def sink_rate(self) -> float:
        """Population rate (rad/µs) at which state 1 leaks into the sink: γ · loss_fraction."""
        return self.gamma * self.loss_fraction
