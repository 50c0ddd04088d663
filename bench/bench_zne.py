"""Zero-noise extrapolation of the logical GHZ parity: unmitigated vs mitigated vs exact.

For one device (the reference device, plus ``--set section.key=value`` overrides) and one total
shot budget, each method of ``twin.studies.mitigation.zne_estimate``:

* ``stretch``: pulses, attempts and layers stretched by f = 1, 1.5, 2 through the physics
  (``scaled_device``), d = 3, Richardson in λ² (λ: faults per shot relative to f = 1), and the
  same with ``order=1`` (Richardson in λ) to show why;
* ``distance``: d = 3, 5, 7, λ_d from the transversal-CNOT Bell pair's logical error in X
  (``calibration="bell"``), linear.

Each row: exact (+1), the estimate, its bias, standard error and 95 % interval. Not part of
``python -m bench`` (no timing, no ratio to a reference).

Run: ``python -m bench.bench_zne`` (``--shots``, ``--seed``, ``--set``, ``--replicates``).
"""

from __future__ import annotations

import argparse
import sys
import time

from twin.device.load import load_device
from twin.studies.mitigation import Estimate, zne_estimate

CASES = (
    ("stretch", dict(method="stretch", scales=(1.0, 1.5, 2.0), factory="richardson")),
    ("stretch, order 1", dict(method="stretch", scales=(1.0, 1.5, 2.0), factory="richardson",
                              order=1)),
    ("distance", dict(method="distance", distances=(3, 5, 7), factory="linear")),
)


def _row(method: str, what: str, e: Estimate) -> str:
    lo, hi = e.interval
    return (f"| {method} | {what} | 1 | {e.value:.4f} | {e.bias:+.4f} | {e.std_error:.4f} "
            f"| [{lo:.4f}, {hi:.4f}] | {'yes' if lo <= 1.0 <= hi else 'no'} |")


def main(argv: list[str] | None = None) -> int:
    """Print the table (Markdown) for the device and budget on the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shots", type=int, default=40_000, help="total shots of each estimate")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--replicates", type=int, default=2000, help="bootstrap replicates")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="device override (repeatable)")
    args = ap.parse_args(argv)
    device = load_device(overrides=args.set)
    print(f"device: reference{' + ' + ', '.join(args.set) if args.set else ''}; "
          f"total shots {args.shots} per estimate; seed {args.seed}")
    print("| method | estimate | exact | value | bias | std error | 95 % interval | covers |")
    print("|---|---|---|---|---|---|---|---|")
    for name, kw in CASES:
        t0 = time.perf_counter()
        r = zne_estimate(device, total_shots=args.shots, seed=args.seed,
                         replicates=args.replicates, **kw)
        print(f"{name}: {time.perf_counter() - t0:.1f} s; points (label, λ, ⟨P⟩, shots): "
              + ", ".join(f"({p.label:g}, {p.scale:.3f}, {p.value:.4f}, {p.shots})"
                          for p in r.points), file=sys.stderr)
        print(_row(name, "unmitigated", r.unmitigated))
        print(_row(name, f"mitigated ({r.factory})", r.mitigated))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
