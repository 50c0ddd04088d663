"""Twin layer: the device in time, the window loop, scenarios, telemetry, reports and the CLI.

The one place that may import every other package (DESIGN.md, layering).

Modules, one concern each:

* ``device_file``: device TOML files and ``--set`` overrides;
* ``noise_map``: ``physics`` extraction → each code's ``qec.NoiseModel``;
* ``drift``: seeded drift processes; ``device_model``: nominal device + drifts + knobs;
* ``physics_cache``: exact physics on a lazy grid, interpolated;
* ``scenario``: scenario files; ``baselines``: none / periodic / oracle;
* ``loop``: ``DigitalTwin``; ``telemetry``: append-only CSV logs;
* ``compare``, ``sweep``: code comparison and sweeps; ``report``, ``plots``, ``html``: outputs;
* ``cli`` and ``*_cmd``: the ``quantacore`` program.

The public names are re-exported lazily, so ``quantacore --help`` does not import the physics.
"""

from importlib import import_module
from typing import Any

__all__ = ["KNOBS", "DeviceModel", "DigitalTwin", "RunSummary", "Scenario", "UserError",
           "load_scenario"]

_WHERE = {
    "KNOBS": "twin.scenario", "DeviceModel": "twin.device_model", "DigitalTwin": "twin.loop",
    "RunSummary": "twin.loop", "Scenario": "twin.scenario", "UserError": "twin.errors",
    "load_scenario": "twin.scenario",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'twin' has no attribute {name!r}")
