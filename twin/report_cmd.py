"""``quantacore report``: PNG plots and one HTML page for the twin runs in a folder."""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore report runs/                # every runs/<controller>-seed<seed>/ in one page
  quantacore report runs/ai-seed1        # one run

Writes report_*.png and report.html into DIR and prints the HTML page's path. A run folder
holds telemetry.csv (and summary.json once the run has finished; runs without one are reported
as incomplete).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore report``."""
    parser.epilog = EXAMPLES
    parser.add_argument("dir", metavar="DIR",
                        help="a run folder, or a folder of run folders")


def run(args: argparse.Namespace) -> int:
    """Write the report for ``args.dir`` and print the HTML page's path."""
    from twin.report import write_report

    print(write_report(args.dir))
    return 0
