"""Transversal CNOT / GHZ between surface patches: determinism, distance, joint decoding."""

import numpy as np
import pytest
import stim

from qec.logical import (
    TransversalExperiment,
    compare_decoding,
    decode_jointly,
    decode_separately,
    ghz_experiment,
    ghz_fidelity,
    joint_dem,
    logical_error,
    observable_flips,
    restrict_dem,
    sample_measurements,
    transversal_cnot_experiment,
)
from qec.logical.transversal import BASES, MODES
from qec.noise import NoiseModel, TwoQubitNoise

SEARCH = dict(dont_explore_detection_event_sets_with_size_above=4,
              dont_explore_edges_with_degree_above=4,
              dont_explore_edges_increasing_symptom_degree=False,
              canonicalize_circuit_errors=True)


def _all_experiments(d=3, rounds=None):
    kw = {} if rounds is None else dict(rounds_before=rounds[0], rounds_after=rounds[1])
    exps = [transversal_cnot_experiment(distance=d, basis=b, mode=m, **kw)
            for b in BASES for m in MODES]
    exps += [ghz_experiment(distance=d, basis=b, **kw) for b in BASES]
    return exps


@pytest.mark.parametrize("rounds", [None, (0, 2), (2, 0), (1, 1)])
def test_noiseless_circuits_fire_nothing(rounds):
    for exp in _all_experiments(3, rounds):
        assert isinstance(exp, TransversalExperiment)
        for circuit in (exp.circuit, exp.patch_circuit):
            assert circuit.num_observables == len(exp.observable_patches)
            det, obs = circuit.compile_detector_sampler(seed=3).sample(
                100, separate_observables=True)
            assert not det.any() and not obs.any(), (exp.kind, exp.mode, exp.basis, rounds)
        assert len(exp.detector_patch) == exp.circuit.num_detectors
        assert len(exp.patch_detector_patch) == exp.patch_circuit.num_detectors


def test_compound_detectors_cross_the_cnot():
    # the joint frame keeps every check; the patch frame loses the X checks of the control
    # (X_a takes X_b, which is random in |0>|0>) on the first round after the CNOT
    exp = transversal_cnot_experiment(distance=3, rounds_before=2, rounds_after=2)
    n_checks = 8
    assert exp.circuit.num_detectors == 2 * (4 + 3 * n_checks + 4)  # first, 3 rounds, final
    assert exp.patch_circuit.num_detectors == exp.circuit.num_detectors - 4


def test_qubits_pairs_and_resources():
    d = 3
    exp = transversal_cnot_experiment(distance=d, rounds_before=2, rounds_after=3)
    a, b = exp.data_qubits
    assert len(a) == len(b) == d * d and set(a).isdisjoint(b)
    assert set(exp.ancilla_qubits[0]).isdisjoint(exp.ancilla_qubits[1])
    assert exp.remote_pairs == frozenset(zip(a, b, strict=True))
    assert exp.local_pairs.isdisjoint(exp.remote_pairs)
    patch = set(a) | set(exp.ancilla_qubits[0])
    assert all((p in patch) == (q in patch) for p, q in exp.local_pairs)
    res = exp.resources
    assert res == {"patches": 2, "qubits": 2 * (2 * d * d - 1), "data": 18, "ancillas": 16,
                   "rounds": 5, "remote_gates": 9, "local_gates": 2 * 24 * 5}
    # noisy_circuit gives the transversal CXs the remote channel, the others the local one
    model = NoiseModel(gate_2q=TwoQubitNoise.depolarizing(0.01),
                       gate_2q_local=TwoQubitNoise.depolarizing(0.0))
    noisy = model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
    noisy_pairs = {tuple(sorted(t.value for t in inst.targets_copy()[i:i + 2]))
                   for inst in noisy.flattened() if inst.name == "DEPOLARIZE2"
                   for i in range(0, len(inst.targets_copy()), 2)}
    assert noisy_pairs == exp.remote_pairs
    ghz = ghz_experiment(distance=d, rounds_before=1, rounds_between=0, rounds_after=1)
    assert ghz.resources["remote_gates"] == 2 * d * d and ghz.cnots == ((0, 1), (1, 2))


@pytest.mark.parametrize("index", range(6))
def test_circuit_distance_is_d(index):
    exp = _all_experiments(3)[index]
    noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit,
                                                                local_pairs=exp.local_pairs)
    assert len(noisy.shortest_graphlike_error()) == 3
    assert len(noisy.search_for_undetectable_logical_errors(**SEARCH)) == 3


def test_circuit_distance_is_5_at_d5():
    for exp in _all_experiments(5):
        noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit,
                                                                    local_pairs=exp.local_pairs)
        assert len(noisy.shortest_graphlike_error()) == 5, (exp.kind, exp.mode, exp.basis)


def test_restrict_dem_marginal():
    dem = stim.DetectorErrorModel("error(0.1) D0 D2 L1\nerror(0.2) D1 L0\n"
                                  "error(0.3) D0 ^ D3 L1\nerror(0.25) D2 L1\ndetector D3")
    sub = restrict_dem(dem, detectors=[2, 0], observables=[1])
    assert sub.num_detectors == 2 and sub.num_observables == 1
    errors = {str(i.targets_copy()): i.args_copy()[0] for i in sub if i.type == "error"}
    # D3 (not kept) leaves its observable to the kept component; D0 D2 L1 -> D0 D1 L0
    assert len(errors) == 3
    merged = restrict_dem(stim.DetectorErrorModel("error(0.1) D0 D5\nerror(0.2) D0 D6"),
                          detectors=[0], observables=[])
    (p,) = [i.args_copy()[0] for i in merged if i.type == "error"]
    assert p == pytest.approx(0.1 + 0.2 - 2 * 0.1 * 0.2)


def test_joint_decoding_beats_separate_decoding_paired():
    """Acceptance: transversal CNOT with correlated decoding beats separate decoding.

    d = 5, d rounds each side, p = 0.3 %, correlated matching for both (seed 11: 194 against
    370 failing shots of 20 000). At d = 3 matching gains nothing from the joint DEM (469
    against 463); a hypergraph decoder does (next test).
    """
    exp = transversal_cnot_experiment(distance=5)
    noise = NoiseModel.uniform_depolarizing(0.003)
    r = compare_decoding(exp, noise, shots=20_000, seed=11)
    assert r.shots == 20_000
    assert r.joint_failures < r.separate_failures
    assert r.only_separate > r.only_joint
    assert r.p_value < 0.01
    # the same shots, decoded through the public pieces, give the same counts
    m = sample_measurements(exp, noise, shots=20_000, seed=11)
    actual = observable_flips(exp, noise, m)
    joint = np.any(decode_jointly(exp, noise, m) != actual, axis=1)
    sep = np.any(decode_separately(exp, noise, m) != actual, axis=1)
    assert (int(joint.sum()), int(sep.sum())) == (r.joint_failures, r.separate_failures)


def test_joint_beats_separate_with_a_hypergraph_decoder():
    # tesseract takes the hyperedges whole: joint decoding wins at d = 3 too (seed 5: 17
    # against 33 failing shots of 2000)
    exp = transversal_cnot_experiment(distance=3)
    r = compare_decoding(exp, NoiseModel.uniform_depolarizing(0.003), shots=2_000, seed=5,
                         decoder="tesseract")
    assert r.joint_failures < r.separate_failures and r.p_value < 0.01


@pytest.mark.parametrize("d", [3, 5])
def test_joint_dem_keeps_every_mechanism_and_the_distance(d):
    exp = transversal_cnot_experiment(distance=d, rounds_before=2, rounds_after=2)
    noise = NoiseModel.uniform_depolarizing(0.002)
    noisy = noise.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
    whole = noisy.detector_error_model(approximate_disjoint_errors=True)
    split = joint_dem(exp, noise)
    assert split.num_detectors == whole.num_detectors
    assert split.num_observables == whole.num_observables

    def symptoms(dem):
        out = []
        for inst in dem.flattened():
            if inst.type == "error":
                ts = [t for t in inst.targets_copy() if not t.is_separator()]
                dets = frozenset(t.val for t in ts if t.is_relative_detector_id())
                obs = frozenset(t.val for t in ts if t.is_logical_observable_id())
                # a decomposition XORs its pieces back together: count each target mod 2
                dets = frozenset(x for x in dets if sum(
                    t.is_relative_detector_id() and t.val == x for t in ts) % 2)
                obs = frozenset(x for x in obs if sum(
                    t.is_logical_observable_id() and t.val == x for t in ts) % 2)
                out.append((round(inst.args_copy()[0], 12), sorted(dets), sorted(obs)))
        return sorted(out)

    assert symptoms(split) == symptoms(whole)
    pieces = [c for inst in split.flattened() if inst.type == "error"
              for c in str(inst).split(")", 1)[1].split("^")]
    assert max(sum(t.startswith("D") for t in c.split()) for c in pieces) <= 2
    assert len(split.shortest_graphlike_error()) == d


def test_same_seed_same_shots():
    exp = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1)
    noise = NoiseModel.uniform_depolarizing(0.01)
    a = sample_measurements(exp, noise, shots=50, seed=5)
    b = sample_measurements(exp, noise, shots=50, seed=5)
    assert a.shape == (50, exp.circuit.num_measurements) and np.array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(distance=4), "distance = 4"),
    (dict(distance=1), "distance = 1"),
    (dict(distance=True), "distance = True"),
    (dict(distance=3, rounds_before=-1), "rounds_before = -1"),
    (dict(distance=3, rounds_after=1.5), "rounds_after = 1.5"),
    (dict(distance=3, basis="Y"), "basis = 'Y'"),
    (dict(distance=3, mode="ghz"), "mode = 'ghz'"),
])
def test_bad_cnot_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        transversal_cnot_experiment(**kwargs)


@pytest.mark.parametrize("kwargs, match", [
    (dict(distance=3, patches=4), "patches = 4"),
    (dict(distance=3, rounds_between=-2), "rounds_between = -2"),
    (dict(distance=6), "distance = 6"),
])
def test_bad_ghz_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ghz_experiment(**kwargs)


def test_bad_decoding_inputs_raise():
    noise = NoiseModel.uniform_depolarizing(0.001)
    bell = transversal_cnot_experiment(distance=3, rounds_before=1, rounds_after=1,
                                       mode="bell")
    m = sample_measurements(bell, noise, shots=10, seed=1)
    with pytest.raises(ValueError, match="observable_patches"):
        decode_separately(bell, noise, m)
    with pytest.raises(ValueError, match="measurements has shape"):
        decode_jointly(bell, noise, m[:, :-1])
    with pytest.raises(ValueError, match="shots = 0"):
        sample_measurements(bell, noise, shots=0, seed=1)
    with pytest.raises(ValueError, match="noise = "):
        sample_measurements(bell, 0.001, shots=1, seed=1)
    with pytest.raises(ValueError, match="experiment = "):
        sample_measurements("bell", noise, shots=1, seed=1)
    erasure = NoiseModel(gate_2q=TwoQubitNoise(erasure=0.01))
    with pytest.raises(ValueError, match="heralded erasure"):
        sample_measurements(bell, erasure, shots=1, seed=1)


@pytest.mark.parametrize("kind", ["bell-Z", "bell-X", "ghz-Z", "ghz-X"])
def test_joint_decoding_corrects_bell_and_ghz(kind):
    mode, basis = kind.split("-")
    if mode == "bell":
        exp = transversal_cnot_experiment(distance=3, basis=basis, mode="bell")
    else:
        exp = ghz_experiment(distance=3, basis=basis)
    noise = NoiseModel.uniform_depolarizing(0.003)
    m = sample_measurements(exp, noise, shots=5_000, seed=2)
    actual = observable_flips(exp, noise, m)
    decoded = np.any(decode_jointly(exp, noise, m) != actual, axis=1)
    raw = np.any(actual, axis=1)  # no decoding: read the observables as they come
    assert decoded.mean() < raw.mean() / 4


def test_bell_pair_error_falls_with_distance():
    noise = NoiseModel.uniform_depolarizing(0.003)
    rates = [logical_error(transversal_cnot_experiment(distance=d, mode="bell", basis="Z"),
                           noise, shots=20_000, seed=8) for d in (3, 5)]
    assert rates[1].per_shot_ci[1] < rates[0].per_shot_ci[0]


def test_ghz_fidelity_bracket():
    f = ghz_fidelity(distance=3, noise=NoiseModel.uniform_depolarizing(0.003), shots=4_000,
                     seed=4)
    assert f.z.shots == f.x.shots == 4_000 and f.z.errors > 0 and f.x.errors > 0
    assert f.bounds == pytest.approx((1 - f.z.per_shot - f.x.per_shot,
                                      1 - max(f.z.per_shot, f.x.per_shot)))
    assert f.interval[0] <= f.bounds[0] <= f.bounds[1] <= f.interval[1] < 1


def test_logical_error_matches_compare_decoding():
    exp = transversal_cnot_experiment(distance=3, rounds_before=2, rounds_after=2)
    noise = NoiseModel.uniform_depolarizing(0.004)
    r = compare_decoding(exp, noise, shots=3_000, seed=9)
    joint = logical_error(exp, noise, shots=3_000, seed=9)
    sep = logical_error(exp, noise, shots=3_000, seed=9, separately=True)
    assert (joint.errors, sep.errors) == (r.joint_failures, r.separate_failures)
    assert joint.rounds == 4


def test_remote_and_local_channels_both_count():
    # a noisier photonic link (remote CXs) than the local gates: joint decoding still wins
    exp = transversal_cnot_experiment(distance=5)
    noise = NoiseModel.uniform_depolarizing(0.002).with_(
        gate_2q=TwoQubitNoise.depolarizing(0.02),
        gate_2q_local=TwoQubitNoise.depolarizing(0.002))
    r = compare_decoding(exp, noise, shots=10_000, seed=3)
    assert r.p_value < 0.01
    quiet = compare_decoding(exp, NoiseModel.uniform_depolarizing(0.002), shots=10_000, seed=3)
    assert r.joint_failures > quiet.joint_failures
