"""A long twin run keeps its memory flat (``bench.bench_soak``; slow: ~1 min)."""

from __future__ import annotations

import pytest

# Allowed RSS growth from 20 % to 100 % of a 4000-window run (3200 windows). The loop keeps
# nothing per window (caches are bounded: ≤ 65 experiments, ≤ 17 decoders, herald layouts per
# structure, physics-cache nodes of the OU drift's bounded range), so after warm-up RSS moves
# only by allocator noise: measured +0.02 to +0.4 MiB over runs of 2000 and 10^4 windows. A leak
# of 1 KiB per window (one telemetry row's dict, a few packed syndromes) would add 3.1 MiB over
# the 3200 windows, so 3 MiB catches anything of that size while leaving room for the noise.
GROWTH_BOUND_MIB = 3.0


@pytest.mark.slow
def test_long_run_keeps_memory_flat():
    from bench.bench_soak import measure

    res = measure(windows=4000, shots=100, controller="periodic")
    assert res["growth_20_100_mib"] <= GROWTH_BOUND_MIB, res["samples"]
    assert abs(res["slope_mib_per_1000"]) <= GROWTH_BOUND_MIB / 3.2, res["samples"]
    assert res["windows_per_s"] > 0
