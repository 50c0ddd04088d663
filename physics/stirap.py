"""STIRAP simulation: population transfer and process superoperator, qutip and numba backends.

Both backends integrate the master equation of ``physics.levels.ThreeLevelSystem`` (see its
docstring for the Hamiltonian, the collapse operators and the sink) driven by the pump and Stokes
envelopes of a ``physics.pulses.StirapPulses`` pair, over the pair's support ``pulses.t_span``.

* ``"qutip"`` (reference): the Liouvillian is a ``qutip.QobjEvo`` superoperator
  ``L0 + Ωp(t)·Lp + Ωs(t)·Ls`` with Python coefficient functions evaluating the pulse envelopes;
  ``L0 = liouvillian(H0, c_ops) − ½γf(spre(P1) + spost(P1))`` carries the sink as a trace loss
  (the non-Hermitian part of the effective Hamiltonian, P1 = |1⟩⟨1|). Solved with ``mesolve``
  (Adams, atol 1e-10, rtol 1e-8, capped step) and, for the process, ``propagator`` (Verner 9,
  atol 1e-13, rtol 1e-11, so that the Choi matrix stays positive to ~1e-11).
* ``"numba"`` (fast): adaptive Dormand–Prince kernels in ``physics.stirap_fast`` — 5(4) at
  rtol 1e-7 for populations, batched with ``numba.prange`` over parameter points; 8(5,3) at
  rtol 1e-11 for the process (Choi matrix positive to ~1e-10).

Units: times in µs, Rabi frequencies, detunings and rates in rad/µs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from physics import stirap_fast as _fast
from physics.levels import ThreeLevelSystem
from physics.pulses import SHAPES, Pulse, StirapPulses

__all__ = [
    "BACKENDS",
    "StirapResult",
    "random_points",
    "simulate_stirap",
    "stirap_efficiency_batch",
    "stirap_process",
]

BACKENDS: tuple[str, ...] = ("qutip", "numba")
"""Available backends: ``"qutip"`` (reference) and ``"numba"`` (fast, batched)."""

QUTIP_OPTIONS: dict[str, float | int | bool | str] = {
    "method": "adams",
    "atol": 1e-10,
    "rtol": 1e-8,
    "nsteps": 1_000_000,
    "normalize_output": False,
    "progress_bar": "",
}
"""mesolve options of the qutip backend for populations (``max_step`` is added per pulse pair)."""

QUTIP_PROCESS_OPTIONS: dict[str, float | int | bool | str] = {
    **QUTIP_OPTIONS,
    "method": "vern9",
    "atol": 1e-13,
    "rtol": 1e-11,
}
"""propagator options of the qutip backend: tight enough for a Choi matrix PSD to ~1e-11."""

_MAX_STEP_FRACTION = 1.0 / 16.0  # largest solver step as a fraction of the shortest pulse support


@dataclass(frozen=True)
class StirapResult:
    """Outcome of one STIRAP run.

    Attributes:
        times: (n_times,) output times (µs), evenly spaced over ``pulses.t_span``.
        populations: (n_times, 3) populations of states 0, 1, 2 (their sum is the trace).
        efficiency: final population of the target state 2.
        loss: 1 − final trace: population lost to the sink.
    """

    times: np.ndarray
    populations: np.ndarray
    efficiency: float
    loss: float


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"backend = {backend!r}: must be one of {', '.join(BACKENDS)}")


def _check_initial(initial: int) -> None:
    if initial not in (0, 1, 2):
        raise ValueError(f"initial = {initial!r}: must be 0, 1 or 2 (a state index)")


def _check_status(status: np.ndarray | int, what: str) -> None:
    bad = np.flatnonzero(np.atleast_1d(status))
    if bad.size:
        code = int(np.atleast_1d(status)[bad[0]])
        reason = {1: "too many steps", 2: "step size underflow"}.get(code, f"status {code}")
        raise RuntimeError(f"numba STIRAP integration failed ({reason}) for {what} "
                           f"(first failing point index {int(bad[0])})")


def _support_length(pulse: Pulse) -> float:
    lo, hi = pulse.support
    return hi - lo


# ---------------------------------------------------------------------------------------------
# qutip backend
# ---------------------------------------------------------------------------------------------


def _qutip_liouvillian(system: ThreeLevelSystem, pulses: StirapPulses):
    """The time-dependent Liouvillian as a ``qutip.QobjEvo`` superoperator."""
    import qutip as qt

    def proj(i: int, j: int) -> qt.Qobj:
        return qt.basis(3, i) * qt.basis(3, j).dag()

    h0 = system.detuning_1ph * proj(1, 1) + system.detuning_2ph * proj(2, 2)
    hp = 0.5 * (proj(0, 1) + proj(1, 0))
    hs = 0.5 * (proj(2, 1) + proj(1, 2))
    c_ops = [qt.Qobj(c) for c in system.collapse_operators()]
    l0 = qt.liouvillian(h0, c_ops)
    if system.sink_rate > 0:
        p1 = proj(1, 1)
        l0 = l0 - 0.5 * system.sink_rate * (qt.spre(p1) + qt.spost(p1))
    return qt.QobjEvo([l0, [qt.liouvillian(hp), _coefficient(pulses.pump)],
                       [qt.liouvillian(hs), _coefficient(pulses.stokes)]])


def _coefficient(pulse: Pulse) -> Callable[[float], float]:
    """Envelope Ω(t) (rad/µs) as a scalar Python function of t (µs), for qutip."""
    from physics.pulses import envelope

    code, amp, center, width, rise = (pulse.code, pulse.amplitude, pulse.center, pulse.width,
                                      pulse.rise)

    def omega(t: float) -> float:
        return envelope(code, amp, center, width, rise, float(t))

    return omega


def _qutip_options(pulses: StirapPulses, base: dict | None = None) -> dict:
    opts = dict(QUTIP_OPTIONS if base is None else base)
    opts["max_step"] = _MAX_STEP_FRACTION * min(_support_length(pulses.pump),
                                                _support_length(pulses.stokes))
    return opts


def _simulate_qutip(system: ThreeLevelSystem, pulses: StirapPulses, times: np.ndarray,
                    initial: int) -> np.ndarray:
    import qutip as qt

    liou = _qutip_liouvillian(system, pulses)
    rho0 = qt.fock_dm(3, initial)
    res = qt.mesolve(liou, rho0, times, options=_qutip_options(pulses))
    return np.array([np.real(np.diag(s.full())) for s in res.states])


def _process_qutip(system: ThreeLevelSystem, pulses: StirapPulses) -> np.ndarray:
    import qutip as qt

    liou = _qutip_liouvillian(system, pulses)
    t0, t1 = pulses.t_span
    props = qt.propagator(liou, [t0, t1], options=_qutip_options(pulses, QUTIP_PROCESS_OPTIONS))
    return np.asarray(props[-1].full(), dtype=complex)


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def simulate_stirap(
    system: ThreeLevelSystem,
    pulses: StirapPulses,
    *,
    n_times: int = 201,
    backend: str = "qutip",
    initial: int = 0,
) -> StirapResult:
    """Populations during a STIRAP pulse pair, starting from one basis state.

    Args:
        system: the three-level system (rates and detunings in rad/µs).
        pulses: pump (0 ↔ 1) and Stokes (1 ↔ 2) envelopes (rad/µs, µs); the evolution runs
            over ``pulses.t_span``.
        n_times: number of evenly spaced output times (≥ 2), both ends included.
        backend: one of ``BACKENDS``.
        initial: index of the initially populated state (0, 1 or 2).

    Returns:
        ``StirapResult`` with times (n_times,) in µs and populations (n_times, 3).

    Raises:
        ValueError: unknown backend, ``n_times < 2`` or ``initial`` not in {0, 1, 2}.
        RuntimeError: the numba integrator failed (too many steps).
    """
    _check_backend(backend)
    _check_initial(initial)
    if int(n_times) != n_times or n_times < 2:
        raise ValueError(f"n_times = {n_times!r}: must be an integer >= 2")
    t0, t1 = pulses.t_span
    times = np.linspace(t0, t1, int(n_times))
    if backend == "qutip":
        pops = _simulate_qutip(system, pulses, times, initial)
    else:
        pp, ps, _ = _fast.pack_pulses(pulses)
        pops, status = _fast.evolve_populations(_fast.pack_system(system), pp, ps, times,
                                                initial, _fast.DEFAULT_RTOL, _fast.DEFAULT_ATOL)
        _check_status(status, "simulate_stirap")
    final = pops[-1]
    return StirapResult(times=times, populations=pops, efficiency=float(final[2]),
                        loss=float(1.0 - final.sum()))


def stirap_process(
    system: ThreeLevelSystem,
    pulses: StirapPulses,
    *,
    backend: str = "qutip",
) -> np.ndarray:
    """Superoperator of the whole pulse pair over ``pulses.t_span``.

    Args:
        system: the three-level system (rad/µs).
        pulses: the pump / Stokes pair (rad/µs, µs).
        backend: one of ``BACKENDS``.

    Returns:
        (9, 9) complex S with ``vec(ρ_out) = S @ vec(ρ_in)``, ``vec(ρ) = ρ.flatten(order="F")``
        (qutip's column stacking); trace-decreasing when there is sink loss.

    Raises:
        ValueError: unknown backend.
        RuntimeError: the numba integrator failed.
    """
    _check_backend(backend)
    if backend == "qutip":
        return _process_qutip(system, pulses)
    pp, ps, span = _fast.pack_pulses(pulses)
    s_real, status = _fast.process_real(_fast.pack_system(system), pp, ps, span[0], span[1],
                                        _fast.PROCESS_RTOL, _fast.PROCESS_ATOL)
    _check_status(status, "stirap_process")
    return _fast.real_to_superop(s_real)


def stirap_efficiency_batch(
    systems: Sequence[ThreeLevelSystem],
    pulses: Sequence[StirapPulses],
    *,
    backend: str = "numba",
) -> tuple[np.ndarray, np.ndarray]:
    """Transfer efficiency and loss for n parameter points, each starting in state 0.

    Args:
        systems: n three-level systems (rad/µs).
        pulses: n pulse pairs (rad/µs, µs), one per system.
        backend: one of ``BACKENDS``; ``"numba"`` runs the points in parallel, ``"qutip"``
            one after the other.

    Returns:
        (efficiency (n,), loss (n,)): final population of state 2 and 1 − final trace.

    Raises:
        ValueError: unknown backend or ``len(systems) != len(pulses)``.
        RuntimeError: the numba integrator failed for some point.
    """
    _check_backend(backend)
    if len(systems) != len(pulses):
        raise ValueError(f"len(systems) = {len(systems)} and len(pulses) = {len(pulses)}: "
                         "must be equal (one pulse pair per system)")
    n = len(systems)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    if backend == "qutip":
        eff = np.empty(n)
        loss = np.empty(n)
        for i, (sys_i, pul_i) in enumerate(zip(systems, pulses, strict=True)):
            r = simulate_stirap(sys_i, pul_i, n_times=2, backend="qutip")
            eff[i], loss[i] = r.efficiency, r.loss
        return eff, loss
    sysp = np.array([_fast.pack_system(s) for s in systems])
    pp = np.array([p.pump.packed() for p in pulses])
    ps = np.array([p.stokes.packed() for p in pulses])
    tspan = np.array([p.t_span for p in pulses], float)
    eff, loss, status = _fast.efficiency_batch(sysp, pp, ps, tspan, 0, _fast.DEFAULT_RTOL,
                                               _fast.DEFAULT_ATOL)
    _check_status(status, "stirap_efficiency_batch")
    return eff, loss


def random_points(rng: np.random.Generator, n: int
                  ) -> tuple[list[ThreeLevelSystem], list[StirapPulses]]:
    """``n`` random STIRAP parameter points, for backend agreement checks and benchmarks.

    Alternates Λ and ladder systems and cycles through the pulse shapes; one-photon detuning in
    ±60 rad/µs, two-photon in ±8 rad/µs, excited decay 0–40 rad/µs with a random sink fraction,
    ladder top decay 0–5 rad/µs, dephasing 0–5 rad/µs, peak Rabi frequencies 50–200 rad/µs.

    Args:
        rng: the random generator (seeded by the caller).
        n: number of points.

    Returns:
        ``(systems, pulses)``, two lists of length ``n``.
    """
    systems, pulses = [], []
    for i in range(n):
        kind = ("lambda", "ladder")[i % 2]
        shape = SHAPES[(i // 2) % len(SHAPES)]
        amp = rng.uniform(50.0, 200.0)
        systems.append(ThreeLevelSystem(
            kind=kind,
            gamma=rng.uniform(0.0, 40.0),
            loss_fraction=rng.uniform(0.0, 1.0),
            gamma_top=rng.uniform(0.0, 5.0) if kind == "ladder" else 0.0,
            dephasing=rng.uniform(0.0, 5.0),
            detuning_1ph=rng.uniform(-60.0, 60.0),
            detuning_2ph=rng.uniform(-8.0, 8.0),
        ))
        if shape == "gaussian":
            width = rng.uniform(0.1, 0.3)
            delay, rise = width * rng.uniform(0.6, 1.4), 0.0
        else:
            width = rng.uniform(0.4, 1.0)
            delay = width * rng.uniform(0.15, 0.4)
            rise = width * rng.uniform(0.1, 0.45) if shape == "flattop" else 0.0
        pulses.append(StirapPulses.counterintuitive(
            amplitude=amp, width=width, delay=delay, shape=shape, rise=rise,
            stokes_amplitude=amp * rng.uniform(0.7, 1.3)))
    return systems, pulses
