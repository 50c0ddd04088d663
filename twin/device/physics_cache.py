"""Cheap physics refresh for the twin loop: exact nodes on a lazy grid, interpolated between.

The device's noise depends on a few *physics coordinates* that change during a run (drifting
parameters and knobs). Several device parameters enter the physics only through one combination,
so they share a coordinate:

* ``raman_detuning`` = ``laser.detuning_2ph`` + ``laser.frequency_offset`` (rad/µs);
* ``rabi_factor`` = √``laser.intensity`` × ``laser.amplitude_scale``;
* every other varying parameter is its own coordinate (its dotted path).

Grid nodes are exact: ``physics.extract_operations`` of the canonical device at the node, with
the *nominal* calibration (so drift shows as error), mapped to the code's ``NoiseModel`` by
``twin.device.noise_map``. A query interpolates every probability multilinearly over the 2^n nodes
around it (a convex combination of valid channels is a valid channel). For a probability f
that is smooth in the coordinates the error is at most Σ_i h_i²/8 · max|∂²f/∂x_i²| with h_i the
grid steps; ``tests/twin/test_physics_cache.py`` checks it against exact extraction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product

import numpy as np

from physics.device import Device, with_overrides
from physics.operations import Calibration, calibrate, extract_operations
from qec.gkp import GKPNoise
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
from twin.device.noise_map import code_noise

__all__ = ["CacheStats", "PhysicsCache", "coordinate_of"]

_COMBINED = {
    "laser.detuning_2ph": "raman_detuning",
    "laser.frequency_offset": "raman_detuning",
    "laser.intensity": "rabi_factor",
    "laser.amplitude_scale": "rabi_factor",
}


def coordinate_of(path: str) -> str:
    """The physics coordinate a device parameter feeds (its path if it is its own)."""
    return _COMBINED.get(path, path)


def _coordinate_value(device: Device, coord: str) -> float:
    if coord == "raman_detuning":
        return device.laser.raman_detuning
    if coord == "rabi_factor":
        return device.laser.rabi_factor
    section, key = coord.split(".")
    return float(getattr(getattr(device, section), key))


def _canonical(device: Device, coords: dict[str, float]) -> Device:
    """The device with the coordinates set (combined ones through one canonical parameter)."""
    laser = device.laser
    over: dict[str, float] = {}
    for coord, value in coords.items():
        if coord == "raman_detuning":
            laser = replace(laser, detuning_2ph=value, frequency_offset=0.0)
        elif coord == "rabi_factor":
            laser = replace(laser, intensity=1.0, amplitude_scale=value)
        else:
            over[coord] = value
    device = replace(device, laser=laser)
    return with_overrides(device, over) if over else device


@dataclass(frozen=True)
class CacheStats:
    """Bookkeeping of a cache.

    Attributes:
        nodes: exact extractions done.
        queries: interpolated lookups answered.
    """

    nodes: int
    queries: int


def _data_kind(data: OpNoise | GKPNoise | None) -> str | None:
    return None if data is None else ("gkp" if isinstance(data, GKPNoise) else "op")


def _flatten(model: NoiseModel, data: OpNoise | GKPNoise | None) -> np.ndarray:
    parts = [model.gate_1q.px, model.gate_1q.py, model.gate_1q.pz, model.gate_1q.erasure,
             *model.gate_2q.probs, model.gate_2q.erasure, model.measure.px, model.reset.px,
             model.idle.px, model.idle.py, model.idle.pz]
    if isinstance(data, GKPNoise):
        parts += [data.sigma, data.sigma_loss]  # σ (√ħ), interpolated like the probabilities
    elif data is not None:
        parts += [data.px, data.py, data.pz, data.erasure]
    return np.array(parts, dtype=float)


def _unflatten(v: np.ndarray, kind: str | None
               ) -> tuple[NoiseModel, OpNoise | GKPNoise | None]:
    g1 = OpNoise(*v[0:4])
    g2 = TwoQubitNoise(tuple(v[4:19]), v[19])
    model = NoiseModel(gate_1q=g1, gate_2q=g2, measure=OpNoise(px=v[20]),
                       reset=OpNoise(px=v[21]), idle=OpNoise(v[22], v[23], v[24]))
    data = {"op": lambda: OpNoise(*v[25:29]), "gkp": lambda: GKPNoise(*v[25:27]),
            None: lambda: None}[kind]()
    return model, data


class PhysicsCache:
    """Per-code noise of a device whose parameters ``varying`` change during a run.

    Args:
        nominal: the device as calibrated at the start of the run.
        code: the QEC code whose noise is wanted (``qec.codes.CODES``).
        varying: device parameter paths that may change (drifts and knobs).
        steps: grid step per parameter path (parameter units); a combined coordinate takes
            the smallest step of its parameters. Missing paths use ``default_step``.
        default_step: relative grid step used when no step is given: the step is
            ``default_step × max(|nominal value|, 1e-3)``.
        calibration: the calibration in force (default: calibrate ``nominal``).
    """

    def __init__(self, nominal: Device, code: str, *, varying: Sequence[str],
                 steps: Mapping[str, float] | None = None, default_step: float = 0.02,
                 calibration: Calibration | None = None) -> None:
        self.nominal = nominal
        self.code = code
        self.calibration = calibration or calibrate(nominal)
        steps = dict(steps or {})
        coord_steps: dict[str, float] = {}
        for path in varying:
            coord = coordinate_of(path)
            nominal_value = _coordinate_value(nominal, coord)
            step = steps.get(path, default_step * max(abs(nominal_value), 1e-3))
            if coord == "raman_detuning" and path not in steps:
                step = steps.get(path, 0.01)  # rad/µs: ~2π × 1.6 kHz
            if not (step > 0 and math.isfinite(step)):
                raise ValueError(f"grid step of {path} = {step}: must be > 0")
            coord_steps[coord] = min(step, coord_steps.get(coord, math.inf))
        self.coords = tuple(sorted(coord_steps))
        self.steps = np.array([coord_steps[c] for c in self.coords])
        self._nodes: dict[tuple[int, ...], np.ndarray] = {}
        self._invalid: set[tuple[int, ...]] = set()
        self._data_kind: str | None = None
        self._queries = 0

    @property
    def stats(self) -> CacheStats:
        """Nodes computed and queries answered so far."""
        return CacheStats(len(self._nodes), self._queries)

    def exact(self, device: Device) -> tuple[NoiseModel, OpNoise | None]:
        """Exact noise of ``device`` (one full extraction with the run's calibration)."""
        ext = extract_operations(device, calibration=self.calibration)
        return code_noise(ext, self.code)

    def _node(self, index: tuple[int, ...]) -> np.ndarray:
        """The exact noise at a grid node; ValueError if the node is not a valid device."""
        vec = self._nodes.get(index)
        if vec is None:
            if index in self._invalid:
                raise ValueError(f"grid node {index} is outside the device's valid range")
            coords = {c: float(i * h) for c, i, h in zip(self.coords, index, self.steps,
                                                          strict=True)}
            try:
                model, data = self.exact(_canonical(self.nominal, coords))
            except ValueError:
                self._invalid.add(index)
                raise
            self._data_kind = _data_kind(data)
            vec = _flatten(model, data)
            self._nodes[index] = vec
        return vec

    def noise(self, device: Device) -> tuple[NoiseModel, OpNoise | None]:
        """Interpolated noise of ``device``.

        ``device`` must differ from the nominal device only in the varying parameters.

        Returns:
            ``(model, data_noise)`` as ``twin.device.noise_map.code_noise``.
        """
        self._queries += 1
        if not self.coords:
            if not self._nodes:
                self._node(())
            return _unflatten(self._nodes[()], self._data_kind)
        x = np.array([_coordinate_value(device, c) for c in self.coords]) / self.steps
        base = np.floor(x).astype(int)
        frac = x - base
        acc = None
        for corner in product((0, 1), repeat=len(self.coords)):
            w = 1.0
            for f, c in zip(frac, corner, strict=True):
                w *= f if c else 1.0 - f
            if w == 0.0:
                continue
            try:
                vec = self._node(tuple(int(b + c) for b, c in zip(base, corner, strict=True)))
            except ValueError:
                # a node beyond the edge of a parameter's valid range (e.g. an efficiency
                # near 1 with the next node above 1): answer this query exactly instead
                return self.exact(device)
            acc = w * vec if acc is None else acc + w * vec
        assert acc is not None
        return _unflatten(np.clip(acc, 0.0, 1.0), self._data_kind)
