r"""Exhaustive lower bounds on the circuit distance of a detector error model.

The circuit distance of a DEM is the fewest error mechanisms whose combined symptom fires no
detector and flips at least one observable (an *undetectable logical error*). Heuristic
searches (OSD, stim's ``search_for_undetectable_logical_errors`` with truncation) give upper
bounds; :func:`min_weight_lower_bound` gives a *proven lower bound* by exhausting every
candidate set of at most ``max_weight`` mechanisms, with a meet-in-the-middle lookup for the
last one, two or three mechanisms.

What is proven. Let the DEM's mechanisms be merged into distinct columns (same detectors and
same observables → one column; two mechanisms with an identical symptom cancel, so a minimal
logical error never uses both). If the search returns ``lower = L`` then no set of at most
``L - 1`` mechanisms is an undetectable logical error, exactly (no probabilistic step can make
this wrong: the random 64-bit syndrome hashes only *propose* candidates, a hash collision can
only add false candidates, which are then rejected by an exact check, and never hides a true
one). If ``witness`` is not None it is an exactly verified undetectable logical error of
weight ``L``, so the circuit distance is exactly ``L``.

Search (why it is complete). Let E be an undetectable logical error of minimum weight m, and
c0 its lowest-indexed column. Grow sets S ⊆ E from S = {c0}: while S ≠ E, syn(S) = syn(E \ S)
(E has zero syndrome). syn(S) is nonzero, otherwise S or E \ S would be a lighter logical
error (one of the two flips an observable). So *every* detector flipped by S is flipped by some
column of E \ S, of index > c0: branching over every such column of one flipped detector (the
one with the fewest such columns; none → the branch is dropped) reaches a larger subset of E.
A branch is pruned when its syndrome has more flipped detectors than the remaining columns can
clear (``max column weight × remaining``), which E's path never triggers. At each
depth k the remainder E \ S (one, two or three columns) is found by looking up syn(S) among the
hashes of all single columns, all pairs and (when they fit in memory) all triples of columns.
The same argument shows that an undetectable logical error is *connected* (columns adjacent when
they share a detector), which is what the branching exploits.

Example:
    >>> import stim
    >>> circuit = stim.Circuit.generated("surface_code:rotated_memory_z", distance=3,
    ...                                  rounds=3, after_clifford_depolarization=0.001)
    >>> bound = min_weight_lower_bound(circuit.detector_error_model(), max_weight=4)
    >>> bound.lower, len(bound.witness)
    (3, 3)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import stim

__all__ = ["DistanceBound", "dem_columns", "min_weight_lower_bound"]

_DEFAULT_MEMORY = 2 << 30


@dataclass(frozen=True)
class DistanceBound:
    """Result of :func:`min_weight_lower_bound`.

    Attributes:
        lower: every set of at most ``lower - 1`` error mechanisms either fires a detector or
            flips no observable (no undetectable logical error of weight < ``lower``).
        witness: indices (into the DEM's flattened ``error`` instructions, sorted) of an
            exactly verified undetectable logical error of weight ``lower``, or None when none
            of weight ≤ ``max_weight`` exists (then ``lower = max_weight + 1``).
        mechanisms: distinct columns searched (after merging identical symptoms).
        seconds: wall-clock time of the search (s).
    """

    lower: int
    witness: tuple[int, ...] | None
    mechanisms: int
    seconds: float


def dem_columns(dem: stim.DetectorErrorModel) -> tuple[list[tuple[int, ...]],
                                                        list[tuple[int, ...]], list[int]]:
    r"""Distinct symptoms of a DEM's error mechanisms.

    Args:
        dem: the detector error model (repeat blocks and ``^`` separators allowed; a
            decomposed mechanism's symptom is the XOR of its parts).

    Returns:
        ``(detectors, observables, first)``: per distinct column, its sorted detector ids, its
        sorted observable ids, and the index of the first ``error`` instruction (flattened
        order) with that symptom. Mechanisms with an empty symptom are dropped.

    Example:
        >>> dem = stim.DetectorErrorModel("error(0.1) D0 D1\nerror(0.2) D1 D0\nerror(0.1) L0")
        >>> dem_columns(dem)
        ([(0, 1), ()], [(), (0,)], [0, 2])
    """
    seen: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    index = 0
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        dets: set[int] = set()
        obs: set[int] = set()
        for t in inst.targets_copy():
            if t.is_relative_detector_id():
                dets ^= {t.val}
            elif t.is_logical_observable_id():
                obs ^= {t.val}
        key = (tuple(sorted(dets)), tuple(sorted(obs)))
        if (key[0] or key[1]) and key not in seen:
            seen[key] = index
        index += 1
    keys = list(seen)
    return [k[0] for k in keys], [k[1] for k in keys], [seen[k] for k in keys]


def _pack(rows: list[tuple[int, ...]], width: int) -> np.ndarray:
    """Rows of bit positions → (len(rows), ceil(width/64)) uint64 bitsets."""
    words = max(1, -(-width // 64))
    out = np.zeros((len(rows), words), dtype=np.uint64)
    for i, row in enumerate(rows):
        for b in row:
            out[i, b >> 6] |= np.uint64(1) << np.uint64(b & 63)
    return out


def _ranges(table: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """Per query, [lo, hi) of table entries in [low, high]; queries sorted first (cache)."""
    order = np.argsort(low)
    lo = np.empty(len(low), dtype=np.int64)
    hi = np.empty(len(low), dtype=np.int64)
    lo[order] = np.searchsorted(table, low[order], side="left")
    hi[order] = np.searchsorted(table, high[order], side="right")
    return lo, hi


def _matches(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (query, table position) pair of the ranges [lo, hi): two int arrays, shape (m,)."""
    cnt = hi - lo
    rows = np.nonzero(cnt)[0]
    rep = np.repeat(rows, cnt[rows])
    start = np.repeat(lo[rows], cnt[rows])
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(cnt[rows]) - cnt[rows], cnt[rows])
    return rep, start + offs


class _Search:
    """State of one search: packed columns, hash tables, best witness so far."""

    def __init__(self, dets, obs, num_detectors, num_observables, seed, memory):
        self.n = len(dets)
        self.dets, self.obs = dets, obs
        rng = np.random.default_rng(seed)
        keys = rng.integers(0, 2**63, num_detectors, dtype=np.uint64) * np.uint64(2) \
            + rng.integers(0, 2, num_detectors, dtype=np.uint64)
        self.hash = np.array([np.bitwise_xor.reduce(keys[list(d)]) if d else 0 for d in dets],
                             dtype=np.uint64)
        self.syn = _pack(dets, num_detectors)
        self.obsw = _pack(obs, num_observables)
        self.colweight = max((len(d) for d in dets), default=0)
        # detector → columns (CSR)
        pairs = sorted((d, c) for c, ds in enumerate(dets) for d in ds)
        det_of = np.array([p[0] for p in pairs], dtype=np.int64)
        self.det_cols = np.array([p[1] for p in pairs], dtype=np.int64)
        self.det_ptr = np.searchsorted(det_of, np.arange(num_detectors + 1))
        # above[c0, t]: columns containing detector t with index > c0 (they come last in t's
        # sorted segment of det_cols)
        self.num_detectors = num_detectors
        deg = np.diff(self.det_ptr)
        self.above = np.empty((self.n, num_detectors), dtype=np.int32)
        for t in range(num_detectors):
            seg = self.det_cols[self.det_ptr[t]:self.det_ptr[t + 1]]
            self.above[:, t] = deg[t] - np.searchsorted(seg, np.arange(self.n), side="right")
        self.memory = memory
        self.best: tuple[int, ...] | None = None
        self.limit = 0  # current weight limit (inclusive)

    def found(self, cols) -> None:
        cols = tuple(sorted(int(c) for c in cols))
        syn = np.bitwise_xor.reduce(self.syn[list(cols)], axis=0)
        obs = np.bitwise_xor.reduce(self.obsw[list(cols)], axis=0)
        if len(set(cols)) != len(cols) or syn.any() or not obs.any():
            return  # hash collision or degenerate candidate: rejected exactly
        if self.best is None or len(cols) < len(self.best):
            self.best = cols
            self.limit = len(cols) - 1

    # -- tables of singles and pairs, sorted by hash -------------------------------------
    def build_tables(self, pairs: bool) -> None:
        order = np.argsort(self.hash, kind="stable")
        self.single_h, self.single_i = self.hash[order], order
        if not pairs:
            self.pair_h = np.zeros(0, dtype=np.uint64)
            self.pair_i = np.zeros((0, 2), dtype=np.int32)
            return
        n = self.n
        hs, idx = [], []
        for i in range(n - 1):
            j = np.arange(i + 1, n, dtype=np.int32)
            hs.append(self.hash[i] ^ self.hash[j])
            idx.append(np.stack([np.full(len(j), i, dtype=np.int32), j], axis=1))
        h = np.concatenate(hs)
        ij = np.concatenate(idx)
        self.pair_lex_h, self.pair_lex_i = h, ij  # lexicographic (i < j) order
        order = np.argsort(h, kind="stable")
        self.pair_h, self.pair_i = h[order], ij[order]

    def build_triples(self) -> None:
        """All triples i < j < k as sorted uint64 keys: hash prefix | lexicographic rank.

        The low ``rank_bits`` of a key hold the triple's rank, the high bits the top bits of
        its hash: one in-place sort, 8 bytes per triple. Equal hashes have equal prefixes, so
        a prefix lookup finds every true match (and a few false ones, rejected exactly).
        """
        n = self.n
        total = n * (n - 1) * (n - 2) // 6
        self.rank_bits = max(1, int(total - 1).bit_length())
        # pairs (j, k) with j >= i + 1 are the lexicographic suffix starting at pair_start[i+1]
        per_j = np.arange(n - 1, -1, -1, dtype=np.int64)  # pairs with first index j: n-1-j
        self.pair_start = np.concatenate([[0], np.cumsum(per_j)])
        npairs = self.pair_start[-1]
        self.triple_off = np.concatenate(
            [[0], np.cumsum(npairs - self.pair_start[1:n + 1])])[:n + 1]
        keys = np.empty(total, dtype=np.uint64)
        mask = ~np.uint64((1 << self.rank_bits) - 1)
        for i in range(n - 2):
            a, b = self.triple_off[i], self.triple_off[i + 1]
            h = self.hash[i] ^ self.pair_lex_h[self.pair_start[i + 1]:]
            keys[a:b] = (h & mask) | np.arange(a, b, dtype=np.uint64)
        keys.sort()
        self.triple_keys = keys
        self.triple_mask = mask

    def triple_lookup(self, sets, hashes, syn, obs) -> None:
        """Candidates S ∪ T with T a triple whose hash prefix equals hash(S)'s."""
        if len(sets) == 0:
            return
        prefix = hashes & self.triple_mask
        rep, pos = _matches(*_ranges(self.triple_keys, prefix, prefix | ~self.triple_mask))
        if len(rep) == 0:
            return
        rank = (self.triple_keys[pos] & ~self.triple_mask).astype(np.int64)
        i = np.searchsorted(self.triple_off, rank, side="right") - 1
        jk = self.pair_lex_i[self.pair_start[i + 1] + (rank - self.triple_off[i])]
        self.verify(sets, syn, obs, rep, np.concatenate([i[:, None], jk], axis=1))

    def lookup(self, sets: np.ndarray, hashes: np.ndarray, syn: np.ndarray, obs: np.ndarray,
               table_h: np.ndarray, table_i: np.ndarray) -> None:
        """Candidates S ∪ T with hash(T) = hash(S), T from a table; verify each exactly."""
        if len(table_h) == 0 or len(sets) == 0:
            return
        rep, pos = _matches(*_ranges(table_h, hashes, hashes))
        if len(rep) == 0:
            return
        t = table_i[pos]
        if t.ndim == 1:
            t = t[:, None]
        self.verify(sets, syn, obs, rep, t)

    def verify(self, sets, syn, obs, rep, t) -> None:
        """Exact check of candidates sets[rep] ∪ t (rows): disjoint, zero syndrome, obs ≠ 0."""
        t = t.astype(np.int64)
        tsyn = np.bitwise_xor.reduce(self.syn[t], axis=1)
        tobs = np.bitwise_xor.reduce(self.obsw[t], axis=1)
        ok = (tsyn == syn[rep]).all(axis=1) & (tobs != obs[rep]).any(axis=1)
        for k in range(t.shape[1]):
            ok &= (sets[rep] != t[:, k:k + 1]).all(axis=1)
        for r in np.nonzero(ok)[0]:
            self.found(list(sets[rep[r]]) + list(t[r]))

    def branch_detector(self, syn: np.ndarray, c0: np.ndarray) -> tuple[np.ndarray,
                                                                         np.ndarray]:
        """Per row: the flipped detector with the fewest columns above c0, and that count."""
        t = np.empty(len(syn), dtype=np.int64)
        cnt = np.empty(len(syn), dtype=np.int64)
        step = max(1, self.memory // (16 * max(1, self.num_detectors)))
        big = np.iinfo(np.int32).max
        for a in range(0, len(syn), step):
            b = min(len(syn), a + step)
            bits = np.unpackbits(syn[a:b].view(np.uint8), axis=1, bitorder="little")
            bits = bits[:, :self.num_detectors].astype(bool)
            vals = np.where(bits, self.above[c0[a:b]], big)
            t[a:b] = vals.argmin(axis=1)
            cnt[a:b] = vals[np.arange(b - a), t[a:b]]
        return t, cnt

    def expand(self, sets, hashes, syn, obs, depth, tail) -> None:
        """Depth-``depth`` sets: look up the last ``tail`` columns, then branch and recurse."""
        if len(sets) == 0:
            return
        if depth + 1 <= self.limit:
            keep = np.bitwise_count(syn).sum(axis=1) <= self.colweight
            self.lookup(sets[keep], hashes[keep], syn[keep], obs[keep],
                        self.single_h, self.single_i)
        if tail >= 2 and depth + 2 <= self.limit:
            keep = np.bitwise_count(syn).sum(axis=1) <= 2 * self.colweight
            self.lookup(sets[keep], hashes[keep], syn[keep], obs[keep],
                        self.pair_h, self.pair_i)
        if tail >= 3 and depth + 3 <= self.limit:
            keep = np.bitwise_count(syn).sum(axis=1) <= 3 * self.colweight
            self.triple_lookup(sets[keep], hashes[keep], syn[keep], obs[keep])
        if depth + 1 + tail > self.limit:
            return
        # branch on the flipped detector with the fewest columns of index > c0 (any flipped
        # detector must be cleared by a column of E \ S; rows with none left are dropped)
        t, cnt = self.branch_detector(syn, sets[:, 0])
        keep = cnt > 0
        sets, hashes, syn, obs, t, cnt = (sets[keep], hashes[keep], syn[keep], obs[keep],
                                          t[keep], cnt[keep])
        row_bytes = 8 * (depth + 1) + 8 * (syn.shape[1] + obs.shape[1] + 1)
        budget = max(1, self.memory // (4 * row_bytes))
        start = 0
        csum = np.cumsum(cnt)
        while start < len(sets):
            base = csum[start - 1] if start else 0
            stop = int(np.searchsorted(csum, base + budget, side="right"))
            stop = max(stop, start + 1)
            sl = slice(start, stop)
            c = cnt[sl]
            rep = np.repeat(np.arange(start, stop), c)
            offs = np.arange(len(rep)) - np.repeat(np.cumsum(c) - c, c)
            col = self.det_cols[self.det_ptr[t[rep] + 1] - cnt[rep] + offs]
            ok = (sets[rep] != col[:, None]).all(axis=1)
            rep, col = rep[ok], col[ok]
            nsyn = syn[rep] ^ self.syn[col]
            remaining = self.limit - depth - 1
            ok = np.bitwise_count(nsyn).sum(axis=1) <= self.colweight * remaining
            ok &= nsyn.any(axis=1)
            zero = ~nsyn.any(axis=1)
            for r in np.nonzero(zero)[0]:  # S itself undetectable: a logical only if obs ≠ 0
                self.found(list(sets[rep[r]]) + [col[r]])
            rep, col, nsyn = rep[ok], col[ok], nsyn[ok]
            nsets = np.concatenate([sets[rep], col[:, None]], axis=1)
            # one set reached along two orders is searched once
            key = np.sort(nsets, axis=1)
            _, first = np.unique(np.ascontiguousarray(key).view(
                np.dtype((np.void, key.dtype.itemsize * key.shape[1]))).ravel(),
                return_index=True)
            first.sort()
            rep, col, nsets, nsyn = rep[first], col[first], nsets[first], nsyn[first]
            self.expand(nsets, hashes[rep] ^ self.hash[col], nsyn, obs[rep] ^ self.obsw[col],
                        depth + 1, tail)
            start = stop


def min_weight_lower_bound(dem: stim.DetectorErrorModel, *, max_weight: int,
                           memory_limit_bytes: int = _DEFAULT_MEMORY,
                           seed: int = 0) -> DistanceBound:
    """Proven lower bound on a DEM's circuit distance by exhaustive search up to a weight.

    Every undetectable logical error of at most ``max_weight`` mechanisms is searched for (see
    the module docstring for the argument): sets grown column by column along a flipped
    detector, the last one to three columns found by a hash lookup and verified exactly.
    Cost grows roughly as ``n · Δ^(max_weight - 3)`` (n columns, Δ the branching per step,
    ~10 on the gross code): on its one-round DEM (864 columns) weight 7 takes ~10 s, 8 ~45 s,
    9 3.5–7.5 min; on its 12-round DEM (8784 columns) weight 6 takes ~1 min (2 shared cores).

    Args:
        dem: detector error model (e.g. ``circuit.detector_error_model()``; undecomposed is
            best, a decomposed one gives the same symptoms).
        max_weight: largest weight searched, 1 ≤ max_weight ≤ 12.
        memory_limit_bytes: sizes the working arrays (bytes, ≥ 2**20): the pair table
            (n²/2 entries, 16 bytes each) is built if it fits in it (otherwise only singles are
            looked up: slower), the triple table (n³/6 entries, 8 bytes each) if it fits in half
            of it, and branches are expanded in chunks of about a quarter of it. It is not a
            hard cap: the default (2 GiB) peaked at 2.3-4.0 GB resident on the gross-code DEMs.
        seed: seed of the random 64-bit detector keys (does not change the result, only which
            witness may be found first among equal-weight ones).

    Returns:
        A :class:`DistanceBound`: ``lower`` (no undetectable logical error of weight <
        ``lower``), ``witness`` (one of weight ``lower`` if ``lower ≤ max_weight``),
        ``mechanisms`` (columns after merging), ``seconds``.

    Raises:
        ValueError: ``max_weight`` or ``memory_limit_bytes`` out of range.

    Example:
        >>> dem = stim.DetectorErrorModel('''
        ...     error(0.1) D0 L0
        ...     error(0.1) D0 D1
        ...     error(0.1) D1
        ... ''')
        >>> b = min_weight_lower_bound(dem, max_weight=5)
        >>> b.lower, b.witness, b.mechanisms
        (3, (0, 1, 2), 3)
    """
    if not isinstance(max_weight, (int, np.integer)) or not 1 <= max_weight <= 12:
        raise ValueError(f"max_weight={max_weight!r} must be an integer in [1, 12]")
    if not isinstance(memory_limit_bytes, (int, np.integer)) or memory_limit_bytes < 2**20:
        raise ValueError(f"memory_limit_bytes={memory_limit_bytes!r} must be an integer "
                         f">= {2**20}")
    t0 = time.perf_counter()
    dets, obs, first = dem_columns(dem)
    search = _Search(dets, obs, dem.num_detectors, dem.num_observables, seed,
                     int(memory_limit_bytes))
    n = search.n
    search.limit = int(max_weight)
    # weight 1: an observable with no detector
    for c in range(n):
        if not dets[c] and obs[c]:
            search.found([c])
            break
    # weight 2: same detectors, different observables
    if search.limit >= 2:
        by_dets: dict[tuple[int, ...], int] = {}
        for c in range(n):
            if dets[c] in by_dets:
                search.found([by_dets[dets[c]], c])
                break
            by_dets[dets[c]] = c
    if search.limit >= 3 and n:
        use_pairs = 16 * n * (n - 1) // 2 * 2 <= memory_limit_bytes
        search.build_tables(pairs=use_pairs)
        tail = 2 if use_pairs else 1
        if use_pairs and max_weight >= 6 and 8 * n**3 // 6 <= memory_limit_bytes // 2:
            search.build_triples()
            tail = 3
        starts = np.array([c for c in range(n) if dets[c]], dtype=np.int64)
        search.expand(starts[:, None], search.hash[starts], search.syn[starts],
                      search.obsw[starts], 1, tail)
    witness = None
    lower = int(max_weight) + 1
    if search.best is not None:
        witness = tuple(sorted(first[c] for c in search.best))
        lower = len(witness)
    return DistanceBound(lower=lower, witness=witness, mechanisms=n,
                         seconds=time.perf_counter() - t0)
