"""``quantacore logical``: fault-tolerant logical operations on this device, at what cost?"""

from __future__ import annotations

import argparse
import json
import math
import shlex

from twin.cli.progress import stderr_progress
from twin.errors import UserError

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore logical surgery-zz memory --distances 3 5
  quantacore logical surgery-cnot transversal-cnot --distances 3 --out logical-out
  quantacore logical surgery-cnot transversal-cnot --distances 3 \\
      --sweep link.length_km=0.1,1,2,5      # where the two CNOTs cross as the link grows
  quantacore logical stability --distances 3 5 7 --json

Experiments: memory (one patch, d rounds: the baseline), stability (Gidney's stability
experiment, time-like distance d), surgery-zz / surgery-xx (lattice-surgery Z_LZ_L / X_LX_L
between two patches, d merge rounds), surgery-cnot (a CNOT through an ancilla patch),
transversal-cnot (one layer of d² remote gates, decoded jointly), bell, ghz (states prepared
by transversal CNOTs). Each patch is one module: its own CNOTs are local gates, gates between
patches the photon-mediated remote gate. Figures: the error per operation (any observable
wrong) with its 95 % Wilson interval, per round over the operation's rounds; remote and local
gates, expected heralds per operation, and the time (TICK layers x timing.layer_time).
Sampling is seeded (--seed) in chunks and resumable (--save-resume).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore logical``."""
    from qec.decoders import decoder_names
    from twin.studies.logical import ARCHITECTURES, EXPERIMENTS

    parser.epilog = EXAMPLES
    parser.add_argument("experiments", nargs="+", metavar="EXPERIMENT",
                        help=f"one or more of: {', '.join(EXPERIMENTS)}")
    parser.add_argument("--device", metavar="FILE.toml", help="device file (default: reference)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides", help="override a device parameter (repeatable)")
    parser.add_argument("--distances", nargs="+", default=["3", "5"], metavar="D",
                        help="odd code distances >= 3 (default: 3 5)")
    parser.add_argument("--decoder", default=None, metavar="DECODER",
                        help="decoder (default: mwpm-erasure when the device heralds, else "
                             f"mwpm): {', '.join(decoder_names())}")
    parser.add_argument("--sweep", metavar="KEY=V1,V2,...", default=None,
                        help="also run at each value of one device parameter (physics "
                             "re-extracted at each) and report where surgery-cnot and "
                             "transversal-cnot cross")
    parser.add_argument("--architecture", choices=ARCHITECTURES, default="shared",
                        help="where lattice surgery's seam gates are local: shared (the "
                             "patches of a surgery in one module, default) or per-patch (one "
                             "module per patch: seam CNOTs remote)")
    parser.add_argument("--target", type=float, default=1e-9,
                        help="error per operation to project the distance and cost for "
                             "(default 1e-9; needs >= 2 distances)")
    parser.add_argument("--zne", choices=["stretch", "distance"], default=None,
                        help="also estimate the logical GHZ parity <X_L X_L X_L> with zero-noise "
                             "extrapolation (mitiq): noise stretched through the physics (d = "
                             "the smallest --distances) or by code distance (--distances); "
                             "--max-shots is the total budget, shared by the scales")
    parser.add_argument("--max-shots", type=int, default=20_000, help="shots per task")
    parser.add_argument("--max-errors", type=int, default=200,
                        help="stop a task after this many logical errors (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--save-resume", metavar="FILE.csv",
                        help="append results to this sinter CSV and resume from it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", metavar="DIR", help="write logical.json, PNG plots and HTML")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _distances(raw: list[str]) -> list[int]:
    from twin.limits import MAX_DISTANCE

    out = []
    for item in raw:
        try:
            d = int(item)
        except ValueError:
            raise UserError(f"--distances: {item!r} is not an integer; distances are odd "
                            "integers >= 3") from None
        if d < 3 or d % 2 == 0 or d > MAX_DISTANCE:
            raise UserError(f"--distances: {d}: must be an odd integer in [3, {MAX_DISTANCE}]")
        out.append(d)
    return out


def _sweep(raw: str | None) -> tuple[str, list[float]] | None:
    if raw is None:
        return None
    key, sep, values = raw.partition("=")
    if not sep or "." not in key:
        raise UserError(f"--sweep = {raw!r}: must be KEY=V1,V2,... with KEY a device "
                        "parameter section.field")
    try:
        vals = [float(v) for v in values.split(",") if v.strip()]
    except ValueError:
        raise UserError(f"--sweep {key}: {values!r}: values must be numbers, comma "
                        "separated") from None
    if len(vals) < 2 or not all(math.isfinite(v) for v in vals) or sorted(vals) != vals \
            or len(set(vals)) != len(vals):
        raise UserError(f"--sweep {key}: {values!r}: needs >= 2 distinct finite values in "
                        "increasing order")
    return key.strip(), vals


def _zne_json(z) -> dict:
    def est(e):
        return {"value": e.value, "std_error": e.std_error, "interval": list(e.interval),
                "bias": e.bias}

    return {"method": z.method, "observable": z.observable, "factory": z.factory,
            "exact": z.exact, "total_shots": z.total_shots,
            "unmitigated": est(z.unmitigated), "mitigated": est(z.mitigated),
            "points": [{"label": p.label, "scale": p.scale, "shots": p.shots,
                        "value": p.value} for p in z.points]}


def _zne_text(z) -> str:
    lines = [f"\nzero-noise extrapolation ({z.method}, {z.factory}, {z.total_shots} shots in "
             f"all) of <{z.observable}>_L, exact {z.exact:+g}:"]
    for name, e in (("unmitigated", z.unmitigated), ("mitigated", z.mitigated)):
        lo, hi = e.interval
        lines.append(f"  {name:<12} {e.value:+.4f} ± {e.std_error:.4f}  95% [{lo:+.4f}, "
                     f"{hi:+.4f}]  bias {e.bias:+.4f}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore logical``."""
    from qec.decoders import check_decoder
    from twin.device.load import load_device
    from twin.reports.logical import format_logical, write_logical_report
    from twin.studies.logical import EXPERIMENTS, run_logical

    for name in args.experiments:
        if name not in EXPERIMENTS:
            raise UserError(f"experiment {name!r}: must be one of {', '.join(EXPERIMENTS)}")
    distances = _distances(args.distances)
    sweep = _sweep(args.sweep)
    if args.decoder is not None:
        try:
            check_decoder(args.decoder)
        except ValueError as exc:
            raise UserError(f"--decoder: {exc}") from None
    for name in ("max_shots", "max_errors"):
        if getattr(args, name) < 1:
            raise UserError(f"--{name.replace('_', '-')} = {getattr(args, name)}: must be >= 1")
    if args.seed < 0:
        raise UserError(f"--seed = {args.seed}: must be an integer >= 0")
    if not 0 < args.target < 0.5:
        raise UserError(f"--target = {args.target}: must be in (0, 0.5)")
    if args.zne is not None:
        import importlib.util

        if importlib.util.find_spec("mitiq") is None:
            from twin.studies.mitigation import MITIQ_MISSING

            raise UserError(f"--zne: {MITIQ_MISSING}")
    device = load_device(args.device, overrides=args.overrides)
    if sweep is not None:  # check every value before any work
        for v in sweep[1]:
            load_device(args.device, overrides=[*args.overrides, f"{sweep[0]}={v}"])

    def device_at(key: str, value: float):
        return load_device(args.device, overrides=[*args.overrides, f"{key}={value}"])

    progress = stderr_progress("logical", quiet=args.quiet)
    try:
        result = run_logical(device, experiments=args.experiments, distances=distances,
                             decoder=args.decoder, max_shots=args.max_shots,
                             max_errors=args.max_errors, seed=args.seed, sweep=sweep,
                             save_resume=args.save_resume, progress=progress,
                             device_at=device_at, architecture=args.architecture,
                             target=args.target)
    except ValueError as exc:
        raise UserError(f"{args.device or 'device'}: {exc}") from None
    zne = None
    if args.zne is not None:
        from twin.studies.mitigation import zne_estimate

        if progress:
            progress(f"zero-noise extrapolation ({args.zne}) of the GHZ parity...")
        try:
            if args.zne == "stretch":
                zne = zne_estimate(device, method="stretch", distance=min(distances),
                                   total_shots=args.max_shots, seed=args.seed)
            else:
                zne = zne_estimate(device, method="distance", distances=tuple(distances),
                                   total_shots=args.max_shots, seed=args.seed)
        except ValueError as exc:
            raise UserError(f"--zne {args.zne}: {exc}") from None
    if args.json:
        data = result.to_json()
        if zne is not None:
            data["zne"] = _zne_json(zne)
        print(json.dumps(data, indent=2))
    else:
        print(format_logical(result))
        if zne is not None:
            print(_zne_text(zne))
    if args.out:
        from importlib.metadata import version

        written = write_logical_report(
            result, args.out, command=shlex.join(["quantacore", *getattr(args, "argv", [])]),
            version=version("quantacore-twin"), seed=args.seed)
        if progress:
            progress(f"wrote {', '.join(str(p) for p in written)}")
    return 0
