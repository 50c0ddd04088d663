"""``quantacore physics-sweep``: device parameters on a grid → each operation's channel, NetCDF."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

from twin.cli.paths import output_file
from twin.errors import UserError

__all__ = ["add_arguments", "format_table", "run"]

EXAMPLES = """\
examples:
  quantacore physics-sweep --grid cavity.g=50:300:6 --out g.nc --plot g.png
  quantacore physics-sweep --grid laser.frequency_offset=-0.04:0.04:9 --calibration nominal
  quantacore physics-sweep --grid cavity.g=50:300:6 --grid link.length_km=0.01,0.5,1 \\
      --out grid.nc --plot gate2q.png --op gate_2q --workers 2
  quantacore physics-sweep grid.toml --out grid.nc --dask tcp://scheduler:8786
  quantacore physics-sweep --quantity stirap --device devices/three-level.toml \
      --grid laser.delay=0:0.4:41 --grid laser.detuning_1ph=-200:200:41 --out stirap.nc

grid.toml:
  device = "my_device.toml"         # optional, relative to this file
  calibration = "nominal"           # per-point (default) | nominal
  quantity = "channels"             # channels (default) | stirap
  [grid]
  "laser.frequency_offset" = [-0.02, 0.0, 0.02]
  "cavity.g" = {start = 50.0, stop = 300.0, num = 6}    # or "50:300:6", "1e3:1e6:4:log"

--calibration per-point: each point's device is calibrated itself (as `extract --set`);
nominal: the base device's calibration is kept at every point (as `extract --drift`).
With --out, finished points are appended to OUT.points.jsonl (or --cache): an interrupted sweep
re-run with the same command resumes, and other grids on the same base device reuse its points.
Units: µs and rad/µs (2π × MHz); probabilities per application.
"""

_MAX_ROWS = 50


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore physics-sweep``."""
    from physics.operations import OPERATIONS
    from twin.studies.physics_grid import CALIBRATIONS, QUANTITIES

    parser.epilog = EXAMPLES
    parser.add_argument("grid_file", nargs="?", metavar="GRID.toml",
                        help="grid file ([grid] table; optional device and calibration)")
    parser.add_argument("--grid", metavar="KEY=START:STOP:NUM|V1,V2,...", action="append",
                        default=[], dest="grid",
                        help="swept parameter, e.g. cavity.g=50:300:6 (repeatable: one "
                             "dimension each)")
    parser.add_argument("--device", metavar="FILE.toml",
                        help="base device file (default: the reference device)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides", help="override one base-device parameter (repeatable)")
    parser.add_argument("--calibration", choices=CALIBRATIONS, default=None,
                        help="per-point (default) or nominal (the base device's, kept fixed)")
    parser.add_argument("--quantity", choices=QUANTITIES, default=None,
                        help="channels (default): every operation's channel and figures; "
                             "stirap: the STIRAP transfer efficiency only (batched, fast)")
    parser.add_argument("--out", metavar="FILE.nc", help="write the dataset as NetCDF")
    parser.add_argument("--cache", metavar="FILE.jsonl",
                        help="per-point resume cache (default with --out: OUT.points.jsonl)")
    parser.add_argument("--plot", metavar="OUT.png",
                        help="1-D: error components per operation; 2-D: heat map of --op")
    parser.add_argument("--op", choices=OPERATIONS, default=None,
                        help="operation to plot (2-D default: gate_1q; 1-D default: all)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (or Dask workers with --dask local); default 1")
    parser.add_argument("--dask", metavar="ADDRESS|local",
                        help="run on a Dask cluster: 'local' or tcp://HOST:PORT")
    parser.add_argument("--block", type=int, default=None, metavar="N",
                        help="grid points per work item (default: ~4 items per worker)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _command(args: argparse.Namespace) -> str:
    parts = ["quantacore", "physics-sweep"]
    if args.grid_file:
        parts.append(args.grid_file)
    for flag, values in (("--grid", args.grid), ("--set", args.overrides)):
        for v in values:
            parts += [flag, v]
    for flag in ("device", "calibration", "quantity", "out", "cache"):
        value = getattr(args, flag)
        if value is not None:
            parts += [f"--{flag}", str(value)]
    return shlex.join(parts)


def _columns(ds) -> tuple[list[str], object]:
    """Column names and the (point, column) array of the table."""
    import xarray as xr

    dims = [d.strip() for d in ds.attrs["parameters"].split(",")]
    if ds.attrs.get("quantity") == "stirap":
        cols = xr.concat([1.0 - ds["stirap_efficiency"], ds["stirap_loss"]], dim="column")
        return ["1-eff", "loss"], cols.stack(point=dims).transpose("point", "column")
    names = [str(o) for o in ds["operation"].values]
    return names, ds["total_error"].stack(point=dims).transpose("point", "operation")


def format_table(ds, *, max_rows: int = _MAX_ROWS) -> str:
    """One row per grid point (the first ``max_rows``).

    Channel sweeps show each operation's total error per application; STIRAP sweeps show
    1 − transfer efficiency and the loss.
    """
    dims = [d.strip() for d in ds.attrs["parameters"].split(",")]
    names, flat = _columns(ds)
    widths = [max(12, len(d)) for d in dims]
    head = " ".join(f"{d:>{w}}" for d, w in zip(dims, widths, strict=True))
    note = "STIRAP transfer" if ds.attrs.get("quantity") == "stirap" else \
        "total error per application"
    lines = [f"{head} " + " ".join(f"{o:>10}" for o in names) + f"   ({note})"]
    n = flat.sizes["point"]
    for k in range(min(n, max_rows)):
        row = flat.isel(point=k)
        cells = []
        for d, w in zip(dims, widths, strict=True):
            v = row[d].item()
            cells.append(f"{v:>{w}.6g}" if isinstance(v, float) else f"{v!s:>{w}}")
        vals = " ".join(f"{v:>10.3e}" for v in row.values)
        lines.append(" ".join(cells) + " " + vals)
    if n > max_rows:
        lines.append(f"... {n - max_rows} more point(s) in the dataset")
    return "\n".join(lines)


def _point_json(p, ds) -> dict:
    if ds.attrs.get("quantity") == "stirap":
        return {"stirap": {"efficiency": float(p["stirap_efficiency"]),
                           "loss": float(p["stirap_loss"])}}
    return {"operations": {
        str(op): {**{str(c): float(p["channel"].sel(operation=op, component=c))
                     for c in ds["component"].values},
                  "total": float(p["total_error"].sel(operation=op)),
                  "duration": float(p["duration"].sel(operation=op))}
        for op in ds["operation"].values}}


def _json(ds, result, out: str | None, cache: str | None) -> dict:
    dims = [d.strip() for d in ds.attrs["parameters"].split(",")]
    flat = ds.stack(point=dims)
    points = []
    for k in range(flat.sizes["point"]):
        p = flat.isel(point=k)
        entry = {"point": {d: p[d].item() for d in dims}, "ok": bool(p["ok"].item())}
        if entry["ok"]:
            entry.update(_point_json(p, ds))
        points.append(entry)
    return {
        "parameters": [{"name": d, "units": ds[d].attrs.get("units", ""),
                        "values": [v.item() for v in ds[d].values] if ds[d].dtype.kind != "O"
                        else [str(v) for v in ds[d].values]} for d in dims],
        "quantity": ds.attrs["quantity"], "calibration": ds.attrs["calibration"],
        "output": out, "cache": cache,
        "computed": result.computed, "reused": result.reused, "failed": result.failed,
        "failures": json.loads(ds.attrs["failures"]), "points": points,
    }


def _progress(quiet: bool):
    if quiet:
        return None
    state = {"last": 0.0}

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - state["last"] >= 1.0:
            state["last"] = now
            print(f"quantacore physics-sweep: {done}/{total} points", file=sys.stderr,
                  flush=True)

    return report


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore physics-sweep``."""
    from twin.device.load import load_device
    from twin.executor import ExecutorSpec
    from twin.studies.physics_dataset import write_netcdf
    from twin.studies.physics_grid import PhysicsSweep, load_grid_file, parse_grid_option
    from twin.studies.physics_sweep import run_physics_sweep

    # outputs first: a sweep must not run for minutes and then fail on its path
    out = output_file("--out", args.out) if args.out else None
    plot = output_file("--plot", args.plot, suffix=".png") if args.plot else None
    cache = args.cache or (f"{args.out}.points.jsonl" if args.out else None)
    if cache is not None:
        output_file("--cache" if args.cache else "--out (its cache)", cache)
    executor = ExecutorSpec(workers=args.workers, dask=args.dask)
    axes: list = []
    device_path, calibration, quantity = args.device, args.calibration, args.quantity
    source = "--grid"
    if args.grid_file:
        grid_file = load_grid_file(args.grid_file)
        axes += grid_file.axes
        device_path = device_path or grid_file.device
        calibration = calibration or grid_file.calibration
        quantity = quantity or grid_file.quantity
        source = args.grid_file if not args.grid else f"{args.grid_file} / --grid"
    axes += [parse_grid_option(text) for text in args.grid]
    if not axes:
        raise UserError("no grid: give --grid section.key=START:STOP:NUM (or V1,V2,...) or a "
                        "grid file, e.g. --grid cavity.g=50:300:6")
    base = load_device(device_path, overrides=args.overrides)
    sweep = PhysicsSweep(tuple(axes), base, calibration=calibration or "per-point",
                         quantity=quantity or "channels", source=source)
    if sweep.quantity == "stirap" and args.op:
        raise UserError(f"--op {args.op}: a STIRAP sweep has no operations to choose from")
    if sweep.quantity == "stirap" and calibration == "nominal":
        raise UserError("--calibration nominal: a STIRAP transfer has no frame to calibrate; "
                        "use --quantity channels for the drift view")
    if args.plot and len(sweep.axes) > 2:
        raise UserError(f"--plot: draws grids of one or two parameters; this one has "
                        f"{len(sweep.axes)} ({', '.join(sweep.parameters)})")
    if not args.quiet:
        where = f", results in {args.out}" if args.out else ""
        how = "STIRAP transfer" if sweep.quantity == "stirap" else \
            f"channels, {sweep.calibration} calibration"
        print(f"quantacore physics-sweep: {sweep.size} point(s) over "
              f"{', '.join(sweep.parameters)} ({how}) on {executor.describe()}{where}",
              file=sys.stderr, flush=True)
    result = run_physics_sweep(sweep, executor=executor, cache=cache, block_size=args.block,
                               progress=_progress(args.quiet), command=_command(args))
    ds = result.dataset
    if result.failed and not args.quiet:
        first = next(iter(json.loads(ds.attrs["failures"]).items()))
        print(f"quantacore physics-sweep: {result.failed} point(s) not realisable (NaN, ok = "
              f"False); e.g. {first[0]}: {first[1]}", file=sys.stderr)
    if out:
        write_netcdf(ds, out)
    if plot:
        from twin.reports.physics_sweep_plot import plot_physics_sweep

        plot_physics_sweep(ds, plot, op=args.op)
    if args.json:
        print(json.dumps(_json(ds, result, args.out, cache), indent=2))
    else:
        print(format_table(ds))
    if not args.quiet:
        wrote = [str(p) for p in (out, plot) if p]
        print(f"quantacore physics-sweep: {result.computed} computed, {result.reused} from the "
              f"cache" + (f"; wrote {', '.join(wrote)}" if wrote else ""), file=sys.stderr)
    return 0
