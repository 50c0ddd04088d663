"""Two-qubit Pauli channels: twirls of known processes against their closed forms."""

import math

import numpy as np
import pytest

from physics.channel import Channel
from physics.extraction import kraus_superop, unitary_superop
from physics.pauli2 import PAULI2_LABELS, TwoQubitChannel, pauli2_matrix, twirl_two_qubit

CX = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=complex)
ZZ = pauli2_matrix("ZZ")


def _rot(pauli: np.ndarray, theta: float) -> np.ndarray:
    return math.cos(theta / 2) * np.eye(4) - 1j * math.sin(theta / 2) * pauli


@pytest.mark.parametrize("theta", [0.05, 0.4, 1.3])
def test_cnot_with_zz_over_rotation_twirls_to_its_closed_form(theta):
    """CX followed by exp(−iθZZ/2), relative to CX: the error is CX†·ZZ-rotation·CX, a rotation
    about CX†(ZZ)CX = IZ... checked both ways round: a ZZ over-rotation *before* the CX is a
    ZZ-rotation error conjugated through the gate."""
    # over-rotation after the gate: error E = exp(-iθ ZZ/2) applied after CX → p_ZZ = sin²(θ/2)
    after = unitary_superop(CX.conj().T) @ unitary_superop(_rot(ZZ, theta) @ CX)
    ch = twirl_two_qubit(after)
    # CX† ZZ CX = I⊗Z (control Z cancels): the error in the gate's input frame is IZ
    assert ch.prob("IZ") == pytest.approx(math.sin(theta / 2) ** 2, abs=1e-12)
    assert ch.prob("II") == pytest.approx(math.cos(theta / 2) ** 2, abs=1e-12)
    # the same over-rotation as an error after the gate (error frame = output frame)
    ch_out = twirl_two_qubit(unitary_superop(_rot(ZZ, theta)))
    assert ch_out.prob("ZZ") == pytest.approx(math.sin(theta / 2) ** 2, abs=1e-12)
    assert ch_out.p_loss == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("p", [0.0, 0.01, 0.3])
def test_correlated_dephasing_twirls_to_p_zz(p):
    kraus = [math.sqrt(1 - p) * np.eye(4), math.sqrt(p) * ZZ]
    ch = twirl_two_qubit(kraus_superop(kraus))
    assert ch.prob("ZZ") == pytest.approx(p, abs=1e-12)
    assert ch.prob("II") == pytest.approx(1 - p, abs=1e-12)
    assert ch.marginal(0).pz == pytest.approx(p) and ch.marginal(1).pz == pytest.approx(p)
    # perfectly correlated: the pair fails together, unlike two independent dephasings
    assert ch.correlation == pytest.approx(p - p * p)


def test_independent_channels_are_a_product_and_uncorrelated():
    a, b = Channel(0.01, 0.002, 0.03), Channel(0.0, 0.004, 0.02)
    ka = [math.sqrt(a.p_identity) * np.eye(2)] + [math.sqrt(q) * m for q, m in (
        (a.px, np.array([[0, 1], [1, 0]])), (a.py, np.array([[0, -1j], [1j, 0]])),
        (a.pz, np.diag([1, -1])))]
    kb = [math.sqrt(b.p_identity) * np.eye(2)] + [math.sqrt(q) * m for q, m in (
        (b.px, np.array([[0, 1], [1, 0]])), (b.py, np.array([[0, -1j], [1j, 0]])),
        (b.pz, np.diag([1, -1])))]
    joint = [np.kron(x, y) for x in ka for y in kb]
    ch = twirl_two_qubit(kraus_superop(joint))
    prod = TwoQubitChannel.product(a, b)
    np.testing.assert_allclose(ch.probs, prod.probs, atol=1e-12)
    assert abs(ch.correlation) < 1e-12
    m0 = ch.marginal(0)
    assert (m0.px, m0.py, m0.pz) == pytest.approx((a.px, a.py, a.pz))


def test_composition_matches_superoperator_product():
    rng = np.random.default_rng(7)
    chans = []
    for _ in range(2):
        w = rng.random(16) ** 3
        w[0] += 10
        chans.append(TwoQubitChannel(tuple(w / w.sum())))

    def superop(ch):
        return sum(p * unitary_superop(pauli2_matrix(k)) for k, p in
                   zip(PAULI2_LABELS, ch.probs, strict=True))

    composed = twirl_two_qubit(superop(chans[1]) @ superop(chans[0]))
    np.testing.assert_allclose(chans[0].then(chans[1]).probs, composed.probs, atol=1e-12)


def test_trace_decreasing_process_twirls_to_joint_loss_and_hadamard_swaps_x_z_on_b():
    ch = twirl_two_qubit(0.9 * unitary_superop(_rot(pauli2_matrix("ZX"), 0.2)), heralded=True)
    assert ch.p_loss == pytest.approx(0.1) and ch.heralded
    assert ch.prob("ZX") == pytest.approx(0.9 * math.sin(0.1) ** 2)
    swapped = ch.conjugated_by_hadamard_on_b()
    assert swapped.prob("ZZ") == pytest.approx(ch.prob("ZX")) and swapped.prob("ZX") == 0.0


def test_bad_channels_are_refused():
    with pytest.raises(ValueError, match="16"):
        TwoQubitChannel((1.0,))
    with pytest.raises(ValueError, match="must be 1"):
        TwoQubitChannel((0.5,) + (0.0,) * 15)
    with pytest.raises(ValueError, match="XQ"):
        TwoQubitChannel.from_paulis({"XQ": 0.1})
