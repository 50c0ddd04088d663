"""Physics-sweep grids: swept device parameters from ``--grid`` options or a TOML grid file.

Grid syntax (``--grid`` and the ``[grid]`` table of a grid file): ``cavity.g=50:300:6``
(``START:STOP:NUM``, linear spacing; ``START:STOP:NUM:log`` geometric), ``laser.shape=gaussian,
sin2`` (a list) or one value. A grid file::

    device = "my_device.toml"        # optional, relative to this file
    calibration = "nominal"          # optional: per-point (default) | nominal
    quantity = "channels"            # optional: channels (default) | stirap
    [grid]
    "laser.frequency_offset" = [-0.02, 0.0, 0.02]
    "cavity.g" = {start = 50.0, stop = 300.0, num = 6}     # or "50:300:6"

``PhysicsSweep`` checks every value with the device's own validation, so a mistake is one line
naming the option or file, the key, the value and the allowed range.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from physics.device import Device, with_overrides
from twin.errors import UserError
from twin.toml_file import read_toml

__all__ = [
    "CALIBRATIONS",
    "MAX_POINTS",
    "QUANTITIES",
    "GridAxis",
    "GridFile",
    "PhysicsSweep",
    "load_grid_file",
    "parameter_unit",
    "parse_grid_option",
]

CALIBRATIONS: tuple[str, ...] = ("per-point", "nominal")
QUANTITIES: tuple[str, ...] = ("channels", "stirap")
_RAD = "rad/µs"
_UNITS: dict[str, str] = {
    "atom.levels": "", "atom.decay_rate": _RAD, "atom.loss_fraction": "1",
    "atom.raman_dephasing": _RAD,
    "laser.shape": "", "laser.pump_amplitude": _RAD, "laser.stokes_amplitude": _RAD,
    "laser.width": "µs", "laser.delay": "µs", "laser.rise": "µs", "laser.detuning_1ph": _RAD,
    "laser.detuning_2ph": _RAD, "laser.gap": "µs", "laser.intensity": "1",
    "laser.amplitude_scale": "1", "laser.frequency_offset": _RAD,
    "cavity.g": _RAD, "cavity.kappa": _RAD, "cavity.n_fock": "1", "cavity.pump_duration": "µs",
    "cavity.outcoupling": "1", "node.architecture": "", "node.crosstalk_dephasing": "1",
    "node.local_gate_error": "1",
    "link.length_km": "km", "link.attenuation_db_per_km": "dB/km",
    "link.coupling_efficiency": "1", "link.detector_efficiency": "1",
    "link.dark_count_probability": "1", "link.mode_overlap": "1",
    "gate2q.scheme": "", "gate2q.max_attempts": "1", "gate2q.attempt_time": "µs",
    "readout.repetitions": "1", "readout.detector_efficiency": "1",
    "readout.dark_count_probability": "1",
    "memory.t1": "µs", "memory.t2": "µs", "memory.reset_repetitions": "1",
    "timing.layer_time": "µs", "timing.cat_cycle_time": "µs",
    "cat.alpha_sq": "1", "cat.kappa2": "1/µs", "cat.kappa1": "1/µs", "cat.kappa_phi": "1/µs",
    "cat.n_th": "1", "cat.n_fock": "1", "cat.readout_efficiency": "1", "cat.readout_time": "µs",
    "gkp.squeezing_db": "dB", "gkp.loss": "1",
}
_RANGE_KEYS = {"start", "stop", "num", "log"}
MAX_POINTS = 1_000_000
"""Largest grid (points): a million STIRAP points take minutes, a million channel points ~11 h
on one core; a typo such as ``1:2:1e8`` is refused instead of filling the memory."""
_FILE_KEYS = {"device", "calibration", "quantity", "grid"}


def parameter_unit(path: str) -> str:
    """Unit of a device parameter (``"1"`` dimensionless, ``""`` for names such as shapes)."""
    return _UNITS.get(path, "")


@dataclass(frozen=True)
class GridAxis:
    """One swept device parameter.

    Attributes:
        parameter: dotted device path, e.g. ``"cavity.g"``.
        values: its values, in sweep order (the parameter's units, see ``parameter_unit``).
    """

    parameter: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class GridFile:
    """A grid file's contents.

    Attributes:
        axes: the ``[grid]`` axes, in file order.
        device: device file named by ``device = ...`` (resolved against the grid file's folder),
            or None.
        calibration: ``calibration = ...`` (one of ``CALIBRATIONS``), or None if not given.
        quantity: ``quantity = ...`` (one of ``QUANTITIES``), or None if not given.
    """

    axes: tuple[GridAxis, ...]
    device: str | None = None
    calibration: str | None = None
    quantity: str | None = None


def _number(text: str) -> int | float | None:
    try:
        value = tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _spaced(start: Any, stop: Any, num: Any, log: bool, where: str) -> tuple[Any, ...]:
    """``num`` values from ``start`` to ``stop`` (ints if both ends are ints and all are whole).

    Values are rounded to 12 significant digits (far below any physical tolerance).
    """
    if isinstance(num, bool) or not isinstance(num, int) or not 1 <= num <= MAX_POINTS:
        raise UserError(f"{where}: NUM = {str(num)[:40]}: must be an integer in "
                        f"[1, {MAX_POINTS}]")
    for name, v in (("START", start), ("STOP", stop)):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise UserError(f"{where}: {name} = {v!r}: must be a finite number")
    if log:
        if start <= 0 or stop <= 0:
            raise UserError(f"{where}: log spacing needs START > 0 and STOP > 0, got "
                            f"{start!r} and {stop!r}")
        grid = np.geomspace(start, stop, num)
    else:
        grid = np.linspace(start, stop, num)
    # 12 significant digits: -0.04:0.04:5 gives 0.02, not linspace's 0.020000000000000004,
    # so the coordinates can be selected by the values one typed
    values = [float(f"{v:.12g}") + 0.0 for v in grid]
    if isinstance(start, int) and isinstance(stop, int) and all(v.is_integer() for v in values):
        return tuple(int(v) for v in values)
    return tuple(values)


def parse_grid_option(text: str, *, option: str = "--grid") -> GridAxis:
    """Parse ``PATH=START:STOP:NUM[:log]``, ``PATH=V1,V2,...`` or ``PATH=V`` into an axis.

    Values are read as TOML values (numbers, booleans, quoted strings); anything else is kept as
    a bare string (e.g. ``laser.shape=gaussian,sin2``). The parameter itself is checked by
    ``PhysicsSweep`` against the device.

    Raises:
        UserError: missing ``=``, empty key, empty list or bad range syntax (one line naming
            the option and what is allowed).
    """
    shown = repr(text) if len(text) <= 70 else f"{text[:50]!r}... ({len(text)} characters)"
    where = f"{option} {shown}"
    path, sep, raw = text.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not path:
        raise UserError(f"{where}: expected section.key=START:STOP:NUM or section.key=V1,V2,..."
                        ", e.g. cavity.g=50:300:6")
    if ":" in raw:
        parts = [p.strip() for p in raw.split(":")]
        log = len(parts) == 4 and parts[3] == "log"
        if len(parts) not in (3, 4) or (len(parts) == 4 and not log):
            raise UserError(f"{where}: a range is START:STOP:NUM or START:STOP:NUM:log, "
                            "e.g. cavity.g=50:300:6")
        nums = [_number(p) for p in parts[:3]]
        for name, p, v in zip(("START", "STOP", "NUM"), parts, nums, strict=False):
            if v is None:
                raise UserError(f"{where}: {name} = {p!r}: must be a number")
        return GridAxis(path, _spaced(nums[0], nums[1], nums[2], log, where))
    items = [item.strip() for item in raw.split(",")]
    if not raw or any(not item for item in items):
        raise UserError(f"{where}: empty value in the list: give values V1,V2,... or a range "
                        "START:STOP:NUM")
    values = []
    for item in items:
        try:
            values.append(tomllib.loads(f"v = {item}")["v"])
        except tomllib.TOMLDecodeError:
            values.append(item)
    return GridAxis(path, tuple(values))


def _file_axis(source: str, path: str, value: Any) -> GridAxis:
    where = f"{source}: grid.{path}"
    if isinstance(value, str):
        return parse_grid_option(f"{path}={value}", option=f"{source}: grid")
    if isinstance(value, list):
        if not value:
            raise UserError(f"{where} = []: must be a non-empty list of values")
        for v in value:
            if isinstance(v, list | dict):
                raise UserError(f"{where}: value {v!r}: must be a number or a string")
        return GridAxis(path, tuple(value))
    if isinstance(value, dict):
        extra = sorted(set(value) - _RANGE_KEYS)
        if extra:
            raise UserError(f"{where}: unknown key {extra[0]!r}: a range table has "
                            "start, stop, num and optionally log = true")
        missing = [k for k in ("start", "stop", "num") if k not in value]
        if missing:
            raise UserError(f"{where}: {missing[0]} is missing: a range table has start, stop "
                            "and num")
        log = value.get("log", False)
        if not isinstance(log, bool):
            raise UserError(f"{where}.log = {log!r}: must be true or false")
        return GridAxis(path, _spaced(value["start"], value["stop"], value["num"], log, where))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UserError(f"{where} = {value!r}: must be a list, a range table or 'START:STOP:NUM'")
    return GridAxis(path, (value,))


def load_grid_file(path: str | Path) -> GridFile:
    """Read a grid file (TOML; see the module docstring).

    Raises:
        UserError: unreadable file, invalid TOML, unknown key, or a bad axis (one line naming
            the file, the key, the value and what is allowed).
    """
    source = str(path)
    data = read_toml(path, kind="grid")
    extra = sorted(set(data) - _FILE_KEYS)
    if extra:
        raise UserError(f"{source}: unknown key {extra[0]!r}: allowed keys are "
                        f"{', '.join(sorted(_FILE_KEYS))}")
    grid = data.get("grid")
    if not isinstance(grid, dict) or not grid:
        raise UserError(f"{source}: grid = {grid!r}: needs a non-empty [grid] table, e.g. "
                        "[grid] \"cavity.g\" = [100.0, 150.0]")
    axes = []
    for key, value in grid.items():
        nested = isinstance(value, dict) and not set(value) & _RANGE_KEYS
        if nested:  # [grid.cavity] g = ... or cavity.g = ... unquoted
            if not value:
                raise UserError(f"{source}: grid.{key} is an empty table")
            axes += [_file_axis(source, f"{key}.{k}", v) for k, v in value.items()]
        else:
            axes.append(_file_axis(source, key, value))
    device = data.get("device")
    if device is not None:
        if not isinstance(device, str):
            raise UserError(f"{source}: device = {device!r}: must be a device file path")
        device = str(Path(source).parent / device)
    calibration = data.get("calibration")
    if calibration is not None and calibration not in CALIBRATIONS:
        raise UserError(f"{source}: calibration = {calibration!r}: must be one of "
                        f"{', '.join(CALIBRATIONS)}")
    quantity = data.get("quantity")
    if quantity is not None and quantity not in QUANTITIES:
        raise UserError(f"{source}: quantity = {quantity!r}: must be one of "
                        f"{', '.join(QUANTITIES)}")
    return GridFile(tuple(axes), device, calibration, quantity)


def _parameter_value(device: Device, path: str) -> Any:
    section, key = path.split(".")
    return getattr(getattr(device, section), key)


@dataclass(frozen=True)
class PhysicsSweep:
    """A validated sweep: a base device, its axes, the calibration policy and the quantity.

    Every axis value is checked with the device's own validation and stored as the device holds
    it (e.g. ``150`` → ``150.0`` for a float parameter).

    Attributes:
        axes: the swept parameters, in dimension order (at least one, each at most once).
        base: the device every point starts from.
        calibration: one of ``CALIBRATIONS`` (``"per-point"``: each point's device calibrated
            itself; ``"nominal"``: the base device's calibration kept at every point, the drift
            view). Ignored by ``quantity = "stirap"`` (a population transfer has no frame).
        quantity: one of ``QUANTITIES``: ``"channels"`` (every operation's channel and the
            figures of ``physics.operations.extract_operations``, ~40 ms a point) or
            ``"stirap"`` (one transfer's efficiency and loss: for Λ atoms from the batched
            numba solver ``physics.stirap.stirap_efficiency_batch``, < 1 ms a point; for
            the ⁸⁷Rb level models ``physics.operations.stirap_transfer``, ~30 ms).
        source: where the axes came from (``"--grid"`` or a file), for error messages.

    Raises:
        UserError: no axis, a repeated parameter or value, an unknown parameter, or a value out
            of the parameter's range.
    """

    axes: tuple[GridAxis, ...]
    base: Device = field(default_factory=Device)
    calibration: str = "per-point"
    quantity: str = "channels"
    source: str = "--grid"

    def __post_init__(self) -> None:
        if self.quantity not in QUANTITIES:
            raise UserError(f"--quantity = {self.quantity!r}: must be one of "
                            f"{', '.join(QUANTITIES)}")
        if self.calibration not in CALIBRATIONS:
            raise UserError(f"--calibration = {self.calibration!r}: must be one of "
                            f"{', '.join(CALIBRATIONS)}")
        if not self.axes:
            raise UserError(f"{self.source}: no parameter to sweep: give at least one axis, "
                            "e.g. --grid cavity.g=50:300:6")
        size = math.prod(len(a.values) for a in self.axes)
        if size > MAX_POINTS:
            raise UserError(f"{self.source}: the grid has {size} points: at most {MAX_POINTS} "
                            "(split the sweep)")
        seen: set[str] = set()
        axes = []
        for axis in self.axes:
            if axis.parameter in seen:
                raise UserError(f"{self.source}: {axis.parameter} is swept twice: give each "
                                "parameter once")
            seen.add(axis.parameter)
            if not axis.values:
                raise UserError(f"{self.source}: {axis.parameter}: no values to sweep")
            values = []
            for value in axis.values:
                try:
                    device = with_overrides(self.base, {axis.parameter: value})
                except ValueError as exc:
                    raise UserError(f"{self.source}: {exc}") from None
                values.append(_parameter_value(device, axis.parameter))
            if len(set(values)) != len(values):
                dup = next(v for v in values if values.count(v) > 1)
                raise UserError(f"{self.source}: {axis.parameter} = {dup!r} appears twice: "
                                "each value once")
            axes.append(GridAxis(axis.parameter, tuple(values)))
        object.__setattr__(self, "axes", tuple(axes))

    @property
    def parameters(self) -> tuple[str, ...]:
        """The swept parameter paths, in dimension order."""
        return tuple(a.parameter for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of values per axis."""
        return tuple(len(a.values) for a in self.axes)

    @property
    def size(self) -> int:
        """Number of grid points."""
        return math.prod(self.shape)

    def points(self) -> list[dict[str, Any]]:
        """Every point as ``{path: value}``, in C order (the last axis varies fastest)."""
        return [dict(zip(self.parameters, combo, strict=True))
                for combo in itertools.product(*(a.values for a in self.axes))]
