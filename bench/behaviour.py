"""Behaviour fingerprint: sha256 of every built-in scenario's telemetry and of ``extract --json``.

Cases: ``quantacore extract --json``; every built-in scenario with ``none``, ``periodic`` (one
calibration at window 10), ``ai`` and ``oracle``, 12 windows of 1000 shots at the scenario's own
seed; one Gymnasium episode with a fixed action sequence; one ``quantacore sweep`` (its counts:
the CSV's wall-clock seconds are left out).

A refactor that claims to preserve behaviour must leave these hashes unchanged. The reference
hashes (``bench/behaviour_hashes.json``) were recorded before ``twin/`` was split by concern
(issue 11); rerun the check after any change that should not move a number::

    python -m bench.behaviour --check      # recompute and compare (exit 1 on a difference)
    python -m bench.behaviour --record     # write new reference hashes (after a *wanted* change)
    python -m bench.behaviour --check --only steady,default

Every case goes through the command line (``quantacore run NAME --controller C --windows W
--shots S``), the interface that the refactor keeps, so the same script runs before and after.
``telemetry.csv`` holds floats written with ``repr``: one ulp anywhere changes its hash. It is
deterministic for one machine type (stim's sampling is seeded per SIMD width and the physics
runs in floating point), so the reference file records the machine it was made on, and a check
on another CPU says so next to any difference.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(__file__).with_name("behaviour_hashes.json")
CONTROLLERS = ("none", "periodic", "ai", "oracle")
WINDOWS = 12
SHOTS = 1000


def _scenarios() -> list[str]:
    from scenarios import list_scenarios

    return list(list_scenarios())


def machine_info() -> dict[str, str]:
    import stim

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "python": platform.python_version(), "stim": stim.__version__}


def _cli(argv: list[str]) -> str:
    from twin.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"quantacore {' '.join(argv)} exited {code}")
    return out.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(*, only: list[str] | None = None, windows: int = WINDOWS, shots: int = SHOTS,
                progress=None) -> dict[str, str]:
    """Hashes of every case: ``extract`` and ``run/<scenario>/<controller>``.

    Args:
        only: scenario names to run (default: every built-in; ``extract`` always runs).
        windows: windows per run.
        shots: shots per window.
        progress: called with one line per finished case (None: silent).
    """
    hashes = {"extract": _sha(_cli(["extract", "--json"]).encode())}
    names = only or _scenarios()
    with tempfile.TemporaryDirectory(prefix="quantacore-behaviour-") as tmp:
        for name in names:
            for controller in CONTROLLERS:
                t0 = time.perf_counter()
                out = Path(tmp) / name / controller
                _cli(["run", name, "--controller", controller, "--windows", str(windows),
                      "--shots", str(shots), "--out", str(out), "--quiet", "--no-report"])
                (telemetry,) = out.rglob("telemetry.csv")
                key = f"run/{name}/{controller}"
                hashes[key] = _sha(telemetry.read_bytes())
                if progress:
                    progress(f"{key}: {hashes[key][:12]} ({time.perf_counter() - t0:.1f} s)")
        if only is None:
            hashes["gym/laser-drift"] = _gym_hash(Path(tmp))
            hashes["sweep/uniform"] = _sweep_hash(Path(tmp))
    return hashes


_SWEEP = """\
codes = ["surface", "xzzx"]
distances = [3]
decoders = ["mwpm", "mwpm-erasure"]
bases = ["Z"]
max_shots = 4000
[noise]
kind = "uniform"
p = [0.006]
erasure = 0.01
"""


def _sweep_hash(tmp: Path) -> str:
    (tmp / "sweep.toml").write_text(_SWEEP, encoding="utf-8")
    text = _cli(["sweep", str(tmp / "sweep.toml"), "--save-resume", str(tmp / "sweep.csv"),
                 "--workers", "1", "--chunk-shots", "1000", "--json", "--quiet"])
    return _sha(text.encode())


def _gym_hash(tmp: Path) -> str:
    import numpy as np

    from twin.loop.gym_env import QECControlEnv

    env = QECControlEnv("laser-drift", shots=1000, windows=6, out_dir=str(tmp / "gym"))
    obs, _ = env.reset()
    trace = [obs.tolist()]
    for k in range(6):
        action = np.array([(-1) ** k * 0.3, 0.1 * k, 0.0], dtype=np.float32)
        obs, reward, *_ = env.step(action)
        trace.append([*obs.tolist(), reward])
    env.close()
    (telemetry,) = (tmp / "gym").rglob("telemetry.csv")
    return _sha(telemetry.read_bytes() + json.dumps(trace).encode())


def check(reference: dict, hashes: dict[str, str]) -> list[str]:
    """The cases whose hash differs from the reference (one line each)."""
    ref = reference["hashes"]
    return [f"{k}: {hashes[k][:12]} now, {ref.get(k, 'missing')[:12]} in the reference"
            for k in hashes if hashes[k] != ref.get(k)]


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench.behaviour", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true", help="compare with the reference")
    mode.add_argument("--record", action="store_true", help="write the reference")
    parser.add_argument("--only", help="comma-separated scenario names")
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else None

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    hashes = fingerprint(only=only, progress=say)
    if args.record:
        data = {"windows": WINDOWS, "shots": SHOTS, "controllers": list(CONTROLLERS),
                "machine": machine_info(), "hashes": hashes}
        REFERENCE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        say(f"wrote {REFERENCE} ({len(hashes)} hashes)")
        return 0
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    diffs = check(reference, hashes)
    if diffs:
        machine = machine_info()
        if machine != reference["machine"]:
            say(f"note: reference made on {reference['machine']}, this is {machine}")
        print("\n".join(["behaviour changed:", *diffs]))
        return 1
    print(f"behaviour preserved: {len(hashes)} hashes identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
