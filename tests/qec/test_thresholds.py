"""Published QEC anchors, reproduced with statistical margins (seeded).

Each test compares two distances on both sides of a known threshold: below it the larger code
must be better, above it worse, each by several standard errors.
"""

import numpy as np

from qec.codes import cat_noise_model, code_capacity_experiment, memory_experiment
from qec.decoders import compile_decoder, decoder_dem
from qec.noise import NoiseModel, OpNoise, TwoQubitNoise
from qec.stats import logical_rate


def _rate(circuit, *, decoder="mwpm", shots, seed, rounds=1):
    dec = compile_decoder(decoder, decoder_dem(circuit))
    det, obs = circuit.compile_detector_sampler(seed=seed).sample(shots,
                                                                  separate_observables=True)
    errors = int(np.any(dec.decode_batch(det) != obs, axis=1).sum())
    return logical_rate(shots=shots, errors=errors, rounds=rounds)


def _clearly_less(a, b, *, per_shot=False):
    """a's interval lies entirely below b's (per round, or per shot)."""
    if per_shot:
        return a.per_shot_ci[1] < b.per_shot_ci[0]
    return a.per_round_ci[1] < b.per_round_ci[0]


def _code_capacity(code, d, noise, *, decoder="mwpm", shots=20_000, seed=1, basis="Z"):
    exp = code_capacity_experiment(code, distance=d, data_noise=noise, basis=basis)
    return _rate(exp.circuit, decoder=decoder, shots=shots, seed=seed)


def test_surface_code_capacity_bit_flip_threshold_near_10_3_percent():
    below = [_code_capacity("surface", d, OpNoise(px=0.08), seed=d) for d in (5, 9)]
    above = [_code_capacity("surface", d, OpNoise(px=0.13), seed=d) for d in (5, 9)]
    assert _clearly_less(below[1], below[0])
    assert _clearly_less(above[0], above[1])


def test_surface_code_capacity_depolarizing_threshold_near_15_5_percent():
    below = [_code_capacity("surface", d, OpNoise.depolarizing(0.125), seed=d) for d in (5, 9)]
    above = [_code_capacity("surface", d, OpNoise.depolarizing(0.19), seed=d) for d in (5, 9)]
    assert _clearly_less(below[1], below[0])
    assert _clearly_less(above[0], above[1])


def test_phenomenological_repetition_threshold_near_10_3_percent():
    """Per shot with rounds = d (per-round figures of unequal round counts hide the crossing
    above threshold: more rounds dilute a saturated per-shot error)."""

    def rate(d, p):
        exp = memory_experiment("repetition", distance=d, rounds=d, basis="X",
                                data_noise=OpNoise(pz=p))
        circuit = NoiseModel(measure=OpNoise(px=p)).noisy_circuit(exp.circuit)
        return _rate(circuit, shots=20_000, seed=d, rounds=d)

    assert _clearly_less(rate(9, 0.08), rate(5, 0.08), per_shot=True)
    assert _clearly_less(rate(5, 0.13), rate(9, 0.13), per_shot=True)


def test_pure_erasure_surface_code_threshold_near_50_percent_with_erasure_decoding():
    def rate(d, p):
        return _code_capacity("surface", d, OpNoise(erasure=p), decoder="mwpm-erasure",
                              shots=10_000, seed=d)

    assert _clearly_less(rate(9, 0.40), rate(5, 0.40))
    assert _clearly_less(rate(5, 0.60), rate(9, 0.60))


def test_uniform_circuit_noise_per_round_threshold_near_1_percent():
    """stim's four uniform knobs (gates, measurement, reset, data each round) at p: per-round
    logical error, rounds = d; d=11 beats d=5 at 0.9 % and loses at 1.2 %."""

    def rate(d, p):
        exp = memory_experiment("surface", distance=d, rounds=d,
                                data_noise=OpNoise.depolarizing(p))
        circuit = NoiseModel.uniform_depolarizing(p).noisy_circuit(exp.circuit)
        return _rate(circuit, shots=10_000, seed=d, rounds=d)

    assert _clearly_less(rate(11, 0.009), rate(5, 0.009))
    assert _clearly_less(rate(5, 0.012), rate(11, 0.012))


def _biased(p, eta):
    """Z-biased single-qubit channel: total p, bias η = pz / (px + py)."""
    pz = p * eta / (eta + 1)
    return OpNoise(px=(p - pz) / 2, py=(p - pz) / 2, pz=pz)


def test_xzzx_beats_css_surface_code_under_strongly_z_biased_noise():
    noise = _biased(0.14, 100.0)
    per_code = {}
    for code in ("surface", "xzzx"):
        per_code[code] = [_code_capacity(code, 5, noise, basis=b, seed=3) for b in ("Z", "X")]
    css = sum(r.per_round for r in per_code["surface"])
    xzzx = sum(r.per_round for r in per_code["xzzx"])
    assert xzzx < css / 3
    # and at circuit level with biased gate noise
    model = NoiseModel(gate_1q=_biased(2e-3, 100.0),
                       gate_2q=TwoQubitNoise.product(_biased(4e-3, 100.0)),
                       measure=OpNoise(px=2e-3), reset=OpNoise(px=2e-3))
    totals = {}
    for code in ("surface", "xzzx"):
        total = 0.0
        for basis in ("Z", "X"):
            exp = memory_experiment(code, distance=5, rounds=5, basis=basis,
                                    data_noise=_biased(4e-3, 100.0))
            total += _rate(model.noisy_circuit(exp.circuit), shots=20_000, seed=4,
                           rounds=5).per_round
        totals[code] = total
    assert totals["xzzx"] < totals["surface"]


def test_cat_repetition_suppresses_phase_flips_but_its_bit_flip_floor_grows():
    # gates that flip too (the CX's own errors, given explicitly since they default to 0)
    model = cat_noise_model(phase_flip=0.01, bit_flip=1e-4, measure=0.005, cx_phase_flip=0.01,
                            cx_bit_flip=1e-4)
    phase, floor = [], []
    for d in (3, 5, 7):
        for basis, out in (("X", phase), ("Z", floor)):
            exp = memory_experiment("repetition", distance=d, rounds=d, basis=basis)
            out.append(_rate(model.noisy_circuit(exp.circuit), shots=40_000, seed=d,
                             rounds=d))
    assert _clearly_less(phase[2], phase[0]) and phase[1].per_round < phase[0].per_round
    # bit flips are invisible to the phase-flip code: every cat adds to the floor
    assert floor[0].per_round < floor[1].per_round < floor[2].per_round
    assert _clearly_less(floor[0], floor[2])
