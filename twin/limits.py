"""Upper limits on the sizes a scenario or sweep file may ask for, each with its reason.

They catch typos and absurd values (``distance = 1000000001``) with a one-line error naming the
allowed range, before anything is allocated; they do not promise that every allowed combination
fits in memory (a d = 51 circuit with 10⁷ shots per window does not).
"""

from __future__ import annotations

__all__ = [
    "MAX_DISTANCE",
    "MAX_ROUNDS",
    "MAX_SEED",
    "MAX_SHOTS",
    "MAX_SWEEP_SHOTS",
    "MAX_WINDOWS",
    "MAX_WINDOW_SECONDS",
]

MAX_DISTANCE = 51
"""Largest code distance. A d = 51 rotated surface code has 5201 qubits and its memory circuit
takes ~0.4 s to build; d = 101 takes ~4 s per circuit before any sampling, and the decoders'
cost grows faster still."""

MAX_ROUNDS = 1000
"""Largest number of QEC rounds per shot: the per-round logical error of a longer experiment is
the same quantity at a higher sampling and decoding cost (both linear in rounds)."""

MAX_SHOTS = 10_000_000
"""Largest number of shots per twin window: one window's detection events are held in memory
(bit-packed, shots × detectors / 8 bytes: 150 MB for d = 5 at this cap)."""

MAX_SWEEP_SHOTS = 10**12
"""Largest per-task shot budget of a sweep: at ~10⁶ shots/s for d = 3 this is ~12 days of
sampling; larger numbers are typos."""

MAX_WINDOWS = 10_000_000
"""Largest number of twin windows: the telemetry grows by ~300 bytes per window (3 GB here)."""

MAX_SEED = 2**64 - 1
"""Largest seed: seeds are 64-bit everywhere they are passed on (numpy and stim)."""

MAX_WINDOW_SECONDS = 1e9
"""Largest hidden-clock time per window (s), ~32 years; keeps ``windows × window_seconds``
finite for every allowed number of windows, which the drift processes need."""
