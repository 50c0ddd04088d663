"""Scenario files: loading, defaults, round trip, one-line errors, the built-ins, the CLI."""

import json
import tomllib

import numpy as np
import pytest

from physics.device import REFERENCE_DEVICE, with_overrides
from scenarios import list_scenarios
from twin.cli import main
from twin.device.drift import sample_path
from twin.device.knobs import KNOBS
from twin.errors import UserError
from twin.scenario import (
    ControllerSpec,
    DriftSpec,
    HotNode,
    Scenario,
    builtin_scenarios,
    load_scenario,
    scenario_from_dict,
    scenario_to_toml,
)

BUILTINS = list_scenarios()
REQUIRED = {"default", "steady", "laser-drift", "intensity-drift", "cavity-degradation",
            "loss-burst", "hot-node", "mixed-drift"}
ALL_TOP_KEYS = {"name", "description", "seed", "windows", "shots", "rounds", "window_seconds",
                "code", "distance", "basis", "decoder", "target", "device", "controller",
                "knobs"}


def _write(tmp_path, text, name="my-scenario.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_builtin_set_is_complete():
    assert set(BUILTINS) >= REQUIRED
    names = [n for n, _ in builtin_scenarios()]
    assert names == sorted(names) == BUILTINS


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loads_and_round_trips(name):
    s = load_scenario(name)
    assert s.name == name
    assert s.description and "\n" not in s.description
    assert 2000 <= s.shots <= 10000 and 3 <= s.distance <= 5
    assert (12 if name == "default" else 20) <= s.windows <= 60
    s.device()  # the overrides make a valid device
    text = scenario_to_toml(s)
    data = tomllib.loads(text)
    assert set(data) >= ALL_TOP_KEYS
    assert set(data["knobs"]["laser"]) == {"frequency_offset", "amplitude_scale", "delay"}
    again = scenario_from_dict(data, source="resolved")
    assert again == s
    assert scenario_to_toml(again).splitlines()[1:] == text.splitlines()[1:]


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_drifts_stay_in_range(name):
    """Sum every drift's offsets on a fine time grid, for several seeds: always a valid device."""
    s = load_scenario(name)
    if not s.drifts:
        return
    times = np.linspace(0.0, 1.5 * s.duration_seconds, 4 * s.windows * 3 + 1)
    nominal = s.device()
    for seed in range(20):
        totals: dict[str, np.ndarray] = {}
        for i, d in enumerate(s.drifts):
            path = sample_path(d.process, times, seed=seed * 100 + i)
            totals[d.parameter] = totals.get(d.parameter, 0.0) + path
        for k in (0, len(times) // 3, len(times) // 2, len(times) - 1,
                  *(int(np.argmin(v)) for v in totals.values()),
                  *(int(np.argmax(v)) for v in totals.values())):
            overrides = {}
            for p, v in totals.items():
                sec, key = p.split(".")
                overrides[p] = getattr(getattr(nominal, sec), key) + float(v[k])
            with_overrides(nominal, overrides)  # raises if out of range


def test_defaults_fill_in(tmp_path):
    s = load_scenario(str(_write(tmp_path, "")))
    assert s.name == "my-scenario"
    assert (s.seed, s.windows, s.shots, s.rounds, s.window_seconds) == (0, 20, 5000, None, 10.0)
    assert (s.code, s.distance, s.basis, s.decoder, s.target) == (
        "surface", 5, "Z", "mwpm-erasure", 1e-3)
    assert s.rounds_per_shot == 5
    assert s.controller == ControllerSpec("none", {})
    assert s.drifts == () and s.hot_node is None and s.device_overrides == {}
    assert s.knobs == {k.name: k.nominal for k in KNOBS}
    assert s.device() == REFERENCE_DEVICE
    assert s == Scenario(name="my-scenario")
    text = scenario_to_toml(s)
    assert 'rounds = "distance"' in text
    assert load_scenario(str(_write(tmp_path, text, "again.toml"))) == s


def test_full_file_and_replace(tmp_path):
    path = _write(tmp_path, """
name = "mine"
seed = 3
rounds = 2
distance = 3
[device.cavity]
g = 130
[device]
link.length_km = 0.02
[controller]
name = "periodic"
every = 5
[knobs]
laser.frequency_offset = 0.1
"laser.delay" = 0.25
[hot_node]
qubit = 3
factor = 4
[[drift]]
parameter = "link.coupling_efficiency"
process = "burst"
amplitude = -0.2
recovery = 20.0
times = [50, 100.0]
[[drift]]
parameter = "laser.detuning_2ph"
process = "telegraph"
amplitude = 0.05
rate_up = 0.01
rate_down = 0.02
start_up = true
""")
    s = load_scenario(path)
    assert s.name == "mine" and s.rounds_per_shot == 2
    assert s.device_overrides == {"cavity": {"g": 130.0}, "link": {"length_km": 0.02}}
    assert s.device().cavity.g == 130.0
    assert s.controller.params == {"every": 5, "calibration_windows": 1}
    assert s.knobs == {"laser.frequency_offset": 0.1, "laser.amplitude_scale": 1.0,
                       "laser.delay": 0.25}
    assert s.hot_node == HotNode(3, 4.0)
    assert [d.process_name for d in s.drifts] == ["burst", "telegraph"]
    assert all(isinstance(d, DriftSpec) for d in s.drifts)
    assert scenario_from_dict(tomllib.loads(scenario_to_toml(s)), source="x") == s
    r = s.replace(windows=3, shots=100, seed=9, controller="oracle", rounds="distance")
    assert (r.windows, r.shots, r.seed, r.controller, r.rounds_per_shot) == (
        3, 100, 9, ControllerSpec("oracle"), 3)
    assert r.drifts == s.drifts and s.windows == 20
    with pytest.raises(UserError, match=r"my-scenario\.toml: shots = 0: must be an integer >= 1"):
        s.replace(shots=0)
    with pytest.raises(UserError, match="controller.name = 'smart'"):
        s.replace(controller="smart")


def test_ai_controller_accepts_any_table(tmp_path):
    s = load_scenario(_write(tmp_path, '[controller]\nname = "ai"\nhorizon = 4\n'
                                       '[controller.predictor]\nkind = "kalman"\n'))
    assert s.controller.params == {"horizon": 4, "predictor": {"kind": "kalman"}}
    assert scenario_from_dict(tomllib.loads(scenario_to_toml(s)), source="x") == s


BAD = [
    ("colour = 1", "unknown key 'colour'", "allowed keys are"),
    ('[controller]\nname = "periodic"\nevry = 3', "unknown key 'controller.evry'",
     "did you mean every"),
    ('[controller]\nname = "periodic"\nevery = 0', "controller.every = 0",
     "integer >= 1"),
    ('[controller]\nname = "smart"', "controller.name = 'smart'", "none, periodic, oracle, ai"),
    ("distance = 4", "distance = 4", "odd integer >= 3"),
    ("distance = 1", "distance = 1", "odd integer >= 3"),
    ('code = "toric"', "code = 'toric'", "surface, xzzx"),
    ('decoder = "mwpm-erasur"', "decoder = 'mwpm-erasur'", "did you mean mwpm-erasure"),
    ('basis = "Y"', "basis = 'Y'", "Z, X"),
    ("windows = 0", "windows = 0", "integer >= 1"),
    ("shots = 2.5", "shots = 2.5", "integer >= 1"),
    ("seed = -1", "seed = -1", "integer >= 0"),
    ("rounds = 0", "rounds = 0", '"distance"'),
    ("window_seconds = 0", "window_seconds = 0", "> 0"),
    ("target = 0.7", "target = 0.7", "(0, 0.5)"),
    ('[[drift]]\nparameter = "laser.detuning_2ph"\nprocess = "brownian"\nsigma = 1',
     "drift[0].process = 'brownian'", "ou, random-walk, ramp"),
    ('[[drift]]\nparameter = "laser.detuning2ph"\nprocess = "ou"\ntau = 1.0\nsigma = 0.1',
     "drift[0].parameter = 'laser.detuning2ph'", "did you mean laser.detuning_2ph"),
    ('[[drift]]\nparameter = "laser.shape"\nprocess = "ou"\ntau = 1.0\nsigma = 0.1',
     "drift[0].parameter = 'laser.shape'", "float"),
    ('[[drift]]\nparameter = "laser.frequency_offset"\nprocess = "ou"\ntau = 1.0\nsigma = 0.1',
     "drift[0].parameter = 'laser.frequency_offset'", "control knob"),
    ('[[drift]]\nparameter = "cavity.g"\nprocess = "ou"\ntau = 1.0\nsigma = 0.1\n'
     '[[drift]]\nparameter = "laser.detuning_2ph"\nprocess = "ou"\ntau = -1\nsigma = 0.1',
     "drift[1].tau = -1", "> 0"),
    ('[[drift]]\nparameter = "cavity.g"\nprocess = "ou"\ntua = 1.0\nsigma = 0.1',
     "unknown key 'drift[0].tua'", "did you mean tau"),
    ('[[drift]]\nparameter = "cavity.g"\nprocess = "ou"\nsigma = 0.1',
     "drift[0] (ou): missing parameter 'tau'", "required are tau, sigma"),
    ('[[drift]]\nparameter = "cavity.g"\nsigma = 0.1', "drift[0].process is missing", "ou"),
    ('[[drift]]\nparameter = "cavity.g"\nprocess = "ou"\ntau = 1.0\nsigma = 0.1\n'
     'grid_step = 0', "drift[0].grid_step = 0", "> 0"),
    ('[knobs]\nlaser.frequency = 0.1', "unknown knob 'knobs.laser.frequency'",
     "did you mean laser.frequency_offset"),
    ('[knobs]\nlaser.delay = 0.9', "knobs.laser.delay = 0.9", "[-0.25, 0.25]"),
    ("[hot_node]\nfactor = 1.0", "hot_node.factor = 1.0", "> 1"),
    ("[hot_node]\nqubit = \"middle\"", "hot_node.qubit = 'middle'", "'center'"),
    ("distance = 3\n[hot_node]\nqubit = 999", "hot_node.qubit = 999", "not a qubit"),
    ("[hot_node]\nfactor = 2\nweight = 1", "unknown key 'hot_node.weight'", "factor, qubit"),
    ("[device.cavity]\ng = -1.0", "device.cavity.g = -1.0", "> 0"),
    ("[device.cavity]\ngg = 1.0", "unknown key 'device.cavity.gg'", "did you mean"),
    ("[device.laser]\ndelay = 0.3", "device.laser.delay = 0.3", "[knobs]"),
    ("device = 3", "device = 3", "table"),
    ("name = 1", "name = 1", "one-line string"),
    ("seed = [", "invalid TOML", ""),
]


@pytest.mark.parametrize(("text", "fragment", "allowed"), BAD,
                         ids=[b[1][:40] for b in BAD])
def test_bad_scenarios_are_one_line_user_errors(tmp_path, text, fragment, allowed):
    path = _write(tmp_path, text + "\n")
    with pytest.raises(UserError) as info:
        load_scenario(str(path))
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: ")
    assert fragment in msg, msg
    assert allowed in msg, msg


def test_missing_file_and_unknown_builtin(tmp_path):
    with pytest.raises(UserError, match="cannot read scenario file .*nope.toml"):
        load_scenario(str(tmp_path / "nope.toml"))
    with pytest.raises(UserError) as info:
        load_scenario("laser-drfit")
    msg = str(info.value)
    assert "unknown scenario 'laser-drfit'" in msg and "did you mean laser-drift" in msg
    for name in REQUIRED:
        assert name in msg


def test_builtin_errors_name_the_builtin(monkeypatch, tmp_path):
    import scenarios

    path = _write(tmp_path, "windows = -2\n", "broken.toml")
    monkeypatch.setattr(scenarios, "scenario_path", lambda name: path)
    with pytest.raises(UserError, match=r"^built-in scenario 'default': windows = -2"):
        load_scenario("default")


def test_direct_construction_validates():
    with pytest.raises(ValueError, match="distance = 6"):
        Scenario(distance=6)
    with pytest.raises(ValueError, match="controller.every = 0"):
        ControllerSpec("periodic", {"every": 0})
    with pytest.raises(ValueError, match="hot_node.factor = 0.5"):
        HotNode("center", 0.5)


def test_cli_lists_builtins(capsys):
    assert main(["scenarios"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 6
    assert {ln.split()[0] for ln in lines} == set(BUILTINS)
    assert main(["scenarios", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == BUILTINS
    assert all(r["description"] for r in rows)


def test_cli_prints_one_resolved(capsys, tmp_path):
    assert main(["scenarios", "laser-drift"]) == 0
    text = capsys.readouterr().out
    assert load_scenario(str(_write(tmp_path, text))) == load_scenario("laser-drift")
    assert main(["scenarios", "nonesuch"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quantacore scenarios: error: unknown scenario 'nonesuch'")
    assert len(err.strip().splitlines()) == 1
