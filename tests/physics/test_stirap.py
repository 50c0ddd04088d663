"""STIRAP backends against closed forms, known limits and each other.

Units: µs and rad/µs. qutip point counts are kept small (2-core machine).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from physics import stirap_fast
from physics.levels import ThreeLevelSystem
from physics.pulses import Pulse, StirapPulses
from physics.stirap import (
    BACKENDS,
    StirapResult,
    random_points,
    simulate_stirap,
    stirap_efficiency_batch,
    stirap_process,
)

AGREE_TOL = 1e-4  # DESIGN.md: fast vs reference backend


def _choi(s: np.ndarray) -> np.ndarray:
    """Choi matrix J[(i,k),(j,l)] = Φ(|i⟩⟨j|)[k, l] of a column-stacking superoperator."""
    j = np.zeros((9, 9), complex)
    for i in range(3):
        for jj in range(3):
            out = s[:, i + 3 * jj].reshape(3, 3, order="F")
            j[3 * i:3 * i + 3, 3 * jj:3 * jj + 3] = out
    return j


def _apply(s: np.ndarray, rho: np.ndarray) -> np.ndarray:
    return (s @ rho.flatten(order="F")).reshape(3, 3, order="F")


# ---------------------------------------------------------------------------------------------
# STIRAP limits
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_counterintuitive_gaussian_transfers(backend):
    # Ω0·T = 60 ≫ 10, delay = T, resonant Λ with excited-state decay into the sink
    system = ThreeLevelSystem(gamma=10.0, loss_fraction=1.0)
    pulses = StirapPulses.counterintuitive(amplitude=300.0, width=0.2, delay=0.2)
    res = simulate_stirap(system, pulses, n_times=21, backend=backend)
    assert isinstance(res, StirapResult)
    assert res.populations.shape == (21, 3)
    assert res.times.shape == (21,)
    assert res.times[0] == pytest.approx(pulses.t_span[0])
    assert res.times[-1] == pytest.approx(pulses.t_span[1])
    assert res.efficiency > 0.99
    assert 0.0 < res.loss < 0.01
    assert res.efficiency == pytest.approx(res.populations[-1, 2])
    assert res.loss == pytest.approx(1.0 - res.populations[-1].sum())


@pytest.mark.parametrize("backend", BACKENDS)
def test_intuitive_order_collapses(backend):
    system = ThreeLevelSystem(gamma=20.0, loss_fraction=1.0)
    good = StirapPulses.counterintuitive(amplitude=200.0, width=0.2, delay=0.2)
    bad = StirapPulses.counterintuitive(amplitude=200.0, width=0.2, delay=-0.2)
    r_good = simulate_stirap(system, good, n_times=3, backend=backend)
    r_bad = simulate_stirap(system, bad, n_times=3, backend=backend)
    # pump first: population is pushed through the decaying state 1 and lost
    assert r_bad.efficiency < 0.1 < 0.95 < r_good.efficiency
    assert r_bad.loss > 0.5 > 0.05 > r_good.loss


def test_loss_grows_with_two_photon_detuning():
    pulses = StirapPulses.counterintuitive(amplitude=200.0, width=0.2, delay=0.2)
    deltas = np.array([-30.0, -20.0, -10.0, -5.0, 0.0, 5.0, 10.0, 20.0, 30.0])
    systems = [ThreeLevelSystem(gamma=20.0, detuning_2ph=d) for d in deltas]
    eff, loss = stirap_efficiency_batch(systems, [pulses] * len(deltas))
    pos = deltas >= 0
    order = np.argsort(deltas[pos])
    assert np.all(np.diff(loss[pos][order]) > 0)
    assert np.all(np.diff(eff[pos][order]) < 0)
    # Δ = 0: δ → −δ is a symmetry (ρ → Uρ*U, U = diag(1, −1, 1)), so loss is even in δ
    np.testing.assert_allclose(loss[::-1], loss, atol=1e-8)
    assert loss[0] > 5 * loss[4]


@pytest.mark.parametrize("backend", BACKENDS)
def test_unitary_limit_trace_preserving_and_cp(backend):
    system = ThreeLevelSystem(kind="lambda", detuning_1ph=30.0, detuning_2ph=3.0)
    pulses = StirapPulses.counterintuitive(amplitude=150.0, width=0.2, delay=0.2)
    res = simulate_stirap(system, pulses, n_times=5, backend=backend)
    assert abs(res.loss) < 1e-8
    s = stirap_process(system, pulses, backend=backend)
    assert s.shape == (9, 9) and np.iscomplexobj(s)
    # trace preservation: Σ_k S[(k,k), :] = vec(I)ᵀ
    tr_row = sum(s[4 * k, :] for k in range(3))
    np.testing.assert_allclose(tr_row, np.eye(3).flatten(order="F"), atol=1e-8)
    choi = _choi(s)
    np.testing.assert_allclose(choi, choi.conj().T, atol=1e-9)
    ev = np.linalg.eigvalsh(choi)
    assert ev.min() >= -1e-9
    # unitary: Choi rank one, eigenvalue 3 = dimension
    assert ev[-1] == pytest.approx(3.0, abs=1e-7)
    assert np.sort(ev)[-2] < 1e-7
    # the process reproduces the population run from |0⟩⟨0|
    rho = _apply(s, np.diag([1.0, 0.0, 0.0]).astype(complex))
    np.testing.assert_allclose(np.real(np.diag(rho)), res.populations[-1], atol=1e-7)


def test_dissipative_process_is_cp_and_trace_decreasing():
    system = ThreeLevelSystem(kind="ladder", gamma=25.0, loss_fraction=0.4, gamma_top=3.0,
                              dephasing=4.0, detuning_1ph=-20.0, detuning_2ph=2.0)
    pulses = StirapPulses.counterintuitive(amplitude=120.0, width=0.6, delay=0.2,
                                           shape="flattop", rise=0.2)
    s = stirap_process(system, pulses, backend="numba")
    ev = np.linalg.eigvalsh(_choi(s))
    assert ev.min() >= -1e-9
    # trace-decreasing: Tr Φ(ρ) ≤ Tr ρ, i.e. I − Φ†(I) ⪰ 0
    tr_row = sum(s[4 * k, :] for k in range(3))
    dual_identity = tr_row.reshape(3, 3, order="F").T
    gap = np.linalg.eigvalsh(np.eye(3) - 0.5 * (dual_identity + dual_identity.conj().T))
    assert gap.min() >= -1e-9
    assert gap.max() > 1e-3  # and some population is really lost


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


def test_dark_state_follows_mixing_angle():
    # resonant, lossless, sin² pulses (smooth switch-on: no Gaussian-tail non-adiabaticity).
    # Adiabatic limit: ρ ≈ |D⟩⟨D|, |D⟩ = cos θ|0⟩ − sin θ|2⟩, tan θ = Ωp/Ωs, and the first
    # non-adiabatic correction puts amplitude 2θ'/Ω on |1⟩ (Ω = sqrt(Ωp² + Ωs²)).
    width, delay = 1.0, 0.3
    errors = []
    for amp in (500.0, 2000.0):
        pulses = StirapPulses.counterintuitive(amplitude=amp, width=width, delay=delay,
                                               shape="sin2")
        res = simulate_stirap(ThreeLevelSystem(), pulses, n_times=201, backend="numba")
        t = res.times
        xp, xs = t - pulses.pump.center, t - pulses.stokes.center
        op, os_ = pulses.pump(t), pulses.stokes(t)
        dop = -amp * (math.pi / width) * np.sin(2 * math.pi * xp / width)
        dos = -amp * (math.pi / width) * np.sin(2 * math.pi * xs / width)
        mask = (op > 0.2 * amp) & (os_ > 0.2 * amp)
        assert mask.sum() > 30
        theta = np.arctan2(op, os_)[mask]
        omega2 = (op**2 + os_**2)[mask]
        theta_dot = ((dop * os_ - op * dos)[mask]) / omega2
        pops = res.populations[mask]
        theta_sim = np.arctan(np.sqrt(pops[:, 2] / pops[:, 0]))
        errors.append(np.abs(theta_sim - theta).max())
        p1_pred = 4 * theta_dot**2 / omega2
        if amp == 2000.0:
            assert errors[-1] < 2e-4
            np.testing.assert_allclose(pops[:, 1], p1_pred, rtol=0.15)
            assert res.efficiency > 1 - 1e-6
        assert pops[:, 1].max() < 2e-4
    # second-order adiabatic error: 4× the amplitude cuts the angle error by ≫ 4
    assert errors[1] < errors[0] / 8


@pytest.mark.parametrize("backend", BACKENDS)
def test_single_pulse_rabi_area_theorem(backend):
    # Stokes off, resonant pump: a two-level Rabi flop, ρ00 = cos²(A/2) with A = ∫Ωp dt
    for area in (math.pi / 2, math.pi, 2.5 * math.pi):
        width = 0.2
        pump = Pulse(area / (width * math.sqrt(math.pi) * math.erf(4.0)), 0.0, width)
        assert pump.area == pytest.approx(area)
        pulses = StirapPulses(pump=pump, stokes=Pulse(0.0, 0.0, width))
        res = simulate_stirap(ThreeLevelSystem(), pulses, n_times=3, backend=backend)
        assert res.populations[-1, 0] == pytest.approx(math.cos(area / 2) ** 2, abs=1e-6)
        assert res.populations[-1, 1] == pytest.approx(math.sin(area / 2) ** 2, abs=1e-6)
        assert abs(res.efficiency) < 1e-9


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["lambda", "ladder"])
def test_free_decay_and_branching(backend, kind):
    gamma, frac, gamma_top = 7.0, 0.3, (2.0 if kind == "ladder" else 0.0)
    system = ThreeLevelSystem(kind=kind, gamma=gamma, loss_fraction=frac, gamma_top=gamma_top)
    off = StirapPulses.counterintuitive(amplitude=0.0, width=0.1, delay=0.1)
    dur = off.t_span[1] - off.t_span[0]
    res = simulate_stirap(system, off, n_times=11, backend=backend, initial=1)
    decay = np.exp(-gamma * (res.times - res.times[0]))
    np.testing.assert_allclose(res.populations[:, 1], decay, atol=1e-7)
    back = (1 - frac) * (1 - decay)
    if kind == "lambda":
        np.testing.assert_allclose(res.populations[:, 0], back / 2, atol=1e-7)
        np.testing.assert_allclose(res.populations[:, 2], back / 2, atol=1e-7)
    else:
        np.testing.assert_allclose(res.populations[:, 0], back, atol=1e-7)
        np.testing.assert_allclose(res.populations[:, 2], 0.0, atol=1e-9)
    assert res.loss == pytest.approx(frac * (1 - math.exp(-gamma * dur)), abs=1e-7)
    if kind == "ladder":  # top state: p2 = e^{−γt·t}
        res2 = simulate_stirap(system, off, n_times=3, backend=backend, initial=2)
        assert res2.populations[-1, 2] == pytest.approx(math.exp(-gamma_top * dur), abs=1e-7)


@pytest.mark.parametrize("backend", BACKENDS)
def test_free_coherences_phase_and_dephasing(backend):
    # no light: ρ01 → e^{(iΔ − γ/2 − γφ/4)t} ρ01, ρ02 → e^{(iδ − γφ)t} ρ02 (H = Δ|1⟩⟨1| + δ|2⟩⟨2|)
    d1, d2, gamma, deph = 13.0, -4.0, 3.0, 1.5
    system = ThreeLevelSystem(gamma=gamma, dephasing=deph, detuning_1ph=d1, detuning_2ph=d2)
    off = StirapPulses.counterintuitive(amplitude=0.0, width=0.1, delay=0.1)
    dur = off.t_span[1] - off.t_span[0]
    s = stirap_process(system, off, backend=backend)
    v01, v02, v12 = 0 + 3 * 1, 0 + 3 * 2, 1 + 3 * 2
    tol = 1e-8
    assert s[v01, v01] == pytest.approx(np.exp((1j * d1 - gamma / 2 - deph / 4) * dur), abs=tol)
    assert s[v02, v02] == pytest.approx(np.exp((1j * d2 - deph) * dur), abs=tol)
    assert s[v12, v12] == pytest.approx(np.exp((1j * (d2 - d1) - gamma / 2 - deph / 4) * dur),
                                        abs=tol)


# ---------------------------------------------------------------------------------------------
# backends agree
# ---------------------------------------------------------------------------------------------


def test_numba_matches_qutip_on_random_points():
    systems, pulses = random_points(np.random.default_rng(20240611), 6)
    eff_n, loss_n = stirap_efficiency_batch(systems, pulses, backend="numba")
    eff_q, loss_q = stirap_efficiency_batch(systems, pulses, backend="qutip")
    assert np.abs(eff_n - eff_q).max() <= AGREE_TOL
    assert np.abs(loss_n - loss_q).max() <= AGREE_TOL
    assert eff_n.max() - eff_n.min() > 0.1  # the draw is not degenerate
    for system, pair in zip(systems[:4], pulses[:4], strict=True):
        s_n = stirap_process(system, pair, backend="numba")
        s_q = stirap_process(system, pair, backend="qutip")
        assert np.abs(s_n - s_q).max() <= AGREE_TOL


def test_batch_matches_single_runs():
    systems, pulses = random_points(np.random.default_rng(7), 12)
    eff, loss = stirap_efficiency_batch(systems, pulses)
    assert eff.shape == loss.shape == (12,)
    for i in (0, 5, 11):
        r = simulate_stirap(systems[i], pulses[i], n_times=4, backend="numba")
        # same kernel; only the step sequence differs (extra output times)
        assert r.efficiency == pytest.approx(eff[i], abs=1e-6)
        assert r.loss == pytest.approx(loss[i], abs=1e-6)
    assert np.all((eff >= -1e-9) & (eff <= 1 + 1e-9) & (loss >= -1e-9) & (loss <= 1 + 1e-9))
    empty = stirap_efficiency_batch([], [])
    assert empty[0].shape == empty[1].shape == (0,)


@pytest.mark.parametrize("shape,width,delay,rise", [("sin2", 1.0, 0.3, 0.0),
                                                    ("flattop", 1.0, 0.3, 0.3)])
def test_sin2_and_flattop_transfer(shape, width, delay, rise):
    system = ThreeLevelSystem(gamma=20.0, detuning_1ph=10.0)
    pulses = StirapPulses.counterintuitive(amplitude=200.0, width=width, delay=delay,
                                           shape=shape, rise=rise)
    r_n = simulate_stirap(system, pulses, n_times=11, backend="numba")
    r_q = simulate_stirap(system, pulses, n_times=11, backend="qutip")
    assert r_n.efficiency > 0.98
    np.testing.assert_allclose(r_n.populations, r_q.populations, atol=AGREE_TOL)


def test_generators_match_levels_docstring_operators():
    # the explicit kernel RHS == matrices built from ThreeLevelSystem.collapse_operators()
    rng = np.random.default_rng(3)
    for kind in ("lambda", "ladder"):
        system = ThreeLevelSystem(kind=kind, gamma=11.0, loss_fraction=0.35,
                                  gamma_top=2.5 if kind == "ladder" else 0.0, dephasing=1.7,
                                  detuning_1ph=-9.0, detuning_2ph=0.8)
        sysp = stirap_fast.pack_system(system)
        g = stirap_fast.build_generators(sysp)
        # reference Liouvillian from the docstring, in numpy (column stacking)
        eye = np.eye(3)
        h0 = np.diag([0.0, system.detuning_1ph, system.detuning_2ph]).astype(complex)
        lref = -1j * (np.kron(eye, h0) - np.kron(h0.T, eye))
        for c in system.collapse_operators():
            cdc = c.conj().T @ c
            lref += np.kron(c.conj(), c) - 0.5 * np.kron(eye, cdc) - 0.5 * np.kron(cdc.T, eye)
        p1 = np.diag([0.0, 1.0, 0.0])
        lref -= 0.5 * system.sink_rate * (np.kron(eye, p1) + np.kron(p1, eye))
        np.testing.assert_allclose(stirap_fast.real_to_superop(g[0]), lref, atol=1e-12)
        # explicit RHS at constant Ωp = 7, Ωs = 3 (flat-top pulses, no edges, at their centre)
        pp = np.array([2.0, 7.0, 0.0, 10.0, 0.0])
        ps = np.array([2.0, 3.0, 0.0, 10.0, 0.0])
        y = rng.normal(size=(9, 4))
        out = np.empty_like(y)
        stirap_fast._rhs(stirap_fast._rates(sysp), pp, ps, 0.0, y, out)
        np.testing.assert_allclose(out, (g[0] + 7.0 * g[1] + 3.0 * g[2]) @ y, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------------------------


def test_unknown_backend_raises():
    system = ThreeLevelSystem()
    pulses = StirapPulses.counterintuitive(amplitude=100.0, width=0.2, delay=0.2)
    for call in (
        lambda: simulate_stirap(system, pulses, backend="scipy"),
        lambda: stirap_process(system, pulses, backend="scipy"),
        lambda: stirap_efficiency_batch([system], [pulses], backend="scipy"),
    ):
        with pytest.raises(ValueError, match=r"backend = 'scipy'.*qutip, numba"):
            call()


def test_bad_arguments_raise():
    system = ThreeLevelSystem()
    pulses = StirapPulses.counterintuitive(amplitude=100.0, width=0.2, delay=0.2)
    with pytest.raises(ValueError, match="n_times"):
        simulate_stirap(system, pulses, n_times=1, backend="numba")
    with pytest.raises(ValueError, match="initial"):
        simulate_stirap(system, pulses, initial=3, backend="numba")
    with pytest.raises(ValueError, match="len"):
        stirap_efficiency_batch([system, system], [pulses])
    with pytest.raises(TypeError):
        simulate_stirap(system, pulses, 11)  # options are keyword-only


def test_process_batch_kernel_matches_single_calls():
    systems, pulses = random_points(np.random.default_rng(11), 3)
    sysp = np.array([stirap_fast.pack_system(s) for s in systems])
    pp = np.array([p.pump.packed() for p in pulses])
    ps = np.array([p.stokes.packed() for p in pulses])
    tspan = np.array([p.t_span for p in pulses])
    s_real, status = stirap_fast.process_batch(sysp, pp, ps, tspan, stirap_fast.PROCESS_RTOL,
                                               stirap_fast.PROCESS_ATOL)
    assert not status.any()
    for i in range(3):
        single = stirap_process(systems[i], pulses[i], backend="numba")
        np.testing.assert_allclose(stirap_fast.real_to_superop(s_real[i]), single, atol=1e-12)
