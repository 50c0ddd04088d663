"""``bposd``: belief propagation + ordered-statistics decoding (ldpc) on the DEM hypergraph.

The check matrix is detectors × error mechanisms (``dem_hypergraph``: a decomposed DEM has its
components XORed back, so each column is the mechanism's full symptom set; mechanisms with the
same symptoms and observables are merged into one column, their probabilities combined), the
priors are the DEM probabilities, the prediction is ``observables @ error mod 2``.

Defaults are ``stimbposd``'s (the upstream it is paired with, ``tests/qec/test_upstream_pairs.py``):
product-sum BP, 30 iterations, OSD-CS of order 60 (capped, as upstream, at the number of
columns minus rows).

``BRAVYI_SETTINGS`` are the decoder settings of Bravyi et al. for their BB codes (Nature 627,
778 (2024); their repository ``sbravyi/BivariateBicycleCodes``, ``decoder_run.py``: min-sum BP
with the adaptive scaling factor 1 − 2⁻ⁱ (``ms_scaling_factor = 0``), OSD-CS of order 7),
except ``max_iter``: 1000 instead of their 10⁴. On [[72,12,6]] at p = 3·10⁻³ (6 rounds, Z and
X memories, the same 2 × 3000 shots) 10⁴ iterations took 11 ms per shot and failed 88 times,
1000 took 3.3 ms and failed 93 times (discordant shots 16 vs 12: no measurable difference),
100 took 2.7 ms but failed 104 times (discordant 27 vs 10: worse); on the gross code 1000
iterations take ~40 ms per shot against ~90 ms. ``BRAVYI_DECODER`` is the same as a decoder
name (``"bposd:..."``), which ``compare`` runs the ``"bb"`` code with.

Erasure: the herald detectors stay in the check matrix (so OSD's solution explains every fired
herald) *and*, per shot, the mechanisms flagged by a fired herald get their probability
conditional on it (¼ per Pauli of an erased qubit) through ``update_channel_probs``; a herald
that did not fire rules its mechanisms out through its check row (syndrome bit 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ldpc
import numpy as np
import stim

from qec.decoders.base import (
    DemHypergraph,
    PerShotDecoder,
    clip_probabilities,
    dem_hypergraph,
)

__all__ = ["BRAVYI_DECODER", "BRAVYI_SETTINGS", "BpOsdDecoder", "BravyiBpOsdDecoder"]

BRAVYI_SETTINGS: dict[str, Any] = {"bp_method": "minimum_sum", "max_iter": 1000,
                                   "ms_scaling_factor": 0.0, "osd_order": 7}
"""Bravyi et al.'s BP+OSD settings for the BB codes (see the module docstring)."""

BRAVYI_DECODER = "bposd-bravyi"
"""The registered name of ``bposd`` with ``BRAVYI_SETTINGS`` as defaults
(``BravyiBpOsdDecoder``; the same as ``"bposd:bp_method=minimum_sum,max_iter=1000,..."``)."""


@dataclass(frozen=True, eq=False)
class BpOsdDecoder(PerShotDecoder):
    """``bposd`` compiled for one DEM.

    Attributes:
        hyper: the DEM as matrices.
        decoder: the ``ldpc.BpOsdDecoder``.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
    """

    hyper: DemHypergraph
    decoder: Any
    num_detectors: int
    num_observables: int

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, bp_method: str = "product_sum",
                max_iter: int = 30, ms_scaling_factor: float = 0.0,
                schedule: str = "parallel", osd_method: str = "osd_cs", osd_order: int = 60,
                **options: Any) -> BpOsdDecoder:
        """Builds the decoder for ``dem`` (defaults: see the module docstring).

        Args:
            dem: a DEM (decomposed or not; hyperedges are used whole either way).
            bp_method: ``"minimum_sum"`` or ``"product_sum"``.
            max_iter: BP iterations before OSD, ≥ 1.
            ms_scaling_factor: min-sum scaling factor in [0, 1] (0 = adaptive, 1 − 2⁻ⁱ at
                iteration i).
            schedule: ``"parallel"`` or ``"serial"``.
            osd_method: ``"osd_0"``, ``"osd_e"`` or ``"osd_cs"``.
            osd_order: OSD search depth, ≥ 0.
            **options: none other is accepted (an unknown one is an error).

        Raises:
            ValueError: unknown option or out-of-range value.
        """
        if options:
            raise ValueError(f"unknown bposd option(s) {', '.join(sorted(options))}: allowed are "
                             "bp_method, max_iter, ms_scaling_factor, schedule, osd_method, "
                             "osd_order")
        if max_iter < 1:
            raise ValueError(f"max_iter = {max_iter}: must be >= 1")
        if not 0 <= ms_scaling_factor <= 1:
            raise ValueError(f"ms_scaling_factor = {ms_scaling_factor}: must be in [0, 1] "
                             "(0 = adaptive)")
        if bp_method not in ("minimum_sum", "product_sum"):
            raise ValueError(f"bp_method = {bp_method!r}: must be minimum_sum or product_sum")
        if osd_order < 0:
            raise ValueError(f"osd_order = {osd_order}: must be >= 0")
        if osd_method.lower() not in ("osd_0", "osd0", "osd_e", "osd_cs"):
            raise ValueError(f"osd_method = {osd_method!r}: must be one of osd_0, osd_e, osd_cs")
        hyper = dem_hypergraph(dem, merge_duplicates=True)
        rows, cols = hyper.check.shape
        decoder = ldpc.BpOsdDecoder(
            hyper.check, error_channel=clip_probabilities(hyper.priors).tolist(), max_iter=max_iter,
            bp_method=bp_method, ms_scaling_factor=ms_scaling_factor, schedule=schedule,
            osd_method=osd_method, osd_order=max(0, min(osd_order, cols - rows)),
            input_vector_type="syndrome")
        return cls(hyper, decoder, dem.num_detectors, dem.num_observables)

    def decode_shot(self, syndrome: np.ndarray, fired: np.ndarray) -> np.ndarray:
        """One syndrome (uint8, (num_detectors,)), heralds ``fired`` → observables (uint8)."""
        if self.hyper.heralds.size:
            self.decoder.update_channel_probs(clip_probabilities(self.hyper.erasure_priors(fired)))
        error = self.decoder.decode(syndrome)
        return (self.hyper.observables @ error) % 2


class BravyiBpOsdDecoder(BpOsdDecoder):
    """``bposd-bravyi``: ``bposd`` whose defaults are ``BRAVYI_SETTINGS`` (the BB codes')."""

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, bp_method: str = "minimum_sum",
                max_iter: int = 1000, ms_scaling_factor: float = 0.0,
                schedule: str = "parallel", osd_method: str = "osd_cs", osd_order: int = 7,
                **options: Any) -> BpOsdDecoder:
        """``BpOsdDecoder.compile`` with ``BRAVYI_SETTINGS`` as defaults (same options)."""
        return BpOsdDecoder.compile(dem, bp_method=bp_method, max_iter=max_iter,
                                    ms_scaling_factor=ms_scaling_factor, schedule=schedule,
                                    osd_method=osd_method, osd_order=osd_order, **options)
