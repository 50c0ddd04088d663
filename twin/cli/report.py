"""``quantacore report``: PNG plots and one HTML page for the twin runs in a folder."""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore report runs/laser-drift     # every run of that root in one page
  quantacore report runs/laser-drift/ai-seed1          # one run
  quantacore report runs/mixed --scenario laser-drift  # a root holding several scenarios

Writes report_*.png and report.html into DIR and prints the HTML page's path. A run folder
holds telemetry.csv (and summary.json once the run has finished; runs without one are reported
as incomplete). Runs of different scenarios are not drawn as one comparison: a DIR holding
several is refused with the list of its scenarios; choose one with --scenario.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore report``."""
    parser.epilog = EXAMPLES
    parser.add_argument("dir", metavar="DIR",
                        help="a run folder, or an output root of run folders")
    parser.add_argument("--scenario", metavar="NAME",
                        help="the scenario whose runs to draw, when DIR holds runs of several")


def run(args: argparse.Namespace) -> int:
    """Write the report for ``args.dir`` and print the HTML page's path."""
    from twin.reports.runs import write_report

    print(write_report(args.dir, scenario=args.scenario))
    return 0
