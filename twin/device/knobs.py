"""The control knobs the twin exposes: device parameters a controller may set, with bounds.

A knob is a named number (``control.protocol.KnobSpec``); the controller never learns what it
does physically. ``twin.device.model.DeviceModel.optimal_knobs`` knows (for the baselines).

Example:
    >>> [k.name for k in KNOBS]
    ['laser.frequency_offset', 'laser.amplitude_scale', 'laser.delay']
    >>> KNOB_BY_NAME["laser.delay"].clip(2.0)
    0.25
"""

from __future__ import annotations

from control.protocol import KnobSpec

__all__ = ["KNOBS", "KNOB_BY_NAME"]

KNOBS: tuple[KnobSpec, ...] = (
    KnobSpec("laser.frequency_offset", -1.0, 1.0, 0.0, "rad/µs"),
    KnobSpec("laser.amplitude_scale", 0.5, 2.0, 1.0, ""),
    KnobSpec("laser.delay", -0.25, 0.25, 0.0, "µs"),
)
"""The control knobs, in the order of telemetry columns and of the Gymnasium action.

Nominal values are the reference device's: ``laser.delay`` 0 (simultaneous Raman pulses;
±0.25 µs, half the pulse width, either way)."""

KNOB_BY_NAME: dict[str, KnobSpec] = {k.name: k for k in KNOBS}
"""``KNOBS`` by name."""
