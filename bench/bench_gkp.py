"""Squeezing threshold of the circuit-level surface-GKP code, GKP-only noise.

Gaussian-shift Monte Carlo (``qec.gkp``: GKP data and ancilla modes, Steane-type correction
of every data mode each round, shifts propagated through the SUM gates), rounds = d, decoded
on the same shots by matching with prior weights (``hard``) and with Noh & Chamberland's
renormalised analog weights (``analog``). Prints the logical error per round with Wilson
intervals, the crossing of consecutive distances with a bootstrap interval (to compare with
their 11.2 dB), the decode cost per shot of each decoder, and writes a plot.

The results CSV is appended to and resumable (``twin.studies.gkp_threshold``): rerunning with
another ``--seed`` adds shots to every point.

Run: ``python -m bench.bench_gkp`` (``--distances 3,5,7 --db 10.5:14:0.5 --shots 4000
--seed 0 --basis Z --schedule split --ancilla gkp --csv bench/data/gkp_threshold.csv
--plot bench/data/gkp_threshold.png``); the plot shows the chosen basis and schedule.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from qec.gkp import SCHEDULES
from twin.studies.gkp_threshold import crossing, plot_points, pooled, run_gkp_sweep


def _db_list(text: str) -> list[float]:
    if ":" in text:
        lo, hi, step = (float(x) for x in text.split(":"))
        return [round(float(x), 6) for x in np.arange(lo, hi + step / 2, step)]
    return [float(x) for x in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    """Runs the sweep and prints the table and thresholds; returns the exit code."""
    ap = argparse.ArgumentParser(prog="python -m bench.bench_gkp", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--distances", default="3,5,7")
    ap.add_argument("--db", default="10.5:14:0.5", help="list a,b,c or range lo:hi:step (dB)")
    ap.add_argument("--shots", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--basis", default="Z", choices=("Z", "X"))
    ap.add_argument("--schedule", default="split", choices=SCHEDULES)
    ap.add_argument("--ancilla", default="gkp", choices=("gkp", "atom"))
    ap.add_argument("--atom-flip", type=float, default=0.0,
                    help="readout flip probability of an atom ancilla")
    ap.add_argument("--csv", default="bench/data/gkp_threshold.csv")
    ap.add_argument("--plot", default="bench/data/gkp_threshold.png")
    args = ap.parse_args(argv)
    try:
        distances = [int(x) for x in args.distances.split(",")]
        dbs = _db_list(args.db)
    except ValueError as exc:
        print(f"bench_gkp: bad --distances or --db: {exc}", file=sys.stderr)
        return 2
    points = run_gkp_sweep(args.csv, distances=distances, squeezing_db=dbs, shots=args.shots,
                           seed=args.seed, basis=args.basis, schedule=args.schedule,
                           ancilla=args.ancilla, atom_flip=args.atom_flip)
    key = (args.basis, args.schedule, args.ancilla, args.atom_flip)
    points = [p for p in points if (p.basis, p.schedule, p.ancilla, p.atom_flip) == key]
    pts = sorted(pooled(points), key=lambda p: (p.decoder, p.distance, p.squeezing_db))
    print(f"{args.basis} memory, {args.schedule} schedule, {args.ancilla} ancillas"
          + (f" (readout flip {args.atom_flip})" if args.ancilla == "atom" else ""))
    print("decoder  d   dB     shots  errors  eps/round  [95% Wilson]          us/shot")
    for p in pts:
        r = p.rate
        print(f"{p.decoder:7s} {p.distance:2d} {p.squeezing_db:5.2f} {p.shots:7d} {p.errors:6d}"
              f"  {r.per_round:.3e}  [{r.per_round_ci[0]:.2e}, {r.per_round_ci[1]:.2e}]"
              f"  {1e6 * p.seconds / p.shots:8.1f}")
    ds = sorted({p.distance for p in pts})
    crossings = []
    for dec in ("hard", "analog"):
        for lo, hi in zip(ds, ds[1:], strict=False):
            c = crossing(points, low_d=lo, high_d=hi, decoder=dec, basis=args.basis,
                         schedule=args.schedule, ancilla=args.ancilla)
            crossings.append(c)
            iv = c.interval
            best = "none in range" if c.squeezing_db is None else f"{c.squeezing_db:.2f} dB"
            ivs = "n/a" if None in iv else f"[{iv[0]:.2f}, {iv[1]:.2f}] dB"
            print(f"threshold {dec:6s} d={lo}/{hi}: {best}  95% bootstrap {ivs} "
                  f"({100 * c.no_crossing:.0f}% of resamples without a crossing)")
    if args.plot:
        analog = [c for c in crossings if c.decoder == "analog"]
        print(f"plot: {plot_points(points, args.plot, crossings=analog)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
