"""Exhaustive circuit-distance lower bounds (``qec.distance``)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import stim

from qec.distance import DistanceBound, dem_columns, min_weight_lower_bound


def _surface(d: int) -> stim.DetectorErrorModel:
    circuit = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=d,
                                     after_clifford_depolarization=0.001)
    return circuit.detector_error_model()


def _check_witness(dem: stim.DetectorErrorModel, witness: tuple[int, ...]) -> None:
    """The witness, read back from the DEM itself, fires nothing and flips an observable."""
    errors = [inst for inst in dem.flattened() if inst.type == "error"]
    dets: set[int] = set()
    obs: set[int] = set()
    for i in witness:
        for t in errors[i].targets_copy():
            if t.is_relative_detector_id():
                dets ^= {t.val}
            elif t.is_logical_observable_id():
                obs ^= {t.val}
    assert not dets and obs


def _brute_force(dem: stim.DetectorErrorModel, max_weight: int) -> int:
    """Smallest undetectable logical error weight by trying every subset (tiny DEMs only)."""
    dets, obs, _ = dem_columns(dem)
    for w in range(1, max_weight + 1):
        for combo in itertools.combinations(range(len(dets)), w):
            d: set[int] = set()
            o: set[int] = set()
            for c in combo:
                d ^= set(dets[c])
                o ^= set(obs[c])
            if not d and o:
                return w
    return max_weight + 1


def test_surface_d3_distance_is_three_with_a_witness():
    dem = _surface(3)
    assert min_weight_lower_bound(dem, max_weight=2).lower == 3
    bound = min_weight_lower_bound(dem, max_weight=4)
    assert bound.lower == 3 and len(bound.witness) == 3
    _check_witness(dem, bound.witness)
    assert bound.mechanisms == len(dem_columns(dem)[0])


def test_surface_d5_distance_is_five_with_a_witness():
    dem = _surface(5)
    assert min_weight_lower_bound(dem, max_weight=4).lower == 5
    bound = min_weight_lower_bound(dem, max_weight=5)
    assert bound.lower == 5 and len(bound.witness) == 5
    _check_witness(dem, bound.witness)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_random_small_dems_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(20):
        dets = rng.choice(14, size=rng.integers(1, 4), replace=False)
        obs = " L0" if rng.random() < 0.15 else ""
        lines.append("error(0.01) " + " ".join(f"D{d}" for d in dets) + obs)
    dem = stim.DetectorErrorModel("\n".join(lines))
    for w in range(1, 8):  # 6 and 7 use the triple table
        bound = min_weight_lower_bound(dem, max_weight=w, seed=seed)
        assert bound.lower == _brute_force(dem, w)
        if bound.witness is not None:
            _check_witness(dem, bound.witness)


def test_merging_rules_weight_one_and_two():
    one = stim.DetectorErrorModel("error(0.1) D0 D1\nerror(0.1) L0\nerror(0.1) D0")
    assert min_weight_lower_bound(one, max_weight=3).witness == (1,)
    two = stim.DetectorErrorModel("error(0.1) D0 D1\nerror(0.1) D1 D0\nerror(0.1) D0 D1 L0")
    bound = min_weight_lower_bound(two, max_weight=3)
    assert bound.lower == 2 and bound.witness == (0, 2) and bound.mechanisms == 2


def test_hash_collisions_never_make_a_wrong_witness():
    # Distinct seeds draw distinct keys; every witness is checked exactly whatever the keys.
    dem = _surface(3)
    for seed in range(5):
        bound = min_weight_lower_bound(dem, max_weight=3, seed=seed)
        assert bound.lower == 3
        _check_witness(dem, bound.witness)


def test_bb_72_one_round_is_six():
    from bench.bench_bb import distance_lower_bound

    for basis in ("Z", "X"):
        assert distance_lower_bound(distance=6, basis=basis, max_weight=5).lower == 6
        bound = distance_lower_bound(distance=6, basis=basis, max_weight=6)
        assert bound.lower == 6 and len(bound.witness) == 6


def test_result_is_frozen():
    bound = min_weight_lower_bound(_surface(3), max_weight=1)
    assert isinstance(bound, DistanceBound)
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.lower = 7


@pytest.mark.parametrize("kwargs, match", [
    ({"max_weight": 0}, r"max_weight=0 must be an integer in \[1, 12\]"),
    ({"max_weight": 13}, r"max_weight=13"),
    ({"max_weight": 2.5}, r"max_weight=2.5"),
    ({"max_weight": 3, "memory_limit_bytes": 10}, r"memory_limit_bytes=10 must be .*>= 1048576"),
])
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        min_weight_lower_bound(_surface(3), **kwargs)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        min_weight_lower_bound(_surface(3), 3)


@pytest.mark.slow
def test_gross_code_one_round_has_no_logical_error_below_eight():
    from bench.bench_bb import distance_lower_bound

    for basis in ("Z", "X"):
        assert distance_lower_bound(distance=12, basis=basis, max_weight=7).lower == 8


@pytest.mark.parametrize("memory, tables", [(2**20, "singles"), (4 * 2**20, "pairs")])
def test_smaller_tables_give_the_same_bound(memory, tables):
    # 432 columns: pairs need 3 MB, triples 107 MB; both limits search without triples.
    from bench.bench_bb import distance_lower_bound

    bound = distance_lower_bound(distance=6, basis="Z", max_weight=6, memory_limit_bytes=memory)
    assert bound.lower == 6 and len(bound.witness) == 6, tables
