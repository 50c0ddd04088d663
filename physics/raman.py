"""Far-detuned Raman driving: the excited manifold adiabatically eliminated.

When every laser is detuned from every excited sublevel by far more than its Rabi frequency,
the excited amplitudes follow the ground ones, c_e = −Σ_g H_eg c_g / (E_e − iΓ_e/2), and the
dynamics closes on the ground levels (second-order perturbation theory; e.g. Brion, Pedersen
and Mølmer, J. Phys. A 40, 1033, 2007). With the coupling convention of
``physics.multilevel`` (H_ge = ½ w_j C_j[g, e] for laser j, complex amplitude
w_j(t) = Σ_d Ω_d(t) e^{iφ_d} over its pulses)::

    H_eff = diag(E) − ½i·diag(G) + Σ_jk w_j w_k* K_jk,
    K_jk[g, g'] = −¼ Σ_e C_j[g, e] C_k[g', e]* / (E_e − iΓ_e/2)

— light shifts (real part, δ = −Ω²/(4Δ) for one transition) and off-resonant scattering
(anti-Hermitian part, rate ΓΩ²/(4Δ²)) — and each decay L of the excited manifold becomes a
jump on the ground levels, L_eff = Σ_j w_j* J_j with J_j[g'', g] = −½ Σ_e L[g'', e] C_j[g, e]*
/ (E_e − iΓ_e/2). Terms are grouped by the *virtual level* they pass through: laser–ground
pairs whose photon energies sum to the same virtual energy (a Raman-resonant pump on F=1 and
Stokes on F=2) interfere — this is what keeps a dark state dark — while pairs at other
virtual energies (the pump on F=2, 6.8 GHz away) only shift and scatter, incoherently with the
rest. A ``RamanSystem`` holds the kept ground levels (qubit 0, 1, auxiliary |a⟩ = 2) and these
static matrices; scattering into ground levels outside the model leaves to a sink (leakage).

Everything is quadratic in the laser amplitudes, so the Liouvillian on the 3 kept levels is
``L(t) = L₀ + Σ_jk w_j(t) w_k(t)* L_jk`` with static 9 × 9 superoperators (column-stacked ρ),
integrated by scipy's DOP853: a few tens of ms per gate instead of a stiff optical-frequency
model. Validity: |E_e| ≫ Ω, Γ, 1/T (no excited population left at the end), checked by
``check_far_detuned``.

Examples:
    >>> from physics.multilevel import MultiLevelSystem
    >>> two = MultiLevelSystem.single_transition(detuning=2000.0, decay_rate=30.0)
    >>> raman = eliminate(two)
    >>> shift, rate = far_detuned_shift(raman, "pump", 1, rabi=100.0)
    >>> round(shift, 6), round(rate, 8)  # −Ω²/(4Δ), ΓΩ²/(4Δ²) (to O(Γ²/Δ²))
    (-1.24993, 0.01874895)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from physics.multilevel import LASERS, Drive, MultiLevelSystem
from physics.pulses import envelope

__all__ = ["MAX_EVALUATIONS", "RAMAN_ATOL", "RAMAN_RTOL", "RamanSystem", "check_far_detuned",
           "eliminate", "evolve_raman", "far_detuned_shift", "raman_qubit_process",
           "raman_transfer", "second_order"]

RAMAN_RTOL = 1e-9
RAMAN_ATOL = 1e-11
MAX_EVALUATIONS = 2_000_000
"""Right-hand-side evaluations after which ``evolve_raman`` gives up (≈ 20 s)."""
_N = 3  # kept ground levels: qubit 0, 1 and |a⟩


@dataclass(frozen=True, eq=False)
class RamanSystem:
    """The kept ground levels of a far-detuned atom and its eliminated couplings.

    Attributes:
        labels: (3,) names of qubit |0⟩, |1⟩ and auxiliary |a⟩.
        energies: (3,) static rotating-frame energies (rad/µs), e.g. the Raman detuning on |a⟩.
        decay: (3,) static population decay of the kept levels (rad/µs), e.g. the Raman
            dephasing's ½γ_φ on |a⟩.
        static_jumps: (K0, 3, 3) complex static jumps (√(rad/µs)), e.g. that dephasing.
        light: (2, 2, 3, 3) complex K_jk of the module docstring (rad/µs per (rad/µs)²), laser
            index 0 = pump, 1 = Stokes; non-Hermitian (its anti-Hermitian part is the
            scattering).
        scatter: (M, 2, 3, 3) complex J_j of each eliminated jump (one per virtual level,
            polarisation and final hyperfine level), restricted to the kept levels: a jump
            L = Σ_j w_j* scatter[m, j] (√(rad/µs) per rad/µs).
        min_detuning: smallest |E_e − iΓ_e/2| over the eliminated couplings (rad/µs), for
            ``check_far_detuned``.
    """

    labels: tuple[str, ...]
    energies: np.ndarray
    decay: np.ndarray
    static_jumps: np.ndarray
    light: np.ndarray
    scatter: np.ndarray
    min_detuning: float

    def __post_init__(self) -> None:
        if len(self.labels) != _N:
            raise ValueError(f"labels: {len(self.labels)} levels; must be 3 (|0⟩, |1⟩, |a⟩)")
        shapes = {"energies": (_N,), "decay": (_N,), "light": (2, 2, _N, _N)}
        for name, shape in shapes.items():
            if np.shape(getattr(self, name)) != shape:
                raise ValueError(f"{name}: shape {np.shape(getattr(self, name))}; must be {shape}")
        for name in ("static_jumps", "scatter"):
            arr = getattr(self, name)
            if arr.ndim < 3 or arr.shape[-2:] != (_N, _N):
                raise ValueError(f"{name}: shape {arr.shape}; must end in (3, 3)")
        if not np.all(np.isfinite(self.light)) or not np.all(np.isfinite(self.scatter)):
            raise ValueError("light/scatter: must be finite")

    def liouvillian_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """(9, 9) static and (2, 2, 9, 9) laser-pair superoperators, column stacking.

        dvec(ρ)/dt = (L₀ + Σ_jk w_j w_k* L[j, k]) vec(ρ); vec(AρB) = (Bᵀ ⊗ A) vec(ρ).
        """
        eye = np.eye(_N)
        h0 = np.diag(self.energies).astype(complex) - 0.5j * np.diag(self.decay)
        l0 = -1j * np.kron(eye, h0) + 1j * np.kron(h0.conj(), eye)
        for jump in self.static_jumps:
            l0 = l0 + np.kron(jump.conj(), jump)
        terms = np.zeros((2, 2, _N * _N, _N * _N), complex)
        for j in range(2):
            for k in range(2):
                # −iKρ with coefficient w_j w_k*; +iρK† carries K_kj† with the same coefficient
                terms[j, k] = (-1j * np.kron(eye, self.light[j, k])
                               + 1j * np.kron(self.light[k, j].conj(), eye))
                for m in range(self.scatter.shape[0]):
                    # (Σ_a w_a* J_a) ρ (Σ_b w_b* J_b)† has w_j w_k* on J_k ρ J_j†
                    terms[j, k] += np.kron(self.scatter[m, j].conj(), self.scatter[m, k])
        return l0, terms


def second_order(couplings: Sequence[np.ndarray], excited: np.ndarray, widths: np.ndarray,
                 jumps: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """K_jk (2, 2, 3, 3) and the jumps' J_j (M, 2, 3, 3) of one virtual level.

    Args:
        couplings: per laser, (3, n_e) couplings C_j[g, e] of the kept levels (zeros where
            the laser does not reach this virtual level).
        excited: (n_e,) energies of the excited sublevels from this virtual level (rad/µs).
        widths: (n_e,) population decay Γ_e (rad/µs).
        jumps: (n_g'', n_e) decays L[g'', e] onto the kept levels, one per polarisation/final.
    """
    inv = 1.0 / (excited - 0.5j * widths)
    light = np.zeros((2, 2, _N, _N), complex)
    for j in range(2):
        for k in range(2):
            light[j, k] = -0.25 * (couplings[j] * inv) @ couplings[k].conj().T
    scat = np.zeros((len(jumps), 2, _N, _N), complex)
    for m, jump in enumerate(jumps):
        for j in range(2):
            scat[m, j] = -0.5 * (jump * inv) @ couplings[j].conj().T
    return light, scat


def eliminate(system: MultiLevelSystem) -> RamanSystem:
    """Adiabatically eliminate the excited levels (3…N−1) of a ``MultiLevelSystem``.

    One rotating frame, so one virtual level: the pump and Stokes couplings interfere, and
    each of the system's jumps out of the excited levels becomes one ground jump (its part
    onto ground levels 0–2; the rest, and the system's sink, leave the model). Jumps among
    the ground levels (dephasing) and the ground decay stay static.

    Args:
        system: the levels; ground levels 0–2 must be far from the excited ones.

    Returns:
        The ``RamanSystem`` on levels 0–2.
    """
    ex = slice(3, system.n_levels)
    couplings = [system.pump[:3, ex], system.stokes[:3, ex]]
    excited = np.asarray(system.energies[ex], float)
    widths = np.asarray(system.decay[ex], float)
    out_jumps, static = [], []
    for jump in system.jumps:
        part = jump[:3, ex]
        if np.any(part):
            out_jumps.append(part)
        ground = np.zeros((_N, _N), complex)
        ground[:, :] = jump[:3, :3]
        if np.any(ground):
            static.append(ground)
    light, scat = second_order(couplings, excited, widths, out_jumps)
    return RamanSystem(labels=tuple(system.labels[:3]), energies=np.array(system.energies[:3]),
                       decay=np.array(system.decay[:3], float),
                       static_jumps=np.array(static, complex).reshape(-1, _N, _N),
                       light=light, scatter=scat,
                       min_detuning=float(np.min(np.abs(excited - 0.5j * widths))))


def far_detuned_shift(system: RamanSystem, laser: str, level: int, *,
                      rabi: float) -> tuple[float, float]:
    """(light shift rad/µs, scattering rate 1/µs) of ``level`` under ``laser`` at Rabi ``rabi``.

    Examples:
        >>> from physics.multilevel import MultiLevelSystem
        >>> raman = eliminate(MultiLevelSystem.single_transition(detuning=-500.0, decay_rate=0.0))
        >>> far_detuned_shift(raman, "pump", 1, rabi=20.0)  # Ω²/(4|Δ|) upward, red laser
        (0.2, 0.0)
    """
    j = LASERS.index(laser)
    k = system.light[j, j, level, level] * rabi ** 2
    return float(k.real), float(-2.0 * k.imag) + 0.0


def check_far_detuned(system: RamanSystem, drives: Sequence[Drive], *, ratio: float = 10.0
                      ) -> None:
    """Refuse drives too strong for the elimination: peak Rabi frequency × ``ratio`` ≤ |Δ|.

    Raises:
        ValueError: naming the peak Rabi frequency and the smallest detuning.
    """
    peak = max((d.pulse.amplitude for d in drives), default=0.0)
    if peak * ratio > system.min_detuning:
        raise ValueError(
            f"Rabi frequency {peak:.4g} rad/µs: must be <= 1/{ratio:g} of the smallest "
            f"detuning {system.min_detuning:.4g} rad/µs for the far-detuned (eliminated) model")


def _amplitude_function(drives: Sequence[Drive]):
    """The lasers' complex amplitudes t ↦ (w_pump(t), w_stokes(t)) (rad/µs)."""
    packed = [(LASERS.index(d.laser), complex(math.cos(d.phase), math.sin(d.phase)),
               d.pulse.code, d.pulse.amplitude, d.pulse.center, d.pulse.width, d.pulse.rise)
              for d in drives]

    def amplitudes(t: float) -> tuple[complex, complex]:
        w = [0j, 0j]
        for laser, phase, code, amp, center, width, rise in packed:
            value = envelope(code, amp, center, width, rise, t)
            if value:
                w[laser] += value * phase
        return w[0], w[1]

    return amplitudes


def evolve_raman(system: RamanSystem, drives: Sequence[Drive], t_span: tuple[float, float],
                 inputs: np.ndarray) -> np.ndarray:
    """Propagate (m, 3, 3) input matrices over ``t_span`` (µs) on the kept levels.

    Returns:
        (m, 3, 3) complex outputs (trace-decreasing by scattering out of the kept levels).

    Raises:
        ValueError: on bad shapes, or drives too strong for the elimination.
        RuntimeError: if the integration fails.
    """
    inputs = np.asarray(inputs, complex)
    if inputs.ndim != 3 or inputs.shape[1:] != (_N, _N):
        raise ValueError(f"inputs: shape {inputs.shape}; must be (m, 3, 3)")
    check_far_detuned(system, drives)
    l0, terms = system.liouvillian_terms()
    flat = terms.reshape(4, _N * _N, _N * _N)

    amplitudes = _amplitude_function(drives)
    evaluations = [0]

    def rhs(t: float, y: np.ndarray) -> np.ndarray:
        evaluations[0] += 1
        if evaluations[0] > MAX_EVALUATIONS:
            raise _TooManyStepsError
        p, s = amplitudes(t)
        coef = (p * p.conjugate(), p * s.conjugate(), s * p.conjugate(), s * s.conjugate())
        gen = l0 + coef[0] * flat[0] + coef[1] * flat[1] + coef[2] * flat[2] + coef[3] * flat[3]
        return (gen @ y.reshape(_N * _N, -1)).ravel()

    y = np.stack([rho.flatten(order="F") for rho in inputs], axis=1)
    widths = [d.pulse.width for d in drives] or [t_span[1] - t_span[0]]
    for start, stop, driven in _segments(drives, t_span):
        if not driven:  # no light: the static generator, exactly
            y = expm(l0 * (stop - start)) @ y
            continue
        try:
            sol = solve_ivp(rhs, (start, stop), y.ravel(), method="DOP853", rtol=RAMAN_RTOL,
                            atol=RAMAN_ATOL, max_step=0.25 * min(widths))
        except _TooManyStepsError:
            raise RuntimeError(f"far-detuned integration: more than {MAX_EVALUATIONS} "
                               "evaluations (rates too far apart)") from None
        if not sol.success:
            raise RuntimeError(f"far-detuned integration failed: {sol.message}")
        y = sol.y[:, -1].reshape(_N * _N, -1)
    return np.stack([y[:, i].reshape(_N, _N, order="F") for i in range(y.shape[1])])


class _TooManyStepsError(Exception):
    """Raised inside the right-hand side to stop a runaway integration."""


def _segments(drives: Sequence[Drive], t_span: tuple[float, float]
              ) -> list[tuple[float, float, bool]]:
    """``t_span`` cut at every pulse edge: (start, stop, any pulse on)."""
    t0, t1 = t_span
    cuts = {t0, t1}
    for d in drives:
        for edge in d.pulse.support:
            if t0 < edge < t1:
                cuts.add(edge)
    points = sorted(cuts)
    out = []
    for a, b in zip(points[:-1], points[1:], strict=True):
        on = any(d.pulse.support[0] < b and d.pulse.support[1] > a and d.pulse.amplitude > 0
                 for d in drives)
        out.append((a, b, on))
    return out


def raman_qubit_process(system: RamanSystem, drives: Sequence[Drive],
                        t_span: tuple[float, float]) -> np.ndarray:
    """(4, 4) complex superoperator on the qubit levels (0, 1), column stacking.

    Population left in |a⟩ or scattered out of the kept levels is trace loss.
    """
    inputs = np.zeros((3, _N, _N), complex)
    inputs[0, 0, 0] = inputs[1, 0, 1] = inputs[2, 1, 1] = 1.0
    out = evolve_raman(system, drives, t_span, inputs)[:, :2, :2]
    images = [out[0], out[1].conj().T, out[1], out[2]]
    return np.stack([o.flatten(order="F") for o in images], axis=1)


def raman_transfer(system: RamanSystem, drives: Sequence[Drive], t_span: tuple[float, float],
                   initial: np.ndarray) -> tuple[float, float]:
    """(efficiency into |a⟩, loss out of the kept levels) from a state of the kept levels."""
    psi = np.asarray(initial, complex)
    out = evolve_raman(system, drives, t_span, np.outer(psi, psi.conj())[None])[0]
    return float(out[2, 2].real), float(1.0 - np.trace(out).real)
