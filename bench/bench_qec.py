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
    BUILTIN_DECODERS,
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


def overhead(d: int, shots: int) -> dict:
    """Project path vs bare stim + pymatching on the same d × d-round circuit at p = 0.1 %."""
    c = circuit(d, 0.001)
    ours(c, 1000, 0)  # warm caches (first compile, imports)
    tb, eb = best(bare, c, shots, 1)
    to, eo = best(ours, c, shots, 1)
    return {"d": d, "shots": shots, "bare_s": tb, "ours_s": to, "bare_us": 1e6 * tb / shots,
            "ours_us": 1e6 * to / shots, "ratio": to / tb, "errors_bare": eb, "errors_ours": eo}


def decoders(shots: int) -> list[dict]:
    """Every decoder on one set of d = 5, p = 0.5 % shots: decode µs per shot and P_L."""
    c = circuit(5, 0.005)
    det, obs = c.compile_detector_sampler(seed=7).sample(shots, separate_observables=True)
    budget = {"bposd": 600, "belief-matching": 3000}
    out = []
    for name in BUILTIN_DECODERS:
        if name == "chromobius":  # colour code only: not for this surface-code circuit
            continue
        n = min(len(det), budget.get(name, len(det)))
        dec = compile_decoder(name, decoder_dem(c))
        t0 = time.perf_counter()
        pred = dec.decode_batch(det[:n])
        dt = time.perf_counter() - t0
        errors = int(np.any(pred != obs[:n], axis=1).sum())
        r = logical_rate(shots=n, errors=errors, rounds=5)
        out.append({"decoder": name, "shots": n, "us_per_shot": 1e6 * dt / n, "errors": errors,
                    "per_shot": r.per_shot, "ci": list(r.per_shot_ci)})
    return out


def measure(*, quick: bool = False, with_decoders: bool = True) -> dict:
    """Part 1 (overhead at d = 5 and 11) and, optionally, part 2 (every decoder).

    Args:
        quick: a fifth of the shots.
        with_decoders: also run part 2.

    Returns:
        ``overhead``: one dict per distance (``d``, ``shots``, ``bare_s``, ``ours_s`` (best of
        3), ``bare_us``, ``ours_us`` (per shot), ``ratio`` (ours / bare), ``errors_bare``,
        ``errors_ours``); ``decoders``: one dict per decoder (``decoder``, ``shots``,
        ``us_per_shot``, ``errors``, ``per_shot``, ``ci``), empty without ``with_decoders``.
    """
    scale = 0.2 if quick else 1.0
    rows = [overhead(d, int(shots * scale)) for d, shots in ((5, 200_000), (11, 40_000))]
    parts = decoders(int(50_000 * scale)) if with_decoders else []
    return {"overhead": rows, "decoders": parts}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer shots")
    args = ap.parse_args(argv)
    r = measure(quick=args.quick)

    print("1. sample + decode: project path vs bare stim + pymatching (same circuit)")
    print(f"{'d':>3} {'shots':>8} {'bare µs/shot':>13} {'ours µs/shot':>13} {'ratio':>7} "
          f"{'errors bare/ours':>17}")
    for o in r["overhead"]:
        print(f"{o['d']:>3} {o['shots']:>8} {o['bare_us']:>13.2f} {o['ours_us']:>13.2f} "
              f"{o['ratio']:>7.3f} {o['errors_bare']:>8}/{o['errors_ours']:<8}")

    print("\n2. decoders at d=5, p=0.5 % (rounds = 5): µs per shot (decode only) and logical "
          "error per shot")
    print(f"{'decoder':<16} {'shots':>7} {'µs/shot':>9} {'P_L':>10} {'95% CI':>22}")
    for x in r["decoders"]:
        print(f"{x['decoder']:<16} {x['shots']:>7} {x['us_per_shot']:>9.1f} {x['per_shot']:>10.2e} "
              f"[{x['ci'][0]:.2e}, {x['ci'][1]:.2e}]")


if __name__ == "__main__":
    main()
