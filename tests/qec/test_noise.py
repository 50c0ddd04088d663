"""NoiseModel: insertion rules, stim equivalence, heralds, serialisation, validation."""

import json

import numpy as np
import pymatching
import pytest
import stim

from qec.noise import (
    HERALD_COORD,
    PAULI2_ORDER,
    NoiseModel,
    OpNoise,
    TwoQubitNoise,
    herald_detectors,
)


def _errors(dem: stim.DetectorErrorModel) -> dict[tuple[str, ...], float]:
    """Error mechanisms keyed by symptom set, identical symptoms XOR-combined."""
    out: dict[tuple[str, ...], float] = {}
    for inst in dem.flattened():
        if inst.type == "error":
            key = tuple(sorted(str(t) for t in inst.targets_copy() if not t.is_separator()))
            p, q = out.get(key, 0.0), inst.args_copy()[0]
            out[key] = p + q - 2 * p * q
    return out


@pytest.mark.parametrize("task", ["surface_code:rotated_memory_z", "surface_code:rotated_memory_x",
                                  "repetition_code:memory"])
def test_uniform_model_reproduces_stims_generated_noise_exactly(task):
    p = 0.003
    clean = stim.Circuit.generated(task, distance=3, rounds=4)
    stims = stim.Circuit.generated(task, distance=3, rounds=4, after_clifford_depolarization=p,
                                   before_measure_flip_probability=p,
                                   after_reset_flip_probability=p)
    ours = NoiseModel.uniform_depolarizing(p).noisy_circuit(clean)
    a, b = _errors(stims.detector_error_model()), _errors(ours.detector_error_model())
    assert set(a) == set(b)
    assert max(abs(a[k] - b[k]) for k in a) < 1e-12


def test_uniform_model_logical_error_matches_stim_within_statistics():
    p, d, shots = 0.006, 3, 40_000
    clean = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=d)
    stims = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=d,
                                   after_clifford_depolarization=p,
                                   before_measure_flip_probability=p,
                                   after_reset_flip_probability=p)
    ours = NoiseModel.uniform_depolarizing(p).noisy_circuit(clean)
    rates = []
    for seed, circuit in ((1, stims), (2, ours)):
        m = pymatching.Matching.from_detector_error_model(
            circuit.detector_error_model(decompose_errors=True))
        det, obs = circuit.compile_detector_sampler(seed=seed).sample(
            shots, separate_observables=True)
        rates.append(np.mean(np.any(m.decode_batch(det) != obs, axis=1)))
    p1, p2 = rates
    sigma = np.sqrt(p1 * (1 - p1) / shots + p2 * (1 - p2) / shots)
    assert p1 > 0.01  # enough failures for the comparison to mean something
    assert abs(p1 - p2) < 4 * sigma


def test_noiseless_model_changes_nothing_but_flattening():
    clean = stim.Circuit.generated("surface_code:rotated_memory_z", distance=3, rounds=3)
    out = NoiseModel().noisy_circuit(clean)
    assert out == clean.flattened()


def test_each_operation_kind_lands_where_it_should():
    c = stim.Circuit("""
        QUBIT_COORDS(0, 0) 0
        R 0 1 2
        RX 3
        TICK
        H 0
        CX 1 2
        TICK
        M 0 1
        MX 3
        DETECTOR rec[-1]
        OBSERVABLE_INCLUDE(0) rec[-2]
    """)
    model = NoiseModel(
        gate_1q=OpNoise(0.01, 0.02, 0.03),
        gate_2q=TwoQubitNoise.from_dict_of_paulis({"ZZ": 0.04, "ZI": 0.01}),
        measure=OpNoise(px=0.05),
        reset=OpNoise(px=0.06),
        idle=OpNoise(pz=0.07),
    )
    text = str(model.noisy_circuit(c))
    assert "X_ERROR(0.06) 0 1 2" in text and "Z_ERROR(0.06) 3" in text
    assert "PAULI_CHANNEL_1(0.01, 0.02, 0.03) 0" in text
    assert "PAULI_CHANNEL_2(" in text and "M(0.05) 0 1" in text and "MX(0.05) 3" in text
    # idle: qubit 3 is untouched in the second layer; qubits 2 and 3 untouched in the last one
    assert "Z_ERROR(0.07) 3" in text


def test_heralds_are_detectors_and_records_are_remapped():
    clean = stim.Circuit.generated("surface_code:rotated_memory_z", distance=3, rounds=3)
    model = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.02))
    noisy = model.noisy_circuit(clean)
    n_cx_pairs = sum(len(i.targets_copy()) // 2 for i in clean.flattened() if i.name == "CX")
    dem = noisy.detector_error_model(approximate_disjoint_errors=True)
    heralds = herald_detectors(dem)
    # one joint herald per gate (target pair), not one per qubit
    assert len(heralds) == n_cx_pairs == noisy.num_detectors - clean.num_detectors
    coords = dem.get_detector_coordinates()
    assert all(coords[int(h)][0] == HERALD_COORD for h in heralds)
    # shots without any fired herald have no detection events: erasure is the only noise,
    # so every other detector must be deterministic again after the record remapping
    det = noisy.compile_detector_sampler(seed=5).sample(4000)
    mask = np.zeros(noisy.num_detectors, bool)
    mask[heralds] = True
    quiet = ~det[:, mask].any(axis=1)
    assert quiet.sum() > 100
    assert not det[quiet][:, ~mask].any()
    assert det[~quiet][:, ~mask].any()  # erasures do randomise the qubit


def test_serialisation_round_trip():
    model = NoiseModel(
        gate_1q=OpNoise(1e-4, 2e-4, 3e-4, erasure=1e-3),
        gate_2q=TwoQubitNoise.product(OpNoise(1e-3, 0, 2e-3, 0.01)),
        measure=OpNoise(px=2e-3),
        reset=OpNoise(px=1e-4),
        idle=OpNoise(pz=5e-4),
    )
    assert NoiseModel.from_json(model.to_json()) == model
    assert NoiseModel.from_dict(json.loads(json.dumps(model.to_dict()))) == model


def test_product_and_depolarizing_two_qubit_channels():
    a = OpNoise(0.01, 0.0, 0.02)
    prod = dict(zip(PAULI2_ORDER, TwoQubitNoise.product(a).probs, strict=True))
    assert prod["XI"] == pytest.approx(0.01 * 0.97)
    assert prod["XZ"] == pytest.approx(0.01 * 0.02)
    assert TwoQubitNoise.depolarizing(0.15).p_pauli == pytest.approx(0.15)


def test_scaled_model():
    m = NoiseModel.uniform_depolarizing(0.001).scaled(2.0)
    assert m.measure.px == pytest.approx(0.002)
    assert m.gate_2q.p_pauli == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: OpNoise(px=1.5), "px = 1.5: must be in [0, 1]"),
        (lambda: OpNoise(px=-0.1), "px = -0.1"),
        (lambda: OpNoise(px=0.6, pz=0.6), "must be <= 1"),
        (lambda: TwoQubitNoise((0.1,) * 14), "must have 15"),
        (lambda: TwoQubitNoise.from_dict_of_paulis({"QQ": 0.1}), "unknown two-qubit Pauli"),
        (lambda: NoiseModel(measure=OpNoise(pz=0.1)), "measure: only px"),
        (lambda: NoiseModel.from_dict({"gate3q": {}}), "unknown noise kind 'gate3q'"),
        (lambda: NoiseModel.from_dict({"idle": {"pw": 0.1}}), "unknown key 'idle.pw'"),
    ],
)
def test_invalid_noise_is_rejected_with_the_allowed_range(build, fragment):
    with pytest.raises(ValueError) as info:
        build()
    assert fragment in str(info.value)


def test_hot_qubit_multiplies_every_error_touching_it():
    clean = stim.Circuit.generated("surface_code:rotated_memory_z", distance=3, rounds=2)
    base = NoiseModel.uniform_depolarizing(1e-3).with_(idle=OpNoise(pz=1e-4))
    hot_q = 10  # the central data qubit of stim's d=3 layout, at (3, 3)
    hot = base.with_(hot=((hot_q, 10.0),))
    text = str(hot.noisy_circuit(clean))
    assert "DEPOLARIZE2(0.01) 10 9" in text  # its CX pairs get 10× the two-qubit noise
    assert "M(0.01) 10\n" in text  # the final data readout is split around it, in order
    assert "Z_ERROR(0.001) 10" in text  # idle noise, scaled too
    # the detectors and observables are the same, only probabilities move
    a = base.noisy_circuit(clean)
    b = hot.noisy_circuit(clean)
    assert a.num_detectors == b.num_detectors and a.num_observables == b.num_observables
    pa = sum(_errors(a.detector_error_model()).values())
    pb = sum(_errors(b.detector_error_model()).values())
    assert pb > 1.3 * pa
    # zero noise: the hot node changes nothing, the record order is intact
    assert NoiseModel(hot=((hot_q, 10.0),)).noisy_circuit(clean) == clean.flattened()
    assert NoiseModel.from_dict(hot.to_dict()) == hot


def test_erasure_as_pauli_keeps_the_flip_rate_and_drops_the_herald():
    # an erased qubit is fully depolarised: a Z measurement after it flips with e/2, heralded
    # or not; the folded model inserts no herald
    import numpy as np

    e, px = 0.08, 0.01
    model = NoiseModel(gate_1q=OpNoise(px=px, erasure=e),
                       gate_2q=TwoQubitNoise(TwoQubitNoise.depolarizing(0.01).probs,
                                             erasure=0.02))
    folded = model.erasure_as_pauli()
    assert not folded.has_erasure and model.has_erasure
    assert folded.gate_2q.p_pauli == pytest.approx(0.98 * 0.01 + 15 * 0.02 / 16)
    base = stim.Circuit("R 0\nX 0\nX 0\nM 0\nDETECTOR rec[-1]")  # two gates, two channels
    heralded = model.noisy_circuit(base)
    plain = folded.noisy_circuit(base)
    assert plain.num_detectors == 1 and heralded.num_detectors == 3
    n = 200_000
    flips_h = heralded.compile_detector_sampler(seed=1).sample(n)[:, -1].mean()
    flips_p = plain.compile_detector_sampler(seed=2).sample(n)[:, -1].mean()
    one = (1 - e) * px + e / 2  # one channel's flip probability (an X or a Y)
    expected = 2 * one * (1 - one)
    sigma = np.sqrt(expected * (1 - expected) / n)
    assert abs(flips_h - expected) < 4 * sigma and abs(flips_p - expected) < 4 * sigma
