"""Tests for physics.extraction: superoperators, PTM/χ, twirl closed forms, frames, extraction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from physics.channel import Channel
from physics.extraction import (
    ExtractedChannel,
    FrameCorrection,
    amplitude_damping,
    calibrate_frame,
    chi_matrix,
    error_process,
    extract_channel,
    kraus_superop,
    pauli_transfer_matrix,
    pauli_twirl,
    phase_damping,
    restrict_to_qubit,
    rx,
    ry,
    rz,
    twirl_unitary,
    unitary_superop,
)

I2 = np.eye(2, dtype=complex)
X = np.array([[0, 1], [1, 0]], dtype=complex)
Y = np.array([[0, -1j], [1j, 0]], dtype=complex)
Z = np.array([[1, 0], [0, -1]], dtype=complex)
PAULIS = [I2, X, Y, Z]

angles = st.floats(-math.pi, math.pi, allow_nan=False)
probs = st.floats(0.0, 1.0, allow_nan=False)


def vec(rho):
    return rho.flatten(order="F")


def unvec(v, d):
    return v.reshape((d, d), order="F")


def apply(S, rho):
    return unvec(S @ vec(rho), rho.shape[0])


def random_kraus(rng, d, k):
    """k Kraus operators of a random CPTP map on d levels (from a random isometry)."""
    g = rng.normal(size=(k * d, d)) + 1j * rng.normal(size=(k * d, d))
    q, _ = np.linalg.qr(g)
    return [q[i * d:(i + 1) * d, :] for i in range(k)]


def random_state(rng, d):
    g = rng.normal(size=(d, d)) + 1j * rng.normal(size=(d, d))
    rho = g @ g.conj().T
    return rho / np.trace(rho)


def pauli_channel_superop(px, py, pz):
    return kraus_superop([math.sqrt(max(0.0, 1 - px - py - pz)) * I2, math.sqrt(px) * X,
                          math.sqrt(py) * Y, math.sqrt(pz) * Z])


def assert_channel(ch, px, py, pz, p_loss=0.0, atol=1e-12):
    assert ch.px == pytest.approx(px, abs=atol)
    assert ch.py == pytest.approx(py, abs=atol)
    assert ch.pz == pytest.approx(pz, abs=atol)
    assert ch.p_loss == pytest.approx(p_loss, abs=atol)


# ----------------------------------------------------------------- superoperators and conventions


def test_superops_match_direct_action_column_stacking():
    rng = np.random.default_rng(1)
    ks = random_kraus(rng, 3, 2)
    rho = random_state(rng, 3)
    direct = sum(k @ rho @ k.conj().T for k in ks)
    np.testing.assert_allclose(apply(kraus_superop(ks), rho), direct, atol=1e-13)
    U = random_kraus(rng, 3, 1)[0]
    np.testing.assert_allclose(apply(unitary_superop(U), rho), U @ rho @ U.conj().T, atol=1e-13)


def test_superop_matches_qutip_convention():
    qutip = pytest.importorskip("qutip")
    U = rx(0.3) @ rz(1.1)
    np.testing.assert_allclose(unitary_superop(U),
                               qutip.to_super(qutip.Qobj(U)).full(), atol=1e-14)


def test_rotations_are_exponentials():
    from scipy.linalg import expm

    for f, P in ((rx, X), (ry, Y), (rz, Z)):
        np.testing.assert_allclose(f(0.7), expm(-0.35j * P), atol=1e-14)


def test_ptm_and_chi_reconstruct_the_map():
    rng = np.random.default_rng(2)
    S = kraus_superop(random_kraus(rng, 2, 3))
    rho = random_state(rng, 2)
    R = pauli_transfer_matrix(S)
    chi = chi_matrix(S)
    out = apply(S, rho)
    from_chi = sum(chi[m, n] * PAULIS[m] @ rho @ PAULIS[n] for m in range(4) for n in range(4))
    np.testing.assert_allclose(from_chi, out, atol=1e-13)
    r_in = np.array([np.trace(P @ rho).real for P in PAULIS])
    r_out = np.array([np.trace(P @ out).real for P in PAULIS])
    np.testing.assert_allclose(R @ r_in, r_out, atol=1e-13)
    assert np.allclose(chi, chi.conj().T)
    assert np.linalg.eigvalsh(chi).min() > -1e-13  # CP
    assert np.trace(chi).real == pytest.approx(1.0, abs=1e-13)


# ----------------------------------------------------------------- twirl closed forms


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(theta=st.floats(0.0, 3.1))
def test_twirl_rotations(theta):
    s2 = math.sin(theta / 2) ** 2
    assert_channel(twirl_unitary(rz(theta)), 0, 0, s2)
    assert_channel(twirl_unitary(rx(theta)), s2, 0, 0)
    assert_channel(twirl_unitary(ry(theta)), 0, s2, 0)
    for f, axis in ((rx, (1, 0, 0)), (ry, (0, 1, 0)), (rz, (0, 0, 1))):
        ex = extract_channel(unitary_superop(f(theta)), ideal=I2)
        assert ex.coherent_angle == pytest.approx(theta, abs=1e-9)
        if theta > 1e-6:
            np.testing.assert_allclose(ex.coherent_axis, axis, atol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True, database=None)
@given(theta=st.floats(0.01, 3.1), u=st.floats(-1, 1), phi=angles)
def test_coherent_angle_and_axis_of_arbitrary_rotation(theta, u, phi):
    n = np.array([math.sqrt(1 - u * u) * math.cos(phi), math.sqrt(1 - u * u) * math.sin(phi), u])
    from scipy.linalg import expm

    U = expm(-0.5j * theta * (n[0] * X + n[1] * Y + n[2] * Z))
    ex = extract_channel(unitary_superop(U), ideal=I2)
    assert ex.coherent_angle == pytest.approx(theta, abs=1e-9)
    np.testing.assert_allclose(ex.coherent_axis, n, atol=1e-8)
    assert ex.channel.p_error == pytest.approx(math.sin(theta / 2) ** 2, abs=1e-12)
    assert ex.average_fidelity == pytest.approx((2 + 4 * math.cos(theta / 2) ** 2) / 6, abs=1e-12)


@pytest.mark.parametrize("gamma", [0.0, 1e-4, 0.1, 0.37, 0.9, 1.0])
def test_amplitude_damping_twirl_matches_closed_form(gamma):
    kraus = [np.diag([1, math.sqrt(1 - gamma)]).astype(complex),
             math.sqrt(gamma) * np.array([[0, 1], [0, 0]], dtype=complex)]
    ch = pauli_twirl(kraus_superop(kraus))
    pz = (1 - math.sqrt(1 - gamma)) ** 2 / 4
    assert_channel(ch, gamma / 4, gamma / 4, pz)
    closed = amplitude_damping(gamma)
    assert_channel(closed, ch.px, ch.py, ch.pz)
    assert closed.p_loss == 0.0
    ex = extract_channel(kraus_superop(kraus), ideal=I2)
    assert ex.coherent_angle == 0.0  # non-unital real χ_0Z is not a rotation


@pytest.mark.parametrize("lam", [0.0, 1e-3, 0.25, 0.8, 1.0])
def test_phase_damping_twirl_matches_closed_form(lam):
    kraus = [np.diag([1, math.sqrt(1 - lam)]).astype(complex),
             np.diag([0, math.sqrt(lam)]).astype(complex)]
    ch = pauli_twirl(kraus_superop(kraus))
    assert_channel(ch, 0, 0, (1 - math.sqrt(1 - lam)) / 2)
    assert_channel(phase_damping(lam), ch.px, ch.py, ch.pz)
    # dephasing: coherence scaled by 1 − 2 pz = sqrt(1 − λ)
    rho = np.full((2, 2), 0.5, dtype=complex)
    out = apply(kraus_superop(kraus), rho)
    assert out[0, 1].real == pytest.approx(0.5 * (1 - 2 * ch.pz), abs=1e-14)


@settings(max_examples=30, deadline=None, derandomize=True, database=None)
@given(w=st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda w: sum(w) > 1e-3))
def test_pauli_channel_round_trip_and_diagonal_ptm(w):
    p = np.array(w) / sum(w)
    px, py, pz = (float(v) for v in p[1:])
    pz = max(0.0, min(pz, 1 - px - py))
    S = pauli_channel_superop(px, py, pz)
    ch = pauli_twirl(S)
    assert_channel(ch, px, py, pz)
    R = pauli_transfer_matrix(S)
    lam = [1.0, 1 - 2 * (py + pz), 1 - 2 * (px + pz), 1 - 2 * (px + py)]
    np.testing.assert_allclose(R, np.diag(lam), atol=1e-13)
    ex = extract_channel(S, ideal=I2)
    assert ex.coherent_angle == 0.0
    assert ex.coherent_axis == (0.0, 0.0, 0.0)


# ----------------------------------------------------------------- loss and CPTP bounds


@pytest.mark.parametrize("q", [0.0, 0.05, 0.5, 1.0])
def test_trace_decreasing_decay_out_gives_half_loss(q):
    S = kraus_superop([np.diag([1, math.sqrt(1 - q)]).astype(complex)])
    ch = pauli_twirl(S, heralded=True)
    assert ch.p_loss == pytest.approx(q / 2, abs=1e-14)
    assert ch.heralded
    for v in (ch.px, ch.py, ch.pz, ch.p_loss, ch.p_identity):
        assert 0.0 <= v <= 1.0
    assert ch.px + ch.py + ch.pz + ch.p_loss <= 1.0 + 1e-12
    assert ch.px == ch.py == 0.0
    assert ch.pz == pytest.approx((1 - math.sqrt(1 - q)) ** 2 / 4, abs=1e-14)
    ex = extract_channel(S, ideal=I2, heralded=True)
    assert ex.leakage == ch.p_loss
    assert ex.average_fidelity == pytest.approx(
        (2 * (1 - q / 2) + 4 * (1 + math.sqrt(1 - q)) ** 2 / 4) / 6, abs=1e-13)


def test_random_cptp_maps_give_normalised_probabilities():
    rng = np.random.default_rng(7)
    for _ in range(50):
        S = kraus_superop(random_kraus(rng, 2, int(rng.integers(1, 5))))
        ch = pauli_twirl(S)
        p = [ch.p_identity, ch.px, ch.py, ch.pz]
        assert all(0.0 <= v <= 1.0 for v in p)
        assert sum(p) == pytest.approx(1.0, abs=1e-12)
        assert ch.p_loss < 1e-12


def test_random_trace_decreasing_maps_respect_bounds():
    rng = np.random.default_rng(8)
    for _ in range(30):
        ks = random_kraus(rng, 2, 3)
        S = kraus_superop(ks[:2])  # drop one Kraus operator: trace-decreasing
        lost = np.trace(ks[2].conj().T @ ks[2]).real / 2
        ch = pauli_twirl(S)
        assert ch.p_loss == pytest.approx(lost, abs=1e-12)
        assert ch.p_identity + ch.p_pauli + ch.p_loss == pytest.approx(1.0, abs=1e-12)


def test_non_cp_and_trace_increasing_maps_raise():
    with pytest.raises(ValueError, match="not completely positive"):
        pauli_twirl(pauli_channel_superop(0.1, 0, 0) * 1.0 - 0.2 * unitary_superop(X)
                    + 0.2 * unitary_superop(I2))
    with pytest.raises(ValueError, match="trace-increasing"):
        pauli_twirl(1.5 * unitary_superop(I2))


# ----------------------------------------------------------------- restriction to the qubit


def test_restrict_to_qubit_with_leakage_into_middle_level():
    q = 0.2
    k0 = np.zeros((3, 3), complex)
    k0[0, 0], k0[2, 2] = 1.0, math.sqrt(1 - q)
    k1 = np.zeros((3, 3), complex)
    k1[1, 2] = math.sqrt(q)  # |2⟩ leaks into level 1, outside the qubit {0, 2}
    S3 = kraus_superop([k0, k1])
    Sq = restrict_to_qubit(S3, (0, 2))
    np.testing.assert_allclose(Sq, kraus_superop([np.diag([1, math.sqrt(1 - q)])]), atol=1e-15)
    ex = extract_channel(S3, ideal=I2, subspace=(0, 2), heralded=True)
    assert ex.leakage == pytest.approx(q / 2, abs=1e-14)
    assert ex.channel.heralded


def test_restrict_to_qubit_matches_restricted_kraus():
    rng = np.random.default_rng(3)
    ks = random_kraus(rng, 4, 3)
    sub = (3, 1)
    iota = np.zeros((4, 2), complex)
    iota[3, 0] = iota[1, 1] = 1.0
    expected = kraus_superop([iota.conj().T @ k @ iota for k in ks])
    np.testing.assert_allclose(restrict_to_qubit(kraus_superop(ks), sub), expected, atol=1e-14)


def test_stirap_like_three_level_transfer_is_an_x_gate_on_the_qubit():
    # |0⟩ → |2⟩, |2⟩ → −|0⟩ (dark-state sign) with level 1 untouched
    U = np.zeros((3, 3), complex)
    U[2, 0], U[0, 2], U[1, 1] = 1.0, -1.0, 1.0
    S = unitary_superop(U)
    raw = extract_channel(S, ideal=X, subspace=(0, 2))
    assert raw.channel.pz == pytest.approx(1.0, abs=1e-12)  # uncorrected sign = Z error
    frame = calibrate_frame(restrict_to_qubit(S, (0, 2)), ideal=X)
    ex = extract_channel(S, ideal=X, subspace=(0, 2), frame=frame)
    assert ex.channel.p_error < 1e-10
    assert ex.average_fidelity == pytest.approx(1.0, abs=1e-10)


# ----------------------------------------------------------------- frame calibration and drift


@settings(max_examples=20, deadline=None, derandomize=True, database=None)
@given(a=angles, b=angles, eps=st.floats(-0.5, 0.5))
def test_frame_calibration_cancels_phases_and_keeps_drift_visible(a, b, eps):
    S = unitary_superop(rz(a) @ X @ rz(b))
    frame = calibrate_frame(S, ideal=X)
    assert -math.pi <= frame.before <= math.pi and -math.pi <= frame.after <= math.pi
    ex = extract_channel(S, ideal=X, frame=frame)
    assert isinstance(ex, ExtractedChannel)
    assert ex.channel.p_error < 1e-10
    # the same frame on the drifted process: the drift shows up as pz, not re-fitted away
    drifted = extract_channel(unitary_superop(rz(a + eps) @ X @ rz(b)), ideal=X, frame=frame)
    assert_channel(drifted.channel, 0, 0, math.sin(eps / 2) ** 2, atol=1e-9)
    assert drifted.coherent_angle == pytest.approx(abs(eps), abs=1e-5)
    if abs(eps) > 1e-3:
        np.testing.assert_allclose(np.abs(drifted.coherent_axis), (0, 0, 1), atol=1e-6)


def test_frame_calibration_with_dark_state_sign():
    S = unitary_superop(np.diag([-1, 1]) @ X)
    assert extract_channel(S, ideal=X).channel.pz == pytest.approx(1.0, abs=1e-12)
    frame = calibrate_frame(S, ideal=X)
    assert extract_channel(S, ideal=X, frame=frame).channel.p_error < 1e-10


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frame_calibration_is_global_for_general_gate(seed):
    rng = np.random.default_rng(seed)
    ideal = rx(rng.uniform(0.3, 2.5)) @ rz(rng.uniform(-1, 1))
    a, b = rng.uniform(-math.pi, math.pi, size=2)
    noise = pauli_channel_superop(0.01, 0.02, 0.03)
    S = noise @ unitary_superop(rz(a) @ ideal @ rz(b))
    frame = calibrate_frame(S, ideal=ideal)
    best = extract_channel(S, ideal=ideal, frame=frame).average_fidelity
    # brute force over a grid never beats the calibrated frame
    grid = np.linspace(-math.pi, math.pi, 61)
    brute = max(extract_channel(S, ideal=ideal, frame=FrameCorrection(x, y)).average_fidelity
                for x in grid for y in grid)
    assert best >= brute - 1e-12
    assert extract_channel(S, ideal=ideal, frame=frame).channel.p_error == pytest.approx(
        0.06, abs=1e-9)


def test_error_process_composition_order():
    a, b = 0.3, -0.8
    S = unitary_superop(rz(0.5) @ X)
    frame = FrameCorrection(before=b, after=a)
    expected = unitary_superop(X.conj().T @ rz(a) @ rz(0.5) @ X @ rz(b))
    np.testing.assert_allclose(error_process(S, ideal=X, frame=frame), expected, atol=1e-14)
    np.testing.assert_allclose(error_process(S, ideal=X),
                               unitary_superop(X @ rz(0.5) @ X), atol=1e-14)


def test_extract_channel_does_not_refit_frame():
    # a process with a pure phase and no frame: the phase is reported, never silently absorbed
    ex = extract_channel(unitary_superop(rz(0.4) @ X), ideal=X)
    assert ex.channel.pz == pytest.approx(math.sin(0.2) ** 2, abs=1e-12)


# ----------------------------------------------------------------- bad inputs


def test_bad_inputs_raise_value_error():
    good = unitary_superop(X)
    with pytest.raises(ValueError, match=r"process: got shape \(3, 3\)"):
        pauli_twirl(np.eye(3))
    with pytest.raises(ValueError, match=r"process.*\(4, 4\)"):
        chi_matrix(np.eye(9))
    with pytest.raises(ValueError, match="non-finite"):
        pauli_transfer_matrix(np.full((4, 4), np.nan))
    with pytest.raises(ValueError, match=r"ideal: got shape \(3, 3\)"):
        extract_channel(good, ideal=np.eye(3))
    with pytest.raises(ValueError, match="ideal: must be unitary"):
        calibrate_frame(good, ideal=2 * X)
    with pytest.raises(ValueError, match="out of range"):
        restrict_to_qubit(np.eye(9), (0, 3))
    with pytest.raises(ValueError, match="distinct"):
        restrict_to_qubit(np.eye(9), (1, 1))
    with pytest.raises(ValueError, match=r"\(d², d²\)"):
        restrict_to_qubit(np.eye(5), (0, 1))
    with pytest.raises(ValueError, match="subspace"):
        extract_channel(np.eye(9), ideal=X)
    with pytest.raises(ValueError, match="empty"):
        kraus_superop([])
    with pytest.raises(ValueError, match=r"kraus\[1\]"):
        kraus_superop([I2, np.eye(3)])
    with pytest.raises(ValueError, match="gamma"):
        amplitude_damping(1.5)
    with pytest.raises(ValueError, match="lam"):
        phase_damping(float("nan"))
    with pytest.raises(ValueError, match="theta"):
        rz(float("inf"))
    with pytest.raises(ValueError, match="before"):
        FrameCorrection(before=float("nan"), after=0.0)
    with pytest.raises(ValueError, match=r"U: got shape"):
        twirl_unitary(np.eye(3))


def test_channel_type_and_identity():
    ex = extract_channel(unitary_superop(X), ideal=X)
    assert isinstance(ex.channel, Channel)
    assert ex.channel == Channel(0.0, 0.0, 0.0, 0.0, False)
    assert ex.average_fidelity == pytest.approx(1.0)
    assert ex.coherent_angle == 0.0
