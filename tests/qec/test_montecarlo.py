"""sinter glue: our decoders as sinter.Decoders, collect, resumable CSV."""

from __future__ import annotations

import numpy as np
import pytest
import stim

from qec.decoders import BUILTIN_DECODERS, compile_decoder, decoder_dem, decodes_code, pack_bits
from qec.montecarlo import SinterDecoder, collect, make_task, sinter_decoders
from qec.noise import NoiseModel, TwoQubitNoise

SURFACE_DECODERS = tuple(n for n in BUILTIN_DECODERS if decodes_code(n, "surface"))
"""Every built-in but ``chromobius`` (colour code only; tested in ``test_color_code.py``)."""


def surface(d: int, p: float, erasure: float = 0.0) -> stim.Circuit:
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    return model.noisy_circuit(
        stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=d))


def test_sinter_decoders_cover_every_name():
    decoders = sinter_decoders()
    assert tuple(decoders) == BUILTIN_DECODERS
    assert all(isinstance(d, SinterDecoder) and d.name == n for n, d in decoders.items())
    assert sinter_decoders(bposd={"osd_order": 2})["bposd"].options == (("osd_order", 2),)
    with pytest.raises(ValueError, match="unknown decoder 'nope'"):
        sinter_decoders(nope={})


def test_make_task_refuses_unknown_decoder():
    with pytest.raises(ValueError, match="must be one of mwpm, mwpm-correlated"):
        make_task(surface(3, 1e-3), decoder="pymatching", json_metadata={})


def test_make_task_builds_the_decoder_dem():
    circuit = surface(3, 1e-3, 0.05)
    task = make_task(circuit, decoder="mwpm-erasure", json_metadata={"d": 3})
    assert task.decoder == "mwpm-erasure" and task.json_metadata == {"d": 3}
    assert task.detector_error_model == decoder_dem(circuit)


@pytest.mark.parametrize("name", SURFACE_DECODERS)
def test_adapter_matches_the_compiled_decoder(name):
    circuit = surface(3, 5e-3, 0.05)
    dem = decoder_dem(circuit)
    dets = pack_bits(circuit.compile_detector_sampler(seed=1).sample(200))
    adapter = SinterDecoder(name).compile_decoder_for_dem(dem=dem)
    out = adapter.decode_shots_bit_packed(bit_packed_detection_event_data=dets)
    assert out.dtype == np.uint8 and out.shape == (200, 1)
    np.testing.assert_array_equal(
        out, compile_decoder(name, dem).decode_batch(dets, bit_packed=True))


def test_adapter_errors_surface():
    undecomposed = decoder_dem(surface(3, 1e-3), decompose=False)
    with pytest.raises(ValueError, match="decomposed DEM"):
        SinterDecoder("mwpm").compile_decoder_for_dem(dem=undecomposed)
    with pytest.raises(ValueError, match="must be one of"):
        SinterDecoder("pymatching")


def test_collect_every_decoder_through_sinter():
    tasks = [make_task(surface(3, 2e-3, 0.02), decoder=name, json_metadata={"decoder": name})
             for name in SURFACE_DECODERS]
    stats = collect(tasks, num_workers=1, max_shots=300)
    assert sorted(s.decoder for s in stats) == sorted(SURFACE_DECODERS)
    for s in stats:
        assert s.shots == 300
        assert s.json_metadata == {"decoder": s.decoder}
        assert 0 <= s.errors < 60  # well below ½: the decoder decodes


def test_collect_refuses_foreign_decoder_names():
    task = make_task(surface(3, 1e-3), decoder="mwpm", json_metadata={})
    task.decoder = "pymatching"
    with pytest.raises(ValueError, match="must be one of"):
        collect([task], max_shots=10)


def test_resume_repeats_no_shot(tmp_path):
    path = tmp_path / "stats.csv"
    tasks = [make_task(surface(3, 5e-3), decoder=name, json_metadata={"p": 5e-3, "dec": name})
             for name in ("mwpm", "mwpm-erasure")]
    first = collect(tasks, max_shots=400, save_resume_filepath=str(path))
    rows = path.read_text().splitlines()
    second = collect(tasks, max_shots=400, save_resume_filepath=str(path))
    assert path.read_text().splitlines() == rows  # nothing appended
    assert sorted((s.decoder, s.shots, s.errors) for s in first) == \
        sorted((s.decoder, s.shots, s.errors) for s in second)
    assert all(s.shots == 400 for s in second)
    # more shots asked: only the missing ones are added
    third = collect(tasks, max_shots=600, save_resume_filepath=str(path))
    assert all(s.shots == 600 for s in third)
