"""Drift processes: closed forms, exact stepping, statistics within tolerance, seeds, errors.

Statistical checks use fixed seeds and tolerances of ~4–5 standard errors, tight enough that a
wrong formula (Euler stepping, a missing sqrt, a factor of 2 in a rate) fails.
"""

import json
import math

import numpy as np
import pytest

from twin.device.drift import (
    PROCESSES,
    Burst,
    DriftProcess,
    OrnsteinUhlenbeck,
    Ramp,
    RandomWalk,
    Sinusoid,
    Telegraph,
    make_process,
    process_params,
    sample_path,
)


def endpoints(proc, n_paths, t_end, n_steps, seed):
    """x(t_end) over independent paths, each stepped in n_steps equal steps."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0.0, t_end, n_steps + 1)
    out = np.empty(n_paths)
    for p in range(n_paths):
        state = proc.initial_state(rng)
        for t0, t1 in zip(grid[:-1], grid[1:], strict=True):
            state, x = proc.step(state, t0, t1, rng)
        out[p] = x
    return out


# ---------------------------------------------------------------- Ornstein–Uhlenbeck


def test_ou_stationary_mean_and_variance():
    proc = OrnsteinUhlenbeck(tau=2.0, sigma=0.3, mean=1.5)
    n = 20000
    # samples 5 tau apart: correlation e^-5 ≈ 0.007, effectively independent
    x = sample_path(proc, np.arange(1, n + 1) * 10.0, seed=1)
    assert abs(x.mean() - 1.5) < 5 * 0.3 / math.sqrt(n)
    assert abs(x.var() / 0.09 - 1.0) < 5 * math.sqrt(2.0 / n)


def test_ou_initial_state_is_stationary_draw():
    proc = OrnsteinUhlenbeck(tau=1.0, sigma=0.3, mean=1.5)
    rng = np.random.default_rng(14)
    x = np.array([proc.value(proc.initial_state(rng)) for _ in range(4000)])
    assert abs(x.mean() - 1.5) < 5 * 0.3 / math.sqrt(len(x))
    assert abs(x.std() / 0.3 - 1.0) < 5 / math.sqrt(2 * len(x))
    assert OrnsteinUhlenbeck(tau=1.0, sigma=0.3, start=-2.0).initial_state(rng) == (-2.0,)


def test_ou_mean_reversion_from_fixed_start():
    tau, sigma, mean, x0, t = 1.0, 0.5, -1.0, 2.0, 0.7
    proc = OrnsteinUhlenbeck(tau=tau, sigma=sigma, mean=mean, start=x0)
    x = endpoints(proc, 4000, t, 7, seed=2)
    expected = mean + (x0 - mean) * math.exp(-t / tau)
    sd = sigma * math.sqrt(1 - math.exp(-2 * t / tau))
    assert abs(x.mean() - expected) < 5 * sd / math.sqrt(len(x))
    assert abs(x.std() / sd - 1.0) < 5 / math.sqrt(2 * len(x))


def test_ou_autocorrelation_at_lag_tau():
    proc = OrnsteinUhlenbeck(tau=0.5, sigma=1.0)
    x = sample_path(proc, np.arange(20000) * 0.5, seed=3)
    rho = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert abs(rho - math.exp(-1)) < 0.03  # standard error ≈ (1 - ρ²)/sqrt(n) ≈ 0.006


def test_ou_step_is_exact_under_subdivision():
    # far from the mean over one tau: Euler in one step would land on the mean exactly
    proc = OrnsteinUhlenbeck(tau=1.0, sigma=0.4, mean=0.0, start=3.0)
    one = endpoints(proc, 3000, 1.0, 1, seed=4)
    many = endpoints(proc, 3000, 1.0, 100, seed=5)
    mean = 3.0 * math.exp(-1.0)
    var = 0.16 * (1 - math.exp(-2.0))
    se_mean = math.sqrt(var / 3000)
    for x in (one, many):
        assert abs(x.mean() - mean) < 5 * se_mean
        assert abs(x.var() / var - 1.0) < 5 * math.sqrt(2 / 3000)
    assert abs(one.mean() - many.mean()) < 5 * math.sqrt(2) * se_mean


def test_ou_zero_sigma_is_deterministic_decay():
    proc = OrnsteinUhlenbeck(tau=2.0, sigma=0.0, mean=1.0, start=5.0)
    x = sample_path(proc, [1.0, 3.0, 10.0], seed=0)
    np.testing.assert_allclose(x, 1.0 + 4.0 * np.exp(-np.array([1.0, 3.0, 10.0]) / 2.0),
                               rtol=1e-14)


# ---------------------------------------------------------------- random walk


def test_random_walk_variance_grows_linearly():
    proc = RandomWalk(sigma=0.2, start=1.0)
    x = endpoints(proc, 8000, 2.5, 5, seed=6)
    var = 0.04 * 2.5
    assert abs(x.mean() - 1.0) < 5 * math.sqrt(var / len(x))
    assert abs(x.var() / var - 1.0) < 5 * math.sqrt(2 / len(x))


def test_random_walk_reflecting_bounds():
    proc = RandomWalk(sigma=1.0, start=0.2, low=0.0, high=1.0)
    x = sample_path(proc, np.arange(1, 20001) * 0.37, seed=7)
    assert x.min() >= 0.0 and x.max() <= 1.0
    # long after the start, reflected BM on [0, 1] is uniform: mean 1/2, variance 1/12
    assert abs(x.mean() - 0.5) < 0.02
    assert abs(x.var() - 1 / 12) < 0.005


def test_random_walk_one_sided_reflection_is_folded_normal():
    proc = RandomWalk(sigma=1.0, start=0.0, low=0.0)
    x = endpoints(proc, 4000, 1.0, 10, seed=8)
    assert x.min() >= 0.0
    # |N(0, 1)|: mean sqrt(2/π), second moment 1
    assert abs(x.mean() - math.sqrt(2 / math.pi)) < 5 * 0.6 / math.sqrt(len(x))
    assert abs(np.mean(x**2) - 1.0) < 5 * math.sqrt(2 / len(x))


# ---------------------------------------------------------------- ramp and sinusoid


def test_ramp_closed_form_with_start_and_stop():
    proc = Ramp(rate=0.5, start_time=2.0, stop_time=6.0, offset=-1.0)
    t = np.array([0.0, 1.0, 2.0, 3.0, 5.5, 6.0, 10.0])
    x = sample_path(proc, t, seed=0)
    np.testing.assert_allclose(x, [-1.0, -1.0, -1.0, -0.5, 0.75, 1.0, 1.0], rtol=0, atol=1e-15)
    assert proc.scale == pytest.approx(2.0)
    assert proc.value(proc.initial_state(np.random.default_rng(0))) == -1.0


def test_ramp_without_stop_keeps_going():
    x = sample_path(Ramp(rate=-2.0), [0.0, 1.0, 100.0], seed=0)
    np.testing.assert_allclose(x, [0.0, -2.0, -200.0])


def test_sinusoid_closed_form():
    proc = Sinusoid(amplitude=0.3, period=4.0, phase=0.5, offset=0.1)
    t = np.linspace(0.0, 20.0, 81)
    x = sample_path(proc, t, seed=0)
    np.testing.assert_allclose(x, 0.1 + 0.3 * np.sin(2 * np.pi * t / 4.0 + 0.5), atol=1e-14)
    assert proc.value(proc.initial_state(np.random.default_rng(0))) == pytest.approx(
        0.1 + 0.3 * math.sin(0.5))


# ---------------------------------------------------------------- telegraph


def test_telegraph_up_fraction_and_switching_rate():
    r_u, r_d, dt, n = 2.0, 3.0, 0.005, 200_000
    proc = Telegraph(amplitude=0.7, rate_up=r_u, rate_down=r_d)
    x = sample_path(proc, np.arange(1, n + 1) * dt, seed=9)
    assert set(np.unique(x)) <= {0.0, 0.7}
    up = x == 0.7
    assert abs(up.mean() - r_u / (r_u + r_d)) < 0.03  # standard error ≈ 0.007
    switches = np.count_nonzero(up[1:] != up[:-1])
    rate = switches / (n * dt)
    assert rate == pytest.approx(2 * r_u * r_d / (r_u + r_d), rel=0.07)  # 2.4/s; s.e. ≈ 2 %


def test_telegraph_exact_transition_over_one_step():
    r_u, r_d, t = 1.0, 4.0, 0.3
    k = r_u + r_d
    proc = Telegraph(amplitude=1.0, rate_up=r_u, rate_down=r_d, start_up=True)
    x = endpoints(proc, 4000, t, 1, seed=10)
    p = r_u / k + r_d / k * math.exp(-k * t)
    assert abs(x.mean() - p) < 5 * math.sqrt(p * (1 - p) / len(x))
    # the same law after 30 finer steps
    y = endpoints(proc, 4000, t, 30, seed=11)
    assert abs(y.mean() - p) < 5 * math.sqrt(p * (1 - p) / len(y))


def test_telegraph_stationary_start():
    proc = Telegraph(amplitude=1.0, rate_up=1.0, rate_down=3.0)
    rng = np.random.default_rng(12)
    ups = [proc.initial_state(rng)[0] for _ in range(4000)]
    assert abs(np.mean(ups) - 0.25) < 5 * math.sqrt(0.25 * 0.75 / 4000)


# ---------------------------------------------------------------- burst


def test_burst_scheduled_closed_form_and_subdivision():
    proc = Burst(amplitude=0.3, recovery=0.5, times=(2.5, 1.0, -0.5))
    t = np.linspace(0.0, 5.0, 51)
    expected = sum(0.3 * np.exp(-(t - tk) / 0.5) * (t >= tk) for tk in (-0.5, 1.0, 2.5))
    x = sample_path(proc, t, seed=0)
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=0)
    # one big step gives the same value
    assert sample_path(proc, [5.0], seed=0)[0] == pytest.approx(expected[-1], rel=1e-12)
    assert proc.times == (-0.5, 1.0, 2.5)


def test_burst_poisson_rate_and_campbell_mean():
    rate, amp, rec, t_end = 4.0, 1.0, 0.5, 1000.0
    proc = Burst(amplitude=amp, recovery=rec, rate=rate)
    rng = np.random.default_rng(13)
    state = proc.initial_state(rng)
    xs = []
    for t0 in np.arange(0.0, t_end):
        state, x = proc.step(state, t0, t0 + 1.0, rng)
        xs.append(x)
    n_bursts = state[2]
    assert state[1] == t_end
    assert abs(n_bursts - rate * t_end) < 5 * math.sqrt(rate * t_end)  # 4000 ± 63
    # Campbell: mean offset = amplitude·rate·recovery = 2 (needs uniform arrival times);
    # variance amplitude²·rate·recovery/2 = 1, samples 2 recovery times apart
    assert abs(np.mean(xs) - amp * rate * rec) < 0.12


def test_burst_step_must_start_at_state_time():
    proc = Burst(amplitude=1.0, recovery=1.0)
    state = proc.initial_state(np.random.default_rng(0))
    with pytest.raises(ValueError, match="does not match"):
        proc.step(state, 1.0, 2.0, np.random.default_rng(0))


# ---------------------------------------------------------------- seeds, state, protocol

EXAMPLES = [
    ("ou", {"tau": 1.0, "sigma": 0.1}),
    ("random-walk", {"sigma": 0.1, "low": -1.0, "high": 1.0}),
    ("ramp", {"rate": 0.01, "start_time": 1.0, "stop_time": 5.0}),
    ("sinusoid", {"amplitude": 0.2, "period": 3.0, "phase": 1.0}),
    ("telegraph", {"amplitude": 0.5, "rate_up": 1.0, "rate_down": 2.0}),
    ("burst", {"amplitude": 0.5, "recovery": 0.3, "rate": 2.0, "times": [1.5]}),
]
STOCHASTIC = {"ou", "random-walk", "telegraph", "burst"}


@pytest.mark.parametrize(("name", "params"), EXAMPLES)
def test_same_seed_same_bytes_and_seeds_differ(name, params):
    proc = make_process(name, params)
    assert isinstance(proc, DriftProcess)
    assert proc.name == name
    assert proc.scale > 0
    t = np.linspace(0.0, 10.0, 201)
    a = sample_path(proc, t, seed=42)
    b = sample_path(proc, t, seed=42)
    assert a.shape == (201,) and a.tobytes() == b.tobytes()
    c = sample_path(proc, t, seed=43)
    assert (not np.array_equal(a, c)) == (name in STOCHASTIC)


@pytest.mark.parametrize(("name", "params"), EXAMPLES)
def test_checkpoint_resume_through_json(name, params):
    proc = make_process(name, params)
    rng = np.random.default_rng(5)
    state = proc.initial_state(rng)
    grid = np.linspace(0.0, 6.0, 61)
    straight = []
    for i, (t0, t1) in enumerate(zip(grid[:-1], grid[1:], strict=True)):
        if i == 30:  # checkpoint: state through JSON, generator through its bit-generator state
            state = tuple(json.loads(json.dumps(state)))
            saved = rng.bit_generator.state
            rng = np.random.default_rng()
            rng.bit_generator.state = saved
        state, x = proc.step(state, t0, t1, rng)
        assert proc.value(state) == x
        straight.append(x)
    assert straight == list(sample_path(proc, grid[1:], seed=5))


@pytest.mark.parametrize(("name", "params"), EXAMPLES)
def test_to_dict_round_trip(name, params):
    proc = make_process(name, params)
    d = proc.to_dict()
    assert d["process"] == name
    json.dumps(d)
    rest = dict(d)
    assert make_process(rest.pop("process"), rest) == proc
    assert set(rest) <= set(process_params(name))


def test_process_params_cover_all_processes():
    assert PROCESSES == ("ou", "random-walk", "ramp", "sinusoid", "telegraph", "burst")
    assert list(process_params("ou")) == ["tau", "sigma", "mean", "start"]
    for name in PROCESSES:
        descriptions = process_params(name)
        assert descriptions and all(isinstance(v, str) and v for v in descriptions.values())


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [
        ("brownian", {}, "process = 'brownian': must be one of ou, random-walk, ramp"),
        ("ou", {"tau": 1.0, "sigma": 0.1, "taux": 2}, "unknown parameter 'taux': allowed are tau"),
        ("ou", {"sigma": 0.1}, "missing parameter 'tau'"),
        ("ou", {"tau": -1, "sigma": 0.1}, "tau = -1: must be > 0 (s)"),
        ("ou", {"tau": 0.0, "sigma": 0.1}, "tau = 0.0: must be > 0 (s)"),
        ("ou", {"tau": 1.0, "sigma": -0.1}, "sigma = -0.1: must be >= 0"),
        ("ou", {"tau": "fast", "sigma": 0.1}, "tau = 'fast': must be of type float"),
        ("ou", {"tau": True, "sigma": 0.1}, "tau = True: must be of type float"),
        ("ou", {"tau": math.inf, "sigma": 0.1}, "tau = inf: must be > 0"),
        ("random-walk", {"sigma": 1.0, "low": 1.0, "high": 0.0}, "high = 0.0: must be >= low"),
        ("random-walk", {"sigma": 1.0, "start": 2.0, "high": 1.0}, "start = 2.0: must be <= high"),
        ("ramp", {"rate": 1.0, "start_time": 5.0, "stop_time": 1.0}, "stop_time = 1.0"),
        ("ramp", {"rate": math.nan}, "rate = nan: must be finite"),
        ("sinusoid", {"amplitude": 1.0, "period": 0}, "period = 0: must be > 0 (s)"),
        ("telegraph", {"amplitude": 1.0, "rate_up": -1.0, "rate_down": 1.0}, "rate_up = -1.0"),
        ("telegraph", {"amplitude": 1.0, "rate_up": 1.0, "rate_down": 1.0, "start_up": 1},
         "start_up = 1: must be of type bool"),
        ("telegraph", {"amplitude": 1.0, "rate_up": 0.0, "rate_down": 0.0}, "start_up = None"),
        ("burst", {"amplitude": 1.0, "recovery": -2.0}, "recovery = -2.0: must be > 0 (s)"),
        ("burst", {"amplitude": 1.0, "recovery": 1.0, "times": "1, 2"}, "times = '1, 2'"),
        ("burst", {"amplitude": 1.0, "recovery": 1.0, "times": [1.0, "x"]}, "times[1] = 'x'"),
    ],
)
def test_make_process_errors(name, params, fragment):
    with pytest.raises(ValueError) as info:
        make_process(name, params)
    assert fragment in str(info.value)


def test_process_params_unknown_name():
    with pytest.raises(ValueError, match="must be one of"):
        process_params("nope")


def test_step_and_sample_path_reject_bad_times():
    proc = OrnsteinUhlenbeck(tau=1.0, sigma=1.0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="must be >= t0"):
        proc.step((0.0,), 2.0, 1.0, rng)
    with pytest.raises(ValueError, match="non-decreasing"):
        sample_path(proc, [1.0, 0.5], seed=0)
    with pytest.raises(ValueError, match="non-decreasing"):
        sample_path(proc, [-1.0], seed=0)
