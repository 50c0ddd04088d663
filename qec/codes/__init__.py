"""Memory-experiment circuits of the six codes the twin compares.

``memory_experiment(code, distance=d, rounds=r, basis=...)`` returns a noiseless stim circuit
(plus, when asked, code-intrinsic *data noise*); ``NoiseModel.noisy_circuit`` then adds the
per-operation noise of a device. The codes (``CODES``):

* ``"surface"``: stim's rotated surface code (``surface_code:rotated_memory_z`` / ``_x``).
* ``"xzzx"``: the rotated XZZX code (Bonilla Ataides et al., Nat. Commun. 12, 2172 (2021)),
  built as the surface-code circuit conjugated by Hadamards on the data qubits at (x, y) with
  ((x − y)/2) mod 2 == 1: resets, measurements and two-qubit gates on those qubits change basis
  (``R``→``RX``, ``M``→``MX``, ``CX(anc, q)``→``CZ``, ``CX(q, anc)``→``XCX``), so they are
  initialised and read out in the checkerboard basis the code needs (in plain Z, its distance
  would collapse to 1). With stim's coordinates (x to the right, y up) every plaquette reads
  X Z Z X on its NW, NE, SW, SE data qubits; the detectors and observable are the surface code's.
* ``"repetition"``: the phase-flip repetition code of cat qubits (cats suppress bit flips, the
  code corrects phase flips): d data cats, d − 1 ancilla cats measuring X⊗X of neighbours
  (``RX`` anc; ``CX`` anc→dᵢ; ``CX`` anc→dᵢ₊₁; ``MRX`` anc). Basis ``"X"`` (data in |+⟩, final
  ``MX``, observable X of data qubit 0) is the protected direction: circuit distance d against Z
  faults. Basis ``"Z"`` (data in |0⟩, observable Z⊗…⊗Z) is the unprotected bit-flip direction:
  any X on a data cat is an undetected logical flip (distance 1, the "bit-flip floor" that grows
  with the number of cats); the first round's X⊗X outcomes are random, so only consecutive
  rounds are compared.
* ``"xzzx-cat"``: the XZZX code on cat qubits (Darmawan et al., PRX Quantum 2, 030345 (2021)):
  the ``"xzzx"`` circuit with bias-preserving checks (``_cat``): every ancilla cat prepared in
  |+⟩, coupled to its data cats by CX (X term) or CZ (Z term) as the control, read out in X; no
  Hadamard anywhere. Under pure phase flips it is a set of repetition codes, and unlike the
  ``"repetition"`` code it also corrects the cats' bit flips: the 2D option for cats. Its noise:
  ``cat_surface_noise_model`` plus the cats' per-cycle channel as data noise.
* ``"gkp-surface"``: the rotated surface code on GKP modes (data and ancillas). With
  ``data_noise=qec.gkp.GKPNoise(sigma, sigma_loss)`` (σ computed by the caller: ``qec`` never
  imports ``physics``) the circuit is the circuit-level stim model of ``qec.gkp``: shifts
  propagated through the SUM gates, a Steane-type GKP correction of every data mode each
  round, one Pauli error per homodyne binning with its exact GKP error probability. With an
  ``OpNoise`` it is the plain surface circuit with that data channel. ``data_noise`` is
  required. The direct Gaussian-shift Monte Carlo with analog decoding is ``qec.gkp``.
* ``"color"``: the triangular 6.6.6 colour code (``_color``) in the *superdense* memory circuit
  of Gidney & Jones (arXiv:2312.08813): two measure qubits per plaquette (a Bell pair), both
  plaquette types measured every round in eight CX layers, the last round the time reverse of
  the first (for rounds >= 2). Basis ``"Z"`` (data in |0⟩) or ``"X"``. Every detector has four
  coordinates (x, y, round, basis-and-colour), as the ``chromobius`` decoder needs. Its circuit
  distance is d under circuit-level noise; under the paper's uniform noise its detector error
  model equals the paper's circuit's, and with chromobius it reproduces the paper's published
  logical error rates, all but one point (``tests/qec/test_color_code.py``).

* ``"bb"``: a bivariate-bicycle code of Bravyi et al. (Nature 627, 778 (2024)), with its
  depth-8 syndrome cycle (``_bivariate_bicycle``): ``distance`` selects the instance, 6 →
  [[72,12,6]], 10 → [[108,8,10]], 12 → [[144,12,12]] (the gross code)
  (``allowed_distances("bb")``). It encodes k = 12 (or 8) logical qubits
  (``MemoryExperiment.logical_qubits``), one observable each; only the memory basis's checks
  carry detectors. Its short-range CNOTs (four of each check's six) are *local* gates
  (``MemoryExperiment.local_pairs``, for ``NoiseModel.noisy_circuit(..., local_pairs=...)``),
  the two long-range ones remote. Decode it with ``bposd`` on an undecomposed DEM.

Every other code encodes one logical qubit, and all its two-qubit gates are remote (on
QuantaCore every CNOT of those circuits is the photon-mediated gate): ``local_pairs`` is empty.

*Data noise* (any code): an ``OpNoise`` applied to every data qubit at the start of every round
(stim's ``before_round_data_depolarization`` generalised to a Pauli channel), plus, when its
``erasure`` > 0, ``HERALDED_ERASE`` with a herald ``DETECTOR(HERALD_COORD, qubit, k)``, k a
running index from 0, exactly as ``qec.noise`` does. Erasure flattens the circuit (``REPEAT``
unrolled, ``SHIFT_COORDS`` folded in) and remaps the measurement-record look-backs.

Cycles and TICK layers of the repetition code (``cat_noise_model``): each round has three TICK
layers, (1) ``CX`` anc→dᵢ, (2) ``CX`` anc→dᵢ₊₁, (3) ``MRX`` of the ancillas. A boundary data cat
has a single CX, so it gets an ``I`` in the CX layer it would sit out: every data cat is then
idle in exactly one layer per round (layer 3) and ``NoiseModel.idle`` acts once per round on it:
``idle`` *is* the per-cycle data error, counted once (the CXs add only ``cx_phase_flip``, 0 by
default). Ancilla cats never idle; their Z during the cycle commutes with the CXs they control
and only flips their ``MRX``, so it is part of their readout error ``measure``.

Modules: this one (API, validation), ``_repetition`` (cat repetition circuit, cat noise),
``_cat`` (bias-preserving checks for cats in 2D, their noise), ``_color`` (colour-code
circuit), ``_bivariate_bicycle`` (BB codes and their circuit), ``_transform`` (Hadamard
conjugation, data-noise insertion).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import stim

from qec.codes._bivariate_bicycle import BB_CODES, BBCode, bb_circuit
from qec.codes._cat import bias_preserving_ancillas, cat_surface_noise_model
from qec.codes._color import color_circuit
from qec.codes._repetition import cat_noise_model, repetition_circuit
from qec.codes._transform import MARKER, hadamard_conjugate, with_data_noise
from qec.gkp import GKPNoise, gkp_surface_circuit, stim_circuit
from qec.noise import OpNoise

__all__ = [
    "BASES",
    "BB_CODES",
    "CODES",
    "BBCode",
    "MemoryExperiment",
    "allowed_distances",
    "cat_noise_model",
    "cat_surface_noise_model",
    "code_capacity_experiment",
    "memory_experiment",
]

CODES: tuple[str, ...] = ("surface", "xzzx", "repetition", "xzzx-cat", "gkp-surface", "color",
                          "bb")
"""Names accepted by ``memory_experiment``."""

BASES: tuple[str, ...] = ("Z", "X")
"""Logical bases of a memory experiment."""


def allowed_distances(code: str) -> tuple[int, ...] | None:
    """The distances ``memory_experiment`` accepts for ``code``.

    Args:
        code: one of ``CODES``.

    Returns:
        The allowed distances of a code that comes in fixed instances (``"bb"``: (6, 10, 12));
        None for the families that take every odd distance >= 3.

    Raises:
        ValueError: on an unknown code.

    Example:
        >>> allowed_distances("bb"), allowed_distances("surface")
        ((6, 10, 12), None)
    """
    if code not in CODES:
        raise ValueError(f"code = {code!r}: must be one of {', '.join(map(repr, CODES))}")
    return tuple(BB_CODES) if code == "bb" else None



@dataclass(frozen=True)
class MemoryExperiment:
    """One memory experiment: a circuit and its qubit roles.

    Attributes:
        code: one of ``CODES``.
        distance: code distance d (odd, >= 3; for ``"bb"`` one of ``allowed_distances("bb")``).
        rounds: stabiliser-measurement rounds.
        basis: ``"Z"`` or ``"X"``: the logical basis prepared and measured.
        circuit: the noiseless circuit, except the code-intrinsic data noise it was built with.
        data_qubits: stim indices of the data qubits.
        ancilla_qubits: stim indices of the measure (ancilla) qubits.
        logical_qubits: logical qubits encoded (k; one observable each): 1 for every code
            but ``"bb"``.
        local_pairs: the qubit pairs (a < b) whose two-qubit gates are local (same node or
            neighbouring atoms); every other two-qubit gate is the photon-mediated remote
            gate. Empty for every code but ``"bb"`` (its short-range CNOTs).
        bosonic_ancillas: for ``"gkp-surface"``, whether the ancillas are GKP modes (True)
            or atom qubits (False, ``qec.gkp.GKPNoise(ancilla="atom")``).
    """

    code: str
    distance: int
    rounds: int
    basis: str
    circuit: stim.Circuit
    data_qubits: tuple[int, ...]
    ancilla_qubits: tuple[int, ...]
    logical_qubits: int = 1
    local_pairs: frozenset[tuple[int, int]] = frozenset()
    bosonic_ancillas: bool = True

    @property
    def resources(self) -> dict[str, int]:
        """Physical resources of the code block.

        Returns:
            ``{"qubits": data + ancillas, "data": ..., "ancillas": ..., "modes": ...,
            "logical_qubits": k, "two_qubit_gates_per_round": ...,
            "remote_gates_per_round": ...}``, where ``modes`` counts bosonic modes: for
            ``"repetition"`` and ``"xzzx-cat"`` every qubit is a cat (data and ancilla: the
            bias-preserving CX needs a cat control), so modes = qubits; for ``"gkp-surface"``
            data and ancillas are GKP modes, plus one GKP mode per data mode for its
            Steane-type correction each round (``qec.gkp``), so modes = 2·data + ancillas
            (2·data with atom ancillas); for the others modes = qubits (one photonic mode per
            qubit). The gate counts are per round of the memory (the circuit's two-qubit gates
            divided by ``rounds``); remote ones are those not on ``local_pairs`` (all of them,
            for every code but ``"bb"``).
        """
        n_data, n_anc = len(self.data_qubits), len(self.ancilla_qubits)
        if self.code == "gkp-surface":
            modes = 2 * n_data + (n_anc if self.bosonic_ancillas else 0)
        else:
            modes = n_data + n_anc
        total = remote = 0
        for inst in self.circuit.flattened():
            data = stim.gate_data(inst.name)
            if not (data.is_two_qubit_gate and data.is_unitary):
                continue
            t = [q.value for q in inst.targets_copy()]
            for a, b in zip(t[::2], t[1::2], strict=True):
                total += 1
                remote += (min(a, b), max(a, b)) not in self.local_pairs
        return {"qubits": n_data + n_anc, "data": n_data, "ancillas": n_anc, "modes": modes,
                "logical_qubits": self.logical_qubits,
                "two_qubit_gates_per_round": total // self.rounds,
                "remote_gates_per_round": remote // self.rounds}


def memory_experiment(code: str, *, distance: int, rounds: int, basis: str = "Z",
                      data_noise: OpNoise | GKPNoise | None = None) -> MemoryExperiment:
    """Memory-experiment circuit of a code.

    Args:
        code: one of ``CODES``.
        distance: odd integer >= 3, or one of ``allowed_distances(code)`` where that is not
            None (``"bb"``: 6, 10, 12).
        rounds: integer >= 1.
        basis: ``"Z"`` or ``"X"``.
        data_noise: Pauli channel (+ heralded erasure) on every data qubit at the start of
            every round; required for ``"gkp-surface"``: there a ``qec.gkp.GKPNoise`` (σ of
            the GKP preparations and of the loss) builds the circuit-level stim model of
            ``qec.gkp`` (GKP ancilla modes, a GKP correction of every data mode per round,
            one Pauli per homodyne binning), an ``OpNoise`` the plain surface circuit with
            that data channel (code capacity, phenomenological studies).

    Returns:
        The experiment; its circuit has no other noise.

    Raises:
        ValueError: on an unknown code or basis, a bad distance or rounds, or a missing
            ``data_noise`` for ``"gkp-surface"``.

    Example:
        >>> gross = memory_experiment("bb", distance=12, rounds=12, basis="Z")
        >>> gross.logical_qubits, gross.circuit.num_observables, len(gross.data_qubits)
        (12, 12, 144)
        >>> gross.resources["remote_gates_per_round"], len(gross.local_pairs)
        (288, 576)
    """
    _check(code, distance, rounds, basis, data_noise)
    if code == "bb":
        circuit, data, anc, local = bb_circuit(BB_CODES[int(distance)], int(rounds), basis)
        return MemoryExperiment(code, int(distance), int(rounds), basis,
                                with_data_noise(circuit, data_noise), data, anc,
                                BB_CODES[int(distance)].k, local)
    if isinstance(data_noise, GKPNoise):
        sched = gkp_surface_circuit(int(distance), int(rounds), basis=basis,
                                    schedule=data_noise.schedule, ancilla=data_noise.ancilla)
        circuit = stim_circuit(sched, sigma=data_noise.sigma, sigma_loss=data_noise.sigma_loss,
                               atom_flip=data_noise.atom_flip)
        return MemoryExperiment(code, int(distance), int(rounds), basis, circuit,
                                sched.data_qubits, sched.ancilla_qubits,
                                bosonic_ancillas=data_noise.ancilla == "gkp")
    if code == "repetition":
        circuit, data, anc = repetition_circuit(int(distance), int(rounds), basis)
    elif code == "color":
        circuit, data, anc = color_circuit(int(distance), int(rounds), basis)
    else:
        circuit = stim.Circuit.generated(f"surface_code:rotated_memory_{basis.lower()}",
                                         distance=int(distance), rounds=int(rounds),
                                         before_round_data_depolarization=MARKER)
        coords = circuit.get_final_qubit_coordinates()
        data = tuple(sorted(q for q, (x, y) in coords.items() if x % 2 == 1 and y % 2 == 1))
        data_set = set(data)
        anc = tuple(sorted(q for q in coords if q not in data_set))
        if code == "xzzx-cat":
            circuit = bias_preserving_ancillas(circuit, set(anc))
        if code in ("xzzx", "xzzx-cat"):
            flip = {q for q in data if ((coords[q][0] - coords[q][1]) // 2) % 2 == 1}
            circuit = hadamard_conjugate(circuit, flip)
    circuit = with_data_noise(circuit, data_noise)
    return MemoryExperiment(code, int(distance), int(rounds), basis, circuit, data, anc)


def code_capacity_experiment(code: str, *, distance: int, data_noise: OpNoise,
                             basis: str = "Z") -> MemoryExperiment:
    """One round with noise only on the data before it, measured perfectly.

    Args:
        code: one of ``CODES``.
        distance: odd integer >= 3.
        data_noise: the data channel (code-capacity thresholds: ~10.3 % bit flip for the
            surface code with MWPM, ~50 % pure erasure with erasure-aware decoding).
        basis: ``"Z"`` or ``"X"``.

    Returns:
        ``memory_experiment(code, distance=distance, rounds=1, ...)``: add no ``NoiseModel``.
    """
    if not isinstance(data_noise, OpNoise):
        raise ValueError(f"data_noise = {data_noise!r}: must be an OpNoise")
    return memory_experiment(code, distance=distance, rounds=1, basis=basis,
                             data_noise=data_noise)



# --- validation ------------------------------------------------------------------------------
def _check(code: object, distance: object, rounds: object, basis: object,
           data_noise: object) -> None:
    if code not in CODES:
        raise ValueError(f"code = {code!r}: must be one of {', '.join(map(repr, CODES))}")
    allowed = allowed_distances(str(code))
    if allowed is not None:
        if (isinstance(distance, bool) or not isinstance(distance, numbers.Integral)
                or distance not in allowed):
            raise ValueError(f"distance = {distance!r}: code {code!r} has the distances "
                             f"{', '.join(map(str, allowed))}")
    elif (isinstance(distance, bool) or not isinstance(distance, numbers.Integral)
            or distance < 3 or distance % 2 == 0):
        raise ValueError(f"distance = {distance!r}: must be an odd integer >= 3")
    if isinstance(rounds, bool) or not isinstance(rounds, numbers.Integral) or rounds < 1:
        raise ValueError(f"rounds = {rounds!r}: must be an integer >= 1")
    if basis not in BASES:
        raise ValueError(f"basis = {basis!r}: must be one of {', '.join(map(repr, BASES))}")
    if isinstance(data_noise, GKPNoise):
        if code != "gkp-surface":
            raise ValueError(f"data_noise = {data_noise!r}: a GKPNoise is only for code = "
                             "'gkp-surface'")
    elif data_noise is not None and not isinstance(data_noise, OpNoise):
        raise ValueError(f"data_noise = {data_noise!r}: must be an OpNoise, a GKPNoise "
                         "('gkp-surface') or None")
    if code == "gkp-surface" and data_noise is None:
        raise ValueError("code = 'gkp-surface' requires data_noise: the GKP Pauli channel of "
                         "its data modes (computed by the caller from the GKP shift sigma)")
