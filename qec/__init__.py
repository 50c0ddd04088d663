"""QEC layer: stim circuits carrying the extracted noise, codes, decoders, sinter estimation.

Imports numpy, scipy, stim, pymatching, sinter and ldpc only; never ``physics``, ``control``
or ``twin`` (see DESIGN.md, layering). ``sinter`` is imported by ``qec.montecarlo`` only.

Modules, one concern each:

* ``noise``: ``NoiseModel`` (per-operation Pauli + heralded erasure) → noisy stim circuits;
* ``codes``: memory experiments of the surface, XZZX, cat-repetition, GKP-surface, colour and
  bivariate-bicycle codes;
* ``decoders``: the decoder registry (built-in and user decoders by name), their shared base
  and one module per decoder;
* ``sampling``: the sample-and-decode path the twin loop and the benchmarks run;
* ``montecarlo``: sinter tasks, adapters and collection (resumable CSV);
* ``stats``: per-round normalisation, intervals, Λ, thresholds, projections.
* ``distance``: proven lower bounds on a DEM's circuit distance (exhaustive search).

Example:
    >>> exp = memory_experiment("surface", distance=3, rounds=3)
    >>> circuit = NoiseModel.uniform_depolarizing(0.001).noisy_circuit(exp.circuit)
    >>> len(circuit.shortest_graphlike_error())  # the code distance
    3
    >>> rate = logical_rate(shots=10_000, errors=12, rounds=3)
    >>> rate.per_round < rate.per_round_ci[1]
    True
"""

from qec.codes import (
    BASES,
    CODES,
    MemoryExperiment,
    allowed_distances,
    cat_noise_model,
    code_capacity_experiment,
    memory_experiment,
)
from qec.decoders import (
    BUILTIN_DECODERS,
    CompiledDecoder,
    compile_decoder,
    decoder_dem,
    decoder_names,
    register_decoder,
    unregister_decoder,
)
from qec.montecarlo import collect, make_task, sinter_decoders
from qec.noise import (
    HERALD_COORD,
    PAULI2_ORDER,
    PAULI2_WITH_IDENTITY,
    NoiseModel,
    OpNoise,
    TwoQubitNoise,
    herald_detectors,
    herald_mask,
    herald_pairs,
    herald_qubits,
)
from qec.sampling import BatchOutcome, Sampled, SampleDecoder, sample_and_decode
from qec.stats import (
    LogicalRate,
    Suppression,
    any_failure_per_round,
    fit_suppression,
    logical_rate,
    per_round,
    per_round_any,
    threshold_crossing,
)

__all__ = [
    "BASES",
    "BUILTIN_DECODERS",
    "CODES",
    "HERALD_COORD",
    "PAULI2_ORDER",
    "PAULI2_WITH_IDENTITY",
    "BatchOutcome",
    "CompiledDecoder",
    "LogicalRate",
    "MemoryExperiment",
    "NoiseModel",
    "OpNoise",
    "SampleDecoder",
    "Sampled",
    "Suppression",
    "TwoQubitNoise",
    "allowed_distances",
    "any_failure_per_round",
    "cat_noise_model",
    "code_capacity_experiment",
    "collect",
    "compile_decoder",
    "decoder_dem",
    "decoder_names",
    "fit_suppression",
    "herald_detectors",
    "herald_mask",
    "herald_pairs",
    "herald_qubits",
    "logical_rate",
    "make_task",
    "memory_experiment",
    "per_round",
    "per_round_any",
    "register_decoder",
    "sample_and_decode",
    "sinter_decoders",
    "threshold_crossing",
    "unregister_decoder",
]
