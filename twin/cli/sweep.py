"""``quantacore sweep``: a resumable grid of QEC tasks collected into sinter's CSV."""

from __future__ import annotations

import argparse
import json
import os

from twin.cli.paths import output_file
from twin.cli.progress import stderr_progress
from twin.errors import UserError

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore sweep tasks.toml --save-resume results.csv
  quantacore sweep tasks.toml --save-resume results.csv --workers 2 --plot threshold.png
  quantacore sweep tasks.toml --save-resume results.csv --dask local --workers 4
  quantacore sweep tasks.toml --save-resume results.csv --dask tcp://HOST:8786

tasks.toml:
  codes = ["surface"]
  distances = [3, 5, 7]
  decoders = ["mwpm"]
  bases = ["Z"]
  max_shots = 100000
  max_errors = 200
  [noise]
  kind = "uniform"            # uniform | code-capacity | phenomenological | device
  p = [0.004, 0.007, 0.01, 0.013]

The CSV is sinter's append-only format, one line per chunk of --chunk-shots shots: an
interrupted sweep re-run with the same file (and the same --seed and --chunk-shots) resumes at
the next chunk and ends with the same counts as an uninterrupted one; lines of other task sets
in the file are kept. Chunk k of a task is sampled from a seed derived from (--seed, the task,
k), so the counts are the same in process, on --workers N or on a Dask cluster.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore sweep``."""
    parser.epilog = EXAMPLES
    parser.add_argument("tasks", metavar="TASKS.toml", help="the sweep file")
    parser.add_argument("--save-resume", metavar="FILE.csv", required=True,
                        help="sinter CSV to append results to and resume from")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="local worker processes, or workers of --dask local "
                             "(default: all cores)")
    parser.add_argument("--dask", metavar="ADDRESS|local",
                        help="run the chunks on a Dask cluster: a scheduler address "
                             "(tcp://HOST:8786) or 'local' (start one here)")
    parser.add_argument("--seed", type=int, default=0,
                        help="sweep seed (default 0): the same seed gives the same counts")
    parser.add_argument("--chunk-shots", type=int, default=None, metavar="N",
                        help="shots per chunk, the unit of work and of resumption "
                             "(default 10000)")
    parser.add_argument("--plot", metavar="OUT.png",
                        help="plot logical error vs the swept parameter per distance")
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def run(args: argparse.Namespace) -> int:
    """Execute ``quantacore sweep``."""
    from twin.executor import ExecutorSpec
    from twin.studies.collect import DEFAULT_CHUNK_SHOTS, collect
    from twin.studies.sweep import load_sweep, sweep_rows, sweep_tasks

    if args.workers < 1:
        raise UserError(f"--workers = {args.workers}: must be >= 1")
    if args.seed < 0:
        raise UserError(f"--seed = {args.seed}: must be an integer >= 0")
    chunk = DEFAULT_CHUNK_SHOTS if args.chunk_shots is None else args.chunk_shots
    if chunk < 1:
        raise UserError(f"--chunk-shots = {chunk}: must be an integer >= 1")
    csv = output_file("--save-resume", args.save_resume)
    plot = output_file("--plot", args.plot, suffix=".png") if args.plot else None
    executor = ExecutorSpec(workers=args.workers, dask=args.dask)
    spec = load_sweep(args.tasks)
    tasks = sweep_tasks(spec)

    progress = stderr_progress("sweep", quiet=args.quiet)
    if progress:
        progress(f"{len(tasks)} tasks, {executor.describe()}, chunks of {chunk} shots, "
                 f"seed {args.seed}, results in {csv}")
    stats = collect(tasks, csv_path=csv, max_shots=spec.max_shots, max_errors=spec.max_errors,
                    seed=args.seed, chunk_shots=chunk, spec=executor, progress=progress)
    rows = sweep_rows(stats)
    if args.json:
        print(json.dumps({"swept": spec.swept, "rows": rows}, indent=2))
    else:
        print(f"{'code':<12} {'decoder':<16} {'basis':<5} {'d':>3} {spec.swept:>12} "
              f"{'shots':>9} {'errors':>7} {'ε/round':>10} {'95% CI':>23}")
        for r in rows:
            lo, hi = r["ler_ci"]
            print(f"{r['code']:<12} {r['decoder']:<16} {r['basis']:<5} {r['distance']:>3} "
                  f"{r['value']!s:>12} {r['shots']:>9} {r['errors']:>7} "
                  f"{r['ler_per_round']:>10.3e} [{lo:>9.2e}, {hi:>9.2e}]")
    if plot:
        from twin.reports.sweep_plot import plot_sweep

        path = plot_sweep(rows, plot, spec.swept)
        if progress:
            progress(f"wrote {path}")
    return 0
