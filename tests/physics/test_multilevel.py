"""The multi-level ⁸⁷Rb atom: atomic data, closed-form light shift and scattering, the gate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from physics.device import REFERENCE_DEVICE, with_overrides
from physics.extraction import extract_channel
from physics.gates import X_GATE
from physics.hyperfine import (
    branching,
    dipole_element,
    rb87_gate_system,
    transition_strength,
    wigner_6j,
)
from physics.multilevel import Drive, MultiLevelSystem, qubit_process
from physics.operations import _gate_qubit_process, calibrate, extract_operations
from physics.pulses import Pulse

TWO_PI = 2 * math.pi
# the ⁸⁷Rb D2 gate at this model's optimum pulses (devices/rb87-d2.toml)
RB87 = with_overrides(REFERENCE_DEVICE, {
    "atom.levels": "rb87-d2", "laser.detuning_1ph": 0.0, "laser.shape": "gaussian",
    "laser.rise": 0.0, "laser.pump_amplitude": 2 * math.pi * 11.0,
    "laser.stokes_amplitude": 2 * math.pi * 11.0, "laser.width": 0.3, "laser.delay": 0.3})


def test_steck_strengths_and_factors():
    table = {(2, 3): 7 / 10, (2, 2): 1 / 4, (2, 1): 1 / 20, (1, 2): 5 / 12, (1, 1): 5 / 12,
             (1, 0): 1 / 6}
    for (f, fp), s in table.items():
        assert transition_strength(f, fp) == pytest.approx(s, abs=1e-12)
    for f in (1, 2):
        assert sum(transition_strength(f, fp) for fp in range(4)) == pytest.approx(1, abs=1e-12)
    # squared factors as in Steck's sublevel tables (units of |⟨J‖er‖J'⟩|²): the cycling
    # transition 1/2, |2,0⟩ → |3',1⟩ 1/5, |2,0⟩ → |3',0⟩ 3/10, F=1 → F'=0 S_10 = 1/6,
    # |1,−1⟩ → |1',0⟩ 5/24
    assert dipole_element(2, 2, 3, 3) ** 2 == pytest.approx(1 / 2)
    assert dipole_element(2, 0, 3, 1) ** 2 == pytest.approx(1 / 5)
    assert dipole_element(2, 0, 3, 0) ** 2 == pytest.approx(3 / 10)
    assert dipole_element(1, 0, 0, 0) ** 2 == pytest.approx(1 / 6)
    assert dipole_element(1, -1, 1, 0) ** 2 == pytest.approx(5 / 24)
    assert dipole_element(2, 0, 2, 0) == 0.0  # π between equal F at m = 0 is forbidden
    assert wigner_6j(0.5, 1.5, 1, 1, 1, 1.5) ** 2 * 3 * 2 == pytest.approx(5 / 12)
    for fp in range(4):
        for mp in range(-fp, fp + 1):
            total = sum(branching(fp, mp, f, m) for f in (1, 2) for m in range(-f, f + 1))
            assert total == pytest.approx(1.0, abs=1e-12)


def test_dark_state_signs():
    s = rb87_gate_system()
    # the F'=1 bright state is |b⟩ = (|0⟩ + |1⟩)/√2; F'=0 and F'=2 see |d⟩ = (|0⟩ − |1⟩)/√2
    assert s.pump[0, 3] == pytest.approx(s.pump[1, 3])
    for e in (4, 5):
        assert s.pump[0, e] == pytest.approx(-s.pump[1, e])
        assert abs(s.pump[0, e]) > 0.1
    assert s.stokes[2, 5] == 0  # |2,0⟩ → |2',0⟩ by π
    assert s.kept_fraction(3) == pytest.approx(0.9)  # 5/6 + 1/15 of |F'=1, 0⟩ stay


@pytest.mark.parametrize("backend", ["numba", "qutip"])
def test_light_shift_and_scattering_closed_form(backend):
    """Δ ≫ Ω, Γ with a flat drive: δ_LS = Ω²/(4Δ), Γ_sc = Γ Ω²/(4Δ²) within 2 %."""
    delta, gamma, omega = TWO_PI * 400.0, TWO_PI * 6.0666, TWO_PI * 20.0
    system = MultiLevelSystem.single_transition(detuning=delta, decay_rate=gamma)
    pulse = Pulse(omega, 1.0, 2.0, "flattop", 0.3)
    tt = np.linspace(0.0, 2.0, 200_001)
    t_eff = float(np.trapezoid((pulse(tt) / omega) ** 2, tt))
    p = qubit_process(system, [Drive("pump", pulse)], (0.0, 2.0), backend=backend)
    phase = -float(np.angle(p[2, 2]))  # ρ01 ↦ e^{−i(E0 − E1)t} ρ01 with E1 = −δ_LS
    loss = -math.log(p[3, 3].real)
    assert phase == pytest.approx(omega**2 / (4 * delta) * t_eff, rel=0.02)
    assert loss == pytest.approx(gamma * omega**2 / (4 * delta**2) * t_eff, rel=0.02)


def _gate_error(device, calibration=None):
    ext = extract_operations(device, calibration=calibration)
    return 1 - ext.figures["gate_1q_fidelity"]


def test_error_has_interior_minimum_in_amplitude():
    scales = (0.25, 0.5, 1.0, 2.0, 3.0)
    errors = [_gate_error(with_overrides(RB87, {"laser.amplitude_scale": s}))
              for s in scales]
    best = int(np.argmin(errors))
    assert 0 < best < len(scales) - 1
    assert errors[0] > 1.5 * errors[best] and errors[-1] > 1.5 * errors[best]


def test_intensity_drift_is_a_rotation_about_x():
    cal = calibrate(RB87)
    slopes = []
    for d_i in (-0.02, -0.01, 0.01, 0.02):
        device = with_overrides(RB87, {"laser.intensity": 1 + d_i})
        ext = extract_channel(_gate_qubit_process(device, "numba", cal.relative_phase),
                              ideal=X_GATE, frame=cal.gate_frame)
        axis = np.asarray(ext.coherent_axis)
        assert abs(abs(axis[0]) - 1) < 1e-6  # the gate axis X, not Z
        slopes.append(ext.coherent_angle * axis[0] / d_i)
    assert max(slopes) - min(slopes) < 0.1 * abs(np.mean(slopes))
    assert abs(np.mean(slopes)) > 0.5  # rad per unit relative intensity


@pytest.mark.slow
def test_gate_numba_matches_qutip():
    device = RB87
    cal = calibrate(device)
    fast = _gate_qubit_process(device, "numba", cal.relative_phase)
    ref = _gate_qubit_process(device, "qutip", cal.relative_phase)
    assert np.max(np.abs(fast - ref)) < 1e-6
    a = extract_channel(fast, ideal=X_GATE, frame=cal.gate_frame).channel
    b = extract_channel(ref, ideal=X_GATE, frame=cal.gate_frame).channel
    for name in ("px", "py", "pz", "p_loss"):
        assert abs(getattr(a, name) - getattr(b, name)) <= 1e-4


def test_the_rb87_device_file_is_this_models_optimum():
    from pathlib import Path

    from twin.device.load import load_device

    dev = load_device(Path(__file__).resolve().parents[2] / "devices" / "rb87-d2.toml")
    assert dev.atom.levels == "rb87-d2"
    assert dev.laser.pump_amplitude == pytest.approx(RB87.laser.pump_amplitude, rel=1e-4)
    assert (dev.laser.width, dev.laser.delay) == (RB87.laser.width, RB87.laser.delay)
