"""Memory-experiment circuits: determinism, circuit distances, XZZX structure, data noise."""

import numpy as np
import pymatching
import pytest
import stim

from qec.codes import (
    CODES,
    MemoryExperiment,
    allowed_distances,
    cat_noise_model,
    code_capacity_experiment,
    memory_experiment,
)
from qec.noise import HERALD_COORD, PAULI2_ORDER, NoiseModel, OpNoise, herald_detectors

# the code families of every odd distance (the bivariate-bicycle instances: test_bb_code.py)
ODD_CODES = tuple(c for c in CODES if allowed_distances(c) is None)

SEARCH = dict(dont_explore_detection_event_sets_with_size_above=4,
              dont_explore_edges_with_degree_above=4,
              dont_explore_edges_increasing_symptom_degree=False,
              canonicalize_circuit_errors=True)


def _experiment(code, d, basis, rounds=None, data_noise=None):
    if code == "gkp-surface" and data_noise is None:
        data_noise = OpNoise()
    return memory_experiment(code, distance=d, rounds=d if rounds is None else rounds,
                             basis=basis, data_noise=data_noise)


def _distances(circuit: stim.Circuit) -> tuple[int, int]:
    return (len(circuit.shortest_graphlike_error()),
            len(circuit.search_for_undetectable_logical_errors(**SEARCH)))


def _logical_error(circuit: stim.Circuit, shots: int, seed: int) -> float:
    dem = circuit.detector_error_model(decompose_errors=True, approximate_disjoint_errors=True)
    matching = pymatching.Matching.from_detector_error_model(dem)
    det, obs = circuit.compile_detector_sampler(seed=seed).sample(shots,
                                                                   separate_observables=True)
    return float(np.mean(matching.decode_batch(det)[:, 0] != obs[:, 0]))


# --- determinism and distance --------------------------------------------------------------
@pytest.mark.parametrize("code", ODD_CODES)
@pytest.mark.parametrize("basis", ["Z", "X"])
@pytest.mark.parametrize("d", [3, 5])
def test_noiseless_circuit_fires_nothing(code, basis, d):
    exp = _experiment(code, d, basis)
    assert isinstance(exp, MemoryExperiment)
    assert (exp.code, exp.distance, exp.rounds, exp.basis) == (code, d, d, basis)
    circuit = exp.circuit
    assert circuit.num_detectors > 0 and circuit.num_observables == 1
    det, obs = circuit.compile_detector_sampler(seed=7).sample(200, separate_observables=True)
    assert not det.any() and not obs.any()
    # every qubit of the circuit is either data or ancilla, never both
    assert set(exp.data_qubits).isdisjoint(exp.ancilla_qubits)
    assert set(exp.data_qubits) | set(exp.ancilla_qubits) == set(
        circuit.get_final_qubit_coordinates())


@pytest.mark.parametrize("code", ["surface", "xzzx", "gkp-surface"])
@pytest.mark.parametrize("basis", ["Z", "X"])
@pytest.mark.parametrize("d", [3, 5])
def test_circuit_distance_under_uniform_depolarizing(code, basis, d):
    data_noise = OpNoise(px=0.01, py=0.002, pz=0.01) if code == "gkp-surface" else None
    exp = _experiment(code, d, basis, data_noise=data_noise)
    noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit)
    assert _distances(noisy) == (d, d)


@pytest.mark.parametrize("d", [3, 5])
def test_repetition_distance_d_against_phase_flips_and_one_against_bit_flips(d):
    z_noise = cat_noise_model(phase_flip=1e-3, bit_flip=0.0, measure=1e-3, reset=1e-3)
    protected = z_noise.noisy_circuit(_experiment("repetition", d, "X").circuit)
    assert _distances(protected) == (d, d)
    x_noise = cat_noise_model(phase_flip=0.0, bit_flip=1e-3)
    floor = x_noise.noisy_circuit(_experiment("repetition", d, "Z").circuit)
    assert _distances(floor) == (1, 1)  # the bit-flip floor: one X on any data cat


def test_code_capacity_logical_error_falls_with_distance():
    p_l = [_logical_error(code_capacity_experiment("surface", distance=d,
                                                   data_noise=OpNoise(px=0.03)).circuit,
                          20_000, seed=11) for d in (3, 5)]
    assert 0 < p_l[1] < p_l[0] / 1.5
    cat = cat_noise_model(phase_flip=0.02, bit_flip=0.0)
    p_l = [_logical_error(cat.noisy_circuit(_experiment("repetition", d, "X").circuit),
                          20_000, seed=12) for d in (3, 5)]
    assert p_l[1] < p_l[0] / 1.5


# --- XZZX ----------------------------------------------------------------------------------
def _single_error_flips(circuit: stim.Circuit, position: int, pauli: str, qubit: int,
                        round_t: int) -> set[tuple[float, float]]:
    """Plaquettes (x, y) whose round-``round_t`` detector one Pauli error flips."""
    c = circuit[:position] + stim.Circuit(f"{pauli}_ERROR(1) {qubit}") + circuit[position:]
    det = c.compile_detector_sampler(seed=0).sample(1)[0]
    coords = c.get_detector_coordinates()
    return {tuple(coords[k][:2]) for k in np.flatnonzero(det) if coords[k][2] == round_t}


@pytest.mark.parametrize("basis", ["Z", "X"])
def test_xzzx_every_plaquette_reads_xzzx(basis):
    exp = _experiment("xzzx", 5, basis, rounds=3)
    flat = exp.circuit.flattened()
    # the start of round 1: the second layer of ancilla Hadamards
    starts = [i for i, inst in enumerate(flat) if inst.name == "H"][::2]
    position = starts[1]
    qcoords = exp.circuit.get_final_qubit_coordinates()
    letter = {}  # (plaquette, data coords) -> Pauli of the stabiliser there
    for q in exp.data_qubits:
        hits = {p: _single_error_flips(flat, position, p, q, 1) for p in "XZ"}
        for plaq in hits["X"] | hits["Z"]:
            anti_x, anti_z = plaq in hits["X"], plaq in hits["Z"]
            letter[plaq, tuple(qcoords[q])] = "Y" if anti_x and anti_z else ("Z" if anti_x
                                                                             else "X")
    plaquettes = {plaq for plaq, _ in letter}
    bulk = [p for p in plaquettes if sum(k[0] == p for k in letter) == 4]
    assert len(bulk) == 16
    for x, y in bulk:  # y up: NW, NE, SW, SE
        corners = [(x - 1, y + 1), (x + 1, y + 1), (x - 1, y - 1), (x + 1, y - 1)]
        assert "".join(letter[(x, y), c] for c in corners) == "XZZX"


def _sensitive_detectors(code: str, data_noise: OpNoise) -> set[int]:
    exp = memory_experiment(code, distance=5, rounds=3, data_noise=data_noise)
    dem = exp.circuit.detector_error_model(approximate_disjoint_errors=True)
    out: set[int] = set()
    for inst in dem.flattened():
        if inst.type == "error":
            out |= {t.val for t in inst.targets_copy() if t.is_relative_detector_id()}
    return out


def test_xzzx_is_not_css_while_surface_is():
    def overlap(code):
        return (_sensitive_detectors(code, OpNoise(px=0.01))
                & _sensitive_detectors(code, OpNoise(pz=0.01)))

    assert overlap("surface") == set()  # CSS: X errors and Z errors hit disjoint checks
    assert len(overlap("xzzx")) > 50  # XZZX checks see both X and Z errors


def test_xzzx_checkerboard_preparation_and_readout():
    exp = _experiment("xzzx", 5, "Z")
    coords = exp.circuit.get_final_qubit_coordinates()
    flat = exp.circuit.flattened()
    checker = {q for q in exp.data_qubits if ((coords[q][0] - coords[q][1]) // 2) % 2 == 1}
    for names, basis_set in ((("R", "RX"), "reset"), (("M", "MX"), "measure")):
        z_like = {t.value for i in flat if i.name == names[0] for t in i.targets_copy()}
        x_like = {t.value for i in flat if i.name == names[1] for t in i.targets_copy()}
        assert x_like == checker, basis_set
        assert z_like & set(exp.data_qubits) == set(exp.data_qubits) - checker, basis_set
    assert {i.name for i in flat} >= {"CX", "CZ", "XCX"}


@pytest.mark.parametrize("d", [3, 5])
def test_xzzx_distance_under_pure_z_data_noise(d):
    x_mem = memory_experiment("xzzx", distance=d, rounds=d, basis="X",
                              data_noise=OpNoise(pz=0.01))
    assert _distances(x_mem.circuit) == (d, d)
    z_mem = memory_experiment("xzzx", distance=d, rounds=d, basis="Z",
                              data_noise=OpNoise(pz=0.01))
    with pytest.raises(ValueError, match="Failed to find any"):
        z_mem.circuit.search_for_undetectable_logical_errors(**SEARCH)


def test_xzzx_beats_surface_under_strongly_biased_noise():
    # pure Z at 15 %: above the surface code's ~10 % (MWPM) threshold, well below XZZX's
    p_l = {code: _logical_error(code_capacity_experiment(code, distance=5, basis="X",
                                                         data_noise=OpNoise(pz=0.15)).circuit,
                                5_000, seed=3) for code in ("surface", "xzzx")}
    assert p_l["xzzx"] < p_l["surface"] / 4


# --- data noise ----------------------------------------------------------------------------
def test_depolarizing_data_noise_equals_stims_own():
    p = 0.02
    ours = memory_experiment("surface", distance=3, rounds=4, basis="X",
                             data_noise=OpNoise.depolarizing(p)).circuit
    stims = stim.Circuit.generated("surface_code:rotated_memory_x", distance=3, rounds=4,
                                   before_round_data_depolarization=p)
    assert ours == stims


@pytest.mark.parametrize("code", CODES)
def test_data_noise_once_per_round_on_every_data_qubit(code):
    rounds = 4
    exp = memory_experiment(code, distance=(allowed_distances(code) or (3,))[0], rounds=rounds,
                            data_noise=OpNoise(px=0.01, py=0.0, pz=0.03))
    hits = [t.value for inst in exp.circuit.flattened() if inst.name == "PAULI_CHANNEL_1"
            for t in inst.targets_copy()]
    assert sorted(hits) == sorted(list(exp.data_qubits) * rounds)


def test_erasure_data_noise_heralds_and_remapped_records():
    rounds = 3
    exp = memory_experiment("surface", distance=3, rounds=rounds,
                            data_noise=OpNoise(erasure=0.05))
    circuit = exp.circuit
    dem = circuit.detector_error_model(approximate_disjoint_errors=True)
    heralds = herald_detectors(dem)
    assert len(heralds) == rounds * len(exp.data_qubits)
    coords = circuit.get_detector_coordinates()
    assert [tuple(coords[int(k)]) for k in heralds] == [
        (HERALD_COORD, q, k) for k, q in enumerate(list(exp.data_qubits) * rounds)]
    det, obs = circuit.compile_detector_sampler(seed=5).sample(2000, separate_observables=True)
    fired = det[:, heralds].any(axis=1)
    assert fired.mean() > 0.3
    others = np.setdiff1d(np.arange(circuit.num_detectors), heralds)
    # without a herald nothing happened: the remapped detectors stay silent
    assert not det[~fired][:, others].any() and not obs[~fired].any()
    assert det[fired][:, others].any()
    # NoiseModel on top keeps the heralds and adds its own
    noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(circuit)
    assert noisy.num_detectors == circuit.num_detectors
    noisy_heralds = herald_detectors(noisy.detector_error_model(approximate_disjoint_errors=True))
    np.testing.assert_array_equal(noisy_heralds, heralds)


def test_code_capacity_experiment_is_one_round_of_data_noise():
    exp = code_capacity_experiment("xzzx", distance=5, data_noise=OpNoise(pz=0.1), basis="X")
    assert exp.rounds == 1
    noisy_ops = [i.name for i in exp.circuit.flattened()
                 if stim.gate_data(i.name).is_noisy_gate and not i.name.startswith("M")]
    assert noisy_ops == ["Z_ERROR"]
    gkp = code_capacity_experiment("gkp-surface", distance=3, data_noise=OpNoise(px=0.05))
    assert gkp.resources["modes"] == 2 * 9 + 8  # GKP data, ancillas and correction modes


# --- cat noise -----------------------------------------------------------------------------
def test_cat_noise_model_is_bias_preserving():
    model = cat_noise_model(phase_flip=1e-3, bit_flip=1e-6, measure=2e-3, reset=3e-3,
                            cx_phase_flip=1e-3, cx_bit_flip=1e-6)
    probs = dict(zip(PAULI2_ORDER, model.gate_2q.probs, strict=True))
    assert probs["ZI"] == pytest.approx(5e-4) and probs["IZ"] == pytest.approx(2.5e-4)
    assert probs["ZZ"] == pytest.approx(2.5e-4)
    assert probs["XI"] == pytest.approx(5e-7) and probs["IX"] == pytest.approx(5e-7)
    assert sum(probs.values()) == pytest.approx(1e-3 + 1e-6)
    assert model.idle == OpNoise(px=1e-6, pz=1e-3)
    assert (model.measure.px, model.reset.px) == (2e-3, 3e-3)
    custom = cat_noise_model(phase_flip=1e-3, bit_flip=0, cx_phase_flip=4e-3, cx_bit_flip=0)
    assert custom.gate_2q.p_pauli == pytest.approx(4e-3)
    with pytest.raises(ValueError, match="cx_phase_flip"):
        cat_noise_model(phase_flip=1e-3, bit_flip=0, cx_phase_flip=2.0)
    with pytest.raises(ValueError, match="measure_z"):
        cat_noise_model(phase_flip=1e-3, bit_flip=0, measure_z=-0.1)


def test_cat_noise_model_cx_adds_nothing_beyond_the_cycle_by_default():
    model = cat_noise_model(phase_flip=1e-3, bit_flip=1e-6, measure=2e-3)
    assert model.gate_2q.is_zero and model.measure_z is None


def test_repetition_data_phase_flip_counted_once_per_round_in_the_dem():
    # Issue 13: the CX used to add the data cat's per-cycle dephasing again (p/2 per CX on a
    # data target, ~2p per round in all). Now every error mechanism of the DEM is one data
    # cat's idle Z in one round, with probability p, once.
    d, rounds, p = 5, 6, 1e-3
    exp = _experiment("repetition", d, "X", rounds=rounds)
    noisy = cat_noise_model(phase_flip=p, bit_flip=0.0).noisy_circuit(exp.circuit)
    probs = [inst.args_copy()[0] for inst in noisy.detector_error_model().flattened()
             if inst.type == "error"]
    assert len(probs) == d * rounds
    assert probs == pytest.approx([p] * (d * rounds), rel=1e-9)
    # the old default (cx_phase_flip = phase_flip) doubled a data cat's Z per round
    old = cat_noise_model(phase_flip=p, bit_flip=0.0, cx_phase_flip=p).noisy_circuit(exp.circuit)
    dem = old.detector_error_model(approximate_disjoint_errors=True)
    assert sum(i.args_copy()[0] for i in dem.flattened() if i.type == "error") > 1.5 * sum(probs)


def test_cat_measure_z_flips_only_z_basis_readouts():
    model = cat_noise_model(phase_flip=0.0, bit_flip=0.0, measure=2e-3, measure_z=1e-5)
    text = str(model.noisy_circuit(_experiment("repetition", 3, "Z").circuit))
    assert "MRX(0.002)" in text and "M(1e-05)" in text
    text = str(model.noisy_circuit(_experiment("repetition", 3, "X").circuit))
    assert "MRX(0.002)" in text and "MX(0.002)" in text
    assert NoiseModel.from_dict(model.to_dict()) == model
    assert "measure_z" not in NoiseModel().to_dict()


def test_repetition_idle_applies_once_per_round_to_every_data_cat():
    rounds = 5
    exp = _experiment("repetition", 5, "X", rounds=rounds)
    model = cat_noise_model(phase_flip=1e-3, bit_flip=0.0, cx_phase_flip=0.0)
    idle = [t.value for inst in model.noisy_circuit(exp.circuit) if inst.name == "Z_ERROR"
            for t in inst.targets_copy()]
    assert sorted(idle) == sorted(list(exp.data_qubits) * rounds)  # ancillas never idle


# --- resources and validation --------------------------------------------------------------
def test_resources():
    # d = 5 surface: 16 weight-4 and 8 weight-2 checks, every CNOT remote
    assert _experiment("surface", 5, "Z").resources == {
        "qubits": 49, "data": 25, "ancillas": 24, "modes": 49, "logical_qubits": 1,
        "two_qubit_gates_per_round": 80, "remote_gates_per_round": 80}
    assert _experiment("repetition", 5, "X").resources == {
        "qubits": 9, "data": 5, "ancillas": 4, "modes": 9, "logical_qubits": 1,
        "two_qubit_gates_per_round": 8, "remote_gates_per_round": 8}
    assert _experiment("gkp-surface", 5, "Z").resources["modes"] == 2 * 25 + 24
    assert _experiment("xzzx", 3, "X").resources["qubits"] == 17


@pytest.mark.parametrize(("kwargs", "match"), [
    (dict(code="toric"), r"code = 'toric': must be one of 'surface', 'xzzx', 'repetition'"),
    (dict(distance=4), r"distance = 4: must be an odd integer >= 3"),
    (dict(distance=1), r"distance = 1: must be an odd integer >= 3"),
    (dict(distance=3.0), r"distance = 3.0: must be an odd integer >= 3"),
    (dict(code="bb", distance=5), r"distance = 5: code 'bb' has the distances 6, 10, 12"),
    (dict(distance=True), r"distance = True"),
    (dict(rounds=0), r"rounds = 0: must be an integer >= 1"),
    (dict(rounds=2.5), r"rounds = 2.5"),
    (dict(basis="Y"), r"basis = 'Y': must be one of 'Z', 'X'"),
    (dict(code="gkp-surface"), r"'gkp-surface' requires data_noise"),
    (dict(data_noise=0.01), r"data_noise = 0.01: must be an OpNoise"),
])
def test_bad_inputs_raise(kwargs, match):
    args = dict(code="surface", distance=3, rounds=3, basis="Z") | kwargs
    code = args.pop("code")
    with pytest.raises(ValueError, match=match):
        memory_experiment(code, **args)


def test_code_capacity_requires_an_opnoise():
    with pytest.raises(ValueError, match="data_noise = None"):
        code_capacity_experiment("surface", distance=3, data_noise=None)
