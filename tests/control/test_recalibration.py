"""The knob tracker on a known quadratic response (a closed form stands in for the device)."""

import numpy as np
import pytest

from control.protocol import KnobSpec
from control.recalibration import KnobTracker, TrackerSettings
from twin.device.drift import make_process, sample_path

SPEC = KnobSpec("laser.frequency_offset", -1.0, 1.0, 0.0, "rad/µs")


def _run(path, *, seed, curvature=8.8, floor=0.0377, noise=1.6e-4):
    rng = np.random.default_rng(seed)
    tracker = KnobTracker(SPEC)
    u, residual = tracker.next_value(), []
    for target in path:
        d = floor + curvature * (u - target) ** 2 + rng.normal(0, noise)
        residual.append(u - target)
        tracker.observe(u, d, noise=noise)
        u = tracker.next_value()
    return np.array(residual), tracker


def test_locks_on_a_static_optimum_and_learns_the_curvature():
    residual, tracker = _run(np.full(30, 0.03), seed=1)
    assert np.sqrt(np.mean(residual[10:] ** 2)) < 0.012  # dither ±0.008 included
    assert abs(tracker.estimate - 0.03) < 0.005
    assert tracker.curvature == pytest.approx(8.8, rel=0.5)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_follows_a_ramp_plus_slow_wander(seed):
    times = np.arange(40) * 10.0
    ou = make_process("ou", {"tau": 600.0, "sigma": 0.03, "start": 0.0})
    path = -(np.minimum(times, 400) * 2.5e-4 + sample_path(ou, times, seed=seed))
    residual, _ = _run(path, seed=seed)
    untracked = np.sqrt(np.mean(path[3:] ** 2))
    tracked = np.sqrt(np.mean(residual[3:] ** 2))
    assert tracked < 0.02 and tracked < untracked / 3


def test_settings_are_validated_by_use():
    tracker = KnobTracker(SPEC, TrackerSettings(explore=0.01))
    values = [tracker.next_value()]
    for d in (0.04, 0.041, 0.0405):
        tracker.observe(values[-1], d, noise=1e-4)
        values.append(tracker.next_value())
    assert values[:3] == [0.0, 0.02, -0.02]  # exploration: nominal, then ± explore × range
    assert not tracker.exploring


def test_in_window_probe_follows_the_drift_without_a_dither():
    """With the probe, each window's two halves (u ± δ) see the same optimum; the played
    centre carries no dither and tracks a ramp plus slow wander better than no control."""
    rng = np.random.default_rng(5)
    tracker = KnobTracker(SPEC, TrackerSettings(probe=0.001))
    times = np.arange(40) * 10.0
    ou = make_process("ou", {"tau": 600.0, "sigma": 0.03, "start": 0.0})
    path = -(np.minimum(times, 400) * 2.5e-4 + sample_path(ou, times, seed=5))
    u, residual, noise = tracker.next_value(), [], 2.8e-4
    for target in path:
        off = tracker.probe_offset
        if off:
            plus, minus = (0.0377 + 8.8 * (u + s * off - target) ** 2 + rng.normal(0, noise)
                           for s in (1, -1))
            tracker.observe_pair(u, plus, minus, noise=noise * np.sqrt(2))
        else:
            tracker.observe(u, 0.0377 + 8.8 * (u - target) ** 2 + rng.normal(0, noise),
                            noise=noise)
        residual.append(u - target)
        u = tracker.next_value()
    residual = np.array(residual)
    assert tracker.probe_offset == pytest.approx(0.002)  # 0.001 of the knob's range
    assert np.sqrt(np.mean(residual[3:] ** 2)) < np.sqrt(np.mean(path[3:] ** 2)) / 3
    assert np.sqrt(np.mean(residual[10:] ** 2)) < 0.012


def test_played_value_moves_at_most_max_step_per_window():
    tracker = KnobTracker(SPEC, TrackerSettings(max_step=0.005))
    u = tracker.next_value()
    for d in (0.04, 0.041, 0.0405):  # exploration
        tracker.observe(u, d, noise=1e-4)
        u = tracker.next_value()
    played = []
    for _ in range(6):  # a detection fraction far above the floor: a big wanted move
        tracker.observe(u, 0.2, noise=1e-4)
        u = tracker.next_value()
        played.append(u)
    steps = np.abs(np.diff(played))
    # the centre moves by at most max_step × range; the played value adds the ± dither
    assert np.all(steps <= 0.005 * 2.0 + 2 * tracker.settings.dither * 2.0 + 1e-12)
    assert steps.max() > 0.005 * 2.0  # (it did want to move: the dither alone is smaller)


def _two_group_run(seed, *, windows=50):
    """Mixed-drift-like closed form: the detuning OU (σ 0.04 rad/µs, τ 60 windows) seen by two
    detector groups; group 1 (the Z checks) has 10× the curvature of group 0 (the X checks)."""
    times = np.arange(windows) * 10.0
    ou = make_process("ou", {"tau": 600.0, "sigma": 0.04, "start": 0.0})
    path = -sample_path(ou, times, seed=seed)
    rng = np.random.default_rng(seed)
    floor, curv, noise = np.array([0.052, 0.027]), np.array([1.4, 14.0]), np.array([6e-4, 4.6e-4])
    tracker = KnobTracker(SPEC, TrackerSettings(probe=0.001))
    u, residual = tracker.next_value(), []
    for target in path:
        off = tracker.probe_offset
        if off:
            plus, minus = (floor + curv * (u + s * off - target) ** 2 + rng.normal(0, noise)
                           for s in (1, -1))
            tracker.observe_pair(u, plus, minus, noise=noise)
        else:
            tracker.observe(u, floor + curv * (u - target) ** 2
                            + rng.normal(0, noise / np.sqrt(2)), noise=noise / np.sqrt(2))
        residual.append(u - target)
        u = tracker.next_value()
    return np.array(residual), path, tracker


def test_follows_the_detector_group_the_knob_moves_and_learns_its_curvature():
    """The exploration picks the responsive group; the curvature is learned from the windows,
    although the drift between the exploration windows biases its first estimate high (a
    filter that weighed the three exploration windows against one fixed optimum kept ~1.3×
    the curvature, and corrected the knob by too little)."""
    runs = [_two_group_run(seed) for seed in range(8)]
    assert all(t.signal == 1 for _, _, t in runs)
    curvatures = np.array([t.curvature for _, _, t in runs])
    assert np.all((curvatures > 7.0) & (curvatures < 28.0))
    assert abs(np.median(curvatures) / 14.0 - 1) < 0.25
    for residual, _, _ in runs:  # the per-window innovation is 0.0073 rad/µs
        assert np.sqrt(np.mean(residual[3:] ** 2)) < 0.0095
    untracked = np.sqrt(np.mean([np.mean(p[3:] ** 2) for _, p, _ in runs]))
    tracked = np.sqrt(np.mean([np.mean(r[3:] ** 2) for r, _, _ in runs]))
    assert tracked < untracked / 3


def test_group_count_must_stay_the_same():
    tracker = KnobTracker(SPEC)
    tracker.observe(0.0, [0.05, 0.03], noise=1e-4)
    with pytest.raises(ValueError, match="groups"):
        tracker.observe(0.0, [0.05, 0.03, 0.01], noise=1e-4)


def _step_recovery(settings, seed, *, step=0.05):
    """Windows until |u − u*| < 0.005 after the optimum steps by ``step`` (rad/µs) at window 20
    (None: never within 10 windows). Herald-conditioned noise and curvature, as on mixed-drift."""
    rng = np.random.default_rng(seed)
    tracker = KnobTracker(SPEC, settings)
    path = np.r_[np.full(20, 0.01), np.full(10, 0.01 + step)]
    u, residual = tracker.next_value(), []
    for target in path:
        off = tracker.probe_offset
        if off:
            plus, minus = (0.0073 + 17 * (u + s * off - target) ** 2 + rng.normal(0, 2.4e-4)
                           for s in (1, -1))
            tracker.observe_pair(u, plus, minus, noise=2.4e-4)
        else:
            tracker.observe(u, 0.0073 + 17 * (u - target) ** 2 + rng.normal(0, 1.7e-4),
                            noise=1.7e-4)
        residual.append(abs(u - target))
        u = tracker.next_value()
    back = np.flatnonzero(np.array(residual[20:]) < 0.005)
    return int(back[0]) if back.size else None


@pytest.mark.parametrize("step", [0.05, -0.03])
def test_recovers_from_a_sudden_step_of_the_optimum(step):
    """A sharp level keeps only particles at the right |u − u*|, possibly all on the wrong
    side; sensor resetting from the probe's slope brings the right side back (without it, 2
    of these 12 seeds follow the mirror image away from a 0.05 rad/µs step)."""
    settings = TrackerSettings(probe=0.001)
    windows = [_step_recovery(settings, seed, step=step) for seed in range(12)]
    assert all(w is not None and w <= 5 for w in windows)  # ≥ 0.05/0.015 windows at max_step
    if step == 0.05:
        off = TrackerSettings(probe=0.001, reset_fraction=0.0)
        assert sum(_step_recovery(off, seed, step=step) is None for seed in range(12)) >= 2


def test_with_a_probe_the_exploration_pair_shares_one_window():
    """Nominal, then one window probed at ± explore: the curvature comes from simultaneous
    halves (no drift between them), and only one window is spent off the optimum."""
    tracker = KnobTracker(SPEC, TrackerSettings(probe=0.001, explore=0.005))
    assert tracker.next_value() == 0.0 and tracker.probe_offset == 0.0
    tracker.observe(0.0, 0.0377, noise=1e-4)
    assert tracker.next_value() == 0.0
    assert tracker.probe_offset == pytest.approx(0.01)  # explore × range
    e = 0.01
    tracker.observe_pair(0.0, 0.0377 + 14 * e**2, 0.0377 + 14 * e**2, noise=1.4e-4)
    assert not tracker.exploring and tracker.windows == 2
    assert tracker.probe_offset == pytest.approx(0.002)  # the regular probe from now on
    assert 14 / 8 < tracker.curvature < 14 * 4  # within the prior mixture around the estimate
