"""``tesseract`` (issue 14): the upstream package's own decoder on the same DEM and shots gives
the same predictions; options are validated; heralds are ignored as in ``mwpm``."""

from __future__ import annotations

import numpy as np
import pytest
import tesseract_decoder

from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem, decodes_code
from qec.noise import NoiseModel, TwoQubitNoise


def _circuit(d: int = 3, p: float = 0.005, erasure: float = 0.0):
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    return model.noisy_circuit(memory_experiment("surface", distance=d, rounds=d).circuit)


def test_same_predictions_as_upstream_on_the_same_shots():
    c = _circuit()
    dets, obs = c.compile_detector_sampler(seed=11).sample(600, separate_observables=True,
                                                            bit_packed=True)
    ours = compile_decoder("tesseract", decoder_dem(c)).decode_batch(dets, bit_packed=True)
    upstream = tesseract_decoder.make_tesseract_sinter_decoders_dict()["tesseract"]
    theirs = upstream.compile_decoder_for_dem(dem=c.detector_error_model()
                                              ).decode_shots_bit_packed(
        bit_packed_detection_event_data=dets)
    assert np.array_equal(ours, theirs)
    mwpm = compile_decoder("mwpm", decoder_dem(c)).decode_batch(dets, bit_packed=True)
    errors = {name: int(np.any(p != obs, axis=1).sum()) for name, p in
              (("tesseract", ours), ("mwpm", mwpm))}
    assert errors["tesseract"] <= errors["mwpm"]  # the most accurate, on these shots too


def test_decodes_hyperedges_and_every_code():
    c = NoiseModel.uniform_depolarizing(0.002).noisy_circuit(
        memory_experiment("color", distance=3, rounds=3).circuit)
    dets, obs = c.compile_detector_sampler(seed=4).sample(400, separate_observables=True)
    pred = compile_decoder("tesseract", decoder_dem(c)).decode_batch(dets)
    assert pred.shape == obs.shape and np.any(pred != obs, axis=1).mean() < 0.1
    assert decodes_code("tesseract", "color") and decodes_code("tesseract", "bb")


def test_heralds_are_ignored_like_mwpm():
    c = _circuit(erasure=0.02)
    dem = decoder_dem(c)
    dets, obs = c.compile_detector_sampler(seed=5).sample(300, separate_observables=True)
    pred = compile_decoder("tesseract", dem).decode_batch(dets)
    assert pred.shape == obs.shape
    assert np.any(pred != obs, axis=1).mean() < 0.5


@pytest.mark.parametrize(("options", "match"), [
    ({"det_beam": 0}, "det_beam = 0: must be an integer >= 1"),
    ({"num_det_orders": 1.5}, "num_det_orders = 1.5"),
    ({"det_order_method": "random"}, "det_order_method = 'random': must be one of index"),
    ({"det_penalty": -1.0}, "det_penalty = -1.0"),
    ({"beam": 3}, "unknown tesseract option"),
])
def test_bad_options_are_named(options, match):
    with pytest.raises(ValueError, match=match):
        compile_decoder("tesseract", decoder_dem(_circuit()), **options)
