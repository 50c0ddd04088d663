"""Tests for physics.gkp: square GKP qubit error probabilities."""

import math

import numpy as np
import pytest
from scipy import integrate

from physics.gkp import GKPQubit, gkp_channel, gkp_error_probability, gkp_sigma

SQRT_PI = math.sqrt(math.pi)


@pytest.mark.parametrize("db", [3.0, 6.0, 10.0, 12.5, 20.0])
def test_sigma_from_squeezing_closed_form(db):
    assert gkp_sigma(GKPQubit(db)) == pytest.approx(math.sqrt(10 ** (-db / 10) / 2))


def test_sigma_reference_values():
    assert gkp_sigma(GKPQubit(10.0)) == pytest.approx(math.sqrt(0.05))
    # 10·log10(2) dB squeezing halves the vacuum variance ½ → ¼
    assert gkp_sigma(GKPQubit(10 * math.log10(2))) == pytest.approx(0.5)


@pytest.mark.parametrize("loss", [0.01, 0.05, 0.2])
def test_loss_adds_variance(loss):
    g0, g = GKPQubit(10.0), GKPQubit(10.0, loss=loss)
    assert gkp_sigma(g) > gkp_sigma(g0)
    assert gkp_sigma(g) ** 2 == pytest.approx(gkp_sigma(g0) ** 2 + loss)
    assert gkp_channel(g).p_pauli > gkp_channel(g0).p_pauli


@pytest.mark.parametrize("sigma", [0.1, 0.15, 0.2, 0.25])
def test_small_sigma_matches_erfc_single_wrap(sigma):
    single = math.erfc(SQRT_PI / (2 * math.sqrt(2) * sigma))
    assert gkp_error_probability(sigma) == pytest.approx(single, rel=1e-6)
    assert gkp_error_probability(sigma, n_wraps=1) == pytest.approx(single, rel=1e-6)


def _brute_force(sigma):
    def dens(u):
        return math.exp(-u * u / (2 * sigma * sigma)) / (sigma * math.sqrt(2 * math.pi))

    total = 0.0
    k_max = int(12 * sigma / SQRT_PI) + 3
    for k in range(-k_max, k_max + 1):
        lo, hi = (2 * k + 0.5) * SQRT_PI, (2 * k + 1.5) * SQRT_PI
        total += integrate.quad(dens, lo, hi, epsabs=1e-14, epsrel=1e-12)[0]
    return total


@pytest.mark.parametrize("sigma", [0.3, 0.5, 0.8, 1.0, 1.3, 2.0])
def test_sum_over_wraps_matches_numeric_integral(sigma):
    assert gkp_error_probability(sigma) == pytest.approx(_brute_force(sigma), abs=1e-10)
    assert gkp_error_probability(sigma, n_wraps=40) == pytest.approx(_brute_force(sigma),
                                                                     abs=1e-10)


def test_wraps_matter_at_large_sigma():
    # at σ = 1 the next odd bins (|u| > 2.5√π ≈ 4.4σ) barely matter; at σ = 2 they do
    assert gkp_error_probability(1.0, n_wraps=1) == pytest.approx(gkp_error_probability(1.0),
                                                                  abs=1e-4)
    assert gkp_error_probability(2.0, n_wraps=1) < gkp_error_probability(2.0) - 0.02
    assert gkp_error_probability(2.0, n_wraps=2) < gkp_error_probability(2.0)


def test_tends_to_half_and_is_monotonic():
    sig = np.linspace(0.01, 5.0, 400)
    p = np.array([gkp_error_probability(float(s)) for s in sig])
    assert np.all(np.diff(p) >= -1e-15)
    assert np.all((p >= 0) & (p <= 0.5))
    assert gkp_error_probability(3.0) == pytest.approx(0.5, abs=1e-5)
    assert gkp_error_probability(50.0) == pytest.approx(0.5, abs=1e-12)
    assert gkp_error_probability(0.0) == 0.0


def test_channel_bounds_and_structure():
    for db in [2.0, 6.0, 10.0, 15.0]:
        ch = gkp_channel(GKPQubit(db, loss=0.02))
        p = gkp_error_probability(gkp_sigma(GKPQubit(db, loss=0.02)))
        assert ch.px == pytest.approx(p * (1 - p))
        assert ch.pz == pytest.approx(p * (1 - p))
        assert ch.py == pytest.approx(p * p)
        assert 0 <= ch.p_pauli <= 0.75
        assert ch.p_loss == 0.0
    assert gkp_channel(GKPQubit(20.0)).p_pauli < 1e-15


def test_more_squeezing_fewer_errors():
    ps = [gkp_channel(GKPQubit(db)).p_pauli for db in (6.0, 8.0, 10.0, 12.0)]
    assert all(a > b for a, b in zip(ps, ps[1:], strict=False))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"squeezing_db": 0.0}, "squeezing_db"), ({"squeezing_db": float("inf")}, "squeezing_db"),
     ({"loss": 1.0}, "loss"), ({"loss": -0.1}, "loss")],
)
def test_validation(kwargs, field):
    args = {"squeezing_db": 10.0} | kwargs
    with pytest.raises(ValueError, match=field):
        GKPQubit(**args)


def test_error_probability_validation():
    with pytest.raises(ValueError, match="sigma"):
        gkp_error_probability(-0.1)
    with pytest.raises(ValueError, match="n_wraps"):
        gkp_error_probability(0.3, n_wraps=0)
