"""Fault-tolerant logical experiments between surface-code patches.

* ``stability``: Gidney's stability experiment (time-like errors); ``_plaquettes``: the
  plaquette-schedule circuit builder that lattice surgery shares, and the module map (which
  gates are local, which remote);
* ``surgery``: lattice-surgery ZZ / XX measurements between two patches, and a CNOT through
  an ancilla patch;
* ``transversal``: a transversal CNOT between two patches, Bell and GHZ preparations;
* ``transversal_decoding``: their decoding, jointly (one DEM across the patches) or patch by
  patch.

Every circuit is noiseless; ``qec.noise.NoiseModel.noisy_circuit(circuit,
local_pairs=exp.local_pairs)`` adds the noise, a patch's own gates local, gates between
patches remote.

Example:
    >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
    >>> exp.resources["patches"], exp.resources["remote_gates"]
    (2, 9)
"""

from qec.logical.stability import LogicalExperiment, stability_experiment
from qec.logical.surgery import surgery_cnot_experiment, surgery_experiment
from qec.logical.transversal import (
    TransversalExperiment,
    ghz_experiment,
    transversal_cnot_experiment,
)
from qec.logical.transversal_decoding import (
    DecodingComparison,
    GHZFidelity,
    compare_decoding,
    decode_jointly,
    decode_separately,
    ghz_fidelity,
    joint_dem,
    logical_error,
    observable_flips,
    restrict_dem,
    sample_measurements,
)

__all__ = [
    "DecodingComparison",
    "GHZFidelity",
    "LogicalExperiment",
    "TransversalExperiment",
    "compare_decoding",
    "decode_jointly",
    "decode_separately",
    "ghz_experiment",
    "ghz_fidelity",
    "joint_dem",
    "logical_error",
    "observable_flips",
    "restrict_dem",
    "sample_measurements",
    "stability_experiment",
    "surgery_cnot_experiment",
    "surgery_experiment",
    "transversal_cnot_experiment",
]
