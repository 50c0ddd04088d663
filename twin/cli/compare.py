"""``quantacore compare``: which QEC code and decoder, on this device?"""

from __future__ import annotations

import argparse
import json
import math

from twin.cli.progress import stderr_progress
from twin.errors import UserError

__all__ = ["add_arguments", "format_result", "run"]

EXAMPLES = """\
examples:
  quantacore compare                   # every code with its own decoders, d = 3 5 (BB: 6)
  quantacore compare --codes color --decoders chromobius --distances 3 5
  quantacore compare --codes surface bb --distances 3 5 6 12 --target 1e-6
  quantacore compare --codes surface xzzx --distances 3 5 7 --decoders mwpm mwpm-erasure
  quantacore compare --threshold --out compare-out      # + noise-scale threshold, PNG + HTML
  quantacore compare --device my_device.toml --json > compare.json

Figures: logical error per round ε = (1 − (1 − 2·P_shot)^(1/rounds))/2 with 95 % Wilson
intervals; each shot is one memory experiment of `--rounds` (default: d) rounds. The summary's
ε sums the Z- and X-basis memories. Λ = ε_d / ε_(d+2) (fitted over the distances run), with a
95 % parametric-bootstrap interval (counts redrawn, fit repeated); the projected distance
carries the same bootstrap's range (∞: unreachable in > 2.5 % of the replicates). Sampling is
seeded (--seed) in chunks: the same command gives the same counts.
Per logical qubit (k > 1 for the BB codes: 12 logical qubits in one block): ε_L = 1 − (1 −
ε_block)^(1/k), and qubits, modes and remote (photon-mediated) gates per round divided by k;
the target and the projected footprint are per logical qubit.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore compare``."""
    from qec.codes import CODES
    from qec.decoders import decoder_names

    parser.epilog = EXAMPLES
    parser.add_argument("--device", metavar="FILE.toml", help="device file (default: reference)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides", help="override a device parameter (repeatable)")
    parser.add_argument("--codes", nargs="+", default=None, metavar="CODE",
                        help="codes to compare (default: every code, or every code one of "
                             f"--decoders decodes): {', '.join(CODES)}")
    parser.add_argument("--distances", nargs="+", default=["3", "5"], metavar="D",
                        help="odd code distances >= 3 (default: 3 5); the BB code runs the "
                             "ones it has, 6 10 12 (default: 6; 12, the gross code, costs "
                             "seconds per shot at the reference device's noise)")
    parser.add_argument("--decoders", nargs="+", default=None, metavar="DECODER",
                        help="decoders (default: each code's own: chromobius for color, "
                             "bposd for bb, mwpm and mwpm-erasure for the others): "
                             f"{', '.join(decoder_names())}")
    parser.add_argument("--basis", choices=["Z", "X", "both"], default="both",
                        help="memory basis (default: both, summed)")
    parser.add_argument("--rounds", default="d", metavar="R",
                        help="rounds per shot: an integer >= 1 (rounds >> d probes the "
                             "per-round rate without per-shot terms) or d, the distance "
                             "(default: d)")
    parser.add_argument("--max-shots", type=int, default=20_000, help="shots per task")
    parser.add_argument("--max-errors", type=int, default=200,
                        help="stop a task after this many logical errors (default 200)")
    parser.add_argument("--precision", type=float, default=None, metavar="REL",
                        help="stop a task once its rate's 95 %% interval is ±REL relative "
                             "(sets --max-errors to (1.96/REL)², e.g. 0.1 → 385)")
    parser.add_argument("--seed", type=int, default=0,
                        help="sampling seed (default 0): the same command gives the same counts")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--target", type=float, default=1e-9,
                        help="target logical error per round per logical qubit for the "
                             "projection (1e-9)")
    parser.add_argument("--threshold", action="store_true",
                        help="also sweep the device noise (× 0.5 … 8) for a threshold estimate")
    parser.add_argument("--save-resume", metavar="FILE.csv",
                        help="append sinter results here and resume from it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", metavar="DIR", help="write compare.json, PNG plots and HTML")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _fmt(x: float | None, spec: str = ".3g") -> str:
    return "-" if x is None else format(x, spec)


def format_result(result) -> str:
    """Readable tables of a ``CompareResult``."""
    lines = [f"{'code':<12} {'d':>3} {'decoder':<16} {'basis':<5} {'shots':>8} {'errors':>7} "
             f"{'ε/round':>10} {'95% CI':>23} {'k':>3} {'ε/round/k':>10} {'qubits/k':>8} "
             f"{'modes/k':>8} {'remote/rnd/k':>12}"]
    for r in result.rows:
        lo, hi = r.rate.per_round_ci
        k = r.logical_qubits
        lines.append(f"{r.code:<12} {r.distance:>3} {r.decoder:<16} {r.basis:<5} "
                     f"{r.rate.shots:>8} {r.rate.errors:>7} {r.rate.per_round:>10.3e} "
                     f"[{lo:>9.2e}, {hi:>9.2e}] {k:>3} {r.per_logical:>10.3e} "
                     f"{r.qubits / k:>8.4g} {r.modes / k:>8.4g} "
                     f"{r.remote_gates_per_round / k:>12.4g}")
    lines.append("")
    target = result.summaries[0].target if result.summaries else 1e-9
    lines.append(f"Projection to ε = {target:g} per round per logical qubit (footprint per "
                 "logical qubit):")
    lines.append(f"{'code':<12} {'decoder':<16} {'Λ':>6} {'Λ 95% CI':>15} {'d':>4} "
                 f"{'d range':>9} {'qubits/k':>9} {'modes/k':>8} {'remote/rnd/k':>12} "
                 f"{'threshold ×noise':>24}  Λ by basis")
    for s in result.summaries:
        lam_iv = "-" if s.lam_interval is None else \
            f"[{s.lam_interval[0]:.3g}, {s.lam_interval[1]:.3g}]"
        lo, hi = s.projected_distance_range
        d_rng = "-" if lo is None and hi is None else f"{_fmt(lo, 'd')}–{'∞' if hi is None else hi}"
        th = _fmt(s.threshold_scale)
        if s.threshold_interval is not None:
            th += f" [{s.threshold_interval[0]:.2g}, {s.threshold_interval[1]:.2g}]"
        lines.append(f"{s.code:<12} {s.decoder:<16} {_fmt(s.lam):>6} {lam_iv:>15} "
                     f"{_fmt(s.projected_distance, 'd'):>4} {d_rng:>9} "
                     f"{_fmt(s.projected_qubits_per_logical, '.4g'):>9} "
                     f"{_fmt(s.projected_modes_per_logical, '.4g'):>8} "
                     f"{_fmt(s.projected_remote_gates_per_logical, '.4g'):>12} "
                     f"{th:>24}  "
                     + " ".join(f"{b} {v:.3g}" for b, v in s.lam_by_basis.items()))
    return "\n".join(lines)


def _rounds(raw: str) -> int | None:
    """``--rounds``: an integer >= 1, or ``d`` (None: the distance of each task)."""
    from twin.limits import MAX_ROUNDS

    if str(raw).strip().lower() == "d":
        return None
    try:
        rounds = int(raw)
    except ValueError:
        raise UserError(f"--rounds = {raw!r}: must be an integer >= 1 or d") from None
    if not 1 <= rounds <= MAX_ROUNDS:
        raise UserError(f"--rounds = {rounds}: must be an integer >= 1 or d (at most "
                        f"{MAX_ROUNDS}, see twin/limits.py)")
    return rounds


def _distances(raw: list[str]) -> list[int]:
    out = []
    for item in raw:
        try:
            out.append(int(item))
        except ValueError:
            raise UserError(f"--distances: {item!r} is not an integer; distances are odd "
                            "integers >= 3") from None
    from twin.limits import MAX_DISTANCE

    for d in out:
        if d > MAX_DISTANCE:
            raise UserError(f"--distances: {d}: must be <= {MAX_DISTANCE} (see twin/limits.py)")
    return out


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore compare``."""
    from twin.device.load import load_device
    from twin.reports.compare import write_compare_report
    from twin.studies.compare import default_codes, run_compare, validate_grid

    distances = _distances(args.distances)
    if args.codes is None:
        args.codes = list(default_codes(args.decoders))
    bases = ("Z", "X") if args.basis == "both" else (args.basis,)
    try:
        validate_grid(codes=args.codes, distances=distances, decoders=args.decoders,
                      bases=bases)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for name in ("max_shots", "max_errors", "workers"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be >= 1")
    if args.seed < 0:
        raise UserError(f"--seed = {args.seed}: must be an integer >= 0")
    if args.precision is not None:
        if not 0 < args.precision < 1:
            raise UserError(f"--precision = {args.precision}: must be in (0, 1) (relative "
                            "half-width of a rate's 95 % interval)")
        args.max_errors = math.ceil((1.96 / args.precision) ** 2)
    args.rounds = _rounds(args.rounds)
    if not 0 < args.target < 0.5:
        raise UserError(f"--target = {args.target}: must be in (0, 0.5)")
    device = load_device(args.device, overrides=args.overrides)

    progress = stderr_progress("compare", quiet=args.quiet)
    try:
        result = run_compare(
            device, codes=args.codes, distances=distances, decoders=args.decoders, bases=bases,
            rounds=args.rounds, max_shots=args.max_shots, max_errors=args.max_errors,
            workers=args.workers, target=args.target,
            threshold_scales=(0.5, 1.0, 2.0, 4.0, 8.0) if args.threshold else (),
            save_resume=args.save_resume, progress=progress, seed=args.seed,
        )
    except ValueError as exc:
        raise UserError(f"{args.device or 'device'}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(format_result(result))
    if args.out:
        written = write_compare_report(result, args.out)
        if progress:
            progress(f"wrote {', '.join(str(p) for p in written)}")
    return 0
