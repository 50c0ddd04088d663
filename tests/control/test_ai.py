"""The ai controller in the loop: priors from syndromes, burst alarms, decoder choice; it never
looks at the logical outcome."""

import csv
from pathlib import Path

import pytest

from control.ai import AIController
from control.protocol import SyndromeWindow
from twin.loop import DigitalTwin
from twin.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def _actions(folder):
    with open(folder / "telemetry.csv") as fh:
        return [r["actions"] for r in csv.DictReader(fh)]


def test_it_never_reads_the_logical_outcome(tmp_path, monkeypatch):
    def forbidden(self):
        raise AssertionError("the ai controller read observable flips")

    monkeypatch.setattr(SyndromeWindow, "observable_flips", property(forbidden))
    scen = load_scenario("hot-node").replace(windows=3, shots=2000)
    DigitalTwin(scen, folder=tmp_path / "r", controller=AIController()).run()
    source = (ROOT / "control" / "ai.py").read_text()
    code = source.split('"""', 2)[2]  # skip the module docstring, which names them
    assert "observable_flips" not in code and "logical_errors" not in code


def test_hot_node_triggers_reweighted_priors(tmp_path):
    scen = load_scenario("hot-node").replace(windows=4, shots=10_000)
    ctl = AIController()
    DigitalTwin(scen, folder=tmp_path / "hot", controller=ctl).run()
    assert any("priors" in a for a in _actions(tmp_path / "hot"))
    calm = load_scenario("steady").replace(windows=4, shots=10_000)
    DigitalTwin(calm, folder=tmp_path / "calm", controller=AIController()).run()
    assert not any("priors" in a for a in _actions(tmp_path / "calm"))


def test_loss_burst_is_detected_within_two_windows(tmp_path):
    scen = load_scenario("loss-burst").replace(windows=16)
    ctl = AIController()
    DigitalTwin(scen, folder=tmp_path / "b", controller=ctl).run()
    onset = 125.0 / scen.window_seconds  # the first burst, in windows (12.5: window 13)
    first = ctl.describe_state()["alarms"][0]
    assert onset <= first <= onset + 2


def test_switches_to_erasure_aware_decoding_when_heralds_fire(tmp_path):
    scen = load_scenario("steady").replace(windows=3, shots=1000, decoder="mwpm", distance=3)
    DigitalTwin(scen, folder=tmp_path / "d", controller=AIController()).run()
    with open(tmp_path / "d" / "telemetry.csv") as fh:
        decoders = [r["decoder"] for r in csv.DictReader(fh)]
    assert decoders[0] == "mwpm" and decoders[-1] == "mwpm-erasure"


def test_unknown_ai_parameter_is_a_clear_error(tmp_path):
    from twin.errors import UserError
    from twin.scenario import ControllerSpec

    scen = load_scenario("steady").replace(controller=ControllerSpec("ai", {"gain": 2}))
    with pytest.raises(UserError, match="controller.gain: unknown parameter"):
        DigitalTwin(scen, folder=tmp_path / "x")


def test_ai_on_laser_drift_beats_none_by_5x_and_periodic(tmp_path, three_level):
    """Acceptance progress (issue 5): syndrome-only knob tracking under laser drift, on a
    device below threshold (the three-level atom with local gates at 99.9 %, where the drift,
    not the remote CNOT, dominates: none 1.42e-2, periodic 1.14e-3, ai 8.6e-4 per round).

    On the idealised Λ atom of devices/three-level.toml, whose STIRAP gate keeps the bright
    state in |a⟩ for ~1.8 µs: the device issue 5's acceptance was written for. The reference's
    Raman gate spends 0.5 µs there, so laser-drift's δ costs it ~13× less (none 1.85e-3
    against the oracle's 1.48e-3 at local gates 99.9 %, 4000 shots)."""
    from twin.scenario import ControllerSpec

    base = load_scenario("laser-drift").replace(
        shots=4000, device_overrides={**three_level.overrides,
                                      "node": {"local_gate_error": 0.001}},
        knobs=three_level.knobs)
    res = {}
    for name in ("none", "periodic", "ai"):
        scen = base.replace(controller=ControllerSpec(name, {}))
        res[name] = DigitalTwin(scen, folder=tmp_path / name).run()
    assert res["ai"].ler_ci[1] < res["none"].mean_ler_per_round / 5
    assert res["ai"].mean_ler_per_round < res["periodic"].mean_ler_per_round


@pytest.mark.slow
def test_ai_on_laser_drift_removes_most_of_the_drift(tmp_path, three_level):
    """Acceptance progress (issue 5): syndrome-only knob tracking under laser drift.

    On the at-threshold reference with the three-level atom's gate (``three_level``; the
    reference's own Raman gate barely feels this drift). Its remote CNOT has ~1.6 %
    Pauli error, so every controller shares a floor of ~1.6e-2 per round at d = 5 that no
    knob removes; what the controller can remove is the drift's excess over the oracle. The
    ``ai`` must remove at least 80 % of it (its excess at most a fifth of ``none``'s) without
    halting the machine. Measured (4000 shots × 40 windows): oracle 1.17e-2, ai 1.59e-2,
    periodic 1.27e-2 with 3 of 40 windows lost to calibration, none 3.54e-2. Against that
    background of detection events the ai's knob estimate is noisier than on the old,
    optimistic device, and ``periodic`` now has the lower error per round (it did not before
    the physics of issue 12): a regression left to the controller work of issue 16."""
    from twin.scenario import ControllerSpec

    base = load_scenario("laser-drift").replace(
        shots=4000, device_overrides=three_level.overrides, knobs=three_level.knobs)
    res = {}
    for name in ("none", "periodic", "ai", "oracle"):
        scen = base.replace(controller=ControllerSpec(name, {}))
        res[name] = DigitalTwin(scen, folder=tmp_path / name).run()
    floor = res["oracle"].mean_ler_per_round
    excess = {k: r.mean_ler_per_round - floor for k, r in res.items()}
    assert excess["none"] > 0.5 * floor  # the drift matters on this scenario
    assert excess["ai"] < excess["none"] / 5
    assert res["ai"].lost_windows == 0 < res["periodic"].lost_windows


def _rows(folder):
    with open(folder / "telemetry.csv") as fh:
        return list(csv.DictReader(fh))


def test_distance_policy_raises_on_a_burst_lowers_when_quiet_and_reports_resources(tmp_path):
    from twin.scenario import ControllerSpec

    base = load_scenario("loss-burst").replace(windows=28, shots=2000)
    fixed = DigitalTwin(base.replace(controller=ControllerSpec("ai", {})),
                        folder=tmp_path / "fixed").run()
    scen = base.replace(controller=ControllerSpec("ai", {"max_distance": 5, "quiet_windows": 4}))
    adaptive = DigitalTwin(scen, folder=tmp_path / "adaptive").run()
    distances = [int(r["distance"]) for r in _rows(tmp_path / "adaptive")]
    onset = 13  # the first burst starts at t = 125 s (window 12.5)
    up = distances.index(5)
    assert onset <= up <= onset + 3  # raised within a window or two of the alarm
    assert distances[-1] == 3  # and back down once quiet
    assert all(d == 3 for d in distances[:onset])
    # resource use is reported: more qubit-rounds than the fixed d = 3 run, by the d = 5 windows
    assert fixed.mean_distance == 3 and fixed.max_distance == 3
    assert 3 < adaptive.mean_distance < 5 and adaptive.max_distance == 5
    n5 = sum(d == 5 for d in distances)
    rounds = base.rounds_per_shot
    assert adaptive.qubit_rounds == (17 * (28 - n5) + 49 * n5) * 2000 * rounds
    assert fixed.qubit_rounds == 17 * 28 * 2000 * rounds


def test_logical_error_returns_within_three_windows_of_the_burst_end(tmp_path):
    """The burst ends when the coupling is back within 10 % of its drop (t ≈ 69 s after the
    onset: exponential recovery, τ = 30 s); from 3 windows later the logical errors per window
    are back to their calm level (Poisson bound)."""
    from twin.scenario import ControllerSpec

    scen = load_scenario("loss-burst").replace(windows=27, shots=5000,
                                               controller=ControllerSpec("ai", {}))
    DigitalTwin(scen, folder=tmp_path / "r").run()
    rows = _rows(tmp_path / "r")
    coupling = [float(r["true:link.coupling_efficiency"]) for r in rows]
    errors = [int(r["errors"]) for r in rows]
    onset = next(w for w, c in enumerate(coupling) if c < 0.85)
    end = next(w for w in range(onset, len(rows)) if coupling[w] > 0.9 - 0.1 * 0.3)
    calm = sum(errors[:onset]) / onset
    after = errors[end + 3:]
    assert onset == 13 and after
    assert sum(after) <= len(after) * calm + 3 * (len(after) * calm) ** 0.5


def _x_or_z_only(kind: str, p: float = 2e-3):
    """Pauli X (or Z) errors only, on either qubit after each two-qubit gate."""
    from qec.noise import NoiseModel, TwoQubitNoise

    probs = [0.0] * 15  # stim's PAULI_CHANNEL_2 order: IX IY IZ XI XX XY XZ YI YX YY YZ ZI ...
    for i in ((0, 3) if kind == "X" else (2, 11)):
        probs[i] = p
    return NoiseModel(gate_2q=TwoQubitNoise(probs=tuple(probs)))


@pytest.mark.parametrize("distance", [3, 5])
def test_detector_groups_are_the_x_and_z_checks(distance):
    """The decoding graph of a CSS surface code has two components, and X errors fire only one
    of them, Z errors only the other: the tracker's signal group for a knob that makes one
    Pauli type of error (QEC truth, from the DEMs' exact detector rates)."""
    import numpy as np

    from control.ai import detector_groups
    from control.estimators import EdgeModel, dem_detector_rates
    from qec.codes import memory_experiment
    from qec.decoders import decoder_dem
    from qec.noise import NoiseModel

    circuit = memory_experiment("surface", distance=distance, rounds=distance).circuit
    dem = decoder_dem(NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(circuit))
    groups = [np.unpackbits(g, count=dem.num_detectors, bitorder="little").astype(bool)
              for g in detector_groups(EdgeModel.from_dem(dem))]
    assert len(groups) == 2
    assert not np.any(groups[0] & groups[1])
    assert np.all(groups[0] | groups[1])  # no heralds here: every detector is in a group
    rates = {kind: dem_detector_rates(decoder_dem(_x_or_z_only(kind).noisy_circuit(circuit)))
             for kind in "XZ"}
    fired = {kind: [float(r[g].mean()) for g in groups] for kind, r in rates.items()}
    # one group sees the X errors, the other the Z errors, and nothing else
    assert sorted(np.argmax(f) for f in fired.values()) == [0, 1]
    for f in fired.values():
        assert min(f) == 0.0 and max(f) > 1e-3
