"""Plaquette-schedule circuit builder shared by the logical experiments, and their container.

``plaquette_circuit`` builds the noiseless circuit of any schedule of data resets, rounds of
stabiliser measurements (each round with its own ``Plaquette`` set) and data measurements, in
stim's ``surface_code:rotated_memory_*`` conventions (``qec.logical.stability`` describes
them), with every deterministic detector. ``LogicalExperiment`` holds a built experiment,
with its module map (which hardware module holds each qubit; ``local_pairs`` for
``qec.noise.NoiseModel.noisy_circuit``). ``qec.logical.stability`` re-exports these names.
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
    "check_int",
    "module_gates",
    "plaquette_circuit",
    "rectangle_plaquettes",
    "two_qubit_gates",
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
            "remote_gates", ...}``; the experiment's own keys are documented where it is built.
        modules: the stim indices of the qubits of each hardware module (QuantaCore: one
            module per patch, with its data and measure qubits); every data and measure qubit
            in exactly one module. Empty: no module map (``local_pairs`` is empty, every
            two-qubit gate counts as remote).

    Raises:
        ValueError: ``modules`` not empty and not a partition of the data and measure qubits.

    Example:
        >>> c = stim.Circuit("CX 0 1 1 2")
        >>> exp = LogicalExperiment("toy", c, (0, 2), (1,), 1, 1, modules=((0, 1), (2,)))
        >>> sorted(exp.local_pairs), module_gates(c, exp.modules)
        ([(0, 1)], (frozenset({(0, 1)}), 1))
    """

    name: str
    circuit: stim.Circuit
    data_qubits: tuple[int, ...]
    ancilla_qubits: tuple[int, ...]
    rounds: int
    distance: int
    resources: dict[str, Any] = field(default_factory=dict)
    modules: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.modules:
            return
        qubits = set(self.data_qubits) | set(self.ancilla_qubits)
        flat = [q for m in self.modules for q in m]
        if len(flat) != len(set(flat)) or set(flat) != qubits:
            raise ValueError(
                f"modules = {self.modules!r}: must hold every data and measure qubit "
                f"({len(qubits)} of them) exactly once; got {len(flat)} entries, "
                f"{len(set(flat) - qubits)} unknown, {len(qubits - set(flat))} missing")

    @property
    def local_pairs(self) -> frozenset[tuple[int, int]]:
        """The (a < b) pairs of the circuit's two-qubit gates within one module.

        Pass to ``qec.noise.NoiseModel.noisy_circuit(circuit, local_pairs=...)``: these get
        the local gate channel, every other two-qubit gate the photon-mediated remote one.
        """
        return module_gates(self.circuit, self.modules)[0]


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


def module_gates(circuit: stim.Circuit, modules: Sequence[Sequence[int]],
                 ) -> tuple[frozenset[tuple[int, int]], int]:
    """Local pairs and remote gate count of ``circuit``'s two-qubit gates under a module map.

    Args:
        circuit: any circuit.
        modules: qubit indices per module; a qubit in no module counts as its own module.

    Returns:
        (local_pairs, remote): the (a < b) pairs of the two-qubit unitary gates whose qubits
        share a module, and the number of two-qubit gate applications (target pairs, over the
        whole circuit) whose qubits do not.
    """
    home = {q: k for k, m in enumerate(modules) for q in m}
    local: set[tuple[int, int]] = set()
    remote = 0
    for inst in circuit.flattened():
        data = stim.gate_data(inst.name)
        if not (data.is_two_qubit_gate and data.is_unitary):
            continue
        t = [q.value for q in inst.targets_copy()]
        for a, b in zip(t[::2], t[1::2], strict=True):
            if a in home and home.get(b) == home[a]:
                local.add((min(a, b), max(a, b)))
            else:
                remote += 1
    return frozenset(local), remote


def check_int(name: str, value: object, low: int, *, even: bool | None = None) -> int:
    """``value`` as an int, or ``ValueError`` naming ``name``, the value and the allowed range."""
    parity = {None: "", True: "even ", False: "odd "}[even]
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low
            or (even is not None and (int(value) % 2 == 0) != even)):
        raise ValueError(f"{name} = {value!r}: must be an {parity}integer >= {low}")
    return int(value)
