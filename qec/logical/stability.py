"""Surface-code stability experiment, and the plaquette-schedule circuit builder it shares.

The stability experiment (C. Gidney, "Stability Experiments: The Overlooked Dual of Memory
Experiments", Quantum 6, 786 (2022), arXiv:2204.13834) is the dual of a memory experiment. A
memory experiment checks that a logical observable survives through *time*; a stability
experiment checks that the code can *move* an observable through *space*, i.e. determine the
product of a large region of stabilisers. Its patch (paper's Fig. 1: a 4x4 X-type patch) is an
n x n rotated surface-code patch whose four boundaries are all of one type (X for
``basis="X"``), so it encodes no logical qubit: the product of all its X stabilisers is the
identity. The data start in |0⟩, so each X stabiliser's first outcome is random but their
product is +1; the stabilisers are measured for ``rounds`` rounds and the data read out in Z.
The observable is the product of all X-stabiliser outcomes of the first round (the product of
the last round's differs from it by a product of detectors, so the two are equivalent for a
decoder). Measurement errors chained through all rounds on one stabiliser flip it undetected,
so its distance is time-like: ``rounds``. A bigger patch adds more places for such chains
(entropy) but no shorter logical, so the logical error per shot falls exponentially with
``rounds`` and *grows* with the patch: the dual of a memory, whose error falls with d and
grows with the rounds. Measured (MWPM, ``NoiseModel.uniform_depolarizing(p)``, basis X):

=====  ========  ======  ==========================
p      diameter  rounds  P_L per shot [Wilson 95 %]
=====  ========  ======  ==========================
0.5 %  6         2       3.83e-1 [3.76e-1, 3.90e-1]
0.5 %  6         4       6.99e-2 [6.65e-2, 7.35e-2]
0.5 %  6         6       1.47e-2 [1.31e-2, 1.64e-2]
0.3 %  4         2       1.57e-1 [1.55e-1, 1.59e-1]
0.3 %  4         4       9.82e-3 [9.23e-3, 1.05e-2]
0.3 %  4         6       1.04e-3 [8.59e-4, 1.26e-3]
0.3 %  8         2       3.71e-1 [3.68e-1, 3.74e-1]
0.3 %  8         4       4.52e-2 [4.39e-2, 4.65e-2]
0.3 %  8         6       6.73e-3 [6.24e-3, 7.26e-3]
=====  ========  ======  ==========================

(2·10^4 shots at 0.5 %, 10^5 at 0.3 %; odd rounds gain little over the even round below them,
as even distances do in a memory.) This is the shape of the paper's surface-code stability
results: the logical error falls exponentially with the rounds (the time-like distance) below
threshold. The paper's Fig. 1 is the 4x4 X-type circuit built here
(``stability_experiment(diameter=4, rounds=r)``: 16 data qubits, twelve X stabilisers); we
could not check the numbering of its results figure offline. (The stability experiment is
Gidney's single-author paper above, not the planar honeycomb benchmark of Gidney, Newman and
McEwen, arXiv:2202.11845.)

Circuits follow stim's ``surface_code:rotated_memory_*`` conventions: data qubits at odd (x, y),
measure qubits at even (x, y), the plaquette at (2a, 2b) of type Z when a + b is even (X
otherwise; ``basis="Z"`` swaps the types), qubit index x + (x_max + 1)·(y // 2), stim's CX
order (data offsets from the measure qubit per CX layer: X (+1, +1), (−1, +1), (+1, −1),
(−1, −1); Z (+1, +1), (+1, −1), (−1, +1), (−1, −1)), ``H`` on the X ancillas and ``MR`` at
the end of each round; detector coordinates (x, y, round), rounds counted from 1. The
circuit is noiseless; add noise with ``qec.noise.NoiseModel.noisy_circuit``.
``plaquette_circuit`` builds any schedule of resets, rounds (each with its own plaquette set)
and data measurements, with every deterministic detector; ``qec.logical.surgery`` uses it
for lattice surgery.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import stim

__all__ = [
    "LogicalExperiment",
    "Plaquette",
    "Step",
    "plaquette_circuit",
    "rectangle_plaquettes",
    "stability_experiment",
]

Coord = tuple[int, int]

# CX layers: the data qubit offset from the measure qubit, per layer (stim's rotated code)
_ORDER = {"X": ((1, 1), (-1, 1), (1, -1), (-1, -1)),
          "Z": ((1, 1), (1, -1), (-1, 1), (-1, -1))}


@dataclass(frozen=True)
class LogicalExperiment:
    """A fault-tolerant logical experiment: its noiseless circuit and qubit roles.

    Attributes:
        name: what it is, e.g. ``"stability-X"``, ``"surgery-ZZ"``.
        circuit: noiseless ``stim.Circuit`` with its ``DETECTOR``s and ``OBSERVABLE_INCLUDE``s
            (no detector fires and no observable flips without noise).
        data_qubits: stim indices of the data qubits.
        ancilla_qubits: stim indices of the measure qubits.
        rounds: stabiliser-measurement rounds in all.
        distance: the distance the construction is built for (space-like for surgery; the
            time-like distance ``rounds`` for a stability experiment).
        resources: ``{"qubits", "data", "ancillas", "rounds", "two_qubit_gates_per_round",
            ...}``; the experiment's own keys are documented where it is built.
    """

    name: str
    circuit: stim.Circuit
    data_qubits: tuple[int, ...]
    ancilla_qubits: tuple[int, ...]
    rounds: int
    distance: int
    resources: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plaquette:
    """One stabiliser: a measure qubit at ``center`` and the data qubits it touches.

    Attributes:
        center: (x, y) of the measure qubit, both even.
        basis: ``"X"`` or ``"Z"``.
        support: the data (x, y) it touches, each at (x ± 1, y ± 1) from ``center``.
    """

    center: Coord
    basis: str
    support: frozenset[Coord]

    def __post_init__(self) -> None:
        if self.basis not in ("X", "Z"):
            raise ValueError(f"basis = {self.basis!r}: must be 'X' or 'Z'")
        cx, cy = self.center
        bad = [d for d in self.support if abs(d[0] - cx) != 1 or abs(d[1] - cy) != 1]
        if bad:
            raise ValueError(f"support = {sorted(self.support)}: every data qubit must be at "
                             f"(x ± 1, y ± 1) from center = {self.center}; not {bad}")


@dataclass(frozen=True)
class Step:
    """One step of a schedule (``plaquette_circuit``).

    Attributes:
        kind: ``"reset"`` (data prepared in ``basis``), ``"round"`` (one round measuring
            ``plaquettes``) or ``"measure"`` (data read out in ``basis``).
        basis: ``"X"`` or ``"Z"`` for resets and measurements; ignored for rounds.
        data: data coordinates reset or measured.
        plaquettes: the stabilisers of a round.
    """

    kind: str
    basis: str = "Z"
    data: tuple[Coord, ...] = ()
    plaquettes: tuple[Plaquette, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in ("reset", "round", "measure"):
            raise ValueError(f"kind = {self.kind!r}: must be 'reset', 'round' or 'measure'")
        if self.basis not in ("X", "Z"):
            raise ValueError(f"basis = {self.basis!r}: must be 'X' or 'Z'")


def rectangle_plaquettes(x0: int, y0: int, width: int, height: int, *, sides: str = "Z",
                         ends: str = "X", z_even: bool = True) -> tuple[Plaquette, ...]:
    """Stabilisers of a rotated surface-code rectangle of ``width`` x ``height`` data qubits.

    The data sit at (2(x0 + i) + 1, 2(y0 + j) + 1), i < width, j < height; plaquette centres at
    (2a, 2b). Bulk plaquettes are all kept; a boundary one (weight 2) is kept when its type is
    the boundary's: ``sides`` for the left and right edges, ``ends`` for the bottom and top.

    Args:
        x0: x offset in plaquette units (keep x0 + y0 even to stay on stim's checkerboard).
        y0: y offset in plaquette units.
        width: data columns, >= 1.
        height: data rows, >= 1.
        sides: type of the left/right boundaries (stim's memory: ``"Z"``).
        ends: type of the bottom/top boundaries (stim's memory: ``"X"``).
        z_even: plaquette (2a, 2b) is Z when a + b is even (stim); False swaps the types.

    Returns:
        The plaquettes, sorted by centre (y, then x).

    Example:
        >>> len(rectangle_plaquettes(0, 0, 3, 3))  # stim's d = 3 patch: d² − 1
        8
    """
    data = {(2 * (x0 + i) + 1, 2 * (y0 + j) + 1) for i in range(width) for j in range(height)}
    out = []
    for b in range(y0, y0 + height + 1):
        for a in range(x0, x0 + width + 1):
            kind = "Z" if ((a + b) % 2 == 0) == z_even else "X"
            on_side = a in (x0, x0 + width)
            on_end = b in (y0, y0 + height)
            if on_side and on_end:
                continue
            if (on_side and kind != sides) or (on_end and kind != ends):
                continue
            support = frozenset((2 * a + dx, 2 * b + dy) for dx in (-1, 1) for dy in (-1, 1)
                                if (2 * a + dx, 2 * b + dy) in data)
            out.append(Plaquette((2 * a, 2 * b), kind, support))
    return tuple(sorted(out, key=lambda p: (p.center[1], p.center[0])))


@dataclass
class _Last:
    rec: int
    support: frozenset[Coord]
    round: int


def plaquette_circuit(steps: Sequence[Step]) -> tuple[stim.Circuit, dict[Any, int], dict]:
    """Noiseless circuit of a schedule, with every deterministic detector.

    Detectors (coordinates (x, y, round)): a plaquette measured in consecutive rounds compares
    its outcomes, also across a change of support when the added data qubits were just reset
    in its basis (a merge) or the removed ones just measured in its basis (a split, their
    outcomes join the detector); a plaquette measured for the first time right after all its
    data were reset in its basis is compared with +1; a final data measurement closes every
    plaquette of its basis measured in the last round. Products of random outcomes with a known
    value (a stability or surgery observable) are left to the caller.

    Args:
        steps: the schedule; the first round must come after the resets of its data.

    Returns:
        (circuit, records, qubits): ``records`` maps ``("p", round, center)`` (round from 1) and
        ``("d", coord)`` to absolute measurement indices (the last data measurement of a
        coordinate); ``qubits`` maps every coordinate to its stim index. Add observables with
        ``stim.target_rec(index - circuit.num_measurements)``.

    Raises:
        ValueError: one centre given two bases in different rounds.
    """
    coords: set[Coord] = set()
    for s in steps:
        coords.update(s.data)
        for p in s.plaquettes:
            coords.add(p.center)
            coords.update(p.support)
    width = max(x for x, _ in coords) + 1
    qubit = {c: c[0] + width * (c[1] // 2) for c in sorted(coords, key=lambda c: (c[1], c[0]))}
    c = stim.Circuit()
    for xy, q in sorted(qubit.items(), key=lambda kv: kv[1]):
        c.append("QUBIT_COORDS", [q], list(xy))
    anc = sorted({qubit[p.center] for s in steps for p in s.plaquettes})
    basis_of: dict[Coord, str] = {}
    for p in (p for s in steps for p in s.plaquettes):
        if basis_of.setdefault(p.center, p.basis) != p.basis:
            raise ValueError(f"plaquette at center = {p.center}: basis 'X' in one round and "
                             "'Z' in another; a measure qubit keeps its basis")
    records: dict[Any, int] = {}
    last: dict[Coord, _Last] = {}
    reset_at: dict[Coord, tuple[str, int]] = {}     # data -> (basis, round it precedes)
    measured_at: dict[Coord, tuple[str, int, int]] = {}  # data -> (basis, rec, after round)
    n = 0
    rnd = 0
    started = False
    for s in steps:
        if s.kind == "reset":
            qs = sorted(qubit[d] for d in s.data)
            if not started:
                c.append("R", anc)
            c.append("RX" if s.basis == "X" else "R", qs)
            c.append("TICK")
            started = True
            for d in s.data:
                reset_at[d] = (s.basis, rnd + 1)
        elif s.kind == "measure":
            order = sorted(s.data, key=lambda d: qubit[d])
            c.append("MX" if s.basis == "X" else "M", [qubit[d] for d in order])
            for d in order:
                records[("d", d)] = n
                measured_at[d] = (s.basis, n, rnd)
                n += 1
            for center, lst in last.items():
                if lst.round != rnd or lst.support - set(s.data):
                    continue
                if basis_of[center] != s.basis:
                    continue
                targets = [lst.rec] + [records[("d", d)] for d in lst.support]
                _detector(c, targets, n, (*center, rnd + 1))
            if s is not steps[-1]:
                c.append("TICK")
        else:
            rnd += 1
            n = _round(c, s.plaquettes, qubit, n, rnd, records, last, reset_at, measured_at)
    return c, records, qubit


def _detector(c: stim.Circuit, targets: list[int], n: int, coords: tuple) -> None:
    c.append("DETECTOR", [stim.target_rec(t - n) for t in sorted(targets)], list(coords))


def _round(c: stim.Circuit, plaquettes: Sequence[Plaquette], qubit: dict, n: int, rnd: int,
           records: dict, last: dict, reset_at: dict, measured_at: dict) -> int:
    xs = [qubit[p.center] for p in plaquettes if p.basis == "X"]
    c.append("H", sorted(xs))
    c.append("TICK")
    for layer in range(4):
        pairs: list[int] = []
        for p in plaquettes:
            dx, dy = _ORDER[p.basis][layer]
            d = (p.center[0] + dx, p.center[1] + dy)
            if d in p.support:
                a, q = qubit[p.center], qubit[d]
                pairs += [a, q] if p.basis == "X" else [q, a]
        c.append("CX", pairs)
        c.append("TICK")
    c.append("H", sorted(xs))
    c.append("TICK")
    order = sorted(plaquettes, key=lambda p: qubit[p.center])
    c.append("MR", [qubit[p.center] for p in order])
    start = n
    for i, p in enumerate(order):
        records[("p", rnd, p.center)] = start + i
    n = start + len(order)
    for p in order:
        rec = records[("p", rnd, p.center)]
        prev = last.get(p.center)
        targets: list[int] | None = None
        if prev is not None and prev.round == rnd - 1:
            added, removed = p.support - prev.support, prev.support - p.support
            if all(reset_at.get(d) == (p.basis, rnd) for d in added) and all(
                    d in measured_at and measured_at[d][0] == p.basis
                    and measured_at[d][2] == rnd - 1 for d in removed):
                targets = [rec, prev.rec] + [measured_at[d][1] for d in removed]
        elif all(reset_at.get(d) == (p.basis, rnd) for d in p.support):
            targets = [rec]
        if targets is not None:
            _detector(c, targets, n, (*p.center, rnd))
        last[p.center] = _Last(rec, p.support, rnd)
    c.append("TICK")
    return n


def two_qubit_gates(circuit: stim.Circuit) -> int:
    """Number of two-qubit unitary gate applications (target pairs) in ``circuit``."""
    total = 0
    for inst in circuit.flattened():
        data = stim.gate_data(inst.name)
        if data.is_two_qubit_gate and data.is_unitary:
            total += len(inst.targets_copy()) // 2
    return total


def check_int(name: str, value: object, low: int, *, even: bool | None = None) -> int:
    """``value`` as an int, or ``ValueError`` naming ``name``, the value and the allowed range."""
    parity = {None: "", True: "even ", False: "odd "}[even]
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low
            or (even is not None and (int(value) % 2 == 0) != even)):
        raise ValueError(f"{name} = {value!r}: must be an {parity}integer >= {low}")
    return int(value)


def stability_experiment(*, diameter: int, rounds: int, basis: str = "X") -> LogicalExperiment:
    """Surface-code stability experiment (Gidney, Quantum 6, 786 (2022), its Fig. 1 circuit).

    A ``diameter`` x ``diameter`` rotated patch with ``basis``-type boundaries on all four
    sides (no logical qubit), data prepared in the other basis, ``rounds`` rounds, data read
    out in the other basis. Observable 0: the product of all ``basis``-type stabiliser
    outcomes of the first round (+1 without noise). Its graphlike distance is ``rounds``
    (time-like: one stabiliser's measurement errors in every round) at every diameter we
    checked (2 to 8), also when ``rounds`` exceeds the diameter: the patch has no space-like
    logical, so it never caps the distance. The logical error per shot falls exponentially
    with ``rounds`` below threshold (the module docstring has the figures).

    Args:
        diameter: data qubits per side, an even integer >= 2 (odd sizes leave a corner data
            qubit outside any stabiliser of one type, i.e. a logical qubit).
        rounds: stabiliser rounds, integer >= 2 (one round has no time-like protection).
        basis: ``"X"`` (the paper's X-type patch, data in |0⟩) or ``"Z"`` (types swapped).

    Returns:
        ``LogicalExperiment`` named ``"stability-X"``/``"stability-Z"``; ``distance`` =
        ``rounds``; ``resources``: qubits, data, ancillas, rounds, stabilisers of each type,
        two_qubit_gates_per_round.

    Raises:
        ValueError: bad ``diameter``, ``rounds`` or ``basis``.

    Example:
        >>> exp = stability_experiment(diameter=4, rounds=3)
        >>> exp.resources["stabilisers_of_basis"], len(exp.data_qubits)  # the paper's 12, 16
        (12, 16)
        >>> exp.circuit.num_observables
        1
    """
    n = check_int("diameter", diameter, 2, even=True)
    r = check_int("rounds", rounds, 2)
    if basis not in ("X", "Z"):
        raise ValueError(f"basis = {basis!r}: must be 'X' or 'Z'")
    other = "Z" if basis == "X" else "X"
    plaq = rectangle_plaquettes(0, 0, n, n, sides=basis, ends=basis, z_even=basis == "X")
    data = tuple(sorted((2 * i + 1, 2 * j + 1) for i in range(n) for j in range(n)))
    steps = [Step("reset", other, data)] + [Step("round", plaquettes=plaq)] * r + [
        Step("measure", other, data)]
    circuit, records, qubit = plaquette_circuit(steps)
    total = circuit.num_measurements
    obs = [stim.target_rec(records[("p", 1, p.center)] - total)
           for p in plaq if p.basis == basis]
    circuit.append("OBSERVABLE_INCLUDE", obs, [0])
    n_basis = sum(p.basis == basis for p in plaq)
    resources = {"qubits": len(data) + len(plaq), "data": len(data), "ancillas": len(plaq),
                 "rounds": r, "stabilisers_of_basis": n_basis,
                 "stabilisers_other": len(plaq) - n_basis,
                 "two_qubit_gates_per_round": two_qubit_gates(circuit) // r}
    return LogicalExperiment(f"stability-{basis}", circuit,
                             tuple(sorted(qubit[d] for d in data)),
                             tuple(sorted(qubit[p.center] for p in plaq)), r, r, resources)
