"""The numba backend of the double-STIRAP gate against the qutip reference and the physics."""

import math

import numpy as np
import pytest

from physics.extraction import calibrate_frame, extract_channel, restrict_to_qubit
from physics.gates import GATE_BACKENDS, X_GATE, StirapGate, stirap_gate_process
from physics.levels import ThreeLevelSystem
from physics.pulses import SHAPES, StirapPulses

TWO_PI = 2 * math.pi


def random_case(rng: np.random.Generator, shape: str) -> tuple[ThreeLevelSystem, StirapGate]:
    """A gate drawn from the ranges the digital twin uses (rad/µs, µs)."""
    width = rng.uniform(0.1, 0.3)
    pulses = StirapPulses.counterintuitive(
        amplitude=TWO_PI * rng.uniform(100, 400), stokes_amplitude=TWO_PI * rng.uniform(100, 400),
        width=width, delay=rng.uniform(0.5, 1.5) * width, shape=shape,
        rise=rng.uniform(0.1, 0.5) * width / 2 if shape == "flattop" else 0.0)
    system = ThreeLevelSystem(
        gamma=rng.uniform(0, 40), loss_fraction=rng.uniform(0, 1),
        dephasing=rng.uniform(0, 0.01), detuning_1ph=rng.uniform(-50, 50),
        detuning_2ph=rng.uniform(-0.5, 0.5))
    gate = StirapGate(pulses, gap=rng.uniform(0, 0.5), relative_phase=rng.uniform(0, TWO_PI))
    return system, gate


def choi_eigenvalues(process: np.ndarray) -> np.ndarray:
    """Eigenvalues of the Choi matrix Σ_kl |k⟩⟨l| ⊗ S(|k⟩⟨l|) of a (d², d²) superoperator."""
    d = math.isqrt(process.shape[0])
    choi = np.zeros((d * d, d * d), complex)
    for k in range(d):
        for l in range(d):
            out = process[:, k + d * l].reshape(d, d, order="F")
            choi[k * d:(k + 1) * d, l * d:(l + 1) * d] = out
    return np.linalg.eigvalsh(0.5 * (choi + choi.conj().T))


def loss(process: np.ndarray) -> float:
    """Largest trace lost over the basis states |k⟩⟨k|."""
    d = math.isqrt(process.shape[0])
    diag = [i + d * i for i in range(d)]
    return float(np.max(1.0 - process[np.ix_(diag, diag)].sum(axis=0).real))


def nominal(amplitude=TWO_PI * 300, width=0.2, shape="gaussian", gap=0.1) -> StirapGate:
    rise = 0.25 * width if shape == "flattop" else 0.0
    return StirapGate(StirapPulses.counterintuitive(amplitude=amplitude, width=width,
                                                    delay=width, shape=shape, rise=rise), gap=gap)


@pytest.mark.parametrize("shape", SHAPES)
def test_numba_agrees_with_qutip(shape):
    rng = np.random.default_rng(SHAPES.index(shape))
    system, gate = random_case(rng, shape)
    ref = stirap_gate_process(system, gate)
    fast = stirap_gate_process(system, gate, backend="numba")
    assert fast.shape == (16, 16)
    assert np.max(np.abs(fast - ref)) < 1e-6


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(8))
def test_numba_agrees_with_qutip_many(seed, monkeypatch):
    """At weak decay (γ ≲ 5 rad/µs) the qutip default tolerances (rtol 1e-8) are themselves off
    by up to ~1e-5; the reference is the same qutip model integrated at rtol 1e-11."""
    monkeypatch.setattr("physics.gates._OPTIONS", {"atol": 1e-13, "rtol": 1e-11, "nsteps": 10**8})
    rng = np.random.default_rng(100 + seed)
    for shape in SHAPES:
        system, gate = random_case(rng, shape)
        ref = stirap_gate_process(system, gate)
        fast = stirap_gate_process(system, gate, backend="numba")
        assert np.max(np.abs(fast - ref)) < 1e-6, (shape, system, gate)


@pytest.mark.parametrize("shape", SHAPES)
def test_trace_preserved_without_decay_and_completely_positive(shape):
    system = ThreeLevelSystem(detuning_1ph=10.0, detuning_2ph=0.2)
    process = stirap_gate_process(system, nominal(shape=shape), backend="numba")
    assert loss(process) < 1e-9
    assert choi_eigenvalues(process).min() > -1e-9


def test_completely_positive_and_trace_decreasing_with_decay():
    rng = np.random.default_rng(7)
    for shape in SHAPES:
        system, gate = random_case(rng, shape)
        process = stirap_gate_process(system, gate, backend="numba")
        assert choi_eigenvalues(process).min() > -1e-9
        assert -1e-9 < loss(process) < 1.0


def test_ideal_limit_is_x_up_to_the_frame():
    """No decay and a large pulse area: adiabatic, the qubit process is X after the frame."""
    gate = nominal(amplitude=TWO_PI * 400, width=0.3, gap=0.0)
    qubit = restrict_to_qubit(stirap_gate_process(ThreeLevelSystem(), gate, backend="numba"),
                              (0, 1))
    frame = calibrate_frame(qubit, ideal=X_GATE)
    ext = extract_channel(qubit, ideal=X_GATE, frame=frame)
    assert 1 - ext.average_fidelity < 1e-4
    assert ext.leakage < 1e-4


def test_raman_drift_is_a_coherent_rotation():
    """δ drift after nominal calibration: angle δ·(pair length + gap) (cf. test_operations)."""
    gate = nominal()
    base = ThreeLevelSystem(gamma=TWO_PI * 6.065, loss_fraction=0.5, dephasing=TWO_PI * 1e-5)

    def qubit(system):
        return restrict_to_qubit(stirap_gate_process(system, gate, backend="numba"), (0, 1))

    frame = calibrate_frame(qubit(base), ideal=X_GATE)
    t0, t1 = gate.pulses.t_span
    dwell = (t1 - t0) + gate.gap
    for delta in (0.02, 0.05, 0.1):
        drifted = ThreeLevelSystem(gamma=base.gamma, loss_fraction=base.loss_fraction,
                                   dephasing=base.dephasing, detuning_2ph=delta)
        angle = extract_channel(qubit(drifted), ideal=X_GATE, frame=frame).coherent_angle
        assert angle == pytest.approx(delta * dwell, rel=1e-3)


def test_unknown_backend_is_rejected():
    with pytest.raises(ValueError, match=r"backend = 'cuda'.*qutip, numba"):
        stirap_gate_process(ThreeLevelSystem(), nominal(), backend="cuda")
    assert GATE_BACKENDS == ("qutip", "numba")
