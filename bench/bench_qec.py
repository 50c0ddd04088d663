"""QEC benchmarks, measured side by side in one run.

1. The project's sample-and-decode path (``qec.SampleDecoder``: compiled sampler, bit-packed
   shots, ``compile_decoder("mwpm")``) vs bare ``stim`` sampling + ``pymatching.decode_batch``
   on the *same* circuit: rotated surface memory, uniform noise p = 0.1 % (stim's four knobs),
   rounds = d, d = 5 and d = 11. Ratio = ours / bare (time per shot; best of 3).
2. Every decoder's µs per shot and logical error per shot at d = 5, p = 0.5 %.

Run: ``python -m bench.bench_qec`` (options: ``--quick`` for fewer shots).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pymatching

from qec import (
    DECODERS,
    NoiseModel,
    OpNoise,
    SampleDecoder,
    compile_decoder,
    decoder_dem,
    logical_rate,
    memory_experiment,
)


def circuit(d: int, p: float):
    exp = memory_experiment("surface", distance=d, rounds=d, data_noise=OpNoise.depolarizing(p))
    return NoiseModel.uniform_depolarizing(p).noisy_circuit(exp.circuit)


def bare(c, shots: int, seed: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    m = pymatching.Matching.from_detector_error_model(c.detector_error_model(
        decompose_errors=True, approximate_disjoint_errors=True))
    dets, obs = c.compile_detector_sampler(seed=seed).sample(
        shots, separate_observables=True, bit_packed=True)
    pred = m.decode_batch(dets, bit_packed_shots=True, bit_packed_predictions=True)
    errors = int(np.any(pred != obs, axis=1).sum())
    return time.perf_counter() - t0, errors


def ours(c, shots: int, seed: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    out = SampleDecoder(c, decoder="mwpm").run(shots, seed=seed)
    return time.perf_counter() - t0, out.errors


def best(fn, *args, repeats: int = 3) -> tuple[float, int]:
    runs = [fn(*args) for _ in range(repeats)]
    return min(r[0] for r in runs), runs[0][1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer shots")
    args = ap.parse_args()
    scale = 0.2 if args.quick else 1.0

    print("1. sample + decode: project path vs bare stim + pymatching (same circuit)")
    print(f"{'d':>3} {'shots':>8} {'bare µs/shot':>13} {'ours µs/shot':>13} {'ratio':>7} "
          f"{'errors bare/ours':>17}")
    for d, shots in ((5, int(200_000 * scale)), (11, int(40_000 * scale))):
        c = circuit(d, 0.001)
        ours(c, 1000, 0)  # warm caches (first compile, imports)
        tb, eb = best(bare, c, shots, 1)
        to, eo = best(ours, c, shots, 1)
        print(f"{d:>3} {shots:>8} {1e6 * tb / shots:>13.2f} {1e6 * to / shots:>13.2f} "
              f"{to / tb:>7.3f} {eb:>8}/{eo:<8}")

    print("\n2. decoders at d=5, p=0.5 % (rounds = 5): µs per shot (decode only) and logical "
          "error per shot")
    c = circuit(5, 0.005)
    det, obs = c.compile_detector_sampler(seed=7).sample(int(50_000 * scale),
                                                         separate_observables=True)
    budget = {"bposd": 600, "belief-matching": 3000}
    print(f"{'decoder':<16} {'shots':>7} {'µs/shot':>9} {'P_L':>10} {'95% CI':>22}")
    for name in DECODERS:
        n = min(len(det), int(budget.get(name, len(det)) * (1 if name in budget else 1)))
        dec = compile_decoder(name, decoder_dem(c))
        t0 = time.perf_counter()
        pred = dec.decode_batch(det[:n])
        dt = time.perf_counter() - t0
        errors = int(np.any(pred != obs[:n], axis=1).sum())
        r = logical_rate(shots=n, errors=errors, rounds=5)
        print(f"{name:<16} {n:>7} {1e6 * dt / n:>9.1f} {r.per_shot:>10.2e} "
              f"[{r.per_shot_ci[0]:.2e}, {r.per_shot_ci[1]:.2e}]")


if __name__ == "__main__":
    main()
