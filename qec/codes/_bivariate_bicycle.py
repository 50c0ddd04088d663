"""Bivariate-bicycle (BB) codes and their depth-8 syndrome-measurement memory circuit.

The codes of Bravyi, Cross, Gambetta, Maslov, Rall & Yoder, "High-threshold and low-overhead
fault-tolerant quantum memory", Nature 627, 778 (2024), arXiv:2308.07915, rebuilt here from
the construction in the paper and the facts of its authors' repository
(``sbravyi/BivariateBicycleCodes``, ``decoder_setup.py``: polynomials, CNOT schedule):

* Code. x = S_ℓ ⊗ I_m, y = I_ℓ ⊗ S_m (S_k the cyclic shift, x^ℓ = y^m = 1), monomial x^a y^b
  ↔ index a·m + b. A = A1 + A2 + A3 = x^3 + y + y^2, B = B1 + B2 + B3 = y^3 + x + x^2;
  H_X = [A | B], H_Z = [Bᵀ | Aᵀ], n = 2ℓm data qubits split into ℓm "left" (L) and ℓm
  "right" (R) ones; ℓm X checks and ℓm Z checks, each of weight 6. ``BB_CODES``:
  (ℓ, m) = (6, 6) → [[72,12,6]], (9, 6) → [[108,8,10]], (12, 6) → [[144,12,12]] (the gross
  code). k is computed from GF(2) ranks, the logical operators by linear algebra (``logicals``).
* Layout (the paper's toric layout, "thickness 2"): A2·A3ᵀ = y⁻¹ and B2·B3ᵀ = x⁻¹ have orders
  m and ℓ with ℓ·m = n/2, so the edges of A2, A3, B2, B3 form a torus grid: with X check
  x^a y^b at (2a, 2b), L data at (2a, 2b − 3), R data at (2a − 3, 2b) and Z check at
  (2a − 3, 2b − 3), coordinates mod (2ℓ, 2m), each check's A2, A3, B2, B3 neighbours are at
  distance 1 (its *short-range* edges, four per check); the A1 = x^3 and B1 = y^3 edges are
  the two *long-range* ones. On QuantaCore the short-range CNOTs are local gates (the two
  qubits in one node or neighbouring atoms) and the long-range ones the photon-mediated remote
  gate (``local_pairs``; ``NoiseModel.gate_2q_local``).
* Round (the paper's depth-8 cycle, X and Z checks interleaved; 7 CNOT layers). Each check's
  six neighbours are labelled 0, 1, 2 (L via A1, A2, A3 for an X check, via B1, B2, B3 for a Z
  check) and 3, 4, 5 (R via B1, B2, B3 for an X check, via A1, A2, A3 for a Z check). Layers
  (TICK-separated): 0: ``RX`` X checks, CNOT data → Z check on label 3; 1–5: CNOT X check →
  data on labels 1, 4, 3, 5, 0 and CNOT data → Z check on labels 5, 0, 1, 2, 4; 6: ``M`` Z
  checks, CNOT X check → data on label 2; 7: ``MX`` X checks, ``R`` Z checks. In layers 0, 6
  half of the data qubits idle and in layer 7 all of them: with ``NoiseModel``'s idle channel
  this is the paper's noise model exactly (CNOT: two-qubit depolarising p; preparation and
  measurement flip p; idle: depolarising p on an idle data qubit per layer).
* Memory. Data prepared in |0⟩ (basis ``"Z"``) or |+⟩ (``"X"``) together with the Z checks'
  ``R``, then ``rounds`` rounds, then all data measured in the basis. Detectors (coordinates:
  the check's layout position and the round): the memory-basis checks only, each round's
  outcome against the previous round's (the first round's alone), and the final data parity
  of each check against its last outcome; the other basis's checks are measured but not
  declared (as in the paper's decoder, which decodes X and Z errors separately). Observables:
  the k logical operators of the basis (``lz`` for ``"Z"``, ``lx`` for ``"X"``), one each.
  The paper counts a shot as failed when any of the 2k logical operators fails; a Z and an
  X memory together give that figure (``qec.stats.per_round_any``).

Circuit distance (the paper's table): d_circ = 6 for [[72,12,6]] and d_circ ≤ 10 for the gross
code with this circuit. Checked here (``tests/qec/test_bb_code.py``, ``bench/bench_bb.py``):
[[72,12,6]]: stim's search finds a 6-fault logical error and no fault set of weight ≤ 2 is a
silent logical error; gross code: an OSD search finds 11 faults (an upper bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import stim

from qec.codes._transform import MARKER

__all__ = ["BB_CODES", "BBCode", "bb_circuit", "gf2_rank"]

# the paper's CNOT schedule: neighbour label per CNOT layer (None: no CNOT in that layer)
_SCHEDULE_X = (None, 1, 4, 3, 5, 0, 2)
_SCHEDULE_Z = (3, 5, 0, 1, 2, 4, None)
_LONG_RANGE = (0, 3)  # labels of A1 and B1 (the long-range edges), for both check types


@dataclass(frozen=True)
class BBCode:
    """A bivariate-bicycle code QC(A, B) with A = x^a1 + y^a2 + y^a3, B = y^b1 + x^b2 + x^b3.

    Attributes:
        ell: ℓ, the order of x.
        m: the order of y.
        a: (a1, a2, a3), exponents of A's terms (x, y, y).
        b: (b1, b2, b3), exponents of B's terms (y, x, x).
        distance: the code distance d (from the paper; not recomputed here).

    Example:
        >>> code = BB_CODES[12]
        >>> code.n, code.k, code.distance, code.name
        (144, 12, 12, '[[144,12,12]]')
    """

    ell: int
    m: int
    a: tuple[int, int, int]
    b: tuple[int, int, int]
    distance: int

    @property
    def n(self) -> int:
        """Data qubits, 2ℓm."""
        return 2 * self.ell * self.m

    @property
    def name(self) -> str:
        """``"[[n,k,d]]"``."""
        return f"[[{self.n},{self.k},{self.distance}]]"

    def _monomial(self, px: int, py: int) -> np.ndarray:
        """x^px y^py as an (ℓm, ℓm) uint8 permutation matrix."""
        sx = np.roll(np.eye(self.ell, dtype=np.uint8), px, axis=1)
        sy = np.roll(np.eye(self.m, dtype=np.uint8), py, axis=1)
        return np.kron(sx, sy)

    @cached_property
    def terms(self) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
        """((A1, A2, A3), (B1, B2, B3)) as (x power, y power) pairs."""
        a1, a2, a3 = self.a
        b1, b2, b3 = self.b
        return ((a1, 0), (0, a2), (0, a3)), ((0, b1), (b2, 0), (b3, 0))

    @cached_property
    def hx(self) -> np.ndarray:
        """H_X = [A | B], uint8, shape (n/2, n)."""
        ta, tb = self.terms
        a = sum(self._monomial(*t) for t in ta) % 2
        b = sum(self._monomial(*t) for t in tb) % 2
        return np.hstack([a, b]).astype(np.uint8)

    @cached_property
    def hz(self) -> np.ndarray:
        """H_Z = [Bᵀ | Aᵀ], uint8, shape (n/2, n)."""
        half = self.n // 2
        a, b = self.hx[:, :half], self.hx[:, half:]
        return np.hstack([b.T, a.T]).astype(np.uint8)

    @cached_property
    def k(self) -> int:
        """Logical qubits, n − rank H_X − rank H_Z."""
        return self.n - gf2_rank(self.hx) - gf2_rank(self.hz)

    @cached_property
    def logicals(self) -> tuple[np.ndarray, np.ndarray]:
        """Logical X and Z operators in canonical pairs.

        Returns:
            (lx, lz), uint8, each shape (k, n): lx[i] commutes with every Z check, lz[i] with
            every X check, neither is a product of checks, and lx·lzᵀ = I (mod 2): X̄_i
            anticommutes with Z̄_i only.
        """
        lz = _independent_of(_nullspace(self.hx), self.hz)
        lx = _independent_of(_nullspace(self.hz), self.hx)
        pairing = (lx.astype(np.int64) @ lz.T.astype(np.int64)) % 2
        lz = (_gf2_inverse(pairing).T.astype(np.int64) @ lz) % 2
        return lx.astype(np.uint8), lz.astype(np.uint8)

    def neighbours(self, check: str, index: int) -> tuple[int, ...]:
        """Data qubits (0..n−1; L first, then R) of one check, by neighbour label 0..5.

        Args:
            check: ``"X"`` or ``"Z"``.
            index: the check, a·m + b for x^a y^b.

        Returns:
            Six data indices: labels 0–2 on L, 3–5 on R (see the module docstring).
        """
        ta, tb = self.terms
        a, b = divmod(index, self.m)
        half = self.n // 2
        sign = 1 if check == "X" else -1
        left, right = (ta, tb) if check == "X" else (tb, ta)

        def shift(t: tuple[int, int]) -> int:
            return ((a + sign * t[0]) % self.ell) * self.m + (b + sign * t[1]) % self.m

        return tuple(shift(t) for t in left) + tuple(half + shift(t) for t in right)

    def position(self, role: str, index: int) -> tuple[int, int]:
        """Toric-layout position of a qubit, mod (2ℓ, 2m).

        Args:
            role: ``"X"`` (X check), ``"L"``, ``"R"`` (data) or ``"Z"`` (Z check).
            index: a·m + b for x^a y^b.

        Returns:
            (column, row): short-range neighbours are at torus distance 1.
        """
        a, b = divmod(index, self.m)
        dx, dy = {"X": (0, 0), "L": (0, -3), "R": (-3, 0), "Z": (-3, -3)}[role]
        return (2 * a + dx) % (2 * self.ell), (2 * b + dy) % (2 * self.m)


BB_CODES: dict[int, BBCode] = {
    6: BBCode(6, 6, (3, 1, 2), (3, 1, 2), 6),
    10: BBCode(9, 6, (3, 1, 2), (3, 1, 2), 10),
    12: BBCode(12, 6, (3, 1, 2), (3, 1, 2), 12),
}
"""The instances by distance: [[72,12,6]], [[108,8,10]], [[144,12,12]] (from the paper's list of
BB codes; all three share A = x³ + y + y², B = y³ + x + x², and have the toric layout). The
paper's [[90,8,10]] (ℓ, m = 15, 3) is left out: distance 10 is taken by [[108,8,10]], and with
its terms in the paper's order A2·A3ᵀ and B2·B3ᵀ do not generate the torus grid used here."""


def bb_circuit(code: BBCode, rounds: int, basis: str
               ) -> tuple[stim.Circuit, tuple[int, ...], tuple[int, ...],
                          frozenset[tuple[int, int]]]:
    """The noiseless memory circuit of a BB code (see the module docstring).

    Qubits: L data 0..n/2−1, R data n/2..n−1, X checks n..3n/2−1, Z checks 3n/2..2n−1.

    Args:
        code: the code.
        rounds: syndrome-measurement rounds, >= 1.
        basis: ``"Z"`` or ``"X"``.

    Returns:
        (circuit, data qubits, check qubits, local pairs): the pairs (a < b) of the
        short-range CNOTs.
    """
    n, half = code.n, code.n // 2
    data = list(range(n))
    xs = list(range(n, n + half))
    zs = list(range(n + half, 2 * n))
    lx, lz = code.logicals
    c = stim.Circuit()
    for q in range(2 * n):
        role, idx = ("L", q) if q < half else ("R", q - half) if q < n else \
            ("X", q - n) if q < n + half else ("Z", q - n - half)
        c.append("QUBIT_COORDS", [q], list(code.position(role, idx)))
    nb_x = [code.neighbours("X", i) for i in range(half)]
    nb_z = [code.neighbours("Z", i) for i in range(half)]
    local: set[tuple[int, int]] = set()
    for i in range(half):
        for label in range(6):
            if label not in _LONG_RANGE:
                local.add(tuple(sorted((xs[i], nb_x[i][label]))))
                local.add(tuple(sorted((zs[i], nb_z[i][label]))))

    def cnots(layer: int) -> list[int]:
        targets: list[int] = []
        if _SCHEDULE_X[layer] is not None:
            for i in range(half):
                targets += [xs[i], nb_x[i][_SCHEDULE_X[layer]]]
        if _SCHEDULE_Z[layer] is not None:
            for i in range(half):
                targets += [nb_z[i][_SCHEDULE_Z[layer]], zs[i]]
        return targets

    ours = zs if basis == "Z" else xs  # the checks whose detectors are declared
    c.append("R" if basis == "Z" else "RX", data)
    c.append("R", zs)
    c.append("TICK")
    n_meas = 0
    last: dict[int, int] = {}  # check qubit -> absolute index of its latest measurement
    for r in range(rounds):
        c.append("DEPOLARIZE1", data, [MARKER])
        for layer in range(8):
            if layer == 0:
                c.append("RX", xs)
            if layer == 6:
                c.append("M", zs)
                z_meas = {q: n_meas + j for j, q in enumerate(zs)}
                n_meas += half
            if layer == 7:
                c.append("MX", xs)
                x_meas = {q: n_meas + j for j, q in enumerate(xs)}
                n_meas += half
                c.append("R", zs)
            if layer < 7:
                c.append("CX", cnots(layer))
            c.append("TICK")
        now = z_meas if basis == "Z" else x_meas
        for q in ours:
            recs = [now[q]] + ([last[q]] if q in last else [])
            pos = code.position("Z" if basis == "Z" else "X", q - ours[0])
            c.append("DETECTOR", [stim.target_rec(k - n_meas) for k in recs], [*pos, r])
        last.update(now)
    c.append("M" if basis == "Z" else "MX", data)
    n_meas += n
    checks = code.hz if basis == "Z" else code.hx
    for j, q in enumerate(ours):
        recs = [n_meas - n + int(d) for d in np.flatnonzero(checks[j])] + [last[q]]
        pos = code.position("Z" if basis == "Z" else "X", j)
        c.append("DETECTOR", [stim.target_rec(k - n_meas) for k in recs], [*pos, rounds])
    for i, row in enumerate(lz if basis == "Z" else lx):
        c.append("OBSERVABLE_INCLUDE",
                 [stim.target_rec(int(d) - n) for d in np.flatnonzero(row)], [i])
    return c, tuple(data), tuple(xs + zs), frozenset(local)


# --- GF(2) linear algebra -------------------------------------------------------------------
def _row_reduce(matrix: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Reduced row-echelon form over GF(2) and its pivot columns."""
    m = (np.asarray(matrix) % 2).astype(np.uint8).copy()
    pivots: list[int] = []
    row = 0
    for col in range(m.shape[1]):
        if row == m.shape[0]:
            break
        hits = np.flatnonzero(m[row:, col])
        if hits.size == 0:
            continue
        p = row + int(hits[0])
        if p != row:
            m[[row, p]] = m[[p, row]]
        others = np.flatnonzero(m[:, col])
        others = others[others != row]
        m[others] ^= m[row]
        pivots.append(col)
        row += 1
    return m[:row], pivots


def gf2_rank(matrix: np.ndarray) -> int:
    """Rank over GF(2) of a 0/1 matrix.

    Example:
        >>> gf2_rank(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]]))
        2
    """
    return len(_row_reduce(matrix)[1])


def _nullspace(matrix: np.ndarray) -> np.ndarray:
    """Basis of {v : matrix·v = 0 mod 2}, uint8, shape (dim, columns)."""
    reduced, pivots = _row_reduce(matrix)
    cols = matrix.shape[1]
    free = [j for j in range(cols) if j not in set(pivots)]
    basis = np.zeros((len(free), cols), dtype=np.uint8)
    for i, f in enumerate(free):
        basis[i, f] = 1
        for r, p in enumerate(pivots):
            basis[i, p] = reduced[r, f]
    return basis


def _independent_of(candidates: np.ndarray, span: np.ndarray) -> np.ndarray:
    """Rows of ``candidates`` that, added one by one, raise the rank of ``span``'s rows."""
    kept: list[np.ndarray] = []
    stack = span.copy()
    rank = gf2_rank(stack)
    for v in candidates:
        trial = np.vstack([stack, v])
        r = gf2_rank(trial)
        if r > rank:
            kept.append(v)
            stack, rank = trial, r
    return np.array(kept, dtype=np.uint8).reshape(len(kept), span.shape[1])


def _gf2_inverse(matrix: np.ndarray) -> np.ndarray:
    """Inverse over GF(2) of a square invertible 0/1 matrix."""
    size = matrix.shape[0]
    reduced, pivots = _row_reduce(np.hstack([matrix % 2, np.eye(size, dtype=np.uint8)]))
    if pivots[:size] != list(range(size)):
        raise ValueError("matrix is singular over GF(2)")
    return reduced[:size, size:]
