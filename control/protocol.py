"""The controller protocol: what a controller sees each window and what it may do.

A controller sees what hardware would show and nothing else: the window's detection events and
heralds, the noiseless circuit, the error model its decoder currently uses (never the true
noise), the time and its own knobs. Observable flips are in the window for scoring and for
training signals only; a controller meant for hardware must not act on them.

Each window the loop calls ``controller.observe(window)`` and then ``controller.act()``; the
returned actions apply from the next window.

Knobs are named numbers with bounds (``KnobSpec``), so a controller works for any hardware:
it never learns what a knob does physically.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import numpy as np
import stim

from qec.noise import NoiseModel

__all__ = [
    "Action",
    "Calibrate",
    "Controller",
    "KnobSpec",
    "SetDecoder",
    "SetDecoderPriors",
    "SetDistance",
    "SetKnobs",
    "SyndromeWindow",
    "describe",
]


@dataclass(frozen=True)
class KnobSpec:
    """A control knob: a named number with bounds.

    Attributes:
        name: the knob's name (a device parameter path, e.g. ``laser.frequency_offset``).
        low: lowest allowed value.
        high: highest allowed value.
        nominal: the calibrated value at the start of a run.
        unit: unit text for displays (e.g. ``rad/µs``).
    """

    name: str
    low: float
    high: float
    nominal: float
    unit: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"knob {self.name}: low = {self.low}, high = {self.high}: need "
                             "finite low < high")
        if not self.low <= self.nominal <= self.high:
            raise ValueError(f"knob {self.name}: nominal = {self.nominal}: must be in "
                             f"[{self.low}, {self.high}]")

    def clip(self, value: float) -> float:
        """``value`` clipped into [low, high]."""
        return float(min(max(value, self.low), self.high))


@dataclass(frozen=True)
class SyndromeWindow:
    """Everything a controller may look at after one window.

    The shots are kept bit-packed as stim returns them; the boolean views are unpacked on
    first use (a controller that only needs rates never pays for them).

    Attributes:
        index: window index (0-based).
        time: start time of the window (s).
        shots: shots in the window.
        rounds: QEC rounds per shot.
        code: code name.
        distance: code distance.
        decoder: decoder in use.
        circuit: the noiseless circuit of the window (detectors and their coordinates; the
            heralds are inserted by the noise, so they are not in it).
        packed_detections: every detector of the noisy circuit, heralds included, uint8
            little-endian bit-packed, shape (shots, ceil(num_all / 8)).
        herald_mask: which of those detectors are heralds, bool (num_all,).
        herald_qubits: the (first) qubit each herald flags, int64 (num_heralds,): one herald
            per erasure event, so a failed two-qubit gate, which erases both of its qubits,
            has one herald (``herald_pairs`` gives both qubits).
        packed_observables: true observable flips, bit-packed (shots, ceil(n_obs / 8)): for
            scoring and training only, not for a hardware controller's decisions.
        num_observables: observables per shot.
        logical_errors: shots the decoder got wrong (scoring only).
        decoder_model: the error model the decoder used (the priors), never the truth.
        knobs: knob values in force during the window.
        knob_specs: the knobs' bounds and nominal values.
        probe: the in-window probe offsets in force (empty: none; see ``SetKnobs.probe``).
        split: index of the first shot run at knobs − probe (None: not probed).
        herald_pairs: the qubits each herald flags, int64 (num_heralds, 2): (a, b) for the
            joint herald of a two-qubit gate, (q, −1) for a single-qubit herald
            (``qec.noise.herald_pairs``); None when the window was built without it, then
            read as ``herald_qubits`` with −1 beside each.
    """

    index: int
    time: float
    shots: int
    rounds: int
    code: str
    distance: int
    decoder: str
    circuit: stim.Circuit
    packed_detections: np.ndarray
    herald_mask: np.ndarray
    herald_qubits: np.ndarray
    packed_observables: np.ndarray
    num_observables: int
    logical_errors: int
    decoder_model: NoiseModel
    knobs: MappingProxyType
    knob_specs: tuple[KnobSpec, ...] = ()
    probe: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    split: int | None = None
    herald_pairs: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.herald_pairs is None:
            qubits = np.asarray(self.herald_qubits, dtype=np.int64).reshape(-1)
            pairs = np.stack([qubits, np.full_like(qubits, -1)], axis=1)
            object.__setattr__(self, "herald_pairs", pairs)

    def half_detection_fractions(self) -> tuple[float, float]:
        """Detection fractions of the two halves of a probed window (see ``SetKnobs.probe``).

        Returns:
            (D₊, D₋): shots before ``split`` (knobs + probe) and from ``split`` on (knobs −
            probe).

        Raises:
            ValueError: the window was not probed.
        """
        if self.split is None:
            raise ValueError("this window was not probed (SetKnobs.probe was empty)")
        mask = ~self.herald_mask
        n = int(mask.sum())
        packed = np.packbits(mask, bitorder="little")
        halves = (self.packed_detections[:self.split], self.packed_detections[self.split:])
        return tuple(float(np.bitwise_count(h & packed).sum()) / max(n * len(h), 1)
                     for h in halves)

    def _unpacked(self) -> np.ndarray:
        return np.unpackbits(self.packed_detections, axis=1, count=len(self.herald_mask),
                             bitorder="little").astype(bool)

    @functools.cached_property
    def detectors(self) -> np.ndarray:
        """Detection events, bool (shots, num_detectors), heralds excluded."""
        return self._unpacked()[:, ~self.herald_mask]

    @functools.cached_property
    def heralds(self) -> np.ndarray:
        """Herald bits, bool (shots, num_heralds) (zero columns without erasure)."""
        return self._unpacked()[:, self.herald_mask]

    @functools.cached_property
    def observable_flips(self) -> np.ndarray:
        """True observable flips, bool (shots, num_observables) (scoring/training only)."""
        return np.unpackbits(self.packed_observables, axis=1, count=self.num_observables,
                             bitorder="little").astype(bool)

    def _fraction(self, mask: np.ndarray) -> float:
        n = int(mask.sum())
        if n == 0 or self.shots == 0:
            return 0.0
        packed = np.packbits(mask, bitorder="little")
        return float(np.bitwise_count(self.packed_detections & packed).sum()) / (n * self.shots)

    @functools.cached_property
    def detection_fraction(self) -> float:
        """Mean fraction of (non-herald) detectors that fired per shot."""
        return self._fraction(~self.herald_mask)

    @functools.cached_property
    def herald_fraction(self) -> float:
        """Mean fraction of herald detectors that fired per shot."""
        return self._fraction(self.herald_mask)


@dataclass(frozen=True)
class SetKnobs:
    """Set knobs (clipped to their bounds) from the next window on.

    Attributes:
        values: knob name → new value.
        probe: knob name → offset (knob units): an in-window differential probe. The first
            half of each following window's shots runs with the knob at value + offset, the
            second half at value − offset (``SyndromeWindow.split``), so one window measures
            the slope of the response at the value in force, free of the drift between
            windows. Each ``SetKnobs`` replaces the probe (empty: none).
    """

    values: dict[str, float] = field(default_factory=dict)
    probe: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SetDecoderPriors:
    """Rebuild the decoder from the controller's estimate of the errors.

    Either a per-operation ``model`` (applied to the window's circuit), or a full detector
    error model ``dem`` with per-edge probabilities (e.g. re-weighted from pair statistics);
    ``dem`` wins when both are given. A ``dem`` must have the detectors of the window's noisy
    circuit (heralds included) and is used for as long as the distance does not change.

    Attributes:
        model: per-operation priors, or None.
        dem: a detector error model to decode with, or None.
    """

    model: NoiseModel | None = None
    dem: stim.DetectorErrorModel | None = None

    def __post_init__(self) -> None:
        if self.model is None and self.dem is None:
            raise ValueError("SetDecoderPriors needs a model or a dem")


@dataclass(frozen=True)
class SetDecoder:
    """Switch decoder.

    Attributes:
        name: a registered decoder name (``qec.decoders.decoder_names()``).
    """

    name: str


@dataclass(frozen=True)
class SetDistance:
    """Change the code distance from the next window on.

    Attributes:
        distance: odd distance ≥ 3.
    """

    distance: int


@dataclass(frozen=True)
class Calibrate:
    """Halt QEC for ``windows`` windows to calibrate (a costed probe).

    Only where the scenario allows it. The twin then sets the knobs to their optimum and the
    priors to the true noise.

    Attributes:
        windows: windows spent calibrating (counted as lost), ≥ 1.
    """

    windows: int = 1


Action = SetKnobs | SetDecoderPriors | SetDecoder | SetDistance | Calibrate
"""Every action a controller may return."""


@runtime_checkable
class Controller(Protocol):
    """What the twin loop calls.

    ``observe`` receives each finished window; ``act`` returns the actions to apply from the
    next window. ``name`` is shown in telemetry and reports.
    """

    name: str

    def observe(self, window: SyndromeWindow) -> None:
        """Take in one window."""
        ...

    def act(self) -> list[Action]:
        """Actions to apply from the next window (may be empty)."""
        ...


def describe(action: Any) -> str:
    """Short text of an action for telemetry (``knobs(laser.frequency_offset=-0.05)``...)."""
    if isinstance(action, SetKnobs):
        inner = ",".join(f"{k}={v:.4g}" for k, v in sorted(action.values.items()))
        probe = ",".join(f"{k}=±{v:.3g}" for k, v in sorted(action.probe.items()))
        return f"knobs({inner})" + (f"probe({probe})" if probe else "")
    if isinstance(action, SetDecoderPriors):
        return "priors"
    if isinstance(action, SetDecoder):
        return f"decoder({action.name})"
    if isinstance(action, SetDistance):
        return f"distance({action.distance})"
    if isinstance(action, Calibrate):
        return f"calibrate({action.windows})"
    return type(action).__name__
