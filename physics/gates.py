"""The single-qubit STIRAP gate: an X gate from two STIRAP transfers through an auxiliary state.

A Λ-system STIRAP transfers *population*; acting on a superposition it is not a gate, because
the state orthogonal to the dark-state path is driven into the bright states and scatters.
QuantaCore therefore uses the double-STIRAP rotation of Kis & Renzoni (Phys. Rev. A 65, 032318,
2002): the qubit lives in two ground states |0⟩, |1⟩; the pump, with equal components on both
(polarisation set by the target axis), couples only the bright combination
|b⟩ = (|0⟩ + |1⟩)/√2 to the excited state |e⟩, while |d⟩ = (|0⟩ − |1⟩)/√2 is uncoupled. A first
counter-intuitive STIRAP transfers |b⟩ → |a⟩ (an auxiliary ground state, Stokes on |a⟩ ↔ |e⟩);
a second one, with the b–e coupling phase shifted by χ, brings |a⟩ → |b⟩. Both pass through the
dark state, so |e⟩ is barely populated; the round trip multiplies |b⟩ by e^{i(χ+π)}·(dark-state
signs) and leaves |d⟩ alone: U = |d⟩⟨d| − e^{iχ}|b⟩⟨b|, which for χ = π is 1 − 2|b⟩⟨b| = −X.

Levels, indices of the 4-level process: 0 = |0⟩, 1 = |1⟩, 2 = |e⟩, 3 = |a⟩ (plus a sink for
scattering out of the system, traced out). Detunings follow ``ThreeLevelSystem``: Δ on |e⟩,
δ on |a⟩ (the Raman mismatch between the two lasers). The ``ThreeLevelSystem`` rates are reused:
|e⟩ decays at γ, a fraction ``loss_fraction`` into the sink, the rest equally into |0⟩, |1⟩, |a⟩;
``dephasing`` dephases |a⟩ against the qubit states (a noisy Raman phase), rate γ_φ.

Errors that come out of the physics: scattering from |e⟩ during non-adiabatic passage (loss and
depolarisation), population stranded in |a⟩ or |e⟩ (leakage, counted as loss), and the phase
δ·t accumulated while the bright part waits in |a⟩: a coherent rotation. A calibration fixes
virtual-Z frames at the calibration-time parameters; a later drift of δ or of the pulse
intensity then shows up as a coherent error (see ``physics.extraction``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import qutip as qt

from physics.levels import ThreeLevelSystem
from physics.multilevel import Drive, MultiLevelSystem, qubit_process
from physics.pulses import StirapPulses

__all__ = ["GATE_BACKENDS", "X_GATE", "StirapGate", "gate_drives", "multilevel_gate_process",
           "stirap_gate_process"]

X_GATE = np.array([[0, 1], [1, 0]], dtype=complex)
"""The ideal operation of ``StirapGate``: Pauli X on the qubit (|0⟩, |1⟩)."""

GATE_BACKENDS: tuple[str, ...] = ("qutip", "numba")
"""Backends of ``stirap_gate_process``: the qutip reference and the numba kernels."""

_OPTIONS = {"atol": 1e-10, "rtol": 1e-8, "nsteps": 10**7}


@dataclass(frozen=True)
class StirapGate:
    """Timing and phase of the double-STIRAP X gate.

    Attributes:
        pulses: the first STIRAP pair (pump on |b⟩↔|e⟩, Stokes on |a⟩↔|e⟩); the second pair is
            the same pulses mirrored (b–e coupling first), starting ``gap`` µs after the first.
        gap: dwell time in |a⟩ between the two transfers (µs), ≥ 0.
        relative_phase: phase χ of the second b–e coupling (rad); χ = π gives X.
    """

    pulses: StirapPulses
    gap: float = 0.0
    relative_phase: float = math.pi

    def __post_init__(self) -> None:
        if not (math.isfinite(self.gap) and self.gap >= 0):
            raise ValueError(f"gap = {self.gap}: must be finite and >= 0 (µs)")
        if not math.isfinite(self.relative_phase):
            raise ValueError(f"relative_phase = {self.relative_phase}: must be finite (rad)")

    @property
    def duration(self) -> float:
        """Total gate time (µs): two pulse pairs plus the gap."""
        t0, t1 = self.pulses.t_span
        return 2 * (t1 - t0) + self.gap

    def second_pulses(self) -> StirapPulses:
        """The second pair, shifted after the first (its Stokes drives |b⟩↔|e⟩ first)."""
        t0, t1 = self.pulses.t_span
        shift = (t1 - t0) + self.gap
        p, s = self.pulses.pump, self.pulses.stokes
        return StirapPulses(
            pump=type(p)(p.amplitude, p.center + shift, p.width, p.shape, p.rise),
            stokes=type(s)(s.amplitude, s.center + shift, s.width, s.shape, s.rise),
        )


def stirap_gate_process(
    system: ThreeLevelSystem, gate: StirapGate, *, backend: str = "qutip"
) -> np.ndarray:
    """Simulate the double-STIRAP gate and return its process on the 4 levels.

    Args:
        system: a Λ ``ThreeLevelSystem`` giving decay, branching, dephasing and detunings
            (rad/µs).
        gate: pulses, gap and relative phase.
        backend: one of ``GATE_BACKENDS``. ``"qutip"`` (default, the reference, ~0.4 s):
            qutip propagator of the 5-level (with sink) Lindblad equation. ``"numba"`` (a few
            ms): the same master equation, split into its Λ block, the |d⟩ population and the
            |d⟩ coherences and integrated with DOP853 kernels (``physics.gates_fast``); agrees
            with ``"qutip"`` to ~1e-7 per superoperator entry.

    Returns:
        The (16, 16) complex superoperator on levels (|0⟩, |1⟩, |e⟩, |a⟩), acting on
        column-stacked vec(ρ); trace-decreasing by the population scattered into the sink.

    Raises:
        ValueError: if ``system.kind`` is not ``"lambda"`` or ``backend`` is unknown.
        RuntimeError: if the numba integration fails.
    """
    if backend not in GATE_BACKENDS:
        raise ValueError(f"backend = {backend!r}: must be one of {', '.join(GATE_BACKENDS)}")
    if system.kind != "lambda":
        raise ValueError(f"kind = {system.kind!r}: the STIRAP gate needs a 'lambda' system")
    if backend == "numba":
        from physics.gates_fast import gate_superop  # numba compile cost only when used

        second = gate.second_pulses()
        return gate_superop(system, (gate.pulses.pump, gate.pulses.stokes),
                            (second.pump, second.stokes), gate.gap, gate.relative_phase)
    n = 5  # 0, 1, e, a, sink
    k = [qt.basis(n, i) for i in range(n)]
    bright = (k[0] + k[1]) / math.sqrt(2)
    e, a, sink = k[2], k[3], k[4]
    second = gate.second_pulses()
    phase = np.exp(1j * gate.relative_phase)

    h0 = system.detuning_1ph * e * e.dag() + system.detuning_2ph * a * a.dag()
    h_be = 0.5 * (bright * e.dag() + e * bright.dag())
    h_ae = 0.5 * (a * e.dag() + e * a.dag())
    h_be2 = 0.5 * (phase * bright * e.dag() + np.conj(phase) * e * bright.dag())
    first = gate.pulses

    def coeff(pulse):
        return lambda t: pulse(t)

    h = qt.QobjEvo([
        h0,
        [h_be, coeff(first.pump)], [h_ae, coeff(first.stokes)],
        [h_ae, coeff(second.pump)], [h_be2, coeff(second.stokes)],
    ])
    c_ops = []
    if system.sink_rate > 0:
        c_ops.append(math.sqrt(system.sink_rate) * sink * e.dag())
    back = system.gamma - system.sink_rate
    if back > 0:
        c_ops += [math.sqrt(back / 3) * k[i] * e.dag() for i in (0, 1, 3)]
    if system.dephasing > 0:
        c_ops.append(math.sqrt(system.dephasing / 2)
                     * (k[0] * k[0].dag() + k[1] * k[1].dag() - a * a.dag()))
    t_start = first.t_span[0]
    t_end = second.t_span[1]
    max_step = 0.25 * min(first.pump.width, first.stokes.width)
    prop = qt.propagator(h, [t_start, t_end], c_ops=c_ops,
                         options={**_OPTIONS, "max_step": max_step})
    prop = prop[-1] if isinstance(prop, list) else prop
    if not prop.issuper:  # no collapse operators: qutip returns the unitary itself
        prop = qt.to_super(prop)
    full = prop.full()
    keep = [i + n * j for j in range(4) for i in range(4)]  # column-stacked indices on 4 levels
    return full[np.ix_(keep, keep)]


def gate_drives(gate: StirapGate) -> list[Drive]:
    """The gate's four pulses as laser drives of a ``MultiLevelSystem``.

    First pair: the pump laser (on the qubit) with ``pulses.pump``, the Stokes laser (on |a⟩)
    with ``pulses.stokes``. Second pair (mirrored): the Stokes laser with the shifted pump
    envelope, then the pump laser with the shifted Stokes envelope and laser phase χ
    (``relative_phase``), exactly as in the three-level model.
    """
    second = gate.second_pulses()
    return [Drive("pump", gate.pulses.pump), Drive("stokes", gate.pulses.stokes),
            Drive("stokes", second.pump), Drive("pump", second.stokes, gate.relative_phase)]


def multilevel_gate_process(
    system: MultiLevelSystem, gate: StirapGate, *, backend: str = "numba"
) -> np.ndarray:
    """The double-STIRAP gate on a multi-level atom, as a process on the qubit levels.

    Every off-resonant coupling of ``system`` is driven by the same pulses (scattering and
    light shifts come out of the master equation, nothing is added by hand).

    Args:
        system: e.g. ``physics.hyperfine.rb87_gate_system()`` (qubit levels 0, 1, |a⟩ = 2).
        gate: pulses (pump/Stokes amplitudes are the Rabi frequencies on |b⟩ ↔ |e⟩ and
            |a⟩ ↔ |e⟩, rad/µs), gap and χ.
        backend: ``"numba"`` (default, ``physics.multilevel_fast``) or ``"qutip"``
            (``mesolve`` reference).

    Returns:
        (4, 4) complex superoperator on (|0⟩, |1⟩), column stacking; trace-decreasing by
        everything that ends outside the qubit (scattered to the sink, left in |a⟩ or excited).

    Raises:
        ValueError: on an unknown backend.
        RuntimeError: if the numba integration fails.

    Examples:
        >>> from physics.hyperfine import rb87_gate_system
        >>> from physics.pulses import StirapPulses
        >>> pulses = StirapPulses.counterintuitive(amplitude=150.0, width=0.1, delay=0.1)
        >>> p = multilevel_gate_process(rb87_gate_system(), StirapGate(pulses))
        >>> p.shape
        (4, 4)
    """
    if backend not in GATE_BACKENDS:
        raise ValueError(f"backend = {backend!r}: must be one of {', '.join(GATE_BACKENDS)}")
    t_span = (gate.pulses.t_span[0], gate.second_pulses().t_span[1])
    return qubit_process(system, gate_drives(gate), t_span, backend=backend)
