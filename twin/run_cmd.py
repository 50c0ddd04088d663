"""``quantacore run``: a scenario on the twin, a controller in the loop, telemetry and a report."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from twin.errors import UserError

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore run                                  # the short default scenario (< 1 min)
  quantacore scenarios                            # the built-in scenarios
  quantacore run laser-drift --controller periodic --out runs/laser
  quantacore run laser-drift --controller oracle --out runs/laser   # same folder: compared
  quantacore run my_scenario.toml --windows 100 --shots 20000 --seed 3
  quantacore run laser-drift --out runs/laser --resume              # continue after a crash

Each run goes to OUT/<controller>-seed<seed>/ (telemetry.csv, timing.csv, scenario.toml,
summary.json); the report of every run in OUT is OUT/report.html.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore run``."""
    parser.epilog = EXAMPLES
    parser.add_argument("scenario", nargs="?", default="default", metavar="NAME|FILE",
                        help="a built-in scenario name or a scenario file (default: default)")
    parser.add_argument("--controller", metavar="NAME",
                        help="override the scenario's controller: none, periodic, oracle, ai")
    parser.add_argument("--windows", type=int, help="override the number of windows")
    parser.add_argument("--shots", type=int, help="override the shots per window")
    parser.add_argument("--seed", type=int, help="override the seed")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: runs/<scenario>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run in the same folder")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-report", action="store_true", help="skip the HTML/PNG report")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _scenario(args: argparse.Namespace):
    from twin.scenario import ControllerSpec, load_scenario

    scenario = load_scenario(args.scenario)
    changes = {}
    for name in ("windows", "shots", "seed"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.controller is not None:
        if args.controller == scenario.controller.name:
            pass
        else:
            try:
                changes["controller"] = ControllerSpec(args.controller, {})
            except ValueError as exc:
                raise UserError(f"--controller: {exc}") from None
    if changes:
        try:
            scenario = scenario.replace(**changes)
        except UserError:
            raise
        except ValueError as exc:
            raise UserError(f"{scenario.source}: {exc}") from None
    return scenario


def _controller(scenario):
    return None  # the twin builds the scenario's controller (baselines and ai)


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


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore run``."""
    from twin.loop import DigitalTwin

    for name in ("windows", "shots"):
        v = getattr(args, name)
        if v is not None and v < 1:
            raise UserError(f"--{name} = {v}: must be >= 1")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"--seed = {args.seed}: must be >= 0")
    scenario = _scenario(args)
    controller = _controller(scenario)
    out = Path(args.out) if args.out else Path("runs") / scenario.name
    run_dir = out / f"{scenario.controller.name}-seed{scenario.seed}"

    def progress(msg: str) -> None:
        print(f"quantacore run: {msg}", file=sys.stderr, flush=True)

    if not args.quiet:
        progress(f"{scenario.name} ({scenario.description or 'no description'}) with "
                 f"controller {scenario.controller.name} -> {run_dir}")
    twin = DigitalTwin(scenario, out_dir=run_dir, controller=controller,
                       progress=None if args.quiet else progress)
    try:
        summary = twin.run(resume=args.resume)
    except OSError as exc:
        raise UserError(f"cannot write to {run_dir}: {exc.strerror or exc}") from None
    report = None
    if not args.no_report:
        from twin.report import write_report

        report = write_report(out)
    if args.json:
        data = summary.to_json()
        data["run_dir"] = str(run_dir)
        data["report"] = str(report) if report else None
        print(json.dumps(data, indent=2))
    else:
        print(format_summary(summary, report))
    return 0
