"""Devices at the edges of their allowed ranges: valid channels or a clear error, never NaN.

Hypothesis sets one to three device parameters to extreme but allowed values (tiny and huge
rates, cooperativity → 0, perfect and useless efficiencies, big cats, GKP squeezing extremes,
kilometre-scale links...). Each device either extracts channels whose probabilities are finite
and in [0, 1] (and maps to a valid ``NoiseModel`` per code whose stim circuit and decoder model
build), or is refused with a one-line ``ValueError`` naming a device parameter; through
``quantacore extract --set`` the same device gives exit 0 or exit 2 with one line.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from physics.device import REFERENCE_DEVICE, with_overrides
from physics.links import SCHEMES
from physics.operations import extract_operations
from physics.pulses import SHAPES
from qec.codes import CODES, allowed_distances, memory_experiment
from qec.decoders import decoder_dem
from twin.cli import main
from twin.device.noise_map import code_noise

# the idealised Λ atom of devices/three-level.toml (a module-level parameter list cannot use
# the conftest fixture)
THREE_LEVEL = {f"{s}.{k}": v for s, t in tomllib.loads(
    (Path(__file__).resolve().parents[2] / "devices" / "three-level.toml").read_text(
        encoding="utf-8")).items() for k, v in t.items()}

# Extreme values inside the allowed ranges; the default run samples these (each extraction
# stays within a few seconds), the slow run adds the costlier far edges below.
EDGES: dict[str, list] = {
    "atom.decay_rate": [1e-6, 1e-3, 1e3],
    "atom.loss_fraction": [0.0, 1.0],
    "atom.raman_dephasing": [0.0, 1e3],
    "laser.shape": list(SHAPES),
    "laser.pump_amplitude": [1e-6, 2e4],
    "laser.stokes_amplitude": [1e-6, 2e4],
    "laser.width": [1e-3, 2.0],
    "laser.delay": [-2.0, 0.0, 2.0],
    "laser.rise": [0.0, 0.1],
    "laser.detuning_1ph": [-1e3, 1e3, 6e4, -6.2e6, 6.2e6],
    "laser.detuning_2ph": [-1e2, 1e2],
    "laser.gap": [0.0, 1e6],
    "laser.intensity": [1e-12, 100.0],
    "laser.amplitude_scale": [1e-12, 20.0],
    "laser.frequency_offset": [-1e2, 1e2],
    "cavity.g": [1e-9, 1e-3, 1e4],
    "cavity.kappa": [1e-3, 1e4],
    "cavity.n_fock": [2, 100],
    "cavity.pump_duration": [1e-3, 1e3],
    "link.length_km": [0.0, 1e9],
    "link.attenuation_db_per_km": [0.0, 1e9],
    "link.coupling_efficiency": [0.0, 1.0],
    "link.detector_efficiency": [0.0, 1.0],
    "link.dark_count_probability": [0.0, 1.0],
    "link.mode_overlap": [0.0, 1.0],
    "gate2q.scheme": list(SCHEMES),
    "gate2q.max_attempts": [1, 10**6],
    "gate2q.attempt_time": [1e-3, 1e9],
    "readout.repetitions": [1, 10**6],
    "readout.detector_efficiency": [0.0, 1.0],
    "readout.dark_count_probability": [0.0, 1.0],
    "memory.t1": [1e-3, 1e12],
    "memory.t2": [1e-3, 1e12],
    "memory.reset_repetitions": [1, 10**6],
    "timing.layer_time": [1e-12, 1e12],
    "timing.cat_cycle_time": [1e-12, 1e12],
    "cat.alpha_sq": [1e-9, 30.0],
    "cat.kappa2": [1e-9, 1e9],
    "cat.kappa1": [0.0, 1e9],
    "cat.kappa_phi": [0.0, 1e9],
    "cat.n_th": [0.0, 1e6],
    "gkp.squeezing_db": [1e-9, 1e3],
    "gkp.loss": [0.0, 1.0 - 1e-12],
}
FAR_EDGES: dict[str, list] = {
    "atom.decay_rate": [1e4],
    "laser.detuning_1ph": [-5e4, 5e4],
    "laser.detuning_2ph": [-5e4, 5e4],
    "laser.pump_amplitude": [5e4],
    "laser.width": [1e-5, 20.0],
    "cavity.g": [1e6, 1e8],
    "cavity.kappa": [1e-9, 1e8],
    "cavity.pump_duration": [1e-9, 1e6],
    "cat.alpha_sq": [100.0],
    "gkp.squeezing_db": [1e300],
    "memory.t1": [1e300],
}
_SLOW_EDGES = {k: EDGES.get(k, []) + FAR_EDGES.get(k, []) for k in {**EDGES, **FAR_EDGES}}
_PATH = re.compile(r"\b(atom|laser|cavity|link|gate2q|readout|memory|timing|cat|gkp)\.\w+")


def _changes(edges: dict[str, list]) -> st.SearchStrategy[dict]:
    keys = st.lists(st.sampled_from(sorted(edges)), min_size=1, max_size=3, unique=True)
    return keys.flatmap(lambda ks: st.fixed_dictionaries(
        {k: st.sampled_from(edges[k]) for k in ks}))


def _is_prob(x: float) -> bool:
    return math.isfinite(x) and 0.0 <= x <= 1.0


def _check_channel(name: str, c) -> None:
    for attr in ("px", "py", "pz", "p_loss"):
        assert _is_prob(getattr(c, attr)), (name, attr, c)
    assert c.px + c.py + c.pz + c.p_loss <= 1.0 + 1e-9, (name, c)


def _check_device(changes: dict) -> bool:
    """True if the device extracts; a refusal must be a clear one-line ValueError."""
    try:
        device = with_overrides(REFERENCE_DEVICE, changes)
        ext = extract_operations(device)
    except ValueError as exc:
        msg = str(exc)
        assert len(msg.splitlines()) == 1 and len(msg) < 600, msg
        assert _PATH.search(msg), msg  # names the device parameter(s) to change
        assert "nan" not in msg.lower().split(":")[0], msg
        return False
    for name, op in ext.operations.items():
        _check_channel(name, op.channel)
        assert math.isfinite(op.duration) and op.duration >= 0, (name, op.duration)
    for name, c in ext.bosonic.items():
        _check_channel(name, c)
    for name, value in ext.figures.items():
        assert math.isfinite(value), (name, value)
    for code in CODES:
        model, data_noise = code_noise(ext, code)
        d = (allowed_distances(code) or (3,))[0]
        exp = memory_experiment(code, distance=d, rounds=2, data_noise=data_noise)
        circuit = model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
        assert circuit.num_detectors > 0
        decoder_dem(circuit, decompose=code != "bb")  # what the twin compiles its decoders from
    return True


def _check_cli(changes: dict, capsys) -> None:
    argv = ["extract", "--json"]
    for path, value in changes.items():
        argv += ["--set", f"{path}={value!r}" if not isinstance(value, str) else
                 f"{path}={value}"]
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err


_SETTINGS = dict(deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


@settings(max_examples=10, **_SETTINGS)
@given(changes=_changes(EDGES))
def test_extreme_devices_extract_valid_channels_or_refuse(changes, capsys):
    ok = _check_device(changes)
    if not ok:  # the refusal is also one line at the command line
        _check_cli(changes, capsys)


@pytest.mark.slow
@settings(max_examples=150, **_SETTINGS)
@given(changes=_changes(_SLOW_EDGES))
def test_extreme_devices_many(changes, capsys):
    _check_device(changes)
    _check_cli(changes, capsys)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        # found by the properties above; each was NaN, a traceback or a hang before
        ({"atom.decay_rate": 1e-6}, "cavity.pump_duration = 1.5: too short for this cavity"),
        ({"cavity.kappa": 1e300}, "cavity.kappa = 1e+300: must be > 0 (rad/µs) and <= 1e+08"),
        ({"cavity.g": 1e300}, "cavity.g = 1e+300: must be > 0 (rad/µs) and <= 1e+08"),
        ({"cavity.kappa": 1e9}, "must be > 0 (rad/µs) and <= 1e+08"),
        ({"laser.detuning_2ph": 1e6}, "laser.detuning_2ph = 1000000.0: must be a number in"),
        ({"laser.intensity": 1e12}, "pump_amplitude × √intensity × amplitude_scale <= 5.849e+04"),
        ({**THREE_LEVEL, "laser.intensity": 1e12},
         "pump_amplitude × √intensity × amplitude_scale <= 50000"),
        ({**THREE_LEVEL, "laser.width": 1e-300}, "laser: the STIRAP gate cannot be simulated"),
        ({"cat.alpha_sq": 1e4}, "cat.alpha_sq = 10000.0: must be in (0, 100]"),
        ({"gate2q.max_attempts": 10**7}, "gate2q.max_attempts = 10000000: must be an integer"),
    ],
)
def test_found_extremes_are_clear_errors(changes, fragment):
    with pytest.raises(ValueError) as info:
        extract_operations(with_overrides(REFERENCE_DEVICE, changes))
    assert fragment in str(info.value)


def test_always_clicking_detector_is_a_certain_readout_flip():
    """dark_count_probability = 1 was a 'math domain error': P(1|0) = 1, flip ½(P(0|1) + 1)."""
    ext = extract_operations(with_overrides(REFERENCE_DEVICE,
                                            {"readout.dark_count_probability": 1.0}))
    assert ext.figures["readout_p1_given_0"] == 1.0
    assert 0.5 <= ext.operations["measure"].channel.px <= 1.0


def test_emission_solver_gives_up_cleanly():
    """A stiff emission (κ ≫ every other rate) stops at the step limit with a clear error."""
    from physics.cavity import CavityQED, default_pump, emit_photon

    cav = CavityQED(g=125.0, kappa=1e9, gamma=19.0)
    with pytest.raises(RuntimeError, match="too many steps"):
        emit_photon(cav, default_pump(cav, duration=1.5))
