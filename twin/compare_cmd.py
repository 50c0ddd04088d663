"""``quantacore compare``: which QEC code and decoder, on this device?"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from twin.errors import UserError

__all__ = ["add_arguments", "format_result", "run"]

EXAMPLES = """\
examples:
  quantacore compare                   # all codes, d = 3 5, mwpm and mwpm-erasure
  quantacore compare --codes surface xzzx --distances 3 5 7 --decoders mwpm mwpm-erasure
  quantacore compare --threshold --out compare-out      # + noise-scale threshold, PNG + HTML
  quantacore compare --device my_device.toml --json > compare.json

Figures: logical error per round ε = (1 − (1 − 2·P_shot)^(1/rounds))/2 with 95 % Wilson
intervals; each shot is one memory experiment of `rounds` (default: d) rounds. The summary's
ε sums the Z- and X-basis memories. Λ = ε_d / ε_(d+2) (fitted over the distances run).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore compare``."""
    from qec.codes import CODES
    from qec.decoding import DECODERS

    parser.epilog = EXAMPLES
    parser.add_argument("--device", metavar="FILE.toml", help="device file (default: reference)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides", help="override a device parameter (repeatable)")
    parser.add_argument("--codes", nargs="+", default=list(CODES), metavar="CODE",
                        help=f"codes to compare (default: all): {', '.join(CODES)}")
    parser.add_argument("--distances", nargs="+", default=["3", "5"], metavar="D",
                        help="odd code distances >= 3 (default: 3 5)")
    parser.add_argument("--decoders", nargs="+", default=["mwpm", "mwpm-erasure"],
                        metavar="DECODER",
                        help=f"decoders (default: mwpm mwpm-erasure): {', '.join(DECODERS)}")
    parser.add_argument("--basis", choices=["Z", "X", "both"], default="both",
                        help="memory basis (default: both, summed)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds per shot (default: the distance)")
    parser.add_argument("--max-shots", type=int, default=20_000, help="shots per task")
    parser.add_argument("--max-errors", type=int, default=200,
                        help="stop a task after this many logical errors")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--target", type=float, default=1e-9,
                        help="target logical error per round for the projection (1e-9)")
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
             f"{'ε/round':>10} {'95% CI':>23} {'qubits':>6} {'modes':>6}"]
    for r in result.rows:
        lo, hi = r.rate.per_round_ci
        lines.append(f"{r.code:<12} {r.distance:>3} {r.decoder:<16} {r.basis:<5} "
                     f"{r.rate.shots:>8} {r.rate.errors:>7} {r.rate.per_round:>10.3e} "
                     f"[{lo:>9.2e}, {hi:>9.2e}] {r.qubits:>6} {r.modes:>6}")
    lines.append("")
    target = result.summaries[0].target if result.summaries else 1e-9
    lines.append(f"{'code':<12} {'decoder':<16} {'Λ':>7} {'d@' + format(target, 'g'):>8} "
                 f"{'qubits':>7} {'modes':>7} {'threshold ×noise':>17}  Λ by basis")
    for s in result.summaries:
        lines.append(f"{s.code:<12} {s.decoder:<16} {_fmt(s.lam):>7} "
                     f"{_fmt(s.projected_distance, 'd'):>8} {_fmt(s.projected_qubits, 'd'):>7} "
                     f"{_fmt(s.projected_modes, 'd'):>7} {_fmt(s.threshold_scale):>17}  "
                     + " ".join(f"{b} {v:.3g}" for b, v in s.lam_by_basis.items()))
    return "\n".join(lines)


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


def _write_outputs(result, out: Path) -> list[Path]:
    from twin.html import html_page, html_table
    from twin.plots import Curve, plot_curves

    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result.to_json(), indent=2))
    curves = []
    for s in result.summaries:
        ds = sorted(s.ler_by_distance)
        lows = {d: 0.0 for d in ds}
        highs = {d: 0.0 for d in ds}
        for r in result.rows:
            if r.code == s.code and r.decoder == s.decoder:
                lows[r.distance] += r.rate.per_round_ci[0]
                highs[r.distance] += r.rate.per_round_ci[1]
        curves.append(Curve(f"{s.code} / {s.decoder}", ds, [s.ler_by_distance[d] for d in ds],
                            [lows[d] for d in ds], [highs[d] for d in ds]))
    fits = []
    for s in result.summaries:
        if s.lam and s.lam > 1 and s.ler_by_distance:
            d0 = min(s.ler_by_distance)
            d1 = max(max(s.ler_by_distance), s.projected_distance or 0)
            xs = list(range(d0, d1 + 1, 2))
            fits.append((f"{s.code} / {s.decoder} fit Λ={s.lam:.2g}", xs,
                         [s.prefactor / s.lam ** ((d + 1) / 2) for d in xs]))
    images = [plot_curves(curves, out / "compare_ler.png", title="Logical error per round",
                          xlabel="code distance d", ylabel="ε per round (Z + X memories)",
                          target=result.summaries[0].target if result.summaries else None,
                          fits=fits, integer_x=True)]
    if result.threshold_rows:
        tcurves: dict[tuple[str, str, int], dict[float, list[float]]] = {}
        for scale, r in result.threshold_rows:
            acc = tcurves.setdefault((r.code, r.decoder, r.distance), {}).setdefault(
                scale, [0.0, 0.0, 0.0])
            acc[0] += r.rate.per_round
            acc[1] += r.rate.per_round_ci[0]
            acc[2] += r.rate.per_round_ci[1]
        tc = []
        for (code, dec, d), pts in sorted(tcurves.items()):
            xs = sorted(pts)
            tc.append(Curve(f"{code} / {dec} d={d}", xs, [pts[x][0] for x in xs],
                            [pts[x][1] for x in xs], [pts[x][2] for x in xs]))
        images.append(plot_curves(tc, out / "compare_threshold.png", logx=True,
                                  title="Threshold sweep (device noise × scale)",
                                  xlabel="noise scale", ylabel="ε per round"))
    rows = [[r.code, r.distance, r.decoder, r.basis, r.rate.shots, r.rate.errors,
             f"{r.rate.per_round:.3e}",
             f"[{r.rate.per_round_ci[0]:.2e}, {r.rate.per_round_ci[1]:.2e}]", r.qubits, r.modes]
            for r in result.rows]
    summ = [[s.code, s.decoder, _fmt(s.lam), _fmt(s.projected_distance, "d"),
             _fmt(s.projected_qubits, "d"), _fmt(s.projected_modes, "d"),
             _fmt(s.threshold_scale)] for s in result.summaries]
    page = html_page("QuantaCore code comparison", [
        ("Summary", html_table(["code", "decoder", "Λ", "d for target", "qubits", "modes",
                                "threshold (× noise)"], summ)),
        ("Results", html_table(["code", "d", "decoder", "basis", "shots", "errors",
                                "ε/round", "95% CI", "qubits", "modes"], rows)),
        ("Normalisation", "<p>ε per round = (1 − (1 − 2·P_shot)^(1/rounds))/2, 95 % Wilson "
                          "intervals; the summary sums the Z and X memories.</p>"),
    ], images)
    html_path = out / "compare.html"
    html_path.write_text(page, encoding="utf-8")
    return [out / "compare.json", *images, html_path]


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore compare``."""
    from twin.compare import run_compare, validate_grid
    from twin.device_file import load_device

    distances = _distances(args.distances)
    bases = ("Z", "X") if args.basis == "both" else (args.basis,)
    try:
        validate_grid(codes=args.codes, distances=distances, decoders=args.decoders,
                      bases=bases)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for name in ("max_shots", "max_errors", "workers"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be >= 1")
    if args.rounds is not None and args.rounds < 1:
        raise UserError(f"--rounds = {args.rounds}: must be >= 1")
    if not 0 < args.target < 0.5:
        raise UserError(f"--target = {args.target}: must be in (0, 0.5)")
    device = load_device(args.device, overrides=args.overrides)

    def progress(msg: str) -> None:
        print(f"quantacore compare: {msg}", file=sys.stderr, flush=True)

    try:
        result = run_compare(
            device, codes=args.codes, distances=distances, decoders=args.decoders, bases=bases,
            rounds=args.rounds, max_shots=args.max_shots, max_errors=args.max_errors,
            workers=args.workers, target=args.target,
            threshold_scales=(0.5, 1.0, 2.0, 4.0, 8.0) if args.threshold else (),
            save_resume=args.save_resume, progress=None if args.quiet else progress,
        )
    except ValueError as exc:
        raise UserError(f"{args.device or 'device'}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(format_result(result))
    if args.out:
        written = _write_outputs(result, Path(args.out))
        if not args.quiet:
            progress(f"wrote {', '.join(str(p) for p in written)}")
    return 0
