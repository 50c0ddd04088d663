"""STIRAP backends side by side: qutip (sequential) vs numba (batched, parallel).

Run as ``python -m bench.bench_stirap`` (or ``python bench/bench_stirap.py``) from the repository
root. Draws ``--points`` random parameter points (seeded): Λ and ladder, one- and two-photon
detunings, excited / top-state decay with random sink fraction, dephasing, all three pulse shapes.
Times ``stirap_efficiency_batch`` on the same batch with both backends. numba's JIT compilation is
excluded: the kernels are warmed up on a 2-point batch first. Also times one ``stirap_process``
call per backend (mean over several points). Prints one table on stdout; progress on stderr.

``--multilevel`` adds the double-STIRAP gate on the 9-level ⁸⁷Rb atom (``devices/rb87-d2.toml``)
(``physics.hyperfine``): one qutip ``mesolve`` run and the numba N-level kernel (best of 3,
compiled first) on the same levels and calibration, their time ratio and the largest difference
of the qubit process and of the twirled channel probabilities.

``--raman`` adds one far-detuned Raman pulse on the same 9 levels, 4 GHz off resonance: the full
master equation (numba) against the eliminated model of ``physics.raman``, their time ratio and
the largest difference of the qubit process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from physics.stirap import random_points, stirap_efficiency_batch, stirap_process  # noqa: E402


def _best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(*, points: int = 256, seed: int = 2024, process_points: int = 8) -> dict:
    """qutip (sequential) vs numba (batched) on the same random batch.

    Args:
        points: batch size.
        seed: RNG seed of the parameter points.
        process_points: points over which one ``stirap_process`` call is averaged.

    Returns:
        ``points``, ``qutip_s`` (one sequential run), ``numba_s`` (best of 3), ``speedup``
        (qutip / numba), ``max_d_efficiency`` and ``max_d_loss`` (max |numba − qutip|),
        ``process_points``, ``process_qutip_s`` and ``process_numba_s`` (mean per call),
        ``process_speedup``, ``process_max_d`` (max |ΔS| over the entries),
        ``numba_threads``.
    """
    import numba

    systems, pulses = random_points(np.random.default_rng(seed), points)
    print("warming up numba (JIT compile, excluded from timings) ...", file=sys.stderr)
    stirap_efficiency_batch(systems[:2], pulses[:2], backend="numba")
    stirap_process(systems[0], pulses[0], backend="numba")
    stirap_process(systems[0], pulses[0], backend="qutip")

    print(f"qutip: {points} points sequentially ...", file=sys.stderr)
    t0 = time.perf_counter()
    eff_q, loss_q = stirap_efficiency_batch(systems, pulses, backend="qutip")
    t_qutip = time.perf_counter() - t0

    print("numba: batched ...", file=sys.stderr)
    t_numba = _best_of(lambda: stirap_efficiency_batch(systems, pulses, backend="numba"), 3)
    eff_n, loss_n = stirap_efficiency_batch(systems, pulses, backend="numba")

    k = min(process_points, points)
    print(f"process: {k} points per backend ...", file=sys.stderr)
    t0 = time.perf_counter()
    s_q = [stirap_process(systems[i], pulses[i], backend="qutip") for i in range(k)]
    t_proc_q = (time.perf_counter() - t0) / k
    t_proc_n = sum(_best_of(lambda i=i: stirap_process(systems[i], pulses[i], backend="numba"), 3)
                   for i in range(k)) / k
    s_n = [stirap_process(systems[i], pulses[i], backend="numba") for i in range(k)]
    d_proc = max(float(np.abs(a - b).max()) for a, b in zip(s_n, s_q, strict=True))
    return {
        "points": points, "qutip_s": t_qutip, "numba_s": t_numba,
        "speedup": t_qutip / t_numba,
        "max_d_efficiency": float(np.abs(eff_n - eff_q).max()),
        "max_d_loss": float(np.abs(loss_n - loss_q).max()),
        "process_points": k, "process_qutip_s": t_proc_q, "process_numba_s": t_proc_n,
        "process_speedup": t_proc_q / t_proc_n, "process_max_d": d_proc,
        "numba_threads": numba.get_num_threads(),
    }


def measure_multilevel() -> dict:
    """The ⁸⁷Rb multi-level gate (devices/rb87-d2.toml) with both backends (module docstring)."""
    from physics.extraction import extract_channel
    from physics.gates import X_GATE, multilevel_gate_process
    from physics.operations import calibrate, gate_levels, stirap_gate
    from twin.device.load import load_device

    # the ⁸⁷Rb D2 gate at that model's optimum pulses
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    device = load_device(os.path.join(root, "devices", "rb87-d2.toml"))
    cal = calibrate(device)  # also compiles the kernels
    system = gate_levels(device)
    gate = stirap_gate(device, relative_phase=cal.relative_phase)
    print("multi-level gate: numba, qutip ...", file=sys.stderr)
    t_n = _best_of(lambda: multilevel_gate_process(system, gate, backend="numba"), 3)
    t0 = time.perf_counter()
    p_q = multilevel_gate_process(system, gate, backend="qutip")
    t_q = time.perf_counter() - t0
    p_n = multilevel_gate_process(system, gate, backend="numba")
    ch = [extract_channel(p, ideal=X_GATE, frame=cal.gate_frame).channel for p in (p_n, p_q)]
    d_ch = max(abs(getattr(ch[0], k) - getattr(ch[1], k)) for k in ("px", "py", "pz", "p_loss"))
    return {"ml_levels": system.n_levels, "ml_qutip_s": t_q, "ml_numba_s": t_n,
            "ml_speedup": t_q / t_n, "ml_max_d_process": float(np.abs(p_n - p_q).max()),
            "ml_max_d_channel": d_ch}


def measure_raman() -> dict:
    """The excited manifold eliminated vs kept: one Raman pulse on the 9-level scheme, 4 GHz off.

    The same pulse and levels as ``tests/physics/test_raman.py``: the full master equation
    (numba N-level solver, best of 3) against ``physics.raman`` on the eliminated system (best
    of 3), their time ratio and the largest difference of the qubit process.
    """
    from physics.hyperfine import differential_light_shift, rb87_gate_system
    from physics.multilevel import Drive, qubit_process
    from physics.pulses import Pulse
    from physics.raman import eliminate, raman_qubit_process

    delta, rabi = 2 * np.pi * 4000.0, 2 * np.pi * 120.0
    per_p, per_s = differential_light_shift(eliminate(rb87_gate_system(detuning_1ph=delta)))
    system = rb87_gate_system(detuning_1ph=delta, detuning_2ph=0.75 * (per_p + per_s) * rabi**2)
    reduced = eliminate(system)
    drives = [Drive("pump", Pulse(rabi, 0.35, 0.7, "sin2")),
              Drive("stokes", Pulse(rabi, 0.35, 0.7, "sin2"))]
    print("Raman pulse: full 9-level (numba) vs eliminated ...", file=sys.stderr)
    full = qubit_process(system, drives, (0.0, 0.7))  # compiles
    t_full = _best_of(lambda: qubit_process(system, drives, (0.0, 0.7)), 3)
    t_red = _best_of(lambda: raman_qubit_process(reduced, drives, (0.0, 0.7)), 3)
    small = raman_qubit_process(reduced, drives, (0.0, 0.7))
    return {"raman_full_s": t_full, "raman_eliminated_s": t_red,
            "raman_speedup": t_full / t_red, "raman_max_d": float(np.abs(full - small).max())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=256, help="batch size (default 256)")
    parser.add_argument("--seed", type=int, default=2024, help="RNG seed (default 2024)")
    parser.add_argument("--process-points", type=int, default=8,
                        help="points over which the process time per call is averaged")
    parser.add_argument("--multilevel", action="store_true",
                        help="also time the 9-level ⁸⁷Rb gate, numba vs qutip (~1 min)")
    parser.add_argument("--raman", action="store_true",
                        help="also time a far-detuned Raman pulse, full vs eliminated (~10 s)")
    args = parser.parse_args(argv)
    r = measure(points=args.points, seed=args.seed, process_points=args.process_points)
    if args.multilevel:
        r.update(measure_multilevel())
    if args.raman:
        r.update(measure_raman())
    k = r["process_points"]
    rows = [
        ("points", f"{r['points']}"),
        ("qutip time (sequential)", f"{r['qutip_s']:.3f} s"),
        ("numba time (batched, prange)", f"{r['numba_s'] * 1e3:.2f} ms"),
        ("throughput ratio numba/qutip", f"{r['speedup']:.0f}x"),
        ("max |Δ efficiency|", f"{r['max_d_efficiency']:.2e}"),
        ("max |Δ loss|", f"{r['max_d_loss']:.2e}"),
        (f"process time per call, qutip ({k} pts)", f"{r['process_qutip_s'] * 1e3:.2f} ms"),
        (f"process time per call, numba ({k} pts)", f"{r['process_numba_s'] * 1e3:.3f} ms"),
        ("process max |ΔS| (entries)", f"{r['process_max_d']:.2e}"),
        ("numba threads", f"{r['numba_threads']}"),
    ]
    if "ml_speedup" in r:
        rows += [
            (f"multi-level gate ({r['ml_levels']} levels), qutip", f"{r['ml_qutip_s']:.2f} s"),
            ("multi-level gate, numba", f"{r['ml_numba_s'] * 1e3:.1f} ms"),
            ("multi-level time ratio qutip/numba", f"{r['ml_speedup']:.0f}x"),
            ("multi-level max |ΔS| (qubit process)", f"{r['ml_max_d_process']:.2e}"),
            ("multi-level max |Δ channel prob.|", f"{r['ml_max_d_channel']:.2e}"),
        ]
    if "raman_speedup" in r:
        rows += [
            ("Raman pulse 4 GHz off, full 9-level (numba)", f"{r['raman_full_s'] * 1e3:.1f} ms"),
            ("Raman pulse, excited manifold eliminated", f"{r['raman_eliminated_s'] * 1e3:.1f} ms"),
            ("Raman time ratio full/eliminated", f"{r['raman_speedup']:.1f}x"),
            ("Raman max |ΔS| (qubit process)", f"{r['raman_max_d']:.2e}"),
        ]
    width = max(len(row[0]) for row in rows)
    print(f"{'quantity':<{width}}  value")
    print(f"{'-' * width}  {'-' * 12}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
