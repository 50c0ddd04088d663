"""``compare`` per logical qubit (issue 13): a block of k logical qubits against k patches, the
distances and decoders each code runs, and the figures it prints."""

from __future__ import annotations

import math

import pytest

from qec.stats import logical_rate
from twin.studies.compare import (
    CompareRow,
    code_decoders,
    code_distances,
    default_codes,
    per_logical,
    validate_grid,
)


@pytest.mark.parametrize("eps", [1e-9, 1e-4, 0.05, 0.3])
@pytest.mark.parametrize("k", [1, 8, 12])
def test_per_logical_inverts_independent_failures(eps, k):
    # k independent qubits each failing with ε_L fail as a block with 1 − (1 − ε_L)^k
    e = per_logical(eps, k)
    assert 1 - (1 - e) ** k == pytest.approx(eps, rel=1e-9)
    assert e <= eps and (k > 1 or e == eps)
    assert e == pytest.approx(eps / k, rel=eps * k)  # ≈ ε/k when small


def test_per_logical_edges():
    assert per_logical(0.0, 12) == 0.0
    assert per_logical(1.0, 12) == 1.0


def test_row_figures_are_per_logical_qubit():
    rate = logical_rate(shots=10_000, errors=120, rounds=12)
    row = CompareRow("bb", 12, "bposd", "Z", 12, rate, 288, 288, 1.0, logical_qubits=12,
                     remote_gates_per_round=288)
    js = row.to_json()
    assert js["qubits_per_logical"] == 24 and js["modes_per_logical"] == 24
    assert js["remote_gates_per_round_per_logical"] == 24
    lo, hi = js["ler_per_logical_ci"]
    assert lo < js["ler_per_round_per_logical"] < hi
    assert js["ler_per_round_per_logical"] == pytest.approx(
        -math.expm1(math.log1p(-rate.per_round) / 12))
    one = CompareRow("surface", 5, "mwpm", "Z", 5, rate, 49, 49, 1.0)
    assert one.to_json()["ler_per_round_per_logical"] == rate.per_round


def test_each_code_runs_its_own_distances_and_decoders():
    assert code_distances("surface", [3, 5, 6, 12]) == (3, 5)
    assert code_distances("bb", [3, 5, 6, 12]) == (6, 12)
    assert code_distances("bb", [3, 5]) == (6,)  # its default: the gross code costs seconds
    assert code_distances("bb", [3, 10]) == (10,)
    assert code_decoders("color", None) == ("chromobius",)
    assert code_decoders("bb", None) == ("bposd-bravyi",)
    assert code_decoders("surface", None) == ("mwpm", "mwpm-erasure")
    assert code_decoders("bb", ["mwpm", "bposd"]) == ("bposd",)  # matching cannot
    assert "bb" in default_codes(None) and "color" in default_codes(None)
    assert "bb" not in default_codes(["mwpm"])


@pytest.mark.parametrize(("kw", "match"), [
    ({"codes": ["surface"], "distances": [4]}, "odd integer >= 3"),
    ({"codes": ["surface", "bb"], "distances": [6]}, "'surface': none of the distances"),
    ({"codes": ["bb"], "distances": [6], "decoders": ["mwpm"]}, "none of the decoders"),
    ({"codes": ["surface", "bb"], "distances": [8]}, "6, 10, 12 for the BB codes"),
])
def test_bad_grids_are_refused_in_one_line(kw, match):
    args = {"decoders": None, "bases": ("Z", "X"), **kw}
    with pytest.raises(ValueError, match=match):
        validate_grid(**args)


def test_a_scenario_refuses_a_fixed_instance_code_in_one_line():
    from twin.scenario.schema import Scenario

    with pytest.raises(ValueError, match="code = 'bb': comes in fixed instances"):
        Scenario(name="b", code="bb", distance=3, decoder="bposd")
    assert Scenario(name="c", code="xzzx-cat", decoder="mwpm").code == "xzzx-cat"


def test_gkp_projection_counts_modes_without_building_the_noisy_model():
    # below the GKP threshold the projection lands at a large d; its footprint counts the
    # surface code's qubits as GKP modes (2 per data mode + the ancillas), and never builds
    # the stim model there (a d ~ 165 model took minutes on a dense variance array)
    from twin.device.load import load_device
    from twin.studies.compare import run_compare

    dev = load_device(overrides=["gkp.squeezing_db=13.5", "gkp.loss=0"])
    res = run_compare(dev, codes=["gkp-surface"], distances=[3, 5], decoders=["mwpm"],
                      max_shots=20_000, max_errors=100, seed=2)
    (s,) = res.summaries
    d = s.projected_distance
    assert d is not None and s.lam > 1
    assert s.projected_qubits_per_logical == 2 * d * d - 1
    assert s.projected_modes_per_logical == 2 * d * d + d * d - 1
