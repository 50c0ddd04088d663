"""From a ``Device`` to each circuit operation's Pauli + loss channel, with the figures behind it.

Operations (``OPERATIONS``):

* ``gate_1q``: the double-STIRAP X gate (``physics.gates``), simulated on the ⁸⁷Rb sublevels
  (``atom.levels = "rb87-d2"``, ``physics.hyperfine``: off-resonant F'=0, 2, 3 included) or on
  the 4-level Λ model (``"three-level"``), restricted to the qubit, corrected by a
  ``Calibration`` (second-pair phase χ and virtual-Z frames) and Pauli-twirled
  (``physics.extraction``). Scattering out of the gate levels is leakage; the atom is repumped,
  so it appears as depolarisation. With the multi-level atom an intensity drift changes the
  light shift of the dark qubit state: with the nominal calibration it is a coherent rotation
  about X, the gate axis.
* ``gate_2q``: the photon-mediated gate, attempt by attempt (``physics.remote_gate``): V-STIRAP
  emission (``physics.cavity``) leaves through the output mirror (``cavity.outcoupling``) into
  the link (``physics.links``); every attempt, failed ones included, acts on the qubits as the
  node architecture (``node.architecture``) says, until a herald or ``gate2q.max_attempts``
  (then one *joint heralded* erasure of the pair); then a local STIRAP gate and memory
  decoherence over the gate's time on each qubit. The result is a two-qubit channel
  (``OperationChannel.pair``: 16 Pauli probabilities and the joint erasure); ``channel`` is
  its marginal on one qubit.
* ``measure``: state-selective readout, |1⟩ emits a cavity photon and |0⟩ stays dark, repeated
  ``readout.repetitions`` times; the channel is an X flip before a perfect measurement with
  probability ½(P(0|1) + P(1|0)).
* ``reset``: STIRAP pumping |1⟩ → |0⟩ repeated ``memory.reset_repetitions`` times; an X after a
  perfect reset with probability ½(1 − η_STIRAP)^repetitions.
* ``idle``: memory decoherence (T1 amplitude damping and pure dephasing) over one circuit layer.

Calibration (DESIGN.md): deterministic frame phases of the STIRAP gate (dark-state signs,
dynamic phases) are cancelled by virtual-Z rotations fixed by ``calibrate(device)``. Extracting
a *drifted* device with the calibration of the nominal one shows the drift as coherent error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from physics.cat import cat_channel, cat_rates, cat_readout_errors, flip_probability
from physics.cavity import CavityQED, default_pump, emit_photon
from physics.channel import Channel
from physics.device import Device
from physics.extraction import (
    FrameCorrection,
    amplitude_damping,
    calibrate_frame,
    extract_channel,
    restrict_to_qubit,
)
from physics.gates import (
    X_GATE,
    StirapGate,
    gate_drives,
    multilevel_gate_process,
    stirap_gate_process,
)
from physics.gkp import gkp_channel, gkp_error_probability, gkp_sigma
from physics.hyperfine import (
    differential_light_shift,
    raman_rabi_per_amplitude,
    rb87_gate_system,
    rb87_raman_system,
)
from physics.levels import ThreeLevelSystem
from physics.multilevel import Drive, MultiLevelSystem, transfer
from physics.pauli2 import TwoQubitChannel
from physics.pulses import StirapPulses
from physics.raman import RamanSystem, raman_qubit_process, raman_transfer
from physics.remote_gate import ARCHITECTURES, Reflection, remote_gate
from physics.stirap import simulate_stirap

__all__ = [
    "OPERATIONS",
    "Calibration",
    "Extraction",
    "OperationChannel",
    "calibrate",
    "cavity_model",
    "extract_operations",
    "gate_levels",
    "raman_levels",
    "raman_plateau_shift",
    "raman_pulse_area",
    "bright_dark_phase",
    "gate_system",
    "memory_channel",
    "stirap_gate",
    "stirap_transfer",
]

OPERATIONS: tuple[str, ...] = ("gate_1q", "gate_2q", "measure", "reset", "idle")


@dataclass(frozen=True)
class Calibration:
    """What a calibration fixes at calibration time and keeps while the device drifts.

    Attributes:
        gate_frame: virtual-Z frame of the single-qubit STIRAP gate.
        relative_phase: laser phase χ of the gate's second pulse pair (rad). The
            ``"rb87-d2"`` atom fits it (``calibrate``): it sets the phase between the bright
            state |b⟩, which makes the round trip through |a⟩, and the dark state |d⟩, which
            stays and takes the light shift of F'=0, 2; a virtual Z cannot undo that X-axis
            phase. Default π, the ideal three-level value (the three-level model keeps it).
        raman_shift: ``"rb87-raman"`` only: the differential light shift of |b⟩ against |a⟩
            on the pulses' plateau at calibration-time intensity (rad/µs), added to |a⟩'s
            Raman detuning so that the Raman π pulses are resonant
            (``physics.hyperfine.differential_light_shift``). Kept while the intensity
            drifts, so a drift detunes them. Default 0.
    """

    gate_frame: FrameCorrection
    relative_phase: float = math.pi
    raman_shift: float = 0.0

    def __post_init__(self) -> None:
        for name in ("relative_phase", "raman_shift"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} = {getattr(self, name)}: must be finite")


@dataclass(frozen=True)
class OperationChannel:
    """One operation's channel and the numbers behind it.

    Attributes:
        name: operation name, one of ``OPERATIONS``.
        channel: the Pauli + loss channel (unheralded loss already folded into depolarisation;
            ``channel.p_loss`` is heralded erasure).
        duration: operation time (µs).
        coherent_angle: residual coherent rotation of the error process (rad), 0 if none.
        pair: two-qubit operations only: the joint channel of the pair (16 Pauli
            probabilities, one joint heralded erasure); ``channel`` is then its marginal on
            the first qubit.
    """

    name: str
    channel: Channel
    duration: float
    coherent_angle: float = 0.0
    pair: TwoQubitChannel | None = None


@dataclass(frozen=True)
class Extraction:
    """Result of ``extract_operations``.

    Attributes:
        operations: operation name → ``OperationChannel``, in ``OPERATIONS`` order.
        figures: named physical figures (floats), e.g. ``cooperativity``.
        bosonic: channels of the alternative encodings per cycle: ``cat``, ``gkp``.
    """

    operations: MappingProxyType
    figures: MappingProxyType
    bosonic: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def to_json_dict(self) -> dict[str, Any]:
        """The result as plain JSON-ready data.

        Returns:
            ``{"operations": {name: {"px", "py", "pz", "erasure"}}, "figures": {name: float},
            "bosonic": {"cat": {...}, "gkp": {...}}}``.
        """

        def ch(c: Channel) -> dict[str, float]:
            return {"px": c.px, "py": c.py, "pz": c.pz, "erasure": c.p_loss if c.heralded else 0.0}

        ops = {k: ch(v.channel) for k, v in self.operations.items()}
        for k, v in self.operations.items():
            if v.pair is not None:
                ops[k]["pauli2"] = {lab: p for lab, p in v.pair.to_dict()["probs"].items()
                                    if lab != "II"}
                ops[k]["erasure"] = v.pair.p_loss
        return {
            "operations": ops,
            "figures": {k: float(v) for k, v in self.figures.items()},
            "bosonic": {k: ch(v) for k, v in self.bosonic.items()},
        }


def gate_system(device: Device) -> ThreeLevelSystem:
    """The Λ system of the STIRAP gate and reset from the device's atom and laser sections.

    The two-photon detuning is the effective Raman detuning (drift + frequency-offset knob).
    """
    return ThreeLevelSystem(
        kind="lambda",
        gamma=device.atom.decay_rate,
        loss_fraction=device.atom.loss_fraction,
        dephasing=device.atom.raman_dephasing,
        detuning_1ph=device.laser.detuning_1ph,
        detuning_2ph=device.laser.raman_detuning,
    )


def gate_levels(device: Device) -> MultiLevelSystem:
    """The ⁸⁷Rb sublevels of the gate (``atom.levels = "rb87-d2"``), detunings from the laser.

    Γ = ``atom.decay_rate`` for every 5P3/2 sublevel, branching by Clebsch–Gordan factors,
    ``atom.raman_dephasing`` on |a⟩; ``laser.detuning_1ph`` from F=1 → F'=1 and the effective
    Raman detuning on |a⟩.
    """
    return rb87_gate_system(decay_rate=device.atom.decay_rate,
                            dephasing=device.atom.raman_dephasing,
                            detuning_1ph=device.laser.detuning_1ph,
                            detuning_2ph=device.laser.raman_detuning)


def raman_levels(device: Device, *, raman_shift: float = 0.0) -> RamanSystem:
    """The far-detuned ⁸⁷Rb gate levels (``atom.levels = "rb87-raman"``), excited eliminated.

    Args:
        device: Γ = ``atom.decay_rate``, ``atom.raman_dephasing`` on |a⟩, Δ =
            ``laser.detuning_1ph``, and the effective Raman detuning.
        raman_shift: the calibration's light-shift offset (rad/µs), added to |a⟩'s detuning.
    """
    return rb87_raman_system(detuning_1ph=device.laser.detuning_1ph,
                             decay_rate=device.atom.decay_rate,
                             dephasing=device.atom.raman_dephasing,
                             detuning_2ph=device.laser.raman_detuning + raman_shift)


def raman_plateau_shift(device: Device) -> float:
    """Differential light shift |b⟩ − |a⟩ (rad/µs) at the device's peak Rabi frequencies."""
    las = device.laser
    k = las.rabi_factor
    per_p, per_s = differential_light_shift(raman_levels(device))
    return per_p * (las.pump_amplitude * k) ** 2 + per_s * (las.stokes_amplitude * k) ** 2


def raman_pulse_area(device: Device) -> float:
    """Raman pulse area ∫Ω_R dt of one pulse pair (rad), π for the calibrated X gate."""
    pulses = _pulses(device)
    t0, t1 = pulses.t_span
    times = np.linspace(t0, t1, 4001)
    product = pulses.pump(times) * pulses.stokes(times)
    overlap = float(np.sum(0.5 * (product[1:] + product[:-1]) * np.diff(times)))
    return raman_rabi_per_amplitude(raman_levels(device)) * overlap


def _pulses(device: Device) -> StirapPulses:
    las = device.laser
    k = las.rabi_factor
    return StirapPulses.counterintuitive(
        amplitude=las.pump_amplitude * k, stokes_amplitude=las.stokes_amplitude * k,
        width=las.width, delay=las.delay, shape=las.shape, rise=las.rise,
    )


def stirap_gate(device: Device, *, relative_phase: float = math.pi) -> StirapGate:
    """The double-STIRAP X gate of ``device`` with second-pair phase χ (rad)."""
    return StirapGate(pulses=_pulses(device), gap=device.laser.gap,
                      relative_phase=relative_phase)


def cavity_model(device: Device) -> CavityQED:
    """Cavity QED of the device: γ (field half-width) = Γ/2 from ``atom.decay_rate``."""
    return CavityQED(g=device.cavity.g, kappa=device.cavity.kappa,
                     gamma=device.atom.decay_rate / 2, n_fock=device.cavity.n_fock)


def memory_channel(device: Device, duration: float) -> Channel:
    """Memory decoherence over ``duration`` µs.

    Amplitude damping (T1), then pure dephasing with 1/Tφ = 1/T2 − 1/(2·T1), so the coherence
    decays as exp(−t/T2) overall.
    """
    t1, t2 = device.memory.t1, device.memory.t2
    damping = amplitude_damping(-math.expm1(-duration / t1))
    rate_phi = max(0.0, 1.0 / t2 - 0.5 / t1)
    pz = -0.5 * math.expm1(-duration * rate_phi)
    return damping.then(Channel(0.0, 0.0, pz))


def _integration_error(device: Device, what: str, exc: Exception) -> ValueError:
    """A failed STIRAP integration as a ValueError naming the parameters that set it."""
    las, atom = device.laser, device.atom
    return ValueError(
        f"laser: the {what} cannot be simulated ({exc}): its rates are too far apart for the "
        f"solver; check laser.detuning_1ph = {las.detuning_1ph:.4g}, laser.detuning_2ph + "
        f"laser.frequency_offset = {las.raman_detuning:.4g}, the Rabi frequency "
        f"laser.pump_amplitude × √intensity × amplitude_scale = "
        f"{las.pump_amplitude * las.rabi_factor:.4g}, atom.decay_rate = "
        f"{atom.decay_rate:.4g}, atom.raman_dephasing = {atom.raman_dephasing:.4g} (rad/µs), "
        f"laser.width = {las.width:.4g} and laser.delay = {las.delay:.4g} µs"
    )


def _gate_qubit_process(device: Device, backend: str = "numba", relative_phase: float = math.pi,
                        raman_shift: float = 0.0):
    gate = stirap_gate(device, relative_phase=relative_phase)
    try:
        if device.atom.levels == "rb87-raman":
            t_span = (gate.pulses.t_span[0], gate.second_pulses().t_span[1])
            return raman_qubit_process(raman_levels(device, raman_shift=raman_shift),
                                       gate_drives(gate), t_span)
        if device.atom.levels == "rb87-d2":
            return multilevel_gate_process(gate_levels(device), gate, backend=backend)
        process = stirap_gate_process(gate_system(device), gate, backend=backend)
    except RuntimeError as exc:  # the adaptive solver gave up (too many steps)
        raise _integration_error(device, "STIRAP gate", exc) from None
    return restrict_to_qubit(process, (0, 1))


_CHI_STEPS = 2
_BRIGHT = np.array([1.0, 1.0]) / math.sqrt(2)
_DARK = np.array([1.0, -1.0]) / math.sqrt(2)


def bright_dark_phase(process: np.ndarray) -> float:
    """Phase (rad) of the X gate's |b⟩–|d⟩ coherence relative to the ideal: 0 for an exact X.

    ``arg(−⟨b|E(|b⟩⟨d|)|d⟩)`` with |b⟩, |d⟩ = (|0⟩ ± |1⟩)/√2: a rotation about X by θ
    (after the gate) gives −θ. The second pair's laser phase χ conjugates the second pair by
    a phase on the qubit levels, so it adds one for one to the part of |b⟩ that made the
    round trip through |a⟩ (not to the few % that stayed): χ − θ cancels it up to ~1e-2 of
    θ, and a second Newton step to ~1e-5 rad.

    Args:
        process: (4, 4) qubit superoperator, column stacking.
    """
    rho = np.outer(_BRIGHT, _DARK).flatten(order="F")
    out = (np.asarray(process) @ rho).reshape(2, 2, order="F")
    return float(np.angle(-(_BRIGHT @ out @ _DARK)))


def calibrate(device: Device, *, backend: str = "numba") -> Calibration:
    """Calibrate ``device`` as it is now: the gate's second-pair phase χ and virtual-Z frame.

    ``"rb87-d2"``: χ is set so that the bright/dark phase of the gate (light shifts of F'=0,
    2, 3 at the calibration-time intensity, dynamic phases) vanishes: a simulation at χ = π
    and two Newton steps (``bright_dark_phase``), then the virtual-Z frames are fitted on the
    last process. ``"rb87-raman"``: first the Raman detuning offset that cancels the
    differential light shift on the plateau (``raman_plateau_shift``), then χ and frames as
    for ``"rb87-d2"``. ``"three-level"``: χ = π, frames only.
    A drifted device extracted with this calibration shows the drift (never re-fit).

    Args:
        device: the device.
        backend: gate simulator, ``"numba"`` (fast) or ``"qutip"`` (reference).
    """
    chi = math.pi
    shift = raman_plateau_shift(device) if device.atom.levels == "rb87-raman" else 0.0
    process = _gate_qubit_process(device, backend, chi, shift)
    if device.atom.levels in ("rb87-d2", "rb87-raman"):
        for _ in range(_CHI_STEPS):  # Newton steps, slope 1 (see bright_dark_phase)
            chi = float(np.angle(np.exp(1j * (chi - bright_dark_phase(process))))) % (2 * math.pi)
            process = _gate_qubit_process(device, backend, chi, shift)
    return Calibration(gate_frame=calibrate_frame(process, ideal=X_GATE), relative_phase=chi,
                       raman_shift=shift)


def stirap_transfer(device: Device, *, raman_shift: float | None = None
                    ) -> tuple[float, float, float]:
    """(efficiency, loss, duration µs) of one transfer |b⟩ → |a⟩ (reset), per the level model.

    ``"three-level"``: one STIRAP pair on the Λ system (numba). ``"rb87-d2"``: the gate's
    first pair on the ⁸⁷Rb sublevels (numba). ``"rb87-raman"``: the same pair as a Raman π
    pulse, its Raman detuning offset by ``raman_shift`` (rad/µs; None: the device's own
    calibration, ``raman_plateau_shift``).

    Raises:
        ValueError: if the integration fails, naming the laser parameters.
    """
    if raman_shift is None:
        raman_shift = raman_plateau_shift(device) if device.atom.levels == "rb87-raman" else 0.0
    pulses = _pulses(device)
    try:
        if device.atom.levels == "rb87-raman":
            psi = np.zeros(3)
            psi[:2] = _BRIGHT
            drives = [Drive("pump", pulses.pump), Drive("stokes", pulses.stokes)]
            eff, loss = raman_transfer(raman_levels(device, raman_shift=raman_shift), drives,
                                       pulses.t_span, psi)
            return eff, loss, pulses.t_span[1] - pulses.t_span[0]
        if device.atom.levels == "rb87-d2":
            system = gate_levels(device)
            psi = np.zeros(system.n_levels)
            psi[:2] = _BRIGHT
            drives = [Drive("pump", pulses.pump), Drive("stokes", pulses.stokes)]
            eff, loss = transfer(system, drives, pulses.t_span, psi)
            return eff, loss, pulses.t_span[1] - pulses.t_span[0]
        res = simulate_stirap(gate_system(device), pulses, backend="numba")
    except RuntimeError as exc:
        raise _integration_error(device, "STIRAP transfer", exc) from None
    return res.efficiency, res.loss, float(res.times[-1] - res.times[0])


def extract_operations(device: Device, *, calibration: Calibration | None = None,
                       backend: str = "numba") -> Extraction:
    """Every operation's channel for ``device``.

    Args:
        device: the device (e.g. ``REFERENCE_DEVICE`` with overrides).
        calibration: the calibration in force. ``None`` calibrates ``device`` itself (a freshly
            calibrated device); pass the nominal device's calibration to see a drift.
        backend: simulator of the single-qubit gate: ``"numba"`` (default; ~0.15 s for
            ``"rb87-d2"``) or ``"qutip"`` (the reference, ~100× slower); they agree to ~1e-8
            on the channel.

    Returns:
        The channels in ``OPERATIONS`` order, the figures behind them and the bosonic
        encodings' per-cycle channels.
    """
    figures: dict[str, float] = {}
    ops: dict[str, OperationChannel] = {}

    # single-qubit STIRAP gate
    if calibration is None:
        calibration = calibrate(device, backend=backend)
    gate = stirap_gate(device, relative_phase=calibration.relative_phase)
    process = _gate_qubit_process(device, backend, calibration.relative_phase,
                                  calibration.raman_shift)
    ext = extract_channel(process, ideal=X_GATE, frame=calibration.gate_frame)
    ch1 = ext.channel.with_loss_as_depolarizing()
    ops["gate_1q"] = OperationChannel("gate_1q", ch1, gate.duration, ext.coherent_angle)
    figures["gate_1q_fidelity"] = ext.average_fidelity
    figures["gate_1q_leakage"] = ext.leakage
    figures["gate_1q_coherent_angle"] = ext.coherent_angle
    figures["gate_1q_duration_us"] = gate.duration
    if device.atom.levels == "rb87-d2":
        figures["gate_1q_relative_phase"] = calibration.relative_phase
        figures["gate_1q_branching_loss"] = 1.0 - gate_levels(device).kept_fraction(3)
    if device.atom.levels == "rb87-raman":
        shift = raman_plateau_shift(device)
        figures["gate_1q_relative_phase"] = calibration.relative_phase
        figures["gate_1q_raman_area"] = raman_pulse_area(device)
        figures["gate_1q_light_shift"] = shift
        figures["gate_1q_raman_detuning_error"] = (device.laser.raman_detuning
                                                   + calibration.raman_shift - shift)

    # STIRAP population transfer (used by reset)
    efficiency, loss, t_transfer = stirap_transfer(device,
                                                  raman_shift=calibration.raman_shift)
    figures["stirap_transfer_efficiency"] = efficiency
    figures["stirap_loss"] = loss

    # cavity emission
    cav = cavity_model(device)
    try:
        pump = default_pump(cav, duration=device.cavity.pump_duration)
    except ValueError as exc:  # name the device parameter, not the function argument
        reason = str(exc).split(": ", 1)[-1]
        duration = device.cavity.pump_duration
        raise ValueError(f"cavity.pump_duration = {duration}: {reason}") from None
    try:
        emission = emit_photon(cav, pump)
    except RuntimeError as exc:  # the adaptive solver gave up: rates too far apart
        raise ValueError(
            f"cavity: the photon emission cannot be simulated ({exc}); check cavity.g = "
            f"{device.cavity.g:.4g}, cavity.kappa = {device.cavity.kappa:.4g}, atom.decay_rate "
            f"= {device.atom.decay_rate:.4g} rad/µs and cavity.pump_duration = "
            f"{device.cavity.pump_duration:.4g} µs") from None
    window = float(emission.times[-1] - emission.times[0])
    if window > device.gate2q.attempt_time:
        raise ValueError(
            f"gate2q.attempt_time = {device.gate2q.attempt_time}: must be >= the emission window "
            f"{window:.3g} µs (cavity.pump_duration plus the cavity ring-down)")
    figures["emission_window_us"] = window
    figures["cooperativity"] = cav.cooperativity
    figures["emission_efficiency"] = emission.efficiency
    figures["emission_adiabatic_limit"] = 2 * cav.cooperativity / (2 * cav.cooperativity + 1)

    # photon-mediated two-qubit gate, attempt by attempt, for the device's node architecture
    link = device.link
    escape = device.cavity.outcoupling
    eta_em = emission.efficiency * escape
    reflection = Reflection.from_cavity(cav.cooperativity, escape)
    figures["emission_escape_efficiency"] = escape
    figures["photon_efficiency"] = eta_em
    figures["reflection_coupled"] = reflection.coupled
    figures["reflection_uncoupled"] = reflection.uncoupled
    figures["link_efficiency"] = link.transmission
    ro = device.readout
    eta_click = eta_em * link.coupling_efficiency * ro.detector_efficiency
    p_miss = (1 - eta_click) ** ro.repetitions
    # P(1|0) = 1 − (1 − p_dc)^repetitions; a detector that always clicks (p_dc = 1) reads 1
    p_dc = ro.dark_count_probability
    p_dark = 1.0 if p_dc >= 1.0 else -math.expm1(ro.repetitions * math.log1p(-p_dc))
    measure_flip = 0.5 * (p_miss + p_dark)
    node = device.node
    figures["local_gate_error"] = node.local_gate_error  # the local CNOT (bb's short checks)
    results = {}
    for arch in ARCHITECTURES:
        try:
            results[arch] = remote_gate(
                link, emission_efficiency=eta_em, reflection=reflection,
                scheme=device.gate2q.scheme, max_attempts=device.gate2q.max_attempts,
                architecture=arch, crosstalk_dephasing=node.crosstalk_dephasing,
                local_gate_error=node.local_gate_error, measure_error=measure_flip)
        except ValueError as exc:
            if arch == node.architecture:
                raise ValueError(str(exc)) from None
    res = results[node.architecture]
    t2q = res.expected_attempts * device.gate2q.attempt_time + gate.duration
    local = ch1.then(memory_channel(device, t2q))
    pair = res.channel.then_local(local)
    for arch, r in results.items():
        key = arch.replace("-", "_")
        p = r.channel.then_local(local)
        figures[f"gate_2q_error_{key}"] = r.figures["p_error_given_success"] if p.p_loss >= 1.0 \
            else p.p_pauli / (1.0 - p.p_loss)
        figures[f"gate_2q_erasure_{key}"] = p.p_loss
    figures["gate_2q_success_per_attempt"] = res.figures["p_true_per_attempt"]
    figures["gate_2q_expected_attempts"] = res.expected_attempts
    figures["gate_2q_correlation"] = pair.correlation
    # what an experiment measures, given a herald: the average gate fidelity (d = 4) and the
    # fidelity of the Bell state CX|+0⟩ (the Paulis that stabilise it: II, XX, YY, ZZ)
    # (a gate that never heralds has neither: reported as 0)
    keep = 1.0 - pair.p_loss
    figures["gate_2q_average_fidelity"] = (4.0 * pair.prob("II") / keep + 1.0) / 5.0 \
        if keep > 0 else 0.0
    figures["gate_2q_bell_fidelity"] = sum(
        pair.prob(k) for k in ("II", "XX", "YY", "ZZ")) / keep if keep > 0 else 0.0
    ops["gate_2q"] = OperationChannel("gate_2q", pair.marginal(0), t2q, pair=pair)
    figures["gate_2q_duration_us"] = t2q

    # readout
    figures["readout_click_efficiency"] = eta_click
    figures["readout_p0_given_1"] = p_miss
    figures["readout_p1_given_0"] = p_dark
    t_ro = ro.repetitions * device.gate2q.attempt_time
    ops["measure"] = OperationChannel("measure", Channel(measure_flip, 0.0, 0.0), t_ro)

    # reset
    reps = device.memory.reset_repetitions
    p_reset = 0.5 * (1 - min(1.0, efficiency)) ** reps
    t_reset = reps * t_transfer
    ops["reset"] = OperationChannel("reset", Channel(p_reset, 0.0, 0.0), t_reset)

    # idle over one layer
    t_layer = device.timing.layer_time
    ops["idle"] = OperationChannel("idle", memory_channel(device, t_layer), t_layer)

    # alternative encodings
    rates = cat_rates(device.cat)
    t_cat = device.timing.cat_cycle_time
    figures["cat_bit_flip_per_cycle"] = flip_probability(rates.bit_flip_rate, t_cat)
    figures["cat_phase_flip_per_cycle"] = flip_probability(rates.phase_flip_rate, t_cat)
    figures["cat_readout_z_error"], figures["cat_readout_x_error"] = cat_readout_errors(device.cat)
    figures["gkp_sigma"] = gkp_sigma(device.gkp)
    # the two parts of σ² apart: every GKP preparation vs the loss of a data mode per round
    figures["gkp_sigma_squeezing"] = math.sqrt(0.5 * device.gkp.delta_sq)
    figures["gkp_sigma_loss"] = math.sqrt(device.gkp.loss)
    figures["gkp_p_error"] = gkp_error_probability(figures["gkp_sigma"])
    bosonic = {"cat": cat_channel(device.cat, duration=t_cat), "gkp": gkp_channel(device.gkp)}

    return Extraction(
        operations=MappingProxyType(ops),
        figures=MappingProxyType(figures),
        bosonic=MappingProxyType(bosonic),
    )
