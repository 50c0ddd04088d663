"""Twin window vs bare stim + pymatching, measured side by side in one run.

A twin window = physics refresh (interpolated grid) + noisy circuit + sampling + decoding with
the decoder's priors + unpacking the syndromes for the controller + one flushed telemetry row.
The bare baseline samples and decodes the *same* circuit (d = 5, 20,000 shots) with stim and
``pymatching.decode_batch``, its matching graph built once, as a hand-written loop would.

Run: ``python -m bench.bench_twin`` (``--windows N``, ``--shots N``).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
import pymatching

from qec.codes import memory_experiment
from twin.loop import DigitalTwin
from twin.scenario import load_scenario


def _twin_windows(windows: int, shots: int):
    """Run laser-drift through the twin; wall s per window, nodes, and its last circuit."""
    scenario = load_scenario("laser-drift").replace(
        windows=windows, shots=shots, distance=5, decoder="mwpm", rounds=5)
    with tempfile.TemporaryDirectory() as tmp:
        twin = DigitalTwin(scenario, folder=Path(tmp) / "run")
        twin.run()
        with open(Path(tmp) / "run" / "timing.csv") as fh:
            walls = [float(r["wall_s"]) for r in csv.DictReader(fh)]
        nodes = twin.model.cache.stats.nodes
        # the same circuit as the twin's last window, sampled and decoded bare
        model, data = twin.model.cache.noise(twin.nominal)
        exp = memory_experiment("surface", distance=5, rounds=5, data_noise=data)
        circuit = model.noisy_circuit(exp.circuit)
    return walls, nodes, circuit


def bare_windows(circuit, windows: int, shots: int) -> list[float]:
    """Seconds per window of bare stim sampling + pymatching decoding + error counting.

    The reference the twin's and the controller's benchmarks are measured against.
    """
    matching = pymatching.Matching.from_detector_error_model(
        circuit.detector_error_model(decompose_errors=True, approximate_disjoint_errors=True))
    bare = []
    for w in range(windows):
        t0 = time.perf_counter()
        dets, obs = circuit.compile_detector_sampler(seed=w).sample(
            shots, separate_observables=True, bit_packed=True)
        pred = matching.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True)
        int(np.any(pred != obs, axis=1).sum())
        bare.append(time.perf_counter() - t0)
    return bare


def measure(*, windows: int = 12, shots: int = 20_000) -> dict:
    """Twin window vs bare sampling + decoding of the same circuit.

    Args:
        windows: windows of laser-drift (≥ 3: the first two are skipped).
        shots: shots per window.

    Returns:
        ``windows``, ``shots``, ``twin_ms`` (median over windows 3.., from ``timing.csv``),
        ``bare_ms`` (median), ``ratio`` (twin / bare), ``first_ms`` (first window, incl. grid
        nodes), ``nodes`` (exact physics nodes computed).
    """
    if windows < 3:
        raise ValueError(f"windows = {windows}: must be >= 3 (the first two are skipped)")
    walls, nodes, circuit = _twin_windows(windows, shots)
    bare = bare_windows(circuit, windows, shots)
    # steady state: skip the first windows (grid nodes computed on first touch)
    twin_ms = 1e3 * float(np.median(walls[2:]))
    bare_ms = 1e3 * float(np.median(bare))
    return {"windows": windows, "shots": shots, "twin_ms": twin_ms, "bare_ms": bare_ms,
            "ratio": twin_ms / bare_ms, "first_ms": 1e3 * walls[0], "nodes": nodes}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=12)
    ap.add_argument("--shots", type=int, default=20_000)
    args = ap.parse_args(argv)
    r = measure(windows=args.windows, shots=args.shots)
    print(f"d=5, {args.shots} shots, {args.windows} windows of laser-drift (mwpm)")
    print(f"{'quantity':<44} {'value':>10}")
    print(f"{'twin window, median (ms)':<44} {r['twin_ms']:>10.1f}")
    print(f"{'bare stim + pymatching, median (ms)':<44} {r['bare_ms']:>10.1f}")
    print(f"{'ratio twin / bare':<44} {r['ratio']:>10.2f}")
    print(f"{'first window incl. grid nodes (ms)':<44} {r['first_ms']:>10.1f}")
    print(f"{'exact physics nodes computed':<44} {r['nodes']:>10d}")


if __name__ == "__main__":
    main()
