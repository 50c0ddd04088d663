"""Triangular (6.6.6) colour-code memory circuit with chromobius annotations (see ``qec.codes``).

The layout and the CX schedule are taken from stim's generated ``color_code:memory_xyz``
circuit: its data qubits, one measure qubit per plaquette (at the plaquette's centre) and its
six CX layers (data → measure qubit). Its own cycle (``C_XYZ`` on the data, every plaquette
measured in one rotating basis, detectors comparing three rounds) is *not* used: under
circuit-level noise chromobius cannot decode it beyond d = 3 (its CX faults give hyperedges of
up to 8 detectors and non-rainbow triplets that chromobius fails to decompose). Instead each
round measures every plaquette twice with the same measure qubit:

1. X type: ``RX`` measure qubits; the six CX layers reversed in direction (measure → data);
   ``MX``;
2. Z type: ``R`` measure qubits; the six CX layers (data → measure); ``M``.

A hook error (a fault on the measure qubit mid-way through a plaquette) spreads to up to three
of its data qubits, so under circuit-level noise the distance is (d + 1)/2, the same as stim's
own ``memory_xyz`` circuit (no order of the six CX directions, shared by both halves, does
better at d = 5: all 720 were searched); against data and measurement noise it is d (both
tested). Each hook's symptoms lie in one basis and one time slice, which chromobius decomposes
into its basic errors.

Detectors carry four coordinates ``(x, y, t, c)``: the plaquette centre, the round, and the
chromobius basis-and-colour code c = colour + 3·[Z type] (0, 1, 2 = red, green, blue X; 3, 4, 5
= red, green, blue Z), the colour of a plaquette being ``y mod 3`` of its centre (at t = 0, the
(y + t) mod 3 that Gidney & Jones give stim's ``memory_xyz`` detectors in chromobius's
``clorco`` package). Every data qubit
touches plaquettes of distinct colours (checked when the circuit is built).
"""

from __future__ import annotations

import stim

from qec.codes._transform import MARKER

__all__ = ["color_circuit"]


def _layout(d: int) -> tuple[dict[int, tuple[float, float]], tuple[int, ...],
                             tuple[int, ...], list[list[tuple[int, int]]]]:
    """Coordinates, data qubits, measure qubits and CX layers [(data, measure), ...]."""
    gen = stim.Circuit.generated("color_code:memory_xyz", distance=d, rounds=2).flattened()
    coords = {q: (float(c[0]), float(c[1])) for q, c in gen.get_final_qubit_coordinates().items()}
    data: set[int] = set()
    anc: set[int] = set()
    layers: list[list[tuple[int, int]]] = []
    for inst in gen:
        if inst.name == "C_XYZ":
            data.update(t.value for t in inst.targets_copy())
        elif inst.name == "CX":
            t = [x.value for x in inst.targets_copy()]
            layers.append(list(zip(t[::2], t[1::2], strict=True)))
        elif inst.name == "MR":
            anc.update(t.value for t in inst.targets_copy())
            break  # the first round holds the whole schedule
    return coords, tuple(sorted(data)), tuple(sorted(anc)), layers


def color_circuit(d: int, rounds: int, basis: str
                  ) -> tuple[stim.Circuit, tuple[int, ...], tuple[int, ...]]:
    """The colour-code memory circuit (noiseless, with data-noise markers).

    Args:
        d: odd distance >= 3.
        rounds: rounds of X- and Z-type plaquette measurements, >= 1.
        basis: ``"Z"`` (data in |0⟩, final ``M``, observable Z on every data qubit) or ``"X"``
            (|+⟩, ``MX``, X on every data qubit).

    Returns:
        ``(circuit, data qubits, measure qubits)``.

    Raises:
        AssertionError: stim's layout is not 3-colourable by ``y mod 3`` (a stim change).
    """
    coords, data, anc, layers = _layout(d)
    plaquette = {a: sorted(q for layer in layers for q, a2 in layer if a2 == a) for a in anc}
    colour = {a: int(round(coords[a][1])) % 3 for a in anc}
    for q in data:
        around = [colour[a] for a in anc if q in plaquette[a]]
        assert len(set(around)) == len(around), f"data qubit {q}: plaquette colours {around}"
    m = len(anc)
    c = stim.Circuit()
    for q in sorted(coords):
        c.append("QUBIT_COORDS", [q], list(coords[q]))
    c.append("R" if basis == "Z" else "RX", data)
    c.append("TICK")

    def half(kind: str) -> None:
        c.append("RX" if kind == "X" else "R", anc)
        c.append("TICK")
        for layer in layers:
            pairs = [(a, q) if kind == "X" else (q, a) for q, a in layer]
            c.append("CX", [x for pair in pairs for x in pair])
            c.append("TICK")
        c.append("MX" if kind == "X" else "M", anc)

    def detectors(kind: str, r: int, *, previous: bool) -> None:
        # the record holds ..., X half (m), Z half (m) of round r; look-backs relative to it
        own = -m if kind == "Z" else -2 * m
        for i, a in enumerate(anc):
            targets = [stim.target_rec(own + i)]
            if previous:
                targets.append(stim.target_rec(own + i - 2 * m))
            x, y = coords[a]
            c.append("DETECTOR", targets, [x, y, r, colour[a] + (3 if kind == "Z" else 0)])

    for r in range(rounds):
        c.append("DEPOLARIZE1", data, [MARKER])
        half("X")
        c.append("TICK")
        half("Z")
        for kind in ("X", "Z"):
            if r > 0:
                detectors(kind, r, previous=True)
            elif kind == basis:
                detectors(kind, r, previous=False)
        c.append("TICK")
    c.append("M" if basis == "Z" else "MX", data)
    n = len(data)
    index = {q: i for i, q in enumerate(data)}
    own = -n - (m if basis == "Z" else 2 * m)
    for i, a in enumerate(anc):
        targets = [stim.target_rec(index[q] - n) for q in plaquette[a]]
        targets.append(stim.target_rec(own + i))
        x, y = coords[a]
        c.append("DETECTOR", targets, [x, y, rounds, colour[a] + (3 if basis == "Z" else 0)])
    c.append("OBSERVABLE_INCLUDE", [stim.target_rec(i - n) for i in range(n)], [0])
    return c, data, anc
