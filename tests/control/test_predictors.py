"""Predictors and burst detection (control.predictors), on closed forms and built-in drifts.

The drift series come from the built-in scenarios' processes (``twin.drift``, used here only
to generate realistic test data; ``control`` itself never imports ``twin``), sampled at the
scenarios' 10 s windows and observed with Gaussian noise of 10 % of the drift's
peak-to-peak scale (ramp: its excursion; OU: 4σ; sinusoid: 2·amplitude; telegraph and burst:
|amplitude|; summed over the processes on the parameter). That gives 0.026 rad/µs on
laser-drift's detuning, 0.016 rad/µs on mixed-drift's, 0.03 on its intensity and 0.94 rad/µs
on its cavity κ.

Measured one-step RMSE ratios vs persistence (12 seeds, burn-in 5 windows; mean, seeds < 1):

==========================  ===========  ==========================  ======================
series (windows)            KalmanTrend  MLPredictor (run length)    MLPredictor (120 windows)
==========================  ===========  ==========================  ======================
laser-drift detuning (40)   0.919 11/12  0.983                       0.966 11/12
mixed-drift detuning (50)   0.945 11/12  1.012                       1.005  5/12
mixed-drift intensity (50)  0.947 11/12  (not asserted)              (not asserted)
mixed-drift cavity κ (50)   0.960 11/12  (not asserted)              (not asserted)
==========================  ===========  ==========================  ======================

CUSUM (k = 0.5, h = 5, 5-value warm-up): +3σ step flagged after a median 1 sample (90 %: 2);
false alarm in 50 quiet samples on 33/200 seeds (8/200 with a 20-value warm-up).
"""

from __future__ import annotations

import json
import math
import pickle
import tomllib

import numpy as np
import pytest
from scipy.linalg import solve_discrete_are

from control.predictors import Cusum, KalmanTrend, MLPredictor, Persistence, one_step_rmse
from scenarios import scenario_path
from twin.device.drift import make_process, sample_path

SEEDS = range(12)

_P2P = {"ramp": lambda p: p.scale, "ou": lambda p: 4.0 * p.sigma,
        "sinusoid": lambda p: 2.0 * p.scale, "telegraph": lambda p: p.scale,
        "burst": lambda p: p.scale, "random-walk": lambda p: p.scale}


def scenario_series(name: str, parameter: str, seed: int, *, windows: int | None = None,
                    rel_noise: float = 0.1) -> tuple[np.ndarray, np.ndarray, float]:
    """(truth, noisy observation, noise std) of one drifting parameter, one value per window."""
    with open(scenario_path(name), "rb") as f:
        sc = tomllib.load(f)
    n = windows or sc["windows"]
    times = sc["window_seconds"] * np.arange(1, n + 1)
    truth = np.zeros(n)
    scale = 0.0
    drifts = [d for d in sc["drift"] if d["parameter"] == parameter]
    assert drifts, (name, parameter)
    for i, d in enumerate(drifts):
        params = {k: v for k, v in d.items() if k not in ("parameter", "process", "grid_step")}
        proc = make_process(d["process"], params)
        scale += _P2P[d["process"]](proc)
        truth += sample_path(proc, times, seed=1000 * seed + i)
    noise = rel_noise * scale
    rng = np.random.default_rng(10_000 + seed)
    return truth, truth + noise * rng.standard_normal(n), noise


# Kalman settings per series (documented in KalmanTrend's tuning notes): detuning OU jitter
# σ = 0.04 rad/µs with τ = 5-6 windows → level noise ≈ σ·sqrt(2/τ) ≈ 0.02; the intensity
# sinusoid is smooth (slope changes by ≤ A(2π/30)² ≈ 0.007 per window); κ is a telegraph
# (constant between switches, jump gate on).
KALMAN = {
    ("laser-drift", "laser.detuning_2ph"): dict(level_noise=0.02, slope_noise=0.0003,
                                                slope_prior=0.003),
    ("mixed-drift", "laser.detuning_2ph"): dict(level_noise=0.02, slope_noise=0.0003,
                                                slope_prior=0.003),
    ("mixed-drift", "laser.intensity"): dict(level_noise=0.003, slope_noise=0.01),
    ("mixed-drift", "cavity.kappa"): dict(level_noise=0.003, slope_noise=0.0,
                                          slope_prior=0.003, jump_gate=3.0),
}


def ratios(factory_of_noise, name, parameter, *, windows=None):
    out = []
    for seed in SEEDS:
        _, y, noise = scenario_series(name, parameter, seed, windows=windows)
        out.append(one_step_rmse(factory_of_noise(noise), y) / one_step_rmse(Persistence, y))
    return np.array(out)


# ---------------------------------------------------------------- KalmanTrend


def test_kalman_noiseless_ramp_converges_to_slope_and_predicts_exactly():
    kt = KalmanTrend(level_noise=1e-3, slope_noise=1e-4, obs_noise=1e-3)
    ys = 0.3 + 0.0025 * np.arange(30)
    for y in ys:
        kt.update(y)
    assert kt.slope == pytest.approx(0.0025, abs=1e-7)
    assert kt.level == pytest.approx(ys[-1], abs=1e-7)
    for h in (1, 5, 20):
        assert kt.predict(h) == pytest.approx(ys[-1] + 0.0025 * h, abs=1e-6)
    # with zero process noise after two points already (diffuse start = exact line)
    kt0 = KalmanTrend(level_noise=0.0, slope_noise=0.0, obs_noise=1e-6)
    kt0.update(1.0)
    kt0.update(1.5)
    assert kt0.predict(2) == pytest.approx(2.5, abs=1e-5)


def test_kalman_noisy_constant_variance_shrinks_to_closed_forms():
    sigma = 0.1
    rng = np.random.default_rng(5)
    # no process noise: the filter is least squares on a line, whose end-point variance is
    # σ²·2(2n−1)/(n(n+1)); it decreases monotonically.
    kt = KalmanTrend(level_noise=0.0, slope_noise=0.0, obs_noise=sigma)
    variances = []
    for n in range(1, 60):
        kt.update(1.0 + sigma * rng.standard_normal())
        variances.append(kt.variance)
        if n >= 2:
            exact = sigma ** 2 * 2 * (2 * n - 1) / (n * (n + 1))
            assert kt.variance == pytest.approx(exact, rel=1e-4)
    assert all(b <= a * (1 + 1e-9) for a, b in zip(variances, variances[1:], strict=False))
    assert abs(kt.level - 1.0) < 4 * math.sqrt(kt.variance)
    # with process noise: converges to the Riccati steady state
    ql, qs = 0.02, 0.002
    kt = KalmanTrend(level_noise=ql, slope_noise=qs, obs_noise=sigma)
    variances = []
    for _ in range(200):
        kt.update(1.0 + sigma * rng.standard_normal())
        variances.append(kt.variance)
    F = np.array([[1.0, 1.0], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    P_pred = solve_discrete_are(F.T, H.T, np.diag([ql ** 2, qs ** 2]), np.array([[sigma ** 2]]))
    P_filt = P_pred - P_pred @ H.T @ H @ P_pred / (P_pred[0, 0] + sigma ** 2)
    assert kt.variance == pytest.approx(P_filt[0, 0], rel=1e-6)
    assert kt.covariance == pytest.approx(P_filt, rel=1e-6)
    assert all(b <= a * (1 + 1e-9) for a, b in zip(variances[1:], variances[2:], strict=False))


def test_kalman_missing_observations_widen_variance():
    kt = KalmanTrend(level_noise=0.01, slope_noise=0.001, obs_noise=0.05)
    for i in range(20):
        kt.update(0.01 * i)
    v = [kt.variance]
    for _ in range(3):
        kt.update(math.nan)
        v.append(kt.variance)
    assert v[0] < v[1] < v[2] < v[3]
    # the state was propagated along the trend
    assert kt.level == pytest.approx(0.01 * 22, abs=0.03)
    assert kt.n_updates == 23
    # a precise measurement narrows it again; a per-update noise is honoured
    kt.update(0.22, obs_noise=1e-4)
    assert kt.variance < 1e-7
    # forecast variance grows with the horizon
    fv = [kt.forecast_variance(h) for h in range(5)]
    assert fv == sorted(fv)
    assert fv[0] == pytest.approx(kt.variance)


def test_kalman_before_data_and_with_initial():
    kt = KalmanTrend(level_noise=0.01, slope_noise=0.001, obs_noise=0.05)
    assert math.isnan(kt.predict()) and math.isinf(kt.variance)
    kt.update(math.nan)  # nothing to propagate yet
    assert math.isnan(kt.level)
    kt = KalmanTrend(level_noise=0.01, slope_noise=0.001, obs_noise=0.05, initial=0.0)
    assert kt.predict(3) == 0.0 and kt.variance == pytest.approx(0.05 ** 2)
    with pytest.raises(ValueError, match="level_noise"):
        KalmanTrend(level_noise=-1.0, slope_noise=0.0, obs_noise=0.1)
    with pytest.raises(ValueError, match="steps"):
        kt.predict(-1)


def test_kalman_jump_gate_follows_a_step():
    rng = np.random.default_rng(2)
    ys = np.r_[np.zeros(20), np.full(10, 10.0)] + 0.5 * rng.standard_normal(30)
    gated = KalmanTrend(level_noise=0.01, slope_noise=0.0, obs_noise=0.5, jump_gate=4.0)
    plain = KalmanTrend(level_noise=0.01, slope_noise=0.0, obs_noise=0.5)
    for y in ys[:21]:
        gated.update(y)
        plain.update(y)
    assert gated.n_jumps == 1
    assert abs(gated.level - 10.0) < 1.5
    assert abs(plain.level - 10.0) > 5.0


def test_kalman_state_round_trip():
    kt = KalmanTrend(level_noise=0.02, slope_noise=0.001, obs_noise=0.03, slope_prior=0.01,
                     jump_gate=4.0)
    rng = np.random.default_rng(0)
    for i in range(15):
        kt.update(0.002 * i + 0.03 * rng.standard_normal())
    st = kt.state()
    restored = KalmanTrend.from_state(json.loads(json.dumps(st)))
    pickled = pickle.loads(pickle.dumps(kt))
    assert restored.state() == st
    for y in (0.05, math.nan, 0.04):
        for other in (kt, restored, pickled):
            other.update(y)
        assert restored.state() == kt.state() == pickled.state()
    assert restored.predict(4) == kt.predict(4)


# ---------------------------------------------------------------- vs persistence


@pytest.mark.parametrize(("name", "parameter"), list(KALMAN))
def test_kalman_beats_persistence_on_builtin_drifts(name, parameter):
    cfg = KALMAN[(name, parameter)]
    r = ratios(lambda noise: lambda: KalmanTrend(obs_noise=noise, **cfg), name, parameter)
    print(f"{name} {parameter}: Kalman/persistence RMSE {np.round(r, 3)} mean {r.mean():.3f}")
    assert r.mean() < 0.98
    assert np.sum(r < 1.0) >= 0.75 * len(r)


@pytest.mark.parametrize(("name", "parameter"), [("laser-drift", "laser.detuning_2ph"),
                                                 ("mixed-drift", "laser.detuning_2ph")])
def test_ml_vs_persistence(name, parameter):
    # 120 windows (1200 s): the learned model needs ~100 windows of history; the laser ramp
    # holds after 400 s. On the scenarios' own 40-50 windows it is level with persistence.
    r = ratios(lambda noise: MLPredictor, name, parameter, windows=120)
    print(f"{name} {parameter} (120 windows): ML/persistence RMSE {np.round(r, 3)} "
          f"mean {r.mean():.3f}")
    if name == "laser-drift":  # ramp + OU: the learned model finds the trend
        assert r.mean() < 0.98
        assert np.sum(r < 1.0) >= 0.75 * len(r)
    else:  # pure OU with little noise: persistence is near-optimal for any model here
        assert r.mean() < 1.03
    short = ratios(lambda noise: MLPredictor, name, parameter)
    print(f"{name} {parameter} (run length): ML/persistence RMSE mean {short.mean():.3f}")
    assert short.mean() < 1.05


def test_ml_learns_a_ramp_and_is_deterministic():
    ys = 0.0025 * np.arange(60)
    assert one_step_rmse(MLPredictor, ys, burn_in=21) < 1e-6  # exact once fitted
    a, b = MLPredictor(), MLPredictor()
    rng = np.random.default_rng(1)
    for y in rng.standard_normal(40):
        a.update(y)
        b.update(y)
    assert a.n_fits == 3 and a.predict() == b.predict()
    fresh = MLPredictor()
    fresh.update(2.0)
    assert fresh.predict() == 2.0  # persistence until min_history


# ---------------------------------------------------------------- CUSUM


def test_cusum_detects_3_sigma_step_fast_without_false_alarms():
    # seed 2: seeds 2-6 and 9 of 0-9 are quiet for 50 samples with the default 5-value
    # warm-up (the rate is measured in the delay-distribution test: 33/200 seeds)
    rng = np.random.default_rng(2)
    xs = np.r_[rng.standard_normal(50), 3.0 + rng.standard_normal(10)] * 0.2 + 5.0
    c = Cusum()
    alarms = [c.update(x) for x in xs]
    assert not any(alarms[:50])
    first = alarms.index(True)
    assert first - 50 <= 2, first
    assert c.alarm_up or any(alarms)
    # the statistic resets after an alarm; a downward step fires alarm_down
    c2 = Cusum(mean=0.0, std=1.0)
    fired = [c2.update(-3.0) for _ in range(3)]
    assert fired[-1] and c2.alarm_down and not c2.alarm_up and c2.s_down == 0.0


def test_cusum_delay_distribution_over_seeds():
    delays, false = [], 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        c = Cusum()
        xs = np.r_[rng.standard_normal(50), 3.0 + rng.standard_normal(10)]
        alarms = [c.update(x) for x in xs]
        false += any(alarms[:50])
        delays.append(alarms.index(True, 50) - 50 if any(alarms[50:]) else 99)
    delays = np.array(delays)
    print(f"CUSUM +3σ: delay quantiles {np.percentile(delays, [50, 90])}, "
          f"false alarms in 50 quiet samples: {false}/200")
    assert np.median(delays) <= 2
    assert false <= 40  # a 5-sample warm-up underestimates σ now and then (measured 33)


def test_cusum_flags_loss_bursts():
    with open(scenario_path("loss-burst"), "rb") as f:
        sc = tomllib.load(f)
    d = sc["drift"][0]
    proc = make_process(d["process"], {k: v for k, v in d.items()
                                       if k not in ("parameter", "process", "grid_step")})
    times = sc["window_seconds"] * np.arange(1, sc["windows"] + 1)
    eta = 0.9 + sample_path(proc, times, seed=6)
    # detection fraction rises with the loss: 2 % nominal + 15 % per unit of lost coupling,
    # counted over shots × detectors (d = 3: 8 detectors × 3 rounds) in each window.
    n = sc["shots"] * 24
    rng = np.random.default_rng(6)
    rate = rng.binomial(n, 0.02 + 0.15 * (0.9 - eta)) / n
    # the counts' shot noise is known: floor σ at it (a 5-window warm-up alone can
    # underestimate it, and only 12 quiet windows precede the first burst)
    c = Cusum(min_std=math.sqrt(0.02 * 0.98 / n))
    alarms = np.array([c.update(x) for x in rate])
    burst_windows = [int(np.searchsorted(times, t)) for t in proc.times]
    assert burst_windows == [12, 27]
    assert not alarms[:12].any()
    for w in burst_windows:
        hit = np.flatnonzero(alarms[w:w + 3])
        assert hit.size, w
        print(f"loss burst at window {w}: CUSUM alarm after {hit[0]} window(s)")
    # after the controller reacts it may re-learn the baseline
    c.reset_baseline()
    assert not c.ready and c.s_up == 0.0


def test_cusum_state_round_trip_and_validation():
    c = Cusum(k=0.25, h=4.0, warmup=3)
    for x in (1.0, 1.1, 0.9, 1.05):
        c.update(x)
    restored = Cusum.from_state(json.loads(json.dumps(c.state())))
    for x in (1.5, 2.0, 1.0):
        assert restored.update(x) == c.update(x)
    assert restored.state() == c.state()
    with pytest.raises(ValueError, match="h"):
        Cusum(h=0.0)
    with pytest.raises(ValueError, match="warmup"):
        Cusum(warmup=1)


def test_one_step_rmse_scores_persistence_exactly():
    ys = [0.0, 1.0, 3.0, 6.0, 10.0, 15.0, 21.0]
    # persistence errors from target 5 on: 5, 6 (targets 15, 21)
    assert one_step_rmse(Persistence, ys) == pytest.approx(math.sqrt((25 + 36) / 2))
    assert one_step_rmse(Persistence, ys, burn_in=1) == pytest.approx(
        math.sqrt(np.mean(np.square(np.diff(ys)))))
    with pytest.raises(ValueError):
        one_step_rmse(Persistence, [1.0, 2.0], burn_in=5)
