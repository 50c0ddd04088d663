"""Logical operations between code patches: transversal CNOT and GHZ circuits, joint decoding.

Example:
    >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
    >>> exp.resources["patches"], exp.resources["remote_gates"]
    (2, 9)
"""

from qec.logical.transversal import (
    DecodingComparison,
    GHZFidelity,
    TransversalExperiment,
    compare_decoding,
    decode_jointly,
    decode_separately,
    ghz_experiment,
    ghz_fidelity,
    joint_dem,
    logical_error,
    observable_flips,
    restrict_dem,
    sample_measurements,
    transversal_cnot_experiment,
)

__all__ = [
    "DecodingComparison",
    "GHZFidelity",
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
    "transversal_cnot_experiment",
]
