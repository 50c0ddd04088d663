"""Syndrome statistics: streaming pair counts → edge probabilities → a re-weighted decoder model.

The controller sees detection events only. For two detectors i and j, the events x_i and x_j are
XORs of independent error mechanisms; with respect to the pair, every mechanism is of one of
three kinds: it flips both (together they flip both with probability p_ij), only i, or only j.
The first two moments then give p_ij exactly (Spitz et al., Adv. Quantum Technol. 1, 1800012,
2018; Google Quantum AI, Nature 595, 383, 2021):

    p_ij = ½ − ½·sqrt(1 − 4(⟨x_i x_j⟩ − ⟨x_i⟩⟨x_j⟩) / (1 − 2⟨x_i⟩ − 2⟨x_j⟩ + 4⟨x_i x_j⟩)),

where p_ij is the XOR-combination of *every* mechanism whose symptoms contain both i and j,
hyperedges included (``dem_marginal_truth`` computes that quantity from a DEM). A detector's
boundary term then follows from its rate and the edges at it:

    p_i^b = ½ − ½·(1 − 2⟨x_i⟩) / Π_{j ∈ N(i)} (1 − 2 p_ij).

Only the pairs the error model can connect are counted (``EdgeModel``, a few hundred at d = 5),
on bit-packed detector columns: the shots × detectors bit matrix of a window is transposed 8 × 8
bits at a time into one packed column per detector, then ⟨x_i x_j⟩ = popcount(col_i & col_j) /
shots. A 10⁴-shot window of a d = 5 memory (120 detectors) costs well under a millisecond
(``bench/bench_estimator.py``).

Windows are merged with exponential forgetting (``PairCounter(forgetting=f)``): the past is
weighted by f per new window, so the effective shot count converges to shots / (1 − f). Small
windows are shrunk toward the nominal model (``estimate(pseudo_count=k)``): k shots worth of
prior belief, so a short window never makes the decoder worse than its stale priors.

``reweighted_dem`` writes the estimate back into the decomposed DEM that the decoders use:
every error instruction is multiplied by the estimated / prior ratio of its graphlike
component(s) (the geometric mean of the ratios for ``^``-decomposed hyperedges), so the
structure, the decomposition and the herald detectors are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import stim

from qec.noise import herald_detectors

__all__ = [
    "dem_mechanisms",
    "EdgeModel",
    "Estimate",
    "PairCounter",
    "boundary_probabilities",
    "dem_detector_rates",
    "dem_marginal_truth",
    "estimate",
    "pair_probabilities",
    "reweighted_dem",
]

_P_MAX = 0.5 - 1e-9
"""Largest edge probability used inside products of (1 − 2p) (keeps the logs finite)."""

_CHUNK = 16384
"""Shots per block in ``PairCounter.update`` (the block's columns stay in cache)."""

_RATIO_MIN = 1e-3
"""Smallest estimated / prior ratio written into a DEM (an edge never vanishes altogether)."""


# --- DEM parsing ------------------------------------------------------------------------------
def dem_mechanisms(dem: stim.DetectorErrorModel):
    """Yields (instruction, probability, components) for each error of the flattened DEM.

    Each component is a tuple of its detector indices (heralds included, in DEM order).
    """
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        comps: list[list[int]] = [[]]
        for t in inst.targets_copy():
            if t.is_separator():
                comps.append([])
            elif t.is_relative_detector_id():
                comps[-1].append(t.val)
        yield inst, inst.args_copy()[0], [tuple(c) for c in comps]


def _symptoms(comps: list[tuple[int, ...]]) -> set[int]:
    """The detectors a mechanism flips: its components XORed together."""
    out: set[int] = set()
    for c in comps:
        out.symmetric_difference_update(c)
    return out


def _xor(p: float, q: float) -> float:
    """Probability that exactly one of two independent events happens: p ⊕ q = p + q − 2pq."""
    return p + q - 2.0 * p * q


@dataclass(frozen=True)
class EdgeModel:
    """The detector pairs (and boundary terms) that an error model can connect.

    Attributes:
        pairs: int64 (n_pairs, 2): detector indices i < j of each graphlike edge of the DEM
            (every two-detector component, pieces of ``^``-decomposed errors included; herald
            detectors removed first), sorted lexicographically.
        boundary: int64 (n_bnd,): sorted detectors with a one-detector (boundary) component.
        prior_pairs: float64 (n_pairs,): the prior of each pair as the estimator sees it: the
            XOR of every mechanism whose symptoms contain both detectors
            (``dem_marginal_truth`` of the DEM it was built from).
        prior_boundary: float64 (n_bnd,): the prior boundary terms as the estimator sees them:
            ``boundary_probabilities`` applied to the DEM's exact detector rates and
            ``prior_pairs`` (so that estimate / prior ratios are unbiased).
        num_detectors: detectors of the noisy circuit (heralds included).
        detector_mask: bool (num_detectors,): True for the non-herald detectors.
    """

    pairs: np.ndarray
    boundary: np.ndarray
    prior_pairs: np.ndarray
    prior_boundary: np.ndarray
    num_detectors: int
    detector_mask: np.ndarray

    def __post_init__(self) -> None:
        pairs = np.asarray(self.pairs, dtype=np.int64).reshape(-1, 2)
        n = int(self.num_detectors)
        if n < 0:
            raise ValueError(f"num_detectors = {n}: must be >= 0")
        if pairs.size and (pairs.min() < 0 or pairs.max() >= n or
                           np.any(pairs[:, 0] >= pairs[:, 1])):
            raise ValueError(f"pairs: need 0 <= i < j < num_detectors = {n} in every row")
        boundary = np.asarray(self.boundary, dtype=np.int64).reshape(-1)
        if boundary.size and (boundary.min() < 0 or boundary.max() >= n):
            raise ValueError(f"boundary: detector indices must be in [0, {n})")
        prior_pairs = np.asarray(self.prior_pairs, dtype=np.float64).reshape(-1)
        prior_boundary = np.asarray(self.prior_boundary, dtype=np.float64).reshape(-1)
        if prior_pairs.shape[0] != pairs.shape[0]:
            raise ValueError(f"prior_pairs has {prior_pairs.shape[0]} entries: must have "
                             f"{pairs.shape[0]} (one per pair)")
        if prior_boundary.shape[0] != boundary.shape[0]:
            raise ValueError(f"prior_boundary has {prior_boundary.shape[0]} entries: must have "
                             f"{boundary.shape[0]} (one per boundary detector)")
        mask = np.asarray(self.detector_mask, dtype=np.bool_).reshape(-1)
        if mask.shape[0] != n:
            raise ValueError(f"detector_mask has {mask.shape[0]} entries: must have {n}")
        for name, value in (("pairs", pairs), ("boundary", boundary),
                            ("prior_pairs", prior_pairs), ("prior_boundary", prior_boundary),
                            ("detector_mask", mask)):
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "num_detectors", n)

    @property
    def num_pairs(self) -> int:
        """Number of edge pairs."""
        return int(self.pairs.shape[0])

    @classmethod
    def from_dem(cls, dem: stim.DetectorErrorModel) -> EdgeModel:
        """The edges of a decomposed DEM (``qec.decoders.decoder_dem(circuit)``).

        Args:
            dem: the decomposed detector error model the decoder uses (the nominal priors).

        Returns:
            The edge model, with priors from ``dem``.
        """
        n = dem.num_detectors
        heralds = set(int(h) for h in herald_detectors(dem))
        pair_set: set[tuple[int, int]] = set()
        bnd_set: set[int] = set()
        for _, _, comps in dem_mechanisms(dem):
            for c in comps:
                c2 = sorted(d for d in c if d not in heralds)
                if len(c2) == 2:
                    pair_set.add((c2[0], c2[1]))
                elif len(c2) == 1:
                    bnd_set.add(c2[0])
        pairs = (np.array(sorted(pair_set), dtype=np.int64) if pair_set
                 else np.zeros((0, 2), dtype=np.int64))
        boundary = np.array(sorted(bnd_set), dtype=np.int64)
        mask = np.ones(n, dtype=np.bool_)
        mask[list(heralds)] = False
        partial = cls(pairs, boundary, np.zeros(len(pairs)), np.zeros(len(boundary)), n, mask)
        prior_pairs = dem_marginal_truth(dem, partial)
        prior_boundary = boundary_probabilities(partial, dem_detector_rates(dem), prior_pairs)
        return cls(pairs, boundary, prior_pairs, prior_boundary, n, mask)


def dem_detector_rates(dem: stim.DetectorErrorModel) -> np.ndarray:
    """Exact firing probability of every detector under a DEM's independent mechanisms.

    Args:
        dem: any DEM (a decomposed one has its components XORed back together).

    Returns:
        float64 (num_detectors,): ⟨x_i⟩ = ½ − ½·Π_{m ∋ i}(1 − 2 p_m).
    """
    log_prod = np.zeros(dem.num_detectors)
    for _, p, comps in dem_mechanisms(dem):
        s = _symptoms(comps)
        if s:
            log_prod[list(s)] += np.log(max(1.0 - 2.0 * p, 1e-300))
    return 0.5 - 0.5 * np.exp(log_prod)


def dem_marginal_truth(dem: stim.DetectorErrorModel, edges: EdgeModel) -> np.ndarray:
    """What the pair estimator converges to, computed from a DEM.

    Args:
        dem: the true (not decomposed) DEM; a decomposed one has its components XORed back.
        edges: the pairs to evaluate.

    Returns:
        float64 (n_pairs,): for each pair (i, j), the XOR-combination (p ⊕ q = p + q − 2pq) of
        every mechanism whose symptom set contains both i and j (hyperedges included).
    """
    index = {(int(i), int(j)): k for k, (i, j) in enumerate(edges.pairs)}
    out = np.zeros(len(index))
    for _, p, comps in dem_mechanisms(dem):
        s = sorted(_symptoms(comps))
        for a in range(len(s)):
            for b in range(a + 1, len(s)):
                k = index.get((s[a], s[b]))
                if k is not None:
                    out[k] = _xor(out[k], p)
    return out


# --- streaming counts -------------------------------------------------------------------------
_MASKS = (
    (7, np.uint64(0x00AA00AA00AA00AA)),
    (14, np.uint64(0x0000CCCC0000CCCC)),
    (28, np.uint64(0x00000000F0F0F0F0)),
)


def _packed_columns(packed: np.ndarray, num_detectors: int) -> tuple[np.ndarray, int]:
    """Transposes bit-packed shots into bit-packed detector columns.

    Args:
        packed: uint8 (shots, ceil(num_detectors / 8)), little-endian bits as stim returns.
        num_detectors: detectors per shot.

    Returns:
        (columns, shots): uint64 (num_detectors, ceil(shots / 64)), one bit per shot (padding
        bits are 0; a shot has the same bit position in every column), and the shot count.
    """
    packed = np.asarray(packed)
    nbytes = (num_detectors + 7) // 8
    if packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[1] != nbytes:
        raise ValueError(f"packed detections: dtype {packed.dtype}, shape {packed.shape}: must "
                         f"be uint8 (shots, {nbytes}) for {num_detectors} detectors")
    shots = packed.shape[0]
    padded = -(-shots // 64) * 64
    if padded != shots:
        packed = np.concatenate([packed, np.zeros((padded - shots, nbytes), np.uint8)])
    # Blocks of 8 shots × 8 detectors as one uint64 (byte r = shot r, bit c = detector c) ...
    x = np.ascontiguousarray(packed.reshape(padded // 8, 8, nbytes).transpose(2, 0, 1))
    x = x.view("<u8").reshape(nbytes, padded // 8)
    # ... transposed in place (byte c = detector c, bit r = shot r): Hacker's Delight 7-3.
    for shift, mask in _MASKS:
        t = (x ^ (x >> np.uint64(shift))) & mask
        x = x ^ t ^ (t << np.uint64(shift))
    cols = x.view(np.uint8).reshape(nbytes, padded // 8, 8).transpose(0, 2, 1)
    cols = np.ascontiguousarray(cols).reshape(nbytes * 8, padded // 8)[:num_detectors]
    return cols.view("<u8"), shots


class PairCounter:
    """Streaming, bit-packed first and second moments of the detection events.

    Keeps Σ x_i over every detector (heralds included) and Σ x_i x_j over the pairs of an
    ``EdgeModel``, merged across windows with exponential forgetting: each new window first
    multiplies the past sums (and the shot count) by ``forgetting``.

    Attributes:
        edges: the pairs counted.
        forgetting: weight of the past per new window, in (0, 1]; 1 = plain accumulation.
        count_heralds: whether herald detectors are counted one by one (their ``means`` are
            NaN otherwise, which saves most of the work on heralded circuits: their herald
            bits are most of each shot's bytes, and no pair involves them).
        shots: effective (forgotten) shot count; converges to shots / (1 − f) for equal windows.
        windows: windows seen.
    """

    def __init__(self, edges: EdgeModel, *, forgetting: float = 1.0,
                 count_heralds: bool = True) -> None:
        if not 0.0 < forgetting <= 1.0:
            raise ValueError(f"forgetting = {forgetting}: must be in (0, 1]")
        self.edges = edges
        self.forgetting = float(forgetting)
        self.shots = 0.0
        self.windows = 0
        self._sum_i = np.zeros(edges.num_detectors)
        self._sum_ij = np.zeros(edges.num_pairs)
        # Only the bytes holding a detector that is counted are transposed into columns:
        # without ``count_heralds``, the bytes of herald detectors alone (which pair with
        # nothing, and are most of a heralded circuit's bytes) are skipped.
        self.count_heralds = bool(count_heralds)
        nbytes = (edges.num_detectors + 7) // 8
        counted = np.arange(edges.num_detectors) if count_heralds else \
            np.union1d(np.flatnonzero(edges.detector_mask), edges.pairs.ravel())
        dense = np.unique(counted // 8).astype(np.int64)
        self._dense_bytes = dense
        row = np.full(nbytes, -1, dtype=np.int64)
        row[dense] = np.arange(dense.size)
        self._left = np.ascontiguousarray(row[edges.pairs[:, 0] // 8] * 8 + edges.pairs[:, 0] % 8)
        self._right = np.ascontiguousarray(row[edges.pairs[:, 1] // 8] * 8
                                           + edges.pairs[:, 1] % 8)
        # detector index of each transposed row (rows past the last detector are dropped)
        rows = (dense[:, None] * 8 + np.arange(8)).ravel()
        self._dense_rows = np.flatnonzero(rows < edges.num_detectors)
        self._dense_detectors = rows[self._dense_rows]
        self._uncounted = np.setdiff1d(np.arange(edges.num_detectors), counted)

    def update(self, packed_detections: np.ndarray) -> None:
        """Adds one window of shots.

        Args:
            packed_detections: uint8 (shots, ceil(num_detectors / 8)), every detector of the
                noisy circuit (heralds included), little-endian bit-packed as stim returns it.
        """
        packed = np.asarray(packed_detections)
        nbytes = (self.edges.num_detectors + 7) // 8
        if packed.dtype != np.uint8 or packed.ndim != 2 or packed.shape[1] != nbytes:
            raise ValueError(f"packed detections: dtype {packed.dtype}, shape {packed.shape}: "
                             f"must be uint8 (shots, {nbytes}) for "
                             f"{self.edges.num_detectors} detectors")
        shots = packed.shape[0]
        singles = np.zeros(self.edges.num_detectors, dtype=np.int64)
        both = np.zeros(self.edges.num_pairs, dtype=np.int64)
        dense = packed if self._dense_bytes.size == nbytes else packed[:, self._dense_bytes]
        for start in range(0, shots if self._dense_bytes.size else 0, _CHUNK):  # in cache
            chunk = dense[start:start + _CHUNK]
            cols, _ = _packed_columns(chunk, 8 * chunk.shape[1])
            counts = np.bitwise_count(cols).sum(axis=1, dtype=np.int64)
            singles[self._dense_detectors] += counts[self._dense_rows]
            both += np.bitwise_count(cols[self._left] & cols[self._right]).sum(
                axis=1, dtype=np.int64)
        f = self.forgetting if self.windows else 1.0
        self._sum_i *= f
        self._sum_i += singles
        self._sum_ij *= f
        self._sum_ij += both
        self.shots = f * self.shots + shots
        self.windows += 1

    def means(self) -> np.ndarray:
        """⟨x_i⟩ per detector, float64 (num_detectors,).

        Zeros before any shot; NaN for the detectors not counted (see ``count_heralds``).
        """
        out = self._sum_i / self.shots if self.shots else np.zeros_like(self._sum_i)
        if not self.count_heralds:
            out[self._uncounted] = np.nan
        return out

    def pair_means(self) -> np.ndarray:
        """⟨x_i x_j⟩ per edge pair, float64 (n_pairs,) (zeros before any shot)."""
        return self._sum_ij / self.shots if self.shots else np.zeros_like(self._sum_ij)


# --- formulas ---------------------------------------------------------------------------------
def pair_probabilities(mean_i: np.ndarray, mean_j: np.ndarray,
                       mean_ij: np.ndarray) -> np.ndarray:
    """Probability of the mechanisms flipping both i and j, from the first two moments.

    p_ij = ½ − ½·sqrt(1 − 4(⟨x_i x_j⟩ − ⟨x_i⟩⟨x_j⟩) / (1 − 2⟨x_i⟩ − 2⟨x_j⟩ + 4⟨x_i x_j⟩)).
    Exact for independent mechanisms; where sampling noise makes the square root's argument
    leave [0, 1] (or the denominator vanish), the result is clipped to [0, ½].

    Args:
        mean_i: ⟨x_i⟩, shape (n,).
        mean_j: ⟨x_j⟩, shape (n,).
        mean_ij: ⟨x_i x_j⟩, shape (n,).

    Returns:
        float64 (n,) in [0, ½].
    """
    mi = np.asarray(mean_i, dtype=np.float64)
    mj = np.asarray(mean_j, dtype=np.float64)
    mij = np.asarray(mean_ij, dtype=np.float64)
    denom = 1.0 - 2.0 * mi - 2.0 * mj + 4.0 * mij
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = 1.0 - 4.0 * (mij - mi * mj) / denom
    arg = np.where(np.isfinite(arg) & (denom > 0), arg, 0.0)
    return np.clip(0.5 - 0.5 * np.sqrt(np.clip(arg, 0.0, 1.0)), 0.0, 0.5)


def boundary_probabilities(edges: EdgeModel, means: np.ndarray,
                           p_pairs: np.ndarray) -> np.ndarray:
    """Boundary term of each boundary detector: what its rate leaves after its edges.

    p_i^b = ½ − ½·(1 − 2⟨x_i⟩) / Π_{j ∈ N(i)}(1 − 2 p_ij), clipped to [0, ½] (N(i): the
    detectors paired with i in ``edges``).

    Args:
        edges: the edge model.
        means: ⟨x_i⟩ of every detector, shape (num_detectors,).
        p_pairs: edge probabilities, shape (n_pairs,).

    Returns:
        float64 (n_bnd,) in [0, ½], in the order of ``edges.boundary``.
    """
    means = np.asarray(means, dtype=np.float64)
    logs = np.log1p(-2.0 * np.clip(np.asarray(p_pairs, dtype=np.float64), 0.0, _P_MAX))
    n = edges.num_detectors
    log_prod = (np.bincount(edges.pairs[:, 0], weights=logs, minlength=n)
                + np.bincount(edges.pairs[:, 1], weights=logs, minlength=n))
    ratio = (1.0 - 2.0 * means[edges.boundary]) / np.exp(log_prod[edges.boundary])
    return np.clip(0.5 - 0.5 * ratio, 0.0, 0.5)


# --- the estimate -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """The error model seen in the syndromes, shrunk toward the prior.

    Attributes:
        p_pairs: float64 (n_pairs,): edge probabilities, in the order of ``EdgeModel.pairs``.
        p_boundary: float64 (n_bnd,): boundary terms, in the order of ``EdgeModel.boundary``.
        shots: effective shot count behind the estimate.
        scale: global error scale: the prior-weighted median over pairs of estimated / prior
            (robust to a few hot edges), shrunk toward 1 like the probabilities.
        detection_rate: mean ⟨x_i⟩ over the non-herald detectors.
        herald_rate: mean ⟨x_i⟩ over the herald detectors (0 without heralds).
        per_detector: float64 (num_detectors,): ⟨x_i⟩ of every detector (heralds included).
    """

    p_pairs: np.ndarray
    p_boundary: np.ndarray
    shots: float
    scale: float
    detection_rate: float
    herald_rate: float
    per_detector: np.ndarray


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted median (lower): the value where the cumulative weight first reaches half."""
    if values.size == 0 or weights.sum() <= 0:
        return 1.0
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def estimate(counter: PairCounter, *, pseudo_count: float = 2e4) -> Estimate:
    """Edge and boundary probabilities from a counter's moments, shrunk toward the prior.

    Each probability is p̂ = (n·p_est + k·p_prior)/(n + k) with n the effective shots and
    k = ``pseudo_count``: k shots worth of belief in the prior (the decoder's current model),
    so a small window moves the model only a little and a long run converges to the data.

    Args:
        counter: the accumulated counts.
        pseudo_count: k >= 0 (0: the raw estimate).

    Returns:
        The ``Estimate`` (the prior itself before any shot).
    """
    if not pseudo_count >= 0:
        raise ValueError(f"pseudo_count = {pseudo_count}: must be >= 0")
    edges = counter.edges
    n = float(counter.shots)
    means = counter.means()
    heralds = ~edges.detector_mask
    detection_rate = float(means[edges.detector_mask].mean()) if edges.detector_mask.any() else 0.0
    herald_rate = float(means[heralds].mean()) if heralds.any() else 0.0
    if n <= 0:
        return Estimate(edges.prior_pairs.copy(), edges.prior_boundary.copy(), 0.0, 1.0,
                        detection_rate, herald_rate, means)
    p_raw = pair_probabilities(means[edges.pairs[:, 0]], means[edges.pairs[:, 1]],
                               counter.pair_means())
    b_raw = boundary_probabilities(edges, means, p_raw)
    keep = edges.prior_pairs > 0
    scale_raw = _weighted_median(p_raw[keep] / edges.prior_pairs[keep], edges.prior_pairs[keep])
    w = n / (n + pseudo_count)
    return Estimate(
        p_pairs=w * p_raw + (1.0 - w) * edges.prior_pairs,
        p_boundary=w * b_raw + (1.0 - w) * edges.prior_boundary,
        shots=n,
        scale=w * scale_raw + (1.0 - w),
        detection_rate=detection_rate,
        herald_rate=herald_rate,
        per_detector=means,
    )


def _ratios(edges: EdgeModel, est: Estimate) -> tuple[np.ndarray, np.ndarray]:
    """Estimated / prior per pair and per boundary term (1 where the prior is 0)."""
    def ratio(new: np.ndarray, old: np.ndarray) -> np.ndarray:
        out = np.ones_like(old)
        ok = old > 0
        out[ok] = np.maximum(new[ok] / old[ok], _RATIO_MIN)
        return out

    return ratio(est.p_pairs, edges.prior_pairs), ratio(est.p_boundary, edges.prior_boundary)


def reweighted_dem(dem: stim.DetectorErrorModel, edges: EdgeModel,
                   est: Estimate) -> stim.DetectorErrorModel:
    """The decoder's DEM with its probabilities moved to the estimate.

    Every error instruction is multiplied by the estimated / prior ratio of its graphlike
    component (pair → ``p_pairs`` / ``prior_pairs``, single detector → ``p_boundary`` /
    ``prior_boundary``); a ``^``-decomposed error takes the geometric mean of its components'
    ratios. An edge's probability, XORed over the instructions carrying it, thus moves from its
    prior to (to first order in p) the estimate, while the structure stays as it was: same
    detectors and coordinates, same observables, decomposition kept, herald detectors kept in
    the symptoms (components and instructions touching only heralds keep their probability).
    Probabilities are capped below ½.

    Args:
        dem: the decomposed DEM ``edges`` was built from (``qec.decoders.decoder_dem``).
        edges: its edge model.
        est: the estimate to write in.

    Returns:
        A flattened DEM with the same detectors and observables, usable by
        ``qec.decoders.compile_decoder``.
    """
    if dem.num_detectors != edges.num_detectors:
        raise ValueError(f"dem has {dem.num_detectors} detectors: the edge model has "
                         f"{edges.num_detectors}")
    r_pair, r_bnd = _ratios(edges, est)
    pair_index = {(int(i), int(j)): k for k, (i, j) in enumerate(edges.pairs)}
    bnd_index = {int(i): k for k, i in enumerate(edges.boundary)}
    heralds = ~edges.detector_mask
    lines: list[str] = []
    for inst in dem.flattened():
        if inst.type != "error":
            lines.append(str(inst))
            continue
        logs: list[float] = []
        comp: list[int] = []
        targets = inst.targets_copy()
        for t in [*targets, None]:
            if t is None or t.is_separator():
                c = sorted(d for d in comp if not heralds[d])
                if len(c) == 2 and (c[0], c[1]) in pair_index:
                    logs.append(np.log(r_pair[pair_index[(c[0], c[1])]]))
                elif len(c) == 1 and c[0] in bnd_index:
                    logs.append(np.log(r_bnd[bnd_index[c[0]]]))
                comp = []
            elif t.is_relative_detector_id():
                comp.append(t.val)
        p = inst.args_copy()[0]
        if logs:
            p = min(p * float(np.exp(np.mean(logs))), _P_MAX)
        lines.append(f"error({p!r}) " + " ".join(str(t) for t in targets))
    out = stim.DetectorErrorModel("\n".join(lines))
    if out.num_detectors < dem.num_detectors:
        out.append("detector", [], [stim.target_relative_detector_id(dem.num_detectors - 1)])
    if out.num_observables < dem.num_observables:
        out.append("logical_observable", [],
                   [stim.target_logical_observable_id(dem.num_observables - 1)])
    return out
