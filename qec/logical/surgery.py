"""Lattice surgery on rotated surface-code patches: ZZ / XX measurements and a logical CNOT.

Two distance-d patches in stim's ``surface_code:rotated_memory_*`` layout (Z-type boundaries
left and right, X-type top and bottom; Z_L a row, X_L a column) are placed with one line of
gap data qubits between the boundaries that the measured operator ends on:

* ``"ZZ"``: patch B above patch A, a gap *row* between A's top and B's bottom X-type
  boundaries. Both patches start in |0_L⟩ (data ``R``). At the merge the gap data are
  prepared in |+⟩ and the (2d+1) x d merged patch is measured: d + 1 new Z plaquettes
  straddle the gap, and their product is Z_L(A)·Z_L(B), so ZZ = +1 deterministically. At the
  split the gap data are read in X. The data are read in Z at the end.
* ``"XX"``: patch B right of patch A, a gap *column* between their Z-type boundaries, gap data
  prepared in |0⟩ and read in Z, patches in |+_L⟩ and read in X; d + 1 new X plaquettes
  measure X_L(A)·X_L(B).

Schedule: ``pre_rounds`` rounds of both memories, ``merge_rounds`` rounds of the merged patch,
``post_rounds`` rounds of both memories, final data readout. Observables: 0, the measured
ZZ (XX): the product of the new plaquettes' outcomes in the first merge round; 1 and 2, Z_L
(X_L) of A and of B from the final readout. Detectors: every deterministic one
(``qec.logical.stability.plaquette_circuit``): the extended boundary plaquettes across the
merge (the gap was prepared in their basis) and across the split (with the gap's readout),
the new plaquettes between merge rounds (their first outcomes are random), and all the rest as
in a memory. The new plaquettes have no detector at the start or end of the merge, so
measurement errors chained through all merge rounds flip observable 0: its time-like distance
is ``merge_rounds`` (d by default); its space-like distance, and that of observables 1 and 2,
is d.

Module map (QuantaCore: one hardware module per patch, local gates inside it, every other
two-qubit gate the photon-mediated remote gate): the gap data and every qubit whose
coordinate along the seam normal is <= 2d + 1 belong to A's module (``"ZZ"``: y <= 2d + 1;
``"XX"``: x <= 2d + 1), the rest to B's. So A's extended boundary plaquettes and the new
plaquettes on A's side are local, and the d plaquettes centred on B's side of the gap (y or
x = 2d + 2: d − 1 weight-4 ones and one weight-2 boundary one) each reach the gap data with
remote CNOTs: 2(d − 1) + 1 = 2d − 1 remote gates per merge round (``resources
["remote_gates"]``: 15 at d = 3, merge_rounds = 3). ``exp.local_pairs`` gives the local
pairs for ``NoiseModel.noisy_circuit(..., local_pairs=...)``.

Cost normalisation (``tests/qec/test_logical_surgery.py``): the operation fails when *any* of
its three observables is wrong (P_op per shot); per round p_op = 1 − (1 − P_op)^(1/R) over its
R = pre + merge + post rounds (``qec.stats.per_round_any``). The reference is the same two
patches idling for the same R rounds: two same-d ``rotated_memory_z`` (``_x``) memories of R
rounds under the same noise, P_ref = 1 − (1 − P_mem)², per round alike. The surgery keeps two
logical qubits *and* yields one outcome, so one memory is not its like; the ratio to one
memory's ε is reported too. Measured with MWPM under ``NoiseModel.uniform_depolarizing(p)``,
pre = post = 1, merge_rounds = d (10^5 shots at p = 0.3 %, 10^6 at p = 0.1 %):

=====  =====  ===  =========  ================  =====================  =====================
basis  p      d    P_op       p_op per round    ratio to 2 memories    ratio to 1 memory ε
=====  =====  ===  =========  ================  =====================  =====================
ZZ     0.3 %  3    1.62e-2    3.27e-3           1.33                   2.65
ZZ     0.3 %  5    4.28e-3    6.13e-4           0.89                   1.77
XX     0.3 %  3    2.08e-2    4.20e-3           1.39                   2.78
XX     0.3 %  5    5.67e-3    8.12e-4           1.20                   2.39
ZZ     0.1 %  3    1.86e-3    3.72e-4           1.23                   2.46
ZZ     0.1 %  5    1.60e-4    2.29e-5           0.88                   1.76
XX     0.1 %  3    2.32e-3    4.64e-4           1.52                   3.03
XX     0.1 %  5    2.03e-4    2.90e-5           1.03                   2.05
=====  =====  ===  =========  ================  =====================  =====================

Each patch's own logical fails about as often as a memory; the measured outcome (observable
0) fails ~1.5–2x as often (its time-like chains along the seam, plus both patches' space-like
ones). XX's outcome fails more often than ZZ's, most likely because its new plaquettes are X
type, whose two ``H`` gates per round add measurement noise along the seam (observable 0 is
flipped by time-like chains; the X and Z memories, flipped by space-like ones, agree).

Logical CNOT (``surgery_cnot_experiment``; Horsman, Fowler, Devitt and Van Meter, NJP 14,
123011 (2012); Litinski, Quantum 3, 128 (2019)): control C, ancilla A, target T, three
distance-d patches in an L (A at the origin, C above it across a gap row y = 2d + 1, T right
of it across a gap column x = 2d + 1). A starts in |+_L⟩; Z_C Z_A is measured by a ZZ merge
(``merge_rounds`` rounds, split), then X_A X_T by an XX merge (back to back, no rounds
between), then A is read in Z. Outcomes: m_zz, the C+A merge's new Z plaquettes in its first
round (Z_C on C's bottom row × Z_A on A's top row); m_xx, the A+T merge's new X plaquettes
in its first round (X_A on A's right column × X_T on T's left column); m_a, A's top row in
the final Z readout; g_x, the X readout at the first split of the gap qubit on A's right
column, (2d − 1, 2d + 1); g_z, the Z readout at the second split of the gap qubit on A's top
row, (2d + 1, 2d − 1). Stabiliser tracking through the three measurements gives X_C →
(−1)^(m_xx + g_x) X_C X_T, Z_T → (−1)^(m_zz + m_a + g_z) Z_C Z_T, Z_C → Z_C, X_T → X_T: the
CNOT up to the Pauli frame X_T^(m_zz + m_a + g_z) Z_C^(m_xx + g_x). Correction rule: every
observable is an output operator times its sign's outcomes (the function lists them per
``basis``). The representatives must be those the merges measured: a merged patch's logical
runs straight through its gap, so the output Z_T is read on A's top row, X_C on A's right
column, and the split readout of the gap qubit on that line joins the correction; on another
row or column the observable is random (it differs by stabilisers never fixed, e.g. C's Z
stabilisers when C starts in |+⟩). Module rule: A's module holds A, both gaps and every
measure qubit with x, y <= 2d + 1; C's those with y > 2d + 1; T's those with x > 2d + 1;
so each merge has 2d − 1 remote CNOTs per round, as above: ``remote_gates`` = 2·merge·(2d −
1), 30 at d = 3. ``rounds`` counts every stabiliser round: pre + 2·merge + post (3d + 2 by
default). Graphlike distance of the uniformly noisy circuit: d at merge_rounds = d (every
basis, d = 3 and 5), min(merge_rounds, d) with fewer (the merge outcomes' time-like chains).
Measured (MWPM, ``NoiseModel.uniform_depolarizing(p)``, pre = post = 1, merge_rounds = d,
10^5 shots at 0.3 %, 10^6 at 0.1 %; P_op: any observable wrong, per shot; ref: two same-d
rotated memories, C and T idling for the same rounds, 1 − (1 − P_mem)², Z or X memory as
the readout basis):

======  =====  ===  ======  ==========================  ========  ============
basis   p      d    rounds  P_op [Wilson 95 %]          ref       P_op / ref
======  =====  ===  ======  ==========================  ========  ============
Z       0.3 %  3    8       3.50e-2 [3.39e-2, 3.62e-2]  1.81e-2   1.93
Z       0.3 %  5    12      1.22e-2 [1.15e-2, 1.29e-2]  8.14e-3   1.50
X       0.3 %  3    8       4.20e-2 [4.08e-2, 4.33e-2]  2.00e-2   2.10
X       0.3 %  5    12      1.61e-2 [1.53e-2, 1.69e-2]  9.28e-3   1.73
bell-Z  0.3 %  3    8       3.18e-2 [3.07e-2, 3.29e-2]  1.81e-2   1.76
bell-Z  0.3 %  5    12      1.29e-2 [1.22e-2, 1.36e-2]  8.14e-3   1.58
bell-X  0.3 %  3    8       3.37e-2 [3.26e-2, 3.48e-2]  2.00e-2   1.69
bell-X  0.3 %  5    12      1.38e-2 [1.31e-2, 1.45e-2]  9.28e-3   1.49
Z       0.1 %  3    8       3.96e-3 [3.83e-3, 4.08e-3]  2.16e-3   1.83
Z       0.1 %  5    12      4.81e-4 [4.40e-4, 5.26e-4]  2.96e-4   1.62
X       0.1 %  3    8       4.81e-3 [4.67e-3, 4.94e-3]  2.51e-3   1.92
X       0.1 %  5    12      5.53e-4 [5.09e-4, 6.01e-4]  3.04e-4   1.82
bell-Z  0.1 %  3    8       3.71e-3 [3.59e-3, 3.83e-3]  2.16e-3   1.72
bell-Z  0.1 %  5    12      4.49e-4 [4.09e-4, 4.92e-4]  2.96e-4   1.52
bell-X  0.1 %  3    8       4.06e-3 [3.94e-3, 4.19e-3]  2.51e-3   1.62
bell-X  0.1 %  5    12      4.89e-4 [4.48e-4, 5.34e-4]  3.04e-4   1.61
======  =====  ===  ======  ==========================  ========  ============

The error per operation falls 8–9x from d = 3 to 5 at 0.1 % (2.4–2.9x at 0.3 %), and the
CNOT costs 1.5–2.1x its two logical qubits idling as long (three patches and two merges,
whose outcomes the corrections carry). Commands: every P_op is ``_rates(p, basis, shots)`` of
``tests/qec/test_logical_cnot.py`` (seeds 40 + d + chunk start; 10^5 shots at 0.3 %, 10^6 at
0.1 %); ``pytest -m slow tests/qec/test_logical_cnot.py`` reruns the 0.1 % rows (15–24 s a
basis), ``-k falls`` the 0.3 % check at 2·10^4 shots. The reference: ``stim.Circuit.
generated("surface_code:rotated_memory_z", distance=d, rounds=R)`` (``_x``) under the same
noise, same shots, MWPM.
"""

from __future__ import annotations

import stim

from qec.logical._plaquettes import (
    LogicalExperiment,
    Step,
    check_int,
    module_gates,
    plaquette_circuit,
    rectangle_plaquettes,
    two_qubit_gates,
)

__all__ = ["CNOT_BASES", "surgery_cnot_experiment", "surgery_experiment"]


def surgery_experiment(*, distance: int, merge_rounds: int | None = None, pre_rounds: int = 1,
                       post_rounds: int = 1, basis: str = "ZZ") -> LogicalExperiment:
    """Lattice-surgery measurement of Z_L⊗Z_L (or X_L⊗X_L) between two distance-d patches.

    Args:
        distance: code distance d of each patch, odd integer >= 3.
        merge_rounds: rounds of the merged patch, integer >= 1; None: d (the time-like
            distance of the measured outcome).
        pre_rounds: memory rounds before the merge, integer >= 1.
        post_rounds: memory rounds after the split, integer >= 1.
        basis: ``"ZZ"`` or ``"XX"``.

    Returns:
        ``LogicalExperiment`` named ``"surgery-ZZ"``/``"surgery-XX"``, three observables (0:
        the measured ZZ/XX, 1: A's logical, 2: B's logical), ``rounds`` = pre + merge + post,
        ``distance`` = d; ``resources``: ``qubits``, ``data`` (2d² + d, gap included),
        ``ancillas`` (every measure qubit used), ``merge_rounds``, ``rounds``,
        ``two_qubit_gates_per_round`` (whole circuit / rounds), ``two_qubit_gates_per_round_
        separate`` and ``..._merged`` (one round of each phase), ``remote_gates`` (two-qubit
        gates between modules, whole circuit: 2d − 1 per merge round); ``modules``: A's, B's.

    Raises:
        ValueError: bad ``distance``, round counts or ``basis``.

    Example:
        >>> exp = surgery_experiment(distance=3)
        >>> exp.resources["data"], exp.resources["ancillas"], exp.rounds
        (21, 20, 5)
        >>> exp.circuit.num_observables
        3
    """
    d = check_int("distance", distance, 3, even=False)
    m = d if merge_rounds is None else check_int("merge_rounds", merge_rounds, 1)
    pre = check_int("pre_rounds", pre_rounds, 1)
    post = check_int("post_rounds", post_rounds, 1)
    if basis not in ("ZZ", "XX"):
        raise ValueError(f"basis = {basis!r}: must be 'ZZ' or 'XX'")
    kind = basis[0]
    gap_basis = "X" if kind == "Z" else "Z"
    cells = range(d)
    if kind == "Z":  # B above A: the gap is the row y = 2d + 1
        a_data = [(2 * i + 1, 2 * j + 1) for j in cells for i in cells]
        b_data = [(x, y + 2 * d + 2) for x, y in a_data]
        gap = [(2 * i + 1, 2 * d + 1) for i in cells]
        a_plaq = rectangle_plaquettes(0, 0, d, d)
        b_plaq = rectangle_plaquettes(0, d + 1, d, d)
        merged = rectangle_plaquettes(0, 0, d, 2 * d + 1)
        a_log = [(2 * i + 1, 1) for i in cells]          # Z_L: A's bottom row
        b_log = [(2 * i + 1, 4 * d + 1) for i in cells]  # B's top row
    else:  # B right of A: the gap is the column x = 2d + 1
        a_data = [(2 * i + 1, 2 * j + 1) for j in cells for i in cells]
        b_data = [(x + 2 * d + 2, y) for x, y in a_data]
        gap = [(2 * d + 1, 2 * j + 1) for j in cells]
        a_plaq = rectangle_plaquettes(0, 0, d, d)
        b_plaq = rectangle_plaquettes(d + 1, 0, d, d)
        merged = rectangle_plaquettes(0, 0, 2 * d + 1, d)
        a_log = [(1, 2 * j + 1) for j in cells]          # X_L: A's left column
        b_log = [(4 * d + 1, 2 * j + 1) for j in cells]  # B's right column
    separate = a_plaq + b_plaq
    old = {p.center for p in separate}
    new = [p for p in merged if p.center not in old]
    patches = tuple(sorted(a_data + b_data, key=lambda c: (c[1], c[0])))
    steps = ([Step("reset", kind, patches)] + [Step("round", plaquettes=separate)] * pre
             + [Step("reset", gap_basis, tuple(gap))] + [Step("round", plaquettes=merged)] * m
             + [Step("measure", gap_basis, tuple(gap))]
             + [Step("round", plaquettes=separate)] * post + [Step("measure", kind, patches)])
    circuit, records, qubit = plaquette_circuit(steps)
    total = circuit.num_measurements
    first_merge = pre + 1
    observables = ([records[("p", first_merge, p.center)] for p in new],
                   [records[("d", c)] for c in a_log], [records[("d", c)] for c in b_log])
    for k, recs in enumerate(observables):
        circuit.append("OBSERVABLE_INCLUDE", [stim.target_rec(r - total) for r in recs], [k])
    rounds = pre + m + post
    data = sorted(qubit[c] for c in (*patches, *gap))
    ancillas = sorted({qubit[p.center] for p in (*separate, *merged)})
    axis = 1 if kind == "Z" else 0  # A's module: coordinate along the seam normal <= 2d + 1
    modules = _modules(qubit, [*patches, *gap, *(p.center for p in (*separate, *merged))],
                       lambda xy: "A" if xy[axis] <= 2 * d + 1 else "B")
    resources = {"qubits": len(data) + len(ancillas), "data": len(data),
                 "ancillas": len(ancillas), "merge_rounds": m, "rounds": rounds,
                 "new_plaquettes": len(new),
                 "two_qubit_gates_per_round": two_qubit_gates(circuit) // rounds,
                 "two_qubit_gates_per_round_separate": sum(len(p.support) for p in separate),
                 "two_qubit_gates_per_round_merged": sum(len(p.support) for p in merged),
                 "remote_gates": module_gates(circuit, modules)[1]}
    return LogicalExperiment(f"surgery-{basis}", circuit, tuple(data), tuple(ancillas), rounds,
                             d, resources, modules)


def _modules(qubit: dict, coords, module_of) -> tuple[tuple[int, ...], ...]:
    """Stim indices grouped by ``module_of(coord)``, modules in order of their names."""
    groups: dict[str, set[int]] = {}
    for xy in coords:
        groups.setdefault(module_of(xy), set()).add(qubit[xy])
    return tuple(tuple(sorted(groups[k])) for k in sorted(groups))


CNOT_BASES = ("Z", "X", "bell-Z", "bell-X")


def surgery_cnot_experiment(*, distance: int, merge_rounds: int | None = None,
                            pre_rounds: int = 1, post_rounds: int = 1,
                            basis: str = "Z") -> LogicalExperiment:
    """Logical CNOT (control C, target T) by lattice surgery through an ancilla patch A.

    Layout (an L, three distance-d patches, one module each): A at the origin, C above A with
    a gap row (y = 2d + 1) for the Z_C Z_A merge, T right of A with a gap column (x = 2d + 1)
    for the X_A X_T merge. Schedule: resets (A in |+_L⟩, C and T as ``basis`` says),
    ``pre_rounds`` rounds of the three patches; ``merge_rounds`` rounds of C+A merged (T
    idles), split; ``merge_rounds`` rounds of A+T merged (C idles), split; ``post_rounds``
    rounds of the three patches; A read in Z, C and T in the readout basis. The module
    docstring gives the protocol, the outcomes m_zz, m_xx, m_a, g_z, g_x and the correction
    rule: CNOT up to X_T^(m_zz + m_a + g_z) Z_C^(m_xx + g_x), folded into the observables.

    Args:
        distance: code distance d of each patch, odd integer >= 3.
        merge_rounds: rounds of each merge, integer >= 1; None: d.
        pre_rounds: rounds of the three patches before the first merge, integer >= 1.
        post_rounds: rounds after the second split, integer >= 1.
        basis: input states and observables (each +1 without noise after the corrections):
            ``"Z"``: |0⟩_C|0⟩_T, read Z; observables 0: Z_C Z_T·m_zz·m_a·g_z (= input Z_T),
            1: Z_C. ``"X"``: |+⟩_C|+⟩_T, read X; 0: X_C X_T·m_xx·g_x (= input X_C), 1: X_T.
            ``"bell-Z"``, ``"bell-X"``: |+⟩_C|0⟩_T, which the CNOT makes a Bell pair; read
            Z: 0: Z_C Z_T·m_zz·m_a·g_z, or read X: 0: X_C X_T·m_xx·g_x (random without the
            gate, so these show that it acted; one transversal readout cannot give both).

    Returns:
        ``LogicalExperiment`` named ``"surgery-cnot-<basis>"``, ``rounds`` = pre + 2·merge +
        post (every round of stabiliser measurements, the two merges back to back),
        ``distance`` = d, ``modules`` = (A's, C's, T's); ``resources``: ``qubits``,
        ``data`` (3d² + 2d, gaps included), ``ancillas``, ``merge_rounds``, ``rounds``,
        ``two_qubit_gates_per_round`` (whole circuit / rounds), ``remote_gates`` (whole
        circuit: 2d − 1 per merge round, as in ``surgery_experiment``).

    Raises:
        ValueError: bad ``distance``, round counts or ``basis``.

    Example:
        >>> exp = surgery_cnot_experiment(distance=3, basis="bell-Z")
        >>> exp.rounds, exp.resources["data"], exp.resources["remote_gates"]
        (8, 33, 30)
        >>> exp.circuit.num_observables
        1
    """
    d = check_int("distance", distance, 3, even=False)
    m = d if merge_rounds is None else check_int("merge_rounds", merge_rounds, 1)
    pre = check_int("pre_rounds", pre_rounds, 1)
    post = check_int("post_rounds", post_rounds, 1)
    if basis not in CNOT_BASES:
        raise ValueError(f"basis = {basis!r}: must be one of {', '.join(map(repr, CNOT_BASES))}")
    cells, off = range(d), 2 * d + 2
    a_data = [(2 * i + 1, 2 * j + 1) for j in cells for i in cells]
    c_data = [(x, y + off) for x, y in a_data]
    t_data = [(x + off, y) for x, y in a_data]
    row_gap = tuple((2 * i + 1, 2 * d + 1) for i in cells)
    col_gap = tuple((2 * d + 1, 2 * j + 1) for j in cells)
    a_plaq = rectangle_plaquettes(0, 0, d, d)
    c_plaq = rectangle_plaquettes(0, d + 1, d, d)
    t_plaq = rectangle_plaquettes(d + 1, 0, d, d)
    ca = rectangle_plaquettes(0, 0, d, 2 * d + 1)
    at = rectangle_plaquettes(0, 0, 2 * d + 1, d)
    separate = a_plaq + c_plaq + t_plaq
    old = {p.center for p in separate}
    new_zz = [p for p in ca if p.center not in old]
    new_xx = [p for p in at if p.center not in old]
    readout = "X" if basis in ("X", "bell-X") else "Z"
    c_in = "Z" if basis == "Z" else "X"
    t_in = "X" if basis == "X" else "Z"
    resets: dict[str, list] = {"X": list(a_data)}
    resets.setdefault(c_in, []).extend(c_data)
    resets.setdefault(t_in, []).extend(t_data)
    steps = [Step("reset", b, tuple(sorted(cs))) for b, cs in sorted(resets.items())]
    steps += ([Step("round", plaquettes=separate)] * pre + [Step("reset", "X", row_gap)]
              + [Step("round", plaquettes=ca + t_plaq)] * m + [Step("measure", "X", row_gap),
                                                               Step("reset", "Z", col_gap)]
              + [Step("round", plaquettes=at + c_plaq)] * m + [Step("measure", "Z", col_gap)]
              + [Step("round", plaquettes=separate)] * post
              + [Step("measure", "Z", tuple(a_data)),
                 Step("measure", readout, tuple(sorted(c_data + t_data)))])
    circuit, records, qubit = plaquette_circuit(steps)
    total = circuit.num_measurements
    m_zz = [records[("p", pre + 1, p.center)] for p in new_zz]
    m_xx = [records[("p", pre + m + 1, p.center)] for p in new_xx]

    def rec(coords) -> list[int]:
        return [records[("d", xy)] for xy in coords]

    def z_row(x0: int, y: int) -> list[int]:  # Z_L: a data row of the patch starting at x0
        return rec((x0 + 2 * i + 1, y) for i in cells)

    def x_col(x: int, y0: int) -> list[int]:  # X_L: a data column of the patch at y0
        return rec((x, y0 + 2 * j + 1) for j in cells)

    m_a = z_row(0, 2 * d - 1)                   # A's top row: the Z_A of m_zz
    # representatives: a merged patch's logical runs straight through its gap, so Z_T is on
    # A's top row (y = 2d − 1) and X_C on A's right column (x = 2d − 1), and the gap qubit on
    # that line (its split readout) joins the correction
    g_z = rec([(2 * d + 1, 2 * d - 1)])
    g_x = rec([(2 * d - 1, 2 * d + 1)])
    zz_out = z_row(0, off + 1) + z_row(off, 2 * d - 1) + m_zz + m_a + g_z  # C: bottom row
    xx_out = x_col(2 * d - 1, off) + x_col(off + 1, 0) + m_xx + g_x        # T: left column
    observables = {"Z": [zz_out, z_row(0, 4 * d + 1)], "X": [xx_out, x_col(4 * d + 1, 0)],
                   "bell-Z": [zz_out], "bell-X": [xx_out]}[basis]
    for k, recs in enumerate(observables):
        circuit.append("OBSERVABLE_INCLUDE", [stim.target_rec(r - total) for r in recs], [k])
    rounds = pre + 2 * m + post
    data = sorted(qubit[c] for c in (*a_data, *c_data, *t_data, *row_gap, *col_gap))
    ancillas = sorted({qubit[p.center] for p in (*separate, *ca, *at)})
    coords = [*a_data, *c_data, *t_data, *row_gap, *col_gap,
              *{p.center for p in (*separate, *ca, *at)}]
    modules = _modules(qubit, coords, lambda xy: "C" if xy[1] > 2 * d + 1
                       else "T" if xy[0] > 2 * d + 1 else "A")
    resources = {"qubits": len(data) + len(ancillas), "data": len(data),
                 "ancillas": len(ancillas), "merge_rounds": m, "rounds": rounds,
                 "two_qubit_gates_per_round": two_qubit_gates(circuit) // rounds,
                 "remote_gates": module_gates(circuit, modules)[1]}
    return LogicalExperiment(f"surgery-cnot-{basis}", circuit, tuple(data), tuple(ancillas),
                             rounds, d, resources, modules)

