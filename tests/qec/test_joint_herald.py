"""A two-qubit gate's erasure is ONE joint heralded event: both qubits erased, one herald fired.

The channel is checked on stim's own Pauli frames (``stim.FlipSimulator``): the 16 two-qubit
Paulis and the herald come out with the frequencies the model says, within 4 binomial sigma.
"""

from __future__ import annotations

import numpy as np
import pytest
import stim

from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem, dem_hypergraph
from qec.noise import (
    HERALD_COORD,
    PAULI2_ORDER,
    PAULI2_WITH_IDENTITY,
    NoiseModel,
    OpNoise,
    TwoQubitNoise,
    herald_detectors,
    herald_mask,
    herald_pairs,
    herald_qubits,
)

# 15 distinct nonzero probabilities (0.004, 0.008, ..., 0.06; total 0.48)
DISTINCT = tuple(0.004 * (k + 1) for k in range(15))


def _frames(model: NoiseModel, shots: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pauli frame index (into ``PAULI2_WITH_IDENTITY``) of qubits (0, 1) after ``CX 0 1``,
    and whether the herald fired, per shot."""
    circuit = model.noisy_circuit(stim.Circuit("R 0 1\nCX 0 1"))
    sim = stim.FlipSimulator(batch_size=shots, disable_stabilizer_randomization=True, seed=seed)
    sim.do(circuit)
    xs, zs, flips, _, _ = sim.to_numpy(output_xs=True, output_zs=True,
                                       output_measure_flips=True)
    letter = xs[:2].astype(np.int64) + 3 * zs[:2].astype(np.int64) - 2 * (xs[:2] & zs[:2])
    # I = 0, X = 1, Z = 3, Y = 1 + 3 - 2 = 2: the "IXYZ" order of PAULI2_WITH_IDENTITY
    index = 4 * letter[0] + letter[1]
    herald = flips[-1] if circuit.num_measurements else np.zeros(shots, dtype=bool)
    return index, herald


def _assert_frequencies(index: np.ndarray, expected: np.ndarray, *, sigmas: float = 4.0) -> None:
    n = index.size
    counts = np.bincount(index, minlength=16)
    sigma = np.sqrt(n * expected * (1 - expected))
    bad = [(PAULI2_WITH_IDENTITY[k], int(counts[k]), round(n * expected[k], 1))
           for k in range(16) if abs(counts[k] - n * expected[k]) > sigmas * sigma[k] + 1e-9]
    assert not bad, f"(Pauli, observed, expected) outside {sigmas} sigma: {bad}"


def test_sampled_paulis_and_herald_match_the_channel():
    erasure = 0.05
    model = NoiseModel(gate_2q=TwoQubitNoise(DISTINCT, erasure))
    shots = 200_000
    index, herald = _frames(model, shots, seed=11)
    # the herald fires with probability `erasure` (once per gate, not once per qubit)
    fired = int(herald.sum())
    assert abs(fired - shots * erasure) < 4 * np.sqrt(shots * erasure * (1 - erasure))
    # not fired: exactly the Pauli channel
    channel = np.array([1 - sum(DISTINCT), *DISTINCT])
    _assert_frequencies(index[~herald], channel)
    # fired: the pair is in a uniformly random two-qubit frame
    _assert_frequencies(index[herald], np.full(16, 1 / 16))


def test_certain_erasure_fires_one_herald_per_gate_and_randomises_both_qubits():
    model = NoiseModel(gate_2q=TwoQubitNoise(erasure=1.0))
    index, herald = _frames(model, 40_000, seed=12)
    assert herald.all()
    _assert_frequencies(index, np.full(16, 1 / 16))
    # one herald per target pair of every two-qubit gate, whatever the layer
    circuit = model.noisy_circuit(stim.Circuit("R 0 1 2 3\nCX 0 1 2 3\nTICK\nCZ 1 2"))
    assert herald_pairs(circuit).tolist() == [[0, 1], [2, 3], [1, 2]]
    det = circuit.compile_detector_sampler(seed=3).sample(500)
    assert det.all()


def test_one_herald_per_failed_gate_not_per_qubit():
    """At erasure 0.3 a gate's heralds number 1 (not 2) and fire with probability 0.3."""
    model = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.3))
    circuit = model.noisy_circuit(stim.Circuit("R 0 1 2 3\nCX 0 1 2 3\nTICK\nCX 1 2"))
    assert circuit.num_detectors == 3  # three gates (pairs), one herald each
    det = circuit.compile_detector_sampler(seed=4).sample(20_000)
    rate = det.mean(axis=0)
    np.testing.assert_allclose(rate, 0.3, atol=4 * np.sqrt(0.3 * 0.7 / 20_000))


def test_flag_qubit_is_no_physical_qubit():
    clean = stim.Circuit("R 0 1 2\nTICK\nCX 0 1\nTICK\nM 0 1 2\nDETECTOR rec[-1]")
    model = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.01), idle=OpNoise(pz=0.02),
                       measure=OpNoise(px=0.03), reset=OpNoise(px=0.04))
    noisy = model.noisy_circuit(clean)
    flag = clean.num_qubits
    assert noisy.num_qubits == clean.num_qubits + 1
    on_flag = {inst.name for inst in noisy.flattened()
               if any(t.value == flag for t in inst.targets_copy()
                      if t.is_qubit_target or t.is_x_target)}
    # only the herald construction touches the flag: no idle, reset or measurement noise
    assert on_flag == {"E", "ELSE_CORRELATED_ERROR", "MR"}
    assert "MR(" not in str(noisy)


def test_chain_probabilities_and_hot_pairs():
    p = 0.08
    model = NoiseModel(gate_2q=TwoQubitNoise(erasure=p), hot=((1, 2.0),))
    noisy = model.noisy_circuit(stim.Circuit("CX 0 1 2 3"))
    chains: list[list[stim.CircuitInstruction]] = [[]]
    for inst in noisy:
        if inst.name == "MR":
            chains.append([])
        elif inst.name in ("E", "ELSE_CORRELATED_ERROR"):
            chains[-1].append(inst)
    chains = [c for c in chains if c]
    assert len(chains) == 2
    for chain, total in zip(chains, (2 * p, p), strict=True):  # the pair (0, 1) is hot
        assert [i.name for i in chain] == ["E"] + ["ELSE_CORRELATED_ERROR"] * 15
        remaining, marginals = 1.0, []
        for inst in chain:
            q = inst.gate_args_copy()[0]
            marginals.append(remaining * q)
            remaining *= 1 - q
        np.testing.assert_allclose(marginals, total / 16, rtol=1e-12)
        paulis = []
        a, b = (0, 1) if total == 2 * p else (2, 3)
        for inst in chain:
            letters = {t.value: "X" if t.is_x_target else "Y" if t.is_y_target else "Z"
                       for t in inst.targets_copy()}
            assert letters.pop(4) == "X"  # the flag qubit is flipped by every term
            assert set(letters) <= {a, b}
            paulis.append(letters.get(a, "I") + letters.get(b, "I"))
        assert tuple(paulis) == PAULI2_WITH_IDENTITY


def test_dem_builds_and_nothing_fires_at_zero_probability():
    exp = memory_experiment("surface", distance=3, rounds=3)
    model = NoiseModel.uniform_depolarizing(1e-3).with_(
        gate_2q=TwoQubitNoise(TwoQubitNoise.depolarizing(1e-3).probs, 0.05))
    noisy = model.noisy_circuit(exp.circuit)
    n_pairs = sum(len(i.targets_copy()) // 2 for i in exp.circuit.flattened()
                  if stim.gate_data(i.name).is_two_qubit_gate)
    dem = decoder_dem(noisy)  # decomposed, approximate_disjoint_errors=True
    assert herald_detectors(dem).size == n_pairs
    np.testing.assert_array_equal(herald_mask(dem), herald_mask(noisy))
    pairs = herald_pairs(dem)
    assert pairs.shape == (n_pairs, 2) and (pairs >= 0).all() and (pairs[:, 0] != pairs[:, 1]).all()
    np.testing.assert_array_equal(herald_qubits(dem), pairs[:, 0])
    coords = dem.get_detector_coordinates()
    assert [coords[int(h)][2] for h in herald_detectors(dem)] == list(range(n_pairs))
    # every mechanism flags at most one herald (the decoders' contract) and compiles
    hyper = dem_hypergraph(dem)
    np.testing.assert_allclose(hyper.herald_columns.astype(float) @ hyper.herald_posteriors, 1.0)
    compile_decoder("mwpm-erasure", dem)
    # the same layout at probability 0 (hot factor 0 everywhere): no detector ever fires
    silent = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.05),
                        hot=tuple((q, 0.0) for q in range(exp.circuit.num_qubits)))
    quiet = silent.noisy_circuit(exp.circuit)
    np.testing.assert_array_equal(herald_mask(quiet), herald_mask(noisy))
    det, obs = quiet.compile_detector_sampler(seed=5).sample(500, separate_observables=True)
    assert not det.any() and not obs.any()


def test_herald_pairs_mixes_single_and_joint_heralds():
    exp = memory_experiment("surface", distance=3, rounds=2, data_noise=OpNoise(erasure=0.02))
    model = NoiseModel(gate_1q=OpNoise(erasure=0.01), gate_2q=TwoQubitNoise(erasure=0.01))
    noisy = model.noisy_circuit(exp.circuit)
    pairs = herald_pairs(noisy)
    coords = noisy.get_detector_coordinates()
    heralds = herald_detectors(noisy)
    assert pairs.shape == (heralds.size, 2)
    for h, (a, b) in zip(heralds, pairs, strict=True):
        c = coords[int(h)]
        assert c[0] == HERALD_COORD and c[1] == a
        assert (b == -1) == (len(c) == 3) and (b == -1 or c[3] == b)
    single = pairs[:, 1] == -1
    assert single.any() and (~single).any()
    assert herald_pairs(stim.Circuit("M 0\nDETECTOR rec[-1]")).shape == (0, 2)


def test_from_paulis_and_product_erasure():
    full = np.array([1 - sum(DISTINCT), *DISTINCT])
    a = TwoQubitNoise.from_paulis(full, erasure=0.1)
    assert a == TwoQubitNoise(DISTINCT, 0.1) == TwoQubitNoise.from_paulis(DISTINCT, erasure=0.1)
    assert a == TwoQubitNoise.from_paulis(dict(zip(PAULI2_WITH_IDENTITY, full, strict=True)),
                                          erasure=0.1)
    assert dict(zip(PAULI2_ORDER, a.probs, strict=True))["ZZ"] == DISTINCT[-1]
    with pytest.raises(ValueError, match="must sum to 1"):
        TwoQubitNoise.from_paulis(full * 0.9)
    with pytest.raises(ValueError, match="must have 16"):
        TwoQubitNoise.from_paulis([0.1] * 3)
    with pytest.raises(ValueError, match="unknown two-qubit Pauli 'ZQ'"):
        TwoQubitNoise.from_paulis({"ZQ": 0.1})
    prod = TwoQubitNoise.product(OpNoise(erasure=0.1), OpNoise(erasure=0.2))
    assert prod.erasure == pytest.approx(1 - 0.9 * 0.8)
    assert TwoQubitNoise.product(OpNoise(pz=0.01)).erasure == 0.0
    model = NoiseModel(gate_2q=prod)
    assert NoiseModel.from_json(model.to_json()) == model
    assert model.scaled(0.5).gate_2q.erasure == pytest.approx(0.14)


def test_fully_mixing_channels_with_round_off_still_build_a_dem():
    """A device decohered to the maximally mixed pair (extreme T1, T2) gives 15 equal Pauli
    probabilities of ~1/16 each; round-off must not push DEPOLARIZE2 past stim's 15/16."""
    import stim

    from qec.noise import NoiseModel, OpNoise, TwoQubitNoise

    p = 1 / 16 + 1e-17
    model = NoiseModel(gate_1q=OpNoise.depolarizing(0.75), gate_2q=TwoQubitNoise((p,) * 15))
    circuit = stim.Circuit("R 0 1\nH 0\nCX 0 1\nM 0 1\nDETECTOR rec[-1] rec[-2]")
    noisy = model.noisy_circuit(circuit)
    assert "DEPOLARIZE2(0.9375)" in str(noisy)
    noisy.detector_error_model(approximate_disjoint_errors=True)
