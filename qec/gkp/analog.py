"""Analog (soft) information of GKP homodyne readings → edge weights → matching.

Every binning of ``qec.gkp.shifts`` is one edge of the 3D space-time matching graph (its
wrong rounding flips at most two detectors; binnings with the same detectors and observables
are merged into one edge). Two weightings:

* **uniform (hard)**: each binning fails with its prior probability P(σ_b), the GKP error
  probability of the Gaussian shift it reads (σ_b from ``binning_sigmas``);
* **renormalised (analog)**, Noh & Chamberland (PRA 101, 012316 (2020), Sec. IV): given the
  measured deviation z of a binning, the conditional probability that the true shift was
  rounded to the wrong parity,

      p(z) = Σ_n g(z + (2n+1)√π) / Σ_n g(z + n√π),   g(u) = exp(−u² / (2σ_b²)),

  and the edge weight log((1 − p) / p). A deviation near 0 gives a heavy edge, one near
  ±√π/2 an edge of weight ≈ 0.

pymatching has no per-shot weight API: the graph is built once as a check matrix and, per
shot, a ``pymatching.Matching`` is rebuilt from it with that shot's weights
(``from_check_matrix``); ``bench.bench_gkp`` reports the cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pymatching
import scipy.sparse as sp

from qec.gkp.schedule import GKPSurfaceCircuit
from qec.gkp.shifts import SQRT_PI, binning_sigmas, binning_symptoms

__all__ = [
    "MatchingGraph",
    "binning_priors",
    "decode_analog",
    "decode_hard",
    "gkp_error_probability",
    "matching_graph",
    "wrap_probability",
]

_P_MIN = 1e-300


def gkp_error_probability(sigma: np.ndarray | float) -> np.ndarray:
    """Probability that a shift u ~ N(0, σ²) is rounded to an odd multiple of √π.

    P = Σ_k [Φ((2k + 3/2)√π/σ) − Φ((2k + ½)√π/σ)] over all integers k (erfc sums), as
    ``physics.gkp.gkp_error_probability`` (which ``qec`` may not import).

    Args:
        sigma: σ (√ħ), ≥ 0, any shape.

    Returns:
        P in [0, ½], the shape of ``sigma``.
    """
    from scipy.special import erfc

    s = np.maximum(np.asarray(sigma, float), 1e-300) * math.sqrt(2.0)
    total = np.zeros_like(s)
    for k in range(12):
        total += erfc((2 * k + 0.5) * SQRT_PI / s) - erfc((2 * k + 1.5) * SQRT_PI / s)
    return np.clip(total, 0.0, 0.5)


def wrap_probability(z: np.ndarray, sigma: np.ndarray | float, *, n_terms: int = 3
                     ) -> np.ndarray:
    """Noh–Chamberland conditional probability of a wrong rounding given the deviation z.

    Args:
        z: measured deviations from the nearest multiple of √π (√ħ), any shape.
        sigma: prior σ of the binned shift (√ħ), broadcast against ``z``, > 0.
        n_terms: multiples n = −n_terms … n_terms kept in the sums.

    Returns:
        p(z) in [0, ½], the broadcast shape.
    """
    z = np.asarray(z, float)
    s2 = 2.0 * np.square(np.asarray(sigma, float))
    n = np.arange(-2 * n_terms, 2 * n_terms + 2)
    u = z[..., None] + n * SQRT_PI
    logs = -np.square(u) / s2[..., None] if np.ndim(s2) else -np.square(u) / s2
    m = logs.max(axis=-1, keepdims=True)
    w = np.exp(logs - m)
    odd = w[..., (n % 2) == 1].sum(axis=-1)
    return odd / w.sum(axis=-1)


def binning_priors(circ: GKPSurfaceCircuit, *, sigma: float, sigma_loss: float = 0.0,
                   atom_flip: float = 0.0) -> np.ndarray:
    """Prior failure probability of every binning.

    A GKP binning of a shift of standard deviation σ_b fails with P(σ_b)
    (``gkp_error_probability``); an atom ancilla's reading of a summed shift z ~ N(0, σ_b²)
    fails with E[sin²(√π z / 2)] = (1 − exp(−π σ_b² / 2)) / 2, XOR its own readout flip.

    Args:
        circ: the schedule.
        sigma: σ of every GKP state preparation (√ħ).
        sigma_loss: σ of the loss per round (√ħ).
        atom_flip: readout flip probability of an atom ancilla, in [0, ½].

    Returns:
        Probabilities, shape (n_bins,).
    """
    sig = binning_sigmas(circ, sigma=sigma, sigma_loss=sigma_loss)
    p = gkp_error_probability(sig)
    atom = np.array([b.kind == "atom" for b in circ.binnings])
    if atom.any():
        pa = 0.5 * (1.0 - np.exp(-np.pi * np.square(sig[atom]) / 2.0))
        p[atom] = pa + atom_flip - 2.0 * pa * atom_flip
    return p


@dataclass(frozen=True)
class MatchingGraph:
    """The space-time matching graph of one surface-GKP circuit.

    Attributes:
        check: detectors × edges incidence, ``scipy.sparse.csc_matrix`` uint8,
            shape (n_det, n_edges).
        faults: observables × edges, csc uint8, shape (n_obs, n_edges).
        edge_of_bin: edge index of every binning (−1: it flips nothing), shape (n_bins,).
        sigmas: prior σ_b of every binning (√ħ), shape (n_bins,).
        priors: prior failure probability of every binning (``binning_priors``), shape
            (n_bins,).
        analog: which binnings carry an analog value (not the atom readings), bool,
            shape (n_bins,).
    """

    check: sp.csc_matrix
    faults: sp.csc_matrix
    edge_of_bin: np.ndarray
    sigmas: np.ndarray
    priors: np.ndarray
    analog: np.ndarray

    @property
    def num_edges(self) -> int:
        """Number of (merged) edges."""
        return self.check.shape[1]

    def edge_probabilities(self, p_bin: np.ndarray) -> np.ndarray:
        """Merge per-binning flip probabilities into per-edge ones (independent XOR).

        Args:
            p_bin: probabilities, shape (..., n_bins).

        Returns:
            shape (..., n_edges): ½(1 − Π(1 − 2p)) over the binnings of each edge.
        """
        keep = self.edge_of_bin >= 0
        logs = np.log(np.clip(1.0 - 2.0 * np.asarray(p_bin)[..., keep], 1e-300, None))
        out = np.zeros(np.shape(p_bin)[:-1] + (self.num_edges,))
        np.add.at(out.T, self.edge_of_bin[keep], np.moveaxis(logs, -1, 0))
        return 0.5 * (1.0 - np.exp(out))

    def matching(self, p_edge: np.ndarray) -> pymatching.Matching:
        """A ``pymatching.Matching`` with weights log((1 − p)/p).

        Args:
            p_edge: edge probabilities, shape (n_edges,).
        """
        p = np.clip(p_edge, _P_MIN, 0.5 - 1e-12)
        return pymatching.Matching.from_check_matrix(
            self.check, weights=np.log((1.0 - p) / p), faults_matrix=self.faults,
            use_virtual_boundary_node=True)


def matching_graph(circ: GKPSurfaceCircuit, *, sigma: float, sigma_loss: float = 0.0,
                   atom_flip: float = 0.0) -> MatchingGraph:
    """The matching graph of ``circ`` with the priors of GKP noise σ (and loss).

    Args:
        circ: the schedule.
        sigma: σ of every GKP state preparation (√ħ).
        sigma_loss: σ of the loss per round (√ħ).
        atom_flip: readout flip probability of an atom ancilla (``ancilla="atom"``).

    Returns:
        The graph.

    Raises:
        ValueError: if a binning flips more than two detectors (not graphlike).
    """
    det, obs = binning_symptoms(circ)
    if (det.sum(axis=1) > 2).any():
        raise ValueError("a binning flips more than two detectors: not graphlike")
    keys: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    edge_of_bin = np.full(len(circ.binnings), -1)
    for b in range(len(circ.binnings)):
        key = (tuple(np.flatnonzero(det[b])), tuple(np.flatnonzero(obs[b])))
        if not key[0]:
            continue  # undetectable: flips nothing (or, at d ≥ 3, never a logical alone)
        edge_of_bin[b] = keys.setdefault(key, len(keys))
    check = sp.lil_matrix((det.shape[1], len(keys)), dtype=np.uint8)
    faults = sp.lil_matrix((obs.shape[1], len(keys)), dtype=np.uint8)
    for (ds, os_), e in keys.items():
        for d in ds:
            check[d, e] = 1
        for o in os_:
            faults[o, e] = 1
    return MatchingGraph(check.tocsc(), faults.tocsc(), edge_of_bin,
                         binning_sigmas(circ, sigma=sigma, sigma_loss=sigma_loss),
                         binning_priors(circ, sigma=sigma, sigma_loss=sigma_loss,
                                        atom_flip=atom_flip),
                         np.array([b.kind != "atom" for b in circ.binnings]))


def decode_hard(graph: MatchingGraph, detectors: np.ndarray) -> np.ndarray:
    """Decodes with the prior (uniform-in-shot) weights.

    Args:
        graph: the matching graph.
        detectors: detection events, bool, shape (shots, n_det).

    Returns:
        Predicted observable flips, bool, shape (shots, n_obs).
    """
    m = graph.matching(graph.edge_probabilities(graph.priors))
    return m.decode_batch(detectors).astype(bool)


def decode_analog(graph: MatchingGraph, detectors: np.ndarray,
                  deviations: np.ndarray) -> np.ndarray:
    """Decodes each shot with its renormalised weights (Noh–Chamberland).

    Binnings without an analog value (atom readings) keep their prior weight.

    Args:
        graph: the matching graph.
        detectors: detection events, bool, shape (shots, n_det).
        deviations: analog deviations of every binning (√ħ), shape (shots, n_bins).

    Returns:
        Predicted observable flips, bool, shape (shots, n_obs).
    """
    soft = wrap_probability(np.nan_to_num(deviations), graph.sigmas)
    p_edge = graph.edge_probabilities(np.where(graph.analog, soft, graph.priors))
    out = np.zeros((detectors.shape[0], graph.faults.shape[0]), bool)
    for i in range(detectors.shape[0]):
        if detectors[i].any():
            out[i] = graph.matching(p_edge[i]).decode(detectors[i]).astype(bool)
    return out
