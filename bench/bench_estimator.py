"""Pair-statistics estimator vs the window's own sampling + decoding, measured side by side.

For a rotated surface memory, d = 5, rounds = 5, uniform noise p = 0.1 % (stim's four knobs), a
window of 10⁴ shots costs (compiled sampler and matcher built once, outside the timing):

* sample + decode: ``stim`` detector sampling, bit-packed, plus ``pymatching`` ``decode_batch``
  on the bit-packed shots;
* estimate: ``PairCounter.update`` on the same bit-packed window plus ``estimate`` (edge and
  boundary probabilities, scale, rates).

Each is the median of ``--repeats`` runs; the ratio estimate / (sample + decode) is the
acceptance figure (≤ 20 %). ``reweighted_dem`` (run only when the decoder's priors are pushed)
is timed separately.

Run: ``python -m bench.bench_estimator`` (options: ``--shots``, ``--distance``, ``--repeats``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import pymatching

from control.estimators import EdgeModel, PairCounter, estimate, reweighted_dem
from qec import NoiseModel, OpNoise, decoder_dem, memory_experiment


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    """Prints the two times per window and their ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=10_000, help="shots per window")
    ap.add_argument("--distance", type=int, default=5, help="code distance (rounds = distance)")
    ap.add_argument("--p", type=float, default=0.001, help="uniform error probability")
    ap.add_argument("--repeats", type=int, default=21, help="runs per timing (median)")
    args = ap.parse_args()

    d, p, shots = args.distance, args.p, args.shots
    exp = memory_experiment("surface", distance=d, rounds=d, data_noise=OpNoise.depolarizing(p))
    circuit = NoiseModel.uniform_depolarizing(p).noisy_circuit(exp.circuit)
    dem = decoder_dem(circuit)
    sampler = circuit.compile_detector_sampler(seed=2024)
    matching = pymatching.Matching.from_detector_error_model(dem)
    edges = EdgeModel.from_dem(dem)
    window = sampler.sample(shots, bit_packed=True)

    def sample_decode() -> None:
        dets, _ = sampler.sample(shots, separate_observables=True, bit_packed=True)
        matching.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True)

    def estimate_window() -> None:
        counter = PairCounter(edges)
        counter.update(window)
        estimate(counter)

    sample_decode()
    estimate_window()  # warm-up (first calls, caches)
    t_sd = _median_time(sample_decode, args.repeats)
    t_est = _median_time(estimate_window, args.repeats)
    counter = PairCounter(edges)
    counter.update(window)
    est = estimate(counter)
    t_dem = _median_time(lambda: reweighted_dem(dem, edges, est), max(3, args.repeats // 5))

    print(f"surface memory d={d}, rounds={d}, p={p}, {shots} shots per window; "
          f"{circuit.num_detectors} detectors, {edges.num_pairs} pairs, "
          f"{edges.boundary.size} boundary terms")
    print(f"{'sample + decode (ms)':>22} {'estimate (ms)':>14} {'ratio':>7} "
          f"{'reweighted_dem (ms)':>20}")
    print(f"{1e3 * t_sd:>22.2f} {1e3 * t_est:>14.3f} {t_est / t_sd:>7.3f} {1e3 * t_dem:>20.1f}")


if __name__ == "__main__":
    main()
