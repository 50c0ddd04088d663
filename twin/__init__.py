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
"""

from twin.device_model import DeviceModel
from twin.errors import UserError
from twin.loop import DigitalTwin, RunSummary
from twin.scenario import KNOBS, Scenario, load_scenario

__all__ = ["KNOBS", "DeviceModel", "DigitalTwin", "RunSummary", "Scenario", "UserError",
           "load_scenario"]
