"""Herald-conditioned detection fractions (``control.conditioning``).

Oracle: a dense, unpacked recount of the same shots. QEC truth: what remains once the
detectors next to each fired herald are left out is the detection rate of the same circuit
without erasures (the heralds say where every erasure was), with a smaller standard error.
"""

import functools

import numpy as np
import pytest

from control.ai import detector_groups
from control.conditioning import GroupCounter, HeraldNeighbours
from control.estimators import EdgeModel, dem_detector_rates
from qec.codes import memory_experiment
from qec.decoders import decoder_dem
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise


def _model(erasure: float) -> NoiseModel:
    return NoiseModel(gate_1q=OpNoise.depolarizing(1e-3),
                      gate_2q=TwoQubitNoise((2e-3 / 15,) * 15, erasure),
                      measure=OpNoise(px=1e-3))


@functools.cache
def _setup(distance: int = 3, erasure: float = 5e-3):
    circuit = memory_experiment("surface", distance=distance, rounds=distance).circuit
    noisy = _model(erasure).noisy_circuit(circuit)
    dem = decoder_dem(noisy)
    groups = detector_groups(EdgeModel.from_dem(dem))
    return circuit, noisy, dem, groups, HeraldNeighbours.from_dem(dem)


def group_fractions(packed, groups, *, neighbours=None):
    """(fractions, noises) of the whole of ``packed``, shape (groups,) each."""
    fractions, noises = GroupCounter.build(groups, neighbours=neighbours).fractions(packed)
    return fractions[0], noises[0]


def _dense(packed, dem, groups, neighbours):
    n = dem.num_detectors
    dets = np.unpackbits(packed, axis=1, count=n, bitorder="little").astype(bool)
    out = np.zeros_like(dets)
    for i, h in enumerate(neighbours.heralds):
        near = neighbours.indices[neighbours.indptr[i]:neighbours.indptr[i + 1]]
        out[np.ix_(np.flatnonzero(dets[:, h]), near)] = True
    fractions = []
    for g in groups:
        mask = np.unpackbits(g, count=n, bitorder="little").astype(bool)
        keep = ~out[:, mask]
        fractions.append(dets[:, mask][keep].mean())
    return np.array(fractions)


@pytest.mark.parametrize("distance", [3, 5])
def test_counts_match_a_dense_recount(distance):
    _, noisy, dem, groups, neighbours = _setup(distance)
    packed = noisy.compile_detector_sampler(seed=11).sample(3000, bit_packed=True)
    fractions, _ = group_fractions(packed, groups, neighbours=neighbours)
    np.testing.assert_allclose(fractions, _dense(packed, dem, groups, neighbours), rtol=1e-12)
    plain, _ = group_fractions(packed, groups)
    dets = np.unpackbits(packed, axis=1, count=dem.num_detectors, bitorder="little")
    for f, g in zip(plain, groups, strict=True):
        mask = np.unpackbits(g, count=dem.num_detectors, bitorder="little").astype(bool)
        assert f == pytest.approx(dets[:, mask].mean(), rel=1e-12)


def test_split_counts_each_part_on_its_own():
    _, noisy, _, groups, neighbours = _setup()
    packed = noisy.compile_detector_sampler(seed=12).sample(2001, bit_packed=True)
    counter = GroupCounter.build(groups, neighbours=neighbours)
    (first, second), _ = counter.fractions(packed, split=700)
    np.testing.assert_allclose(first, counter.fractions(packed[:700])[0][0], rtol=1e-12)
    np.testing.assert_allclose(second, counter.fractions(packed[700:])[0][0], rtol=1e-12)


def test_conditioning_removes_the_erasures_and_their_noise():
    circuit, noisy, dem, groups, neighbours = _setup(erasure=1e-2)
    packed = noisy.compile_detector_sampler(seed=13).sample(40_000, bit_packed=True)
    cond, cond_noise = group_fractions(packed, groups, neighbours=neighbours)
    plain, plain_noise = group_fractions(packed, groups)
    # the same circuit without erasures: exact per-detector rates from its DEM
    clean = dem_detector_rates(decoder_dem(_model(0.0).noisy_circuit(circuit)))
    n_clean = clean.size  # its detectors are the non-herald ones, in the same order
    keep = np.ones(dem.num_detectors, bool)
    keep[neighbours.heralds] = False
    for f, p, g in zip(cond, plain, groups, strict=True):
        mask = np.unpackbits(g, count=dem.num_detectors, bitorder="little").astype(bool)
        truth = clean[mask[keep][:n_clean]].mean()
        assert p > 1.5 * truth  # the erasures make a large part of the plain rate
        # (within 8 %: bulk detectors, which fire more, are also left out more often, which
        # weights what remains slightly toward the quieter boundary detectors: ~4 % here)
        assert f == pytest.approx(truth, rel=0.08)
    assert np.all(cond_noise < 0.8 * plain_noise)


def test_a_joint_herald_neighbours_both_qubits_of_its_gate():
    """One herald per failed two-qubit gate; conditioning on it leaves out both qubits'
    detectors."""
    import stim

    from qec.noise import herald_detectors, herald_pairs

    clean = stim.Circuit("R 0 1 2\nCX 0 1\nM 0 1 2\nDETECTOR rec[-3]\nDETECTOR rec[-2]\n"
                         "DETECTOR rec[-1]")
    dem = decoder_dem(NoiseModel(gate_2q=TwoQubitNoise(erasure=0.1)).noisy_circuit(clean))
    neighbours = HeraldNeighbours.from_dem(dem)
    assert neighbours.heralds.tolist() == herald_detectors(dem).tolist() == [0]
    assert herald_pairs(dem).tolist() == [[0, 1]]
    assert neighbours.indices.tolist() == [1, 2]  # qubits 0 and 1, not the spectator 2
