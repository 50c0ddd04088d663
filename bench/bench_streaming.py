"""Streaming decoding: sliding-window matching against whole-block matching, and its latency
per round against QuantaCore's round time, side by side on the same shots.

Rotated surface Z memory, 100 rounds, stim's uniform knobs at p (default 0.7 %), d = 5, 11, 17.
Per distance, one set of shots is decoded by ``mwpm`` (the whole block at once, after the last
round) and by ``mwpm-window`` (windows of commit = buffer = d rounds, decoded as they arrive):

* accuracy: logical errors of each on the same shots and their ratio (window / whole);
* latency: each window's decode-and-commit time divided by the rounds it commits, as the mean
  and the 99th percentile over windows, against the device's round time (the reference device's
  ``timing.layer_time`` × the circuit's layers (TICKs) per round). The decoder keeps up (its
  backlog stays bounded) while its mean time per round is below the round time, on one core in
  this process; the 99th percentile is the latency a window can add, and the max backlog
  (``SlidingWindowDecoder.load``) how far behind the device it fell, shots back to back.

Run: ``python -m bench.bench_streaming`` (``--shots``, ``--rounds``, ``--p``, ``--distances``).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from physics.device import REFERENCE_DEVICE
from qec import NoiseModel, compile_decoder, decoder_dem, memory_experiment


def layers_per_round(d: int) -> int:
    """TICK layers in one round of the surface-code memory (the body of its REPEAT)."""
    one, two = (memory_experiment("surface", distance=d, rounds=r).circuit.flattened()
                for r in (1, 2))
    return sum(1 for i in two if i.name == "TICK") - sum(1 for i in one if i.name == "TICK")


def measure(d: int, *, rounds: int = 100, p: float = 0.007, shots: int = 2000,
            seed: int = 2026) -> dict:
    """Window vs whole-block matching on the same shots, and the window's latency per round.

    Returns:
        ``d``, ``rounds``, ``p``, ``shots``, ``errors_whole``, ``errors_window``, ``ratio``,
        ``us_per_round_mean``, ``us_per_round_p99`` (window decode per committed round),
        ``round_time_us``, ``keeps_up`` (mean below the round time), ``us_whole_per_round``.
    """
    c = NoiseModel.uniform_depolarizing(p).noisy_circuit(
        memory_experiment("surface", distance=d, rounds=rounds).circuit)
    dem = decoder_dem(c)
    dets, obs = c.compile_detector_sampler(seed=seed).sample(
        shots, separate_observables=True, bit_packed=True)
    window = compile_decoder("mwpm-window", dem, commit=d, buffer=d)
    pred_w, seconds = window.decode_timed(dets, bit_packed=True)
    whole = compile_decoder("mwpm", dem)
    t0 = time.perf_counter()
    pred_m = whole.decode_batch(dets, bit_packed=True)
    t_whole = time.perf_counter() - t0
    round_time = REFERENCE_DEVICE.timing.layer_time * layers_per_round(d)
    load = window.load(seconds, round_time_us=round_time)
    e_w = int(np.any(pred_w != obs, axis=1).sum())
    e_m = int(np.any(pred_m != obs, axis=1).sum())
    return {"d": d, "rounds": rounds, "p": p, "shots": shots, "errors_whole": e_m,
            "errors_window": e_w, "ratio": e_w / e_m if e_m else float("nan"),
            "us_per_round_mean": load.us_per_round, "us_per_round_p99": load.us_per_round_p99,
            "round_time_us": round_time, "keeps_up": load.keeps_up,
            "backlog_rounds": load.max_backlog_rounds,
            "us_whole_per_round": 1e6 * t_whole / shots / rounds}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--p", type=float, default=0.007)
    ap.add_argument("--distances", type=int, nargs="+", default=[5, 11, 17])
    args = ap.parse_args(argv)
    print(f"surface Z memory, {args.rounds} rounds, uniform p = {args.p}, {args.shots} shots "
          "per distance (the same for both decoders); window: commit = buffer = d")
    print(f"{'d':>3} {'whole':>6} {'window':>6} {'ratio':>6} {'µs/round mean':>14} "
          f"{'p99':>8} {'round time µs':>14} {'keeps up':>8} {'max backlog':>11} "
          f"{'whole µs/round':>15}")
    for d in args.distances:
        print(f"bench_streaming: d = {d} ...", file=sys.stderr)
        r = measure(d, rounds=args.rounds, p=args.p, shots=args.shots)
        print(f"{r['d']:>3} {r['errors_whole']:>6} {r['errors_window']:>6} {r['ratio']:>6.3f} "
              f"{r['us_per_round_mean']:>14.1f} {r['us_per_round_p99']:>8.1f} "
              f"{r['round_time_us']:>14.0f} {'yes' if r['keeps_up'] else 'NO':>8} "
              f"{r['backlog_rounds']:>11.1f} {r['us_whole_per_round']:>15.2f}")


if __name__ == "__main__":
    main()
