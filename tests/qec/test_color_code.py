"""Colour-code memory experiments decoded by chromobius: circuit, distance, pairing, truths.

Published truth: Gidney & Jones, "New circuits and an open source decoder for the color code"
(arXiv:2312.08813, 2023). Their sinter statistics ``assets/stats.csv`` of
github.com/quantumlib/chromobius at commit bb976be416d2723479f1149a58c4404243d41122 (the
preprint's) list, for circuit ``superdense_color_code_X`` / ``_Z``, noise ``uniform``,
d = 3, 5 with r = 4d rounds and chromobius, the shots and errors of ``PUBLISHED`` below. Our
``"color"`` circuit is that superdense circuit (its DEM under the paper's uniform noise equals
the paper generator's) and ``paper_uniform`` is that noise; the logical error per shot must
agree within 4 combined binomial standard errors. One case does not: X basis, d = 3,
p = 10⁻³ (ours ~0.030, published 0.042, −8σ), though the paper's own generator at that commit
gives the same DEM and the same ~0.030 with chromobius 1.1.1. The cause is not found (a
change of chromobius since the preprint is a guess we cannot check here): xfail, strict.
"""

from __future__ import annotations

import math

import chromobius
import numpy as np
import pytest
import stim

from qec.codes import CODES, code_capacity_experiment, memory_experiment
from qec.decoders import (
    BUILTIN_DECODERS,
    compile_decoder,
    decoder_dem,
    decodes_code,
    pack_bits,
    unpack_bits,
)
from qec.decoders.chromobius import ChromobiusDecoder, chromobius_dem
from qec.montecarlo import SinterDecoder, collect, make_task
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise, herald_detectors
from qec.stats import logical_rate

SEARCH = dict(dont_explore_detection_event_sets_with_size_above=4,
              dont_explore_edges_with_degree_above=64,
              dont_explore_edges_increasing_symptom_degree=False,
              canonicalize_circuit_errors=True)


def paper_uniform(p: float) -> NoiseModel:
    """The "uniform" noise of Gidney & Jones (``gen.NoiseModel.uniform_depolarizing(p)`` in
    quantumlib/chromobius): ``DEPOLARIZE1(p)`` after single-qubit Cliffords, ``DEPOLARIZE2(p)``
    after two-qubit ones, ``DEPOLARIZE1(p)`` on every qubit idle in a moment, results of
    measurements flipped with p (and ``DEPOLARIZE1(p)`` on the measured qubit), resets flipped
    with p (``X_ERROR`` after ``R``, ``Z_ERROR`` after ``RX``).

    ``NoiseModel.uniform_depolarizing`` is stim's generated-circuit model: no idle noise, no
    depolarisation after a measurement. Adding ``idle`` gives the paper's model except for the
    ``DEPOLARIZE1`` after a measurement, which in the colour-code circuit only ever hits a qubit
    that is reset next or never used again: no effect (``test_paper_uniform_is_the_papers``).
    """
    return NoiseModel.uniform_depolarizing(p).with_(idle=OpNoise.depolarizing(p))


def gen_uniform(circuit: stim.Circuit, p: float) -> stim.Circuit:
    """The paper's uniform rule applied literally, moment by moment (reference for the test)."""
    out = stim.Circuit()
    qubits = range(circuit.num_qubits)

    def close(moment: stim.Circuit, touched: set[int]) -> None:
        for inst in moment:
            out.append(inst)
        idle = [q for q in qubits if q not in touched]
        if idle:
            out.append("DEPOLARIZE1", idle, p)

    moment, touched = stim.Circuit(), set()
    for inst in circuit.flattened():
        name, targets = inst.name, [t.value for t in inst.targets_copy()]
        if name == "TICK":
            close(moment, touched)
            out.append("TICK")
            moment, touched = stim.Circuit(), set()
        elif name in ("DETECTOR", "OBSERVABLE_INCLUDE", "QUBIT_COORDS", "SHIFT_COORDS"):
            moment.append(inst)
        elif name in ("M", "MX"):
            moment.append(name, targets, p)
            moment.append("DEPOLARIZE1", targets, p)
            touched.update(targets)
        elif name in ("R", "RX"):
            moment.append(inst)
            moment.append("X_ERROR" if name == "R" else "Z_ERROR", targets, p)
            touched.update(targets)
        elif name == "CX":
            moment.append(inst)
            moment.append("DEPOLARIZE2", targets, p)
            touched.update(targets)
        else:
            raise AssertionError(f"unexpected {name}")
    close(moment, touched)
    return out


def color(d: int, p: float, *, basis: str = "Z", rounds: int | None = None,
          erasure: float = 0.0) -> stim.Circuit:
    """The colour-code memory under uniform depolarising p (+ joint 2q erasure)."""
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    exp = memory_experiment("color", distance=d, rounds=rounds or d, basis=basis)
    return model.noisy_circuit(exp.circuit)


def stim_xyz(d: int, p: float) -> stim.Circuit:
    """stim's own noisy ``color_code:memory_xyz``, detectors coloured as Gidney & Jones do.

    The 4th coordinate (y + t) mod 3 is the rule of chromobius's ``clorco`` package
    (``make_mxyz_color_code_from_stim_gen``): every detector an X-basis one.
    """
    c = stim.Circuit.generated("color_code:memory_xyz", distance=d, rounds=d,
                               after_clifford_depolarization=p,
                               before_measure_flip_probability=p,
                               after_reset_flip_probability=p).flattened()
    out = stim.Circuit()
    for inst in c:
        if inst.name == "DETECTOR":
            x, y, t = inst.gate_args_copy()
            out.append("DETECTOR", inst.targets_copy(), [x, y, t, (y + t) % 3])
        else:
            out.append(inst)
    return out


def fails(decoder, circuit: stim.Circuit, shots: int, seed: int) -> int:
    dets, obs = circuit.compile_detector_sampler(seed=seed).sample(
        shots, separate_observables=True, bit_packed=True)
    pred = decoder.decode_batch(dets, bit_packed=True)
    return int(np.any(pred != obs, axis=1).sum())


# --- the circuit ------------------------------------------------------------------------------
def test_color_is_a_code():
    assert "color" in CODES


@pytest.mark.parametrize("basis", ["Z", "X"])
@pytest.mark.parametrize("d", [3, 5])
def test_noiseless_circuit_is_deterministic_and_annotated(basis, d):
    exp = memory_experiment("color", distance=d, rounds=3, basis=basis)
    circuit = exp.circuit
    det, obs = circuit.compile_detector_sampler(seed=1).sample(100, separate_observables=True)
    assert circuit.num_observables == 1 and circuit.num_detectors > 0
    assert not det.any() and not obs.any()
    assert len(exp.data_qubits) == (3 * d * d + 1) // 4  # the triangular 6.6.6 code
    assert exp.resources["qubits"] == circuit.num_qubits == {3: 13, 5: 37}[d]  # paper's q
    assert len(exp.ancilla_qubits) == len(exp.data_qubits) - 1  # 2 per (n - 1)/2 plaquettes
    assert set(exp.data_qubits).isdisjoint(exp.ancilla_qubits)
    assert exp.resources["modes"] == exp.resources["qubits"]
    coords = circuit.get_detector_coordinates()
    assert all(len(c) == 4 and c[3] in (0, 1, 2, 3, 4, 5) for c in coords.values())
    z_type = sum(c[3] >= 3 for c in coords.values())
    x_type = len(coords) - z_type
    assert (z_type > x_type) == (basis == "Z")  # the first round fixes only the basis type


@pytest.mark.parametrize("d", [3, 5])
def test_distance_d_against_data_and_measurement_noise(d):
    cc = code_capacity_experiment("color", distance=d, data_noise=OpNoise.depolarizing(0.01))
    phenom = NoiseModel(measure=OpNoise(px=0.01)).noisy_circuit(memory_experiment(
        "color", distance=d, rounds=d, data_noise=OpNoise.depolarizing(0.01)).circuit)
    assert len(cc.circuit.search_for_undetectable_logical_errors(**SEARCH)) == d
    assert len(phenom.search_for_undetectable_logical_errors(**SEARCH)) == d


@pytest.mark.parametrize("basis", ["X", "Z"])
@pytest.mark.parametrize("d", [3, 5])
def test_circuit_distance_is_d_under_uniform_circuit_noise(d, basis):
    """The superdense circuit keeps distance d under the paper's uniform circuit noise (stim's
    own one-measure-qubit ``memory_xyz`` circuit has only (d + 1)/2)."""
    circuit = paper_uniform(1e-3).noisy_circuit(
        memory_experiment("color", distance=d, rounds=d, basis=basis).circuit)
    assert len(circuit.search_for_undetectable_logical_errors(**SEARCH)) == d
    if d == 3 and basis == "Z":
        assert len(stim_xyz(d, 1e-3).search_for_undetectable_logical_errors(**SEARCH)) == 2


@pytest.mark.parametrize("basis", ["X", "Z"])
def test_paper_uniform_is_the_papers(basis):
    """``paper_uniform`` and the paper's rule applied literally give the same DEM."""
    exp = memory_experiment("color", distance=3, rounds=4, basis=basis)
    ours = paper_uniform(2e-3).noisy_circuit(exp.circuit).detector_error_model()
    literal = gen_uniform(exp.circuit, 2e-3).detector_error_model()
    assert ours.approx_equals(literal, atol=1e-15)


def test_noise_model_on_stims_xyz_circuit_reproduces_stims_noise():
    """C_XYZ (a single-qubit Clifford) gets ``gate_1q``: the DEM equals stim's own."""
    p = 1e-3
    ours = NoiseModel.uniform_depolarizing(p).noisy_circuit(
        stim.Circuit.generated("color_code:memory_xyz", distance=3, rounds=3))
    gen = stim.Circuit.generated("color_code:memory_xyz", distance=3, rounds=3,
                                 after_clifford_depolarization=p,
                                 before_measure_flip_probability=p,
                                 after_reset_flip_probability=p)

    def table(c: stim.Circuit) -> dict[str, float]:
        return {" ".join(sorted(str(t) for t in e.targets_copy())): e.args_copy()[0]
                for e in c.detector_error_model(flatten_loops=True).flattened()
                if e.type == "error"}

    a, b = table(ours), table(gen)
    assert a.keys() == b.keys()
    assert max(abs(a[k] - b[k]) for k in a) < 1e-12


@pytest.mark.parametrize("kwargs, match", [
    (dict(distance=4, rounds=2), "odd integer >= 3"),
    (dict(distance=3, rounds=0), "rounds"),
    (dict(distance=3, rounds=2, basis="Y"), "basis = 'Y'"),
])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        memory_experiment("color", **kwargs)


# --- the decoder ------------------------------------------------------------------------------
def test_chromobius_is_registered_for_the_colour_code_only():
    assert "chromobius" in BUILTIN_DECODERS
    assert decodes_code("chromobius", "color") and not decodes_code("chromobius", "surface")
    assert not decodes_code("mwpm", "color") and decodes_code("bposd", "color")


@pytest.mark.parametrize("basis", ["Z", "X"])
def test_paired_with_chromobius_itself_on_the_same_shots(basis):
    circuit = color(5, 3e-3, basis=basis)
    dem = decoder_dem(circuit)
    dets, _ = circuit.compile_detector_sampler(seed=4).sample(
        3000, separate_observables=True, bit_packed=True)
    ours = compile_decoder("chromobius", dem).decode_batch(dets, bit_packed=True)
    direct = chromobius.compile_decoder_for_dem(dem).predict_obs_flips_from_dets_bit_packed(dets)
    np.testing.assert_array_equal(ours, direct)
    assert ours.any()  # not a vacuous comparison


def test_paired_on_stims_own_colour_circuit():
    """stim's memory_xyz (coloured as Gidney & Jones do) at d = 3: same predictions."""
    circuit = stim_xyz(3, 2e-3)
    dem = circuit.detector_error_model()
    dets, obs = circuit.compile_detector_sampler(seed=5).sample(
        4000, separate_observables=True, bit_packed=True)
    ours = ChromobiusDecoder.compile(dem).decode_batch(dets, bit_packed=True)
    direct = chromobius.compile_decoder_for_dem(dem).predict_obs_flips_from_dets_bit_packed(dets)
    np.testing.assert_array_equal(ours, direct)
    assert 0 < np.any(ours != obs, axis=1).mean() < 0.1


def test_stims_xyz_circuit_beyond_d3_is_refused_clearly():
    """Its CX faults give hyperedges chromobius cannot decompose: a ValueError, not a crash."""
    with pytest.raises(ValueError, match="chromobius cannot decode this DEM"):
        ChromobiusDecoder.compile(stim_xyz(5, 1e-3).detector_error_model())


def test_packed_and_unpacked_paths_agree_and_zero_syndrome_is_no_flip():
    circuit = color(3, 5e-3)
    decoder = compile_decoder("chromobius", decoder_dem(circuit))
    dets = circuit.compile_detector_sampler(seed=6).sample(500)
    unpacked = decoder.decode_batch(dets)
    packed = decoder.decode_batch(pack_bits(dets), bit_packed=True)
    np.testing.assert_array_equal(unpack_bits(packed, 1), unpacked)
    assert unpacked.shape == (500, 1) and unpacked.dtype == np.bool_
    assert not decoder.decode_batch(np.zeros((3, decoder.num_detectors), bool)).any()
    with pytest.raises(ValueError, match="must be"):
        decoder.decode_batch(np.zeros((2, decoder.num_detectors + 1), dtype=np.bool_))
    with pytest.raises(ValueError, match="option"):
        compile_decoder("chromobius", decoder_dem(circuit), osd_order=2)


def test_heralds_are_ignored_not_fatal():
    circuit = color(3, 2e-3, erasure=0.02)
    dem = decoder_dem(circuit)
    heralds = herald_detectors(dem)
    assert heralds.size
    assert all(chromobius_dem(dem).get_detector_coordinates()[int(h)] == [-1.0] * 4
               for h in heralds)
    decoder = compile_decoder("chromobius", dem)
    only_heralds = np.zeros((1, dem.num_detectors), dtype=np.bool_)
    only_heralds[0, heralds] = True
    assert not decoder.decode_batch(only_heralds).any()
    assert fails(decoder, circuit, 2000, seed=7) < 400


def test_matching_is_refused_on_the_colour_code_with_a_pointer():
    dem = decoder_dem(color(5, 1e-3))  # stim cannot decompose it: hyperedges kept whole
    with pytest.raises(ValueError, match="use 'chromobius' or 'bposd'"):
        compile_decoder("mwpm", dem)


def test_through_sinter():
    circuit = color(3, 2e-3)
    task = make_task(circuit, decoder="chromobius", json_metadata={"code": "color"})
    dets = pack_bits(circuit.compile_detector_sampler(seed=8).sample(300))
    adapter = SinterDecoder("chromobius").compile_decoder_for_dem(dem=task.detector_error_model)
    np.testing.assert_array_equal(
        adapter.decode_shots_bit_packed(bit_packed_detection_event_data=dets),
        compile_decoder("chromobius", task.detector_error_model).decode_batch(
            dets, bit_packed=True))
    (stats,) = collect([task], num_workers=1, max_shots=500)
    assert stats.shots == 500 and stats.errors < 100


# --- published truth --------------------------------------------------------------------------
PUBLISHED: dict[tuple[str, int, float], tuple[int, int]] = {
    # (basis, d, p): (shots, errors) of sinter rows c = superdense_color_code_<basis>, noise =
    # uniform, r = 4d, decoder chromobius; github.com/quantumlib/chromobius assets/stats.csv at
    # commit bb976be416d2723479f1149a58c4404243d41122 (Gidney & Jones, arXiv:2312.08813).
    ("X", 3, 0.001): (23816, 1008), ("X", 3, 0.003): (5169, 1009), ("X", 3, 0.005): (3124, 1038),
    ("Z", 3, 0.001): (37244, 1001), ("Z", 3, 0.003): (5882, 1050), ("Z", 3, 0.005): (3078, 1008),
    ("X", 5, 0.001): (28865, 1031), ("X", 5, 0.003): (3987, 1005), ("X", 5, 0.005): (2522, 1103),
    ("Z", 5, 0.001): (34731, 1021), ("Z", 5, 0.003): (4089, 1006), ("Z", 5, 0.005): (2371, 1021),
}
FAST = {("X", 3, 0.003), ("Z", 3, 0.003), ("X", 5, 0.003), ("Z", 5, 0.003)}
OFF = ("X", 3, 0.001)  # see the module docstring


def _case(key: tuple[str, int, float]):
    marks = [] if key in FAST else [pytest.mark.slow]
    if key == OFF:
        marks.append(pytest.mark.xfail(strict=True, reason=(
            "published 0.042; the paper's own circuit (same DEM) gives ~0.030 with "
            "chromobius 1.1.1; cause not found")))
    return pytest.param(*key, marks=marks, id="-".join(map(str, key)))


def reproduce(basis: str, d: int, p: float, *, seed: int = 2026) -> tuple[int, int]:
    """(shots, errors) of our circuit + chromobius, shots for ~300 errors at the published rate."""
    shots_pub, errors_pub = PUBLISHED[(basis, d, p)]
    shots = min(60_000, max(2_000, int(300 * shots_pub / errors_pub)))
    circuit = paper_uniform(p).noisy_circuit(
        memory_experiment("color", distance=d, rounds=4 * d, basis=basis).circuit)
    return shots, fails(compile_decoder("chromobius", decoder_dem(circuit)), circuit, shots, seed)


@pytest.mark.parametrize("basis, d, p", [_case(k) for k in PUBLISHED])
def test_reproduces_published_superdense_logical_error(basis, d, p):
    shots, errors = reproduce(basis, d, p)
    shots_pub, errors_pub = PUBLISHED[(basis, d, p)]
    ours, theirs = errors / shots, errors_pub / shots_pub
    sigma = np.sqrt(ours * (1 - ours) / shots + theirs * (1 - theirs) / shots_pub)
    assert abs(ours - theirs) < 4 * sigma, (basis, d, p, ours, theirs, (ours - theirs) / sigma)


def test_error_falls_with_distance_below_threshold():
    p, shots, rates = 1e-3, 20_000, {}
    for d in (3, 5):
        circuit = paper_uniform(p).noisy_circuit(
            memory_experiment("color", distance=d, rounds=5, basis="Z").circuit)
        errors = fails(compile_decoder("chromobius", decoder_dem(circuit)), circuit, shots,
                       seed=9)
        rates[d] = logical_rate(shots=shots, errors=errors, rounds=5)
    assert rates[5].per_shot_ci[1] < rates[3].per_shot_ci[0], (rates[3], rates[5])


THRESHOLD_PUBLISHED: dict[tuple[str, int, float], tuple[int, int]] = {
    # the same source and rows as PUBLISHED, at p = 0.002 ... 0.006 around the crossing
    ("X", 3, 0.002): (8331, 1002), ("X", 3, 0.003): (5169, 1009), ("X", 3, 0.005): (3124, 1038),
    ("X", 3, 0.006): (2740, 1023), ("X", 5, 0.002): (7613, 1010), ("X", 5, 0.003): (3987, 1005),
    ("X", 5, 0.005): (2522, 1103), ("X", 5, 0.006): (2146, 1004),
    ("Z", 3, 0.002): (10847, 1022), ("Z", 3, 0.003): (5882, 1050), ("Z", 3, 0.005): (3078, 1008),
    ("Z", 3, 0.006): (3044, 1125), ("Z", 5, 0.002): (8277, 1002), ("Z", 5, 0.003): (4089, 1006),
    ("Z", 5, 0.005): (2371, 1021), ("Z", 5, 0.006): (2129, 1003),
}
THRESHOLD_PS = (0.002, 0.003, 0.005, 0.006)


def color_crossing(counts: dict, basis: str, *, seed: int):
    """d = 3 / d = 5 per-round crossing of ``counts`` ((basis, d, p) → (shots, errors))."""
    from qec.stats import crossing_with_interval

    curves = {d: [logical_rate(shots=counts[basis, d, p][0], errors=counts[basis, d, p][1],
                               rounds=4 * d) for p in THRESHOLD_PS] for d in (3, 5)}
    return crossing_with_interval(THRESHOLD_PS, curves[3], curves[5], seed=seed)


@pytest.mark.parametrize("basis", ["X", "Z"])
def test_reproduces_published_superdense_threshold(basis):
    # The paper states no threshold figure; its published counts do: the d = 3 and d = 5
    # per-round curves (r = 4d) of the superdense circuit under uniform noise cross near
    # p = 0.4 % (X 0.40 % [0.34, 0.51], Z 0.38 % [0.29, 0.52]; their d = 5 / 7 curves do not
    # cross below 0.7 %: finite-size drift, so the 3 / 5 crossing is the figure). Ours must
    # cross at the same p within the two bootstrap intervals combined (a 95 % test of the
    # difference).
    ours = {}
    for d in (3, 5):
        for p in THRESHOLD_PS:
            key = (basis, d, p)
            shots_pub, errors_pub = THRESHOLD_PUBLISHED[key]
            shots = min(20_000, max(2_000, int(400 * shots_pub / errors_pub)))
            circuit = paper_uniform(p).noisy_circuit(
                memory_experiment("color", distance=d, rounds=4 * d, basis=basis).circuit)
            ours[key] = (shots, fails(compile_decoder("chromobius", decoder_dem(circuit)),
                                      circuit, shots, 31 + d))
    theirs = color_crossing(THRESHOLD_PUBLISHED, basis, seed=1)
    mine = color_crossing(ours, basis, seed=2)
    assert theirs.value is not None and mine.value is not None
    assert 0.003 < theirs.value < 0.005
    half = [(c.interval[1] - c.interval[0]) / 2 for c in (theirs, mine)]
    print(f"{basis}: ours {mine}, published {theirs}")
    assert abs(mine.value - theirs.value) < math.hypot(*half), (mine, theirs)
