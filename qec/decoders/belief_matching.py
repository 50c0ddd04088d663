"""``belief-matching``: BP posteriors re-weight the matching graph, per shot.

Higgott, Bohdanowicz, Kubica, Flammia, Campbell, "Improved decoding of circuit noise and fragile
boundaries of tailored surface codes", PRX 13, 031007 (2023). Per shot:

1. BP (``ldpc.BpDecoder``, product-sum, 20 iterations: the paper's and the ``beliefmatching``
   package's defaults) on the DEM hypergraph (detectors × mechanisms, the decomposed DEM's
   components XORed back) gives the posterior probability p_m of every mechanism; when BP
   *converges* (its hard decision explains the syndrome) that decision is the prediction and
   no matching is run, as upstream does;
2. otherwise each edge e of the decomposed matching graph takes the probability that an odd
   number of the mechanisms containing it occurred, p_e = ½(1 − ∏_m (1 − 2 p_m)), weight
   log((1 − p_e)/p_e) (negative when p_e > ½, which pymatching accepts);
3. minimum-weight perfect matching on that graph (pymatching) predicts the observables.

Erasure: as ``bposd``, herald rows stay in the BP check matrix and the mechanisms flagged by a
fired herald get their conditional probability as priors for that shot; herald bits are
cleared before matching (the matching graph has no herald node).
Empty syndromes are predicted as no flip without running anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ldpc
import numpy as np
import pymatching
import scipy.sparse as sp
import stim

from qec.decoders.base import (
    DemHypergraph,
    PerShotDecoder,
    clip_probabilities,
    dem_hypergraph,
)

__all__ = ["BeliefMatchingDecoder", "edge_incidence"]


@dataclass(frozen=True)
class EdgeIncidence:
    """The decomposed matching graph of a DEM and which mechanisms contain each edge.

    Attributes:
        edge_check: detectors × edges, uint8 CSC, shape (num_detectors, n_edges); an edge
            with one detector goes to the boundary.
        edge_observables: observables × edges, uint8 CSC, shape (num_observables, n_edges).
        incidence: edges × mechanisms, float CSR, shape (n_edges, n_mech).
    """

    edge_check: sp.csc_matrix
    edge_observables: sp.csc_matrix
    incidence: sp.csr_matrix


def edge_incidence(hyper: DemHypergraph) -> EdgeIncidence:
    """Builds the matching graph from the mechanisms' graphlike components.

    Args:
        hyper: ``dem_hypergraph`` of a decomposed DEM.

    Returns:
        The ``EdgeIncidence``.

    Raises:
        ValueError: a component with more than two detectors (DEM not decomposed).
    """
    index: dict[tuple[int, ...], int] = {}
    edge_obs: list[int] = []
    inc_rows: list[int] = []
    inc_cols: list[int] = []
    for j, (comps, masks) in enumerate(zip(hyper.components, hyper.component_observables,
                                           strict=True)):
        for comp, obs in zip(comps, masks, strict=True):
            if len(comp) > 2:
                raise ValueError(f"error mechanism {j} has a component with detectors {comp}: "
                                 "belief-matching needs a decomposed DEM "
                                 "(decoder_dem(circuit, decompose=True))")
            e = index.setdefault(comp, len(index))
            if e == len(edge_obs):
                edge_obs.append(obs)
            inc_rows.append(e)
            inc_cols.append(j)
    n_edges = len(index)
    det_rows = [d for comp in index for d in comp]
    det_cols = [e for comp, e in index.items() for _ in comp]
    edge_check = sp.csc_matrix((np.ones(len(det_rows), np.uint8), (det_rows, det_cols)),
                               shape=(hyper.check.shape[0], n_edges))
    n_obs = hyper.observables.shape[0]
    o_rows = [k for e, o in enumerate(edge_obs) for k in range(n_obs) if (o >> k) & 1]
    o_cols = [e for e, o in enumerate(edge_obs) for k in range(n_obs) if (o >> k) & 1]
    edge_observables = sp.csc_matrix((np.ones(len(o_rows), np.uint8), (o_rows, o_cols)),
                                      shape=(n_obs, n_edges))
    incidence = sp.csr_matrix((np.ones(len(inc_rows)), (inc_rows, inc_cols)),
                              shape=(n_edges, hyper.num_mechanisms))
    return EdgeIncidence(edge_check, edge_observables, incidence)


def edge_weights(incidence: sp.csr_matrix, posteriors: np.ndarray) -> np.ndarray:
    """Matching weights of the edges from the mechanisms' posterior probabilities.

    Args:
        incidence: edges × mechanisms, shape (n_edges, n_mech).
        posteriors: probability of each mechanism, shape (n_mech,).

    Returns:
        log((1 − p_e)/p_e) with p_e = ½(1 − ∏(1 − 2 p_m)), shape (n_edges,).
    """
    v = 1.0 - 2.0 * posteriors
    log_abs = incidence @ np.log(np.maximum(np.abs(v), 1e-300))
    negative = (incidence @ (v < 0).astype(np.float64)) % 2
    x = np.where(negative > 0.5, -1.0, 1.0) * np.exp(log_abs)
    x = np.clip(x, -1 + 1e-12, 1 - 1e-12)
    return 2.0 * np.arctanh(x)


@dataclass(frozen=True, eq=False)
class BeliefMatchingDecoder(PerShotDecoder):
    """``belief-matching`` compiled for one DEM.

    Attributes:
        hyper: the DEM as matrices (BP).
        graph: the matching graph and its incidence on the mechanisms.
        bp: the ``ldpc.BpDecoder``.
        num_detectors: detectors per shot (heralds included).
        num_observables: observables per shot.
    """

    hyper: DemHypergraph
    graph: EdgeIncidence
    bp: Any
    num_detectors: int
    num_observables: int

    @classmethod
    def compile(cls, dem: stim.DetectorErrorModel, *, bp_method: str = "product_sum",
                max_iter: int = 20, ms_scaling_factor: float = 0.625,
                schedule: str = "parallel", **options: Any) -> BeliefMatchingDecoder:
        """Builds the decoder for ``dem``.

        Args:
            dem: a decomposed DEM (``decoder_dem(circuit, decompose=True)``).
            bp_method: ``"product_sum"`` (default, the paper's and upstream's) or
                ``"minimum_sum"``.
            max_iter: BP iterations, ≥ 1.
            ms_scaling_factor: min-sum scaling factor (used by ``"minimum_sum"``).
            schedule: ``"parallel"`` or ``"serial"``.
            **options: none other is accepted (an unknown one is an error).

        Raises:
            ValueError: unknown option, out-of-range value, non-decomposed DEM.
        """
        if options:
            raise ValueError(f"unknown belief-matching option(s) {', '.join(sorted(options))}: "
                             "allowed are bp_method, max_iter, ms_scaling_factor, schedule")
        if max_iter < 1:
            raise ValueError(f"max_iter = {max_iter}: must be >= 1")
        hyper = dem_hypergraph(dem, merge_duplicates=True)  # as upstream: BP on merged columns
        graph = edge_incidence(hyper)
        bp = ldpc.BpDecoder(hyper.check, error_channel=clip_probabilities(hyper.priors).tolist(),
                            max_iter=max_iter, bp_method=bp_method,
                            ms_scaling_factor=ms_scaling_factor, schedule=schedule,
                            input_vector_type="syndrome")
        return cls(hyper, graph, bp, dem.num_detectors, dem.num_observables)

    def decode_shot(self, syndrome: np.ndarray, fired: np.ndarray) -> np.ndarray:
        """One syndrome (uint8, (num_detectors,)), heralds ``fired`` → observables (uint8)."""
        if self.hyper.heralds.size:
            self.bp.update_channel_probs(clip_probabilities(self.hyper.erasure_priors(fired)))
        decision = self.bp.decode(syndrome)
        if self.bp.converge:  # BP explained the syndrome: no matching needed
            return ((self.hyper.observables @ np.asarray(decision, dtype=np.uint8)) % 2).astype(
                np.uint8)
        posteriors = 1.0 / (1.0 + np.exp(np.asarray(self.bp.log_prob_ratios)))
        weights = edge_weights(self.graph.incidence, posteriors)
        matching = pymatching.Matching.from_check_matrix(
            self.graph.edge_check, weights=weights, faults_matrix=self.graph.edge_observables)
        if self.hyper.heralds.size:
            syndrome = syndrome.copy()
            syndrome[self.hyper.heralds] = 0
        return matching.decode(syndrome)
