"""The stim model of the surface-GKP memory circuit: one independent Pauli per binning.

``qec.gkp.shifts`` tracks the real shift of every mode; a logical error arises only where a
homodyne reading is *binned* (rounded to a multiple of √π), and the shift read there is an
exact linear combination of independent Gaussian sources with standard deviation σ_b
(``binning_sigmas``). The stim model keeps the exact circuit and replaces the shifts by one
independent Pauli error per binning, with the GKP error probability P(σ_b) of that binning:

* a data correction of q (p) that rounds wrongly → ``X_ERROR`` (``Z_ERROR``) on the data
  qubit where the round's correction happens;
* a syndrome or final readout that rounds wrongly → the measurement's flip probability
  (``M(p)``, ``MR(p)``, ``MX(p)``).

stim then propagates these Paulis through the CNOTs exactly (integer multiples of √π propagate
through SUM gates as Paulis do). The approximation: in the Monte Carlo the continuous shifts
add as reals *before* binning, so binnings that read overlapping sources (a data shift read by
a syndrome ancilla and then by that data's next correction) fail in a correlated way; stim
treats them as independent (Paulis add mod 2). The marginal failure probability of every
binning is exact. Validated against the Monte Carlo on d = 3 at two squeezings, without analog
information (``tests/qec/test_gkp_circuit.py``).
"""

from __future__ import annotations

import stim

from qec.gkp.analog import gkp_error_probability
from qec.gkp.shifts import GKPSurfaceCircuit, binning_sigmas

__all__ = ["stim_circuit"]


def stim_circuit(circ: GKPSurfaceCircuit, *, sigma: float, sigma_loss: float = 0.0
                 ) -> stim.Circuit:
    """The stim circuit of the surface-GKP memory experiment with one Pauli per binning.

    Args:
        circ: the schedule (``gkp_surface_circuit``).
        sigma: σ of every GKP state preparation per quadrature (√ħ), ≥ 0.
        sigma_loss: σ of the loss per round on each data mode (√ħ), ≥ 0.

    Returns:
        A stim circuit with the same detectors and observables as ``circ.circuit``.
    """
    probs = gkp_error_probability(binning_sigmas(circ, sigma=sigma, sigma_loss=sigma_loss))
    out = stim.Circuit()
    b = 0
    for inst in circ.circuit:
        name = inst.name
        if name == "DEPOLARIZE1":
            for t in inst.targets_copy():
                out.append("X_ERROR", [t.value], float(probs[b]))
                out.append("Z_ERROR", [t.value], float(probs[b + 1]))
                b += 2
        elif name in ("M", "MR", "MX", "MRX"):
            for t in inst.targets_copy():
                out.append(name, [t.value], float(probs[b]))
                b += 1
        else:
            out.append(inst)
    return out
