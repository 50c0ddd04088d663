"""The twin loop: physics cache accuracy, reproducibility, kill-and-resume, refusals, CLI."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from physics.device import REFERENCE_DEVICE, with_overrides
from twin.cli import main
from twin.device.physics_cache import PhysicsCache
from twin.loop import DigitalTwin
from twin.scenario import load_scenario


def test_physics_cache_interpolation_error_is_bounded():
    """Linear interpolation error ≤ h²/8 · max|f''|; for the gate's coherent error
    f(δ) ≈ f0 + (δ·T)²/4 with T = 0.5 µs (the Raman gate's time in |a⟩) the bound is
    h²·T²/16."""
    h, dwell = 0.02, 0.5
    cache = PhysicsCache(REFERENCE_DEVICE, "surface", varying=["laser.detuning_2ph"],
                         steps={"laser.detuning_2ph": h})
    bound = h**2 * dwell**2 / 16
    for delta in (0.007, 0.031, 0.052):
        dev = with_overrides(REFERENCE_DEVICE, {"laser.detuning_2ph": delta})
        interp, _ = cache.noise(dev)
        exact, _ = cache.exact(dev)
        assert abs(interp.gate_1q.px - exact.gate_1q.px) <= 1.05 * bound + 1e-7
        # everything else barely depends on δ: interpolation is near exact
        assert abs(interp.measure.px - exact.measure.px) < 1e-9
    # the bound is not vacuous: it is small against the drift's own effect
    assert bound < 0.05 * exact.gate_1q.px


def test_same_seed_gives_byte_identical_telemetry(tmp_path, tiny_scenario_file):
    scen = load_scenario(str(tiny_scenario_file()))
    for name in ("a", "b"):
        DigitalTwin(scen, folder=tmp_path / name).run()
    a = (tmp_path / "a" / "telemetry.csv").read_bytes()
    assert a == (tmp_path / "b" / "telemetry.csv").read_bytes()
    other = DigitalTwin(scen.replace(seed=8), folder=tmp_path / "c")
    other.run()
    assert (tmp_path / "c" / "telemetry.csv").read_bytes() != a
    rows = a.decode().splitlines()
    assert len(rows) == 1 + 6 and rows[0].startswith("window,time_s,lost,")
    assert "true:laser.detuning_2ph" in rows[0] and "knob:laser.frequency_offset" in rows[0]


def _run_cli(args, **kw):
    return subprocess.Popen([sys.executable, "-m", "twin.cli", "run", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_kill_and_resume_gives_the_uninterrupted_telemetry(tmp_path, tiny_scenario_file):
    path = tiny_scenario_file(windows=8)
    ref = tmp_path / "ref"
    assert main(["run", str(path), "--out", str(ref), "--quiet", "--no-report"]) == 0
    expected = (ref / "none-seed7" / "telemetry.csv").read_bytes()

    out = tmp_path / "killed"
    tele = out / "none-seed7" / "telemetry.csv"
    proc = _run_cli([str(path), "--out", str(out), "--quiet", "--no-report"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if tele.exists() and tele.read_text().count("\n") >= 4:  # header + 3 windows
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = tele.read_bytes()
    assert 4 <= partial.count(b"\n") < 9  # interrupted mid-run
    with open(tele, "ab") as fh:  # and a torn last line, as a crash mid-write leaves
        fh.write(b"3,30.0,0,surf")
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-report",
                 "--resume"]) == 0
    assert tele.read_bytes() == expected


def test_refusals(tmp_path, capsys, tiny_scenario_file):
    path = tiny_scenario_file()
    out = tmp_path / "o"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-report"]) == 0
    capsys.readouterr()
    # running again into the same folder without --resume would lose data
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-report"]) == 2
    assert "already holds a run" in capsys.readouterr().err
    # resuming with a different scenario is refused with the reason
    other = tmp_path / "other.toml"
    other.write_text(path.read_text().replace("sigma = 0.06", "sigma = 0.07"))
    assert main(["run", str(other), "--out", str(out), "--quiet", "--no-report",
                 "--resume"]) == 2
    err = capsys.readouterr().err
    assert "different scenario" in err and "sigma" in err and len(err.strip().splitlines()) == 1
    # resuming where there is nothing
    assert main(["run", str(path), "--out", str(tmp_path / "empty"), "--quiet",
                 "--resume"]) == 2
    assert "no run there" in capsys.readouterr().err
    # more windows on resume extend the run
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-report", "--resume",
                 "--windows", "8"]) == 0
    tele = (out / "none-seed7" / "telemetry.csv").read_text().splitlines()
    assert len(tele) == 1 + 8


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["no-such-scenario"], "no-such-scenario"),
        (["--windows", "0"], "--windows = 0: must be >= 1"),
        (["--controller", "magic"], "controller.name = 'magic'"),
    ],
)
def test_run_bad_input(args, fragment, capsys, tmp_path):
    assert main(["run", *args, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1


def test_run_json_summary_and_report(tmp_path, capsys, tiny_scenario_file):
    path = tiny_scenario_file(controller="oracle")
    assert main(["run", str(path), "--out", str(tmp_path / "r"), "--quiet", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("scenario", "controller", "windows", "mean_ler_per_round", "ler_ci",
                "lost_windows"):
        assert key in data
    assert data["controller"] == "oracle" and data["windows"] == 6
    assert Path(data["report"]).exists()
    tele = (tmp_path / "r" / "oracle-seed7" / "telemetry.csv").read_text().splitlines()
    header = tele[0].split(",")
    knob = header.index("knob:laser.frequency_offset")
    true = header.index("true:laser.detuning_2ph")
    for line in tele[1:]:  # the oracle cancels the drift exactly, window by window
        cells = line.split(",")
        assert float(cells[knob]) == pytest.approx(-float(cells[true]), abs=1e-12)


def test_periodic_calibration_costs_windows_and_restores_knobs(tmp_path, tiny_scenario_file):
    scen = load_scenario(str(tiny_scenario_file(windows=7)))
    from twin.scenario import ControllerSpec

    scen = scen.replace(controller=ControllerSpec("periodic", {"every": 3}))
    DigitalTwin(scen, folder=tmp_path / "p").run()
    rows = [ln.split(",") for ln in
            (tmp_path / "p" / "telemetry.csv").read_text().splitlines()]
    header, rows = rows[0], rows[1:]
    lost = [int(r[header.index("lost")]) for r in rows]
    assert lost == [0, 0, 0, 1, 0, 0, 0]
    knob = np.array([float(r[header.index("knob:laser.frequency_offset")]) for r in rows])
    assert (knob[:4] == 0).all() and knob[4] != 0  # set by the calibration in window 3


def test_oracle_beats_periodic_beats_none_on_laser_drift(tmp_path):
    """Acceptance (issue 4): at a fixed seed, mean logical error oracle ≤ periodic ≤ none."""
    from twin.scenario import ControllerSpec

    base = load_scenario("laser-drift").replace(shots=2000)
    results = {}
    for name in ("none", "periodic", "oracle"):
        scen = base.replace(controller=ControllerSpec(name, {}))
        results[name] = DigitalTwin(scen, folder=tmp_path / name).run()
    none, periodic, oracle = (results[k] for k in ("none", "periodic", "oracle"))
    assert oracle.mean_ler_per_round <= periodic.mean_ler_per_round <= none.mean_ler_per_round
    assert periodic.ler_ci[1] < none.ler_ci[0]  # clearly, not by luck
    assert periodic.lost_windows > 0 == oracle.lost_windows == none.lost_windows


def test_intensity_drift_separates_none_from_oracle(tmp_path):
    """Acceptance (issue 12): the far-detuned Raman gate is a pulse-area gate, so the
    intensity swing (down to I = 0.8 by t = 50 s) moves the logical error, and the amplitude
    knob (1/√I, the oracle's) takes it back out."""
    from twin.scenario import ControllerSpec

    base = load_scenario("intensity-drift").replace(windows=6, shots=1000, distance=3)
    res = {name: DigitalTwin(base.replace(controller=ControllerSpec(name, {})),
                             folder=tmp_path / name).run() for name in ("none", "oracle")}
    assert res["oracle"].ler_ci[1] < res["none"].ler_ci[0] / 3
    with open(tmp_path / "oracle" / "telemetry.csv") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:  # the oracle plays 1/√I every window
        intensity = float(row["true:laser.intensity"])
        assert float(row["knob:laser.amplitude_scale"]) == pytest.approx(intensity ** -0.5)


def test_read_only_output_folder_is_a_clear_error(tmp_path, capsys, tiny_scenario_file):
    if os.geteuid() == 0:
        locked = Path("/proc/quantacore-cannot-write-here")  # root ignores permissions
    else:
        locked = tmp_path / "ro"
        locked.mkdir()
        locked.chmod(0o500)
    path = tiny_scenario_file()
    assert main(["run", str(path), "--out", str(locked / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot" in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert main(["compare", "--codes", "surface", "--distances", "3", "--max-shots", "200",
                 "--quiet", "--out", str(locked / "y")]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot" in err and len(err.splitlines()) == 1


def test_herald_layout_has_one_joint_herald_per_two_qubit_gate():
    """The loop hands the controller one herald per failed gate, with both of its qubits."""
    import dataclasses
    from types import MappingProxyType

    import stim

    from control.protocol import SyndromeWindow
    from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
    from twin.loop.circuits import CircuitCache

    cache = CircuitCache(code="surface", rounds=2, basis="Z")
    clean = cache.experiment(3, None).circuit
    model = NoiseModel(gate_1q=OpNoise(erasure=0.01), gate_2q=TwoQubitNoise(erasure=0.01))
    mask, pairs = cache.herald_layout(model.noisy_circuit(clean), ("test",))
    ops = [i for i in clean.flattened() if stim.gate_data(i.name).is_unitary]
    n_pairs = sum(len(i.targets_copy()) // 2 for i in ops
                  if stim.gate_data(i.name).is_two_qubit_gate)
    n_single = sum(len(i.targets_copy()) for i in ops
                   if stim.gate_data(i.name).is_single_qubit_gate)
    assert pairs.shape == (int(mask.sum()), 2) == (n_pairs + n_single, 2)
    assert int((pairs[:, 1] >= 0).sum()) == n_pairs
    assert cache.herald_layout(clean, ("test",)) is not None  # cached by key
    window = SyndromeWindow(
        index=0, time=0.0, shots=1, rounds=2, code="surface", distance=3, decoder="mwpm",
        circuit=clean, packed_detections=np.zeros((1, (mask.size + 7) // 8), np.uint8),
        herald_mask=mask, herald_qubits=pairs[:, 0], herald_pairs=pairs,
        packed_observables=np.zeros((1, 1), np.uint8), num_observables=1, logical_errors=0,
        decoder_model=model, knobs=MappingProxyType({}))
    assert window.herald_pairs is pairs and window.heralds.shape == (1, pairs.shape[0])
    legacy = dataclasses.replace(window, herald_pairs=None)
    np.testing.assert_array_equal(legacy.herald_pairs[:, 0], pairs[:, 0])
    assert (legacy.herald_pairs[:, 1] == -1).all()
