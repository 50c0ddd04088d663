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
    decoder = "mwpm-erasure"         # ("mwpm-erasure") one of qec.decoding.DECODERS
    target = 1e-3                    # (1e-3) logical error per round above which a window
                                     #   counts as "above target", in (0, 0.5)

    [device.laser]                   # overrides of the reference device (physics.device)
    detuning_1ph = 0.0

    [controller]
    name = "periodic"                # ("none") none, periodic, oracle or ai
    every = 10                       # controller parameters (see CONTROLLER_PARAMS)

    [knobs]                          # initial knob values (see KNOBS); missing -> nominal
    laser.frequency_offset = 0.0

    [hot_node]                       # optional: one qubit much worse than the rest
    qubit = "center"                 # "center" (the central data qubit) or a stim qubit index
    factor = 10.0                    # > 1: multiplies every error probability touching it

    [[drift]]                        # zero or more; offsets add to the nominal value
    parameter = "laser.detuning_2ph" # a device parameter path (float-valued)
    process = "ou"                   # one of twin.drift.PROCESSES
    grid_step = 0.01                 # optional, > 0: physics-cache grid step (parameter units)
    tau = 60.0                       # the process's parameters (twin.drift.process_params)
    sigma = 0.05

Several ``[[drift]]`` tables may act on one parameter: their offsets add (e.g. a ramp plus an
OU jitter). Drift tables are numbered from 0 in messages (``drift[0].tau``), like
``Scenario.drifts``.

Every mistake is a one-line ``twin.errors.UserError`` naming the file (or built-in scenario),
the dotted key, the value and what is allowed (upper limits and their reasons:
``twin.limits``). ``scenario_to_toml`` writes the resolved scenario (every default filled in),
which loads back to an equal ``Scenario``.

Units: seconds for the hidden clock (``window_seconds``, drift times); device parameters in
their own units (µs, rad/µs).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from control.protocol import KnobSpec
from physics.device import (
    REFERENCE_DEVICE,
    Device,
    device_from_dict,
    is_finite_number,
    parameter_paths,
    short_repr,
)
from qec.codes import BASES, CODES
from qec.decoding import DECODERS
from twin.drift import PROCESSES, DriftProcess, make_process, process_params
from twin.errors import UserError
from twin.limits import (
    MAX_DISTANCE,
    MAX_ROUNDS,
    MAX_SEED,
    MAX_SHOTS,
    MAX_WINDOW_SECONDS,
    MAX_WINDOWS,
)
from twin.toml_file import read_toml

__all__ = [
    "CONTROLLERS",
    "CONTROLLER_PARAMS",
    "KNOBS",
    "ControllerSpec",
    "DriftSpec",
    "HotNode",
    "Scenario",
    "builtin_scenarios",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_toml",
]

KNOBS: tuple[KnobSpec, ...] = (
    KnobSpec("laser.frequency_offset", -1.0, 1.0, 0.0, "rad/µs"),
    KnobSpec("laser.amplitude_scale", 0.5, 2.0, 1.0, ""),
    KnobSpec("laser.delay", 0.05, 0.6, 0.2, "µs"),
)
"""The control knobs the twin exposes: device parameters a controller may set, with bounds."""

_KNOB_BY_NAME = {k.name: k for k in KNOBS}

CONTROLLERS: tuple[str, ...] = ("none", "periodic", "oracle", "ai")
"""Controller names a scenario accepts."""

CONTROLLER_PARAMS: dict[str, dict[str, tuple[int, int, str]] | None] = {
    "none": {},
    "periodic": {
        "every": (10, 1, "windows from one calibration to the next"),
        "calibration_windows": (1, 1, "windows each calibration halts QEC for"),
    },
    "oracle": {
        "lag": (0, 0, "windows its knobs lag the truth (1: the best any causal controller can "
                      "do, knowing the truth of the window before)"),
    },
    "ai": None,
}
"""Parameters of each controller: name -> (default, minimum, description), all integers.

``None`` means the controller takes any table (validated by the controller itself).
"""

_TOP_KEYS = ("name", "description", "seed", "windows", "shots", "rounds", "window_seconds",
             "code", "distance", "basis", "decoder", "target", "device", "controller", "knobs",
             "hot_node", "drift")
_HOT_NODE_KEYS = ("qubit", "factor")
_DRIFT_KEYS = ("parameter", "process", "grid_step")
_DEFAULT_DESCRIPTION = ""


# --- small helpers ---------------------------------------------------------------------------
_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines splits on
_PATH_CHARS = re.compile(r"[/\\]")


def _key(key: Any) -> str:
    """A key as written in a message: odd characters escaped, long keys shortened."""
    text = repr(str(key))[1:-1]
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"


def _bad(key: str, value: Any, allowed: str) -> ValueError:
    return ValueError(f"{_key(key)} = {short_repr(value)}: {allowed}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _nearest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _unknown_keys(table: Mapping[str, Any], allowed: tuple[str, ...] | list[str],
                  where: str) -> None:
    extra = [k for k in table if k not in allowed]
    if extra:
        key = extra[0]
        raise ValueError(f"unknown key '{_key(where + str(key))}'{_nearest(key, list(allowed))}: "
                         f"allowed keys are {', '.join(sorted(allowed))}")


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables -> dotted paths (``{"laser": {"delay": 0.2}}`` -> ``{"laser.delay": ...}``)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = value
    return out


_FLOAT_PATHS: frozenset[str] = frozenset(
    p for p in parameter_paths(REFERENCE_DEVICE)
    if isinstance(getattr(getattr(REFERENCE_DEVICE, p.split(".")[0]), p.split(".")[1]), float)
)


# --- the parts of a scenario -----------------------------------------------------------------
@dataclass(frozen=True)
class DriftSpec:
    """One drift process acting on one device parameter.

    Attributes:
        parameter: a float-valued device parameter path (``physics.device.parameter_paths``),
            e.g. ``"laser.detuning_2ph"``.
        process: the process (``twin.drift.make_process``); its value is an offset *added* to
            the parameter's nominal value, as a function of the hidden clock (s).
        grid_step: step of the twin's physics-cache grid for this parameter (parameter units),
            > 0; ``None`` lets the twin choose.
    """

    parameter: str
    process: DriftProcess
    grid_step: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.parameter, str) or self.parameter not in _FLOAT_PATHS:
            paths = parameter_paths(REFERENCE_DEVICE)
            if isinstance(self.parameter, str) and self.parameter in paths:
                raise _bad("parameter", self.parameter,
                           "not a continuous (float) parameter; a drift needs one of "
                           + ", ".join(sorted(_FLOAT_PATHS - set(_KNOB_BY_NAME))))
            near = _nearest(str(self.parameter), paths)
            raise _bad("parameter", self.parameter,
                       f"unknown device parameter{near}; see `quantacore extract "
                       "--list-parameters`")
        if self.parameter in _KNOB_BY_NAME:
            raise _bad("parameter", self.parameter,
                       "is a control knob, not a device drift; drift a physical parameter "
                       "such as laser.detuning_2ph or laser.intensity")
        if self.grid_step is not None:
            if not (is_finite_number(self.grid_step) and self.grid_step > 0):
                raise _bad("grid_step", self.grid_step, "must be a number > 0 (parameter units)")
            object.__setattr__(self, "grid_step", float(self.grid_step))

    @property
    def process_name(self) -> str:
        """The process's name (one of ``twin.drift.PROCESSES``)."""
        return _process_dict(self.process)[0]


@dataclass(frozen=True)
class ControllerSpec:
    """The controller in the loop and its parameters.

    Attributes:
        name: one of ``CONTROLLERS``.
        params: its parameters, validated against ``CONTROLLER_PARAMS`` (``ai``: any table);
            missing ones are filled with their defaults. Treat as read-only.
    """

    name: str = "none"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in CONTROLLERS:
            near = _nearest(str(self.name), list(CONTROLLERS))
            raise _bad("controller.name", self.name,
                       f"must be one of {', '.join(CONTROLLERS)}{near}")
        if not isinstance(self.params, Mapping):
            raise _bad("controller", self.params, "parameters must be a table")
        schema = CONTROLLER_PARAMS[self.name]
        params = dict(self.params)
        if schema is not None:
            allowed = ["name", *schema]
            _unknown_keys(params, allowed, "controller.")
            for key, (default, low, what) in schema.items():
                v = params.get(key, default)
                if not _is_int(v) or v < low:
                    raise _bad(f"controller.{key}", v,
                               f"must be an integer >= {low} ({what}) for controller "
                               f"'{self.name}'")
                params[key] = v
        else:
            _check_toml_value("controller", params)
        object.__setattr__(self, "params", params)


@dataclass(frozen=True)
class HotNode:
    """One qubit much worse than the rest.

    Attributes:
        qubit: ``"center"`` (the central data qubit) or a stim qubit index (>= 0) of the
            scenario's circuit.
        factor: > 1; multiplies every error probability of operations touching that qubit.
    """

    qubit: int | str = "center"
    factor: float = 10.0

    def __post_init__(self) -> None:
        if not (self.qubit == "center" or (_is_int(self.qubit) and self.qubit >= 0)):
            raise _bad("hot_node.qubit", self.qubit, "must be 'center' or a qubit index >= 0")
        if not (is_finite_number(self.factor) and self.factor > 1):
            raise _bad("hot_node.factor", self.factor,
                       "must be a number > 1 (multiplies the qubit's error probabilities)")
        object.__setattr__(self, "factor", float(self.factor))


def _circuit_qubits(code: str, distance: int, basis: str) -> tuple[int, ...]:
    from qec.codes import memory_experiment

    layout = "surface" if code == "gkp-surface" else code  # same layout, no GKP noise needed
    exp = memory_experiment(layout, distance=distance, rounds=1, basis=basis)
    return tuple(sorted(exp.data_qubits + exp.ancilla_qubits))


@dataclass(frozen=True)
class Scenario:
    """A validated scenario (see the module docstring for the file format).

    Construction normalises: ``knobs`` gets every knob (missing -> nominal), ``device_overrides``
    is nested ``{section: {key: value}}`` with values of the parameter's type, controller
    parameters get their defaults. ``ValueError`` (``UserError`` from the loaders) names the
    key, the value and what is allowed.

    Attributes:
        name: the scenario's name (the file stem by default).
        description: one-line purpose.
        seed: integer >= 0; the same seed gives the same run.
        windows: number of windows, >= 1.
        shots: shots per window, >= 1.
        rounds: QEC rounds per shot, >= 1; ``None`` = the distance (see ``rounds_per_shot``).
        window_seconds: hidden-clock time per window (s), > 0.
        code: one of ``qec.codes.CODES``.
        distance: odd integer >= 3.
        basis: ``"Z"`` or ``"X"``.
        decoder: one of ``qec.decoding.DECODERS``.
        target: logical error per round above which a window counts as above target, in
            (0, 0.5).
        device_overrides: nested overrides of the reference device. Treat as read-only.
        controller: the controller in the loop.
        drifts: drift processes (offsets add to nominal values).
        hot_node: one much worse qubit, or ``None``.
        knobs: initial knob values, one per ``KNOBS`` entry. Treat as read-only.
        source: where it came from (a path or ``built-in scenario 'name'``), for messages;
            not part of equality.
    """

    name: str = "scenario"
    description: str = _DEFAULT_DESCRIPTION
    seed: int = 0
    windows: int = 20
    shots: int = 5000
    rounds: int | None = None
    window_seconds: float = 10.0
    code: str = "surface"
    distance: int = 5
    basis: str = "Z"
    decoder: str = "mwpm-erasure"
    target: float = 1e-3
    device_overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    controller: ControllerSpec = field(default_factory=ControllerSpec)
    drifts: tuple[DriftSpec, ...] = ()
    hot_node: HotNode | None = None
    knobs: Mapping[str, float] = field(default_factory=dict)
    source: str = field(default="<scenario>", compare=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("name", "description"):
            v = getattr(self, key)
            if not isinstance(v, str) or _LINE_BREAK.search(v):
                raise _bad(key, v, "must be a one-line string" +
                           (" (not empty)" if key == "name" else ""))
        if not self.name.strip() or not self.name.isprintable() or \
                _PATH_CHARS.search(self.name) or self.name.strip() in (".", ".."):
            raise _bad("name", self.name,
                       "must be a one-line string (not empty) without / or \\ or control "
                       "characters: it names the output folder runs/<name>")
        for key, low, high, what in (("seed", 0, MAX_SEED, ""),
                                     ("windows", 1, MAX_WINDOWS, ""),
                                     ("shots", 1, MAX_SHOTS, " per window")):
            v = getattr(self, key)
            if not _is_int(v) or not low <= v <= high:
                raise _bad(key, v, f"must be an integer >= {low} and <= {high}{what}")
        if self.rounds is not None and (not _is_int(self.rounds)
                                        or not 1 <= self.rounds <= MAX_ROUNDS):
            raise _bad("rounds", self.rounds,
                       f"must be an integer >= 1 and <= {MAX_ROUNDS} or \"distance\" (rounds "
                       "per shot = distance)")
        seconds = self.window_seconds
        if not (is_finite_number(seconds) and 0 < seconds <= MAX_WINDOW_SECONDS):
            raise _bad("window_seconds", self.window_seconds,
                       f"must be a number > 0 and <= {MAX_WINDOW_SECONDS:g} (s)")
        object.__setattr__(self, "window_seconds", float(self.window_seconds))
        if self.code not in CODES:
            raise _bad("code", self.code,
                       f"must be one of {', '.join(CODES)}{_nearest(str(self.code), list(CODES))}")
        if not _is_int(self.distance) or not 3 <= self.distance <= MAX_DISTANCE or \
                self.distance % 2 == 0:
            raise _bad("distance", self.distance,
                       f"must be an odd integer >= 3 and <= {MAX_DISTANCE}")
        if self.basis not in BASES:
            raise _bad("basis", self.basis, f"must be one of {', '.join(BASES)}")
        if self.decoder not in DECODERS:
            raise _bad("decoder", self.decoder, f"must be one of {', '.join(DECODERS)}"
                       f"{_nearest(str(self.decoder), list(DECODERS))}")
        if not (is_finite_number(self.target) and 0 < self.target < 0.5):
            raise _bad("target", self.target,
                       "must be a number in (0, 0.5) (logical error per round)")
        object.__setattr__(self, "target", float(self.target))
        object.__setattr__(self, "device_overrides", _normalise_overrides(self.device_overrides))
        if not isinstance(self.controller, ControllerSpec):
            raise _bad("controller", self.controller, "must be a ControllerSpec")
        drifts = tuple(self.drifts) if isinstance(self.drifts, list | tuple) else self.drifts
        if not isinstance(drifts, tuple) or not all(isinstance(d, DriftSpec) for d in drifts):
            raise _bad("drift", self.drifts, "must be a sequence of DriftSpec")
        object.__setattr__(self, "drifts", drifts)
        steps: dict[str, float] = {}
        for i, d in enumerate(drifts):
            if d.grid_step is None:
                continue
            if steps.setdefault(d.parameter, d.grid_step) != d.grid_step:
                raise _bad(f"drift[{i}].grid_step", d.grid_step,
                           f"another drift on {d.parameter} sets grid_step = "
                           f"{steps[d.parameter]!r}; give one value (or leave one out)")
        if self.hot_node is not None:
            if not isinstance(self.hot_node, HotNode):
                raise _bad("hot_node", self.hot_node, "must be a HotNode or None")
            if self.hot_node.qubit != "center":
                qubits = _circuit_qubits(self.code, self.distance, self.basis)
                if self.hot_node.qubit not in qubits:
                    raise _bad("hot_node.qubit", self.hot_node.qubit,
                               f"not a qubit of the {self.code} code at distance "
                               f"{self.distance}; allowed: 'center' or one of "
                               f"{_ranges(qubits)}")
        object.__setattr__(self, "knobs", _normalise_knobs(self.knobs))

    @property
    def rounds_per_shot(self) -> int:
        """QEC rounds per shot: ``rounds``, or the distance when ``rounds`` is ``None``."""
        return self.distance if self.rounds is None else self.rounds

    @property
    def duration_seconds(self) -> float:
        """Hidden-clock length of the run (s): ``windows × window_seconds``."""
        return self.windows * self.window_seconds

    def device(self) -> Device:
        """The reference device with this scenario's ``[device]`` overrides (no drift)."""
        return device_from_dict(self.device_overrides)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed, validated again.

        Args:
            **changes: field names of ``Scenario`` and their new values. ``controller`` may
                be a ``ControllerSpec`` or a controller name (its parameters then take their
                defaults); ``rounds`` may be ``"distance"``.

        Raises:
            UserError: on an unknown field or an invalid value (naming this scenario's source).
        """
        fields = {f.name for f in dataclasses.fields(Scenario)}
        for key in changes:
            if key not in fields:
                raise UserError(f"{self.source}: cannot replace unknown scenario field "
                                f"'{key}'{_nearest(key, sorted(fields))}")
        if isinstance(changes.get("controller"), str):
            changes["controller"] = _wrap(self.source, ControllerSpec, changes["controller"])
        if changes.get("rounds") == "distance":
            changes["rounds"] = None
        return _wrap(self.source, dataclasses.replace, self, **changes)


def _ranges(values: tuple[int, ...]) -> str:
    if len(values) <= 12:
        return ", ".join(map(str, values))
    return f"{', '.join(map(str, values[:10]))}, ... {values[-1]}"


def _normalise_overrides(overrides: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(overrides, Mapping):
        raise _bad("device", overrides, "must be a table of device sections ([device.laser])")
    flat = _flatten(overrides)
    nested: dict[str, dict[str, Any]] = {}
    for path, value in flat.items():
        section, _, key = path.partition(".")
        if not key or "." in key:
            near = _nearest(f"device.{path}",
                            [f"device.{p}" for p in parameter_paths(REFERENCE_DEVICE)])
            raise ValueError(f"unknown key 'device.{_key(path)}'{near}: [device] holds section "
                             "tables, e.g. [device.laser] detuning_2ph = 0.0")
        if path in _KNOB_BY_NAME:
            raise _bad(f"device.{path}", value,
                       "is a control knob: set its initial value under [knobs] instead")
        nested.setdefault(section, {})[key] = value
    try:
        device = device_from_dict(nested)
    except ValueError as exc:
        msg = str(exc)
        if msg.startswith("unknown "):
            msg = msg.replace("'", "'device.", 1)
            msg = re.sub(r"\(did you mean ([^?]*)\?\)",
                         lambda m: "(did you mean " + ", ".join(
                             "device." + c for c in m.group(1).split(", ")) + "?)", msg)
        raise ValueError(msg if msg.startswith("unknown ") else f"device.{msg}") from None
    return {s: {k: getattr(getattr(device, s), k) for k in keys} for s, keys in nested.items()}


def _normalise_knobs(knobs: Any) -> dict[str, float]:
    if not isinstance(knobs, Mapping):
        raise _bad("knobs", knobs, "must be a table of knob values")
    flat = _flatten(knobs)
    names = list(_KNOB_BY_NAME)
    out = {}
    for name, value in flat.items():
        if name not in _KNOB_BY_NAME:
            raise ValueError(f"unknown knob 'knobs.{_key(name)}'{_nearest(name, names)}: knobs are "
                             f"{', '.join(names)}")
        spec = _KNOB_BY_NAME[name]
        if not (is_finite_number(value) and spec.low <= value <= spec.high):
            unit = f" ({spec.unit})" if spec.unit else ""
            raise _bad(f"knobs.{name}", value,
                       f"must be a number in [{spec.low}, {spec.high}]{unit}")
    for spec in KNOBS:
        out[spec.name] = float(flat.get(spec.name, spec.nominal))
    return out


def _check_toml_value(key: str, value: Any) -> None:
    """Raise ValueError if ``value`` cannot be written to TOML by ``scenario_to_toml``."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise _bad(key, k, "table keys must be strings")
            _check_toml_value(f"{key}.{k}", v)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            if isinstance(v, Mapping):
                raise _bad(f"{key}[{i}]", v, "arrays of tables are not supported here")
            _check_toml_value(f"{key}[{i}]", v)
    elif not (isinstance(value, str | bool | int) or is_finite_number(value)):
        raise _bad(key, value, "must be a string, boolean, finite number, array or table")


def _wrap(source: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except UserError:
        raise
    except ValueError as exc:
        raise UserError(f"{source}: {exc}") from None


# --- drift processes ---------------------------------------------------------------------------
def _process_dict(process: DriftProcess) -> tuple[str, dict[str, Any]]:
    """(name, parameters) of a process from its ``to_dict()``."""
    data = dict(process.to_dict())
    name = data.pop("process", None) or data.pop("name", None) or getattr(process, "name", None)
    data.pop("process", None)
    data.pop("name", None)
    return str(name), {k: v for k, v in data.items() if v is not None}


def _drift_from_table(i: int, table: Any) -> DriftSpec:
    where = f"drift[{i}]"
    if not isinstance(table, Mapping):
        raise _bad(where, table, "must be a table ([[drift]])")
    name = table.get("process")
    if name is None:
        raise ValueError(f"{where}.process is missing: one of {', '.join(PROCESSES)}")
    if name not in PROCESSES:
        raise _bad(f"{where}.process", name,
                   f"must be one of {', '.join(PROCESSES)}{_nearest(str(name), list(PROCESSES))}")
    if "parameter" not in table:
        raise ValueError(f"{where}.parameter is missing: a device parameter path, e.g. "
                         "laser.detuning_2ph")
    allowed = [*_DRIFT_KEYS, *process_params(name)]
    _unknown_keys(table, allowed, f"{where}.")
    params = {k: v for k, v in table.items() if k not in _DRIFT_KEYS}
    try:
        process = make_process(name, params)
    except ValueError as exc:
        msg = str(exc).removeprefix(f"{name}: ")
        first = re.match(r"[A-Za-z_]*", msg).group(0)
        if first and first in process_params(name):
            raise ValueError(f"{where}.{msg}") from None
        raise ValueError(f"{where} ({name}): {msg}") from None
    try:
        return DriftSpec(table["parameter"], process, table.get("grid_step"))
    except ValueError as exc:
        raise ValueError(f"{where}.{exc}") from None


# --- loading -------------------------------------------------------------------------------------
def _get_table(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise _bad(key, value, f"must be a table ([{key}])")
    return dict(value)


def _from_dict(data: Mapping[str, Any], default_name: str) -> Scenario:
    if not isinstance(data, Mapping):
        raise ValueError(f"a scenario must be a table of keys, not {type(data).__name__}")
    _unknown_keys(data, _TOP_KEYS, "")
    ctl = _get_table(data, "controller")
    controller = ControllerSpec(ctl.get("name", "none"),
                                {k: v for k, v in ctl.items() if k != "name"})
    hot_node = None
    if "hot_node" in data:
        hot = _get_table(data, "hot_node")
        _unknown_keys(hot, _HOT_NODE_KEYS, "hot_node.")
        hot_node = HotNode(hot.get("qubit", "center"), hot.get("factor", 10.0))
    drift_tables = data.get("drift", [])
    if isinstance(drift_tables, Mapping):
        drift_tables = [drift_tables]
    if not isinstance(drift_tables, list):
        raise _bad("drift", drift_tables, "must be an array of tables ([[drift]])")
    drifts = tuple(_drift_from_table(i, t) for i, t in enumerate(drift_tables))
    rounds = data.get("rounds", "distance")
    kwargs = {k: data[k] for k in ("description", "seed", "windows", "shots", "window_seconds",
                                   "code", "distance", "basis", "decoder", "target")
              if k in data}
    return Scenario(
        name=data.get("name", default_name),
        rounds=None if rounds == "distance" else rounds,
        device_overrides=_get_table(data, "device"),
        controller=controller,
        drifts=drifts,
        hot_node=hot_node,
        knobs=_get_table(data, "knobs"),
        **kwargs,
    )


def scenario_from_dict(data: Mapping[str, Any], *, source: str,
                       default_name: str | None = None) -> Scenario:
    """Validate a parsed scenario (the TOML document as a dict).

    Args:
        data: the scenario's keys and tables (see the module docstring).
        source: where it came from, for messages (a file path or a built-in's name).
        default_name: the name when ``data`` has none; default: the stem of ``source``.

    Raises:
        UserError: one line naming ``source``, the key, the value and what is allowed.
    """
    name = default_name if default_name is not None else Path(source).stem or "scenario"
    scenario = _wrap(source, _from_dict, data, name)
    object.__setattr__(scenario, "source", source)
    return scenario


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read a built-in scenario by name (``scenarios/<name>.toml``) or a scenario file.

    An argument that ends in ``.toml``, contains a path separator or names an existing file is a
    path; anything else is a built-in name.

    Raises:
        UserError: unknown built-in name (listing the built-ins), unreadable file, invalid
            TOML, unknown key or invalid value.
    """
    from scenarios import list_scenarios, scenario_path

    text = str(name_or_path)
    path = Path(text)
    is_path = (isinstance(name_or_path, Path) or text.endswith(".toml") or "/" in text
               or "\\" in text or path.is_file())
    if is_path:
        data = read_toml(path, kind="scenario", source=text)
        return scenario_from_dict(data, source=text, default_name=path.stem)
    try:
        path = scenario_path(text)
    except KeyError:
        names = list_scenarios()
        raise UserError(f"unknown scenario '{text}'{_nearest(text, names)}: built-in "
                        f"scenarios are {', '.join(names)}; or give a path to a .toml file"
                        ) from None
    source = f"built-in scenario '{text}'"
    data = read_toml(path, kind="scenario", source=source)
    return scenario_from_dict(data, source=source, default_name=text)


def builtin_scenarios() -> list[tuple[str, str]]:
    """``(name, description)`` of every built-in scenario, sorted by name.

    Only the ``description`` key is read, so one broken file does not hide the others (a
    broken file reads as ``"(invalid TOML: ...)"``).
    """
    from scenarios import list_scenarios, scenario_path

    out = []
    for name in list_scenarios():
        try:
            with open(scenario_path(name), "rb") as fh:
                description = str(tomllib.load(fh).get("description", ""))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            description = f"(unreadable: {exc})"
        out.append((name, description))
    return out


# --- writing ---------------------------------------------------------------------------------
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _toml_dotted(path: str) -> str:
    return ".".join(_toml_key(part) for part in path.split("."))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to a scenario file")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise ValueError(f"cannot write {value!r} ({type(value).__name__}) to a scenario file")


def scenario_to_toml(s: Scenario) -> str:
    """The resolved scenario as TOML: every key with its value, defaults filled in.

    ``rounds`` is written as ``"distance"`` when it follows the distance; ``[hot_node]`` only
    when there is one; a drift's ``grid_step`` only when set. Loading the text gives a
    ``Scenario`` equal to ``s``.
    """
    lines = [f"# resolved scenario (source: {s.source})",
             f"name = {_toml_value(s.name)}",
             f"description = {_toml_value(s.description)}"]
    for key in ("seed", "windows", "shots"):
        lines.append(f"{key} = {getattr(s, key)}")
    lines.append(f"rounds = {_toml_value('distance' if s.rounds is None else s.rounds)}")
    for key in ("window_seconds", "code", "distance", "basis", "decoder", "target"):
        lines.append(f"{key} = {_toml_value(getattr(s, key))}")
    lines += ["", "[device]  # overrides of the reference device"]
    for section, values in s.device_overrides.items():
        for key, value in values.items():
            lines.append(f"{_toml_key(section)}.{_toml_key(key)} = {_toml_value(value)}")
    lines += ["", "[controller]", f"name = {_toml_value(s.controller.name)}"]
    for key, value in s.controller.params.items():
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    lines += ["", "[knobs]  # initial values"]
    for key, value in s.knobs.items():
        lines.append(f"{_toml_dotted(key)} = {_toml_value(value)}")
    if s.hot_node is not None:
        lines += ["", "[hot_node]", f"qubit = {_toml_value(s.hot_node.qubit)}",
                  f"factor = {_toml_value(s.hot_node.factor)}"]
    for d in s.drifts:
        name, params = _process_dict(d.process)
        lines += ["", "[[drift]]", f"parameter = {_toml_value(d.parameter)}",
                  f"process = {_toml_value(name)}"]
        if d.grid_step is not None:
            lines.append(f"grid_step = {_toml_value(d.grid_step)}")
        for key, value in params.items():
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"
