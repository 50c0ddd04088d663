"""Parallel efficiency of the chunked QEC sweep, measured side by side in one run.

The same CPU-bound sweep (rotated surface code memory, d = 5 and 7, rounds = d, uniform
circuit noise p = 0.6 % and 0.8 %, ``mwpm``, 1 000 000 shots per task in chunks of 50 000) is run
by ``twin.collect.collect`` in this process (``--workers 1``) and on a 2-process ``spawn`` pool
(``--workers 2``), each into its own CSV. Both times are wall clock and include everything the
user waits for (the pool's start-up and its workers' imports and decoder compilation). The
counts of the two runs must be identical (same seed, same chunks).

Run: ``python -m bench.bench_parallel`` (``--quick``: 200 000 shots per task).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from twin.executor import ExecutorSpec
from twin.studies.collect import collect
from twin.studies.sweep import SweepSpec, sweep_tasks

__all__ = ["measure", "main"]

WORKERS = 2


def _spec(max_shots: int) -> SweepSpec:
    values = (0.006, 0.008)
    return SweepSpec(source="bench_parallel", codes=("surface",), distances=(5, 7),
                     decoders=("mwpm",), bases=("Z",), rounds=0, max_shots=max_shots,
                     max_errors=10**9, noise={"kind": "uniform", "p": list(values)},
                     swept="p", values=values)


def _timed(tasks, spec: SweepSpec, csv: Path, executor: ExecutorSpec, chunk_shots: int):
    t0 = time.perf_counter()
    stats = collect(tasks, csv_path=csv, max_shots=spec.max_shots, max_errors=spec.max_errors,
                    seed=0, chunk_shots=chunk_shots, spec=executor)
    return time.perf_counter() - t0, [(s.strong_id, s.shots, s.errors) for s in stats]


def measure(*, quick: bool = False) -> dict:
    """Serial vs 2-worker wall time of the same sweep.

    Args:
        quick: 200 000 instead of 1 000 000 shots per task (about 6 s serial instead of
            30 s on an idle machine).

    Returns:
        ``workers`` (2), ``serial_s`` and ``parallel_s`` (wall s), ``speedup`` (serial /
        parallel), ``identical`` (the same counts per task), ``shots`` (per task), ``tasks``,
        ``chunks`` (in all), ``load_before`` (the 1-minute load average when it started: other
        jobs on the cores slow the 2-worker run more than the serial one).
    """
    load = os.getloadavg()[0]
    chunk_shots = 50_000
    spec = _spec(200_000 if quick else 1_000_000)
    tasks = sweep_tasks(spec)
    with tempfile.TemporaryDirectory() as tmp:
        serial_s, serial = _timed(tasks, spec, Path(tmp) / "serial.csv", ExecutorSpec(),
                                  chunk_shots)
        parallel_s, parallel = _timed(tasks, spec, Path(tmp) / "parallel.csv",
                                      ExecutorSpec(workers=WORKERS), chunk_shots)
    return {"workers": WORKERS, "serial_s": serial_s, "parallel_s": parallel_s,
            "speedup": serial_s / parallel_s, "identical": serial == parallel,
            "shots": spec.max_shots, "tasks": len(tasks),
            "chunks": len(tasks) * -(-spec.max_shots // chunk_shots), "load_before": load}


def main(argv: list[str] | None = None) -> None:
    """Print the measurement as a table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="200 000 shots per task")
    args = ap.parse_args(argv)
    r = measure(quick=args.quick)
    print(f"sweep: {r['tasks']} tasks x {r['shots']} shots, {r['chunks']} chunks; load average "
          f"{r['load_before']:.2f} before, {os.cpu_count()} cores")
    print(f"{'quantity':<28} value")
    print(f"{'-' * 28} {'-' * 10}")
    print(f"{'serial (in process)':<28} {r['serial_s']:.2f} s")
    label = f"parallel ({r['workers']} spawn workers)"
    print(f"{label:<28} {r['parallel_s']:.2f} s")
    print(f"{'speedup':<28} {r['speedup']:.2f}x")
    print(f"{'identical counts':<28} {r['identical']}")


if __name__ == "__main__":
    main()
