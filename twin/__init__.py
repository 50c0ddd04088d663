"""Twin layer: the device in time, the window loop, run folders, studies, reports, the CLI.

The one place that may import every other package (DESIGN.md, layering). Subpackages, one
concern each:

* ``device``: device files, drift processes, knobs, physics cache, noise map → ``DeviceModel``;
* ``scenario``: scenario files → ``Scenario`` (schema, loading, writing);
* ``controllers``: the controllers a scenario names (baselines and ``ai``);
* ``loop``: ``DigitalTwin`` (start / step / run), its state, the Gymnasium environment;
* ``runs``: the run folder (layout, telemetry, checkpoint, summary, lock), ensembles;
* ``studies``: code comparison, QEC sweeps, physics sweeps;
* ``reports``: PNG plots and HTML pages;
* ``cli``: the ``quantacore`` program (nothing imports it);

and the basics they share: ``errors`` (``UserError``), ``validation``, ``limits``,
``toml_file``, ``executor`` (in process, a local pool or Dask).

The public names are re-exported lazily, so ``quantacore --help`` does not import the physics.
"""

from importlib import import_module
from typing import Any

__all__ = ["KNOBS", "DeviceModel", "DigitalTwin", "QECControlEnv", "RunFolder", "RunSummary",
           "Scenario", "UserError", "WindowResult", "load_scenario"]

_WHERE = {
    "KNOBS": "twin.device.knobs", "DeviceModel": "twin.device.model",
    "DigitalTwin": "twin.loop.digital_twin", "WindowResult": "twin.loop.digital_twin",
    "QECControlEnv": "twin.loop.gym_env", "RunFolder": "twin.runs.folder",
    "RunSummary": "twin.runs.summary", "Scenario": "twin.scenario.schema",
    "UserError": "twin.errors", "load_scenario": "twin.scenario.load",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'twin' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
