"""Pair-statistics estimator vs the window's own sampling + decoding, measured side by side.

For a rotated surface memory, d = 5, rounds = 5, uniform noise p = 0.1 % (stim's four knobs), a
window of 10⁴ shots costs (compiled sampler and matcher built once, outside the timing):

* sample + decode: ``stim`` detector sampling, bit-packed, plus ``pymatching`` ``decode_batch``
  on the bit-packed shots;
* estimate: ``PairCounter.update`` on the same bit-packed window plus ``estimate`` (edge and
  boundary probabilities, scale, rates).

Each is the median of ``--repeats`` runs; the ratio estimate / (sample + decode) is the
acceptance figure (≤ 20 %). ``reweighted_dem`` (run only when the decoder's priors are pushed)
is timed separately. Accuracy: the raw estimate (no shrinkage) of a 10⁵-shot window against
``dem_marginal_truth`` (median relative error over the pairs; acceptance ≤ 10 %) and its global
scale (1 is exact).

Run: ``python -m bench.bench_estimator`` (options: ``--shots``, ``--distance``, ``--repeats``,
``--accuracy-shots``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pymatching

from control.estimators import (
    EdgeModel,
    PairCounter,
    dem_marginal_truth,
    estimate,
    reweighted_dem,
)
from qec import NoiseModel, OpNoise, decoder_dem, memory_experiment


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _circuit(d: int, p: float):
    exp = memory_experiment("surface", distance=d, rounds=d, data_noise=OpNoise.depolarizing(p))
    return NoiseModel.uniform_depolarizing(p).noisy_circuit(exp.circuit)


def accuracy(circuit, edges: EdgeModel, shots: int, seed: int = 2024) -> dict:
    """Raw estimate (no shrinkage) of a ``shots``-shot window vs ``dem_marginal_truth``.

    Returns:
        ``accuracy_shots``, ``median_rel_error`` (median over pairs of |p̂/p − 1|, pairs with
        truth ≥ 1e-4), ``scale`` (raw global scale; 1 is exact), ``pairs_used``.
    """
    truth = dem_marginal_truth(circuit.detector_error_model(), edges)
    counter = PairCounter(edges)
    counter.update(circuit.compile_detector_sampler(seed=seed).sample(shots, bit_packed=True))
    est = estimate(counter, pseudo_count=0)
    keep = truth >= 1e-4
    rel = np.abs(est.p_pairs[keep] / truth[keep] - 1)
    return {"accuracy_shots": shots, "median_rel_error": float(np.median(rel)),
            "scale": float(est.scale), "pairs_used": int(keep.sum())}


def measure(*, shots: int = 10_000, distance: int = 5, p: float = 0.001, repeats: int = 21,
            accuracy_shots: int = 100_000) -> dict:
    """Cost of one window's estimate vs its sampling + decoding, and the estimate's accuracy.

    Args:
        shots: shots per window.
        distance: code distance (rounds = distance).
        p: uniform error probability.
        repeats: runs per timing (median).
        accuracy_shots: shots of the accuracy window (acceptance: 10⁵ at d = 5, ≤ 10 %).

    Returns:
        ``distance``, ``p``, ``shots``, ``detectors``, ``pairs``, ``boundary``,
        ``sample_decode_ms``, ``estimate_ms`` (medians), ``ratio`` (estimate / sample+decode),
        ``reweighted_dem_ms``, and the keys of ``accuracy``.
    """
    d = distance
    circuit = _circuit(d, p)
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
    t_sd = _median_time(sample_decode, repeats)
    t_est = _median_time(estimate_window, repeats)
    counter = PairCounter(edges)
    counter.update(window)
    est = estimate(counter)
    t_dem = _median_time(lambda: reweighted_dem(dem, edges, est), max(3, repeats // 5))
    return {"distance": d, "p": p, "shots": shots, "detectors": circuit.num_detectors,
            "pairs": edges.num_pairs, "boundary": int(edges.boundary.size),
            "sample_decode_ms": 1e3 * t_sd, "estimate_ms": 1e3 * t_est, "ratio": t_est / t_sd,
            "reweighted_dem_ms": 1e3 * t_dem, **accuracy(circuit, edges, accuracy_shots)}


def main(argv: list[str] | None = None) -> None:
    """Prints the two times per window and their ratio, then the estimate's accuracy."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=10_000, help="shots per window")
    ap.add_argument("--distance", type=int, default=5, help="code distance (rounds = distance)")
    ap.add_argument("--p", type=float, default=0.001, help="uniform error probability")
    ap.add_argument("--repeats", type=int, default=21, help="runs per timing (median)")
    ap.add_argument("--accuracy-shots", type=int, default=100_000,
                    help="shots of the accuracy window")
    args = ap.parse_args(argv)
    r = measure(shots=args.shots, distance=args.distance, p=args.p, repeats=args.repeats,
                accuracy_shots=args.accuracy_shots)
    d = r["distance"]
    print(f"surface memory d={d}, rounds={d}, p={r['p']}, {r['shots']} shots per window; "
          f"{r['detectors']} detectors, {r['pairs']} pairs, {r['boundary']} boundary terms")
    print(f"{'sample + decode (ms)':>22} {'estimate (ms)':>14} {'ratio':>7} "
          f"{'reweighted_dem (ms)':>20}")
    print(f"{r['sample_decode_ms']:>22.2f} {r['estimate_ms']:>14.3f} {r['ratio']:>7.3f} "
          f"{r['reweighted_dem_ms']:>20.1f}")
    print(f"accuracy at {r['accuracy_shots']} shots (raw estimate vs dem_marginal_truth): "
          f"median |p̂/p − 1| over {r['pairs_used']} pairs = {r['median_rel_error']:.3f}, "
          f"scale = {r['scale']:.3f}")


if __name__ == "__main__":
    main()
