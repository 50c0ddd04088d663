"""The ``quantacore`` command line: argparse, subcommands imported lazily, ``main(argv=None)``.

Each subcommand lives in its own module of this package (``twin.cli.run``, ``twin.cli.compare``,
...) exposing ``add_arguments(parser)`` and ``run(args)``: argument parsing and printing only,
the work is done by the rest of ``twin``. Only the chosen one is imported, so ``quantacore
--help`` stays fast. Nothing imports ``twin.cli`` but the console script (tested).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

__all__ = ["main"]

# name -> (module, one-line help)
_SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "twin.cli.run",
        "run a scenario: drifting device, QEC windows, a controller, telemetry and a report",
    ),
    "extract": (
        "twin.cli.extract",
        "device parameters -> each operation's Pauli + loss channel and the physics behind it",
    ),
    "physics-sweep": (
        "twin.cli.physics_sweep",
        "device parameters on a grid -> every operation's channel as labelled NetCDF (xarray)",
    ),
    "compare": (
        "twin.cli.compare",
        "QEC codes x distances x decoders on one device: logical error, Λ, resources",
    ),
    "logical": (
        "twin.cli.logical",
        "fault-tolerant logical operations (surgery, transversal CNOT, GHZ): error and cost",
    ),
    "sweep": (
        "twin.cli.sweep",
        "a resumable grid of QEC tasks (code, distance, decoder, noise) into a sinter CSV",
    ),
    "report": ("twin.cli.report", "PNG plots and one HTML page for the runs in a folder"),
    "scenarios": ("twin.cli.scenarios", "list the built-in scenarios with their purpose"),
}

_EPILOG = """\
examples:
  quantacore run                             # the short default scenario, with its report
  quantacore run laser-drift --controller periodic --out runs/laser
  quantacore run laser-drift --seeds 0:8 --controller none,ai --workers 2   # an ensemble
  quantacore extract                         # the reference device's channels, as a table
  quantacore extract --json                  # the same as one JSON object
  quantacore extract --set cavity.g=150 --set link.length_km=0.5
  quantacore extract --device my_device.toml
  quantacore physics-sweep --grid cavity.g=50:300:6 --out g.nc --plot g.png
  quantacore compare --codes surface xzzx --distances 3 5 7 --decoders mwpm mwpm-erasure
  quantacore logical surgery-cnot transversal-cnot --distances 3 --out logical-out
  quantacore sweep tasks.toml --save-resume results.csv --plot sweep.png
  quantacore sweep tasks.toml --save-resume results.csv --dask tcp://HOST:8786

Units: time in µs, rates and angular frequencies in rad/µs (2π × MHz).
"""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors: ``quantacore CMD: error: MESSAGE`` on stderr, exit 2.

    argparse's default prints the whole usage (7-9 lines for most subcommands) before the
    message; ``--help`` still prints it. Subparsers are built with this class too.
    """

    chosen: str | None = None  # the subcommand, for errors the top-level parser reports

    def error(self, message: str):
        prog = self.prog
        if self.chosen and prog == "quantacore":  # e.g. an unknown option after the command
            prog = f"quantacore {self.chosen}"
        self.exit(2, f"{prog}: error: {message} (see {prog} --help)\n")


def _build_parser(chosen: str | None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="quantacore",
        description="QuantaCore Twin: physics -> noise channels -> QEC -> AI control.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.chosen = chosen
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in _SUBCOMMANDS.items():
        sp = sub.add_parser(
            name, help=help_text, description=help_text,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sp)
            sp.set_defaults(command_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``quantacore`` program.

    Args:
        argv: arguments without the program name; ``None`` reads ``sys.argv[1:]``.

    Returns:
        The process exit code: 0 on success, 2 on a user error (one line on stderr).
    """
    from twin.errors import UserError

    args_list = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in args_list if a in _SUBCOMMANDS), None)
    parser = _build_parser(chosen)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    if args.command is None:
        parser.print_help()
        return 0
    args.argv = args_list
    try:
        return int(args.command_module.run(args) or 0)
    except UserError as exc:
        print(f"quantacore {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"quantacore {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `quantacore extract | head`: the reader left, not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # unwritable folder, full disk, missing file: not a bug of ours
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"quantacore {args.command}: error: cannot use{where}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return 2
