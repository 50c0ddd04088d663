"""Tests for physics.cat: dissipative cat-qubit rates from the Lindblad model."""

import math

import numpy as np
import pytest
import qutip

from physics.cat import (
    CatQubit,
    CatRates,
    auto_fock,
    cat_channel,
    cat_liouvillian,
    cat_rates,
    cat_readout_errors,
    flip_probability,
    homodyne_error,
    min_fock,
)

KAPPA2 = 1.0


@pytest.mark.parametrize("ratio", [1e-3, 1e-2])
@pytest.mark.parametrize("alpha_sq", [1.0, 2.0, 4.0, 6.0])
def test_phase_flip_rate_is_kappa1_alpha_sq(ratio, alpha_sq):
    cat = CatQubit(alpha_sq, KAPPA2, ratio * KAPPA2)
    gz = cat_rates(cat).phase_flip_rate
    assert gz == pytest.approx(ratio * KAPPA2 * alpha_sq, rel=0.10)


@pytest.mark.parametrize("alpha_sq", [2.0, 4.0, 6.0])
def test_phase_flip_rate_with_thermal_photons(alpha_sq):
    n_th, k1 = 0.1, 1e-3
    gz = cat_rates(CatQubit(alpha_sq, KAPPA2, k1, n_th=n_th)).phase_flip_rate
    assert gz == pytest.approx(k1 * (1 + 2 * n_th) * alpha_sq, rel=0.10)


def test_dephasing_does_not_flip_parity_to_first_order():
    # a†a commutes with parity: kappa_phi adds bit flips, leaves Γ_Z ≈ κ1|α|²
    base = cat_rates(CatQubit(4.0, KAPPA2, 1e-3))
    deph = cat_rates(CatQubit(4.0, KAPPA2, 1e-3, kappa_phi=1e-3))
    assert deph.phase_flip_rate == pytest.approx(base.phase_flip_rate, rel=0.01)
    assert deph.bit_flip_rate > 100 * base.bit_flip_rate


def _slope(alpha_sqs, rates):
    return np.polyfit(alpha_sqs, np.log(rates), 1)[0]


def test_bit_flip_falls_as_exp_minus_2_alpha_sq_with_thermal_photons():
    a2 = np.arange(4.0, 9.0)
    rates = np.array([cat_rates(CatQubit(x, KAPPA2, 1e-3, n_th=0.05)).bit_flip_rate
                      for x in a2])
    assert np.all(rates > 0)
    slope = _slope(a2, rates)
    # observed: −2.00 (log-ratios 2.12, 2.02, 2.00, 2.00, 2.00 from |α|² = 3)
    assert -2.15 < slope < -1.85
    steps = -np.diff(np.log(rates))
    assert np.all((steps > 1.9) & (steps < 2.2))


def test_bit_flip_falls_exponentially_with_dephasing():
    a2 = np.arange(4.0, 9.0)
    rates = np.array([cat_rates(CatQubit(x, KAPPA2, 1e-3, kappa_phi=1e-3)).bit_flip_rate
                      for x in a2])
    slope = _slope(a2, rates)
    # observed ≈ −1.8: Γ_X ∝ |α|² exp(−2|α|²), local slope −2 + 1/|α|²
    assert -2.1 < slope < -1.6
    corrected = _slope(a2, rates / a2)
    assert corrected == pytest.approx(-2.0, abs=0.12)
    steps = -np.diff(np.log(rates))
    assert np.all(np.diff(steps) > -0.05)  # consistent, slowly approaching 2
    assert np.all((steps > 1.6) & (steps < 2.1))


def test_bit_flip_faster_than_exp_minus_2_under_pure_loss():
    a2 = np.arange(2.0, 7.0)
    rates = np.array([cat_rates(CatQubit(x, KAPPA2, 1e-3)).bit_flip_rate for x in a2])
    assert np.all(np.diff(rates) < 0)
    assert _slope(a2, rates) < -2.5  # observed ≈ −3.0


def test_no_single_photon_noise_no_flips():
    r = cat_rates(CatQubit(2.0, KAPPA2, 0.0))
    assert r.bit_flip_rate < 1e-12 and r.phase_flip_rate < 1e-12
    deph = cat_rates(CatQubit(2.0, KAPPA2, 0.0, kappa_phi=1e-3))
    assert deph.phase_flip_rate < 1e-12 < deph.bit_flip_rate


def test_bit_flip_rate_grows_with_noise():
    base = cat_rates(CatQubit(3.0, KAPPA2, 1e-3)).bit_flip_rate
    hot = cat_rates(CatQubit(3.0, KAPPA2, 1e-3, n_th=0.1)).bit_flip_rate
    lossy = cat_rates(CatQubit(3.0, KAPPA2, 1e-2)).bit_flip_rate
    assert hot > base
    assert lossy > base


@pytest.mark.parametrize("kw", [{"n_th": 0.05}, {"kappa_phi": 1e-3}, {}])
@pytest.mark.parametrize("alpha_sq", [2.0, 5.0])
def test_automatic_truncation_converged(alpha_sq, kw):
    cat = CatQubit(alpha_sq, KAPPA2, 1e-3, **kw)
    assert cat.dim == auto_fock(alpha_sq)
    r = cat_rates(cat)
    r_big = cat_rates(CatQubit(alpha_sq, KAPPA2, 1e-3, n_fock=cat.dim + 10, **kw))
    assert r_big.bit_flip_rate == pytest.approx(r.bit_flip_rate, rel=0.01)
    assert r_big.phase_flip_rate == pytest.approx(r.phase_flip_rate, rel=0.01)


def test_minimum_truncation_enough_for_phase_flips():
    cat = CatQubit(4.0, KAPPA2, 1e-3, n_fock=min_fock(4.0))
    ref = cat_rates(CatQubit(4.0, KAPPA2, 1e-3))
    assert cat_rates(cat).phase_flip_rate == pytest.approx(ref.phase_flip_rate, rel=1e-3)


def test_too_small_truncation_raises():
    need = min_fock(6.0)
    assert need == math.ceil(6.0 + 6 * math.sqrt(6.0) + 8)
    with pytest.raises(ValueError, match=rf"n_fock = {need - 1}.*alpha_sq = 6.0.*>= {need}"):
        CatQubit(6.0, KAPPA2, 1e-3, n_fock=need - 1)
    CatQubit(6.0, KAPPA2, 1e-3, n_fock=need)  # accepted


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"alpha_sq": 0.0}, "alpha_sq"),
        ({"alpha_sq": float("nan")}, "alpha_sq"),
        ({"kappa2": 0.0}, "kappa2"),
        ({"kappa1": -1e-3}, "kappa1"),
        ({"kappa_phi": -1.0}, "kappa_phi"),
        ({"n_th": -0.1}, "n_th"),
        ({"n_fock": 30.5}, "n_fock"),
        ({"readout_efficiency": 0.0}, "readout_efficiency"),
        ({"readout_efficiency": 1.5}, "readout_efficiency"),
        ({"readout_time": -1.0}, "readout_time"),
        ({"readout_time": float("inf")}, "readout_time"),
    ],
)
def test_validation(kwargs, field):
    args = {"alpha_sq": 2.0, "kappa2": 1.0, "kappa1": 1e-3} | kwargs
    with pytest.raises(ValueError, match=field):
        CatQubit(**args)


def test_unknown_method_lists_allowed():
    with pytest.raises(ValueError, match="liouvillian, evolution"):
        cat_rates(CatQubit(2.0, KAPPA2, 1e-3), method="magic")


def test_liouvillian_matches_qutip_and_conserves_parity_of_m_plus_n():
    cat = CatQubit(1.5, KAPPA2, 0.02, kappa_phi=0.01, n_th=0.1)
    n = cat.dim
    a = qutip.destroy(n)
    c_ops = [math.sqrt(cat.kappa2) * (a * a - cat.alpha_sq * qutip.qeye(n)),
             math.sqrt(cat.kappa1 * (1 + cat.n_th)) * a,
             math.sqrt(cat.kappa1 * cat.n_th) * a.dag(),
             math.sqrt(cat.kappa_phi) * a.dag() * a]
    ref = qutip.liouvillian(0 * a, c_ops).full()
    lv = cat_liouvillian(cat).toarray()
    assert np.allclose(lv, ref, atol=1e-12)
    idx = np.arange(n * n)
    par = (idx % n + idx // n) % 2
    assert np.all(lv[np.ix_(par == 0, par == 1)] == 0)
    assert np.all(lv[np.ix_(par == 1, par == 0)] == 0)
    # trace preservation: vec(I)ᵀ L = 0
    assert np.allclose(np.eye(n).ravel(order="F") @ lv, 0, atol=1e-10)


@pytest.mark.parametrize(
    "cat",
    [CatQubit(2.0, KAPPA2, 1e-2, n_th=0.1), CatQubit(1.5, KAPPA2, 1e-2, kappa_phi=5e-3)],
)
def test_evolution_method_agrees_with_liouvillian(cat):
    lv = cat_rates(cat)
    ev = cat_rates(cat, method="evolution")
    assert ev.method == "evolution" and lv.method == "liouvillian"
    assert ev.bit_flip_rate == pytest.approx(lv.bit_flip_rate, rel=1e-4)
    assert ev.phase_flip_rate == pytest.approx(lv.phase_flip_rate, rel=1e-4)


def test_flip_probability():
    assert flip_probability(0.0, 5.0) == 0.0
    assert flip_probability(1.0, 0.0) == 0.0
    assert flip_probability(0.3, 2.0) == pytest.approx((1 - math.exp(-1.2)) / 2)
    assert flip_probability(1e-12, 1.0) == pytest.approx(1e-12, rel=1e-9)
    assert flip_probability(100.0, 100.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="rate"):
        flip_probability(-1.0, 1.0)
    with pytest.raises(ValueError, match="duration"):
        flip_probability(1.0, -1.0)


def test_cat_channel():
    cat = CatQubit(2.0, KAPPA2, 1e-2, n_th=0.1)
    r = cat_rates(cat)
    assert isinstance(r, CatRates)
    t = 1.0
    ch = cat_channel(cat, duration=t)
    p_x, p_z = flip_probability(r.bit_flip_rate, t), flip_probability(r.phase_flip_rate, t)
    assert ch.px == pytest.approx(p_x * (1 - p_z))
    assert ch.pz == pytest.approx(p_z * (1 - p_x))
    assert ch.py == pytest.approx(p_x * p_z)
    assert ch.p_loss == 0.0
    assert ch.pz > 100 * ch.px  # biased noise
    assert cat_channel(cat, duration=0.0).p_error == 0.0
    long = cat_channel(cat, duration=1e3)
    assert long.pz <= 0.5 and long.pz > ch.pz
    with pytest.raises(ValueError, match="duration"):
        cat_channel(cat, duration=-1.0)


def test_homodyne_error_is_the_gaussian_overlap():
    # x-quadrature Gaussians of variance 1/2 centred on ±√(2η)·α: P(x < 0 | +α)
    for alpha_sq, eta in ((8.0, 0.5), (2.0, 1.0), (4.0, 0.3)):
        mu, sigma = math.sqrt(2 * eta * alpha_sq), math.sqrt(0.5)
        overlap = 0.5 * (1 + math.erf((0 - mu) / (sigma * math.sqrt(2))))
        assert homodyne_error(alpha_sq, eta) == pytest.approx(overlap, rel=1e-12)
    assert homodyne_error(0.0, 0.5) == 0.5
    assert homodyne_error(8.0, 0.5) == pytest.approx(3.167e-5, rel=1e-3)
    with pytest.raises(ValueError, match="efficiency"):
        homodyne_error(8.0, 1.1)


def test_cat_readout_errors():
    cat = CatQubit(alpha_sq=8.0, kappa2=10.0, kappa1=1e-3, n_th=0.01, readout_efficiency=0.5,
                   readout_time=0.5)
    r = cat_rates(cat)
    p_z, p_x = cat_readout_errors(cat)
    hom, bit = homodyne_error(8.0, 0.5), flip_probability(r.bit_flip_rate, 0.5)
    assert p_z == pytest.approx(hom + bit - 2 * hom * bit, rel=1e-12)
    assert p_x == pytest.approx(flip_probability(r.phase_flip_rate, 0.5), rel=1e-12)
    assert p_x == pytest.approx(0.5 * (1 - math.exp(-2 * 1e-3 * 8 * 1.02 * 0.5)), rel=0.02)
    assert p_z < 1e-4 < p_x  # biased readout too
    instant = CatQubit(alpha_sq=8.0, kappa2=10.0, kappa1=1e-3, readout_time=0.0)
    assert cat_readout_errors(instant)[1] == 0.0
