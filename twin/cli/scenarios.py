"""``quantacore scenarios``: list the built-in scenarios, or print one resolved.

With no argument, one line per built-in scenario: its name and one-line purpose (``--json``: a
list of ``{"name", "description"}``). With a name or a file, the resolved scenario as TOML
(every default filled in), ready to copy and edit.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["add_arguments", "run"]

EXAMPLES = """\
examples:
  quantacore scenarios                       # name and purpose of every built-in scenario
  quantacore scenarios --json
  quantacore scenarios laser-drift           # the resolved scenario as TOML
  quantacore scenarios laser-drift > my.toml # ... to edit, then: quantacore run my.toml
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``quantacore scenarios``."""
    parser.epilog = EXAMPLES
    parser.add_argument("scenario", nargs="?", metavar="NAME|FILE.toml",
                        help="print this scenario resolved (all defaults filled in) as TOML")
    parser.add_argument("--json", action="store_true",
                        help="print JSON: the list of {name, description}, or one scenario's "
                             "resolved fields")


def run(args: argparse.Namespace) -> int:
    """List the built-ins, or print one scenario resolved."""
    if args.scenario is not None:
        from twin.scenario import load_scenario, scenario_to_toml

        scenario = load_scenario(args.scenario)
        text = scenario_to_toml(scenario)
        if args.json:
            import tomllib

            print(json.dumps(tomllib.loads(text), indent=2, ensure_ascii=False))
        else:
            print(text, end="")
        return 0
    from scenarios import describe_scenarios  # the data package only: no physics imported

    rows = describe_scenarios()
    if args.json:
        print(json.dumps([{"name": n, "description": d} for n, d in rows], indent=2,
                         ensure_ascii=False))
        return 0
    width = max((len(n) for n, _ in rows), default=0)
    for name, description in rows:
        print(f"{name:<{width}}  {description}")
    return 0
