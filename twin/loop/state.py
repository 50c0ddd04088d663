"""The loop's state between windows, and how actions change it.

``LoopState`` is everything the next window needs (besides the controller object): where the
drifts are, the knobs, the decoder's priors, the decoder, the distance, a pending calibration.
It is frozen; ``apply_actions`` returns the state after a controller's actions, so a window step
is state in, state out, and the checkpoint is the state itself.

Example:
    >>> from control.protocol import SetDistance, SetKnobs
    >>> from qec.noise import NoiseModel
    >>> from twin.device.knobs import KNOBS
    >>> s = LoopState(next_window=0, drift_states=(), knobs={"laser.delay": 0.0},
    ...               priors=NoiseModel(), prior_data=None, decoder="mwpm", distance=3)
    >>> s = apply_actions(s, [SetKnobs({"laser.delay": 9.0}), SetDistance(5)], knob_specs=KNOBS)
    >>> s.knobs["laser.delay"], s.distance
    (0.25, 5)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from control.protocol import (
    Action,
    Calibrate,
    KnobSpec,
    SetDecoder,
    SetDecoderPriors,
    SetDistance,
    SetKnobs,
)
from qec.decoders import decoder_names, parse_decoder
from qec.noise import NoiseModel, OpNoise

__all__ = ["Checkpoint", "LoopState", "apply_actions"]


@dataclass(frozen=True)
class LoopState:
    """What the next window needs.

    Attributes:
        next_window: index of the next window to run.
        drift_states: one state per drift process (``twin.device.drift``), at the time of the
            last window run (at t = 0 before the first).
        knobs: knob values in force (physical units). Treat as read-only.
        priors: the decoder's noise model (the controller's belief; nominal at the start).
        prior_data: its per-round data noise, or None.
        decoder: the decoder's name.
        distance: the code distance.
        lost_pending: windows of QEC still lost to a calibration in progress.
        probe: in-window probe offsets (knob → δ ≥ 0) for the next window; empty: none.
            Treat as read-only.
        prior_dem: ``(distance, DEM)`` a controller gave the decoder directly, or None.
        last_actions: the controller's last actions, described, for the next telemetry row.
    """

    next_window: int
    drift_states: tuple[tuple[float, ...], ...]
    knobs: Mapping[str, float]
    priors: NoiseModel
    prior_data: OpNoise | None
    decoder: str
    distance: int
    lost_pending: int = 0
    probe: Mapping[str, float] = field(default_factory=dict)
    prior_dem: tuple[int, Any] | None = None
    last_actions: str = ""


@dataclass(frozen=True)
class Checkpoint:
    """What ``state.pkl`` holds after a window.

    Attributes:
        state: the loop state.
        controller: the controller object (None if it could not be pickled: the run then
            cannot be resumed).
        format: ``twin.runs.folder.CHECKPOINT_FORMAT`` when written.
    """

    state: LoopState
    controller: Any
    format: int


def apply_actions(state: LoopState, actions: Sequence[Action], *,
                  knob_specs: Sequence[KnobSpec]) -> LoopState:
    """The state after ``actions`` (applied in order from the next window on).

    Args:
        state: the state before.
        actions: ``SetKnobs`` (values clipped to the knobs' bounds; a probe replaces the last),
            ``SetDecoderPriors``, ``SetDecoder``, ``SetDistance``, ``Calibrate``.
        knob_specs: the knobs a controller may set.

    Returns:
        The new state (``state`` itself when there is nothing to do).

    Raises:
        ValueError: an unknown knob, decoder or action, or an even distance below 3.
    """
    specs = {k.name: k for k in knob_specs}
    for a in actions:
        if isinstance(a, SetKnobs):
            for name in (*a.values, *a.probe):
                if name not in specs:
                    raise ValueError(f"controller set unknown knob {name!r}; knobs are "
                                     f"{', '.join(specs)}")
            knobs = dict(state.knobs)
            for name, value in a.values.items():
                knobs[name] = specs[name].clip(float(value))
            probe = {k: abs(float(v)) for k, v in a.probe.items() if v}
            state = replace(state, knobs=knobs, probe=probe)
        elif isinstance(a, SetDecoderPriors):
            if a.dem is not None:
                state = replace(state, prior_dem=(state.distance, a.dem))
            else:
                state = replace(state, priors=a.model, prior_dem=None)
        elif isinstance(a, SetDecoder):
            names = decoder_names()
            if parse_decoder(a.name)[0] not in names:
                raise ValueError(f"controller chose decoder {a.name!r}: must be one of "
                                 f"{', '.join(names)}")
            state = replace(state, decoder=a.name)
        elif isinstance(a, SetDistance):
            if a.distance < 3 or a.distance % 2 == 0:
                raise ValueError(f"controller chose distance {a.distance}: must be odd >= 3")
            state = replace(state, distance=a.distance)
        elif isinstance(a, Calibrate):
            state = replace(state, lost_pending=max(1, int(a.windows)))
        else:
            raise ValueError(f"unknown action {a!r}")
    return state
