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

Decoding (``compare_decoding``): ``decode_jointly`` decodes the whole DEM of ``circuit`` with
one decoder. Errors just before the CNOT flip checks of both patches (hyperedges of three to
five detectors). stim's ``decompose_errors`` fails on some of them from d = 5 on, and where it
succeeds (d = 3) it leaves pieces with no detector (``^ L0 L1``) that correlated matching
refuses. ``joint_dem`` therefore decomposes every hyperedge itself: into the most likely
partition into the DEM's own graphlike mechanisms (observables included), else patch by
patch, so every matching decoder runs at any distance. The default decoder is
``mwpm-correlated``: pymatching's correlated matching re-weights each hyperedge's partner
edges through that decomposition, at tens of µs per shot. Product Z, d rounds each side,
uniform p = 0.3 %, 20 000 shots (seed 1), failing shots: d = 3, 2.64 % for stim's
decomposition with ``mwpm``, 2.80 % for ``joint_dem`` with ``mwpm``, 2.18 % with
``mwpm-correlated``; d = 5, 1.68 % (``mwpm``) and 0.84 % (``mwpm-correlated``).
``tesseract`` and ``bposd`` take the hyperedges whole and are more accurate (d = 3: 1.2 % of
3000 shots for tesseract) but take ~1 ms (tesseract, d = 3) to ~0.15 s (bposd, d = 5) per
shot.
``decode_separately`` decodes each patch with its own decoder on ``patch_circuit``'s
detectors of that patch, compiled for the DEM *restricted to that patch* (every mechanism's
marginal on the patch's detectors and observables; mechanisms that become identical are
merged as independent ones; then decomposed within the patch), and combines the per-patch
predictions. It needs observables that each read a single patch (the product modes).

What joint decoding buys (product Z, d rounds each side, uniform p = 0.3 %, seed 11, 20 000
shots, the same decoder both ways): at d = 5, 194 failing shots jointly against 370
separately with ``mwpm-correlated`` (one-sided McNemar p ~ 4e-19), 378 against 486 with
``mwpm``; at d = 3 correlated matching gains nothing (469 against 463) and plain matching
loses (614 against 483), while ``tesseract`` gains (17 against 33 of 2000 shots, seed 5,
p ~ 7e-5): the joint DEM's advantage lives in its hyperedges, which matching sees only
through their decomposition.

Example:
    >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
    >>> exp.resources["remote_gates"], exp.circuit.num_observables
    (9, 2)
    >>> exp.circuit.compile_detector_sampler(seed=1).sample(10).any()
    np.False_
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import stim
from scipy.stats import binomtest

from qec.decoders.registry import compile_decoder
from qec.noise import NoiseModel
from qec.stats import LogicalRate, logical_rate

__all__ = [
    "BASES",
    "MODES",
    "DecodingComparison",
    "GHZFidelity",
    "TransversalExperiment",
    "compare_decoding",
    "decode_jointly",
    "decode_separately",
    "ghz_experiment",
    "ghz_fidelity",
    "joint_dem",
    "logical_error",
    "observable_flips",
    "restrict_dem",
    "sample_measurements",
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


# --- decoding ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecodingComparison:
    """Joint and separate decoding of the same shots (paired).

    Attributes:
        shots: shots decoded by both.
        joint_failures: shots where joint decoding got some observable wrong.
        separate_failures: shots where separate decoding got some observable wrong.
        only_joint: shots where joint decoding failed and separate decoding did not.
        only_separate: shots where separate decoding failed and joint decoding did not.
        p_value: one-sided exact McNemar p-value of "separate fails no more often than
            joint": P(Binomial(only_joint + only_separate, ½) >= only_separate); 1.0 when no
            shot is discordant.
    """

    shots: int
    joint_failures: int
    separate_failures: int
    only_joint: int
    only_separate: int
    p_value: float


def _noisy(experiment: TransversalExperiment, noise: NoiseModel, *, joint: bool) -> stim.Circuit:
    if not isinstance(experiment, TransversalExperiment):
        raise ValueError(f"experiment = {experiment!r}: must be a TransversalExperiment")
    if not isinstance(noise, NoiseModel):
        raise ValueError(f"noise = {noise!r}: must be a qec.noise.NoiseModel")
    if noise.has_erasure:
        raise ValueError("noise has heralded erasure: the transversal experiments decode "
                         "Pauli noise only (set every erasure probability to 0)")
    circuit = experiment.circuit if joint else experiment.patch_circuit
    return noise.noisy_circuit(circuit, local_pairs=experiment.local_pairs)


def sample_measurements(experiment: TransversalExperiment, noise: NoiseModel, *, shots: int,
                        seed: int) -> np.ndarray:
    """Measurement records of the noisy circuit (heralds included), seeded.

    Args:
        experiment: the experiment.
        noise: its noise model (remote channel ``gate_2q`` on the transversal CXs,
            ``gate_2q_local`` where set on the syndrome-extraction CXs).
        shots: integer >= 1.
        seed: stim sampler seed (the same seed gives the same records).

    Returns:
        bool array, shape (shots, num_measurements of the noisy circuit).

    Raises:
        ValueError: on a bad shots count, experiment or noise model.
    """
    if isinstance(shots, bool) or not isinstance(shots, numbers.Integral) or shots < 1:
        raise ValueError(f"shots = {shots!r}: must be an integer >= 1")
    noisy = _noisy(experiment, noise, joint=True)
    return noisy.compile_sampler(seed=seed).sample(int(shots))


def _convert(noisy: stim.Circuit, measurements: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    m = np.asarray(measurements, dtype=bool)
    if m.ndim != 2 or m.shape[1] != noisy.num_measurements:
        raise ValueError(f"measurements has shape {m.shape}: must be (shots, "
                         f"{noisy.num_measurements})")
    return noisy.compile_m2d_converter().convert(measurements=m, separate_observables=True)


def observable_flips(experiment: TransversalExperiment, noise: NoiseModel,
                     measurements: np.ndarray) -> np.ndarray:
    """The actual observable flips of sampled shots.

    Args:
        experiment: the experiment.
        noise: the noise model the records were sampled with.
        measurements: bool, shape (shots, num_measurements), from ``sample_measurements``.

    Returns:
        bool array, shape (shots, num_observables).
    """
    return _convert(_noisy(experiment, noise, joint=True), measurements)[1]


def decode_jointly(experiment: TransversalExperiment, noise: NoiseModel,
                   measurements: np.ndarray, *, decoder: str = "mwpm-correlated") -> np.ndarray:
    """One decoder on the whole DEM of ``experiment.circuit`` (both patches, joint frame).

    Args:
        experiment: the experiment.
        noise: the noise model the records were sampled with.
        measurements: bool, shape (shots, num_measurements), from ``sample_measurements``.
        decoder: a registered decoder name (``qec.decoders.compile_decoder``), compiled for
            ``joint_dem(experiment, noise)`` (default ``mwpm-correlated``: see the module
            docstring for the choice and the measured alternatives).

    Returns:
        Predicted observable flips, bool array of shape (shots, num_observables).

    Raises:
        ValueError: on measurements of the wrong shape, or noise with heralded erasure.
    """
    noisy = _noisy(experiment, noise, joint=True)
    dets, _ = _convert(noisy, measurements)
    return np.asarray(compile_decoder(decoder, joint_dem(experiment, noise)).decode_batch(dets),
                      dtype=bool)


def joint_dem(experiment: TransversalExperiment, noise: NoiseModel) -> stim.DetectorErrorModel:
    """The decomposed DEM ``decode_jointly`` compiles its decoder for.

    Every mechanism of the undecomposed DEM with more than two detectors is split here (stim's
    ``decompose_errors`` fails from d = 5 on on some that cross the CNOT: a measurement error
    on a control-patch Z check just before the CNOT flips that check's two detectors in patch
    a and the compound detector of patch b, and no single error flips that a pair alone, nor
    that b detector alone): into the most likely partition into graphlike mechanisms of the
    same DEM (observables included) when one exists, else patch by patch, each patch's
    detectors into known pieces plus at most one new piece of one or two detectors, the
    observables left over going to the new piece (for the measurement error above: patch
    a's time-like pair and patch b's single detector). A mechanism with no such split is kept
    whole (matching decoders then refuse it, hypergraph decoders take it).

    Args:
        experiment: the experiment.
        noise: the noise model.

    Returns:
        The DEM of the noisy joint-frame circuit (``approximate_disjoint_errors=True``).

    Example:
        >>> from qec.noise import NoiseModel
        >>> exp = transversal_cnot_experiment(distance=5, rounds_before=1, rounds_after=1)
        >>> dem = joint_dem(exp, NoiseModel.uniform_depolarizing(0.001))
        >>> matching = compile_decoder("mwpm", dem)  # stim alone leaves 3-detector pieces
        >>> matching.decode_batch(np.zeros((1, dem.num_detectors), dtype=bool)).tolist()
        [[False, False]]
    """
    dem = _noisy(experiment, noise, joint=True).detector_error_model(
        approximate_disjoint_errors=True)
    return _decompose(dem, experiment.detector_patch)


def _decompose(dem: stim.DetectorErrorModel, patch_of: Sequence[int]) -> stim.DetectorErrorModel:
    """An undecomposed DEM decomposed as ``joint_dem`` says (``patch_of``: detector → patch)."""
    errors = []
    edges: dict[frozenset[int], frozenset[int]] = {}
    weight: dict[frozenset[int], float] = {}
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        ((dets, obs),) = _components(inst)
        p = inst.args_copy()[0]
        errors.append((p, dets, obs))
        if 0 < len(dets) <= 2 and p > weight.get(dets, -1.0):
            edges[dets], weight[dets] = obs, p
    lines = []
    for p, dets, obs in errors:
        split = ([(dets, obs)] if len(dets) <= 2
                 else _split(sorted(dets), obs, edges, weight)
                 or _split_by_patch(dets, obs, edges, patch_of) or [(dets, obs)])
        parts = [" ".join([f"D{d}" for d in sorted(ds)] + [f"L{o}" for o in sorted(os_)])
                 for ds, os_ in split]
        lines.append(f"error({p!r}) " + " ^ ".join(parts))
    for inst in dem.flattened():
        if inst.type != "error":
            lines.append(str(inst))
    return stim.DetectorErrorModel("\n".join(lines))


def _components(inst: stim.DemInstruction) -> list[tuple[frozenset[int], frozenset[int]]]:
    comps: list[tuple[set[int], set[int]]] = [(set(), set())]
    for t in inst.targets_copy():
        if t.is_separator():
            comps.append((set(), set()))
        elif t.is_relative_detector_id():
            comps[-1][0].symmetric_difference_update({t.val})
        else:
            comps[-1][1].symmetric_difference_update({t.val})
    return [(frozenset(d), frozenset(o)) for d, o in comps]


def _split(dets: list[int], obs: frozenset[int], edges: dict[frozenset[int], frozenset[int]],
           prob: dict[frozenset[int], float],
           ) -> list[tuple[frozenset[int], frozenset[int]]] | None:
    """The most likely partition of ``dets`` into known graphlike pieces, or None.

    The pieces' observables must XOR to ``obs``; "most likely": the largest product of the
    pieces' probabilities (``prob``).
    """
    best: tuple[float, list] | None = None

    def search(left: list[int], want: frozenset[int], chosen: list, score: float) -> None:
        nonlocal best
        if best is not None and score <= best[0]:
            return  # every piece has p < 1: adding pieces only lowers the score
        if not left:
            if not want:
                best = (score, list(chosen))
            return
        first, rest = left[0], left[1:]
        for other in [None, *rest]:
            piece = frozenset({first} if other is None else {first, other})
            if piece in edges:
                chosen.append((piece, edges[piece]))
                search([d for d in rest if d != other], want ^ edges[piece], chosen,
                       score + math.log(prob[piece]))
                chosen.pop()

    search(dets, obs, [], 0.0)
    return None if best is None else best[1]


def _split_loose(dets: list[int], edges: dict[frozenset[int], frozenset[int]], *,
                 new_left: bool = True) -> list[frozenset[int]] | None:
    """Known pieces plus at most one new piece (one or two detectors), observables ignored."""
    if not dets:
        return []
    first, rest = dets[0], dets[1:]
    for new in (False, True):
        if new and not new_left:
            break
        for other in [None, *rest]:
            piece = frozenset({first} if other is None else {first, other})
            if (piece in edges) == new:
                continue
            tail = _split_loose([d for d in rest if d != other], edges,
                                new_left=new_left and not new)
            if tail is not None:
                return [piece, *tail]
    return None


def _split_by_patch(dets: frozenset[int], obs: frozenset[int],
                    edges: dict[frozenset[int], frozenset[int]], patch_of: Sequence[int],
                    ) -> list[tuple[frozenset[int], frozenset[int]]] | None:
    pieces: list[frozenset[int]] = []
    for k in sorted({patch_of[d] for d in dets}):
        part = _split_loose(sorted(d for d in dets if patch_of[d] == k), edges)
        if part is None:
            return None
        pieces.extend(part)
    left = obs
    for piece in pieces:
        left = left ^ edges.get(piece, frozenset())
    new = [i for i, piece in enumerate(pieces) if piece not in edges]
    target = new[0] if new else 0
    return [(piece, (edges.get(piece, frozenset()) ^ left) if i == target
             else edges.get(piece, frozenset())) for i, piece in enumerate(pieces)]


def decode_separately(experiment: TransversalExperiment, noise: NoiseModel,
                      measurements: np.ndarray, *, decoder: str = "mwpm-correlated") -> np.ndarray:
    """One decoder per patch, on its own detectors and its DEM restricted to the patch.

    Patch k is decoded from the detectors of ``experiment.patch_circuit`` that belong to it,
    with a decoder compiled for the exact marginal of that circuit's (undecomposed) DEM on
    those detectors and on the observables that read patch k alone (``restrict_dem``), then
    decomposed within the patch as ``joint_dem`` does; the per-patch predictions are then put
    together.

    Args:
        experiment: a product-mode experiment (every observable reads one patch).
        noise: the noise model the records were sampled with.
        measurements: bool, shape (shots, num_measurements), from ``sample_measurements``.
        decoder: a registered decoder name, used for every patch.

    Returns:
        Predicted observable flips, bool array of shape (shots, num_observables).

    Raises:
        ValueError: when an observable reads more than one patch (Bell, GHZ).
    """
    multi = [p for p in experiment.observable_patches if len(p) != 1]
    if multi:
        raise ValueError(f"experiment.observable_patches = {experiment.observable_patches}: "
                         "separate decoding needs observables that each read one patch "
                         "(mode 'product')")
    noisy = _noisy(experiment, noise, joint=False)
    dets, _ = _convert(noisy, measurements)
    dem = noisy.detector_error_model(approximate_disjoint_errors=True)
    det_patch = np.asarray(experiment.patch_detector_patch)
    pred = np.zeros((dets.shape[0], noisy.num_observables), dtype=bool)
    for k in range(len(experiment.data_qubits)):
        mine = np.flatnonzero(det_patch == k)
        obs = [o for o, p in enumerate(experiment.observable_patches) if p == (k,)]
        # the exact marginal first, then decomposed within the patch
        sub = _decompose(restrict_dem(dem, detectors=mine, observables=obs), [k] * len(mine))
        out = np.asarray(compile_decoder(decoder, sub).decode_batch(dets[:, mine]), dtype=bool)
        pred[:, obs] = out
    return pred


def restrict_dem(dem: stim.DetectorErrorModel, *, detectors: Sequence[int],
                 observables: Sequence[int]) -> stim.DetectorErrorModel:
    r"""The marginal of a DEM on some detectors and observables, renumbered from 0.

    Every mechanism keeps only the listed detectors and observables (in the listed order,
    ``D{detectors[i]}`` → ``D{i}``); a decomposed mechanism keeps its components, a component
    left with an observable only hands it to the mechanism's first non-empty component;
    mechanisms left with no detector are dropped (undetectable for this decoder), and
    mechanisms that became identical are merged as independent ones
    (p = p1 + p2 − 2·p1·p2).

    Args:
        dem: a flat or hierarchical DEM (``REPEAT`` blocks are flattened).
        detectors: detector indices to keep.
        observables: observable indices to keep.

    Returns:
        A DEM with ``len(detectors)`` detectors and ``len(observables)`` observables.

    Example:
        >>> dem = stim.DetectorErrorModel("error(0.125) D0 D2 L1\nerror(0.25) D1 L0")
        >>> print(restrict_dem(dem, detectors=[2, 0], observables=[1]))
        error(0.125) D0 D1 L0
        detector D1
        logical_observable L0
    """
    dmap = {int(d): i for i, d in enumerate(detectors)}
    omap = {int(o): i for i, o in enumerate(observables)}
    merged: dict[tuple, float] = {}
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        comps: list[list[stim.DemTarget]] = [[]]
        for t in inst.targets_copy():
            if t.is_separator():
                comps.append([])
            else:
                comps[-1].append(t)
        kept: list[tuple[tuple[int, ...], frozenset[int]]] = []
        loose: set[int] = set()
        for comp in comps:
            ds = tuple(sorted(dmap[t.val] for t in comp
                              if t.is_relative_detector_id() and t.val in dmap))
            os_ = {omap[t.val] for t in comp
                   if t.is_logical_observable_id() and t.val in omap}
            if ds:
                kept.append((ds, frozenset(os_)))
            else:
                loose ^= os_
        if not kept:
            continue
        kept[0] = (kept[0][0], kept[0][1] ^ frozenset(loose))
        key = tuple(kept)
        p = inst.args_copy()[0]
        q = merged.get(key, 0.0)
        merged[key] = q + p - 2 * q * p
    lines = []
    for key, p in merged.items():
        parts = [" ".join([f"D{d}" for d in ds] + [f"L{o}" for o in sorted(os_)])
                 for ds, os_ in key]
        lines.append(f"error({p!r}) " + " ^ ".join(parts))
    if len(detectors):
        lines.append(f"detector D{len(detectors) - 1}")
    if len(observables):
        lines.append(f"logical_observable L{len(observables) - 1}")
    return stim.DetectorErrorModel("\n".join(lines))


def compare_decoding(experiment: TransversalExperiment, noise: NoiseModel, *, shots: int,
                     seed: int, decoder: str = "mwpm-correlated") -> DecodingComparison:
    """Joint versus separate decoding on the same seeded shots, with McNemar's test.

    Args:
        experiment: a product-mode experiment.
        noise: the noise model.
        shots: integer >= 1.
        seed: sampler seed.
        decoder: the decoder of both (a registered name).

    Returns:
        The paired counts and the one-sided p-value that joint decoding is better.

    Example:
        >>> from qec.noise import NoiseModel
        >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
        >>> r = compare_decoding(exp, NoiseModel.uniform_depolarizing(0.002), shots=200, seed=1)
        >>> r.shots, r.joint_failures <= r.shots
        (200, True)
    """
    m = sample_measurements(experiment, noise, shots=shots, seed=seed)
    actual = observable_flips(experiment, noise, m)
    joint = np.any(decode_jointly(experiment, noise, m, decoder=decoder) != actual, axis=1)
    sep = np.any(decode_separately(experiment, noise, m, decoder=decoder) != actual, axis=1)
    only_j, only_s = int((joint & ~sep).sum()), int((sep & ~joint).sum())
    p = (1.0 if only_j + only_s == 0
         else float(binomtest(only_s, only_j + only_s, alternative="greater").pvalue))
    return DecodingComparison(int(shots), int(joint.sum()), int(sep.sum()), only_j, only_s, p)


# --- logical error rates -------------------------------------------------------------------
def logical_error(experiment: TransversalExperiment, noise: NoiseModel, *, shots: int,
                  seed: int, decoder: str = "mwpm-correlated",
                  separately: bool = False) -> LogicalRate:
    """Shots where some observable is decoded wrong, with its Wilson interval.

    Args:
        experiment: the experiment.
        noise: the noise model.
        shots: integer >= 1.
        seed: sampler seed.
        decoder: a registered decoder name.
        separately: decode patch by patch (``decode_separately``) instead of jointly.

    Returns:
        ``qec.stats.LogicalRate`` of the shots (``rounds``: all syndrome rounds, at least 1;
        its per-round figures spread the whole experiment, CNOTs included, over them).

    Example:
        >>> from qec.noise import NoiseModel
        >>> exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1,
        ...                                   mode="bell")
        >>> rate = logical_error(exp, NoiseModel.uniform_depolarizing(0.001), shots=500, seed=3)
        >>> rate.shots, rate.per_shot_ci[0] <= rate.per_shot <= rate.per_shot_ci[1]
        (500, True)
    """
    m = sample_measurements(experiment, noise, shots=shots, seed=seed)
    decode = decode_separately if separately else decode_jointly
    wrong = np.any(decode(experiment, noise, m, decoder=decoder)
                   != observable_flips(experiment, noise, m), axis=1)
    return logical_rate(shots=int(shots), errors=int(wrong.sum()),
                        rounds=max(1, sum(experiment.rounds)))


@dataclass(frozen=True)
class GHZFidelity:
    """Logical fidelity of the three-patch GHZ state, bracketed by its two readouts.

    A logical Pauli error X^u Z^v (u, v bit strings over the three patches) leaves the GHZ
    state unless it is one of its stabilisers; the Z readout flags u ∉ {000, 111}, the X
    readout flags |v| odd, and every other Pauli is a stabiliser. So, for a Pauli logical
    channel, 1 − P_Z − P_X ≤ F ≤ 1 − max(P_Z, P_X).

    Attributes:
        z: failures of the Z readout (Z_aZ_b or Z_bZ_c wrong).
        x: failures of the X readout (X_aX_bX_c wrong).
        bounds: (1 − P_Z − P_X, 1 − max(P_Z, P_X)) from the point estimates.
        interval: the same bracket from the Wilson intervals (low end from both highs, high
            end from the lows), a conservative interval on F.
    """

    z: LogicalRate
    x: LogicalRate
    bounds: tuple[float, float]
    interval: tuple[float, float]


def ghz_fidelity(*, distance: int, noise: NoiseModel, shots: int, seed: int,
                 decoder: str = "mwpm-correlated", rounds_before: int | None = None,
                 rounds_between: int = 1, rounds_after: int | None = None) -> GHZFidelity:
    """Fidelity bracket of the logical GHZ state from its Z and X readout experiments.

    Args:
        distance: odd integer >= 3.
        noise: the noise model.
        shots: shots of each readout, integer >= 1.
        seed: sampler seed (the X experiment uses ``seed + 1``).
        decoder: a registered decoder name (joint decoding).
        rounds_before: see ``ghz_experiment``.
        rounds_between: see ``ghz_experiment``.
        rounds_after: see ``ghz_experiment``.

    Returns:
        The bracket (``GHZFidelity``).

    Example:
        >>> from qec.noise import NoiseModel
        >>> f = ghz_fidelity(distance=3, noise=NoiseModel.uniform_depolarizing(0.001),
        ...                  shots=300, seed=2, rounds_before=1, rounds_after=1)
        >>> f.interval[0] <= f.bounds[0] <= f.bounds[1] <= f.interval[1] <= 1
        True
    """
    rates = []
    for k, basis in enumerate(BASES):
        exp = ghz_experiment(distance=distance, rounds_before=rounds_before,
                             rounds_between=rounds_between, rounds_after=rounds_after,
                             basis=basis)
        rates.append(logical_error(exp, noise, shots=shots, seed=seed + k, decoder=decoder))
    z, x = rates
    return GHZFidelity(z, x, (1 - z.per_shot - x.per_shot, 1 - max(z.per_shot, x.per_shot)),
                       (1 - z.per_shot_ci[1] - x.per_shot_ci[1],
                        1 - max(z.per_shot_ci[0], x.per_shot_ci[0])))
