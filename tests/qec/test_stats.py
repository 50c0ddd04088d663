"""Statistics helpers: per-round conversion, intervals, Λ fit, threshold crossing."""

import math

import numpy as np
import pytest

from qec.stats import fit_suppression, logical_rate, per_round, threshold_crossing


def test_per_round_compounds_back_to_per_shot():
    eps = per_round(0.1, 10)
    # probability of an odd number of flips in 10 independent rounds of probability eps
    assert (1 - (1 - 2 * eps) ** 10) / 2 == pytest.approx(0.1, rel=1e-12)
    assert per_round(0.2, 1) == 0.2
    assert per_round(0.7, 5) == 0.5


def test_wilson_interval_covers_truth_at_the_stated_rate():
    rng = np.random.default_rng(7)
    p, shots, hits = 0.03, 2000, 0
    for _ in range(400):
        k = int(rng.binomial(shots, p))
        lo, hi = logical_rate(shots=shots, errors=k, rounds=1).per_shot_ci
        hits += lo <= p <= hi
    assert 0.92 <= hits / 400 <= 0.98


def test_rate_intervals_map_to_rounds_monotonically():
    r = logical_rate(shots=10_000, errors=50, rounds=5)
    assert r.per_round_ci[0] < r.per_round < r.per_round_ci[1]
    assert r.per_round == pytest.approx(per_round(0.005, 5))
    with pytest.raises(ValueError, match="errors = 11"):
        logical_rate(shots=10, errors=11, rounds=1)
    assert math.isnan(logical_rate(shots=0, errors=0, rounds=3).per_shot)


def test_suppression_fit_recovers_lambda_and_projects_distance():
    lam, a = 4.0, 0.1
    ds = [3, 5, 7]
    fit = fit_suppression(ds, [a / lam ** ((d + 1) / 2) for d in ds])
    assert fit.lam == pytest.approx(lam, rel=1e-9)
    assert fit.prefactor == pytest.approx(a, rel=1e-9)
    d = fit.distance_for(1e-9)
    assert fit.predict(d) <= 1e-9 < fit.predict(d - 2)
    assert fit_suppression([3], [1e-3]) is None
    above = fit_suppression([3, 5], [0.01, 0.02])
    assert above.lam < 1 and above.distance_for(1e-9) is None


def test_threshold_crossing_of_power_laws():
    ps = np.geomspace(0.001, 0.1, 30)
    pth = 0.0103
    low = (ps / pth) ** 2 * 0.05   # d = 3: ~ (p/pth)^2
    high = (ps / pth) ** 3 * 0.05  # d = 5: ~ (p/pth)^3, crosses at pth
    assert threshold_crossing(ps, low, high) == pytest.approx(pth, rel=1e-6)
    assert threshold_crossing(ps[:5], low[:5], high[:5]) is None
