"""Circuit-level surface-GKP code: shift propagation, binning statistics, analog weights, the
stim model against the Gaussian-shift Monte Carlo, and the squeezing threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest
import stim
from scipy import stats as st

from physics.gkp import GKPQubit, gkp_sigma
from physics.gkp import gkp_error_probability as physics_p
from qec.gkp import (
    SQRT_PI,
    binning_sigmas,
    decode_hard,
    gkp_error_probability,
    gkp_surface_circuit,
    matching_graph,
    sample_shifts,
    schedule_from_stim,
    stim_circuit,
    wrap_probability,
)
from qec.stats import logical_rate


def _sigma(db: float) -> float:
    return gkp_sigma(GKPQubit(squeezing_db=db))


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = st.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def test_sum_gate_propagates_shifts_as_the_closed_form():
    # SUM 0→1: q1 += q0, p0 −= p1; readings q0, q1, p0, p1 (read, not disturbed)
    circ = schedule_from_stim(stim.Circuit("R 0 1\nCX 0 1\nM 0 1\nMX 0 1"), data_qubits=())
    sigma = 0.1
    assert np.allclose(binning_sigmas(circ, sigma=sigma) / sigma, [1, math.sqrt(2),
                                                                   math.sqrt(2), 1])
    dev = sample_shifts(circ, sigma=sigma, shots=20_000,
                        rng=np.random.default_rng(1)).deviations
    cov = np.cov(dev.T) / sigma**2  # no wraps at σ = 0.1: deviations are the shifts
    expected = np.array([[1, 1, 0, 0], [1, 2, 0, 0], [0, 0, 2, -1], [0, 0, -1, 1]])
    assert np.allclose(cov, expected, atol=0.06)


@pytest.mark.parametrize("basis", ["Z", "X"])
@pytest.mark.parametrize("d", [3, 5])
def test_zero_noise_fires_nothing(d, basis):
    circ = gkp_surface_circuit(d, d, basis=basis)
    s = sample_shifts(circ, sigma=0.0, shots=16, rng=np.random.default_rng(0))
    assert not s.detectors.any() and not s.observables.any()
    assert np.all(s.deviations == 0)


def test_stim_model_has_the_code_distance_and_no_noiseless_detection():
    circ = gkp_surface_circuit(5, 3)
    model = stim_circuit(circ, sigma=0.3)
    assert len(model.shortest_graphlike_error()) == 5
    assert model.num_detectors == len(circ.detectors)
    assert not stim_circuit(circ, sigma=0.0).compile_detector_sampler(seed=1).sample(8).any()


def test_single_mode_error_probability_matches_the_erfc_sum():
    sigma = 0.4
    circ = schedule_from_stim(stim.Circuit("R 0\nM 0\nDETECTOR rec[-1]"), data_qubits=())
    n = 40_000
    s = sample_shifts(circ, sigma=sigma, shots=n, rng=np.random.default_rng(2))
    lo, hi = _wilson(int(s.detectors.sum()), n)
    p = physics_p(sigma)
    assert lo <= p <= hi
    for sig in (0.05, 0.2, 0.4, 0.8, 1.5):
        assert gkp_error_probability(sig) == pytest.approx(physics_p(sig), rel=1e-9, abs=1e-15)


def test_wrap_probability_is_the_conditional_probability():
    sigma = 0.35
    for z in (0.0, 0.3, -0.6):
        n = np.arange(-30, 31)
        g = np.exp(-np.square(z + n * SQRT_PI) / (2 * sigma**2))
        assert wrap_probability(np.array(z), sigma) == pytest.approx(g[n % 2 == 1].sum()
                                                                     / g.sum(), rel=1e-9)
    assert wrap_probability(np.array(SQRT_PI / 2), sigma) == pytest.approx(0.5)
    # averaged over the deviations, the conditional probability is the prior
    rng = np.random.default_rng(3)
    u = rng.normal(0, sigma, 200_000)
    z = u - np.round(u / SQRT_PI) * SQRT_PI
    assert wrap_probability(z, sigma).mean() == pytest.approx(gkp_error_probability(sigma),
                                                              rel=0.03)


@pytest.mark.parametrize("schedule", ["interleaved", "split"])
@pytest.mark.parametrize("db", [11.0, 13.0])
def test_monte_carlo_and_stim_model_agree_on_d3(db, schedule):
    # hard decisions in both, the same decoder; 95 % Wilson intervals overlap
    sigma = _sigma(db)
    circ = gkp_surface_circuit(3, 3, schedule=schedule)
    graph = matching_graph(circ, sigma=sigma)
    n = 20_000
    s = sample_shifts(circ, sigma=sigma, shots=n, rng=np.random.default_rng(11))
    mc = int((decode_hard(graph, s.detectors) != s.observables).any(axis=1).sum())
    det, obs = stim_circuit(circ, sigma=sigma).compile_detector_sampler(seed=12).sample(
        n, separate_observables=True)
    sm = int((decode_hard(graph, det) != obs).any(axis=1).sum())
    a, b = _wilson(mc, n), _wilson(sm, n)
    assert a[0] <= b[1] and b[0] <= a[1], (mc, sm)


def _analog_run(d: int, db: float, n: int, *, schedule: str, basis: str = "Z",
                analog: bool = True):
    from qec.gkp import decode_analog

    circ = gkp_surface_circuit(d, d, basis=basis, schedule=schedule)
    sigma = _sigma(db)
    graph = matching_graph(circ, sigma=sigma)
    s = sample_shifts(circ, sigma=sigma, shots=n, rng=np.random.default_rng(d * 100 + 7))
    pred = decode_analog(graph, s.detectors, s.deviations) if analog \
        else decode_hard(graph, s.detectors)
    return logical_rate(shots=n, errors=int((pred != s.observables).any(axis=1).sum()),
                        rounds=d)


@pytest.mark.slow
@pytest.mark.parametrize("basis", ["Z", "X"])
def test_split_schedule_threshold_brackets_in_both_bases(basis):
    # the default schedule's threshold (bench_gkp: 10.3 dB Z, 10.2 dB X, d = 5/7) lies in
    # [9.5, 12.0] dB in both bases: at 9.5 dB d = 3 beats d = 7, at 12.0 dB d = 7 beats d = 3,
    # beyond the 95 % intervals
    lo3 = _analog_run(3, 9.5, 3000, schedule="split", basis=basis)
    lo7 = _analog_run(7, 9.5, 3000, schedule="split", basis=basis)
    assert lo3.per_round_ci[1] < lo7.per_round_ci[0]
    hi3 = _analog_run(3, 12.0, 6000, schedule="split", basis=basis)
    hi7 = _analog_run(7, 12.0, 6000, schedule="split", basis=basis)
    assert hi7.per_round_ci[1] < hi3.per_round_ci[0]


@pytest.mark.slow
def test_analog_threshold_brackets():
    # below threshold (14 dB) d = 5 beats d = 3, above it (10.5 dB) d = 3 beats d = 5, each
    # beyond the intervals; analog decoding beats hard decoding at d = 5, 12 dB (stim's
    # interleaved schedule)
    def run(d: int, db: float, n: int, analog: bool = True):
        return _analog_run(d, db, n, schedule="interleaved", analog=analog)

    lo3, lo5 = run(3, 10.5, 3000), run(5, 10.5, 3000)
    assert lo3.per_round_ci[1] < lo5.per_round_ci[0]
    hi3, hi5 = run(3, 14.0, 30_000), run(5, 14.0, 30_000)
    assert hi5.per_round_ci[1] < hi3.per_round_ci[0]
    assert run(5, 12.0, 3000).per_round_ci[1] < run(5, 12.0, 3000, analog=False).per_round_ci[0]


def test_modes_are_counted_alike():
    from qec.codes import memory_experiment
    from qec.gkp import per_operation_noise

    noise = per_operation_noise(0.18)
    exp = memory_experiment("gkp-surface", distance=5, rounds=5, data_noise=noise.data)
    assert exp.resources["modes"] == gkp_surface_circuit(5, 5).modes == 74


def test_twin_gkp_surface_noise_is_the_circuit_level_model():
    from physics import REFERENCE_DEVICE, extract_operations
    from qec.codes import memory_experiment
    from qec.gkp import GKPNoise
    from twin.device.noise_map import code_noise

    ext = extract_operations(REFERENCE_DEVICE)
    model, data = code_noise(ext, "gkp-surface")
    sigma, loss = ext.figures["gkp_sigma_squeezing"], ext.figures["gkp_sigma_loss"]
    assert sigma**2 + loss**2 == pytest.approx(ext.figures["gkp_sigma"] ** 2)
    assert data == GKPNoise(sigma, loss)
    exp = memory_experiment("gkp-surface", distance=3, rounds=3, data_noise=data)
    circuit = model.noisy_circuit(exp.circuit)
    assert circuit.approx_equals(stim_circuit(gkp_surface_circuit(3, 3), sigma=sigma,
                                              sigma_loss=loss), atol=1e-6)
    assert exp.resources["modes"] == gkp_surface_circuit(3, 3).modes == 26
    # a syndrome reading sums the shifts of four data modes: it fails far more often than one
    # GKP state (the old model's flip)
    flips = [i.gate_args_copy()[0] for i in circuit if i.name == "MR"]
    assert max(flips) > 10 * ext.figures["gkp_p_error"]
    assert GKPNoise(0.2, 0.1).scaled(4.0) == GKPNoise(0.4, 0.2)
    with pytest.raises(ValueError, match="only for code = 'gkp-surface'"):
        memory_experiment("surface", distance=3, rounds=1, data_noise=data)


@pytest.mark.parametrize("schedule", ["z_first", "x_first", "split"])
def test_split_schedules_keep_the_code(schedule):
    from qec.gkp import SCHEDULES

    assert schedule in SCHEDULES
    for basis in ("Z", "X"):
        circ = gkp_surface_circuit(5, 3, basis=basis, schedule=schedule)
        assert len(stim_circuit(circ, sigma=0.3).shortest_graphlike_error()) == 5
        s = sample_shifts(circ, sigma=0.0, shots=4, rng=np.random.default_rng(0))
        assert not s.detectors.any() and not s.observables.any()
    # Z checks first: no X-check ancilla shift reaches a Z check's reading in the bulk
    circ = gkp_surface_circuit(5, 3, schedule="z_first")
    sig = binning_sigmas(circ, sigma=1.0)
    z_anc = {q for q, (x, y) in circ.circuit.get_final_qubit_coordinates().items()
             if q in circ.ancilla_qubits and (x + y) % 4 == 0}  # stim's Z-check ancillas
    z_reads = [s for b, s in zip(circ.binnings, sig, strict=True)
               if b.kind == "meas" and b.qubit in z_anc and 1 <= b.round < circ.rounds]
    assert max(z_reads) == pytest.approx(3.0)  # 4 data × 2σ² + the ancilla's σ²
    with pytest.raises(ValueError, match="schedule"):
        gkp_surface_circuit(3, 3, schedule="zigzag")


def test_split_schedule_reads_freshly_corrected_data_in_both_bases():
    # q corrected just before the Z checks, p just before the X checks: every bulk check
    # reads 4 data residuals (σ² each) + its ancilla (σ²), in both bases; the q and p
    # corrections see the same variances (σ = 1 here, so σ_b² counts sources)
    for basis in ("Z", "X"):
        circ = gkp_surface_circuit(5, 3, basis=basis, schedule="split")
        var = binning_sigmas(circ, sigma=1.0) ** 2
        late = [1 <= b.round < circ.rounds for b in circ.binnings]
        reads = [v for b, v, ok in zip(circ.binnings, var, late, strict=True)
                 if ok and b.kind == "meas"]
        assert max(reads) == pytest.approx(5.0)
        ec = {k: sorted(v for b, v, ok in zip(circ.binnings, var, late, strict=True)
                        if ok and b.kind == k) for k in ("ec_q", "ec_p")}
        assert ec["ec_q"] == pytest.approx(ec["ec_p"])
        kinds = [b.kind for b in circ.binnings if b.round == 1 and b.kind != "meas"]
        assert kinds == ["ec_q"] * 25 + ["ec_p"] * 25  # q, Z checks, p, X checks
    assert gkp_surface_circuit(3, 3).circuit == gkp_surface_circuit(3, 3,
                                                                    schedule="split").circuit


def test_atom_ancilla_reads_by_phase_kickback():
    # an atom summing one GKP mode's q shift flips with E[sin²(√π z/2)] = (1 − e^{−πσ²/2})/2
    from qec.gkp import binning_priors

    sigma = 0.3
    circ = schedule_from_stim(stim.Circuit("R 0 1\nCX 0 1\nM 1\nDETECTOR rec[-1]"),
                              data_qubits=(0,), ancilla="atom")
    assert [b.kind for b in circ.binnings] == ["atom"]
    p = 0.5 * (1 - math.exp(-math.pi * sigma**2 / 2))
    assert binning_priors(circ, sigma=sigma)[0] == pytest.approx(p)
    assert binning_priors(circ, sigma=sigma, atom_flip=0.1)[0] == pytest.approx(
        p + 0.1 - 2 * 0.1 * p)
    n = 40_000
    s = sample_shifts(circ, sigma=sigma, shots=n, rng=np.random.default_rng(4))
    lo, hi = _wilson(int(s.detectors.sum()), n)
    assert lo <= p <= hi and np.isnan(s.deviations).all()


def test_atom_ancilla_surface_code():
    from qec.codes import memory_experiment
    from qec.gkp import GKPNoise

    circ = gkp_surface_circuit(5, 3, ancilla="atom")
    assert circ.modes == 50  # data and their correction modes; the ancillas are atoms
    assert len(stim_circuit(circ, sigma=0.3, atom_flip=0.01).shortest_graphlike_error()) == 5
    s = sample_shifts(circ, sigma=0.0, shots=4, rng=np.random.default_rng(0))
    assert not s.detectors.any() and not s.observables.any()
    exp = memory_experiment("gkp-surface", distance=3, rounds=2,
                            data_noise=GKPNoise(0.2, ancilla="atom", atom_flip=0.001))
    assert exp.resources["modes"] == 18
    # no ancilla shift reaches the data: a bulk data correction reads 2σ² + σ² only
    sig = binning_sigmas(circ, sigma=1.0)
    ec = [x for b, x in zip(circ.binnings, sig, strict=True) if b.kind == "ec_q" and b.round]
    assert max(ec) == pytest.approx(math.sqrt(3))
    with pytest.raises(ValueError, match="ancilla"):
        gkp_surface_circuit(3, 3, ancilla="transmon")
