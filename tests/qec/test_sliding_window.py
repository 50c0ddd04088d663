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


def test_load_closed_forms():
    dem, _, _ = _shots(3, 20, 0.001, 1, 0)
    dec = compile_decoder("mwpm-window", dem, commit=5, buffer=5)
    n_win = len(dec.windows)
    idle = dec.load(np.zeros((10, n_win)), round_time_us=100.0)
    assert idle.max_backlog_rounds == 0 and idle.keeps_up
    # each window takes exactly its committed rounds of device time (5, 5, 5, 6): windows are
    # ready at rounds 10, 15, 20, 21, so the third finishes at 25 and the last, ready at 21,
    # finishes at 31: a lag of 10 rounds, the same in every shot (each starts 21 rounds later)
    committed = np.array([w.commit_end - w.start for w in dec.windows], dtype=float)
    assert committed.tolist() == [5, 5, 5, 6]
    even = dec.load(np.tile(committed * 100e-6, (10, 1)), round_time_us=100.0)
    assert even.us_per_round == pytest.approx(100.0)
    assert even.max_backlog_rounds == pytest.approx(10.0, abs=1e-6)
    # twice slower than the device: the backlog grows with the shots
    slow = dec.load(np.tile(committed * 200e-6, (10, 1)), round_time_us=100.0)
    assert not slow.keeps_up and slow.max_backlog_rounds > 10 * 21 * 0.9


def test_a_run_reports_the_streaming_decoders_load(tmp_path):
    import csv

    from twin.cli import main

    scenario = tmp_path / "s.toml"
    scenario.write_text('seed = 1\nwindows = 2\nshots = 300\ncode = "surface"\ndistance = 3\n'
                        'decoder = "mwpm-window"\n[controller]\nname = "none"\n')
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--no-report",
                 "--quiet"]) == 0
    (run,) = (tmp_path / "out").iterdir()
    rows = list(csv.DictReader((run / "timing.csv").read_text().splitlines()))
    assert len(rows) == 2
    for r in rows:
        assert float(r["decode_s"]) > 0 and float(r["round_time_us"]) > 0
        assert float(r["backlog_rounds"]) >= 0
