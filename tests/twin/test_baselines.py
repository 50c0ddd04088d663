"""The privileged baselines: the oracle and its causal bound (the oracle one window late)."""

import csv

import pytest

from twin.controllers import OracleController, make_controller
from twin.loop import DigitalTwin
from twin.scenario import ControllerSpec, load_scenario


def _knobs(folder):
    with open(folder / "telemetry.csv") as fh:
        return [float(r["knob:laser.frequency_offset"]) for r in csv.DictReader(fh)]


def test_lagged_oracle_plays_the_optimum_of_the_window_before(tmp_path):
    base = load_scenario("laser-drift").replace(windows=5, shots=500)
    runs = {}
    for lag in (0, 1):
        scen = base.replace(controller=ControllerSpec("oracle", {"lag": lag}))
        DigitalTwin(scen, folder=tmp_path / str(lag)).run()
        runs[lag] = _knobs(tmp_path / str(lag))
    assert runs[1][0] == runs[0][0]
    assert runs[1][1:] == runs[0][:-1]
    assert len(set(runs[0])) == 5  # the drift moves the optimum every window


@pytest.mark.parametrize("lag", [-1, 1.5, True])
def test_lag_must_be_a_nonnegative_integer(lag):
    with pytest.raises(ValueError, match="lag"):
        OracleController(lag=lag)


def test_scenario_rejects_a_negative_lag():
    with pytest.raises(ValueError, match="lag"):
        ControllerSpec("oracle", {"lag": -1})
    assert make_controller("oracle", {"lag": 2}).lag == 2


class _Prober:
    """Sets the frequency knob and a ± probe; records what it sees."""

    name = "prober"

    def __init__(self, offset):
        self.offset, self.seen = offset, []

    def observe(self, window):
        self.seen.append(window)

    def act(self):
        from control.protocol import SetKnobs

        return [SetKnobs({"laser.frequency_offset": 0.0},
                         probe={"laser.frequency_offset": self.offset})]


@pytest.mark.parametrize("atom, offset", [("three-level", 0.05), ("reference", 0.18)])
def test_in_window_probe_runs_half_the_shots_on_each_side(tmp_path, three_level, atom, offset):
    """The first half of a probed window runs at knob + δ, the second at knob − δ: with a
    large δ both halves show the same (symmetric) excess over an unprobed window, and the
    telemetry's gate error is the mean of the two halves. ±0.05 rad/µs on the Λ atom (the
    case this was written for, 1.8 µs in |a⟩); ±0.18 rad/µs on the reference's Raman gate
    gives the same 0.09 rad turn of |b⟩ in the 0.5 µs it spends in |a⟩."""
    base = load_scenario("steady").replace(windows=3, shots=4000, distance=3)
    if atom == "three-level":
        base = base.replace(device_overrides=three_level.overrides, knobs=three_level.knobs)
    ctl = _Prober(offset)
    DigitalTwin(base, folder=tmp_path / "p", controller=ctl).run()
    first, probed = ctl.seen[0], ctl.seen[1]
    assert first.split is None and probed.split == 2000
    assert dict(probed.probe) == {"laser.frequency_offset": offset}
    plus, minus = probed.half_detection_fractions()
    calm = first.detection_fraction
    assert plus > calm + 0.005 and minus > calm + 0.005  # both far off
    assert abs(plus - minus) < 0.25 * (plus + minus - 2 * calm)  # symmetric response
    with pytest.raises(ValueError, match="not probed"):
        first.half_detection_fractions()
    with open(tmp_path / "p" / "telemetry.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert float(rows[1]["noise_gate_1q"]) > 2 * float(rows[0]["noise_gate_1q"])
    assert f"probe(laser.frequency_offset=±{offset:g})" in rows[1]["actions"]


def test_ai_run_extended_by_resume_is_byte_identical(tmp_path):
    """The ai (particle filter, in-window probe) is pickled in the checkpoint: a run of 3
    windows resumed to 6 writes the same telemetry as a run of 6."""
    scen = load_scenario("laser-drift").replace(shots=1000, controller=ControllerSpec("ai", {}))
    DigitalTwin(scen.replace(windows=6), folder=tmp_path / "whole").run()
    DigitalTwin(scen.replace(windows=3), folder=tmp_path / "part").run()
    DigitalTwin(scen.replace(windows=6), folder=tmp_path / "part").run(resume=True)
    whole = (tmp_path / "whole" / "telemetry.csv").read_bytes()
    assert whole == (tmp_path / "part" / "telemetry.csv").read_bytes()
    assert b"probe(" in whole
