"""Transversal CNOT between rotated surface patches, and joint versus separate decoding.

Circuits (noiseless; ``NoiseModel.noisy_circuit(circuit, local_pairs=exp.local_pairs)`` adds
the noise):

* ``transversal_cnot_experiment``: two distance-d rotated surface patches (stim's
  ``surface_code:rotated_memory_*`` layout and CX schedule; patch k's qubits offset by k times
  the patch's qubit count, its coordinates by k·(2d + 2) in x), ``rounds_before`` rounds of
  syndrome extraction on both, one transversal CNOT (``CX a_i b_i`` on every pair of
  corresponding data qubits, control patch a → target patch b), ``rounds_after`` rounds, and a
  transversal readout of the data.
* ``ghz_experiment``: three patches, |+⟩|0⟩|0⟩, CNOT a→b, CNOT b→c: a logical GHZ state.

On QuantaCore the transversal CXs join two patches over the photonic link: they are the remote
gates (``remote_pairs``); every syndrome-extraction CX stays inside one patch and is local
(``local_pairs``), so a ``NoiseModel`` with ``gate_2q_local`` gives the two kinds their own
channels.

Detectors follow the stabilisers through the CNOTs (Heisenberg picture): after CX a→b,
Z_b = Z_b·Z_a and X_a = X_a·X_b (before), Z_a and X_b unchanged. Each stabiliser carries the
measurement records whose parity predicts it, or "unknown" (random, e.g. a Z check of a patch
prepared in |+⟩ before its first measurement); a measurement of a known stabiliser is a
``DETECTOR`` against its prediction. So the first Z_b check after the CNOT compares with the
last Z_b *and* Z_a checks before it: the *joint* frame of ``circuit``, whose detectors of patch
b read patch a's records. ``patch_circuit`` is the same circuit (same gates and measurements)
whose detectors compare each patch only with itself: where a CNOT multiplies a stabiliser by
one that is a known constant (a patch prepared in its eigenbasis) the plain comparison stays,
otherwise that stabiliser starts afresh (no detector on its next measurement). That is the
frame of independent per-patch decoders.

Decoding the two frames, jointly or patch by patch: ``qec.logical.transversal_decoding``.

Example:
    >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
    >>> exp.resources["remote_gates"], exp.circuit.num_observables
    (9, 2)
    >>> exp.circuit.compile_detector_sampler(seed=1).sample(10).any()
    np.False_
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import stim

__all__ = [
    "BASES",
    "MODES",
    "TransversalExperiment",
    "ghz_experiment",
    "transversal_cnot_experiment",
]

BASES: tuple[str, ...] = ("Z", "X")
"""Readout bases: every patch is measured transversally in this basis."""

MODES: tuple[str, ...] = ("product", "bell")
"""Preparations of ``transversal_cnot_experiment``: ``"product"`` prepares both patches in the
readout basis (|0⟩|0⟩ or |+⟩|+⟩) and reads each patch's logical; ``"bell"`` prepares
|+⟩|0⟩, so the CNOT makes a Bell pair, and reads Z_aZ_b (basis Z) or X_aX_b (basis X)."""


@dataclass(frozen=True)
class _Patch:
    """stim's rotated surface patch of distance d (indices of patch 0)."""

    n_qubits: int
    coords: dict
    data: tuple[int, ...]
    ancillas: tuple[int, ...]  # measured in this order each round
    x_ancillas: tuple[int, ...]
    layers: tuple[tuple[tuple[int, int], ...], ...]  # the 4 CX layers
    support: dict  # ancilla -> data qubits
    logical: dict  # "Z"/"X" -> data qubits of the logical operator


@cache
def _patch(distance: int) -> _Patch:
    gen = {b: stim.Circuit.generated(f"surface_code:rotated_memory_{b.lower()}",
                                     distance=distance, rounds=1) for b in BASES}
    flat = gen["Z"].flattened()
    coords = gen["Z"].get_final_qubit_coordinates()
    data = tuple(sorted(q for q, (x, y) in coords.items() if x % 2 == 1 and y % 2 == 1))
    x_anc = tuple(t.value for t in next(i for i in flat if i.name == "H").targets_copy())
    ancillas = tuple(t.value for t in next(i for i in flat if i.name == "MR").targets_copy())
    layers = tuple(tuple((t[k].value, t[k + 1].value) for k in range(0, len(t), 2))
                   for t in (i.targets_copy() for i in flat if i.name == "CX"))
    data_set = set(data)
    support: dict[int, list[int]] = {a: [] for a in ancillas}
    for layer in layers:
        for a, b in layer:
            anc, dq = (a, b) if b in data_set else (b, a)
            support[anc].append(dq)
    logical = {}
    for b, c in gen.items():
        cflat = c.flattened()
        final = [t.value for t in [i for i in cflat if i.name in ("M", "MX")][-1].targets_copy()]
        obs = next(i for i in cflat if i.name == "OBSERVABLE_INCLUDE")
        logical[b] = tuple(sorted(final[len(final) + t.value] for t in obs.targets_copy()))
    return _Patch(gen["Z"].num_qubits, coords, data, ancillas, x_anc, layers,
                  {a: tuple(sorted(s)) for a, s in support.items()}, logical)


@dataclass(frozen=True)
class TransversalExperiment:
    """Patches of the rotated surface code joined by transversal CNOTs (noiseless circuit).

    Attributes:
        kind: ``"cnot"`` or ``"ghz"``.
        distance: code distance d of every patch.
        basis: readout basis of every patch (``BASES``).
        mode: preparation (``MODES``; ``"ghz"`` for a GHZ experiment).
        rounds: syndrome rounds of each segment: (before, after) the CNOT, or (before,
            between, after) the two CNOTs of a GHZ experiment.
        cnots: (control patch, target patch) of each transversal CNOT, in order.
        circuit: the noiseless circuit, joint-frame detectors (``DETECTOR(x, y, t)``, t the
            round) and ``OBSERVABLE_INCLUDE`` s; no detector fires and no observable flips.
        patch_circuit: the same operations with per-patch detectors (see the module
            docstring), for ``decode_separately``.
        detector_patch: patch of each detector of ``circuit``, shape (num_detectors,).
        patch_detector_patch: patch of each detector of ``patch_circuit``.
        observable_patches: the patches whose logical readout each observable multiplies.
        data_qubits: stim indices of each patch's data qubits (one tuple per patch).
        ancilla_qubits: stim indices of each patch's measure qubits.
        local_pairs: qubit pairs (a < b) of the syndrome-extraction CXs (inside a patch).
        remote_pairs: qubit pairs (a < b) of the transversal CXs (between patches).
    """

    kind: str
    distance: int
    basis: str
    mode: str
    rounds: tuple[int, ...]
    cnots: tuple[tuple[int, int], ...]
    circuit: stim.Circuit
    patch_circuit: stim.Circuit
    detector_patch: tuple[int, ...]
    patch_detector_patch: tuple[int, ...]
    observable_patches: tuple[tuple[int, ...], ...]
    data_qubits: tuple[tuple[int, ...], ...]
    ancilla_qubits: tuple[tuple[int, ...], ...]
    local_pairs: frozenset[tuple[int, int]]
    remote_pairs: frozenset[tuple[int, int]]

    @property
    def resources(self) -> dict[str, int]:
        """Physical resources.

        Returns:
            ``{"patches", "qubits", "data", "ancillas", "rounds" (syndrome rounds in all),
            "remote_gates" (transversal CXs: d² per CNOT), "local_gates" (syndrome-extraction
            CXs)}``.
        """
        n_data = sum(map(len, self.data_qubits))
        n_anc = sum(map(len, self.ancilla_qubits))
        remote = len(self.cnots) * self.distance ** 2
        local = sum(map(len, _patch(self.distance).layers)) * len(self.data_qubits) * sum(
            self.rounds)
        return {"patches": len(self.data_qubits), "qubits": n_data + n_anc, "data": n_data,
                "ancillas": n_anc, "rounds": sum(self.rounds), "remote_gates": remote,
                "local_gates": local}


def transversal_cnot_experiment(*, distance: int, rounds_before: int | None = None,
                                rounds_after: int | None = None, basis: str = "Z",
                                mode: str = "product") -> TransversalExperiment:
    """Two surface patches, a transversal CNOT (patch 0 → patch 1), transversal readout.

    Args:
        distance: odd integer >= 3.
        rounds_before: syndrome rounds before the CNOT, integer >= 0 (default ``distance``).
        rounds_after: syndrome rounds after it, integer >= 0 (default ``distance``).
        basis: ``"Z"`` or ``"X"``, the readout basis of both patches.
        mode: ``"product"``: both patches prepared in ``basis`` (|0⟩|0⟩ or |+⟩|+⟩),
            observables the logical readout of patch 0 and of patch 1 (Z_b after the CNOT is
            Z_aZ_b before, X_a is X_aX_b: all deterministic); ``"bell"``: |+⟩|0⟩, one
            observable, Z_aZ_b (basis Z) or X_aX_b (basis X) of the Bell pair.

    Returns:
        The experiment.

    Raises:
        ValueError: on a bad distance, rounds, basis or mode.

    Example:
        >>> exp = transversal_cnot_experiment(distance=3, rounds_before=2, rounds_after=2,
        ...                                   mode="bell", basis="X")
        >>> exp.circuit.num_observables, exp.observable_patches, len(exp.remote_pairs)
        (1, ((0, 1),), 9)
    """
    _check_distance(distance)
    rb = _rounds("rounds_before", distance if rounds_before is None else rounds_before)
    ra = _rounds("rounds_after", distance if rounds_after is None else rounds_after)
    _check_choice("basis", basis, BASES)
    _check_choice("mode", mode, MODES)
    if mode == "product":
        prep, obs = (basis, basis), ((0,), (1,))
    else:
        prep, obs = ("X", "Z"), ((0, 1),)
    return _build("cnot", int(distance), basis, mode, prep, (rb, ra), ((0, 1),), obs)


def ghz_experiment(*, distance: int, patches: int = 3, rounds_before: int | None = None,
                   rounds_between: int = 1, rounds_after: int | None = None,
                   basis: str = "Z") -> TransversalExperiment:
    """A logical GHZ state of three patches: |+⟩|0⟩|0⟩, CNOT a→b, CNOT b→c, readout.

    Args:
        distance: odd integer >= 3.
        patches: number of patches; only 3 is built.
        rounds_before: syndrome rounds before the first CNOT, integer >= 0 (default
            ``distance``).
        rounds_between: rounds between the two CNOTs, integer >= 0.
        rounds_after: rounds after the second CNOT, integer >= 0 (default ``distance``).
        basis: ``"Z"``: observables Z_aZ_b and Z_bZ_c; ``"X"``: X_aX_bX_c (the GHZ
            stabilisers a transversal readout in that basis determines).

    Returns:
        The experiment; its logical failure rate (any observable flipped) is the
        infidelity of those stabilisers.

    Raises:
        ValueError: on a bad distance, patches, rounds or basis.

    Example:
        >>> exp = ghz_experiment(distance=3, rounds_before=1, rounds_after=1, basis="X")
        >>> exp.observable_patches, exp.resources["remote_gates"]
        (((0, 1, 2),), 18)
    """
    _check_distance(distance)
    if isinstance(patches, bool) or patches != 3:
        raise ValueError(f"patches = {patches!r}: must be 3 (the only GHZ size built)")
    rb = _rounds("rounds_before", distance if rounds_before is None else rounds_before)
    rm = _rounds("rounds_between", rounds_between)
    ra = _rounds("rounds_after", distance if rounds_after is None else rounds_after)
    _check_choice("basis", basis, BASES)
    obs = ((0, 1), (1, 2)) if basis == "Z" else ((0, 1, 2),)
    return _build("ghz", int(distance), basis, "ghz", ("X", "Z", "Z"), (rb, rm, ra),
                  ((0, 1), (1, 2)), obs)


# --- circuit construction ----------------------------------------------------------------
def _build(kind: str, d: int, basis: str, mode: str, prep: tuple[str, ...],
           rounds: tuple[int, ...], cnots: tuple[tuple[int, int], ...],
           obs: tuple[tuple[int, ...], ...]) -> TransversalExperiment:
    lay = _patch(d)
    n = len(prep)
    off = lay.n_qubits
    circuit, det_patch = _circuit(lay, d, basis, prep, rounds, cnots, obs, joint=True)
    patch_circuit, patch_det_patch = _circuit(lay, d, basis, prep, rounds, cnots, obs,
                                              joint=False)
    data = tuple(tuple(q + k * off for q in lay.data) for k in range(n))
    anc = tuple(tuple(q + k * off for q in lay.ancillas) for k in range(n))
    local = frozenset((min(a, b) + k * off, max(a, b) + k * off)
                      for k in range(n) for layer in lay.layers for a, b in layer)
    remote = frozenset((min(p, q), max(p, q)) for c, t in cnots
                       for p, q in zip(data[c], data[t], strict=True))
    return TransversalExperiment(kind, d, basis, mode, rounds, cnots, circuit, patch_circuit,
                                 det_patch, patch_det_patch, obs, data, anc, local, remote)


def _circuit(lay: _Patch, d: int, basis: str, prep: tuple[str, ...], rounds: tuple[int, ...],
             cnots: tuple[tuple[int, int], ...], obs: tuple[tuple[int, ...], ...], *,
             joint: bool) -> tuple[stim.Circuit, tuple[int, ...]]:
    n = len(prep)
    off = lay.n_qubits
    dx = 2 * d + 2
    lines: list[str] = []
    det_patch: list[int] = []
    n_meas = 0
    # ref[(patch, type, stabiliser ancilla)] = set of absolute records predicting it, or None
    # const[...] = whether its value is a known constant (prepared in its eigenbasis)
    ref: dict[tuple[int, str, int], set[int] | None] = {}
    const: dict[tuple[int, str, int], bool] = {}
    xs = set(lay.x_ancillas)

    def kind_of(a: int) -> str:
        return "X" if a in xs else "Z"

    def q(k: int, qubit: int) -> int:
        return qubit + k * off

    def qs(k: int, qubits: Sequence[int]) -> str:
        return " ".join(str(q(k, x)) for x in qubits)

    def detector(records: set[int], coords: tuple[float, ...], patch: int) -> None:
        recs = " ".join(f"rec[{r - n_meas}]" for r in sorted(records))
        lines.append(f"DETECTOR({', '.join(f'{c:g}' for c in coords)}) {recs}")
        det_patch.append(patch)

    for k in range(n):
        for qubit in sorted(lay.coords):
            x, y = lay.coords[qubit]
            lines.append(f"QUBIT_COORDS({x + k * dx:g}, {y:g}) {q(k, qubit)}")
        for a in lay.ancillas:
            known = kind_of(a) == prep[k]
            ref[(k, kind_of(a), a)] = set() if known else None
            const[(k, kind_of(a), a)] = known
    for b in BASES:
        ks = [k for k in range(n) if prep[k] == b]
        if ks:
            lines.append(("R " if b == "Z" else "RX ") + " ".join(qs(k, lay.data) for k in ks))
    lines.append("R " + " ".join(qs(k, lay.ancillas) for k in range(n)))
    t = 0

    def syndrome_round() -> None:
        nonlocal n_meas, t
        h = "H " + " ".join(qs(k, lay.x_ancillas) for k in range(n))
        lines.extend(["TICK", h])
        for layer in lay.layers:
            lines.extend(["TICK", "CX " + " ".join(f"{q(k, a)} {q(k, b)}" for k in range(n)
                                                   for a, b in layer)])
        lines.extend(["TICK", h, "TICK", "MR " + " ".join(qs(k, lay.ancillas) for k in range(n))])
        first = n_meas
        n_meas += n * len(lay.ancillas)
        for k in range(n):
            for i, a in enumerate(lay.ancillas):
                key = (k, kind_of(a), a)
                m = first + k * len(lay.ancillas) + i
                if ref[key] is not None:
                    x, y = lay.coords[a]
                    detector(ref[key] | {m}, (x + k * dx, y, t), k)
                ref[key] = {m}
        t += 1

    def transversal_cx(c: int, g: int) -> None:
        lines.extend(["TICK", "CX " + " ".join(f"{q(c, x)} {q(g, x)}" for x in lay.data)])
        for a in lay.ancillas:
            # Z of the target takes Z of the control; X of the control takes X of the target
            src, dst = (c, g) if kind_of(a) == "Z" else (g, c)
            kd, ks_ = (dst, kind_of(a), a), (src, kind_of(a), a)
            if joint:
                ref[kd] = (None if ref[kd] is None or ref[ks_] is None
                           else ref[kd] ^ ref[ks_])
            elif not const[ks_]:
                ref[kd] = None
            const[kd] = const[kd] and const[ks_]

    for segment, r in enumerate(rounds):
        for _ in range(r):
            syndrome_round()
        if segment < len(cnots):
            transversal_cx(*cnots[segment])
    # transversal readout
    lines.append("TICK")
    lines.append(("M " if basis == "Z" else "MX ") + " ".join(qs(k, lay.data) for k in range(n)))
    pos = {(k, x): n_meas + k * len(lay.data) + i for k in range(n)
           for i, x in enumerate(lay.data)}
    n_meas += n * len(lay.data)
    for k in range(n):
        for a in lay.ancillas:
            key = (k, kind_of(a), a)
            if kind_of(a) != basis or ref[key] is None:
                continue
            x, y = lay.coords[a]
            detector(ref[key] ^ {pos[(k, x_)] for x_ in lay.support[a]}, (x + k * dx, y, t), k)
    for o, patches in enumerate(obs):
        recs = sorted(pos[(k, x)] for k in patches for x in lay.logical[basis])
        lines.append(f"OBSERVABLE_INCLUDE({o}) " + " ".join(f"rec[{r - n_meas}]" for r in recs))
    return stim.Circuit("\n".join(lines)), tuple(det_patch)


# --- validation ----------------------------------------------------------------------------
def _check_distance(distance: object) -> None:
    if (isinstance(distance, bool) or not isinstance(distance, numbers.Integral)
            or distance < 3 or distance % 2 == 0):
        raise ValueError(f"distance = {distance!r}: must be an odd integer >= 3")


def _rounds(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{name} = {value!r}: must be an integer >= 0")
    return int(value)


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} = {value!r}: must be one of {', '.join(map(repr, allowed))}")
