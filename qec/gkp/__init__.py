"""Circuit-level surface-GKP code: Gaussian-shift Monte Carlo, analog decoding, stim model.

GKP data *and* ancilla modes (Noh & Chamberland, PRA 101, 012316 (2020)), or atom ancilla
qubits that read the checks by phase kickback (``ancilla="atom"``); σ (√ħ, vacuum variance ½)
is an input: ``qec`` never imports ``physics`` (the twin maps squeezing and loss onto σ).
Modules, one concern each:

* ``schedule``: the circuit (stim's rotated surface code, every qubit a GKP mode, plus a
  Steane-type GKP correction of every data mode each round; CNOT schedule option) and its
  homodyne binnings;
* ``shifts``: the direct Monte Carlo of real q/p shifts (and, on the same code path, each
  binning's exact variance and its symptoms);
* ``analog``: the space-time matching graph, prior and Noh–Chamberland renormalised weights,
  hard and analog decoding;
* ``stim_model``: the stim-compatible approximation (one independent Pauli per binning), and
  its average per operation kind for ``NoiseModel`` pipelines (``per_operation_noise``).

Example:
    >>> import numpy as np
    >>> circ = gkp_surface_circuit(3, 3)
    >>> shots = sample_shifts(circ, sigma=0.0, shots=4, rng=np.random.default_rng(0))
    >>> bool(shots.detectors.any() or shots.observables.any())
    False
"""

from qec.gkp.analog import (
    MatchingGraph,
    binning_priors,
    decode_analog,
    decode_hard,
    gkp_error_probability,
    matching_graph,
    wrap_probability,
)
from qec.gkp.schedule import (
    ANCILLAS,
    SCHEDULES,
    Binning,
    GKPSurfaceCircuit,
    gkp_surface_circuit,
    schedule_from_stim,
)
from qec.gkp.shifts import SQRT_PI, ShiftSamples, binning_sigmas, binning_symptoms, sample_shifts
from qec.gkp.stim_model import GKPNoise, PerOperationNoise, per_operation_noise, stim_circuit

__all__ = [
    "ANCILLAS",
    "SCHEDULES",
    "SQRT_PI",
    "Binning",
    "GKPNoise",
    "GKPSurfaceCircuit",
    "MatchingGraph",
    "PerOperationNoise",
    "ShiftSamples",
    "binning_priors",
    "binning_sigmas",
    "binning_symptoms",
    "decode_analog",
    "decode_hard",
    "gkp_error_probability",
    "gkp_surface_circuit",
    "matching_graph",
    "per_operation_noise",
    "sample_shifts",
    "schedule_from_stim",
    "stim_circuit",
    "wrap_probability",
]
