"""The photon-mediated two-qubit gate, attempt by attempt, for two node architectures.

A remote gate between atoms A and B in two cavities is tried until a detector heralds it, at
most N = ``max_attempts`` times; no herald after N attempts is a heralded failure, erasing the
pair (one event, ``TwoQubitChannel.p_loss``). What a *failed* attempt does to the data is the
point of this module: it is derived from the atom–photon state, not assumed free.

**Reflection gate** (``scheme = "single-photon"``; Duan & Kimble, PRL 92, 127902 (2004);
Reiserer et al., Nature 508, 237 (2014); the nonlocal gate of Daiss et al., Science 371, 614
(2021)). A photon in (|L⟩ + |R⟩)/√2 reflects from cavity A, passes a polarisation Hadamard,
reflects from cavity B and is detected in the (|L⟩ ± |R⟩)/√2 basis; a "−" click triggers a Z
on A. Only |R⟩ is resonant with the cavity; it reflects with the amplitude of a one-sided
cavity on resonance (field half-widths, C = g²/(2κγ), η_out = κ_out/κ the out-coupling
fraction)::

    r_coupled = 1 − 2 η_out / (1 + 2C)      (atom in |0⟩, on the cavity transition)
    r_uncoupled = 1 − 2 η_out               (atom in |1⟩, empty-cavity reflection)

so ideally (C → ∞, η_out → 1) r = ±1: the reflection is a CZ between atom and photon, and the
whole sequence is CZ_AB. The computation here keeps every amplitude as a 4 × 4 operator on the
two atoms, per polarisation, through the photon's path: source and in-coupling to A
(transmission T_pre = η_em·√η_c), reflection at A, out of A, fibre, into B
(T_mid = √η_c·10^(−αL/10)·√η_c), Hadamard, reflection at B, out of B and detector
(T_post = √η_c·η_d). The resonant R component reflects with |r| < 1 while L reflects with 1;
a calibration balances them (input polarisation weighted |r| on L, an L attenuator |r| before
the detectors, |r| the rms of the two amplitudes). Every loss is a Kraus operator on the
atoms (the lost photon keeps its polarisation, and a photon absorbed in a cavity tells which
atom state it met), so:

* lost before A: nothing happens to the atoms;
* lost after A (between A and B, or in A's cavity): A's state is imprinted on the lost photon —
  A is dephased (Z with ½ in the ideal limit);
* lost after B: the CZ has been applied *and* A is dephased; the next attempt applies CZ again.

A dark click in a window without a photon (probability d = 1 − (1 − p_dc)² for two detectors)
is a false herald: the atoms carry the lost-photon map and a random feed-forward Z on A.
Reflection imbalance |r_coupled| ≠ |r_uncoupled| makes the heralded operation non-unitary (a
coherent error the twirl turns into Pauli terms). Mode mismatch: a reflected mode that differs
between the atom states by field overlap √V (V = ``link.mode_overlap``) dephases that atom by
(1 − √V)/2 per reflection.

**Single-atom node** (``architecture = "single-atom"``): the atom that reflects is the data
qubit, so every failed attempt acts on the data as above. The emission-based scheme cannot run
on a data atom (emission entangles, and a two-photon Bell-state measurement projects, the
emitter's state), so it needs a communication qubit.

**Communication-memory node** (``architecture = "communication-memory"``): each node has a
communication qubit that makes the attempts and a memory (data) qubit. The attempts (either
scheme) herald a Bell pair between the communication qubits; the remote CNOT is then gate
teleportation (Eisert et al., PRA 62, 052317 (2000)): CNOT(d_A → c_A), measure c_A in Z, X on
c_B if 1, CNOT(c_B → d_B), measure c_B in X, Z on d_A if 1. A Pauli on the pair maps onto the
data exactly (pushed through that Clifford circuit): an X part on either communication qubit
becomes X on d_B, a Z part becomes Z on d_A; a flipped measurement of c_A (c_B) becomes X on d_B
(Z on d_A); a local-gate Pauli on (d_A, c_A) keeps its d_A part and turns an X part on c_A into
X on d_B; one on (c_B, d_B) keeps its d_B part and turns a Z part on c_B into Z on d_A. The
memory pays a crosstalk dephasing per attempt (``crosstalk_dephasing``: the probability of a Z
on the memory per attempt, e.g. from scattered light and AC shifts of the communication
pulses) and its T1/T2 over the waiting time (composed by the caller). A failure after N
attempts leaves the data intact but the gate not done; it is still flagged and counted as a
joint erasure (conservative).

**Two-photon scheme** (Barrett & Kok, PRA 71, 060310 (2005)): both communication qubits emit,
a linear-optics Bell-state measurement heralds |ψ±⟩ with p = η²/2 per attempt
(η = η_em·η_link); the heralded pair is dephased by (1 − V)/2 (two-photon interference) and a
false herald (dark counts, ``physics.links``) leaves a random pair.

All channels returned here are relative to the ideal CNOT with A the control (the circuits'
``CX``): the reflection gate's CZ frame is converted by a Hadamard on B.

Example:
    >>> from physics.links import PhotonicLink
    >>> res = remote_gate(PhotonicLink(), emission_efficiency=0.9, reflection=Reflection(
    ...     coupled=0.95, uncoupled=-0.95), max_attempts=4, architecture="single-atom")
    >>> ch = res.channel  # a TwoQubitChannel: 16 Pauli probabilities + joint heralded loss
    >>> ch.heralded, round(ch.p_loss, 4) == round(res.figures["p_erasure"], 4)
    (True, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from physics.links import PhotonicLink, link_channel
from physics.pauli2 import PAULI2_LABELS, TwoQubitChannel, twirl_two_qubit

__all__ = [
    "ARCHITECTURES",
    "AttemptMaps",
    "Reflection",
    "RemoteGateResult",
    "local_cnot_channel",
    "reflection_attempt",
    "remote_gate",
    "single_atom_failure_formula",
    "teleported_cnot_channel",
]

ARCHITECTURES: tuple[str, ...] = ("single-atom", "communication-memory")
"""Node architectures: the data atom makes the attempts, or a communication qubit does."""

_I2 = np.eye(2, dtype=complex)
_Z = np.diag([1.0, -1.0]).astype(complex)
_P0 = np.diag([1.0, 0.0]).astype(complex)
_P1 = np.diag([0.0, 1.0]).astype(complex)
_ZA = np.kron(_Z, _I2)
_CZ = np.diag([1.0, 1.0, 1.0, -1.0]).astype(complex)
_DETECTORS_PER_WINDOW = 2


def _superop(k: np.ndarray) -> np.ndarray:
    return np.kron(k.conj(), k)


@dataclass(frozen=True)
class Reflection:
    """Reflection amplitudes of the cavity for the resonant polarisation.

    Attributes:
        coupled: amplitude when the atom is in |0⟩ (coupled to the cavity), in [−1, 1].
        uncoupled: amplitude when the atom is in |1⟩ (empty cavity), in [−1, 1].
    """

    coupled: float = 1.0
    uncoupled: float = -1.0

    def __post_init__(self) -> None:
        for name in ("coupled", "uncoupled"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and -1 <= v <= 1):
                raise ValueError(f"{name} = {v!r}: must be a reflection amplitude in [-1, 1]")

    @classmethod
    def from_cavity(cls, cooperativity: float, outcoupling: float) -> Reflection:
        """One-sided cavity on resonance: r = 1 − 2η_out/(1 + 2C) coupled, 1 − 2η_out empty.

        Args:
            cooperativity: C = g²/(2κγ) (field half-widths), ≥ 0.
            outcoupling: η_out = κ_out/κ, the fraction of the cavity field decay through the
                mirror the photon enters by, in [0, 1].
        """
        if not (math.isfinite(cooperativity) and cooperativity >= 0):
            raise ValueError(f"cooperativity = {cooperativity!r}: must be >= 0")
        if not (math.isfinite(outcoupling) and 0 <= outcoupling <= 1):
            raise ValueError(f"outcoupling = {outcoupling!r}: must be in [0, 1]")
        return cls(1.0 - 2.0 * outcoupling / (1.0 + 2.0 * cooperativity),
                   1.0 - 2.0 * outcoupling)


@dataclass(frozen=True)
class AttemptMaps:
    """Superoperators (16 × 16, column stacking, qubit A most significant) of one attempt.

    Attributes:
        success: true herald, feed-forward applied (trace = probability of a true herald).
        false_herald: a dark click without the photon, random feed-forward.
        failure: no click (the attempt is repeated).
        transmissions: (T_pre, T_mid, T_post) of the photon's path.
    """

    success: np.ndarray
    false_herald: np.ndarray
    failure: np.ndarray
    transmissions: tuple[float, float, float]


def _reflect(amp: dict[str, np.ndarray], r: Reflection, node: int,
             losses: list[np.ndarray]) -> None:
    proj = [_P0, _P1]
    amps = [r.coupled, r.uncoupled]
    for x in (0, 1):
        lost = 1.0 - amps[x] ** 2
        if lost > 0:
            p = np.kron(proj[x], _I2) if node == 0 else np.kron(_I2, proj[x])
            losses.append(math.sqrt(lost) * p @ amp["R"])
    d = np.diag(amps).astype(complex)
    amp["R"] = (np.kron(d, _I2) if node == 0 else np.kron(_I2, d)) @ amp["R"]


def _lose(amp: dict[str, np.ndarray], t: float, losses: list[np.ndarray]) -> None:
    if t < 1.0:
        for pol in ("L", "R"):
            losses.append(math.sqrt(1.0 - t) * amp[pol])
            amp[pol] = math.sqrt(t) * amp[pol]


def _dephase(coherence: float, node: int) -> np.ndarray:
    p = 0.5 * (1.0 - coherence)
    z = _ZA if node == 0 else np.kron(_I2, _Z)
    return (1.0 - p) * np.eye(16) + p * _superop(z)


def reflection_attempt(link: PhotonicLink, *, emission_efficiency: float,
                       reflection: Reflection, balance: bool = True) -> AttemptMaps:
    """The three outcomes of one reflection-gate attempt as maps on the two atoms.

    Args:
        link: link hardware (coupling, fibre, detector, dark counts, mode overlap).
        emission_efficiency: probability η_em that the source puts the photon into the fibre.
        reflection: the cavities' reflection amplitudes (both nodes alike).
        balance: pre-compensate the resonant polarisation's reflection loss (input
            polarisation weighted by |r| on L, an L attenuator |r| before the detectors), as a
            calibration would; ``False`` sends (|L⟩ + |R⟩)/√2 and detects both equally.

    Returns:
        ``AttemptMaps``; ``success + false_herald + failure`` is trace preserving.
    """
    root_c = math.sqrt(link.coupling_efficiency)
    t_pre = float(emission_efficiency) * root_c
    t_mid = root_c * link.fibre_transmission * root_c
    t_post = root_c * link.detector_efficiency
    # balance: the off-resonant L reflects with 1, R with |r| ≈ rms of the two amplitudes; the
    # input polarisation is set to (|r| |L⟩ + |R⟩)/norm and an L attenuator |r| sits before the
    # detectors, so both reflections see equal weights (set once at calibration)
    r_avg = math.sqrt(0.5 * (reflection.coupled**2 + reflection.uncoupled**2)) if balance else 1.0
    norm = math.sqrt(1.0 + r_avg**2)
    amp = {"L": r_avg / norm * np.eye(4, dtype=complex),
           "R": 1.0 / norm * np.eye(4, dtype=complex)}
    losses: list[np.ndarray] = []
    _lose(amp, t_pre, losses)
    _reflect(amp, reflection, 0, losses)
    _lose(amp, t_mid, losses)
    amp = {"L": (amp["L"] + amp["R"]) / math.sqrt(2), "R": (amp["L"] - amp["R"]) / math.sqrt(2)}
    _reflect(amp, reflection, 1, losses)
    _lose(amp, t_post, losses)
    if r_avg < 1.0:
        losses.append(math.sqrt(1.0 - r_avg**2) * amp["L"])
        amp["L"] = r_avg * amp["L"]
    k_plus = (amp["L"] + amp["R"]) / math.sqrt(2)
    k_minus = _ZA @ (amp["L"] - amp["R"]) / math.sqrt(2)
    coherence = math.sqrt(link.mode_overlap)
    success = _superop(k_plus) + _superop(k_minus)
    success = _dephase(coherence, 0) @ _dephase(coherence, 1) @ success
    lost = sum(_superop(k) for k in losses) if losses else np.zeros((16, 16), complex)
    d = 1.0 - (1.0 - link.dark_count_probability) ** _DETECTORS_PER_WINDOW
    false = d * 0.5 * (lost + _superop(_ZA) @ lost)
    return AttemptMaps(success=success, false_herald=false, failure=(1.0 - d) * lost,
                       transmissions=(t_pre, t_mid, t_post))


def single_atom_failure_formula(transmissions: tuple[float, float, float],
                                failures: int) -> TwoQubitChannel:
    """Hand-derived error (CZ frame) of an ideal reflection gate after ``failures`` lost photons.

    Ideal reflections (r = ±1), no dark counts, V = 1. Given a failure, the photon was lost
    before A (q_pre: nothing), between A and B (q_mid: A dephased) or after B (q_post: CZ
    applied and A dephased). With j post-B losses among k failures the success applies CZ^(j+1):
    an odd j leaves a CZ error, which twirls to ¼ on each of II, ZI, IZ, ZZ (and stays uniform
    under A's dephasing); an even j ≥ 0 with any loss after A leaves Z on A with ½. Hence,
    with P_odd = (1 − (q_pre + q_mid − q_post)^k)/2 and P_any = 1 − q_pre^k:
    p_ZI = ½(P_any − P_odd) + ¼ P_odd, p_IZ = p_ZZ = ¼ P_odd, p_II = the rest.

    Args:
        transmissions: (T_pre, T_mid, T_post) of ``AttemptMaps``.
        failures: number k ≥ 0 of failed attempts before the success.
    """
    t_pre, t_mid, t_post = transmissions
    f_pre = 1.0 - t_pre
    f_mid = t_pre * (1.0 - t_mid)
    f_post = t_pre * t_mid * (1.0 - t_post)
    total = f_pre + f_mid + f_post
    q_pre, q_mid, q_post = f_pre / total, f_mid / total, f_post / total
    p_odd = 0.5 * (1.0 - (q_pre + q_mid - q_post) ** failures)
    p_any = 1.0 - q_pre ** failures
    return TwoQubitChannel.from_paulis({"ZI": 0.5 * (p_any - p_odd) + 0.25 * p_odd,
                                        "IZ": 0.25 * p_odd, "ZZ": 0.25 * p_odd})


@dataclass(frozen=True)
class RemoteGateResult:
    """Channel and figures of one remote gate.

    Attributes:
        channel: two-qubit error channel after the ideal CX (A control), joint heralded loss.
        expected_attempts: mean number of attempts made (≤ ``max_attempts``).
        figures: intermediate numbers (JSON-friendly floats).
    """

    channel: TwoQubitChannel
    expected_attempts: float
    figures: dict[str, float] = field(default_factory=dict)


def _pauli_bits(letter: str) -> tuple[int, int]:
    """(x, z) bits of a one-qubit Pauli letter."""
    return {"I": (0, 0), "X": (1, 0), "Y": (1, 1), "Z": (0, 1)}[letter]


def _mapped(channel: TwoQubitChannel, rule) -> TwoQubitChannel:
    """Push each Pauli of ``channel`` through ``rule(label) -> data label``, given no loss."""
    keep = 1.0 - channel.p_loss
    if keep <= 0:  # never heralded: no pair to map (the caller keeps the loss)
        return TwoQubitChannel.identity()
    out = dict.fromkeys(PAULI2_LABELS, 0.0)
    for label, p in zip(PAULI2_LABELS, channel.probs, strict=True):
        out[rule(label)] += p / keep
    return TwoQubitChannel(tuple(out[k] for k in PAULI2_LABELS))


def local_cnot_channel(local_gate_error: float) -> TwoQubitChannel:
    """Error channel of a local CNOT of average infidelity r: two-qubit depolarising.

    A two-qubit depolarising channel with total Pauli probability p (15 Paulis, p/15 each) has
    average gate fidelity 1 − 4p/5 (d = 4), so p = 5r/4, capped at 1.

    Args:
        local_gate_error: average infidelity r of the CNOT, in [0, 1].

    Returns:
        The channel (16 probabilities, ``II`` first).

    Example:
        >>> round(local_cnot_channel(0.004).prob("XX"), 6)  # 1.25 · 0.004 / 15
        0.000333
    """
    if not 0.0 <= local_gate_error <= 1.0:
        raise ValueError(f"local_gate_error = {local_gate_error}: must be in [0, 1]")
    p_dep = min(1.0, 1.25 * local_gate_error)
    return TwoQubitChannel((1.0 - p_dep,) + (p_dep / 15,) * 15)


def teleported_cnot_channel(pair: TwoQubitChannel, *, local_gate_error: float,
                            measure_error: float) -> TwoQubitChannel:
    """Data error of a CNOT teleported through a Bell pair |Φ+⟩ with Pauli errors ``pair``.

    Args:
        pair: Pauli errors on (c_A, c_B) of the heralded |Φ+⟩, conditioned on success (its
            loss, if any, is divided out).
        local_gate_error: average infidelity r of each local CNOT (communication ↔ memory),
            modelled as two-qubit depolarising with p = 5r/4 (``local_cnot_channel``).
        measure_error: flip probability of each communication-qubit measurement.

    Returns:
        The error channel on (d_A, d_B) after the ideal CNOT(d_A → d_B).
    """
    def pair_rule(label: str) -> str:  # X parts → X on d_B, Z parts → Z on d_A
        (xa, za), (xb, zb) = _pauli_bits(label[0]), _pauli_bits(label[1])
        return ("Z" if za ^ zb else "I") + ("X" if xa ^ xb else "I")

    def gate_a(label: str) -> str:  # Pauli on (d_A, c_A) after CNOT(d_A → c_A)
        return label[0] + ("X" if _pauli_bits(label[1])[0] else "I")

    def gate_b(label: str) -> str:  # Pauli on (c_B, d_B) after CNOT(c_B → d_B)
        return ("Z" if _pauli_bits(label[0])[1] else "I") + label[1]

    dep = local_cnot_channel(local_gate_error)
    ch = _mapped(pair, pair_rule).then(_mapped(dep, gate_a)).then(_mapped(dep, gate_b))
    flips = TwoQubitChannel.from_paulis({"IX": measure_error}).then(
        TwoQubitChannel.from_paulis({"ZI": measure_error}))
    return ch.then(flips)


_MIXED = np.eye(4, dtype=complex).flatten(order="F") / 4  # vec(I/4), column stacking


def _mean_trace(s: np.ndarray) -> float:
    """Tr S(I/4): the probability of the branch ``s``, averaged over the two-qubit inputs."""
    return float(np.real(np.trace((s @ _MIXED).reshape(4, 4, order="F"))))


def _repeat(herald: np.ndarray, failure: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """Σ_{k<n} herald · failure^k and the expected number of attempts (input-averaged)."""
    total = np.zeros((16, 16), complex)
    power = np.eye(16, dtype=complex)
    attempts = 0.0
    for _ in range(n):
        attempts += _mean_trace(power)
        total += herald @ power
        power = failure @ power
    return total, attempts


def remote_gate(link: PhotonicLink, *, emission_efficiency: float,
                reflection: Reflection = Reflection(), scheme: str = "single-photon",
                max_attempts: int = 1, architecture: str = "communication-memory",
                crosstalk_dephasing: float = 0.0, local_gate_error: float = 0.0,
                measure_error: float = 0.0) -> RemoteGateResult:
    """The remote CNOT's two-qubit channel, attempt by attempt (see the module docstring).

    Args:
        link: link hardware.
        emission_efficiency: photon source / emission efficiency η_em, in [0, 1].
        reflection: cavity reflection amplitudes (reflection scheme).
        scheme: ``"single-photon"`` (reflection gate) or ``"two-photon"`` (Barrett–Kok).
        max_attempts: attempts N ≥ 1 before the heralded failure.
        architecture: one of ``ARCHITECTURES``.
        crosstalk_dephasing: communication-memory only: probability of a Z on each memory per
            attempt, in [0, 1].
        local_gate_error: communication-memory only: average infidelity of the local CNOT.
        measure_error: communication-memory only: flip probability of the communication
            qubit's measurement.

    Returns:
        ``RemoteGateResult`` (channel relative to CX, A = control).

    Raises:
        ValueError: unknown scheme or architecture, a single-atom two-photon gate, or bad
            numbers.
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture = {architecture!r}: must be one of "
                         f"{', '.join(ARCHITECTURES)}")
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(f"max_attempts = {max_attempts!r}: must be an integer >= 1")
    for name, v in (("crosstalk_dephasing", crosstalk_dephasing),
                    ("local_gate_error", local_gate_error), ("measure_error", measure_error),
                    ("emission_efficiency", emission_efficiency)):
        if not (isinstance(v, int | float) and math.isfinite(v) and 0 <= v <= 1):
            raise ValueError(f"{name} = {v!r}: must be in [0, 1]")
    figures: dict[str, float] = {}
    if scheme == "single-photon":
        maps = reflection_attempt(link, emission_efficiency=emission_efficiency,
                                  reflection=reflection)
        total, attempts = _repeat(maps.success + maps.false_herald, maps.failure, max_attempts)
        err = _superop(_CZ.conj().T) @ total
        cz_frame = twirl_two_qubit(err, heralded=True)
        pair_or_gate = cz_frame.conjugated_by_hadamard_on_b()  # CZ frame → CX frame
        p_true, p_false = _mean_trace(maps.success), _mean_trace(maps.false_herald)
        figures.update({"reflection_coupled": reflection.coupled,
                        "reflection_uncoupled": reflection.uncoupled,
                        "t_pre": maps.transmissions[0], "t_mid": maps.transmissions[1],
                        "t_post": maps.transmissions[2]})
        if architecture == "communication-memory":
            # the communication qubits are re-prepared in |++⟩ at every attempt, so the pair
            # carries the errors of one heralded attempt only; CZ|++⟩ with those errors is,
            # after H on c_B, |Φ+⟩ with the CX-frame errors
            one = twirl_two_qubit(_superop(_CZ.conj().T) @ (maps.success + maps.false_herald))
            keep = 1.0 - one.p_loss
            pair = (TwoQubitChannel(tuple(np.array(one.probs) / keep * (1 - cz_frame.p_loss)),
                                    cz_frame.p_loss, heralded=True).conjugated_by_hadamard_on_b()
                    if keep > 0 else cz_frame)  # never heralded: cz_frame is all joint loss
    elif scheme == "two-photon":
        if architecture == "single-atom":
            raise ValueError("gate2q.scheme = 'two-photon' needs node.architecture = "
                             "'communication-memory': emission-based heralding entangles (and "
                             "the Bell-state measurement projects) the emitter, which must not "
                             "hold data")
        res = link_channel(link, emission_efficiency=emission_efficiency, scheme="two-photon",
                           max_attempts=max_attempts)
        f = res.figures
        attempts = f["expected_attempts"]
        p_true, p_false = f["p_true_per_attempt"], f["p_false_per_attempt"]
        heralds = f["p_true"] + f["p_false_herald"]
        w_false = f["p_false_herald"] / heralds if heralds > 0 else 0.0
        deph = f["p_dephasing_given_true"]
        good = TwoQubitChannel.from_paulis({"ZI": deph})
        rand = TwoQubitChannel((1 / 16,) * 16)
        mix = np.array(good.probs) * (1 - w_false) + np.array(rand.probs) * w_false
        pair = TwoQubitChannel(tuple(mix * (1 - f["p_loss"])), f["p_loss"], heralded=True)
    else:
        raise ValueError(f"scheme = {scheme!r}: must be one of single-photon, two-photon")

    if architecture == "single-atom":
        channel = pair_or_gate
    else:
        data = teleported_cnot_channel(pair, local_gate_error=local_gate_error,
                                       measure_error=measure_error)
        # memory crosstalk: Z on each memory per attempt, over the attempts actually made
        z = 0.5 * (1.0 - (1.0 - 2.0 * crosstalk_dephasing) ** attempts)
        cross = TwoQubitChannel.from_paulis({"ZI": z * (1 - z), "IZ": z * (1 - z),
                                             "ZZ": z * z})
        data = data.then(cross)
        keep = 1.0 - pair.p_loss
        channel = TwoQubitChannel(tuple(np.array(data.probs) * keep), pair.p_loss,
                                  heralded=True)
    figures.update({"p_true_per_attempt": p_true, "p_false_per_attempt": p_false,
                    "expected_attempts": attempts, "p_erasure": channel.p_loss,
                    "p_error_given_success": (channel.p_pauli / (1.0 - channel.p_loss)
                                              if channel.p_loss < 1.0 else 1.0),
                    "correlation": channel.correlation})
    return RemoteGateResult(channel=channel, expected_attempts=attempts,
                            figures={k: float(v) for k, v in figures.items()})
