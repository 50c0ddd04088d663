"""``DeviceModel``: the device in time — nominal parameters + drift processes + control knobs.

At any moment the device is ``nominal + Σ drift offsets`` with the knobs in force; its noise
comes through the physics layer (``PhysicsCache``: exact extraction on a grid, interpolated),
mapped to the code's ``NoiseModel`` by ``twin.device.noise_map``, plus an optional hot node.

The drift state is a plain list of small tuples so the loop can checkpoint it; every random
step draws from a generator derived from (seed, window, drift index), so a resumed run draws
exactly what an uninterrupted one would.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from control.protocol import KnobSpec
from physics.device import Device, device_to_dict, with_overrides
from qec.codes import memory_experiment
from qec.noise import NoiseModel, OpNoise
from twin.device.physics_cache import PhysicsCache

__all__ = ["DeviceModel"]

State = tuple[float, ...]


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


class DeviceModel:
    """A drifting device with knobs.

    Args:
        nominal: the calibrated device (reference device plus scenario overrides).
        code: the QEC code whose noise is wanted (``qec.codes.CODES``).
        drifts: drift specs (``twin.scenario.DriftSpec``: ``parameter``, ``process``,
            ``grid_step``); offsets of several drifts on one parameter add.
        knob_specs: the knobs (device parameter paths with bounds).
        hot_node: ``twin.scenario.HotNode`` or None.
        basis: memory basis (locates the hot node's "center" data qubit).

    Raises:
        ValueError: a grid step that is not positive.
    """

    def __init__(self, nominal: Device, *, code: str, drifts: Sequence[Any] = (),
                 knob_specs: Sequence[KnobSpec] = (), hot_node: Any = None,
                 basis: str = "Z") -> None:
        self.nominal = nominal
        self.code = code
        self.drifts = tuple(drifts)
        self.knob_specs = tuple(knob_specs)
        self.hot_node = hot_node
        self.basis = basis
        self.drift_paths = sorted({d.parameter for d in self.drifts})
        varying = sorted(set(self.drift_paths) | {k.name for k in self.knob_specs})
        steps = {d.parameter: d.grid_step for d in self.drifts if d.grid_step}
        self.cache = PhysicsCache(nominal, code, varying=varying, steps=steps)
        self._values = device_to_dict(nominal)
        self._centers: dict[int, int] = {}

    # --- drifts --------------------------------------------------------------------------
    def initial_states(self, seed: int) -> list[State]:
        """Drift states at t = 0 (stationary draws where a process has one)."""
        return [d.process.initial_state(_rng(seed, 1, i)) for i, d in enumerate(self.drifts)]

    def step(self, states: Sequence[State], t0: float, t1: float, *, seed: int,
             window: int) -> list[State]:
        """Advance every drift from ``t0`` to ``t1`` (s), exactly, with window-derived draws."""
        return [d.process.step(st, t0, t1, _rng(seed, 2, window, i))[0]
                for i, (d, st) in enumerate(zip(self.drifts, states, strict=True))]

    def offsets(self, states: Sequence[State]) -> dict[str, float]:
        """Offset of every drifting parameter (sums of its drifts), parameter units."""
        out: dict[str, float] = {}
        for d, st in zip(self.drifts, states, strict=True):
            out[d.parameter] = out.get(d.parameter, 0.0) + d.process.value(st)
        return out

    def true_values(self, offsets: dict[str, float]) -> dict[str, float]:
        """Absolute value of every drifting parameter (the hidden truth)."""
        out = {}
        for path in self.drift_paths:
            section, key = path.split(".")
            out[path] = float(self._values[section][key] + offsets.get(path, 0.0))
        return out

    # --- the device and its noise ----------------------------------------------------------
    def device(self, offsets: dict[str, float], knobs: dict[str, float]) -> Device:
        """The device with drift offsets applied and ``knobs`` set.

        Raises:
            ValueError: when a drift takes a parameter out of its valid range.
        """
        values = dict(self.true_values(offsets))
        values.update(knobs)
        return with_overrides(self.nominal, values)

    def optimal_knobs(self, offsets: dict[str, float]) -> dict[str, float]:
        """Knob values that restore the calibrated effective physics (clipped to bounds).

        The frequency offset cancels the Raman-detuning drift; the amplitude scale cancels the
        intensity drift (Rabi frequencies ∝ √intensity); other knobs stay at the calibrated
        device's values (``nominal``, which holds the run's initial knobs).
        """
        out = {}
        for spec in self.knob_specs:
            section, key = spec.name.split(".")
            calibrated = float(getattr(getattr(self.nominal, section), key))
            if spec.name == "laser.frequency_offset":
                value = calibrated - offsets.get("laser.detuning_2ph", 0.0)
            elif spec.name == "laser.amplitude_scale":
                nominal_i = self.nominal.laser.intensity
                value = calibrated * math.sqrt(nominal_i / (nominal_i + offsets.get(
                    "laser.intensity", 0.0)))
            else:
                value = calibrated
            out[spec.name] = spec.clip(value)
        return out

    def hot_qubit(self, distance: int) -> int | None:
        """The hot node's qubit index at ``distance`` (its "center" resolved), or None."""
        node = self.hot_node
        if node is None:
            return None
        if node.qubit != "center":
            return int(node.qubit)
        if distance not in self._centers:
            layout = "surface" if self.code == "gkp-surface" else self.code
            exp = memory_experiment(layout, distance=distance, rounds=1, basis=self.basis)
            coords = exp.circuit.get_final_qubit_coordinates()
            data = [q for q in exp.data_qubits if q in coords]
            cx = np.mean([coords[q][0] for q in data])
            cy = np.mean([coords[q][1] for q in data])
            self._centers[distance] = min(
                data, key=lambda q: (coords[q][0] - cx) ** 2 + (coords[q][1] - cy) ** 2)
        return self._centers[distance]

    def noise(self, offsets: dict[str, float], knobs: dict[str, float], *,
              distance: int) -> tuple[NoiseModel, OpNoise | None]:
        """True noise now: ``(model, data_noise)`` for the code at ``distance``.

        Raises:
            ValueError: when a drift takes a parameter out of its valid range.
        """
        model, data = self.cache.noise(self.device(offsets, knobs))
        qubit = self.hot_qubit(distance)
        if qubit is not None:
            model = model.with_(hot=((qubit, self.hot_node.factor),))
        return model, data
