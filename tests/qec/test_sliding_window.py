"""Streaming decoding (issue 14): sliding-window matching against whole-block matching on the
same shots, its windows, and its options."""

from __future__ import annotations

import numpy as np
import pytest

from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem
from qec.decoders.sliding_window import detector_times
from qec.noise import NoiseModel, TwoQubitNoise


def _shots(d: int, rounds: int, p: float, shots: int, seed: int, erasure: float = 0.0):
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    c = model.noisy_circuit(memory_experiment("surface", distance=d, rounds=rounds).circuit)
    dets, obs = c.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True,
                                                             bit_packed=True)
    return decoder_dem(c), dets, obs


def _errors(pred, obs) -> int:
    return int(np.any(pred != obs, axis=1).sum())


def test_windows_tile_time_and_commit_each_round_once():
    dem, _, _ = _shots(3, 20, 0.001, 1, 0)
    dec = compile_decoder("mwpm-window", dem, commit=4, buffer=3)
    times = detector_times(dem)
    assert times.min() == 0 and times.max() == 20  # 20 rounds + the final data readout
    committed = [(w.start, w.commit_end) for w in dec.windows]
    assert committed[0][0] == 0 and committed[-1][1] == 21
    assert all(a[1] == b[0] for a, b in zip(committed, committed[1:], strict=False))
    for w in dec.windows[:-1]:  # every non-final window sees commit + buffer rounds
        assert set(times[w.nodes]) == set(range(w.start, w.start + 7))


def test_noiseless_and_single_window_cases_match_whole_block():
    dem, dets, obs = _shots(3, 6, 0.004, 2000, 1)
    whole = compile_decoder("mwpm", dem).decode_batch(dets, bit_packed=True)
    one = compile_decoder("mwpm-window", dem, commit=10, buffer=10)  # one window = everything
    assert len(one.windows) == 1
    assert np.array_equal(one.decode_batch(dets, bit_packed=True), whole)


def test_streaming_is_as_accurate_as_whole_block_at_d5():
    dem, dets, obs = _shots(5, 40, 0.006, 2500, 7)
    whole = _errors(compile_decoder("mwpm", dem).decode_batch(dets, bit_packed=True), obs)
    win = compile_decoder("mwpm-window", dem, commit=5, buffer=5)
    pred, seconds = win.decode_timed(dets, bit_packed=True)
    assert seconds.shape == (2500, len(win.windows)) and (seconds > 0).all()
    assert whole > 100 and _errors(pred, obs) <= 1.2 * whole


def test_a_short_buffer_costs_accuracy():
    # without look-ahead the window commits corrections it cannot yet see the end of
    dem, dets, obs = _shots(5, 40, 0.006, 2500, 7)
    good = _errors(compile_decoder("mwpm-window", dem, commit=5, buffer=5).decode_batch(
        dets, bit_packed=True), obs)
    short = _errors(compile_decoder("mwpm-window", dem, commit=5, buffer=1).decode_batch(
        dets, bit_packed=True), obs)
    assert short > 1.2 * good


def test_heralds_are_ignored():
    dem, dets, obs = _shots(3, 9, 0.002, 500, 3, erasure=0.01)
    pred = compile_decoder("mwpm-window", dem, commit=3, buffer=3).decode_batch(
        dets, bit_packed=True)
    assert _errors(pred, obs) < 150


@pytest.mark.slow
def test_d11_over_100_rounds_within_1_2x_of_whole_block():
    dem, dets, obs = _shots(11, 100, 0.007, 3000, 11)
    whole = _errors(compile_decoder("mwpm", dem).decode_batch(dets, bit_packed=True), obs)
    win = _errors(compile_decoder("mwpm-window", dem, commit=11, buffer=11).decode_batch(
        dets, bit_packed=True), obs)
    assert whole > 50 and win <= 1.2 * whole, (win, whole)


@pytest.mark.parametrize(("options", "match"), [
    ({"commit": 0}, "commit = 0: must be an integer >= 1"),
    ({"buffer": 2.5}, "buffer = 2.5"),
    ({"window": 3}, "unknown mwpm-window option"),
    ({"time_coordinate": 7}, "needs its time as coordinate 7"),
])
def test_bad_options_are_named(options, match):
    dem, _, _ = _shots(3, 3, 0.001, 1, 0)
    with pytest.raises(ValueError, match=match):
        compile_decoder("mwpm-window", dem, **options)
