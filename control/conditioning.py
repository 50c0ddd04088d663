"""Detection fractions of detector groups, conditioned on the heralds.

A heralded erasure leaves a random Pauli on its qubit (a failed two-qubit gate: on both of its
qubits, under one herald), which fires the detectors around it with probability ½. On
QuantaCore's d = 5 surface code the erasures make more than half of all
detection events (0.020 of the 0.038 detection fraction), and they move with the cavity's κ,
not with a pulse knob. The heralds say where they happened, so a controller that estimates a
knob's response can leave those detectors out: for each shot, every detector that a fired
herald's erasure could flip (the herald's *neighbours* in the DEM) is excluded from that shot's
count. What remains has about half the variance per detector and none of the erasure floor's
jumps, while the knob's own errors (at non-erased locations) are all still counted.

Everything works on the bit-packed detection events (``SyndromeWindow.packed_detections``):
only the few fired heralds are ever unpacked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import stim

from control.estimators import dem_mechanisms
from qec.noise import herald_detectors

__all__ = ["GroupCounter", "HeraldNeighbours"]

_CORRELATION = 1.5
"""Variance inflation of a group's detection fraction over the binomial one: an error fires
two detectors of a group, so the counts are positively correlated (measured: 1.4–1.5)."""


@dataclass(frozen=True)
class HeraldNeighbours:
    """For each herald detector, the non-herald detectors its erasure can flip.

    A two-qubit gate's joint herald has the neighbours of both of its qubits.

    Attributes:
        heralds: the herald detectors' indices, int64 (n_heralds,), sorted.
        indptr: CSR row pointers over ``heralds``, int64 (n_heralds + 1,).
        indices: the neighbours, concatenated, int64 (indptr[-1],).
        num_detectors: detectors of the DEM (heralds included).
    """

    heralds: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    num_detectors: int

    @classmethod
    def from_dem(cls, dem: stim.DetectorErrorModel) -> HeraldNeighbours:
        """The neighbours of every herald: the non-herald detectors of the mechanisms it is in.

        Args:
            dem: the decoder's DEM (decomposed or not; heralds as ``qec.noise`` writes them).
        """
        heralds = herald_detectors(dem)
        row = {int(h): i for i, h in enumerate(heralds)}
        sets: list[set[int]] = [set() for _ in heralds]
        for _, _, comps in dem_mechanisms(dem):
            flipped = {d for c in comps for d in c}
            fired = [row[d] for d in flipped if d in row]
            if fired:
                others = {d for d in flipped if d not in row}
                for i in fired:
                    sets[i] |= others
        sizes = np.array([len(s) for s in sets], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        indices = np.array([d for s in sets for d in sorted(s)], dtype=np.int64)
        return cls(heralds.astype(np.int64), indptr, indices, int(dem.num_detectors))


def _words(packed: np.ndarray) -> np.ndarray:
    """Bit-packed rows as little-endian 64-bit words (detector d is bit d % 64 of word d // 64)."""
    rows, nbytes = packed.shape
    if nbytes % 8:
        padded = np.zeros((rows, nbytes + (-nbytes) % 8), dtype=np.uint8)
        padded[:, :nbytes] = packed
        packed = padded
    return np.ascontiguousarray(packed).view("<u8")


@numba.njit(cache=True)
def _popcount(x):  # pragma: no cover - compiled
    """Set bits of a uint64 (SWAR)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@numba.njit(cache=True)
def _count(words, masks, group_word, herald_words, herald_row, indptr, indices,
           group_of):  # pragma: no cover - compiled
    """One pass over the shots.

    Returns, per group: the detections, and the detections and trials next to a fired herald
    of the same shot (each (shot, detector) pair once, however many heralds reach it).
    """
    shots, nwords = words.shape
    groups = masks.shape[0]
    counts = np.zeros(groups, np.int64)
    ex_counts = np.zeros(groups, np.int64)
    ex_trials = np.zeros(groups, np.int64)
    stamp = np.full(nwords * 64, -1, np.int64)
    one = np.uint64(1)
    for s in range(shots):
        for w in range(nwords):
            x = words[s, w]
            if x == 0:
                continue
            if group_word[w]:
                for g in range(groups):
                    counts[g] += _popcount(x & masks[g, w])
            h = x & herald_words[w]
            while h != 0:
                rest = h & (h - one)  # h without its lowest set bit
                bit = _popcount((h ^ rest) - one)  # the lowest set bit's index
                h = rest
                row = herald_row[w * 64 + np.int64(bit)]
                for k in range(indptr[row], indptr[row + 1]):
                    d = indices[k]
                    if stamp[d] == s:
                        continue
                    stamp[d] = s
                    g = group_of[d]
                    if g >= 0:
                        ex_trials[g] += 1
                        ex_counts[g] += (words[s, d >> 6] >> np.uint64(d & 63)) & one
    return counts, ex_counts, ex_trials


@dataclass(frozen=True)
class GroupCounter:
    """Counts each detector group's detections, optionally conditioned on the heralds.

    Built once per circuit (``build``); ``fractions`` then makes one compiled pass over a
    window's bit-packed shots.

    Attributes:
        masks: the groups as 64-bit words, uint64 (groups, words).
        sizes: detectors per group, float64 (groups,).
        group_of: each detector's group (−1: none), int64 (words × 64,).
        herald_words: the heralds as 64-bit words (all zero when not conditioning).
        herald_row: each detector's row in ``indptr`` (−1: not a herald), int64.
        indptr: CSR row pointers of the heralds' neighbours, int64.
        indices: the neighbours, int64.
    """

    masks: np.ndarray
    sizes: np.ndarray
    group_of: np.ndarray
    herald_words: np.ndarray
    herald_row: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray

    @classmethod
    def build(cls, groups: list[np.ndarray], *, neighbours: HeraldNeighbours | None = None
              ) -> GroupCounter:
        """The counter of ``groups`` (bit-packed masks, uint8 (bytes,) each, no heralds).

        Args:
            groups: the groups' packed masks, all of one length.
            neighbours: condition on the heralds: each shot's detectors next to one of its
                fired heralds are left out of both the count and the number of trials.
        """
        packed = np.array(groups, dtype=np.uint8).reshape(len(groups), -1)
        masks = _words(packed)
        n = masks.shape[1] * 64
        group_of = np.full(n, -1, dtype=np.int64)
        for g, m in enumerate(np.unpackbits(masks.view(np.uint8), axis=1, bitorder="little")):
            group_of[m.astype(bool)] = g
        herald_row = np.full(n, -1, dtype=np.int64)
        indptr = indices = np.zeros(1, np.int64)
        if neighbours is not None:
            herald_row[neighbours.heralds] = np.arange(neighbours.heralds.size)
            indptr, indices = neighbours.indptr, neighbours.indices
        herald_words = _words(np.packbits(herald_row >= 0, bitorder="little")[None, :])[0]
        sizes = np.bitwise_count(masks).sum(axis=1).astype(np.float64)
        return cls(masks, sizes, group_of, herald_words, herald_row, indptr, indices)

    def fractions(self, packed: np.ndarray, *, split: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Detection fraction of each group, and its standard error, over the shots.

        Args:
            packed: bit-packed detection events (heralds included), uint8 (shots, bytes).
            split: when given, count shots [0, split) and [split, shots) apart.

        Returns:
            (fractions, noises), float64 (parts, groups) each, parts = 1 (or 2 with
            ``split``). The noise is the binomial standard error of the counted trials × 1.5
            (detection events come in correlated pairs).
        """
        words = _words(np.asarray(packed, dtype=np.uint8))
        bounds = [0, len(words)] if split is None else [0, int(split), len(words)]
        fractions, noises = [], []
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=False):
            counts, ex_counts, ex_trials = _count(
                words[lo:hi], self.masks, self.masks.any(axis=0), self.herald_words,
                self.herald_row, self.indptr, self.indices, self.group_of)
            trials = np.maximum(self.sizes * (hi - lo) - ex_trials, 1)
            f = (counts - ex_counts) / trials
            fractions.append(f)
            noises.append(_CORRELATION * np.sqrt(np.maximum(f * (1 - f), 1e-12) / trials))
        return np.array(fractions), np.array(noises)
