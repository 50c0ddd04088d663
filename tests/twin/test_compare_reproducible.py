"""``compare`` is reproducible and every derived figure carries its interval (issues 13/14):
seeded chunks give the same counts on a rerun, and Λ, the projection and the threshold come
with bootstrap intervals that independent runs agree within."""

from __future__ import annotations

import math

import pytest

from physics.device import REFERENCE_DEVICE, with_overrides
from twin.studies.compare import run_compare

# local gates at 99.9 %: the reference device's surface code is then below threshold (Λ ≈ 2)
DEVICE = with_overrides(REFERENCE_DEVICE, {"node.local_gate_error": 0.001})
GRID = dict(codes=["surface"], distances=[3, 5], decoders=["mwpm"], max_shots=4000,
            max_errors=10**9, target=1e-6, replicates=400)


@pytest.fixture(scope="module")
def runs():
    return {seed: run_compare(DEVICE, seed=seed, **GRID) for seed in (7, 8)} | {
        "again": run_compare(DEVICE, seed=7, **GRID)}


def test_the_same_seed_gives_the_same_counts_and_intervals(runs):
    a, b = runs[7], runs["again"]
    assert [(r.rate.shots, r.rate.errors) for r in a.rows] == \
        [(r.rate.shots, r.rate.errors) for r in b.rows]
    assert a.summaries == b.summaries
    assert any((r.rate.shots, r.rate.errors) != (q.rate.shots, q.rate.errors)
               for r, q in zip(a.rows, runs[8].rows, strict=True))  # the seed matters


def test_lambda_and_projection_carry_intervals_that_reruns_agree_within(runs):
    s7, s8 = runs[7].summaries[0], runs[8].summaries[0]
    for s in (s7, s8):
        lo, hi = s.lam_interval
        assert lo < s.lam < hi
        d_lo, d_hi = s.projected_distance_range
        assert d_lo is not None and d_lo <= s.projected_distance
        assert d_hi is None or s.projected_distance <= d_hi
    half = [(s.lam_interval[1] - s.lam_interval[0]) / 2 for s in (s7, s8)]
    assert abs(s7.lam - s8.lam) < math.hypot(*half)
