"""Pair-statistics estimator: exact formulas, streaming counts, shrinkage, accuracy, hot node.

Accuracy is measured against ``dem_marginal_truth`` of the true (non-decomposed) DEM: the
relative error |p̂ − p| / p over the pairs whose truth is ≥ ``FLOOR`` = 1e-4 (at d = 5,
p = 0.1 % every pair is above it: the smallest truth is 5.3e-4, so no pair is left out). The
accuracy figures use the raw estimate (``pseudo_count=0``): shrinkage toward a prior equal to
the truth would flatter them.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import stim

from control.estimators import (
    EdgeModel,
    Estimate,
    PairCounter,
    boundary_probabilities,
    dem_detector_rates,
    dem_marginal_truth,
    estimate,
    pair_probabilities,
    reweighted_dem,
)
from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise, herald_detectors

FLOOR = 1e-4


# --- fixtures -------------------------------------------------------------------------------
@functools.cache
def _experiment(d: int):
    return memory_experiment("surface", distance=d, rounds=d,
                             data_noise=OpNoise.depolarizing(0.001))


@functools.cache
def _central_ancilla(d: int) -> int:
    exp = _experiment(d)
    coords = exp.circuit.get_final_qubit_coordinates()
    cx = np.mean([c[0] for c in coords.values()])
    cy = np.mean([c[1] for c in coords.values()])
    return min(exp.ancilla_qubits,
               key=lambda q: (coords[q][0] - cx) ** 2 + (coords[q][1] - cy) ** 2)


@functools.cache
def _circuit(d: int, p: float, *, erasure: float = 0.0, hot: float = 0.0) -> stim.Circuit:
    """Surface Z memory, d rounds, stim's four uniform knobs at p (data noise p too)."""
    exp = memory_experiment("surface", distance=d, rounds=d, data_noise=OpNoise.depolarizing(p))
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    if hot:
        model = model.with_(hot=((_central_ancilla(d), hot),))
    return model.noisy_circuit(exp.circuit)


@functools.cache
def _nominal(d: int, p: float, erasure: float = 0.0):
    dem = decoder_dem(_circuit(d, p, erasure=erasure))
    return dem, EdgeModel.from_dem(dem)


def _counter(circuit: stim.Circuit, edges: EdgeModel, shots: int, seed: int,
             **options) -> PairCounter:
    counter = PairCounter(edges, **options)
    counter.update(circuit.compile_detector_sampler(seed=seed).sample(shots, bit_packed=True))
    return counter


def _tiny_edges() -> EdgeModel:
    """Three detectors: edges (0, 1), (1, 2); boundary terms on 0 and 2."""
    return EdgeModel(np.array([[0, 1], [1, 2]]), np.array([0, 2]), np.array([0.01, 0.02]),
                     np.array([0.005, 0.004]), 3, np.ones(3, bool))


def _xor(*ps: float) -> float:
    out = 0.0
    for p in ps:
        out = out + p - 2 * out * p
    return out


# --- exact formulas -------------------------------------------------------------------------
def test_pair_formula_exact_for_one_independent_edge():
    """Exact moments of x_i = e ⊕ a, x_j = e ⊕ b give back P(e) to machine precision."""
    p, a, b = np.meshgrid([1e-4, 1e-3, 0.02, 0.2, 0.45], [0.0, 1e-3, 0.05, 0.3],
                          [0.0, 2e-3, 0.1, 0.4], indexing="ij")
    p, a, b = p.ravel(), a.ravel(), b.ravel()
    mi = p + a - 2 * p * a
    mj = p + b - 2 * p * b
    mij = p * (1 - a) * (1 - b) + (1 - p) * a * b
    np.testing.assert_allclose(pair_probabilities(mi, mj, mij), p, rtol=1e-9, atol=1e-13)
    # independent detectors (no common mechanism): zero
    np.testing.assert_allclose(pair_probabilities(a, b, a * b), 0.0, atol=1e-12)


def test_pair_formula_clips_invalid_noise():
    """Negative covariance, a vanishing denominator or rates ≥ ½ give values in [0, ½]."""
    mi = np.array([0.01, 0.5, 0.6, 0.3, 0.0])
    mj = np.array([0.01, 0.5, 0.6, 0.3, 0.0])
    mij = np.array([0.0, 0.0, 0.1, 0.3, 0.0])
    out = pair_probabilities(mi, mj, mij)
    assert np.all(np.isfinite(out)) and np.all((out >= 0) & (out <= 0.5))
    assert out[0] == 0.0  # anticorrelated by noise → no edge
    assert out[4] == 0.0


def test_boundary_formula_exact():
    """x_0 = e01 ⊕ b0, x_1 = e01 ⊕ e12, x_2 = e12 ⊕ b2: boundary terms recovered exactly."""
    edges = _tiny_edges()
    e01, e12, b0, b2 = 0.013, 0.021, 0.007, 0.0031
    means = np.array([_xor(e01, b0), _xor(e01, e12), _xor(e12, b2)])
    out = boundary_probabilities(edges, means, np.array([e01, e12]))
    np.testing.assert_allclose(out, [b0, b2], rtol=1e-10)


# --- streaming counts -----------------------------------------------------------------------
def test_counter_matches_dense_moments():
    """Bit-packed counts equal the dense ones, for shots not a multiple of 64."""
    rng = np.random.default_rng(11)
    n_det = 21
    pairs = np.array([(i, j) for i in range(n_det) for j in range(i + 1, n_det)
                      if rng.random() < 0.3])
    edges = EdgeModel(pairs, np.array([0, 5]), np.full(len(pairs), 0.01), np.full(2, 0.01),
                      n_det, np.ones(n_det, bool))
    bits = rng.random((1001, n_det)) < rng.uniform(0.01, 0.6, n_det)
    counter = PairCounter(edges)
    counter.update(np.packbits(bits, axis=1, bitorder="little"))
    assert counter.shots == 1001
    np.testing.assert_allclose(counter.means(), bits.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(counter.pair_means(),
                               (bits[:, pairs[:, 0]] & bits[:, pairs[:, 1]]).mean(axis=0),
                               rtol=1e-12)


def test_counter_rejects_wrong_shape():
    counter = PairCounter(_tiny_edges())
    with pytest.raises(ValueError, match="packed detections"):
        counter.update(np.zeros((10, 2), np.uint8))
    with pytest.raises(ValueError, match="forgetting"):
        PairCounter(_tiny_edges(), forgetting=0.0)


def test_forgetting_effective_shots_and_weights():
    """Effective shots → shots / (1 − f); the past fades as f per window; f = 1 accumulates."""
    edges = _tiny_edges()
    ones = np.packbits(np.ones((100, 3), bool), axis=1, bitorder="little")
    zeros = np.zeros((100, 1), np.uint8)
    f = 0.9
    counter = PairCounter(edges, forgetting=f)
    for _ in range(200):
        counter.update(zeros)
    assert counter.shots == pytest.approx(100 / (1 - f), rel=1e-6)
    counter.update(ones)  # a new window weighs 100 against the past's 900 × 0.9 ...
    np.testing.assert_allclose(counter.means(), 100 / (100 + f * 1000), rtol=1e-6)
    plain = PairCounter(edges)
    for _ in range(5):
        plain.update(zeros)
    plain.update(ones)
    assert plain.shots == 600
    np.testing.assert_allclose(plain.means(), 1 / 6)
    np.testing.assert_allclose(plain.pair_means(), 1 / 6)


# --- shrinkage ------------------------------------------------------------------------------
def test_shrinkage_prior_for_small_data_for_large():
    d, p = 3, 0.003
    dem, edges = _nominal(d, p)
    hot = _circuit(d, p, hot=10.0)  # data unlike the prior
    counter = _counter(hot, edges, 2000, seed=3)
    raw = estimate(counter, pseudo_count=0)
    small = estimate(counter, pseudo_count=1e12)  # n ≪ k
    large = estimate(counter, pseudo_count=1.0)  # n ≫ k
    np.testing.assert_allclose(small.p_pairs, edges.prior_pairs, rtol=1e-5)
    np.testing.assert_allclose(small.p_boundary, edges.prior_boundary, rtol=1e-5)
    assert small.scale == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(large.p_pairs, raw.p_pairs, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(large.p_boundary, raw.p_boundary, rtol=1e-3, atol=1e-5)
    # in between: the weighted mean
    mid = estimate(counter, pseudo_count=2000)
    np.testing.assert_allclose(mid.p_pairs, 0.5 * (raw.p_pairs + edges.prior_pairs))
    # before any shot: the prior
    empty = estimate(PairCounter(edges))
    assert isinstance(empty, Estimate) and empty.shots == 0
    np.testing.assert_array_equal(empty.p_pairs, edges.prior_pairs)


# --- the edge model -------------------------------------------------------------------------
def test_edge_model_from_dem_priors_match_truth():
    d, p = 3, 0.002
    dem, edges = _nominal(d, p)
    assert edges.num_detectors == dem.num_detectors and edges.detector_mask.all()
    assert np.all(edges.pairs[:, 0] < edges.pairs[:, 1])
    assert len(np.unique(edges.pairs, axis=0)) == edges.num_pairs
    truth = dem_marginal_truth(_circuit(d, p).detector_error_model(), edges)
    np.testing.assert_allclose(edges.prior_pairs, truth, rtol=1e-9)
    assert np.all(edges.prior_pairs > 0) and np.all(edges.prior_boundary > 0)


def test_edge_model_excludes_heralds():
    dem, edges = _nominal(3, 0.002, erasure=0.01)
    heralds = herald_detectors(dem)
    assert heralds.size > 0
    assert not np.isin(edges.pairs, heralds).any()
    assert not np.isin(edges.boundary, heralds).any()
    assert np.array_equal(np.flatnonzero(~edges.detector_mask), heralds)


# --- accuracy -------------------------------------------------------------------------------
def _median_relative_error(shots: int, seed: int) -> tuple[float, Estimate, np.ndarray]:
    d, p = 5, 0.001
    circuit = _circuit(d, p)
    _, edges = _nominal(d, p)
    truth = dem_marginal_truth(circuit.detector_error_model(), edges)
    est = estimate(_counter(circuit, edges, shots, seed), pseudo_count=0)
    keep = truth >= FLOOR
    assert keep.all()  # every pair is above the floor here (smallest ≈ 5.3e-4)
    rel = np.abs(est.p_pairs[keep] / truth[keep] - 1)
    return float(np.median(rel)), est, truth


def test_accuracy_d5_1e5_shots():
    """Acceptance: median relative error of the pairs ≤ 10 % at 10⁵ shots, d = 5, p = 0.1 %."""
    err, est, truth = _median_relative_error(100_000, seed=2024)
    assert err <= 0.10
    assert est.scale == pytest.approx(1.0, abs=0.05)
    circuit = _circuit(5, 0.001)
    rates = dem_detector_rates(circuit.detector_error_model())
    assert est.detection_rate == pytest.approx(rates.mean(), rel=0.03)
    assert est.herald_rate == 0.0
    np.testing.assert_allclose(est.per_detector, rates, rtol=0.15)


def test_scale_tracks_global_noise():
    """Data at 2p against priors at p: scale ≈ 2 (raw) and shrunk toward 1 by pseudo counts."""
    _, edges = _nominal(5, 0.001)
    counter = _counter(_circuit(5, 0.002), edges, 50_000, seed=9)
    raw = estimate(counter, pseudo_count=0)
    assert raw.scale == pytest.approx(2.0, rel=0.1)
    shrunk = estimate(counter, pseudo_count=50_000)
    assert shrunk.scale == pytest.approx(0.5 * (raw.scale + 1.0))


# --- re-weighted DEM ------------------------------------------------------------------------
def _logical_errors(dem: stim.DetectorErrorModel, det: np.ndarray, obs: np.ndarray,
                    name: str = "mwpm") -> np.ndarray:
    pred = compile_decoder(name, dem).decode_batch(det)
    return np.any(pred != obs, axis=1)


def test_reweighted_dem_identity_at_prior():
    """An estimate equal to the prior gives back the same probabilities and structure."""
    dem, edges = _nominal(3, 0.002)
    out = reweighted_dem(dem, edges, estimate(PairCounter(edges)))
    flat = dem.flattened()
    assert out.num_detectors == dem.num_detectors
    assert out.num_observables == dem.num_observables
    assert out.get_detector_coordinates() == dem.get_detector_coordinates()
    assert len(out) == len(flat)
    for a, b in zip(out, flat, strict=True):
        assert a.type == b.type and a.targets_copy() == b.targets_copy()
        if a.type == "error":
            assert a.args_copy()[0] == pytest.approx(b.args_copy()[0], rel=1e-9)


def test_reweighted_dem_heralded_circuit_decodes():
    """Heralds are carried through untouched and the result decodes like the true DEM."""
    d, p, erasure = 3, 0.003, 0.01
    circuit = _circuit(d, p, erasure=erasure)
    dem, edges = _nominal(d, p, erasure)
    est = estimate(_counter(circuit, edges, 20_000, seed=4))
    assert est.herald_rate > 0
    out = reweighted_dem(dem, edges, est)
    assert out.num_detectors == circuit.num_detectors
    assert out.num_observables == circuit.num_observables
    assert np.array_equal(herald_detectors(out), herald_detectors(dem))
    assert out.get_detector_coordinates() == dem.get_detector_coordinates()
    # every error keeps its targets (heralds and decomposition included)
    assert [i.targets_copy() for i in out if i.type == "error"] == \
        [i.targets_copy() for i in dem.flattened() if i.type == "error"]
    det, obs = circuit.compile_detector_sampler(seed=5).sample(20_000,
                                                               separate_observables=True)
    for name in ("mwpm", "mwpm-erasure"):
        ours = _logical_errors(out, det, obs, name).mean()
        true = _logical_errors(dem, det, obs, name).mean()
        assert ours <= 1.1 * true + 2e-3, name


# --- hot node -------------------------------------------------------------------------------
def test_hot_node_edges_stand_out():
    """A 10× hot ancilla: its measurement (time-like) edges come out ~10×, the rest ~1×."""
    d, p = 5, 0.001
    _, edges = _nominal(d, p)
    circuit = _circuit(d, p, hot=10.0)
    truth = dem_marginal_truth(circuit.detector_error_model(), edges)
    est = estimate(_counter(circuit, edges, 100_000, seed=6), pseudo_count=0)
    q = _central_ancilla(d)
    xy = tuple(circuit.get_final_qubit_coordinates()[q])
    coords = circuit.get_detector_coordinates()
    at_q = np.array([tuple(coords[k][:2]) == xy for k in range(circuit.num_detectors)])
    timelike = at_q[edges.pairs[:, 0]] & at_q[edges.pairs[:, 1]]
    away = ~(at_q[edges.pairs[:, 0]] | at_q[edges.pairs[:, 1]])
    assert timelike.sum() == d
    ratio = est.p_pairs / edges.prior_pairs
    np.testing.assert_allclose(truth[timelike] / edges.prior_pairs[timelike], 9.8, rtol=0.05)
    assert np.median(ratio[timelike]) == pytest.approx(9.8, rel=0.15)
    assert np.median(ratio[away]) == pytest.approx(1.0, abs=0.2)
    # pair by pair, the estimate follows the truth
    assert np.median(np.abs(est.p_pairs / truth - 1)) <= 0.1


def _hot_node_decoders(d: int, p: float, train: int, test: int, *,
                       pseudo_count: float = 2e4) -> dict[str, float]:
    circuit = _circuit(d, p, hot=10.0)
    dem, edges = _nominal(d, p)
    est = estimate(_counter(circuit, edges, train, seed=12), pseudo_count=pseudo_count)
    det, obs = circuit.compile_detector_sampler(seed=13).sample(test, separate_observables=True)
    return {name: float(_logical_errors(model, det, obs).mean()) for name, model in
            (("nominal", dem), ("oracle", decoder_dem(circuit)),
             ("estimated", reweighted_dem(dem, edges, est)))}


def test_hot_node_decoder_close_to_oracle():
    """Acceptance: estimated priors (10⁵ shots) bring the logical error within 10 % of the oracle.

    d = 5, p = 0.5 % (a logical error rate that 10⁵ fresh shots resolve: ~3 000 errors, the same
    shots for every decoder), one ancilla 10× hot; the nominal decoder is ~20 % worse.
    """
    pl = _hot_node_decoders(5, 0.005, 100_000, 100_000)
    assert pl["nominal"] >= 1.1 * pl["oracle"]  # the hot node matters
    assert pl["estimated"] <= 1.1 * pl["oracle"]


@pytest.mark.slow
@pytest.mark.parametrize(("d", "p", "train", "pseudo_count"), [
    (5, 0.003, 100_000, 2e4),
    (5, 0.005, 10_000, 0.0),
    (5, 0.003, 10_000, 0.0),
])
def test_hot_node_decoder_close_to_oracle_slow(d, p, train, pseudo_count):
    """As above on 10⁶ fresh shots, also from 10⁴ training shots (raw estimate)."""
    pl = _hot_node_decoders(d, p, train, 1_000_000, pseudo_count=pseudo_count)
    assert pl["nominal"] >= 1.1 * pl["oracle"]
    assert pl["estimated"] <= 1.1 * pl["oracle"]


def test_skipping_herald_counts_leaves_every_pair_and_detector_estimate_unchanged():
    """count_heralds=False (what the ai uses: it reads the herald bits itself) skips the bytes
    that hold only herald detectors; the pair and non-herald counts stay exact."""
    d, p, erasure = 3, 0.003, 0.01
    circuit = _circuit(d, p, erasure=erasure)
    _, edges = _nominal(d, p, erasure)
    full = _counter(circuit, edges, 5000, seed=9)
    lean = _counter(circuit, edges, 5000, seed=9, count_heralds=False)
    assert np.array_equal(full.pair_means(), lean.pair_means())
    mask = edges.detector_mask
    np.testing.assert_array_equal(full.means()[mask], lean.means()[mask])
    assert np.isnan(lean.means()[~mask]).any() and not np.isnan(full.means()).any()
    a, b = estimate(full), estimate(lean)
    np.testing.assert_array_equal(a.p_pairs, b.p_pairs)
    np.testing.assert_array_equal(a.p_boundary, b.p_boundary)
    assert a.herald_rate > 0 and np.isnan(b.herald_rate)
