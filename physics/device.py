"""The QuantaCore device description and its reference values.

A ``Device`` is a tree of frozen sections; every parameter has a dotted path
(``cavity.g``, ``laser.detuning_2ph``, ``link.detector_efficiency``...) by which device files,
``--set`` and drift processes address it. Units: µs, rad/µs (2π × MHz); efficiencies and
probabilities are plain fractions.

The reference device (``REFERENCE_DEVICE``) is a ⁸⁷Rb atom in a fibre Fabry–Pérot cavity per
node, hyperfine clock-state qubits, double-STIRAP single-qubit gates (``physics.gates``),
photon-mediated two-qubit gates with heralded repeat-until-success, and state-selective photon
readout. Each default below states its source or reasoning; ``docs/reference-device.md`` has the
table with the resulting channels.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from physics.cat import CatQubit
from physics.gkp import GKPQubit
from physics.hyperfine import EXCITED_ENERGY, GROUND_SPLITTING
from physics.links import SCHEMES, PhotonicLink
from physics.pulses import SHAPES
from physics.remote_gate import ARCHITECTURES

__all__ = [
    "MAX_CAVITY_FOCK",
    "MAX_CAVITY_RATE",
    "MAX_COUNT",
    "LEVEL_MODELS",
    "MAX_LASER_FREQUENCY",
    "MAX_RAMAN_DETUNING",
    "RAMAN_VALIDITY",
    "REFERENCE_DEVICE",
    "AtomSection",
    "CavitySection",
    "Device",
    "Gate2QSection",
    "LaserSection",
    "MemorySection",
    "NodeSection",
    "ReadoutSection",
    "TimingSection",
    "device_from_dict",
    "device_to_dict",
    "parameter_paths",
    "raman_min_detuning",
    "is_finite_number",
    "short_repr",
    "with_overrides",
]

TWO_PI = 2 * math.pi


MAX_COUNT = 1_000_000
"""Largest value of the integer repetition counts (``gate2q.max_attempts``,
``readout.repetitions``, ``memory.reset_repetitions``): a million µs-scale attempts already
last seconds, far beyond any coherence time of the device, and the cap keeps the arithmetic
on them exact in floating point."""

MAX_CAVITY_FOCK = 100
"""Largest ``cavity.n_fock``: one emission puts at most one photon in the cavity, so 2 levels
are exact; more only check the truncation (the qutip backend's cost grows as n_fock²)."""


MAX_CAVITY_RATE = 1e8
"""Largest ``cavity.g`` and ``cavity.kappa`` (rad/µs, 2π × 16 GHz): the rotating-wave
Jaynes–Cummings model of the cavity needs both far below the optical frequency (2π × 384 THz,
2.4e9 rad/µs, at 780 nm); the emission solver already gives up (a clear error) near 1e9."""

MAX_LASER_FREQUENCY = 5e4
"""Largest |detuning| and effective Rabi frequency of the STIRAP lasers (rad/µs, 2π × 8 GHz),
just above the ⁸⁷Rb ground-state hyperfine splitting 2π × 6.835 GHz (4.29e4 rad/µs). The
``"rb87-d2"`` level model keeps the whole 5P3/2 hyperfine manifold (F' = 0..3, splittings up to
2π × 424 MHz), so Rabi frequencies above those splittings are modelled; what it omits is the pump
on F=2 and the Stokes on F=1, 6.835 GHz off resonance, which become as strong as the wanted
couplings near this limit. The three-level Λ model is already wrong above the excited splittings
(2π × 72 MHz). The limit also bounds the stiffness of the gate's integration."""

MAX_RAMAN_DETUNING = TWO_PI * 1e6
"""Largest |``laser.detuning_1ph``| (rad/µs, 2π × 1 THz) of the far-detuned ``"rb87-raman"``
model: it omits the D1 line, 7.1 THz below D2, which would add ≈ Δ/(7.1 THz) to its light
shifts (14 % here) and cancel part of the Raman coupling."""

RAMAN_VALIDITY = 10.0
"""The far-detuned model needs every peak Rabi frequency at least this many times below the
smallest detuning from a 5P3/2 line (adiabatic elimination, ``physics.raman``)."""

LEVEL_MODELS: tuple[str, ...] = ("rb87-raman", "rb87-d2", "three-level")
"""Level models of the atom (``atom.levels``): ``"rb87-raman"`` the far-detuned ⁸⁷Rb gate with
the 5P3/2 manifold eliminated (``physics.hyperfine.rb87_raman_system``), ``"rb87-d2"`` the
⁸⁷Rb 5S1/2 → 5P3/2 sublevels near resonance (``physics.hyperfine.rb87_gate_system``),
``"three-level"`` the Λ system of ``physics.levels`` (one excited level, no neighbours)."""

_RESONANT_MODELS = ("rb87-d2", "three-level")


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit - 20]}...{text[-8:]} ({len(text)} characters)"


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a one-line message, shortened when long (e.g. a 400-digit integer)."""
    return _shorten(repr(value), limit)


def _key(key: Any) -> str:
    """A key as written in a message: odd characters escaped, long keys shortened."""
    text = repr(str(key))[1:-1]
    return _shorten(text, 60)


def _check(cond: bool, name: str, value: Any, allowed: str) -> None:
    if not cond:
        raise ValueError(f"{name} = {short_repr(value)}: must be {allowed}")


def is_finite_number(v: Any) -> bool:
    """A finite real number (not a bool); integers too large for a float are not finite."""
    if not isinstance(v, int | float) or isinstance(v, bool):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:
        return False


_finite = is_finite_number  # the short name the section checks use


def _count(v: Any, low: int, high: int = MAX_COUNT) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


@dataclass(frozen=True)
class AtomSection:
    """The atom's optical transition and ground-state qubit.

    Attributes:
        levels: level model of the gate and reset, one of ``LEVEL_MODELS``. Default
            ``"rb87-raman"``: the ⁸⁷Rb qubit |F=1, m=∓1⟩ driven through the auxiliary
            |F=2, 0⟩ by a pump/Stokes pair 2π × 100 GHz red of the D2 line (all 16 5P3/2
            sublevels and both ground hyperfine levels, eliminated: ``physics.raman``), two
            Raman π pulses. ``"rb87-d2"`` is the same scheme near resonance as a STIRAP
            (``physics.hyperfine.rb87_gate_system``): the F'=1-dark qubit state is bright
            for F'=0 (72 MHz away) and F'=2 (157 MHz), and its error has a floor of ≈ 0.13
            (``devices/rb87-d2.toml``). Far detuned, adiabatic passage fails too: each laser
            shifts both hyperfine levels almost equally, so the sweep that STIRAP needs is
            only ~ω_hf/Δ of the coupling (optimised gate errors ≥ 4e-2 at 10–50 GHz,
            docs/reference-device.md); hence pulse-area Raman pulses. ``"three-level"`` is
            the idealised Λ atom of earlier versions (``devices/three-level.toml``).
        decay_rate: population decay rate Γ of the excited state (rad/µs). Default
            2π × 6.0666 MHz, the ⁸⁷Rb D2 line (Steck, "Rubidium 87 D Line Data", rev. 2.x).
        loss_fraction: fraction of spontaneous decays that leave {|0⟩, |1⟩, |a⟩} for other
            Zeeman/hyperfine sublevels, [0, 1]; used by the ``"three-level"`` model only.
            Default 0.1, the Clebsch–Gordan branching of |F'=1, 0⟩: 5/6 of its decays go to
            |F=1, ±1⟩ and 1/15 to |F=2, 0⟩, 1/10 elsewhere. The ``"rb87-d2"`` model derives
            the branching of every excited sublevel itself and ignores this field (the
            extraction reports ``gate_1q_branching_loss``).
        raman_dephasing: dephasing rate of the pump/Stokes relative phase (rad/µs). Default
            2π × 10 Hz: pump and Stokes derived from one laser by an electro-optic modulator,
            so their relative phase noise is set by the RF source and path-length jitter.
    """

    levels: str = "rb87-raman"
    decay_rate: float = TWO_PI * 6.0666
    loss_fraction: float = 0.1
    raman_dephasing: float = TWO_PI * 1e-5

    def __post_init__(self) -> None:
        _check(self.levels in LEVEL_MODELS, "levels", self.levels,
               f"one of {', '.join(LEVEL_MODELS)}")
        _check(_finite(self.decay_rate) and self.decay_rate > 0, "decay_rate", self.decay_rate,
               "> 0 (rad/µs)")
        _check(_finite(self.loss_fraction) and 0 <= self.loss_fraction <= 1, "loss_fraction",
               self.loss_fraction, "in [0, 1]")
        _check(_finite(self.raman_dephasing) and self.raman_dephasing >= 0, "raman_dephasing",
               self.raman_dephasing, ">= 0 (rad/µs)")


@dataclass(frozen=True)
class LaserSection:
    """The pump/Stokes pulses of the single-qubit gate and of reset.

    Defaults are the reference's far-detuned Raman gate (``atom.levels = "rb87-raman"``): each
    pulse pair is a Raman π pulse on |b⟩ ↔ |a⟩, Ω_R = Ω_PΩ_S/(2Δ)
    (``physics.hyperfine.raman_rabi_per_amplitude``) with ∫Ω_R dt = π; the two pairs make
    the 2π round trip that flips the sign of |b⟩, an X gate. Its error is off-resonant
    scattering, ≈ 1e-3 per gate at 2π × 100 GHz (≈ 1/Δ: 1.9e-3 at 50 GHz, 5.4e-4 at 200 GHz),
    and it is a pulse-area gate: a change of intensity changes the area (leakage into |a⟩)
    and the differential light shift (a coherent rotation about X), so
    ``amplitude_scale`` has an optimum, at 1/√intensity.

    Attributes:
        shape: envelope shape, one of ``physics.pulses.SHAPES``. Default ``"flattop"``: a
            constant light shift on the plateau, which the calibration's Raman detuning
            cancels (a Gaussian's varying shift cannot be cancelled by one frequency).
        pump_amplitude: peak pump Rabi frequency on |b⟩ ↔ |F'=1, 0⟩ (rad/µs). Default
            2π × 452.9 MHz: the π area at Δ = 2π × 100 GHz, width 0.5 µs and rise 10 ns
            (∫f² = width − 1.25·rise for sin² edges). For ``"three-level"`` the Rabi frequency
            on |b⟩ ↔ |e⟩ (``devices/three-level.toml``: 2π × 300 MHz Gaussians).
        stokes_amplitude: peak Stokes Rabi frequency on |a⟩ ↔ |F'=1, 0⟩ (rad/µs). Default
            equal to the pump.
        width: Gaussian 1/e half-width T (µs), or the full duration for sin²/flat-top.
            Default 0.5 µs.
        delay: pump centre minus Stokes centre (µs): positive is STIRAP's counter-intuitive
            order, 0 simultaneous Raman pulses. Default 0.
        rise: flat-top edge length (µs), used only by ``shape = "flattop"``. Default 10 ns.
        detuning_1ph: one-photon detuning Δ (rad/µs): the excited F'=1 level above the pump
            photon from F=1 (positive = red). Default 2π × 100 GHz; at most
            ``MAX_RAMAN_DETUNING`` for ``"rb87-raman"``, ``MAX_LASER_FREQUENCY`` otherwise.
        detuning_2ph: two-photon (Raman) detuning δ (rad/µs). Default 0 (calibrated; the
            ``"rb87-raman"`` calibration adds the light-shift offset on top).
        gap: dwell time in the auxiliary state between the two transfers (µs). Default 0.
        intensity: laser intensity relative to calibration (drifts), > 0; Rabi frequencies
            scale as √intensity. Default 1.
        amplitude_scale: control knob multiplying both Rabi frequencies, > 0. Default 1.
        frequency_offset: control knob added to the two-photon detuning (rad/µs): the
            effective Raman detuning is ``detuning_2ph + frequency_offset``. Default 0.
    """

    shape: str = "flattop"
    pump_amplitude: float = TWO_PI * 452.9108
    stokes_amplitude: float = TWO_PI * 452.9108
    width: float = 0.5
    delay: float = 0.0
    rise: float = 0.01
    detuning_1ph: float = TWO_PI * 1e5
    detuning_2ph: float = 0.0
    gap: float = 0.0
    intensity: float = 1.0
    amplitude_scale: float = 1.0
    frequency_offset: float = 0.0

    def __post_init__(self) -> None:
        _check(self.shape in SHAPES, "shape", self.shape, f"one of {', '.join(SHAPES)}")
        for name in ("intensity", "amplitude_scale"):
            v = getattr(self, name)
            _check(_finite(v) and v > 0, name, v, "> 0")
        for name in ("pump_amplitude", "stokes_amplitude"):
            v = getattr(self, name)
            _check(_finite(v) and v > 0, name, v, "> 0 (rad/µs)")
        _check(_finite(self.width) and self.width > 0, "width", self.width, "> 0 (µs)")
        _check(_finite(self.delay), "delay", self.delay, "a finite number (µs)")
        _check(_finite(self.rise) and 0 <= self.rise <= self.width / 2, "rise", self.rise,
               f"in [0, width/2 = {self.width / 2}] (µs)")
        big = MAX_LASER_FREQUENCY
        _check(_finite(self.detuning_1ph) and abs(self.detuning_1ph) <= MAX_RAMAN_DETUNING,
               "detuning_1ph", self.detuning_1ph,
               f"a number in [-{MAX_RAMAN_DETUNING:g}, {MAX_RAMAN_DETUNING:g}] (rad/µs; the "
               "models omit the D1 line, 2π × 7.1 THz away)")
        for name in ("detuning_2ph", "frequency_offset"):
            v = getattr(self, name)
            _check(_finite(v) and abs(v) <= big, name, v, f"a number in [-{big:g}, {big:g}] "
                   "(rad/µs; the Raman transition is 2π × 6.835 GHz)")
        _check(abs(self.raman_detuning) <= big, "detuning_2ph", self.detuning_2ph,
               f"such that |detuning_2ph + frequency_offset| <= {big:g} (rad/µs), "
               f"got {self.raman_detuning:g}")
        _check(_finite(self.gap) and self.gap >= 0, "gap", self.gap, ">= 0 (µs)")

    @property
    def rabi_factor(self) -> float:
        """Factor on both Rabi frequencies: √intensity × amplitude_scale."""
        return math.sqrt(self.intensity) * self.amplitude_scale

    @property
    def raman_detuning(self) -> float:
        """Effective two-photon detuning (rad/µs): detuning_2ph + frequency_offset."""
        return self.detuning_2ph + self.frequency_offset


@dataclass(frozen=True)
class CavitySection:
    """The optical cavity around each atom (field half-widths, as in cavity-QED literature).

    The atomic field half-width is γ = Γ/2 from ``atom.decay_rate``, so C = g²/(2κγ).

    Attributes:
        g: single-photon atom–cavity coupling (rad/µs). Default 2π × 10.98 MHz =
            ``physics.cavity_design.coupling_from_geometry``: a 1 mm cavity with a 10 µm waist
            (g_max = 2π × 16.4 MHz for the cycling transition at an antinode), reduced in g² by
            0.6 for the π transition |F=2, 0⟩ ↔ |F′=3, 0⟩ used (CG² 3/5 of the cycling one) and
            by 0.75 for the atom's thermal motion in the standing wave.
        kappa: cavity field decay half-width (rad/µs). Default 2π × 1.499 MHz = π c/(2 L F)
            (``kappa_from_finesse``) for finesse F = 5·10⁴ at L = 1 mm. With γ = Γ/2 =
            2π × 3.03 MHz: C = g²/(2κγ) = 13.3, adiabatic emission 2C/(2C+1) = 0.964.
        n_fock: Fock truncation of the cavity mode for the qutip emission model, ≥ 2.
        pump_duration: duration of the V-STIRAP emission pump (µs), flat-top with sin² edges
            (``physics.cavity.default_pump``). Default 1.5 µs: η = 0.937, 2.7 % below the
            adiabatic 2C/(2C+1) = 0.964; a 4 µs pump gets within 0.3 % but its photon would
            not fit the 3 µs attempt (``gate2q.attempt_time``).
        outcoupling: η_out = κ_out/κ, the fraction of the cavity field decay through the
            output mirror (the rest is the back mirror, scatter and absorption), in [0, 1].
            An emitted photon leaves through it with probability η_out, and the reflection
            gate's amplitudes depend on it (``physics.remote_gate.Reflection``). Default
            0.965 = (1 + 2C)/(2 + 2C) (``balanced_outcoupling``): the mirror transmission a
            designer picks so that the coupled and empty cavity reflect with equal magnitude;
            it needs ≤ 4.4 ppm of the 126 ppm round-trip loss in the back mirror, scatter and
            absorption (superpolished mirrors).
    """

    g: float = TWO_PI * 10.978
    kappa: float = TWO_PI * 1.499
    n_fock: int = 2
    pump_duration: float = 1.5
    outcoupling: float = 0.965

    def __post_init__(self) -> None:
        for name in ("g", "kappa"):
            v = getattr(self, name)
            _check(_finite(v) and 0 < v <= MAX_CAVITY_RATE, name, v,
                   f"> 0 (rad/µs) and <= {MAX_CAVITY_RATE:g} (the Jaynes–Cummings model "
                   "needs it far below the optical frequency)")
        _check(_count(self.n_fock, 2, MAX_CAVITY_FOCK), "n_fock", self.n_fock,
               f"an integer >= 2 and <= {MAX_CAVITY_FOCK}")
        _check(_finite(self.pump_duration) and self.pump_duration > 0, "pump_duration",
               self.pump_duration, "> 0 (µs)")
        _check(_finite(self.outcoupling) and 0 <= self.outcoupling <= 1, "outcoupling",
               self.outcoupling, "in [0, 1]")


@dataclass(frozen=True)
class Gate2QSection:
    """The photon-mediated two-qubit gate: heralded, repeated until success or timeout.

    Attributes:
        scheme: ``"single-photon"`` (one photon carries the gate, cavity-reflection style) or
            ``"two-photon"`` (Barrett–Kok style heralding), see ``physics.links``.
        max_attempts: attempts before the gate is declared failed (a heralded erasure), ≥ 1.
            Default 8: with ~52 % herald probability per attempt the joint erasure is
            0.48⁸ ≈ 0.28 %. A design choice: with a communication qubit more attempts cost
            only time (``timing.layer_time``); on the reference device Λ(3→5) of the surface
            code with ``mwpm-erasure`` rises from 0.76 at 4 attempts (5 % erasure) to ≈ 1.06
            at 8 and ≈ 1.1 at 12–16, where the Pauli error sets the floor (docs).
        attempt_time: duration of one attempt incl. emission, flight and classical
            signalling (µs); at least the emission window (pump plus cavity ring-down).
            Default 3 µs.
    """

    scheme: str = "single-photon"
    max_attempts: int = 8
    attempt_time: float = 3.0

    def __post_init__(self) -> None:
        _check(self.scheme in SCHEMES, "scheme", self.scheme, f"one of {', '.join(SCHEMES)}")
        _check(_count(self.max_attempts, 1), "max_attempts", self.max_attempts,
               f"an integer >= 1 and <= {MAX_COUNT}")
        _check(_finite(self.attempt_time) and self.attempt_time > 0, "attempt_time",
               self.attempt_time, "> 0 (µs)")


@dataclass(frozen=True)
class NodeSection:
    """What a node is: which qubit makes the photon attempts (``physics.remote_gate``).

    Attributes:
        architecture: ``"single-atom"`` (the data atom reflects or emits the photon, so every
            failed attempt acts on the data) or ``"communication-memory"`` (a communication
            qubit makes the attempts and the CNOT is teleported onto the memory qubits).
            Default ``"communication-memory"``: with a single atom, a failed attempt dephases
            the data (≈ 15 % gate error at this device's 65 % success per attempt, see
            ``quantacore extract``), far above any code's threshold.
        crosstalk_dephasing: probability of a Z on each memory qubit per attempt, [0, 1].
            Default 1e-5: an assumed design figure (scattered light and AC Stark shifts of the
            communication pulses on a memory held in another, magnetically insensitive
            hyperfine level); no measured value for an atom–cavity node is known to us, so set
            it from your hardware.
        local_gate_error: average infidelity of the local CNOT between the communication and
            the memory qubit of a node, [0, 1]. Default 0.005: the best published neutral-atom
            CZ, 99.5 % (Evered et al., Nature 622, 268, 2023).
    """

    architecture: str = "communication-memory"
    crosstalk_dephasing: float = 1e-5
    local_gate_error: float = 0.005

    def __post_init__(self) -> None:
        _check(self.architecture in ARCHITECTURES, "architecture", self.architecture,
               f"one of {', '.join(ARCHITECTURES)}")
        for name in ("crosstalk_dephasing", "local_gate_error"):
            v = getattr(self, name)
            _check(_finite(v) and 0 <= v <= 1, name, v, "in [0, 1]")


@dataclass(frozen=True)
class ReadoutSection:
    """State-selective readout: |1⟩ emits a cavity photon (V-STIRAP), |0⟩ stays dark.

    Attributes:
        repetitions: emission attempts per readout, ≥ 1; a click in any one reads 1.
            Default 7: with a 73 % click efficiency per attempt and 1.5e-4 dark counts per
            window, ½(P(0|1) + P(1|0)) = ½(0.27⁷ + 7 × 1.5e-4) = 5.7e-4 is smallest at 7.
        detector_efficiency: efficiency of the local readout detector, [0, 1]. Default 0.9
            (superconducting nanowire at 780 nm).
        dark_count_probability: dark-count probability per detection window, [0, 1].
            Default 1.5e-4: 100 Hz dark rate × a 1.5 µs window holding the photon's envelope
            (as long as the 1.5 µs V-STIRAP pump).
    """

    repetitions: int = 7
    detector_efficiency: float = 0.9
    dark_count_probability: float = 1.5e-4

    def __post_init__(self) -> None:
        _check(_count(self.repetitions, 1), "repetitions", self.repetitions,
               f"an integer >= 1 and <= {MAX_COUNT}")
        for name in ("detector_efficiency", "dark_count_probability"):
            v = getattr(self, name)
            _check(_finite(v) and 0 <= v <= 1, name, v, "in [0, 1]")


@dataclass(frozen=True)
class MemorySection:
    """Ground-state qubit memory.

    Attributes:
        t1: population lifetime (µs). Default 1e6 µs = 1 s (Raman scattering of trap light).
        t2: coherence time (µs), ≤ 2·t1. Default 5e4 µs = 50 ms: magnetically insensitive
            clock states under dynamical decoupling (Körber et al., Nat. Photon. 12, 18, 2018
            report 100 ms for a ⁸⁷Rb atom in a cavity; half of it leaves margin).
        reset_repetitions: STIRAP pumping repetitions per reset, ≥ 1. Default 2.
    """

    t1: float = 1e6
    t2: float = 5e4
    reset_repetitions: int = 2

    def __post_init__(self) -> None:
        _check(_finite(self.t1) and self.t1 > 0, "t1", self.t1, "> 0 (µs)")
        _check(_finite(self.t2) and 0 < self.t2 <= 2 * self.t1, "t2", self.t2,
               f"in (0, 2·t1 = {2 * self.t1}] (µs)")
        _check(_count(self.reset_repetitions, 1), "reset_repetitions", self.reset_repetitions,
               f"an integer >= 1 and <= {MAX_COUNT}")


@dataclass(frozen=True)
class TimingSection:
    """Clocking of the circuit.

    Attributes:
        layer_time: duration of one circuit layer, the idle time a waiting qubit spends per
            layer (µs). Default 27 µs (a two-qubit layer: up to 8 photon attempts of 3 µs
            plus the local gates of the teleported CNOT).
        cat_cycle_time: one stabilisation cycle of the cat qubit (µs). Default 1 µs.
    """

    layer_time: float = 27.0
    cat_cycle_time: float = 1.0

    def __post_init__(self) -> None:
        for name in ("layer_time", "cat_cycle_time"):
            v = getattr(self, name)
            _check(_finite(v) and v > 0, name, v, "> 0 (µs)")


def _reference_link() -> PhotonicLink:
    # 10 m of fibre at 780 nm (≈ 3.5 dB/km), 90 % mode matching between cavity mode and fibre
    # (per cavity, in and out; the mirror out-coupling is cavity.outcoupling), 90 % detection
    # (SNSPD), dark counts 100 Hz × a 1.5 µs detection window that holds the whole photon
    # envelope (the V-STIRAP photon is as long as its 1.5 µs pump) = 1.5e-4 per detector,
    # mode overlap 0.996: identical cavities, photons shaped by the same V-STIRAP pump.
    return PhotonicLink(length_km=0.01, attenuation_db_per_km=3.5, coupling_efficiency=0.9,
                        detector_efficiency=0.9, dark_count_probability=1.5e-4,
                        mode_overlap=0.996)


def _reference_cat() -> CatQubit:
    # Dissipative cat (alternative encoding): κ2 = 10/µs and κ1 = 1e-3/µs (T1 = 1 ms),
    # κ1/κ2 = 1e-4 as targeted by Guillaud & Mirrahimi (PRX 9, 041053, 2019); |α|² = 8;
    # thermal population 1 %. Readout: homodyne efficiency 0.5 over 0.5 µs (physics.cat.CatQubit).
    return CatQubit(alpha_sq=8.0, kappa2=10.0, kappa1=1e-3, kappa_phi=0.0, n_th=0.01)


def _reference_gkp() -> GKPQubit:
    # GKP (alternative encoding): 12 dB effective squeezing, 1 % photon loss per cycle.
    return GKPQubit(squeezing_db=12.0, loss=0.01)


@dataclass(frozen=True)
class Device:
    """A QuantaCore device: one frozen section per subsystem; defaults = the reference device.

    Attributes:
        atom: optical transition and qubit sublevels.
        laser: STIRAP pulses (single-qubit gate, reset).
        cavity: cavity QED (photon emission, readout, two-qubit gates).
        link: photonic link between nodes (``physics.links.PhotonicLink``).
        gate2q: photon-mediated two-qubit gate protocol.
        node: node architecture (who makes the photon attempts).
        readout: state-selective photon readout.
        memory: qubit memory and reset.
        timing: circuit clocking.
        cat: dissipative cat qubit (``physics.cat.CatQubit``), an alternative encoding.
        gkp: GKP qubit (``physics.gkp.GKPQubit``), an alternative encoding.
    """

    atom: AtomSection = field(default_factory=AtomSection)
    laser: LaserSection = field(default_factory=LaserSection)
    cavity: CavitySection = field(default_factory=CavitySection)
    link: PhotonicLink = field(default_factory=_reference_link)
    gate2q: Gate2QSection = field(default_factory=Gate2QSection)
    node: NodeSection = field(default_factory=NodeSection)
    readout: ReadoutSection = field(default_factory=ReadoutSection)
    memory: MemorySection = field(default_factory=MemorySection)
    timing: TimingSection = field(default_factory=TimingSection)
    cat: CatQubit = field(default_factory=_reference_cat)
    gkp: GKPQubit = field(default_factory=_reference_gkp)

    def __post_init__(self) -> None:
        _check_laser_for_levels(self.atom, self.laser)


def raman_min_detuning(detuning_1ph: float) -> float:
    """Smallest |detuning| (rad/µs) of the far-detuned lasers from any 5P3/2 line they reach.

    The pump and Stokes, Raman-resonant between F=1 and F=2, see the lines at Δ + E_F' from
    their own ground level and Δ + E_F' ∓ ω_hf from the other one.
    """
    offsets = (0.0, GROUND_SPLITTING, -GROUND_SPLITTING)
    return min(abs(detuning_1ph + e + o) for e in EXCITED_ENERGY.values() for o in offsets)


def _check_laser_for_levels(atom: AtomSection, laser: LaserSection) -> None:
    """The laser section's limits that depend on the atom's level model."""
    peak = max(laser.pump_amplitude, laser.stokes_amplitude) * laser.rabi_factor
    name = "pump_amplitude" if laser.pump_amplitude >= laser.stokes_amplitude \
        else "stokes_amplitude"
    if atom.levels in _RESONANT_MODELS:
        big = MAX_LASER_FREQUENCY
        _check(abs(laser.detuning_1ph) <= big, "laser.detuning_1ph", laser.detuning_1ph,
               f"a number in [-{big:g}, {big:g}] (rad/µs) for atom.levels = "
               f"{atom.levels!r} (the model omits the other ground hyperfine level; "
               "far detuned, use atom.levels = 'rb87-raman')")
        _check(peak <= big, f"laser.{name}", getattr(laser, name),
               f"such that {name} × √intensity × amplitude_scale <= {big:g} (rad/µs) for "
               f"atom.levels = {atom.levels!r} (the model omits the other ground hyperfine "
               f"level), got {peak:.4g}")
        return
    limit = raman_min_detuning(laser.detuning_1ph) / RAMAN_VALIDITY
    _check(peak <= limit, f"laser.{name}", getattr(laser, name),
           f"such that {name} × √intensity × amplitude_scale <= {limit:.4g} (rad/µs), 1/"
           f"{RAMAN_VALIDITY:g} of the smallest detuning from a 5P3/2 line at "
           f"laser.detuning_1ph = {laser.detuning_1ph:.4g}, for atom.levels = 'rb87-raman' "
           f"(far detuned); got {peak:.4g}")


REFERENCE_DEVICE = Device()
"""The documented QuantaCore reference device (see each section's docstring)."""


def _section_fields(section_type: type) -> dict[str, Any]:
    hints = typing.get_type_hints(section_type)
    return {f.name: hints[f.name] for f in dataclasses.fields(section_type) if f.init}


def parameter_paths(device: Device = REFERENCE_DEVICE) -> list[str]:
    """Every settable dotted parameter path, e.g. ``["atom.decay_rate", ...]``."""
    paths = []
    for sec in dataclasses.fields(Device):
        paths += [f"{sec.name}.{name}" for name in _section_fields(type(getattr(device, sec.name)))]
    return paths


def _nearest(name: str, options: list[str], *, prefix: str = "") -> str:
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(prefix + c for c in close)}?)" if close else ""


def _coerce(path: str, value: Any, hint: Any) -> Any:
    """Check/convert one value against its annotated type; ValueError names the path."""
    origin_args = typing.get_args(hint)
    allowed = set(origin_args) if origin_args else {hint}
    if value is None and type(None) in allowed:
        return None
    if isinstance(value, bool):
        if bool in allowed:
            return value
    elif isinstance(value, int) and int in allowed:
        return value
    elif isinstance(value, int | float) and float in allowed:
        if not _finite(value) and isinstance(value, int):
            raise ValueError(f"{path} = {short_repr(value)}: too large for a float (a "
                             "finite number is needed)")
        return float(value)
    elif isinstance(value, str) and str in allowed:
        return value
    names = " or ".join(sorted(t.__name__ for t in allowed if t is not type(None)))
    raise ValueError(f"{path} = {short_repr(value)}: must be of type {names}")


def _build_section(name: str, section_type: type, base: Any, values: Mapping[str, Any]) -> Any:
    known = _section_fields(section_type)
    for key in values:
        if key not in known:
            raise ValueError(f"unknown key '{name}.{_key(key)}'"
                             f"{_nearest(key, list(known), prefix=name + '.')}; "
                             f"known keys in [{name}]: {', '.join(known)}")
    kwargs = {k: getattr(base, k) for k in known}
    for key, value in values.items():
        kwargs[key] = _coerce(f"{name}.{key}", value, known[key])
    try:
        return section_type(**kwargs)
    except ValueError as exc:
        msg = str(exc)
        return _raise_prefixed(name, msg)


def _raise_prefixed(section: str, msg: str) -> typing.NoReturn:
    raise ValueError(f"{section}.{msg}" if not msg.startswith(f"{section}.") else msg)


def device_from_dict(data: Mapping[str, Any], *, base: Device = REFERENCE_DEVICE) -> Device:
    """Build a device from nested section tables, starting from ``base``.

    Args:
        data: ``{"cavity": {"g": 150.0}, ...}``; sections and keys not given keep ``base``.
        base: the device whose values fill in what ``data`` leaves out.

    Raises:
        ValueError: on an unknown section or key (naming the nearest valid ones), a value of
            the wrong type, or a value out of range; the message starts with the dotted path.
    """
    sections = {f.name: f for f in dataclasses.fields(Device)}
    updates = {}
    for name, values in data.items():
        if name not in sections:
            raise ValueError(f"unknown section '{_key(name)}'{_nearest(name, list(sections))}; "
                             f"known sections: {', '.join(sections)}")
        if not isinstance(values, Mapping):
            raise ValueError(f"{name} = {short_repr(values)}: must be a table of parameters "
                             f"([{name}] in TOML)")
        current = getattr(base, name)
        updates[name] = _build_section(name, type(current), current, values)
    return dataclasses.replace(base, **updates)


def with_overrides(device: Device, overrides: Mapping[str, Any]) -> Device:
    """A copy of ``device`` with dotted-path overrides, e.g. ``{"cavity.g": 150.0}``.

    Raises:
        ValueError: on a path that is not ``section.key`` (naming the nearest valid paths), or
            an invalid value.
    """
    nested: dict[str, dict[str, Any]] = {}
    paths = parameter_paths(device)
    for path, value in overrides.items():
        if path.count(".") != 1:
            raise ValueError(f"unknown parameter '{_key(path)}'{_nearest(path, paths)}: a "
                             "parameter path is section.key")
        section, key = path.split(".")
        nested.setdefault(section, {})[key] = value
    return device_from_dict(nested, base=device)


def device_to_dict(device: Device) -> dict[str, dict[str, Any]]:
    """Nested plain dict of every parameter (round-trips through ``device_from_dict``)."""
    return {f.name: dataclasses.asdict(getattr(device, f.name)) for f in dataclasses.fields(Device)}
