"""Physics sweeps: device parameters on a grid → every operation's channel as an xarray Dataset.

A sweep (``twin.studies.physics_grid.PhysicsSweep``) is a base device and one or more axes (a device
parameter with its values); every point of their product is computed:

* ``quantity = "channels"``: ``physics.operations.extract_operations`` of the point's device,
  with ``calibration = "per-point"`` (each point's device calibrated itself, as ``quantacore
  extract --set``) or ``"nominal"`` (the base device's calibration kept at every point: what a
  *drift* of the parameters does, as ``quantacore extract --drift``);
* ``quantity = "stirap"``: one transfer's efficiency and loss (|b⟩ → |a⟩, the gate's first
  pulse pair, as reset uses it) of the point's device: Λ atoms a block at a time through the
  batched numba solver, the ⁸⁷Rb level models a point at a time
  (``physics.operations.stirap_transfer``).

Points run in blocks through ``twin.executor.run_all`` (in process, a local pool or Dask); the
physics is deterministic and each point is computed on its own, so the values do not depend on
the executor or the blocks. Each finished point is appended to an optional JSONL cache keyed by
the point's full device (plus the base device with the nominal calibration), the quantity and
the package version, so an interrupted sweep resumes and a rerun with another grid reuses the
points it shares.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from physics.device import Device, device_to_dict, with_overrides
from physics.operations import (
    Calibration,
    calibrate,
    extract_operations,
    gate_system,
    stirap_gate,
    stirap_transfer,
)
from twin.errors import UserError
from twin.executor import ExecutorSpec, run_all
from twin.studies.physics_dataset import (
    COMPONENTS,
    ENCODINGS,
    package_version,
    sweep_dataset,
    write_netcdf,
)
from twin.studies.physics_grid import (
    CALIBRATIONS,
    QUANTITIES,
    GridAxis,
    GridFile,
    PhysicsSweep,
    load_grid_file,
    parameter_unit,
    parse_grid_option,
)

__all__ = [
    "CALIBRATIONS",
    "COMPONENTS",
    "ENCODINGS",
    "QUANTITIES",
    "GridAxis",
    "GridFile",
    "PhysicsSweep",
    "SweepResult",
    "load_grid_file",
    "parameter_unit",
    "parse_grid_option",
    "run_physics_sweep",
    "sweep_dataset",
    "write_netcdf",
]

CACHE_FORMAT = "quantacore-physics-sweep-cache"


@dataclass(frozen=True)
class _Block:
    """One work item: some points of a sweep (picklable, for any executor)."""

    base: Device
    calibration: Calibration | None
    points: tuple[tuple[int, tuple[tuple[str, Any], ...]], ...]
    quantity: str = "channels"


def _channel_record(channel) -> dict[str, float]:
    loss = float(channel.p_loss)
    return {"px": float(channel.px), "py": float(channel.py), "pz": float(channel.pz),
            "erasure": loss if channel.heralded else 0.0,
            "loss": 0.0 if channel.heralded else loss}


def _channels_record(device: Device, calibration: Calibration | None) -> dict[str, Any]:
    try:
        ext = extract_operations(device, calibration=calibration)
    except (ValueError, RuntimeError) as exc:
        return {"error": str(exc)}
    ops = {}
    for name, op in ext.operations.items():
        ops[name] = {**_channel_record(op.channel), "duration": float(op.duration),
                     "coherent_angle": float(op.coherent_angle)}
    return {
        "operations": ops,
        "figures": {k: float(v) for k, v in ext.figures.items()},
        "bosonic": {k: _channel_record(c) for k, c in ext.bosonic.items()},
    }


def _stirap_records(devices: Sequence[Device]) -> list[dict[str, Any]]:
    """Transfer efficiency and loss of each device's gate levels and pulses.

    Λ atoms (``atom.levels = "three-level"``) in one numba batch; the ⁸⁷Rb level models one
    point at a time (``physics.operations.stirap_transfer``).
    """
    from physics.stirap import stirap_efficiency_batch

    if any(d.atom.levels != "three-level" for d in devices):
        return [_transfer_record(d) for d in devices]
    systems = [gate_system(d) for d in devices]
    pulses = [stirap_gate(d).pulses for d in devices]
    try:
        eff, loss = stirap_efficiency_batch(systems, pulses)
    except RuntimeError:  # some point failed: find which, one at a time
        if len(devices) == 1:
            raise
        return [r for d in devices for r in _stirap_one(d)]
    return [{"stirap": {"efficiency": float(e), "loss": float(m)}}
            for e, m in zip(eff, loss, strict=True)]


def _transfer_record(device: Device) -> dict[str, Any]:
    try:
        eff, loss, _ = stirap_transfer(device)
    except (ValueError, RuntimeError) as exc:
        return {"error": str(exc)}
    return {"stirap": {"efficiency": float(eff), "loss": float(loss)}}


def _stirap_one(device: Device) -> list[dict[str, Any]]:
    try:
        return _stirap_records([device])
    except RuntimeError as exc:
        return [{"error": str(exc)}]


def _run_block(block: _Block) -> list[tuple[int, dict[str, Any]]]:
    """Compute every point of ``block``; a point the physics cannot realise records its error."""
    devices = [with_overrides(block.base, dict(overrides)) for _, overrides in block.points]
    if block.quantity == "stirap":
        records = _stirap_records(devices)
    else:
        records = [_channels_record(d, block.calibration) for d in devices]
    return [(index, rec) for (index, _), rec in zip(block.points, records, strict=True)]


def _point_key(device_dict: dict, base_dict: dict | None, quantity: str, version: str) -> str:
    blob = json.dumps({"device": device_dict, "calibrated_at": base_dict, "quantity": quantity,
                       "version": version}, sort_keys=True, default=repr)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


class _PointCache:
    """Append-only JSONL file: a header line, then one ``{"key", "point", ...}`` line a point."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, dict[str, Any]]:
        """Records by key; a torn last line (an interrupted write) is ignored."""
        if not self.path.exists():
            return {}
        with open(self.path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        try:
            header = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            header = {}
        if lines and header.get("format") != CACHE_FORMAT:
            raise UserError(f"cache {str(self.path)!r}: not a physics-sweep cache (first line "
                            f"{lines[0][:40]!r}); remove it or choose another --cache")
        out = {}
        for line in lines[1:]:
            try:
                entry = json.loads(line)
                out[entry["key"]] = entry["record"]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
        return out

    def append(self, entries: Sequence[dict[str, Any]]) -> None:
        """Write ``entries`` (one line each) and flush them to disk."""
        new = not self.path.exists() or self.path.stat().st_size == 0
        with open(self.path, "a+", encoding="utf-8") as fh:
            if new:
                fh.write(json.dumps({"format": CACHE_FORMAT, "version": 1}) + "\n")
            else:
                fh.seek(fh.tell() - 1)
                if fh.read(1) != "\n":  # finish a line torn by an interruption
                    fh.write("\n")
            for entry in entries:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep.

    Attributes:
        dataset: the labelled results (see ``sweep_dataset``).
        computed: points extracted by this run.
        reused: points taken from the cache.
        failed: points the physics could not realise (NaN in the dataset; ``ok`` is False).
    """

    dataset: Any
    computed: int
    reused: int
    failed: int


def _auto_block(todo: int, spec: ExecutorSpec, quantity: str) -> int:
    most = 32 if quantity == "channels" else 4096  # ~1 s of work either way
    return max(1, min(most, math.ceil(todo / (4 * spec.workers))))


def run_physics_sweep(
    sweep: PhysicsSweep,
    *,
    executor: ExecutorSpec | None = None,
    cache: str | Path | None = None,
    block_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    command: str = "",
) -> SweepResult:
    """Compute every point of ``sweep`` and return the labelled results.

    Args:
        sweep: the grid, base device, calibration policy and quantity.
        executor: where the points run (default: in this process).
        cache: JSONL file to resume from and append each finished point to; None for none.
        block_size: points per work item (default: about 4 items per worker, at most 32
            channel points or 4096 STIRAP points).
        progress: called with (points done, points in the grid) after each finished block.
        command: the command line that asked for the sweep, kept in the dataset's attributes.

    Returns:
        The dataset and how many points were computed, reused and failed.

    Raises:
        UserError: a combination of values the device rejects, an unusable cache, a base device
            that cannot be calibrated, or no point the physics can realise.
    """
    executor = executor or ExecutorSpec()
    if block_size is not None and (isinstance(block_size, bool) or block_size < 1):
        raise UserError(f"--block = {block_size!r}: must be an integer >= 1")
    version = package_version()
    points = sweep.points()
    channels = sweep.quantity == "channels"
    nominal = channels and sweep.calibration == "nominal"
    base_dict = device_to_dict(sweep.base) if nominal else None
    keys = []
    for point in points:
        try:
            device = with_overrides(sweep.base, point)
        except ValueError as exc:
            where = ", ".join(f"{k}={v!r}" for k, v in point.items())
            raise UserError(f"{sweep.source}: point {where}: {exc}") from None
        keys.append(_point_key(device_to_dict(device), base_dict, sweep.quantity, version))
    store = _PointCache(Path(cache)) if cache is not None else None
    known = store.load() if store is not None else {}
    records: list[dict[str, Any] | None] = [known.get(k) for k in keys]
    todo = [i for i, r in enumerate(records) if r is None]
    reused = len(points) - len(todo)
    calibration = None
    if todo and nominal:
        try:
            calibration = calibrate(sweep.base)
        except (ValueError, RuntimeError) as exc:
            raise UserError(f"base device: cannot calibrate: {exc}") from None
    size = block_size or _auto_block(len(todo), executor, sweep.quantity)
    blocks = [_Block(sweep.base, calibration,
                     tuple((i, tuple(points[i].items())) for i in todo[s:s + size]),
                     sweep.quantity)
              for s in range(0, len(todo), size)]
    done = [reused]
    if progress is not None and reused:
        progress(reused, len(points))

    def on_result(_: int, results: list[tuple[int, dict[str, Any]]]) -> None:
        entries = []
        for i, record in results:
            records[i] = record
            entries.append({"key": keys[i], "point": points[i], "record": record})
        if store is not None:
            store.append(entries)
        done[0] += len(results)
        if progress is not None:
            progress(done[0], len(points))

    try:
        run_all(executor, _run_block, blocks, on_result=on_result)
    except SystemError as exc:  # Ctrl-C inside a numba call surfaces as a SystemError
        if _interrupted(exc):
            raise KeyboardInterrupt from None
        raise
    final = [r for r in records if r is not None]
    assert len(final) == len(points)
    failed = sum("error" in r for r in final)
    if failed == len(final):
        raise UserError(f"{sweep.source}: no point of the grid can be realised; the first: "
                        f"{final[0]['error']}")
    dataset = sweep_dataset(sweep, final, command=command, version=version)
    return SweepResult(dataset, computed=len(todo), reused=reused, failed=failed)


def _interrupted(exc: BaseException | None) -> bool:
    """Whether a KeyboardInterrupt is in the cause chain of ``exc``."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


