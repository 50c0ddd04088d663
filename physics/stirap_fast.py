"""Fast STIRAP backend: numba kernels for the 3×3 Lindblad equation (batched, adaptive step).

The density matrix ρ (3×3, Hermitian, trace-decreasing when there is a sink) follows the master
equation of ``physics.levels.ThreeLevelSystem`` (see its docstring)::

    dρ/dt = −i[H(t), ρ] + Σ_k D[C_k]ρ − ½ γ f {|1⟩⟨1|, ρ},    D[C]ρ = CρC† − ½{C†C, ρ}

with H(t) = Δ|1⟩⟨1| + δ|2⟩⟨2| + ½Ωp(t)(|0⟩⟨1| + h.c.) + ½Ωs(t)(|2⟩⟨1| + h.c.).

Representation. ρ is stored as the 9 real numbers
``x = [ρ00, ρ11, ρ22, Re ρ01, Im ρ01, Re ρ02, Im ρ02, Re ρ12, Im ρ12]``; the kernels evaluate the
right-hand side written out in these components (``_rhs``, about 50 flops). The same linear map as
matrices, ``dx/dt = (G0 + Ωp(t)·G1 + Ωs(t)·G2) x``, is built from the Hamiltonian and the
collapse operators of the docstring by ``build_generators`` (used to check ``_rhs``).
Populations are ``x[0:3]``; the complex column-stacking superoperator is
``S = T⁻¹ · S_real · T`` (``real_to_superop``), where ``x = T · vec(ρ)`` and
``vec(ρ) = ρ.flatten(order="F")`` (qutip's convention). The process kernel propagates the 9 real
basis vectors together (equivalent to propagating the 9 matrices |i⟩⟨j|).

Integrators: populations use adaptive Dormand–Prince 5(4) (FSAL, standard step-size control with
safety factor 0.9 and growth limits [0.2, 5]), error measured as the RMS of
``(y5 − y4) / (atol + rtol·|y|)``; the process kernel uses Dormand–Prince 8(5,3) (DOP853,
scipy's tableau) at tighter tolerances.
The step is capped at 1/16 of the shortest pulse support so that no pulse can be stepped over.
Envelopes come from ``physics.pulses.envelope`` on the packed parameter vectors
``Pulse.packed()`` = ``[code, amplitude, center, width, rise]``.

Packed system parameters (``pack_system``), shape (7,):
``[kind (0 Λ, 1 ladder), gamma, loss_fraction, gamma_top, dephasing, detuning_1ph, detuning_2ph]``
(rates and detunings in rad/µs).

All kernels report failure through a status code instead of raising inside ``prange``:
0 = ok, 1 = too many steps, 2 = step size underflow.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _d853

from physics.levels import ThreeLevelSystem
from physics.pulses import StirapPulses, envelope

__all__ = [
    "D8_C",
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "MAX_STEPS",
    "PROCESS_ATOL",
    "PROCESS_RTOL",
    "T_REAL",
    "T_REAL_INV",
    "build_generators",
    "d853_error",
    "d853_factor",
    "d853_solution",
    "d853_stage_input",
    "efficiency_batch",
    "evolve_populations",
    "pack_pulses",
    "pack_system",
    "step_limits",
    "process_batch",
    "process_real",
    "real_to_superop",
]

DEFAULT_RTOL = 1e-7
"""Relative tolerance of the Dormand–Prince step control."""
DEFAULT_ATOL = 1e-9
"""Absolute tolerance of the Dormand–Prince step control (density-matrix entries)."""
PROCESS_RTOL = 1e-11
"""Relative tolerance of the process kernel (DOP853): keeps the Choi matrix PSD to ~1e-10."""
PROCESS_ATOL = 1e-13
"""Absolute tolerance of the process kernel (DOP853)."""
MAX_STEPS = 5_000_000
"""Accepted + rejected steps allowed per integration before giving up (status 1)."""

_GAUSS_SUPPORT = 8.0  # a Gaussian's support is ±4 half-widths (physics.pulses._GAUSS_CUT)
_HMAX_FRACTION = 1.0 / 16.0  # largest step as a fraction of the shortest pulse support


def _real_basis() -> tuple[np.ndarray, np.ndarray]:
    """``T`` (x = T vec(ρ)) and its inverse, both (9, 9) complex, column-stacking vec."""
    t = np.zeros((9, 9), complex)

    def v(i: int, j: int) -> int:
        return i + 3 * j

    for i in range(3):
        t[i, v(i, i)] = 1.0
    for row, (i, j) in zip((3, 5, 7), ((0, 1), (0, 2), (1, 2)), strict=True):
        t[row, v(i, j)] = 0.5
        t[row, v(j, i)] = 0.5
        t[row + 1, v(i, j)] = -0.5j
        t[row + 1, v(j, i)] = 0.5j
    return t, np.linalg.inv(t)


T_REAL, T_REAL_INV = _real_basis()
"""(9, 9) complex: ``x = T_REAL @ vec(ρ)`` and ``vec(ρ) = T_REAL_INV @ x``."""

# Dormand–Prince 5(4) tableau
_C2, _C3, _C4, _C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9
_A21 = 1 / 5
_A31, _A32 = 3 / 40, 9 / 40
_A41, _A42, _A43 = 44 / 45, -56 / 15, 32 / 9
_A51, _A52, _A53, _A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
_A61, _A62, _A63, _A64, _A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
_B1, _B3, _B4, _B5, _B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
# error coefficients: b(5th order) − b*(4th order)
_E1 = 35 / 384 - 5179 / 57600
_E3 = 500 / 1113 - 7571 / 16695
_E4 = 125 / 192 - 393 / 640
_E5 = -2187 / 6784 + 92097 / 339200
_E6 = 11 / 84 - 187 / 2100
_E7 = -1 / 40


# ---------------------------------------------------------------------------------------------
# generators
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _add_left(L, A, c):
    """L += c·(ρ ↦ Aρ) in column-stacking vec (L (9, 9) complex, A (3, 3) complex)."""
    for i in range(3):
        for j in range(3):
            for k in range(3):
                L[i + 3 * j, k + 3 * j] += c * A[i, k]


@numba.njit(cache=True)
def _add_right(L, B, c):
    """L += c·(ρ ↦ ρB)."""
    for i in range(3):
        for j in range(3):
            for k in range(3):
                L[i + 3 * j, i + 3 * k] += c * B[k, j]


@numba.njit(cache=True)
def _add_dissipator(L, C):
    """L += D[C] = CρC† − ½{C†C, ρ}."""
    for i in range(3):
        for j in range(3):
            for k in range(3):
                for l in range(3):
                    L[i + 3 * j, k + 3 * l] += C[i, k] * np.conj(C[j, l])
    A = np.conj(C.T) @ C
    _add_left(L, A, -0.5)
    _add_right(L, A, -0.5)


@numba.njit(cache=True)
def _to_real(L, out):
    """Write Re(T · L · T⁻¹) into ``out`` for a Hermiticity-preserving (9, 9) generator L."""
    tmp = L @ T_REAL_INV
    full = T_REAL @ tmp
    scale = 0.0
    for a in range(9):
        for b in range(9):
            scale = max(scale, abs(full[a, b]))
    for a in range(9):
        for b in range(9):
            v = full[a, b].real
            # drop round-off so the sparsity pattern (used by _rhs) stays exact
            out[a, b] = v if abs(v) > 1e-14 * scale else 0.0


@numba.njit(cache=True)
def build_generators(sysp):
    """Real generators ``(G0, G1, G2)`` of ``dx/dt = (G0 + Ωp G1 + Ωs G2) x``.

    Args:
        sysp: packed system, shape (7,) (see module docstring; rad/µs).

    Returns:
        (3, 9, 9) float64: G0 (detunings, decay, dephasing, sink) in 1/µs; G1, G2 the pump and
        Stokes couplings per unit Rabi frequency (dimensionless; multiply by Ω in rad/µs).
    """
    ladder = sysp[0] > 0.5
    gamma, frac, gamma_top, deph, d1, d2 = sysp[1], sysp[2], sysp[3], sysp[4], sysp[5], sysp[6]
    out = np.zeros((3, 9, 9))
    # G0: H0 = Δ|1⟩⟨1| + δ|2⟩⟨2|, collapse operators, sink
    L = np.zeros((9, 9), np.complex128)
    H = np.zeros((3, 3), np.complex128)
    H[1, 1] = d1
    H[2, 2] = d2
    _add_left(L, H, -1j)
    _add_right(L, H, 1j)
    back = gamma * (1.0 - frac)
    if back > 0.0:
        C = np.zeros((3, 3), np.complex128)
        if ladder:
            C[0, 1] = math.sqrt(back)
            _add_dissipator(L, C)
        else:
            C[0, 1] = math.sqrt(back / 2.0)
            _add_dissipator(L, C)
            C[0, 1] = 0.0
            C[2, 1] = math.sqrt(back / 2.0)
            _add_dissipator(L, C)
    if gamma_top > 0.0:
        C = np.zeros((3, 3), np.complex128)
        C[1, 2] = math.sqrt(gamma_top)
        _add_dissipator(L, C)
    if deph > 0.0:
        C = np.zeros((3, 3), np.complex128)
        C[0, 0] = math.sqrt(deph / 2.0)
        C[2, 2] = -math.sqrt(deph / 2.0)
        _add_dissipator(L, C)
    sink = gamma * frac
    if sink > 0.0:
        P = np.zeros((3, 3), np.complex128)
        P[1, 1] = 1.0
        _add_left(L, P, -0.5 * sink)
        _add_right(L, P, -0.5 * sink)
    _to_real(L, out[0])
    # G1: pump ½(|0⟩⟨1| + h.c.) per unit Ωp; G2: Stokes ½(|2⟩⟨1| + h.c.) per unit Ωs
    for g in range(1, 3):
        a = 0 if g == 1 else 2
        L = np.zeros((9, 9), np.complex128)
        H = np.zeros((3, 3), np.complex128)
        H[a, 1] = 0.5
        H[1, a] = 0.5
        _add_left(L, H, -1j)
        _add_right(L, H, 1j)
        _to_real(L, out[g])
    return out


# ---------------------------------------------------------------------------------------------
# integrator
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True)
def _rates(sysp):
    """Rates used by ``_rhs`` (rad/µs), shape (9,).

    Order: Δ, δ, γ, back-decay rate 1 → 0, back-decay rate 1 → 2, γ_top, and the decay rates
    of the coherences ρ01, ρ02, ρ12.
    """
    ladder = sysp[0] > 0.5
    gamma, frac, gamma_top, deph, d1, d2 = sysp[1], sysp[2], sysp[3], sysp[4], sysp[5], sysp[6]
    back = gamma * (1.0 - frac)
    r = np.empty(9)
    r[0] = d1
    r[1] = d2
    r[2] = gamma
    r[3] = back if ladder else 0.5 * back
    r[4] = 0.0 if ladder else 0.5 * back
    r[5] = gamma_top
    r[6] = 0.5 * gamma + 0.25 * deph
    r[7] = 0.5 * gamma_top + deph
    r[8] = 0.5 * gamma + 0.5 * gamma_top + 0.25 * deph
    return r


@numba.njit(cache=True)
def _rhs(r, pp, ps, t, Y, out):
    """Write dY/dt into ``out`` for the real density-matrix vector(s) Y (9, m), explicitly.

    With a = Ωp(t), b = Ωs(t) and x = [p0, p1, p2, x01, y01, x02, y02, x12, y12]
    (ρjk = xjk + i·yjk), the Hamiltonian part of −i[H, ρ] reads::

        p0' = −a y01              p1' = a y01 − b y12            p2' = b y12
        x01' = −Δ y01 − b/2 y02               y01' = Δ x01 + b/2 x02 − a/2 (p1 − p0)
        x02' = −δ y02 + a/2 y12 − b/2 y01     y02' = δ x02 − a/2 x12 + b/2 x01
        x12' = (Δ−δ) y12 + a/2 y02            y12' = −(Δ−δ) x12 − a/2 x02 − b/2 (p2 − p1)

    plus decay of p1 at γ (back into 0 and 2 at r[3], r[4]), 2 → 1 at γ_top and coherence
    decay at r[6:9] (see ``_rates``). ``build_generators`` gives the same map as matrices.
    """
    a = envelope(int(pp[0]), pp[1], pp[2], pp[3], pp[4], t)
    b = envelope(int(ps[0]), ps[1], ps[2], ps[3], ps[4], t)
    ha = 0.5 * a
    hb = 0.5 * b
    d1 = r[0]
    d2 = r[1]
    d12 = d1 - d2
    gamma = r[2]
    g0 = r[3]
    g2 = r[4]
    gt = r[5]
    c01 = r[6]
    c02 = r[7]
    c12 = r[8]
    for c in range(Y.shape[1]):
        p0 = Y[0, c]
        p1 = Y[1, c]
        p2 = Y[2, c]
        x01 = Y[3, c]
        y01 = Y[4, c]
        x02 = Y[5, c]
        y02 = Y[6, c]
        x12 = Y[7, c]
        y12 = Y[8, c]
        out[0, c] = -a * y01 + g0 * p1
        out[1, c] = a * y01 - b * y12 - gamma * p1 + gt * p2
        out[2, c] = b * y12 + g2 * p1 - gt * p2
        out[3, c] = -d1 * y01 - hb * y02 - c01 * x01
        out[4, c] = d1 * x01 + hb * x02 - ha * (p1 - p0) - c01 * y01
        out[5, c] = -d2 * y02 + ha * y12 - hb * y01 - c02 * x02
        out[6, c] = d2 * x02 - ha * x12 + hb * x01 - c02 * y02
        out[7, c] = d12 * y12 + ha * y02 - c12 * x12
        out[8, c] = -d12 * x12 - ha * x02 - hb * (p2 - p1) - c12 * y12


@numba.njit(cache=True)
def _support_length(p):
    """Length (µs) of a packed pulse's support."""
    if int(p[0]) == 0:
        return _GAUSS_SUPPORT * p[3]
    return p[3]


@numba.njit(cache=True)
def _max_rate(sysp, pp, ps):
    """Largest rate (rad/µs) in a point: Rabi amplitudes, detunings, decays, dephasing."""
    r = max(pp[1], ps[1], abs(sysp[5]), abs(sysp[6]), sysp[1], sysp[3], sysp[4])
    return max(r, 1e-300)


@numba.njit(cache=True, inline="always")
def _rhs1(r, pp, ps, t, y, out):
    """``_rhs`` for one state vector y (9,) (the population kernels' hot loop)."""
    a = envelope(int(pp[0]), pp[1], pp[2], pp[3], pp[4], t)
    b = envelope(int(ps[0]), ps[1], ps[2], ps[3], ps[4], t)
    ha = 0.5 * a
    hb = 0.5 * b
    d12 = r[0] - r[1]
    p0, p1, p2 = y[0], y[1], y[2]
    x01, y01, x02, y02, x12, y12 = y[3], y[4], y[5], y[6], y[7], y[8]
    out[0] = -a * y01 + r[3] * p1
    out[1] = a * y01 - b * y12 - r[2] * p1 + r[5] * p2
    out[2] = b * y12 + r[4] * p1 - r[5] * p2
    out[3] = -r[0] * y01 - hb * y02 - r[6] * x01
    out[4] = r[0] * x01 + hb * x02 - ha * (p1 - p0) - r[6] * y01
    out[5] = -r[1] * y02 + ha * y12 - hb * y01 - r[7] * x02
    out[6] = r[1] * x02 - ha * x12 + hb * x01 - r[7] * y02
    out[7] = d12 * y12 + ha * y02 - r[8] * x12
    out[8] = -d12 * x12 - ha * x02 - hb * (p2 - p1) - r[8] * y12


@numba.njit(cache=True)
def _dopri1(r, pp, ps, t_out, y0, rtol, atol, hmax, h0, out):
    """Dormand–Prince 5(4) for one state vector from ``t_out[0]``, storing y at every ``t_out``.

    Args:
        r: rates from ``_rates``, (9,) rad/µs.
        pp: packed pump pulse, (5,).
        ps: packed Stokes pulse, (5,).
        t_out: (n_out,) increasing output times (µs).
        y0: (9,) initial real state vector.
        rtol: relative tolerance.
        atol: absolute tolerance.
        hmax: largest step (µs).
        h0: first trial step (µs).
        out: (n_out, 9) result, written in place.

    Returns:
        (status, n_steps): status 0 ok, 1 too many steps, 2 step underflow.
    """
    y = y0.copy()
    k1 = np.empty(9)
    k2 = np.empty(9)
    k3 = np.empty(9)
    k4 = np.empty(9)
    k5 = np.empty(9)
    k6 = np.empty(9)
    k7 = np.empty(9)
    yt = np.empty(9)
    yn = np.empty(9)
    out[0] = y
    t = t_out[0]
    h = min(h0, hmax)
    _rhs1(r, pp, ps, t, y, k1)
    n_steps = 0
    for idx in range(1, t_out.shape[0]):
        t_end = t_out[idx]
        while t < t_end:
            n_steps += 1
            if n_steps > MAX_STEPS:
                return 1, n_steps
            remaining = t_end - t
            clipped = h >= remaining
            hs = remaining if clipped else h
            if hs <= 1e-14 * max(1.0, abs(t)):
                if clipped:
                    t = t_end
                    break
                return 2, n_steps
            for a in range(9):
                yt[a] = y[a] + hs * _A21 * k1[a]
            _rhs1(r, pp, ps, t + _C2 * hs, yt, k2)
            for a in range(9):
                yt[a] = y[a] + hs * (_A31 * k1[a] + _A32 * k2[a])
            _rhs1(r, pp, ps, t + _C3 * hs, yt, k3)
            for a in range(9):
                yt[a] = y[a] + hs * (_A41 * k1[a] + _A42 * k2[a] + _A43 * k3[a])
            _rhs1(r, pp, ps, t + _C4 * hs, yt, k4)
            for a in range(9):
                yt[a] = y[a] + hs * (_A51 * k1[a] + _A52 * k2[a] + _A53 * k3[a] + _A54 * k4[a])
            _rhs1(r, pp, ps, t + _C5 * hs, yt, k5)
            for a in range(9):
                yt[a] = y[a] + hs * (_A61 * k1[a] + _A62 * k2[a] + _A63 * k3[a] + _A64 * k4[a]
                                     + _A65 * k5[a])
            _rhs1(r, pp, ps, t + hs, yt, k6)
            for a in range(9):
                yn[a] = y[a] + hs * (_B1 * k1[a] + _B3 * k3[a] + _B4 * k4[a] + _B5 * k5[a]
                                     + _B6 * k6[a])
            _rhs1(r, pp, ps, t + hs, yn, k7)
            err2 = 0.0
            for a in range(9):
                e = hs * (_E1 * k1[a] + _E3 * k3[a] + _E4 * k4[a] + _E5 * k5[a] + _E6 * k6[a]
                          + _E7 * k7[a])
                sc = atol + rtol * max(abs(y[a]), abs(yn[a]))
                err2 += (e / sc) ** 2
            err = math.sqrt(err2 / 9.0)
            if err <= 1.0:
                t = t_end if clipped else t + hs
                for a in range(9):
                    y[a] = yn[a]
                    k1[a] = k7[a]
                fac = 5.0 if err == 0.0 else min(5.0, max(0.2, 0.9 * err ** -0.2))
                h_new = hs * fac
                h = max(h, h_new) if clipped else h_new
            else:
                h = hs * max(0.2, 0.9 * err ** -0.2)
            h = min(h, hmax)
        out[idx] = y
    return 0, n_steps


_D8_A = np.ascontiguousarray(_d853.A[:_d853.N_STAGES, :_d853.N_STAGES])
_D8_B = np.ascontiguousarray(_d853.B)
D8_C = np.ascontiguousarray(_d853.C[:_d853.N_STAGES])
"""DOP853 stage times (fractions of the step); the kernels below are shared with
``physics.gates_fast``."""
_D8_E3 = np.ascontiguousarray(_d853.E3)
_D8_E5 = np.ascontiguousarray(_d853.E5)


@numba.njit(cache=True)
def d853_stage_input(y, K, s, hs, yt):
    """DOP853 stage input ``yt = y + hs·Σ_{q<s} A[s, q]·K[q]`` (rhs-agnostic helper).

    Args:
        y: (n, m) state at the start of the step.
        K: (13, n, m) stage derivatives; rows ``0..s−1`` are used.
        s: stage index, 1 ≤ s ≤ 11.
        hs: step (µs).
        yt: (n, m) output, written in place.
    """
    n, m = y.shape
    yt[:, :] = y
    for q in range(s):
        coef = hs * _D8_A[s, q]
        if coef != 0.0:  # the tableau is sparse
            for a in range(n):
                for c in range(m):
                    yt[a, c] += coef * K[q, a, c]


@numba.njit(cache=True)
def d853_solution(y, K, hs, yn):
    """DOP853 8th-order solution ``yn = y + hs·Σ_q B[q]·K[q]`` over the 12 stages (in place)."""
    n, m = y.shape
    yn[:, :] = y
    for q in range(12):
        coef = hs * _D8_B[q]
        if coef != 0.0:
            for a in range(n):
                for c in range(m):
                    yn[a, c] += coef * K[q, a, c]


@numba.njit(cache=True)
def d853_error(y, yn, K, hs, rtol, atol):
    """Scaled DOP853 error of a step (scipy's/Hairer's norm): accept the step if ≤ 1.

    Args:
        y: (n, m) state at the start of the step.
        yn: (n, m) proposed state at its end.
        K: (13, n, m) stage derivatives, ``K[12]`` evaluated at (t + hs, yn).
        hs: step (µs).
        rtol: relative tolerance.
        atol: absolute tolerance.
    """
    n, m = y.shape
    e5 = 0.0
    e3 = 0.0
    for a in range(n):
        for c in range(m):
            a5 = 0.0
            a3 = 0.0
            for q in range(13):
                a5 += _D8_E5[q] * K[q, a, c]
                a3 += _D8_E3[q] * K[q, a, c]
            sc = atol + rtol * max(abs(y[a, c]), abs(yn[a, c]))
            e5 += (a5 / sc) ** 2
            e3 += (a3 / sc) ** 2
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    return hs * e5 / math.sqrt((e5 + 0.01 * e3) * (n * m))


@numba.njit(cache=True)
def d853_factor(err):
    """DOP853 step-size factor for a scaled error ``err`` (safety 0.9, limits [0.2, 10])."""
    if err == 0.0:
        return 10.0
    return min(10.0, max(0.2, 0.9 * err ** -0.125))


@numba.njit(cache=True)
def _dop853(r, pp, ps, t_out, Y0, rtol, atol, hmax, h0, out):
    """Dormand–Prince 8(5,3) (Hairer's DOP853, scipy's tableau and error norm) for Y (9, m).

    Used for the process kernel, whose Choi matrix must stay positive to ~1e-9 in the unitary
    limit: an 8th-order method reaches that accuracy in fewer right-hand-side calls than 5(4).

    Args:
        r: rates from ``_rates``, (9,) rad/µs.
        pp: packed pump pulse, (5,).
        ps: packed Stokes pulse, (5,).
        t_out: (n_out,) increasing output times (µs).
        Y0: (9, m) initial real state vector(s).
        rtol: relative tolerance.
        atol: absolute tolerance.
        hmax: largest step (µs).
        h0: first trial step (µs).
        out: (n_out, 9, m) result, written in place.

    Returns:
        (status, n_steps): status 0 ok, 1 too many steps, 2 step underflow.
    """
    ns = 12
    m = Y0.shape[1]
    y = Y0.copy()
    K = np.empty((ns + 1, 9, m))
    yt = np.empty((9, m))
    yn = np.empty((9, m))
    a5 = np.empty((9, m))
    a3 = np.empty((9, m))
    out[0] = y
    t = t_out[0]
    h = min(h0, hmax)
    _rhs(r, pp, ps, t, y, K[0])
    n_steps = 0
    n_entries = 9.0 * m
    for idx in range(1, t_out.shape[0]):
        t_end = t_out[idx]
        while t < t_end:
            n_steps += 1
            if n_steps > MAX_STEPS:
                return 1, n_steps
            remaining = t_end - t
            clipped = h >= remaining
            hs = remaining if clipped else h
            if hs <= 1e-14 * max(1.0, abs(t)):
                if clipped:
                    t = t_end
                    break
                return 2, n_steps
            for s in range(1, ns):
                yt[:, :] = y
                for q in range(s):
                    coef = hs * _D8_A[s, q]
                    if coef != 0.0:  # the tableau is sparse
                        for a in range(9):
                            for c in range(m):
                                yt[a, c] += coef * K[q, a, c]
                _rhs(r, pp, ps, t + D8_C[s] * hs, yt, K[s])
            yn[:, :] = y
            for q in range(ns):
                coef = hs * _D8_B[q]
                if coef != 0.0:
                    for a in range(9):
                        for c in range(m):
                            yn[a, c] += coef * K[q, a, c]
            _rhs(r, pp, ps, t + hs, yn, K[ns])
            a5[:, :] = 0.0
            a3[:, :] = 0.0
            for q in range(ns + 1):
                c5 = _D8_E5[q]
                c3 = _D8_E3[q]
                for a in range(9):
                    for c in range(m):
                        a5[a, c] += c5 * K[q, a, c]
                        a3[a, c] += c3 * K[q, a, c]
            e5 = 0.0
            e3 = 0.0
            for a in range(9):
                for c in range(m):
                    sc = atol + rtol * max(abs(y[a, c]), abs(yn[a, c]))
                    e5 += (a5[a, c] / sc) ** 2
                    e3 += (a3[a, c] / sc) ** 2
            if e5 == 0.0 and e3 == 0.0:
                err = 0.0
            else:
                err = hs * e5 / math.sqrt((e5 + 0.01 * e3) * n_entries)
            if err <= 1.0:
                t = t_end if clipped else t + hs
                for a in range(9):
                    for c in range(m):
                        y[a, c] = yn[a, c]
                        K[0, a, c] = K[ns, a, c]
                fac = 10.0 if err == 0.0 else min(10.0, max(0.2, 0.9 * err ** -0.125))
                h_new = hs * fac
                h = max(h, h_new) if clipped else h_new
            else:
                h = hs * max(0.2, 0.9 * err ** -0.125)
            h = min(h, hmax)
        out[idx] = y
    return 0, n_steps


@numba.njit(cache=True)
def step_limits(sysp, pp, ps):
    """(hmax, h0) in µs for one point."""
    hmax = _HMAX_FRACTION * min(_support_length(pp), _support_length(ps))
    h0 = min(hmax, 0.05 / _max_rate(sysp, pp, ps))
    return hmax, h0


@numba.njit(cache=True)
def evolve_populations(sysp, pp, ps, t_out, initial, rtol, atol):
    """Populations of states 0, 1, 2 at every output time, one parameter point.

    Args:
        sysp: packed system (7,).
        pp: packed pump pulse (5,).
        ps: packed Stokes pulse (5,).
        t_out: (n_times,) increasing output times (µs); the evolution starts at ``t_out[0]``.
        initial: index of the initially populated state (0, 1 or 2).
        rtol: relative step-control tolerance.
        atol: absolute step-control tolerance.

    Returns:
        (populations (n_times, 3), status): status 0 ok (see module docstring).
    """
    r = _rates(sysp)
    hmax, h0 = step_limits(sysp, pp, ps)
    y0 = np.zeros(9)
    y0[initial] = 1.0
    out = np.empty((t_out.shape[0], 9))
    status, _ = _dopri1(r, pp, ps, t_out, y0, rtol, atol, hmax, h0, out)
    return out[:, 0:3].copy(), status


@numba.njit(cache=True, parallel=True)
def efficiency_batch(sysp, pp, ps, tspan, initial, rtol, atol):
    """Final populations for many parameter points, in parallel over points.

    Args:
        sysp: (n, 7) packed systems.
        pp: (n, 5) packed pump pulses.
        ps: (n, 5) packed Stokes pulses.
        tspan: (n, 2) start and end times (µs).
        initial: initially populated state (0, 1, 2).
        rtol: relative step-control tolerance.
        atol: absolute step-control tolerance.

    Returns:
        (efficiency (n,), loss (n,), status (n,) int64): population of state 2 at the end, and
        1 − final trace.
    """
    n = sysp.shape[0]
    eff = np.empty(n)
    loss = np.empty(n)
    status = np.zeros(n, np.int64)
    for i in numba.prange(n):
        r = _rates(sysp[i])
        hmax, h0 = step_limits(sysp[i], pp[i], ps[i])
        y0 = np.zeros(9)
        y0[initial] = 1.0
        out = np.empty((2, 9))
        st, _ = _dopri1(r, pp[i], ps[i], tspan[i], y0, rtol, atol, hmax, h0, out)
        status[i] = st
        eff[i] = out[1, 2]
        loss[i] = 1.0 - (out[1, 0] + out[1, 1] + out[1, 2])
    return eff, loss, status


@numba.njit(cache=True)
def process_real(sysp, pp, ps, t0, t1, rtol, atol):
    """Real 9×9 process matrix ``x(t1) = S_real x(t0)`` (the 9 basis states propagated together).

    Integrated with DOP853 (``_dop853``); use ``PROCESS_RTOL`` / ``PROCESS_ATOL`` for a Choi
    matrix that is positive to ~1e-10 in the unitary limit.

    Args:
        sysp: packed system (7,).
        pp: packed pump pulse (5,).
        ps: packed Stokes pulse (5,).
        t0: start time (µs).
        t1: end time (µs).
        rtol: relative step-control tolerance.
        atol: absolute step-control tolerance.

    Returns:
        (S_real (9, 9) float64, status).
    """
    r = _rates(sysp)
    hmax, h0 = step_limits(sysp, pp, ps)
    t_out = np.array([t0, t1])
    out = np.empty((2, 9, 9))
    status, _ = _dop853(r, pp, ps, t_out, np.eye(9), rtol, atol, hmax, h0, out)
    return out[1].copy(), status


@numba.njit(cache=True, parallel=True)
def process_batch(sysp, pp, ps, tspan, rtol, atol):
    """Real process matrices for many points, in parallel.

    Args:
        sysp: (n, 7) packed systems.
        pp: (n, 5) packed pump pulses.
        ps: (n, 5) packed Stokes pulses.
        tspan: (n, 2) start and end times (µs).
        rtol: relative step-control tolerance.
        atol: absolute step-control tolerance.

    Returns:
        (S_real (n, 9, 9), status (n,) int64).
    """
    n = sysp.shape[0]
    res = np.empty((n, 9, 9))
    status = np.zeros(n, np.int64)
    for i in numba.prange(n):
        s, st = process_real(sysp[i], pp[i], ps[i], tspan[i, 0], tspan[i, 1], rtol, atol)
        res[i] = s
        status[i] = st
    return res, status


# ---------------------------------------------------------------------------------------------
# Python-side helpers
# ---------------------------------------------------------------------------------------------


def pack_system(system: ThreeLevelSystem) -> np.ndarray:
    """Packed system parameters, shape (7,) float64 (see module docstring)."""
    return np.array([0.0 if system.kind == "lambda" else 1.0, system.gamma, system.loss_fraction,
                     system.gamma_top, system.dephasing, system.detuning_1ph,
                     system.detuning_2ph], float)


def pack_pulses(pulses: StirapPulses) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pump (5,), Stokes (5,), t_span (2,)) float64 arrays for the kernels."""
    return pulses.pump.packed(), pulses.stokes.packed(), np.array(pulses.t_span, float)


def real_to_superop(s_real: np.ndarray) -> np.ndarray:
    """Complex column-stacking superoperator(s) from real process matrices.

    Args:
        s_real: (..., 9, 9) real process matrices on ``x``.

    Returns:
        (..., 9, 9) complex S with vec(ρ') = S vec(ρ), vec = column stacking.
    """
    return T_REAL_INV @ s_real @ T_REAL
