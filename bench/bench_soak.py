"""Soak run: a long twin run at small shots, its resident memory sampled as it goes.

The scenario is the built-in ``default`` (d = 3 surface code, an OU drift of the Raman
detuning) stretched to ``--windows`` windows of ``--shots`` shots, with the ``none`` or
``periodic`` controller, telemetry and checkpoints written to a temporary folder as in a real
run. Every ``--every`` windows the process's RSS is sampled. Reported: peak RSS, the RSS at
10 % and at 100 % of the run, the growth from 20 % to 100 %, the slope (MiB per 1000 windows,
least squares over the samples after the first 10 %) and windows per second.

Run: ``python -m bench.bench_soak`` (``--windows 10000 --shots 100 --controller none``).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from twin.loop import DigitalTwin
from twin.scenario import load_scenario

_MIB = 1024 * 1024

GROWTH_BOUND_MIB = 8.0
"""Allowed RSS growth from 20 % to 100 % of a soak run. Nothing the loop keeps may grow with the
number of windows; what legitimately moves RSS after warm-up is allocator noise (a few MiB:
numpy, stim and pymatching buffers freed to pools, not to the OS), a new physics-cache node or
two as the OU drift explores (~1 KiB each) and the decoder caches refilling after a clear
(≤ 17 compiled d = 3 decoders, well under 1 MiB each). A leak of even 1 KiB per window would
be 8 MiB over 8000 windows, so this bound catches it for runs of >= 10^4 windows."""


def rss_bytes() -> int:
    """Resident set size of this process (bytes), from ``/proc/self/statm`` (psutil if not)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux
        import psutil

        return int(psutil.Process().memory_info().rss)


def _maxrss() -> int:
    """The kernel's high-water mark of this process's RSS (bytes; Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _rss_at(samples: list[tuple[int, int]], window: int) -> int:
    """The sample nearest to ``window``."""
    return min(samples, key=lambda s: abs(s[0] - window))[1]


def measure(*, windows: int = 10_000, shots: int = 100, controller: str = "none",
            every: int | None = None, out_dir: str | Path | None = None) -> dict:
    """Run the soak scenario and summarise its memory.

    Args:
        windows: windows to run (≥ 20).
        shots: shots per window.
        controller: ``none`` or ``periodic`` (any scenario controller name works).
        every: sampling interval in windows (default: windows / 100, at least 1).
        out_dir: folder for the run's files (default: a temporary folder, removed after).

    Returns:
        ``windows``, ``shots``, ``controller``, ``seconds``, ``windows_per_s``,
        ``rss_start_mib`` (before the run), ``rss_10_mib``, ``rss_20_mib``, ``rss_end_mib``,
        ``peak_rss_mib`` (largest sample), ``maxrss_loop_mib`` and ``maxrss_mib`` (the
        kernel's high-water mark at the last window and after the end-of-run summary),
        ``growth_20_100_mib``, ``slope_mib_per_1000``, ``samples`` [(window, MiB)] and
        ``rows`` (for ``bench.report``).
    """
    if windows < 20:
        raise ValueError(f"windows = {windows}: must be >= 20")
    every = every or max(1, windows // 100)
    scenario = load_scenario("default").replace(
        name="soak", windows=windows, shots=shots, distance=3,
        controller=controller)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(out_dir) if out_dir is not None else Path(tmp)
        gc.collect()
        start_rss = rss_bytes()
        twin = DigitalTwin(scenario, folder=folder / "run")
        samples: list[tuple[int, int]] = []
        t0 = time.perf_counter()
        twin.start()
        while not twin.done:  # RSS after every ``every``-th window
            w = twin.step().index
            if (w + 1) % every == 0:
                samples.append((w + 1, rss_bytes()))
        maxrss_loop = _maxrss()  # the high-water mark before the end-of-run summary
        twin.finish()
        seconds = time.perf_counter() - t0
    w = np.array([s[0] for s in samples], dtype=float)
    r = np.array([s[1] for s in samples], dtype=float) / _MIB
    late = w >= 0.1 * windows
    slope = float(np.polyfit(w[late], r[late], 1)[0] * 1000) if late.sum() >= 2 else 0.0
    rss_20 = _rss_at(samples, windows // 5) / _MIB
    rss_end = samples[-1][1] / _MIB
    res = {
        "windows": windows, "shots": shots, "controller": controller,
        "seconds": seconds, "windows_per_s": windows / seconds,
        "rss_start_mib": start_rss / _MIB,
        "rss_10_mib": _rss_at(samples, windows // 10) / _MIB,
        "rss_20_mib": rss_20, "rss_end_mib": rss_end,
        "peak_rss_mib": float(r.max()),
        "maxrss_loop_mib": maxrss_loop / _MIB,
        "maxrss_mib": _maxrss() / _MIB,
        "growth_20_100_mib": rss_end - rss_20,
        "slope_mib_per_1000": slope,
        "samples": [(int(a), float(b)) for a, b in zip(w, r, strict=True)],
    }
    growth = res["growth_20_100_mib"]
    res["rows"] = [
        {"what": "soak: windows/s", "ours": f"{res['windows_per_s']:.1f} "
         f"({windows} windows × {shots} shots, {controller})"},
        {"what": "soak: peak RSS (kernel high-water mark)", "ours": f"{res['maxrss_mib']:.1f} MiB"},
        {"what": "soak: RSS at 10 % / 100 % of the run",
         "ours": f"{res['rss_10_mib']:.1f} / {rss_end:.1f} MiB"},
        {"what": "soak: RSS growth 20 % -> 100 %", "ours": f"{growth:+.2f} MiB",
         "target": f"<= {GROWTH_BOUND_MIB:g} MiB", "met": bool(growth <= GROWTH_BOUND_MIB)},
        {"what": "soak: slope after 10 %", "ours": f"{slope:+.3f} MiB / 1000 windows"},
    ]
    return res


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=10_000)
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--controller", default="none")
    parser.add_argument("--every", type=int, default=None, help="sample every N windows")
    args = parser.parse_args(argv)
    res = measure(windows=args.windows, shots=args.shots, controller=args.controller,
                  every=args.every)
    rows = [
        ("windows", f"{res['windows']}"),
        ("shots per window", f"{res['shots']}"),
        ("controller", res["controller"]),
        ("wall time", f"{res['seconds']:.1f} s"),
        ("windows/s", f"{res['windows_per_s']:.1f}"),
        ("RSS before the run", f"{res['rss_start_mib']:.1f} MiB"),
        ("RSS at 10 %", f"{res['rss_10_mib']:.1f} MiB"),
        ("RSS at 20 %", f"{res['rss_20_mib']:.1f} MiB"),
        ("RSS at 100 %", f"{res['rss_end_mib']:.1f} MiB"),
        ("peak RSS (samples)", f"{res['peak_rss_mib']:.1f} MiB"),
        ("max RSS at the last window", f"{res['maxrss_loop_mib']:.1f} MiB"),
        ("max RSS after the summary", f"{res['maxrss_mib']:.1f} MiB"),
        ("growth 20 % -> 100 %", f"{res['growth_20_100_mib']:+.2f} MiB"),
        ("slope (after 10 %)", f"{res['slope_mib_per_1000']:+.3f} MiB / 1000 windows"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"{'quantity':<{width}}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
