"""Stability experiment (Gidney, Quantum 6, 786 (2022)): determinism, time-like distance, and
the logical error falling with the rounds under uniform circuit noise."""

import doctest
import time

import numpy as np
import pytest
import stim

import qec.logical.stability as stability_module
from qec.decoders import compile_decoder, decoder_dem
from qec.logical import LogicalExperiment, stability_experiment
from qec.logical.stability import Plaquette, Step, plaquette_circuit, rectangle_plaquettes
from qec.noise import NoiseModel
from qec.stats import logical_rate


def _failures(circuit: stim.Circuit, shots: int, seed: int) -> int:
    decoder = compile_decoder("mwpm", decoder_dem(circuit))
    det, obs = circuit.compile_detector_sampler(seed=seed).sample(shots,
                                                                  separate_observables=True)
    return int(np.any(decoder.decode_batch(det) != obs, axis=1).sum())


def _rates(p: float, diameter: int, rounds: tuple[int, ...], shots: int, basis: str = "X"):
    model = NoiseModel.uniform_depolarizing(p)
    out = []
    for k, r in enumerate(rounds):
        exp = stability_experiment(diameter=diameter, rounds=r, basis=basis)
        errors = _failures(model.noisy_circuit(exp.circuit), shots, seed=100 + k)
        out.append(logical_rate(shots=shots, errors=errors, rounds=r))
    return out


def test_docstrings():
    assert doctest.testmod(stability_module).failed == 0


@pytest.mark.parametrize("basis", ["X", "Z"])
@pytest.mark.parametrize("diameter,rounds", [(2, 2), (4, 3), (6, 5)])
def test_noiseless_circuit_fires_nothing(basis, diameter, rounds):
    exp = stability_experiment(diameter=diameter, rounds=rounds, basis=basis)
    assert isinstance(exp, LogicalExperiment)
    det, obs = exp.circuit.compile_detector_sampler(seed=1).sample(
        256, separate_observables=True)
    assert not det.any() and not obs.any()
    assert exp.circuit.num_observables == 1
    # deterministic detectors only: stim refuses to build the DEM otherwise
    NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit).detector_error_model(
        decompose_errors=True)


def test_paper_patch_resources():
    # Gidney's Fig. 1: a 4x4 X-type patch, 16 data qubits, twelve X stabilisers
    exp = stability_experiment(diameter=4, rounds=4)
    res = exp.resources
    assert (res["data"], res["stabilisers_of_basis"], res["stabilisers_other"]) == (16, 12, 5)
    assert res["qubits"] == len(exp.data_qubits) + len(exp.ancilla_qubits) == 33
    assert res["two_qubit_gates_per_round"] == 52  # 4·(5 bulk Z + 4 bulk X) + 2·8 boundary
    assert exp.rounds == exp.distance == 4


@pytest.mark.parametrize("basis", ["X", "Z"])
@pytest.mark.parametrize("diameter", [2, 4, 6])
def test_graphlike_distance_is_the_rounds(basis, diameter):
    # time-like distance = rounds at every diameter, also rounds > diameter: no space-like
    # logical exists (the patch has no logical qubit), so the patch never caps the distance
    for rounds in (2, 3, 5, 8):
        exp = stability_experiment(diameter=diameter, rounds=rounds, basis=basis)
        noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit)
        assert len(noisy.shortest_graphlike_error()) == rounds


def test_builder_reproduces_stims_rotated_memory():
    # the shared builder, given stim's d = 3 patch, gives stim's circuit: same qubit indices and
    # coordinates, and the same detector error model under the same noise (up to the time
    # coordinate: stim counts rounds from 0, the builder from 1)
    d, r = 3, 3
    data = tuple((2 * i + 1, 2 * j + 1) for i in range(d) for j in range(d))
    steps = ([Step("reset", "Z", data)] + [Step("round", plaquettes=rectangle_plaquettes(
        0, 0, d, d))] * r + [Step("measure", "Z", data)])
    ours, records, qubit = plaquette_circuit(steps)
    n = ours.num_measurements
    ours.append("OBSERVABLE_INCLUDE",
                [stim.target_rec(records[("d", (2 * i + 1, 1))] - n) for i in range(d)], [0])
    theirs = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=r)
    assert qubit == {tuple(map(int, xy)): q
                     for q, xy in theirs.get_final_qubit_coordinates().items()}
    model = NoiseModel.uniform_depolarizing(1e-3)

    def errors(circuit, t0):
        dem = model.noisy_circuit(circuit).detector_error_model(decompose_errors=True)
        coords = dem.get_detector_coordinates()
        out = []
        for inst in dem.flattened():
            if inst.type != "error":
                continue
            dets = sorted((coords[t.val][0], coords[t.val][1], coords[t.val][2] - t0)
                          for t in inst.targets_copy() if t.is_relative_detector_id())
            obs = sorted(t.val for t in inst.targets_copy() if t.is_logical_observable_id())
            out.append((round(inst.args_copy()[0], 12), tuple(dets), tuple(obs)))
        return sorted(out)

    assert errors(ours, 1) == errors(theirs, 0)


def test_logical_error_falls_with_rounds():
    # acceptance, fast: p = 0.5 %, diameter 6, rounds 2, 4, 6; Wilson intervals separated
    t0 = time.perf_counter()
    rates = _rates(0.005, 6, (2, 4, 6), shots=20_000)
    for hi, lo in zip(rates, rates[1:], strict=False):
        assert lo.per_shot_ci[1] < hi.per_shot_ci[0], (lo, hi)
    assert time.perf_counter() - t0 < 20


def test_logical_error_falls_with_rounds_and_grows_with_the_patch():
    # p = 0.3 %: at every diameter the error falls with the rounds (even rounds: a time-like
    # distance step of 2 each); at fixed rounds a bigger patch has more places for the
    # time-like chains, so its error grows (no space-like logical to suppress)
    by_diameter = {n: _rates(0.003, n, (2, 4, 6), shots=100_000) for n in (4, 8)}
    for rates in by_diameter.values():
        for hi, lo in zip(rates, rates[1:], strict=False):
            assert lo.per_shot_ci[1] < hi.per_shot_ci[0], (lo, hi)
    for small, big in zip(by_diameter[4], by_diameter[8], strict=True):
        assert small.per_shot_ci[1] < big.per_shot_ci[0], (small, big)


@pytest.mark.parametrize("basis", ["X", "Z"])
def test_every_deterministic_parity_is_covered(basis, deterministic_coverage):
    # detectors are independent, and with the observable they span every deterministic
    # parity of the noiseless records: no detector is missing
    circuit = stability_experiment(diameter=4, rounds=3, basis=basis).circuit
    deterministic, det_rank, all_rank = deterministic_coverage(circuit)
    assert det_rank == circuit.num_detectors
    assert all_rank == deterministic == circuit.num_detectors + 1


@pytest.mark.parametrize("kwargs,match", [
    (dict(diameter=3, rounds=3), "diameter = 3: must be an even integer >= 2"),
    (dict(diameter=0, rounds=3), "diameter = 0"),
    (dict(diameter=4.0, rounds=3), "diameter = 4.0"),
    (dict(diameter=True, rounds=3), "diameter = True"),
    (dict(diameter=4, rounds=1), "rounds = 1: must be an integer >= 2"),
    (dict(diameter=4, rounds=3, basis="Y"), "basis = 'Y': must be 'X' or 'Z'"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        stability_experiment(**kwargs)


def test_builder_bad_input():
    with pytest.raises(ValueError, match="kind = 'wait': must be 'reset', 'round' or 'measure'"):
        Step("wait")
    with pytest.raises(ValueError, match="basis = 'Y': must be 'X' or 'Z'"):
        Step("reset", "Y", ((1, 1),))
    with pytest.raises(ValueError, match="basis = 'Y'"):
        Plaquette((2, 2), "Y", frozenset({(1, 1)}))
    with pytest.raises(ValueError, match=r"support = \[\(5, 5\)\]"):
        Plaquette((2, 2), "X", frozenset({(5, 5)}))
    x = Plaquette((2, 2), "X", frozenset({(1, 1)}))
    z = Plaquette((2, 2), "Z", frozenset({(1, 1)}))
    with pytest.raises(ValueError, match=r"center = \(2, 2\): basis 'X' in one round"):
        plaquette_circuit([Step("reset", "Z", ((1, 1),)), Step("round", plaquettes=(x,)),
                           Step("round", plaquettes=(z,))])


def test_one_module_no_remote_gates():
    exp = stability_experiment(diameter=4, rounds=3)
    assert len(exp.modules) == 1
    assert set(exp.modules[0]) == set(exp.data_qubits) | set(exp.ancilla_qubits)
    assert exp.resources["remote_gates"] == 0
    assert len(exp.local_pairs) == exp.resources["two_qubit_gates_per_round"]  # each CX once


def test_bad_module_map():
    exp = stability_experiment(diameter=2, rounds=2)
    qubits = exp.data_qubits + exp.ancilla_qubits
    n = len(qubits)
    for modules, match in [((qubits[:-1],), "0 unknown, 1 missing"),
                           ((qubits, qubits[:1]), f"exactly once; got {n + 1} entries, 0 unk"),
                           ((qubits + (999,),), "1 unknown, 0 missing")]:
        with pytest.raises(ValueError, match=f"modules = .*{match}"):
            LogicalExperiment("x", exp.circuit, exp.data_qubits, exp.ancilla_qubits, 2, 2,
                              modules=modules)


def test_builder_docstrings():
    import qec.logical._plaquettes as plaquettes_module

    assert doctest.testmod(plaquettes_module).failed == 0


def test_stability_threshold_is_the_memory_threshold():
    # the stability and the memory experiment decode the same bulk (the same 3D matching
    # problem, only the boundaries differ), so their thresholds coincide up to finite-size
    # drift; measured with 20 000 shots at 8 values of p in [0.4 %, 1.2 %]: stability
    # (diameter = rounds, 4 vs 8) 0.95 % [0.92, 1.00], memory (5 vs 9, rounds = d) 0.85 %
    # [0.80, 0.90] under the same uniform depolarising noise
    from qec.stats import crossing_with_interval

    ps = [0.006, 0.008, 0.010, 0.012]

    def fails(circuit: stim.Circuit, seed: int, shots: int = 8000):
        dem = decoder_dem(circuit)
        det, obs = circuit.compile_detector_sampler(seed=seed).sample(
            shots, separate_observables=True)
        pred = compile_decoder("mwpm", dem).decode_batch(det)
        return logical_rate(shots=shots, errors=int((pred != obs).any(axis=1).sum()), rounds=1)

    def stab(n: int, p: float):
        return fails(NoiseModel.uniform_depolarizing(p).noisy_circuit(
            stability_experiment(diameter=n, rounds=n).circuit), seed=n + int(1e4 * p))

    def mem(d: int, p: float):
        return fails(stim.Circuit.generated(
            "surface_code:rotated_memory_x", distance=d, rounds=d,
            after_clifford_depolarization=p, before_measure_flip_probability=p,
            after_reset_flip_probability=p), seed=100 + d + int(1e4 * p))

    s = crossing_with_interval(ps, [stab(4, p) for p in ps], [stab(8, p) for p in ps], seed=1)
    m = crossing_with_interval(ps, [mem(5, p) for p in ps], [mem(9, p) for p in ps], seed=1)
    assert s.value is not None and m.value is not None
    assert abs(s.value - m.value) < 0.2 * m.value, (s, m)
