"""Superdense triangular (6.6.6) colour-code memory circuit (see ``qec.codes``).

The circuit is the *superdense* colour-code cycle of Gidney & Jones, "New circuits and an open
source decoder for the color code" (arXiv:2312.08813, 2023), re-implemented here from the
description of their construction in ``quantumlib/chromobius``
(``src/clorco/color_code/_superdense_planar_color_code_circuits.py``):

* Layout (complex coordinates x + iy): with w = 2d − 1, a plaquette sits at every c = x + iy
  with x = −1, 1, 3, ... < w and y ≡ ⌊x/2⌋ (mod 2), 0 <= y < w; its data qubits are
  c + (−1, i, 1 + i, 2, 1 − i, −i) that lie in the triangle 0 <= x, y < w, 2y <= 3x,
  2y <= 3(w − x); plaquettes with fewer than four are dropped. Each plaquette has *two*
  measure qubits: an X one at c and a Z one at c + 1. Colour = y mod 3 (0, 1, 2 = red, green,
  blue). Qubits are numbered by sorted (x, y). d = 3: 7 data + 6 measure = 13 qubits; d = 5:
  37 (the ``q`` of the paper's statistics).
* One round = 10 moments: reset (``RX`` on X measure qubits, ``R`` on Z ones); eight CX layers
  (control, target) relative to each measure qubit m: (m, m + 1) on the X ones (a Bell pair
  with the Z partner); (m + i, m) on both kinds; (m − 1, m) X / (m + 1, m) Z; (m − i, m) both;
  (m, m + i) both; (m, m − 1) X / (m, m + 1) Z; (m, m − i) both; (m, m + 1) X again; then
  ``MX`` on the X measure qubits and ``M`` on the Z ones. A pair only acts where both qubits
  exist. Every plaquette's X and Z stabilizers are measured each round, and no fault on a
  measure qubit lowers the circuit distance below d (checked, see below).
* Detectors. X plaquette: its ``MX`` against the previous round's. Z plaquette with Z measure
  qubit m (the CX from the Z measure qubits onto data shifts Z stabilizers by the neighbours'
  outcomes): its ``M`` against the previous round's ``M`` of m − 2i (or of m itself when y = 0)
  and of m + 2i, where those exist. First round: only the plaquettes of the memory basis, alone.
  Z memory observable: Z on the data of the bottom row (y = 0), times, every round, the ``M``
  of the Z measure qubits with y <= 1. X memory observable: X on every data qubit.
* Last round (rounds >= 2, as in the paper): the time reverse of the first round: reset the
  measure qubits, the eight CX layers in reverse order, then measure every qubit at once (the
  data in the memory basis). Its detectors and the observable's last terms are the
  measurement sets stim's ``solve_flow_measurements`` finds for the flows S → 1 (each
  plaquette against the previous round), 1 → S (each memory-basis plaquette against the data)
  and L → L (the observable). With rounds = 1 (``code_capacity_experiment``) the data are
  instead measured after the first round, in the same moment as the measure qubits.

Detectors carry four coordinates ``(x, y, t, c)``: the measure qubit, the round, and the
chromobius basis-and-colour code c = colour + 3·[Z type] (0, 1, 2 = red, green, blue X; 3, 4, 5
= red, green, blue Z), as in the paper's circuits, and are listed round by round in the order
of their coordinates (in the last round the data check of a plaquette before its round check),
the paper's order: chromobius's result depends on the order of the detectors (with the
detectors ordered X measure qubits first instead, its d = 5, p = 10⁻³ logical error rate
came out ~12 % lower than the paper's).
At d = 3 and 5 the noisy circuit's detector error model (under the paper's uniform noise) is
*equal* to that of the paper's own generator (checked at commit bb976be of quantumlib/chromobius
and against its ``test_data/superdense_color_code_d5_r20_p1000.stim``).

Its circuit distance is d under uniform circuit noise (stim's
``search_for_undetectable_logical_errors``, d = 3 and 5, in the tests), and with chromobius it
reproduces the paper's published logical error rates but one (``tests/qec/test_color_code.py``).
"""

from __future__ import annotations

import stim

from qec.codes._transform import MARKER

__all__ = ["color_circuit"]

_DATA_OFFSETS = (-1, 1j, 1 + 1j, 2, 1 - 1j, -1j)


def _layout(d: int) -> tuple[list[complex], list[complex], list[complex],
                             dict[complex, list[complex]], dict[complex, int]]:
    """Data qubits, X and Z measure qubits, plaquette data by measure qubit, colours."""
    w = 2 * d - 1

    def inside(q: complex) -> bool:
        x, y = q.real, q.imag
        return 0 <= x < w and 0 <= y < w and 2 * y <= 3 * x and 2 * y <= 3 * (w - x)

    x_ms: list[complex] = []
    z_ms: list[complex] = []
    support: dict[complex, list[complex]] = {}
    colour: dict[complex, int] = {}
    data: set[complex] = set()
    for x in range(-1, w, 2):
        for y in range((x // 2) % 2, w, 2):
            c = complex(x, y)
            qs = [c + o for o in _DATA_OFFSETS if inside(c + o)]
            if len(qs) < 4:
                continue
            x_ms.append(c)
            z_ms.append(c + 1)
            support[c] = support[c + 1] = qs
            colour[c] = colour[c + 1] = y % 3
            data.update(qs)
    return sorted(data, key=_key), x_ms, z_ms, support, colour


def _key(q: complex) -> tuple[float, float]:
    return (q.real, q.imag)


def color_circuit(d: int, rounds: int, basis: str
                  ) -> tuple[stim.Circuit, tuple[int, ...], tuple[int, ...]]:
    """The superdense colour-code memory circuit (noiseless, with data-noise markers).

    Args:
        d: odd distance >= 3.
        rounds: rounds of plaquette measurements, >= 1.
        basis: ``"Z"`` (data in |0⟩, final ``M``) or ``"X"`` (|+⟩, ``MX``).

    Returns:
        ``(circuit, data qubits, measure qubits)``.
    """
    data, x_ms, z_ms, support, colour = _layout(d)
    qubits = sorted([*data, *x_ms, *z_ms], key=_key)
    index = {q: i for i, q in enumerate(qubits)}
    used = set(index)
    measured = [*x_ms, *z_ms]  # record order of one round
    m = len(measured)
    pos = {q: i for i, q in enumerate(measured)}
    order = sorted(measured, key=_key)  # detectors in the order of their coordinates

    def pairs(ms: list[complex], control: complex, target: complex) -> list[int]:
        out: list[int] = []
        for c in ms:
            a, b = c + control, c + target
            if a in used and b in used:
                out += [index[a], index[b]]
        return out

    layers = [
        pairs(x_ms, 0, 1),
        pairs(x_ms, 1j, 0) + pairs(z_ms, 1j, 0),
        pairs(x_ms, -1, 0) + pairs(z_ms, 1, 0),
        pairs(x_ms, -1j, 0) + pairs(z_ms, -1j, 0),
        pairs(x_ms, 0, 1j) + pairs(z_ms, 0, 1j),
        pairs(x_ms, 0, -1) + pairs(z_ms, 0, 1),
        pairs(x_ms, 0, -1j) + pairs(z_ms, 0, -1j),
        pairs(x_ms, 0, 1),
    ]

    def previous(q: complex) -> list[complex]:
        """Measure qubits whose last-round outcomes give q's stabilizer at the round's end."""
        if q in support and q in x_ms:
            return [q]
        return [p for p in (q - 2j if q.imag > 0 else q, q + 2j) if p in pos]

    def coord(q: complex, t: int) -> list[float]:
        return [q.real, q.imag, t, colour[q] + (3 if q in z_ms else 0)]

    data_idx = [index[q] for q in data]
    x_idx = [index[q] for q in x_ms]
    z_idx = [index[q] for q in z_ms]
    basis_ms = x_ms if basis == "X" else z_ms
    reversed_end = rounds >= 2  # the paper's end; one round: measure the data after it
    c = stim.Circuit()
    for q in qubits:
        c.append("QUBIT_COORDS", [index[q]], [q.real, q.imag])
    obs_z_recs = [pos[q] for q in z_ms if q.imag <= 1]  # Z memory: per-round observable terms
    for r in range(rounds - 1 if reversed_end else rounds):
        c.append("RX", x_idx)
        c.append("R", z_idx)
        if r == 0:
            c.append("R" if basis == "Z" else "RX", data_idx)
        c.append("DEPOLARIZE1", data_idx, [MARKER])
        c.append("TICK")
        for layer in layers:
            c.append("CX", layer)
            c.append("TICK")
        c.append("MX", x_idx)
        c.append("M", z_idx)
        last = r == rounds - 1
        if last:
            c.append("MX" if basis == "X" else "M", data_idx)
        n_after = len(data) if last else 0  # records after this round's m outcomes
        for q in order:
            own = stim.target_rec(pos[q] - m - n_after)
            if r == 0:
                if q in basis_ms:
                    c.append("DETECTOR", [own], coord(q, r))
            else:
                before = [stim.target_rec(pos[p] - 2 * m - n_after) for p in previous(q)]
                c.append("DETECTOR", [own, *before], coord(q, r))
        if basis == "Z":
            c.append("OBSERVABLE_INCLUDE",
                     [stim.target_rec(i - m - n_after) for i in obs_z_recs], [0])
        if not last:
            c.append("TICK")
    n = len(data)
    dpos = {q: i for i, q in enumerate(data)}
    obs = data if basis == "X" else [q for q in data if q.imag == 0]
    pauli = "X" if basis == "X" else "Z"
    if not reversed_end:
        for q in basis_ms:
            targets = [stim.target_rec(dpos[p] - n) for p in support[q]]
            targets += [stim.target_rec(pos[p] - m - n) for p in previous(q)]
            c.append("DETECTOR", targets, coord(q, rounds))
        c.append("OBSERVABLE_INCLUDE", [stim.target_rec(dpos[p] - n) for p in obs], [0])
        return c, tuple(data_idx), tuple(sorted(index[q] for q in measured))

    # the paper's last round: the time reverse of its first one (reset the measure qubits, the
    # eight CX layers in reverse order, measure every qubit); its detectors solved by stim
    end = _reversed_round(layers, x_idx, z_idx)
    c += _reversed_round(layers, x_idx, z_idx, marked=data_idx)
    c.append("MX" if basis == "X" else "M", data_idx)

    def stabilizer(q: complex) -> str:
        kind = "X" if q in x_ms else "Z"
        return "*".join(f"{kind}{index[p]}" for p in support[q])

    def solve(flow: str) -> list[int]:
        (found,) = end.solve_flow_measurements([stim.Flow(flow)])
        if found is None:  # the construction is wrong, not the input
            raise RuntimeError(f"colour code: no measurements carry the flow {flow}")
        return found

    def recs(indices: list[int]) -> list[stim.GateTarget]:
        return [stim.target_rec(i - m - n) for i in indices]

    for q in order:
        if q in basis_ms:  # stabilizer at the end, against the data
            targets = [stim.target_rec(dpos[p] - n) for p in support[q]]
            targets += recs(solve(f"1 -> {stabilizer(q)}"))
            c.append("DETECTOR", targets, coord(q, rounds - 1))
        # stabilizer at the round's start, against the previous round
        before = [stim.target_rec(pos[p] - 2 * m - n) for p in previous(q)]
        c.append("DETECTOR", recs(solve(f"{stabilizer(q)} -> 1")) + before, coord(q, rounds - 1))
    carried = solve("*".join(f"{pauli}{index[p]}" for p in obs) + " -> "
                    + "*".join(f"{pauli}{index[p]}" for p in obs))
    c.append("OBSERVABLE_INCLUDE", [stim.target_rec(dpos[p] - n) for p in obs] + recs(carried),
             [0])
    return c, tuple(data_idx), tuple(sorted(index[q] for q in measured))


def _reversed_round(layers, x_idx, z_idx, *, marked=None) -> stim.Circuit:
    """The first round time-reversed: reset the measure qubits, the CX layers in reverse, measure.

    Args:
        layers: the round's CX layers (target lists), in forward order.
        x_idx: X-type measure qubits (reset and measured in X).
        z_idx: Z-type measure qubits.
        marked: data qubits that get the data-noise marker after the resets (None: none).
    """
    out = stim.Circuit()
    out.append("RX", x_idx)
    out.append("R", z_idx)
    if marked is not None:
        out.append("DEPOLARIZE1", marked, [MARKER])
    for layer in reversed(layers):
        out.append("TICK")
        out.append("CX", layer)
    out.append("TICK")
    out.append("MX", x_idx)
    out.append("M", z_idx)
    return out
