"""Physics layer: STIRAP, cavity QED, photonic links, bosonic qubits -> per-operation channels.

Imports numpy, scipy, qutip, numba and scqubits only; never stim, ``qec``, ``control`` or
``twin`` (see DESIGN.md, layering). Units: µs and rad/µs throughout.
"""

from physics.channel import Channel
from physics.pulses import SHAPES, Pulse, StirapPulses

__all__ = ["SHAPES", "Channel", "Pulse", "StirapPulses"]
