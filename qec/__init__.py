"""QEC layer: stim circuits carrying the extracted noise, codes, decoders, sinter estimation.

Imports numpy, scipy, stim, pymatching, sinter and ldpc only; never ``physics``, ``control``
or ``twin`` (see DESIGN.md, layering). ``sinter`` is imported by ``qec.montecarlo`` only.

Modules, one concern each:

* ``noise``: ``NoiseModel`` (per-operation Pauli + heralded erasure) → noisy stim circuits;
* ``codes``: memory experiments of the surface, XZZX, cat-repetition and GKP-surface codes;
* ``decoding``: the decoder interface and registry; ``matching`` (mwpm, correlated, erasure),
  ``bposd``, ``belief_matching``: the decoders;
* ``sampling``: the sample-and-decode path (one compiled sampler + decoder, many batches);
* ``montecarlo``: sinter tasks, adapters and collection (resumable CSV);
* ``stats``: per-round normalisation, intervals, Λ, thresholds, projections.
"""

from qec.codes import (
    BASES,
    CODES,
    MemoryExperiment,
    cat_noise_model,
    code_capacity_experiment,
    memory_experiment,
)
from qec.decoding import DECODERS, CompiledDecoder, compile_decoder, decoder_dem
from qec.montecarlo import collect, make_task, sinter_decoders
from qec.noise import (
    HERALD_COORD,
    PAULI2_ORDER,
    NoiseModel,
    OpNoise,
    TwoQubitNoise,
    herald_detectors,
)
from qec.sampling import BatchOutcome, SampleDecoder
from qec.stats import (
    LogicalRate,
    Suppression,
    fit_suppression,
    logical_rate,
    per_round,
    threshold_crossing,
)

__all__ = [
    "BASES",
    "CODES",
    "DECODERS",
    "HERALD_COORD",
    "PAULI2_ORDER",
    "BatchOutcome",
    "CompiledDecoder",
    "LogicalRate",
    "MemoryExperiment",
    "NoiseModel",
    "OpNoise",
    "SampleDecoder",
    "Suppression",
    "TwoQubitNoise",
    "cat_noise_model",
    "code_capacity_experiment",
    "collect",
    "compile_decoder",
    "decoder_dem",
    "fit_suppression",
    "herald_detectors",
    "logical_rate",
    "make_task",
    "memory_experiment",
    "per_round",
    "sinter_decoders",
    "threshold_crossing",
]
