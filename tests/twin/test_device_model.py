"""DeviceModel: drift offsets, optimal knobs that cancel them, range errors, hot node."""

import pytest

from physics.device import REFERENCE_DEVICE
from twin.device.drift import make_process
from twin.device.knobs import KNOBS
from twin.device.model import DeviceModel
from twin.scenario import DriftSpec, HotNode


def _model(**kw):
    drifts = (
        DriftSpec("laser.detuning_2ph", make_process("ramp", {"rate": 0.01})),
        DriftSpec("laser.detuning_2ph", make_process("sinusoid", {"amplitude": 0.01,
                                                                  "period": 40.0})),
        DriftSpec("laser.intensity", make_process("ramp", {"rate": -0.01})),
    )
    return DeviceModel(REFERENCE_DEVICE, code="surface", drifts=drifts, knob_specs=KNOBS, **kw)


def test_offsets_add_and_steps_are_deterministic():
    m = _model()
    s0 = m.initial_states(seed=1)
    s1 = m.step(s0, 0.0, 10.0, seed=1, window=1)
    off = m.offsets(s1)
    assert off["laser.detuning_2ph"] == pytest.approx(0.1 + 0.01)  # ramp + sine at 10 s
    assert off["laser.intensity"] == pytest.approx(-0.1)
    assert m.true_values(off)["laser.intensity"] == pytest.approx(0.9)
    assert m.step(s0, 0.0, 10.0, seed=1, window=1) == s1


def test_optimal_knobs_restore_the_nominal_noise():
    m = _model()
    nominal = {k.name: k.nominal for k in KNOBS}
    off = {"laser.detuning_2ph": 0.08, "laser.intensity": -0.19}
    drifted, _ = m.noise(off, nominal, distance=3)
    fixed, _ = m.noise(off, m.optimal_knobs(off), distance=3)
    calm, _ = m.noise({}, nominal, distance=3)
    assert drifted.gate_1q.p_pauli > 5 * calm.gate_1q.p_pauli
    assert fixed.gate_1q.p_pauli == pytest.approx(calm.gate_1q.p_pauli, rel=0.02)
    assert m.optimal_knobs(off)["laser.amplitude_scale"] == pytest.approx(1 / 0.9)


def test_out_of_range_drift_is_a_clear_error():
    m = DeviceModel(REFERENCE_DEVICE, code="surface",
                    drifts=(DriftSpec("link.coupling_efficiency",
                                      make_process("ramp", {"rate": 0.1})),), knob_specs=KNOBS)
    with pytest.raises(ValueError, match="link.coupling_efficiency = 1.2"):
        m.noise({"link.coupling_efficiency": 0.3}, {}, distance=3)


def test_hot_node_center_is_the_middle_data_qubit():
    m = _model(hot_node=HotNode("center", 10.0))
    q = m.hot_qubit(3)
    model, _ = m.noise({}, {k.name: k.nominal for k in KNOBS}, distance=3)
    assert model.hot == ((q, 10.0),)
    assert q == 10  # stim's d=3 rotated layout: data qubit at (3, 3)
