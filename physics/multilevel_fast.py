"""Fast backend of ``physics.multilevel.evolve``: a sparse N-level Lindblad RHS in numba, DOP853.

The master equation of ``physics.multilevel`` is written as::

    dρ/dt = D ∘ ρ + Σ_d f_d(t) (−i[H_d, ρ]) + Σ_j L_j ρ L_j†,
    D_ik = −i(E_i − E_k) − ½(G_i + G_k)

(D the static diagonal part, Hadamard product; H_d the Hermitian coupling of drive d including
its phase; f_d its envelope). Couplings and jump operators are passed as sparse entry lists, so
a right-hand side costs O(nnz·N) per propagated matrix instead of O(N³). The m input matrices
are propagated together as the columns of a complex (N², m) array (row-major ρ), with the DOP853
stage and solution pieces of ``physics.stirap_fast`` and a complex error norm (real and
imaginary parts counted as separate components, scipy's/Hairer's norm). The integration is split
at every pulse edge so that no step straddles a switch-on.

Status codes as in ``physics.stirap_fast``: 0 ok, 1 too many steps, 2 step underflow.

Examples:
    >>> import numpy as np
    >>> from physics.multilevel import MultiLevelSystem
    >>> two = MultiLevelSystem.single_transition(detuning=50.0, decay_rate=1.0)
    >>> rho = np.zeros((1, 4, 4), complex); rho[0, 1, 1] = 1.0
    >>> out = evolve_fast(two, [], (0.0, 1.0), rho)  # undriven: nothing happens
    >>> round(float(out[0, 1, 1].real), 12)
    1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numba
import numpy as np

from physics.pulses import envelope
from physics.stirap_fast import D8_C, MAX_STEPS, d853_factor, d853_solution, d853_stage_input

__all__ = ["MULTILEVEL_ATOL", "MULTILEVEL_RTOL", "evolve_fast", "integrate"]

MULTILEVEL_RTOL = 1e-8
"""Relative DOP853 tolerance of the N-level integration (the step is mostly set by stability:
the largest level spacing, 2π × 424 MHz for ⁸⁷Rb; 1e-10 changes the gate by < 1e-13)."""
MULTILEVEL_ATOL = 1e-10
"""Absolute DOP853 tolerance (density-matrix entries)."""



@numba.njit(cache=True)
def _rhs(n, diag, h_idx, h_val, h_nnz, pulses, j_idx, j_val, j_nnz, t, y, out):
    """dρ/dt for the columns of y (n², m) complex, row-major ρ; written into ``out``.

    Args:
        n: number of levels.
        diag: (n, n) complex D_ik.
        h_idx: (T, P, 2) int64 (row, col) of the Hermitian coupling entries of each drive.
        h_val: (T, P) complex entries (per unit envelope).
        h_nnz: (T,) int64 entries used per drive.
        pulses: (T, 5) packed envelopes.
        j_idx: (K, Q, 2) int64 (row, col) entries of each jump operator.
        j_val: (K, Q) complex.
        j_nnz: (K,) int64.
        t: time (µs).
        y: (n², m) complex state.
        out: (n², m) complex derivative (1/µs).
    """
    m = y.shape[1]
    n_terms = h_nnz.shape[0]
    fs = np.empty(n_terms)
    for d in range(n_terms):
        p = pulses[d]
        fs[d] = envelope(int(p[0]), p[1], p[2], p[3], p[4], t)
    for c in range(m):
        for i in range(n):
            for k in range(n):
                out[i * n + k, c] = diag[i, k] * y[i * n + k, c]
        for d in range(n_terms):
            f = fs[d]
            if f == 0.0:
                continue
            for q in range(h_nnz[d]):
                r = h_idx[d, q, 0]
                s = h_idx[d, q, 1]
                v = -1j * f * h_val[d, q]
                for x in range(n):
                    out[r * n + x, c] += v * y[s * n + x, c]  # −iHρ
                    out[x * n + s, c] -= v * y[x * n + r, c]  # +iρH
        for k in range(j_nnz.shape[0]):
            for a in range(j_nnz[k]):
                ga = j_idx[k, a, 0]
                ea = j_idx[k, a, 1]
                va = j_val[k, a]
                for b in range(j_nnz[k]):
                    gb = j_idx[k, b, 0]
                    eb = j_idx[k, b, 1]
                    out[ga * n + gb, c] += va * np.conj(j_val[k, b]) * y[ea * n + eb, c]


@numba.njit(cache=True)
def _error(y, yn, K, hs, rtol, atol, e5c, e3c):
    """Scaled DOP853 error for complex states (Re and Im as separate components)."""
    nn, m = y.shape
    e5 = 0.0
    e3 = 0.0
    for a in range(nn):
        for c in range(m):
            a5 = 0j
            a3 = 0j
            for q in range(13):
                a5 += e5c[q] * K[q, a, c]
                a3 += e3c[q] * K[q, a, c]
            sr = atol + rtol * max(abs(y[a, c].real), abs(yn[a, c].real))
            si = atol + rtol * max(abs(y[a, c].imag), abs(yn[a, c].imag))
            e5 += (a5.real / sr) ** 2 + (a5.imag / si) ** 2
            e3 += (a3.real / sr) ** 2 + (a3.imag / si) ** 2
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    return hs * e5 / math.sqrt((e5 + 0.01 * e3) * (2 * nn * m))


@numba.njit(cache=True)
def integrate(n, diag, h_idx, h_val, h_nnz, pulses, j_idx, j_val, j_nnz, y0, t0, t1,
              rtol, atol, hmax, h0, e5c, e3c):
    """DOP853 from t0 to t1 for the (n², m) complex state y0.

    Returns:
        (y (n², m) complex, status, n_steps).
    """
    ns = 12
    y = y0.copy()
    nn, m = y.shape
    K = np.empty((ns + 1, nn, m), np.complex128)
    yt = np.empty((nn, m), np.complex128)
    yn = np.empty((nn, m), np.complex128)
    t = t0
    h = min(h0, hmax)
    _rhs(n, diag, h_idx, h_val, h_nnz, pulses, j_idx, j_val, j_nnz, t, y, K[0])
    n_steps = 0
    while t < t1:
        n_steps += 1
        if n_steps > MAX_STEPS:
            return y, 1, n_steps
        remaining = t1 - t
        clipped = h >= remaining
        hs = remaining if clipped else h
        if hs <= 1e-14 * max(1.0, abs(t)):
            if clipped:
                break
            return y, 2, n_steps
        for s in range(1, ns):
            d853_stage_input(y, K, s, hs, yt)
            _rhs(n, diag, h_idx, h_val, h_nnz, pulses, j_idx, j_val, j_nnz,
                 t + D8_C[s] * hs, yt, K[s])
        d853_solution(y, K, hs, yn)
        _rhs(n, diag, h_idx, h_val, h_nnz, pulses, j_idx, j_val, j_nnz, t + hs, yn, K[ns])
        err = _error(y, yn, K, hs, rtol, atol, e5c, e3c)
        fac = d853_factor(err)
        if err <= 1.0:
            t = t1 if clipped else t + hs
            y[:, :] = yn
            K[0, :, :] = K[ns]
            h = max(h, hs * fac) if clipped else hs * fac
        else:
            h = hs * fac
        h = min(h, hmax)
    return y, 0, n_steps


def _sparse(mats: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entry lists (T, P, 2) int64, (T, P) complex, (T,) int64 of a list of (N, N) matrices."""
    entries = [np.argwhere(np.abs(mat) > 0) for mat in mats]
    width = max([len(e) for e in entries] + [1])
    idx = np.zeros((len(mats), width, 2), np.int64)
    val = np.zeros((len(mats), width), complex)
    nnz = np.zeros(len(mats), np.int64)
    for k, (mat, e) in enumerate(zip(mats, entries, strict=True)):
        nnz[k] = len(e)
        if len(e):
            idx[k, :len(e)] = e
            val[k, :len(e)] = mat[e[:, 0], e[:, 1]]
    return idx, val, nnz


def _tableau() -> tuple[np.ndarray, np.ndarray]:
    from scipy.integrate._ivp import dop853_coefficients as d853

    return np.ascontiguousarray(d853.E5), np.ascontiguousarray(d853.E3)


def evolve_fast(system, drives: Sequence, t_span: tuple[float, float], inputs: np.ndarray, *,
                rtol: float = MULTILEVEL_RTOL, atol: float = MULTILEVEL_ATOL) -> np.ndarray:
    """``physics.multilevel.evolve`` with the numba kernels.

    Args:
        system: a ``MultiLevelSystem``.
        drives: ``Drive`` objects.
        t_span: (start, end) in µs.
        inputs: (m, N, N) complex initial matrices.
        rtol: relative DOP853 tolerance.
        atol: absolute DOP853 tolerance.

    Returns:
        (m, N, N) complex outputs.

    Raises:
        RuntimeError: if the integration fails (status ≠ 0).
    """
    n = system.n_levels
    e = system.energies
    g = system.decay
    diag = (-1j * (e[:, None] - e[None, :]) - 0.5 * (g[:, None] + g[None, :])).astype(complex)
    mats = []
    for d in drives:
        c = np.exp(1j * d.phase) * system.coupling(d.laser)
        mats.append(0.5 * (c + c.conj().T))
    h_idx, h_val, h_nnz = _sparse(mats) if mats else (
        np.zeros((0, 1, 2), np.int64), np.zeros((0, 1), complex), np.zeros(0, np.int64))
    j_idx, j_val, j_nnz = _sparse(list(system.jumps)) if len(system.jumps) else (
        np.zeros((0, 1, 2), np.int64), np.zeros((0, 1), complex), np.zeros(0, np.int64))
    packed = np.array([d.pulse.packed() for d in drives]).reshape(len(drives), 5)
    e5c, e3c = _tableau()
    m = inputs.shape[0]
    y = np.ascontiguousarray(np.asarray(inputs, complex).reshape(m, n * n).T)
    t0, t1 = t_span
    edges = {t0, t1}
    for d in drives:
        edges.update(x for x in d.pulse.support if t0 < x < t1)
    edges = sorted(edges)
    rate = max([float(np.max(np.abs(e))), float(np.max(g)), 1e-300]
               + [d.pulse.amplitude * float(np.max(np.abs(system.coupling(d.laser))))
                  for d in drives])
    lengths = [d.pulse.support[1] - d.pulse.support[0] for d in drives]
    hmax = min(lengths) / 16 if lengths else t1 - t0
    h0 = min(hmax, 0.05 / rate)
    for sa, sb in zip(edges[:-1], edges[1:], strict=True):
        seg = packed.copy()
        for k, d in enumerate(drives):
            lo, hi = d.pulse.support
            if sb <= lo or sa >= hi:
                seg[k, 1] = 0.0
            elif d.pulse.shape == "flattop" and d.pulse.rise == 0.0:
                seg[k, 3] *= 1.0 + 1e-9  # on at the segment ends (zero exactly at the edge)
        y, status, _ = integrate(n, diag, h_idx, h_val, h_nnz, seg, j_idx, j_val, j_nnz, y,
                                 sa, sb, rtol, atol, hmax, h0, e5c, e3c)
        if status != 0:
            raise RuntimeError(f"N-level integration failed (status {status}: "
                               f"{'too many steps' if status == 1 else 'step underflow'})")
    return np.ascontiguousarray(y.T).reshape(m, n, n)
