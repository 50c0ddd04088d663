"""XZZX on cat qubits (issue 13): bias-preserving checks, the cats' noise counted once, and a 2D
option that reaches a target where the repetition code cannot, once bit flips matter."""

from __future__ import annotations

import json

import numpy as np
import pytest
import stim

from physics.device import REFERENCE_DEVICE
from physics.operations import extract_operations
from qec.codes import memory_experiment
from qec.noise import PAULI2_ORDER, NoiseModel
from twin.cli import main
from twin.device.noise_map import code_noise

# Small cats with pure dephasing: a cat's bit flip per cycle is 1.1e-3 (exp(−2|α|²) is only
# 0.018 at |α|² = 2 and κ_φ = 0.03 rad/µs converts it), its phase flip 2.0e-3; the reference
# device's cats (|α|² = 8) flip bits at 1e-12 per cycle.
BIT_FLIP_DEVICE = ["--set", "cat.alpha_sq=2", "--set", "cat.kappa_phi=0.03"]

_TWO_QUBIT = {"CX", "CZ", "XCX", "XCZ", "ZCX", "CY", "YCX", "XCY", "YCY", "YCZ", "ZCY", "ZCZ"}


@pytest.mark.parametrize("basis", ["Z", "X"])
def test_checks_are_bias_preserving(basis):
    # No Hadamard anywhere; every two-qubit gate is a CX or CZ controlled by an ancilla; the
    # ancillas are prepared in |+⟩ and read in X.
    exp = memory_experiment("xzzx-cat", distance=5, rounds=3, basis=basis)
    anc = set(exp.ancilla_qubits)
    names = set()
    for inst in exp.circuit.flattened():
        names.add(inst.name)
        qs = [t.value for t in inst.targets_copy() if t.is_qubit_target]
        if inst.name in _TWO_QUBIT:
            assert inst.name in ("CX", "CZ")
            assert all(c in anc and t not in anc for c, t in zip(qs[::2], qs[1::2], strict=True))
        elif inst.name in ("R", "M", "MR"):
            assert not anc.intersection(qs)
    assert "H" not in names


@pytest.mark.parametrize("d", [3, 5])
@pytest.mark.parametrize("basis", ["Z", "X"])
def test_circuit_distance_is_d(d, basis):
    exp = memory_experiment("xzzx-cat", distance=d, rounds=d, basis=basis)
    assert not exp.circuit.compile_detector_sampler(seed=1).sample(64).any()
    noisy = NoiseModel.uniform_depolarizing(1e-3).noisy_circuit(exp.circuit)
    assert len(noisy.detector_error_model(decompose_errors=True).shortest_graphlike_error()) == d
    found = noisy.search_for_undetectable_logical_errors(
        dont_explore_edges_with_degree_above=3, dont_explore_detection_event_sets_with_size_above=4,
        dont_explore_edges_increasing_symptom_degree=False, canonicalize_circuit_errors=True)
    assert len(found) == d


def test_pure_phase_flips_only_flip_ancilla_readouts():
    # A Z on an ancilla commutes with every gate it controls: no hook errors under phase flips.
    exp = memory_experiment("xzzx-cat", distance=5, rounds=2, basis="X")
    anc = set(exp.ancilla_qubits)
    body = stim.Circuit()
    for inst in exp.circuit.flattened():
        body.append(inst)
        if inst.name in ("CX", "CZ"):
            qs = [t.value for t in inst.targets_copy()]
            body.append("Z_ERROR", [q for q in qs if q in anc], [0.1])
    dem = body.detector_error_model()
    for inst in dem.flattened():
        if inst.type == "error":
            dets = [t for t in inst.targets_copy() if t.is_relative_detector_id()]
            assert len(dets) <= 2  # a measurement error: two consecutive detectors, no hook
            assert not any(t.is_logical_observable_id() for t in inst.targets_copy())


def test_noise_counts_each_cycle_once():
    ext = extract_operations(REFERENCE_DEVICE)
    model, data = code_noise(ext, "xzzx-cat")
    cat, f = ext.bosonic["cat"], ext.figures
    assert (data.px, data.py, data.pz) == (cat.px, cat.py, cat.pz)  # once per round
    assert model.idle.p_pauli == 0 and model.gate_1q.p_pauli == 0
    # the gates add only the ancilla's bit flip, on the control: no phase flip beyond the cycle
    probs = dict(zip(PAULI2_ORDER, model.gate_2q.probs, strict=True))
    assert probs.pop("XI") == pytest.approx((cat.px + cat.py) / 4)
    assert not any(probs.values())
    p, rx = f["cat_phase_flip_per_cycle"], f["cat_readout_x_error"]
    assert model.measure.px == pytest.approx(p + rx - 2 * p * rx)
    assert model.measure_z.px == f["cat_readout_z_error"]
    assert memory_experiment("xzzx-cat", distance=3, rounds=1).resources["modes"] == 17


def _compare(capsys, rounds: str, *extra: str) -> dict:
    code = main(["compare", "--codes", "repetition", "xzzx-cat", "--decoders", "mwpm",
                 "--distances", "3", "5", "--rounds", rounds, "--max-shots", "6000",
                 "--max-errors", "400", "--json", "--quiet", *BIT_FLIP_DEVICE, *extra])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def test_xzzx_cat_reaches_a_target_the_repetition_code_cannot(capsys):
    # With bit flips at 1e-3 per cycle the repetition code's bit-flip direction (Z basis) is
    # unprotected: its per-round error grows with d (≈ d × the bit flip, rounds ≫ d removes the
    # once-per-shot readout), so no size reaches the target; XZZX on the same cats suppresses
    # both directions and reaches 1e-9 at a finite footprint.
    out = _compare(capsys, "20")
    rows = {(r["code"], r["distance"], r["basis"]): r for r in out["results"]}
    rep3, rep5 = rows["repetition", 3, "Z"], rows["repetition", 5, "Z"]
    assert rep5["ler_ci"][0] > rep3["ler_ci"][1]  # grows with d beyond the intervals
    for basis in ("Z", "X"):
        x3, x5 = rows["xzzx-cat", 3, basis], rows["xzzx-cat", 5, basis]
        assert x5["ler_ci"][1] < x3["ler_ci"][0]  # falls with d beyond the intervals
    summary = {s["code"]: s for s in out["summary"]}
    assert summary["repetition"]["projected_modes"] is None
    assert summary["xzzx-cat"]["projected_modes"] is not None
    assert np.isfinite(summary["xzzx-cat"]["lam"]) and summary["xzzx-cat"]["lam"] > 2
