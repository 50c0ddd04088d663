"""From a simulated process to a Pauli + loss ``Channel``: superoperators, PTM, χ, twirl, frames.

Conventions:

* A *process* (superoperator) acts on ``vec(ρ)`` with column stacking,
  ``vec(ρ) = ρ.flatten(order="F")`` (qutip's convention), so ``vec(A ρ B) = (Bᵀ ⊗ A) vec(ρ)``
  and a d-level process is a (d², d²) complex array. Maps may be trace-decreasing (population
  that leaves the qubit space is loss / leakage).
* Pauli basis ``P = (I, X, Y, Z)``, indexed 0..3. The Pauli transfer matrix (PTM) is
  ``R_ij = ½ Tr[P_i E(P_j)]`` and the χ (process) matrix is defined by
  ``E(ρ) = Σ_mn χ_mn P_m ρ P_n``.
* Rotations: ``rx(θ) = exp(−iθX/2)`` etc. A pure rotation ``exp(−iθ n·σ/2)`` has
  ``χ_00 = cos²(θ/2)`` and ``χ_0k = i cos(θ/2) sin(θ/2) n_k``.

Frames (DESIGN.md, "Channel extraction"): deterministic phases (the STIRAP dark-state sign,
dynamic and light-shift phases) are cancelled by two virtual-Z rotations, one before and one after
the operation. ``calibrate_frame`` fixes them *once*, at calibration-time (nominal) parameters; the
caller then passes that ``FrameCorrection`` to ``extract_channel`` for every drifted process, so an
uncancelled phase shows up as a coherent Z error (``pz``). ``extract_channel`` never re-fits it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from physics.channel import Channel

__all__ = [
    "ExtractedChannel",
    "FrameCorrection",
    "amplitude_damping",
    "calibrate_frame",
    "chi_matrix",
    "error_process",
    "extract_channel",
    "kraus_superop",
    "pauli_transfer_matrix",
    "pauli_twirl",
    "phase_damping",
    "restrict_to_qubit",
    "rx",
    "ry",
    "rz",
    "twirl_unitary",
    "unitary_superop",
]

CP_TOLERANCE = 1e-6
"""Round-off allowed in twirled probabilities: a χ diagonal entry down to −tol is clipped to 0
(and a trace up to 1 + tol to 1); anything beyond means the process is not completely positive
or is trace-increasing, and ``pauli_twirl`` raises ``ValueError``."""

_UNITARY_TOL = 1e-8
_AXIS_TOL = 1e-15  # ‖Im χ_0k‖ at or below this is round-off: coherent angle 0, axis (0, 0, 0)
_CALIB_GRID = 2048  # grid points of the 1-D global search over the `before` angle

_PAULIS = np.array(
    [
        [[1, 0], [0, 1]],
        [[0, 1], [1, 0]],
        [[0, -1j], [1j, 0]],
        [[1, 0], [0, -1]],
    ],
    dtype=complex,
)
# Columns are vec(P_j) (column stacking), shape (4, 4).
_PAULI_VECS = np.stack([p.flatten(order="F") for p in _PAULIS], axis=1)
# Superoperator of ρ ↦ P_m ρ P_n, for the χ basis: _CHI_BASIS[m, n] = P_nᵀ ⊗ P_m, shape (4,4,4,4).
_CHI_BASIS = np.array([[np.kron(_PAULIS[n].T, _PAULIS[m]) for n in range(4)] for m in range(4)])


# --------------------------------------------------------------------------- validation helpers


def _as_matrix(value: object, name: str, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Complex 2-D array from ``value``; checks shape (exact or square) and finiteness."""
    try:
        arr = np.asarray(value, dtype=complex)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: cannot convert to a complex array ({exc})") from exc
    if shape is not None:
        if arr.shape != shape:
            raise ValueError(f"{name}: got shape {arr.shape}, expected {shape}")
    elif arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"{name}: got shape {arr.shape}, expected a non-empty square (n, n)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains non-finite entries (nan or inf)")
    return arr


def _as_process(value: object, name: str = "process") -> tuple[np.ndarray, int]:
    """A (d², d²) superoperator and its Hilbert dimension d."""
    arr = _as_matrix(value, name)
    n = arr.shape[0]
    d = math.isqrt(n)
    if d * d != n or d < 2:
        raise ValueError(
            f"{name}: got shape {arr.shape}, expected (d², d²) for a d-level process, d >= 2"
        )
    return arr, d


def _as_qubit_process(value: object, name: str = "process") -> np.ndarray:
    return _as_matrix(value, name, (4, 4))


def _as_unitary(value: object, name: str) -> np.ndarray:
    U = _as_matrix(value, name, (2, 2))
    dev = float(np.max(np.abs(U.conj().T @ U - np.eye(2))))
    if dev > _UNITARY_TOL:
        raise ValueError(f"{name}: must be unitary (max |U†U − I| = {dev:.3g} > {_UNITARY_TOL})")
    return U


def _as_angle(value: float, name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} = {value!r}: must be a finite real angle (rad)") from exc
    if not math.isfinite(x):
        raise ValueError(f"{name} = {value!r}: must be a finite real angle (rad)")
    return x


def _as_probability(value: float, name: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} = {value!r}: must be a finite number in [0, 1]") from exc
    if not (math.isfinite(x) and 0.0 <= x <= 1.0):
        raise ValueError(f"{name} = {value!r}: must be a finite number in [0, 1]")
    return x


# --------------------------------------------------------------------------- superoperators


def unitary_superop(U: np.ndarray) -> np.ndarray:
    """Superoperator of ρ ↦ U ρ U† (column stacking): ``conj(U) ⊗ U``.

    Args:
        U: (d, d) complex matrix (not required to be unitary).

    Returns:
        (d², d²) complex array.

    Raises:
        ValueError: if ``U`` is not a finite non-empty square matrix.
    """
    U = _as_matrix(U, "U")
    return np.kron(U.conj(), U)


def kraus_superop(kraus: Sequence[np.ndarray]) -> np.ndarray:
    """Superoperator of ρ ↦ Σ_k K_k ρ K_k† (column stacking): ``Σ_k conj(K_k) ⊗ K_k``.

    Args:
        kraus: non-empty sequence of (d, d) complex matrices, all the same shape. The map is
            trace-decreasing when ``Σ K†K < I``.

    Returns:
        (d², d²) complex array.

    Raises:
        ValueError: on an empty sequence, mismatched or non-square shapes, non-finite entries.
    """
    ops = list(kraus)
    if not ops:
        raise ValueError("kraus: got an empty sequence, expected at least one (d, d) operator")
    first = _as_matrix(ops[0], "kraus[0]")
    out = np.zeros((first.shape[0] ** 2,) * 2, dtype=complex)
    for k, op in enumerate(ops):
        K = _as_matrix(op, f"kraus[{k}]", first.shape)
        out += np.kron(K.conj(), K)
    return out


def restrict_to_qubit(process: np.ndarray, subspace: tuple[int, int]) -> np.ndarray:
    """The qubit map of a d-level process on the span of two basis states.

    ``E_q(ρ) = Π E(ι ρ ι†) Π†`` where ``ι`` embeds the qubit as ``|0⟩ ↦ |i0⟩, |1⟩ ↦ |i1⟩`` and
    ``Π = ι†`` projects the output back. Population ending outside the qubit is dropped, so the
    result is trace-decreasing when the process leaks.

    Args:
        process: (d², d²) superoperator of a d-level process (column stacking).
        subspace: ``(i0, i1)``: distinct basis-state indices in ``[0, d)`` spanning the qubit
            (``i0`` is logical |0⟩).

    Returns:
        (4, 4) complex qubit superoperator.

    Raises:
        ValueError: on a bad process shape, non-finite entries, or bad subspace indices.
    """
    S, d = _as_process(process)
    try:
        i0, i1 = (int(i) for i in subspace)
        if any(int(i) != i for i in subspace):
            raise TypeError
    except (TypeError, ValueError) as exc:
        raise ValueError(f"subspace = {subspace!r}: expected a pair of integer indices") from exc
    for i in (i0, i1):
        if not 0 <= i < d:
            raise ValueError(f"subspace = {subspace!r}: index {i} out of range [0, {d}) for a "
                             f"{d}-level process")
    if i0 == i1:
        raise ValueError(f"subspace = {subspace!r}: the two indices must be distinct")
    s = (i0, i1)
    # vec index of |a⟩⟨b| is a + d·b (column stacking)
    idx = np.array([s[a] + d * s[b] for b in range(2) for a in range(2)])
    return S[np.ix_(idx, idx)].copy()


def pauli_transfer_matrix(process: np.ndarray) -> np.ndarray:
    """Pauli transfer matrix ``R_ij = ½ Tr[P_i E(P_j)]``, P = (I, X, Y, Z).

    Args:
        process: (4, 4) qubit superoperator (column stacking).

    Returns:
        (4, 4) real array (the real part; exact for Hermiticity-preserving maps).
        ``R_00 = Tr E(I/2)`` is the average surviving population.

    Raises:
        ValueError: if ``process`` is not a finite (4, 4) array.
    """
    S = _as_qubit_process(process)
    # Tr[P_i X] = vec(P_i)† vec(X) for Hermitian P_i
    return np.real(_PAULI_VECS.conj().T @ S @ _PAULI_VECS) / 2


def chi_matrix(process: np.ndarray) -> np.ndarray:
    """χ matrix in the Pauli basis: ``E(ρ) = Σ_mn χ_mn P_m ρ P_n``.

    Hermitian, and positive semidefinite iff the map is completely positive;
    ``Tr χ = Tr E(I/2)`` (1 for a trace-preserving map).

    Args:
        process: (4, 4) qubit superoperator (column stacking).

    Returns:
        (4, 4) complex array.

    Raises:
        ValueError: if ``process`` is not a finite (4, 4) array.
    """
    S = _as_qubit_process(process)
    # the 16 superoperators P_nᵀ ⊗ P_m are orthogonal with Hilbert–Schmidt norm² 2·2 = 4
    return np.einsum("mnij,ij->mn", _CHI_BASIS.conj(), S) / 4


def pauli_twirl(process: np.ndarray, *, heralded: bool = False) -> Channel:
    """Pauli twirl of a (possibly trace-decreasing) qubit process into a ``Channel``.

    ``px, py, pz`` are the diagonal χ entries (unconditional probabilities), ``p_loss = 1 −
    Tr E(I/2)`` (loss averaged over inputs), so ``χ_00 + px + py + pz = 1 − p_loss``. To get an
    *error* channel, pass the error process (``error_process``), not the raw gate.

    Args:
        process: (4, 4) qubit superoperator (column stacking).
        heralded: whether the loss is flagged to the decoder (erasure).

    Returns:
        The twirled ``Channel``.

    Raises:
        ValueError: on a bad shape / non-finite entries, or if the process is not completely
            positive (a χ diagonal entry below ``−CP_TOLERANCE``) or trace-increasing
            (``Tr E(I/2) > 1 + CP_TOLERANCE``).
    """
    chi = chi_matrix(process)
    diag = np.real(np.diag(chi))
    if np.any(diag < -CP_TOLERANCE):
        raise ValueError(f"process: not completely positive, χ diagonal {diag.tolist()} has an "
                         f"entry below −{CP_TOLERANCE}")
    survive = float(np.sum(diag))  # = Tr E(I/2)
    if survive > 1 + CP_TOLERANCE:
        raise ValueError(f"process: trace-increasing, Tr E(I/2) = {survive} > 1")
    diag = np.clip(diag, 0.0, 1.0)
    survive = min(max(survive, 0.0), 1.0)
    p_loss = 1.0 - survive
    paulis = diag[1:]
    total = float(np.sum(paulis))
    if total > survive:  # only after clipping round-off; keep px+py+pz+p_loss <= 1
        paulis = paulis * (survive / total)
    return Channel(float(paulis[0]), float(paulis[1]), float(paulis[2]), p_loss, bool(heralded))


def twirl_unitary(U: np.ndarray) -> Channel:
    """Pauli twirl of ρ ↦ U ρ U† for a 2×2 matrix ``U`` (e.g. Rz(θ) → pz = sin²(θ/2)).

    Raises:
        ValueError: if ``U`` is not a finite (2, 2) array.
    """
    U = _as_matrix(U, "U", (2, 2))
    return pauli_twirl(unitary_superop(U))


def amplitude_damping(gamma: float) -> Channel:
    """Closed-form twirl of amplitude damping |1⟩ → |0⟩ with probability ``gamma``.

    Kraus ``K0 = diag(1, √(1−γ))``, ``K1 = √γ |0⟩⟨1|``; twirled: ``px = py = γ/4``,
    ``pz = (1 − √(1−γ))²/4``.

    Args:
        gamma: decay probability in [0, 1] (e.g. ``1 − exp(−t/T1)``).

    Raises:
        ValueError: if ``gamma`` is not a finite number in [0, 1].
    """
    g = _as_probability(gamma, "gamma")
    return Channel(g / 4, g / 4, (1.0 - math.sqrt(1.0 - g)) ** 2 / 4)


def phase_damping(lam: float) -> Channel:
    """Closed-form twirl of phase damping, Nielsen & Chuang parametrisation.

    Kraus ``K0 = diag(1, √(1−λ))``, ``K1 = diag(0, √λ)``: populations are kept and the
    coherence ρ01 is multiplied by ``√(1−λ)``. This equals the dephasing channel
    ``(1−pz) ρ + pz ZρZ`` with ``pz = (1 − √(1−λ))/2`` (and ``px = py = 0``). For dephasing at rate
    Γφ over time t (ρ01 ∝ exp(−Γφ t)), ``λ = 1 − exp(−2 Γφ t)``.

    Args:
        lam: phase-damping parameter λ in [0, 1].

    Raises:
        ValueError: if ``lam`` is not a finite number in [0, 1].
    """
    lam = _as_probability(lam, "lam")
    return Channel(0.0, 0.0, (1.0 - math.sqrt(1.0 - lam)) / 2)


def rz(theta: float) -> np.ndarray:
    """``exp(−iθZ/2)``, (2, 2) complex; θ in rad."""
    t = _as_angle(theta, "theta") / 2
    return np.array([[np.exp(-1j * t), 0], [0, np.exp(1j * t)]], dtype=complex)


def rx(theta: float) -> np.ndarray:
    """``exp(−iθX/2)``, (2, 2) complex; θ in rad."""
    t = _as_angle(theta, "theta") / 2
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, -1j * s], [-1j * s, c]], dtype=complex)


def ry(theta: float) -> np.ndarray:
    """``exp(−iθY/2)``, (2, 2) complex; θ in rad."""
    t = _as_angle(theta, "theta") / 2
    c, s = math.cos(t), math.sin(t)
    return np.array([[c, -s], [s, c]], dtype=complex)


# --------------------------------------------------------------------------- frames


@dataclass(frozen=True)
class FrameCorrection:
    """Virtual-Z frame correction around an operation: ``Rz(after) ∘ E ∘ Rz(before)``.

    Attributes:
        before: virtual-Z angle (rad) applied before the operation.
        after: virtual-Z angle (rad) applied after the operation.
    """

    before: float = 0.0
    after: float = 0.0

    def __post_init__(self) -> None:
        for name in ("before", "after"):
            object.__setattr__(self, name, _as_angle(getattr(self, name), name))


def _rz_ptm_parts() -> np.ndarray:
    """(3, 4, 4) matrices A with PTM[Rz(θ)] = A0 + cos θ A1 + sin θ A2."""
    r0 = pauli_transfer_matrix(unitary_superop(rz(0.0)))
    rpi = pauli_transfer_matrix(unitary_superop(rz(math.pi)))
    rhalf = pauli_transfer_matrix(unitary_superop(rz(math.pi / 2)))
    a0 = (r0 + rpi) / 2
    return np.array([a0, (r0 - rpi) / 2, rhalf - a0])


_RZ_PARTS = _rz_ptm_parts()


def _wrap(angle: float) -> float:
    """Angle wrapped to (−π, π]."""
    w = math.remainder(angle, 2 * math.pi)
    return math.pi if w == -math.pi else w


def calibrate_frame(process: np.ndarray, *, ideal: np.ndarray) -> FrameCorrection:
    """Virtual-Z angles that best align a qubit process with its ideal unitary.

    Maximises the average gate fidelity of ``Rz(after) ∘ E ∘ Rz(before)`` w.r.t. ``ideal``,
    globally over (−π, π]². Semi-closed form: with PTMs, the fidelity is
    ``(2 R_00 + Tr[R_Uᵀ R_z(after) R_E R_z(before)])/6`` and ``R_z(θ) = A0 + cos θ A1 + sin θ A2``,
    so it is a bilinear trigonometric form ``u(after)ᵀ C u(before)``, ``u(θ) = (1, cos θ, sin θ)``.
    For each ``before`` the best ``after`` is exact (``atan2``); the remaining 1-D function of
    ``before`` is searched on a dense grid and polished with bounded Brent. Ties (a degenerate
    ridge, e.g. a phase that commutes through the gate) are broken towards the first grid point
    from ``before = 0``, so the result is deterministic.

    Call this once at nominal (calibration-time) parameters and reuse the result for drifted
    processes (DESIGN.md): re-fitting at each point would hide the drift.

    Args:
        process: (4, 4) qubit superoperator (column stacking), e.g. ``restrict_to_qubit(...)``.
        ideal: (2, 2) target unitary.

    Returns:
        The ``FrameCorrection`` with both angles in (−π, π].

    Raises:
        ValueError: on bad shapes, non-finite entries, or a non-unitary ``ideal``.
    """
    R_E = pauli_transfer_matrix(process)
    U = _as_unitary(ideal, "ideal")
    M = pauli_transfer_matrix(unitary_superop(U)).T
    # C[p, q] = Tr[M A_p R_E A_q]: f(a, b) = Σ_pq u_p(a) C_pq u_q(b)
    C = np.einsum("ij,pjk,kl,qli->pq", M, _RZ_PARTS, R_E, _RZ_PARTS)

    def best_after(b: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        ub = np.array([np.ones_like(b), np.cos(b), np.sin(b)])
        w = np.tensordot(C, ub, axes=(1, 0))
        return w[0] + np.hypot(w[1], w[2]), np.arctan2(w[2], w[1])

    grid = 2 * np.pi * np.arange(_CALIB_GRID) / _CALIB_GRID  # starts at before = 0
    vals, _ = best_after(grid)
    k = int(np.flatnonzero(vals >= vals.max() - 1e-13)[0])
    b_best, v_best = float(grid[k]), float(vals[k])
    step = 2 * np.pi / _CALIB_GRID
    res = minimize_scalar(
        lambda b: -float(best_after(b)[0]),
        bounds=(b_best - step, b_best + step),
        method="bounded",
        options={"xatol": 1e-12},
    )
    if res.success and -float(res.fun) > v_best + 1e-14:
        b_best = float(res.x)
    a_best = float(best_after(b_best)[1])
    if not math.isfinite(a_best):
        a_best = 0.0
    return FrameCorrection(before=_wrap(b_best), after=_wrap(a_best))


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class ExtractedChannel:
    """The twirled error channel of one operation plus figures the twirl discards.

    Attributes:
        channel: Pauli + loss channel of the error process (``p_identity = χ_00``).
        coherent_angle: residual coherent rotation angle θ ∈ [0, π] (rad) of the error process.
            With χ its χ matrix and ``h_k = Im χ_0k`` (k = X, Y, Z),
            ``θ = 2·atan2(‖h‖, χ_00)``. For a pure rotation ``exp(−iθ n·σ/2)`` with θ ∈ [0, π)
            this is exactly θ (χ_00 = cos²(θ/2), χ_0k = i cos(θ/2) sin(θ/2) n_k). It is 0 for any
            Pauli channel (χ diagonal) and for amplitude damping (whose χ_0Z is real: the real
            parts of χ_0k are non-unital, not rotations, and are ignored). It is 0 whenever
            ``‖h‖ ≤ 1e-15`` (round-off), so an exact π flip (χ_00 = 0, indistinguishable from a
            Pauli channel) reports 0.
        coherent_axis: unit vector ``h/‖h‖`` of that rotation, or (0, 0, 0) if ``‖h‖ ≤ 1e-15``.
        average_fidelity: average gate fidelity of the frame-corrected process w.r.t. the ideal,
            lost population counted as failure: ``(2 (1 − p_loss) + 4 χ_00)/6``.
        leakage: ``channel.p_loss``.
    """

    channel: Channel
    coherent_angle: float
    coherent_axis: tuple[float, float, float]
    average_fidelity: float
    leakage: float


def error_process(
    process: np.ndarray, *, ideal: np.ndarray, frame: FrameCorrection | None = None
) -> np.ndarray:
    """Error map ``E_err = U_ideal† ∘ Rz(after) ∘ E ∘ Rz(before)`` (maps compose right to left).

    Args:
        process: (4, 4) qubit superoperator (column stacking).
        ideal: (2, 2) target unitary.
        frame: virtual-Z correction; ``None`` means no correction.

    Returns:
        (4, 4) complex superoperator of the error process (identity for a perfect gate).

    Raises:
        ValueError: on bad shapes, non-finite entries, or a non-unitary ``ideal``.
    """
    S = _as_qubit_process(process)
    U = _as_unitary(ideal, "ideal")
    if frame is None:
        frame = FrameCorrection(0.0, 0.0)
    if not isinstance(frame, FrameCorrection):
        raise ValueError(f"frame: got {type(frame).__name__}, expected FrameCorrection or None")
    return (
        unitary_superop(U.conj().T)
        @ unitary_superop(rz(frame.after))
        @ S
        @ unitary_superop(rz(frame.before))
    )


def _coherent_part(chi: np.ndarray) -> tuple[float, tuple[float, float, float]]:
    h = np.imag(chi[0, 1:])
    norm = float(np.linalg.norm(h))
    c00 = max(float(np.real(chi[0, 0])), 0.0)
    if norm <= _AXIS_TOL:  # no Hamiltonian-like part above round-off
        return 0.0, (0.0, 0.0, 0.0)
    axis = h / norm
    return 2.0 * math.atan2(norm, c00), (float(axis[0]), float(axis[1]), float(axis[2]))


def extract_channel(
    process: np.ndarray,
    *,
    ideal: np.ndarray,
    subspace: tuple[int, int] | None = None,
    frame: FrameCorrection | None = None,
    heralded: bool = False,
) -> ExtractedChannel:
    """Error channel of a simulated operation: restrict, frame-correct, compare, twirl.

    The frame is *not* fitted here: pass the ``FrameCorrection`` that ``calibrate_frame``
    returned at calibration-time parameters, so that a drifted phase appears as ``pz``.

    Args:
        process: (4, 4) qubit superoperator, or (d², d²) d-level superoperator with
            ``subspace`` given (column stacking).
        ideal: (2, 2) target unitary on the qubit.
        subspace: ``(i0, i1)`` basis states of the qubit inside a d-level process; required
            unless ``process`` is (4, 4).
        frame: virtual-Z correction; ``None`` means none (identity frame).
        heralded: whether loss / leakage is flagged (erasure).

    Returns:
        ``ExtractedChannel`` (see its docstring for the figures).

    Raises:
        ValueError: on bad shapes, non-finite entries, bad subspace indices, a missing subspace
            for a d > 2 process, a non-unitary ``ideal``, or a non-CP / trace-increasing process.
    """
    if subspace is not None:
        qubit = restrict_to_qubit(process, subspace)
    else:
        S, d = _as_process(process)
        if d != 2:
            raise ValueError(f"process: got shape {S.shape} (a {d}-level process), expected (4, 4)"
                             " unless subspace=(i0, i1) is given")
        qubit = S
    err = error_process(qubit, ideal=ideal, frame=frame)
    channel = pauli_twirl(err, heralded=heralded)
    angle, axis = _coherent_part(chi_matrix(err))
    # ∫dψ ⟨ψ|E_err(ψ)|ψ⟩ = (Tr E_err(I) + 4 χ_00)/6 for d = 2 (lost population scores 0)
    fidelity = (2.0 * (1.0 - channel.p_loss) + 4.0 * channel.p_identity) / 6.0
    return ExtractedChannel(
        channel=channel,
        coherent_angle=angle,
        coherent_axis=axis,
        average_fidelity=fidelity,
        leakage=channel.p_loss,
    )
