"""The AI controller's time per window vs the window's sampling + decoding time.

Runs ``laser-drift`` (d = 5, 10,000 shots per window) with the ``ai`` controller wrapped in a
timer, and, on the same circuits, times stim sampling + pymatching decoding alone. Target
(issue 5): controller ≤ 10 % of sampling + decoding.

Run: ``python -m bench.bench_controller`` (``--windows N``, ``--shots N``).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.bench_twin import bare_windows
from control.ai import AIController
from qec.codes import memory_experiment
from twin.loop import DigitalTwin
from twin.scenario import load_scenario


class Timed:
    """Wraps a controller and records the seconds spent in ``observe`` + ``act``."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds: list[float] = []

    def observe(self, window) -> None:
        t0 = time.perf_counter()
        self.inner.observe(window)
        self._t = time.perf_counter() - t0

    def act(self):
        t0 = time.perf_counter()
        out = self.inner.act()
        self.seconds.append(self._t + time.perf_counter() - t0)
        return out


def _bare_ms(circuit, shots: int, repeats: int = 5) -> float:
    """Median ms of stim sampling + pymatching decoding of one window of ``circuit``."""
    return 1e3 * float(np.median(bare_windows(circuit, repeats, shots)))


def measure(*, windows: int = 20, shots: int = 10_000) -> dict:
    """The ai controller's observe + act per window vs that window's sampling + decoding.

    Args:
        windows: windows of laser-drift (≥ 3: the first two are skipped).
        shots: shots per window.

    Returns:
        ``windows``, ``shots``, ``controller_ms`` (median over windows 3..), ``worst_ms`` (worst
        window), ``bare_ms`` (median sampling + decoding), ``ratio`` (controller / bare),
        ``twin_ms`` (median twin window incl. the controller).
    """
    if windows < 3:
        raise ValueError(f"windows = {windows}: must be >= 3 (the first two are skipped)")
    scenario = load_scenario("laser-drift").replace(windows=windows, shots=shots)
    ctl = Timed(AIController())
    with tempfile.TemporaryDirectory() as tmp:
        twin = DigitalTwin(scenario, folder=Path(tmp) / "run", controller=ctl)
        twin.run()
        with open(Path(tmp) / "run" / "timing.csv") as fh:
            walls = [float(r["wall_s"]) for r in csv.DictReader(fh)]
        model, data = twin.model.cache.noise(twin.nominal)
    circuit = model.noisy_circuit(memory_experiment("surface", distance=5, rounds=5,
                                                    data_noise=data).circuit)
    ctl_ms = 1e3 * float(np.median(ctl.seconds[2:]))
    bare_ms = _bare_ms(circuit, shots)
    return {"windows": windows, "shots": shots, "controller_ms": ctl_ms,
            "worst_ms": 1e3 * max(ctl.seconds), "bare_ms": bare_ms, "ratio": ctl_ms / bare_ms,
            "twin_ms": 1e3 * float(np.median(walls[2:]))}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--shots", type=int, default=10_000)
    args = ap.parse_args(argv)
    r = measure(windows=args.windows, shots=args.shots)
    print(f"laser-drift, d=5, {args.shots} shots per window, {args.windows} windows")
    print(f"{'quantity':<46} {'value':>9}")
    print(f"{'ai controller observe+act, median (ms)':<46} {r['controller_ms']:>9.2f}")
    print(f"{'ai controller, worst window (ms)':<46} {r['worst_ms']:>9.2f}")
    print(f"{'sampling + decoding, median (ms)':<46} {r['bare_ms']:>9.2f}")
    print(f"{'ratio controller / (sampling + decoding)':<46} {r['ratio']:>9.3f}")
    print(f"{'twin window incl. controller, median (ms)':<46} {r['twin_ms']:>9.2f}")


if __name__ == "__main__":
    main()
