"""Decoder options in the name (issue 14): ``"bposd:osd_order=10"`` wherever a decoder name is
accepted, validated before any work."""

from __future__ import annotations

import numpy as np
import pytest

from qec.codes import memory_experiment
from qec.decoders import check_decoder, compile_decoder, decoder_dem, decodes_code, parse_decoder
from qec.noise import NoiseModel


def test_parse():
    assert parse_decoder("tesseract:det_beam=8,beam_climbing=false,det_penalty=0.5") == (
        "tesseract", {"det_beam": 8, "beam_climbing": False, "det_penalty": 0.5})
    assert parse_decoder("bposd:bp_method=product_sum") == ("bposd",
                                                            {"bp_method": "product_sum"})
    for bad in ("bposd:osd_order", "bposd:=3", "bposd:a=1,a=2"):
        with pytest.raises(ValueError, match="decoder = "):
            parse_decoder(bad)


def test_options_in_the_name_are_the_options():
    c = NoiseModel.uniform_depolarizing(0.005).noisy_circuit(
        memory_experiment("surface", distance=3, rounds=3).circuit)
    dem = decoder_dem(c)
    dets = c.compile_detector_sampler(seed=2).sample(300)
    named = compile_decoder("mwpm-window:commit=2,buffer=1", dem).decode_batch(dets)
    direct = compile_decoder("mwpm-window", dem, commit=2, buffer=1).decode_batch(dets)
    assert np.array_equal(named, direct)
    assert decodes_code("chromobius:x=1", "color") and not decodes_code("mwpm:x=1", "color")
    with pytest.raises(ValueError, match="given both"):
        compile_decoder("mwpm-window:commit=2", dem, commit=3)


def test_unknown_options_are_refused_before_any_work():
    check_decoder("bposd:osd_order=3")
    with pytest.raises(ValueError, match=r"unknown option\(s\) osd_ordr of 'bposd'; allowed"):
        check_decoder("bposd:osd_ordr=3")


def test_every_entry_point_takes_a_spec(tmp_path, capsys):
    from twin.cli import main
    from twin.scenario.schema import Scenario

    assert Scenario(name="s", decoder="mwpm-window:commit=3,buffer=3").decoder.startswith(
        "mwpm-window")
    with pytest.raises(ValueError, match="decoder = 'mwpm-window:comit=3'"):
        Scenario(name="s", decoder="mwpm-window:comit=3")
    sweep = tmp_path / "s.toml"
    sweep.write_text('codes = ["surface"]\ndistances = [3]\ndecoders = ["bposd:osd_order=1"]\n'
                     'max_shots = 300\n[noise]\nkind = "uniform"\np = [0.003]\n')
    assert main(["sweep", str(sweep), "--save-resume", str(tmp_path / "s.csv"), "--quiet",
                 "--json"]) == 0
    assert '"decoder": "bposd:osd_order=1"' in capsys.readouterr().out
    assert main(["compare", "--codes", "surface", "--distances", "3", "--decoders",
                 "bposd:osd_ordr=1", "--quiet"]) == 2
    assert "unknown option(s) osd_ordr" in capsys.readouterr().err
