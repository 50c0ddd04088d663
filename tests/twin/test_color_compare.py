"""The colour code on the reference device: noise from ``twin.device.noise_map``, decoded by
chromobius, and through ``quantacore compare`` (qec-only tests: tests/qec/test_color_code.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from physics.device import REFERENCE_DEVICE
from physics.operations import extract_operations
from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem
from twin.cli import main
from twin.device.noise_map import code_noise, noise_model_from_extraction
from twin.studies.compare import default_codes, validate_grid


@pytest.fixture(scope="module")
def extraction():
    return extract_operations(REFERENCE_DEVICE)


def test_colour_code_gets_the_atom_qubit_noise_and_decodes(extraction):
    model, data_noise = code_noise(extraction, "color")
    assert data_noise is None and model == noise_model_from_extraction(extraction)
    exp = memory_experiment("color", distance=3, rounds=3, basis="X")
    circuit = model.noisy_circuit(exp.circuit)
    decoder = compile_decoder("chromobius", decoder_dem(circuit))
    dets, obs = circuit.compile_detector_sampler(seed=3).sample(2000, separate_observables=True)
    p_fail = float(np.any(decoder.decode_batch(dets) != obs, axis=1).mean())
    assert 0 < p_fail < 0.4, p_fail  # decodes: well below a coin flip


def test_compare_runs_the_colour_code_with_chromobius(capsys):
    code = main(["compare", "--codes", "color", "--decoders", "chromobius", "--distances", "3",
                 "5", "--basis", "Z", "--max-shots", "2000", "--quiet", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {(r["code"], r["decoder"], r["distance"]) for r in data["results"]} == {
        ("color", "chromobius", 3), ("color", "chromobius", 5)}
    assert [(s["code"], s["decoder"]) for s in data["summary"]] == [("color", "chromobius")]


def test_compare_table_names_the_colour_code(capsys):
    assert main(["compare", "--codes", "color", "--decoders", "chromobius", "--distances", "3",
                 "--basis", "X", "--max-shots", "300", "--quiet"]) == 0
    assert "color" in capsys.readouterr().out


def test_mixed_grid_skips_pairs_a_decoder_cannot_decode(capsys):
    assert main(["compare", "--codes", "surface", "color", "--decoders", "mwpm", "chromobius",
                 "--distances", "3", "--basis", "Z", "--max-shots", "300", "--quiet",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {(r["code"], r["decoder"]) for r in data["results"]} == {
        ("surface", "mwpm"), ("color", "chromobius")}


def test_a_code_without_a_decoder_is_refused_in_one_line(capsys):
    assert main(["compare", "--codes", "color", "--decoders", "mwpm", "--distances", "3"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "chromobius" in err and "'color'" in err
    with pytest.raises(ValueError, match="none of the decoders"):
        validate_grid(codes=["color"], distances=[3], decoders=["mwpm"], bases=["Z"])


def test_default_codes_follow_the_decoders():
    assert "color" not in default_codes(["mwpm", "mwpm-erasure"])
    assert default_codes(["chromobius"]) == ("color",)
    assert "color" in default_codes(["mwpm", "chromobius"])


def test_a_scenario_pairs_the_colour_code_with_a_decoder_that_decodes_it():
    from twin.scenario.schema import Scenario

    assert Scenario(name="c", code="color", decoder="chromobius").decoder == "chromobius"
    with pytest.raises(ValueError, match="cannot decode code 'color': use one of"):
        Scenario(name="c", code="color", decoder="mwpm-erasure")
    with pytest.raises(ValueError, match="cannot decode code 'surface'"):
        Scenario(name="c", code="surface", decoder="chromobius")


def test_a_sweep_skips_pairs_and_refuses_a_code_left_without_decoder(tmp_path):
    from twin.errors import UserError
    from twin.studies.sweep import load_sweep, sweep_tasks

    path = tmp_path / "s.toml"
    path.write_text('codes = ["surface", "color"]\ndistances = [3]\n'
                    'decoders = ["mwpm", "chromobius"]\n[noise]\nkind = "uniform"\n'
                    'p = [0.001]\n')
    pairs = {(t.json_metadata["code"], t.decoder) for t in sweep_tasks(load_sweep(path))}
    assert pairs == {("surface", "mwpm"), ("color", "chromobius")}
    path.write_text('codes = ["color"]\ndistances = [3]\ndecoders = ["mwpm"]\n[noise]\n'
                    'kind = "uniform"\np = [0.001]\n')
    with pytest.raises(UserError, match="codes.*none of the decoders decodes it"):
        load_sweep(path)
