"""A run's headline figures: ``RunSummary``, computed from its telemetry (``summary.json``).

Example:
    >>> s = RunSummary(scenario="x", controller="none", seed=0, windows=2, qec_windows=2,
    ...                lost_windows=0, shots=100, errors=0, mean_ler_per_round=0.0,
    ...                ler_ci=(0.0, 0.01), worst_window=0, worst_ler_per_round=0.0,
    ...                windows_above_target=0, target=1e-3)
    >>> s.to_json()["ler_ci"]
    [0.0, 0.01]
"""

from __future__ import annotations

import csv
import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qec.codes import memory_experiment
from qec.stats import logical_rate
from twin.scenario import Scenario
from twin.validation import finite_or_none

if TYPE_CHECKING:
    from twin.runs.read import RunData

__all__ = ["RunStats", "RunSummary", "run_stats", "summarize"]


@dataclass(frozen=True)
class RunSummary:
    """What a run reports at the end (also ``summary.json``).

    Attributes:
        scenario: scenario name.
        controller: controller name.
        seed: scenario seed.
        windows: windows run.
        qec_windows: windows that ran QEC (not lost to calibration).
        lost_windows: windows spent calibrating.
        shots: total QEC shots.
        errors: total logical errors.
        mean_ler_per_round: per-round logical error of all shots pooled.
        ler_ci: its 95 % Wilson interval.
        worst_window: index of the window with the highest per-round logical error.
        worst_ler_per_round: that window's value.
        windows_above_target: QEC windows whose per-round logical error exceeded ``target``.
        target: the scenario's target.
        mean_distance: code distance averaged over QEC shots (the distance policy's cost).
        max_distance: largest distance used.
        qubit_rounds: physical qubits × QEC rounds spent over all QEC shots (resource use).
    """

    scenario: str
    controller: str
    seed: int
    windows: int
    qec_windows: int
    lost_windows: int
    shots: int
    errors: int
    mean_ler_per_round: float
    ler_ci: tuple[float, float]
    worst_window: int
    worst_ler_per_round: float
    windows_above_target: int
    target: float
    mean_distance: float = math.nan
    max_distance: int = 0
    qubit_rounds: int = 0

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict (``ler_ci`` as a list)."""
        d = dict(self.__dict__)
        d["ler_ci"] = list(self.ler_ci)
        return d


def summarize(telemetry: Path, *, scenario: Scenario, controller: str) -> RunSummary:
    """Summary of a telemetry file (pooled shots; worst and above-target windows).

    Raises:
        ValueError: if the file has no rows.
    """
    rounds = scenario.rounds_per_shot
    windows = qec_windows = shots = errors = above = qubit_rounds = distance_shots = 0
    max_distance, worst_window, worst = 0, -1, -math.inf
    with open(telemetry, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):  # row by row: memory stays flat on long runs
            windows += 1
            if r["lost"] != "0":
                continue
            qec_windows += 1
            n, d, ler = int(r["shots"]), int(r["distance"]), float(r["ler_per_round"])
            shots += n
            errors += int(r["errors"])
            above += ler > scenario.target
            qubit_rounds += _qubits(scenario.code, d, scenario.basis) * n * rounds
            distance_shots += d * n
            max_distance = max(max_distance, d)
            if ler > worst:
                worst_window, worst = int(r["window"]), ler
    if not windows:
        raise ValueError(f"{telemetry}: no windows")
    pooled = logical_rate(shots=shots, errors=errors, rounds=rounds)
    return RunSummary(
        scenario=scenario.name, controller=controller, seed=scenario.seed, windows=windows,
        qec_windows=qec_windows, lost_windows=windows - qec_windows, shots=shots,
        errors=errors, mean_ler_per_round=pooled.per_round, ler_ci=pooled.per_round_ci,
        worst_window=worst_window,
        worst_ler_per_round=worst if qec_windows else math.nan,
        windows_above_target=above, target=scenario.target,
        mean_distance=distance_shots / shots if shots else math.nan,
        max_distance=max_distance, qubit_rounds=qubit_rounds,
    )


@functools.cache
def _qubits(code: str, distance: int, basis: str) -> int:
    """Physical qubits (data and ancillas) of one patch of ``code`` at ``distance``."""
    layout = "surface" if code == "gkp-surface" else code  # same qubits, no GKP noise needed
    circuit = memory_experiment(layout, distance=distance, rounds=1, basis=basis).circuit
    used = {t.qubit_value for inst in circuit.flattened() for t in inst.targets_copy()}
    return len(used - {None})  # stim's num_qubits is the largest index + 1, not a count


@dataclass(frozen=True)
class RunStats:
    """A run's headline figures, from ``summary.json`` or, if it has none, from its telemetry.

    Attributes:
        windows: windows run.
        mean: mean logical error per round (NaN if no window was decoded).
        ci: its interval (low, high).
        worst_window: the window with the highest logical error per round (``None`` if none).
        worst: that window's logical error per round.
        above_target: windows above the target (``None`` when the target is unknown).
        lost: windows lost to calibration.
        target: the target logical error per round, ``None`` if unknown.
        from_summary: True when the figures come from ``summary.json``.
    """

    windows: int
    mean: float
    ci: tuple[float, float]
    worst_window: int | None
    worst: float
    above_target: int | None
    lost: int
    target: float | None
    from_summary: bool


def _scenario_target(folder: Path) -> float | None:
    """The first numeric ``target`` key found in the run's ``scenario.toml``, if any."""
    path = folder / "scenario.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    stack: list[object] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            if finite_or_none(item.get("target")) is not None:
                return finite_or_none(item["target"])
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return None


def run_stats(run: RunData, target: float | None = None) -> RunStats:
    """Headline figures of ``run``: its ``summary.json`` where it has one, else its telemetry.

    Without a summary the mean is the mean of the decoded windows' logical error per round and
    its interval the mean of their interval ends (a conservative interval for the mean).

    Args:
        run: the run.
        target: target logical error per round to use when the run names none (its summary, then
            a ``target`` key in its ``scenario.toml``).

    Returns:
        The run's figures.
    """
    s = run.summary or {}
    target = finite_or_none(s.get("target")) or _scenario_target(run.folder) or target
    ler, lo, hi = (run.arrays[k] for k in ("ler_per_round", "ler_ci_low", "ler_ci_high"))
    ok = ~run.lost & np.isfinite(ler)
    lost = int(run.lost.sum())
    ci = s.get("ler_ci")
    if run.complete and finite_or_none(s.get("mean_ler_per_round")) is not None and \
            isinstance(ci, list | tuple) and len(ci) == 2:
        worst_window = s.get("worst_window")
        above = s.get("windows_above_target")
        return RunStats(
            windows=int(s.get("windows", run.n_windows)), mean=float(s["mean_ler_per_round"]),
            ci=(float(ci[0]), float(ci[1])),
            worst_window=None if worst_window is None else int(worst_window),
            worst=finite_or_none(s.get("worst_ler_per_round")) or math.nan,
            above_target=None if above is None else int(above),
            lost=int(s.get("lost_windows", lost)), target=target, from_summary=True)
    if not ok.any():
        return RunStats(run.n_windows, math.nan, (math.nan, math.nan), None, math.nan,
                        0 if target is not None else None, lost, target, False)
    i = int(np.argmax(np.where(ok, ler, -np.inf)))
    above = int(np.sum(ler[ok] > target)) if target is not None else None
    return RunStats(
        windows=run.n_windows, mean=float(np.mean(ler[ok])),
        ci=(float(np.nanmean(lo[ok])), float(np.nanmean(hi[ok]))),
        worst_window=int(run.arrays["window"][i]), worst=float(ler[i]), above_target=above,
        lost=lost, target=target, from_summary=False)
