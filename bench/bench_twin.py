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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=12)
    ap.add_argument("--shots", type=int, default=20_000)
    args = ap.parse_args()
    scenario = load_scenario("laser-drift").replace(
        windows=args.windows, shots=args.shots, distance=5, decoder="mwpm", rounds=5)
    with tempfile.TemporaryDirectory() as tmp:
        twin = DigitalTwin(scenario, out_dir=Path(tmp) / "run")
        twin.run()
        with open(Path(tmp) / "run" / "timing.csv") as fh:
            walls = [float(r["wall_s"]) for r in csv.DictReader(fh)]
        nodes = twin.cache.stats.nodes
        # the same circuit as the twin's last window, sampled and decoded bare
        model, data = twin.cache.noise(twin.nominal)
        exp = memory_experiment("surface", distance=5, rounds=5, data_noise=data)
        circuit = model.noisy_circuit(exp.circuit)
    matching = pymatching.Matching.from_detector_error_model(
        circuit.detector_error_model(decompose_errors=True, approximate_disjoint_errors=True))
    bare = []
    for w in range(args.windows):
        t0 = time.perf_counter()
        dets, obs = circuit.compile_detector_sampler(seed=w).sample(
            args.shots, separate_observables=True, bit_packed=True)
        pred = matching.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True)
        int(np.any(pred != obs, axis=1).sum())
        bare.append(time.perf_counter() - t0)
    # steady state: skip the first windows (grid nodes computed on first touch)
    steady = sorted(walls[2:])
    twin_ms = 1e3 * float(np.median(steady))
    bare_ms = 1e3 * float(np.median(bare))
    print(f"d=5, {args.shots} shots, {args.windows} windows of laser-drift (mwpm)")
    print(f"{'quantity':<44} {'value':>10}")
    print(f"{'twin window, median (ms)':<44} {twin_ms:>10.1f}")
    print(f"{'bare stim + pymatching, median (ms)':<44} {bare_ms:>10.1f}")
    print(f"{'ratio twin / bare':<44} {twin_ms / bare_ms:>10.2f}")
    print(f"{'first window incl. grid nodes (ms)':<44} {1e3 * walls[0]:>10.1f}")
    print(f"{'exact physics nodes computed':<44} {nodes:>10d}")


if __name__ == "__main__":
    main()
