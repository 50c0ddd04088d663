"""A generic N-level atom driven by a pump and a Stokes laser, and its qutip reference solver.

Levels 0, 1 are the qubit, 2 the auxiliary ground level |a⟩, the rest excited sublevels (any
number). Rotating-frame Hamiltonian (ħ = 1, RWA), one term per ``Drive``::

    H(t) = Σ_k E_k |k⟩⟨k| + Σ_drives ½ Ω_d(t) (e^{iφ_d} C_d + e^{−iφ_d} C_d†)

with C_d = ``system.pump`` or ``system.stokes`` (entries [ground, excited], the coupling per
unit Rabi frequency of the laser), Ω_d(t) the drive's pulse envelope (rad/µs) and φ_d its laser
phase (rad). Dissipation::

    dρ/dt = −i[H, ρ] + Σ_j L_j ρ L_j† − ½{G, ρ},    G = diag(``decay``)

``jumps`` L_j are the decays (and dephasing) that stay inside the N levels; G is the total
decay (population rate of each level, rad/µs), so G − Σ_j L_j†L_j ≥ 0 is the part that leaves
to a sink (trace loss: scattering into sublevels outside the model). Units: rad/µs, µs.

Backends of ``evolve`` (``MULTILEVEL_BACKENDS``): ``"qutip"`` (the reference: ``mesolve`` with
a sink level, one run per input matrix) and ``"numba"`` (``physics.multilevel_fast``: the same
equation on sparse couplings, DOP853, all inputs propagated together).

Examples:
    >>> import numpy as np
    >>> from physics.pulses import Pulse
    >>> two = MultiLevelSystem.single_transition(detuning=100.0, decay_rate=0.0)
    >>> drive = Drive("pump", Pulse(10.0, 0.5, 1.0, "flattop", 0.2))
    >>> process = qubit_process(two, [drive], (0.0, 1.0), backend="numba")
    >>> process.shape
    (4, 4)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import qutip as qt

from physics.pulses import Pulse

__all__ = ["LASERS", "MULTILEVEL_BACKENDS", "Drive", "MultiLevelSystem", "evolve",
           "qubit_process", "transfer"]

LASERS: tuple[str, ...] = ("pump", "stokes")
MULTILEVEL_BACKENDS: tuple[str, ...] = ("qutip", "numba")
_QUTIP_OPTIONS = {"atol": 1e-11, "rtol": 1e-9, "nsteps": 10**7}
_MAX_RATE = 1e6


@dataclass(frozen=True, eq=False)
class MultiLevelSystem:
    """Levels, couplings and decays of an N-level atom (N ≥ 4).

    Attributes:
        labels: (N,) level names.
        energies: (N,) rotating-frame energies E_k (rad/µs); qubit levels 0, 1 are at 0 in
            the built-in schemes.
        pump: (N, N) complex coupling of the pump per unit Rabi frequency, entries [g, e].
        stokes: (N, N) complex coupling of the Stokes, entries [g, e].
        jumps: (K, N, N) complex collapse operators staying inside the N levels (√(rad/µs)).
        decay: (N,) total population decay rate of each level (rad/µs), the diagonal of G.
    """

    labels: tuple[str, ...]
    energies: np.ndarray
    pump: np.ndarray
    stokes: np.ndarray
    jumps: np.ndarray
    decay: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.labels)
        if n < 4:
            raise ValueError(f"labels: {n} levels; must be >= 4 (qubit 0, 1, auxiliary 2, "
                             "an excited level)")
        shapes = {"energies": (n,), "pump": (n, n), "stokes": (n, n), "decay": (n,)}
        for name, shape in shapes.items():
            arr = np.asarray(getattr(self, name))
            if arr.shape != shape or not np.all(np.isfinite(arr)):
                raise ValueError(f"{name}: shape {arr.shape}; must be a finite {shape} array")
        jumps = np.asarray(self.jumps, complex).reshape(-1, n, n)
        if not np.all(np.isfinite(jumps)):
            raise ValueError("jumps: must be finite")
        for name in ("energies", "decay"):
            v = np.asarray(getattr(self, name), float)
            if np.max(np.abs(v)) > _MAX_RATE:
                raise ValueError(f"{name} = {np.max(np.abs(v)):.4g}: must be <= {_MAX_RATE:g} "
                                 "(rad/µs)")
        if np.min(self.decay) < 0:
            raise ValueError(f"decay = {np.min(self.decay)}: must be >= 0 (rad/µs)")
        kept = np.einsum("kji,kjl->il", jumps.conj(), jumps)
        leak = np.diag(np.asarray(self.decay, float)) - kept
        low = float(np.min(np.linalg.eigvalsh(0.5 * (leak + leak.conj().T))))
        if low < -1e-9 * max(1.0, float(np.max(self.decay))):
            raise ValueError(f"jumps: the decay kept inside the levels exceeds decay by "
                             f"{-low:.3g} rad/µs; must be <= decay (G − Σ L†L >= 0)")
        object.__setattr__(self, "energies", np.array(self.energies, float))
        object.__setattr__(self, "decay", np.array(self.decay, float))
        object.__setattr__(self, "pump", np.array(self.pump, complex))
        object.__setattr__(self, "stokes", np.array(self.stokes, complex))
        object.__setattr__(self, "jumps", jumps.copy())
        for name in ("energies", "decay", "pump", "stokes", "jumps"):
            getattr(self, name).setflags(write=False)

    @property
    def n_levels(self) -> int:
        """Number of levels N."""
        return len(self.labels)

    def coupling(self, laser: str) -> np.ndarray:
        """(N, N) complex coupling matrix of ``"pump"`` or ``"stokes"``."""
        return self.pump if laser == "pump" else self.stokes

    def sink_matrix(self) -> np.ndarray:
        """(N, N) Hermitian G − Σ L†L: the decay that leaves the model (rad/µs)."""
        kept = np.einsum("kji,kjl->il", self.jumps.conj(), self.jumps)
        leak = np.diag(self.decay) - kept
        return 0.5 * (leak + leak.conj().T)

    def kept_fraction(self, level: int) -> float:
        """Fraction of the decays of ``level`` that stay in the model (0 if it does not decay)."""
        if self.decay[level] == 0:
            return 0.0
        return float(np.real(np.sum(np.abs(self.jumps[:, :, level]) ** 2)) / self.decay[level])

    @classmethod
    def single_transition(cls, *, detuning: float, decay_rate: float) -> MultiLevelSystem:
        """Qubit |1⟩ coupled by the pump to one excited level at ``detuning`` (rad/µs).

        |0⟩ and |a⟩ are spectators; the excited level decays at ``decay_rate`` (rad/µs), all
        into the sink. Used by the light-shift and scattering checks.
        """
        pump = np.zeros((4, 4), complex)
        pump[1, 3] = 1.0
        return cls(labels=("0", "1", "a", "e"), energies=np.array([0, 0, 0, detuning], float),
                   pump=pump, stokes=np.zeros((4, 4), complex),
                   jumps=np.zeros((0, 4, 4), complex),
                   decay=np.array([0, 0, 0, decay_rate], float))


@dataclass(frozen=True)
class Drive:
    """One pulse of one laser.

    Attributes:
        laser: ``"pump"`` or ``"stokes"`` (which coupling matrix it drives).
        pulse: its envelope (Rabi frequency in rad/µs, times in µs).
        phase: laser phase φ (rad).
    """

    laser: str
    pulse: Pulse
    phase: float = 0.0

    def __post_init__(self) -> None:
        if self.laser not in LASERS:
            raise ValueError(f"laser = {self.laser!r}: must be one of {', '.join(LASERS)}")
        if not math.isfinite(self.phase):
            raise ValueError(f"phase = {self.phase}: must be finite (rad)")


def _check_backend(backend: str) -> None:
    if backend not in MULTILEVEL_BACKENDS:
        raise ValueError(f"backend = {backend!r}: must be one of "
                         f"{', '.join(MULTILEVEL_BACKENDS)}")


def _evolve_qutip(system: MultiLevelSystem, drives: Sequence[Drive],
                  t_span: tuple[float, float], inputs: np.ndarray) -> np.ndarray:
    n = system.n_levels
    dim = n + 1  # plus a sink level
    h0 = np.zeros((dim, dim), complex)
    h0[:n, :n] = np.diag(system.energies)
    terms: list = [qt.Qobj(h0)]
    for d in drives:
        c = np.exp(1j * d.phase) * system.coupling(d.laser)
        op = np.zeros((dim, dim), complex)
        op[:n, :n] = 0.5 * (c + c.conj().T)
        terms.append([qt.Qobj(op), (lambda p: (lambda t: p(t)))(d.pulse)])
    h = qt.QobjEvo(terms)
    c_ops = []
    for jump in system.jumps:
        op = np.zeros((dim, dim), complex)
        op[:n, :n] = jump
        c_ops.append(qt.Qobj(op))
    vals, vecs = np.linalg.eigh(system.sink_matrix())
    for val, vec in zip(vals, vecs.T, strict=True):
        if val > 1e-12:
            op = np.zeros((dim, dim), complex)
            op[n, :n] = math.sqrt(val) * vec.conj()
            c_ops.append(qt.Qobj(op))
    widths = [d.pulse.width for d in drives] or [t_span[1] - t_span[0]]
    scale = max(float(np.max(np.abs(system.energies))), 1.0)
    max_step = min(0.25 * min(widths), 0.5 / scale)
    outs = []
    for rho in inputs:
        full = np.zeros((dim, dim), complex)
        full[:n, :n] = rho
        res = qt.mesolve(h, qt.Qobj(full), list(t_span), c_ops=c_ops,
                         options={**_QUTIP_OPTIONS, "max_step": max_step})
        outs.append(res.states[-1].full()[:n, :n])
    return np.array(outs)


def evolve(system: MultiLevelSystem, drives: Sequence[Drive], t_span: tuple[float, float],
           inputs: np.ndarray, *, backend: str = "numba") -> np.ndarray:
    """Propagate input matrices (not necessarily Hermitian) from ``t_span[0]`` to ``t_span[1]``.

    Args:
        system: the levels.
        drives: the pulses (their envelopes may overlap in any way).
        t_span: (start, end) in µs.
        inputs: (m, N, N) complex initial matrices, e.g. |i⟩⟨j|.
        backend: ``"numba"`` (default) or ``"qutip"`` (reference).

    Returns:
        (m, N, N) complex outputs (trace-decreasing by the sink population).

    Raises:
        ValueError: on an unknown backend or bad shapes.
        RuntimeError: if the numba integration fails.
    """
    _check_backend(backend)
    inputs = np.asarray(inputs, complex)
    n = system.n_levels
    if inputs.ndim != 3 or inputs.shape[1:] != (n, n):
        raise ValueError(f"inputs: shape {inputs.shape}; must be (m, {n}, {n})")
    if backend == "qutip":
        return _evolve_qutip(system, drives, t_span, inputs)
    from physics.multilevel_fast import evolve_fast  # numba compile cost only when used

    return evolve_fast(system, drives, t_span, inputs)


def qubit_process(system: MultiLevelSystem, drives: Sequence[Drive],
                  t_span: tuple[float, float], *, backend: str = "numba") -> np.ndarray:
    """(4, 4) complex superoperator on the qubit levels (0, 1), column stacking.

    Three inputs are propagated (|0⟩⟨0|, |0⟩⟨1|, |1⟩⟨1|); the image of |1⟩⟨0| is the adjoint
    of that of |0⟩⟨1| (the map preserves Hermiticity). Population that ends outside the qubit
    (excited, |a⟩, sink) is trace loss.

    Args:
        system: the levels.
        drives: the pulses.
        t_span: (start, end) in µs.
        backend: ``"numba"`` or ``"qutip"``.
    """
    n = system.n_levels
    inputs = np.zeros((3, n, n), complex)
    inputs[0, 0, 0] = inputs[1, 0, 1] = inputs[2, 1, 1] = 1.0
    out = evolve(system, drives, t_span, inputs, backend=backend)[:, :2, :2]
    images = [out[0], out[1].conj().T, out[1], out[2]]  # column stacking: |i⟩⟨j| at i + 2j
    return np.stack([o.flatten(order="F") for o in images], axis=1)


def transfer(system: MultiLevelSystem, drives: Sequence[Drive], t_span: tuple[float, float],
             initial: np.ndarray, *, backend: str = "numba") -> tuple[float, float]:
    """Population transfer from a state into |a⟩ (level 2).

    Args:
        system: the levels.
        drives: the pulses.
        t_span: (start, end) in µs.
        initial: (N,) initial state vector (normalised by the caller).
        backend: ``"numba"`` or ``"qutip"``.

    Returns:
        (efficiency, loss): population of |a⟩ at the end, and 1 − final trace (sink).
    """
    psi = np.asarray(initial, complex)
    out = evolve(system, drives, t_span, np.outer(psi, psi.conj())[None], backend=backend)[0]
    return float(out[2, 2].real), float(1.0 - np.trace(out).real)
