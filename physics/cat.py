"""Dissipative (two-photon-stabilised) cat qubit: bit- and phase-flip rates from the Lindblad model.

Model (rotating frame of the storage mode, H = 0, ħ = 1, time in µs, rates in 1/µs)::

    dρ/dt = Σ_k D[L_k] ρ,        D[L]ρ = L ρ L† − ½ {L†L, ρ}

    L1 = √κ2 · (a² − α²)            two-photon dissipation (engineered; stabilises |±α⟩)
    L2 = √(κ1 (1 + n_th)) · a        single-photon loss
    L3 = √(κ1 n_th) · a†             thermal excitation
    L4 = √κφ · a†a                   pure dephasing

Dephasing convention: with L4 = √κφ·a†a a Fock coherence ρ_mn decays as exp(−κφ (m − n)² t / 2),
so the 0–1 coherence of the bare oscillator decays at κφ/2 (i.e. T_φ = 2/κφ).

The code space is spanned by |±α⟩ (α real, > 0, without loss of generality); the computational
basis is |0⟩ ≈ |α⟩, |1⟩ ≈ |−α⟩ and the cat states |C±⟩ ∝ |α⟩ ± |−α⟩ are the X eigenstates.

* **Bit flip** (X error, |α⟩ ↔ |−α⟩): the population imbalance ⟨Z⟩ decays as exp(−2 Γ_X t);
  Γ_X is exponentially small in |α|² (≈ exp(−2|α|²) scaling with thermal photons or dephasing,
  faster under pure single-photon loss).
* **Phase flip** (Z error, parity flip |C+⟩ ↔ |C−⟩): the photon-number parity ⟨(−1)^n⟩ = ⟨X⟩
  decays as exp(−2 Γ_Z t), Γ_Z ≈ κ1 |α|² (with thermal photons ≈ κ1 (1 + 2 n_th) |α|²).

With these definitions a Pauli channel over a time t has p = (1 − exp(−2 Γ t)) / 2
(``flip_probability``).

Liouvillian method (``method="liouvillian"``): L is real (a, a†, α real), and it conserves the
parity of m + n of the density-matrix element ρ_mn (every collapse operator either preserves or
flips photon-number parity, and each appears on both sides of ρ). So L splits into two blocks:

* m + n even: the steady state (eigenvalue 0) and the parity mode |C+⟩⟨C+| − |C−⟩⟨C−|
  (eigenvalue −2 Γ_Z);
* m + n odd: the population-imbalance mode |α⟩⟨α| − |−α⟩⟨−α| (eigenvalue −2 Γ_X, the
  eigenvalue closest to 0 of this block) and the ⟨Y⟩ mode (≈ −2 (Γ_X + Γ_Z)).

Each block is solved by sparse shift-invert Arnoldi (``scipy.sparse.linalg.eigs``). Because the
odd block has no exact zero eigenvalue, shift-invert at σ = 0 resolves the tiny bit-flip eigenvalue
with relative (not absolute) accuracy.

Evolution method (``method="evolution"``, a cross-check built independently from qutip operators
and ``qutip.liouvillian``): prepare |±α⟩ and |C±⟩, propagate them with the exact propagator
exp(L t) (dense ``scipy.linalg.expm``; repeated squaring reaches t ~ 1/Γ_X cheaply) and measure
the decay of the differences ⟨a + a†⟩_{+α} − ⟨a + a†⟩_{−α} (→ 2 Γ_X) and ⟨P⟩_{C+} − ⟨P⟩_{C−}
(→ 2 Γ_Z) after the fast κ2 transient. The differences cancel the steady state, and by the
parity and transpose symmetries of L they contain only the wanted slow mode. Dense in N², so it
costs ~1 s at N ≈ 25 and grows as N⁶: use it to check, not for sweeps.

Fock truncation: the stabilised states are coherent states of mean |α|² and standard deviation |α|
in photon number. Truncating at N levels breaks the exact kernel of a² − α² (the recursion
ψ_{n+2} = α² ψ_n / √((n+1)(n+2)) is cut at n = N − 2), which gives the code states a spurious
decay of order κ2 |α|⁴ · Poisson(N − 2; |α|²). That floor does not affect Γ_Z but it swamps the
exponentially small Γ_X unless N is well inside the Poisson tail:

* minimum accepted ``ceil(|α|² + 6|α| + 8)`` (6 standard deviations + margin; Γ_Z converged, Γ_X
  resolved down to ~1e-8 κ2);
* automatic ``ceil(|α|² + 8|α| + 12)`` (Poisson weight at the edge ≲ 1e-16, Γ_X resolved down
  to the ~1e-13 κ2 floor of double-precision shift-invert); raising N further changes the rates
  by < 1 % (tested for |α|² ≤ 8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from physics.channel import Channel

__all__ = [
    "CAT_METHODS",
    "MAX_ALPHA_SQ",
    "MAX_FOCK",
    "CatQubit",
    "CatRates",
    "cat_channel",
    "cat_liouvillian",
    "cat_rates",
    "cat_readout_errors",
    "flip_probability",
    "homodyne_error",
    "min_fock",
    "auto_fock",
]

MAX_ALPHA_SQ = 100.0
"""Largest accepted |α|² (photons). The bit-flip rate reaches the ~1e-13 κ2 floor of
double-precision shift-invert (the module docstring) already near |α|² ≈ 8–10 for the
reference κ1/κ2 = 1e-4, so larger cats change only Γ_Z ≈ κ1|α|²; meanwhile the Liouvillian
(``auto_fock`` = 192 levels, 3.7e4 rows at |α|² = 100) costs seconds and grows as n_fock⁴.
Experiments use |α|² of a few to ~20."""

MAX_FOCK = 256
"""Largest explicit ``n_fock`` (a few seconds per rate computation at 256 levels)."""

CAT_METHODS: tuple[str, ...] = ("liouvillian", "evolution")


def min_fock(alpha_sq: float) -> int:
    """Smallest accepted Fock truncation ``ceil(|α|² + 6|α| + 8)`` for mean photon number |α|²."""
    a = math.sqrt(alpha_sq)
    return int(math.ceil(alpha_sq + 6.0 * a + 8.0))


def auto_fock(alpha_sq: float) -> int:
    """Automatic (converged) Fock truncation ``ceil(|α|² + 8|α| + 12)``."""
    a = math.sqrt(alpha_sq)
    return int(math.ceil(alpha_sq + 8.0 * a + 12.0))


@dataclass(frozen=True)
class CatQubit:
    """A two-photon-dissipation stabilised cat qubit (see the module docstring for the model).

    Attributes:
        alpha_sq: mean photon number |α|² of the cat, > 0.
        kappa2: two-photon dissipation rate κ2 (1/µs), > 0: collapse √κ2·(a² − α²).
        kappa1: single-photon loss rate κ1 (1/µs, energy decay), ≥ 0: collapse √(κ1(1+n_th))·a,
            plus √(κ1 n_th)·a† with thermal photons.
        kappa_phi: pure dephasing rate κφ (1/µs), ≥ 0: collapse √κφ·a†a (ρ_mn decays as
            exp(−κφ (m−n)² t/2)).
        n_th: thermal photon number of the bath, ≥ 0.
        n_fock: Fock-space truncation (number of levels); None → ``auto_fock(alpha_sq)``. Must be
            ≥ ``min_fock(alpha_sq)``.
        readout_efficiency: detection efficiency η of the homodyne Z readout, in (0, 1]. Default
            0.5: a quantum-limited (Josephson parametric) amplifier chain of superconducting
            circuits reaches η ≈ 0.5–0.8; 0.5 is the conservative end (an assumption).
        readout_time: duration of one readout (µs), ≥ 0, during which the cat keeps flipping
            (``cat_readout_errors``). Default 0.5 µs: half a stabilisation cycle, the scale of
            dispersive and parity readouts of superconducting circuits (an assumption).
    """

    alpha_sq: float
    kappa2: float
    kappa1: float
    kappa_phi: float = 0.0
    n_th: float = 0.0
    n_fock: int | None = None
    readout_efficiency: float = 0.5
    readout_time: float = 0.5

    def __post_init__(self) -> None:
        if not (isinstance(self.alpha_sq, int | float) and math.isfinite(self.alpha_sq)
                and 0 < self.alpha_sq <= MAX_ALPHA_SQ):
            raise ValueError(f"alpha_sq = {self.alpha_sq!r}: must be in (0, {MAX_ALPHA_SQ:g}] "
                             "(photons)")
        if not (math.isfinite(self.kappa2) and self.kappa2 > 0):
            raise ValueError(f"kappa2 = {self.kappa2!r}: must be finite and > 0 (1/µs)")
        for name in ("kappa1", "kappa_phi", "n_th"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
                unit = "photons" if name == "n_th" else "1/µs"
                raise ValueError(f"{name} = {v!r}: must be finite and >= 0 ({unit})")
        eta = self.readout_efficiency
        if isinstance(eta, bool) or not (isinstance(eta, int | float) and 0 < eta <= 1):
            raise ValueError(f"readout_efficiency = {eta!r}: must be in (0, 1] (detection "
                             "efficiency)")
        t_ro = self.readout_time
        if isinstance(t_ro, bool) or not (isinstance(t_ro, int | float) and math.isfinite(t_ro)
                                          and t_ro >= 0):
            raise ValueError(f"readout_time = {t_ro!r}: must be finite and >= 0 (µs)")
        if self.n_fock is not None:
            need = min_fock(self.alpha_sq)
            if isinstance(self.n_fock, bool) or not isinstance(self.n_fock, int | np.integer):
                raise ValueError(f"n_fock = {self.n_fock!r}: must be an integer >= {need} "
                                 f"or None (automatic)")
            if self.n_fock > MAX_FOCK:
                raise ValueError(f"n_fock = {self.n_fock}: must be <= {MAX_FOCK} (the "
                                 "Liouvillian has n_fock² rows; automatic choice: "
                                 f"{auto_fock(self.alpha_sq)})")
            if self.n_fock < need:
                raise ValueError(
                    f"n_fock = {self.n_fock}: too small for alpha_sq = {self.alpha_sq}; must be "
                    f">= {need} = ceil(|α|² + 6|α| + 8) (automatic choice: "
                    f"{auto_fock(self.alpha_sq)})")

    @property
    def alpha(self) -> float:
        """Coherent amplitude α = √(alpha_sq) (taken real and positive)."""
        return math.sqrt(self.alpha_sq)

    @property
    def dim(self) -> int:
        """Fock truncation actually used (``n_fock`` or ``auto_fock(alpha_sq)``)."""
        return int(self.n_fock) if self.n_fock is not None else auto_fock(self.alpha_sq)


@dataclass(frozen=True)
class CatRates:
    """Bit- and phase-flip rates of a cat qubit.

    Attributes:
        bit_flip_rate: Γ_X (1/µs): ⟨Z⟩ (population imbalance of |±α⟩) decays as exp(−2 Γ_X t).
        phase_flip_rate: Γ_Z (1/µs): parity ⟨(−1)^n⟩ decays as exp(−2 Γ_Z t); ≈ κ1 |α|².
        method: how they were computed (one of ``CAT_METHODS``).
    """

    bit_flip_rate: float
    phase_flip_rate: float
    method: str

    @property
    def bias(self) -> float:
        """Noise bias Γ_Z / Γ_X (inf when Γ_X = 0)."""
        return self.phase_flip_rate / self.bit_flip_rate if self.bit_flip_rate > 0 else math.inf


def flip_probability(rate: float, duration: float) -> float:
    """Flip probability p = (1 − exp(−2·rate·duration)) / 2 of a flip process at ``rate``.

    Args:
        rate: flip rate Γ (1/µs), ≥ 0 (a Pauli expectation decays as exp(−2Γt)).
        duration: time (µs), ≥ 0.

    Returns:
        Probability in [0, ½).
    """
    if not (math.isfinite(rate) and rate >= 0):
        raise ValueError(f"rate = {rate!r}: must be finite and >= 0 (1/µs)")
    if not (math.isfinite(duration) and duration >= 0):
        raise ValueError(f"duration = {duration!r}: must be finite and >= 0 (µs)")
    return float(-0.5 * math.expm1(-2.0 * rate * duration))


def _operators(n: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Real sparse annihilation operator a and number operator a†a, each (n, n)."""
    a = sp.diags(np.sqrt(np.arange(1, n, dtype=float)), 1, shape=(n, n), format="csr")
    num = sp.diags(np.arange(n, dtype=float), 0, shape=(n, n), format="csr")
    return a, num


def _collapse_ops(cat: CatQubit) -> list[sp.csr_matrix]:
    """Lindblad collapse operators of the model (real sparse, (n, n)); zero-rate ones dropped."""
    n = cat.dim
    a, num = _operators(n)
    eye = sp.identity(n, format="csr")
    ops = [math.sqrt(cat.kappa2) * (a @ a - cat.alpha_sq * eye)]
    if cat.kappa1 * (1.0 + cat.n_th) > 0:
        ops.append(math.sqrt(cat.kappa1 * (1.0 + cat.n_th)) * a)
    if cat.kappa1 * cat.n_th > 0:
        ops.append(math.sqrt(cat.kappa1 * cat.n_th) * a.T.tocsr())
    if cat.kappa_phi > 0:
        ops.append(math.sqrt(cat.kappa_phi) * num)
    return ops


def cat_liouvillian(cat: CatQubit) -> sp.csr_matrix:
    """Sparse real Liouvillian of the cat model, column-stacking convention.

    vec(ρ)[m + N·n] = ρ_mn, and vec(A ρ B) = (Bᵀ ⊗ A) vec(ρ) (same convention as qutip).

    Args:
        cat: the cat qubit.

    Returns:
        (N², N²) real CSR matrix, N = ``cat.dim``.
    """
    n = cat.dim
    eye = sp.identity(n, format="csr")
    lv = sp.csr_matrix((n * n, n * n))
    for op in _collapse_ops(cat):
        opd = op.T.tocsr()  # real: L† = Lᵀ
        ldl = (opd @ op).tocsr()
        # D[L]ρ = L ρ L† − ½ L†L ρ − ½ ρ L†L  with  L† = Lᵀ, (L†)ᵀ = L (real)
        lv = lv + sp.kron(op, op) - 0.5 * sp.kron(eye, ldl) - 0.5 * sp.kron(ldl.T, eye)
    return lv.tocsr()


def _parity_blocks(cat: CatQubit) -> tuple[sp.csc_matrix, sp.csc_matrix]:
    """The (m + n even, m + n odd) diagonal blocks of the Liouvillian."""
    n = cat.dim
    lv = cat_liouvillian(cat)
    idx = np.arange(n * n)
    m, k = idx % n, idx // n
    even = idx[(m + k) % 2 == 0]
    odd = idx[(m + k) % 2 == 1]
    return lv[even][:, even].tocsc(), lv[odd][:, odd].tocsc()


def _slowest(block: sp.csc_matrix, sigma: float, k: int) -> np.ndarray:
    """The k eigenvalues of ``block`` nearest to ``sigma``, sorted by decreasing real part."""
    dim = block.shape[0]
    k = min(k, dim - 2)
    if dim <= 64:
        vals = np.linalg.eigvals(block.toarray())
    else:
        rng = np.random.default_rng(0)
        v0 = rng.standard_normal(dim)
        try:
            vals = spla.eigs(block, k=k, sigma=sigma, which="LM", v0=v0, tol=1e-13,
                             return_eigenvectors=False, maxiter=10000)
        except (RuntimeError, ValueError, spla.ArpackError):  # singular shift / no convergence
            vals = np.linalg.eigvals(block.toarray())
    return np.asarray(sorted(vals, key=lambda z: -z.real))


def _rates_liouvillian(cat: CatQubit) -> CatRates:
    even, odd = _parity_blocks(cat)
    # Odd block: no zero eigenvalue; the one nearest 0 is the population-imbalance mode −2Γ_X.
    lam_odd = _slowest(odd, 0.0, 4)
    lam_x = lam_odd[0]
    # Even block: eigenvalue 0 (steady state) and the parity mode −2Γ_Z. Shift to a positive σ
    # (no eigenvalue has a positive real part) so the factorisation is regular.
    scale = cat.kappa1 * (1.0 + 2.0 * cat.n_th) * cat.alpha_sq + cat.kappa_phi + 1e-6 * cat.kappa2
    lam_even = _slowest(even, 0.5 * scale, 4)
    zero = int(np.argmin(np.abs(lam_even)))
    rest = np.delete(lam_even, zero)
    lam_z = rest[0]
    gx = max(0.0, -0.5 * float(lam_x.real))
    gz = max(0.0, -0.5 * float(lam_z.real))
    return CatRates(bit_flip_rate=gx, phase_flip_rate=gz, method="liouvillian")


def _decay_rate(prop0: np.ndarray, lv: np.ndarray, t0: float, rho: np.ndarray,
                obs: np.ndarray) -> float:
    """Decay rate r of ⟨obs⟩(t) ∝ exp(−r t) for a traceless ``rho`` (vectorised), after a transient.

    Propagates by the exact propagator: ``prop0`` = exp(L t0) removes the fast transient, then a
    step Δ is doubled (by squaring exp(L Δ)) until ⟨obs⟩ drops by ≥ 20 % over one step; the rate
    is −ln(y(t0 + 2Δ) / y(t0 + Δ)) / Δ.
    """
    import scipy.linalg as sla

    r0 = prop0 @ rho
    step = sla.expm(lv * t0)
    delta = t0
    y0 = float(np.real(obs @ r0))
    for _ in range(80):
        r1 = step @ r0
        y1 = float(np.real(obs @ r1))
        if abs(y1) < 0.8 * abs(y0):
            break
        step = step @ step
        delta *= 2.0
    r2 = step @ r1
    y2 = float(np.real(obs @ r2))
    return float(-math.log(abs(y2 / y1)) / delta)


def _rates_evolution(cat: CatQubit) -> CatRates:
    import qutip
    import scipy.linalg as sla

    n = cat.dim
    a = qutip.destroy(n)
    alpha = cat.alpha
    c_ops = [math.sqrt(cat.kappa2) * (a * a - cat.alpha_sq * qutip.qeye(n))]
    if cat.kappa1 > 0:
        c_ops.append(math.sqrt(cat.kappa1 * (1.0 + cat.n_th)) * a)
    if cat.kappa1 * cat.n_th > 0:
        c_ops.append(math.sqrt(cat.kappa1 * cat.n_th) * a.dag())
    if cat.kappa_phi > 0:
        c_ops.append(math.sqrt(cat.kappa_phi) * a.dag() * a)
    lv = qutip.liouvillian(0 * a.dag() * a, c_ops).full()
    plus, minus = qutip.coherent(n, alpha), qutip.coherent(n, -alpha)
    cplus, cminus = (plus + minus).unit(), (plus - minus).unit()

    def vec(op: qutip.Qobj) -> np.ndarray:
        return op.full().ravel(order="F")

    def dual(op: qutip.Qobj) -> np.ndarray:  # ⟨O⟩ = Tr(O ρ) = vec(Oᵀ) · vec(ρ)
        return op.full().T.ravel(order="F")

    t0 = 20.0 / (cat.kappa2 * max(cat.alpha_sq, 1.0))  # fast κ2 transient, rate ≳ κ2 |α|²
    prop0 = sla.expm(lv * t0)
    parity = qutip.Qobj(np.diag((-1.0) ** np.arange(n)))
    d_z = vec(cplus.proj()) - vec(cminus.proj())
    gz = _decay_rate(prop0, lv, t0, d_z, dual(parity)) / 2.0
    d_x = vec(plus.proj()) - vec(minus.proj())
    gx = _decay_rate(prop0, lv, t0, d_x, dual(a + a.dag())) / 2.0
    return CatRates(bit_flip_rate=max(gx, 0.0), phase_flip_rate=max(gz, 0.0), method="evolution")


@lru_cache(maxsize=256)
def _cat_rates_cached(cat: CatQubit, method: str) -> CatRates:
    if method == "liouvillian":
        return _rates_liouvillian(cat)
    return _rates_evolution(cat)


def cat_rates(cat: CatQubit, *, method: str = "liouvillian") -> CatRates:
    """Bit- and phase-flip rates of a cat qubit from its Lindblad model.

    Args:
        cat: the cat qubit.
        method: ``"liouvillian"`` (default; slowest eigenvalues of the parity blocks of the
            Liouvillian by sparse shift-invert, ~10 ms) or ``"evolution"`` (exact propagation of
            |±α⟩ and |C±⟩ and their decay; a slow, dense cross-check). Results are cached per
            (cat, method).

    Returns:
        ``CatRates`` with Γ_X = −λ_X/2 and Γ_Z = −λ_Z/2 (1/µs), λ the decay eigenvalues of the
        population imbalance and of the parity.

    Raises:
        ValueError: for an unknown ``method``.
    """
    if method not in CAT_METHODS:
        raise ValueError(f"method = {method!r}: must be one of {', '.join(CAT_METHODS)}")
    return _cat_rates_cached(cat, method)


def cat_channel(cat: CatQubit, *, duration: float, method: str = "liouvillian") -> Channel:
    """Pauli channel of a cat qubit idling for one cycle of ``duration`` µs.

    Bit flips (X, |α⟩ ↔ |−α⟩) and phase flips (Z, parity) are independent processes with
    p_X = flip_probability(Γ_X, t), p_Z = flip_probability(Γ_Z, t); their coincidence is a Y:
    px = p_X (1 − p_Z), pz = p_Z (1 − p_X), py = p_X p_Z. No loss (leakage out of the cat
    manifold is re-stabilised by κ2).

    Args:
        cat: the cat qubit.
        duration: cycle time (µs), ≥ 0.
        method: passed to ``cat_rates``.

    Returns:
        The ``Channel``.
    """
    if not (math.isfinite(duration) and duration >= 0):
        raise ValueError(f"duration = {duration!r}: must be finite and >= 0 (µs)")
    r = cat_rates(cat, method=method)
    p_x = flip_probability(r.bit_flip_rate, duration)
    p_z = flip_probability(r.phase_flip_rate, duration)
    return Channel(px=p_x * (1.0 - p_z), py=p_x * p_z, pz=p_z * (1.0 - p_x))


def homodyne_error(alpha_sq: float, efficiency: float) -> float:
    """Error of telling |α⟩ from |−α⟩ by one homodyne measurement of the x quadrature.

    With x = (a + a†)/√2 the two coherent states give Gaussians of variance ½ centred on ±√2·α;
    a detection efficiency η (a beam splitter to vacuum) shrinks the centres to ±√(2η)·α at the
    same variance. Deciding by the sign of x errs with the overlap

        P = ½ erfc(√(2η)·|α|)

    (the standard binary coherent-state discrimination by homodyne detection, e.g. Helstrom,
    *Quantum Detection and Estimation Theory* (1976); Wittmann et al., PRA 78, 062116 (2008)).

    Args:
        alpha_sq: mean photon number |α|², ≥ 0.
        efficiency: detection efficiency η, in [0, 1].

    Returns:
        Probability in [0, ½].

    Example:
        >>> round(homodyne_error(8.0, 0.5), 7)
        3.17e-05
    """
    if not (math.isfinite(alpha_sq) and alpha_sq >= 0):
        raise ValueError(f"alpha_sq = {alpha_sq!r}: must be finite and >= 0 (photons)")
    if not (math.isfinite(efficiency) and 0 <= efficiency <= 1):
        raise ValueError(f"efficiency = {efficiency!r}: must be in [0, 1]")
    return float(0.5 * math.erfc(math.sqrt(2.0 * efficiency * alpha_sq)))


def _xor(p: float, q: float) -> float:
    """Probability that exactly one of two independent flips happens."""
    return p + q - 2.0 * p * q


def cat_readout_errors(cat: CatQubit, *, method: str = "liouvillian") -> tuple[float, float]:
    """Flip probabilities of a cat qubit's Z- and X-basis readouts.

    * Z basis (which coherent state, |α⟩ or |−α⟩): a homodyne measurement of the x quadrature,
      ``homodyne_error(alpha_sq, readout_efficiency)``, XOR a bit flip during the readout,
      ``flip_probability(Γ_X, readout_time)``.
    * X basis (parity, |C+⟩ or |C−⟩; the repetition code's ``MRX``/``MX``): the parity is
      mapped and read out over ``readout_time``, taken as ideal except for the phase flips
      during it, ``flip_probability(Γ_Z, readout_time)`` (the model of Guillaud & Mirrahimi,
      PRX 9, 041053 (2019), and Chamberland et al., PRX Quantum 3, 010329 (2022), where the
      X-basis readout error is the phase-flip error accumulated during the measurement).

    Args:
        cat: the cat qubit (its ``readout_efficiency`` and ``readout_time``).
        method: passed to ``cat_rates``.

    Returns:
        ``(p_z, p_x)``: the Z- and X-basis readout flip probabilities.
    """
    r = cat_rates(cat, method=method)
    p_z = _xor(homodyne_error(cat.alpha_sq, cat.readout_efficiency),
               flip_probability(r.bit_flip_rate, cat.readout_time))
    return p_z, flip_probability(r.phase_flip_rate, cat.readout_time)
