"""Photonic links: from emission efficiency and link hardware to a photonic operation's channel.

A photon-mediated operation (a remote gate or the generation of an entangled pair between two
nodes) is repeated until a detector heralds success, at most ``max_attempts`` times. This module
turns the hardware numbers into the ``Channel`` of that operation and a table of intermediate
figures. Modelling choices, with reasons:

**Transmission.** η_link = 10^(−αL/10) · η_c · η_d with α the attenuation (dB/km), L the length
(km), η_c the cavity-to-fibre coupling (in- and out-coupling, optics) and η_d the detector
efficiency. A photon reaches a detector and clicks with probability η = η_em · η_link, where
η_em is the emission efficiency (e.g. ``physics.cavity.emit_photon``, adiabatically 2C/(2C+1)).

**Schemes** (``SCHEMES``):

* ``"single-photon"``: one photon per attempt, one click heralds success — the cavity-reflection
  gate of Duan & Kimble (PRL 92, 127902 (2004); Reiserer et al., Nature 508, 237 (2014)) or
  atom–photon entanglement with the photon detected. Success per attempt p = η.
* ``"two-photon"``: Barrett–Kok (PRA 71, 060310 (2005)): each node emits a photon entangled with
  its atom, the photons meet on a beam splitter and a linear-optics Bell-state measurement
  (BSM) heralds; two rounds with a π pulse in between. Both photons must be detected (η²), and a
  linear-optics BSM identifies only 2 of the 4 Bell states (|ψ±⟩; |φ±⟩ give both photons in one
  round / one detector and are rejected): success per attempt p = η²/2.

**Repetition and heralded loss.** Attempts are independent. The operation stops at the first
herald; if none of the N = ``max_attempts`` attempts heralds, the operation has failed and the
failure is known: p_loss = q_none^N with ``heralded=True`` (an erasure for the decoder), where
q_none is the per-attempt probability of no herald (= 1 − p without dark counts, giving the
familiar (1 − p)^N).

**Dark counts and false heralds.** A dark count is a click without a photon, with probability
p_dc per detector per detection window. Both schemes watch two detectors per window (the two
output ports of the measurement basis / the BSM beam splitter), so a window has a dark click with
probability d = 1 − (1 − p_dc)². Per attempt:

* single-photon: true herald p = η; false herald q_false = (1 − η)·d (photon lost, dark click).
  A dark click coinciding with a real photon is a second-order effect (η·d) and is ignored.
* two-photon: the BSM needs one click in each of the two rounds (threshold detectors). In the
  half of the two-node state with one photon per round, each round clicks with probability
  c1 = η + (1 − η)·d, so heralds occur with c1², of which η² are true; in the other half (both
  photons in one round — |φ±⟩, which the BSM must reject) the empty round clicks only by a dark
  count: false heralds with probability c2·d, c2 = 1 − (1 − η)²(1 − d). Hence p = η²/2 and
  q_false = ½(c1² − η²) + ½·c2·d.

A false herald leaves the qubit in an uncorrelated state: the operation's error is a fully
randomising (depolarising) channel, ρ → I/2, i.e. I, X, Y, Z with ¼ each: px = py = pz =
P_false/4, where P_false = q_false·(1 − q_none^N)/(1 − q_none) is the total probability that the
operation ends on a false herald. (For the two-photon scheme a |φ±⟩ herald is in fact an X/Y
error; full randomisation is the conservative twirl and keeps one formula for both schemes.)

**Mode mismatch.** ``mode_overlap`` V = |⟨ψ₁|ψ₂⟩|² is the two-photon indistinguishability
(Hong–Ou–Mandel visibility) of the two interfering modes (spectral, temporal, spatial,
polarisation). Which-path information in the distinguishable part removes the coherence of the
heralded state:

* two-photon (BSM, second-order interference): the coherence of the heralded Bell state is
  multiplied by |⟨ψ₁|ψ₂⟩|² = V, i.e. a Z error on one qubit with probability (1 − V)/2
  (fidelity (1 + V)/2, the standard Barrett–Kok / HOM result);
* single-photon (first-order interference, e.g. the reflected photon interfering with the
  cavity-mode component in the reflection gate): coherence multiplied by the field overlap
  |⟨ψ₁|ψ₂⟩| = √V, i.e. Z with probability (1 − √V)/2. First-order interference is less
  sensitive to distinguishability than two-photon interference, so for the same V this error is
  smaller (about (1 − V)/4 for V near 1).

The dephasing applies to true heralds only, so unconditionally pz gets P_true·(1 − V_c)/2 with
P_true the probability that the operation ends on a true herald and V_c = V or √V. The three
outcomes (true herald, false herald, no herald) are exclusive, so px + py + pz + p_loss ≤ 1
holds by construction.

**Per-qubit channel.** For the two-photon scheme the error of the heralded pair is written as a
single-qubit channel on one of its qubits (on a Bell pair Z⊗I ≡ I⊗Z); apply it once per
operation, not to both qubits.

Units: lengths in km, attenuation in dB/km; all other numbers are probabilities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from physics.channel import Channel

__all__ = ["SCHEMES", "LinkResult", "PhotonicLink", "link_channel"]

SCHEMES: tuple[str, ...] = ("single-photon", "two-photon")
"""Known heralding schemes of ``link_channel``."""

_DETECTORS_PER_WINDOW = 2  # two output ports watched per detection window, both schemes


def _check_prob(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} = {value!r}: must be in [0, 1]")


@dataclass(frozen=True)
class PhotonicLink:
    """Hardware of one photonic link between a node's cavity and the heralding detectors.

    Defaults describe a short intra-module link at the Rb D2 line (780 nm): 10 m of fibre at
    3.5 dB/km (typical 780 nm single-mode fibre), 90 % cavity-to-fibre coupling, 90 %
    superconducting-nanowire detectors with 1e-6 dark-count probability per ~10 ns window
    (~100 Hz dark-count rate), and 98 % two-photon indistinguishability.

    Attributes:
        length_km: fibre / waveguide length L (km), ≥ 0.
        attenuation_db_per_km: attenuation α (dB/km), ≥ 0.
        coupling_efficiency: cavity-to-fibre coupling η_c including in/out coupling, in [0, 1].
        detector_efficiency: detector efficiency η_d, in [0, 1].
        dark_count_probability: dark-count probability per detection window per detector, in
            [0, 1].
        mode_overlap: two-photon indistinguishability / mode overlap V = |⟨ψ₁|ψ₂⟩|², in [0, 1]
            (1 = perfect).
    """

    length_km: float = 0.01
    attenuation_db_per_km: float = 3.5
    coupling_efficiency: float = 0.9
    detector_efficiency: float = 0.9
    dark_count_probability: float = 1e-6
    mode_overlap: float = 0.98

    def __post_init__(self) -> None:
        for name in ("length_km", "attenuation_db_per_km"):
            v = getattr(self, name)
            unit = "km" if name == "length_km" else "dB/km"
            if isinstance(v, bool) or not isinstance(v, int | float) or not (
                    math.isfinite(v) and v >= 0):
                raise ValueError(f"{name} = {v!r}: must be finite and >= 0 ({unit})")
        for name in ("coupling_efficiency", "detector_efficiency", "dark_count_probability",
                     "mode_overlap"):
            _check_prob(name, getattr(self, name))

    @property
    def fibre_transmission(self) -> float:
        """Fibre transmission 10^(−αL/10)."""
        return 10.0 ** (-self.attenuation_db_per_km * self.length_km / 10.0)

    @property
    def transmission(self) -> float:
        """Link transmission η_link = 10^(−αL/10) · coupling · detector efficiency."""
        return self.fibre_transmission * self.coupling_efficiency * self.detector_efficiency


@dataclass(frozen=True)
class LinkResult:
    """Channel and figures of one photon-mediated operation.

    Attributes:
        channel: per-qubit channel of the operation; ``heralded=True``: a failed operation
            (no herald in ``max_attempts`` attempts) is an erasure.
        success_probability: probability that one attempt heralds correctly (true herald), p.
        expected_attempts: mean number of attempts made, Σ_{k<N} q_none^k (≤ ``max_attempts``;
            → 1/p for N → ∞ without dark counts).
        figures: every intermediate number (JSON-friendly floats), see ``link_channel``.
    """

    channel: Channel
    success_probability: float
    expected_attempts: float
    figures: dict[str, float] = field(default_factory=dict)


def _geometric_sum(q: float, n: int) -> float:
    """Σ_{k=0}^{n−1} q^k, stable for q near 1."""
    if q >= 1.0:
        return float(n)
    if q <= 0.0:
        return 1.0
    return -math.expm1(n * math.log(q)) / (1.0 - q)


def link_channel(
    link: PhotonicLink,
    *,
    emission_efficiency: float,
    scheme: str = "single-photon",
    max_attempts: int = 1,
) -> LinkResult:
    """Channel of a heralded photon-mediated operation over ``link`` (see module docstring).

    Args:
        link: link hardware.
        emission_efficiency: probability η_em that the node emits the photon into the cavity
            output mode, in [0, 1].
        scheme: ``"single-photon"`` (p = η) or ``"two-photon"`` (Barrett–Kok, p = η²/2), with
            η = η_em · η_link.
        max_attempts: attempts N ≥ 1 before the operation is declared failed (heralded loss).

    Returns:
        ``LinkResult``. ``figures`` keys: transmission, fibre_transmission, eta_photon,
        dark_click_probability, p_true_per_attempt, p_false_per_attempt, p_none_per_attempt,
        p_true, p_false_herald, p_loss, false_herald_fraction, coherence_factor,
        p_dephasing_given_true, expected_attempts, max_attempts.

    Raises:
        ValueError: bad emission efficiency, unknown scheme or max_attempts < 1.
    """
    _check_prob("emission_efficiency", emission_efficiency)
    if scheme not in SCHEMES:
        raise ValueError(f"scheme = {scheme!r}: must be one of {', '.join(SCHEMES)}")
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise ValueError(f"max_attempts = {max_attempts!r}: must be an integer >= 1")

    eta = float(emission_efficiency) * link.transmission
    d = 1.0 - (1.0 - link.dark_count_probability) ** _DETECTORS_PER_WINDOW
    v = float(link.mode_overlap)
    if scheme == "single-photon":
        q_true = eta
        q_false = (1.0 - eta) * d
        coherence = math.sqrt(v)
    else:
        c1 = eta + (1.0 - eta) * d
        c2 = 1.0 - (1.0 - eta) ** 2 * (1.0 - d)
        q_true = 0.5 * eta**2
        q_false = 0.5 * (c1**2 - eta**2) + 0.5 * c2 * d
        coherence = v
    q_none = min(1.0, max(0.0, 1.0 - q_true - q_false))
    n = int(max_attempts)
    attempts = _geometric_sum(q_none, n)  # Σ_{k<N} q_none^k = expected attempts made
    p_loss = q_none**n
    p_true = q_true * attempts
    p_false = q_false * attempts
    # exclusive outcomes: renormalise round-off so p_true + p_false + p_loss = 1 exactly
    total = p_true + p_false + p_loss
    p_true, p_false, p_loss = p_true / total, p_false / total, p_loss / total
    p_deph = 0.5 * (1.0 - coherence)
    px = py = 0.25 * p_false
    pz = 0.25 * p_false + p_true * p_deph
    channel = Channel(px, py, pz, p_loss, heralded=True)
    heralds = p_true + p_false
    figures = {
        "transmission": link.transmission,
        "fibre_transmission": link.fibre_transmission,
        "eta_photon": eta,
        "dark_click_probability": d,
        "p_true_per_attempt": q_true,
        "p_false_per_attempt": q_false,
        "p_none_per_attempt": q_none,
        "p_true": p_true,
        "p_false_herald": p_false,
        "p_loss": p_loss,
        "false_herald_fraction": p_false / heralds if heralds > 0 else 0.0,
        "coherence_factor": coherence,
        "p_dephasing_given_true": p_deph,
        "expected_attempts": attempts,
        "max_attempts": float(n),
    }
    return LinkResult(channel=channel, success_probability=q_true, expected_attempts=attempts,
                      figures={k: float(x) for k, x in figures.items()})
