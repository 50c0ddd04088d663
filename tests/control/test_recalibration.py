"""The knob tracker on a known quadratic response (a closed form stands in for the device)."""

import numpy as np
import pytest

from control.protocol import KnobSpec
from control.recalibration import KnobTracker, TrackerSettings
from twin.drift import make_process, sample_path

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
