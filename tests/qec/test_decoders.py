"""Decoders behind one interface: correctness, erasure awareness, packing, errors."""

from __future__ import annotations

import functools
import math

import numpy as np
import pymatching
import pytest
import stim

from qec.decoders import (
    BUILTIN_DECODERS,
    CompiledDecoder,
    compile_decoder,
    decoder_dem,
    decodes_code,
    dem_hypergraph,
    pack_bits,
    strip_heralds,
    unpack_bits,
)
from qec.noise import HERALD_COORD, NoiseModel, TwoQubitNoise, herald_detectors

SURFACE_DECODERS = tuple(n for n in BUILTIN_DECODERS if decodes_code(n, "surface"))
"""Every built-in but ``chromobius`` (colour code only; tested in ``test_color_code.py``)."""


@functools.cache
def surface(d: int, p: float, erasure: float = 0.0, rounds: int | None = None) -> stim.Circuit:
    """Rotated surface-code Z memory, uniform depolarizing p, joint heralded erasure per 2q gate.

    ``erasure`` is the probability that a two-qubit gate fails as one heralded event erasing
    both of its qubits: each qubit's marginal erasure per gate is ``erasure``, as it was when
    the two qubits were erased independently (before, a gate failed with 1 − (1 − e)²).
    """
    model = NoiseModel.uniform_depolarizing(p)
    if erasure:
        model = model.with_(gate_2q=TwoQubitNoise(model.gate_2q.probs, erasure))
    base = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d,
                                  rounds=rounds or d)
    return model.noisy_circuit(base)


# circuits are unhashable: the caches below key on the circuit's text
_CIRCUITS: dict[str, stim.Circuit] = {}


def _key(circuit: stim.Circuit) -> str:
    text = str(circuit)
    _CIRCUITS.setdefault(text, circuit)
    return text


@functools.cache
def _samples(key: str, shots: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return _CIRCUITS[key].compile_detector_sampler(seed=seed).sample(
        shots, separate_observables=True)


@functools.cache
def _compiled(name: str, key: str) -> CompiledDecoder:
    return compile_decoder(name, decoder_dem(_CIRCUITS[key]))


def samples(circuit: stim.Circuit, shots: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return _samples(_key(circuit), shots, seed)


def compiled(name: str, circuit: stim.Circuit) -> CompiledDecoder:
    return _compiled(name, _key(circuit))


def surface_per_qubit_erasure(d: int, p: float, erasure: float, rounds: int) -> stim.Circuit:
    """The DESIGN acceptance circuit as it was defined: uniform depolarizing p, and after every
    two-qubit gate each of its qubits erased *independently* with ``erasure`` (its own
    ``HERALDED_ERASE`` and herald detector ``DETECTOR(-1, q, k)``)."""
    base = stim.Circuit.generated("surface_code:rotated_memory_z", distance=d, rounds=rounds)
    out = stim.Circuit()
    old_to_new: list[int] = []  # absolute record index of each original measurement
    n_new = k = 0
    for inst in base.flattened():
        name = inst.name
        if name in ("DETECTOR", "OBSERVABLE_INCLUDE"):  # look-backs past the added heralds
            recs = [stim.target_rec(old_to_new[len(old_to_new) + t.value] - n_new)
                    for t in inst.targets_copy()]
            out.append(name, recs, inst.gate_args_copy())
            continue
        out.append(inst)
        m = stim.Circuit(str(inst)).num_measurements
        old_to_new.extend(range(n_new, n_new + m))
        n_new += m
        data = stim.gate_data(name)
        if data.is_two_qubit_gate and data.is_unitary:
            for t in inst.targets_copy():
                out.append("HERALDED_ERASE", [t.value], [erasure])
                out.append("DETECTOR", [stim.target_rec(-1)], [HERALD_COORD, t.value, k])
                k += 1
                n_new += 1
    return NoiseModel.uniform_depolarizing(p).noisy_circuit(out)


def failures(name: str, circuit: stim.Circuit, shots: int, seed: int) -> np.ndarray:
    dets, obs = samples(circuit, shots, seed)
    return np.any(compiled(name, circuit).decode_batch(dets) != obs, axis=1)


def per_round(p_shot: float, rounds: int) -> float:
    return (1 - (1 - 2 * p_shot) ** (1 / rounds)) / 2


# --- interface -------------------------------------------------------------------------------
def test_unknown_decoder_lists_the_names():
    dem = decoder_dem(surface(3, 1e-3))
    with pytest.raises(ValueError, match="decoder = 'x': must be one of mwpm, mwpm-correlated, "
                                         "mwpm-erasure, bposd, bposd-bravyi, belief-matching"):
        compile_decoder("x", dem)


@pytest.mark.parametrize("name", SURFACE_DECODERS)
def test_unknown_option_is_an_error(name):
    with pytest.raises(ValueError, match="option"):
        compile_decoder(name, decoder_dem(surface(3, 1e-3)), no_such_option=1)


@pytest.mark.parametrize("name", ["mwpm", "mwpm-correlated", "mwpm-erasure", "belief-matching"])
def test_matching_decoders_refuse_an_undecomposed_dem(name):
    """The message names the missing decomposition."""
    dem = decoder_dem(surface(3, 1e-3), decompose=False)
    with pytest.raises(ValueError, match="decomposed DEM"):
        compile_decoder(name, dem)


def test_chromobius_refuses_a_surface_code_dem_naming_the_annotation():
    assert tuple(n for n in BUILTIN_DECODERS if n != "chromobius") == SURFACE_DECODERS
    with pytest.raises(ValueError, match="4th coordinate.*only the 'color' code"):
        compile_decoder("chromobius", decoder_dem(surface(3, 1e-3)))


def test_bposd_accepts_an_undecomposed_dem():
    circuit = surface(3, 1e-3)
    a = compile_decoder("bposd", decoder_dem(circuit, decompose=False))
    b = compiled("bposd", circuit)
    dets, _ = samples(circuit, 300, 1)
    assert isinstance(a, CompiledDecoder)
    np.testing.assert_array_equal(a.decode_batch(dets), b.decode_batch(dets))


@pytest.mark.parametrize("name", SURFACE_DECODERS)
def test_decodes_d3_surface_well_below_the_physical_rate(name):
    p, shots = 1e-3, 20_000
    fails = failures(name, surface(3, p), shots, seed=11)
    eps = per_round(fails.mean(), rounds=3)
    assert eps < p / 2, f"{name}: logical error per round {eps:.2e} (p = {p})"


@pytest.mark.parametrize("name", SURFACE_DECODERS)
@pytest.mark.parametrize("erasure", [0.0, 0.05])
def test_zero_syndrome_gives_zero_correction(name, erasure):
    circuit = surface(3, 1e-3, erasure)
    decoder = compiled(name, circuit)
    zeros = np.zeros((4, decoder.num_detectors), dtype=np.bool_)
    out = decoder.decode_batch(zeros)
    assert out.shape == (4, decoder.num_observables) and out.dtype == np.bool_
    assert not out.any()
    packed = decoder.decode_batch(pack_bits(zeros), bit_packed=True)
    assert packed.dtype == np.uint8 and packed.shape == (4, 1) and not packed.any()


@pytest.mark.parametrize("name", SURFACE_DECODERS)
@pytest.mark.parametrize("erasure", [0.0, 0.05])
def test_bit_packed_and_unpacked_paths_agree(name, erasure):
    circuit = surface(3, 5e-3, erasure)
    dets, _ = samples(circuit, 400, 3)
    decoder = compiled(name, circuit)
    unpacked = decoder.decode_batch(dets)
    packed = decoder.decode_batch(pack_bits(dets), bit_packed=True)
    assert packed.shape == (400, math.ceil(decoder.num_observables / 8))
    np.testing.assert_array_equal(unpack_bits(packed, decoder.num_observables), unpacked)


def test_wrong_shape_is_an_error():
    decoder = compiled("bposd", surface(3, 1e-3))
    with pytest.raises(ValueError, match="must be"):
        decoder.decode_batch(np.zeros((2, decoder.num_detectors + 1), dtype=np.bool_))
    with pytest.raises(ValueError, match="bit-packed"):
        decoder.decode_batch(np.zeros((2, 1), dtype=np.uint8), bit_packed=True)


def test_mwpm_is_bare_pymatching():
    circuit = surface(5, 5e-3)
    dets, _ = samples(circuit, 3000, 5)
    bare = pymatching.Matching.from_detector_error_model(
        circuit.detector_error_model(decompose_errors=True))
    ours = compiled("mwpm", circuit)
    np.testing.assert_array_equal(ours.decode_batch(dets), bare.decode_batch(dets).astype(bool))
    packed = pack_bits(dets)
    np.testing.assert_array_equal(
        ours.decode_batch(packed, bit_packed=True),
        bare.decode_batch(packed, bit_packed_shots=True, bit_packed_predictions=True))


def test_mwpm_ignores_heralds():
    """A fired herald alone is no detection event for the naive decoder."""
    circuit = surface(3, 1e-3, 0.05)
    decoder = compiled("mwpm", circuit)
    shots = np.zeros((3, decoder.num_detectors), dtype=np.bool_)
    shots[:, herald_detectors(decoder_dem(circuit))[:3]] = True
    assert not decoder.decode_batch(shots).any()


# --- DEM helpers -----------------------------------------------------------------------------
def test_strip_heralds_keeps_detectors_and_drops_flagged_errors():
    dem = decoder_dem(surface(3, 1e-3, 0.05))
    heralds = set(herald_detectors(dem).tolist())
    assert heralds
    for drop in (False, True):
        stripped = strip_heralds(dem, drop_flagged=drop)
        assert stripped.num_detectors == dem.num_detectors
        assert stripped.num_observables == dem.num_observables
        for inst in stripped.flattened():
            if inst.type == "error":
                assert not any(t.is_relative_detector_id() and t.val in heralds
                               for t in inst.targets_copy())
    assert (strip_heralds(dem, drop_flagged=True).num_errors
            < strip_heralds(dem).num_errors)


def test_hypergraph_herald_posteriors_are_a_distribution():
    hyper = dem_hypergraph(decoder_dem(surface(3, 1e-3, 0.05)))
    per_herald = hyper.herald_columns.astype(float) @ hyper.herald_posteriors
    np.testing.assert_allclose(per_herald, 1.0)
    # an erased pair (one joint herald per gate): each of the 16 two-qubit Paulis with 1/16
    # (merged where several give the same symptoms)
    flagged = hyper.herald_posteriors[hyper.herald_posteriors > 0]
    sixteenths = flagged * 16
    np.testing.assert_allclose(sixteenths, np.round(sixteenths), atol=1e-9)
    assert set(np.round(sixteenths).astype(int).tolist()) <= {1, 2, 4, 8, 16}


# --- erasure ---------------------------------------------------------------------------------
def _rate_and_sigma(fails: np.ndarray) -> tuple[float, float]:
    rate = fails.mean()
    return rate, math.sqrt(rate * (1 - rate) / fails.size)


def _gain_bounds(naive: np.ndarray, aware: np.ndarray, z: float = 3.0
                 ) -> tuple[float, float, float]:
    """Ratio of logical error rates and its z-sigma lower and upper bounds (delta method)."""
    r1, s1 = _rate_and_sigma(naive)
    r2, s2 = _rate_and_sigma(aware)
    gain = r1 / r2
    rel = math.sqrt((s1 / r1) ** 2 + (s2 / r2) ** 2)
    return gain, gain * (1 - z * rel), gain * (1 + z * rel)


def _gain_lower_bound(naive: np.ndarray, aware: np.ndarray, z: float = 3.0) -> tuple[float, float]:
    """Ratio of logical error rates and its z-sigma lower bound (delta method)."""
    gain, lower, _ = _gain_bounds(naive, aware, z)
    return gain, lower


@pytest.mark.slow
def test_erasure_aware_matching_5x_better_d5_acceptance_per_qubit_erasure():
    """DESIGN acceptance as it was defined: d = 5, p = 0.1 %, each qubit of every 2q gate
    erased independently with 5 %, 5 rounds."""
    circuit = surface_per_qubit_erasure(5, 1e-3, 0.05, rounds=5)
    shots = 60_000
    naive = failures("mwpm", circuit, shots, seed=2024)
    aware = failures("mwpm-erasure", circuit, shots, seed=2024)
    gain, lower = _gain_lower_bound(naive, aware)
    assert gain >= 5 and lower >= 5, f"gain {gain:.2f}, 3-sigma lower bound {lower:.2f}"


def test_erasure_aware_matching_beats_naive_d5_fast_per_qubit_erasure():
    """The acceptance figure with fewer shots (still a > 3-sigma margin on 5x)."""
    circuit = surface_per_qubit_erasure(5, 1e-3, 0.05, rounds=5)
    shots = 25_000
    naive = failures("mwpm", circuit, shots, seed=7)
    aware = failures("mwpm-erasure", circuit, shots, seed=7)
    gain, lower = _gain_lower_bound(naive, aware)
    assert gain >= 5 and lower >= 4.5, f"gain {gain:.2f}, 3-sigma lower bound {lower:.2f}"


# DESIGN asks for >= 5x at d = 5, p = 0.1 %, 5 % erasure (the two tests above, per-qubit
# erasure as the figure was defined). With one joint herald per failed
# two-qubit gate (5 % per gate, so each qubit's marginal erasure is still 5 %) the measured gain
# is 4.97 +- 0.07 (240k shots: naive 0.429, aware 0.0865 per 5-round shot); with the former
# independent per-qubit erasures (a gate failing with 9.75 %) it was 5.6 (naive 0.479, aware
# 0.0855). Erasure-aware decoding is as good as before; the naive decoder, facing half as many
# (correlated) erasure events, is less bad. The tests assert the figure as it is: at least
# 4.5x with 3 sigma, and not significantly below 5x: an easier case beside the two above.
@pytest.mark.slow
def test_erasure_aware_matching_5x_better_d5_acceptance():
    """DESIGN acceptance: d = 5, p = 0.1 %, 5 % joint erasure per 2q gate, 5 rounds."""
    circuit = surface(5, 1e-3, 0.05, rounds=5)
    shots = 60_000
    naive = failures("mwpm", circuit, shots, seed=2024)
    aware = failures("mwpm-erasure", circuit, shots, seed=2024)
    gain, lower, upper = _gain_bounds(naive, aware)
    assert lower >= 4.5 and upper >= 5, \
        f"gain {gain:.2f}, 3-sigma interval [{lower:.2f}, {upper:.2f}]"


def test_erasure_aware_matching_beats_naive_d5_fast():
    """The acceptance figure with fewer shots."""
    circuit = surface(5, 1e-3, 0.05, rounds=5)
    shots = 25_000
    naive = failures("mwpm", circuit, shots, seed=7)
    aware = failures("mwpm-erasure", circuit, shots, seed=7)
    gain, lower, upper = _gain_bounds(naive, aware)
    assert gain >= 4.5 and lower >= 4.25 and upper >= 5, \
        f"gain {gain:.2f}, 3-sigma interval [{lower:.2f}, {upper:.2f}]"


def test_erasure_aware_matching_beats_naive_d3():
    circuit = surface(3, 1e-3, 0.05)
    naive = failures("mwpm", circuit, 10_000, seed=3)
    aware = failures("mwpm-erasure", circuit, 10_000, seed=3)
    gain, lower = _gain_lower_bound(naive, aware)
    assert lower >= 3, f"gain {gain:.2f}, 3-sigma lower bound {lower:.2f}"


@pytest.mark.parametrize("name", ["bposd", "belief-matching"])
def test_hypergraph_decoders_use_heralds(name):
    circuit = surface(3, 1e-3, 0.05)
    naive = failures("mwpm", circuit, 1500, seed=4)
    aware = failures(name, circuit, 1500, seed=4)
    gain, lower = _gain_lower_bound(naive, aware)
    assert lower >= 2.5, f"{name}: gain {gain:.2f}, 3-sigma lower bound {lower:.2f}"


def test_erasure_matching_without_heralds_is_mwpm():
    circuit = surface(3, 5e-3)
    dets, _ = samples(circuit, 2000, 8)
    np.testing.assert_array_equal(compiled("mwpm-erasure", circuit).decode_batch(dets),
                                  compiled("mwpm", circuit).decode_batch(dets))


# --- belief-matching / correlated vs plain matching ------------------------------------------
def _paired(name: str, circuit: stim.Circuit, shots: int, seed: int) -> tuple[int, int]:
    """(shots only mwpm gets wrong, shots only ``name`` gets wrong)."""
    base = failures("mwpm", circuit, shots, seed)
    other = failures(name, circuit, shots, seed)
    return int(np.sum(base & ~other)), int(np.sum(other & ~base))


@pytest.mark.parametrize("name", ["belief-matching", "mwpm-correlated"])
def test_not_worse_than_mwpm_on_circuit_noise(name):
    only_mwpm, only_other = _paired(name, surface(3, 1e-2), 10_000, seed=9)
    # McNemar: the discordant shots split binomially; allow 2 sigma against `name`
    n = only_mwpm + only_other
    assert only_other <= n / 2 + 2 * math.sqrt(n / 4) + 1, (only_mwpm, only_other)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["belief-matching", "mwpm-correlated"])
def test_beats_mwpm_d5(name):
    only_mwpm, only_other = _paired(name, surface(5, 5e-3), 30_000, seed=10)
    assert only_other < only_mwpm, (only_mwpm, only_other)
