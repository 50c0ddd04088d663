"""``quantacore run``: a scenario on the twin, a controller in the loop, telemetry and a report."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from twin.cli.progress import stderr_progress
from twin.errors import UserError

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore run                                  # the short default scenario (< 1 min)
  quantacore scenarios                            # the built-in scenarios
  quantacore run laser-drift --controller periodic --out runs/laser
  quantacore run laser-drift --controller oracle --out runs/laser   # same folder: compared
  quantacore run my_scenario.toml --windows 100 --shots 20000 --seed 3
  quantacore run laser-drift --decoder mwpm-correlated --out runs/corr
  quantacore run laser-drift --out runs/laser --resume              # continue after a crash
  quantacore run laser-drift --seeds 0:32 --controller none,ai --workers 2   # an ensemble
  quantacore run laser-drift --seeds 3,5,7 --dask tcp://HOST:8786

Each run goes to its folder OUT/<controller>-seed<seed>/ (telemetry.csv, timing.csv,
scenario.toml, run.json, summary.json); OUT/report.html draws the runs of this scenario in OUT.
One process writes a run folder at a time: a second run or --resume on a folder being written
is refused (a folder left by a killed run is taken over by --resume).

An ensemble (--seeds, or several controllers) runs every (controller, seed) as one work item on
--workers local processes or a --dask cluster (the same files whichever ran them); finished
runs are reused and interrupted ones resumed, so rerunning the same command continues it.
OUT/ensemble.csv gets one row per run as it finishes; OUT/ensemble.json and the table give,
per controller, the mean over seeds of ε/round with its 95% t interval, and the pooled counts.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore run``."""
    parser.epilog = EXAMPLES
    parser.add_argument("scenario", nargs="?", default="default", metavar="NAME|FILE",
                        help="a built-in scenario name or a scenario file (default: default)")
    parser.add_argument("--controller", metavar="NAME[,NAME...]",
                        help="override the scenario's controller: none, periodic, oracle, ai; "
                             "several (none,ai) run an ensemble")
    parser.add_argument("--windows", type=int, help="override the number of windows")
    parser.add_argument("--shots", type=int, help="override the shots per window")
    parser.add_argument("--seed", type=int, help="override the seed")
    parser.add_argument("--decoder", metavar="NAME",
                        help="override the decoder (a built-in or a registered user decoder)")
    parser.add_argument("--seeds", metavar="START:STOP|S,S,...",
                        help="run an ensemble over these seeds (0:32 = 0..31, or 3,5,7)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="ensemble: local worker processes, or workers of --dask local "
                             "(default: all cores)")
    parser.add_argument("--dask", metavar="ADDRESS|local",
                        help="ensemble: run on a Dask cluster (tcp://HOST:8786) or 'local'")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: runs/<scenario>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run in the same folder")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML/PNG report")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _scenario(args: argparse.Namespace, *, controller: bool = True):
    from twin.scenario import ControllerSpec, load_scenario

    scenario = load_scenario(args.scenario)
    changes = {name: getattr(args, name) for name in ("windows", "shots", "seed", "decoder")
               if getattr(args, name) is not None}
    if controller and args.controller is not None and \
            args.controller != scenario.controller.name:
        try:
            changes["controller"] = ControllerSpec(args.controller, {})
        except ValueError as exc:
            raise UserError(f"--controller: {exc}") from None
    return scenario.replace(**changes) if changes else scenario


def format_summary(summary, report: Path | None) -> str:
    """Readable end-of-run table."""
    lo, hi = summary.ler_ci
    lines = [
        f"scenario     {summary.scenario}",
        f"controller   {summary.controller}   seed {summary.seed}",
        f"windows      {summary.windows} ({summary.lost_windows} lost to calibration)",
        f"shots        {summary.shots}   logical errors {summary.errors}",
        f"mean ε/round {summary.mean_ler_per_round:.3e}   95% CI [{lo:.2e}, {hi:.2e}]",
        f"worst window {summary.worst_window} (ε/round {summary.worst_ler_per_round:.3e})",
        f"above target {summary.windows_above_target} windows (target {summary.target:g})",
    ]
    if report is not None:
        lines.append(f"report       {report}")
    return "\n".join(lines)


def _is_ensemble(args: argparse.Namespace) -> bool:
    return args.seeds is not None or (args.controller is not None and "," in args.controller)


def format_ensemble(result, report: Path | None) -> str:
    """Readable per-controller table of an ensemble."""
    lines = [f"{'controller':<11} {'runs':>4} {'mean ε/round':>12} {'95% CI (t, seeds)':>23} "
             f"{'shots':>10} {'errors':>7} {'pooled ε/round':>14} {'95% CI (Wilson)':>23}"]
    for a in result.aggregates:
        lo, hi = a.mean_ci
        plo, phi = a.pooled_ci
        lines.append(f"{a.controller:<11} {a.runs:>4} {a.mean_ler_per_round:>12.3e} "
                     f"[{lo:>9.2e}, {hi:>9.2e}] {a.shots:>10} {a.errors:>7} "
                     f"{a.pooled_ler_per_round:>14.3e} [{plo:>9.2e}, {phi:>9.2e}]")
    lines.append(f"runs         {result.csv_path}")
    lines.append(f"summary      {result.json_path}")
    if report is not None:
        lines.append(f"report       {report}")
    return "\n".join(lines)


def _run_ensemble(args: argparse.Namespace) -> int:
    from twin.executor import ExecutorSpec
    from twin.reports.runs import write_report
    from twin.runs.ensemble import parse_controllers, parse_seeds, run_ensemble

    if args.seed is not None:
        raise UserError(f"--seed = {args.seed}: give either --seed (one run) or --seeds "
                        "(an ensemble), not both")
    seeds = parse_seeds(args.seeds) if args.seeds is not None else None
    names = parse_controllers(args.controller) if args.controller is not None else None
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    spec = ExecutorSpec(workers=workers, dask=args.dask)
    scenario = _scenario(args, controller=False)
    seeds = seeds if seeds is not None else (scenario.seed,)
    names = names if names is not None else (scenario.controller.name,)
    out = Path(args.out) if args.out else Path("runs") / scenario.name
    progress = stderr_progress("run", quiet=args.quiet)
    if progress:
        progress(f"ensemble of {scenario.name}: {len(names)} controller(s) x {len(seeds)} "
                 f"seed(s) on {spec.describe()} -> {out}")
    result = run_ensemble(scenario, seeds=seeds, controllers=names, out=out, spec=spec,
                          progress=progress)
    report = None if args.no_report else write_report(out, scenario=scenario)
    if args.json:
        data = json.loads(result.json_path.read_text(encoding="utf-8"))
        data["report"] = str(report) if report else None
        print(json.dumps(data, indent=2))
    else:
        print(format_ensemble(result, report))
    return 0


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore run``."""
    from twin.loop import DigitalTwin
    from twin.reports.runs import write_report

    for name in ("windows", "shots", "workers"):
        v = getattr(args, name)
        if v is not None and v < 1:
            raise UserError(f"--{name} = {v}: must be >= 1")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed = {args.seed}: must be >= 0")
    if _is_ensemble(args):
        return _run_ensemble(args)
    for flag in ("workers", "dask"):
        if getattr(args, flag) is not None:
            raise UserError(f"--{flag} = {getattr(args, flag)}: only for an ensemble "
                            "(add --seeds, e.g. --seeds 0:8)")
    scenario = _scenario(args)
    out = Path(args.out) if args.out else Path("runs") / scenario.name
    progress = stderr_progress("run", quiet=args.quiet)
    twin = DigitalTwin(scenario, out=out, progress=progress)
    if progress:
        progress(f"{scenario.name} ({scenario.description or 'no description'}) with "
                 f"controller {scenario.controller.name} -> {twin.folder.path}")
    try:
        summary = twin.run(resume=args.resume)
    except OSError as exc:
        raise UserError(f"cannot write to {twin.folder.path}: {exc.strerror or exc}") from None
    report = None if args.no_report else write_report(out, scenario=scenario)
    if args.json:
        data = summary.to_json()
        data["run_dir"] = str(twin.folder.path)
        data["report"] = str(report) if report else None
        print(json.dumps(data, indent=2))
    else:
        print(format_summary(summary, report))
    return 0
