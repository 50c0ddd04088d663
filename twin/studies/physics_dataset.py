"""A physics sweep's results as data: the labelled ``xarray.Dataset`` and its NetCDF file.

``sweep_dataset`` assembles the per-point records of ``twin.studies.physics_sweep`` into one
dataset (dimensions: the swept parameters, operation, component, encoding); ``write_netcdf``
is the one writer of the NetCDF file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from physics.device import device_to_dict
from physics.operations import OPERATIONS
from twin.studies.physics_grid import PhysicsSweep, parameter_unit

__all__ = ["COMPONENTS", "ENCODINGS", "package_version", "sweep_dataset", "write_netcdf"]

COMPONENTS: tuple[str, ...] = ("px", "py", "pz", "erasure", "loss")
"""Channel components: Pauli probabilities, heralded loss (erasure) and unheralded loss."""
ENCODINGS: tuple[str, ...] = ("cat", "gkp")

_FIGURE_UNITS = {"gate_1q_coherent_angle": "rad", "gkp_sigma": "sqrt(hbar)"}


def _figure_unit(name: str) -> str:
    return _FIGURE_UNITS.get(name, "µs" if name.endswith("_us") else "1")


def package_version() -> str:
    """The installed quantacore-twin version (``"unknown"`` from a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("quantacore-twin")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def _first_ok(records: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    return next(r for r in records if "error" not in r)


def _channel_variables(records: Sequence[Mapping[str, Any]], ok: np.ndarray,
                       dims: tuple[str, ...], shape: tuple[int, ...]) -> dict[str, Any]:
    n = len(records)
    figures = list(_first_ok(records)["figures"])
    channel = np.full((n, len(OPERATIONS), len(COMPONENTS)), np.nan)
    duration = np.full((n, len(OPERATIONS)), np.nan)
    angle = np.full_like(duration, np.nan)
    bosonic = np.full((n, len(ENCODINGS), len(COMPONENTS)), np.nan)
    figs = np.full((n, len(figures)), np.nan)
    for k in np.flatnonzero(ok):
        rec = records[k]
        for j, op in enumerate(OPERATIONS):
            entry = rec["operations"][op]
            channel[k, j] = [entry[c] for c in COMPONENTS]
            duration[k, j] = entry["duration"]
            angle[k, j] = entry["coherent_angle"]
        for j, enc in enumerate(ENCODINGS):
            bosonic[k, j] = [rec["bosonic"][enc][c] for c in COMPONENTS]
        figs[k] = [rec["figures"].get(f, np.nan) for f in figures]
    channel = channel.reshape(*shape, len(OPERATIONS), len(COMPONENTS))
    prob = {"units": "1"}
    data: dict[str, Any] = {
        "channel": ((*dims, "operation", "component"), channel, {
            **prob, "long_name": "Pauli + loss channel per application"}),
        "total_error": ((*dims, "operation"), channel.sum(axis=-1), {
            **prob, "long_name": "total error per application (px + py + pz + erasure + loss)"}),
        "duration": ((*dims, "operation"), duration.reshape(*shape, -1), {
            "units": "µs", "long_name": "operation time"}),
        "coherent_angle": ((*dims, "operation"), angle.reshape(*shape, -1), {
            "units": "rad", "long_name": "residual coherent rotation of the error process"}),
        "bosonic_channel": ((*dims, "encoding", "component"),
                            bosonic.reshape(*shape, len(ENCODINGS), len(COMPONENTS)), {
            **prob, "long_name": "channel per cycle of the alternative encodings"}),
    }
    for j, name in enumerate(figures):
        data[name] = (dims, figs[:, j].reshape(shape), {"units": _figure_unit(name),
                                                        "long_name": name.replace("_", " ")})
    return data


def _stirap_variables(records: Sequence[Mapping[str, Any]], ok: np.ndarray,
                      dims: tuple[str, ...], shape: tuple[int, ...]) -> dict[str, Any]:
    eff = np.full(len(records), np.nan)
    loss = np.full(len(records), np.nan)
    for k in np.flatnonzero(ok):
        eff[k] = records[k]["stirap"]["efficiency"]
        loss[k] = records[k]["stirap"]["loss"]
    return {
        "stirap_efficiency": (dims, eff.reshape(shape), {
            "units": "1", "long_name": "single STIRAP transfer 0 → 2: final population of 2"}),
        "stirap_loss": (dims, loss.reshape(shape), {
            "units": "1", "long_name": "population lost from the Λ system (1 − final trace)"}),
    }


def sweep_dataset(sweep: PhysicsSweep, records: Sequence[Mapping[str, Any]], *,
                  command: str = "", version: str | None = None):
    """Assemble point records (C order, as ``PhysicsSweep.points``) into an ``xarray.Dataset``.

    Dimensions: the swept parameters (coordinates named by their dotted paths, ``units`` in
    their attributes); with ``quantity = "channels"`` also ``operation`` (``OPERATIONS``),
    ``component`` (``COMPONENTS``) and ``encoding`` (``ENCODINGS``). Variables (``G`` = the
    grid's shape):

    * ``channel`` (G, operation, component): probabilities per application;
    * ``total_error`` (G, operation): px + py + pz + erasure + loss;
    * ``duration`` (G, operation) in µs and ``coherent_angle`` (G, operation) in rad;
    * ``bosonic_channel`` (G, encoding, component): per cycle of the alternative encodings;
    * one (G) variable per figure of ``extract_operations`` (``cooperativity``,
      ``stirap_transfer_efficiency``...), units in its attributes;
    * or, with ``quantity = "stirap"``, ``stirap_efficiency`` and ``stirap_loss`` (G);
    * ``ok`` (G): False where the physics could not realise the point (its values are NaN).

    Args:
        sweep: the sweep the records belong to.
        records: one per point: ``{"operations", "figures", "bosonic"}`` (channels),
            ``{"stirap": {"efficiency", "loss"}}`` (stirap) or ``{"error": message}``.
        command: command line kept in the attributes.
        version: package version kept in the attributes (default: the installed one).

    Returns:
        The dataset; its attributes hold the base device (JSON), the quantity, the calibration
        policy, the command, the version and the failed points.
    """
    import xarray as xr

    shape, dims = sweep.shape, sweep.parameters
    ok = np.array(["error" not in r for r in records], dtype=bool)
    points = sweep.points()
    failures = {", ".join(f"{k}={v!r}" for k, v in points[n].items()): records[n]["error"]
                for n in np.flatnonzero(~ok)}
    coords: dict[str, Any] = {}
    for axis in sweep.axes:
        coords[axis.parameter] = (axis.parameter, list(axis.values),
                                  {"units": parameter_unit(axis.parameter),
                                   "long_name": f"device parameter {axis.parameter}"})
    if sweep.quantity == "channels":
        coords["operation"] = ("operation", list(OPERATIONS), {"long_name": "circuit operation"})
        coords["component"] = ("component", list(COMPONENTS), {
            "long_name": "channel component",
            "description": "px, py, pz: Pauli error probabilities; erasure: heralded loss; "
                           "loss: unheralded loss"})
        coords["encoding"] = ("encoding", list(ENCODINGS), {"long_name": "bosonic encoding"})
        data = _channel_variables(records, ok, dims, shape)
        calibration = sweep.calibration
    else:
        data = _stirap_variables(records, ok, dims, shape)
        calibration = "none"
    data["ok"] = (dims, ok.reshape(shape), {
        "long_name": "the physics realised this point (False: values are NaN)"})
    attrs = {
        "title": "QuantaCore physics sweep",
        "quantity": sweep.quantity,
        "parameters": ", ".join(dims),
        "calibration": calibration,
        "calibration_note": "per-point: each point's device calibrated itself; nominal: the base "
                            "device's calibration kept at every point (the drift view); none: "
                            "a population transfer has no frame to calibrate",
        "base_device": json.dumps(device_to_dict(sweep.base), ensure_ascii=False),
        "command": command,
        "version": version or package_version(),
        "units_note": "time in µs, angular frequencies in rad/µs (2π × MHz), probabilities per "
                      "application",
        "failed_points": len(failures),
        "failures": json.dumps(failures, ensure_ascii=False),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def write_netcdf(dataset, path: str | Path) -> Path:
    """Write ``dataset`` to ``path`` as NetCDF (scipy engine, no extra dependency), atomically.

    Returns:
        The written path.
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    dataset.to_netcdf(tmp, engine="scipy")
    os.replace(tmp, path)
    return path
