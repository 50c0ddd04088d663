"""The privileged baselines: the oracle and its causal bound (the oracle one window late)."""

import csv

import pytest

from twin.baselines import OracleController, make_baseline
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
        DigitalTwin(scen, out_dir=tmp_path / str(lag)).run()
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
    assert make_baseline("oracle", {"lag": 2}).lag == 2
