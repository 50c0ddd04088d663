"""Scenario files: a TOML description of one twin run, read into frozen dataclasses.

A scenario says what QEC experiment runs (code, distance, decoder, shots and windows), how the
device departs from the reference device (``[device]`` overrides, ``[[drift]]`` processes, an
optional ``[hot_node]``), which controller is in the loop (``[controller]``) and where the
control knobs start (``[knobs]``). Every key is optional::

    name = "laser-drift"             # (the file stem) one line, no path separators
    description = "one-line purpose" # ("")
    seed = 1                         # (0) integer in [0, 2^64)
    windows = 40                     # (20) integer in [1, 10^7]
    shots = 10000                    # (5000) shots per window, integer in [1, 10^7]
    rounds = 5                       # ("distance") QEC rounds per shot, integer in [1, 1000]
    window_seconds = 10.0            # (10.0) hidden-clock time per window (s), in (0, 1e9]
    code = "surface"                 # ("surface") one of qec.codes.CODES
    distance = 5                     # (5) odd integer in [3, 51]
    basis = "Z"                      # ("Z") Z or X
    decoder = "mwpm-erasure"         # ("mwpm-erasure") a registered decoder (qec.decoders)
    target = 1e-3                    # (1e-3) logical error per round above which a window
                                     #   counts as "above target", in (0, 0.5)

    [device.laser]                   # overrides of the reference device (physics.device)
    detuning_1ph = 0.0

    [controller]
    name = "periodic"                # ("none") none, periodic, oracle or ai
    every = 10                       # controller parameters (see CONTROLLER_PARAMS)

    [knobs]                          # initial knob values: the calibrated operating point;
                                     # missing -> nominal (see KNOBS)
    laser.frequency_offset = 0.0

    [hot_node]                       # optional: one qubit much worse than the rest
    qubit = "center"                 # "center" (the central data qubit) or a stim qubit index
    factor = 10.0                    # > 1: multiplies every error probability touching it

    [[drift]]                        # zero or more; offsets add to the nominal value
    parameter = "laser.detuning_2ph" # a device parameter path (float-valued)
    process = "ou"                   # one of twin.device.drift.PROCESSES
    grid_step = 0.01                 # optional, > 0: physics-cache grid step (parameter units)
    tau = 60.0                       # its parameters (twin.device.drift.process_params)
    sigma = 0.05

Several ``[[drift]]`` tables may act on one parameter: their offsets add (e.g. a ramp plus an
OU jitter). Drift tables are numbered from 0 in messages (``drift[0].tau``), like
``Scenario.drifts``.

Every mistake is a one-line ``twin.errors.UserError`` naming the file (or built-in scenario),
the dotted key, the value and what is allowed (upper limits and their reasons:
``twin.limits``). ``scenario_to_toml`` writes the resolved scenario (every default filled in),
which loads back to an equal ``Scenario``.

Modules: ``schema`` (the frozen dataclasses and their checks), ``load`` (files and built-in
names), ``write`` (the resolved scenario as TOML and as data).

Example:
    >>> s = load_scenario("laser-drift").replace(windows=3)
    >>> s.windows, s.code, s.controller.name
    (3, 'surface', 'none')
    >>> load_scenario_text = scenario_to_toml(s)
    >>> scenario_from_dict(__import__("tomllib").loads(load_scenario_text), source="x") == s
    True

Units: seconds for the hidden clock (``window_seconds``, drift times); device parameters in
their own units (µs, rad/µs).
"""

from twin.scenario.load import builtin_scenarios, load_scenario, scenario_from_dict
from twin.scenario.schema import ControllerSpec, DriftSpec, HotNode, Scenario
from twin.scenario.write import differences, scenario_to_dict, scenario_to_toml

__all__ = [
    "ControllerSpec",
    "DriftSpec",
    "HotNode",
    "Scenario",
    "builtin_scenarios",
    "differences",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_toml",
]
