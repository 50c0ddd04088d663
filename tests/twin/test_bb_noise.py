"""The bivariate-bicycle code on the reference device: the atom model plus the local CNOT channel
on the short-range checks (``twin.device.noise_map``); qec-only tests: tests/qec/test_bb_code.py."""

from __future__ import annotations

import numpy as np
import pytest

from physics.device import REFERENCE_DEVICE
from physics.operations import extract_operations
from physics.remote_gate import local_cnot_channel
from qec.codes import memory_experiment
from qec.decoders import compile_decoder, decoder_dem
from qec.decoders.bposd import BRAVYI_DECODER
from twin.device.noise_map import code_noise, noise_model_from_extraction
from twin.studies.compare import default_codes


@pytest.fixture(scope="module")
def extraction():
    return extract_operations(REFERENCE_DEVICE)


def test_bb_gets_the_atom_model_and_a_local_channel(extraction):
    model, data_noise = code_noise(extraction, "bb")
    r = REFERENCE_DEVICE.node.local_gate_error
    assert data_noise is None and extraction.figures["local_gate_error"] == r
    assert model.with_(gate_2q_local=None) == noise_model_from_extraction(extraction)
    local = model.gate_2q_local
    assert local.erasure == 0 and local.p_pauli == pytest.approx(1.25 * r)
    assert local.probs == pytest.approx(local_cnot_channel(r).probs[1:])
    # the local CNOT is better than the photon-mediated one on the reference device
    assert local.p_pauli < model.gate_2q.p_pauli


def test_bb_circuit_on_the_device_decodes(extraction):
    model, _ = code_noise(extraction, "bb")
    exp = memory_experiment("bb", distance=6, rounds=2, basis="Z")
    circuit = model.noisy_circuit(exp.circuit, local_pairs=exp.local_pairs)
    # one joint herald per remote gate only
    n_remote = exp.resources["remote_gates_per_round"] * exp.rounds
    assert circuit.num_detectors == exp.circuit.num_detectors + n_remote
    decoder = compile_decoder(BRAVYI_DECODER, decoder_dem(circuit, decompose=False))
    dets, obs = circuit.compile_detector_sampler(seed=5).sample(200, separate_observables=True)
    p_fail = float(np.any(decoder.decode_batch(dets) != obs, axis=1).mean())
    assert p_fail < 0.5, p_fail


def test_compare_runs_bb_with_its_own_decoder():
    assert "bb" in default_codes(None) and "bb" in default_codes(["bposd"])
    assert "bb" not in default_codes(["mwpm"])
