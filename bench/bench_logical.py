"""Cost per shot of each logical experiment against a memory of the same distance.

Runs ``twin.studies.logical.run_logical`` on one device (every experiment and variant at each
distance, the same shot budget, one process) and prints, per (experiment, d), the sampling +
decoding time per shot summed over its runs, its ratio to the memory's (both bases) at the
same d, and the circuit's size: qubits, rounds, remote gates, wall-clock time of one
operation on QuantaCore. Ratios measured side by side in one run.

Run: ``python -m bench.bench_logical`` (``--distances 3,5 --shots 4000 --seed 0
--set KEY=VALUE``).
"""

from __future__ import annotations

import argparse
import sys
import time


def main(argv: list[str] | None = None) -> int:
    """Runs the comparison and prints the table; returns the exit code."""
    from twin.device.load import load_device
    from twin.errors import UserError
    from twin.studies.logical import EXPERIMENTS, run_logical

    ap = argparse.ArgumentParser(prog="python -m bench.bench_logical", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distances", default="3,5")
    ap.add_argument("--shots", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], dest="overrides")
    args = ap.parse_args(argv)
    try:
        distances = [int(x) for x in args.distances.split(",")]
        device = load_device(overrides=args.overrides)
    except (ValueError, UserError) as exc:
        print(f"bench_logical: {exc}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    res = run_logical(device, experiments=list(EXPERIMENTS), distances=distances,
                      max_shots=args.shots, max_errors=10**9, seed=args.seed,
                      chunk_shots=max(100, args.shots // 4))
    per_shot: dict[tuple[str, int], float] = {}
    info: dict[tuple[str, int], tuple[int, int, int, float]] = {}
    for r in res.rows:
        key = (r.experiment, r.distance)
        per_shot[key] = per_shot.get(key, 0.0) + r.seconds / max(1, r.rate.shots)
        info[key] = (r.qubits, r.rate.rounds, r.remote_gates, r.duration_us)
    print(f"{'experiment':<17} {'d':>2} {'µs/shot':>9} {'/ memory':>9} {'qubits':>6} "
          f"{'rounds':>6} {'remote':>6} {'op time (µs)':>12}")
    for (exp, d), t in per_shot.items():
        ratio = t / per_shot[("memory", d)]
        q, rounds, remote, dur = info[(exp, d)]
        print(f"{exp:<17} {d:>2} {1e6 * t:>9.1f} {ratio:>8.2f}x {q:>6} {rounds:>6} "
              f"{remote:>6} {dur:>12.0f}")
    print(f"{args.shots} shots per run, seed {args.seed}; {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
