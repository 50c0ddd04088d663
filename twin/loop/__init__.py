"""The window loop: ``DigitalTwin`` (start / step / run), its state, its compiled circuits.

* ``digital_twin``: ``DigitalTwin``, ``WindowResult``, ``HiddenTruth``;
* ``state``: ``LoopState`` (frozen) and ``apply_actions``;
* ``window``: ``WindowSimulator``, one window from drift to telemetry row;
* ``circuits``: ``CircuitCache`` (circuits, decoders and herald layouts reused across windows);
* ``gym_env``: ``QECControlEnv``, the loop as a Gymnasium environment (imports gymnasium, so it
  is not imported here).

Example:
    >>> import tempfile
    >>> from twin.scenario import load_scenario
    >>> twin = DigitalTwin(load_scenario("default").replace(windows=1, shots=100),
    ...                    out=tempfile.mkdtemp())
    >>> twin.run().windows
    1
"""

from twin.loop.circuits import CircuitCache
from twin.loop.digital_twin import DigitalTwin, HiddenTruth, WindowResult
from twin.loop.state import Checkpoint, LoopState, apply_actions

__all__ = ["Checkpoint", "CircuitCache", "DigitalTwin", "HiddenTruth", "LoopState",
           "WindowResult", "apply_actions"]
