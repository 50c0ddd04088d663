"""The scenario's data: frozen dataclasses, validated on construction.

``Scenario`` (with ``DriftSpec``, ``ControllerSpec``, ``HotNode``) is the resolved form of a
scenario file (``twin.scenario`` describes the format; ``twin.scenario.load`` reads it,
``twin.scenario.write`` writes it back). Construction normalises and checks every field; a bad
value is a ``ValueError`` naming the key, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from physics.device import REFERENCE_DEVICE, Device, device_from_dict, parameter_paths
from qec.codes import BASES, CODES, allowed_distances
from qec.decoders import check_decoder, decoder_names, decodes_code, parse_decoder
from twin.controllers import check_controller_params
from twin.device.drift import DriftProcess, process_table
from twin.device.knobs import KNOB_BY_NAME, KNOBS
from twin.errors import UserError, user_errors
from twin.limits import (
    MAX_DISTANCE,
    MAX_ROUNDS,
    MAX_SEED,
    MAX_SHOTS,
    MAX_WINDOW_SECONDS,
    MAX_WINDOWS,
)
from twin.validation import bad, is_finite_number, is_int, key_text, nearest

__all__ = ["ControllerSpec", "DriftSpec", "HotNode", "Scenario"]

_LINE_BREAK = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # what splitlines splits on
_PATH_CHARS = re.compile(r"[/\\]")


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


@dataclass(frozen=True)
class DriftSpec:
    """One drift process acting on one device parameter.

    Attributes:
        parameter: a float-valued device parameter path (``physics.device.parameter_paths``),
            e.g. ``"laser.detuning_2ph"``.
        process: the process (``twin.device.drift.make_process``); its value is an offset *added* to
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
                raise bad("parameter", self.parameter,
                           "not a continuous (float) parameter; a drift needs one of "
                           + ", ".join(sorted(_FLOAT_PATHS - set(KNOB_BY_NAME))))
            near = nearest(str(self.parameter), paths)
            raise bad("parameter", self.parameter,
                       f"unknown device parameter{near}; see `quantacore extract "
                       "--list-parameters`")
        if self.parameter in KNOB_BY_NAME:
            raise bad("parameter", self.parameter,
                       "is a control knob, not a device drift; drift a physical parameter "
                       "such as laser.detuning_2ph or laser.intensity")
        if self.grid_step is not None:
            if not (is_finite_number(self.grid_step) and self.grid_step > 0):
                raise bad("grid_step", self.grid_step, "must be a number > 0 (parameter units)")
            object.__setattr__(self, "grid_step", float(self.grid_step))

    @property
    def process_name(self) -> str:
        """The process's name (one of ``twin.device.drift.PROCESSES``)."""
        return process_table(self.process)[0]


@dataclass(frozen=True)
class ControllerSpec:
    """The controller in the loop and its parameters.

    Attributes:
        name: one of ``twin.controllers.CONTROLLERS``.
        params: its parameters, validated against ``twin.controllers.CONTROLLER_PARAMS``
            (``ai``: any table);
            missing ones are filled with their defaults. Treat as read-only.
    """

    name: str = "none"
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.params, Mapping):
            raise bad("controller", self.params, "parameters must be a table")
        params = check_controller_params(self.name, self.params)
        if self.name == "ai":  # the ai validates its own options; they must be writable
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
        if not (self.qubit == "center" or (is_int(self.qubit) and self.qubit >= 0)):
            raise bad("hot_node.qubit", self.qubit, "must be 'center' or a qubit index >= 0")
        if not (is_finite_number(self.factor) and self.factor > 1):
            raise bad("hot_node.factor", self.factor,
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
        decoder: a registered decoder (``qec.decoders.decoder_names()``).
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
    description: str = ""
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
                raise bad(key, v, "must be a one-line string" +
                           (" (not empty)" if key == "name" else ""))
        if not self.name.strip() or not self.name.isprintable() or \
                _PATH_CHARS.search(self.name) or self.name.strip() in (".", ".."):
            raise bad("name", self.name,
                       "must be a one-line string (not empty) without / or \\ or control "
                       "characters: it names the output folder runs/<name>")
        for key, low, high, what in (("seed", 0, MAX_SEED, ""),
                                     ("windows", 1, MAX_WINDOWS, ""),
                                     ("shots", 1, MAX_SHOTS, " per window")):
            v = getattr(self, key)
            if not is_int(v) or not low <= v <= high:
                raise bad(key, v, f"must be an integer >= {low} and <= {high}{what}")
        if self.rounds is not None and (not is_int(self.rounds)
                                        or not 1 <= self.rounds <= MAX_ROUNDS):
            raise bad("rounds", self.rounds,
                       f"must be an integer >= 1 and <= {MAX_ROUNDS} or \"distance\" (rounds "
                       "per shot = distance)")
        seconds = self.window_seconds
        if not (is_finite_number(seconds) and 0 < seconds <= MAX_WINDOW_SECONDS):
            raise bad("window_seconds", self.window_seconds,
                       f"must be a number > 0 and <= {MAX_WINDOW_SECONDS:g} (s)")
        object.__setattr__(self, "window_seconds", float(self.window_seconds))
        if self.code not in CODES:
            raise bad("code", self.code,
                       f"must be one of {', '.join(CODES)}{nearest(str(self.code), list(CODES))}")
        if allowed_distances(self.code) is not None:
            family = ", ".join(c for c in CODES if allowed_distances(c) is None)
            raise bad("code", self.code,
                      "comes in fixed instances, which a scenario's distance changes cannot "
                      f"follow (compare it with `quantacore compare --codes {self.code}`); "
                      f"scenarios run {family}")
        if not is_int(self.distance) or not 3 <= self.distance <= MAX_DISTANCE or \
                self.distance % 2 == 0:
            raise bad("distance", self.distance,
                       f"must be an odd integer >= 3 and <= {MAX_DISTANCE}")
        if self.basis not in BASES:
            raise bad("basis", self.basis, f"must be one of {', '.join(BASES)}")
        names = decoder_names()
        if parse_decoder(str(self.decoder))[0] not in names:
            raise bad("decoder", self.decoder, f"must be one of {', '.join(names)}"
                      f"{nearest(str(self.decoder), names)}")
        try:
            check_decoder(self.decoder)
        except ValueError as exc:
            raise bad("decoder", self.decoder, str(exc).split(": ", 1)[-1]) from None
        if not decodes_code(self.decoder, self.code):
            fits = [n for n in names if decodes_code(n, self.code)]
            raise bad("decoder", self.decoder,
                      f"cannot decode code {self.code!r}: use one of {', '.join(fits)}")
        if not (is_finite_number(self.target) and 0 < self.target < 0.5):
            raise bad("target", self.target,
                       "must be a number in (0, 0.5) (logical error per round)")
        object.__setattr__(self, "target", float(self.target))
        object.__setattr__(self, "device_overrides", _normalise_overrides(self.device_overrides))
        if not isinstance(self.controller, ControllerSpec):
            raise bad("controller", self.controller, "must be a ControllerSpec")
        drifts = tuple(self.drifts) if isinstance(self.drifts, list | tuple) else self.drifts
        if not isinstance(drifts, tuple) or not all(isinstance(d, DriftSpec) for d in drifts):
            raise bad("drift", self.drifts, "must be a sequence of DriftSpec")
        object.__setattr__(self, "drifts", drifts)
        steps: dict[str, float] = {}
        for i, d in enumerate(drifts):
            if d.grid_step is None:
                continue
            if steps.setdefault(d.parameter, d.grid_step) != d.grid_step:
                raise bad(f"drift[{i}].grid_step", d.grid_step,
                           f"another drift on {d.parameter} sets grid_step = "
                           f"{steps[d.parameter]!r}; give one value (or leave one out)")
        if self.hot_node is not None:
            if not isinstance(self.hot_node, HotNode):
                raise bad("hot_node", self.hot_node, "must be a HotNode or None")
            if self.hot_node.qubit != "center":
                qubits = _circuit_qubits(self.code, self.distance, self.basis)
                if self.hot_node.qubit not in qubits:
                    raise bad("hot_node.qubit", self.hot_node.qubit,
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
        """The calibrated device, without drift.

        The reference with this scenario's ``[device]`` overrides and its knobs at their
        initial values: the operating point the run is calibrated at.
        """
        nested = {s: dict(v) for s, v in self.device_overrides.items()}
        for path, value in self.knobs.items():
            section, key = path.split(".")
            nested.setdefault(section, {})[key] = value
        return device_from_dict(nested)

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
                                f"'{key}'{nearest(key, sorted(fields))}")
        if isinstance(changes.get("controller"), str):
            changes["controller"] = user_errors(self.source, ControllerSpec, changes["controller"])
        if changes.get("rounds") == "distance":
            changes["rounds"] = None
        return user_errors(self.source, dataclasses.replace, self, **changes)


def _ranges(values: tuple[int, ...]) -> str:
    if len(values) <= 12:
        return ", ".join(map(str, values))
    return f"{', '.join(map(str, values[:10]))}, ... {values[-1]}"


def _normalise_overrides(overrides: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(overrides, Mapping):
        raise bad("device", overrides, "must be a table of device sections ([device.laser])")
    flat = _flatten(overrides)
    nested: dict[str, dict[str, Any]] = {}
    for path, value in flat.items():
        section, _, key = path.partition(".")
        if not key or "." in key:
            near = nearest(f"device.{path}",
                            [f"device.{p}" for p in parameter_paths(REFERENCE_DEVICE)])
            raise ValueError(f"unknown key 'device.{key_text(path)}'{near}: [device] holds section "
                             "tables, e.g. [device.laser] detuning_2ph = 0.0")
        if path in KNOB_BY_NAME:
            raise bad(f"device.{path}", value,
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
        raise bad("knobs", knobs, "must be a table of knob values")
    flat = _flatten(knobs)
    names = list(KNOB_BY_NAME)
    out = {}
    for name, value in flat.items():
        if name not in KNOB_BY_NAME:
            raise ValueError(f"unknown knob 'knobs.{key_text(name)}'{nearest(name, names)}: "
                             f"knobs are {', '.join(names)}")
        spec = KNOB_BY_NAME[name]
        if not (is_finite_number(value) and spec.low <= value <= spec.high):
            unit = f" ({spec.unit})" if spec.unit else ""
            raise bad(f"knobs.{name}", value,
                       f"must be a number in [{spec.low}, {spec.high}]{unit}")
    for spec in KNOBS:
        out[spec.name] = float(flat.get(spec.name, spec.nominal))
    return out


def _check_toml_value(key: str, value: Any) -> None:
    """Raise ValueError if ``value`` cannot be written to TOML by ``scenario_to_toml``."""
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise bad(key, k, "table keys must be strings")
            _check_toml_value(f"{key}.{k}", v)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            if isinstance(v, Mapping):
                raise bad(f"{key}[{i}]", v, "arrays of tables are not supported here")
            _check_toml_value(f"{key}[{i}]", v)
    elif not (isinstance(value, str | bool | int) or is_finite_number(value)):
        raise bad(key, value, "must be a string, boolean, finite number, array or table")
