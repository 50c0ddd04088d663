"""The two erasure conventions (issue 14): the device's joint erasure per two-qubit gate, and
the literature's per data qubit per round, in sweeps and in the erasure benchmark."""

from __future__ import annotations

import pytest

from qec.codes import memory_experiment
from qec.noise import herald_detectors
from twin.errors import UserError
from twin.studies.sweep import load_sweep, sweep_tasks, uniform_with_erasure


@pytest.mark.parametrize(("per", "heralds"), [
    ("gate", 3 * 24),          # one herald per two-qubit gate: 24 CX per round, 3 rounds
    ("data-round", 3 * 9),     # one per data qubit per round: 9 data, 3 rounds
])
def test_herald_count_follows_the_convention(per, heralds):
    model, data = uniform_with_erasure(0.001, 0.05, per)
    exp = memory_experiment("surface", distance=3, rounds=3, data_noise=data)
    circuit = model.noisy_circuit(exp.circuit)
    assert len(herald_detectors(circuit.detector_error_model(
        approximate_disjoint_errors=True))) == heralds


def test_literature_convention_erases_data_at_the_stated_rate():
    _, data = uniform_with_erasure(0.0, 0.05, "data-round")
    exp = memory_experiment("surface", distance=3, rounds=4, data_noise=data)
    dets = exp.circuit.compile_detector_sampler(seed=3).sample(20_000)
    dem = exp.circuit.detector_error_model(approximate_disjoint_errors=True)
    fired = dets[:, herald_detectors(dem)].mean()
    assert fired == pytest.approx(0.05, abs=4 * (0.05 * 0.95 / dets[:, 0].size / 36) ** 0.5)


def test_sweep_files_take_the_convention(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('codes = ["surface"]\ndistances = [3]\n[noise]\nkind = "uniform"\n'
                    'p = [0.001]\nerasure = 0.05\nerasure_per = "data-round"\n')
    tasks = sweep_tasks(load_sweep(path))
    assert tasks[0].json_metadata["erasure_per"] == "data-round"
    path.write_text('[noise]\nkind = "uniform"\nerasure = 0.05\nerasure_per = "qubit"\n')
    with pytest.raises(UserError, match="noise.erasure_per = 'qubit': must be one of gate, "
                                        "data-round"):
        load_sweep(path)
