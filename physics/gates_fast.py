"""Fast backend of the double-STIRAP X gate (``physics.gates``): numba kernels, milliseconds.

The 4-level master equation of ``physics.gates.stirap_gate_process`` is not integrated as a
16-dimensional problem. In the basis (|b⟩, |d⟩, |e⟩, |a⟩), |b⟩ = (|0⟩ + |1⟩)/√2 and
|d⟩ = (|0⟩ − |1⟩)/√2, it splits into three uncoupled parts (indices b = 0, d = 1, e = 2,
a = 3 in this basis):

* the (b, e, a) block is the Λ system of ``physics.stirap_fast`` with |b⟩, |e⟩, |a⟩ as its
  states 0, 1, 2: the same Hamiltonian (pump = the b–e coupling, Stokes = the a–e coupling),
  the same dephasing operator (|d⟩ drops out of √(γ_φ/2)(|b⟩⟨b| + |d⟩⟨d| − |a⟩⟨a|) on the
  block), and decay of |e⟩ at γ: γ(1−f)/3 each back into |b⟩ and |a⟩, the remaining
  γ(1+2f)/3 (the true sink and the branch into |d⟩) leaving the block. Decay into |0⟩ and |1⟩
  at equal rates is decay into |b⟩ and |d⟩ at those rates (the jump operators mix unitarily).
  This block is ``stirap_fast.process_real`` with ``loss_fraction = (1 + 2f)/3``;
* the population ρ_dd is fed only by the |e⟩ → |d⟩ jumps, at a fixed ratio
  (1 − f)/(1 + 2f) to everything that leaves the block, so it follows from the block's trace
  loss without integration;
* the coherences v_x = ρ_xd (x ∈ {b, e, a}) obey dv/dt = (−i H − K) v, H the 3×3 block
  Hamiltonian and K = diag(0, γ/2 + γ_φ/4, γ_φ) (decay of |e⟩, dephasing of e–d and a–d);
  ρ_dx = conj(ρ_xd). This 3-dimensional linear ODE is the one new kernel
  (``coherence_propagator``), integrated with the DOP853 pieces of ``physics.stirap_fast``.

The two pulse pairs do not overlap in time. The second pair's b–e coupling phase e^{iχ} is the
first-pair (real-coupling) problem conjugated by P = diag(e^{iχ}, 1, 1, 1) in this basis (every
collapse operator and H₀ commute with P up to a phase), so each pair is integrated with real
couplings, in segments between the pulse edges (a flat-top without rise switches on
abruptly: no step straddles it). The dwell ``gap`` between them is the free Lindbladian,
exponentiated in closed form. The channel is S = S_pair2 · S_gap · S_pair1, returned on
(|0⟩, |1⟩, |e⟩, |a⟩) in qutip's column-stacking convention like the qutip backend.

Coherence-kernel representation: ``Y`` (6, m), rows 0–2 Re v and rows 3–5 Im v over
(b, e, a); the m columns are propagated together. Packed rates ``c`` (4,):
``[Δ, δ, κ_e, κ_a]`` in rad/µs with κ_e = γ/2 + γ_φ/4, κ_a = γ_φ.
Status codes as in ``physics.stirap_fast``: 0 ok, 1 too many steps, 2 step underflow.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from physics.levels import ThreeLevelSystem
from physics.pulses import Pulse, envelope
from physics.stirap_fast import (
    D8_C,
    MAX_STEPS,
    PROCESS_ATOL,
    PROCESS_RTOL,
    d853_error,
    d853_factor,
    d853_solution,
    d853_stage_input,
    pack_system,
    process_real,
    real_to_superop,
    step_limits,
)

__all__ = ["GATE_ATOL", "GATE_RTOL", "coherence_propagator", "gate_superop", "pair_process"]

GATE_RTOL = 0.1 * PROCESS_RTOL
"""Relative DOP853 tolerance of the gate: Choi matrix PSD to ~1e-10 in the unitary limit."""
GATE_ATOL = 0.1 * PROCESS_ATOL
"""Absolute DOP853 tolerance of the gate."""

_B, _D, _E, _A = 0, 1, 2, 3  # working basis (|b⟩, |d⟩, |e⟩, |a⟩)
_BLOCK = (_B, _E, _A)  # the Λ block, in the order of stirap_fast's states 0, 1, 2

_SQ = 1.0 / math.sqrt(2.0)
_R = np.array([[_SQ, _SQ, 0, 0], [_SQ, -_SQ, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], complex)
_R_SUPER = np.kron(_R, _R)  # vec(R ρ R†) = (R̄ ⊗ R) vec ρ; R is real, symmetric, R² = 1


# ---------------------------------------------------------------------------------------------
# kernels
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _coherence_rhs(c, pp, ps, t, Y, out):
    """dY/dt for the coherence vectors: dv/dt = (−i H − K) v with v = x + i·y, explicitly.

    With a = Ωp(t) (b–e), b = Ωs(t) (a–e), over (b, e, a)::

        H = [[0, a/2, 0], [a/2, Δ, b/2], [0, b/2, δ]],   K = diag(0, κ_e, κ_a)
        x' = H y − K x,    y' = −H x − K y

    Args:
        c: packed rates ``[Δ, δ, κ_e, κ_a]`` (4,), rad/µs.
        pp: packed b–e pulse (5,).
        ps: packed a–e pulse (5,).
        t: time (µs).
        Y: (6, m) state columns.
        out: (6, m) derivative, written in place (1/µs).
    """
    ha = 0.5 * envelope(int(pp[0]), pp[1], pp[2], pp[3], pp[4], t)
    hb = 0.5 * envelope(int(ps[0]), ps[1], ps[2], ps[3], ps[4], t)
    d1 = c[0]
    d2 = c[1]
    ke = c[2]
    ka = c[3]
    for col in range(Y.shape[1]):
        xb = Y[0, col]
        xe = Y[1, col]
        xa = Y[2, col]
        yb = Y[3, col]
        ye = Y[4, col]
        ya = Y[5, col]
        out[0, col] = ha * ye
        out[1, col] = ha * yb + d1 * ye + hb * ya - ke * xe
        out[2, col] = hb * ye + d2 * ya - ka * xa
        out[3, col] = -ha * xe
        out[4, col] = -(ha * xb + d1 * xe + hb * xa) - ke * ye
        out[5, col] = -(hb * xe + d2 * xa) - ka * ya


@numba.njit(cache=True)
def coherence_propagator(c, pp, ps, t0, t1, rtol, atol, hmax, h0):
    """Propagator V (3, 3) complex of v = (ρ_bd, ρ_ed, ρ_ad) from t0 to t1, DOP853.

    The three basis vectors are propagated together with the step control of
    ``stirap_fast._dop853`` (same tableau, error norm, growth limits).

    Args:
        c: packed rates ``[Δ, δ, κ_e, κ_a]`` (4,), rad/µs.
        pp: packed b–e pulse (5,).
        ps: packed a–e pulse (5,).
        t0: start time (µs).
        t1: end time (µs), ≥ t0.
        rtol: relative tolerance.
        atol: absolute tolerance.
        hmax: largest step (µs).
        h0: first trial step (µs).

    Returns:
        (V (3, 3) complex128, status, n_steps).
    """
    ns = 12
    y = np.zeros((6, 3))
    for k in range(3):
        y[k, k] = 1.0
    K = np.empty((ns + 1, 6, 3))
    yt = np.empty((6, 3))
    yn = np.empty((6, 3))
    t = t0
    h = min(h0, hmax)
    _coherence_rhs(c, pp, ps, t, y, K[0])
    n_steps = 0
    status = 0
    while t < t1:
        n_steps += 1
        if n_steps > MAX_STEPS:
            status = 1
            break
        remaining = t1 - t
        clipped = h >= remaining
        hs = remaining if clipped else h
        if hs <= 1e-14 * max(1.0, abs(t)):
            if clipped:
                break
            status = 2
            break
        for s in range(1, ns):
            d853_stage_input(y, K, s, hs, yt)
            _coherence_rhs(c, pp, ps, t + D8_C[s] * hs, yt, K[s])
        d853_solution(y, K, hs, yn)
        _coherence_rhs(c, pp, ps, t + hs, yn, K[ns])
        err = d853_error(y, yn, K, hs, rtol, atol)
        fac = d853_factor(err)
        if err <= 1.0:
            t = t1 if clipped else t + hs
            y[:, :] = yn
            K[0, :, :] = K[ns]
            h = max(h, hs * fac) if clipped else hs * fac
        else:
            h = hs * fac
        h = min(h, hmax)
    v = np.empty((3, 3), np.complex128)
    for i in range(3):
        for k in range(3):
            v[i, k] = y[i, k] + 1j * y[3 + i, k]
    return v, status, n_steps


@numba.njit(cache=True)
def pair_process(sysp, pp, ps, t0, t1, rtol, atol):
    """One pulse pair with real couplings: the Λ block's process and the coherence propagator.

    Args:
        sysp: packed effective Λ system (7,) of the (b, e, a) block (``pack_system``), with
            ``loss_fraction = (1 + 2f)/3``; ``sysp[4]`` is γ_φ.
        pp: packed b–e pulse (5,).
        ps: packed a–e pulse (5,).
        t0: start time (µs).
        t1: end time (µs).
        rtol: relative tolerance (both integrations).
        atol: absolute tolerance (both integrations).

    Returns:
        (S_real (9, 9) float64 of the block on ``stirap_fast``'s real vector, V (3, 3) complex128
        of (ρ_bd, ρ_ed, ρ_ad), status).
    """
    s_real, st = process_real(sysp, pp, ps, t0, t1, rtol, atol)
    hmax, h0 = step_limits(sysp, pp, ps)
    c = np.array([sysp[5], sysp[6], 0.5 * sysp[1] + 0.25 * sysp[4], sysp[4]])
    v, st2, _ = coherence_propagator(c, pp, ps, t0, t1, rtol, atol, hmax, h0)
    return s_real, v, max(st, st2)


# ---------------------------------------------------------------------------------------------
# assembly (numpy)
# ---------------------------------------------------------------------------------------------


def _vi(i: int, j: int) -> int:
    """Column-stacking index of ρ_ij on 4 levels."""
    return i + 4 * j


def _pair_superop(s_real: np.ndarray, v: np.ndarray, ratio: float) -> np.ndarray:
    """(16, 16) complex superoperator of one pair in the working basis (|b⟩, |d⟩, |e⟩, |a⟩).

    Args:
        s_real: (9, 9) real block process from ``process_real``.
        v: (3, 3) complex coherence propagator over (b, e, a).
        ratio: population reaching |d⟩ per unit trace leaving the block, (1 − f)/(1 + 2f).
    """
    s3 = real_to_superop(s_real)  # 3-level column stacking: index i + 3 j
    out = np.zeros((16, 16), complex)
    blk = [_vi(_BLOCK[i], _BLOCK[j]) for j in range(3) for i in range(3)]
    out[np.ix_(blk, blk)] = s3
    trace_rows = s3[[0, 4, 8], :].sum(axis=0)  # trace of the block's output per input
    trace_in = np.zeros(9)
    trace_in[[0, 4, 8]] = 1.0
    out[_vi(_D, _D), blk] = ratio * (trace_in - trace_rows)
    out[_vi(_D, _D), _vi(_D, _D)] = 1.0
    for i in range(3):
        for k in range(3):
            out[_vi(_BLOCK[i], _D), _vi(_BLOCK[k], _D)] = v[i, k]
            out[_vi(_D, _BLOCK[i]), _vi(_D, _BLOCK[k])] = np.conj(v[i, k])
    return out


def _free_superop(system: ThreeLevelSystem, duration: float) -> np.ndarray:
    """(16, 16) complex superoperator of the undriven evolution over ``duration`` µs (closed form).

    Working basis. Coherences rotate with the level energies (0, 0, Δ, δ) and decay at
    ½(Γ_j + Γ_k) + ¼γ_φ(z_j − z_k)² (Γ = γ on |e⟩ only, z = (1, 1, 0, −1)); ρ_ee decays at γ and
    feeds |b⟩, |d⟩, |a⟩ at γ(1 − f)/3 each.
    """
    gamma, deph = system.gamma, system.dephasing
    energy = np.array([0.0, 0.0, system.detuning_1ph, system.detuning_2ph])
    decay = np.array([0.0, 0.0, gamma, 0.0])
    z = np.array([1.0, 1.0, 0.0, -1.0])
    out = np.zeros((16, 16), complex)
    for j in range(4):
        for k in range(4):
            if j == k:
                continue
            rate = 0.5 * (decay[j] + decay[k]) + 0.25 * deph * (z[j] - z[k]) ** 2
            out[_vi(j, k), _vi(j, k)] = np.exp((-1j * (energy[j] - energy[k]) - rate) * duration)
    for j in (_B, _D, _A):
        out[_vi(j, j), _vi(j, j)] = 1.0
    out[_vi(_E, _E), _vi(_E, _E)] = math.exp(-gamma * duration)
    if gamma > 0:
        back = gamma * (1.0 - system.loss_fraction) / 3.0
        fed = back / gamma * -math.expm1(-gamma * duration)
        for j in (_B, _D, _A):
            out[_vi(j, j), _vi(_E, _E)] = fed
    return out


def _phase_superop(chi: float) -> np.ndarray:
    """Diagonal (16,) of ρ ↦ P ρ P†, P = diag(e^{iχ}, 1, 1, 1) in the working basis."""
    p = np.ones(4, complex)
    p[_B] = np.exp(1j * chi)
    return np.array([p[i] * np.conj(p[j]) for j in range(4) for i in range(4)])


def _segment_packed(pulse: Pulse, sa: float, sb: float) -> np.ndarray:
    """Packed pulse (5,) equal to ``pulse`` on the segment [sa, sb] (µs) between pulse edges.

    Outside the pulse's support it is switched off (zero amplitude); a flat-top without rise is
    widened by 1e-9 relative so that it is also on at the segment's end points (its envelope is
    zero exactly at the edge, which would otherwise enter the first stage of a step).
    """
    packed = pulse.packed()
    lo, hi = pulse.support
    if sb <= lo or sa >= hi:
        packed[1] = 0.0
    elif pulse.shape == "flattop" and pulse.rise == 0.0:
        packed[3] *= 1.0 + 1e-9
    return packed


def gate_superop(
    system: ThreeLevelSystem,
    first: tuple[Pulse, Pulse],
    second: tuple[Pulse, Pulse],
    gap: float,
    relative_phase: float,
    *,
    rtol: float = GATE_RTOL,
    atol: float = GATE_ATOL,
) -> np.ndarray:
    """Process of the double-STIRAP gate on (|0⟩, |1⟩, |e⟩, |a⟩), column stacking.

    Args:
        system: Λ system (rates and detunings in rad/µs).
        first: (b–e pulse, a–e pulse) of the first pair (its pump and Stokes).
        second: (a–e pulse, b–e pulse) of the second pair (its pump and Stokes, as in
            ``StirapGate.second_pulses``; the b–e coupling carries e^{iχ}).
        gap: dwell between the pairs (µs), the second pair starting ``gap`` after the first
            pair's end.
        relative_phase: χ (rad).
        rtol: relative tolerance of the DOP853 integrations.
        atol: absolute tolerance of the DOP853 integrations.

    Returns:
        (16, 16) complex superoperator, trace-decreasing by the sink population.

    Raises:
        RuntimeError: if an integration fails (status ≠ 0).
    """
    f = system.loss_fraction
    block = ThreeLevelSystem(kind="lambda", gamma=system.gamma, loss_fraction=(1 + 2 * f) / 3,
                             dephasing=system.dephasing, detuning_1ph=system.detuning_1ph,
                             detuning_2ph=system.detuning_2ph)
    sysp = pack_system(block)
    ratio = (1 - f) / (1 + 2 * f)
    be1, ae1 = first
    ae2, be2 = second
    t0 = min(be1.support[0], ae1.support[0])
    t1 = max(be1.support[1], ae1.support[1])
    t2 = min(be2.support[0], ae2.support[0])
    t3 = max(be2.support[1], ae2.support[1])
    supers = []
    for be, ae, ta, tb in ((be1, ae1, t0, t1), (be2, ae2, t2, t3)):
        pair = np.eye(16, dtype=complex)
        edges = sorted({ta, tb, *be.support, *ae.support})
        for sa, sb in zip(edges[:-1], edges[1:], strict=True):  # no step across a pulse edge
            s_real, v, status = pair_process(sysp, _segment_packed(be, sa, sb),
                                             _segment_packed(ae, sa, sb), sa, sb, rtol, atol)
            if status != 0:
                raise RuntimeError(f"STIRAP gate integration failed (status {status}: "
                                   f"{'too many steps' if status == 1 else 'step underflow'})")
            pair = _pair_superop(s_real, v, ratio) @ pair
        supers.append(pair)
    phase = _phase_superop(relative_phase)
    s2 = phase[:, None] * supers[1] * np.conj(phase)[None, :]
    total = s2 @ _free_superop(system, t2 - t1) @ supers[0]
    return _R_SUPER @ total @ _R_SUPER
