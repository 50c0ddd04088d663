"""Lattice-surgery ZZ / XX measurement: determinism, circuit distance, and its cost against a
same-distance memory under uniform circuit noise.

Normalisation (see ``qec.logical.surgery``): the operation fails when any of its three
observables (the measured ZZ, Z_L of each patch) is wrong; per round p_L = 1 − (1 − P)^(1/R),
R = pre + merge + post rounds. The reference is the same two patches idling for R rounds:
two ``rotated_memory_z`` memories of R rounds, p_ref = 1 − (1 − P_mem)^2 per shot, per round
alike. "Within 2×" is tested strictly: the surgery's upper Wilson bound below twice the
reference's lower bound.
"""

import doctest

import numpy as np
import pytest
import stim

import qec.logical.surgery as surgery_module
from qec.decoders import compile_decoder, decoder_dem
from qec.logical import surgery_experiment
from qec.noise import NoiseModel
from qec.stats import logical_rate, per_round_any


def _wrong(circuit: stim.Circuit, shots: int, seed: int) -> np.ndarray:
    """Per shot and observable, whether MWPM got it wrong: bool (shots, observables)."""
    decoder = compile_decoder("mwpm", decoder_dem(circuit))
    sampler = circuit.compile_detector_sampler(seed=seed)
    out = []
    for start in range(0, shots, 100_000):  # chunks keep the detection events ~40 MB
        det, obs = sampler.sample(min(100_000, shots - start), separate_observables=True)
        out.append(decoder.decode_batch(det) != obs)
    return np.concatenate(out)


def _operation_and_reference(p: float, d: int, shots: int, basis: str = "ZZ"):
    """(surgery LogicalRate of any failure, two-memory reference: per round, (lo, hi))."""
    model = NoiseModel.uniform_depolarizing(p)
    exp = surgery_experiment(distance=d, basis=basis)
    wrong = _wrong(model.noisy_circuit(exp.circuit), shots, seed=10 + d)
    op = logical_rate(shots=shots, errors=int(wrong.any(axis=1).sum()), rounds=exp.rounds)
    memory = stim.Circuit.generated(f"surface_code:rotated_memory_{basis[0].lower()}",
                                    distance=d, rounds=exp.rounds)
    mem = logical_rate(shots=shots, errors=int(_wrong(model.noisy_circuit(memory), shots,
                                                      seed=20 + d).sum()), rounds=exp.rounds)

    def two(q: float) -> float:  # two independent patches idling, per round
        return per_round_any(1.0 - (1.0 - q) ** 2, exp.rounds)

    return op, mem, (two(mem.per_shot), (two(mem.per_shot_ci[0]), two(mem.per_shot_ci[1])))


def _per_round_any_ci(rate):
    return tuple(per_round_any(q, rate.rounds) for q in rate.per_shot_ci)


def test_docstrings():
    assert doctest.testmod(surgery_module).failed == 0


@pytest.mark.parametrize("basis", ["ZZ", "XX"])
@pytest.mark.parametrize("d,merge,pre,post", [(3, None, 1, 1), (3, 1, 2, 3), (5, 2, 1, 1)])
def test_noiseless_circuit_fires_nothing(basis, d, merge, pre, post):
    exp = surgery_experiment(distance=d, merge_rounds=merge, pre_rounds=pre,
                             post_rounds=post, basis=basis)
    det, obs = exp.circuit.compile_detector_sampler(seed=3).sample(
        256, separate_observables=True)
    assert exp.circuit.num_observables == 3
    assert not det.any() and not obs.any()
    assert exp.rounds == pre + (d if merge is None else merge) + post
    NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit).detector_error_model(
        decompose_errors=True)  # raises on a non-deterministic detector


@pytest.mark.parametrize("basis", ["ZZ", "XX"])
@pytest.mark.parametrize("d", [3, 5])
def test_circuit_distance(basis, d, observable_only):
    noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(
        surgery_experiment(distance=d, basis=basis).circuit)
    # every observable, the measured ZZ included, has graphlike distance d at merge_rounds = d
    assert len(noisy.shortest_graphlike_error()) == d
    assert [len(observable_only(noisy, k).shortest_graphlike_error()) for k in range(3)] == [
        d, d, d]


def test_measured_outcome_distance_is_time_like(observable_only):
    # fewer merge rounds: the measured outcome's distance is merge_rounds (measurement errors
    # of one new plaquette through every merge round); the patches' logicals keep d
    for m in (1, 2, 4):
        noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(
            surgery_experiment(distance=5, merge_rounds=m).circuit)
        assert [len(observable_only(noisy, k).shortest_graphlike_error())
                for k in range(3)] == [min(m, 5), 5, 5]


def test_resources():
    exp = surgery_experiment(distance=3, merge_rounds=2, pre_rounds=2, post_rounds=1)
    res = exp.resources
    # two 3x3 patches + a gap of 3; the merged 3x7 patch has 20 measure qubits, d + 1 new
    assert (res["data"], res["ancillas"], res["qubits"]) == (21, 20, 41)
    assert (res["merge_rounds"], res["rounds"], res["new_plaquettes"]) == (2, 5, 4)
    assert res["two_qubit_gates_per_round_separate"] == 2 * 24
    assert res["two_qubit_gates_per_round_merged"] == 4 * 12 + 2 * 8
    assert res["two_qubit_gates_per_round"] == (3 * 48 + 2 * 64) // 5
    assert len(exp.data_qubits) == 21 and len(exp.ancilla_qubits) == 20
    assert len(set(exp.data_qubits) | set(exp.ancilla_qubits)) == 41


@pytest.mark.parametrize("basis", ["ZZ", "XX"])
def test_error_per_operation_falls_with_d_and_costs_within_2x_memory(basis):
    # acceptance, fast: p = 0.3 %, d = 3 vs 5, 20 000 shots each (~0.6 s on 2 cores)
    rates = {}
    for d in (3, 5):
        op, mem, (ref, (ref_lo, _)) = _operation_and_reference(0.003, d, 20_000, basis)
        rates[d] = op
        assert _per_round_any_ci(op)[1] < 2 * ref_lo, (d, op, mem, ref)
    assert rates[5].per_shot_ci[1] < rates[3].per_shot_ci[0], rates


@pytest.mark.slow
@pytest.mark.parametrize("basis", ["ZZ", "XX"])
def test_error_per_operation_low_noise(basis):
    # p = 0.1 %: 10^6 shots per point (d = 5: ~100-200 errors), 7-8 s per basis on 2 cores
    rates = {}
    for d in (3, 5):
        op, mem, (ref, (ref_lo, _)) = _operation_and_reference(0.001, d, 1_000_000, basis)
        rates[d] = op
        assert _per_round_any_ci(op)[1] < 2 * ref_lo, (d, op, mem, ref)
    assert rates[5].per_shot_ci[1] < rates[3].per_shot_ci[0], rates


@pytest.mark.parametrize("basis", ["ZZ", "XX"])
@pytest.mark.parametrize("d,merge", [(3, None), (5, 2)])
def test_every_deterministic_parity_is_covered(basis, d, merge, deterministic_coverage):
    # "all deterministic detectors": the detectors are independent, and with the three
    # observables they span every deterministic parity of the noiseless records
    circuit = surgery_experiment(distance=d, merge_rounds=merge, basis=basis).circuit
    deterministic, det_rank, all_rank = deterministic_coverage(circuit)
    assert det_rank == circuit.num_detectors
    assert all_rank == deterministic == circuit.num_detectors + 3


@pytest.mark.parametrize("kwargs,match", [
    (dict(distance=4), "distance = 4: must be an odd integer >= 3"),
    (dict(distance=1), "distance = 1"),
    (dict(distance=3.0), "distance = 3.0"),
    (dict(distance=3, merge_rounds=0), "merge_rounds = 0: must be an integer >= 1"),
    (dict(distance=3, pre_rounds=0), "pre_rounds = 0: must be an integer >= 1"),
    (dict(distance=3, post_rounds=-1), "post_rounds = -1: must be an integer >= 1"),
    (dict(distance=3, basis="ZX"), "basis = 'ZX': must be 'ZZ' or 'XX'"),
])
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        surgery_experiment(**kwargs)


@pytest.mark.parametrize("basis", ["ZZ", "XX"])
@pytest.mark.parametrize("d,merge", [(3, None), (5, 2)])
def test_modules_and_remote_gates(basis, d, merge):
    exp = surgery_experiment(distance=d, merge_rounds=merge, basis=basis)
    m = d if merge is None else merge
    # by hand: the d plaquettes centred just past the gap on B's side (d − 1 of weight 4 with
    # two gap CNOTs each, one weight-2 boundary one with one) reach the gap (A's) remotely
    assert exp.resources["remote_gates"] == (2 * (d - 1) + 1) * m
    a, b = exp.modules
    assert set(a) | set(b) == set(exp.data_qubits) | set(exp.ancilla_qubits)
    assert not set(a) & set(b)
    assert len(a) > len(b)  # A holds the gap
    coords = exp.circuit.get_final_qubit_coordinates()
    axis = 1 if basis == "ZZ" else 0
    assert all(coords[q][axis] <= 2 * d + 1 for q in a)
    assert all(coords[q][axis] > 2 * d + 1 for q in b)
    total = sum(1 for inst in exp.circuit.flattened() if inst.name == "CX"
                for _ in inst.targets_copy()[::2])
    pairs = exp.local_pairs  # a property: computed on each access
    local = sum(1 for inst in exp.circuit.flattened() if inst.name == "CX"
                for p, q in zip(inst.targets_copy()[::2], inst.targets_copy()[1::2], strict=True)
                if (min(p.value, q.value), max(p.value, q.value)) in pairs)
    assert total - local == exp.resources["remote_gates"]
