"""The stim model of the surface-GKP memory circuit: one independent Pauli per binning.

``qec.gkp.shifts`` tracks the real shift of every mode; a logical error arises only where a
homodyne reading is *binned* (rounded to a multiple of √π), and the shift read there is an
exact linear combination of independent Gaussian sources with standard deviation σ_b
(``binning_sigmas``). The stim model keeps the exact circuit and replaces the shifts by one
independent Pauli error per binning, with the GKP error probability P(σ_b) of that binning:

* a data correction of q (p) that rounds wrongly → ``X_ERROR`` (``Z_ERROR``) on the data
  qubit where the round's correction happens;
* a syndrome or final readout that rounds wrongly → the measurement's flip probability
  (``M(p)``, ``MR(p)``, ``MX(p)``); an atom ancilla's readout (``ancilla="atom"``) flips with
  E[sin²(√π z/2)] = (1 − exp(−π σ_b²/2))/2 XOR its own readout flip (``binning_priors``).

stim then propagates these Paulis through the CNOTs exactly (integer multiples of √π propagate
through SUM gates as Paulis do). The approximation: in the Monte Carlo the continuous shifts
add as reals *before* binning, so binnings that read overlapping sources (a data shift read by
a syndrome ancilla and then by that data's next correction) fail in a correlated way; stim
treats them as independent (Paulis add mod 2). The marginal failure probability of every
binning is exact. Validated against the Monte Carlo on d = 3 at two squeezings, without analog
information (``tests/qec/test_gkp_circuit.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import stim

from qec.gkp.analog import binning_priors, gkp_error_probability
from qec.gkp.schedule import SCHEDULES, GKPSurfaceCircuit, gkp_surface_circuit
from qec.gkp.shifts import binning_sigmas
from qec.noise import OpNoise

__all__ = ["GKPNoise", "PerOperationNoise", "per_operation_noise", "stim_circuit"]


@dataclass(frozen=True)
class GKPNoise:
    """GKP-only noise of the surface-GKP circuit, as ``memory_experiment``'s ``data_noise``.

    Passed to ``qec.codes.memory_experiment("gkp-surface", ..., data_noise=GKPNoise(...))``,
    it makes the experiment's circuit the stim model of this module (the noise is in the
    circuit; add no ``NoiseModel`` on top for GKP-only noise).

    Attributes:
        sigma: σ of every GKP state preparation per quadrature (√ħ), ≥ 0: finite squeezing,
            σ² = 10^(−dB/10)/2.
        sigma_loss: σ of the Gaussian displacement that the loss of one round is, per data
            mode (√ħ), ≥ 0: σ_loss² = 1 − η.
        ancilla: ``"gkp"`` (GKP ancilla modes) or ``"atom"`` (atom ancilla qubits), as
            ``qec.gkp.gkp_surface_circuit``.
        atom_flip: readout flip probability of an atom ancilla, in [0, ½].
        schedule: the round's schedule, one of ``qec.gkp.SCHEDULES`` (default ``"split"``).
    """

    sigma: float
    sigma_loss: float = 0.0
    ancilla: str = "gkp"
    atom_flip: float = 0.0
    schedule: str = "split"

    def __post_init__(self) -> None:
        for name in ("sigma", "sigma_loss"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) \
                    or v < 0:
                raise ValueError(f"{name} = {v!r}: must be finite and >= 0 (√ħ)")
        if self.ancilla not in ("gkp", "atom"):
            raise ValueError(f"ancilla = {self.ancilla!r}: must be 'gkp' or 'atom'")
        if not (isinstance(self.atom_flip, int | float) and 0.0 <= self.atom_flip <= 0.5):
            raise ValueError(f"atom_flip = {self.atom_flip!r}: must be in [0, 0.5]")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule = {self.schedule!r}: must be one of "
                             f"{', '.join(map(repr, SCHEDULES))}")

    def scaled(self, factor: float) -> GKPNoise:
        """Both variances multiplied by ``factor`` ≥ 0 (a noise-scale sweep)."""
        s = max(0.0, float(factor)) ** 0.5
        return GKPNoise(self.sigma * s, self.sigma_loss * s, self.ancilla,
                        min(0.5, self.atom_flip * s * s), self.schedule)


def stim_circuit(circ: GKPSurfaceCircuit, *, sigma: float, sigma_loss: float = 0.0,
                 atom_flip: float = 0.0) -> stim.Circuit:
    """The stim circuit of the surface-GKP memory experiment with one Pauli per binning.

    Args:
        circ: the schedule (``gkp_surface_circuit``).
        sigma: σ of every GKP state preparation per quadrature (√ħ), ≥ 0.
        sigma_loss: σ of the loss per round on each data mode (√ħ), ≥ 0.
        atom_flip: readout flip probability of an atom ancilla (``ancilla="atom"``).

    Returns:
        A stim circuit with the same detectors and observables as ``circ.circuit``.
    """
    probs = binning_priors(circ, sigma=sigma, sigma_loss=sigma_loss, atom_flip=atom_flip)
    out = stim.Circuit()
    b = 0
    for inst in circ.circuit:
        name = inst.name
        if name == "DEPOLARIZE1":
            for t in inst.targets_copy():
                out.append("X_ERROR", [t.value], float(probs[b]))
                out.append("Z_ERROR", [t.value], float(probs[b + 1]))
                b += 2
        elif name in ("X_ERROR", "Z_ERROR", "M", "MR", "MX", "MRX"):
            # X_ERROR / Z_ERROR: the q or the p correction alone; M…: a homodyne readout
            for t in inst.targets_copy():
                out.append(name, [t.value], float(probs[b]))
                b += 1
        else:
            out.append(inst)
    return out


@dataclass(frozen=True)
class PerOperationNoise:
    """The stim model averaged per operation kind (for ``NoiseModel``-based pipelines).

    Attributes:
        data: Pauli channel on every data qubit at the start of every round: X from the q
            correction, Z from the p correction, independent (px = P_q(1 − P_p),
            py = P_q·P_p, pz = P_p(1 − P_q)).
        measure_flip: flip probability of every measurement (syndrome and final readout).
        sigma: σ of a GKP preparation (√ħ) it was computed for.
        sigma_loss: σ of the loss per round (√ħ) it was computed for.
    """

    data: OpNoise
    measure_flip: float
    sigma: float
    sigma_loss: float


@functools.cache
def _bulk() -> GKPSurfaceCircuit:
    return gkp_surface_circuit(5, 5)


def per_operation_noise(sigma: float, *, sigma_loss: float = 0.0) -> PerOperationNoise:
    """The stim model's binning probabilities averaged per kind over a d = 5 bulk.

    Averages P(σ_b) over the data corrections (q and p separately) and over the syndrome
    readouts of rounds 2 … 5 of a d = 5, 5-round schedule (after the first round the σ_b are
    stationary); the final readout is averaged in with the syndromes. Heterogeneity (boundary
    modes, weight-2 checks: lower σ_b) is lost: the result is slightly pessimistic at the
    boundary.

    Args:
        sigma: σ of every GKP state preparation per quadrature (√ħ), ≥ 0.
        sigma_loss: σ of the loss per round on each data mode (√ħ), ≥ 0.

    Returns:
        The averaged noise.
    """
    circ = _bulk()
    probs = gkp_error_probability(binning_sigmas(circ, sigma=sigma, sigma_loss=sigma_loss))
    kinds = np.array([b.kind for b in circ.binnings])
    late = np.array([b.round >= 1 for b in circ.binnings])
    pq = float(probs[(kinds == "ec_q") & late].mean())
    pp = float(probs[(kinds == "ec_p") & late].mean())
    pm = float(probs[(kinds == "meas") & late].mean())
    data = OpNoise(px=pq * (1 - pp), py=pq * pp, pz=pp * (1 - pq))
    return PerOperationNoise(data, pm, float(sigma), float(sigma_loss))
