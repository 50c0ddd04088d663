"""The device in time: nominal parameters, drift processes, knobs → the code's noise.

* ``model``: ``DeviceModel`` (nominal device + drifts + knobs → ``qec.NoiseModel`` at time t);
* ``drift``: the seeded drift processes (OU, random walk, ramp, sinusoid, telegraph, burst);
* ``knobs``: the control knobs (``KNOBS``);
* ``physics_cache``: exact physics on a lazy grid, interpolated (the per-window refresh);
* ``noise_map``: the one place a device's extracted channels become each code's noise;
* ``load``: device TOML files and ``--set section.key=value`` overrides.

Example:
    >>> from physics.device import REFERENCE_DEVICE
    >>> from physics.operations import extract_operations
    >>> model, data_noise = code_noise(extract_operations(REFERENCE_DEVICE), "surface")
    >>> 0 < model.gate_2q.erasure < 0.1 and data_noise is None
    True
"""

from twin.device.drift import PROCESSES, DriftProcess, make_process, process_params, sample_path
from twin.device.knobs import KNOB_BY_NAME, KNOBS
from twin.device.load import load_device, parse_assignments
from twin.device.model import DeviceModel
from twin.device.noise_map import code_noise, noise_model_from_extraction, op_noise
from twin.device.physics_cache import PhysicsCache

__all__ = [
    "KNOBS",
    "KNOB_BY_NAME",
    "PROCESSES",
    "DeviceModel",
    "DriftProcess",
    "PhysicsCache",
    "code_noise",
    "load_device",
    "make_process",
    "noise_model_from_extraction",
    "op_noise",
    "parse_assignments",
    "process_params",
    "sample_path",
]
